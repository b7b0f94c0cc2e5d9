//! How `sign`, `object`, `abstain` and `withdraw` word what they recorded. Wording only: what
//! may be recorded is decided by the command and the core.

use crate::ledger::State;
use crate::trailers::Stance;

/// What taking `stance` did, for a party whose standing state was `state` ("withdrew the
/// objection to").
pub fn verb(stance: Stance, state: State) -> &'static str {
    match stance {
        Stance::Sign => "signed",
        Stance::Object => "objected to",
        Stance::Abstain => "abstained on",
        Stance::Withdraw => match state {
            State::Objecting => "withdrew the objection to",
            State::Signed => "withdrew the sign-off on",
            State::Abstained => "withdrew the abstention on",
            _ => "withdrew the position on",
        },
    }
}
