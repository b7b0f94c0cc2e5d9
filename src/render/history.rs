//! Human and markdown rendering of `accord history`: one entry per version of a field, with
//! its word diff, who signed and whether it was ratified. Knows nothing of git; the command
//! folds the versions (`core::versions`) and reads the texts this needs.

use crate::cli::OutputFormat;
use crate::core::supersede::SupersededBy;
use crate::core::versions;
use crate::error::Result;
use crate::render::escape::{self, terminal as clean};
use crate::ui::{Ui, BOLD, DIM, GOOD, WARN};

/// What `history` shows, in display order.
pub struct Shown<'a> {
    pub field: &'a str,
    /// Newest first (numbers count down).
    pub reverse: bool,
    pub versions: &'a [versions::Version],
    /// Per version, the purpose as written when it is a list (human output only).
    pub lists: &'a [Option<String>],
    pub superseded: &'a [SupersededBy],
}

/// Whether a version was ratified while it stood, and for the one standing now, whether it is
/// ratified now: an objection today does not unsay an earlier ratification, nor hide behind it.
fn state_words(v: &versions::Version) -> &'static str {
    match (v.current, v.ratified_now, v.ratified) {
        (true, true, _) => "ratified now",
        (true, false, true) => "ratified while it stood, not ratified now",
        (false, _, true) => "ratified while it stood",
        (_, _, false) => "never ratified",
    }
}

/// Writes the versions in the format `ui` asks for.
pub fn write(ui: &mut Ui, shown: &Shown) -> Result<()> {
    match ui.format {
        OutputFormat::Json => ui.json(&crate::render::json::versions(shown.versions)),
        format => {
            let color = ui.color();
            let markdown = format == OutputFormat::Markdown;
            let out = ui.out();
            let n = shown.versions.len();
            for (i, v) in shown.versions.iter().enumerate() {
                let number = if shown.reverse { n - i } else { i + 1 };
                let words = state_words(v);
                let state = if v.ratified_now || (v.ratified && !v.current) {
                    format!("{GOOD}{words}{GOOD:#}")
                } else {
                    format!("{WARN}{words}{WARN:#}")
                };
                let value = v.value.as_deref().unwrap_or("(not set)");
                let text = match (v.words.is_empty(), markdown) {
                    (true, false) => clean(value).into_owned(),
                    (true, true) => escape::markdown(value),
                    (false, false) => crate::render::diff::human_words(&v.words, color),
                    (false, true) => crate::render::diff::markdown_words(&v.words),
                };
                if markdown {
                    writeln!(
                        out,
                        "### {} version {number} — {}\n",
                        shown.field,
                        &crate::render::rfc3339(v.time)[..10]
                    )?;
                    writeln!(out, "{text}\n")?;
                    writeln!(
                        out,
                        "*{}*, `{:.10}`; {}; signed by: {}\n",
                        escape::markdown(&v.author),
                        v.commit,
                        state_words(v),
                        if v.signed_by.is_empty() {
                            "nobody".into()
                        } else {
                            escape::markdown(&v.signed_by.join(", "))
                        }
                    )?;
                } else {
                    writeln!(
                        out,
                        "{BOLD}{} version {number}{BOLD:#}  {DIM}{} {} {:.10}{DIM:#}  {state}",
                        shown.field,
                        crate::render::rfc3339(v.time),
                        clean(&v.author),
                        v.commit
                    )?;
                    match &shown.lists[i] {
                        // A purpose written as a list keeps its lines; the change follows.
                        Some(raw) => {
                            writeln!(out, "{}", crate::render::human::wrap(&clean(raw), "  "))?;
                            if !v.words.is_empty() {
                                writeln!(out, "  {DIM}changed:{DIM:#} {text}")?;
                            }
                        }
                        None => writeln!(out, "  {text}")?,
                    }
                    let signed = if v.signed_by.is_empty() {
                        "nobody".to_string()
                    } else {
                        clean(&v.signed_by.join(", ")).into_owned()
                    };
                    writeln!(out, "  {DIM}signed by: {signed}{DIM:#}")?;
                    if i + 1 < n {
                        writeln!(out)?;
                    }
                }
            }
            if !shown.superseded.is_empty() {
                let line = crate::render::human::superseded_text(shown.superseded);
                if markdown {
                    writeln!(out, "**{line}**")?;
                } else {
                    writeln!(out, "\n{WARN}{line}{WARN:#}")?;
                }
            }
            Ok(())
        }
    }
}
