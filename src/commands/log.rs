//! `accord log`: an agreement's timeline, edits and positions interleaved.

use crate::error::Result;
use crate::render::log::Entry;
use crate::store::{Event, Timeline};
use crate::ui::Ui;

/// Show an agreement's timeline: edits and positions, newest first
///
/// Each edit comes with a one-line summary of what it changed in meaning ("purpose reworded;
/// +1 party (Katherine Johnson)"); each position with who took it and their note. Positions are
/// ordered as accord decides standing positions: topologically, then by committer time.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Agreement id
    pub id: String,
    /// Oldest first
    #[arg(long)]
    pub reverse: bool,
    /// Start from this commit instead of HEAD
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::check_id(&args.id)?;
    let store = super::open(ui)?;
    // A fresh clone: the walk to come needs git's commit-graph, read while HEAD is found.
    store.commit_graph_ahead_if_cold();
    let tip = match &args.rev {
        Some(r) => store.resolve(r)?,
        None => store.head_required()?,
    };
    let graph = store.graph_for(tip, &args.id)?;
    let timeline = Timeline::build(&store, &graph, &args.id)?;
    // The text at the tip must be valid (SPEC §3); older revisions are shown as they were.
    if timeline.events.is_empty() || store.blob_at(tip, &store.path_of(&args.id))?.is_some() {
        super::load_at(&store, tip, &args.id)?; // or says what is wrong, with a hint
    }
    let ratified = timeline.replay(&store)?;
    let labels = crate::core::labels::labels(&timeline.texts(&store), &timeline.events)?;
    let mut entries = Vec::new();
    for (k, is_ratified) in ratified.iter().enumerate() {
        let event = timeline.events[k].clone();
        let entry = match event {
            Event::Edit(e) => {
                // The edits that renamed the file say so.
                let renamed_from =
                    timeline.renames.iter().find(|r| r.commit == e.commit).map(|r| r.from.clone());
                let renamed_to = super::renamed_to(&store, &timeline, &e)?;
                let (summary, changes) =
                    super::summary_knowing(&store, &timeline, &e, renamed_to.as_deref())?;
                let summary = match &renamed_from {
                    Some(old) => format!("renamed from {old}; {summary}"),
                    None => summary,
                };
                Entry::Edit {
                    commit: e.commit.to_string(),
                    at: crate::render::rfc3339(e.time),
                    author: e.author_name,
                    email: e.author_email,
                    subject: e.subject,
                    revision: e.blob.map(|b| b.to_string()),
                    renamed_from,
                    renamed_to,
                    summary,
                    changes,
                    ratified: is_ratified.unwrap_or(false),
                }
            }
            Event::Position(p) => Entry::Position {
                position: crate::render::json::PositionView::new(&p),
                ratified: is_ratified.unwrap_or(false),
                on_earlier_text: labels[k].earlier,
                on_later_text: labels[k].later,
                on_other_text: labels[k].other,
                same_meaning: labels[k].same_meaning,
                not_a_party: labels[k].outsider,
            },
        };
        entries.push(entry);
    }
    let supersessions = super::supersessions_of(&store, tip, &args.id)?;
    for b in supersessions.get(&args.id).into_iter().flatten() {
        let at = b.since.map(crate::render::rfc3339);
        entries.insert(0, Entry::Superseded { by: b.id.clone(), at });
    }
    if args.reverse {
        entries.reverse();
    }
    crate::render::log::write(ui, &entries)
}
