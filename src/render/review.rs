//! `accord review` for people: the terminal report and the pull-request comment, and the JSON
//! report both are made from. Knows nothing of git; the command fills the report.

use std::io::{self, Write};

use super::escape::terminal as clean;
use crate::core::review::FileChange;
use crate::core::Evaluation;
use crate::diff::Change;
use crate::render::json::PositionView;
use crate::ui::{BAD, BOLD, DIM, GOOD};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Review {
    pub agreement: String,
    /// added | removed | changed | unchanged (positions only)
    pub change: FileChange,
    pub changes: Vec<Change>,
    pub positions: Vec<PositionView>,
    /// Status at HEAD; absent for a removed agreement.
    #[serde(serialize_with = "crate::render::json::optional_status")]
    pub status: Option<Evaluation>,
    /// For a removal: whether the last text before it was a ratified retirement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_first: Option<bool>,
    /// The id the agreement had at the merge base, when the range renamed it (`git mv`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// For a removal: the ratified agreements at HEAD that supersede it (removing a superseded
    /// agreement passes the gate, SPEC §3).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub superseded_by: Vec<String>,
}

impl Review {
    /// Why a removal passes the gate, in words ("after a ratified retirement", "superseded by
    /// x"); `None` when it does not.
    fn removal_allowed(&self) -> Option<String> {
        if self.retired_first != Some(true) {
            return None;
        }
        Some(match self.superseded_by.as_slice() {
            [] => "after a ratified retirement".to_string(),
            by => format!("superseded by {}", by.join(", ")),
        })
    }
}

impl Review {
    /// The kind of change as shown: "changed", or "changed, renamed from x".
    fn change_shown(&self) -> String {
        match &self.renamed_from {
            Some(old) => format!("{}, renamed from {old}", self.change.as_str()),
            None => self.change.as_str().to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub base: String,
    pub head: String,
    pub merge_base: String,
    pub agreements: Vec<Review>,
    /// Whether the range passes the gate: every changed agreement ratified at HEAD, every
    /// removal a ratified retirement, and no change of where agreements or positions live.
    pub ratified: bool,
    /// Why the gate fails, in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// The positions branch, for the pull-request comment's "how to sign".
    #[serde(skip)]
    pub positions_branch: String,
}

pub fn human(out: &mut dyn Write, r: &Report, color: bool) -> io::Result<()> {
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
            None if a.retired_first == Some(true) => {
                format!("{DIM}removed {}{DIM:#}", a.removal_allowed().unwrap_or_default())
            }
            None => format!("{BAD}removed without a ratified retirement{BAD:#}"),
        };
        writeln!(out, "{BOLD}{}{BOLD:#} ({}) — {state}", a.agreement, a.change_shown())?;
        for c in &a.changes {
            writeln!(out, "  {}", super::diff::human_line(c, color))?;
        }
        for p in &a.positions {
            let note = p.note.lines().next().map(|l| format!(": {l}")).unwrap_or_default();
            let (name, note) = (clean(&p.name), clean(&note));
            let earlier = if on_earlier_text(a, p) { " (on an earlier text)" } else { "" };
            writeln!(out, "  {DIM}{:.10}{DIM:#} {name} {}{earlier}{note}", p.commit, p.position)?;
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

pub fn markdown(out: &mut dyn Write, range: &str, r: &Report) -> io::Result<()> {
    // A ref name is the user's, not ours: it may not close the code span.
    writeln!(out, "## Agreements in `{}`\n", clean(range).replace('`', "'"))?;
    if r.agreements.is_empty() {
        writeln!(out, "No agreement changed in this range.")?;
    }
    for a in &r.agreements {
        writeln!(out, "### `{}` ({})\n", a.agreement, a.change_shown())?;
        for c in &a.changes {
            if let Change::PurposeReworded { words, .. } = c {
                writeln!(out, "**Purpose**\n")?;
                writeln!(out, "> {}\n", super::diff::markdown_words(words))?;
            }
        }
        let others: Vec<&Change> =
            a.changes.iter().filter(|c| !matches!(c, Change::PurposeReworded { .. })).collect();
        if !others.is_empty() {
            writeln!(out, "**Changes**\n")?;
            for c in others {
                writeln!(out, "- {}", super::diff::markdown_line(c))?;
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
                    .map(|l| format!(": {}", super::markdown::cell(l)))
                    .unwrap_or_default();
                let earlier = if on_earlier_text(a, p) { " (on an earlier text)" } else { "" };
                writeln!(
                    out,
                    "- `{:.10}` {} **{}**{earlier}{note}",
                    p.commit,
                    super::markdown::cell(&p.name),
                    p.position
                )?;
            }
            writeln!(out)?;
        }
        match &a.status {
            Some(s) => {
                super::markdown::status(out, s)?;
                writeln!(out)?;
            }
            None if a.retired_first == Some(true) => writeln!(
                out,
                "Removed in this range, {}.\n",
                a.removal_allowed().unwrap_or_default()
            )?,
            None => writeln!(
                out,
                "⛔ Removed in this range without a ratified retirement: retire it first (`retired = true`, ratified), then remove it.\n"
            )?,
        }
        if a.status.as_ref().is_some_and(|s| !s.ratified) {
            writeln!(
                out,
                "To take a position on this text: check out this branch, run `accord sign {id}` (or `accord object {id} -m \"why\"`), then `accord sync` to publish it on {branch}.\n",
                id = a.agreement,
                branch = super::escape::code(&r.positions_branch),
            )?;
        }
    }
    if !r.problems.is_empty() {
        writeln!(
            out,
            "**Gate:** {}",
            r.problems.iter().map(|p| super::markdown::cell(p)).collect::<Vec<_>>().join("; ")
        )?;
    }
    Ok(())
}

/// A position recorded on another revision than the head text: shown apart, so that it does not
/// read as approval of the edit above it (it may still carry over when the meaning is the same).
fn on_earlier_text(a: &Review, p: &super::json::PositionView) -> bool {
    a.status.as_ref().is_some_and(|s| s.revision != p.revision)
}
