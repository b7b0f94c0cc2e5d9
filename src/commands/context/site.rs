//! What `site` shows of each agreement at one commit, gathered from the store through the
//! core: its timeline replayed, party × revision matrix, purpose versions, log and review dates.

use crate::core::{self, due, matrix, versions, Evaluation};
use crate::error::{Error, Result};
use crate::oid::ObjectId;
use crate::render::site::{AgreementSite, LogEntry, LogWhat};
use crate::store::{Event, Graph, Store, Timeline};

/// [`gather`] every evaluation, on every core: each worker opens its own handle on the
/// repository (a handle is not shared between threads) and reads the one walked graph.
pub fn site_pages(
    store: &Store,
    graph: &Graph,
    commit: ObjectId,
    time: i64,
    evaluations: Vec<Evaluation>,
) -> Result<Vec<AgreementSite>> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if workers < 2 || evaluations.len() < 8 {
        return evaluations.into_iter().map(|e| gather(store, graph, commit, time, e)).collect();
    }
    let mut chunks: Vec<Vec<Evaluation>> = (0..workers).map(|_| Vec::new()).collect();
    for (i, e) in evaluations.into_iter().enumerate() {
        chunks[i % workers].push(e);
    }
    let results: Vec<Result<Vec<AgreementSite>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || -> Result<Vec<AgreementSite>> {
                    let store = Store::open(None)?;
                    chunk.into_iter().map(|e| gather(&store, graph, commit, time, e)).collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(Error::new("a site worker stopped"))))
            .collect()
    });
    let mut out = Vec::new();
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}

/// One agreement's page: everything `site` shows of it at `commit` (made at `time`).
fn gather(
    store: &Store,
    graph: &Graph,
    commit: ObjectId,
    time: i64,
    e: Evaluation,
) -> Result<AgreementSite> {
    let id = e.agreement.clone();
    let (_, agreement) = super::load_at(store, commit, &id)?;
    let timeline = Timeline::build(store, graph, &id)?;
    let texts = timeline.texts(store);
    let ratified = core::replay::replay(&texts, &timeline.events)?;
    let versions = versions::fold(&texts, &timeline.events, &ratified, "purpose")?;
    let mut columns = matrix::columns(&texts, &id, &timeline.events)?;
    let meaning = crate::store::fingerprint(&agreement)?;
    matrix::settle(&mut columns, &timeline.events, e.clone(), meaning, (commit, time));
    let mut log = Vec::with_capacity(timeline.events.len());
    for (event, r) in timeline.events.iter().zip(&ratified) {
        log.push(log_entry(store, &timeline, event, r.unwrap_or(false))?);
    }
    let mut due = Vec::new();
    if let Some(today) =
        jiff::Timestamp::from_second(time).ok().map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
    {
        let times = timeline.judged_times(store);
        let ratified_at = due::last_became_ratified(&ratified, &times);
        due = due::due(&id, &agreement, today, ratified_at);
    }
    let superseded_by = Vec::new(); // filled in by `run`, from one pass over every agreement
    Ok(AgreementSite { id, agreement, evaluation: e, columns, versions, log, due, superseded_by })
}

fn log_entry(store: &Store, t: &Timeline, event: &Event, ratified: bool) -> Result<LogEntry> {
    Ok(match event {
        Event::Edit(e) => {
            let (summary, _) = super::edit_summary(store, t, e)?;
            LogEntry {
                commit: e.commit,
                time: e.time,
                ratified,
                what: LogWhat::Edit {
                    author: e.author_name.clone(),
                    subject: e.subject.clone(),
                    summary,
                    revision: e.blob,
                },
            }
        }
        Event::Position(p) => LogEntry {
            commit: p.commit,
            time: p.time,
            ratified,
            what: LogWhat::Position {
                name: p.trailers.name.clone(),
                email: p.trailers.email.clone(),
                stance: p.trailers.stance,
                note: p.note.clone(),
                revision: p.trailers.revision.clone(),
            },
        },
    })
}
