//! Walking history into a [`Graph`]: every commit reachable from a tip, its parents, root tree,
//! committer time and what its message says to accord.
//!
//! The fast path (SPEC §8): parents, trees and times come from git's commit-graph file without
//! reading commit objects; only commits that can be positions (one parent, same tree) have
//! their messages read, on every core; the event cache remembers what was read, so the next
//! run reads only new commits. Without a commit-graph (or with one that does not hold together)
//! the walk reads each commit once. With a commit-graph the walk is two passes: which commits
//! are reached, in which order, through a table of parents read front to back (following
//! parents is a chain of dependent reads, so it touches as little memory as it can), then the
//! nodes, whose reads of the commit-graph are independent of each other. It owns the walk
//! only: order lives in `graph.rs`, commit parsing in `raw_commit.rs`, the commit-graph format
//! in `commit_graph.rs`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use git2::Oid;

use super::cache::{self, Cache, Cached};
use super::commit_graph::{CommitGraph, CommitGraphError, ParentEntry};
use super::error::StoreError;
use super::graph::{Graph, Node, Parents};
use super::pack::Objects;
use super::raw_commit::{classify, parse_commit, CommitKind};
use super::Store;
use crate::error::Result;

/// Where a commit's facts come from during a walk: its position in git's commit-graph, or
/// its id when the commit-graph does not hold it.
#[derive(Clone, Copy)]
pub(super) enum Key {
    Graph(u32),
    Loose(Oid),
}

impl Key {
    /// Where `cg` holds commit `id`, else the id itself.
    pub(super) fn of(cg: Option<&CommitGraph>, id: Oid) -> Key {
        match cg.and_then(|c| c.lookup(id.as_bytes())) {
            Some(p) => Key::Graph(p),
            None => Key::Loose(id),
        }
    }
}

/// A commit the walk reached: at a position of the commit-graph, or the n-th commit it read
/// because the commit-graph does not hold it.
#[derive(Clone, Copy)]
enum Visit {
    /// At this position, with its parents' entry (read again when building its node, it
    /// would be a read at random once more).
    Graph(u32, ParentEntry),
    Loose,
}

/// What the walk knows of a commit: not reached yet, missing from the repository, or the node
/// at an index. Packed in a `u32` because there is one per commit of the commit-graph (an
/// `Option`-based enum would double that table); the two highest values are the markers.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Slot(u32);

impl Slot {
    const UNSEEN: Slot = Slot(u32::MAX);
    const MISSING: Slot = Slot(u32::MAX - 1);
    /// Node indices stay below the markers.
    const MAX_NODES: u32 = u32::MAX - 1;

    fn node(self) -> Option<u32> {
        (self.0 < Self::MAX_NODES).then_some(self.0)
    }
}

/// The facts of a commit read from the object database.
pub(super) fn read_facts(id: Oid, data: &[u8]) -> Cached {
    let raw = parse_commit(data);
    let accord = classify(id, &raw);
    Cached {
        tree: raw.tree.unwrap_or_else(Oid::zero),
        parents: raw.parents,
        time: raw.committer_time,
        accord,
    }
}

/// What the cache knows of each of the nodes `of` of `g` (their [`CommitKind`]), in order: on
/// two threads when there are many (a warm walk of 100,000 commits asks some 10,000, each a
/// position to decode, 3–4 ms on one core).
fn cached_kinds(
    cache: &Cache,
    g: &Graph,
    of: &[u32],
    only: Option<&str>,
) -> Vec<Option<CommitKind>> {
    let kinds = |part: &[u32]| -> Vec<Option<CommitKind>> {
        part.iter().map(|&i| cache.kind(&g.nodes[i as usize].id, only)).collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if of.len() < 2048 || threads < 2 || cache.is_empty() {
        return kinds(of);
    }
    let (mine, theirs) = of.split_at(of.len() / 2);
    std::thread::scope(|s| {
        // No thread to be had: all of them here.
        let other = std::thread::Builder::new().spawn_scoped(s, || kinds(theirs));
        let mut out = kinds(mine);
        match other.map(|h| h.join()) {
            Ok(Ok(rest)) => out.extend(rest),
            _ => out.extend(kinds(theirs)),
        }
        out
    })
}

/// git's commit-graph in the object folder under `commondir` (see [`Store::commit_graph`]).
pub(super) fn load_commit_graph(commondir: &std::path::Path) -> Option<CommitGraph> {
    if std::env::var_os("ACCORD_NO_COMMIT_GRAPH").is_some() {
        return None;
    }
    let info = commondir.join("objects/info");
    let single = match super::mapped::open(&info.join("commit-graph")) {
        Ok(data) => match CommitGraph::parse_files(vec![data]) {
            Ok(cg) => return Some(cg),
            Err(e) => Some(StoreError::from(e).to_string()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => Some(format!("cannot read the commit-graph: {e}")),
    };
    if let Some(why) = single {
        super::trace(
            &format!("{why} (set aside: reading commits instead)"),
            std::time::Instant::now(),
        );
    }
    match read_chain(&info) {
        Ok(cg) => cg,
        Err(why) => {
            super::trace(
                &format!("{why} (chain set aside: reading commits instead)"),
                std::time::Instant::now(),
            );
            None
        }
    }
}

impl Store {
    /// git's commit-graph for this repository, when there is one that holds together. The
    /// commit-graph is only a shortcut: one that is missing, unreadable or malformed is set
    /// aside (the reason goes to `ACCORD_TRACE`) and the walk reads commits instead, as git
    /// itself does. Read once per process: every user shares the one copy of its bytes (a
    /// commit-graph written meanwhile is one that lists fewer commits, which is allowed).
    pub(crate) fn commit_graph(&self) -> Option<CommitGraph> {
        self.commit_graph
            .get_or_init(|| {
                let ahead = self.commit_graph_ahead.borrow_mut().take();
                match ahead.map(std::thread::JoinHandle::join) {
                    Some(Ok(cg)) => cg,
                    _ => load_commit_graph(self.repo.commondir()),
                }
            })
            .clone()
    }

    /// Start reading git's commit-graph on a thread of its own, for a command that will walk
    /// history after some work of its own (resolving its arguments, reading its
    /// configuration): [`Store::commit_graph`] then takes it. Nothing when it is read already.
    pub fn commit_graph_ahead(&self) {
        if self.commit_graph.get().is_some() || self.commit_graph_ahead.borrow().is_some() {
            return;
        }
        let dir = self.repo.commondir().to_path_buf();
        // No thread to be had: it is read when asked for.
        if let Ok(h) = std::thread::Builder::new().spawn(move || load_commit_graph(&dir)) {
            *self.commit_graph_ahead.borrow_mut() = Some(h);
        }
    }

    /// [`Store::commit_graph_ahead`] when no walk was remembered yet (a fresh clone: the
    /// command will walk).
    pub fn commit_graph_ahead_if_cold(&self) {
        if cache::no_cache() || !self.state_dir().join(cache::FILE).exists() {
            self.commit_graph_ahead();
        }
    }

    /// Start loading the event cache on a thread of its own, for a walk to come
    /// ([`Store::events_cache`] takes it).
    pub fn events_ahead(&self) {
        let dir = self.state_dir();
        if cache::no_cache()
            || self.events_ahead.borrow().is_some()
            || !dir.join(cache::FILE).exists()
        {
            return;
        }
        let from = dir.clone();
        if let Ok(h) = std::thread::Builder::new().spawn(move || Cache::load(&from)) {
            *self.events_ahead.borrow_mut() = Some((dir, h));
        }
    }

    /// The event cache in the state folder: the one loaded ahead from that folder, else read now.
    pub(super) fn events_cache(&self) -> Cache {
        let dir = self.state_dir();
        let ahead = self.events_ahead.borrow_mut().take();
        if let Some((from, h)) = ahead {
            if from == dir {
                if let Ok(c) = h.join() {
                    return c;
                }
            }
        }
        Cache::load(&dir)
    }

    /// Every commit reachable from `tip`. Messages are read only where a commit can be a
    /// position (exactly one parent and the same tree), which is all `status` needs. Shared
    /// with the next callers at the same tip ([`Store::shared_graph`]).
    pub fn graph(&self, tip: impl Into<Oid>) -> Result<std::sync::Arc<Graph>> {
        self.shared_graph(tip.into())
    }

    /// A history for one agreement's [`super::Timeline`]: nothing is walked here; the
    /// timeline is read from the timeline cache at `tip`, and the history is walked (once per
    /// process, shared by every agreement) only when the cache does not have it. Read it only
    /// through [`super::Timeline::build`]: its `nodes` are empty.
    pub fn graph_for(&self, tip: impl Into<Oid>, agreement: &str) -> Result<Graph> {
        let _ = agreement;
        Ok(Graph::deferred(tip.into()))
    }

    /// Every commit reachable from `tip`, walked once per process and shared: the last
    /// [`GRAPHS_KEPT`] tips asked for are kept (`review` asks for its merge base and its head
    /// in turn).
    pub(super) fn shared_graph(&self, tip: Oid) -> Result<std::sync::Arc<Graph>> {
        let mut memo = self.graph_memo.borrow_mut();
        if let Some(k) = memo.iter().position(|(t, _)| *t == tip) {
            let hit = memo.remove(k);
            let g = hit.1.clone();
            memo.insert(0, hit);
            return Ok(g);
        }
        drop(memo);
        let g = std::sync::Arc::new(self.walk(tip, false, self.commit_graph(), None)?);
        let mut memo = self.graph_memo.borrow_mut();
        memo.insert(0, (tip, g.clone()));
        memo.truncate(GRAPHS_KEPT);
        Ok(g)
    }

    /// Like [`Store::graph`], but every message is read, so commits that carry `Accord-`
    /// trailers without being positions are found too (`verify`).
    pub fn graph_full(&self, tip: impl Into<Oid>) -> Result<Graph> {
        let tip: Oid = tip.into();
        self.walk(tip, true, self.commit_graph(), None)
    }

    pub(super) fn walk(
        &self,
        tip: Oid,
        every_message: bool,
        cg: Option<CommitGraph>,
        only: Option<&str>,
    ) -> Result<Graph> {
        let t0 = std::time::Instant::now();
        self.finish_writes();
        let mut cache = self.events_cache();
        super::trace("commit-graph and cache loaded", t0);
        let packs = self.packs();
        let mut objects = Objects::new(&packs, self.repo.odb()?);
        let mut g = Graph::default();
        let listed = cg.as_ref().map_or(0, |c| c.len() as usize);
        let mut slot_of_graph: Vec<Slot> = vec![Slot::UNSEEN; listed];
        let mut slot_of_loose: HashMap<Oid, Slot> = HashMap::new();
        let key_of = |oid: Oid| Key::of(cg.as_ref(), oid);
        // The commit-graph's parents, read front to back into a table of their own.
        let table = match cg.as_ref().map(CommitGraph::parent_table).transpose() {
            Ok(t) => t,
            Err(e) => {
                // An inconsistent commit-graph: start again without it.
                let why = StoreError::from(e);
                super::trace(&format!("{why} (set aside: reading commits instead)"), t0);
                return self.walk(tip, every_message, None, only);
            }
        };
        // First only which commits are reached, in which order: following parents is one
        // read after another that cannot start before the last is done, so this pass touches
        // as little memory as it can (a bit per commit, the parent table, the order), and the
        // nodes are built after it, where the commit-graph's reads are independent and under
        // way many at once.
        let mut reached: Vec<u64> = vec![0; listed.div_ceil(64)];
        let mut order: Vec<Visit> = Vec::with_capacity(listed);
        // Commits the commit-graph does not hold, read as the walk meets them, and their
        // parents.
        let mut loose: Vec<(Oid, Cached, Vec<Key>)> = Vec::new();
        let mut stack = vec![key_of(tip)];
        while let Some(key) = stack.pop() {
            if order.len() >= Slot::MAX_NODES as usize {
                return Err(StoreError::TooManyCommits(Slot::MAX_NODES).into());
            }
            match key {
                Key::Graph(p) => {
                    let (word, bit) = (p as usize / 64, 1u64 << (p % 64));
                    if reached[word] & bit != 0 {
                        continue;
                    }
                    reached[word] |= bit;
                    let table = table.as_ref().expect("graph keys come from the commit-graph");
                    let entry = table.entry(p);
                    stack.extend(table.parents(&entry).iter().rev().map(|&q| Key::Graph(q)));
                    order.push(Visit::Graph(p, entry));
                }
                Key::Loose(id) => {
                    let seen = slot_of_loose.entry(id).or_insert(Slot::UNSEEN);
                    if *seen != Slot::UNSEEN {
                        continue;
                    }
                    *seen = Slot(order.len() as u32);
                    let facts = match cache.get(&id, only) {
                        Some(c) => c,
                        None => match objects.read(id)? {
                            Some((_, data)) => {
                                let c = read_facts(id, &data);
                                cache.insert(id, c.clone());
                                c
                            }
                            None => {
                                // Beyond a shallow clone's horizon: history ends here.
                                g.truncated = true;
                                slot_of_loose.insert(id, Slot::MISSING);
                                continue;
                            }
                        },
                    };
                    let keys: Vec<Key> = facts.parents.iter().map(|&p| key_of(p)).collect();
                    stack.extend(keys.iter().rev().copied());
                    order.push(Visit::Loose);
                    loose.push((id, facts, keys));
                }
            }
        }
        // Where each commit reached becomes a node (independent writes, many under way at
        // once), so that the nodes are built with their parents in one pass.
        for (i, visit) in order.iter().enumerate() {
            if let Visit::Graph(p, _) = *visit {
                slot_of_graph[p as usize] = Slot(i as u32);
            }
        }
        // The commit-graph's id, root tree and time of every commit reached, in a pass of
        // its own and in the commit-graph's order: its chunks are read front to back (the
        // processor fetches ahead), where the walk's order would read them at random.
        let mut raw: Vec<RawFacts> = vec![([0; 20], [0; 20], 0); order.len()];
        if let Some(c) = cg.as_ref() {
            for (w, &word) in reached.iter().enumerate() {
                let mut bits = word;
                while bits != 0 {
                    let p = (w * 64) as u32 + bits.trailing_zeros();
                    bits &= bits - 1;
                    match (c.oid(p), c.tree(p), c.time(p)) {
                        (Some(id), Some(tree), Some(time)) => {
                            raw[slot_of_graph[p as usize].0 as usize] = (id, tree, time)
                        }
                        _ => {
                            // An inconsistent commit-graph: start again without it.
                            let why = StoreError::from(CommitGraphError::Parents { pos: p });
                            super::trace(
                                &format!("{why} (set aside: reading commits instead)"),
                                t0,
                            );
                            return self.walk(tip, every_message, None, only);
                        }
                    }
                }
            }
        }
        // Nodes whose message is still to read.
        let mut pending: Vec<u32> = Vec::with_capacity(order.len());
        // Nodes that say something to accord (a position, or trailers that are not one), and
        // nodes with no parent in the history: found here rather than by passes over every
        // node later (each pass reads 11 MB at 100,000 commits).
        let mut said: Vec<u32> = Vec::new();
        let mut bottoms: Vec<Oid> = Vec::new();
        g.nodes.reserve(order.len());
        let mut loose = loose.into_iter();
        for (idx, visit) in order.iter().enumerate() {
            let (node, named) = match visit {
                &Visit::Graph(p, ref entry) => {
                    let table = table.as_ref().expect("graph keys come from the commit-graph");
                    let (id, tree, time) = raw[idx];
                    let (id, tree) = (graph_oid(&id), graph_oid(&tree));
                    let named = table.parents(entry);
                    pending.push(idx as u32);
                    let mut parents = Parents::new();
                    for &q in named {
                        if let Some(n) = slot_of_graph[q as usize].node() {
                            parents.push(n);
                        }
                    }
                    let node = Node {
                        id,
                        tree,
                        parents,
                        parent_count: named.len(),
                        time,
                        accord: CommitKind::Other,
                        graph_pos: Some(p),
                    };
                    (node, named.len())
                }
                Visit::Loose => {
                    let (id, facts, keys) = loose.next().expect("one per loose visit");
                    let slot = |k: &Key| match k {
                        Key::Graph(p) => slot_of_graph[*p as usize],
                        Key::Loose(o) => slot_of_loose.get(o).copied().unwrap_or(Slot::UNSEEN),
                    };
                    let node = Node {
                        id,
                        tree: facts.tree,
                        parents: keys.iter().filter_map(|k| slot(k).node()).collect(),
                        parent_count: facts.parents.len(),
                        time: facts.time,
                        accord: facts.accord,
                        graph_pos: None,
                    };
                    (node, keys.len())
                }
            };
            // A parent beyond a shallow clone's horizon.
            if node.parents.len() < named {
                g.truncated = true;
            }
            if node.parents.is_empty() {
                bottoms.push(node.id);
            }
            if !matches!(node.accord, CommitKind::Other) {
                said.push(idx as u32);
            }
            g.nodes.push(node);
        }
        drop(table);
        super::trace("walked", t0);
        // A range under review: its own commits are judged as made no earlier than the floor.
        if let Some((base, floor)) = self.time_floor.get() {
            let trusted = match self.trusted_within(&g, base) {
                Some(t) => t,
                // A history that does not hold the base: the base's own walk says.
                None => self.trusted(base.into())?,
            };
            for n in g.nodes.iter_mut().filter(|n| !trusted.holds(n)) {
                n.time = n.time.max(floor);
            }
        }
        // Read the messages that matter: from the cache, else from the object database. A
        // position on the working branch changes no file (SPEC §4).
        let may_be_position = |g: &Graph, i: u32| {
            let node = &g.nodes[i as usize];
            node.parents.len() == 1
                && g.nodes[node.parents[0] as usize].tree.as_bytes() == node.tree.as_bytes()
        };
        let candidates: Vec<u32> =
            pending.into_iter().filter(|&i| every_message || may_be_position(&g, i)).collect();
        let mut to_read = Vec::new();
        for (i, kind) in candidates.iter().zip(cached_kinds(&cache, &g, &candidates, only)) {
            let i = *i;
            match kind {
                Some(kind) => {
                    if !matches!(kind, CommitKind::Other) {
                        said.push(i);
                    }
                    g.nodes[i as usize].accord = kind;
                }
                None => to_read.push((i, g.nodes[i as usize].id)),
            }
        }
        super::trace(&format!("linked; {} messages to read", to_read.len()), t0);
        // What needs no message is done here while other threads read them.
        g.commit_graph = cg.clone();
        let meanwhile = self.meanwhile.take();
        // What only `verify` asks about (a code commit the commit-graph describes) is not kept:
        // the cache grows with positions and edits, not with commits, and so does the memory.
        let asked = |g: &Graph, i: u32, facts: &Cached| {
            !matches!(facts.accord, CommitKind::Other) || !every_message || may_be_position(g, i)
        };
        let read =
            self.read_commits_then(&to_read, &|i, c| asked(&g, i, c), || match meanwhile {
                super::Meanwhile::Nothing => {}
                super::Meanwhile::Texts(ids) => {
                    // A failure here is met again, and reported, when the index is next asked for.
                    let _ = self.start_texts(&g, &ids);
                    super::trace("folder index built meanwhile", t0);
                }
                super::Meanwhile::Blobs(path) => {
                    // As above: a failure is met again when the caller asks.
                    if let Ok(blobs) = self.blobs_along(&g, &path) {
                        *self.blobs_ahead.borrow_mut() = Some((tip, g.nodes.len(), path, blobs));
                    }
                    // The parents in flat arrays, which the file's edits are ordered by next.
                    g.links();
                    super::trace("one file's blobs answered meanwhile", t0);
                }
            })?;
        cache.reserve(read.len());
        for (i, id, facts) in read {
            if !matches!(facts.accord, CommitKind::Other) {
                said.push(i);
            }
            g.nodes[i as usize].accord = facts.accord.clone();
            cache.insert(id, facts);
        }
        super::trace("messages read", t0);
        said.sort_unstable();
        g.apply_structure(&said);
        g.said = said;
        // (Asked about one agreement, the walk found only its positions.)
        g.walked = only.is_none();
        if let Some(view) = g.folders.get() {
            self.save_skeleton(&g, view);
        }
        *self.walked.borrow_mut() = Some((tip, bottoms));
        // Written while the evaluation goes on (its end is mostly one thread's work).
        self.writes.borrow_mut().extend(cache.save_if_changed(&self.state_dir(), &g));
        super::trace("cache saving", t0);
        Ok(g)
    }

    /// The bottoms of `tip`'s history when this process already walked it.
    pub(super) fn walked_bottoms(&self, tip: Oid) -> Option<Vec<Oid>> {
        let mut b = self.walked.borrow().as_ref().filter(|(t, _)| *t == tip)?.1.clone();
        b.sort();
        Some(b)
    }

    /// Read and classify commits, in the order of `ids` (those missing left out), on every core
    /// for large batches (the object database read is the cost).
    pub(super) fn read_commits(&self, ids: &[(u32, Oid)]) -> Result<Vec<(u32, Oid, Cached)>> {
        self.read_commits_then(ids, &|_, _| true, || {})
    }

    /// Like [`Store::read_commits`], keeping only the commits `keep` keeps (a million-commit
    /// `verify` read every message, and kept what each of them said until all were read), and
    /// doing `meanwhile` on this thread while other threads read (before reading, when this
    /// thread reads alone).
    pub(super) fn read_commits_then(
        &self,
        ids: &[(u32, Oid)],
        keep: &(dyn Fn(u32, &Cached) -> bool + Sync),
        meanwhile: impl FnOnce(),
    ) -> Result<Vec<(u32, Oid, Cached)>> {
        let packs = self.packs();
        // Looked up in the packs all at once, in id order (see `Packs::locate`).
        let located = packs.locate(&ids.iter().map(|&(_, id)| id).collect::<Vec<_>>());
        let read_one = |objects: &mut Objects, k: usize| -> Result<Option<(u32, Oid, Cached)>> {
            let (i, id) = ids[k];
            let read = objects.read_shared_at(id, located[k])?;
            Ok(read.map(|o| (i, id, read_facts(id, &o.1))).filter(|(i, _, c)| keep(*i, c)))
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        if ids.len() < 2048 || threads < 2 {
            meanwhile();
            let mut objects = Objects::new(&packs, self.repo.odb()?).for_commits();
            let mut out = Vec::with_capacity(ids.len());
            for k in 0..ids.len() {
                out.extend(read_one(&mut objects, k)?);
            }
            return Ok(out);
        }
        // Every thread, this one too once `meanwhile` is done, takes the next run of ids (in
        // about pack order) until none is left.
        const RUN: usize = 256;
        let next = AtomicUsize::new(0);
        // Each run's commits, by where the run starts, so that the answer keeps the order of
        // `ids`.
        type Runs = Vec<(usize, Vec<(u32, Oid, Cached)>)>;
        let work = |objects: &mut Objects| -> Result<Runs> {
            let mut out = Vec::new();
            loop {
                let from = next.fetch_add(1, Ordering::Relaxed) * RUN;
                let to = (from + RUN).min(ids.len());
                if from >= to {
                    break;
                }
                let mut read = Vec::with_capacity(to - from);
                for k in from..to {
                    read.extend(read_one(objects, k)?);
                }
                out.push((from, read));
            }
            Ok(out)
        };
        let path = self.repo.path().to_path_buf();
        let (theirs, mine) = std::thread::scope(|s| {
            let handles: Vec<_> = (1..threads)
                .map(|_| {
                    let (path, packs, work) = (&path, &*packs, &work);
                    s.spawn(move || work(&mut Objects::at(packs, path).for_commits()))
                })
                .collect();
            meanwhile();
            let mine = match self.repo.odb() {
                Ok(odb) => work(&mut Objects::new(&packs, odb).for_commits()),
                Err(e) => Err(e.into()),
            };
            let theirs: Vec<Result<Runs>> = handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(StoreError::ReaderPanicked.into())))
                .collect();
            (theirs, mine)
        });
        let mut runs = mine?;
        for r in theirs {
            runs.extend(r?);
        }
        runs.sort_unstable_by_key(|(from, _)| *from);
        let mut out = Vec::with_capacity(runs.iter().map(|(_, read)| read.len()).sum());
        for (_, read) in runs {
            out.extend(read);
        }
        Ok(out)
    }
}

/// Walked histories kept for other callers in the same process (each is some 15 MB at 100,000
/// commits).
const GRAPHS_KEPT: usize = 2;

/// A commit's id, root tree and committer time as the commit-graph holds them.
type RawFacts = ([u8; 20], [u8; 20], i64);

/// An object id from the commit-graph's 20 bytes.
fn graph_oid(bytes: &[u8; 20]) -> Oid {
    Oid::from_bytes(bytes).expect("20 bytes make an id")
}

/// A split commit-graph chain (`commit-graphs/commit-graph-chain` naming each layer's file),
/// `None` when there is no chain. The reason it was refused, otherwise.
fn read_chain(info: &std::path::Path) -> std::result::Result<Option<CommitGraph>, String> {
    let folder = info.join("commit-graphs");
    let chain = match std::fs::read_to_string(folder.join("commit-graph-chain")) {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read the chain: {e}")),
    };
    let mut files = Vec::new();
    for hash in chain.lines().map(str::trim).filter(|l| !l.is_empty()) {
        // A layer is named by its checksum; anything else could name a file elsewhere.
        if hash.len() != 40 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{hash}` does not name a layer"));
        }
        let file = folder.join(format!("graph-{hash}.graph"));
        files.push(
            super::mapped::open(&file).map_err(|e| format!("cannot read layer {hash}: {e}"))?,
        );
    }
    CommitGraph::parse_files(files).map(Some).map_err(|e| StoreError::from(e).to_string())
}
