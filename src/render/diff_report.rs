//! `accord diff` for people and as JSON: a header naming both sides, then one line per change
//! (the lines themselves are `render::diff`'s). Knows nothing of git; the command reads the two
//! texts and names the sides.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::diff::Change;
use crate::error::Result;
use crate::ui::{Ui, BOLD, DIM};

#[derive(Debug, Serialize)]
pub struct Side {
    /// The commit read, absent for the working tree.
    pub commit: Option<String>,
    /// The blob id; absent for an uncommitted working-tree text.
    pub revision: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DiffJson {
    pub agreement: String,
    pub from: Side,
    pub to: Side,
    pub changes: Vec<Change>,
}

/// How the header names the two sides: each as the user typed it (`from`, `to`; with its
/// commit when the two differ), and where accord chose a side, why.
pub fn labels(from: Option<&str>, to: Option<&str>, old: &Side, new: &Side) -> (String, String) {
    let short =
        |side: &Side| side.commit.as_deref().map(|c| format!("{c:.10}")).unwrap_or_default();
    let typed = |rev: &str, side: &Side| -> String {
        let short = short(side);
        if short.starts_with(rev) || rev.starts_with(&short) && !short.is_empty() {
            short
        } else {
            format!("{rev} ({short})")
        }
    };
    let current = |side: &Side| match &side.commit {
        Some(c) => format!("{c:.10} (current text)"),
        None => "working tree".to_string(),
    };
    match (from, to) {
        (Some(f), Some(t)) => (typed(f, old), typed(t, new)),
        (Some(f), None) => (typed(f, old), current(new)),
        (None, _) => {
            let why =
                if new.commit.is_some() { "previous revision" } else { "last committed text" };
            (format!("{} ({why})", short(old)), current(new))
        }
    }
}

/// Writes the diff of agreement `id` from `from` to `to` (named by `labels` for people) in the
/// format `ui` asks for.
pub fn write(
    ui: &mut Ui,
    id: &str,
    from: Side,
    to: Side,
    labels: &(String, String),
    changes: Vec<Change>,
) -> Result<()> {
    match ui.format {
        OutputFormat::Json => ui.json(&DiffJson { agreement: id.to_string(), from, to, changes }),
        format => {
            let color = ui.color();
            // In markdown each side is a code span: a revision as typed is shown as it is, and
            // a commit id stays one to copy (no joiner keeping GitHub from linking it).
            let esc = |l: &str| -> String {
                if format == OutputFormat::Markdown {
                    crate::render::escape::code(l)
                } else {
                    crate::render::escape::terminal(l).into_owned()
                }
            };
            let (f, t) = (esc(&labels.0), esc(&labels.1));
            let out = ui.out();
            if format == OutputFormat::Markdown {
                writeln!(out, "### `{}`: {f} → {t}\n", id)?;
                if changes.is_empty() {
                    writeln!(out, "No change.")?;
                }
                for c in &changes {
                    writeln!(out, "- {}", crate::render::diff::markdown_line(c))?;
                }
            } else {
                writeln!(out, "{BOLD}{}{BOLD:#} {DIM}{f} → {t}{DIM:#}", id)?;
                if changes.is_empty() {
                    writeln!(out, "  no change")?;
                }
                for c in &changes {
                    writeln!(out, "  {}", crate::render::diff::human_line(c, color))?;
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(commit: Option<&str>) -> Side {
        Side { commit: commit.map(str::to_string), revision: None }
    }

    #[test]
    fn sides_are_named_as_typed_and_chosen_ones_say_why() {
        let (a, b) = (side(Some("0123456789abcdef")), side(Some("fedcba9876543210")));
        assert_eq!(
            labels(Some("main"), Some("fedcba98"), &a, &b),
            ("main (0123456789)".to_string(), "fedcba9876".to_string())
        );
        assert_eq!(
            labels(Some("0123456789"), None, &a, &side(None)),
            ("0123456789".to_string(), "working tree".to_string())
        );
        assert_eq!(
            labels(None, None, &a, &b),
            ("0123456789 (previous revision)".to_string(), "fedcba9876 (current text)".to_string())
        );
        assert_eq!(labels(None, None, &a, &side(None)).0, "0123456789 (last committed text)");
    }
}
