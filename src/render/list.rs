//! Human and markdown rendering of `accord list`, and its JSON row. Knows nothing of git or of
//! how a row's state was decided; the command fills the rows.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::error::Result;
use crate::model;
use crate::ui::{Ui, BAD, DIM, GOOD, WARN};

#[derive(Debug, Serialize)]
pub struct Row {
    pub id: String,
    pub kind: Option<model::Kind>,
    pub title: Option<String>,
    /// Whether the file is committed at HEAD.
    pub committed: bool,
    /// The working-tree file differs from HEAD.
    pub modified: bool,
    pub ratified: bool,
    pub blocking: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
    /// The ratified agreements that supersede this one (SPEC §7); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub superseded_by: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_since: Option<String>,
    /// Human form of the above, not serialised.
    #[serde(skip)]
    pub superseded: Option<String>,
}

/// Titles longer than this are cut with `…`, so one long title does not push every row right.
const TITLE_MAX: usize = 40;

/// How wide a line may be: the terminal's width when stdout is one, else `COLUMNS` when set,
/// else no limit (a pipe or a file gets whole lines).
fn line_limit() -> Option<usize> {
    use std::io::IsTerminal;
    let columns = || std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok());
    if std::io::stdout().is_terminal() {
        terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)).or_else(columns)
    } else {
        columns()
    }
}

/// How many terminal cells `s` takes (a CJK character or an emoji takes two).
fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// `s` (escaped text) cut to at most `max` cells, the last being `…` when anything was cut.
/// An escape the escaper wrote (`\u{1b}`) is kept whole or cut whole, never cut inside.
fn fit(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let escape = rest.strip_prefix("\\u{").and_then(|r| {
            r.find('}').filter(|&end| {
                (1..=6).contains(&end) && r[..end].bytes().all(|b| b.is_ascii_hexdigit())
            })
        });
        let unit = match escape {
            Some(end) => &rest[..end + 4],
            None => &rest[..c.len_utf8()],
        };
        let w = width(unit);
        if used + w > max.saturating_sub(1) {
            break;
        }
        used += w;
        out.push_str(unit);
        rest = &rest[unit.len()..];
    }
    out.push('…');
    out
}

/// `s` followed by spaces up to `cells` cells.
fn pad(s: &str, cells: usize) -> String {
    format!("{s}{}", " ".repeat(cells.saturating_sub(width(s))))
}

/// Writes the rows in the format `ui` asks for.
pub fn write(ui: &mut Ui, rows: &[Row]) -> Result<()> {
    match ui.format {
        OutputFormat::Json => ui.json(&rows)?,
        _ => {
            if rows.is_empty() {
                ui.status("no agreements yet; draft one with `accord new <id>`");
            }
            let color = ui.format == OutputFormat::Human;
            let escape = |s: &str| -> String {
                if color {
                    crate::render::escape::terminal(s).into_owned()
                } else {
                    // One line: a line break would start a paragraph that reads as the row.
                    crate::render::escape::markdown(&crate::render::escape::line(s))
                }
            };
            let limit = if color { line_limit() } else { None };
            let titles: Vec<String> = rows
                .iter()
                .map(|r| match (&r.title, &r.error) {
                    (Some(t), _) if !color => escape(t),
                    (Some(t), _) => crate::render::escape::line(t).into_owned(),
                    (None, _) => "(cannot be read)".to_string(),
                })
                .collect();
            let id_width = rows.iter().map(|r| r.id.chars().count()).max().unwrap_or(0);
            let title_width = titles.iter().map(|t| width(t)).max().unwrap_or(0).min(TITLE_MAX);
            let kind_width =
                rows.iter().map(|r| r.kind.map_or(1, |k| k.as_str().len())).max().unwrap_or(0);
            let out = ui.out();
            for (r, title) in rows.iter().zip(&titles) {
                let kind = r.kind.map_or("?", |k| k.as_str());
                let (style, label, detail) = if r.error.is_some() {
                    (BAD, "invalid", "run `accord check`".to_string())
                } else if !r.committed {
                    (WARN, "draft", "not committed".to_string())
                } else if r.retired && r.ratified {
                    (DIM, "retired", String::new())
                } else if r.retired {
                    (WARN, "retirement not ratified", escape(&r.blocking.join("; ")))
                } else if r.ratified {
                    (GOOD, "ratified", String::new())
                } else {
                    (BAD, "not ratified", escape(&r.blocking.join("; ")))
                };
                let modified = if r.modified { " (uncommitted changes)" } else { "" };
                // A superseded agreement says so after its own state (SPEC §3).
                let superseded =
                    r.superseded.as_ref().map(|s| format!("; {s}")).unwrap_or_default();
                let modified = format!("{superseded}{modified}");
                let modified = modified.as_str();
                if !color {
                    let detail = if detail.is_empty() { detail } else { format!(": {detail}") };
                    writeln!(out, "- `{}` ({kind}) {title} — {label}{detail}{modified}", r.id)?;
                    continue;
                }
                let title = pad(&fit(title, title_width), title_width);
                let prefix = format!("{:<id_width$}  {kind:<kind_width$}  {title}  — ", r.id);
                // What is left for the reasons on one line, when there is a limit.
                let used = width(&prefix) + label.len() + width(modified) + 2;
                let detail = match limit {
                    Some(max) if r.committed && r.error.is_none() => {
                        fit(&detail, max.saturating_sub(used).max(12))
                    }
                    _ => detail,
                };
                let detail = if detail.is_empty() { detail } else { format!(": {detail}") };
                let modified = if modified.is_empty() {
                    String::new()
                } else {
                    format!("{WARN}{modified}{WARN:#}")
                };
                writeln!(out, "{prefix}{style}{label}{style:#}{detail}{modified}")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Red-team finding: a title with an escaped control character was cut inside the escape
    /// (`\u{1…`), which reads as a broken escape; the cut now falls before or after it.
    #[test]
    fn a_cut_never_falls_inside_an_escape() {
        let title = crate::render::escape::line("ab\u{1b}cd").into_owned();
        assert_eq!(title, "ab\\u{1b}cd");
        assert_eq!(fit(&title, 5), "ab…");
        assert_eq!(fit(&title, 9), "ab\\u{1b}…");
        assert_eq!(fit(&title, 10), title);
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("日本語です", 5), "日本…");
        // Text that only looks like the start of an escape is cut as text.
        assert_eq!(fit("a\\u{ not hex } b", 6), "a\\u{ …");
    }
}
