//! How a semantic diff (`crate::diff`) reads: one line per change for people (coloured when
//! the caller says colour is on, `[-old-]{+new+}` word markers when it is off) and for markdown
//! (`~~old~~ **new**`),
//! word diffs on their own, and the one-line summary `accord log` shows.
//!
//! Every text that came from an agreement file goes through `escape::terminal` or
//! `escape::markdown`; accord's own wording does not. This module decides nothing about what
//! changed (that is `diff`'s) and writes nowhere: it returns strings.

use std::borrow::Cow;
use std::fmt::Write as _;

use anstyle::{AnsiColor, Color, Style};

use super::escape;
use crate::diff::{Change, ScopeSide, Segment, SegmentKind};
use crate::model::normalize_text;

/// Deleted words: red and struck through (red alone where a terminal lacks strikethrough).
const DELETED: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Red))).strikethrough();
const INSERTED: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Green)));
const REMOVED_LINE: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Red)));
const ADDED_LINE: Style = INSERTED;

fn paint(style: Style, text: &str) -> String {
    format!("{}{text}{}", style.render(), style.render_reset())
}

/// Segments on one line, words joined by single spaces, each text passed through `escape`.
/// Without `color`, deletions are `[-old-]` and insertions `{+new+}` (as
/// `git diff --word-diff=plain`), a replacement being `[-old-]{+new+}` with nothing between;
/// with it, deleted words are red and struck through, inserted words green, with no markers.
fn join_words(segments: &[Segment], color: bool, escape: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut prev: Option<SegmentKind> = None;
    for s in segments.iter().filter(|s| !s.text.is_empty()) {
        let text = escape(&s.text);
        let glued = !color && prev == Some(SegmentKind::Delete) && s.kind == SegmentKind::Insert;
        if prev.is_some() && !glued {
            out.push(' ');
        }
        match (s.kind, color) {
            (SegmentKind::Equal, _) => out.push_str(&text),
            (SegmentKind::Delete, false) => write!(out, "[-{text}-]").unwrap_or_default(),
            (SegmentKind::Insert, false) => write!(out, "{{+{text}+}}").unwrap_or_default(),
            (SegmentKind::Delete, true) => out.push_str(&paint(DELETED, &text)),
            (SegmentKind::Insert, true) => out.push_str(&paint(INSERTED, &text)),
        }
        prev = Some(s.kind);
    }
    out
}

/// A word diff for a terminal: see [`join_words`]; agreement text is escaped for the terminal.
pub fn human_words(segments: &[Segment], color: bool) -> String {
    join_words(segments, color, |s| escape::terminal(s).into_owned())
}

/// A word diff for markdown, the one style every markdown output uses (`diff`, `history`,
/// `review`): deleted words struck through (`~~old~~`), inserted ones bold (`**new**`), around
/// text escaped for markdown.
pub fn markdown_words(segments: &[Segment]) -> String {
    let words: Vec<String> = segments
        .iter()
        .filter(|s| !s.text.is_empty())
        .map(|s| {
            let text = escape::markdown(&s.text);
            match s.kind {
                SegmentKind::Equal => text,
                SegmentKind::Delete => format!("~~{text}~~"),
                SegmentKind::Insert => format!("**{text}**"),
            }
        })
        .collect();
    words.join(" ")
}

#[derive(Clone, Copy)]
enum Sign {
    Added,
    Removed,
}

/// A piece of a change line: accord's own wording, or something from the agreement file, which
/// each format escapes its own way.
enum Piece<'a> {
    Own(Cow<'a, str>),
    Text(Cow<'a, str>),
    /// An address, shown in angle brackets.
    Email(&'a str),
    Words(&'a [Segment]),
}

/// One change as a sign (an added or removed clause) and pieces.
struct Line<'a> {
    sign: Option<Sign>,
    pieces: Vec<Piece<'a>>,
}

impl<'a> Line<'a> {
    fn new(sign: Option<Sign>) -> Self {
        Line { sign, pieces: Vec::new() }
    }

    fn own(mut self, s: impl Into<Cow<'a, str>>) -> Self {
        self.pieces.push(Piece::Own(s.into()));
        self
    }

    fn text(mut self, s: impl Into<Cow<'a, str>>) -> Self {
        self.pieces.push(Piece::Text(s.into()));
        self
    }

    fn email(mut self, s: &'a str) -> Self {
        self.pieces.push(Piece::Email(s));
        self
    }

    fn words(mut self, w: &'a [Segment]) -> Self {
        self.pieces.push(Piece::Words(w));
        self
    }

    /// A list of addresses joined by commas, or `none` when empty.
    fn list(self, list: &'a [String], none: &'static str) -> Self {
        if list.is_empty() {
            self.own(none)
        } else {
            self.text(list.join(", "))
        }
    }
}

fn commitment<'a>(
    sign: Sign,
    id: &'a str,
    by: &'a [String],
    to: &'a [String],
    text: &'a str,
) -> Line<'a> {
    let line = Line::new(Some(sign))
        .own("commitment ")
        .text(id)
        .own(": ")
        .text(text)
        .own(" (by ")
        .list(by, "nobody");
    let line = if to.is_empty() { line } else { line.own("; to ").list(to, "nobody") };
    line.own(")")
}

fn line(change: &Change) -> Line<'_> {
    let (added, removed) = (Some(Sign::Added), Some(Sign::Removed));
    let plain = Line::new(None);
    match change {
        Change::TitleReworded { words, .. } => plain.own("title: ").words(words),
        Change::TitleReflowed => plain.own("title: text reflowed"),
        Change::PurposeReworded { words, .. } => plain.own("purpose: ").words(words),
        Change::PurposeReflowed => plain.own("purpose: text reflowed"),
        Change::KindChanged { old, new } => plain.own(format!("kind: {old} → {new}")),
        Change::RuleChanged { old, new } => plain.own(format!("decision: {old} → {new}")),
        Change::RetiredChanged { retired: true } => plain.own("retired: this agreement ends"),
        Change::RetiredChanged { retired: false } => plain.own("retired: taken back"),
        Change::QuorumChanged { old, new } => match (old, new) {
            (Some(o), Some(n)) => plain.own(format!("quorum: {o} → {n}")),
            (None, Some(n)) => Line::new(added).own(format!("quorum {n}")),
            (Some(o), None) => Line::new(removed).own(format!("quorum {o}")),
            (None, None) => plain.own("quorum: unchanged"),
        },
        Change::SupersedesChanged { old, new } => {
            // The ids are the file's, not accord's: a side that is not valid holds any bytes.
            let list = |v: &[String]| if v.is_empty() { "nothing".into() } else { v.join(", ") };
            plain.own("supersedes: ").text(list(old)).own(" → ").text(list(new))
        }
        Change::ScheduleChanged { field, old, new } => {
            let field = field.as_str();
            match (old, new) {
                (Some(o), Some(n)) => {
                    plain.own(format!("{field}: ")).text(o.as_str()).own(" → ").text(n.as_str())
                }
                (None, Some(n)) => Line::new(added).own(format!("{field} ")).text(n.as_str()),
                (Some(o), None) => Line::new(removed).own(format!("{field} ")).text(o.as_str()),
                (None, None) => plain.own(format!("{field}: unchanged")),
            }
        }
        Change::ScopeAdded { side, item } => {
            Line::new(added).own(format!("scope {}: ", side.as_str())).text(item.as_str())
        }
        Change::ScopeRemoved { side, item } => {
            Line::new(removed).own(format!("scope {}: ", side.as_str())).text(item.as_str())
        }
        Change::ScopeReflowed { side, item } => {
            plain.own(format!("scope {}: text reflowed: ", side.as_str())).text(item.as_str())
        }
        Change::PartyAdded { name, email, role } => Line::new(added)
            .own("party ")
            .text(name.as_str())
            .own(" ")
            .email(email)
            .own(format!(" ({role})")),
        Change::PartyRemoved { name, email, role } => Line::new(removed)
            .own("party ")
            .text(name.as_str())
            .own(" ")
            .email(email)
            .own(format!(" ({role})")),
        Change::PartyRoleChanged { name, email, old, new } => plain
            .own("party ")
            .text(name.as_str())
            .own(" ")
            .email(email)
            .own(format!(": role {old} → {new}")),
        Change::PartyRenamed { email, old, new } => plain
            .own("party ")
            .email(email)
            .own(": name ")
            .text(old.as_str())
            .own(" → ")
            .text(new.as_str()),
        Change::CommitmentAdded { id, by, to, text } => commitment(Sign::Added, id, by, to, text),
        Change::CommitmentRemoved { id, by, to, text } => {
            commitment(Sign::Removed, id, by, to, text)
        }
        Change::CommitmentRenamed { old_id, new_id } => {
            plain.own("commitment renamed ").text(old_id.as_str()).own(" → ").text(new_id.as_str())
        }
        Change::CommitmentReworded { id, words, .. } => {
            plain.own("commitment ").text(id.as_str()).own(": ").words(words)
        }
        Change::CommitmentReflowed { id } => {
            plain.own("commitment ").text(id.as_str()).own(": text reflowed")
        }
        Change::CommitmentByChanged { id, old, new } => plain
            .own("commitment ")
            .text(id.as_str())
            .own(": by ")
            .list(old, "nobody")
            .own(" → ")
            .list(new, "nobody"),
        Change::CommitmentToChanged { id, old, new } => plain
            .own("commitment ")
            .text(id.as_str())
            .own(": to ")
            .list(old, "nobody")
            .own(" → ")
            .list(new, "nobody"),
        Change::NormAdded { text } => Line::new(added).own("norm: ").text(text.as_str()),
        Change::NormRemoved { text } => Line::new(removed).own("norm: ").text(text.as_str()),
        Change::NormReflowed { text } => plain.own("norm: text reflowed: ").text(text.as_str()),
        Change::Reordered { list } => plain.text(list.as_str()).own(": reordered"),
    }
}

/// One line for a change, as `accord diff` and `accord review` print it for people. Added
/// clauses start with `+ `, removed ones with `- `; with `color`, those lines are green or red
/// and reworded texts show coloured words instead of `[-…-]{+…+}` markers.
pub fn human_line(change: &Change, color: bool) -> String {
    let line = line(change);
    let mut out = String::new();
    match line.sign {
        Some(Sign::Added) => out.push_str("+ "),
        Some(Sign::Removed) => out.push_str("- "),
        None => {}
    }
    for piece in &line.pieces {
        match piece {
            Piece::Own(s) => out.push_str(s),
            Piece::Text(s) => out.push_str(&escape::terminal(s)),
            Piece::Email(s) => write!(out, "<{}>", escape::terminal(s)).unwrap_or_default(),
            Piece::Words(w) => out.push_str(&human_words(w, color)),
        }
    }
    match line.sign {
        Some(Sign::Added) if color => paint(ADDED_LINE, &out),
        Some(Sign::Removed) if color => paint(REMOVED_LINE, &out),
        _ => out,
    }
}

/// One change as the text of a markdown list item: as [`human_line`] without colour, the sign
/// escaped (`\+ norm: …` shows its sign instead of opening a nested list), texts escaped for
/// markdown and whitespace-normalised, addresses in `&lt;…&gt;`.
pub fn markdown_line(change: &Change) -> String {
    let line = line(change);
    let mut out = String::new();
    match line.sign {
        Some(Sign::Added) => out.push_str("\\+ "),
        Some(Sign::Removed) => out.push_str("\\- "),
        None => {}
    }
    for piece in &line.pieces {
        match piece {
            Piece::Own(s) => out.push_str(s),
            Piece::Text(s) => out.push_str(&escape::markdown(&normalize_text(s))),
            Piece::Email(s) => {
                write!(out, "&lt;{}&gt;", escape::markdown(&normalize_text(s))).unwrap_or_default()
            }
            Piece::Words(w) => out.push_str(&markdown_words(w)),
        }
    }
    out
}

/// One part of a summary: a fixed phrase, or a count of like changes gathered where the first
/// of them appears ("+2 parties (A, B)").
enum Part {
    Text(String),
    Count { key: String, sign: char, one: &'static str, many: &'static str, names: Vec<String> },
}

#[derive(Default)]
struct Summary {
    parts: Vec<Part>,
    reflowed: Vec<String>,
}

impl Summary {
    fn text(&mut self, s: String) {
        self.parts.push(Part::Text(s));
    }

    fn count(&mut self, sign: char, one: &'static str, many: &'static str, name: Option<&str>) {
        let key = format!("{sign}{one}");
        let name = name.unwrap_or_default().to_string();
        for part in &mut self.parts {
            if let Part::Count { key: k, names, .. } = part {
                if *k == key {
                    names.push(name);
                    return;
                }
            }
        }
        self.parts.push(Part::Count { key, sign, one, many, names: vec![name] });
    }
}

/// How many names a summary lists before "…".
const SUMMARY_NAMES: usize = 3;

fn render_part(part: &Part) -> String {
    match part {
        Part::Text(s) => s.clone(),
        Part::Count { sign, one, many, names, .. } => {
            let n = names.len();
            let mut s = format!("{sign}{n} {}", if n == 1 { one } else { many });
            let shown: Vec<&str> =
                names.iter().map(String::as_str).filter(|s| !s.is_empty()).collect();
            if !shown.is_empty() {
                let mut list = shown[..shown.len().min(SUMMARY_NAMES)].join(", ");
                if shown.len() > SUMMARY_NAMES {
                    list.push_str(", …");
                }
                write!(s, " ({list})").unwrap_or_default();
            }
            s
        }
    }
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map_or_else(|| "none".to_string(), T::to_string)
}

/// One-line summary for `accord log`, e.g. "purpose reworded; +1 party (Katherine Johnson);
/// commitment pager → pager-rota". "no change in meaning" when empty; when only whitespace
/// changed, "no change in meaning (reflowed: purpose)". Reflows beside real changes are left
/// out: the line is about meaning.
pub fn summary(changes: &[Change]) -> String {
    let mut s = Summary::default();
    for change in changes {
        match change {
            Change::TitleReworded { .. } => s.text("title reworded".into()),
            Change::TitleReflowed => s.reflowed.push("title".into()),
            Change::PurposeReworded { .. } => s.text("purpose reworded".into()),
            Change::PurposeReflowed => s.reflowed.push("purpose".into()),
            Change::KindChanged { old, new } => s.text(format!("kind {old} → {new}")),
            Change::RuleChanged { old, new } => s.text(format!("decision {old} → {new}")),
            Change::RetiredChanged { retired } => {
                s.text(if *retired { "retired".into() } else { "retirement taken back".into() })
            }
            Change::QuorumChanged { old, new } => {
                s.text(format!("quorum {} → {}", opt(old), opt(new)))
            }
            Change::SupersedesChanged { old, new } => {
                let list =
                    |v: &[String]| if v.is_empty() { "nothing".into() } else { v.join(", ") };
                s.text(format!("supersedes {} → {}", list(old), list(new)))
            }
            Change::ScheduleChanged { field, old, new } => {
                s.text(format!("{} {} → {}", field.as_str(), opt(old), opt(new)))
            }
            Change::ScopeAdded { side, item } => {
                let label = if *side == ScopeSide::In { "scope in" } else { "scope out" };
                s.count('+', label, label, Some(item))
            }
            Change::ScopeRemoved { side, item } => {
                let label = if *side == ScopeSide::In { "scope in" } else { "scope out" };
                s.count('-', label, label, Some(item))
            }
            Change::ScopeReflowed { side, .. } => {
                s.reflowed.push(format!("scope {}", side.as_str()))
            }
            Change::PartyAdded { name, .. } => s.count('+', "party", "parties", Some(name)),
            Change::PartyRemoved { name, .. } => s.count('-', "party", "parties", Some(name)),
            Change::PartyRoleChanged { name, old, new, .. } => {
                s.text(format!("{name} {old} → {new}"))
            }
            Change::PartyRenamed { old, new, .. } => s.text(format!("party {old} → {new}")),
            Change::CommitmentAdded { id, .. } => {
                s.count('+', "commitment", "commitments", Some(id))
            }
            Change::CommitmentRemoved { id, .. } => {
                s.count('-', "commitment", "commitments", Some(id))
            }
            Change::CommitmentRenamed { old_id, new_id } => {
                s.text(format!("commitment {old_id} → {new_id}"))
            }
            Change::CommitmentReworded { id, .. } => s.text(format!("commitment {id} reworded")),
            Change::CommitmentReflowed { id } => s.reflowed.push(format!("commitment {id}")),
            Change::CommitmentByChanged { id, .. } => s.text(format!("commitment {id} by changed")),
            Change::CommitmentToChanged { id, .. } => s.text(format!("commitment {id} to changed")),
            Change::NormAdded { .. } => s.count('+', "norm", "norms", None),
            Change::NormRemoved { .. } => s.count('-', "norm", "norms", None),
            Change::NormReflowed { .. } => s.reflowed.push("norm".into()),
            Change::Reordered { list } => s.text(format!("{list} reordered")),
        }
    }
    if s.parts.is_empty() {
        s.reflowed.dedup();
        return if s.reflowed.is_empty() {
            "no change in meaning".to_string()
        } else {
            format!("no change in meaning (reflowed: {})", s.reflowed.join(", "))
        };
    }
    s.parts.iter().map(render_part).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::fixtures::{agreement, edited, BASE};
    use crate::diff::{diff, words, Change};
    use crate::model::Role;

    fn plain(changes: &[Change]) -> Vec<String> {
        changes.iter().map(|c| human_line(c, false)).collect()
    }

    fn seg(kind: SegmentKind, text: &str) -> Segment {
        Segment { kind, text: text.to_string() }
    }

    #[test]
    fn words_inserted() {
        let segs = words("a paved road", "a paved and lit road");
        use SegmentKind::*;
        assert_eq!(segs, [seg(Equal, "a paved"), seg(Insert, "and lit"), seg(Equal, "road")]);
        assert_eq!(human_words(&segs, false), "a paved {+and lit+} road");
    }

    #[test]
    fn words_deleted() {
        let segs = words("Give every product team a road", "Give every team a road");
        use SegmentKind::*;
        assert_eq!(
            segs,
            [seg(Equal, "Give every"), seg(Delete, "product"), seg(Equal, "team a road")]
        );
        assert_eq!(human_words(&segs, false), "Give every [-product-] team a road");
    }

    #[test]
    fn words_replaced() {
        let segs = words("Give every team a paved road.", "Give every team a smooth,\n  lit road.");
        assert_eq!(human_words(&segs, false), "Give every team a [-paved-]{+smooth, lit+} road.");
        let colored = human_words(&segs, true);
        assert!(colored.contains("\u{1b}[9m\u{1b}[31mpaved\u{1b}[0m"), "{colored:?}");
        assert!(colored.contains("\u{1b}[32msmooth, lit\u{1b}[0m"), "{colored:?}");
        assert!(!colored.contains("[-"));
    }

    #[test]
    fn words_edges() {
        assert_eq!(words("", ""), []);
        assert_eq!(words("  ", "\n"), []);
        assert_eq!(human_words(&words("", "new text"), false), "{+new text+}");
        assert_eq!(human_words(&words("old text", ""), false), "[-old text-]");
        assert_eq!(human_words(&words("a  b\nc", "a b c"), false), "a b c");
    }

    #[test]
    fn purpose_reworded() {
        let new = edited("a paved road", "a paved and lit road");
        let changes = diff(&agreement(BASE), &new);
        assert_eq!(
            plain(&changes),
            ["purpose: Give every product team a paved {+and lit+} road from merge to production."]
        );
        let Change::PurposeReworded { old, new, .. } = &changes[0] else { panic!() };
        assert_eq!(old, "Give every product team a paved road from merge to production.");
        assert_eq!(new, "Give every product team a paved and lit road from merge to production.");
        assert_eq!(summary(&changes), "purpose reworded");
    }

    #[test]
    fn reflow_is_not_a_change_of_words() {
        let new = edited(
            "Give every product team a paved road\nfrom merge to production.",
            "Give every product team\n  a paved road from merge\n  to production.",
        );
        let changes = diff(&agreement(BASE), &new);
        assert_eq!(changes, [Change::PurposeReflowed]);
        assert!(!changes[0].changes_meaning());
        assert!(agreement(BASE).same_meaning(&new));
        assert_eq!(plain(&changes), ["purpose: text reflowed"]);
        assert_eq!(summary(&changes), "no change in meaning (reflowed: purpose)");

        let new = edited(
            "text = \"Answer deploy-pipeline pages within 15 minutes.\"",
            "text = \"\"\"\nAnswer   deploy-pipeline\n  pages within 15 minutes.\n\"\"\"",
        );
        let changes = diff(&agreement(BASE), &new);
        assert_eq!(plain(&changes), ["commitment pager: text reflowed"]);
    }

    #[test]
    fn same_meaning_gives_no_change() {
        // Other layout, key order, comments, string style and email case. (Whitespace inside a
        // text is a reflow, reported as such: see `reflow_is_not_a_change_of_words`.)
        let same = agreement(
            r#"# The platform team's charter.
schema = 1
kind = "charter"
title   =   'Platform team charter'
purpose = "Give every product team a paved road\nfrom merge to production.\n"
review_every = "90d"   # quarterly

[[party]]
email = "ADA@Example.com"
name = "Ada Lovelace"
role = "steward"

[[party]]
name = "Grace Hopper"
email = "grace@example.com"

[scope]
out = ["application on-call"]
in = [
  "CI runners",
  "deploy pipeline",
]

[[norm]]
text = """
We review each other's pull requests within one working day.
"""

[[commitment]]
text = "Answer deploy-pipeline pages within 15 minutes."
to = ["Ada@example.com"]
id = "pager"
by = ["grace@example.com"]
"#,
        );
        let base = agreement(BASE);
        assert!(base.same_meaning(&same));
        assert_eq!(diff(&base, &same), []);
        assert_eq!(diff(&same, &base), []);
        assert_eq!(summary(&[]), "no change in meaning");
    }

    #[test]
    fn renamed_commitment_is_one_change() {
        let new = edited("id = \"pager\"", "id = \"pager-rota\"");
        let changes = diff(&agreement(BASE), &new);
        assert_eq!(
            changes,
            [Change::CommitmentRenamed { old_id: "pager".into(), new_id: "pager-rota".into() }]
        );
        assert_eq!(plain(&changes), ["commitment renamed pager → pager-rota"]);
        assert_eq!(summary(&changes), "commitment pager → pager-rota");

        // A new id with other words is a removal and an addition.
        let new = agreement(
            &BASE.replace("id = \"pager\"", "id = \"pager-rota\"").replace("15 minutes", "1 hour"),
        );
        let changes = diff(&agreement(BASE), &new);
        assert_eq!(
            plain(&changes),
            [
                "+ commitment pager-rota: Answer deploy-pipeline pages within 1 hour. \
                 (by grace@example.com; to ada@example.com)",
                "- commitment pager: Answer deploy-pipeline pages within 15 minutes. \
                 (by grace@example.com; to ada@example.com)",
            ]
        );
        assert_eq!(summary(&changes), "+1 commitment (pager-rota); -1 commitment (pager)");
    }

    #[test]
    fn commitment_text_by_and_to() {
        let new = agreement(
            &BASE
                .replace("within 15 minutes", "within 10 minutes")
                .replace(
                    "by = [\"grace@example.com\"]",
                    "by = [\"grace@example.com\", \"ada@example.com\"]",
                )
                .replace("to = [\"ada@example.com\"]\n", ""),
        );
        let changes = diff(&agreement(BASE), &new);
        assert_eq!(
            plain(&changes),
            [
                "commitment pager: Answer deploy-pipeline pages within [-15-]{+10+} minutes.",
                "commitment pager: by grace@example.com → grace@example.com, ada@example.com",
                "commitment pager: to ada@example.com → nobody",
            ]
        );
        assert_eq!(
            summary(&changes),
            "commitment pager reworded; commitment pager by changed; commitment pager to changed"
        );
    }

    #[test]
    fn party_added_removed_and_role_changed() {
        let added = format!(
            "{BASE}\n[[party]]\nname = \"Katherine Johnson\"\nemail = \"kj@example.com\"\n"
        );
        let (base, new) = (agreement(BASE), agreement(&added));
        let changes = diff(&base, &new);
        assert_eq!(
            changes,
            [Change::PartyAdded {
                name: "Katherine Johnson".into(),
                email: "kj@example.com".into(),
                role: Role::Partner,
            }]
        );
        assert_eq!(plain(&changes), ["+ party Katherine Johnson <kj@example.com> (partner)"]);
        assert_eq!(summary(&changes), "+1 party (Katherine Johnson)");

        let back = diff(&new, &base);
        assert_eq!(plain(&back), ["- party Katherine Johnson <kj@example.com> (partner)"]);
        assert_eq!(summary(&back), "-1 party (Katherine Johnson)");

        let promoted = edited(
            "name = \"Grace Hopper\"\nemail = \"grace@example.com\"\n",
            "name = \"Grace Hopper\"\nemail = \"Grace@Example.com\"\nrole = \"steward\"\n",
        );
        let changes = diff(&base, &promoted);
        assert_eq!(
            plain(&changes),
            ["party Grace Hopper <Grace@Example.com>: role partner → steward"]
        );
        assert_eq!(summary(&changes), "Grace Hopper partner → steward");

        let renamed = edited("Grace Hopper", "Grace B.  Hopper");
        assert_eq!(
            plain(&diff(&base, &renamed)),
            ["party <grace@example.com>: name Grace Hopper → Grace B. Hopper"]
        );
    }

    #[test]
    fn summary_of_several_changes() {
        let text = BASE
            .replace("every product team", "every team")
            .replace("id = \"pager\"", "id = \"pager-rota\"");
        let text = format!(
            "{text}\n[[party]]\nname = \"Katherine Johnson\"\nemail = \"kj@example.com\"\n"
        );
        let changes = diff(&agreement(BASE), &agreement(&text));
        assert_eq!(
            summary(&changes),
            "purpose reworded; +1 party (Katherine Johnson); commitment pager → pager-rota"
        );
    }

    #[test]
    fn decision_schedule_scope_and_norms() {
        let text = BASE
            .replace("kind = \"charter\"", "kind = \"service\"")
            .replace("review_every = \"90d\"", "review_every = \"60d\"\nends = 2027-06-30")
            .replace("rule = \"consent\"", "rule = \"quorum\"\nquorum = 2")
            .replace(
                "\"CI runners\", \"deploy pipeline\"",
                "\"deploy pipeline\", \"artifact store\"",
            )
            .replace("within one working day", "within two working days");
        let changes = diff(&agreement(BASE), &agreement(&text));
        assert_eq!(
            plain(&changes),
            [
                "kind: charter → service",
                "decision: consent → quorum",
                "+ quorum 2",
                "review_every: 90d → 60d",
                "+ ends 2027-06-30",
                "+ scope in: artifact store",
                "- scope in: CI runners",
                "+ norm: We review each other's pull requests within two working days.",
                "- norm: We review each other's pull requests within one working day.",
            ]
        );
        assert_eq!(
            summary(&changes),
            "kind charter → service; decision consent → quorum; quorum none → 2; \
             review_every 90d → 60d; ends none → 2027-06-30; +1 scope in (artifact store); \
             -1 scope in (CI runners); +1 norm; -1 norm"
        );
        let json = serde_json::to_value(&changes[4]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"change": "schedule_changed", "field": "ends",
                               "old": null, "new": "2027-06-30"})
        );
    }

    #[test]
    fn reordering_is_reported() {
        let text = BASE
            .replace("\"CI runners\", \"deploy pipeline\"", "\"deploy pipeline\", \"CI runners\"");
        let changes = diff(&agreement(BASE), &agreement(&text));
        assert_eq!(plain(&changes), ["scope in: reordered"]);
        assert!(!agreement(BASE).same_meaning(&agreement(&text)));
    }

    /// Whatever the edit, the diff holds a change of meaning exactly when the model says the
    /// meaning changed (SPEC §4), so `accord diff` never hides what made sign-offs stale.
    #[test]
    fn changes_agree_with_same_meaning() {
        let edits: &[(&str, &str)] = &[
            ("Platform team", "Platform  team"),
            ("Platform team", "Platform crew"),
            ("role = \"steward\"", "role = \"client\""),
            ("\"grace@example.com\"]", "\"GRACE@example.com\"]"),
            ("\"grace@example.com\"]", "\"ada@example.com\"]"),
            ("\"CI runners\"", "\"CI\\nrunners\""),
            ("\"CI runners\", ", ""),
            ("review_every = \"90d\"", "review_by = 2027-03-01"),
            ("rule = \"consent\"", "rule = \"majority\""),
            ("one working day", "one\\nworking day"),
            ("one working day", "one day"),
            ("Ada Lovelace", "Ada King"),
            ("id = \"pager\"", "id = \"pages\""),
        ];
        let base = agreement(BASE);
        for (from, to) in edits {
            let new = edited(from, to);
            let changes = diff(&base, &new);
            let meaningful = changes.iter().any(Change::changes_meaning);
            assert_eq!(meaningful, !base.same_meaning(&new), "{from} → {to}: {changes:?}");
            assert_eq!(diff(&new, &base).iter().any(Change::changes_meaning), meaningful);
        }

        // Reordering parties and commitments changes the meaning too.
        let ada = "[[party]]\nname = \"Ada Lovelace\"\nemail = \"ada@example.com\"\n\
                   role = \"steward\"\n\n";
        let swapped = BASE.replace(ada, "") + "\n" + ada;
        let changes = diff(&base, &agreement(&swapped));
        assert_eq!(plain(&changes), ["parties: reordered"]);
        assert!(!base.same_meaning(&agreement(&swapped)));
    }

    #[test]
    fn color_lines() {
        let added = format!("{BASE}\n[[norm]]\ntext = \"Be kind.\"\n");
        let changes = diff(&agreement(BASE), &agreement(&added));
        assert_eq!(human_line(&changes[0], true), "\u{1b}[32m+ norm: Be kind.\u{1b}[0m");
        assert_eq!(human_line(&changes[0], false), "+ norm: Be kind.");
    }

    #[test]
    fn markdown_lines_match_the_plain_ones() {
        let text = BASE
            .replace("every product team", "every team")
            .replace("id = \"pager\"", "id = \"pager-rota\"")
            .replace("role = \"steward\"\n", "")
            + "\n[[norm]]\ntext = \"Be kind.\"\n";
        let changes = diff(&agreement(BASE), &agreement(&text));
        let lines: Vec<String> = changes.iter().map(markdown_line).collect();
        assert_eq!(
            lines,
            [
                "purpose: Give every ~~product~~ team a paved road from merge to production.",
                "party Ada Lovelace &lt;ada@example.com&gt;: role steward → partner",
                "commitment renamed pager → pager-rota",
                "\\+ norm: Be kind.",
            ]
        );
    }

    #[test]
    fn markdown_lines_make_agreement_text_inert() {
        let new = edited("Grace Hopper", "<img src=x> @team");
        let changes = diff(&agreement(BASE), &new);
        assert_eq!(
            markdown_line(&changes[0]),
            "party &lt;grace@example.com&gt;: name Grace Hopper → &lt;img src=x&gt; @\u{200d}team"
        );
        let new = edited("a paved road", "a [paved](https://x) road");
        let changes = diff(&agreement(BASE), &new);
        assert_eq!(
            markdown_line(&changes[0]),
            "purpose: Give every product team a ~~paved~~ **\\[paved\\](https\u{200d}://x)** road from \
             merge to production."
        );
        assert_eq!(markdown_words(&words("a b", "a *c*")), "a ~~b~~ **\\*c\\***");
    }

    #[test]
    fn human_lines_escape_controls_but_keep_their_colour() {
        let new = edited("Grace Hopper", "Grace \\u001b[31mHopper\\u202e");
        let changes = diff(&agreement(BASE), &new);
        assert_eq!(
            human_line(&changes[0], true),
            "party <grace@example.com>: name Grace Hopper → Grace \\u{1b}[31mHopper\\u{202e}"
        );
        let added = format!("{BASE}\n[[norm]]\ntext = \"\\u009b2J\"\n");
        let changes = diff(&agreement(BASE), &agreement(&added));
        assert_eq!(human_line(&changes[0], true), "\u{1b}[32m+ norm: \\u{9b}2J\u{1b}[0m");
    }
}
