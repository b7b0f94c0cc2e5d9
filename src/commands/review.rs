//! `accord review`: what a range of commits (a pull request) does to the agreements.

use std::collections::BTreeMap;

use crate::cli::OutputFormat;
use crate::core::review;
use crate::error::{Error, Result};
use crate::oid::ObjectId;
use crate::render;
use crate::render::review::Report;
use crate::store::Reviewed;
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
/// retirement, when the range changes where agreements or positions live, or, with `--signed`,
/// when it changes the allowed signers the repository names (unless your own
/// gpg.ssh.allowedSignersFile is set, which then decides alone).
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
    // Read while the arguments and configuration are, unless the answer may be kept (then
    // mostly nothing is walked): the walk below needs it.
    if !store.keeps_reviews() {
        store.commit_graph_ahead();
    }
    let base = store.resolve(if base_rev.is_empty() { "HEAD" } else { base_rev })?;
    let head = store.resolve(if head_rev.is_empty() { "HEAD" } else { head_rev })?;
    let merge_base =
        match store.merge_base(base, head)? {
            Some(m) => m,
            // A shallow cut can hide where they meet (the usual CI checkout at depth 1): fail closed
            // naming the fix, as every gate does in a shallow clone.
            None if store.is_shallow() => return Err(Error::new(format!(
                "this is a shallow clone and its history is cut off before {} and {} meet: what \
                 the range changed cannot be told",
                short(base_rev),
                short(head_rev)
            ))
            .hint(
                "fetch the whole history first: `git fetch --unshallow` (in CI: fetch-depth: 0)",
            )),
            None => {
                return Err(Error::new(format!(
                    "{} and {} have no common history",
                    short(base_rev),
                    short(head_rev)
                )))
            }
        };
    // The base side decides where agreements and positions live; a pull request that moves
    // them would leave every objection behind.
    let base_config = store.project_config_at(base)?;
    let head_config = store.project_config_at(head)?;
    store.set_config(base_config.clone());
    let mut problems = Vec::new();
    // Where the two sides met counts too: a pull request that follows a move made on the base
    // side since (its accord.toml now the base's) carries its edits of the old folder along.
    let met_config = store.project_config_at(merge_base)?;
    if head_config.moves_from(&base_config) || head_config.moves_from(&met_config) {
        problems.push("accord.toml changes where agreements or positions live".to_string());
    }
    // With --signed the keys at BASE decide whose signatures count: a pull request that
    // changes them decides for every later one (the verifier's own file is not the range's).
    if args.signed
        && !store.trusts_own_signers()
        && store.committed_signers(head, &head_config)?
            != store.committed_signers(merge_base, &met_config)?
    {
        problems.push(
            "the range changes the allowed signers (`allowed_signers` in accord.toml or the \
             file it names): the keys later reviews with --signed trust"
                .to_string(),
        );
    }
    let after: BTreeMap<String, ObjectId> = store.ids_at(head)?.into_iter().collect();
    // Where the two sides met: the merge base first, then any others (criss-cross merges).
    let mut sides = vec![store.ids_at(merge_base)?.into_iter().collect()];
    for b in store.merge_bases(base, head)?.into_iter().filter(|&b| b != merge_base) {
        sides.push(store.ids_at(b)?.into_iter().collect());
    }
    let before = review::before_range(&sides, &after);
    if args.require_ratified {
        let paths: Vec<String> =
            before.keys().chain(after.keys()).map(|id| store.path_of(id)).collect();
        super::fail_closed_if_shallow(&store, &paths)?;
    }
    // The same question asked again, with nothing it depends on moved, has the same answer
    // (`Store::review_key`); not when signatures are verified, whose keys live outside.
    let color = ui.color();
    let format = format!("{:?}", ui.format);
    let asked = [format.as_str(), if color { "color" } else { "plain" }, args.range.as_str()];
    let key = match args.signed {
        true => None,
        false => store.review_key(&asked, base, head, merge_base)?,
    };
    if let Some(kept) = key.as_ref().and_then(|k| store.reviewed(k)) {
        ui.out().write_all(&kept.out)?;
        return Ok(outcome(args.require_ratified, &kept.problems));
    }
    // The range's own commits are judged as made no earlier than now: their dates are the
    // pull request author's to choose.
    store.judge_range_from(merge_base)?;
    let keep = super::signed_filter(&store, args.signed, base)?;
    // What the walk below starts from, and what is read after it: read meanwhile.
    store.commit_graph_ahead();
    store.events_ahead();
    store.read_positions_branch_file_ahead();
    let head_graph = store.graph(head)?;
    let in_range = store.positions_in_range(&head_graph, merge_base)?;
    let range = super::Range {
        store: &store,
        merge_base,
        head,
        head_graph: &head_graph,
        in_range: &in_range,
    };
    let (reviews, unratified, removed, reused) =
        range.review(&before, &after, &|p: &crate::ledger::Position| keep.keeps(p))?;
    keep.checked()?;
    problems.extend(review::problems(short(head_rev), &unratified, &removed));
    if !reused.is_empty() {
        problems.push(review::reused_ids(&reused));
    }
    let report = Report {
        base: base.to_string(),
        head: head.to_string(),
        merge_base: merge_base.to_string(),
        ratified: problems.is_empty(),
        problems: problems.clone(),
        agreements: reviews,
        positions_branch: store.positions_branch().to_string(),
    };
    let mut out = Vec::new();
    match ui.format {
        OutputFormat::Json => crate::ui::write_json(&mut out, &report)?,
        OutputFormat::Markdown => render::review::markdown(&mut out, &args.range, &report)?,
        OutputFormat::Human => render::review::human(&mut out, &report, color)?,
    }
    ui.out().write_all(&out)?;
    if let Some(key) = key {
        store.remember_review(key, &head_graph, Reviewed { out, problems: problems.clone() });
    }
    Ok(outcome(args.require_ratified, &problems))
}

/// How the command ends: "no" for `--require-ratified` when the gate found problems.
fn outcome(require_ratified: bool, problems: &[String]) -> super::Outcome {
    match require_ratified && !problems.is_empty() {
        true => super::Outcome::No(problems.join("; ")),
        false => super::Outcome::Done,
    }
}

fn short(rev: &str) -> &str {
    if rev.is_empty() {
        "HEAD"
    } else {
        rev
    }
}
