//! What several commands share: opening the repository, loading agreements with errors that
//! say what to do, and evaluating agreements at a commit (store → core). No rendering here.

use std::collections::HashMap;

use crate::oid::ObjectId;

use crate::core::supersede::{self, Successor, Supersessions};
use crate::core::{self, Evaluation};
use crate::error::{Error, Result};
use crate::ledger::Position;
use crate::model::{self, Agreement, LoadError};
use crate::store::{AgreementRevisions, Source, Store, Timeline};
use crate::ui::Ui;

/// Refuse `--format markdown` for a command that has none, rather than print something else.
pub fn no_markdown(ui: &Ui, command: &str) -> Result<()> {
    if ui.format == crate::cli::OutputFormat::Markdown {
        return Err(Error::new(format!("`accord {command}` has no markdown output"))
            .hint("use --format human or --format json"));
    }
    Ok(())
}

/// Refuse an id that could not name an agreement file, before touching anything.
pub fn check_id(id: &str) -> Result<()> {
    if model::valid_id(id) {
        Ok(())
    } else {
        Err(Error::new(format!("`{id}` is not a valid agreement id")).hint(
            "ids are 1-64 lower-case letters, digits and `-`, starting with a letter or digit",
        ))
    }
}

/// Turn a load error into the user-facing error (exit 2 outside `check`).
pub fn load_error(e: LoadError) -> Error {
    let hint = match &e {
        LoadError::Unreadable(_) => "fix the file; `accord check` lists every problem",
        LoadError::Invalid(_) => "run `accord check` to see every problem with its location",
    };
    Error::new(e.to_string()).hint(hint)
}

/// Open the repository and warn once about shallow history.
pub fn open(ui: &Ui) -> Result<Store> {
    let store = Store::open(None)?;
    if store.is_shallow() {
        ui.warn("this is a shallow clone: history may be incomplete, and so may positions");
    }
    Ok(store)
}

fn not_found(store: &Store, id: &str, place: &str) -> Error {
    let known = store.ids_current().unwrap_or_default();
    let hint = if known.iter().any(|k| k == id) && place != "does not exist" {
        let path = store.path_of(id);
        format!("it is only in the working tree: commit it first (git add {path} && git commit)")
    } else if known.is_empty() {
        format!("create it with `accord new {id}`")
    } else {
        format!("known agreements: {}", known.join(", "))
    };
    Error::new(format!("no agreement `{id}` ({} {place})", store.path_of(id))).hint(hint)
}

/// The current text of an agreement (working tree; bare: HEAD), parsed and validated.
pub fn load_current(store: &Store, id: &str) -> Result<Agreement> {
    check_id(id)?;
    let bytes = store.read_current(id)?.ok_or_else(|| not_found(store, id, "does not exist"))?;
    model::load(&bytes, &store.path_of(id)).map_err(load_error)
}

/// An agreement at a commit, parsed and validated, with its blob id.
pub fn load_at(store: &Store, commit: ObjectId, id: &str) -> Result<(ObjectId, Agreement)> {
    check_id(id)?;
    let path = store.path_of(id);
    let (blob, bytes) = store.blob_at(commit, &path)?.ok_or_else(|| {
        not_found(store, id, &format!("is not in commit {:.10}", commit.to_string()))
    })?;
    let a = model::load(&bytes, &path).map_err(load_error)?;
    Ok((blob, a))
}

/// Say on stderr when positions recorded here have not reached the default remote yet.
pub fn note_unsynced(store: &Store, ui: &Ui) -> Result<()> {
    let branch = store.positions_branch();
    if store.positions_tip(branch)?.is_none() {
        return Ok(());
    }
    let Some(remote) = store.default_remote()? else { return Ok(()) };
    let state = store.sync_state(branch, &remote)?;
    if state.ahead > 0 {
        ui.status(format!(
            "{} position(s) on {branch} not yet synced to {remote}: run `accord sync`",
            state.ahead
        ));
    }
    Ok(())
}

/// Refuse a revision nobody can agree to (SPEC §9): conflict markers or template placeholders.
pub fn refuse_unagreeable(store: &Store, blob: ObjectId, path: &str) -> Result<()> {
    let bytes = store.read_blob(blob)?.unwrap_or_default();
    let a = model::parse(&bytes, path).map_err(load_error)?;
    let problems = model::unagreeable(&a, std::str::from_utf8(&bytes).unwrap_or_default(), path);
    if problems.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
    Err(Error::new(format!("nobody can agree to this text yet:\n{}", list.join("\n")))
        .hint("edit the file, commit, then sign; `accord check` lists every problem"))
}

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

/// The positions that bear on one agreement at one commit: those reachable from it (SPEC §4
/// rule 1, already ordered) and those on the positions branch (rule 2, still to be counted).
#[derive(Clone, Copy)]
pub struct Positions<'p> {
    pub here: &'p [&'p Position],
    pub branch: &'p [&'p Position],
}

/// Evaluate one agreement at `revision` (its blob id) in `commit`'s history.
pub fn evaluate(
    store: &Store,
    source: Source,
    commit: ObjectId,
    id: &str,
    revision: ObjectId,
    agreement: &Agreement,
    positions: Positions,
) -> Result<Evaluation> {
    let reader = AgreementRevisions::new(store, source, id);
    let counted = if positions.branch.is_empty() {
        positions.here.to_vec()
    } else {
        let current = core::Revisions::fingerprint(&reader, agreement)?;
        let lineage = || {
            let graph = store.graph_for(commit, id)?;
            Timeline::lineage_of(store, &graph, id)
        };
        let branch = core::counting::count_branch(&reader, current, positions.branch, lineage)?;
        core::counting::merge(positions.here, &branch)
    };
    let history = in_force_history(store, source, id, revision, agreement)?;
    core::evaluate::evaluate_in_force(
        &reader,
        id,
        &revision.to_string(),
        agreement,
        &counted,
        history.as_ref(),
    )
}

/// What SPEC §5's rules in force need from `id`'s history, or `None` when every earlier
/// revision had the same parties, roles, rule and quorum (then only the agreement's own rule
/// applies). That common answer is remembered per revision, so it is paid for once.
fn in_force_history(
    store: &Store,
    source: Source,
    id: &str,
    revision: ObjectId,
    agreement: &Agreement,
) -> Result<Option<core::in_force::History>> {
    let key = format!("in-force:{id}");
    if let Source::History(h) = source {
        if h.is_proven(&key, revision.into()) {
            return Ok(None);
        }
    }
    let graph = match source {
        Source::Graph(g) => g,
        Source::History(h) => h.graph()?,
    };
    let path = store.path_of(id);
    let mut earlier = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Neighbouring commits mostly hold the same blob: skip those before hashing.
    let mut last = None;
    for blob in store.blobs_along(graph, &path)?.into_iter().flatten() {
        if last.replace(blob) == Some(blob) {
            continue;
        }
        let blob = ObjectId::from(blob);
        if blob == revision || !seen.insert(blob) {
            continue;
        }
        if let Some(a) = store.read_blob(blob)?.and_then(|b| model::parse(&b, &path).ok()) {
            earlier.push(a);
        }
    }
    if !earlier.iter().any(|a| core::in_force::governance_differs(a, agreement)) {
        if let Source::History(h) = source {
            h.prove(&key, revision.into());
        }
        return Ok(None);
    }
    // The rules changed somewhere: find the last revision ratified while it stood.
    let timeline = Timeline::build(store, graph, id)?;
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

/// A gate (`review --require-ratified`, `check --ratified`, `verify`) in a shallow clone fails
/// closed when the cut-off history could hide a position or an edit of what it judges.
pub fn fail_closed_if_shallow(store: &Store, paths: &[String]) -> Result<()> {
    if store.is_shallow() && store.shallow_could_hide(paths)? {
        return Err(Error::new(
            "this is a shallow clone and its history is cut off where an agreement it judges already existed: an older position or edit may be missing",
        )
        .hint("fetch the whole history first: `git fetch --unshallow` (in CI: fetch-depth: 0)"));
    }
    Ok(())
}

/// Whether agreement `id`, removed in `head`'s history, was retired first: the last text before
/// the removal says `retired = true` and stood ratified when it was removed (SPEC §4).
pub fn removed_after_ratified_retirement(store: &Store, head: ObjectId, id: &str) -> Result<bool> {
    let graph = store.graph_for(head, id)?;
    let timeline = Timeline::build(store, &graph, id)?;
    let ratified = timeline.replay(store)?;
    for (k, e) in timeline.events.iter().enumerate() {
        let crate::store::Event::Edit(edit) = e else { continue };
        if edit.blob.is_some() {
            return Ok(false); // the newest edit is not a removal
        }
        let Some(before) = edit.before else { return Ok(false) };
        let retired = timeline.agreement(store, before)?.is_some_and(|a| a.retired);
        let stood_ratified = ratified.get(k + 1).copied().flatten() == Some(true);
        return Ok(retired && stood_ratified);
    }
    Ok(false)
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

/// Ids that positions name but that are not at the evaluated commit, mapped to the id they were
/// renamed into (following `git mv`); an id that was removed, not renamed, is remembered as
/// such so the next run does not look again.
fn renamed_ids<'k>(
    store: &Store,
    history: &crate::store::History,
    current: &[String],
    named: impl Iterator<Item = &'k &'k str>,
) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for id in named {
        if current.iter().any(|c| c == id) || !seen.insert(*id) {
            continue;
        }
        let key = format!("not-renamed:{id}");
        if history.is_proven(&key, ObjectId::default().into()) {
            continue;
        }
        match store.renamed_into(history.graph()?, id, current)? {
            Some(new) => out.push((id.to_string(), new)),
            None => history.prove(&key, ObjectId::default().into()),
        }
    }
    Ok(out)
}

/// Evaluate every agreement in `ids` at `commit` (all agreements there when `ids` is empty).
pub fn evaluate_at(store: &Store, commit: ObjectId, ids: &[String]) -> Result<Vec<Evaluation>> {
    evaluate_inner(store, commit, ids, None)
}

/// [`evaluate_at`] counting only the positions `keep` accepts (`review --signed`).
pub fn evaluate_filtered(
    store: &Store,
    commit: ObjectId,
    ids: &[String],
    keep: &dyn Fn(&Position) -> bool,
) -> Result<Vec<Evaluation>> {
    evaluate_inner(store, commit, ids, Some(keep))
}

fn evaluate_inner(
    store: &Store,
    commit: ObjectId,
    ids: &[String],
    keep: Option<&dyn Fn(&Position) -> bool>,
) -> Result<Vec<Evaluation>> {
    let t0 = std::time::Instant::now();
    let all: Vec<(String, ObjectId)> = store.ids_at(commit)?;
    let current: Vec<String> = all.iter().map(|(id, _)| id.clone()).collect();
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
    let history = store.history(commit)?;
    crate::store::trace("history", t0);
    let mut loaded = Vec::new();
    for (id, blob) in wanted {
        let path = store.path_of(&id);
        let a = history.agreement(blob, || {
            let bytes = store.read_blob(blob)?.unwrap_or_default();
            model::load(&bytes, &path).map_err(load_error)
        })?;
        loaded.push((id, blob, a));
    }
    crate::store::trace("agreements loaded", t0);
    // Filtering needs every position, not only the standing ones the history remembers.
    let graph = match keep {
        Some(_) => Some(store.graph(commit)?),
        None => None,
    };
    let keep = |p: &Position| keep.is_none_or(|k| k(p));
    let by_agreement = match &graph {
        Some(g) => positions_by_agreement(g.positions().into_iter().filter(|p| keep(p))),
        None => positions_by_agreement(history.positions.iter().map(|p| &**p)),
    };
    let branch = store.branch_positions(store.positions_branch(), Some(commit))?;
    let on_branch = positions_by_agreement(branch.iter().map(|p| &**p).filter(|p| keep(p)));
    let renamed =
        renamed_ids(store, &history, &current, by_agreement.keys().chain(on_branch.keys()))?;
    let mut out = Vec::new();
    for (id, blob, agreement) in &loaded {
        // Positions under an earlier id of the lineage count as under this one (SPEC §4).
        let lineage: Vec<&str> = std::iter::once(id.as_str())
            .chain(renamed.iter().filter(|(_, new)| new == id).map(|(old, _)| old.as_str()))
            .collect();
        let (here, on) = (gather(&by_agreement, &lineage), gather(&on_branch, &lineage));
        let positions = Positions { here: &here, branch: &on };
        let source = Source::History(&history);
        out.push(evaluate(store, source, commit, id, *blob, agreement, positions)?);
    }
    history.save();
    crate::store::trace("evaluated", t0);
    Ok(out)
}

/// Which agreements at `commit` are superseded, by whom and since when (SPEC §3). `known` are
/// evaluations already made at `commit`; every other agreement there that names others in
/// `supersedes` is evaluated here. A file that does not load is in force nowhere, so it
/// supersedes nothing (`check` names what is wrong with it).
pub fn supersessions(
    store: &Store,
    commit: ObjectId,
    known: &[Evaluation],
) -> Result<Supersessions> {
    superseding(store, commit, known, None)
}

/// Whether and by whom agreement `id` is superseded at `commit`: only its successors are
/// evaluated, so `log`, `history` and `show` of one agreement stay as cheap as they were.
pub fn supersessions_of(store: &Store, commit: ObjectId, id: &str) -> Result<Supersessions> {
    superseding(store, commit, &[], Some(id))
}

fn superseding(
    store: &Store,
    commit: ObjectId,
    known: &[Evaluation],
    only: Option<&str>,
) -> Result<Supersessions> {
    let names = |list: &[String]| only.is_none_or(|id| list.iter().any(|s| s == id));
    let mut extra = Vec::new();
    for (id, blob) in store.ids_at(commit)? {
        if known.iter().any(|e| e.agreement == id) {
            continue;
        }
        let bytes = store.read_blob(blob)?.unwrap_or_default();
        let path = store.path_of(&id);
        if model::load(&bytes, &path)
            .is_ok_and(|a| !a.supersedes.is_empty() && names(&a.supersedes))
        {
            extra.push(id);
        }
    }
    let more = if extra.is_empty() { Vec::new() } else { evaluate_at(store, commit, &extra)? };
    let in_force: Vec<&Evaluation> = known
        .iter()
        .chain(&more)
        .filter(|e| e.ratified && !e.supersedes.is_empty() && names(&e.supersedes))
        .collect();
    if in_force.is_empty() {
        return Ok(Supersessions::new());
    }
    let graph = store.graph(commit)?;
    let mut successors = Vec::new();
    for e in in_force {
        let timeline = Timeline::build(store, &graph, &e.agreement)?;
        let ratified = timeline.replay(store)?;
        let times: Vec<i64> = timeline.events.iter().map(|e| e.time()).collect();
        successors.push(Successor {
            id: &e.agreement,
            supersedes: &e.supersedes,
            ratified: true,
            since: core::due::last_became_ratified(&ratified, &times),
        });
    }
    Ok(supersede::superseded(&successors))
}

/// [`supersessions_of`] at HEAD; none when nothing is committed yet.
pub fn supersessions_of_at_head(store: &Store, id: &str) -> Result<Supersessions> {
    match store.head()? {
        Some(head) => supersessions_of(store, head, id),
        None => Ok(Supersessions::new()),
    }
}
