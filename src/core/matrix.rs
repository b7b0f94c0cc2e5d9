//! The party × revision matrix of one agreement (`accord site`): its life cut into columns, one
//! per run of revisions with the same meaning, each judged as it stood just before an edit
//! replaced it — with the positions made until then, as SPEC §4 (3) judges a replaced revision.
//!
//! Pure over [`Texts`], like [`super::replay`]; it decides nothing itself and asks
//! [`super::evaluate`] for every verdict. No git, no rendering.

use super::evaluate::{evaluate, Evaluation};
use super::meaning::Meaning;
use super::replay::{Event, Texts};
use crate::error::Result;
use crate::ledger::Position;
use crate::oid::ObjectId;

/// One column: a run of consecutive revisions with the same meaning.
#[derive(Debug, Clone)]
pub struct Column {
    /// The blobs of the run, oldest first (a reflow adds one without changing the meaning).
    pub revisions: Vec<ObjectId>,
    /// The edit that started the run.
    pub commit: ObjectId,
    pub time: i64,
    pub author_name: String,
    pub author_email: String,
    /// The meaning shared by the run.
    pub meaning: Meaning,
    /// Index in the events (newest first) of the edit that ended the run; `None` while it
    /// stands.
    pub replaced_at: Option<usize>,
    /// The run's last revision judged with the positions made before it was replaced.
    pub evaluation: Evaluation,
}

/// The columns of agreement `id`, oldest first, from its `events` (newest first, as a timeline
/// holds them). A revision that does not parse, and a deletion, end the run before them without
/// starting one, so the next revision always starts a new column.
pub fn columns<R: Texts + ?Sized>(reader: &R, id: &str, events: &[Event]) -> Result<Vec<Column>> {
    struct Run {
        revisions: Vec<ObjectId>,
        commit: ObjectId,
        time: i64,
        author_name: String,
        author_email: String,
        meaning: Meaning,
        replaced_at: Option<usize>,
    }
    let mut runs: Vec<Run> = Vec::new();
    let mut open = false;
    for k in (0..events.len()).rev() {
        let Event::Edit(e) = &events[k] else { continue };
        let meaning = match e.blob {
            Some(blob) => reader.meaning(blob)?.map(|m| (blob, m)),
            None => None,
        };
        match (meaning, runs.last_mut()) {
            (Some((blob, m)), Some(run)) if open && run.meaning == m => {
                if !run.revisions.contains(&blob) {
                    run.revisions.push(blob);
                }
            }
            (meaning, last) => {
                if let (true, Some(run)) = (open, last) {
                    run.replaced_at = Some(k);
                }
                open = meaning.is_some();
                if let Some((blob, m)) = meaning {
                    runs.push(Run {
                        revisions: vec![blob],
                        commit: e.commit,
                        time: e.time,
                        author_name: e.author_name.clone(),
                        author_email: e.author_email.clone(),
                        meaning: m,
                        replaced_at: None,
                    });
                }
            }
        }
    }
    let mut out = Vec::with_capacity(runs.len());
    for run in runs {
        let Some(&last) = run.revisions.last() else { continue };
        let Some(agreement) = reader.agreement(last)? else { continue };
        let positions = positions_before(events, run.replaced_at);
        let evaluation = evaluate(reader, id, &last.to_string(), &agreement, &positions)?;
        out.push(Column {
            revisions: run.revisions,
            commit: run.commit,
            time: run.time,
            author_name: run.author_name,
            author_email: run.author_email,
            meaning: run.meaning,
            replaced_at: run.replaced_at,
            evaluation,
        });
    }
    Ok(out)
}

/// Make the last column say what `status` says. `current` is the evaluation of the revision at
/// the evaluated commit over every counted position, `meaning` its fingerprint. When the last
/// column has that meaning and still stands, `current` takes its place; otherwise (a merge can
/// leave at the tip a text that an edit on another branch replaced in the timeline's order) a
/// column is added for it, started by the newest edit that produced that blob, or by `at` (the
/// evaluated commit and its time) when the timeline holds none.
pub fn settle(
    columns: &mut Vec<Column>,
    events: &[Event],
    current: Evaluation,
    meaning: Meaning,
    at: (ObjectId, i64),
) {
    let blob = current.revision.parse::<ObjectId>().ok();
    if let Some(last) = columns.last_mut() {
        if last.meaning == meaning && last.replaced_at.is_none() {
            if let Some(b) = blob {
                if !last.revisions.contains(&b) {
                    last.revisions.push(b);
                }
            }
            last.evaluation = current;
            return;
        }
    }
    let origin = events.iter().find_map(|e| match e {
        Event::Edit(edit) if edit.blob.is_some() && edit.blob == blob => Some(edit),
        _ => None,
    });
    columns.push(Column {
        revisions: blob.into_iter().collect(),
        commit: origin.map_or(at.0, |e| e.commit),
        time: origin.map_or(at.1, |e| e.time),
        author_name: origin.map(|e| e.author_name.clone()).unwrap_or_default(),
        author_email: origin.map(|e| e.author_email.clone()).unwrap_or_default(),
        meaning,
        replaced_at: None,
        evaluation: current,
    });
}

/// The positions older than event `replaced_at` (all of them when `None`), newest first.
fn positions_before(events: &[Event], replaced_at: Option<usize>) -> Vec<&Position> {
    let from = replaced_at.map_or(0, |r| r + 1);
    events
        .get(from..)
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| match e {
            Event::Position(p) => Some(&**p),
            Event::Edit(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! Columns over an in-memory reader.

    use std::collections::HashMap;

    use super::super::meaning::fake::FakeRevisions;
    use super::super::meaning::Revisions;
    use super::super::replay::Edit;
    use super::*;
    use crate::ledger::State;
    use crate::model::{self, Agreement};
    use crate::trailers::{Stance, Trailers};

    struct Fake(FakeRevisions);

    impl Revisions for Fake {
        fn fingerprint(&self, a: &Agreement) -> Result<Meaning> {
            self.0.fingerprint(a)
        }
        fn meaning(&self, revision: ObjectId) -> Result<Option<Meaning>> {
            self.0.meaning(revision)
        }
    }

    impl Texts for Fake {
        fn agreement(&self, revision: ObjectId) -> Result<Option<Agreement>> {
            Ok(self.0.blobs.get(&revision).cloned())
        }
    }

    fn agreement(purpose: &str) -> Agreement {
        let toml = format!(
            "schema = 1\ntitle = \"T\"\nkind = \"charter\"\npurpose = \"{purpose}\"\n\
             [[party]]\nname = \"A\"\nemail = \"a@example.com\"\n\
             [[party]]\nname = \"B\"\nemail = \"b@example.com\"\n"
        );
        model::parse(toml.as_bytes(), "t.toml").expect("test agreement parses")
    }

    fn edit(n: u8, blob: Option<ObjectId>) -> Edit {
        Edit {
            commit: ObjectId::from_bytes([100 + n; 20]),
            time: i64::from(n),
            author_name: "A".into(),
            author_email: "a@example.com".into(),
            subject: String::new(),
            blob,
            before: None,
            parent: None,
        }
    }

    fn position(n: u8, who: &str, stance: Stance, revision: ObjectId) -> Position {
        Position {
            commit: ObjectId::from_bytes([200 + n; 20]),
            time: i64::from(n),
            author_name: who.into(),
            author_email: format!("{who}@example.com"),
            trailers: Trailers {
                stance,
                agreement: "t".into(),
                revision: revision.to_string(),
                name: who.into(),
                email: format!("{who}@example.com"),
                meaning: None,
            },
            note: if stance == Stance::Object { "too vague".into() } else { String::new() },
        }
    }

    fn states(c: &Column) -> HashMap<String, (State, bool)> {
        c.evaluation.parties.iter().map(|p| (p.email.clone(), (p.state, p.carried_over))).collect()
    }

    #[test]
    fn a_reflow_joins_the_column_and_a_change_of_meaning_starts_one() {
        let mut fake = FakeRevisions::default();
        let r1 = fake.add(1, agreement("Ship it"));
        let r1b = fake.add(2, agreement("  Ship   it "));
        let r2 = fake.add(3, agreement("Ship it safely"));
        let reader = Fake(fake);
        let (a1, b_obj, a2) = (
            position(2, "a", Stance::Sign, r1),
            position(3, "b", Stance::Object, r1),
            position(6, "a", Stance::Sign, r2),
        );
        // Oldest first, then reversed: the timeline's order is newest first.
        let mut events = vec![
            Event::Edit(edit(1, Some(r1))),
            Event::Position(std::sync::Arc::new(a1.clone())),
            Event::Position(std::sync::Arc::new(b_obj.clone())),
            Event::Edit(edit(4, Some(r1b))),
            Event::Edit(edit(5, Some(r2))),
            Event::Position(std::sync::Arc::new(a2.clone())),
        ];
        events.reverse();
        let cols = columns(&reader, "t", &events).unwrap();
        assert_eq!(cols.len(), 2);
        assert_eq!(cols[0].revisions, [r1, r1b]);
        assert_eq!(cols[0].replaced_at, Some(1));
        assert_eq!(cols[1].revisions, [r2]);
        assert_eq!(cols[1].replaced_at, None);
        // Judged at its last revision: A's sign-off on r1 carries over to r1b.
        let first = states(&cols[0]);
        assert_eq!(first["a@example.com"], (State::Signed, true));
        assert_eq!(first["b@example.com"], (State::Objecting, false));
        assert_eq!(cols[0].evaluation.objections[0].reason, "too vague");
        // B's objection reaches forward; A signed the new text.
        let second = states(&cols[1]);
        assert_eq!(second["a@example.com"], (State::Signed, false));
        assert_eq!(second["b@example.com"], (State::Objecting, false));
        assert!(!cols[1].evaluation.ratified);
    }

    #[test]
    fn a_deletion_ends_the_column_and_a_return_starts_a_new_one() {
        let mut fake = FakeRevisions::default();
        let r1 = fake.add(1, agreement("Ship it"));
        let reader = Fake(fake);
        let sign = position(2, "b", Stance::Sign, r1);
        let mut events = vec![
            Event::Edit(edit(1, Some(r1))),
            Event::Edit(edit(3, None)),
            Event::Edit(edit(4, Some(r1))),
            Event::Position(std::sync::Arc::new(sign.clone())),
        ];
        events.reverse();
        let cols = columns(&reader, "t", &events).unwrap();
        assert_eq!(cols.len(), 2);
        assert_eq!(cols[0].replaced_at, Some(2));
        assert_eq!(states(&cols[0])["b@example.com"], (State::Silent, false));
        assert_eq!(states(&cols[1])["b@example.com"], (State::Signed, false));
    }
}
