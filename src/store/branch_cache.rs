//! The positions-branch cache: every commit of the positions branch and its remote-tracking
//! copies (id, committer time, parents, and the position it records, if any), kept in
//! `<git dir>/accord/branch-v1.bin` keyed by the set of tips, so that reading the branch (SPEC §4
//! "Where positions live", on every `status`, `log`, `history` and `review`) reads only the
//! commits that are new since the last run: a fast-forward, a sync merge on top, a new remote
//! copy. Commits no tip reaches any more (a reset, a remote ref that disappeared) are dropped.
//!
//! Which of these commits the evaluated history already holds (they follow the working-branch
//! rule instead) is decided without walking that history when it can be: every such commit has
//! a bottom commit of the branch (one whose parents are all absent) among the evaluated
//! history's own bottoms, and those are remembered for the last evaluated tip (and followed
//! along a straight line of new commits on top of it). Only when a bottom is shared is the
//! evaluated history walked to find them.
//!
//! Like the other caches it is never the source of truth: a missing, truncated, corrupt,
//! foreign-version, other-branch or other-horizon file is ignored and rebuilt, and
//! `ACCORD_NO_CACHE=1` neither reads nor writes it. It does not decide which positions count.

use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::Arc;

use git2::{ErrorCode, Oid};

use super::cache::{header, open_sealed, put_position, put_str, read_position, seal};
use super::commit_graph::{CommitGraph, CommitGraphError};
use super::id_hash::{IdKey, IdMap};
use super::prefetch::ReadAhead;
use super::raw_commit::{parse_commit, CommitKind};
use super::Store;
use crate::error::Result;
use crate::ledger::Position;

pub(super) const FILE: &str = "branch-v1.bin";
const MAGIC: &[u8; 8] = b"ACCRDPB2";
/// Longest straight line of new commits followed from the remembered evaluated tip.
const MAX_STRAIGHT: usize = 1_000;

/// What the branch said for one set of tips and one evaluated tip, kept for the process.
pub(super) struct Answer {
    branch: String,
    tips: Vec<Oid>,
    hide: Option<Oid>,
    /// Newest first in SPEC §4's order.
    positions: Vec<Arc<Position>>,
    /// The same, by agreement.
    by_agreement: HashMap<String, Vec<Arc<Position>>>,
}

/// One commit of the positions branch.
#[derive(Debug, Clone)]
struct Record {
    id: Oid,
    time: i64,
    parents: Vec<Oid>,
    /// A commit with at most one parent whose final trailer block is a position.
    position: Option<Arc<Position>>,
}

impl Record {
    /// A commit of the branch as read: a position only with at most one parent.
    fn new(id: Oid, facts: super::cache::Cached) -> Record {
        let position = match (facts.parents.len() <= 1, facts.accord) {
            (true, CommitKind::Position(p)) => Some(p),
            _ => None,
        };
        Record { id, time: facts.time, parents: facts.parents, position }
    }
}

/// The bottoms (commits with no parent in it) of the history of `tip`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bottoms {
    tip: Oid,
    bottoms: Vec<Oid>,
}

#[derive(Default)]
struct BranchFile {
    tips: Vec<Oid>,
    records: Vec<Record>,
    bottoms: Option<Bottoms>,
}

fn decode(data: &[u8], branch: &str, horizon: u64) -> Option<BranchFile> {
    let mut r = open_sealed(data, MAGIC)?;
    if r.string()? != branch || u64::from_le_bytes(r.take(8)?.try_into().ok()?) != horizon {
        return None;
    }
    let t = r.u32()? as usize;
    let mut tips = Vec::with_capacity(t.min(1024));
    for _ in 0..t {
        tips.push(r.oid()?);
    }
    let n = r.u32()? as usize;
    let mut records = Vec::with_capacity(n.min(1 << 22));
    for _ in 0..n {
        let id = r.oid()?;
        let time = r.i64()?;
        let k = r.u32()? as usize;
        let mut parents = Vec::with_capacity(k.min(64));
        for _ in 0..k {
            parents.push(r.oid()?);
        }
        let position = match r.u8()? {
            0 => None,
            1 => Some(Arc::new(read_position(&mut r, id, time)?)),
            _ => return None,
        };
        records.push(Record { id, time, parents, position });
    }
    let bottoms = match r.u8()? {
        0 => None,
        1 => {
            let tip = r.oid()?;
            let k = r.u32()? as usize;
            let mut bottoms = Vec::with_capacity(k.min(1024));
            for _ in 0..k {
                bottoms.push(r.oid()?);
            }
            Some(Bottoms { tip, bottoms })
        }
        _ => return None,
    };
    (r.at == r.data.len()).then_some(BranchFile { tips, records, bottoms })
}

fn encode(branch: &str, horizon: u64, f: &BranchFile) -> Vec<u8> {
    let mut out = header(MAGIC, 64 + f.records.len() * 200);
    put_str(&mut out, branch);
    out.extend_from_slice(&horizon.to_le_bytes());
    out.extend_from_slice(&(f.tips.len() as u32).to_le_bytes());
    for t in &f.tips {
        out.extend_from_slice(t.as_bytes());
    }
    out.extend_from_slice(&(f.records.len() as u32).to_le_bytes());
    for c in &f.records {
        out.extend_from_slice(c.id.as_bytes());
        out.extend_from_slice(&c.time.to_le_bytes());
        out.extend_from_slice(&(c.parents.len() as u32).to_le_bytes());
        for p in &c.parents {
            out.extend_from_slice(p.as_bytes());
        }
        match &c.position {
            None => out.push(0),
            Some(p) => {
                out.push(1);
                put_position(&mut out, p);
            }
        }
    }
    match &f.bottoms {
        None => out.push(0),
        Some(b) => {
            out.push(1);
            out.extend_from_slice(b.tip.as_bytes());
            out.extend_from_slice(&(b.bottoms.len() as u32).to_le_bytes());
            for x in &b.bottoms {
                out.extend_from_slice(x.as_bytes());
            }
        }
    }
    out
}

/// A commit as the commit-graph lists it: its position, its id and its parents.
pub(super) type Listed = (u32, Oid, Vec<Oid>);

/// What reading the commit-graph's part of the branch gave.
enum Read {
    /// This many records added to the file.
    Added(usize),
    /// The whole answer, made ahead.
    Prepared(Prepared),
}

/// Every commit the commit-graph positions `starts` reach, not past those `known` holds: each
/// with its position and its parents as the commit-graph names them.
pub(super) fn list_from_graph(
    c: &CommitGraph,
    starts: &[u32],
    known: impl Fn(&Oid) -> bool,
) -> std::result::Result<Vec<Listed>, CommitGraphError> {
    // A bit per commit of the commit-graph.
    let mut seen: Vec<u64> = vec![0; (c.len() as usize).div_ceil(64)];
    let mut todo: Vec<u32> = starts.to_vec();
    let mut out = Vec::new();
    let mut parents = Vec::new();
    while let Some(pos) = todo.pop() {
        let (word, bit) = (pos as usize / 64, 1u64 << (pos % 64));
        match seen.get_mut(word) {
            Some(w) if *w & bit != 0 => continue,
            Some(w) => *w |= bit,
            None => return Err(CommitGraphError::Parents { pos }),
        }
        let bad = || CommitGraphError::Parents { pos };
        let oid = c.oid(pos).and_then(|o| Oid::from_bytes(&o).ok()).ok_or_else(bad)?;
        if known(&oid) {
            continue;
        }
        parents.clear();
        c.parents(pos, &mut parents)?;
        todo.extend(parents.iter().copied());
        let listed: Option<Vec<Oid>> =
            parents.iter().map(|&p| c.oid(p).and_then(|o| Oid::from_bytes(&o).ok())).collect();
        out.push((pos, oid, listed.ok_or_else(bad)?));
    }
    Ok(out)
}

/// The branch's answer made on the thread that read it ahead ([`prepare`]), for a cold run
/// whose evaluated history turns out to hold none of the branch's commits (the usual case):
/// the records, their order and the positions by agreement are then ready, and the evaluation's
/// single-threaded end does not make them.
pub(super) struct Prepared {
    records: Vec<Record>,
    at: IdMap<IdKey, usize>,
    /// The commits with no parent on the branch.
    bottoms: HashSet<Oid>,
    /// [`order`] with nothing hidden, and the same by agreement.
    positions: Vec<Arc<Position>>,
    by_agreement: HashMap<String, Vec<Arc<Position>>>,
}

/// The records of every commit `listed` names, read (`read`, in the same order), with their
/// order as though nothing were hidden; `read` back when a commit could not be read or the
/// commit-graph names other parents than the commit itself (the usual path then decides).
pub(super) fn prepare(
    listed: &[Listed],
    read: Vec<(Oid, super::cache::Cached)>,
) -> std::result::Result<Prepared, Vec<(Oid, super::cache::Cached)>> {
    let holds = read.len() == listed.len()
        && read
            .iter()
            .zip(listed)
            .all(|((id, f), (_, l, parents))| id == l && &f.parents == parents);
    if !holds {
        return Err(read);
    }
    Ok(prepared(read.into_iter().map(|(id, f)| Record::new(id, f)).collect()))
}

/// The answer for `records` (the whole branch) with nothing hidden.
fn prepared(records: Vec<Record>) -> Prepared {
    let at: IdMap<IdKey, usize> =
        records.iter().enumerate().map(|(i, c)| (IdKey::from(&c.id), i)).collect();
    let bottoms = branch_bottoms(&records, &at);
    let positions = order(&records, &at, &HashSet::new());
    let by_agreement = by_agreement(&positions);
    Prepared { records, at, bottoms, positions, by_agreement }
}

/// The positions-branch cache file read ahead, with its answer made.
pub(super) struct FileAhead {
    branch: String,
    horizon: u64,
    /// Its records are in `prepared`.
    file: BranchFile,
    prepared: Prepared,
}

/// Read and decode the cache file at `path` for `branch` at `horizon`, and make its answer
/// ([`FileAhead`]); `None` when there is no such file that holds together.
pub(super) fn read_file_ahead(
    path: &std::path::Path,
    branch: String,
    horizon: u64,
) -> Option<FileAhead> {
    let mut file = decode(&super::cache::read(path).ok()?, &branch, horizon)?;
    let prepared = prepared(std::mem::take(&mut file.records));
    Some(FileAhead { branch, horizon, file, prepared })
}

impl Prepared {
    /// The commits as read, in the listing's order (a record keeps all that counts of them).
    pub(super) fn into_read(self) -> Vec<(Oid, super::cache::Cached)> {
        self.records
            .into_iter()
            .map(|r| {
                let accord = match r.position {
                    Some(p) => CommitKind::Position(p),
                    None => CommitKind::Other,
                };
                let facts = super::cache::Cached {
                    tree: Oid::zero(),
                    parents: r.parents,
                    time: r.time,
                    accord,
                };
                (r.id, facts)
            })
            .collect()
    }
}

/// The commits of `records` none of whose parents `at` holds.
fn branch_bottoms(records: &[Record], at: &IdMap<IdKey, usize>) -> HashSet<Oid> {
    records
        .iter()
        .filter(|c| c.parents.iter().all(|p| !at.contains_key(&IdKey::from(p))))
        .map(|c| c.id)
        .collect()
}

/// `positions` grouped by the agreement each names, each group in the same order.
fn by_agreement(positions: &[Arc<Position>]) -> HashMap<String, Vec<Arc<Position>>> {
    let mut by: HashMap<String, Vec<Arc<Position>>> = HashMap::new();
    for p in positions {
        match by.get_mut(&p.trailers.agreement) {
            Some(list) => list.push(p.clone()),
            None => {
                by.insert(p.trailers.agreement.clone(), vec![p.clone()]);
            }
        }
    }
    by
}

/// What a walk of a history found: its bottoms, and which of `targets` it holds.
struct Reach {
    bottoms: Vec<Oid>,
    found: HashSet<Oid>,
}

impl Store {
    /// Every position on the branch whose tips are `tips` (sorted, deduplicated) that is not
    /// reachable from `hide`, newest first in SPEC §4's order.
    pub(super) fn branch_positions_cached(
        &self,
        branch: &str,
        tips: &[Oid],
        hide: Option<Oid>,
    ) -> Result<Vec<Arc<Position>>> {
        Ok(self.branch_answer(branch, tips, hide)?.positions.clone())
    }

    /// The answer for these tips and `hide`, remembered for the rest of the process.
    fn branch_answer(&self, branch: &str, tips: &[Oid], hide: Option<Oid>) -> Result<Arc<Answer>> {
        if let Some(a) = self.branch_memo.borrow().as_ref() {
            if a.branch == branch && a.tips == tips && a.hide == hide {
                return Ok(a.clone());
            }
        }
        let (positions, grouped) = self.read_branch(branch, tips, hide)?;
        let by_agreement = grouped.unwrap_or_else(|| by_agreement(&positions));
        let a = Arc::new(Answer {
            branch: branch.to_string(),
            tips: tips.to_vec(),
            hide,
            positions,
            by_agreement,
        });
        *self.branch_memo.borrow_mut() = Some(a.clone());
        Ok(a)
    }

    /// The positions-branch positions on agreement `id` not reachable from `hide`, newest first.
    pub(super) fn branch_positions_on(
        &self,
        branch: &str,
        hide: Oid,
        id: &str,
    ) -> Result<Vec<Arc<Position>>> {
        let mut tips: Vec<Oid> =
            self.positions_refs(branch)?.into_iter().map(|(_, t)| Oid::from(t)).collect();
        if tips.is_empty() {
            return Ok(Vec::new());
        }
        tips.sort();
        tips.dedup();
        let a = self.branch_answer(branch, &tips, Some(hide))?;
        Ok(a.by_agreement.get(id).cloned().unwrap_or_default())
    }

    /// The positions, and when they were ready (prepared ahead) the same by agreement.
    #[allow(clippy::type_complexity)]
    fn read_branch(
        &self,
        branch: &str,
        tips: &[Oid],
        hide: Option<Oid>,
    ) -> Result<(Vec<Arc<Position>>, Option<HashMap<String, Vec<Arc<Position>>>>)> {
        let t0 = std::time::Instant::now();
        // The file an earlier call may still be writing.
        self.finish_branch_write();
        let horizon = self.history_horizon();
        let state = self.state_dir();
        let no_cache = super::cache::no_cache();
        // The answer made ahead, when the records are all and only what it was made from: the
        // file read ahead when it was ([`Store::read_positions_branch_file_ahead`]) and its
        // tips are these, else the branch read ahead on a cold run (below).
        let mut ready: Option<Prepared> = None;
        let ahead = self.branch_file_ahead.borrow_mut().take();
        let ahead = ahead.and_then(|h| h.join().ok()).flatten();
        let mut file = match ahead {
            Some(a) if !no_cache && a.branch == branch && a.horizon == horizon => {
                let (mut file, mut prepared) = (a.file, a.prepared);
                file.records = std::mem::take(&mut prepared.records);
                ready = Some(prepared);
                file
            }
            _ if no_cache => BranchFile::default(),
            _ => super::cache::read(state.join(FILE))
                .ok()
                .and_then(|d| decode(&d, branch, horizon))
                .unwrap_or_default(),
        };
        let mut dirty = file.tips != tips;
        if dirty {
            ready = None;
        }
        // Read what the file does not hold yet, from the tips down to known commits.
        let mut at: IdMap<IdKey, usize> = match ready.as_mut() {
            Some(p) => std::mem::take(&mut p.at),
            None => file.records.iter().enumerate().map(|(i, c)| (IdKey::from(&c.id), i)).collect(),
        };
        let mut missing: HashSet<Oid> = HashSet::new();
        let packs = self.packs();
        let mut objects = super::pack::Objects::new(&packs, self.repo.odb()?);
        let mut stack: Vec<Oid> =
            tips.iter().filter(|t| !at.contains_key(&IdKey::from(*t))).copied().collect();
        // Commits git's commit-graph holds are listed from it and read on every core at the end.
        let mut cg = self.commit_graph();
        let mut in_graph: Vec<u32> = Vec::new();
        loop {
            while let Some(id) = stack.pop() {
                if at.contains_key(&IdKey::from(&id)) || missing.contains(&id) {
                    continue;
                }
                if let Some(pos) = cg.as_ref().and_then(|c| c.lookup(id.as_bytes())) {
                    in_graph.push(pos);
                    continue;
                }
                self.read_branch_commit(
                    &mut objects,
                    id,
                    &mut file,
                    &mut at,
                    &mut missing,
                    &mut stack,
                )?;
                dirty = true;
            }
            let Some(c) = cg.take() else { break };
            match self.read_from_graph(&c, &in_graph, &mut file, &mut at) {
                Ok(Read::Added(n)) => dirty |= n > 0,
                Ok(Read::Prepared(mut p)) => {
                    file.records = std::mem::take(&mut p.records);
                    at = std::mem::take(&mut p.at);
                    dirty = true;
                    ready = Some(p);
                }
                // An inconsistent commit-graph: read those commits one by one instead.
                Err(_) => stack.extend(
                    in_graph
                        .iter()
                        .filter_map(|&p| c.oid(p))
                        .filter_map(|o| Oid::from_bytes(&o).ok()),
                ),
            }
        }
        super::trace(&format!("positions branch: {} commits", file.records.len()), t0);
        // Keep what the tips reach (a reset or a vanished remote ref drops the rest); what was
        // prepared ahead was listed from the tips.
        let mut reached = vec![ready.is_some(); file.records.len()];
        let mut stack: Vec<usize> =
            tips.iter().filter_map(|t| at.get(&IdKey::from(t)).copied()).collect();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut reached[i], true) {
                continue;
            }
            stack.extend(
                file.records[i].parents.iter().filter_map(|p| at.get(&IdKey::from(p)).copied()),
            );
        }
        if reached.iter().any(|r| !r) {
            dirty = true;
            let mut k = 0;
            file.records.retain(|_| {
                k += 1;
                reached[k - 1]
            });
            at = file.records.iter().enumerate().map(|(i, c)| (IdKey::from(&c.id), i)).collect();
        }
        file.tips = tips.to_vec();
        let hidden = match hide {
            Some(h) => {
                let bottoms = match ready.as_mut() {
                    Some(p) => std::mem::take(&mut p.bottoms),
                    None => branch_bottoms(&file.records, &at),
                };
                self.hidden_on_branch(&mut file, &at, &bottoms, h, &mut dirty)?
            }
            None => HashSet::new(),
        };
        let (out, grouped) = match ready {
            Some(p) if hidden.is_empty() => (p.positions, Some(p.by_agreement)),
            _ => (order(&file.records, &at, &hidden), None),
        };
        super::trace("positions branch ordered", t0);
        if dirty && !no_cache {
            // Written while the evaluation goes on, as the event cache is.
            let branch = branch.to_string();
            let write = move || {
                seal(&state, FILE, encode(&branch, horizon, &file));
                if super::ENDING_PROCESS.load(std::sync::atomic::Ordering::Relaxed) {
                    // The process ends next (see `free_nothing_at_exit`): nothing to free.
                    std::mem::forget(file);
                }
            };
            // No thread to be had: no file written, which only costs the next run time.
            if let Ok(handle) = std::thread::Builder::new().spawn(write) {
                *self.branch_write.borrow_mut() = Some(handle);
            }
        }
        Ok((out, grouped))
    }

    /// Read one commit of the branch into `file`, its parents onto `stack`.
    fn read_branch_commit(
        &self,
        objects: &mut super::pack::Objects,
        id: Oid,
        file: &mut BranchFile,
        at: &mut IdMap<IdKey, usize>,
        missing: &mut HashSet<Oid>,
        stack: &mut Vec<Oid>,
    ) -> Result<()> {
        let Some((_, data)) = objects.read(id)? else {
            // Beyond a shallow clone's horizon: the branch ends here.
            missing.insert(id);
            return Ok(());
        };
        let facts = super::walk::read_facts(id, &data);
        stack.extend(facts.parents.iter().filter(|p| !at.contains_key(&IdKey::from(*p))));
        at.insert(IdKey::from(&id), file.records.len());
        file.records.push(Record::new(id, facts));
        Ok(())
    }

    /// Every commit the commit-graph positions `starts` reach that `file` does not hold yet,
    /// listed from the commit-graph and read on every core: how many were added, or the whole
    /// answer when it was prepared ahead for exactly these commits.
    fn read_from_graph(
        &self,
        c: &CommitGraph,
        starts: &[u32],
        file: &mut BranchFile,
        at: &mut IdMap<IdKey, usize>,
    ) -> Result<Read> {
        // What was read ahead, and its listing when it is this one: nothing known yet (a cold
        // run, no commit read outside the commit-graph) and the same starts (they differ only
        // when a ref moved after the thread read them).
        let (listed, ahead) = match self.take_read_ahead() {
            Some(a) if at.is_empty() && a.lists_from(starts) => match a.prepared {
                Some(p) => return Ok(Read::Prepared(p)),
                None => (a.listed, a.read),
            },
            ahead => {
                let listed = list_from_graph(c, starts, |id| at.contains_key(&IdKey::from(id)))
                    .map_err(super::StoreError::from)?;
                (listed, ahead.map(ReadAhead::into_read).unwrap_or_default())
            }
        };
        let ids: Vec<(u32, Oid)> = listed.iter().map(|(pos, id, _)| (*pos, *id)).collect();
        let read = self.read_commits_with(&ids, ahead)?;
        // The commit-graph is a shortcut: when it names other parents than the commits
        // themselves, it is set aside (the caller reads those commits one by one). `read` keeps
        // the order of the listing (leaving out what could not be read): one pass pairs them.
        let mut graph = listed.iter();
        if let Some((_, id, _)) = read.iter().find(|(_, id, f)| {
            graph.find(|(_, listed, _)| listed == id).map(|(_, _, parents)| parents)
                != Some(&f.parents)
        }) {
            let pos = c.lookup(id.as_bytes()).unwrap_or(u32::MAX);
            return Err(super::StoreError::from(CommitGraphError::Parents { pos }).into());
        }
        let n = read.len();
        for (_, id, facts) in read {
            at.insert(IdKey::from(&id), file.records.len());
            file.records.push(Record::new(id, facts));
        }
        Ok(Read::Added(n))
    }

    /// The commits of the branch (indices into `file.records`) that `hide` reaches.
    /// `bottoms` are the branch's own ([`branch_bottoms`]).
    fn hidden_on_branch(
        &self,
        file: &mut BranchFile,
        at: &IdMap<IdKey, usize>,
        bottoms: &HashSet<Oid>,
        hide: Oid,
        dirty: &mut bool,
    ) -> Result<HashSet<usize>> {
        let known = match &file.bottoms {
            Some(b) if b.tip == hide => Some(b.bottoms.clone()),
            remembered => match self.walked_bottoms(hide) {
                Some(b) => Some(b),
                None => match remembered {
                    Some(b) if self.straight_line(hide, b.tip)? => Some(b.bottoms.clone()),
                    _ => None,
                },
            },
        };
        let theirs = match known {
            Some(b) => b,
            None => self.reach(hide, &HashSet::new())?.bottoms,
        };
        if file.bottoms.as_ref().is_none_or(|b| b.tip != hide) {
            file.bottoms = Some(Bottoms { tip: hide, bottoms: theirs.clone() });
            *dirty = true;
        }
        if !theirs.iter().any(|b| bottoms.contains(b)) {
            return Ok(HashSet::new());
        }
        // The histories meet: find exactly which commits of the branch `hide` reaches.
        let targets: HashSet<Oid> = file.records.iter().map(|c| c.id).collect();
        let reach = self.reach(hide, &targets)?;
        Ok(reach.found.iter().filter_map(|id| at.get(&IdKey::from(id)).copied()).collect())
    }

    /// Whether `tip` descends from `base` through at most [`MAX_STRAIGHT`] commits with one
    /// parent each (then both histories have the same bottoms).
    fn straight_line(&self, tip: Oid, base: Oid) -> Result<bool> {
        let odb = self.repo.odb()?;
        let mut at = tip;
        for _ in 0..MAX_STRAIGHT {
            if at == base {
                return Ok(true);
            }
            let obj = match odb.read(at) {
                Ok(o) => o,
                Err(e) if e.code() == ErrorCode::NotFound => return Ok(false),
                Err(e) => return Err(e.into()),
            };
            let raw = parse_commit(obj.data());
            let [parent] = raw.parents[..] else { return Ok(false) };
            at = parent;
        }
        Ok(at == base)
    }

    /// Walk every commit `tip` reaches (from git's commit-graph where it has them, else from
    /// the object database): its bottoms, and which of `targets` it holds.
    fn reach(&self, tip: Oid, targets: &HashSet<Oid>) -> Result<Reach> {
        let cg = self.commit_graph();
        let odb = self.repo.odb()?;
        let mut seen_graph = vec![false; cg.as_ref().map_or(0, |c| c.len() as usize)];
        let mut seen_loose: HashSet<Oid> = HashSet::new();
        let mut out = Reach { bottoms: Vec::new(), found: HashSet::new() };
        let mut stack = vec![tip];
        let mut parents_at: Vec<u32> = Vec::new();
        let graph_pos = |c: &Option<CommitGraph>, id: &Oid| c.as_ref()?.lookup(id.as_bytes());
        while let Some(id) = stack.pop() {
            let pos = graph_pos(&cg, &id);
            let first_time = match pos {
                Some(p) => !std::mem::replace(&mut seen_graph[p as usize], true),
                None => seen_loose.insert(id),
            };
            if !first_time {
                continue;
            }
            let parents: Vec<Oid> = match (pos, &cg) {
                (Some(p), Some(c)) => {
                    parents_at.clear();
                    match c.parents(p, &mut parents_at) {
                        Ok(()) => parents_at
                            .iter()
                            .filter_map(|&q| c.oid(q).and_then(|b| Oid::from_bytes(&b).ok()))
                            .collect(),
                        // A commit-graph that does not hold together: read the commit.
                        Err(_) => match read_parents(&odb, id)? {
                            Some(ps) => ps,
                            None => continue,
                        },
                    }
                }
                _ => match read_parents(&odb, id)? {
                    Some(ps) => ps,
                    None => continue, // missing: beyond a shallow clone's horizon
                },
            };
            if targets.contains(&id) {
                out.found.insert(id);
            }
            // Parents in the commit-graph are there; others are looked up.
            let present: Vec<Oid> = parents
                .into_iter()
                .filter(|p| graph_pos(&cg, p).is_some() || odb.exists(*p))
                .collect();
            if present.is_empty() {
                out.bottoms.push(id);
            }
            stack.extend(present);
        }
        out.bottoms.sort();
        Ok(out)
    }
}

/// The parents a commit object names; `None` when the object is missing.
pub(super) fn read_parents(odb: &git2::Odb<'_>, id: Oid) -> Result<Option<Vec<Oid>>> {
    match odb.read(id) {
        Ok(o) => Ok(Some(parse_commit(o.data()).parents)),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// SPEC §4's order over the commits not `hidden`: topological, then later time, then larger id;
/// the positions among them, newest first.
fn order(
    records: &[Record],
    at: &IdMap<IdKey, usize>,
    hidden: &HashSet<usize>,
) -> Vec<Arc<Position>> {
    let visible = |i: usize| hidden.is_empty() || !hidden.contains(&i);
    let mut pending = vec![0usize; records.len()];
    for (i, c) in records.iter().enumerate() {
        if !visible(i) {
            continue;
        }
        for p in &c.parents {
            if let Some(&j) = at.get(&IdKey::from(p)) {
                pending[j] += 1;
            }
        }
    }
    let mut heap: BinaryHeap<(i64, IdKey, usize)> = (0..records.len())
        .filter(|&i| visible(i) && pending[i] == 0)
        .map(|i| (records[i].time, IdKey::from(&records[i].id), i))
        .collect();
    let mut out = Vec::new();
    let mut seen = vec![false; records.len()];
    while let Some((_, _, i)) = heap.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        if let Some(p) = &records[i].position {
            out.push(p.clone());
        }
        for p in &records[i].parents {
            if let Some(&j) = at.get(&IdKey::from(p)) {
                if !visible(j) {
                    continue;
                }
                pending[j] -= 1;
                if pending[j] == 0 {
                    heap.push((records[j].time, IdKey::from(&records[j].id), j));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::cache::fnv;

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    #[test]
    fn round_trip_and_refusals() {
        let f = BranchFile {
            tips: vec![oid(2)],
            records: vec![
                Record { id: oid(2), time: 5, parents: vec![oid(1)], position: None },
                Record { id: oid(1), time: 4, parents: vec![], position: None },
            ],
            bottoms: Some(Bottoms { tip: oid(9), bottoms: vec![oid(8)] }),
        };
        let data = encode("accord/positions", 3, &f);
        let mut sealed = data.clone();
        sealed.extend_from_slice(&fnv(&data).to_le_bytes());
        let back = decode(&sealed, "accord/positions", 3).unwrap();
        assert_eq!(back.tips, f.tips);
        assert_eq!(back.records.len(), 2);
        assert_eq!(back.records[0].parents, [oid(1)]);
        assert_eq!(back.bottoms, f.bottoms);
        assert!(decode(&sealed, "other", 3).is_none(), "another branch");
        assert!(decode(&sealed, "accord/positions", 4).is_none(), "another horizon");
        for cut in [0, 8, sealed.len() / 2, sealed.len() - 1] {
            assert!(decode(&sealed[..cut], "accord/positions", 3).is_none(), "cut at {cut}");
        }
    }
}
