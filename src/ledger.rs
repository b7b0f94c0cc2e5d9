//! Fold position events into each party's standing position and state (SPEC §4).
//!
//! Pure: the caller supplies the positions already ordered newest first and a way to ask
//! whether another revision has the same meaning as the current one.

use serde::Serialize;

use crate::model::{Agreement, Party};
use crate::trailers::{Stance, Trailers};

/// One position commit, as read from history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// Commit id, full hex.
    pub commit: String,
    /// Committer time, seconds since the epoch (the ordering rule uses it).
    pub time: i64,
    pub author_name: String,
    pub author_email: String,
    pub trailers: Trailers,
    pub note: String,
}

/// A counted party's state on the current revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Signed,
    Abstained,
    Objecting,
    Stale,
    Silent,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Signed => "signed",
            State::Abstained => "abstained",
            State::Objecting => "objecting",
            State::Stale => "stale",
            State::Silent => "silent",
        }
    }
}

/// A party with the position that decides their state.
#[derive(Debug, Clone)]
pub struct Standing<'a> {
    pub party: &'a Party,
    pub state: State,
    /// The standing position, when the party has taken one.
    pub position: Option<&'a Position>,
    /// A sign-off or abstention made on another revision with the same meaning.
    pub carried_over: bool,
}

/// Each party's standing on `current` (a blob id), given `positions` on this agreement ordered
/// newest first. `same_meaning(rev)` answers whether `rev` is a revision of this agreement
/// whose meaning equals the current text; it is asked only when needed.
pub fn standings<'a>(
    agreement: &'a Agreement,
    current: &str,
    positions: &[&'a Position],
    mut same_meaning: impl FnMut(&str) -> bool,
) -> Vec<Standing<'a>> {
    agreement
        .parties
        .iter()
        .map(|party| {
            let position = positions
                .iter()
                .copied()
                .find(|p| p.trailers.email.eq_ignore_ascii_case(&party.email));
            let (state, carried_over) = match position.map(|p| (p.trailers.stance, p)) {
                None | Some((Stance::Withdraw, _)) => (State::Silent, false),
                Some((Stance::Object, _)) => (State::Objecting, false),
                Some((stance, p)) => {
                    let on = if stance == Stance::Sign { State::Signed } else { State::Abstained };
                    if p.trailers.revision == current {
                        (on, false)
                    } else if same_meaning(&p.trailers.revision) {
                        (on, true)
                    } else {
                        (State::Stale, false)
                    }
                }
            };
            Standing { party, state, position, carried_over }
        })
        .collect()
}
