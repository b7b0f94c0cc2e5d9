//! The one identity rule (SPEC §4): when two emails name the same person.
//!
//! Every email comparison in accord goes through [`same_email`], and every map keyed by email
//! through [`email_key`], so that party uniqueness, `by`/`to`, the signer, `verify` and "same
//! meaning" can never disagree. ASCII letters compare without case and every other character
//! exactly: no Unicode case folding or normalisation (U+212A KELVIN SIGN is not `k`). This module
//! must not trim, fold or normalise anything else.

/// Whether `a` and `b` are the same email by the one identity rule.
pub fn same_email(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The key under which an email is stored in a map or set: two emails have the same key exactly
/// when [`same_email`] holds for them.
pub fn email_key(e: &str) -> String {
    e.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kelvin_sign_is_not_k() {
        assert!(!same_email("\u{212A}@example.com", "k@example.com"));
        assert!(!same_email("\u{212A}@example.com", "K@example.com"));
        assert_ne!(email_key("\u{212A}@example.com"), email_key("k@example.com"));
    }

    #[test]
    fn ascii_letters_compare_without_case() {
        assert!(same_email("Ada@Example.com", "ada@example.com"));
        assert_eq!(email_key("Ada@Example.com"), email_key("ada@example.com"));
        assert_eq!(email_key("Ada@Example.com"), "ada@example.com");
    }

    #[test]
    fn other_characters_compare_exactly() {
        assert!(!same_email("\u{c9}va@example.com", "\u{e9}va@example.com"));
        assert!(!same_email(" ada@example.com", "ada@example.com"));
        assert_ne!(email_key("\u{c9}va@example.com"), email_key("\u{e9}va@example.com"));
    }
}
