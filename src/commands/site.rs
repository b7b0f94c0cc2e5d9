//! `accord site`: gather every agreement's state, matrix, purpose versions and log at one commit
//! (store → core) and write the pages `render::site` makes. It decides nothing itself: states
//! come from `evaluate_at` and the core, HTML from the renderer.

use std::path::PathBuf;

use crate::core::{self, due, matrix, versions, Evaluation};
use crate::error::{Error, Result};
use crate::oid::ObjectId;
use crate::render::site::{self, AgreementSite, LogEntry, LogWhat, Site};
use crate::store::{Event, Graph, Store, Timeline};
use crate::ui::Ui;

/// Write a static HTML site of the agreements: an index and one page per agreement
///
/// The index lists every agreement with its kind, whether it is ratified or what blocks it,
/// whether it is retired or superseded, open objections, who is still to take a position, and
/// its dates, with filters by kind and state (no JavaScript). Each agreement's page has its text (purpose first), a party × revision
/// matrix, the purpose's versions with word-level changes, and the log of edits and positions.
///
/// The pages are self-contained (inline styles, no network) and the same repository and
/// revision always give the same bytes. Files already in DIR are overwritten, never removed.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to write the site into (created if missing)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Show the agreements at this commit instead of HEAD
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    let store = super::open(ui)?;
    let commit = match &args.rev {
        Some(r) => store.resolve(r)?,
        None => store.head_required()?,
    };
    let t0 = std::time::Instant::now();
    let evaluations = super::evaluate_at(&store, commit, &[])?;
    let mut superseded = super::supersessions(&store, commit, &evaluations)?;
    // One walk serves every agreement's timeline; its first node is the tip.
    let graph = store.graph(commit)?;
    crate::store::trace("site: graph", t0);
    let time = graph.nodes.first().map_or(0, |n| n.time);
    let mut agreements = gather_all(&store, &graph, commit, time, evaluations)?;
    for a in &mut agreements {
        a.superseded_by = superseded.remove(&a.id).unwrap_or_default();
        // Retired and superseded agreements have no reviews to come, as for `accord due`.
        if a.evaluation.retired || !a.superseded_by.is_empty() {
            a.due.clear();
        }
    }
    crate::store::trace("site: timelines", t0);
    agreements.sort_by(|a, b| a.id.cmp(&b.id));
    let site = Site { commit, time, agreements };
    // The index last: it never links to a page not yet in place.
    let mut pages: Vec<(PathBuf, String)> = site
        .agreements
        .iter()
        .map(|a| (args.out.join(site::page_path(&a.id)), site::page(&site, a)))
        .collect();
    pages.push((args.out.join("index.html"), site::index(&site)));
    super::write_in_place(&pages)?;
    crate::store::trace("site: written", t0);
    ui.status(format!(
        "wrote {} page(s) to {}",
        site.agreements.len() + 1,
        crate::render::escape::terminal(&args.out.display().to_string())
    ));
    Ok(())
}

/// [`gather`] every evaluation, on every core: each worker opens its own handle on the
/// repository (a handle is not shared between threads) and reads the one walked graph.
fn gather_all(
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
        let times: Vec<i64> = timeline.events.iter().map(|e| e.time()).collect();
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
