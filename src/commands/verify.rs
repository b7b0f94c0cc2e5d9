//! `accord verify`: check that each position was made by the party it names.

use crate::error::Result;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::ledger::Position;
use crate::oid::ObjectId;
use crate::render::verify::{Failure, Report};
use crate::signing;
use crate::store::CommitKind;
use crate::ui::Ui;

/// Check that every position was made by the party it names
///
/// Each position commit's author email, mapped by the `.mailmap` committed at HEAD, must match
/// its `Accord-Party`; commits with `Accord-` trailers that do not make a position, and
/// positions naming a revision that is not a revision of their agreement, are reported too.
/// With `--signed`, every position must also carry a good git signature by that party: SSH
/// signatures are checked with `ssh-keygen -Y verify` against `gpg.ssh.allowedSignersFile`
/// when your git configuration sets it (your trust wins), else `allowed_signers` from
/// accord.toml (read from HEAD); OpenPGP signatures need a key your keyring holds valid and a
/// valid user id with the party's email. Exit 1 and name each failing commit.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only positions on this agreement
    pub id: Option<String>,
    /// Require a good signature by the named party on every position
    #[arg(long)]
    pub signed: bool,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<super::Outcome> {
    super::no_markdown(ui, "verify")?;
    if let Some(id) = &args.id {
        super::check_id(id)?;
    }
    let store = super::open(ui)?;
    let head = store.head_required()?;
    if let Some(id) = &args.id {
        super::load_at(&store, head, id)?; // an unknown agreement is an error, not "all good"
    }
    let judged: Vec<String> = match &args.id {
        Some(id) => vec![store.path_of(id)],
        None => store.ids_at(head)?.iter().map(|(id, _)| store.path_of(id)).collect(),
    };
    super::fail_closed_if_shallow(&store, &judged)?;
    let graph = store.graph_full(head)?;
    let signers = if args.signed { store.allowed_signers(head)? } else { None };
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
            CommitKind::Malformed(why) if args.id.is_none() => failures.push(Failure {
                commit: node.id.to_string(),
                agreement: None,
                party: None,
                reason: format!("not a position: {why}"),
            }),
            _ => {}
        }
    }
    let branch = store.branch_positions(store.positions_branch(), Some(head))?;
    positions.extend(branch.into_iter().map(|p| (p, false)));
    // The meanings of each agreement's revisions in this history, computed when first needed.
    let mut meanings: HashMap<String, HashSet<ObjectId>> = HashMap::new();
    let meaning_of = |rev: ObjectId| -> Result<Option<ObjectId>> {
        match store.read_blob(rev)?.map(|b| crate::model::parse(&b, "")) {
            Some(Ok(a)) => Ok(Some(crate::store::fingerprint(&a)?)),
            _ => Ok(None),
        }
    };
    let mut outsiders = Vec::new();
    let mut texts: HashMap<String, Option<crate::model::Agreement>> = HashMap::new();
    for (p, reachable) in &positions {
        if args.id.as_ref().is_some_and(|id| *id != p.trailers.agreement) {
            continue;
        }
        checked += 1;
        let text = match texts.entry(p.trailers.agreement.clone()) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(v) => {
                v.insert(super::load_at(&store, head, &p.trailers.agreement).ok().map(|(_, a)| a))
            }
        };
        if text.as_ref().is_some_and(|a| a.party(&p.trailers.email).is_none()) {
            outsiders.push(Failure {
                commit: p.commit.to_string(),
                agreement: Some(p.trailers.agreement.clone()),
                party: Some(format!("{} <{}>", p.trailers.name, p.trailers.email)),
                reason: format!(
                    "not a party of {} at HEAD: shown, not counted",
                    p.trailers.agreement
                ),
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
        // A position in this history must name a text of its agreement: a revision, or a text
        // with the meaning of one (a rebased or squashed pull request's). One on the positions
        // branch about a text that never reached HEAD simply does not count (SPEC §4).
        if *reachable {
            let known = match meanings.entry(p.trailers.agreement.clone()) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(v) => {
                    let path = store.path_of(&p.trailers.agreement);
                    let mut set = HashSet::new();
                    for blob in store.blobs_along(&graph, &path)?.into_iter().flatten() {
                        set.insert(ObjectId::from(blob));
                        if let Some(m) = meaning_of(blob.into())? {
                            set.insert(m);
                        }
                    }
                    v.insert(set)
                }
            };
            let ok = match p.trailers.revision.parse::<ObjectId>() {
                Ok(rev) => {
                    known.contains(&rev) || meaning_of(rev)?.is_some_and(|m| known.contains(&m))
                }
                Err(_) => false,
            };
            if !ok {
                failures.push(fail(format!(
                    "Accord-Revision {} is not a revision of {} (nor a text with the meaning of one)",
                    p.trailers.revision, p.trailers.agreement
                )));
            }
        }
        if args.signed {
            match store.commit_signature(p.commit)? {
                None => failures.push(fail("the commit is not signed".into())),
                Some((payload, signature)) => {
                    let path = signers.as_ref().map(|s| s.path.as_path());
                    if let signing::Verdict::Bad(why) =
                        signing::verify(path, &p.trailers.email, &payload, &signature)
                    {
                        failures.push(fail(format!("signature: {why}")));
                    }
                }
            }
        }
    }
    let report = Report { ok: failures.is_empty(), checked, failures, outsiders };
    crate::render::verify::write(ui, &report, args.signed)?;
    if !report.ok {
        return Ok(super::Outcome::No(format!(
            "{} problem(s) in {checked} position(s)",
            report.failures.len()
        )));
    }
    Ok(super::Outcome::Done)
}
