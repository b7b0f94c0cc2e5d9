//! Semantic diff of two agreements (SPEC §6, "Semantic diff"): what changed in meaning — texts
//! word by word, clauses added, removed or changed — rather than which TOML lines moved; plus
//! word-level diffs of any two texts ([`words`]), which `accord history` uses on its own.
//!
//! Pure computation returning plain data ([`Change`], [`Segment`]): no git, no terminal, no
//! colour, no escaping and no wording for people — `render::diff` presents these values. Texts
//! are compared as `split_whitespace()` tokens, so a whitespace-only edit of a text is reported
//! as "reflowed", never as a change of words, and changes that the model treats as "same
//! meaning" (SPEC §4: key order, comments, string style, email case) produce no change at all.

mod words;

#[cfg(test)]
pub(crate) mod fixtures;

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use serde::Serialize;
use toml::value::Datetime;

use crate::model::{normalize_text, Agreement, Commitment, Kind, Role, Rule};

pub use words::words;

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
    /// `retired = true` was set (`true`) or taken back.
    RetiredChanged {
        retired: bool,
    },
    /// `None` on one side: the quorum was added or removed.
    QuorumChanged {
        old: Option<u32>,
        new: Option<u32>,
    },
    /// The ids in `supersedes` changed (compared as a set, as same meaning does).
    SupersedesChanged {
        old: Vec<String>,
        new: Vec<String>,
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
    list.iter().map(|e| crate::model::email_key(e.trim())).collect()
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
    let key =
        |a: &Agreement| a.parties.iter().map(|p| crate::model::email_key(p.email.trim())).collect();
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
    if old.retired != new.retired {
        out.push(Change::RetiredChanged { retired: new.retired });
    }
    if old.decision.quorum != new.decision.quorum {
        out.push(Change::QuorumChanged { old: old.decision.quorum, new: new.decision.quorum });
    }
    let ids = |a: &Agreement| {
        let mut v = a.supersedes.clone();
        v.sort();
        v.dedup();
        v
    };
    if ids(old) != ids(new) {
        out.push(Change::SupersedesChanged { old: ids(old), new: ids(new) });
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

#[cfg(test)]
mod tests {
    use super::fixtures::{agreement, edited, BASE};
    use super::*;

    #[test]
    fn segments_serialize_plainly() {
        let json = serde_json::to_string(&words("a b", "a c")).unwrap();
        let expected = r#"[{"kind":"equal","text":"a"},{"kind":"delete","text":"b"},"#.to_string()
            + r#"{"kind":"insert","text":"c"}]"#;
        assert_eq!(json, expected);
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

    #[test]
    fn changes_carry_plain_text() {
        // Texts come out whitespace-normalised and unescaped: presenting them is render's job.
        let new = edited("Grace Hopper", "Grace  <b>Hopper</b>\\u001b");
        assert_eq!(
            diff(&agreement(BASE), &new),
            [Change::PartyRenamed {
                email: "grace@example.com".into(),
                old: "Grace Hopper".into(),
                new: "Grace <b>Hopper</b>\u{1b}".into(),
            }]
        );
    }
}
