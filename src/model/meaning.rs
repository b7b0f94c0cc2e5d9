//! "Same meaning" (SPEC §4): the normal form of an agreement and the comparison built on it.
//!
//! Texts are trimmed and their whitespace runs collapsed; emails are keyed by the one identity
//! rule ([`super::identity::email_key`]), never by Unicode case folding. Pure: this module must
//! not know about files, positions or git.

use super::identity::email_key;
use super::types::Agreement;

impl Agreement {
    /// The agreement with every text trimmed and its whitespace runs collapsed, and every
    /// email keyed by the one identity rule: two revisions have the same meaning when these are
    /// equal (SPEC §4).
    pub fn normalized(&self) -> Agreement {
        let mut a = self.clone();
        a.title = normalize_text(&a.title);
        a.purpose = normalize_text(&a.purpose);
        if let Some(scope) = &mut a.scope {
            scope.included.iter_mut().for_each(|s| *s = normalize_text(s));
            scope.excluded.iter_mut().for_each(|s| *s = normalize_text(s));
        }
        // An empty `[scope]` says nothing more than no `[scope]`.
        if a.scope.as_ref().is_some_and(|s| s.included.is_empty() && s.excluded.is_empty()) {
            a.scope = None;
        }
        // Trimmed first as before: a valid file has no space in an email, and a file read
        // without validation (an old revision's fingerprint) keeps the meaning it had.
        for p in &mut a.parties {
            p.name = normalize_text(&p.name);
            p.email = email_key(p.email.trim());
        }
        for c in &mut a.commitments {
            c.text = normalize_text(&c.text);
            c.by.iter_mut().for_each(|e| *e = email_key(e.trim()));
            c.to.iter_mut().for_each(|e| *e = email_key(e.trim()));
        }
        for n in &mut a.norms {
            n.text = normalize_text(&n.text);
        }
        // Which agreements it replaces is a set: the order they are listed in means nothing.
        a.supersedes.sort();
        a.supersedes.dedup();
        a
    }

    pub fn same_meaning(&self, other: &Agreement) -> bool {
        self.normalized() == other.normalized()
    }
}

/// Trim and collapse every run of whitespace to one space.
pub fn normalize_text(s: &str) -> String {
    // (The words joined by single spaces, built in one string: every fingerprint of every
    // revision goes through here.)
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The words joined by single spaces, whatever the whitespace (Unicode's included).
        #[test]
        fn normalize_text_joins_the_words(s in "[a b\\t\\n\\r\\u{a0}\\u{2003}\\u{85}é]{0,40}") {
            let words: Vec<&str> = s.split_whitespace().collect();
            proptest::prop_assert_eq!(normalize_text(&s), words.join(" "));
        }
    }
}
