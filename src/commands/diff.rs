//! `accord diff`: the semantic diff between two revisions of an agreement.

use crate::oid::ObjectId;

use crate::core::replay;
use crate::diff;
use crate::error::{Error, Result};
use crate::model::{self, Agreement};
use crate::render::diff_report::{self, Side};
use crate::store::Store;
use crate::store::Timeline;
use crate::ui::Ui;

/// Show what changed in meaning between two revisions of an agreement
///
/// Purpose, title and every text as a word diff (`[-old-]{+new+}` without colour); parties,
/// commitments (by id), norms, scope items, decision rule and dates as added, removed or
/// changed. Whitespace-only reflows are reported as "reflowed".
///
/// With no revision: from the latest committed revision that differs from the current text to
/// the current text (the working-tree file; in a bare repository, HEAD). With FROM: from the
/// file at FROM to the current text. With FROM and TO: between two commits (branches, tags…).
/// The header names each side as you typed it, or says why accord chose it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Agreement id
    pub id: String,
    /// The older commit
    pub from: Option<String>,
    /// The newer commit (default: the current text)
    pub to: Option<String>,
}

fn parse(bytes: &[u8], path: &str) -> Result<Agreement> {
    model::parse(bytes, path).map_err(super::load_error)
}

/// The agreement at a commit: (side, text). Where its file is not at that commit, it is looked
/// for under the ids the agreement had before a rename (`git mv`) along the history that leads
/// to the commit `tip` gives (HEAD when `None`; asked only then), as `log` and `history` follow
/// them.
fn at(
    store: &Store,
    rev: &str,
    id: &str,
    tip: &dyn Fn() -> Result<Option<ObjectId>>,
) -> Result<(Side, Agreement)> {
    let commit = store.resolve(rev)?;
    let path = store.path_of(id);
    let found = match store.blob_at(commit, &path)? {
        Some(text) => Some((text, path.clone())),
        None => earlier_file(store, commit, id, tip()?)?,
    };
    let ((blob, bytes), file) = found.ok_or_else(|| {
        Error::new(format!("no agreement `{id}` at {rev} ({path} is not there)")).hint(format!(
            "compare commits that hold it: `accord log {id}` lists its edits (known now: {})",
            store.ids_current().unwrap_or_default().join(", ")
        ))
    })?;
    Ok((
        Side { commit: Some(commit.to_string()), revision: Some(blob.to_string()) },
        parse(&bytes, &file)?,
    ))
}

/// A text found for an agreement: (blob, bytes), and the path it was found at.
type Found = ((ObjectId, Vec<u8>), String);

/// The file agreement `id` had at `commit` under an earlier id of its lineage (newest first),
/// with its path; `None` when it had none there.
fn earlier_file(
    store: &Store,
    commit: ObjectId,
    id: &str,
    tip: Option<ObjectId>,
) -> Result<Option<Found>> {
    let Some(tip) = tip.map_or_else(|| store.head(), |t| Ok(Some(t)))? else { return Ok(None) };
    let graph = store.graph_for(tip, id)?;
    for earlier in Timeline::lineage_ids(store, &graph, id)?.iter().filter(|i| *i != id) {
        let path = store.path_of(earlier);
        if let Some(text) = store.blob_at(commit, &path)? {
            return Ok(Some((text, path)));
        }
    }
    Ok(None)
}

/// The current text: the working tree (bare: HEAD).
fn current(store: &Store, id: &str) -> Result<(Side, Agreement, Option<ObjectId>)> {
    let path = store.path_of(id);
    let bytes =
        store.read_current(id)?.ok_or_else(|| super::not_found(store, id, "does not exist"))?;
    let blob = crate::store::hash_blob(&bytes)?;
    let head = store.head()?;
    let committed = match head {
        Some(h) => store.blob_at(h, &path)?.map(|(b, _)| b) == Some(blob),
        None => false,
    };
    let side = Side {
        commit: if committed { head.map(|h| h.to_string()) } else { None },
        revision: if committed { Some(blob.to_string()) } else { None },
    };
    // The current text must be valid (SPEC §3); older revisions are compared as they were.
    let agreement = crate::model::load(&bytes, &path).map_err(super::load_error)?;
    Ok((side, agreement, Some(blob)))
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::check_id(&args.id)?;
    let store = super::open(ui)?;
    let path = store.path_of(&args.id);
    let (from, old, to, new) = match (&args.from, &args.to) {
        (Some(f), Some(t)) => {
            // The lineage is the one that leads to TO, when the agreement is there by this id.
            let to_tip = || -> Result<Option<ObjectId>> {
                let to = store.resolve(t)?;
                Ok(store.blob_at(to, &path)?.map(|_| to))
            };
            let (fs, fa) = at(&store, f, &args.id, &to_tip)?;
            let (ts, ta) = at(&store, t, &args.id, &|| Ok(None))?;
            (fs, fa, ts, ta)
        }
        (Some(f), None) => {
            let (fs, fa) = at(&store, f, &args.id, &|| Ok(None))?;
            let (ts, ta, _) = current(&store, &args.id)?;
            (fs, fa, ts, ta)
        }
        (None, _) => {
            let (ts, ta, blob) = current(&store, &args.id)?;
            let head = store.head_required()?;
            let graph = store.graph_for(head, &args.id)?;
            let timeline = Timeline::build(&store, &graph, &args.id)?;
            let Some((from_commit, prev)) = replay::previous_revision(&timeline.events, blob)
            else {
                return Err(Error::new(format!(
                    "{path} has only one revision; nothing to compare"
                ))
                .hint(format!("`accord show {}` shows it", args.id)));
            };
            let bytes = store.read_blob(prev)?.unwrap_or_default();
            (
                Side { commit: Some(from_commit.to_string()), revision: Some(prev.to_string()) },
                parse(&bytes, &path)?,
                ts,
                ta,
            )
        }
    };
    let labels = diff_report::labels(args.from.as_deref(), args.to.as_deref(), &from, &to);
    let changes = diff::diff(&old, &new);
    diff_report::write(ui, &args.id, from, to, &labels, changes)
}
