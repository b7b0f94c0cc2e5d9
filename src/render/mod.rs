//! Renderers for people: human text (optionally coloured) and markdown. They write to any
//! writer and know nothing of git; JSON views are serialise-only structs in [`json`].
//! `escape` holds the only two escapers for text accord did not write (one for terminals, one
//! for markdown); `diff` presents semantic diffs computed by `crate::diff`. A command that
//! prints more than a line has its own file here (its rows or report and a `write` taking the
//! `Ui`); commands fill the data and never format it themselves.

pub mod check;
pub mod commitments;
pub mod diff;
pub mod diff_report;
pub mod due;
pub mod escape;
pub mod history;
pub mod human;
pub mod json;
pub mod list;
pub mod log;
pub mod markdown;
pub mod pending;
pub mod position;
pub mod review;
pub mod site;
pub mod verify;

use crate::model::Agreement;

/// Dates and periods of an agreement as display strings.
pub fn review_line(a: &Agreement) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(p) = &a.review_every {
        parts.push(format!("review every {p}"));
    }
    if let Some(d) = &a.review_by {
        parts.push(format!("review by {d}"));
    }
    if let Some(d) = &a.ends {
        parts.push(format!("ends {d}"));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// `ada@example.com` → `Ada Lovelace <ada@example.com>` when the email names a party.
pub fn who(a: &Agreement, email: &str) -> String {
    match a.party(email) {
        Some(p) => format!("{} <{}>", p.name, p.email),
        None => email.to_string(),
    }
}

/// Seconds since the epoch as RFC 3339 UTC, as every JSON time and human date is shown.
pub fn rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| secs.to_string())
}
