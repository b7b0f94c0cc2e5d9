//! Walking history into a [`Graph`]: every commit reachable from a tip, its parents, root tree,
//! committer time and what its message says to accord.
//!
//! The fast path (SPEC §8): parents, trees and times come from git's commit-graph file without
//! reading commit objects; only commits that can be positions (one parent, same tree) have
//! their messages read, on every core; the event cache remembers what was read, so the next
//! run reads only new commits. Without a commit-graph the walk reads each commit once.

use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use git2::{ErrorCode, ObjectType, Oid, Repository};

use super::cache::{Cache, Cached};
use super::Store;
use crate::commit_graph::{BloomKey, CommitGraph, PathChange};
use crate::error::Result;
use crate::ledger::Position;
use crate::trailers::{self, Parsed};

/// What a commit says to accord.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accord {
    None,
    Position(std::sync::Arc<Position>),
    /// Carries `Accord-` trailers but is not a position; the reason.
    Malformed(String),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub id: Oid,
    pub tree: Oid,
    /// Indices of parents present in the graph.
    pub parents: Parents,
    /// Number of parents the commit names (some may be missing in a shallow clone).
    pub parent_count: usize,
    pub time: i64,
    pub accord: Accord,
    /// Position in git's commit-graph, when the commit is in it.
    pub graph_pos: Option<u32>,
}

/// Parent indices of a node: up to two inline (almost every commit), more on the heap.
#[derive(Debug, Clone, Default)]
pub struct Parents {
    inline: [u32; 2],
    len: u8,
    spill: Vec<u32>,
}

impl std::ops::Deref for Parents {
    type Target = [u32];
    fn deref(&self) -> &[u32] {
        if self.spill.is_empty() {
            &self.inline[..self.len as usize]
        } else {
            &self.spill
        }
    }
}

impl<'a> IntoIterator for &'a Parents {
    type Item = &'a u32;
    type IntoIter = std::slice::Iter<'a, u32>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl FromIterator<u32> for Parents {
    fn from_iter<I: IntoIterator<Item = u32>>(iter: I) -> Parents {
        let mut p = Parents::default();
        for v in iter {
            match (p.len, p.spill.is_empty()) {
                (0 | 1, true) => {
                    p.inline[p.len as usize] = v;
                    p.len += 1;
                }
                (2, true) => {
                    p.spill = p.inline.to_vec();
                    p.spill.push(v);
                }
                _ => p.spill.push(v),
            }
        }
        p
    }
}

/// Every commit reachable from a tip, with its position if it is one.
/// Every (file name, blob id) a folder held in any commit.
type FolderHistory = HashSet<(String, Oid)>;

#[derive(Debug, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    /// Commit id to node index, built on first use.
    index: OnceLock<HashMap<Oid, u32>>,
    /// For each folder asked about: every (file name, blob id) it held in any commit.
    revisions: Mutex<HashMap<String, std::sync::Arc<FolderHistory>>>,
    /// Some parents were missing: history may be incomplete (shallow clone).
    pub truncated: bool,
    /// The commit-graph the walk used, whose positions `Node::graph_pos` refers to.
    commit_graph: Option<CommitGraph>,
}

impl Graph {
    /// The node of a commit, if the graph has it.
    pub fn find(&self, id: &Oid) -> Option<u32> {
        self.index
            .get_or_init(|| self.nodes.iter().enumerate().map(|(i, n)| (n.id, i as u32)).collect())
            .get(id)
            .copied()
    }

    pub fn contains(&self, id: &Oid) -> bool {
        self.find(id).is_some()
    }

    /// For each node, whether its changed-path Bloom filter proves that `path` (a file or a
    /// folder) is the same as in its only parent.
    fn unchanged_by_first_parent(&self, path: &str) -> Vec<bool> {
        let Some(c) = &self.commit_graph else { return vec![false; self.nodes.len()] };
        let key = BloomKey::new(path);
        self.nodes
            .iter()
            .map(|node| {
                node.parents.len() == 1
                    && node
                        .graph_pos
                        .is_some_and(|p| c.path_maybe_changed(p, &key) == PathChange::No)
            })
            .collect()
    }

    /// Indices of the nodes for which `interesting` holds, newest first by SPEC §4's order: a
    /// topological sort (children before parents) where, among interesting commits ready at the
    /// same step, the later committer time comes first, then the larger id. Commits that are not
    /// interesting are transparent: they are passed as soon as they are ready, so the order of
    /// the interesting ones depends only on their own ancestry, times and ids.
    pub fn order(&self, interesting: impl Fn(&Node) -> bool) -> Vec<u32> {
        self.order_by(|i| interesting(&self.nodes[i as usize]))
    }

    /// [`Graph::order`] with the test given the node's index.
    pub fn order_by(&self, interesting: impl Fn(u32) -> bool) -> Vec<u32> {
        let n = self.nodes.len();
        let mut pending = vec![0u32; n];
        for node in &self.nodes {
            for &p in &node.parents {
                pending[p as usize] += 1;
            }
        }
        let mut plain: Vec<u32> = Vec::new();
        let mut heap: BinaryHeap<(i64, Oid, u32)> = BinaryHeap::new();
        let push = |i: u32, plain: &mut Vec<u32>, heap: &mut BinaryHeap<(i64, Oid, u32)>| {
            let node = &self.nodes[i as usize];
            if interesting(i) {
                heap.push((node.time, node.id, i));
            } else {
                plain.push(i);
            }
        };
        for i in 0..n as u32 {
            if pending[i as usize] == 0 {
                push(i, &mut plain, &mut heap);
            }
        }
        let mut out = Vec::new();
        loop {
            let i = if let Some(i) = plain.pop() {
                i
            } else if let Some((_, _, i)) = heap.pop() {
                out.push(i);
                i
            } else {
                break;
            };
            for &p in &self.nodes[i as usize].parents {
                pending[p as usize] -= 1;
                if pending[p as usize] == 0 {
                    push(p, &mut plain, &mut heap);
                }
            }
        }
        out
    }

    /// Every position in the graph, newest first.
    pub fn positions(&self) -> Vec<&Position> {
        self.order(|n| matches!(n.accord, Accord::Position(_)))
            .into_iter()
            .filter_map(|i| match &self.nodes[i as usize].accord {
                Accord::Position(p) => Some(&**p),
                _ => None,
            })
            .collect()
    }
}

fn hex_to_oid(hex: &[u8]) -> Option<Oid> {
    std::str::from_utf8(hex).ok().and_then(|s| Oid::from_str(s).ok())
}

/// `Name <email> 1700000000 +0000` → (name, email, time).
fn parse_signature_line(line: &[u8]) -> Option<(String, String, i64)> {
    let line = String::from_utf8_lossy(line);
    let open = line.find('<')?;
    let close = line[open..].find('>')? + open;
    let name = line[..open].trim().to_string();
    let email = line[open + 1..close].to_string();
    let mut rest = line[close + 1..].split_whitespace();
    let time = rest.next()?.parse().ok()?;
    Some((name, email, time))
}

/// The fields of a raw commit object that accord uses.
pub struct RawCommit<'a> {
    pub tree: Option<Oid>,
    pub parents: Vec<Oid>,
    pub author: Option<(String, String, i64)>,
    pub committer_time: i64,
    pub message: &'a [u8],
}

/// Parse a raw commit object by hand: faster than libgit2's full parse, and it lets the walk
/// skip messages that cannot be positions.
pub fn parse_commit(data: &[u8]) -> RawCommit<'_> {
    let mut c = RawCommit {
        tree: None,
        parents: Vec::new(),
        author: None,
        committer_time: 0,
        message: &[],
    };
    let mut rest = data;
    loop {
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let line = &rest[..end];
        rest = if end < rest.len() { &rest[end + 1..] } else { &[] };
        if line.is_empty() {
            c.message = rest;
            break;
        }
        if let Some(v) = line.strip_prefix(b"tree ") {
            c.tree = hex_to_oid(v);
        } else if let Some(v) = line.strip_prefix(b"parent ") {
            if let Some(o) = hex_to_oid(v) {
                c.parents.push(o);
            }
        } else if let Some(v) = line.strip_prefix(b"author ") {
            c.author = parse_signature_line(v);
        } else if let Some(v) = line.strip_prefix(b"committer ") {
            c.committer_time = parse_signature_line(v).map_or(0, |s| s.2);
        }
        if rest.is_empty() {
            break;
        }
    }
    c
}

/// Read what a commit message says to accord (no tree check: see [`Graph`] building).
pub fn classify(id: Oid, raw: &RawCommit) -> Accord {
    if !trailers::mentions_accord(raw.message) {
        return Accord::None;
    }
    let message = String::from_utf8_lossy(raw.message);
    match trailers::parse(&message) {
        Parsed::None => Accord::None,
        Parsed::Malformed(why) => Accord::Malformed(why),
        Parsed::Position(t) => {
            let (author_name, author_email, _) = raw.author.clone().unwrap_or_default();
            Accord::Position(std::sync::Arc::new(Position {
                commit: id.to_string(),
                time: raw.committer_time,
                author_name,
                author_email,
                trailers: t,
                note: trailers::note(&message),
            }))
        }
    }
}

/// Where a commit's facts come from during the walk.
#[derive(Clone, Copy)]
enum Key {
    Graph(u32),
    Loose(Oid),
}

impl Store {
    /// git's commit-graph for this repository, when there is a readable one.
    pub(crate) fn commit_graph(&self) -> Option<CommitGraph> {
        if std::env::var_os("ACCORD_NO_COMMIT_GRAPH").is_some() {
            return None;
        }
        let info = self.repo.commondir().join("objects/info");
        if let Ok(data) = std::fs::read(info.join("commit-graph")) {
            if let Some(cg) = CommitGraph::parse(vec![data]) {
                return Some(cg);
            }
        }
        let chain = std::fs::read_to_string(info.join("commit-graphs/commit-graph-chain")).ok()?;
        let mut files = Vec::new();
        for hash in chain.lines().map(str::trim).filter(|l| !l.is_empty()) {
            files.push(std::fs::read(info.join(format!("commit-graphs/graph-{hash}.graph"))).ok()?);
        }
        CommitGraph::parse(files)
    }

    /// Every commit reachable from `tip`. Messages are read only where a commit can be a
    /// position (exactly one parent and the same tree), which is all `status` needs.
    pub fn graph(&self, tip: Oid) -> Result<Graph> {
        self.walk(tip, false, self.commit_graph(), None)
    }

    /// Like [`Store::graph`], for commands about one agreement: positions on other agreements
    /// are left out (they read as [`Accord::None`]), which saves decoding them.
    pub fn graph_for(&self, tip: Oid, agreement: &str) -> Result<Graph> {
        self.walk(tip, false, self.commit_graph(), Some(agreement))
    }

    /// Like [`Store::graph`], but every message is read, so commits that carry `Accord-`
    /// trailers without being positions are found too (`verify`).
    pub fn graph_full(&self, tip: Oid) -> Result<Graph> {
        self.walk(tip, true, self.commit_graph(), None)
    }

    fn walk(
        &self,
        tip: Oid,
        every_message: bool,
        cg: Option<CommitGraph>,
        only: Option<&str>,
    ) -> Result<Graph> {
        let t0 = std::time::Instant::now();
        let mut cache = Cache::load(&self.state_dir());
        super::trace("commit-graph and cache loaded", t0);
        let odb = self.repo.odb()?;
        let mut g = Graph::default();
        let mut slot_of_graph: Vec<u32> =
            vec![u32::MAX; cg.as_ref().map_or(0, |c| c.len() as usize)];
        let mut slot_of_loose: HashMap<Oid, u32> = HashMap::new();
        // Parents of node i are parent_keys[parent_start[i]..parent_start[i + 1]].
        let mut parent_keys: Vec<Key> = Vec::new();
        let mut parent_start: Vec<u32> = vec![0];
        let mut pending: Vec<u32> = Vec::new(); // nodes whose message is still to read
        let key_of = |oid: Oid| -> Key {
            match cg.as_ref().and_then(|c| c.lookup(oid.as_bytes())) {
                Some(p) => Key::Graph(p),
                None => Key::Loose(oid),
            }
        };
        let mut stack = vec![key_of(tip)];
        let mut scratch = Vec::new();
        while let Some(key) = stack.pop() {
            let idx = g.nodes.len() as u32;
            let seen = match key {
                Key::Graph(p) => &mut slot_of_graph[p as usize],
                Key::Loose(o) => slot_of_loose.entry(o).or_insert(u32::MAX),
            };
            if *seen != u32::MAX {
                continue;
            }
            *seen = idx;
            let node = match key {
                Key::Graph(p) => {
                    let c = cg.as_ref().expect("graph keys come from the commit-graph");
                    scratch.clear();
                    if c.parents(p, &mut scratch).is_none() {
                        // An inconsistent commit-graph: start again without it.
                        return self.walk(tip, every_message, None, only);
                    }
                    let id = Oid::from_bytes(&c.oid(p))?;
                    let node = Node {
                        id,
                        tree: Oid::from_bytes(&c.tree(p))?,
                        parents: Parents::default(),
                        parent_count: scratch.len(),
                        time: c.time(p),
                        accord: Accord::None,
                        graph_pos: Some(p),
                    };
                    parent_keys.extend(scratch.iter().map(|&q| Key::Graph(q)));
                    node
                }
                Key::Loose(id) => {
                    let facts = match cache.get(&id, only) {
                        Some(c) => c,
                        None => match odb.read(id) {
                            Ok(obj) => {
                                let raw = parse_commit(obj.data());
                                let c = Cached {
                                    tree: raw.tree.unwrap_or_else(Oid::zero),
                                    parents: raw.parents.clone(),
                                    time: raw.committer_time,
                                    accord: classify(id, &raw),
                                };
                                cache.insert(id, c.clone());
                                c
                            }
                            Err(e) if e.code() == ErrorCode::NotFound => {
                                g.truncated = true;
                                *slot_of_loose.get_mut(&id).expect("inserted above") = u32::MAX - 1;
                                continue;
                            }
                            Err(e) => return Err(e.into()),
                        },
                    };
                    parent_keys.extend(facts.parents.iter().map(|&p| key_of(p)));
                    Node {
                        id,
                        tree: facts.tree,
                        parents: Parents::default(),
                        parent_count: facts.parents.len(),
                        time: facts.time,
                        accord: facts.accord,
                        graph_pos: None,
                    }
                }
            };
            if matches!(key, Key::Graph(_)) {
                pending.push(idx);
            }
            let from = *parent_start.last().expect("starts with 0") as usize;
            stack.extend(parent_keys[from..].iter().rev().copied());
            parent_start.push(parent_keys.len() as u32);
            g.nodes.push(node);
        }
        super::trace("walked", t0);
        // Link parents by index.
        for i in 0..g.nodes.len() {
            let keys = &parent_keys[parent_start[i] as usize..parent_start[i + 1] as usize];
            let parents: Parents = keys
                .iter()
                .filter_map(|k| {
                    let s = match k {
                        Key::Graph(p) => slot_of_graph[*p as usize],
                        Key::Loose(o) => slot_of_loose.get(o).copied().unwrap_or(u32::MAX),
                    };
                    (s < u32::MAX - 1).then_some(s)
                })
                .collect();
            if parents.len() < keys.len() {
                g.truncated = true;
            }
            g.nodes[i].parents = parents;
        }
        // Read the messages that matter: from the cache, else from the object database.
        let mut to_read = Vec::new();
        for i in pending {
            let node = &g.nodes[i as usize];
            let candidate = every_message
                || (node.parents.len() == 1 && g.nodes[node.parents[0] as usize].tree == node.tree);
            if !candidate {
                continue;
            }
            match cache.get(&node.id, only) {
                Some(c) => g.nodes[i as usize].accord = c.accord,
                None => to_read.push((i, node.id)),
            }
        }
        super::trace(&format!("linked; {} messages to read", to_read.len()), t0);
        for (i, id, facts) in self.read_commits(&to_read)? {
            g.nodes[i as usize].accord = facts.accord.clone();
            cache.insert(id, facts);
        }
        super::trace("messages read", t0);
        apply_structure(&mut g);
        cache.save_if_changed(&self.state_dir(), &g);
        g.commit_graph = cg;
        super::trace("cache saved", t0);
        Ok(g)
    }

    /// Read and classify commits, on every core for large batches (one repository per thread:
    /// the object database read is the cost).
    fn read_commits(&self, ids: &[(u32, Oid)]) -> Result<Vec<(u32, Oid, Cached)>> {
        let read_one = |odb: &git2::Odb, i: u32, id: Oid| -> Result<Option<(u32, Oid, Cached)>> {
            match odb.read(id) {
                Ok(obj) => {
                    let raw = parse_commit(obj.data());
                    let c = Cached {
                        tree: raw.tree.unwrap_or_else(Oid::zero),
                        parents: raw.parents.clone(),
                        time: raw.committer_time,
                        accord: classify(id, &raw),
                    };
                    Ok(Some((i, id, c)))
                }
                Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            }
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        if ids.len() < 2048 || threads < 2 {
            let odb = self.repo.odb()?;
            let mut out = Vec::with_capacity(ids.len());
            for &(i, id) in ids {
                out.extend(read_one(&odb, i, id)?);
            }
            return Ok(out);
        }
        let path = self.repo.path().to_path_buf();
        let chunk = ids.len().div_ceil(threads);
        let results: Vec<Result<Vec<(u32, Oid, Cached)>>> = std::thread::scope(|s| {
            let handles: Vec<_> = ids
                .chunks(chunk)
                .map(|part| {
                    let path = path.clone();
                    s.spawn(move || -> Result<Vec<(u32, Oid, Cached)>> {
                        let repo = Repository::open(&path)?;
                        let odb = repo.odb()?;
                        let mut out = Vec::with_capacity(part.len());
                        for &(i, id) in part {
                            out.extend(read_one(&odb, i, id)?);
                        }
                        Ok(out)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Ok(Vec::new()))).collect()
        });
        let mut out = Vec::with_capacity(ids.len());
        for r in results {
            out.extend(r?);
        }
        Ok(out)
    }

    /// For each node of `g`, the blob id at `path` (None where the file is absent). Commits
    /// whose changed-path Bloom filter rules the path out inherit their first parent's answer;
    /// the others look the path up in their tree.
    pub fn blobs_along(&self, g: &Graph, path: &str) -> Result<Vec<Option<Oid>>> {
        let (dir, file) = match path.rsplit_once('/') {
            Some((d, f)) => (Some(d), f),
            None => (None, path),
        };
        let n = g.nodes.len();
        // Which nodes may be answered by their first parent.
        let inherits = g.unchanged_by_first_parent(path);
        let mut by_dir: HashMap<Oid, Option<Oid>> = HashMap::new();
        let mut look = |tree: Oid| -> Result<Option<Oid>> {
            let root = match self.repo.find_tree(tree) {
                Ok(t) => t,
                Err(_) => return Ok(None),
            };
            let dir_tree = match dir {
                Some(d) => match root.get_path(Path::new(d)) {
                    Ok(e) if e.kind() == Some(ObjectType::Tree) => e.id(),
                    _ => return Ok(None),
                },
                None => tree,
            };
            if let Some(hit) = by_dir.get(&dir_tree) {
                return Ok(*hit);
            }
            let t = self.repo.find_tree(dir_tree)?;
            let blob =
                t.get_name(file).filter(|e| e.kind() == Some(ObjectType::Blob)).map(|e| e.id());
            by_dir.insert(dir_tree, blob);
            Ok(blob)
        };
        let mut out: Vec<Option<Option<Oid>>> = vec![None; n];
        for start in 0..n {
            if out[start].is_some() {
                continue;
            }
            // Follow first parents while the filter rules the path out, then resolve the chain.
            let mut chain = vec![start];
            let mut at = start;
            while inherits[at] {
                let p = g.nodes[at].parents[0] as usize;
                if out[p].is_some() {
                    break;
                }
                chain.push(p);
                at = p;
            }
            let last = *chain.last().expect("chain starts non-empty");
            let value = if inherits[last] {
                out[g.nodes[last].parents[0] as usize].expect("checked above")
            } else {
                look(g.nodes[last].tree)?
            };
            for i in chain {
                out[i] = Some(value);
            }
        }
        Ok(out.into_iter().map(|v| v.flatten()).collect())
    }
}

impl Store {
    /// Whether `blob` was the file at `path` in any commit of `g`: a position's revision must be
    /// a revision of its own agreement. One pass over the graph per folder serves every file in
    /// it: Bloom filters skip commits that did not touch the folder, and each distinct folder
    /// tree is read once.
    pub fn is_revision(&self, g: &Graph, path: &str, blob: Oid) -> Result<bool> {
        let (dir, file) = match path.rsplit_once('/') {
            Some((d, f)) => (d, f),
            None => ("", path),
        };
        let known = g.revisions.lock().map(|m| m.get(dir).cloned()).unwrap_or(None);
        let set = match known {
            Some(s) => s,
            None => {
                let s = std::sync::Arc::new(self.folder_history(g, dir)?);
                if let Ok(mut m) = g.revisions.lock() {
                    m.insert(dir.to_string(), s.clone());
                }
                s
            }
        };
        Ok(set.contains(&(file.to_string(), blob)))
    }

    fn folder_history(&self, g: &Graph, dir: &str) -> Result<HashSet<(String, Oid)>> {
        let inherits = if dir.is_empty() {
            vec![false; g.nodes.len()]
        } else {
            g.unchanged_by_first_parent(dir)
        };
        let mut dir_trees: HashSet<Oid> = HashSet::new();
        for (i, node) in g.nodes.iter().enumerate() {
            if inherits[i] {
                continue; // same folder tree as its first parent, which is visited too
            }
            if dir.is_empty() {
                dir_trees.insert(node.tree);
                continue;
            }
            let Ok(root) = self.repo.find_tree(node.tree) else { continue };
            if let Ok(e) = root.get_path(Path::new(dir)) {
                if e.kind() == Some(ObjectType::Tree) {
                    dir_trees.insert(e.id());
                }
            }
        }
        let mut out = HashSet::new();
        for t in dir_trees {
            let Ok(tree) = self.repo.find_tree(t) else { continue };
            for e in tree.iter() {
                if e.kind() == Some(ObjectType::Blob) {
                    if let Some(name) = e.name() {
                        out.insert((name.to_string(), e.id()));
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Apply the structural rules of a position: exactly one parent, with the same tree.
fn apply_structure(g: &mut Graph) {
    for i in 0..g.nodes.len() {
        let node = &g.nodes[i];
        let structural = match (&node.accord, node.parent_count, node.parents.first()) {
            (Accord::Position(_), 1, Some(&p)) if g.nodes[p as usize].tree != node.tree => {
                Some("changes files (a position's tree is its parent's tree)")
            }
            (Accord::Position(_), 1, None) => Some("its parent is missing (shallow history)"),
            (Accord::Position(_), 0, _) => Some("has no parent"),
            (Accord::Position(_), n, _) if n > 1 => Some("is a merge"),
            _ => None,
        };
        if let Some(why) = structural {
            g.nodes[i].accord = Accord::Malformed(format!("has position trailers but {why}"));
        }
    }
}
