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
            let esc = |l: &str| -> String {
                if format == OutputFormat::Markdown {
                    crate::render::escape::markdown(l)
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
