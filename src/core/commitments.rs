//! Joint accountability made visible (SPEC §1, §3): each party's give and take within one
//! agreement, the commitments one party answers for (or is owed) across agreements, and since
//! when a commitment has stood unchanged in an agreement's history.
//!
//! Pure: agreements and edits in, plain values out; the command reads the repository and the
//! renderers present the answer.

use super::Evaluation;
use crate::model::{email_key, normalize_text, same_email, Agreement, Commitment, Kind, Role};

/// What one party gives (commitments where they are in `by`) and receives (in `to`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiveTake {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub gives: Vec<String>,
    pub receives: Vec<String>,
}

/// Each counted party's give and take, in party order. Observers are left out: they are listed
/// but bound to nothing.
pub fn give_and_take(a: &Agreement) -> Vec<GiveTake> {
    let ids = |pick: fn(&Commitment) -> &[String], email: &str| -> Vec<String> {
        a.commitments
            .iter()
            .filter(|c| pick(c).iter().any(|e| same_email(e, email)))
            .map(|c| c.id.clone())
            .collect()
    };
    a.counted_parties()
        .map(|p| GiveTake {
            name: p.name.clone(),
            email: p.email.clone(),
            role: p.role,
            gives: ids(|c| &c.by, &p.email),
            receives: ids(|c| &c.to, &p.email),
        })
        .collect()
}

/// The same, read from an evaluation (its parties carry what they give and receive); empty
/// unless the evaluated agreement is a partnership.
pub fn give_and_take_of(e: &Evaluation) -> Vec<GiveTake> {
    if !shows_give_and_take(e.kind) {
        return Vec::new();
    }
    e.parties
        .iter()
        .filter(|p| p.role.counts())
        .map(|p| GiveTake {
            name: p.name.clone(),
            email: p.email.clone(),
            role: p.role,
            gives: p.commitments.clone(),
            receives: p.owed.clone(),
        })
        .collect()
}

/// Whether the give and take is shown for `kind`: it is the rule of a partnership.
pub fn shows_give_and_take(kind: Kind) -> bool {
    kind == Kind::Partnership
}

/// Which side of a commitment a party is looked up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Accountable: the party is in `by`.
    By,
    /// Owed: the party is in `to`.
    To,
}

/// The commitments of `a` where `party` is on `side`; every commitment when `party` is `None`.
/// A retired agreement (`retired = true`) binds nobody any more: none of its commitments match,
/// as `due` and `pending` skip it too (SPEC §4).
pub fn matching<'a>(a: &'a Agreement, party: Option<&str>, side: Side) -> Vec<&'a Commitment> {
    if a.retired {
        return Vec::new();
    }
    a.commitments
        .iter()
        .filter(|c| {
            let Some(email) = party else { return true };
            let list = match side {
                Side::By => &c.by,
                Side::To => &c.to,
            };
            list.iter().any(|e| same_email(e, email))
        })
        .collect()
}

/// A commitment as "same meaning" compares it: text whitespace-normalised, emails keyed by the
/// identity rule. A commitment whose `by` or `to` changed is not the one that stood before.
fn key(c: &Commitment) -> (String, Vec<String>, Vec<String>, String) {
    let emails = |v: &[String]| v.iter().map(|e| email_key(e.trim())).collect::<Vec<_>>();
    (c.id.clone(), emails(&c.by), emails(&c.to), normalize_text(&c.text))
}

/// Given the texts of an agreement after each of its edits, newest first (`None` where the
/// file was deleted or does not parse), the index of the edit that introduced commitment `c`
/// as it stands now: the oldest edit of the newest unbroken run that holds it unchanged.
pub fn introduced_at(c: &Commitment, texts: &[Option<&Agreement>]) -> Option<usize> {
    Introductions::new(texts).edit_of(c)
}

/// [`introduced_at`] for many commitments of the same texts: each text's commitments looked
/// up by id, so that thousands of commitments stay linear (SPEC §9).
pub struct Introductions<'a> {
    texts: Vec<Option<std::collections::HashMap<&'a str, &'a Commitment>>>,
}

impl<'a> Introductions<'a> {
    pub fn new(texts: &[Option<&'a Agreement>]) -> Introductions<'a> {
        let texts = texts
            .iter()
            .map(|a| a.map(|a| a.commitments.iter().map(|c| (c.id.as_str(), c)).rev().collect()))
            .collect();
        Introductions { texts }
    }

    /// The index of the edit that introduced `c` as it stands now.
    pub fn edit_of(&self, c: &Commitment) -> Option<usize> {
        let want = key(c);
        let mut found = None;
        for (i, text) in self.texts.iter().enumerate() {
            let held = text.as_ref().and_then(|t| t.get(c.id.as_str()));
            if held.is_none_or(|x| key(x) != want) {
                break;
            }
            found = Some(i);
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partnership(commitments: &str) -> Agreement {
        let text = format!(
            "schema = 1\ntitle = \"T\"\nkind = \"partnership\"\npurpose = \"P\"\n\n\
             [[party]]\nname = \"Ada\"\nemail = \"ada@example.com\"\n\n\
             [[party]]\nname = \"Grace\"\nemail = \"grace@example.com\"\n\n\
             [[party]]\nname = \"Olive\"\nemail = \"olive@example.com\"\nrole = \"observer\"\n\
             {commitments}"
        );
        crate::model::parse(text.as_bytes(), "t.toml").unwrap()
    }

    const BOTH: &str = "\n[[commitment]]\nid = \"pager\"\nby = [\"grace@example.com\"]\n\
                        to = [\"ADA@example.com\"]\ntext = \"Answer pages.\"\n\
                        \n[[commitment]]\nid = \"review\"\nby = [\"ada@example.com\"]\n\
                        to = [\"grace@example.com\"]\ntext = \"Review  within a day.\"\n";

    #[test]
    fn a_retired_agreement_binds_nobody() {
        let mut a = partnership(BOTH);
        assert_eq!(matching(&a, None, Side::By).len(), 2);
        a.retired = true;
        assert!(matching(&a, None, Side::By).is_empty());
        assert!(matching(&a, Some("grace@example.com"), Side::By).is_empty());
        assert!(matching(&a, Some("ada@example.com"), Side::To).is_empty());
    }

    #[test]
    fn each_counted_party_gives_and_receives() {
        let a = partnership(BOTH);
        let g = give_and_take(&a);
        assert_eq!(g.len(), 2, "observers are left out");
        assert_eq!(
            (g[0].gives.clone(), g[0].receives.clone()),
            (vec!["review".into()], vec!["pager".into()])
        );
        assert_eq!(
            (g[1].gives.clone(), g[1].receives.clone()),
            (vec!["pager".into()], vec!["review".into()])
        );
    }

    #[test]
    fn matching_by_side() {
        let a = partnership(BOTH);
        let ids = |v: Vec<&Commitment>| v.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(matching(&a, Some("Ada@Example.com"), Side::By)), ["review"]);
        assert_eq!(ids(matching(&a, Some("ada@example.com"), Side::To)), ["pager"]);
        assert_eq!(ids(matching(&a, None, Side::By)), ["pager", "review"]);
        assert!(matching(&a, Some("olive@example.com"), Side::By).is_empty());
    }

    #[test]
    fn introduced_at_the_start_of_the_newest_unchanged_run() {
        let now = partnership(BOTH);
        let reflowed = partnership(&BOTH.replace("Review  within", "Review within"));
        let reworded = partnership(&BOTH.replace("Review  within a day", "Review within a week"));
        let c = &now.commitments[1];
        // Newest first: now, a reflow (same), a rewording, then the same text again (older).
        let texts = [Some(&now), Some(&reflowed), Some(&reworded), Some(&now)];
        assert_eq!(introduced_at(c, &texts), Some(1));
        assert_eq!(introduced_at(c, &[Some(&now), None, Some(&now)]), Some(0));
        assert_eq!(introduced_at(c, &[None]), None);
        let moved = partnership(
            &BOTH.replace("by = [\"ada@example.com\"]", "by = [\"grace@example.com\"]"),
        );
        assert_eq!(introduced_at(c, &[Some(&now), Some(&moved)]), Some(0));
    }
}
