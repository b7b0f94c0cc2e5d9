//! Which positions count (SPEC §4 "Which positions count"). Positions reachable from the
//! evaluated commit always count. A position on the positions branch, made at time t, counts
//! when (a) a revision with the same meaning as the one it names was current in the evaluated
//! history at some moment at or after t, or (b) it is an objection or a withdraw and some
//! revision of the agreement was committed into the evaluated history after t.

use super::meaning::{Meaning, Revisions};
use crate::error::Result;
use crate::ledger::Position;

use crate::trailers::Stance;

/// One text of the agreement in the evaluated history: current from `start` until `end` (the
/// time of the commit that replaced it; `None` while it stands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: i64,
    pub end: Option<i64>,
    /// `None` when the text does not parse.
    pub meaning: Option<Meaning>,
}

/// The agreement's life in the evaluated history, as counting needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lineage {
    /// Every text it had, oldest first.
    pub spans: Vec<Span>,
    /// The time of every commit that changed the file (a removal included).
    pub edits: Vec<i64>,
}

impl Lineage {
    /// The lineage of edits oldest first, each its commit time and, unless it removed the file,
    /// its text's meaning (`None` when the text does not parse). An edit counts as made no
    /// earlier than the edits before it: a commit dated before its parent cannot end a text's
    /// span before the positions made while the text stood.
    pub fn from_edits(edits: &[(i64, Option<Option<Meaning>>)]) -> Lineage {
        let mut floor = i64::MIN;
        let times: Vec<i64> = edits
            .iter()
            .map(|&(t, _)| {
                floor = floor.max(t);
                floor
            })
            .collect();
        let spans = edits
            .iter()
            .enumerate()
            .filter_map(|(k, (_, text))| {
                let meaning = (*text)?;
                Some(Span { start: times[k], end: times.get(k + 1).copied(), meaning })
            })
            .collect();
        Lineage { spans, edits: times }
    }
}

impl Lineage {
    /// The lineage where, besides what the edits in their one order say, each text in
    /// `displaced` (its meaning) was current until the time given with it: a commit replaced
    /// it on the line of one of its parents (SPEC §4: a revision is current until the commit
    /// that replaced it). A history is no line: a text a branch replaced early stood on `main`
    /// until the branch merged, and what was said of it meanwhile counts. (Such a commit is
    /// no new revision for an objection to reach forward to: a merge that only takes one
    /// parent's text commits nothing new.)
    pub fn displacing(mut self, displaced: &[(i64, Option<Meaning>)]) -> Lineage {
        for &(t, meaning) in displaced {
            self.spans.push(Span { start: t, end: Some(t), meaning });
        }
        self
    }
}

/// Whether a positions-branch position, naming a text whose meaning is `named`, counts in the
/// history `lineage` describes.
pub fn counts(p: &Position, named: Option<Meaning>, lineage: &Lineage) -> bool {
    counts_as_made_at(p, p.time, named, lineage)
}

/// [`counts`], the position judged as made at `t` (where it is placed among the history's
/// events, which its own date may not say).
pub fn counts_as_made_at(p: &Position, t: i64, named: Option<Meaning>, lineage: &Lineage) -> bool {
    let current_after = |m: Meaning| {
        lineage.spans.iter().any(|s| s.meaning == Some(m) && s.end.is_none_or(|e| e >= t))
    };
    // A position made in an edit's second is placed before the edit, for both rules: the
    // text it names was current then, and the edit comes after it.
    let reaches_forward = matches!(p.trailers.stance, Stance::Object | Stance::Withdraw)
        && lineage.edits.iter().any(|&e| e >= t);
    named.is_some_and(current_after) || reaches_forward
}

/// The positions of `branch` (newest first) that count where the current text means
/// `current`. `lineage` is asked for only when a position names another meaning.
pub fn count_branch<'p, R: Revisions + ?Sized>(
    reader: &R,
    current: Meaning,
    branch: &[&'p Position],
    lineage: impl FnOnce() -> Result<Lineage>,
) -> Result<Vec<&'p Position>> {
    let mut lineage = Some(lineage);
    let mut known: Option<Lineage> = None;
    let mut out = Vec::new();
    for p in branch {
        let named = reader.named_meaning(&p.trailers)?;
        // The current text is current now, after every position: the cheap, common case.
        let counted = if named == Some(current) {
            true
        } else {
            if known.is_none() {
                let make = lineage.take().expect("asked once");
                known = Some(make()?);
            }
            counts(p, named, known.as_ref().expect("just set"))
        };
        if counted {
            out.push(*p);
        }
    }
    Ok(out)
}

/// Positions reachable from the evaluated commit and counted positions-branch positions, both
/// newest first, as one list newest first: later committer time first, then the larger id.
pub fn merge<'p>(here: &[&'p Position], branch: &[&'p Position]) -> Vec<&'p Position> {
    let mut out = Vec::with_capacity(here.len() + branch.len());
    let (mut i, mut j) = (0, 0);
    while i < here.len() || j < branch.len() {
        let take_here = match (here.get(i), branch.get(j)) {
            (Some(a), Some(b)) => (a.time, a.commit) >= (b.time, b.commit),
            (Some(_), None) => true,
            _ => false,
        };
        if take_here {
            out.push(here[i]);
            i += 1;
        } else {
            out.push(branch[j]);
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! SPEC §4's examples, each as a case.

    use super::*;
    use crate::oid::ObjectId;
    use crate::trailers::Trailers;

    fn m(n: u8) -> Meaning {
        ObjectId::from_bytes([n; 20])
    }

    fn position(stance: Stance, time: i64) -> Position {
        Position {
            commit: ObjectId::from_bytes([time as u8; 20]),
            time,
            author_name: "G".into(),
            author_email: "g@example.com".into(),
            trailers: Trailers {
                stance,
                agreement: "x".into(),
                revision: "00".repeat(20),
                name: "G".into(),
                email: "g@example.com".into(),
                meaning: None,
            },
            note: String::new(),
        }
    }

    /// main had text 1 from t=100, replaced at t=200 by text 2 (which stands).
    fn main_history() -> Lineage {
        Lineage {
            spans: vec![
                Span { start: 100, end: Some(200), meaning: Some(m(1)) },
                Span { start: 200, end: None, meaning: Some(m(2)) },
            ],
            edits: vec![100, 200],
        }
    }

    #[test]
    fn a_sign_off_on_a_text_that_reached_main_counts_however_it_was_merged() {
        // Signed the pull request's text (meaning 2) at 150, squash-merged at 200.
        assert!(counts(&position(Stance::Sign, 150), Some(m(2)), &main_history()));
        // Signed text 1 while it stood.
        assert!(counts(&position(Stance::Sign, 150), Some(m(1)), &main_history()));
    }

    #[test]
    fn a_sign_off_on_a_proposal_that_never_reached_main_has_no_effect() {
        assert!(!counts(&position(Stance::Sign, 150), Some(m(9)), &main_history()));
        // A revert to an old text still in review: text 1 stopped being current at 200.
        assert!(!counts(&position(Stance::Sign, 250), Some(m(1)), &main_history()));
    }

    #[test]
    fn an_objection_reaches_forward_to_every_later_change() {
        // Objected to a pull request's first draft (meaning 9, never on main) at 150; the
        // amended text was merged at 200: the objection blocks it.
        assert!(counts(&position(Stance::Object, 150), Some(m(9)), &main_history()));
        // After the last change, an objection to a text main never had does not count...
        assert!(!counts(&position(Stance::Object, 250), Some(m(9)), &main_history()));
        // ...and one to the standing text does.
        assert!(counts(&position(Stance::Object, 250), Some(m(2)), &main_history()));
    }

    #[test]
    fn a_withdraw_reaches_forward_like_the_objection_it_lifts() {
        assert!(counts(&position(Stance::Withdraw, 150), Some(m(9)), &main_history()));
        assert!(!counts(&position(Stance::Withdraw, 250), Some(m(9)), &main_history()));
        // Abstentions do not reach forward.
        assert!(!counts(&position(Stance::Abstain, 150), Some(m(9)), &main_history()));
    }

    #[test]
    fn a_text_that_cannot_be_read_counts_only_by_reaching_forward() {
        assert!(!counts(&position(Stance::Sign, 150), None, &main_history()));
        assert!(counts(&position(Stance::Object, 150), None, &main_history()));
    }

    #[test]
    fn an_edit_dated_before_the_edits_it_follows_counts_as_made_after_them() {
        // Text 1 at 100; text 2 committed after it but dated 50 (a skewed or forged clock).
        let l = Lineage::from_edits(&[(100, Some(Some(m(1)))), (50, Some(Some(m(2))))]);
        assert_eq!(l.edits, vec![100, 100]);
        assert_eq!(l.spans[0], Span { start: 100, end: Some(100), meaning: Some(m(1)) });
        // A removal ends the last text's span and starts none.
        let gone = Lineage::from_edits(&[(100, Some(Some(m(1)))), (200, None)]);
        assert_eq!(gone.spans, vec![Span { start: 100, end: Some(200), meaning: Some(m(1)) }]);
        assert_eq!(gone.edits, vec![100, 200]);
    }

    #[test]
    fn a_text_replaced_later_on_another_line_counts_until_then() {
        // Text 1 at 100, text 2 at 200 on a branch; text 1 stood on main until the merge at
        // 400 replaced it there.
        let flat = Lineage::from_edits(&[(100, Some(Some(m(1)))), (200, Some(Some(m(2))))]);
        let lineage = flat.clone().displacing(&[(400, Some(m(1)))]);
        assert!(!counts(&position(Stance::Sign, 300), Some(m(1)), &flat));
        assert!(counts(&position(Stance::Sign, 300), Some(m(1)), &lineage));
        assert!(!counts(&position(Stance::Sign, 500), Some(m(1)), &lineage));
        // An objection to text 1 made meanwhile counts; one to a text never current after it
        // does not: the merge brings no new revision to reach forward to.
        assert!(counts(&position(Stance::Object, 300), Some(m(1)), &lineage));
        assert!(!counts(&position(Stance::Object, 300), Some(m(7)), &lineage));
    }

    #[test]
    fn merge_orders_by_time_then_id() {
        let (a, b, c) =
            (position(Stance::Sign, 30), position(Stance::Sign, 20), position(Stance::Sign, 10));
        let merged = merge(&[&a, &c], &[&b]);
        let times: Vec<i64> = merged.iter().map(|p| p.time).collect();
        assert_eq!(times, vec![30, 20, 10]);
    }
}
