//! Reading a team's existing markdown charter (`accord import`): the title from the first
//! heading, the purpose from the prose of a Scope / Purpose / Mission section, `scope.in` and
//! `scope.out` from "In scope" / "Out of scope" bullets, norms from a "Working agreements" /
//! "Norms" list, and, section by section, what could not be mapped.
//!
//! Pure: markdown text in, plain values out, read with a real markdown parser (pulldown-cmark),
//! never with regular expressions; then the draft agreement built from it ([`draft`]) and the id
//! a file name gives. Writing it (as TOML) is the command's job; this module must not write
//! files or know about git.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::model::{self, normalize_text, Agreement, Kind, Norm, Party, Scope};

/// What a charter maps to, and what it does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// The first heading's text.
    pub title: Option<String>,
    /// Paragraphs joined by a blank line; empty when no prose was found.
    pub purpose: String,
    /// The heading of the section the purpose came from.
    pub purpose_from: Option<String>,
    pub scope_in: Vec<String>,
    pub scope_out: Vec<String>,
    pub norms: Vec<String>,
    /// What was left out, section by section, in document order.
    pub unmapped: Vec<Unmapped>,
}

/// Content of one section that no field took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// The section's heading; `None` before the first heading.
    pub section: Option<String>,
    /// What was left out, e.g. `2 paragraphs, 1 table`.
    pub what: String,
}

/// One section: the content under a heading up to the next heading.
#[derive(Debug, Default)]
struct Section {
    heading: Option<String>,
    level: u8,
    paragraphs: Vec<String>,
    /// List items, nested ones flattened with their parents (`parent: child`).
    items: Vec<String>,
    tables: usize,
    code: usize,
    quotes: usize,
    html: usize,
}

#[derive(Debug, Default)]
struct Item {
    text: String,
    children: bool,
}

/// A block whose content is not read as prose or list items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opaque {
    Table,
    Code,
    Quote,
    Html,
    Other,
}

/// Split `markdown` into sections.
fn sections(markdown: &str) -> Vec<Section> {
    // YAML front matter (`---` … `---` at the very start, as static-site generators write it)
    // is metadata, not a heading and its text.
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut out = Vec::new();
    let mut section = Section::default();
    let mut heading: Option<(u8, String)> = None;
    let mut paragraph: Option<String> = None;
    let mut items: Vec<Item> = Vec::new();
    let mut opaque: Vec<Opaque> = Vec::new();
    let mut html = String::new();
    let mut images = 0usize;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level as u8, String::new()))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    let text = normalize_text(&text);
                    let next = Section { heading: Some(text), level, ..Section::default() };
                    out.push(std::mem::replace(&mut section, next));
                }
            }
            Event::Start(Tag::Paragraph) => {
                if let Some(item) = items.last_mut() {
                    item.text.push(' ');
                } else if opaque.is_empty() {
                    paragraph = Some(String::new());
                }
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some(p) = paragraph.take() {
                    let p = normalize_text(&p);
                    if !p.is_empty() {
                        section.paragraphs.push(p);
                    }
                }
            }
            Event::Start(Tag::List(_)) if opaque.is_empty() => {
                if let Some(parent) = items.last_mut() {
                    parent.children = true;
                }
            }
            Event::Start(Tag::Item) if opaque.is_empty() => items.push(Item::default()),
            Event::End(TagEnd::Item) if opaque.is_empty() => {
                let Some(item) = items.pop() else { continue };
                if item.children {
                    continue;
                }
                let mut parts: Vec<String> =
                    items.iter().map(|p| label(&p.text)).filter(|p| !p.is_empty()).collect();
                let own = normalize_text(&item.text);
                if own.is_empty() {
                    continue;
                }
                parts.push(own);
                section.items.push(parts.join(": "));
            }
            Event::Start(tag) if opaque_kind(&tag).is_some() => {
                let kind = opaque_kind(&tag).unwrap_or(Opaque::Other);
                if opaque.is_empty() {
                    match kind {
                        Opaque::Table => section.tables += 1,
                        Opaque::Code => section.code += 1,
                        Opaque::Quote => section.quotes += 1,
                        Opaque::Html => html.clear(),
                        Opaque::Other => {}
                    }
                }
                opaque.push(kind);
            }
            Event::End(end) if is_opaque_end(&end) => {
                let closed = opaque.pop();
                let shown = closed == Some(Opaque::Html) && opaque.is_empty() && !is_comment(&html);
                section.html += usize::from(shown);
            }
            Event::Start(Tag::Image { .. }) => images += 1,
            Event::End(TagEnd::Image) => images = images.saturating_sub(1),
            Event::Html(s) => html.push_str(&s),
            Event::Text(s) | Event::Code(s) if images == 0 => {
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&s);
                } else if !opaque.is_empty() {
                } else if let Some(item) = items.last_mut() {
                    item.text.push_str(&s);
                } else if let Some(p) = paragraph.as_mut() {
                    p.push_str(&s);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, h)) = heading.as_mut() {
                    h.push(' ');
                } else if let Some(item) = items.last_mut() {
                    item.text.push(' ');
                } else if let Some(p) = paragraph.as_mut() {
                    p.push(' ');
                }
            }
            _ => {}
        }
    }
    out.push(section);
    out
}

fn opaque_kind(tag: &Tag) -> Option<Opaque> {
    match tag {
        Tag::Table(_) => Some(Opaque::Table),
        Tag::CodeBlock(_) => Some(Opaque::Code),
        Tag::BlockQuote(_) => Some(Opaque::Quote),
        Tag::HtmlBlock => Some(Opaque::Html),
        Tag::FootnoteDefinition(_) | Tag::MetadataBlock(_) | Tag::DefinitionList => {
            Some(Opaque::Other)
        }
        _ => None,
    }
}

fn is_opaque_end(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Table
            | TagEnd::CodeBlock
            | TagEnd::BlockQuote(_)
            | TagEnd::HtmlBlock
            | TagEnd::FootnoteDefinition
            | TagEnd::MetadataBlock(_)
            | TagEnd::DefinitionList
    )
}

/// An HTML block that is only comments says nothing a reader sees.
fn is_comment(html: &str) -> bool {
    let mut rest = html.trim();
    while let Some(after) = rest.strip_prefix("<!--") {
        match after.find("-->") {
            Some(end) => rest = after[end + 3..].trim_start(),
            None => return false,
        }
    }
    rest.is_empty()
}

/// A parent's text as a prefix: normalised, without a trailing colon.
fn label(text: &str) -> String {
    normalize_text(text).trim_end_matches(':').trim_end().to_string()
}

/// The words of a heading, lower case, for matching: `In-Scope:` → `in scope`.
fn key(heading: &str) -> String {
    let cleaned: String = heading
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { ' ' })
        .collect();
    normalize_text(&cleaned)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Purpose,
    In,
    Out,
    Norms,
    Other,
}

fn role(heading: &str) -> Role {
    let k = key(heading);
    let words: Vec<&str> = k.split(' ').collect();
    if k.starts_with("in scope") || k == "within scope" {
        Role::In
    } else if k.starts_with("out of scope") || k.starts_with("not in scope") || k == "non goals" {
        Role::Out
    } else if words.contains(&"norms") || k.contains("working agreement") {
        Role::Norms
    } else if k == "scope" || words.contains(&"purpose") || words.contains(&"mission") {
        Role::Purpose
    } else {
        Role::Other
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Read a markdown charter.
pub fn import(markdown: &str) -> Imported {
    // A byte order mark is no text: left in, it hid the first heading.
    let markdown = markdown.strip_prefix('\u{feff}').unwrap_or(markdown);
    let sections = sections(markdown);
    let mut out = Imported {
        title: sections.iter().find_map(|s| s.heading.clone()).filter(|t| !t.is_empty()),
        ..Imported::default()
    };
    let title_index = sections.iter().position(|s| s.heading.is_some());
    // The purpose: the first Scope / Purpose / Mission section with prose; else the prose under
    // the title (a charter's introduction).
    let purpose_index = sections
        .iter()
        .position(|s| {
            s.heading.as_deref().is_some_and(|h| role(h) == Role::Purpose)
                && !s.paragraphs.is_empty()
        })
        .or(title_index.filter(|&i| !sections[i].paragraphs.is_empty()));
    if let Some(i) = purpose_index {
        out.purpose = sections[i].paragraphs.join("\n\n");
        out.purpose_from = sections[i].heading.clone();
    }
    // A list section holds the subsections under it (deeper headings) until a heading of its
    // level or above; their items are prefixed with the subsection's heading.
    let mut within: Option<(Role, u8)> = None;
    for (i, s) in sections.iter().enumerate() {
        let own = s.heading.as_deref().map_or(Role::Other, role);
        let (active, prefix) = match within {
            Some((r, level)) if s.level > level && own == Role::Other => {
                (r, s.heading.as_deref().map(label))
            }
            _ => {
                within =
                    matches!(own, Role::In | Role::Out | Role::Norms).then_some((own, s.level));
                (own, None)
            }
        };
        let target = match active {
            Role::In => Some(&mut out.scope_in),
            Role::Out => Some(&mut out.scope_out),
            Role::Norms => Some(&mut out.norms),
            Role::Purpose | Role::Other => None,
        };
        let mut left = Vec::new();
        if Some(i) != purpose_index && !s.paragraphs.is_empty() {
            left.push(plural(s.paragraphs.len(), "paragraph", "paragraphs"));
        }
        match target {
            Some(list) => list.extend(s.items.iter().map(|item| match &prefix {
                Some(p) if !p.is_empty() => format!("{p}: {item}"),
                _ => item.clone(),
            })),
            None if !s.items.is_empty() => {
                left.push(plural(s.items.len(), "list item", "list items"))
            }
            None => {}
        }
        for (n, one, many) in [
            (s.tables, "table", "tables"),
            (s.code, "code block", "code blocks"),
            (s.quotes, "block quote", "block quotes"),
            (s.html, "HTML block", "HTML blocks"),
        ] {
            if n > 0 {
                left.push(plural(n, one, many));
            }
        }
        if !left.is_empty() {
            out.unmapped.push(Unmapped { section: s.heading.clone(), what: left.join(", ") });
        }
    }
    out
}

/// `Platform Charter.md` → `platform-charter`.
pub fn id_from_file(file: &std::path::Path) -> String {
    let stem = file.file_stem().map(|s| s.to_string_lossy().to_lowercase()).unwrap_or_default();
    let mut id = String::new();
    for c in stem.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').chars().take(64).collect::<String>().trim_end_matches('-').into()
}

/// The draft agreement made from what [`import`] found: of `kind`, with `parties` (the one
/// whose email is `steward` made the steward) and the default decision rule.
pub fn draft(
    found: &Imported,
    kind: Kind,
    steward: Option<&str>,
    mut parties: Vec<Party>,
) -> Agreement {
    let scope = (!found.scope_in.is_empty() || !found.scope_out.is_empty())
        .then(|| Scope { included: found.scope_in.clone(), excluded: found.scope_out.clone() });
    if let Some(steward) = steward {
        for p in parties.iter_mut().filter(|p| model::same_email(&p.email, steward)) {
            p.role = model::Role::Steward;
        }
    }
    Agreement {
        schema: model::SCHEMA,
        title: found.title.clone().unwrap_or_default(),
        kind,
        purpose: found.purpose.clone(),
        review_every: None,
        review_by: None,
        ends: None,
        decision: model::Decision::default(),
        scope,
        parties,
        commitments: Vec::new(),
        norms: found.norms.iter().map(|t| Norm { text: t.clone() }).collect(),
        supersedes: Vec::new(),
        retired: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_and_front_matter_are_not_the_title() {
        // Red-team findings: a BOM hid the first heading (the title became the next one), and
        // YAML front matter was read as a setext heading ("layout: page permalink: /c/").
        let md = "\u{feff}# Platform Team Charter\n\n## Purpose\n\nShip safely.\n";
        assert_eq!(import(md).title.as_deref(), Some("Platform Team Charter"));
        let md = "---\nlayout: page\npermalink: /c/\n---\n# Platform Team Charter\n\nShip.\n";
        let got = import(md);
        assert_eq!(got.title.as_deref(), Some("Platform Team Charter"));
        assert_eq!(got.purpose, "Ship.");
    }

    /// Shaped like a Kubernetes SIG charter, written for this test.
    const SIG: &str = r#"<!-- generated from the charter template; do not remove this line -->
# SIG Paved Road Charter

This charter adheres to the conventions described in the [community governance
guidelines](https://example.com/governance) and uses the roles defined there.

## Scope

SIG Paved Road owns the *build and release* tooling that every product
team uses to get from merge to production,
and the **documentation** for it.

### In scope

#### Code, Binaries and Services

- CI runners and their [images](https://example.com/images)
- The deploy pipeline:
  - canary analysis
  - rollback tooling
- `release-notes` generator

#### Cross-cutting and Externally Facing Processes

- Release cadence

### Out of scope

- Application on-call
- Cluster *provisioning* (owned by SIG Metal)

## Roles and Organization Management

This SIG follows the Roles and Organization Management outlined in the governance docs.

| Role | Who |
|------|-----|
| Chair | Ada |

### Subproject Creation

Subprojects are created by the chairs.

## Working agreements

1. We review each other's pull requests within one working day.
2. Decisions are recorded
   - in the meeting notes
   - and in an ADR
"#;

    #[test]
    fn a_sig_charter() {
        let got = import(SIG);
        assert_eq!(got.title.as_deref(), Some("SIG Paved Road Charter"));
        assert_eq!(
            got.purpose,
            "SIG Paved Road owns the build and release tooling that every product team uses to \
             get from merge to production, and the documentation for it."
        );
        assert_eq!(got.purpose_from.as_deref(), Some("Scope"));
        assert_eq!(
            got.scope_in,
            [
                "Code, Binaries and Services: CI runners and their images",
                "Code, Binaries and Services: The deploy pipeline: canary analysis",
                "Code, Binaries and Services: The deploy pipeline: rollback tooling",
                "Code, Binaries and Services: release-notes generator",
                "Cross-cutting and Externally Facing Processes: Release cadence",
            ]
        );
        assert_eq!(
            got.scope_out,
            ["Application on-call", "Cluster provisioning (owned by SIG Metal)"]
        );
        assert_eq!(
            got.norms,
            [
                "We review each other's pull requests within one working day.",
                "Decisions are recorded: in the meeting notes",
                "Decisions are recorded: and in an ADR",
            ]
        );
        let unmapped: Vec<(Option<&str>, &str)> =
            got.unmapped.iter().map(|u| (u.section.as_deref(), u.what.as_str())).collect();
        assert_eq!(
            unmapped,
            [
                (Some("SIG Paved Road Charter"), "1 paragraph"),
                (Some("Roles and Organization Management"), "1 paragraph, 1 table"),
                (Some("Subproject Creation"), "1 paragraph"),
            ]
        );
    }

    #[test]
    fn without_a_scope_section_the_introduction_is_the_purpose() {
        let got = import("Some words first.\n\n## Team charter\n\nWe keep the lights on.\n\n> quoted\n\n```\ncode\n```\n<div>html</div>\n");
        assert_eq!(got.title.as_deref(), Some("Team charter"));
        assert_eq!(got.purpose, "We keep the lights on.");
        assert!(got.scope_in.is_empty() && got.scope_out.is_empty() && got.norms.is_empty());
        let what: Vec<(Option<&str>, &str)> =
            got.unmapped.iter().map(|u| (u.section.as_deref(), u.what.as_str())).collect();
        assert_eq!(
            what,
            [
                (None, "1 paragraph"),
                (Some("Team charter"), "1 code block, 1 block quote, 1 HTML block")
            ]
        );
    }

    #[test]
    fn nothing_to_read() {
        let got = import("");
        assert_eq!(got, Imported::default());
        let got = import("- just\n- a list\n");
        assert_eq!(got.title, None);
        assert_eq!(got.unmapped[0].what, "2 list items");
    }

    #[test]
    fn headings_match_loosely() {
        assert_eq!(role("In-Scope:"), Role::In);
        assert_eq!(role("Out of Scope"), Role::Out);
        assert_eq!(role("Our Mission"), Role::Purpose);
        assert_eq!(role("Purpose and scope"), Role::Purpose);
        assert_eq!(role("Team norms"), Role::Norms);
        assert_eq!(role("Scope creep"), Role::Other);
    }
}
