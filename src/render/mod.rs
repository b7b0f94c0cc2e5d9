//! Renderers for people: human text (optionally coloured) and markdown. They write to any
//! writer and know nothing of git; JSON views are serialise-only structs in `commands`.
//! `escape` holds the only two escapers for text accord did not write (one for terminals, one
//! for markdown); `diff` presents semantic diffs computed by `crate::diff`.

pub mod diff;
pub mod escape;
pub mod human;
pub mod markdown;

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
