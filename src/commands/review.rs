//! `accord review`: what a range of commits (a pull request) does to the agreements.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::core::Evaluation;
use crate::diff::{self, Change};
use crate::error::{Error, Result};
use crate::model;
use crate::oid::ObjectId;
use crate::render;
use crate::render::escape::terminal as clean;
use crate::store::CommitKind;
use crate::store::Source;
use crate::ui::{Ui, BAD, BOLD, DIM, GOOD};

/// Review the agreement changes in a range of commits, as for a pull request
///
/// For `BASE..HEAD` (compared from their merge base, as code review does): every agreement
/// added, removed or changed, its semantic diff, the positions recorded in the range, and
/// whether it is ratified at HEAD. `--format markdown` renders a pull-request comment;
/// `--require-ratified` exits 1 when any changed agreement is not ratified at HEAD, so CI can
/// gate merges.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The range, `BASE..HEAD` (HEAD defaults to HEAD: `main..` works)
    #[arg(value_name = "BASE..HEAD")]
    pub range: String,
    /// Exit 1 unless every changed agreement is ratified at HEAD
    #[arg(long)]
    pub require_ratified: bool,
}

/// What a range did to an agreement file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum FileChange {
    Added,
    Removed,
    Changed,
    /// The text is the same; positions were recorded in the range.
    Unchanged,
}

impl FileChange {
    fn as_str(self) -> &'static str {
        match self {
            FileChange::Added => "added",
            FileChange::Removed => "removed",
            FileChange::Changed => "changed",
            FileChange::Unchanged => "unchanged",
        }
    }
}

#[derive(Debug, Serialize)]
struct AgreementReview {
    agreement: String,
    /// added | removed | changed | unchanged (positions only)
    change: FileChange,
    changes: Vec<Change>,
    positions: Vec<crate::render::json::PositionView>,
    /// Status at HEAD; absent for a removed agreement.
    #[serde(serialize_with = "crate::render::json::optional_status")]
    status: Option<Evaluation>,
}

#[derive(Debug, Serialize)]
struct ReviewJson {
    base: String,
    head: String,
    merge_base: String,
    agreements: Vec<AgreementReview>,
    /// Whether every changed agreement is ratified at HEAD.
    ratified: bool,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<super::Outcome> {
    let Some((base_rev, head_rev)) = args.range.split_once("..") else {
        return Err(Error::new(format!("`{}` is not a range", args.range))
            .hint("write BASE..HEAD, e.g. `accord review main..HEAD`"));
    };
    if head_rev.starts_with('.') {
        return Err(Error::new("three-dot ranges are not supported")
            .hint("write BASE..HEAD; accord compares from the merge base already"));
    }
    let store = super::open(ui)?;
    let base = store.resolve(if base_rev.is_empty() { "HEAD" } else { base_rev })?;
    let head = store.resolve(if head_rev.is_empty() { "HEAD" } else { head_rev })?;
    let merge_base = store
        .merge_base(base, head)?
        .ok_or_else(|| Error::new(format!("{base_rev} and {head_rev} have no common history")))?;

    let before: std::collections::BTreeMap<String, ObjectId> =
        store.ids_at(merge_base)?.into_iter().collect();
    let after: std::collections::BTreeMap<String, ObjectId> =
        store.ids_at(head)?.into_iter().collect();
    let head_graph = store.graph(head)?;
    let base_graph = store.graph(merge_base)?;
    let in_range: Vec<&crate::ledger::Position> = head_graph
        .order(|n| matches!(n.accord, CommitKind::Position(_)) && !base_graph.contains(&n.id))
        .into_iter()
        .filter_map(|i| match &head_graph.nodes[i as usize].accord {
            CommitKind::Position(p) => Some(&**p),
            _ => None,
        })
        .collect();
    let ids: BTreeSet<String> = before.keys().chain(after.keys()).cloned().collect();
    let by_agreement = super::positions_by_agreement(head_graph.positions());
    let mut reviews = Vec::new();
    for id in ids {
        let (b, a) = (before.get(&id), after.get(&id));
        let positions: Vec<crate::render::json::PositionView> = in_range
            .iter()
            .filter(|p| p.trailers.agreement == id)
            .map(|p| crate::render::json::PositionView::new(p))
            .collect();
        let change = match (b, a) {
            (None, Some(_)) => FileChange::Added,
            (Some(_), None) => FileChange::Removed,
            (Some(x), Some(y)) if x != y => FileChange::Changed,
            _ if !positions.is_empty() => FileChange::Unchanged,
            _ => continue,
        };
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
            Some(blob) => {
                let agreement = model::load(&store.read_blob(*blob)?.unwrap_or_default(), &path)
                    .map_err(super::load_error)?;
                let ps = by_agreement.get(id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
                Some(super::evaluate(
                    &store,
                    Source::Graph(&head_graph),
                    &id,
                    *blob,
                    &agreement,
                    ps,
                )?)
            }
            None => None,
        };
        reviews.push(AgreementReview { agreement: id, change, changes, positions, status });
    }
    let unratified: Vec<String> = reviews
        .iter()
        .filter(|r| matches!(r.change, FileChange::Added | FileChange::Changed))
        .filter(|r| !r.status.as_ref().is_some_and(|s| s.ratified))
        .map(|r| r.agreement.clone())
        .collect();
    let report = ReviewJson {
        base: base.to_string(),
        head: head.to_string(),
        merge_base: merge_base.to_string(),
        ratified: unratified.is_empty(),
        agreements: reviews,
    };
    match ui.format {
        OutputFormat::Json => ui.json(&report)?,
        OutputFormat::Markdown => markdown(ui, &args.range, &report)?,
        OutputFormat::Human => human(ui, &report)?,
    }
    if args.require_ratified && !unratified.is_empty() {
        return Ok(super::Outcome::No(format!(
            "not ratified at {head_rev}: {}",
            unratified.join(", ")
        )));
    }
    Ok(super::Outcome::Done)
}

fn human(ui: &mut Ui, r: &ReviewJson) -> Result<()> {
    let color = ui.color();
    let out = ui.out();
    if r.agreements.is_empty() {
        writeln!(out, "no agreement changed in this range")?;
    }
    for (i, a) in r.agreements.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let state = match &a.status {
            Some(s) if s.ratified => format!("{GOOD}ratified at head{GOOD:#}"),
            Some(_) => format!("{BAD}not ratified at head{BAD:#}"),
            None => format!("{DIM}removed{DIM:#}"),
        };
        writeln!(out, "{BOLD}{}{BOLD:#} ({}) — {state}", a.agreement, a.change.as_str())?;
        for c in &a.changes {
            writeln!(out, "  {}", render::diff::human_line(c, color))?;
        }
        for p in &a.positions {
            let note = p.note.lines().next().map(|l| format!(": {l}")).unwrap_or_default();
            let (name, note) = (clean(&p.name), clean(&note));
            writeln!(out, "  {DIM}{:.10}{DIM:#} {name} {}{note}", p.commit, p.position)?;
        }
        if let Some(s) = &a.status {
            if !s.ratified {
                for b in &s.blocking {
                    writeln!(out, "  blocking: {}", clean(b))?;
                }
            }
        }
    }
    Ok(())
}

fn markdown(ui: &mut Ui, range: &str, r: &ReviewJson) -> Result<()> {
    let out = ui.out();
    writeln!(out, "## Agreements in `{range}`\n")?;
    if r.agreements.is_empty() {
        writeln!(out, "No agreement changed in this range.")?;
    }
    for a in &r.agreements {
        writeln!(out, "### `{}` ({})\n", a.agreement, a.change.as_str())?;
        for c in &a.changes {
            if let Change::PurposeReworded { words, .. } = c {
                writeln!(out, "**Purpose**\n")?;
                writeln!(out, "> {}\n", render::diff::markdown_words(words))?;
            }
        }
        let others: Vec<&Change> =
            a.changes.iter().filter(|c| !matches!(c, Change::PurposeReworded { .. })).collect();
        if !others.is_empty() {
            writeln!(out, "**Changes**\n")?;
            for c in others {
                writeln!(out, "- {}", render::diff::markdown_line(c))?;
            }
            writeln!(out)?;
        }
        if !a.positions.is_empty() {
            writeln!(out, "**Positions in this range**\n")?;
            for p in &a.positions {
                let note = p
                    .note
                    .lines()
                    .next()
                    .map(|l| format!(": {}", render::markdown::cell(l)))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "- `{:.10}` {} **{}**{note}",
                    p.commit,
                    render::markdown::cell(&p.name),
                    p.position
                )?;
            }
            writeln!(out)?;
        }
        match &a.status {
            Some(s) => {
                render::markdown::status(out, s)?;
                writeln!(out)?;
            }
            None => writeln!(out, "Removed in this range.\n")?,
        }
    }
    Ok(())
}
