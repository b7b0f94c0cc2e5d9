//! Ratification verdicts (SPEC §5): given each party's state, is the text ratified under the
//! agreement's rule, and if not, why — in words a person can act on.
//!
//! Pure: no git, no terminal.

use crate::ledger::{Standing, State};
use crate::model::{Agreement, Role, Rule};

/// Whether the current revision is ratified, and every reason it is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub ratified: bool,
    /// Short reasons, one per blocking party or unmet count, e.g. `ada@example.com is silent`.
    pub blocking: Vec<String>,
}

pub fn verdict(agreement: &Agreement, standings: &[Standing]) -> Verdict {
    let rule = agreement.decision.rule;
    let counted: Vec<&Standing> = standings.iter().filter(|s| s.party.role.counts()).collect();
    let signed = counted.iter().filter(|s| s.state == State::Signed).count();
    let mut blocking = Vec::new();

    for s in &counted {
        let email = &s.party.email;
        let steward = s.party.role == Role::Steward;
        let why = match (s.state, rule) {
            (State::Objecting, Rule::Majority) => None,
            (State::Objecting, _) => Some(format!("{email} is objecting")),
            (State::Silent, Rule::Consent | Rule::Unanimous) => Some(format!("{email} is silent")),
            (State::Stale, Rule::Consent | Rule::Unanimous) => {
                // Abstentions go stale too; say which position no longer applies.
                let took = match s.position.map(|p| p.trailers.stance) {
                    Some(crate::trailers::Stance::Abstain) => "abstained on",
                    _ => "signed",
                };
                Some(format!("{email} {took} an earlier revision (stale)"))
            }
            (State::Abstained, Rule::Unanimous) => Some(format!("{email} abstained")),
            _ => None,
        };
        match why {
            Some(w) if steward && s.state != State::Objecting => {
                blocking.push(format!("{w}; stewards must sign"))
            }
            Some(w) => blocking.push(w),
            None if steward && s.state != State::Signed => {
                blocking.push(format!("steward {email} has not signed ({})", s.state.as_str()))
            }
            None => {}
        }
    }
    match rule {
        Rule::Consent if signed == 0 && blocking.is_empty() => {
            blocking.push("nobody has signed yet".to_string())
        }
        Rule::Majority if signed * 2 <= counted.len() => blocking.push(format!(
            "majority needs {} of {} sign-offs, has {signed}",
            counted.len() / 2 + 1,
            counted.len()
        )),
        Rule::Quorum => {
            let q = agreement.decision.quorum.unwrap_or(1) as usize;
            if signed < q {
                blocking.push(format!("quorum needs {q} sign-offs, has {signed}"));
            }
        }
        _ => {}
    }
    Verdict { ratified: blocking.is_empty(), blocking }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Standing;
    use crate::model::{Decision, Kind, Party};

    fn agreement(rule: Rule, quorum: Option<u32>, roles: &[Role]) -> Agreement {
        Agreement {
            schema: 1,
            title: "t".into(),
            kind: Kind::Charter,
            purpose: "p".into(),
            review_every: None,
            review_by: None,
            ends: None,
            decision: Decision { rule, quorum },
            scope: None,
            parties: roles
                .iter()
                .enumerate()
                .map(|(i, r)| Party { name: format!("P{i}"), email: format!("p{i}@x"), role: *r })
                .collect(),
            commitments: vec![],
            norms: vec![],
            retired: false,
            supersedes: vec![],
        }
    }

    fn judge(a: &Agreement, states: &[State]) -> Verdict {
        let standings: Vec<Standing> = a
            .parties
            .iter()
            .zip(states)
            .map(|(party, state)| Standing {
                party,
                state: *state,
                position: None,
                carried_over: false,
            })
            .collect();
        verdict(a, &standings)
    }

    use Role::{Observer as O, Partner as P, Steward as S};
    use State::*;

    #[test]
    fn consent() {
        let a = agreement(Rule::Consent, None, &[P, P, O]);
        assert!(judge(&a, &[Signed, Abstained, Silent]).ratified);
        assert!(!judge(&a, &[Abstained, Abstained, Signed]).ratified, "needs one sign-off");
        let v = judge(&a, &[Signed, Silent, Silent]);
        assert_eq!(v.blocking, ["p1@x is silent"]);
        assert_eq!(judge(&a, &[Objecting, Stale, Signed]).blocking.len(), 2);
    }

    #[test]
    fn unanimous() {
        let a = agreement(Rule::Unanimous, None, &[P, P]);
        assert!(judge(&a, &[Signed, Signed]).ratified);
        assert_eq!(judge(&a, &[Signed, Abstained]).blocking, ["p1@x abstained"]);
    }

    #[test]
    fn majority_ignores_objections_but_not_stewards() {
        let a = agreement(Rule::Majority, None, &[P, P, P]);
        assert!(judge(&a, &[Signed, Signed, Objecting]).ratified);
        assert!(!judge(&a, &[Signed, Silent, Objecting]).ratified);
        let a = agreement(Rule::Majority, None, &[S, P, P]);
        let v = judge(&a, &[Silent, Signed, Signed]);
        assert_eq!(v.blocking, ["steward p0@x has not signed (silent)"]);
    }

    #[test]
    fn quorum() {
        let a = agreement(Rule::Quorum, Some(2), &[P, P, P]);
        assert!(judge(&a, &[Signed, Signed, Silent]).ratified);
        assert!(!judge(&a, &[Signed, Signed, Objecting]).ratified);
        assert_eq!(
            judge(&a, &[Signed, Silent, Silent]).blocking,
            ["quorum needs 2 sign-offs, has 1"]
        );
    }

    #[test]
    fn a_stale_abstention_is_not_called_a_sign_off() {
        use crate::ledger::Position;
        use crate::trailers::{Stance, Trailers};
        let a = agreement(Rule::Consent, None, &[P]);
        let position = Position {
            commit: crate::oid::ObjectId::default(),
            time: 0,
            author_name: "P0".into(),
            author_email: "p0@x".into(),
            trailers: Trailers {
                stance: Stance::Abstain,
                agreement: "t".into(),
                revision: "0".repeat(40),
                name: "P0".into(),
                email: "p0@x".into(),
                meaning: None,
            },
            note: String::new(),
        };
        let standings = [Standing {
            party: &a.parties[0],
            state: Stale,
            position: Some(&position),
            carried_over: false,
        }];
        assert_eq!(
            verdict(&a, &standings).blocking,
            ["p0@x abstained on an earlier revision (stale)"]
        );
        assert_eq!(judge(&a, &[Stale]).blocking, ["p0@x signed an earlier revision (stale)"]);
    }

    #[test]
    fn stewards_must_sign_under_consent() {
        let a = agreement(Rule::Consent, None, &[S, P]);
        assert!(!judge(&a, &[Abstained, Signed]).ratified);
        assert!(judge(&a, &[Signed, Abstained]).ratified);
    }
}
