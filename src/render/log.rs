//! Human and markdown rendering of `accord log`, and its JSON entry. Knows nothing of git or
//! of how an entry was labelled; the command builds the entries.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::diff;
use crate::error::Result;
use crate::render::escape;
use crate::ui::{Ui, BAD, BOLD, DIM, GOOD, WARN};

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Entry {
    Edit {
        commit: String,
        at: String,
        author: String,
        email: String,
        subject: String,
        /// Blob after the edit; absent when the file was deleted.
        revision: Option<String>,
        /// The agreement's earlier id, when this edit renamed its file (`git mv`).
        #[serde(skip_serializing_if = "Option::is_none")]
        renamed_from: Option<String>,
        /// The id this edit renamed the file to, when it took the file away by a rename.
        #[serde(skip_serializing_if = "Option::is_none")]
        renamed_to: Option<String>,
        summary: String,
        changes: Vec<diff::Change>,
        /// Whether the agreement stood ratified right after this event.
        ratified: bool,
    },
    Position {
        #[serde(flatten)]
        position: crate::render::json::PositionView,
        ratified: bool,
        /// Made on a revision other than the text current at that point of the timeline.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        on_earlier_text: bool,
        /// Made on the text a later edit brings (a pull request signed before it was merged).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        on_later_text: bool,
        /// Made on a text this history never held (a draft that was amended before it merged).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        on_other_text: bool,
        /// That text differs from the one it is set against but means the same: it carries over.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        same_meaning: bool,
        /// By someone the text it names (else the current one) does not list as a party.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        not_a_party: bool,
    },
    /// A ratified agreement replaces this one (SPEC §3): the newest thing that happened to it.
    Superseded {
        by: String,
        /// When `by` became ratified.
        #[serde(skip_serializing_if = "Option::is_none")]
        at: Option<String>,
    },
}

/// Writes the entries (already in display order) in the format `ui` asks for.
pub fn write(ui: &mut Ui, entries: &[Entry]) -> Result<()> {
    if ui.format == OutputFormat::Json {
        return ui.json(&entries);
    }
    let markdown = ui.format == OutputFormat::Markdown;
    let clean = |s: &str| -> String {
        if markdown {
            escape::markdown(s)
        } else {
            escape::terminal(s).into_owned()
        }
    };
    let out = ui.out();
    for e in entries {
        match e {
            Entry::Edit { commit, at, author, subject, summary, ratified, .. } => {
                let (author, subject, summary) = (clean(author), clean(subject), clean(summary));
                let mark =
                    if *ratified { format!("  {GOOD}ratified{GOOD:#}") } else { String::new() };
                if markdown {
                    writeln!(
                        out,
                        "- {} `{:.10}` **edit** by {author}: {summary} — {subject}",
                        &at[..10],
                        commit
                    )?;
                } else {
                    writeln!(out, "{DIM}{at}{DIM:#} {WARN}{:.10}{WARN:#} {BOLD}edit{BOLD:#}     {author}: {summary}{mark}", commit)?;
                    writeln!(out, "{:31}{DIM}{subject}{DIM:#}", "")?;
                }
            }
            Entry::Superseded { by, at } => {
                let at = at.as_deref().unwrap_or("");
                if markdown {
                    writeln!(out, "- {} **superseded** by `{by}`", at.get(..10).unwrap_or(at))?;
                } else {
                    writeln!(out, "{DIM}{at}{DIM:#} {WARN}superseded{WARN:#} by {BOLD}{by}{BOLD:#} (ratified)")?;
                }
            }
            Entry::Position {
                position: view,
                ratified,
                on_earlier_text,
                on_later_text,
                on_other_text,
                same_meaning,
                not_a_party,
            } => {
                let crate::render::json::PositionView { commit, at, name, position, note, .. } =
                    view;
                let (name, note) = (clean(name), clean(note));
                let style = match position {
                    crate::trailers::Stance::Object => BAD,
                    crate::trailers::Stance::Sign => GOOD,
                    _ => DIM,
                };
                let mark =
                    if *ratified { format!("  {GOOD}→ ratified{GOOD:#}") } else { String::new() };
                let note = note.lines().next().map(|l| format!(": {l}")).unwrap_or_default();
                let label: Vec<&str> = [
                    (*not_a_party, "not a party"),
                    (*on_earlier_text, "on an earlier text"),
                    (*on_later_text, "on a later text"),
                    (*on_other_text, "on another text"),
                    (*same_meaning, "same meaning"),
                ]
                .into_iter()
                .filter_map(|(on, l)| on.then_some(l))
                .collect();
                let label = if label.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", label.join("; "))
                };
                if markdown {
                    writeln!(
                        out,
                        "- {} `{:.10}` **{position}** by {name}{label}{note}",
                        &at[..10],
                        commit
                    )?;
                } else {
                    writeln!(out, "{DIM}{at}{DIM:#} {WARN}{:.10}{WARN:#} {style}{:<8}{style:#} {name}{DIM}{label}{DIM:#}{note}{mark}", commit, position.as_str())?;
                }
            }
        }
    }
    Ok(())
}
