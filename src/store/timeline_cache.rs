//! The timeline cache: for one tip, each agreement's events in that history (its edits and the
//! positions on it reachable from the tip, in SPEC §4's order), kept in
//! `<git dir>/accord/timelines-v3.bin`, and each agreement's lineage as counting reads it, kept
//! apart in `lineages-v2.bin` (small: `status` reads only that one). A warm `log`, `history`,
//! `diff` or `status` at that tip then walks no history at all; positions-branch positions are
//! added on every run (they move without the tip moving), from the positions-branch cache.
//!
//! Entries are learnt during a run and written once, when the [`Store`] is dropped, for the tip
//! asked about last (the file holds one tip). Like the other caches it is never the source of
//! truth: a missing, truncated, corrupt, foreign-version, other-folder or other-horizon file is
//! ignored, another tip starts afresh (unless it only added ordinary commits on top of the
//! file's tip in a straight line: then nothing any entry holds changed, and the entries carry
//! over), and `ACCORD_NO_CACHE=1` neither reads nor writes it. It does not order or count
//! anything itself.

use std::collections::HashMap;
use std::sync::Arc;

use git2::Oid;

use super::cache::{
    header, open_sealed, put_position, put_positions, put_str, read_position, read_positions, seal,
    Reader,
};
use super::{from_oid, Store};
use crate::core::counting::{Lineage, Span};
use crate::core::replay::{Edit, Event};
use crate::ledger::Position;
use crate::oid::ObjectId;

const FILE: &str = "timelines-v3.bin";
const MAGIC: &[u8; 8] = b"ACCRDTL8";
const LINEAGES: &str = "lineages-v2.bin";
const LINEAGES_MAGIC: &[u8; 8] = b"ACCRDLN8";

/// One agreement's history at the tip.
#[derive(Clone)]
pub(super) struct Entry {
    /// Newest first, without positions-branch positions.
    pub events: Vec<Event>,
    /// The texts a commit replaced at one of its parents, and when ([`super::timeline`]).
    pub displaced: Vec<(i64, ObjectId)>,
    /// The positions-branch positions on this id not reachable from the tip, newest first,
    /// with the key (branch tips and all) they were read for.
    pub branch: Option<(Vec<u8>, Vec<Arc<Position>>)>,
}

/// What this process knows of both files, and what it learnt.
#[derive(Default)]
pub(super) struct Timelines {
    entries: Memo<Entry>,
    lineages: Memo<Lineage>,
}

/// One file's memo: what it held for `tip`, and whether this run learnt more.
pub(super) struct Memo<T> {
    loaded: bool,
    /// The agreements folder the entries are about (`review` may judge with another).
    dir: String,
    tip: Option<Oid>,
    map: HashMap<String, T>,
    dirty: bool,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo { loaded: false, dir: String::new(), tip: None, map: HashMap::new(), dirty: false }
    }
}

impl<T> Memo<T> {
    /// Make the memo about `tip` in `dir`: `read` the file once; for another tip, carry what
    /// it holds over when `quiet(old tip)` says nothing the entries depend on changed between
    /// them (and write it again under `tip`), else start afresh. Returns the tip carried from.
    fn at(
        &mut self,
        tip: Oid,
        dir: &str,
        read: impl FnOnce() -> Option<(Oid, HashMap<String, T>)>,
        quiet: impl FnOnce(Oid) -> bool,
    ) -> Option<Oid> {
        if !self.loaded {
            self.loaded = true;
            if let Some((at, map)) = read() {
                self.tip = Some(at);
                self.map = map;
            }
            self.dir = dir.to_string();
        }
        if self.tip == Some(tip) && self.dir == dir {
            return None;
        }
        let from = self.tip.filter(|_| self.dir == dir && !self.map.is_empty());
        let carried = from.filter(|&old| quiet(old));
        if carried.is_none() {
            self.map.clear();
        }
        self.dirty = carried.is_some();
        self.tip = Some(tip);
        self.dir = dir.to_string();
        carried
    }
}

use super::cache::no_cache;

fn put_opt(out: &mut Vec<u8>, id: Option<ObjectId>) {
    match id {
        None => out.push(0),
        Some(b) => {
            out.push(1);
            out.extend_from_slice(b.as_bytes());
        }
    }
}

fn read_opt(r: &mut Reader) -> Option<Option<ObjectId>> {
    match r.u8()? {
        0 => Some(None),
        1 => Some(Some(from_oid(r.oid()?))),
        _ => None,
    }
}

/// What both files begin with after their header: the folder, the shallow horizon, the tip and
/// how many agreements follow; the agreements' ids in the order to write them.
fn put_keyed<'k>(
    out: &mut Vec<u8>,
    dir: &str,
    horizon: u64,
    tip: Oid,
    ids: impl Iterator<Item = &'k String>,
) -> Vec<&'k String> {
    put_str(out, dir);
    out.extend_from_slice(&horizon.to_le_bytes());
    out.extend_from_slice(tip.as_bytes());
    let mut ids: Vec<&String> = ids.collect();
    ids.sort();
    out.extend_from_slice(&(ids.len() as u32).to_le_bytes());
    ids
}

/// A file written by [`put_keyed`] for this folder and horizon: its reader past the key, its
/// tip and how many agreements it holds.
fn open_keyed<'d>(
    data: &'d [u8],
    magic: &[u8; 8],
    dir: &str,
    horizon: u64,
) -> Option<(Reader<'d>, Oid, usize)> {
    let mut r = open_sealed(data, magic)?;
    if r.string()? != dir || u64::from_le_bytes(r.take(8)?.try_into().ok()?) != horizon {
        return None;
    }
    let tip = r.oid()?;
    let n = r.u32()? as usize;
    Some((r, tip, n))
}

fn encode(dir: &str, horizon: u64, tip: Oid, entries: &HashMap<String, Entry>) -> Vec<u8> {
    let mut out = header(MAGIC, entries.len() * 4096);
    for id in put_keyed(&mut out, dir, horizon, tip, entries.keys()) {
        let e = &entries[id];
        put_str(&mut out, id);
        out.extend_from_slice(&(e.events.len() as u32).to_le_bytes());
        for ev in &e.events {
            match ev {
                Event::Edit(x) => {
                    out.push(0);
                    out.extend_from_slice(x.commit.as_bytes());
                    out.extend_from_slice(&x.time.to_le_bytes());
                    put_str(&mut out, &x.author_name);
                    put_str(&mut out, &x.author_email);
                    put_str(&mut out, &x.subject);
                    put_opt(&mut out, x.blob);
                    put_opt(&mut out, x.before);
                    put_opt(&mut out, x.parent);
                }
                Event::Position(p) => {
                    out.push(1);
                    out.extend_from_slice(p.commit.as_bytes());
                    out.extend_from_slice(&p.time.to_le_bytes());
                    put_position(&mut out, p);
                }
            }
        }
        out.extend_from_slice(&(e.displaced.len() as u32).to_le_bytes());
        for (t, blob) in &e.displaced {
            out.extend_from_slice(&t.to_le_bytes());
            out.extend_from_slice(blob.as_bytes());
        }
        match &e.branch {
            None => out.push(0),
            Some((key, positions)) => {
                out.push(1);
                out.extend_from_slice(&(key.len() as u32).to_le_bytes());
                out.extend_from_slice(key);
                put_positions(&mut out, positions.iter().map(|p| &**p));
            }
        }
    }
    out
}

fn decode(data: &[u8], dir: &str, horizon: u64) -> Option<(Oid, HashMap<String, Entry>)> {
    let (mut r, tip, n) = open_keyed(data, MAGIC, dir, horizon)?;
    let mut entries = HashMap::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let id = r.string()?;
        let k = r.u32()? as usize;
        let mut events = Vec::with_capacity(k.min(1 << 20));
        for _ in 0..k {
            let kind = r.u8()?;
            let commit = r.oid()?;
            let time = r.i64()?;
            events.push(match kind {
                0 => Event::Edit(Edit {
                    commit: from_oid(commit),
                    time,
                    author_name: r.string()?,
                    author_email: r.string()?,
                    subject: r.string()?,
                    blob: read_opt(&mut r)?,
                    before: read_opt(&mut r)?,
                    parent: read_opt(&mut r)?,
                }),
                1 => Event::Position(Arc::new(read_position(&mut r, commit, time)?)),
                _ => return None,
            });
        }
        let d = r.u32()? as usize;
        let mut displaced = Vec::with_capacity(d.min(1 << 16));
        for _ in 0..d {
            let t = r.i64()?;
            displaced.push((t, from_oid(r.oid()?)));
        }
        let branch = match r.u8()? {
            0 => None,
            1 => {
                let k = r.u32()? as usize;
                let key = r.take(k)?.to_vec();
                Some((key, read_positions(&mut r)?))
            }
            _ => return None,
        };
        entries.insert(id, Entry { events, displaced, branch });
    }
    (r.at == r.data.len()).then_some((tip, entries))
}

impl Store {
    /// The timelines memo about `tip`: the file read once, carried over to a tip that only
    /// added ordinary commits ([`Store::quiet_since`]), else started afresh for another tip.
    fn timelines_at(&self, tip: Oid) -> std::cell::RefMut<'_, Memo<Entry>> {
        let mut m = std::cell::RefMut::map(self.timelines.borrow_mut(), |t| &mut t.entries);
        let carried = m.at(
            tip,
            &self.dir,
            || {
                let data =
                    super::cache::read(self.state_dir().join(FILE)).ok().filter(|_| !no_cache())?;
                decode(&data, &self.dir, self.history_horizon())
            },
            |old| self.quiet_since(old, tip),
        );
        // The positions branch's positions on each id, read for the old tip with the branch
        // as it is now, hold at the new one: no position became reachable in between.
        if let Some(old) = carried {
            if let (Ok(was), Ok(now)) =
                (self.positions_key(old.into()), self.positions_key(tip.into()))
            {
                for e in m.map.values_mut() {
                    if let Some((key, _)) = e.branch.as_mut().filter(|(k, _)| *k == was) {
                        *key = now.clone();
                    }
                }
            }
        }
        m
    }

    /// The remembered history of agreement `id` at `tip`.
    pub(super) fn cached_timeline(&self, tip: Oid, id: &str) -> Option<Entry> {
        if no_cache() {
            return None;
        }
        self.timelines_at(tip).map.get(id).cloned()
    }

    /// Remember agreement `id`'s events at `tip`.
    pub(super) fn remember_events(
        &self,
        tip: Oid,
        id: &str,
        events: &[Event],
        displaced: &[(i64, ObjectId)],
    ) {
        if no_cache() {
            return;
        }
        let mut t = self.timelines_at(tip);
        let entry = Entry { events: events.to_vec(), displaced: displaced.to_vec(), branch: None };
        t.map.insert(id.to_string(), entry);
        t.dirty = true;
    }

    /// The remembered positions-branch positions on `id` at `tip`, when they were read for
    /// `key` (the branch's tips as they are now).
    pub(super) fn cached_branch_on(
        &self,
        tip: Oid,
        id: &str,
        key: &[u8],
    ) -> Option<Vec<Arc<Position>>> {
        if no_cache() {
            return None;
        }
        let t = self.timelines_at(tip);
        match t.map.get(id).and_then(|e| e.branch.as_ref()) {
            Some((k, positions)) if k == key => Some(positions.clone()),
            _ => None,
        }
    }

    /// Remember the positions-branch positions on `id` at `tip` for `key` (once its events are
    /// remembered).
    pub(super) fn remember_branch_on(
        &self,
        tip: Oid,
        id: &str,
        key: &[u8],
        positions: &[Arc<Position>],
    ) {
        if no_cache() {
            return;
        }
        let mut t = self.timelines_at(tip);
        if let Some(e) = t.map.get_mut(id) {
            e.branch = Some((key.to_vec(), positions.to_vec()));
            t.dirty = true;
        }
    }

    /// The lineages memo about `tip`: the file read once, carried over or started afresh for
    /// another tip as the timelines memo is.
    fn lineages_at(&self, tip: Oid) -> std::cell::RefMut<'_, Memo<Lineage>> {
        let mut m = std::cell::RefMut::map(self.timelines.borrow_mut(), |t| &mut t.lineages);
        m.at(
            tip,
            &self.dir,
            || {
                let data = super::cache::read(self.state_dir().join(LINEAGES))
                    .ok()
                    .filter(|_| !no_cache())?;
                decode_lineages(&data, &self.dir, self.history_horizon())
            },
            |old| self.quiet_since(old, tip),
        );
        m
    }

    /// The remembered lineage of agreement `id` at `tip` (renames already followed).
    pub(super) fn cached_lineage(&self, tip: Oid, id: &str) -> Option<Lineage> {
        if no_cache() {
            return None;
        }
        self.lineages_at(tip).map.get(id).cloned()
    }

    /// Remember agreement `id`'s lineage at `tip`.
    pub(super) fn remember_lineage(&self, tip: Oid, id: &str, lineage: &Lineage) {
        if no_cache() {
            return;
        }
        let mut m = self.lineages_at(tip);
        if m.map.get(id) != Some(lineage) {
            m.map.insert(id.to_string(), lineage.clone());
            m.dirty = true;
        }
    }

    /// Write what this run learnt (on drop).
    pub(super) fn save_timelines(&self) {
        if no_cache() {
            return;
        }
        let t = self.timelines.borrow();
        let e = &t.entries;
        if let (true, Some(tip)) = (e.dirty, e.tip) {
            seal(&self.state_dir(), FILE, encode(&e.dir, self.history_horizon(), tip, &e.map));
        }
        let m = &t.lineages;
        if let (true, Some(tip)) = (m.dirty, m.tip) {
            let data = encode_lineages(&m.dir, self.history_horizon(), tip, &m.map);
            seal(&self.state_dir(), LINEAGES, data);
        }
    }
}

fn encode_lineages(dir: &str, horizon: u64, tip: Oid, map: &HashMap<String, Lineage>) -> Vec<u8> {
    let mut out = header(LINEAGES_MAGIC, 64 + map.len() * 512);
    for id in put_keyed(&mut out, dir, horizon, tip, map.keys()) {
        let l = &map[id];
        put_str(&mut out, id);
        out.extend_from_slice(&(l.spans.len() as u32).to_le_bytes());
        for s in &l.spans {
            out.extend_from_slice(&s.start.to_le_bytes());
            match s.end {
                None => out.push(0),
                Some(t) => {
                    out.push(1);
                    out.extend_from_slice(&t.to_le_bytes());
                }
            }
            put_opt(&mut out, s.meaning);
        }
        out.extend_from_slice(&(l.edits.len() as u32).to_le_bytes());
        for t in &l.edits {
            out.extend_from_slice(&t.to_le_bytes());
        }
    }
    out
}

type Lineages = HashMap<String, Lineage>;

fn decode_lineages(data: &[u8], dir: &str, horizon: u64) -> Option<(Oid, Lineages)> {
    let (mut r, tip, n) = open_keyed(data, LINEAGES_MAGIC, dir, horizon)?;
    let mut map = HashMap::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let id = r.string()?;
        let s = r.u32()? as usize;
        let mut spans = Vec::with_capacity(s.min(1 << 16));
        for _ in 0..s {
            let start = r.i64()?;
            let end = match r.u8()? {
                0 => None,
                1 => Some(r.i64()?),
                _ => return None,
            };
            spans.push(Span { start, end, meaning: read_opt(&mut r)? });
        }
        let e = r.u32()? as usize;
        let mut edits = Vec::with_capacity(e.min(1 << 16));
        for _ in 0..e {
            edits.push(r.i64()?);
        }
        map.insert(id, Lineage { spans, edits });
    }
    (r.at == r.data.len()).then_some((tip, map))
}

impl Drop for Store {
    fn drop(&mut self) {
        self.finish_writes();
        self.save_timelines();
        self.hand_back_object_caches();
        if super::ENDING_PROCESS.load(std::sync::atomic::Ordering::Relaxed) {
            // What a run read stays where it is: the process ends next, and the operating
            // system takes it back at once (see [`super::free_nothing_at_exit`]). The folder
            // of a range's own caches is removed as usual.
            std::mem::forget(self.graph_memo.take());
            std::mem::forget(self.branch_memo.take());
            std::mem::forget(self.trusted.take());
            std::mem::forget(self.timelines.take());
            std::mem::forget(self.parsed.take());
            std::mem::forget(self.packs.take());
            std::mem::forget(self.commit_graph.take());
            std::mem::forget(self.texts_ahead.take());
            std::mem::forget(self.skeleton_memo.take());
        }
    }
}
