//! `accord list`: one line per agreement with its ratified state.

use crate::error::{Error, Result};
use crate::model;
use crate::render::list::Row;
use crate::store::FileState;
use crate::ui::Ui;

/// List agreements: id, kind, title, and ratified or what blocks it
///
/// Lists the files in the agreements folder of the working tree; the ratified state is that of
/// the revision committed at HEAD. Columns are aligned, and on a terminal (or with COLUMNS set)
/// each line is cut to fit its width with `…`; JSON is never cut.
#[derive(Debug, clap::Args)]
pub struct Args {}

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
    crate::render::list::write(ui, &rows)?;
    if broken > 0 {
        return Err(Error::new(format!("{broken} agreement file(s) cannot be used"))
            .hint("`accord check` shows each problem with its location"));
    }
    Ok(())
}
