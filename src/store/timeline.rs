//! The life of one agreement in history: which commits edited it, which positions were taken on
//! it, in SPEC §4's order. Shared by `log`, `history`, `diff`, `review` and `due`; whether it
//! was ratified after each event is the core's [`core::replay`] over it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use git2::Oid;

use super::{fingerprint, from_oid, to_oid, CommitKind, Graph, Store};
use crate::core::counting::Lineage;
use crate::core::replay::Texts;
pub use crate::core::replay::{Edit, Event};
use crate::core::{self, Meaning, Revisions};
use crate::error::Result;
use crate::ledger::Position;
use crate::model::Agreement;
use crate::oid::ObjectId;

pub struct Timeline<'g> {
    pub id: String,
    pub path: String,
    /// Newest first.
    pub events: Vec<Event>,
    graph: std::marker::PhantomData<&'g Graph>,
    /// Meaning fingerprints, by blob id.
    meanings: RefCell<HashMap<Oid, Option<Meaning>>>,
    /// The tip of the history, under which the timeline cache remembers the events.
    tip: Option<Oid>,
    /// The lineage, once computed from the events (never from the lineages file, which holds
    /// [`Timeline::lineage_of`]'s answers: the two orders may differ, see there).
    lineage: RefCell<Option<Lineage>>,
    /// The ids this agreement had, newest first (more than one after a rename).
    pub ids: Vec<String>,
    /// The edits that changed the file's name, newest first.
    pub renames: Vec<Renamed>,
    /// Which positions-branch positions under each id of the lineage are this agreement's,
    /// by when they were made.
    bounds: Vec<Bound>,
    /// The texts a commit replaced at one of its parents, and when: each was current on that
    /// parent's line until then, though the events' one order may have replaced it earlier
    /// (a branch that merged later).
    displaced: Displaced,
}

/// Texts replaced at a parent's line, each with the time it was replaced there.
type Displaced = Vec<(i64, ObjectId)>;

/// Which positions-branch positions under `id` are the lineage's: those made after `after`
/// (the id's file was renamed away to another agreement then, and this one took the name
/// later), and no later than `until` (this agreement's file was renamed from `id` then, and
/// a new agreement took that name later).
#[derive(Debug)]
struct Bound {
    id: String,
    after: Option<i64>,
    until: Option<i64>,
}

impl Bound {
    /// Whether a rename cut the positions under this id (by time, the fallback of [`holds`]).
    ///
    /// [`holds`]: Bound::holds
    fn cuts(&self) -> bool {
        self.after.is_some() || self.until.is_some()
    }

    fn holds(&self, p: &Position) -> bool {
        self.after.is_none_or(|t| p.time > t) && self.until.is_none_or(|t| p.time <= t)
    }
}

impl<'g> Timeline<'g> {
    pub fn build(store: &Store, graph: &'g Graph, id: &str) -> Result<Timeline<'g>> {
        Timeline::build_keeping(store, graph, id, None)
    }

    /// [`Timeline::build`] with only the positions `keep` keeps, when given (`--signed`: those
    /// whose signatures verify), left out before anything is read from them: a position that
    /// does not count cannot say what its party did next either ([`super::position_is`]).
    pub fn build_keeping(
        store: &Store,
        graph: &'g Graph,
        id: &str,
        keep: Option<&dyn Fn(&Position) -> bool>,
    ) -> Result<Timeline<'g>> {
        store.read_positions_branch_ahead();
        let mut timeline = Timeline::main_line(store, graph, id)?;
        // Positions on the positions branch that count in this history (SPEC §4 rule 2), in
        // among the rest by time: a sign-off made before a text stood counts for it only from
        // then on, and a replaced text is judged by the positions made before it was replaced.
        if let Some(tip) = timeline.tip {
            // Remembered with the timeline while the branch's tips stay as they are.
            let key = store.positions_key(tip.into())?;
            // Where a rename away cut the lineage, which positions under an id are this
            // agreement's is decided as `status` decides it, by the texts they name: a renaming
            // commit's date is its author's to choose (a rename dated years ahead took every
            // later position from the new agreement, and with them its ratification and the
            // rules in force). An agreement no longer at the tip keeps the times.
            let cut = timeline.bounds.iter().any(Bound::cuts);
            let current: Vec<String> = match cut {
                true => store.ids_at(tip)?.into_iter().map(|(c, _)| c).collect(),
                false => Vec::new(),
            };
            let mut walked = None;
            let by_text = match cut && current.contains(&timeline.id) {
                true => Some(full_graph(store, graph, &mut walked)?),
                false => None,
            };
            let mut lists: Vec<Vec<Arc<Position>>> = Vec::new();
            for (lid, bound) in timeline.ids.iter().zip(&timeline.bounds) {
                let mut on = match store.cached_branch_on(tip, lid, &key) {
                    Some(on) => on,
                    None => {
                        let on = store.branch_positions_on(store.positions_branch(), tip, lid)?;
                        // Unless the branch moved while it was read.
                        if store.positions_key(tip.into())? == key {
                            store.remember_branch_on(tip, lid, &key, &on);
                        }
                        on
                    }
                };
                if let Some(keep) = keep {
                    on.retain(|p| keep(p));
                }
                match by_text.filter(|_| bound.cuts()) {
                    Some(g) => {
                        let away = store.renamed_away(g, lid, &current)?;
                        let here = current.contains(lid);
                        super::retain_placed(&mut on, true, |p, later| {
                            Ok(super::position_is(p, None, here, &away, &timeline.id, later))
                        })?;
                    }
                    None => on.retain(|p| bound.holds(p)),
                }
                lists.push(on);
            }
            // Each list is in the positions branch's SPEC §4 order, which puts a commit before
            // its ancestors whatever their times; sorting by time and id would undo that for
            // positions made in the same second (a party's later sign-off could fall behind
            // their earlier one).
            let mine = merge_newest_first(lists);
            if !mine.is_empty() {
                timeline.add_branch_positions(store, &mine)?;
            }
        }
        if let Some(keep) = keep {
            timeline.keep_positions(keep);
        }
        Ok(timeline)
    }

    /// The agreement's texts and edits as counting reads them, without placing the positions
    /// branch's positions among the events (the lineage is made of edits only); `meaning`
    /// gives a revision's meaning. Found for every agreement in one pass over the history
    /// ([`Store::folder_edits`]); an agreement whose first edit may be a rename is followed
    /// through its timeline. The edits are in one SPEC §4 order over every agreement's edits,
    /// which can differ from [`Timeline::lineage`]'s order over this agreement's own events
    /// when edits on merged branches have skewed clocks; so the answers are remembered
    /// apart (the lineages file holds only these), and each command's answer is the same with
    /// or without the cache.
    pub fn lineage_of(
        store: &Store,
        graph: &'g Graph,
        id: &str,
        meaning: &dyn Fn(ObjectId) -> Result<Option<Meaning>>,
    ) -> Result<Lineage> {
        let tip = graph.deferred.or_else(|| graph.nodes.first().map(|n| n.id));
        if let Some(l) = tip.and_then(|t| store.cached_lineage(t, id)) {
            return Ok(l);
        }
        let shared;
        let g = match graph.deferred {
            Some(t) => {
                shared = store.shared_graph(t)?;
                &*shared
            }
            None => graph,
        };
        let file = format!("{id}.toml");
        let edits = store.folder_edits(g)?;
        let lineage = match edits.may_be_renamed(g, &file) {
            true => Timeline::main_line(store, graph, id)?.lineage(store)?,
            false => edits.lineage(g, &file, |b| meaning(from_oid(b)))?,
        };
        if let Some(t) = tip {
            store.remember_lineage(t, id, &lineage);
        }
        Ok(lineage)
    }

    /// The ids agreement `id` had along `graph`, newest first (more than one after a rename),
    /// found from its edits alone: the positions branch is not read.
    pub fn lineage_ids(store: &Store, graph: &'g Graph, id: &str) -> Result<Vec<String>> {
        Ok(Timeline::main_line(store, graph, id)?.ids)
    }

    /// The edits that changed agreement `id`'s file name along `graph`, newest first, found
    /// from its edits alone.
    pub fn renames_of(store: &Store, graph: &'g Graph, id: &str) -> Result<Vec<Renamed>> {
        Ok(Timeline::main_line(store, graph, id)?.renames)
    }

    /// The commits of the edits of agreement `id`'s lineage along `graph` (renames followed).
    pub fn edit_commits(store: &Store, graph: &'g Graph, id: &str) -> Result<Vec<ObjectId>> {
        let events = Timeline::main_line(store, graph, id)?.events;
        Ok(events
            .iter()
            .filter_map(|e| match e {
                Event::Edit(x) => Some(x.commit),
                Event::Position(_) => None,
            })
            .collect())
    }

    /// Every text of `id`'s lineage along `graph`, oldest first, each once (see
    /// [`Timeline::revisions`]).
    pub fn lineage_texts(store: &Store, graph: &'g Graph, id: &str) -> Result<Vec<Oid>> {
        Ok(Timeline::main_line(store, graph, id)?.revisions())
    }

    /// The edits and the positions reachable from the tip of `graph`, renames followed.
    fn main_line(store: &Store, graph: &'g Graph, id: &str) -> Result<Timeline<'g>> {
        let path = store.path_of(id);
        let tip = graph.deferred.or_else(|| graph.nodes.first().map(|n| n.id));
        let (events, displaced) = match tip.and_then(|t| store.cached_timeline(t, id)) {
            Some(e) => (e.events, e.displaced),
            None => {
                // Found along the history's skeleton, as along the whole history (which
                // answers instead where the skeleton cannot: a cache is never the reason a
                // question fails).
                let along_skeleton = graph
                    .deferred
                    .and_then(|t| store.skeleton_graph(t, id))
                    .and_then(|h| match main_events(store, &h, id) {
                        Ok(found) => Some(found),
                        Err(e) => {
                            let why = format!("skeleton set aside: {}", e.message);
                            super::trace(&why, std::time::Instant::now());
                            None
                        }
                    });
                let (events, displaced) = match (along_skeleton, graph.deferred) {
                    (Some(found), _) => found,
                    (None, Some(t)) => {
                        // The file's blobs are answered while the walk's messages are read.
                        store.meanwhile.set(super::Meanwhile::Blobs(path.clone()));
                        let walked = store.shared_graph(t);
                        store.nothing_meanwhile();
                        main_events(store, &*walked?, id)?
                    }
                    (None, None) => main_events(store, graph, id)?,
                };
                if let Some(t) = tip {
                    store.remember_events(t, id, &events, &displaced);
                }
                (events, displaced)
            }
        };
        let Followed { events, displaced, ids, renamed: renames, mut bounds } =
            follow_renames(store, graph, (events, displaced), id)?;
        // A bound until a rename out of an id holds only where a new agreement took the id.
        if bounds.iter().any(|b| b.until.is_some()) {
            let current = match tip {
                Some(t) => store.ids_at(t)?,
                None => Vec::new(),
            };
            for b in &mut bounds {
                if !current.iter().any(|(c, _)| *c == b.id) {
                    b.until = None;
                }
            }
        }

        Ok(Timeline {
            id: id.to_string(),
            path,
            events,
            graph: std::marker::PhantomData,
            meanings: RefCell::default(),
            tip,
            lineage: RefCell::new(None),
            ids,
            renames,
            bounds,
            displaced,
        })
    }

    fn add_branch_positions(&mut self, store: &Store, mine: &[Arc<Position>]) -> Result<()> {
        let lineage = self.lineage(store)?;
        // The branch's positions, like the history's events, are placed no earlier than the
        // positions the branch lists after them (a position dated before its parent there
        // would drag every position older than it in front of the edits it followed), and no
        // later than now: a date in the future is not believed. (One dated in 2100 would
        // otherwise place itself and every position made on top of it after every edit since,
        // so the text they signed would never have stood ratified, and the rule it set would
        // not be the rule in force, SPEC §5.) Under review, now is the moment the range's own
        // commits are judged as made at.
        let now = store.judging_moment();
        let mut floor = i64::MIN;
        let mut placed = vec![0; mine.len()];
        for (t, p) in placed.iter_mut().zip(mine).rev() {
            floor = floor.max(p.time.min(now));
            *t = floor;
        }
        let mut counted: Vec<(Arc<Position>, i64)> = Vec::new();
        let texts = self.texts(store);
        for (p, &at) in mine.iter().zip(&placed) {
            let named = texts.named_meaning(&p.trailers)?;
            if core::counting::counts_as_made_at(p, at, named, &lineage) {
                counted.push((p.clone(), at));
            }
        }
        drop(texts);
        // Both lists are newest first; keep that, later time then larger id first. A position
        // made in the same second as an edit is newer than it when it names the text the edit
        // wrote (it cannot predate it), older when it names the text the edit replaced.
        let names = |p: &Position, blob: Option<ObjectId>| {
            blob.is_some_and(|b| p.trailers.revision.parse::<ObjectId>().ok() == Some(b))
        };
        // An event of the history is judged as made no earlier than any event listed after it
        // (its ancestors, or older branches merged into it): a commit dated before its own
        // parent cannot move an edit in front of the positions made before it (a backdated
        // commit would otherwise make earlier sign-offs look later than the edit they
        // preceded, and the text they ratified look never ratified).
        let mut floor = i64::MIN;
        let mut times = vec![0; self.events.len()];
        for (t, e) in times.iter_mut().zip(&self.events).rev() {
            floor = floor.max(e.time());
            *t = floor;
        }
        let newer = |(p, at): &(Arc<Position>, i64), e: &Event, t: i64| match e {
            Event::Edit(x) if *at == t && names(p, x.blob) => true,
            Event::Edit(x) if *at == t && names(p, x.before) => false,
            Event::Edit(x) => (*at, p.commit) > (t, x.commit),
            Event::Position(x) => (*at, p.commit) > (t, x.commit),
        };
        let mut events = Vec::with_capacity(self.events.len() + counted.len());
        let mut rest = counted.into_iter().peekable();
        for (e, t) in std::mem::take(&mut self.events).into_iter().zip(times) {
            while rest.peek().is_some_and(|p| newer(p, &e, t)) {
                events.push(Event::Position(rest.next().expect("peeked").0));
            }
            events.push(e);
        }
        events.extend(rest.map(|(p, _)| Event::Position(p)));
        self.events = events;
        Ok(())
    }

    /// The agreement at a blob, parsed (without validation) and remembered; `Ok(None)` when it
    /// does not parse as schema 1.
    pub fn agreement(&self, store: &Store, blob: impl Into<Oid>) -> Result<Option<Agreement>> {
        Ok(store.parsed(blob.into(), &self.path)?.map(|a| (*a).clone()))
    }

    /// Every revision the file has had, oldest first, deduplicated.
    pub fn revisions(&self) -> Vec<Oid> {
        let mut seen = Vec::new();
        for e in self.events.iter().rev() {
            if let Event::Edit(Edit { blob: Some(b), .. }) = e {
                let b = to_oid(*b);
                if !seen.contains(&b) {
                    seen.push(b);
                }
            }
        }
        seen
    }

    /// Each event's moment as judged, aligned with `events`: no earlier than any event listed
    /// after it, and no later than the moment of judging (a date in the future is not
    /// believed, as where the positions branch's positions are placed). So `due` counts a
    /// review period from when a sign-off made in 2100 is judged, not from 2100.
    pub fn judged_times(&self, store: &Store) -> Vec<i64> {
        let now = store.judging_moment();
        let mut floor = i64::MIN;
        let mut times = vec![0; self.events.len()];
        for (t, e) in times.iter_mut().zip(&self.events).rev() {
            floor = floor.max(e.time().min(now));
            *t = floor;
        }
        times
    }

    /// Keep only the positions `keep` keeps (`review --signed`: those whose signatures
    /// verify), every edit staying.
    pub fn keep_positions(&mut self, keep: &dyn Fn(&Position) -> bool) {
        self.events.retain(|e| match e {
            Event::Position(p) => keep(p),
            _ => true,
        });
    }

    /// After each event (aligned with `events`, newest first), whether the agreement stood
    /// ratified: `None` where the file did not exist. Decided by [`core::replay`].
    pub fn replay(&self, store: &Store) -> Result<Vec<Option<bool>>> {
        core::replay::replay(&self.texts(store), &self.events)
    }

    /// The agreement's texts and edits as counting reads them ([`core::counting`]).
    pub fn lineage(&self, store: &Store) -> Result<Lineage> {
        if let Some(l) = self.lineage.borrow().as_ref() {
            return Ok(l.clone());
        }
        let l = self.compute_lineage(store)?;
        *self.lineage.borrow_mut() = Some(l.clone());
        Ok(l)
    }

    fn compute_lineage(&self, store: &Store) -> Result<Lineage> {
        let texts = self.texts(store);
        let edits: Vec<&Edit> = self
            .events
            .iter()
            .rev()
            .filter_map(|e| match e {
                Event::Edit(e) => Some(e),
                Event::Position(_) => None,
            })
            .collect();
        let mut out = Vec::with_capacity(edits.len());
        for e in edits {
            let text = match e.blob {
                Some(blob) => Some(texts.meaning(blob)?),
                None => None,
            };
            out.push((e.time, text));
        }
        let mut displaced = Vec::with_capacity(self.displaced.len());
        for &(t, blob) in &self.displaced {
            displaced.push((t, texts.meaning(blob)?));
        }
        Ok(Lineage::from_edits(&out).displacing(&displaced))
    }

    /// The timeline as the core reads it.
    pub fn texts<'t>(&'t self, store: &'t Store) -> impl Texts + 't {
        TimelineTexts { store, timeline: self }
    }
}

/// The timeline as the core reads it: a revision is one of this agreement's when the timeline
/// saw an edit produce it.
struct TimelineTexts<'t, 'g> {
    store: &'t Store,
    timeline: &'t Timeline<'g>,
}

impl Revisions for TimelineTexts<'_, '_> {
    fn fingerprint(&self, agreement: &Agreement) -> Result<Meaning> {
        fingerprint(agreement)
    }

    fn meaning(&self, revision: ObjectId) -> Result<Option<Meaning>> {
        let blob = to_oid(revision);
        if let Some(m) = self.timeline.meanings.borrow().get(&blob) {
            return Ok(*m);
        }
        let m = match self.timeline.agreement(self.store, blob)? {
            Some(a) => Some(fingerprint(&a)?),
            None => None,
        };
        self.timeline.meanings.borrow_mut().insert(blob, m);
        Ok(m)
    }
}

impl Texts for TimelineTexts<'_, '_> {
    fn agreement(&self, revision: ObjectId) -> Result<Option<Agreement>> {
        self.timeline.agreement(self.store, to_oid(revision))
    }
}

/// The agreement's edits and the positions on it reachable from the tip of `graph`, newest
/// first in SPEC §4's order (positions-branch positions are added by [`Timeline::build`]).
/// A file that appears by a rename continues the lineage of the old id (SPEC §4): its edits
/// and positions come before, and the renaming edit replaced the old text; what the same id
/// held before the rename (an id used again, after its agreement was removed) was another
/// agreement's. Every rename into an id of the lineage is followed, on any branch (main may
/// rename the file twice while a branch renames it once, merged), and a rename back to a name
/// the file had before (a reverted `git mv`) continues into the history under that name.
/// Where `id`'s file was renamed away to another agreement and a new file took the name
/// later, what the name held before the rename is the other agreement's. `events` are `id`'s
/// own ([`main_events`]).
fn follow_renames(
    store: &Store,
    graph: &Graph,
    (mut events, mut displaced): (Vec<Event>, Displaced),
    id: &str,
) -> Result<Followed> {
    let mut ids = vec![id.to_string()];
    let mut renames: Vec<Rename> = Vec::new();
    // Which id each event's text was found under, here and at the first parent (all `id`'s at
    // first).
    let mut under: Vec<Under> = events
        .iter()
        .map(|e| match e {
            Event::Edit(e) => Under { here: 0, parent: e.before.map(|_| 0) },
            Event::Position(_) => Under { here: 0, parent: None },
        })
        .collect();
    let mut walked = None;
    // A rename of `id`'s file away (`git mv` to another id) hands what it held until then to
    // that agreement's lineage: a file of the same name made after it (a commit whose first
    // parent has no such file) is a new agreement. A merge that brings the file back from a
    // parent that never renamed it (`merge -s ours` rejecting a rename branch) takes nothing:
    // the lineage goes on. (Asked of an id no file has any more, the timeline is the last
    // agreement's under it.)
    let mut cuts = Vec::new();
    let mut taken_later = false;
    for e in &events {
        let Event::Edit(e) = e else { continue };
        if let (None, Some(_), Some(_), true) = (e.blob, e.before, e.parent, taken_later) {
            if store.renamed_to(e.commit.into(), id)?.is_some_and(|to| to != id) {
                cuts.push(e.commit);
            }
        }
        // (A merge's `before` is the text it replaced, perhaps none: its first parent decides.)
        taken_later |= e.blob.is_some()
            && e.before.is_none()
            && match e.parent {
                Some(p) => store.blob_at(p, &store.path_of(id))?.is_none(),
                None => true,
            };
    }
    if !cuts.is_empty() {
        let g = full_graph(store, graph, &mut walked)?;
        for commit in cuts {
            if let Some(node) = g.find(&to_oid(commit)) {
                let time = g.nodes[node as usize].time;
                renames.push(Rename { from: usize::MAX, to: 0, node, commit, time });
            }
        }
        (events, under, displaced) = lineage_events(store, g, &ids, &renames)?;
    }
    while renames.len() < 32 {
        // The newest appearance, or change of name, that was a rename not followed yet:
        // followed, the history before it under the same id is another agreement's.
        let mut found = None;
        for (e, u) in events.iter().zip(&under) {
            let Event::Edit(e) = e else { continue };
            let (Some(_), Some(_)) = (e.blob, e.parent) else { continue };
            if e.before.is_some() && u.parent == Some(u.here) {
                continue;
            }
            if renames.iter().any(|r| r.to == u.here && r.commit == e.commit) {
                continue;
            }
            if let Some(old) = store.renamed_from(e.commit.into(), &ids[u.here])? {
                found = Some((e.commit, old, u.here));
                break;
            }
        }
        let Some((commit, old, to)) = found else { break };
        let g = full_graph(store, graph, &mut walked)?;
        let Some(node) = g.find(&to_oid(commit)) else { break };
        // The names the file has from `to` on: a rename out of one of them is a rename back
        // (`git revert` of a `git mv`), from an earlier file of that name, which gets a place
        // of its own. Another name already seen is the same file renamed on another branch.
        let mut later = vec![to];
        while let Some(r) =
            renames.iter().find(|r| later.contains(&r.from) && !later.contains(&r.to))
        {
            later.push(r.to);
        }
        let from = match (0..ids.len()).find(|&k| ids[k] == old && !later.contains(&k)) {
            Some(k) => k,
            None => {
                ids.push(old);
                ids.len() - 1
            }
        };
        let time = g.nodes[node as usize].time;
        renames.push(Rename { from, to, node, commit, time });
        (events, under, displaced) = lineage_events(store, g, &ids, &renames)?;
    }
    // The edits that changed the file's name: the rename, or a merge whose first parent had
    // the file under its old name.
    let renamed = events
        .iter()
        .zip(&under)
        .filter_map(|(e, u)| match (e, u.parent) {
            (Event::Edit(e), Some(p)) if p != u.here && e.blob.is_some() => {
                Some(Renamed { commit: e.commit, from: ids[p].clone() })
            }
            _ => None,
        })
        .collect();
    let mut unique: Vec<String> = Vec::with_capacity(ids.len());
    for x in &ids {
        if !unique.contains(x) {
            unique.push(x.clone());
        }
    }
    // A rename away that the lineage follows back, as a cycle, is no bound.
    let followed =
        |r: &Rename| renames.iter().any(|f| f.from != usize::MAX && f.commit == r.commit);
    let after =
        renames.iter().filter(|r| r.from == usize::MAX && !followed(r)).map(|r| r.time).max();
    let bounds = unique
        .iter()
        .map(|x| match x == id {
            true => Bound { id: x.clone(), after, until: None },
            false => Bound {
                id: x.clone(),
                after: None,
                until: renames
                    .iter()
                    .filter(|r| r.from != usize::MAX && ids[r.from] == *x)
                    .map(|r| r.time)
                    .max(),
            },
        })
        .collect();
    Ok(Followed { events, displaced, ids: unique, renamed, bounds })
}

/// What [`follow_renames`] finds: the lineage's events, its ids (`id` first, each once),
/// the edits that changed the file's name, and which positions-branch positions under each
/// id are the lineage's.
struct Followed {
    events: Vec<Event>,
    displaced: Displaced,
    ids: Vec<String>,
    renamed: Vec<Renamed>,
    bounds: Vec<Bound>,
}

/// The whole history of `graph` (walked once, into `walked`, when `graph` defers it).
fn full_graph<'a>(
    store: &Store,
    graph: &'a Graph,
    walked: &'a mut Option<Arc<Graph>>,
) -> Result<&'a Graph> {
    Ok(match graph.deferred {
        Some(t) => {
            if walked.is_none() {
                *walked = Some(store.shared_graph(t)?);
            }
            walked.as_deref().expect("walked just now")
        }
        None => graph,
    })
}

/// An edit that changed the agreement's file name: its commit, and the id the file had at
/// its first parent.
#[derive(Debug, Clone)]
pub struct Renamed {
    pub commit: ObjectId,
    pub from: String,
}

/// Where an event's text was found: the index in the lineage's ids of its file here, and of
/// the file at the first parent (for an edit whose first parent has it).
#[derive(Debug, Clone, Copy)]
struct Under {
    here: usize,
    parent: Option<usize>,
}

/// A commit that renamed the file of `ids[from]` into that of `ids[to]` (`from` is
/// `usize::MAX` for a rename of `ids[to]`'s file away to another agreement: before it, that
/// name held the other agreement's history).
#[derive(Debug, Clone, Copy)]
struct Rename {
    from: usize,
    to: usize,
    node: u32,
    commit: ObjectId,
    time: i64,
}

/// Lists of positions, each newest first in SPEC §4's order, merged into one that keeps each
/// list's order: at every step the newest head (later time, then larger commit id) is taken, as
/// among commits ready at the same step of the topological sort.
fn merge_newest_first(lists: Vec<Vec<Arc<Position>>>) -> Vec<Arc<Position>> {
    let mut lists: Vec<std::iter::Peekable<std::vec::IntoIter<Arc<Position>>>> =
        lists.into_iter().map(|l| l.into_iter().peekable()).collect();
    let mut out = Vec::new();
    loop {
        let newest = lists
            .iter_mut()
            .enumerate()
            .filter_map(|(i, l)| l.peek().map(|p| (i, (p.time, p.commit))))
            .max_by_key(|&(_, key)| key)
            .map(|(i, _)| i);
        match newest.and_then(|i| lists[i].next()) {
            Some(p) => out.push(p),
            None => return out,
        }
    }
}

fn main_events(store: &Store, graph: &Graph, id: &str) -> Result<(Vec<Event>, Displaced)> {
    let (events, _, displaced) = lineage_events(store, graph, &[id.to_string()], &[])?;
    Ok((events, displaced))
}

/// The edits and positions of an agreement that had the ids `ids` (the current one first; a
/// name may come twice, before and after a rename back) along `graph`, with the `renames`
/// between them (indices into `ids`). At each commit the agreement's text is the
/// file of the first id that is its there: an id is not after a rename out of it (a file of
/// that name later is another agreement), nor at or before the parent of a rename into it
/// (one of that name then was another agreement's). So a branch that forked before a rename
/// and edited the file under its old name is followed up to the merge that brought the edit
/// in, and the edit is credited to its own commit. A commit is an edit where the file's name
/// or text differs from every parent's. Returns the events; for each, the ids its text was
/// found under; and the texts each edit (or merge taking one parent's text, kept as an event
/// or not) replaced at one of its parents, with when.
fn lineage_events(
    store: &Store,
    graph: &Graph,
    ids: &[String],
    renames: &[Rename],
) -> Result<(Vec<Event>, Vec<Under>, Displaced)> {
    use super::same_blob;
    let n = graph.nodes.len();
    // For each rename: the rename and its descendants; its first parent and its ancestors.
    let mut after: Vec<Vec<bool>> = Vec::with_capacity(renames.len());
    let mut until: Vec<Vec<bool>> = Vec::with_capacity(renames.len());
    if !renames.is_empty() {
        let all = graph.order_by(|_| true);
        for r in renames {
            let mut d = vec![false; n];
            for &i in all.iter().rev() {
                d[i as usize] = i == r.node || graph.parents_of(i).iter().any(|&p| d[p as usize]);
            }
            after.push(d);
            until.push(graph.before(r.node));
        }
    }
    // Whether id `j` may be the agreement's at node `i`, whatever the file holds.
    let may = |j: usize, i: usize| -> bool {
        renames
            .iter()
            .enumerate()
            .all(|(k, r)| (r.from != j || !after[k][i]) && (r.to != j || !until[k][i]))
    };
    // The file's blobs for each id (read once for a name the lineage had twice).
    let mut blobs_of = Vec::with_capacity(ids.len());
    for (j, id) in ids.iter().enumerate() {
        blobs_of.push(match ids[..j].iter().position(|x| x == id) {
            Some(k) => std::rc::Rc::clone(&blobs_of[k]),
            None => std::rc::Rc::new(store.blobs_along(graph, &store.path_of(id))?),
        });
    }
    // The agreement's file at node `i`: which id, and its blob (asked, not kept: a vector of
    // them would be 3 MB of fresh pages at 100,000 commits, for the first `history` too).
    let at = |i: usize| -> Option<(usize, Oid)> {
        match renames.is_empty() {
            // One id (most agreements, and every first `history`'s pass): its blobs as read.
            true => blobs_of[0][i].map(|b| (0, b)),
            false => (0..ids.len()).find_map(|j| Some((j, blobs_of[j][i]?)).filter(|_| may(j, i))),
        }
    };
    let same = |a: Option<(usize, Oid)>, b: Option<(usize, Oid)>| {
        a.map(|x| x.0) == b.map(|x| x.0) && same_blob(a.map(|x| x.1), b.map(|x| x.1))
    };
    // What the order follows, in a byte a commit: the file's edits, found from the flat parent
    // arrays, and this agreement's positions among the few nodes that say anything to accord
    // (passes over the nodes themselves read 11 MB at 100,000 commits).
    let is_edit = |i: usize| -> bool {
        let parents = graph.parents_of(i as u32);
        if parents.is_empty() {
            // A root commit, or the edge of a shallow clone: the file appears here.
            return at(i).is_some();
        }
        let here = at(i);
        parents.iter().all(|&p| !same(at(p as usize), here))
    };
    // A merge that keeps one parent's text over another's (whichever parent: `merge -s ours`
    // keeps its first parent's): an edit when it brings back a text other than the one
    // current just before it (see `file_edits::brought_back`, decided once ordered). (A merge
    // whose text is no parent's is an edit above.)
    let takes_other = |i: usize| -> bool {
        let parents = graph.parents_of(i as u32);
        parents.len() > 1 && {
            let here = at(i);
            parents.iter().any(|&p| !same(at(p as usize), here))
        }
    };
    let mut interesting: Vec<bool> = (0..n).map(is_edit).collect();
    let mut merge: Vec<bool> = vec![false; n];
    for i in 0..n {
        if !interesting[i] && takes_other(i) {
            (interesting[i], merge[i]) = (true, true);
        }
    }
    let on = |p: &Position, i: usize| {
        (0..ids.len()).find(|&j| ids[j] == p.trailers.agreement && may(j, i))
    };
    let mut position = vec![false; n];
    for &i in &graph.said {
        if matches!(&graph.nodes[i as usize].accord, CommitKind::Position(p) if on(p, i as usize).is_some())
        {
            interesting[i as usize] = true;
            position[i as usize] = true;
        }
    }
    let mut order = graph.order_by(|i| interesting[i as usize]);
    let mut displaced = Vec::new();
    for &i in order.iter().filter(|&&i| !position[i as usize]) {
        let here = at(i as usize);
        for &p in graph.parents_of(i) {
            if let Some(text) = at(p as usize).filter(|_| !same(at(p as usize), here)) {
                displaced.push((super::file_edits::displaced_at(graph, i), from_oid(text.1)));
            }
        }
    }
    // For each merge kept as an edit, the text it replaced (its first parent may hold the very
    // text it keeps).
    let mut replaced: HashMap<u32, Option<(usize, Oid)>> = HashMap::new();
    if merge.contains(&true) {
        let texts: Vec<(u32, bool)> = order
            .iter()
            .filter(|&&i| !position[i as usize])
            .map(|&i| (i, merge[i as usize]))
            .collect();
        let kept = super::file_edits::brought_back(texts, |&i| at(i as usize));
        for pair in kept.windows(2) {
            if merge[pair[0] as usize] {
                replaced.insert(pair[0], at(pair[1] as usize));
            }
        }
        let kept: std::collections::HashSet<u32> = kept.into_iter().collect();
        order.retain(|&i| !merge[i as usize] || position[i as usize] || kept.contains(&i));
    }
    let mut events = Vec::with_capacity(order.len());
    let mut under = Vec::with_capacity(order.len());
    // The edits' commits are read through the pack reader: libgit2 maps the pack and its
    // index, and each page it touches counts as accord's memory (a whole 2 MB when the page
    // cache holds the file in large folios: 50 edits at a million commits were 300 MB).
    let packs = store.packs();
    let mut objects = super::pack::Objects::new(&packs, store.repo.odb()?);
    for i in order {
        let node = &graph.nodes[i as usize];
        match &node.accord {
            CommitKind::Position(p) if let Some(j) = on(p, i as usize) => {
                events.push(Event::Position(p.clone()));
                under.push(Under { here: j, parent: None });
            }
            _ => {
                let read = match objects.read(node.id)? {
                    Some((git2::ObjectType::Commit, data)) => {
                        super::raw_commit::author_and_summary(&data)
                    }
                    _ => None,
                };
                let (author_name, author_email, subject) = match read {
                    Some(fields) => fields,
                    None => {
                        let commit = store.repo.find_commit(node.id)?;
                        let author = commit.author();
                        (
                            author.name().unwrap_or("").to_string(),
                            author.email().unwrap_or("").to_string(),
                            commit.summary().unwrap_or("").to_string(),
                        )
                    }
                };
                events.push(Event::Edit(Edit {
                    commit: from_oid(node.id),
                    time: node.time,
                    author_name,
                    author_email,
                    subject,
                    blob: at(i as usize).map(|x| from_oid(x.1)),
                    before: match replaced.get(&i) {
                        Some(text) => text.map(|x| from_oid(x.1)),
                        None => node
                            .parents
                            .first()
                            .and_then(|&p| at(p as usize))
                            .map(|x| from_oid(x.1)),
                    },
                    parent: node.parents.first().map(|&p| from_oid(graph.nodes[p as usize].id)),
                }));
                under.push(Under {
                    here: at(i as usize).map_or(0, |x| x.0),
                    parent: node.parents.first().and_then(|&p| at(p as usize)).map(|x| x.0),
                });
            }
        }
    }
    Ok((events, under, displaced))
}
