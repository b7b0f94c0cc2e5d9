//! The agreement file, schema 1 (SPEC §3): its serde types, loading with `file:line:col`
//! diagnostics, the validation rules, the one identity rule for emails, and "same meaning".
//!
//! Pure: no git, no terminal. Loading never panics on any input; every problem becomes a
//! [`Diagnostic`] that names the file, the position and the offending key.
//!
//! - `types`: the serde types and small value types (`Kind`, `Rule`, `Role`, `Period`, ids);
//! - `identity`: the one identity rule (SPEC §4), [`same_email`] and [`email_key`];
//! - `meaning`: [`Agreement::normalized`] and [`Agreement::same_meaning`];
//! - `diagnostic`: [`Diagnostic`], [`LoadError`] and [`escape_controls`];
//! - `locate`: TOML spans and keys turned into `file:line:col` and `party[1].email`;
//! - `plain`: a quick reader for the plain TOML agreements are written in, which leaves
//!   everything else to toml;
//! - `validate`: the rules of SPEC §3, one function each, and those of §9 for a text nobody can
//!   agree to (conflict markers, placeholders), which only `check` and `sign` apply.
//!
//! This file holds the two entry points, [`parse`] and [`load`].

mod diagnostic;
mod identity;
mod locate;
mod meaning;
mod plain;
mod types;
mod validate;

use std::ops::Range;

use serde::Deserialize;

pub use diagnostic::{escape_controls, Diagnostic, LoadError};
pub use identity::{email_key, same_email};
pub use meaning::normalize_text;
pub use types::{
    valid_id, Agreement, Commitment, CommitmentIndex, Decision, Kind, Norm, Party, Period, Role,
    Rule, Scope,
};
pub use validate::{unagreeable, validate};

/// Largest agreement file accord reads. Agreements are prose for people; a file past this is a
/// mistake (or an attack) and is refused before parsing.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// The only schema version this build understands.
pub const SCHEMA: u32 = 1;

/// Parse without validating: the file must be UTF-8 TOML matching schema 1's shape.
pub fn parse(bytes: &[u8], file: &str) -> Result<Agreement, LoadError> {
    let unreadable = |offset: Option<usize>, text: &str, key: Option<String>, msg: String| {
        let (line, column) = locate::Lines::new(text).position(offset);
        LoadError::Unreadable(Box::new(Diagnostic {
            file: file.to_string(),
            line,
            column,
            key: key.map(|k| escape_controls(&k)),
            hint: Some(unreadable_hint(&msg).to_string()),
            message: escape_controls(&msg),
        }))
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(unreadable(
            None,
            "",
            None,
            // Not the exact size: a caller may stop reading a large file early.
            format!(
                "file is larger than the {MAX_FILE_BYTES} bytes (1 MiB) accord reads; an \
                 agreement is prose for people"
            ),
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let lossy = String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned();
            return Err(unreadable(
                Some(e.valid_up_to()),
                &lossy,
                None,
                "not valid UTF-8; save the file as UTF-8".into(),
            ));
        }
    };
    // The schema version is checked before anything else, so a future file says so rather
    // than failing on keys this build does not know. A file that reads as schema 1 has no other
    // version: only a failure or another number needs the second look.
    // Plain TOML, as agreements mostly are, is read quickly; anything else by toml itself.
    let quick = plain::table(text).and_then(|t| Agreement::deserialize(toml::Value::Table(t)).ok());
    let parsed = quick.map_or_else(|| toml::from_str::<Agreement>(text), Ok);
    let schema_1 = parsed.as_ref().is_ok_and(|a| a.schema == SCHEMA);
    if let Some((v, offset)) = (!schema_1).then(|| other_schema(text)).flatten() {
        return Err(unreadable(
            offset,
            text,
            Some("schema".into()),
            format!("unsupported schema {v}; this accord reads schema {SCHEMA}"),
        ));
    }
    parsed.map_err(|e| {
        let span = e.span();
        let msg = control_character(text, span.as_ref())
            .map(|c| {
                format!(
                    "control character U+{:04X} is not allowed in TOML (none is, outside a \
                     string's escapes)",
                    c as u32
                )
            })
            .unwrap_or_else(|| e.message().trim_end().to_string());
        let msg = if msg.is_empty() { "not valid TOML".to_string() } else { msg };
        let key = locate::toml_error_key(text, &msg, span.as_ref());
        unreadable(span.map(|s: Range<usize>| s.start), text, key, msg)
    })
}

/// The ASCII control character (other than tab and line ends: TOML allows no other anywhere)
/// on the line where toml stopped: toml's message for one is empty (in a comment) or says only
/// "invalid basic string".
fn control_character(text: &str, span: Option<&Range<usize>>) -> Option<char> {
    let start = span?.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    text.get(line_start..line_end)?
        .chars()
        .find(|&c| (c < ' ' || c == '\x7f') && c != '\t' && c != '\r')
}

/// What to do about a file that cannot be read as schema 1, by what was wrong (SPEC §9).
fn unreadable_hint(msg: &str) -> &'static str {
    if msg.starts_with("file is larger") {
        "keep the agreement itself short; link to longer material from its text"
    } else if msg.starts_with("not valid UTF-8") {
        "re-save the file with the UTF-8 encoding"
    } else if msg.starts_with("unsupported schema") {
        "write `schema = 1`, or read the file with the accord that wrote it"
    } else if msg.starts_with("unknown field") {
        "remove the key or fix its spelling (\"The agreement file\" in the README lists every key)"
    } else if msg.starts_with("missing field") {
        "add the key (\"The agreement file\" in the README lists what each table needs)"
    } else if msg.starts_with("unknown variant") {
        "use one of the values listed"
    } else if msg.starts_with("control character") {
        "remove it; inside a string, write it as an escape (`\\u001b`)"
    } else if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        "write the value as \"The agreement file\" in the README shows it"
    } else {
        "fix the TOML there: strings in quotes, one key per line, a `[[party]]` table per party"
    }
}

/// The `schema` of a TOML file and where it is written, when it is an integer other than
/// [`SCHEMA`].
fn other_schema(text: &str) -> Option<(i64, Option<usize>)> {
    let doc = text.parse::<toml_edit::ImDocument<String>>().ok()?;
    let item = doc.as_item().get("schema")?;
    let v = item.as_integer()?;
    (v != i64::from(SCHEMA)).then(|| (v, item.span().map(|s| s.start)))
}

/// Parse and validate. The usual entry point.
pub fn load(bytes: &[u8], file: &str) -> Result<Agreement, LoadError> {
    load_parsed(parse(bytes, file)?, bytes, file)
}

/// [`load`] for a text already [`parse`]d: `agreement` must be what `parse(bytes, file)`
/// gave.
pub fn load_parsed(agreement: Agreement, bytes: &[u8], file: &str) -> Result<Agreement, LoadError> {
    // parse() succeeded, so the bytes are UTF-8.
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    let problems = validate(&agreement, text, file);
    if problems.is_empty() {
        Ok(agreement)
    } else {
        Err(LoadError::Invalid(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"schema = 1
title = "T"
kind = "charter"
purpose = "P"

[[party]]
name = "Ada"
email = "ada@example.com"
"#;

    #[test]
    fn minimal_loads() {
        let a = load(MINIMAL.as_bytes(), "a.toml").unwrap();
        assert_eq!(a.parties[0].role, Role::Partner);
        assert_eq!(a.decision.rule, Rule::Consent);
    }

    #[test]
    fn unknown_key_is_located() {
        let text = MINIMAL.replace("purpose = \"P\"", "purpose = \"P\"\npurpsoe = \"x\"");
        let err = load(text.as_bytes(), "a.toml").unwrap_err();
        let LoadError::Unreadable(d) = err else { panic!("{err:?}") };
        assert_eq!((d.line, d.column), (Some(5), Some(1)));
        assert_eq!(d.key.as_deref(), Some("purpsoe"));
    }

    #[test]
    fn duplicate_key_is_named_and_located() {
        let text = MINIMAL.replace("purpose = \"P\"", "purpose = \"P\"\ntitle = \"U\"");
        let err = load(text.as_bytes(), "a.toml").unwrap_err();
        let LoadError::Unreadable(d) = err else { panic!("{err:?}") };
        assert_eq!((d.line, d.column), (Some(5), Some(1)));
        assert!(d.message.starts_with("duplicate key `title`"), "{}", d.message);
    }

    /// Agreements are TOML 1.0: what only TOML 1.1 allows is refused, so that every build a
    /// team runs reads the same files the same way (toml 0.9 reads TOML 1.1; a bump of the
    /// toml crate must not change this silently). Each text is valid but for that syntax.
    #[test]
    fn toml_1_1_syntax_is_refused() {
        let valid = format!("{MINIMAL}[decision]\nrule = \"consent\"\n");
        assert!(load(valid.as_bytes(), "a.toml").is_ok());
        for text in [
            valid.replace("purpose = \"P\"", "purpose = \"\\x50\""),
            valid.replace("purpose = \"P\"", "purpose = \"P\\e\""),
            MINIMAL.replace(
                "purpose = \"P\"",
                "purpose = \"P\"\ndecision = {\n  rule = \"consent\",\n}",
            ),
        ] {
            match load(text.as_bytes(), "a.toml") {
                Err(LoadError::Unreadable(_)) => {}
                other => panic!("{text}\n{other:?}"),
            }
        }
    }

    #[test]
    fn duplicate_email_is_located() {
        let text = format!("{MINIMAL}\n[[party]]\nname = \"B\"\nemail = \"ADA@example.com\"\n");
        let err = load(text.as_bytes(), "a.toml").unwrap_err();
        let LoadError::Invalid(ds) = err else { panic!() };
        assert_eq!(ds.len(), 1);
        assert_eq!((ds[0].line, ds[0].column), (Some(12), Some(9)));
        assert_eq!(ds[0].key.as_deref(), Some("party[1].email"));
    }

    #[test]
    fn same_meaning_ignores_whitespace_and_case() {
        let a = load(MINIMAL.as_bytes(), "a").unwrap();
        let text = MINIMAL
            .replace("purpose = \"P\"", "purpose = \"\"\"\n  P\n\"\"\"  # why")
            .replace("ada@", "ADA@");
        let b = load(text.as_bytes(), "a").unwrap();
        assert!(a.same_meaning(&b));
        let c = load(MINIMAL.replace("\"P\"", "\"P Q\"").as_bytes(), "a").unwrap();
        assert!(!a.same_meaning(&c));
    }

    /// issue 11: emails compare by the one identity rule (SPEC §4): ASCII letters without case,
    /// everything else exactly, so U+212A KELVIN SIGN is not `k` anywhere in the model.
    #[test]
    fn issue11_kelvin_sign_is_not_k() {
        let k = MINIMAL.replace("ada@", "kelvin@");
        let kelvin = MINIMAL.replace("ada@", "\u{212A}elvin@");
        // `parse`, not `load`: `check` refuses an email that is not printable ASCII (below).
        let (k, kelvin) =
            (load(k.as_bytes(), "a").unwrap(), parse(kelvin.as_bytes(), "a").unwrap());
        assert!(!k.same_meaning(&kelvin));
        assert!(k.party("\u{212A}elvin@example.com").is_none());
        assert!(kelvin.party("KELVIN@example.com").is_none());
        assert!(k.party("KELVIN@Example.COM").is_some());

        // Two parties that differ only by the sign are two parties.
        let kelvin_party = "\n[[party]]\nname = \"K\"\nemail = \"\u{212A}da@example.com\"\n";
        let both = format!(
            "{MINIMAL}{kelvin_party}\n[[party]]\nname = \"L\"\nemail = \"kda@example.com\"\n"
        );
        assert_eq!(parse(both.as_bytes(), "a.toml").unwrap().parties.len(), 3);

        // A `by` in ASCII does not name the party with the sign, whatever its case.
        let by = format!(
            "{MINIMAL}{kelvin_party}\
             \n[[commitment]]\nid = \"c\"\nby = [\"KDA@example.com\"]\ntext = \"x\"\n\
             \n[[commitment]]\nid = \"d\"\nby = [\"\u{212A}DA@Example.com\"]\ntext = \"x\"\n"
        );
        let LoadError::Invalid(ds) = load(by.as_bytes(), "a.toml").unwrap_err() else { panic!() };
        assert_eq!(ds.len(), 2, "{ds:?}");
        assert_eq!(ds[0].key.as_deref(), Some("party[1].email"));
        assert!(ds[0].message.contains("is not printable ASCII (it holds U+212A)"), "{ds:?}");
        assert_eq!(ds[1].key.as_deref(), Some("commitment[0].by[0]"));
        assert_eq!(ds[1].message, "`KDA@example.com` is not a party of this agreement");
    }

    #[test]
    fn ascii_case_is_the_same_email_everywhere() {
        let upper = load(MINIMAL.replace("ada@example", "Ada@Example").as_bytes(), "a").unwrap();
        let lower = load(MINIMAL.as_bytes(), "a").unwrap();
        assert!(upper.same_meaning(&lower));
        assert_eq!(lower.party("Ada@Example.com").map(|p| p.name.as_str()), Some("Ada"));
    }

    /// issue 11: a 1 MiB file of 27,000 parties took half a minute to validate, because every
    /// party and every `by`/`to` was compared with every party. This finishes only if validation
    /// is (near) linear.
    #[test]
    fn issue11_validation_is_linear_in_parties_and_commitments() {
        const N: usize = 30_000;
        let mut a = load(MINIMAL.as_bytes(), "a").unwrap();
        a.kind = Kind::Partnership;
        let email = |i: usize| format!("p{i}@example.com");
        a.parties = (0..N)
            .map(|i| Party { name: format!("P{i}"), email: email(i), role: Role::Partner })
            .collect();
        a.commitments = (0..N)
            .map(|i| Commitment {
                id: format!("c{i}"),
                by: vec![email(i).to_uppercase()],
                to: vec![email((i + 1) % N)],
                text: "x".into(),
            })
            .collect();
        assert_eq!(validate(&a, "", "a.toml"), vec![]);

        // The same with every email one party's, and every id one id: a problem per entry.
        a.parties.iter_mut().for_each(|p| p.email = email(0));
        a.commitments.iter_mut().for_each(|c| c.id = "c".into());
        let ds = validate(&a, "", "a.toml");
        assert_eq!(ds.iter().filter(|d| d.message.contains("already the email")).count(), N - 1);
        assert_eq!(ds.iter().filter(|d| d.message.contains("used twice")).count(), N - 1);
    }

    #[test]
    fn an_empty_scope_means_no_scope() {
        let a = load(MINIMAL.as_bytes(), "a").unwrap();
        let b = load(format!("{MINIMAL}\n[scope]\n").as_bytes(), "a").unwrap();
        assert!(a.same_meaning(&b));
    }

    #[test]
    fn ids() {
        for ok in ["a", "0", "platform-charter", &"a".repeat(64)] {
            assert!(valid_id(ok), "{ok}");
        }
        for bad in ["", "-a", "A", "a/b", "../x", "a b", "é", &"a".repeat(65)] {
            assert!(!valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn periods() {
        assert_eq!(Period::parse("90d"), Some(Period::Days(90)));
        assert_eq!(Period::parse("3m"), Some(Period::Months(3)));
        for bad in ["", "d", "0d", "-1d", "1y", "1.5w", "+3d"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn garbage_never_panics() {
        for input in
            [&b"\xff\xfe"[..], b"[[[", b"schema = 2", b"a = [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]"]
        {
            assert!(load(input, "x").is_err());
        }
    }

    /// issue 6: a NUL or carriage return in a name, or any control character in an email,
    /// would not survive the `Accord-Party` trailer; diagnostics that quote the file show
    /// control characters escaped instead of sending them to the terminal.
    #[test]
    fn issue6_control_characters_in_names_and_emails_are_refused_and_escaped() {
        let nul = MINIMAL.replace("name = \"Ada\"", "name = \"A\\u0000da\"");
        let LoadError::Invalid(ds) = load(nul.as_bytes(), "a.toml").unwrap_err() else { panic!() };
        assert_eq!(ds[0].key.as_deref(), Some("party[0].name"));
        assert_eq!(ds[0].message, "name must not contain the control character U+0000");
        let cr = MINIMAL.replace("name = \"Ada\"", "name = \"Ada\\rEve\"");
        let LoadError::Invalid(ds) = load(cr.as_bytes(), "a.toml").unwrap_err() else { panic!() };
        assert_eq!(ds[0].message, "name must not contain `<`, `>` or a line break");
        // Anything else is stored as written (git keeps it too); renderers escape it.
        let esc = MINIMAL.replace("name = \"Ada\"", "name = \"Ada\\u001b[31m\"");
        assert_eq!(load(esc.as_bytes(), "a.toml").unwrap().parties[0].name, "Ada\u{1b}[31m");

        let bad_email = MINIMAL.replace("ada@example.com", "ada@exa\\u001bmple.com");
        let err = load(bad_email.as_bytes(), "a.toml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.toml:8:9: `party[0].email`: `ada@exa\\u{1b}mple.com` is not an email address \
             (hint: use the email the party commits with (git config user.email))"
        );

        let bad_kind = MINIMAL.replace("\"charter\"", "\"\\u001b[31mcharter\\u009b\"");
        let text = load(bad_kind.as_bytes(), "a.toml").unwrap_err().to_string();
        assert!(text.contains("\\u{1b}[31mcharter\\u{9b}"), "{text}");
        assert!(!text.contains(['\u{1b}', '\u{9b}']), "{text}");
    }

    /// issue 6: bad input from the table in SPEC §9 fails as an error, never a panic or a stack
    /// overflow.
    #[test]
    fn issue6_deep_nesting_and_huge_files_are_errors() {
        for (open, close) in [("[", "]"), ("{a=", "}")] {
            let text = format!("{MINIMAL}x = {}1{}\n", open.repeat(10_000), close.repeat(10_000));
            assert!(matches!(load(text.as_bytes(), "a.toml"), Err(LoadError::Unreadable(_))));
        }
        let big = MINIMAL.replace("\"P\"", &format!("\"{}\"", "p".repeat(2 << 20)));
        let err = load(big.as_bytes(), "a.toml").unwrap_err();
        assert!(err.to_string().contains("larger than the 1048576 bytes"), "{err}");
        assert!(load(b"schema = 1\0", "a.toml").is_err());
        assert!(load(b"\xef\xbb\xbfschema = 1\xc3\x28", "a.toml").is_err());
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Lines that make TOML shaped like an agreement, good and bad.
        fn line() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("schema = 1".to_string()),
                Just("title = \"T\"".to_string()),
                Just("kind = \"partnership\"".to_string()),
                Just("kind = \"service\"".to_string()),
                Just("purpose = \"\"\"\nP\n\"\"\"".to_string()),
                Just("review_every = \"90d\"".to_string()),
                Just("review_by = 2027-03-01".to_string()),
                Just("ends = 2027-06-30T10:00:00Z".to_string()),
                Just("[decision]".to_string()),
                Just("rule = \"quorum\"".to_string()),
                Just("quorum = 2".to_string()),
                Just("[scope]".to_string()),
                Just("in = [\"a\", \" \"]".to_string()),
                Just("[[party]]".to_string()),
                Just("name = \"Ada\"".to_string()),
                Just("email = \"ada@example.com\"".to_string()),
                Just("role = \"observer\"".to_string()),
                Just("[[commitment]]".to_string()),
                Just("id = \"pager\"".to_string()),
                Just("by = [\"ada@example.com\"]".to_string()),
                Just("to = [\"grace@example.com\"]".to_string()),
                Just("text = \"x\"".to_string()),
                Just("[[norm]]".to_string()),
                // Values of the wrong kind, as strings or otherwise.
                Just("review_by = \"2027-03-01\"".to_string()),
                Just("ends = \"2027-06-30T10:00:00Z\"".to_string()),
                Just("title = 5".to_string()),
                Just("quorum = \"2\"".to_string()),
                Just("quorum = -1".to_string()),
                Just("schema = 2".to_string()),
                Just("retired = true".to_string()),
                Just("retired = \"yes\"".to_string()),
                Just("supersedes = [\"old\", 1]".to_string()),
                Just("rule = \"Consent\"".to_string()),
                "[a-z_]{1,8} = [\\PC]{0,12}",
                "[\\PC\t]{0,20}",
            ]
        }

        proptest! {
            #[test]
            fn any_bytes_load_or_fail_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
                let loaded = load(&bytes, "a.toml");
                let _ = crate::canon::textconv(&bytes);
                if let Err(e) = loaded {
                    prop_assert!(!e.diagnostics().is_empty());
                }
            }

            #[test]
            fn agreement_shaped_text_loads_or_fails_without_panicking(
                lines in prop::collection::vec(line(), 0..24)
            ) {
                let text = lines.join("\n");
                match load(text.as_bytes(), "a.toml") {
                    Ok(a) => prop_assert!(a.same_meaning(&a)),
                    Err(e) => {
                        for d in e.diagnostics() {
                            prop_assert_eq!(&d.file, "a.toml");
                            prop_assert!(!d.to_string().contains('\u{1b}'), "escape in {}", d);
                        }
                    }
                }
                let _ = crate::canon::textconv(text.as_bytes());
            }
        }

        proptest! {
            // One generated text in eight is an agreement the quick reader answers for.
            #![proptest_config(ProptestConfig::with_cases(2048))]

            #[test]
            fn the_quick_reading_gives_toml_s_agreement(
                lines in prop::collection::vec(line(), 0..8)
            ) {
                // What every agreement has, then lines good and bad.
                let text = format!(
                    "schema = 1\ntitle = \"T\"\nkind = \"charter\"\npurpose = 'P'\n{}",
                    lines.join("\n")
                );
                let quick = plain::table(&text).map(|t| Agreement::deserialize(toml::Value::Table(t)));
                if let Some(Ok(a)) = quick {
                    prop_assert_eq!(toml::from_str::<Agreement>(&text), Ok(a));
                }
            }
        }
    }
}

/// What `accord check` finds in one file: whether it reads as schema 1, every problem (the
/// rules of SPEC §3 and the texts nobody can agree to, SPEC §9), and its `supersedes` list
/// (checked against the other agreements by the caller).
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub readable: bool,
    pub problems: Vec<Diagnostic>,
    pub supersedes: Vec<String>,
}

pub fn check_file(bytes: &[u8], file: &str) -> Checked {
    match load(bytes, file) {
        Ok(a) => Checked {
            readable: true,
            problems: unagreeable(&a, std::str::from_utf8(bytes).unwrap_or_default(), file),
            supersedes: a.supersedes,
        },
        Err(LoadError::Unreadable(d)) => {
            Checked { readable: false, problems: vec![*d], ..Default::default() }
        }
        Err(LoadError::Invalid(mut ds)) => {
            if let Ok(a) = parse(bytes, file) {
                ds.extend(unagreeable(&a, std::str::from_utf8(bytes).unwrap_or_default(), file));
            }
            Checked { readable: true, problems: ds, ..Default::default() }
        }
    }
}
