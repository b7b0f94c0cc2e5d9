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
    /// The position's commit.
    pub commit: crate::oid::ObjectId,
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
/// newest first. `same_meaning(named)` answers whether the text a position names (its
/// revision, and the fingerprint it may carry) means what the current text means; it is asked
/// only when needed.
pub fn standings<'a>(
    agreement: &'a Agreement,
    current: &str,
    positions: &[&'a Position],
    mut same_meaning: impl FnMut(&Trailers) -> bool,
) -> Vec<Standing<'a>> {
    agreement
        .parties
        .iter()
        .map(|party| {
            let position = positions
                .iter()
                .copied()
                .find(|p| crate::model::same_email(&p.trailers.email, &party.email));
            let (state, carried_over) = match position.map(|p| (p.trailers.stance, p)) {
                None | Some((Stance::Withdraw, _)) => (State::Silent, false),
                Some((Stance::Object, _)) => (State::Objecting, false),
                Some((stance, p)) => {
                    let on = if stance == Stance::Sign { State::Signed } else { State::Abstained };
                    if p.trailers.revision == current {
                        (on, false)
                    } else if same_meaning(&p.trailers) {
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

#[cfg(test)]
mod tests {
    //! `standings` against a table of position histories: each row is one party's positions
    //! (newest first) and the state they must come to.

    use super::*;
    use crate::model::Role;

    /// The current revision, one with the same meaning, and one whose meaning differs.
    const CUR: &str = "cccccccccccccccccccccccccccccccccccccccc";
    const SAME: &str = "5555555555555555555555555555555555555555";
    const OTHER: &str = "0000000000000000000000000000000000000000";

    const AGREEMENT: &str = r#"schema = 1
title = "Charter"
kind = "charter"
purpose = "P"

[[party]]
name = "Ada Lovelace"
email = "ada@example.com"
role = "steward"

[[party]]
name = "Grace Hopper"
email = "grace@example.com"

[[party]]
name = "Zoë Ørsted"
email = "zoë@example.com"

[[party]]
name = "Olga Observer"
email = "olga@example.com"
role = "observer"
"#;

    fn agreement() -> Agreement {
        toml::from_str(AGREEMENT).expect("the test agreement parses")
    }

    fn position(n: usize, email: &str, stance: Stance, revision: &str) -> Position {
        Position {
            commit: format!("{n:040x}").parse().expect("hex"),
            time: 1_795_168_800 - n as i64,
            author_name: "Someone".into(),
            author_email: email.into(),
            trailers: Trailers {
                stance,
                agreement: "charter".into(),
                revision: revision.into(),
                name: "Someone".into(),
                email: email.into(),
                meaning: None,
            },
            note: String::new(),
        }
    }

    use Stance::{Abstain as A, Object as O, Sign as S, Withdraw as W};

    struct Case {
        what: &'static str,
        /// Whose standing is checked.
        party: &'static str,
        /// Every position on the agreement, newest first: (email, stance, revision).
        positions: &'static [(&'static str, Stance, &'static str)],
        state: State,
        carried_over: bool,
        /// Index in `positions` of the standing position.
        standing: Option<usize>,
    }

    const GRACE: &str = "grace@example.com";

    #[rustfmt::skip]
    const CASES: &[Case] = &[
        Case { what: "no position: silent", party: GRACE, positions: &[],
               state: State::Silent, carried_over: false, standing: None },
        Case { what: "signed the current revision", party: GRACE, positions: &[(GRACE, S, CUR)],
               state: State::Signed, carried_over: false, standing: Some(0) },
        Case { what: "abstained on the current revision", party: GRACE,
               positions: &[(GRACE, A, CUR)],
               state: State::Abstained, carried_over: false, standing: Some(0) },
        Case { what: "objecting on the current revision", party: GRACE,
               positions: &[(GRACE, O, CUR)],
               state: State::Objecting, carried_over: false, standing: Some(0) },
        Case { what: "an objection stays open across revisions", party: GRACE,
               positions: &[(GRACE, O, OTHER)],
               state: State::Objecting, carried_over: false, standing: Some(0) },
        Case { what: "withdraw makes an objector silent", party: GRACE,
               positions: &[(GRACE, W, CUR), (GRACE, O, CUR)],
               state: State::Silent, carried_over: false, standing: Some(0) },
        Case { what: "withdraw on another revision is silent too", party: GRACE,
               positions: &[(GRACE, W, OTHER), (GRACE, O, OTHER)],
               state: State::Silent, carried_over: false, standing: Some(0) },
        Case { what: "a sign-off on a revision that means something else is stale", party: GRACE,
               positions: &[(GRACE, S, OTHER)],
               state: State::Stale, carried_over: false, standing: Some(0) },
        Case { what: "an abstention on a revision that means something else is stale",
               party: GRACE, positions: &[(GRACE, A, OTHER)],
               state: State::Stale, carried_over: false, standing: Some(0) },
        Case { what: "a sign-off on a same-meaning revision is carried over", party: GRACE,
               positions: &[(GRACE, S, SAME)],
               state: State::Signed, carried_over: true, standing: Some(0) },
        Case { what: "an abstention on a same-meaning revision is carried over", party: GRACE,
               positions: &[(GRACE, A, SAME)],
               state: State::Abstained, carried_over: true, standing: Some(0) },
        Case { what: "the newest position wins: sign after object", party: GRACE,
               positions: &[(GRACE, S, CUR), (GRACE, O, CUR)],
               state: State::Signed, carried_over: false, standing: Some(0) },
        Case { what: "the newest position wins: object after sign", party: GRACE,
               positions: &[(GRACE, O, CUR), (GRACE, S, CUR)],
               state: State::Objecting, carried_over: false, standing: Some(0) },
        Case { what: "the newest wins even when an older one is on the current revision",
               party: GRACE, positions: &[(GRACE, S, OTHER), (GRACE, S, CUR)],
               state: State::Stale, carried_over: false, standing: Some(0) },
        Case { what: "other parties' positions do not count", party: GRACE,
               positions: &[("ada@example.com", O, CUR), (GRACE, S, CUR), ("ada@example.com", S, CUR)],
               state: State::Signed, carried_over: false, standing: Some(1) },
        Case { what: "emails match ignoring ASCII case", party: GRACE,
               positions: &[("GRACE@Example.COM", S, CUR)],
               state: State::Signed, carried_over: false, standing: Some(0) },
        Case { what: "only ASCII case is ignored", party: "zoë@example.com",
               positions: &[("ZOË@example.com", S, CUR)],
               state: State::Silent, carried_over: false, standing: None },
        Case { what: "the exact non-ASCII email matches", party: "zoë@example.com",
               positions: &[("ZOë@EXAMPLE.com", S, CUR)],
               state: State::Signed, carried_over: false, standing: Some(0) },
        Case { what: "an observer still gets a state", party: "olga@example.com",
               positions: &[("olga@example.com", O, CUR)],
               state: State::Objecting, carried_over: false, standing: Some(0) },
        Case { what: "an observer's stale sign-off", party: "olga@example.com",
               positions: &[("olga@example.com", S, OTHER)],
               state: State::Stale, carried_over: false, standing: Some(0) },
    ];

    #[test]
    fn standings_follow_the_table() {
        let agreement = agreement();
        for case in CASES {
            let owned: Vec<Position> = case
                .positions
                .iter()
                .enumerate()
                .map(|(n, &(email, stance, rev))| position(n, email, stance, rev))
                .collect();
            let refs: Vec<&Position> = owned.iter().collect();
            let mut asked = Vec::new();
            let got = standings(&agreement, CUR, &refs, |named| {
                asked.push(named.revision.clone());
                named.revision == SAME
            });
            let what = case.what;
            // Every party gets a standing, in file order.
            let emails: Vec<&str> = got.iter().map(|s| s.party.email.as_str()).collect();
            let file: Vec<&str> = agreement.parties.iter().map(|p| p.email.as_str()).collect();
            assert_eq!(emails, file, "{what}");
            let s = got.iter().find(|s| s.party.email == case.party).expect("the party");
            assert_eq!(s.state, case.state, "{what}");
            assert_eq!(s.carried_over, case.carried_over, "{what}");
            let standing = s.position.map(|p| p.commit);
            assert_eq!(standing, case.standing.map(|n| owned[n].commit), "{what}");
            // The meaning is asked about only for a sign-off or abstention on another revision.
            assert!(asked.iter().all(|r| r != CUR), "{what}: asked about the current one");
        }
    }

    #[test]
    fn same_meaning_is_asked_only_when_needed() {
        let agreement = agreement();
        let owned = [
            position(0, GRACE, S, CUR),
            position(1, "ada@example.com", O, OTHER),
            position(2, "olga@example.com", W, OTHER),
            position(3, "zoë@example.com", A, SAME),
        ];
        let refs: Vec<&Position> = owned.iter().collect();
        let mut asked = Vec::new();
        let got = standings(&agreement, CUR, &refs, |named| {
            asked.push(named.revision.clone());
            true
        });
        assert_eq!(asked, [SAME], "only Zoë's abstention needs the meaning");
        let states: Vec<State> = got.iter().map(|s| s.state).collect();
        assert_eq!(states, [State::Objecting, State::Signed, State::Abstained, State::Silent]);
        assert!(got[2].carried_over);
        assert_eq!(got[3].party.role, Role::Observer);
    }
}
