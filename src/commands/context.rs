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

/// Evaluate one agreement at `revision` (its blob id) given its positions, newest first.
pub fn evaluate(
    store: &Store,
    source: Source,
    id: &str,
    revision: ObjectId,
    agreement: &Agreement,
    positions: &[&Position],
) -> Result<Evaluation> {
    let reader = AgreementRevisions::new(store, source, id, positions);
    core::evaluate(&reader, id, &revision.to_string(), agreement, positions)
}

/// Evaluate every agreement in `ids` at `commit` (all agreements there when `ids` is empty).
pub fn evaluate_at(store: &Store, commit: ObjectId, ids: &[String]) -> Result<Vec<Evaluation>> {
    let t0 = std::time::Instant::now();
    let all: Vec<(String, ObjectId)> = store.ids_at(commit)?;
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
    let by_agreement = positions_by_agreement(history.positions.iter().map(|p| &**p));
    let mut out = Vec::new();
    for (id, blob, agreement) in &loaded {
        let positions = by_agreement.get(id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        out.push(evaluate(store, Source::History(&history), id, *blob, agreement, positions)?);
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
