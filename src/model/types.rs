//! The serde types of an agreement file, schema 1 (SPEC §3), and the small value types they use
//! (`Kind`, `Rule`, `Role`, `Period`, ids).
//!
//! Pure data: no parsing of files, no diagnostics, no git. Comparing emails goes through
//! [`super::identity`]; deciding "same meaning" lives in [`super::meaning`].

use std::fmt;

use serde::{Deserialize, Serialize};
use toml::value::Datetime;

use super::identity::same_email;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    pub schema: u32,
    pub title: String,
    pub kind: Kind,
    pub purpose: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_every: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<Datetime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<Datetime>,
    #[serde(default)]
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    #[serde(default, rename = "party")]
    pub parties: Vec<Party>,
    #[serde(default, rename = "commitment", skip_serializing_if = "Vec::is_empty")]
    pub commitments: Vec<Commitment>,
    #[serde(default, rename = "norm", skip_serializing_if = "Vec::is_empty")]
    pub norms: Vec<Norm>,
    /// Retired through a ratified revision (SPEC §4 "Retiring"); removing the file afterwards
    /// passes the gate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
    /// Ids of the agreements this one replaces once it is ratified (SPEC §3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supersedes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Charter,
    Partnership,
    Service,
    WorkingAgreement,
    Decision,
}

impl Kind {
    pub const ALL: [Kind; 5] =
        [Kind::Charter, Kind::Partnership, Kind::Service, Kind::WorkingAgreement, Kind::Decision];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Charter => "charter",
            Kind::Partnership => "partnership",
            Kind::Service => "service",
            Kind::WorkingAgreement => "working-agreement",
            Kind::Decision => "decision",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    #[serde(default)]
    pub rule: Rule,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    #[default]
    Consent,
    Unanimous,
    Majority,
    Quorum,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Consent => "consent",
            Rule::Unanimous => "unanimous",
            Rule::Majority => "majority",
            Rule::Quorum => "quorum",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    #[serde(default, rename = "in")]
    pub included: Vec<String>,
    #[serde(default, rename = "out")]
    pub excluded: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub role: Role,
}

impl Party {
    /// `Name <email>`, the form used in `Accord-Party` trailers.
    pub fn ident(&self) -> String {
        format!("{} <{}>", self.name, self.email)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Steward,
    #[default]
    Partner,
    Client,
    Observer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Steward => "steward",
            Role::Partner => "partner",
            Role::Client => "client",
            Role::Observer => "observer",
        }
    }

    /// Observers are listed but their positions do not count toward ratification.
    pub fn counts(self) -> bool {
        self != Role::Observer
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    pub id: String,
    pub by: Vec<String>,
    // Serialised even when empty: `show --format json` gives `to` on every commitment.
    #[serde(default)]
    pub to: Vec<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Norm {
    pub text: String,
}

impl Agreement {
    /// The party with `email`, by the one identity rule (SPEC §4).
    pub fn party(&self, email: &str) -> Option<&Party> {
        self.parties.iter().find(|p| same_email(&p.email, email))
    }

    pub fn counted_parties(&self) -> impl Iterator<Item = &Party> {
        self.parties.iter().filter(|p| p.role.counts())
    }

    /// For each email (by [`super::email_key`]), the ids of the commitments it is in `by`
    /// and in `to`, in file order: one pass, so that per-party lists stay linear with
    /// thousands of parties (SPEC §9).
    pub fn commitments_by_email(&self) -> CommitmentIndex<'_> {
        let mut index = CommitmentIndex::default();
        for c in &self.commitments {
            for (list, emails) in [(&mut index.by, &c.by), (&mut index.to, &c.to)] {
                let mut seen = std::collections::HashSet::new();
                for e in emails {
                    let key = super::email_key(e);
                    if seen.insert(key.clone()) {
                        list.entry(key).or_default().push(c.id.as_str());
                    }
                }
            }
        }
        index
    }

    /// The party of each email (by [`super::email_key`]); the first where two share one.
    pub fn parties_by_email(&self) -> std::collections::HashMap<String, &Party> {
        let mut map = std::collections::HashMap::with_capacity(self.parties.len());
        for p in &self.parties {
            map.entry(super::email_key(&p.email)).or_insert(p);
        }
        map
    }
}

/// Commitment ids by email, from [`Agreement::commitments_by_email`].
#[derive(Debug, Default)]
pub struct CommitmentIndex<'a> {
    by: std::collections::HashMap<String, Vec<&'a str>>,
    to: std::collections::HashMap<String, Vec<&'a str>>,
}

impl<'a> CommitmentIndex<'a> {
    /// The commitments `email` answers for.
    pub fn by(&self, email: &str) -> &[&'a str] {
        self.by.get(&super::email_key(email)).map_or(&[], Vec::as_slice)
    }

    /// The commitments owed to `email`.
    pub fn to(&self, email: &str) -> &[&'a str] {
        self.to.get(&super::email_key(email)).map_or(&[], Vec::as_slice)
    }
}

/// `^[a-z0-9][a-z0-9-]{0,63}$`, for agreement and commitment ids.
pub fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && crate::trailers::every_byte(b, |c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'
        })
}

/// A review period such as `90d`, `2w` or `3m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Days(u32),
    Weeks(u32),
    Months(u32),
}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        let unit = s.chars().last()?;
        let n: u32 = s[..s.len() - unit.len_utf8()].parse().ok()?;
        if n == 0 || n > 10_000 || !s.as_bytes()[0].is_ascii_digit() {
            return None;
        }
        match unit {
            'd' => Some(Period::Days(n)),
            'w' => Some(Period::Weeks(n)),
            'm' => Some(Period::Months(n)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    /// The lookups that keep thousands of parties linear answer as the scans they replaced:
    /// emails by the identity rule, each commitment once per email, in file order.
    #[test]
    fn lookups_by_email_answer_as_scans_do() {
        let text = "schema = 1\ntitle = \"T\"\nkind = \"partnership\"\npurpose = \"P\"\n\n\
            [[party]]\nname = \"Ada\"\nemail = \"ada@example.com\"\n\n\
            [[party]]\nname = \"Grace\"\nemail = \"Grace@Example.com\"\n\n\
            [[commitment]]\nid = \"a\"\nby = [\"ADA@example.com\", \"ada@example.com\"]\nto = [\"grace@example.com\"]\ntext = \"x\"\n\n\
            [[commitment]]\nid = \"b\"\nby = [\"grace@example.com\"]\nto = [\"ada@example.com\", \"nobody@example.com\"]\ntext = \"y\"\n\n\
            [[commitment]]\nid = \"c\"\nby = [\"ada@example.com\"]\ntext = \"z\"\n";
        let a = crate::model::parse(text.as_bytes(), "t.toml").unwrap();
        let index = a.commitments_by_email();
        for email in ["ada@example.com", "GRACE@example.com", "nobody@example.com", "x@y.z"] {
            let scan = |pick: fn(&super::Commitment) -> &Vec<String>| -> Vec<&str> {
                a.commitments
                    .iter()
                    .filter(|c| pick(c).iter().any(|e| super::same_email(e, email)))
                    .map(|c| c.id.as_str())
                    .collect()
            };
            assert_eq!(index.by(email), scan(|c| &c.by), "by {email}");
            assert_eq!(index.to(email), scan(|c| &c.to), "to {email}");
            let found = a.parties_by_email().get(&crate::model::email_key(email)).map(|p| &p.name);
            assert_eq!(found, a.party(email).map(|p| &p.name), "party {email}");
        }
    }
}
