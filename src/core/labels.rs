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
                let mut later = earlier && !held && named.is_some() && edits(&events[..k]);
                // A text this history never held may still mean what one of its texts
                // means (a pull request rebased over a comment-only edit): its sign-offs
                // carry over, and the label says so.
                let mut same_meaning = false;
                if let (true, Some(n)) = (earlier && !later, named) {
                    let meaning = texts.named_meaning(&p.trailers)?;
                    let same = |blob: Option<ObjectId>| -> Result<bool> {
                        match (meaning, blob) {
                            (Some(m), Some(b)) if b != n => Ok(texts.meaning(b)? == Some(m)),
                            _ => Ok(false),
                        }
                    };
                    same_meaning = same(current)?;
                    if !held && !same_meaning {
                        for e in &events[..k] {
                            if let Event::Edit(e) = e {
                                if same(e.blob)? {
                                    (later, same_meaning) = (true, true);
                                    break;
                                }
                            }
                        }
                    }
                }
                out[k] = Label {
                    earlier: earlier && (held || named.is_none()),
                    later,
                    other: earlier && !held && !later && named.is_some(),
                    same_meaning,
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
    /// On a text whose blob differs from the one current there (or, for `later` on a text
    /// this history never held, from the later one) but whose meaning is the same: the
    /// position carries over (SPEC §4).
    pub same_meaning: bool,
    /// By someone that text does not list as a party.
    pub outsider: bool,
}
