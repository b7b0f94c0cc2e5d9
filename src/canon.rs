//! The canonical text of an agreement, which `accord textconv` hands to `git diff` (SPEC §6):
//! fields in schema order, one clause per line, every text whitespace-normalised and every email
//! lower-cased, so that two revisions with the same meaning render identically and reflows,
//! comments, key order and string style vanish from `git diff`.
//!
//! Pure: bytes in, bytes out; no git, no terminal. [`textconv`] never fails: git runs it on any
//! file the `diff=accord` attribute matches, and a file that does not parse is shown as it is.

use std::fmt::Write as _;

use crate::model::{normalize_text, parse, Agreement};

/// The canonical rendering of `a`, one clause per line, ending with a newline.
///
/// ```text
/// title: Platform team charter
/// kind: charter
/// purpose: Give every product team a paved road from merge to production.
/// review_every: 90d
/// decision: consent
/// scope in: CI runners
/// scope out: application on-call
/// party: Ada Lovelace <ada@example.com> (steward)
/// commitment pager: Answer deploy-pipeline pages within 15 minutes.
///   by: grace@example.com
///   to: ada@example.com
/// norm: We review each other's pull requests within one working day.
/// ```
///
/// `review_by`, `ends` and `quorum` get a line of their own when set; a commitment without
/// `to` has no `to:` line.
pub fn render(a: &Agreement) -> String {
    // The normalised agreement: texts collapsed and emails lower-cased (SPEC §4, same meaning).
    let a = a.normalized();
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!("title: {}", a.title));
    line(format!("kind: {}", a.kind));
    line(format!("purpose: {}", a.purpose));
    if let Some(every) = &a.review_every {
        line(format!("review_every: {}", normalize_text(every)));
    }
    if let Some(by) = &a.review_by {
        line(format!("review_by: {by}"));
    }
    if let Some(ends) = &a.ends {
        line(format!("ends: {ends}"));
    }
    if a.retired {
        line("retired: true".to_string());
    }
    line(format!("decision: {}", a.decision.rule));
    if let Some(q) = a.decision.quorum {
        line(format!("quorum: {q}"));
    }
    if let Some(scope) = &a.scope {
        scope.included.iter().for_each(|s| line(format!("scope in: {s}")));
        scope.excluded.iter().for_each(|s| line(format!("scope out: {s}")));
    }
    for p in &a.parties {
        line(format!("party: {} ({})", p.ident(), p.role));
    }
    for c in &a.commitments {
        let mut s = format!("commitment {}: {}", c.id, c.text);
        if !c.by.is_empty() {
            write!(s, "\n  by: {}", c.by.join(", ")).unwrap_or_default();
        }
        if !c.to.is_empty() {
            write!(s, "\n  to: {}", c.to.join(", ")).unwrap_or_default();
        }
        line(s);
    }
    for n in &a.norms {
        line(format!("norm: {}", n.text));
    }
    if !a.supersedes.is_empty() {
        line(format!("supersedes: {}", a.supersedes.join(", ")));
    }
    out
}

/// What `accord textconv` prints for a file's bytes: the canonical rendering when the bytes
/// parse as an agreement (validation rules are not applied: a draft that breaks one still
/// diffs well), else the bytes unchanged.
pub fn textconv(bytes: &[u8]) -> Vec<u8> {
    match parse(bytes, "<file>") {
        Ok(a) => render(&a).into_bytes(),
        Err(_) => bytes.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"schema = 1
title = "Platform team charter"
kind = "charter"
purpose = """
Give every product team a paved road
from merge to production.
"""
review_every = "90d"

[decision]
rule = "consent"

[scope]
in = ["CI runners"]
out = ["application on-call"]

[[party]]
name = "Ada Lovelace"
email = "ada@example.com"
role = "steward"

[[party]]
name = "Grace Hopper"
email = "grace@example.com"

[[commitment]]
id = "pager"
by = ["grace@example.com"]
to = ["ada@example.com"]
text = "Answer deploy-pipeline pages within 15 minutes."

[[norm]]
text = "We review each other's pull requests within one working day."
"#;

    const CANONICAL: &str = r#"title: Platform team charter
kind: charter
purpose: Give every product team a paved road from merge to production.
review_every: 90d
decision: consent
scope in: CI runners
scope out: application on-call
party: Ada Lovelace <ada@example.com> (steward)
party: Grace Hopper <grace@example.com> (partner)
commitment pager: Answer deploy-pipeline pages within 15 minutes.
  by: grace@example.com
  to: ada@example.com
norm: We review each other's pull requests within one working day.
"#;

    fn agreement(text: &str) -> Agreement {
        parse(text.as_bytes(), "test.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn renders_in_schema_order() {
        assert_eq!(render(&agreement(FILE)), CANONICAL);
    }

    #[test]
    fn optional_fields_get_their_own_lines() {
        let text = FILE
            .replace("review_every = \"90d\"", "review_by = 2027-03-01\nends = 2027-06-30")
            .replace("rule = \"consent\"", "rule = \"quorum\"\nquorum = 2")
            .replace("to = [\"ada@example.com\"]\n", "");
        let expected = CANONICAL
            .replace("review_every: 90d", "review_by: 2027-03-01\nends: 2027-06-30")
            .replace("decision: consent", "decision: quorum\nquorum: 2")
            .replace("  to: ada@example.com\n", "");
        assert_eq!(render(&agreement(&text)), expected);
    }

    #[test]
    fn same_meaning_renders_identically() {
        let reflowed = r#"# Reordered, reflowed, commented.
schema = 1
kind = "charter"
title = 'Platform team charter'
purpose = "  Give every product team
  a paved road from merge   to production. "
review_every = "90d"

[scope]
out = ["application on-call"]
in = ["CI  runners"]

[[party]]
email = "ADA@example.com"   # upper case
name = "Ada Lovelace"
role = "steward"

[[party]]
name = "Grace   Hopper"
email = "grace@example.com"

[[commitment]]
text = """
Answer deploy-pipeline pages
within 15 minutes.
"""
id = "pager"
by = ["Grace@example.com"]
to = ["ada@example.com"]

[[norm]]
text = "We review each other's pull requests within one working day."
"#
        .replace("\"  Give", "\"\"\"  Give")
        .replace("production. \"", "production. \"\"\"");
        let (a, b) = (agreement(FILE), agreement(&reflowed));
        assert!(a.same_meaning(&b));
        assert_eq!(render(&b), CANONICAL);
    }

    #[test]
    fn textconv_renders_agreements() {
        assert_eq!(textconv(FILE.as_bytes()), CANONICAL.as_bytes());
        // Validation rules do not apply: a quorum larger than the parties still renders.
        let invalid = FILE.replace("rule = \"consent\"", "rule = \"quorum\"\nquorum = 9");
        assert!(String::from_utf8(textconv(invalid.as_bytes())).unwrap().contains("quorum: 9"));
    }

    #[test]
    fn textconv_passes_other_input_through() {
        let inputs: [&[u8]; 6] = [
            b"",
            b"not = [toml",
            b"\xff\xfe\x00binary",
            b"schema = 2\ntitle = \"future\"\n",
            b"schema = 1\ntitle = \"x\"\nkind = \"charter\"\npurpose = \"p\"\ntypo = 1\n",
            b"a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        ];
        for input in inputs {
            assert_eq!(textconv(input), input);
        }
        let huge = vec![b'#'; crate::model::MAX_FILE_BYTES + 1];
        assert_eq!(textconv(&huge), huge);
    }
}
