//! "Changing the rules is judged by the rules in force" (SPEC §5). A revision whose parties,
//! roles, rule or quorum differ from those of the last ratified revision must also satisfy that
//! revision's rule, counted over that revision's parties with their earlier roles. A party the
//! edit removes keeps the right to say no (their open objection still blocks); otherwise they
//! are not counted — but only when every kept party signed and the kept parties are at least
//! half of the earlier revision's parties.

use std::collections::HashSet;

use crate::ledger::{self, Position, State};
use crate::model::{email_key, same_email, Agreement, Party, Role, Rule};
use crate::rules;
use crate::trailers::Trailers;

/// What the evaluated history says about the rules in force for one agreement.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The last revision before the evaluated one that was ratified while it stood, with its
    /// revision id (for messages).
    pub last_ratified: Option<(Agreement, String)>,
    /// Every party of every earlier revision (the right to say no survives removal).
    pub earlier_parties: Vec<Party>,
}

/// The parties of earlier revisions that this one removed and whose standing position is still
/// an objection, as `(name, email)` (they may still lift it).
pub fn removed_objectors(
    current: &Agreement,
    positions: &[&Position],
    history: &History,
) -> Vec<(String, String)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    // Looked up once per earlier party: linear in the parties, however many there are.
    let here: HashSet<String> = current.parties.iter().map(|p| email_key(&p.email)).collect();
    for p in &history.earlier_parties {
        if here.contains(&email_key(&p.email)) || !seen.insert(email_key(p.email.trim())) {
            continue;
        }
        let standing = positions.iter().find(|x| same_email(&x.trailers.email, &p.email));
        if standing.is_some_and(|x| x.trailers.stance == crate::trailers::Stance::Object) {
            out.push((p.name.clone(), p.email.clone()));
        }
    }
    out
}

/// Who decides, with which roles, by which rule.
pub fn governance_differs(a: &Agreement, b: &Agreement) -> bool {
    if a.decision != b.decision || a.parties.len() != b.parties.len() {
        return true;
    }
    // Mostly the same list in the same order, which needs no sets.
    let same_in_order =
        a.parties.iter().zip(&b.parties).all(|(p, q)| {
            p.role == q.role && (p.email == q.email || p.email.trim() == q.email.trim())
        });
    if same_in_order {
        return false;
    }
    let key = |x: &Agreement| -> HashSet<(String, &'static str)> {
        x.parties.iter().map(|p| (email_key(p.email.trim()), p.role.as_str())).collect()
    };
    key(a) != key(b)
}

/// The blocking reasons the rules in force add for `current` (at revision `revision`), given
/// the counted positions (newest first) and `same(named)`: does the text a position names
/// mean what `current` means.
pub fn blocking(
    current: &Agreement,
    revision: &str,
    positions: &[&Position],
    history: &History,
    mut same: impl FnMut(&Trailers) -> bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let rule_lets_objections_block = current.decision.rule != Rule::Majority
        || history.last_ratified.as_ref().is_some_and(|(l, _)| l.decision.rule != Rule::Majority);
    // A removed party's open objection still blocks, ratified predecessor or not.
    if rule_lets_objections_block {
        for (_, email) in removed_objectors(current, positions, history) {
            out.push(format!(
                "{email} is objecting (removed from the parties; removing a party does not clear an objection)"
            ));
        }
    }
    let Some((earlier, earlier_rev)) = &history.last_ratified else { return out };
    if !governance_differs(current, earlier) {
        return out;
    }
    // The earlier revision's parties, with their earlier roles, judged on the current text.
    let kept: Vec<&Party> =
        earlier.parties.iter().filter(|p| current.party(&p.email).is_some()).collect();
    let standings_now = ledger::standings(current, revision, positions, &mut same);
    let signed = |p: &Party| {
        standings_now
            .iter()
            .any(|s| same_email(&s.party.email, &p.email) && s.state == State::Signed)
    };
    let leavers_excused = kept.iter().all(|p| signed(p)) && kept.len() * 2 >= earlier.parties.len();
    let mut judged = earlier.clone();
    if leavers_excused {
        // Removing is the last demotion: a removed steward is judged as the steward they were
        // (the steward keeps the last word), so only partners and observers can be excused.
        judged.parties.retain(|p| current.party(&p.email).is_some() || p.role == Role::Steward);
    }
    let standings = ledger::standings(&judged, revision, positions, &mut same);
    let verdict = rules::verdict(&judged, &standings);
    if !verdict.ratified {
        let rule = match earlier.decision.quorum {
            Some(q) => format!("{} {q}", earlier.decision.rule),
            None => earlier.decision.rule.to_string(),
        };
        let short = &earlier_rev[..earlier_rev.len().min(10)];
        for why in verdict.blocking {
            out.push(format!("the rule in force ({rule}, revision {short}) needs: {why}"));
        }
        let removed_stewards = judged
            .parties
            .iter()
            .filter(|p| p.role == Role::Steward && current.party(&p.email).is_none());
        for p in removed_stewards {
            out.push(format!(
                "{} is a steward this revision removes: a steward cannot sign a text without \
                 them, so first make them a partner in a revision they sign",
                p.email
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Decision, Kind};
    use crate::oid::ObjectId;
    use crate::trailers::{Stance, Trailers};

    fn party(n: &str, role: Role) -> Party {
        Party { name: n.into(), email: format!("{n}@example.com"), role }
    }

    fn agreement(rule: Rule, quorum: Option<u32>, parties: Vec<Party>) -> Agreement {
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
            parties,
            commitments: vec![],
            norms: vec![],
            retired: false,
            supersedes: vec![],
        }
    }

    #[test]
    fn governance_differs_on_roles_and_members_not_on_order_or_case() {
        let ab = vec![party("a", Role::Partner), party("b", Role::Steward)];
        let base = agreement(Rule::Consent, None, ab.clone());
        let same = |parties: Vec<Party>| agreement(Rule::Consent, None, parties);
        assert!(!governance_differs(&base, &same(ab.clone())), "the same list");
        let ba = vec![ab[1].clone(), ab[0].clone()];
        assert!(!governance_differs(&base, &same(ba)), "the same parties in another order");
        let mut upper = ab.clone();
        upper[0].email = " A@EXAMPLE.com".into();
        assert!(!governance_differs(&base, &same(upper)), "an email in other case, padded");
        let mut role = ab.clone();
        role[0].role = Role::Steward;
        assert!(governance_differs(&base, &same(role)), "a role changed");
        let mut other = ab.clone();
        other[1].email = "c@example.com".into();
        assert!(governance_differs(&base, &same(other)), "a party replaced");
        assert!(governance_differs(&base, &agreement(Rule::Unanimous, None, ab)), "the rule");
    }

    fn pos(n: &str, stance: Stance, t: i64) -> Position {
        Position {
            commit: ObjectId::from_bytes([t as u8; 20]),
            time: t,
            author_name: n.into(),
            author_email: format!("{n}@example.com"),
            trailers: Trailers {
                stance,
                agreement: "x".into(),
                revision: "cur".into(),
                name: n.into(),
                email: format!("{n}@example.com"),
                meaning: None,
            },
            note: "why".into(),
        }
    }

    fn before() -> Agreement {
        use Role::*;
        agreement(
            Rule::Consent,
            None,
            vec![party("ada", Steward), party("grace", Partner), party("kath", Partner)],
        )
    }

    #[test]
    fn a_coup_is_judged_by_the_rule_it_replaces() {
        // Mallory (grace) makes herself sole steward, everyone else an observer, quorum 1.
        use Role::*;
        let coup = agreement(
            Rule::Quorum,
            Some(1),
            vec![party("ada", Observer), party("grace", Steward), party("kath", Observer)],
        );
        let history = History {
            last_ratified: Some((before(), "8b09e2306f00".into())),
            ..Default::default()
        };
        let g = pos("grace", Stance::Sign, 3);
        let reasons = blocking(&coup, "cur", &[&g], &history, |_| false);
        assert!(
            reasons.iter().any(|r| r.contains("the rule in force (consent, revision 8b09e2306f)")),
            "{reasons:?}"
        );
        assert!(reasons.iter().any(|r| r.contains("ada@example.com")), "{reasons:?}");
        // Everyone signs: the real governance change passes.
        let (a, k) = (pos("ada", Stance::Sign, 4), pos("kath", Stance::Sign, 5));
        assert!(blocking(&coup, "cur", &[&k, &a, &g], &history, |_| false).is_empty());
    }

    #[test]
    fn removing_an_objector_does_not_clear_the_objection() {
        use Role::*;
        let without =
            agreement(Rule::Consent, None, vec![party("ada", Steward), party("kath", Partner)]);
        let history = History {
            last_ratified: Some((before(), "aaaa".into())),
            earlier_parties: before().parties,
        };
        let (a, k, g) = (
            pos("ada", Stance::Sign, 3),
            pos("kath", Stance::Sign, 4),
            pos("grace", Stance::Object, 2),
        );
        let reasons = blocking(&without, "cur", &[&k, &a, &g], &history, |_| false);
        assert!(
            reasons.iter().any(|r| r.starts_with("grace@example.com is objecting")),
            "{reasons:?}"
        );
    }

    #[test]
    fn a_leaver_can_be_removed_but_one_person_cannot_remove_the_rest() {
        use Role::*;
        let history = History {
            last_ratified: Some((before(), "aaaa".into())),
            earlier_parties: before().parties,
        };
        // Grace left (silent); Ada and Katherine keep the charter and both sign.
        let without =
            agreement(Rule::Consent, None, vec![party("ada", Steward), party("kath", Partner)]);
        let (a, k) = (pos("ada", Stance::Sign, 3), pos("kath", Stance::Sign, 4));
        assert!(blocking(&without, "cur", &[&k, &a], &history, |_| false).is_empty());
        // Ada alone removes both others: kept (1) is less than half of 3 — their silence counts.
        let alone = agreement(Rule::Consent, None, vec![party("ada", Steward)]);
        let reasons = blocking(&alone, "cur", &[&a], &history, |_| false);
        assert!(!reasons.is_empty(), "one person cannot remove the rest");
        // Removing without every kept party's sign-off is not enough either.
        assert!(!blocking(&without, "cur", &[&a], &history, |_| false).is_empty());
    }

    #[test]
    fn a_steward_cannot_be_removed_without_their_sign_off() {
        // Red-team finding: Grace (a partner) removed Ada (the steward) from a two-party
        // charter, made herself steward, rewrote the purpose and signed alone: the kept parties
        // (1) were half of 2, so Ada, the steward, was excused. Removing is the last demotion:
        // a removed steward is judged as the steward they were (SPEC §5: "exempts nobody").
        use Role::*;
        let pair =
            agreement(Rule::Consent, None, vec![party("ada", Steward), party("grace", Partner)]);
        let history = History {
            last_ratified: Some((pair.clone(), "aaaa".into())),
            earlier_parties: pair.parties,
        };
        let coup = agreement(Rule::Consent, None, vec![party("grace", Steward)]);
        let g = pos("grace", Stance::Sign, 3);
        let reasons = blocking(&coup, "cur", &[&g], &history, |_| false);
        assert!(reasons.iter().any(|r| r.contains("ada@example.com")), "{reasons:?}");
        // Ada consents to leaving: her sign-off on the new text counts.
        let a = pos("ada", Stance::Sign, 4);
        assert!(blocking(&coup, "cur", &[&a, &g], &history, |_| false).is_empty());
        // Two partners of four remove the steward and the third partner: the same.
        let four = agreement(
            Rule::Consent,
            None,
            vec![
                party("ada", Steward),
                party("grace", Partner),
                party("kath", Partner),
                party("mal", Partner),
            ],
        );
        let history = History {
            last_ratified: Some((four.clone(), "bbbb".into())),
            earlier_parties: four.parties,
        };
        let two =
            agreement(Rule::Consent, None, vec![party("grace", Steward), party("mal", Partner)]);
        let m = pos("mal", Stance::Sign, 5);
        let reasons = blocking(&two, "cur", &[&g, &m], &history, |_| false);
        assert!(reasons.iter().any(|r| r.contains("ada@example.com")), "{reasons:?}");
        assert!(
            !reasons.iter().any(|r| r.contains("kath@example.com")),
            "a partner may leave: {reasons:?}"
        );
    }

    #[test]
    fn without_a_ratified_predecessor_only_the_new_rule_applies() {
        use Role::*;
        let coup = agreement(Rule::Quorum, Some(1), vec![party("grace", Steward)]);
        let g = pos("grace", Stance::Sign, 3);
        assert!(blocking(&coup, "cur", &[&g], &History::default(), |_| false).is_empty());
        let _ = Observer;
    }
}
