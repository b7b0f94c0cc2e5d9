//! How `accord log` labels each position: made on an earlier, a later or another text than the
//! one current at that point of the timeline, and by a non-party. Pure: texts come through
//! [`Texts`]; no git, no terminal.

use super::replay::{Event, Texts};
use crate::error::Result;
use crate::oid::ObjectId;

/// For each event (newest first, as in the timeline): whether a position was made on another
/// text than the one current there — an earlier one, one that a later edit brings, or one this
/// history never held — and whether its author is not a party of that text.
pub fn labels<R: Texts + ?Sized>(texts: &R, events: &[Event]) -> Result<Vec<Label>> {
    let mut out = vec![Label::default(); events.len()];
    let mut current: Option<ObjectId> = None;
    for (k, event) in events.iter().enumerate().rev() {
        match event {
            Event::Edit(e) => current = e.blob,
            Event::Position(p) => {
                let named: Option<ObjectId> = p.trailers.revision.parse().ok();
                let earlier = named != current;
                let named_text = match named {
                    Some(b) => texts.agreement(b)?,
                    None => None,
                };
                let text = match (named_text, current) {
                    (Some(a), _) => Some(a),
                    (None, Some(c)) => texts.agreement(c)?,
                    (None, None) => None,
                };
                let outsider = text.is_some_and(|a| a.party(&p.trailers.email).is_none());
                let edits = |events: &[Event]| {
                    events.iter().any(|e| matches!(e, Event::Edit(e) if e.blob == named))
                };
                let held = named.is_some() && edits(&events[k + 1..]);
                let later = earlier && !held && named.is_some() && edits(&events[..k]);
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
pub struct Label {
    /// On an earlier text this history held (or on no revision at all).
    pub earlier: bool,
    /// On a text a later edit brings.
    pub later: bool,
    /// On a text this history never held.
    pub other: bool,
    /// By someone that text does not list as a party.
    pub outsider: bool,
}
