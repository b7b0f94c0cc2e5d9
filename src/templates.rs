//! The starter agreement for each kind (`templates/*.toml`, compiled into the binary so an
//! installed `accord` needs no files beside it), and filling in their `{{title}}`, `{{name}}`
//! and `{{email}}` placeholders. Pure: it knows nothing of git or the file system; the caller
//! supplies the identity and decides where the text goes.
//!
//! The templates also say which of their texts are examples to replace: a value whose line
//! ends in a `# placeholder` comment. [`placeholders`] reads that list from the templates
//! compiled in, so `check` and `sign` refuse exactly what the templates mark (SPEC §9).
//!
//! Placeholders only ever sit inside TOML basic strings (`"..."`), so rendering escapes each
//! value for that context and any name or title yields a file that parses as written.

use std::sync::OnceLock;

use crate::model::{normalize_text, Kind};

const CHARTER: &str = include_str!("../templates/charter.toml");
const PARTNERSHIP: &str = include_str!("../templates/partnership.toml");
const SERVICE: &str = include_str!("../templates/service.toml");
const WORKING_AGREEMENT: &str = include_str!("../templates/working-agreement.toml");
const DECISION: &str = include_str!("../templates/decision.toml");

/// The raw template text for a kind.
pub fn source(kind: Kind) -> &'static str {
    match kind {
        Kind::Charter => CHARTER,
        Kind::Partnership => PARTNERSHIP,
        Kind::Service => SERVICE,
        Kind::WorkingAgreement => WORKING_AGREEMENT,
        Kind::Decision => DECISION,
    }
}

/// The template with placeholders filled in; values escaped for TOML basic strings.
///
/// Substitution is a single pass over the template, so a value that itself contains
/// `{{email}}` is inserted literally and never expanded again. Anything between `{{` and `}}`
/// that is not a known placeholder is left as it is.
pub fn render(kind: Kind, title: &str, name: &str, email: &str) -> String {
    let template = source(kind);
    let mut out = String::with_capacity(template.len() + 128);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let value = after.find("}}").and_then(|end| {
            let value = match &after[..end] {
                "title" => title,
                "name" => name,
                "email" => email,
                _ => return None,
            };
            Some((value, end))
        });
        match value {
            Some((value, end)) => {
                push_escaped(&mut out, value);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A party of a new draft, as `accord new --party "Name <email>"` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub email: String,
}

/// The template for `kind` drafted for `members` (at least one; the first takes the template's
/// own party, a second one the template's example party when it has one, the rest are added
/// as partners), with `steward` (an email of a member) as the only steward when given; without
/// it the template's own roles stand. Values escaped as in [`render`].
pub fn draft(kind: Kind, title: &str, members: &[Member], steward: Option<&str>) -> String {
    let Some(first) = members.first() else { return render(kind, title, "", "") };
    let mut text = render(kind, title, &first.name, &first.email);
    let mut rest = &members[1..];
    // The example party (partner, client) becomes the second member, references included.
    if let (Some(second), Some((name, email))) = (rest.first(), example_party(&text)) {
        text = text
            .lines()
            .map(|l| {
                let quoted = |v: &str| format!("\"{}\"", escaped(v));
                let new = l
                    .replace(&quoted(&email), &quoted(&second.email))
                    .replace(&quoted(&name), &quoted(&second.name));
                // A filled-in example is no longer a placeholder: drop its mark.
                match new.strip_suffix(MARK) {
                    Some(kept) if new != l => kept.trim_end().to_string(),
                    _ => new,
                }
            })
            .map(|l| l + "\n")
            .collect();
        rest = &rest[1..];
    }
    let mut added = String::new();
    for m in rest {
        added.push_str(&format!(
            "\n[[party]]\nname = \"{}\"\nemail = \"{}\"\n",
            escaped(&m.name),
            escaped(&m.email)
        ));
    }
    text = insert_after_parties(&text, &added);
    if let Some(steward) = steward {
        text = set_roles(&text, |email| {
            if crate::model::same_email(email, steward) {
                Some(crate::model::Role::Steward)
            } else {
                None
            }
        });
    }
    text
}

/// The template's example party (name, email): the party whose email is a placeholder.
fn example_party(text: &str) -> Option<(String, String)> {
    let a: crate::model::Agreement = toml::from_str(text).ok()?;
    let p = a.parties.iter().find(|p| is_placeholder(&p.email))?;
    Some((p.name.clone(), p.email.clone()))
}

/// `text` with `added` (whole `[[party]]` blocks) placed after the last party block, which ends
/// at the first blank line after its header.
fn insert_after_parties(text: &str, added: &str) -> String {
    if added.is_empty() {
        return text.to_string();
    }
    let lines: Vec<&str> = text.lines().collect();
    let Some(last) = lines.iter().rposition(|l| l.trim() == "[[party]]") else {
        return format!("{text}{added}");
    };
    let end =
        lines[last..].iter().position(|l| l.trim().is_empty()).map_or(lines.len(), |k| last + k);
    let mut out = lines[..end].join("\n");
    out.push('\n');
    out.push_str(added);
    for l in &lines[end..] {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// Each party's `role` line set to what `role_of(email)` says (`None`: a steward becomes a
/// partner, other roles stay), adding the line when the block has none.
fn set_roles(text: &str, role_of: impl Fn(&str) -> Option<crate::model::Role>) -> String {
    let Ok(a) = toml::from_str::<crate::model::Agreement>(text) else { return text.to_string() };
    let mut out = String::with_capacity(text.len() + 64);
    let mut party: Option<usize> = None;
    let mut seen = 0;
    let mut pending: Option<String> = None;
    let role_for = |i: usize| -> Option<String> {
        let p = a.parties.get(i)?;
        let role = match role_of(&p.email) {
            Some(r) => r,
            None if p.role == crate::model::Role::Steward => crate::model::Role::Partner,
            None => p.role,
        };
        Some(format!("role = \"{}\"", role.as_str()))
    };
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('[') {
            if let Some(r) = pending.take() {
                out.push_str(&r);
                out.push('\n');
            }
            party = (t.trim_end() == "[[party]]").then(|| {
                seen += 1;
                seen - 1
            });
            if let Some(i) = party {
                pending = role_for(i);
            }
        }
        if let (Some(i), true) = (party, t.starts_with("role")) {
            pending = None;
            let comment = line.find(" #").map(|k| &line[k..]).unwrap_or_default();
            out.push_str(&format!("{}{comment}\n", role_for(i).unwrap_or_else(|| line.into())));
            continue;
        }
        if let (Some(r), true) = (&pending, t.is_empty()) {
            out.push_str(r);
            out.push('\n');
            pending = None;
        }
        out.push_str(line);
        out.push('\n');
    }
    if let Some(r) = pending {
        out.push_str(&r);
        out.push('\n');
    }
    out
}

fn escaped(value: &str) -> String {
    let mut out = String::new();
    push_escaped(&mut out, value);
    out
}

/// The comment that marks a template value as a placeholder to replace.
const MARK: &str = "# placeholder";

/// Every text the templates mark `# placeholder` (texts, example parties' names and emails),
/// whitespace-normalised, read once from the templates compiled into the binary.
pub fn placeholders() -> &'static [String] {
    static LIST: OnceLock<Vec<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut out = Vec::new();
        for kind in Kind::ALL {
            // The templates are part of the build and parse (a unit test says so); an unparsable
            // one would mark nothing rather than stop every `check`.
            if let Ok(doc) = source(kind).parse::<toml_edit::DocumentMut>() {
                marked_item(doc.as_item(), &mut out);
            }
        }
        out.sort();
        out.dedup();
        out
    })
}

/// Whether `text` (whitespace-normalised; ASCII case ignored, as for emails) is a placeholder.
pub fn is_placeholder(text: &str) -> bool {
    let text = normalize_text(text);
    !text.is_empty() && placeholders().iter().any(|p| p.eq_ignore_ascii_case(&text))
}

fn marked_item(item: &toml_edit::Item, out: &mut Vec<String>) {
    match item {
        toml_edit::Item::Value(v) => marked_value(v, out),
        toml_edit::Item::Table(t) => t.iter().for_each(|(_, i)| marked_item(i, out)),
        toml_edit::Item::ArrayOfTables(a) => {
            a.iter().for_each(|t| t.iter().for_each(|(_, i)| marked_item(i, out)))
        }
        toml_edit::Item::None => {}
    }
}

fn marked_value(v: &toml_edit::Value, out: &mut Vec<String>) {
    let marked = v.decor().suffix().and_then(|s| s.as_str()).is_some_and(|s| s.contains(MARK));
    if marked {
        strings(v, out);
    }
}

fn strings(v: &toml_edit::Value, out: &mut Vec<String>) {
    match v {
        toml_edit::Value::String(s) => out.push(normalize_text(s.value())),
        toml_edit::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// Append `value` escaped for the inside of a TOML basic string: `\` and `"`, and every
/// control character TOML forbids there (all of U+0000–U+001F and U+007F).
fn push_escaped(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c <= '\u{1f}' || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
}

/// A default title when none is given: the id made readable and the kind's noun, each word
/// capitalised, e.g. "Platform Team Charter" from `platform-team`. A noun the id already ends
/// with is not repeated: `platform-charter` gives "Platform Charter", `billing-service` gives
/// "Billing Service Agreement".
pub fn default_title(kind: Kind, id: &str) -> String {
    let noun: &[&str] = match kind {
        Kind::Charter => &["charter"],
        Kind::Partnership => &["partnership"],
        Kind::Service => &["service", "agreement"],
        Kind::WorkingAgreement => &["working", "agreement"],
        Kind::Decision => &["decision"],
    };
    let mut words: Vec<&str> = id.split(['-', ' ']).filter(|w| !w.is_empty()).collect();
    // The longest tail of the id that is a head of the noun overlaps it; append the rest.
    let overlap = (1..=noun.len().min(words.len()))
        .rev()
        .find(|&k| {
            words[words.len() - k..].iter().zip(&noun[..k]).all(|(w, n)| w.eq_ignore_ascii_case(n))
        })
        .unwrap_or(0);
    words.extend_from_slice(&noun[overlap..]);
    // Title case: each word capitalised (an id carries no case, so `cli` stays `Cli`).
    let words: Vec<String> = words
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{load, Role};

    const IDENTITIES: &[(&str, &str)] = &[
        ("Ada Lovelace", "ada@example.com"),
        (r#"Ada "the Countess" Love\lace"#, r#"a"b\c@example.com"#),
        // An email is printable ASCII (SPEC §4); a name may hold anything but `<`, `>`.
        ("Zoë Ñandú 名前 {{email}}", "zoe+accord@example.org"),
        ("Tab\there\u{7f}\u{1}", "tab@example.com"),
    ];

    fn load_rendered(kind: Kind, title: &str, name: &str, email: &str) -> crate::model::Agreement {
        let text = render(kind, title, name, email);
        match load(text.as_bytes(), &format!("{kind}.toml")) {
            Ok(a) => a,
            Err(e) => panic!("{kind} with {name:?} <{email}> does not load:\n{e}\n---\n{text}"),
        }
    }

    #[test]
    fn every_kind_has_a_template_of_its_kind() {
        for kind in Kind::ALL {
            let src = source(kind);
            assert!(src.contains("{{title}}"), "{kind}");
            assert!(src.contains("{{name}}"), "{kind}");
            assert!(src.contains("{{email}}"), "{kind}");
            assert!(src.contains(&format!("kind = \"{kind}\"")), "{kind}");
            assert!(src.lines().count() <= 70, "{kind} template is long");
        }
    }

    #[test]
    fn every_kind_renders_and_loads_cleanly() {
        for kind in Kind::ALL {
            for &(name, email) in IDENTITIES {
                let title = default_title(kind, "platform-team");
                let a = load_rendered(kind, &title, name, email);
                assert_eq!(a.kind, kind);
                assert_eq!(a.title, title);
                let me = &a.parties[0];
                assert_eq!((me.name.as_str(), me.email.as_str()), (name, email));
                let role = if kind == Kind::Partnership { Role::Partner } else { Role::Steward };
                assert_eq!(me.role, role, "{kind}");
                assert!(a.commitments.iter().any(|c| c.by.iter().any(|e| e == email)), "{kind}");
            }
        }
    }

    #[test]
    fn second_party_is_a_marked_placeholder() {
        for (kind, email, role) in [
            (Kind::Partnership, "partner@example.com", Role::Partner),
            (Kind::Service, "client@example.com", Role::Client),
        ] {
            assert!(source(kind).contains("REPLACE"), "{kind}");
            let a = load_rendered(kind, "T", "Ada", "ada@example.com");
            assert_eq!(a.parties.len(), 2);
            assert_eq!((a.parties[1].email.as_str(), a.parties[1].role), (email, role));
        }
    }

    #[test]
    fn values_are_escaped_for_basic_strings() {
        let name = r#"O"Brien \ "#;
        let text = render(Kind::Charter, r#"Say "hi" \n"#, name, "ob@example.com");
        assert!(text.contains(r#"name = "O\"Brien \\ ""#), "{text}");
        assert!(text.contains(r#"title = "Say \"hi\" \\n""#), "{text}");
        let a = load(text.as_bytes(), "charter.toml").unwrap();
        assert_eq!(a.parties[0].name, name);
        assert_eq!(a.title, r#"Say "hi" \n"#);
    }

    #[test]
    fn substituted_values_are_not_expanded_again() {
        let text = render(Kind::Decision, "{{name}}", "{{email}}", "x@example.com");
        let a = load(text.as_bytes(), "decision.toml").unwrap();
        assert_eq!(a.title, "{{name}}");
        assert_eq!(a.parties[0].name, "{{email}}");
    }

    #[test]
    fn placeholders_are_read_from_the_templates() {
        let list = placeholders();
        for text in [
            "Say in one or two sentences why this team exists and for whom.",
            "What the team owns and answers for",
            "Client Name",
            "client@example.com",
            "partner@example.com",
        ] {
            assert!(list.iter().any(|p| p == text), "{text} in {list:?}");
        }
        assert!(is_placeholder(
            "  Say in one or two sentences\nwhy this team exists and for whom. "
        ));
        assert!(is_placeholder("CLIENT@example.com"));
        // Texts the templates offer as sensible defaults, and the filled-in identity, are not.
        for text in
            ["We review each other's pull requests within one working day.", "{{email}}", ""]
        {
            assert!(!is_placeholder(text), "{text}");
        }
        // Every kind marks its purpose.
        for kind in Kind::ALL {
            let a = load_rendered(kind, "T", "Ada", "ada@example.com");
            assert!(is_placeholder(&a.purpose), "{kind}");
        }
    }

    #[test]
    fn drafts_for_named_parties() {
        let m = |n: &str, e: &str| Member { name: n.into(), email: e.into() };
        let members = [
            m("Ada", "ada@example.com"),
            m("Grace \"G\"", "grace@example.com"),
            m("Kat", "kat@example.com"),
        ];
        for kind in Kind::ALL {
            let text = draft(kind, "T", &members, Some("grace@example.com"));
            let a = crate::model::parse(text.as_bytes(), "x.toml")
                .unwrap_or_else(|e| panic!("{kind}: {e}\n{text}"));
            // Valid, but that a third partner gives and receives nothing yet.
            for d in crate::model::validate(&a, &text, "x.toml") {
                assert!(kind == Kind::Partnership && d.message.contains("kat@"), "{kind}: {d}");
            }
            let emails: Vec<&str> = a.parties.iter().map(|p| p.email.as_str()).collect();
            assert_eq!(
                emails,
                ["ada@example.com", "grace@example.com", "kat@example.com"],
                "{kind}\n{text}"
            );
            let stewards: Vec<&str> = a
                .parties
                .iter()
                .filter(|p| p.role == Role::Steward)
                .map(|p| p.email.as_str())
                .collect();
            assert_eq!(stewards, ["grace@example.com"], "{kind}\n{text}");
            assert_eq!(a.parties[1].name, "Grace \"G\"");
            assert!(
                !a.parties.iter().any(|p| is_placeholder(&p.email) || is_placeholder(&p.name)),
                "{kind}"
            );
        }
        // The example partner's commitments now name the second party.
        let text = draft(Kind::Partnership, "T", &members[..2], None);
        assert!(!text.contains("partner@example.com"), "{text}");
        let a = load(text.as_bytes(), "x.toml").unwrap();
        assert!(a.commitments.iter().any(|c| c.by.iter().any(|e| e == "grace@example.com")));
        // One member and no steward: exactly what `render` gives.
        assert_eq!(
            draft(Kind::Charter, "T", &members[..1], None),
            render(Kind::Charter, "T", "Ada", "ada@example.com")
        );
    }

    #[test]
    fn default_titles() {
        let cases = [
            (Kind::Charter, "platform-team", "Platform Team Charter"),
            (Kind::Charter, "platform-charter", "Platform Charter"),
            (Kind::Partnership, "design-infra", "Design Infra Partnership"),
            (Kind::Partnership, "cli-scheduling", "Cli Scheduling Partnership"),
            (Kind::Service, "billing-service", "Billing Service Agreement"),
            (Kind::Service, "ci", "Ci Service Agreement"),
            (Kind::WorkingAgreement, "team-working-agreement", "Team Working Agreement"),
            (Kind::WorkingAgreement, "backend", "Backend Working Agreement"),
            (Kind::Decision, "adopt-rust", "Adopt Rust Decision"),
            (Kind::Decision, "", "Decision"),
        ];
        for (kind, id, want) in cases {
            assert_eq!(default_title(kind, id), want, "{kind} {id}");
        }
    }
}
