//! Word-level diffs of two texts: runs of `split_whitespace()` tokens that stayed, went or
//! came, computed with `similar`. Pure; rendering the runs (markers, colour) is `render::diff`'s.

use similar::{capture_diff_slices, Algorithm, DiffOp};

use super::{Segment, SegmentKind};

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

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(kind: SegmentKind, text: &str) -> Segment {
        Segment { kind, text: text.to_string() }
    }

    #[test]
    fn runs_of_words() {
        use SegmentKind::*;
        assert_eq!(
            words("Give every team a paved road.", "Give every team a smooth,\n  lit road."),
            [
                seg(Equal, "Give every team a"),
                seg(Delete, "paved"),
                seg(Insert, "smooth, lit"),
                seg(Equal, "road."),
            ]
        );
        assert_eq!(words("a  b\nc", "a b c"), [seg(Equal, "a b c")]);
        assert_eq!(words("", "new text"), [seg(Insert, "new text")]);
        assert_eq!(words("old text", ""), [seg(Delete, "old text")]);
        assert_eq!(words("  ", "\n"), []);
    }
}
