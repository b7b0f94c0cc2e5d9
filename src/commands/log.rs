//! `accord log`: an agreement's timeline, edits and positions interleaved.

use crate::diff;
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

/// For each event (newest first, as in the timeline): whether a position was made on another
/// text than the one current there — an earlier one, one that a later edit brings, or one this
/// history never held — and whether its author is not a party of that text.
fn labels(store: &crate::store::Store, timeline: &Timeline) -> Result<Vec<Label>> {
    let mut out = vec![Label::default(); timeline.events.len()];
    let mut current: Option<crate::oid::ObjectId> = None;
    for (k, event) in timeline.events.iter().enumerate().rev() {
        match event {
            Event::Edit(e) => current = e.blob,
            Event::Position(p) => {
                let named: Option<crate::oid::ObjectId> = p.trailers.revision.parse().ok();
                let earlier = named != current;
                let named_text = match named {
                    Some(b) => timeline.agreement(store, b)?,
                    None => None,
                };
                let text = match (named_text, current) {
                    (Some(a), _) => Some(a),
                    (None, Some(c)) => timeline.agreement(store, c)?,
                    (None, None) => None,
                };
                let outsider = text.is_some_and(|a| a.party(&p.trailers.email).is_none());
                let edits = |events: &[Event]| {
                    events.iter().any(|e| matches!(e, Event::Edit(e) if e.blob == named))
                };
                let held = named.is_some() && edits(&timeline.events[k + 1..]);
                let later = earlier && !held && named.is_some() && edits(&timeline.events[..k]);
                out[k] = Label {
                    earlier: earlier && (held || named.is_none()),
                    later,
                    other: earlier && !held && !later && named.is_some(),
                    outsider,
                };
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, Default)]
struct Label {
    earlier: bool,
    later: bool,
    other: bool,
    outsider: bool,
}

pub fn run(args: Args, ui: &mut Ui) -> Result<()> {
    super::check_id(&args.id)?;
    let store = super::open(ui)?;
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
    let labels = labels(&store, &timeline)?;
    let mut entries = Vec::new();
    for (k, is_ratified) in ratified.iter().enumerate() {
        let event = timeline.events[k].clone();
        let entry = match event {
            Event::Edit(e) => {
                let old = match e.before {
                    Some(b) => timeline.agreement(&store, b)?,
                    None => None,
                };
                let new = match e.blob {
                    Some(b) => timeline.agreement(&store, b)?,
                    None => None,
                };
                let (summary, changes) = match (&old, &new, e.blob) {
                    (_, _, None) => ("agreement deleted".to_string(), Vec::new()),
                    (None, Some(_), _) if e.before.is_none() => {
                        ("agreement created".to_string(), Vec::new())
                    }
                    (Some(o), Some(n), _) => {
                        let c = diff::diff(o, n);
                        (crate::render::diff::summary(&c), c)
                    }
                    _ => ("text that does not parse as schema 1".to_string(), Vec::new()),
                };
                Entry::Edit {
                    commit: e.commit.to_string(),
                    at: crate::render::rfc3339(e.time),
                    author: e.author_name,
                    email: e.author_email,
                    subject: e.subject,
                    revision: e.blob.map(|b| b.to_string()),
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
