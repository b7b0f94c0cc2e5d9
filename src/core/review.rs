//! What a range of commits (a pull request) did to each agreement and why the review gate
//! fails, as data and words: pure, no git, no terminal. `commands::review` gathers the facts.

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
}
