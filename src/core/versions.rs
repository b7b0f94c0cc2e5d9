//! Fold an agreement's life into the versions of one field (`accord history`): one version per
//! run of revisions with the same value, who signed any revision while it stood, and whether
//! the agreement was ratified while it stood.

use std::collections::HashMap;

use super::evaluate::standings;
use super::meaning::SameMeaning;
use super::replay::{Edit, Event, Texts};
use crate::diff::{self, Segment};
use crate::error::Result;
use crate::ledger::{Position, State};
use crate::model::{normalize_text, Agreement};
use crate::oid::ObjectId;
use crate::trailers::Stance;

/// The fields `history --field` can follow, for help and errors.
pub const FIELDS: &str = "purpose, title, kind, decision, review_every, review_by, ends, scope, parties, norms, commitment.<id>";

/// Whether `name` is a field `history` can follow.
pub fn is_field(name: &str) -> bool {
    const KNOWN: [&str; 10] = [
        "purpose",
        "title",
        "kind",
        "decision",
        "review_every",
        "review_by",
        "ends",
        "scope",
        "parties",
        "norms",
    ];
    KNOWN.contains(&name) || name.strip_prefix("commitment.").is_some_and(crate::model::valid_id)
}

/// The value of a field as normalised text; `None` where it is absent.
pub fn field(a: &Agreement, name: &str) -> Option<String> {
    match name {
        "purpose" => Some(normalize_text(&a.purpose)),
        "title" => Some(normalize_text(&a.title)),
        "kind" => Some(a.kind.to_string()),
        "decision" => Some(match a.decision.quorum {
            Some(q) => format!("{} {q}", a.decision.rule),
            None => a.decision.rule.to_string(),
        }),
        "review_every" => a.review_every.clone(),
        "review_by" => a.review_by.map(|d| d.to_string()),
        "ends" => a.ends.map(|d| d.to_string()),
        "scope" => a.scope.as_ref().map(|s| {
            let f =
                |v: &[String]| v.iter().map(|x| normalize_text(x)).collect::<Vec<_>>().join("; ");
            format!("in: {} | out: {}", f(&s.included), f(&s.excluded))
        }),
        "parties" => Some(
            a.parties
                .iter()
                .map(|p| {
                    format!(
                        "{} <{}> {}",
                        normalize_text(&p.name),
                        crate::model::email_key(&p.email),
                        p.role
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        "norms" => {
            Some(a.norms.iter().map(|n| normalize_text(&n.text)).collect::<Vec<_>>().join(" | "))
        }
        // A commitment is its text and who is accountable to whom: moving it to someone else
        // changes it as much as rewording it.
        other => {
            let id = other.strip_prefix("commitment.")?;
            let emails = |v: &[String]| {
                v.iter().map(|e| crate::model::email_key(e.trim())).collect::<Vec<_>>().join(", ")
            };
            a.commitments.iter().find(|c| c.id == id).map(|c| {
                let mut value = format!("{} (by {}", normalize_text(&c.text), emails(&c.by));
                if !c.to.is_empty() {
                    value.push_str("; to ");
                    value.push_str(&emails(&c.to));
                }
                value.push(')');
                value
            })
        }
    }
}

/// One version of a field.
#[derive(Debug, Clone)]
pub struct Version {
    /// The value (whitespace-normalised); `None` when the field was not set.
    pub value: Option<String>,
    /// The edit that introduced it.
    pub time: i64,
    pub author: String,
    pub email: String,
    pub commit: ObjectId,
    /// The revisions (blob ids, full hex) during which this value stood.
    pub revisions: Vec<String>,
    /// Word diff from the version before (empty for the first).
    pub words: Vec<Segment>,
    /// Parties who signed any revision while this value stood, and those whose earlier sign-off
    /// counted for it (a revert brings back the sign-offs on the text it restores).
    pub signed_by: Vec<String>,
    /// Whether the agreement was ratified at any point while this value stood.
    pub ratified: bool,
    /// Whether this is the value standing at the end of the history and the agreement is
    /// ratified there (false for every value that no longer stands).
    pub ratified_now: bool,
    /// Whether this is the value standing at the end of the history.
    pub current: bool,
}

fn add_signers(v: &mut Version, signers: Vec<String>) {
    for s in signers {
        if !v.signed_by.contains(&s) {
            v.signed_by.push(s);
        }
    }
}

/// Who stands `signed` on `blob`, given each party's latest position so far (SPEC §4: a
/// sign-off binds to the text signed, and carries over to a text with the same meaning).
fn signed_now<R: Texts + ?Sized>(
    reader: &R,
    blob: ObjectId,
    latest: &HashMap<String, &Position>,
) -> Result<Vec<String>> {
    let Some(agreement) = reader.agreement(blob)? else { return Ok(Vec::new()) };
    let Some(meaning) = reader.meaning(blob)? else { return Ok(Vec::new()) };
    let positions: Vec<&Position> = latest.values().copied().collect();
    let same = SameMeaning::with_meaning(reader, meaning);
    Ok(standings(&agreement, &blob.to_string(), &positions, &same)?
        .iter()
        .filter(|s| s.state == State::Signed)
        .filter_map(|s| s.position)
        .map(|p| format!("{} <{}>", p.trailers.name, p.trailers.email))
        .collect())
}

/// The versions of field `name`, oldest first, from `events` (newest first) and `ratified`,
/// the replay of the same events ([`super::replay::replay`]).
pub fn fold<R: Texts + ?Sized>(
    reader: &R,
    events: &[Event],
    ratified: &[Option<bool>],
    name: &str,
) -> Result<Vec<Version>> {
    // Each party's latest position so far, by email (ASCII case folded, as in the replay).
    let mut latest: HashMap<String, &Position> = HashMap::new();
    let mut versions: Vec<Version> = Vec::new();
    // The version of the text standing after the latest edit, and that text.
    let mut standing: Option<usize> = None;
    let mut current: Option<ObjectId> = None;
    for k in (0..events.len()).rev() {
        match &events[k] {
            Event::Edit(e) => {
                current = e.blob;
                standing = None;
                let Some(blob) = e.blob else { continue };
                let Some(a) = reader.agreement(blob)? else { continue };
                let i = place(reader, &mut versions, e, blob, field(&a, name), name)?;
                standing = Some(i);
                if ratified[k] == Some(true) {
                    versions[i].ratified = true;
                }
                // Sign-offs made before this text stood can count for it: a revert restores
                // the very blob they signed, or a text with the same meaning carries them over.
                add_signers(&mut versions[i], signed_now(reader, blob, &latest)?);
            }
            Event::Position(p) => {
                latest.insert(crate::model::email_key(&p.trailers.email), &**p);
                let (Some(i), Some(blob)) = (standing, current) else { continue };
                if ratified[k] == Some(true) {
                    versions[i].ratified = true;
                }
                if p.trailers.stance != Stance::Sign {
                    continue;
                }
                // A sign-off counts for the version whose revisions include the one signed,
                // while that version stands (one made after it was replaced is on an earlier
                // text)...
                let signer = format!("{} <{}>", p.trailers.name, p.trailers.email);
                let target =
                    versions.iter().rposition(|v| v.revisions.contains(&p.trailers.revision));
                if target == Some(i) {
                    add_signers(&mut versions[i], vec![signer]);
                }
                // ...and for the text standing now when it has the same meaning.
                add_signers(&mut versions[i], signed_now(reader, blob, &latest)?);
            }
        }
    }
    if let Some(i) = standing {
        versions[i].current = true;
        versions[i].ratified_now = ratified.first() == Some(&Some(true));
    }
    Ok(versions)
}

/// Join the edit's revision to the version it continues, or start a new one; its index.
fn place<R: Texts + ?Sized>(
    reader: &R,
    versions: &mut Vec<Version>,
    e: &Edit,
    blob: ObjectId,
    value: Option<String>,
    name: &str,
) -> Result<usize> {
    // The value this edit replaced (at its first parent). On branches merged together the
    // edit just before in time may sit on another branch: an edit that leaves the value as its
    // parent had it starts no version.
    let before = match e.before {
        Some(b) => reader.agreement(b)?.map(|a| field(&a, name)),
        None => None,
    };
    let joined = match versions.last() {
        Some(v) if v.value == value => Some(versions.len() - 1),
        _ if before.as_ref() == Some(&value) => versions.iter().rposition(|v| v.value == value),
        _ => None,
    };
    if let Some(i) = joined {
        // Each revision once: a pure rename keeps the blob it renamed.
        let blob = blob.to_string();
        if !versions[i].revisions.contains(&blob) {
            versions[i].revisions.push(blob);
        }
        return Ok(i);
    }
    let prev = before.or_else(|| versions.last().map(|v| v.value.clone()));
    let words = match prev {
        Some(prev) => diff::words(prev.as_deref().unwrap_or(""), value.as_deref().unwrap_or("")),
        None => Vec::new(),
    };
    versions.push(Version {
        value,
        time: e.time,
        author: e.author_name.clone(),
        email: e.author_email.clone(),
        commit: e.commit,
        revisions: vec![blob.to_string()],
        words,
        signed_by: Vec::new(),
        ratified: false,
        ratified_now: false,
        current: false,
    });
    Ok(versions.len() - 1)
}
