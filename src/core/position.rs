//! Whether a position should be recorded (SPEC §4, §6): who takes it — a party, or a party an
//! edit removed who may still lift their objection (SPEC §5) — and whether it would change
//! anything. Pure: the caller has evaluated the agreement.

use super::Evaluation;
use crate::ledger::State;
use crate::model::{same_email, Agreement, Party, Role};
use crate::trailers::Stance;

/// What recording `stance` would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Record it; `State` is what the party stands on now.
    Record(State),
    /// The party already took this very position on this revision: record nothing.
    AlreadyTaken,
    /// A withdraw by someone with no standing position: refuse.
    NothingToWithdraw,
}

/// The party `signer` (an email, after `.mailmap`) takes `stance` as: a party of `agreement`,
/// or, for a withdraw, a party an edit removed whose objection still stands.
pub fn taker(
    agreement: &Agreement,
    eval: &Evaluation,
    signer: &str,
    stance: Stance,
) -> Option<Party> {
    if let Some(p) = agreement.party(signer) {
        return Some(p.clone());
    }
    eval.removed_objecting
        .iter()
        .find(|(_, e)| stance == Stance::Withdraw && same_email(e, signer))
        .map(|(name, email)| Party {
            name: name.clone(),
            email: email.clone(),
            role: Role::Partner,
        })
}

/// What recording `stance` by `party` would do, given the evaluation of the current revision.
pub fn decide(eval: &Evaluation, party: &Party, stance: Stance) -> Decision {
    let mine = eval.parties.iter().find(|p| same_email(&p.email, &party.email));
    let removed = eval.removed_objecting.iter().any(|(_, e)| same_email(e, &party.email));
    let state = match mine {
        Some(p) => p.state,
        None if removed => State::Objecting,
        None => State::Silent,
    };
    match (stance, state) {
        (Stance::Sign, State::Signed) | (Stance::Abstain, State::Abstained)
            if mine.is_some_and(|p| !p.carried_over) =>
        {
            Decision::AlreadyTaken
        }
        (Stance::Withdraw, State::Silent) => Decision::NothingToWithdraw,
        _ => Decision::Record(state),
    }
}
