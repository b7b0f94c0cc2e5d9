//! Replay an agreement's life (SPEC §4): after each edit or position, oldest first, was the
//! text standing at that moment ratified? `log` marks each event with it, `history` says
//! whether a version was "ratified while it stood", `due` finds the last ratification.

use std::collections::HashMap;
use std::sync::Arc;

use super::evaluate::standings;
use super::meaning::{Revisions, SameMeaning};
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

/// For `steps` (the events of one agreement) ordered newest first, whether the agreement stood ratified just after each one:
/// aligned with `steps`, `None` where the file did not exist.
pub fn replay<R: Texts + ?Sized>(reader: &R, steps: &[Event]) -> Result<Vec<Option<bool>>> {
    let mut out = vec![None; steps.len()];
    let mut current: Option<ObjectId> = None;
    // Each party's latest position so far, by email (ASCII case folded, as parties match).
    let mut latest: HashMap<String, &Position> = HashMap::new();
    for k in (0..steps.len()).rev() {
        match &steps[k] {
            Event::Edit(e) => current = e.blob,
            Event::Position(p) => {
                latest.insert(crate::model::email_key(&p.trailers.email), &**p);
            }
        }
        let Some(blob) = current else { continue };
        let Some(agreement) = reader.agreement(blob)? else {
            out[k] = Some(false);
            continue;
        };
        let positions: Vec<&Position> = latest.values().copied().collect();
        let meaning = reader.meaning(blob)?;
        let ratified = match meaning {
            Some(m) => {
                let same = SameMeaning::with_meaning(reader, m);
                let standings = standings(&agreement, &blob.to_string(), &positions, &same)?;
                rules::verdict(&agreement, &standings).ratified
            }
            None => false,
        };
        out[k] = Some(ratified);
    }
    Ok(out)
}
