//! `accord review`: what a range of commits (a pull request) does to the agreements.

use std::collections::{BTreeMap, BTreeSet};

use crate::cli::OutputFormat;
use crate::core::review::{self, FileChange};
use crate::diff;
use crate::error::{Error, Result};
use crate::model;
use crate::oid::ObjectId;
use crate::render;
use crate::render::json::PositionView;
use crate::render::review::{Report, Review};
use crate::store::{CommitKind, Store};
use crate::ui::Ui;

/// Review the agreement changes in a range of commits, as for a pull request
///
/// For `BASE..HEAD` (or `BASE...HEAD`; both compare from the merge base, as code review does):
/// every agreement added, removed or changed, its semantic diff, the positions taken on it in
/// the range (on the branch or on the positions branch), and whether it is ratified at HEAD.
/// `--format markdown` renders a pull-request comment that says how to sign.
///
/// Configuration (`accord.toml`: where agreements and positions live, whose keys count) is read
/// from BASE, never from the pull request or the working tree. `--require-ratified` exits 1 when
/// a changed agreement is not ratified at HEAD, when one is removed without a ratified
/// retirement, or when the range changes where agreements or positions live.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The range, `BASE..HEAD` or `BASE...HEAD` (HEAD defaults to HEAD: `main..` works)
    #[arg(value_name = "BASE..HEAD")]
    pub range: String,
    /// Exit 1 unless every changed agreement is ratified at HEAD (a gate for CI)
    #[arg(long)]
    pub require_ratified: bool,
    /// Count only positions whose signatures verify against the allowed signers at BASE (or
    /// the verifier's own gpg.ssh.allowedSignersFile, which wins)
    #[arg(long)]
    pub signed: bool,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<super::Outcome> {
    let Some((base_rev, head_rev)) = args.range.split_once("..") else {
        return Err(Error::new(format!("`{}` is not a range", args.range))
            .hint("write BASE..HEAD, e.g. `accord review main..HEAD`"));
    };
    // `BASE...HEAD` as git users type it for pull requests: the same comparison.
    let head_rev = head_rev.strip_prefix('.').unwrap_or(head_rev);
    let mut store = super::open(ui)?;
    let base = store.resolve(if base_rev.is_empty() { "HEAD" } else { base_rev })?;
    let head = store.resolve(if head_rev.is_empty() { "HEAD" } else { head_rev })?;
    let merge_base = store
        .merge_base(base, head)?
        .ok_or_else(|| Error::new(format!("{base_rev} and {head_rev} have no common history")))?;
    // The base side decides where agreements and positions live; a pull request that moves
    // them would leave every objection behind.
    let base_config = store.project_config_at(base)?;
    let head_config = store.project_config_at(head)?;
    store.set_config(base_config.clone());
    let mut problems = Vec::new();
    if base_config.dir != head_config.dir
        || base_config.positions_branch != head_config.positions_branch
    {
        problems.push("accord.toml changes where agreements or positions live".to_string());
    }
    let before: BTreeMap<String, ObjectId> = store.ids_at(merge_base)?.into_iter().collect();
    let after: BTreeMap<String, ObjectId> = store.ids_at(head)?.into_iter().collect();
    if args.require_ratified {
        let paths: Vec<String> =
            before.keys().chain(after.keys()).map(|id| store.path_of(id)).collect();
        super::fail_closed_if_shallow(&store, &paths)?;
    }
    let keep = signed_filter(&store, args.signed, base)?;
    let in_range = positions_in_range(&store, head, merge_base)?;
    // A `git mv` in the range keeps the lineage: the old id is the new one's earlier name.
    let after_ids: Vec<String> = after.keys().cloned().collect();
    let head_graph = store.graph(head)?;
    let mut renamed: BTreeMap<String, String> = BTreeMap::new(); // new id -> old id
    for id in before.keys().filter(|id| !after.contains_key(*id)) {
        if let Some(new) = store.renamed_into(&head_graph, id, &after_ids)? {
            renamed.insert(new, id.clone());
        }
    }
    let ids: BTreeSet<String> = before
        .keys()
        .filter(|id| !renamed.values().any(|old| old == *id))
        .chain(after.keys())
        .cloned()
        .collect();
    let mut reviews = Vec::new();
    let (mut unratified, mut removed) = (Vec::new(), Vec::new());
    for id in ids {
        let old = renamed.get(&id);
        let (b, a) = (before.get(old.unwrap_or(&id)), after.get(&id));
        let positions: Vec<PositionView> = in_range
            .iter()
            .filter(|p| {
                (p.trailers.agreement == id || Some(&p.trailers.agreement) == old) && keep(p)
            })
            .map(|p| PositionView::new(p))
            .collect();
        let Some(change) = review::classify(b, a, !positions.is_empty()) else { continue };
        let path = store.path_of(&id);
        let read = |blob: ObjectId| -> Result<model::Agreement> {
            let bytes = store.read_blob(blob)?.unwrap_or_default();
            model::parse(&bytes, &path).map_err(super::load_error)
        };
        let changes = match (b, a) {
            (Some(x), Some(y)) if x != y => diff::diff(&read(*x)?, &read(*y)?),
            _ => Vec::new(),
        };
        let status = match a {
            Some(_) => {
                super::evaluate_filtered(&store, head, std::slice::from_ref(&id), &keep)?.pop()
            }
            None => None,
        };
        // A removal needs consent: the last text was a ratified retirement, or a ratified
        // successor at HEAD supersedes it (SPEC §3, §4).
        let retired_first = match change {
            FileChange::Removed => Some(
                super::removed_after_ratified_retirement(&store, head, &id)?
                    || !super::supersessions_of(&store, head, &id)?.is_empty(),
            ),
            _ => None,
        };
        match review::blocks(change, status.as_ref().map(|s| s.ratified), retired_first) {
            Some(review::Block::Unratified) => unratified.push(id.clone()),
            Some(review::Block::Removed) => removed.push(id.clone()),
            None => {}
        }
        reviews.push(Review { agreement: id, change, changes, positions, status, retired_first });
    }
    problems.extend(review::problems(short(head_rev), &unratified, &removed));
    let report = Report {
        base: base.to_string(),
        head: head.to_string(),
        merge_base: merge_base.to_string(),
        ratified: problems.is_empty(),
        problems: problems.clone(),
        agreements: reviews,
        positions_branch: store.positions_branch().to_string(),
    };
    match ui.format {
        OutputFormat::Json => ui.json(&report)?,
        OutputFormat::Markdown => render::review::markdown(ui.out(), &args.range, &report)?,
        OutputFormat::Human => {
            let color = ui.color();
            render::review::human(ui.out(), &report, color)?
        }
    }
    if args.require_ratified && !problems.is_empty() {
        return Ok(super::Outcome::No(problems.join("; ")));
    }
    Ok(super::Outcome::Done)
}

fn short(rev: &str) -> &str {
    if rev.is_empty() {
        "HEAD"
    } else {
        rev
    }
}

/// Positions taken in the range: reachable from HEAD but not from the merge base, and those on
/// the positions branch made since the merge base was committed.
fn positions_in_range(
    store: &Store,
    head: ObjectId,
    merge_base: ObjectId,
) -> Result<Vec<std::sync::Arc<crate::ledger::Position>>> {
    let head_graph = store.graph(head)?;
    let base_graph = store.graph(merge_base)?;
    let mut out: Vec<_> = head_graph
        .order(|n| matches!(n.accord, CommitKind::Position(_)) && !base_graph.contains(&n.id))
        .into_iter()
        .filter_map(|i| match &head_graph.nodes[i as usize].accord {
            CommitKind::Position(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    let since = base_graph.nodes.first().map_or(i64::MIN, |n| n.time);
    let branch = store.branch_positions(store.positions_branch(), Some(head))?;
    out.extend(branch.into_iter().filter(|p| p.time >= since));
    Ok(out)
}

/// With `--signed`, which positions count: those whose commit carries a good signature by the
/// party, checked against the allowed signers at BASE (or the verifier's own file).
fn signed_filter(
    store: &Store,
    signed: bool,
    base: ObjectId,
) -> Result<impl Fn(&crate::ledger::Position) -> bool + '_> {
    let signers = if signed { Some(store.allowed_signers(base)?) } else { None };
    Ok(move |p: &crate::ledger::Position| -> bool {
        let Some(signers) = &signers else { return true };
        match store.commit_signature(p.commit) {
            Ok(Some((payload, signature))) => {
                let path = signers.as_ref().map(|s| s.path.as_path());
                matches!(
                    crate::signing::verify(path, &p.trailers.email, &payload, &signature),
                    crate::signing::Verdict::Good { .. }
                )
            }
            _ => false,
        }
    })
}
