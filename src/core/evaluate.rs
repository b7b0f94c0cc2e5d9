//! Evaluate one agreement at one revision: each party's state, the open objections, who took a
//! position without being a party, and the verdict of the agreement's rule (SPEC §4, §5).

use std::collections::HashSet;

use super::meaning::{Answers, Revisions, SameMeaning};
use crate::error::Result;
use crate::ledger::{self, Position, State};
use crate::model::{self, Agreement, Role};
use crate::oid::ObjectId;
use crate::rules::{self, Verdict};
use crate::trailers::Stance;

/// A party's state on the evaluated revision, with the position that decides it.
#[derive(Debug, Clone)]
pub struct PartyState {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub state: State,
    /// The standing position's commit (full hex), when the party has taken one.
    pub commit: Option<ObjectId>,
    /// Its committer time, seconds since the epoch.
    pub time: Option<i64>,
    pub note: Option<String>,
    /// A sign-off or abstention made on another revision with the same meaning.
    pub carried_over: bool,
    /// The revision a stale or carried-over position was made on.
    pub revision: Option<String>,
    /// The standing position itself.
    pub stance: Option<Stance>,
    /// Ids of the commitments this party is accountable for (`by`).
    pub commitments: Vec<String>,
    /// Ids of the commitments owed to this party (`to`).
    pub owed: Vec<String>,
}

/// An open objection.
#[derive(Debug, Clone)]
pub struct Objection {
    pub email: String,
    pub commit: ObjectId,
    pub revision: String,
    pub reason: String,
}

/// A position by someone who is not (or no longer) a party: shown, not counted.
#[derive(Debug, Clone)]
pub struct Outsider {
    pub name: String,
    pub email: String,
    pub position: Stance,
    pub commit: ObjectId,
    pub time: i64,
    /// Why it is not counted, in words.
    pub reason: String,
    /// What they wrote with it (an objection's reason), possibly empty.
    pub note: String,
}

/// The state of one agreement at one revision (SPEC §7's status object, before rendering).
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub agreement: String,
    /// The evaluated revision (blob id, full hex).
    pub revision: String,
    pub rule: model::Rule,
    pub quorum: Option<u32>,
    pub ratified: bool,
    pub parties: Vec<PartyState>,
    pub objections: Vec<Objection>,
    pub blocking: Vec<String>,
    pub outsiders: Vec<Outsider>,
    pub title: String,
    pub kind: model::Kind,
    /// The text is a retirement (`retired = true`).
    pub retired: bool,
    /// The agreements this revision replaces once ratified (its `supersedes`).
    pub supersedes: Vec<String>,
    /// Parties an edit removed whose objection still stands, `(name, email)` (SPEC §5): they
    /// may still withdraw it.
    pub removed_objecting: Vec<(String, String)>,
}

/// Evaluate agreement `id` at `revision` (its blob id, full hex) given the positions on it that
/// count, newest first in SPEC §4's order.
pub fn evaluate<R: Revisions + ?Sized>(
    reader: &R,
    id: &str,
    revision: &str,
    agreement: &Agreement,
    positions: &[&Position],
) -> Result<Evaluation> {
    evaluate_in_force(reader, id, revision, agreement, positions, None)
}

/// [`evaluate`], also judged by the rules in force (SPEC §5) that `history` describes.
pub fn evaluate_in_force<R: Revisions + ?Sized>(
    reader: &R,
    id: &str,
    revision: &str,
    agreement: &Agreement,
    positions: &[&Position],
    history: Option<&super::in_force::History>,
) -> Result<Evaluation> {
    let same = SameMeaning::new(reader, revision, agreement)?;
    let standings = standings(agreement, revision, positions, &same)?;
    let Verdict { mut ratified, mut blocking } = rules::verdict(agreement, &standings);
    let removed_objecting = match history {
        Some(h) => super::in_force::removed_objectors(agreement, positions, h),
        None => Vec::new(),
    };
    if let Some(h) = history {
        let mut answers = Answers::default();
        for p in positions.iter().filter(|p| p.trailers.revision != revision) {
            answers.ask(&same, &p.trailers)?;
        }
        let extra =
            super::in_force::blocking(agreement, revision, positions, h, |t| answers.get(t));
        if !extra.is_empty() {
            ratified = false;
            blocking.extend(extra);
        }
    }
    let committed = agreement.commitments_by_email();
    let parties = standings
        .iter()
        .map(|s| PartyState {
            name: s.party.name.clone(),
            email: s.party.email.clone(),
            role: s.party.role,
            state: s.state,
            commit: s.position.map(|p| p.commit),
            time: s.position.map(|p| p.time),
            note: s.position.map(|p| p.note.clone()).filter(|n| !n.is_empty()),
            carried_over: s.carried_over,
            stance: s.position.map(|p| p.trailers.stance),
            commitments: committed.by(&s.party.email).iter().map(|c| c.to_string()).collect(),
            owed: committed.to(&s.party.email).iter().map(|c| c.to_string()).collect(),
            revision: s
                .position
                .filter(|p| p.trailers.revision != revision && s.state != State::Objecting)
                .map(|p| p.trailers.revision.clone()),
        })
        .collect();
    // A removed party's open objection still blocks (SPEC §5): it is an objection like any
    // other, not a position "shown, not counted".
    let removed = |email: &str| removed_objecting.iter().any(|(_, e)| model::same_email(e, email));
    let removed_objections = removed_objecting
        .iter()
        .filter_map(|(_, e)| positions.iter().find(|p| model::same_email(&p.trailers.email, e)))
        .filter(|p| p.trailers.stance == Stance::Object);
    let objections = standings
        .iter()
        .filter(|s| s.state == State::Objecting)
        .filter_map(|s| s.position)
        .chain(removed_objections.copied())
        .map(|p| Objection {
            email: p.trailers.email.clone(),
            commit: p.commit,
            revision: p.trailers.revision.clone(),
            reason: p.note.clone(),
        })
        .collect();
    let mut seen = HashSet::new();
    let by_email = agreement.parties_by_email();
    let outsiders = positions
        .iter()
        .filter(|p| !by_email.contains_key(&model::email_key(&p.trailers.email)))
        .filter(|p| !removed(&p.trailers.email))
        .filter(|p| seen.insert(model::email_key(&p.trailers.email)))
        .map(|p| Outsider {
            name: p.trailers.name.clone(),
            email: p.trailers.email.clone(),
            position: p.trailers.stance,
            commit: p.commit,
            time: p.time,
            reason: "not a party of this revision".to_string(),
            note: p.note.clone(),
        })
        .collect();
    Ok(Evaluation {
        agreement: id.to_string(),
        revision: revision.to_string(),
        rule: agreement.decision.rule,
        quorum: agreement.decision.quorum,
        ratified,
        parties,
        objections,
        blocking,
        outsiders,
        title: agreement.title.clone(),
        kind: agreement.kind,
        retired: agreement.retired,
        supersedes: agreement.supersedes.clone(),
        removed_objecting,
    })
}

/// Each party's standing, with same-meaning asked (fallibly) only for the revisions that a
/// standing sign-off or abstention names, before the pure fold runs.
pub fn standings<'a, R: Revisions + ?Sized>(
    agreement: &'a Agreement,
    revision: &str,
    positions: &[&'a Position],
    same: &SameMeaning<R>,
) -> Result<Vec<ledger::Standing<'a>>> {
    let mut answers = Answers::default();
    for party in &agreement.parties {
        let standing =
            positions.iter().find(|p| model::same_email(&p.trailers.email, &party.email));
        if let Some(p) = standing {
            let counts = matches!(p.trailers.stance, Stance::Sign | Stance::Abstain);
            if counts && p.trailers.revision != revision {
                answers.ask(same, &p.trailers)?;
            }
        }
    }
    Ok(ledger::standings(agreement, revision, positions, |t| answers.get(t)))
}

#[cfg(test)]
mod tests {
    //! The rule matrix, over an in-memory reader.

    use super::super::meaning::fake::FakeRevisions;
    use super::*;
    use crate::model::{Decision, Rule};
    use crate::trailers::Trailers;

    fn agreement(rule: Rule, quorum: Option<u32>, roles: &[Role]) -> Agreement {
        let toml = format!(
            "schema = 1\ntitle = \"T\"\nkind = \"charter\"\npurpose = \"P\"\n{}",
            roles
                .iter()
                .enumerate()
                .map(|(i, r)| format!(
                    "[[party]]\nname = \"P{i}\"\nemail = \"p{i}@example.com\"\nrole = \"{}\"\n",
                    r.as_str()
                ))
                .collect::<String>()
        );
        let mut a = model::parse(toml.as_bytes(), "t.toml").expect("test agreement parses");
        a.decision = Decision { rule, quorum };
        a
    }

    fn position(n: usize, stance: Stance, revision: crate::oid::ObjectId) -> Position {
        Position {
            commit: format!("{:040x}", 1000 + n).parse().expect("hex"),
            time: 1_700_000_000 + n as i64,
            author_name: format!("P{n}"),
            author_email: format!("p{n}@example.com"),
            trailers: Trailers {
                stance,
                agreement: "t".into(),
                revision: revision.to_string(),
                name: format!("P{n}"),
                email: format!("p{n}@example.com"),
                meaning: None,
            },
            note: if stance == Stance::Object { "no".into() } else { String::new() },
        }
    }

    use Role::{Observer as O, Partner as P, Steward as S};
    use Stance::{Abstain as A, Object as X, Sign as Y};

    /// (rule, quorum, roles, each party's stance or None for silent, ratified?)
    #[allow(clippy::type_complexity)]
    const MATRIX: &[(Rule, Option<u32>, &[Role], &[Option<Stance>], bool)] = &[
        (Rule::Consent, None, &[P, P], &[Some(Y), Some(Y)], true),
        (Rule::Consent, None, &[P, P], &[Some(Y), None], false),
        (Rule::Consent, None, &[P, P], &[Some(Y), Some(A)], true),
        (Rule::Consent, None, &[P, P], &[Some(A), Some(A)], false),
        (Rule::Consent, None, &[P, P], &[Some(Y), Some(X)], false),
        (Rule::Unanimous, None, &[P, P], &[Some(Y), Some(A)], false),
        (Rule::Unanimous, None, &[P, P], &[Some(Y), Some(Y)], true),
        // Majority with an even number of counted parties: half is not more than half.
        (Rule::Majority, None, &[P, P, P, P], &[Some(Y), Some(Y), None, Some(X)], false),
        (Rule::Majority, None, &[P, P, P, P], &[Some(Y), Some(Y), Some(Y), Some(X)], true),
        (Rule::Majority, None, &[P, P, P], &[Some(Y), Some(Y), Some(X)], true),
        (Rule::Quorum, Some(2), &[P, P, P], &[Some(Y), Some(Y), None], true),
        (Rule::Quorum, Some(2), &[P, P, P], &[Some(Y), Some(Y), Some(X)], false),
        (Rule::Quorum, Some(3), &[P, P, P], &[Some(Y), Some(Y), None], false),
        // Stewards must sign under every rule.
        (Rule::Majority, None, &[S, P, P], &[None, Some(Y), Some(Y)], false),
        (Rule::Quorum, Some(1), &[S, P], &[Some(A), Some(Y)], false),
        (Rule::Consent, None, &[S, P], &[Some(Y), Some(Y)], true),
        // Observers do not count, whatever they do.
        (Rule::Consent, None, &[P, O], &[Some(Y), Some(X)], true),
        (Rule::Unanimous, None, &[P, O], &[Some(Y), None], true),
        (Rule::Majority, None, &[P, O, O], &[Some(Y), None, None], true),
    ];

    #[test]
    fn rule_matrix() {
        for (row, (rule, quorum, roles, stances, want)) in MATRIX.iter().enumerate() {
            let a = agreement(*rule, *quorum, roles);
            let mut fake = FakeRevisions::default();
            let rev = fake.add(1, a.clone());
            let owned: Vec<Position> = stances
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.map(|s| position(i, s, rev)))
                .collect();
            let positions: Vec<&Position> = owned.iter().rev().collect();
            let e = evaluate(&fake, "t", &rev.to_string(), &a, &positions).unwrap();
            assert_eq!(e.ratified, *want, "row {row}: {rule:?} {roles:?} {stances:?}: {e:?}");
            assert_eq!(e.blocking.is_empty(), *want, "row {row}: blocking {:?}", e.blocking);
        }
    }

    #[test]
    fn same_meaning_carries_over_and_other_meaning_is_stale() {
        let a = agreement(Rule::Consent, None, &[P, P]);
        let mut reflowed = a.clone();
        reflowed.purpose = "  P \n".into();
        let mut changed = a.clone();
        changed.purpose = "Something else".into();
        let mut fake = FakeRevisions::default();
        let current = fake.add(1, a.clone());
        let same = fake.add(2, reflowed);
        let other = fake.add(3, changed);
        let owned = [position(0, Y, same), position(1, Y, other)];
        let positions: Vec<&Position> = owned.iter().collect();
        let e = evaluate(&fake, "t", &current.to_string(), &a, &positions).unwrap();
        assert_eq!(e.parties[0].state, State::Signed);
        assert!(e.parties[0].carried_over);
        assert_eq!(e.parties[0].revision.as_deref(), Some(same.to_string().as_str()));
        assert_eq!(e.parties[1].state, State::Stale);
        assert!(!e.ratified);
    }

    #[test]
    fn a_text_that_cannot_be_read_is_stale() {
        let a = agreement(Rule::Consent, None, &[P]);
        let mut fake = FakeRevisions::default();
        let current = fake.add(1, a.clone());
        let missing = crate::oid::ObjectId::from_bytes([9; 20]);
        let owned = [position(0, Y, missing)];
        let positions: Vec<&Position> = owned.iter().collect();
        let e = evaluate(&fake, "t", &current.to_string(), &a, &positions).unwrap();
        assert_eq!(e.parties[0].state, State::Stale);
    }

    #[test]
    fn consent_binds_to_content_not_to_ancestry() {
        // A sign-off on a text that never was in this history (a squashed pull request's)
        // holds when it means the same.
        let a = agreement(Rule::Consent, None, &[P]);
        let mut fake = FakeRevisions::default();
        let current = fake.add(1, a.clone());
        let mut squashed = a.clone();
        squashed.purpose = "P\n".into();
        let elsewhere = fake.add(2, squashed);
        let owned = [position(0, Y, elsewhere)];
        let positions: Vec<&Position> = owned.iter().collect();
        let e = evaluate(&fake, "t", &current.to_string(), &a, &positions).unwrap();
        assert_eq!(e.parties[0].state, State::Signed);
        assert!(e.parties[0].carried_over);
    }

    #[test]
    fn outsiders_are_listed_once_and_not_counted() {
        let a = agreement(Rule::Consent, None, &[P]);
        let mut fake = FakeRevisions::default();
        let rev = fake.add(1, a.clone());
        let owned = [position(0, Y, rev), position(7, X, rev), position(7, Y, rev)];
        let positions: Vec<&Position> = owned.iter().collect();
        let e = evaluate(&fake, "t", &rev.to_string(), &a, &positions).unwrap();
        assert!(e.ratified);
        assert_eq!(e.outsiders.len(), 1);
        assert_eq!(e.outsiders[0].email, "p7@example.com");
    }
}
