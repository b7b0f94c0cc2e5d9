//! Replay an agreement's life (SPEC §4): after each edit or position, oldest first, was the
//! text standing at that moment ratified? `log` marks each event with it, `history` says
//! whether a version was "ratified while it stood", `due` finds the last ratification.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::evaluate::standings;
use super::in_force;
use super::meaning::{Answers, Revisions, SameMeaning};
use crate::error::Result;
use crate::ledger::Position;
use crate::model::Agreement;
use crate::oid::ObjectId;
use crate::rules;

/// A commit that changed the agreement file.
#[derive(Debug, Clone)]
pub struct Edit {
    pub commit: ObjectId,
    pub time: i64,
    pub author_name: String,
    pub author_email: String,
    pub subject: String,
    /// The blob after the edit; `None` when the file was deleted.
    pub blob: Option<ObjectId>,
    /// The blob before it (at the first parent), `None` when the file was created.
    pub before: Option<ObjectId>,
    /// The first parent of the edit's commit, where `before` was read.
    pub parent: Option<ObjectId>,
}

#[derive(Debug, Clone)]
pub enum Event {
    Edit(Edit),
    Position(Arc<Position>),
}

impl Event {
    pub fn time(&self) -> i64 {
        match self {
            Event::Edit(e) => e.time,
            Event::Position(p) => p.time,
        }
    }
}

/// A reader that can also hand over the agreement stored under a revision.
pub trait Texts: Revisions {
    /// The agreement in blob `revision`, parsed without validation; `Ok(None)` when it does not
    /// parse as schema 1.
    fn agreement(&self, revision: ObjectId) -> Result<Option<Agreement>>;
}

/// For `steps` (the events of one agreement) ordered newest first, whether the agreement stood
/// ratified just after each one: aligned with `steps`, `None` where the file did not exist.
///
/// Each text is judged as `status` judges it (SPEC §5), the rules in force included: once a
/// text has stood ratified, a later text whose parties, roles, rule or quorum differ must also
/// satisfy it, and a removed party's open objection still blocks. So a text that changed the
/// rules without the consent the rules in force asked for never stands ratified, and the text
/// after it is judged by the rules it failed to replace.
pub fn replay<R: Texts + ?Sized>(reader: &R, steps: &[Event]) -> Result<Vec<Option<bool>>> {
    let mut out = vec![None; steps.len()];
    let mut current: Option<ObjectId> = None;
    // Each party's latest position so far, by email (ASCII case folded, as parties match).
    let mut latest: HashMap<String, &Position> = HashMap::new();
    // The texts that stood ratified, oldest first, and the parties of every text that stood
    // (each email once): what the rules in force read.
    let mut ratified_texts: Vec<ObjectId> = Vec::new();
    let mut earlier_parties: Vec<crate::model::Party> = Vec::new();
    let mut party_seen: HashSet<String> = HashSet::new();
    let mut stood_ratified = false;
    // The rules in force as last built, under what they were built from.
    type Key = (Option<ObjectId>, usize);
    let mut history: Option<(Key, in_force::History)> = None;
    for k in (0..steps.len()).rev() {
        match &steps[k] {
            Event::Edit(e) => {
                if let (Some(b), true) = (current, stood_ratified) {
                    ratified_texts.retain(|&r| r != b);
                    ratified_texts.push(b);
                }
                current = e.blob;
                stood_ratified = false;
            }
            Event::Position(p) => {
                latest.insert(crate::model::email_key(&p.trailers.email), &**p);
            }
        }
        let Some(blob) = current else { continue };
        let Some(agreement) = reader.agreement(blob)? else {
            out[k] = Some(false);
            continue;
        };
        if let Event::Edit(_) = &steps[k] {
            for p in &agreement.parties {
                if party_seen.insert(crate::model::email_key(p.email.trim())) {
                    earlier_parties.push(p.clone());
                }
            }
        }
        let positions: Vec<&Position> = latest.values().copied().collect();
        let ratified = match reader.meaning(blob)? {
            Some(m) => {
                let same = SameMeaning::with_meaning(reader, m);
                let revision = blob.to_string();
                let standings = standings(&agreement, &revision, &positions, &same)?;
                rules::verdict(&agreement, &standings).ratified && {
                    // The last text other than this one that stood ratified sets the rules
                    // in force (a revert to a ratified text is judged by the one before).
                    let last = ratified_texts.iter().rev().find(|&&b| b != blob).copied();
                    let key = (last, earlier_parties.len());
                    if history.as_ref().is_none_or(|(k, _)| *k != key) {
                        let last_ratified = match last {
                            Some(b) => reader.agreement(b)?.map(|a| (a, b.to_string())),
                            None => None,
                        };
                        let h = in_force::History {
                            last_ratified,
                            earlier_parties: earlier_parties.clone(),
                        };
                        history = Some((key, h));
                    }
                    let history = &history.as_ref().expect("just set").1;
                    let mut answers = Answers::default();
                    for p in positions.iter().filter(|p| p.trailers.revision != revision) {
                        answers.ask(&same, &p.trailers)?;
                    }
                    in_force::blocking(&agreement, &revision, &positions, history, |t| {
                        answers.get(t)
                    })
                    .is_empty()
                }
            }
            None => false,
        };
        stood_ratified |= ratified;
        out[k] = Some(ratified);
    }
    Ok(out)
}

/// The newest committed revision of an agreement other than `current`, with the commit that
/// holds it, from its events newest first: what an edit wrote, or what an edit replaced (held
/// by that edit's first parent). `None` when the file never had another text. `accord diff`
/// compares from it.
pub fn previous_revision(
    events: &[Event],
    current: Option<ObjectId>,
) -> Option<(ObjectId, ObjectId)> {
    events.iter().find_map(|e| {
        let Event::Edit(e) = e else { return None };
        match (e.blob, e.before, e.parent) {
            (Some(blob), _, _) if Some(blob) != current => Some((e.commit, blob)),
            (_, Some(before), Some(parent)) if Some(before) != current => Some((parent, before)),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ObjectId {
        format!("{n:02x}").repeat(20).parse().unwrap_or_default()
    }

    fn edit(commit: u8, blob: Option<u8>, before: Option<u8>, parent: Option<u8>) -> Event {
        Event::Edit(Edit {
            commit: id(commit),
            time: 0,
            author_name: String::new(),
            author_email: String::new(),
            subject: String::new(),
            blob: blob.map(id),
            before: before.map(id),
            parent: parent.map(id),
        })
    }

    fn position(n: u8) -> Event {
        Event::Position(Arc::new(Position {
            commit: id(n),
            time: 0,
            author_name: String::new(),
            author_email: String::new(),
            trailers: crate::trailers::Trailers {
                stance: crate::trailers::Stance::Sign,
                agreement: "t".into(),
                revision: id(n).to_string(),
                name: "P".into(),
                email: "p@example.com".into(),
                meaning: None,
            },
            note: String::new(),
        }))
    }

    #[test]
    fn the_previous_revision_is_the_newest_other_text() {
        // Newest first: commit 3 wrote text 30 over 20, commit 2 wrote 20 over 10, commit 1 10.
        let events = [
            edit(3, Some(30), Some(20), Some(2)),
            edit(2, Some(20), Some(10), Some(1)),
            edit(1, Some(10), None, None),
        ];
        assert_eq!(previous_revision(&events, Some(id(30))), Some((id(2), id(20))));
        // A working-tree text that differs from every commit: the newest committed one.
        assert_eq!(previous_revision(&events, Some(id(99))), Some((id(3), id(30))));
        // Only one text ever: nothing to compare with.
        assert_eq!(previous_revision(&events[2..], Some(id(10))), None);
        // A removal: what it removed is held by its parent.
        let removed = [edit(4, None, Some(30), Some(3))];
        assert_eq!(previous_revision(&removed, Some(id(10))), Some((id(3), id(30))));
        assert_eq!(previous_revision(&removed, Some(id(30))), None);
        // Positions come first in a real timeline, and the answer may lie several edits down:
        // a revert to the current text (commit 5) and the edit before it (commit 4) wrote it.
        let events = [
            position(90),
            edit(5, Some(40), Some(40), Some(4)),
            position(91),
            edit(4, Some(40), Some(40), Some(3)),
            edit(3, Some(40), Some(20), Some(2)),
            edit(2, Some(20), None, None),
        ];
        assert_eq!(previous_revision(&events, Some(id(40))), Some((id(2), id(20))));
        assert_eq!(previous_revision(&events[..1], Some(id(40))), None);
    }
}
