//! Which agreements at a commit are superseded, by whom and since when (SPEC §3): the
//! superseding agreements are evaluated here and `core::supersede` decides. No rendering here.

use crate::core::supersede::{self, Successor, Supersessions};
use crate::core::{self, Evaluation};
use crate::error::Result;
use crate::model;
use crate::oid::ObjectId;
use crate::store::{Store, Timeline};

use super::evaluate_at;

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
