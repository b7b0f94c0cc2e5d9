//! What `verify` checks of every position: its author is the party it names (after the
//! `.mailmap` at HEAD), a position in HEAD's history names a text of its agreement, and with
//! `--signed` a good signature by that party.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::error::Result;
use crate::ledger::Position;
use crate::model::Agreement;
use crate::oid::ObjectId;
use crate::render::verify::{Failure, Report};
use crate::signing;
use crate::store::{CommitKind, Store, Timeline};

/// Check every position in `head`'s history and on the positions branch (those on agreement
/// `only` under any id it had, when given); `signed` also checks each signature. `agreements`:
/// the agreements judged, as loaded at `head` (a position is judged against its agreement's
/// text there, when it has one).
pub fn verify_positions(
    store: &Store,
    head: ObjectId,
    agreements: &HashMap<String, Agreement>,
    only: Option<&str>,
    signed: bool,
) -> Result<Report> {
    let graph = store.graph_full(head)?;
    let signers = if signed { store.allowed_signers(head)? } else { None };
    let checkers = store.signature_checkers();
    // Authors are mapped by the .mailmap committed at HEAD, never the working tree's.
    let mailmap = store.mailmap_at(head)?;
    let mut failures = Vec::new();
    let mut checked = 0;
    // Positions reachable from HEAD (and commits that only look like positions), then those on
    // the positions branch and its remote-tracking copies.
    let mut positions: Vec<(Arc<Position>, bool)> = Vec::new();
    for i in graph.order(|n| !matches!(n.accord, CommitKind::Other)) {
        let node = &graph.nodes[i as usize];
        match &node.accord {
            CommitKind::Position(p) => positions.push((p.clone(), true)),
            CommitKind::Malformed(why) if only.is_none() => failures.push(Failure {
                commit: node.id.to_string(),
                agreement: None,
                party: None,
                reason: format!("not a position: {why}"),
            }),
            _ => {}
        }
    }
    let branch = store.branch_positions(store.positions_branch(), Some(head))?;
    if only.is_none() {
        for (commit, reason) in store.branch_non_positions(store.positions_branch(), &graph)? {
            failures.push(Failure {
                commit: commit.to_string(),
                agreement: None,
                party: None,
                reason,
            });
        }
    }
    positions.extend(branch.into_iter().map(|p| (p, false)));
    // Each agreement's revisions in this history and their meanings, found when first needed.
    type Known = (HashSet<ObjectId>, HashSet<ObjectId>);
    let mut known: HashMap<String, Known> = HashMap::new();
    // Each text a position names: whether the repository holds it, and what it means. Read
    // all at once, each once (many positions name the same text).
    let mut named: Vec<ObjectId> = positions
        .iter()
        .filter_map(|(p, _)| p.trailers.revision.parse::<ObjectId>().ok())
        .collect();
    named.sort_unstable();
    named.dedup();
    // What a text means; `None` when it is not an agreement.
    let means = |bytes: &[u8]| -> Result<Option<ObjectId>> {
        match crate::model::parse(bytes, "") {
            Ok(a) => Ok(Some(crate::store::fingerprint(&a)?)),
            Err(_) => Ok(None),
        }
    };
    let mut texts: HashMap<ObjectId, (bool, Option<ObjectId>)> = HashMap::new();
    for (rev, bytes) in store.read_blobs(&named)? {
        texts.insert(rev, (true, means(&bytes)?));
    }
    // The meaning of a revision of an agreement: as read above when a position names it.
    let meaning_of = |rev: ObjectId| -> Result<Option<ObjectId>> {
        if let Some(&(_, m)) = texts.get(&rev) {
            return Ok(m);
        }
        match store.read_blob(rev)? {
            Some(bytes) => means(&bytes),
            None => Ok(None),
        }
    };
    let mut outsiders = Vec::new();
    // One agreement: its positions under every id it had (SPEC §4: they count for it after a
    // `git mv`), each judged against its text at HEAD.
    let lineage = match only {
        Some(id) => Some(Timeline::lineage_ids(store, &graph, id)?),
        None => None,
    };
    for (p, reachable) in &positions {
        if lineage.as_ref().is_some_and(|ids| !ids.contains(&p.trailers.agreement)) {
            continue;
        }
        checked += 1;
        let now = only.unwrap_or(&p.trailers.agreement);
        let text = agreements.get(now);
        if text.is_some_and(|a| a.party(&p.trailers.email).is_none()) {
            outsiders.push(Failure {
                commit: p.commit.to_string(),
                agreement: Some(p.trailers.agreement.clone()),
                party: Some(format!("{} <{}>", p.trailers.name, p.trailers.email)),
                reason: format!("not a party of {now} at HEAD: shown, not counted"),
            });
        }
        let fail = |reason: String| Failure {
            commit: p.commit.to_string(),
            agreement: Some(p.trailers.agreement.clone()),
            party: Some(format!("{} <{}>", p.trailers.name, p.trailers.email)),
            reason,
        };
        let (_, author) = mailmap.resolve(&p.author_name, &p.author_email)?;
        if !crate::model::same_email(&author, &p.trailers.email) {
            let mapped = if author == p.author_email {
                String::new()
            } else {
                format!(" (.mailmap: {author})")
            };
            failures.push(fail(format!(
                "author {} <{}>{mapped} is not the party it names",
                p.author_name, p.author_email
            )));
        }
        // The fingerprint a position carries must be what the text it names means, wherever
        // that text is here (SPEC §4); where it is gone, the fingerprint says what it meant.
        let revision = p.trailers.revision.parse::<ObjectId>().ok();
        let claim = p.trailers.meaning.as_deref();
        let (here, text_means) = revision.and_then(|r| texts.get(&r).copied()).unwrap_or_default();
        if let (Some(rev), Some(claim), true) = (revision, claim, here) {
            if text_means.is_none_or(|m| m.to_string() != claim) {
                let means = match text_means {
                    Some(m) => format!("which means {m}"),
                    None => "which is not an agreement".to_string(),
                };
                failures.push(fail(format!(
                    "Accord-Meaning {claim} is not the meaning of Accord-Revision {rev} ({means})"
                )));
            }
        }
        // A position in this history must name a text of its agreement: a revision, or a text
        // with the meaning of one (a rebased or squashed pull request's, as its fingerprint or
        // its text says). One on the positions branch about a text that never reached HEAD
        // simply does not count (SPEC §4).
        if *reachable {
            let (revisions, meanings) = match known.entry(p.trailers.agreement.clone()) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(v) => {
                    let (mut revisions, mut meanings) = (HashSet::new(), HashSet::new());
                    // Every text the file had in this history, each once, from the one pass
                    // over the history that finds every agreement's edits (a walk of the
                    // history for each agreement took 20 s at a million commits).
                    for blob in store.texts_along(&graph, &p.trailers.agreement)? {
                        if !revisions.insert(blob) {
                            continue;
                        }
                        if let Some(m) = meaning_of(blob)? {
                            meanings.insert(m);
                        }
                    }
                    v.insert((revisions, meanings))
                }
            };
            let claimed = claim.and_then(|c| c.parse::<ObjectId>().ok());
            let ok = revision.is_some_and(|rev| revisions.contains(&rev))
                || claimed.or(text_means).is_some_and(|m| meanings.contains(&m));
            if !ok {
                failures.push(fail(format!(
                    "Accord-Revision {} is not a revision of {} (nor a text with the meaning of one)",
                    p.trailers.revision, p.trailers.agreement
                )));
            }
        }
        if signed {
            match store.commit_signature(p.commit)? {
                None => failures.push(fail("the commit is not signed".into())),
                Some((payload, signature)) => {
                    let path = signers.as_ref().map(|s| s.path.as_path());
                    match signing::verify(path, &checkers, &p.trailers.email, &payload, &signature)
                    {
                        signing::Verdict::Good { .. } => {}
                        signing::Verdict::Bad(why) => {
                            failures.push(fail(format!("signature: {why}")));
                        }
                        signing::Verdict::Unable(why) => return Err(super::cannot_check(why)),
                    }
                }
            }
        }
    }
    Ok(Report { ok: failures.is_empty(), checked, failures, outsiders })
}
