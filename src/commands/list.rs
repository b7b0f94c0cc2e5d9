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
/// the revision committed at HEAD.
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
    /// The ratified agreements that supersede this one (SPEC §7); absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    superseded_by: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    superseded_since: Option<String>,
    /// Human form of the above, not serialised.
    #[serde(skip)]
    superseded: Option<String>,
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
            let width = rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
            let color = ui.format == OutputFormat::Human;
            let escape = |s: &str| -> String {
                if color {
                    crate::render::escape::terminal(s).into_owned()
                } else {
                    crate::render::escape::markdown(s)
                }
            };
            let out = ui.out();
            for r in &rows {
                let kind = r.kind.map_or("?", |k| k.as_str());
                let state = if r.error.is_some() {
                    format!("{BAD}invalid{BAD:#}: run `accord check`")
                } else if !r.committed {
                    format!("{WARN}draft{WARN:#}: not committed")
                } else if r.ratified {
                    format!("{GOOD}ratified{GOOD:#}")
                } else {
                    format!("{BAD}not ratified{BAD:#}: {}", escape(&r.blocking.join("; ")))
                };
                let modified = if r.modified {
                    format!(" {DIM}(uncommitted changes){DIM:#}")
                } else {
                    String::new()
                };
                let state = match &r.superseded {
                    Some(s) => format!("{state}; {WARN}{s}{WARN:#}"),
                    None => state,
                };
                let title = escape(r.title.as_deref().unwrap_or(""));
                if color {
                    writeln!(out, "{:<width$}  {kind:<17}  {title}  — {state}{modified}", r.id)?;
                } else {
                    writeln!(out, "- `{}` ({kind}) {title} — {state}{modified}", r.id)?;
                }
            }
        }
    }
    if broken > 0 {
        return Err(Error::new(format!("{broken} agreement file(s) cannot be used"))
            .hint("`accord check` shows each problem with its location"));
    }
    Ok(())
}
