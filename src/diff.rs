//! Semantic diff of two agreements (SPEC §6, "Semantic diff"): what changed in meaning — texts
//! word by word, clauses added, removed or changed — rather than which TOML lines moved; plus
//! word-level diffs of any two texts, which `accord history` uses on its own.
//!
//! Pure: no git, no terminal, no clap. Colour is applied only when the caller asks for it (the
//! caller knows whether it writes to a terminal). Texts are compared as `split_whitespace()`
//! tokens, so a whitespace-only edit of a text is reported as "reflowed", never as a change of
//! words, and changes that the model treats as "same meaning" (SPEC §4: key order, comments,
//! string style, email case) produce no change at all.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::hash::Hash;

use anstyle::{AnsiColor, Color, Style};
use serde::Serialize;
use similar::{capture_diff_slices, Algorithm, DiffOp};
use toml::value::Datetime;

use crate::model::{normalize_text, Agreement, Commitment, Kind, Role, Rule};

/// Deleted words: red and struck through (red alone where a terminal lacks strikethrough).
const DELETED: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Red))).strikethrough();
const INSERTED: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Green)));
const REMOVED_LINE: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Red)));
const ADDED_LINE: Style = INSERTED;

/// What a run of words did between the old and the new text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    Equal,
    Delete,
    Insert,
}

/// A run of words with the same fate; its words are joined by single spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub kind: SegmentKind,
    pub text: String,
}

/// Which list of scope items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeSide {
    In,
    Out,
}

impl ScopeSide {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeSide::In => "in",
            ScopeSide::Out => "out",
        }
    }
}

/// The optional fields that say when an agreement is looked at again or ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleField {
    ReviewEvery,
    ReviewBy,
    Ends,
}

impl ScheduleField {
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleField::ReviewEvery => "review_every",
            ScheduleField::ReviewBy => "review_by",
            ScheduleField::Ends => "ends",
        }
    }
}

/// One change between two revisions of an agreement.
///
/// Texts carried in a change (`old`, `new`, `text`, `item`, names) are whitespace-normalised
/// (see [`normalize_text`]); emails are as written in the file they come from, trimmed.
/// The `*_reflowed` variants are the only ones that do not change the meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    TitleReworded {
        old: String,
        new: String,
        words: Vec<Segment>,
    },
    /// Same words, other whitespace.
    TitleReflowed,
    PurposeReworded {
        old: String,
        new: String,
        words: Vec<Segment>,
    },
    /// Same words, other whitespace.
    PurposeReflowed,
    KindChanged {
        old: Kind,
        new: Kind,
    },
    RuleChanged {
        old: Rule,
        new: Rule,
    },
    /// `None` on one side: the quorum was added or removed.
    QuorumChanged {
        old: Option<u32>,
        new: Option<u32>,
    },
    /// `review_every`, `review_by` or `ends` added (`old` is `None`), removed (`new` is
    /// `None`) or changed. Dates as written in TOML (`2027-06-30`).
    ScheduleChanged {
        field: ScheduleField,
        old: Option<String>,
        new: Option<String>,
    },
    ScopeAdded {
        side: ScopeSide,
        item: String,
    },
    ScopeRemoved {
        side: ScopeSide,
        item: String,
    },
    /// Same words, other whitespace.
    ScopeReflowed {
        side: ScopeSide,
        item: String,
    },
    PartyAdded {
        name: String,
        email: String,
        role: Role,
    },
    PartyRemoved {
        name: String,
        email: String,
        role: Role,
    },
    /// Parties are matched by email, without case.
    PartyRoleChanged {
        name: String,
        email: String,
        old: Role,
        new: Role,
    },
    PartyRenamed {
        email: String,
        old: String,
        new: String,
    },
    CommitmentAdded {
        id: String,
        by: Vec<String>,
        to: Vec<String>,
        text: String,
    },
    CommitmentRemoved {
        id: String,
        by: Vec<String>,
        to: Vec<String>,
        text: String,
    },
    /// An id disappeared and another appeared with the same (whitespace-normalised) text.
    /// Changes of `by`/`to` of that commitment follow under the new id.
    CommitmentRenamed {
        old_id: String,
        new_id: String,
    },
    CommitmentReworded {
        id: String,
        old: String,
        new: String,
        words: Vec<Segment>,
    },
    /// Same words, other whitespace.
    CommitmentReflowed {
        id: String,
    },
    CommitmentByChanged {
        id: String,
        old: Vec<String>,
        new: Vec<String>,
    },
    CommitmentToChanged {
        id: String,
        old: Vec<String>,
        new: Vec<String>,
    },
    NormAdded {
        text: String,
    },
    NormRemoved {
        text: String,
    },
    /// Same words, other whitespace.
    NormReflowed {
        text: String,
    },
    /// The same items in another order (order is part of the meaning, SPEC §4). `list` is one
    /// of `scope in`, `scope out`, `parties`, `commitments`, `norms`.
    Reordered {
        list: String,
    },
}

impl Change {
    /// False only for whitespace-only reflows: an agreement whose changes all return false has
    /// the same meaning as before.
    pub fn changes_meaning(&self) -> bool {
        !matches!(
            self,
            Change::TitleReflowed
                | Change::PurposeReflowed
                | Change::ScopeReflowed { .. }
                | Change::CommitmentReflowed { .. }
                | Change::NormReflowed { .. }
        )
    }
}

/// How one text field changed.
enum Delta {
    Same,
    Reflowed,
    Reworded(Vec<Segment>),
}

fn text_delta(old: &str, new: &str) -> Delta {
    if old.split_whitespace().eq(new.split_whitespace()) {
        // Leading and trailing whitespace is TOML string style (`"""` adds a final newline),
        // not a reflow.
        if old.trim() == new.trim() {
            Delta::Same
        } else {
            Delta::Reflowed
        }
    } else {
        Delta::Reworded(words(old, new))
    }
}

/// Items of two lists paired by key, first come first served.
struct Matching {
    /// `(old index, new index)`, in old order.
    pairs: Vec<(usize, usize)>,
    removed: Vec<usize>,
    added: Vec<usize>,
}

fn pair<K: Hash + Eq>(old: &[K], new: &[K]) -> Matching {
    let mut free: HashMap<&K, VecDeque<usize>> = HashMap::new();
    for (j, k) in new.iter().enumerate() {
        free.entry(k).or_default().push_back(j);
    }
    let mut pairs = Vec::new();
    let mut removed = Vec::new();
    for (i, k) in old.iter().enumerate() {
        match free.get_mut(k).and_then(VecDeque::pop_front) {
            Some(j) => pairs.push((i, j)),
            None => removed.push(i),
        }
    }
    let mut used = vec![false; new.len()];
    pairs.iter().for_each(|&(_, j)| used[j] = true);
    let added = (0..new.len()).filter(|&j| !used[j]).collect();
    Matching { pairs, removed, added }
}

/// Whether the paired items appear in another relative order in the new list.
fn reordered(pairs: &[(usize, usize)]) -> bool {
    let mut by_old = pairs.to_vec();
    by_old.sort_unstable();
    by_old.windows(2).any(|w| w[0].1 > w[1].1)
}

fn emails(list: &[String]) -> Vec<String> {
    list.iter().map(|e| e.trim().to_lowercase()).collect()
}

fn trimmed(list: &[String]) -> Vec<String> {
    list.iter().map(|e| e.trim().to_string()).collect()
}

fn schedule(out: &mut Vec<Change>, field: ScheduleField, old: Option<String>, new: Option<String>) {
    if old != new {
        out.push(Change::ScheduleChanged { field, old, new });
    }
}

fn date(d: &Option<Datetime>) -> Option<String> {
    d.as_ref().map(Datetime::to_string)
}

fn diff_scope(out: &mut Vec<Change>, side: ScopeSide, old: &[String], new: &[String]) {
    let old_keys: Vec<String> = old.iter().map(|s| normalize_text(s)).collect();
    let new_keys: Vec<String> = new.iter().map(|s| normalize_text(s)).collect();
    let m = pair(&old_keys, &new_keys);
    for &j in &m.added {
        out.push(Change::ScopeAdded { side, item: new_keys[j].clone() });
    }
    for &i in &m.removed {
        out.push(Change::ScopeRemoved { side, item: old_keys[i].clone() });
    }
    for &(i, j) in &m.pairs {
        if old[i].trim() != new[j].trim() {
            out.push(Change::ScopeReflowed { side, item: new_keys[j].clone() });
        }
    }
    if reordered(&m.pairs) {
        out.push(Change::Reordered { list: format!("scope {}", side.as_str()) });
    }
}

fn diff_parties(out: &mut Vec<Change>, old: &Agreement, new: &Agreement) {
    let key = |a: &Agreement| a.parties.iter().map(|p| p.email.trim().to_lowercase()).collect();
    let (old_keys, new_keys): (Vec<String>, Vec<String>) = (key(old), key(new));
    let m = pair(&old_keys, &new_keys);
    for &j in &m.added {
        let p = &new.parties[j];
        let (name, email) = (normalize_text(&p.name), p.email.trim().to_string());
        out.push(Change::PartyAdded { name, email, role: p.role });
    }
    for &i in &m.removed {
        let p = &old.parties[i];
        let (name, email) = (normalize_text(&p.name), p.email.trim().to_string());
        out.push(Change::PartyRemoved { name, email, role: p.role });
    }
    let mut pairs = m.pairs.clone();
    pairs.sort_unstable_by_key(|&(_, j)| j);
    for (i, j) in pairs {
        let (o, n) = (&old.parties[i], &new.parties[j]);
        let (old_name, new_name) = (normalize_text(&o.name), normalize_text(&n.name));
        let email = n.email.trim().to_string();
        if old_name != new_name {
            out.push(Change::PartyRenamed {
                email: email.clone(),
                old: old_name,
                new: new_name.clone(),
            });
        }
        if o.role != n.role {
            out.push(Change::PartyRoleChanged { name: new_name, email, old: o.role, new: n.role });
        }
    }
    if reordered(&m.pairs) {
        out.push(Change::Reordered { list: "parties".into() });
    }
}

fn diff_commitments(out: &mut Vec<Change>, old: &Agreement, new: &Agreement) {
    let (old_c, new_c) = (&old.commitments, &new.commitments);
    let old_ids: Vec<&str> = old_c.iter().map(|c| c.id.as_str()).collect();
    let new_ids: Vec<&str> = new_c.iter().map(|c| c.id.as_str()).collect();
    let by_id = pair(&old_ids, &new_ids);
    // Among the ids that vanished and appeared, the same text means a rename.
    let texts = |list: &[usize], cs: &[Commitment]| -> Vec<String> {
        list.iter().map(|&i| normalize_text(&cs[i].text)).collect()
    };
    let by_text = pair(&texts(&by_id.removed, old_c), &texts(&by_id.added, new_c));
    let renames: Vec<(usize, usize)> =
        by_text.pairs.iter().map(|&(a, b)| (by_id.removed[a], by_id.added[b])).collect();

    for &b in &by_text.added {
        let c = &new_c[by_id.added[b]];
        out.push(Change::CommitmentAdded {
            id: c.id.clone(),
            by: trimmed(&c.by),
            to: trimmed(&c.to),
            text: normalize_text(&c.text),
        });
    }
    for &a in &by_text.removed {
        let c = &old_c[by_id.removed[a]];
        out.push(Change::CommitmentRemoved {
            id: c.id.clone(),
            by: trimmed(&c.by),
            to: trimmed(&c.to),
            text: normalize_text(&c.text),
        });
    }
    let mut pairs: Vec<(usize, usize)> = by_id.pairs.iter().copied().chain(renames).collect();
    pairs.sort_unstable_by_key(|&(_, j)| j);
    for &(i, j) in &pairs {
        let (o, n) = (&old_c[i], &new_c[j]);
        let id = n.id.clone();
        if o.id != n.id {
            out.push(Change::CommitmentRenamed { old_id: o.id.clone(), new_id: id.clone() });
        } else {
            match text_delta(&o.text, &n.text) {
                Delta::Same => {}
                Delta::Reflowed => out.push(Change::CommitmentReflowed { id: id.clone() }),
                Delta::Reworded(words) => out.push(Change::CommitmentReworded {
                    id: id.clone(),
                    old: normalize_text(&o.text),
                    new: normalize_text(&n.text),
                    words,
                }),
            }
        }
        if emails(&o.by) != emails(&n.by) {
            let (old, new) = (trimmed(&o.by), trimmed(&n.by));
            out.push(Change::CommitmentByChanged { id: id.clone(), old, new });
        }
        if emails(&o.to) != emails(&n.to) {
            let (old, new) = (trimmed(&o.to), trimmed(&n.to));
            out.push(Change::CommitmentToChanged { id, old, new });
        }
    }
    if reordered(&pairs) {
        out.push(Change::Reordered { list: "commitments".into() });
    }
}

fn diff_norms(out: &mut Vec<Change>, old: &Agreement, new: &Agreement) {
    let old_keys: Vec<String> = old.norms.iter().map(|n| normalize_text(&n.text)).collect();
    let new_keys: Vec<String> = new.norms.iter().map(|n| normalize_text(&n.text)).collect();
    let m = pair(&old_keys, &new_keys);
    for &j in &m.added {
        out.push(Change::NormAdded { text: new_keys[j].clone() });
    }
    for &i in &m.removed {
        out.push(Change::NormRemoved { text: old_keys[i].clone() });
    }
    for &(i, j) in &m.pairs {
        if old.norms[i].text.trim() != new.norms[j].text.trim() {
            out.push(Change::NormReflowed { text: new_keys[j].clone() });
        }
    }
    if reordered(&m.pairs) {
        out.push(Change::Reordered { list: "norms".into() });
    }
}

/// Every change from `old` to `new`, in the order title, purpose, kind, decision, review
/// dates, scope, parties, commitments, norms. Within a list: added, removed, then changes of
/// the items kept (in their new order), then "reordered".
pub fn diff(old: &Agreement, new: &Agreement) -> Vec<Change> {
    let mut out = Vec::new();
    match text_delta(&old.title, &new.title) {
        Delta::Same => {}
        Delta::Reflowed => out.push(Change::TitleReflowed),
        Delta::Reworded(words) => out.push(Change::TitleReworded {
            old: normalize_text(&old.title),
            new: normalize_text(&new.title),
            words,
        }),
    }
    match text_delta(&old.purpose, &new.purpose) {
        Delta::Same => {}
        Delta::Reflowed => out.push(Change::PurposeReflowed),
        Delta::Reworded(words) => out.push(Change::PurposeReworded {
            old: normalize_text(&old.purpose),
            new: normalize_text(&new.purpose),
            words,
        }),
    }
    if old.kind != new.kind {
        out.push(Change::KindChanged { old: old.kind, new: new.kind });
    }
    if old.decision.rule != new.decision.rule {
        out.push(Change::RuleChanged { old: old.decision.rule, new: new.decision.rule });
    }
    if old.decision.quorum != new.decision.quorum {
        out.push(Change::QuorumChanged { old: old.decision.quorum, new: new.decision.quorum });
    }
    let every = |a: &Agreement| a.review_every.clone();
    schedule(&mut out, ScheduleField::ReviewEvery, every(old), every(new));
    schedule(&mut out, ScheduleField::ReviewBy, date(&old.review_by), date(&new.review_by));
    schedule(&mut out, ScheduleField::Ends, date(&old.ends), date(&new.ends));

    let (old_scope, new_scope) = (old.scope.clone().unwrap_or_default(), new.scope.clone());
    let new_scope = new_scope.unwrap_or_default();
    diff_scope(&mut out, ScopeSide::In, &old_scope.included, &new_scope.included);
    diff_scope(&mut out, ScopeSide::Out, &old_scope.excluded, &new_scope.excluded);
    diff_parties(&mut out, old, new);
    diff_commitments(&mut out, old, new);
    diff_norms(&mut out, old, new);
    out
}

/// Word-level diff of two texts as segments. Words are `split_whitespace()` tokens, so any
/// whitespace difference alone gives a single `Equal` segment (or none for empty texts).
/// Within each changed stretch the deleted words come before the inserted ones.
pub fn words(old: &str, new: &str) -> Vec<Segment> {
    let old: Vec<&str> = old.split_whitespace().collect();
    let new: Vec<&str> = new.split_whitespace().collect();
    let mut out: Vec<Segment> = Vec::new();
    let mut deleted: Vec<&str> = Vec::new();
    let mut inserted: Vec<&str> = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
        match op {
            DiffOp::Equal { old_index, len, .. } => {
                flush(&mut out, &mut deleted, &mut inserted);
                push(&mut out, SegmentKind::Equal, &old[old_index..old_index + len]);
            }
            DiffOp::Delete { old_index, old_len, .. } => {
                deleted.extend_from_slice(&old[old_index..old_index + old_len]);
            }
            DiffOp::Insert { new_index, new_len, .. } => {
                inserted.extend_from_slice(&new[new_index..new_index + new_len]);
            }
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                deleted.extend_from_slice(&old[old_index..old_index + old_len]);
                inserted.extend_from_slice(&new[new_index..new_index + new_len]);
            }
        }
    }
    flush(&mut out, &mut deleted, &mut inserted);
    out
}

fn flush(out: &mut Vec<Segment>, deleted: &mut Vec<&str>, inserted: &mut Vec<&str>) {
    push(out, SegmentKind::Delete, deleted);
    push(out, SegmentKind::Insert, inserted);
    deleted.clear();
    inserted.clear();
}

fn push(out: &mut Vec<Segment>, kind: SegmentKind, tokens: &[&str]) {
    if tokens.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(last) if last.kind == kind => {
            last.text.push(' ');
            last.text.push_str(&tokens.join(" "));
        }
        _ => out.push(Segment { kind, text: tokens.join(" ") }),
    }
}

fn paint(style: Style, text: &str) -> String {
    format!("{}{text}{}", style.render(), style.render_reset())
}

/// Render segments on one line, words joined by single spaces. Without colour, deletions are
/// `[-old-]` and insertions `{+new+}` (as `git diff --word-diff=plain`), a replacement being
/// `[-old-]{+new+}` with nothing between; with colour, deleted words are red and struck
/// through, inserted words green, with no markers.
pub fn render_words(segments: &[Segment], color: bool) -> String {
    let mut out = String::new();
    let mut prev: Option<SegmentKind> = None;
    for s in segments.iter().filter(|s| !s.text.is_empty()) {
        // Agreement text is untrusted: no control characters reach a terminal.
        let text = crate::render::human::sanitize(&s.text);
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

fn list_or(list: &[String], none: &str) -> String {
    if list.is_empty() {
        none.to_string()
    } else {
        list.join(", ")
    }
}

fn commitment_line(sign: char, id: &str, by: &[String], to: &[String], text: &str) -> String {
    let mut line = format!("{sign} commitment {id}: {text} (by {}", list_or(by, "nobody"));
    if !to.is_empty() {
        write!(line, "; to {}", to.join(", ")).unwrap_or_default();
    }
    line.push(')');
    line
}

/// One human line for a change, as `accord diff` and the markdown renderer print it. Added
/// clauses start with `+ `, removed ones with `- `; with `color`, those lines are green or red
/// and reworded texts show coloured words instead of `[-…-]{+…+}` markers.
pub fn describe(change: &Change, color: bool) -> String {
    let (line, style) = match change {
        Change::TitleReworded { words, .. } => {
            (format!("title: {}", render_words(words, color)), None)
        }
        Change::TitleReflowed => ("title: text reflowed".to_string(), None),
        Change::PurposeReworded { words, .. } => {
            (format!("purpose: {}", render_words(words, color)), None)
        }
        Change::PurposeReflowed => ("purpose: text reflowed".to_string(), None),
        Change::KindChanged { old, new } => (format!("kind: {old} → {new}"), None),
        Change::RuleChanged { old, new } => (format!("decision: {old} → {new}"), None),
        Change::QuorumChanged { old, new } => match (old, new) {
            (Some(o), Some(n)) => (format!("quorum: {o} → {n}"), None),
            (None, Some(n)) => (format!("+ quorum {n}"), Some(ADDED_LINE)),
            (Some(o), None) => (format!("- quorum {o}"), Some(REMOVED_LINE)),
            (None, None) => ("quorum: unchanged".to_string(), None),
        },
        Change::ScheduleChanged { field, old, new } => {
            let field = field.as_str();
            match (old, new) {
                (Some(o), Some(n)) => (format!("{field}: {o} → {n}"), None),
                (None, Some(n)) => (format!("+ {field} {n}"), Some(ADDED_LINE)),
                (Some(o), None) => (format!("- {field} {o}"), Some(REMOVED_LINE)),
                (None, None) => (format!("{field}: unchanged"), None),
            }
        }
        Change::ScopeAdded { side, item } => {
            (format!("+ scope {}: {item}", side.as_str()), Some(ADDED_LINE))
        }
        Change::ScopeRemoved { side, item } => {
            (format!("- scope {}: {item}", side.as_str()), Some(REMOVED_LINE))
        }
        Change::ScopeReflowed { side, item } => {
            (format!("scope {}: text reflowed: {item}", side.as_str()), None)
        }
        Change::PartyAdded { name, email, role } => {
            (format!("+ party {name} <{email}> ({role})"), Some(ADDED_LINE))
        }
        Change::PartyRemoved { name, email, role } => {
            (format!("- party {name} <{email}> ({role})"), Some(REMOVED_LINE))
        }
        Change::PartyRoleChanged { name, email, old, new } => {
            (format!("party {name} <{email}>: role {old} → {new}"), None)
        }
        Change::PartyRenamed { email, old, new } => {
            (format!("party <{email}>: name {old} → {new}"), None)
        }
        Change::CommitmentAdded { id, by, to, text } => {
            (commitment_line('+', id, by, to, text), Some(ADDED_LINE))
        }
        Change::CommitmentRemoved { id, by, to, text } => {
            (commitment_line('-', id, by, to, text), Some(REMOVED_LINE))
        }
        Change::CommitmentRenamed { old_id, new_id } => {
            (format!("commitment renamed {old_id} → {new_id}"), None)
        }
        Change::CommitmentReworded { id, words, .. } => {
            (format!("commitment {id}: {}", render_words(words, color)), None)
        }
        Change::CommitmentReflowed { id } => (format!("commitment {id}: text reflowed"), None),
        Change::CommitmentByChanged { id, old, new } => (
            format!("commitment {id}: by {} → {}", list_or(old, "nobody"), list_or(new, "nobody")),
            None,
        ),
        Change::CommitmentToChanged { id, old, new } => (
            format!("commitment {id}: to {} → {}", list_or(old, "nobody"), list_or(new, "nobody")),
            None,
        ),
        Change::NormAdded { text } => (format!("+ norm: {text}"), Some(ADDED_LINE)),
        Change::NormRemoved { text } => (format!("- norm: {text}"), Some(REMOVED_LINE)),
        Change::NormReflowed { text } => (format!("norm: text reflowed: {text}"), None),
        Change::Reordered { list } => (format!("{list}: reordered"), None),
    };
    // Word diffs are sanitised word by word (they may hold colour); other lines whole.
    let line = match change {
        Change::TitleReworded { .. }
        | Change::PurposeReworded { .. }
        | Change::CommitmentReworded { .. } => line,
        _ => crate::render::human::sanitize(&line).into_owned(),
    };
    match style {
        Some(style) if color => paint(style, &line),
        _ => line,
    }
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
            Change::QuorumChanged { old, new } => {
                s.text(format!("quorum {} → {}", opt(old), opt(new)))
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
    use crate::model::parse;

    const BASE: &str = r#"schema = 1
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
in = ["CI runners", "deploy pipeline"]
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

    fn agreement(text: &str) -> Agreement {
        parse(text.as_bytes(), "test.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    /// BASE with `from` replaced by `to` (which must occur).
    fn edited(from: &str, to: &str) -> Agreement {
        assert!(BASE.contains(from), "{from}");
        agreement(&BASE.replace(from, to))
    }

    fn plain(changes: &[Change]) -> Vec<String> {
        changes.iter().map(|c| describe(c, false)).collect()
    }

    fn seg(kind: SegmentKind, text: &str) -> Segment {
        Segment { kind, text: text.to_string() }
    }

    #[test]
    fn words_inserted() {
        let segs = words("a paved road", "a paved and lit road");
        use SegmentKind::*;
        assert_eq!(segs, [seg(Equal, "a paved"), seg(Insert, "and lit"), seg(Equal, "road")]);
        assert_eq!(render_words(&segs, false), "a paved {+and lit+} road");
    }

    #[test]
    fn words_deleted() {
        let segs = words("Give every product team a road", "Give every team a road");
        use SegmentKind::*;
        assert_eq!(
            segs,
            [seg(Equal, "Give every"), seg(Delete, "product"), seg(Equal, "team a road")]
        );
        assert_eq!(render_words(&segs, false), "Give every [-product-] team a road");
    }

    #[test]
    fn words_replaced() {
        let segs = words("Give every team a paved road.", "Give every team a smooth,\n  lit road.");
        assert_eq!(render_words(&segs, false), "Give every team a [-paved-]{+smooth, lit+} road.");
        let colored = render_words(&segs, true);
        assert!(colored.contains("\u{1b}[9m\u{1b}[31mpaved\u{1b}[0m"), "{colored:?}");
        assert!(colored.contains("\u{1b}[32msmooth, lit\u{1b}[0m"), "{colored:?}");
        assert!(!colored.contains("[-"));
    }

    #[test]
    fn words_edges() {
        assert_eq!(words("", ""), []);
        assert_eq!(words("  ", "\n"), []);
        assert_eq!(render_words(&words("", "new text"), false), "{+new text+}");
        assert_eq!(render_words(&words("old text", ""), false), "[-old text-]");
        assert_eq!(render_words(&words("a  b\nc", "a b c"), false), "a b c");
    }

    #[test]
    fn segments_serialize_plainly() {
        let json = serde_json::to_string(&words("a b", "a c")).unwrap();
        let expected = r#"[{"kind":"equal","text":"a"},{"kind":"delete","text":"b"},"#.to_string()
            + r#"{"kind":"insert","text":"c"}]"#;
        assert_eq!(json, expected);
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
        assert_eq!(describe(&changes[0], true), "\u{1b}[32m+ norm: Be kind.\u{1b}[0m");
        assert_eq!(describe(&changes[0], false), "+ norm: Be kind.");
    }

    #[test]
    fn json_shape() {
        let new = edited("a paved road", "a road");
        let json = serde_json::to_value(diff(&agreement(BASE), &new)).unwrap();
        assert_eq!(json[0]["change"], "purpose_reworded");
        assert_eq!(json[0]["words"][1], serde_json::json!({"kind": "delete", "text": "paved"}));
        let json = serde_json::to_value(Change::PurposeReflowed).unwrap();
        assert_eq!(json, serde_json::json!({"change": "purpose_reflowed"}));
    }
}
