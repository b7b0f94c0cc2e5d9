//! `accord list`: one line per agreement with its ratified state.

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::error::{Error, Result};
use crate::model;
use crate::store::FileState;
use crate::ui::{Ui, BAD, DIM, GOOD, WARN};

/// List agreements: id, kind, title, and ratified or what blocks it
///
/// Lists the files in the agreements folder of the working tree; the ratified state is that of
/// the revision committed at HEAD. Columns are aligned, and on a terminal (or with COLUMNS set)
/// each line is cut to fit its width with `…`; JSON is never cut.
#[derive(Debug, clap::Args)]
pub struct Args {}

#[derive(Debug, Serialize)]
struct Row {
    id: String,
    kind: Option<model::Kind>,
    title: Option<String>,
    /// Whether the file is committed at HEAD.
    committed: bool,
    /// The working-tree file differs from HEAD.
    modified: bool,
    ratified: bool,
    blocking: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    retired: bool,
    /// The ratified agreements that supersede this one (SPEC §7); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    superseded_by: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    superseded_since: Option<String>,
    /// Human form of the above, not serialised.
    #[serde(skip)]
    superseded: Option<String>,
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

/// `s` cut to at most `max` characters, the last being `…` when anything was cut.
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

pub fn run(_args: Args, ui: &mut Ui) -> Result<()> {
    let store = super::open(ui)?;
    let head = store.head()?;
    let ids = store.ids_current()?;
    let committed: Vec<String> = match head {
        Some(h) => store.ids_at(h)?.into_iter().map(|(id, _)| id).collect(),
        None => Vec::new(),
    };
    let mut rows = Vec::new();
    let mut broken = 0;
    for id in &ids {
        let path = store.path_of(id);
        let mut row = Row {
            id: id.clone(),
            kind: None,
            title: None,
            committed: committed.contains(id),
            modified: false,
            ratified: false,
            blocking: Vec::new(),
            error: None,
            retired: false,
            superseded_by: Vec::new(),
            superseded_since: None,
            superseded: None,
        };
        match store.read_current(id).and_then(|b| {
            let bytes = b.unwrap_or_default();
            model::load(&bytes, &path).map_err(super::load_error)
        }) {
            Ok(a) => {
                row.kind = Some(a.kind);
                row.title = Some(a.title.trim().to_string());
            }
            Err(e) => {
                broken += 1;
                row.error = Some(e.message);
            }
        }
        if store.workdir().is_some() && row.committed {
            row.modified = store.file_state(&path)? != FileState::Clean;
        }
        rows.push(row);
    }
    // One walk of history serves every committed agreement.
    if let Some(h) = head {
        let ok: Vec<String> = rows
            .iter()
            .filter(|r| r.committed)
            .map(|r| r.id.clone())
            .filter(|id| super::load_at(&store, h, id).is_ok())
            .collect();
        let evals = if ok.is_empty() { Vec::new() } else { super::evaluate_at(&store, h, &ok)? };
        let supersessions = super::supersessions(&store, h, &evals)?;
        for e in evals {
            if let Some(r) = rows.iter_mut().find(|r| r.id == e.agreement) {
                r.ratified = e.ratified;
                r.blocking = e.blocking;
                r.retired = e.retired;
            }
        }
        for (id, by) in &supersessions {
            if let Some(r) = rows.iter_mut().find(|r| &r.id == id) {
                r.superseded_by = by.iter().map(|b| b.id.clone()).collect();
                r.superseded_since = crate::core::supersede::since(by).map(crate::render::rfc3339);
                r.superseded = Some(crate::render::human::superseded_text(by));
            }
        }
    }
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
                    crate::render::escape::markdown(s)
                }
            };
            let limit = if color { line_limit() } else { None };
            let titles: Vec<String> = rows
                .iter()
                .map(|r| match (&r.title, &r.error) {
                    (Some(t), _) => escape(t),
                    (None, _) => "(cannot be read)".to_string(),
                })
                .collect();
            let id_width = rows.iter().map(|r| r.id.chars().count()).max().unwrap_or(0);
            let title_width =
                titles.iter().map(|t| t.chars().count()).max().unwrap_or(0).min(TITLE_MAX);
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
                let title = fit(title, title_width);
                let prefix =
                    format!("{:<id_width$}  {kind:<kind_width$}  {title:<title_width$}  — ", r.id);
                // What is left for the reasons on one line, when there is a limit.
                let used = prefix.chars().count() + label.len() + modified.len() + 2;
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
    if broken > 0 {
        return Err(Error::new(format!("{broken} agreement file(s) cannot be used"))
            .hint("`accord check` shows each problem with its location"));
    }
    Ok(())
}
