//! Which agreements at a commit are superseded, by whom and since when (SPEC §3): the
//! superseding agreements are evaluated here and `core::supersede` decides. No rendering here.

use crate::core::supersede::{self, Successor, Supersessions};
use crate::core::{self, Evaluation};
use crate::error::Result;
use crate::model::{self, Diagnostic};
use crate::oid::ObjectId;
use crate::store::{Store, Timeline};

use super::{evaluate_at, evaluate_filtered};

/// Which positions count, when not all do (`review --signed`: those whose signatures verify).
type Keep<'k> = Option<&'k dyn Fn(&crate::ledger::Position) -> bool>;

/// Which agreements at `commit` are superseded, by whom and since when (SPEC §3). `known` are
/// evaluations already made at `commit`; every other agreement there that names others in
/// `supersedes` is evaluated here. A file that does not load is in force nowhere, so it
/// supersedes nothing (`check` names what is wrong with it).
pub fn supersessions(
    store: &Store,
    commit: ObjectId,
    known: &[Evaluation],
) -> Result<Supersessions> {
    superseding(store, commit, known, None, None)
}

/// Whether and by whom agreement `id` is superseded at `commit`: only its successors are
/// evaluated, so `log`, `history` and `show` of one agreement stay as cheap as they were.
pub fn supersessions_of(store: &Store, commit: ObjectId, id: &str) -> Result<Supersessions> {
    superseding(store, commit, &[], Some(id), None)
}

/// [`supersessions_of`], counting only the positions `keep` keeps (`review --signed`): a
/// successor ratified by positions that do not count supersedes nothing.
pub fn supersessions_of_kept(
    store: &Store,
    commit: ObjectId,
    id: &str,
    keep: &dyn Fn(&crate::ledger::Position) -> bool,
) -> Result<Supersessions> {
    superseding(store, commit, &[], Some(id), Some(keep))
}

fn superseding(
    store: &Store,
    commit: ObjectId,
    known: &[Evaluation],
    only: Option<&str>,
    keep: Keep,
) -> Result<Supersessions> {
    let names = |list: &[String]| only.is_none_or(|id| list.iter().any(|s| s == id));
    let mut extra = Vec::new();
    let others: Vec<(String, ObjectId)> = store
        .ids_at(commit)?
        .into_iter()
        .filter(|(id, _)| !known.iter().any(|e| e.agreement == *id))
        .collect();
    // All at once (two agreements may hold the same text: each looks it up).
    let texts = store.read_blobs(&others.iter().map(|(_, b)| *b).collect::<Vec<_>>())?;
    for (id, blob) in others {
        let bytes: &[u8] = texts.get(&blob).map_or(&[], Vec::as_slice);
        // Without escapes (a backslash), a TOML key or string is its own bytes: a text that
        // holds no `supersedes` (or not the id asked about) is not parsed at all.
        let text = std::str::from_utf8(bytes).unwrap_or_default();
        if !text.contains('\\')
            && (!text.contains("supersedes") || only.is_some_and(|id| !text.contains(id)))
        {
            continue;
        }
        let path = store.path_of(&id);
        if model::load(bytes, &path).is_ok_and(|a| !a.supersedes.is_empty() && names(&a.supersedes))
        {
            extra.push(id);
        }
    }
    let more = match (extra.is_empty(), keep) {
        (true, _) => Vec::new(),
        (false, None) => evaluate_at(store, commit, &extra)?,
        (false, Some(keep)) => evaluate_filtered(store, commit, &extra, keep)?,
    };
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
        let timeline = Timeline::build_keeping(store, &graph, &e.agreement, keep)?;
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

/// What is wrong with the `supersedes` lists of the working tree (SPEC §3), as diagnostics for
/// the agreements that hold them. An id is known when its file is in the working tree, or was
/// in HEAD's history and has been removed (removing a superseded agreement is allowed).
pub fn supersession_problems(
    store: &crate::store::Store,
    links: &[(String, Vec<String>)],
) -> Result<Vec<(String, Diagnostic)>> {
    if links.is_empty() {
        return Ok(Vec::new());
    }
    let current: std::collections::HashSet<String> = store.ids_current()?.into_iter().collect();
    let mut removed = std::collections::HashSet::new();
    let graph = match store.head()? {
        Some(head) => Some(store.graph(head)?),
        None => None,
    };
    for old in links.iter().flat_map(|(_, l)| l).filter(|o| !current.contains(*o)) {
        if let Some(g) = &graph {
            if !crate::store::Timeline::build(store, g, old)?.events.is_empty() {
                removed.insert(old.clone());
            }
        }
    }
    let known = |id: &str| current.contains(id) || removed.contains(id);
    let refs: Vec<(&str, &[String])> =
        links.iter().map(|(id, l)| (id.as_str(), l.as_slice())).collect();
    let diag = |id: &str, message: String, hint: &str| Diagnostic {
        file: store.path_of(id),
        line: None,
        column: None,
        key: Some("supersedes".into()),
        message,
        hint: Some(hint.into()),
    };
    let mut out = Vec::new();
    for p in supersede::problems(&refs, &known) {
        match p {
            supersede::Problem::Unknown { agreement, missing } => {
                let d = diag(
                    &agreement,
                    format!("supersedes `{missing}`, which is no agreement"),
                    "name an agreement by its id (its file name without .toml)",
                );
                out.push((agreement, d));
            }
            supersede::Problem::Cycle { agreements } => {
                let message = if agreements.len() == 1 {
                    format!("`{}` supersedes itself", agreements[0])
                } else {
                    format!("supersession forms a cycle: {}", agreements.join(", "))
                };
                for a in &agreements {
                    let hint = "an agreement replaces older ones; remove one id to break the cycle";
                    out.push((a.clone(), diag(a, message.clone(), hint)));
                }
            }
        }
    }
    Ok(out)
}
