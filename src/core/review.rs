//! What a range of commits (a pull request) did to each agreement and why the review gate
//! fails, as data and words: pure, no git, no terminal. `commands::review` gathers the facts.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::oid::ObjectId;

/// What a range did to an agreement file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileChange {
    Added,
    Removed,
    Changed,
    /// The text is the same; positions were recorded in the range.
    Unchanged,
}

impl FileChange {
    pub fn as_str(self) -> &'static str {
        match self {
            FileChange::Added => "added",
            FileChange::Removed => "removed",
            FileChange::Changed => "changed",
            FileChange::Unchanged => "unchanged",
        }
    }
}

/// What the range did to a file, from its blob before and after and whether positions were
/// taken on it in the range; `None` when nothing happened to it.
pub fn classify(
    before: Option<&ObjectId>,
    after: Option<&ObjectId>,
    has_positions: bool,
) -> Option<FileChange> {
    match (before, after) {
        (None, Some(_)) => Some(FileChange::Added),
        (Some(_), None) => Some(FileChange::Removed),
        (Some(x), Some(y)) if x != y => Some(FileChange::Changed),
        _ if has_positions => Some(FileChange::Unchanged),
        _ => None,
    }
}

/// Why one agreement fails the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// Added or changed and not ratified at HEAD.
    Unratified,
    /// Removed without a ratified retirement or a ratified successor.
    Removed,
}

/// Whether an agreement fails the gate: `ratified` is its state at HEAD (none when removed),
/// `retired_first` for a removal whether that removal had consent.
pub fn blocks(
    change: FileChange,
    ratified: Option<bool>,
    retired_first: Option<bool>,
) -> Option<Block> {
    match (change, ratified, retired_first) {
        (FileChange::Added | FileChange::Changed, Some(false), _) => Some(Block::Unratified),
        (FileChange::Removed, _, Some(false)) => Some(Block::Removed),
        _ => None,
    }
}

/// The gate's problems in words, for the agreements that block it (`head` names the head side
/// of the range as the user wrote it).
pub fn problems(head: &str, unratified: &[String], removed: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if !unratified.is_empty() {
        out.push(format!("not ratified at {head}: {}", unratified.join(", ")));
    }
    if !removed.is_empty() {
        out.push(format!(
            "removed without a ratified retirement: {} (retire first: `retired = true`, ratified)",
            removed.join(", ")
        ));
    }
    out
}

/// The gate's problem for renames onto ids that earlier agreements had.
pub fn reused_ids(ids: &[String]) -> String {
    format!(
        "renamed onto an id an earlier agreement had: {} (ids are not used again: choose a new one)",
        ids.join(", ")
    )
}

/// Each agreement's text "before" a range, from its text at every commit where the two sides
/// met (`sides[0]` the merge base git names). After criss-cross merges they met at several
/// commits, and git merges from all of them: an agreement counts as changed when HEAD's text
/// (`after`) differs from any of them, that text (or its absence) standing for "before", so a
/// head that matches one base while undoing the other's change cannot pass as unchanged.
pub fn before_range(
    sides: &[BTreeMap<String, ObjectId>],
    after: &BTreeMap<String, ObjectId>,
) -> BTreeMap<String, ObjectId> {
    let Some(mut before) = sides.first().cloned() else { return BTreeMap::new() };
    if sides.len() == 1 {
        return before;
    }
    let ids: BTreeSet<&String> = sides.iter().flat_map(|s| s.keys()).collect();
    for id in ids {
        let now = after.get(id);
        let differs = sides.iter().map(|s| s.get(id)).find(|&was| was != now);
        match differs.unwrap_or(now) {
            Some(&blob) => before.insert(id.clone(), blob),
            None => before.remove(id),
        };
    }
    before
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_and_block() {
        let (x, y) = (
            ObjectId::default(),
            "1111111111111111111111111111111111111111".parse().unwrap_or_default(),
        );
        assert_eq!(classify(None, Some(&x), false), Some(FileChange::Added));
        assert_eq!(classify(Some(&x), None, false), Some(FileChange::Removed));
        assert_eq!(classify(Some(&x), Some(&y), false), Some(FileChange::Changed));
        assert_eq!(classify(Some(&x), Some(&x), true), Some(FileChange::Unchanged));
        assert_eq!(classify(Some(&x), Some(&x), false), None);
        assert_eq!(blocks(FileChange::Changed, Some(false), None), Some(Block::Unratified));
        assert_eq!(blocks(FileChange::Unchanged, Some(false), None), None);
        assert_eq!(blocks(FileChange::Removed, None, Some(false)), Some(Block::Removed));
        assert_eq!(blocks(FileChange::Removed, None, Some(true)), None);
        assert!(problems("HEAD", &[], &[]).is_empty());
        assert_eq!(problems("HEAD", &["a".into()], &[]), vec!["not ratified at HEAD: a"]);
    }

    fn blob(n: u8) -> ObjectId {
        format!("{n:02x}").repeat(20).parse().unwrap_or_default()
    }

    fn texts(pairs: &[(&str, u8)]) -> BTreeMap<String, ObjectId> {
        pairs.iter().map(|&(id, n)| (id.to_string(), blob(n))).collect()
    }

    #[test]
    fn before_a_range_is_any_merge_base_that_differs_from_head() {
        // One merge base: its texts, as they are.
        let base = texts(&[("a", 1), ("b", 2)]);
        assert_eq!(before_range(std::slice::from_ref(&base), &texts(&[("a", 1)])), base);
        // Criss-cross: HEAD keeps base 1's `a` but undoes base 2's change of it; it has `b` as
        // base 2 has it, which base 1 lacks; `c` is gone from HEAD and from base 1.
        let other = texts(&[("a", 3), ("b", 2), ("c", 4)]);
        let one = texts(&[("a", 1)]);
        let head = texts(&[("a", 1), ("b", 2)]);
        let before = before_range(&[one, other], &head);
        assert_eq!(before.get("a"), Some(&blob(3)), "undoing base 2's edit is a change");
        assert_eq!(before.get("b"), None, "absent at base 1: added as far as it knows");
        assert_eq!(before.get("c"), Some(&blob(4)), "removed against base 2");
        // Every base agrees with HEAD: unchanged.
        let same = texts(&[("a", 1)]);
        assert_eq!(before_range(&[same.clone(), same.clone()], &same), same);
        assert!(before_range(&[], &same).is_empty());
    }
}
