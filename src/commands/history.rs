//! `accord history`: how one field (the purpose by default) changed, and who agreed to each
//! version.

use crate::cli::OutputFormat;
use crate::core::versions;
use crate::error::{Error, Result};
use crate::store::Timeline;
use crate::ui::Ui;

/// Show how a field of an agreement evolved, word by word, and who consented to each version
///
/// One entry per run of consecutive revisions with the same value (whitespace-normalised), the
/// first included, oldest first; a revert to an earlier text is a new entry. Each entry has the
/// date, author and commit that introduced it, the word diff from the entry before, who signed
/// any revision while it stood, and whether it was ratified at any point while it stood.
///
/// Fields: purpose (default), title, kind, decision, review_every, review_by, ends, scope,
/// parties, norms, or commitment.<id>.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Agreement id
    pub id: String,
    /// The field to follow
    #[arg(long, default_value = "purpose", value_name = "FIELD")]
    pub field: String,
    /// Newest first
    #[arg(long)]
    pub reverse: bool,
    /// Follow the history that leads to this commit instead of HEAD
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

/// Refuse `commitment.<id>` for an id no revision has, naming those that exist, and `norm.<x>`:
/// norms have no ids.
fn check_field_id(
    store: &crate::store::Store,
    timeline: &Timeline,
    field: &str,
    id: &str,
) -> Result<()> {
    if let Some(x) = field.strip_prefix("norm.") {
        return Err(Error::new(format!("norms have no ids, so there is no `norm.{x}`"))
            .hint(format!("follow every norm with `accord history {id} --field norms`")));
    }
    let Some(wanted) = field.strip_prefix("commitment.") else { return Ok(()) };
    let mut ids: Vec<String> = Vec::new();
    for blob in timeline.revisions() {
        if let Some(a) = timeline.agreement(store, blob)? {
            ids.extend(a.commitments.into_iter().map(|c| c.id));
        }
    }
    ids.sort();
    ids.dedup();
    if ids.iter().any(|i| i == wanted) {
        return Ok(());
    }
    let hint = if ids.is_empty() {
        format!("{id} has no commitments in any revision")
    } else {
        format!("commitment ids in {id}'s history: {}", ids.join(", "))
    };
    Err(Error::new(format!("{id} has no commitment `{wanted}` in any revision")).hint(hint))
}

/// The text of a `purpose` version as written, when it is a list (its line structure matters).
fn listed(
    store: &crate::store::Store,
    timeline: &Timeline,
    field: &str,
    v: &versions::Version,
) -> Result<Option<String>> {
    if field != "purpose" {
        return Ok(None);
    }
    let Some(Ok(blob)) = v.revisions.first().map(|r| r.parse::<crate::oid::ObjectId>()) else {
        return Ok(None);
    };
    Ok(timeline
        .agreement(store, blob)?
        .map(|a| a.purpose)
        .filter(|p| crate::render::human::has_list(p)))
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::check_id(&args.id)?;
    if !versions::is_field(&args.field) && !args.field.starts_with("norm.") {
        return Err(Error::new(format!("unknown field `{}`", args.field))
            .hint(format!("fields: {}", versions::FIELDS)));
    }
    let store = super::open(ui)?;
    // A fresh clone: the walk to come needs git's commit-graph, read while HEAD is found.
    store.commit_graph_ahead_if_cold();
    let head = match &args.rev {
        Some(r) => store.resolve(r)?,
        None => store.head_required()?,
    };
    let graph = store.graph_for(head, &args.id)?;
    let timeline = Timeline::build(&store, &graph, &args.id)?;
    // The text at HEAD must be valid (SPEC §3); older revisions are shown as they were.
    if timeline.events.is_empty() || store.blob_at(head, &store.path_of(&args.id))?.is_some() {
        super::load_at(&store, head, &args.id)?;
    }
    check_field_id(&store, &timeline, &args.field, &args.id)?;
    let ratified = timeline.replay(&store)?;
    let mut versions =
        versions::fold(&timeline.texts(&store), &timeline.events, &ratified, &args.field)?;
    if args.reverse {
        versions.reverse();
    }
    let supersessions = super::supersessions_of(&store, head, &args.id)?;
    let superseded = supersessions.get(&args.id).map(Vec::as_slice).unwrap_or(&[]);
    // A purpose written as a list keeps its lines in human output; read those texts first.
    let lists = if ui.format == OutputFormat::Human {
        let lists: Result<Vec<_>> =
            versions.iter().map(|v| listed(&store, &timeline, &args.field, v)).collect();
        lists?
    } else {
        vec![None; versions.len()]
    };
    let shown = crate::render::history::Shown {
        field: &args.field,
        reverse: args.reverse,
        versions: &versions,
        lists: &lists,
        superseded,
    };
    crate::render::history::write(ui, &shown)
}
