//! Evaluating agreements at a commit (store → core): gathering the positions that bear on
//! each (renames followed, the positions branch counted), the history the rules in force need,
//! and handing them to `core::evaluate`. No rendering here.

use std::collections::HashMap;

use crate::core::{self, Evaluation};
use crate::error::Result;
use crate::ledger::Position;
use crate::model::{self, Agreement};
use crate::oid::ObjectId;
use crate::store::{AgreementRevisions, RenamedAway, Source, Store, Timeline};

use super::{load_at, load_error};

/// Positions grouped by agreement, each list newest first.
pub fn positions_by_agreement<'p>(
    positions: impl IntoIterator<Item = &'p Position>,
) -> HashMap<&'p str, Vec<&'p Position>> {
    let mut map: HashMap<&str, Vec<&Position>> = HashMap::new();
    for p in positions {
        map.entry(p.trailers.agreement.as_str()).or_default().push(p);
    }
    map
}

/// Of the positions-branch positions naming the lineage of `loaded` (an agreement's id, blob
/// and text at `commit`), newest first, those that count at `commit` (SPEC §4 rule 2).
fn count<'p>(
    store: &Store,
    source: Source,
    commit: ObjectId,
    loaded: &(String, ObjectId, Agreement),
    branch: &[&'p Position],
) -> Result<Vec<&'p Position>> {
    let (id, revision, agreement) = (loaded.0.as_str(), loaded.1, &loaded.2);
    if branch.is_empty() {
        return Ok(Vec::new());
    }
    let reader = AgreementRevisions::new(store, source, id);
    let current = core::Revisions::meaning_at(&reader, revision, agreement)?;
    let lineage = || {
        let graph = store.graph_for(commit, id)?;
        Timeline::lineage_of(store, &graph, id, &|rev| core::Revisions::meaning(&reader, rev))
    };
    core::counting::count_branch(&reader, current, branch, lineage)
}

/// Evaluate one agreement at `revision` (its blob id), given the positions that count on it
/// (SPEC §4: those reachable and the positions branch's that count), newest first. With
/// `keep` (`review --signed`), only the positions it keeps count, also for the rules in force.
pub fn evaluate(
    store: &Store,
    source: Source,
    (id, revision, agreement): (&str, ObjectId, &Agreement),
    counted: &[&Position],
    keep: Option<&dyn Fn(&Position) -> bool>,
) -> Result<Evaluation> {
    let reader = AgreementRevisions::new(store, source, id);
    let history = in_force_history(store, source, (id, revision, agreement), keep)?;
    core::evaluate::evaluate_in_force(
        &reader,
        id,
        &revision.to_string(),
        agreement,
        counted,
        history.as_ref(),
    )
}

/// What SPEC §5's rules in force need from `id`'s history, or `None` when every earlier
/// revision had the same parties, roles, rule and quorum (then only the agreement's own rule
/// applies). That common answer is remembered per revision, so it is paid for once. The last
/// ratified revision is found by the positions `keep` keeps (all without it).
fn in_force_history(
    store: &Store,
    source: Source,
    (id, revision, agreement): (&str, ObjectId, &Agreement),
    keep: Option<&dyn Fn(&Position) -> bool>,
) -> Result<Option<core::in_force::History>> {
    let key = format!("in-force:{id}");
    if let Source::History(h) = source {
        if h.knows(&key, revision) {
            return Ok(None);
        }
    }
    let graph = match source {
        Source::Graph(g) => g,
        Source::History(h) => h.graph()?,
    };
    let path = store.path_of(id);
    let mut earlier = Vec::new();
    for blob in store.lineage_texts_along(graph, id)? {
        if blob == revision {
            continue;
        }
        if let Some(a) = store.parsed(blob, &path)? {
            earlier.push(a);
        }
    }
    if !earlier.iter().any(|a| core::in_force::governance_differs(a, agreement)) {
        if let Source::History(h) = source {
            h.remember(&key, revision);
        }
        return Ok(None);
    }
    // The rules changed somewhere: find the last revision ratified while it stood.
    let t0 = std::time::Instant::now();
    let timeline = Timeline::build_keeping(store, graph, id, keep)?;
    crate::store::trace(&format!("rules in force changed: {id}"), t0);
    let ratified = timeline.replay(store)?;
    let mut last_ratified = None;
    let mut stood_ratified = false;
    // Oldest first: an edit starts a span; any event in the span may find it ratified.
    let mut span: Option<ObjectId> = None;
    for k in (0..timeline.events.len()).rev() {
        if let crate::store::Event::Edit(e) = &timeline.events[k] {
            if let (Some(b), true) = (span, stood_ratified) {
                if b != revision {
                    last_ratified = Some(b);
                }
            }
            span = e.blob;
            stood_ratified = false;
        }
        stood_ratified |= ratified[k] == Some(true);
    }
    let last_ratified = match last_ratified {
        Some(b) => timeline.agreement(store, b)?.map(|a| (a, b.to_string())),
        None => None,
    };
    let earlier_parties = earlier.iter().flat_map(|a| a.parties.iter().cloned()).collect();
    Ok(Some(core::in_force::History { last_ratified, earlier_parties }))
}

/// The positions naming any id of a lineage, newest first.
fn gather<'p>(map: &HashMap<&str, Vec<&'p Position>>, lineage: &[&str]) -> Vec<&'p Position> {
    let mut all: Vec<&Position> = Vec::new();
    for id in lineage {
        let more = map.get(id).map(Vec::as_slice).unwrap_or(&[]);
        all = core::counting::merge(&all, more);
    }
    all
}

/// The renames away of each id that positions name (`named`) or that is at the evaluated
/// commit (`listed`), where there are any: for an id at the commit, those a new agreement took
/// the name after; for one no longer there, every one (it went on under another id, or was
/// removed). An id found to have none is remembered as such, so the next run does not look
/// again while the agreements folder stays as it is.
fn renamed_away<'k>(
    store: &Store,
    history: &crate::store::History,
    listed: &[(String, ObjectId)],
    named: impl Iterator<Item = &'k &'k str>,
) -> Result<Vec<(String, Vec<RenamedAway>)>> {
    let current: Vec<String> = listed.iter().map(|(id, _)| id.clone()).collect();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let gone: Vec<&str> = named.copied().filter(|id| !current.iter().any(|c| c == id)).collect();
    for id in current.iter().map(String::as_str).chain(gone) {
        if !seen.insert(id) {
            continue;
        }
        let key = format!("{}{id}", crate::store::NOT_RENAMED);
        if history.knows(&key, ObjectId::default()) {
            continue;
        }
        let list = store.renamed_away(history.graph()?, id, &current)?;
        match list.is_empty() {
            true => history.remember(&key, ObjectId::default()),
            false => out.push((id.to_string(), list)),
        }
    }
    Ok(out)
}

/// Evaluate every agreement in `ids` at `commit` (all agreements there when `ids` is empty).
pub fn evaluate_at(store: &Store, commit: ObjectId, ids: &[String]) -> Result<Vec<Evaluation>> {
    evaluate_inner(store, commit, ids, None, None)
}

/// [`evaluate_at`] as of `commit`'s committer time (`status --rev C`, SPEC §4 rule 3): the
/// positions-branch positions made after it do not count. (Positions reachable from `commit`
/// always count.)
pub fn evaluate_as_of(store: &Store, commit: ObjectId, ids: &[String]) -> Result<Vec<Evaluation>> {
    let as_of = store.commit_time(commit)?;
    evaluate_inner(store, commit, ids, None, Some(as_of))
}

/// [`evaluate_at`] counting only the positions `keep` accepts (`review --signed`).
pub fn evaluate_filtered(
    store: &Store,
    commit: ObjectId,
    ids: &[String],
    keep: &dyn Fn(&Position) -> bool,
) -> Result<Vec<Evaluation>> {
    evaluate_inner(store, commit, ids, Some(keep), None)
}

fn evaluate_inner(
    store: &Store,
    commit: ObjectId,
    ids: &[String],
    keep: Option<&dyn Fn(&Position) -> bool>,
    as_of: Option<i64>,
) -> Result<Vec<Evaluation>> {
    let t0 = std::time::Instant::now();
    store.read_positions_branch_ahead();
    let all: Vec<(String, ObjectId)> = store.ids_at(commit)?;
    let current: Vec<String> = all.iter().map(|(id, _)| id.clone()).collect();
    let listed = all.clone();
    let wanted: Vec<(String, ObjectId)> = if ids.is_empty() {
        all
    } else {
        let mut out = Vec::new();
        for id in ids {
            match all.iter().find(|(a, _)| a == id) {
                Some(x) => out.push(x.clone()),
                None => {
                    load_at(store, commit, id)?; // says why, with a hint
                }
            }
        }
        out
    };
    // A cold run builds the folder-change index and starts reading the texts ahead (see
    // below) while the walk's messages are read.
    let wanted_ids: Vec<String> = wanted.iter().map(|(id, _)| id.clone()).collect();
    store.texts_meanwhile(&wanted_ids);
    let history = store.history(commit);
    store.nothing_meanwhile();
    let history = history?;
    crate::store::trace("history", t0);
    // Cold (the rules in force not yet known for some revision): every text of every
    // agreement is parsed on a second thread while the positions branch is read, the texts
    // at `commit` among them.
    // (A current text that does not load is reported before anything the read-ahead met.)
    let cold = wanted.iter().any(|(id, blob)| !history.knows(&format!("in-force:{id}"), *blob));
    let ahead = match cold {
        true => {
            let ids: Vec<&str> = wanted.iter().map(|(id, _)| id.as_str()).collect();
            store.read_ahead(&history, &ids, store.positions_branch(), commit)
        }
        false => Ok(()),
    };
    let mut loaded = Vec::new();
    // The texts not remembered, read all at once.
    let missing: Vec<ObjectId> =
        wanted.iter().map(|(_, b)| *b).filter(|b| !history.has_agreement(*b)).collect();
    let mut texts = store.read_blobs(&missing)?;
    for (id, blob) in wanted {
        let path = store.path_of(&id);
        let a = history.agreement(blob, || {
            let bytes = match texts.remove(&blob) {
                Some(bytes) => bytes,
                None => store.read_blob(blob)?.unwrap_or_default(),
            };
            match store.parsed_already(blob, &path) {
                Some(a) => model::load_parsed(Agreement::clone(&a), &bytes, &path),
                None => model::load(&bytes, &path),
            }
            .map_err(load_error)
        })?;
        loaded.push((id, blob, a));
    }
    ahead?;
    crate::store::trace("agreements loaded", t0);
    // Filtering needs every position, not only the standing ones the history remembers.
    let graph = match keep {
        Some(_) => Some(store.graph(commit)?),
        None => None,
    };
    // What the counted-positions cache holds is every position, at any time.
    let keep_all = keep.is_none() && as_of.is_none();
    let kept = |p: &Position| keep.is_none_or(|k| k(p));
    let made_by_then = |p: &Position| as_of.is_none_or(|t| p.time <= t);
    // Warm: what counts on the positions branch is remembered for this commit and these tips.
    let (key, mut remembered) = store.counted_branch(commit)?;
    if let (None, Some(before)) = (&remembered, history.carried_from) {
        remembered = store.counted_carried(before.into(), &key)?;
    }
    let remembered = remembered
        .filter(|_| keep_all)
        .filter(|r| loaded.iter().all(|(id, _, _)| r.contains_key(id)));
    let branch = match remembered {
        Some(_) => Vec::new(),
        None => store.branch_positions(store.positions_branch(), Some(commit))?,
    };
    let on_branch =
        positions_by_agreement(branch.iter().map(|p| &**p).filter(|p| kept(p) && made_by_then(p)));
    let away = match &remembered {
        Some(_) => Vec::new(),
        None => {
            let standing = positions_by_agreement(history.positions.iter().map(|p| &**p));
            renamed_away(store, &history, &listed, standing.keys().chain(on_branch.keys()))?
        }
    };
    // The history remembers each party's standing position per id; an id renamed has more
    // than one agreement's positions perhaps, so every one is read.
    let by_agreement = match (&graph, away.is_empty()) {
        (Some(g), _) => positions_by_agreement(g.positions().into_iter().filter(|p| kept(p))),
        (None, false) => positions_by_agreement(history.graph()?.positions()),
        (None, true) => positions_by_agreement(history.positions.iter().map(|p| &**p)),
    };
    // Whether a position bears on `id`: one under an id whose file was renamed away is
    // placed by `store::position_is` (by descent, or by the texts it names).
    let belongs = |p: &Position, id: &str, reachable: bool, later: &[&Position]| -> Result<bool> {
        let named = p.trailers.agreement.as_str();
        let Some((_, list)) = away.iter().find(|(x, _)| x == named) else { return Ok(true) };
        let here = current.iter().any(|c| c == named);
        let graph = match reachable {
            true => Some(history.graph()?),
            false => None,
        };
        Ok(crate::store::position_is(p, graph, here, list, id, later))
    };
    let only = |list: &mut Vec<&Position>, id: &str, reachable: bool| -> Result<()> {
        // What each party did next under the same id decides whose an objection on a draft
        // is, on the positions branch (`store::position_is`).
        crate::store::retain_placed(list, !reachable, |p, later| belongs(p, id, reachable, later))
    };
    let source = Source::History(&history);
    let mut out = Vec::new();
    let mut learnt: Vec<crate::store::Learnt> = Vec::new();
    for this in &loaded {
        let (id, blob, agreement) = this;
        // Positions under an earlier id of the lineage count as under this one (SPEC §4).
        let lineage: Vec<&str> = std::iter::once(id.as_str())
            .chain(away.iter().filter_map(|(old, list)| {
                list.iter().any(|r| r.into.as_deref() == Some(id)).then_some(old.as_str())
            }))
            .collect();
        // Every counted position in SPEC §4's order; remembered: each email's first of them
        // (all the evaluation reads), with no need to count again.
        // What a new position under `id` on the branch must be newer than to come first (see
        // `Store::counted_recorded`): the newest reachable position, and the newest branch
        // position under an earlier id of the lineage.
        let mut newest_other = None;
        let counted: Vec<&Position> = match &remembered {
            Some(r) => r.get(id).map(|v| v.iter().map(|p| &**p).collect()).unwrap_or_default(),
            None => {
                let mut here = gather(&by_agreement, &lineage);
                let mut on = gather(&on_branch, &lineage);
                if !away.is_empty() {
                    only(&mut here, id, true)?;
                    only(&mut on, id, false)?;
                }
                newest_other = here
                    .first()
                    .copied()
                    .into_iter()
                    .chain(on.iter().copied().filter(|p| p.trailers.agreement != *id))
                    .map(|p| (p.time, p.commit))
                    .max();
                core::counting::merge(&here, &count(store, source, commit, this, &on)?)
            }
        };
        out.push(evaluate(store, source, (id, *blob, agreement), &counted, keep)?);
        learnt.push((id.as_str(), crate::store::first_per_email(&counted), newest_other));
    }
    // The file says which agreements it answers for: a run over some adds them.
    if remembered.is_none() && keep_all {
        store.remember_counted(commit, &key, &learnt)?;
    }
    history.save();
    crate::store::trace("evaluated", t0);
    Ok(out)
}
