//! The folder-change index: which commits changed which file of the agreements folder, kept in
//! `<git dir>/accord/folders-v1.bin` and extended incrementally, so that path history (`log`,
//! `history`, `diff`, `review`, revision proofs) reads no tree on a warm run, with or without
//! changed-path Bloom filters (SPEC §8).
//!
//! The facts are immutable, like the event cache's: for a commit whose agreements-folder tree
//! differs from its first parent's, the files that differ (name, blob before, blob after — adds
//! and deletes included, so renames can be found later), and for a commit whose first parent is
//! not in the history (a root, or the edge of a shallow clone) the folder's whole listing. A
//! commit with no entry is "unchanged from its first parent" only if it was examined: the file
//! also names *covered tips*, commits whose every ancestor was examined, and a commit counts as
//! examined only when it is reachable from one of them. What is not covered is examined on the
//! first run (one pass for every agreement: commits whose root tree, or whose folder tree, is
//! their first parent's are skipped without a diff; a Bloom filter that rules the folder out
//! skips the tree read), then the file is rewritten. So the file grows with edits of agreement
//! files, never with commits.
//!
//! It is never the source of truth: a missing, truncated, corrupt, foreign-version, other-folder
//! or other-horizon (the `shallow` file changed) file is ignored and rebuilt, and
//! `ACCORD_NO_CACHE=1` neither reads nor writes it. It answers only about files directly in the
//! agreements folder; other paths are read from trees by `path_history.rs`.

use std::sync::Arc;

use git2::{ObjectType, Oid};

use super::cache::{fnv, header, open_sealed, put_str, seal};
use super::commit_graph::{BloomKey, PathChange};
use super::error::StoreError;
use super::graph::Graph;
use super::id_hash::{IdMap, IdSet};
use super::pack::{Location, Object, Objects};
use super::Store;
use crate::error::Result;

pub(super) const FILE: &str = "folders-v1.bin";
const MAGIC: &[u8; 8] = b"ACCRDFI1";
/// Covered tips remembered besides the current one (other branches, earlier `--rev`s).
const MAX_TIPS: usize = 8;
/// Slots of the memo of folder trees by root tree during a pass: one root tree per slot,
/// the slot chosen by the id's first bytes. A folder after a change is mostly the next
/// change's folder before, asked again at once; a fixed table that stays in the cache answers
/// that, where a growing hash map missed the cache at each step.
const MEMO_SLOTS: usize = 1 << 10;

/// One file of the folder that differs between a commit and its first parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub name: String,
    /// The blob before (first parent), `None` when added; always `None` in a full listing.
    pub old: Option<Oid>,
    /// The blob after, `None` when deleted.
    pub new: Option<Oid>,
}

/// What a commit did to the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderEntry {
    /// `changes` is the whole folder (no first parent to compare with), not a difference.
    pub full: bool,
    /// Sorted by name.
    pub changes: Vec<FileChange>,
}

impl FolderEntry {
    pub(super) fn find(&self, name: &str) -> Option<&FileChange> {
        self.changes.binary_search_by(|c| c.name.as_str().cmp(name)).ok().map(|i| &self.changes[i])
    }
}

/// The index as it applies to one [`Graph`]: the entry of each node that has one.
#[derive(Debug, Default)]
pub struct FolderView {
    pub entries: Vec<FolderEntry>,
    /// For each node of the graph, its entry's index in `entries`, or `NONE`.
    pub entry_of: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl FolderView {
    /// For each node, the blob of `file` (a name in the folder), `None` where it is absent.
    pub fn blobs(&self, g: &Graph, file: &str) -> Vec<Option<Oid>> {
        let n = g.nodes.len();
        let mut out: Vec<Option<Option<Oid>>> = vec![None; n];
        // What node i says by itself; `None` when it inherits its first parent's answer.
        let own = |i: usize| -> Option<Option<Oid>> {
            let e = self.entry_of[i];
            if e == NONE {
                return None;
            }
            let entry = &self.entries[e as usize];
            match entry.find(file) {
                Some(c) => Some(c.new),
                None if entry.full => Some(None),
                None => None,
            }
        };
        let mut chain = Vec::new();
        for start in 0..n {
            if out[start].is_some() {
                continue;
            }
            chain.clear();
            let mut at = start;
            let value = loop {
                if let Some(v) = out[at] {
                    break v;
                }
                chain.push(at);
                if let Some(v) = own(at) {
                    break v;
                }
                match g.nodes[at].parents.first() {
                    Some(&p) => at = p as usize,
                    // Not reachable for a complete view (such nodes have full entries).
                    None => break None,
                }
            };
            for &i in &chain {
                out[i] = Some(value);
            }
        }
        out.into_iter().map(Option::flatten).collect()
    }

    /// The node whose entry answers for node `i` about the folder's files: `i` itself when it
    /// has an entry, else the same answer as its first parent's (`u32::MAX` where a chain
    /// ends without one). Two nodes answered by the same node hold the same files. `memo`
    /// keeps the answers (one slot a node, filled on first use) across calls.
    pub fn answered_by(&self, g: &Graph, memo: &mut Vec<u32>, i: u32) -> u32 {
        const UNKNOWN: u32 = u32::MAX - 1;
        if memo.len() != g.nodes.len() {
            *memo = vec![UNKNOWN; g.nodes.len()];
        }
        let mut chain = Vec::new();
        let mut at = i;
        let answer = loop {
            if memo[at as usize] != UNKNOWN {
                break memo[at as usize];
            }
            chain.push(at);
            if self.entry_of[at as usize] != NONE {
                break at;
            }
            match g.nodes[at as usize].parents.first() {
                Some(&p) => at = p,
                None => break NONE,
            }
        };
        for k in chain {
            memo[k as usize] = answer;
        }
        answer
    }
}

/// The file's contents.
#[derive(Default)]
struct Index {
    entries: IdMap<Oid, FolderEntry>,
    /// Commits whose every ancestor was examined.
    tips: Vec<Oid>,
}

fn decode(data: &[u8], dir: &str, horizon: u64) -> Option<Index> {
    let mut r = open_sealed(data, MAGIC)?;
    if r.string()? != dir || u64::from_le_bytes(r.take(8)?.try_into().ok()?) != horizon {
        return None;
    }
    let t = r.u32()? as usize;
    let mut tips = Vec::with_capacity(t.min(MAX_TIPS + 1));
    for _ in 0..t {
        tips.push(r.oid()?);
    }
    let n = r.u32()? as usize;
    let mut entries = IdMap::with_capacity_and_hasher(n.min(1 << 20), Default::default());
    for _ in 0..n {
        let id = r.oid()?;
        let full = match r.u8()? {
            0 => false,
            1 => true,
            _ => return None,
        };
        let k = r.u32()? as usize;
        let mut changes: Vec<FileChange> = Vec::with_capacity(k.min(1 << 16));
        for _ in 0..k {
            let name = r.string()?;
            let flags = r.u8()?;
            if flags > 3 {
                return None;
            }
            let old = if flags & 1 != 0 { Some(r.oid()?) } else { None };
            let new = if flags & 2 != 0 { Some(r.oid()?) } else { None };
            if changes.last().is_some_and(|c| c.name >= name) {
                return None; // not sorted: not written by this module
            }
            changes.push(FileChange { name, old, new });
        }
        entries.insert(id, FolderEntry { full, changes });
    }
    (r.at == r.data.len()).then_some(Index { entries, tips })
}

fn encode(dir: &str, horizon: u64, tips: &[Oid], entries: &[(&Oid, &FolderEntry)]) -> Vec<u8> {
    let mut out = header(MAGIC, 64 + entries.len() * 96);
    put_str(&mut out, dir);
    out.extend_from_slice(&horizon.to_le_bytes());
    out.extend_from_slice(&(tips.len() as u32).to_le_bytes());
    for t in tips {
        out.extend_from_slice(t.as_bytes());
    }
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for (id, e) in entries {
        out.extend_from_slice(id.as_bytes());
        out.push(e.full as u8);
        out.extend_from_slice(&(e.changes.len() as u32).to_le_bytes());
        for c in &e.changes {
            put_str(&mut out, &c.name);
            out.push(c.old.is_some() as u8 | (c.new.is_some() as u8) << 1);
            for b in [c.old, c.new].into_iter().flatten() {
                out.extend_from_slice(b.as_bytes());
            }
        }
    }
    out
}

impl Store {
    /// A fingerprint of where history ends: the `shallow` file, when there is one.
    pub(super) fn history_horizon(&self) -> u64 {
        std::fs::read(self.repo.commondir().join("shallow")).map_or(0, |b| fnv(&b))
    }

    /// The folder-change index of the agreements folder along `g`: loaded, completed for the
    /// commits of `g` it does not cover yet, saved when it learnt something, and remembered in
    /// `g` for the next question.
    pub(super) fn folder_view(&self, g: &Graph) -> Result<Arc<FolderView>> {
        if let Some(v) = g.folders.get() {
            return Ok(v.clone());
        }
        let t0 = std::time::Instant::now();
        let dir = self.dir.clone();
        let horizon = self.history_horizon();
        let state = self.state_dir();
        let no_cache = super::cache::no_cache();
        let mut index = if no_cache {
            Index::default()
        } else {
            super::cache::read(state.join(FILE))
                .ok()
                .and_then(|d| decode(&d, &dir, horizon))
                .unwrap_or_default()
        };
        super::trace(&format!("folder index loaded: {} entries", index.entries.len()), t0);
        let n = g.nodes.len();
        // Which nodes a covered tip reaches.
        let tips: IdSet<Oid> = index.tips.iter().copied().collect();
        let mut covered = vec![false; n];
        let mut stack: Vec<u32> = Vec::new();
        let mut entry_of = vec![NONE; n];
        let mut entries: Vec<FolderEntry> = Vec::new();
        let mut in_graph: IdSet<Oid> = IdSet::default();
        let mut tips_inside: IdSet<Oid> = IdSet::default();
        for (i, node) in g.nodes.iter().enumerate() {
            if tips.contains(&node.id) {
                stack.push(i as u32);
                tips_inside.insert(node.id);
            }
            if let Some(e) = index.entries.get(&node.id) {
                entry_of[i] = entries.len() as u32;
                entries.push(e.clone());
                in_graph.insert(node.id);
            }
        }
        // Covered tips outside `g` cover the commits of `g` they reach: a pull request forked
        // from the working branch some commits back shares all of its history below the fork
        // with the working branch's covered tip, which `g` does not hold.
        let outside: Vec<Oid> =
            index.tips.iter().filter(|t| !tips_inside.contains(*t)).copied().collect();
        let tip_covered = g.nodes.first().is_some_and(|t| tips_inside.contains(&t.id));
        if tip_covered {
            // Every node of `g` is its first node's ancestor (the walk started there).
            covered.fill(true);
        } else if !outside.is_empty() {
            stack.extend(self.reached_from_outside(g, &outside, n));
        }
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut covered[i as usize], true) {
                continue;
            }
            stack.extend(g.nodes[i as usize].parents.iter().filter(|&&p| !covered[p as usize]));
        }
        let todo = covered.iter().filter(|c| !**c).count();
        super::trace(&format!("folder index: {todo} commits to examine"), t0);
        let mut learnt = false;
        if todo > 0 {
            let found = self.examine(g, &dir, &covered, todo)?;
            learnt = true;
            for (i, e) in found {
                let id = g.nodes[i as usize].id;
                entry_of[i as usize] = entries.len() as u32;
                entries.push(e.clone());
                in_graph.insert(id);
                index.entries.insert(id, e);
            }
        }
        super::trace("folder index complete", t0);
        let tip = g.nodes.first().map(|t| t.id);
        if !no_cache && (learnt || tip.is_some_and(|t| !tips.contains(&t))) {
            // Tips outside `g` (other branches) stay while their entries do; entries outside
            // `g` are pruned, with every tip outside `g`, once they outnumber half of the others.
            let outside = index.entries.len() - in_graph.len();
            let prune = outside > in_graph.len() / 2;
            let mut kept_tips: Vec<Oid> = tip.into_iter().collect();
            if !prune {
                kept_tips.extend(
                    index.tips.iter().filter(|t| !tips_inside.contains(t)).take(MAX_TIPS).copied(),
                );
            }
            let mut kept: Vec<(&Oid, &FolderEntry)> =
                index.entries.iter().filter(|(id, _)| !prune || in_graph.contains(id)).collect();
            kept.sort_by_key(|(id, _)| **id);
            seal(&state, FILE, encode(&dir, horizon, &kept_tips, &kept));
            super::trace("folder index saved", t0);
        }
        let view = Arc::new(FolderView { entries, entry_of });
        self.save_skeleton(g, &view);
        Ok(g.folders.get_or_init(|| view).clone())
    }

    /// The nodes of `g` that `tips` (commits `g` does not hold) reach first: each tip's history
    /// is walked down to the commits of `g` it meets (through git's commit-graph where it holds
    /// them), at most `budget` commits in all; what was met by then is the answer. Whatever
    /// cannot be read covers nothing more: those commits are examined instead.
    fn reached_from_outside(&self, g: &Graph, tips: &[Oid], budget: usize) -> Vec<u32> {
        use super::walk::Key;
        let cg = g.commit_graph.as_ref();
        let listed = cg.map_or(0, |c| c.len() as usize);
        // Where each commit of `g` is: by commit-graph position, or by id for the others.
        let mut node_at: Vec<u32> = vec![u32::MAX; listed];
        let mut loose_nodes: IdMap<Oid, u32> = IdMap::default();
        for (i, node) in g.nodes.iter().enumerate() {
            match node.graph_pos.filter(|&p| (p as usize) < listed) {
                Some(p) => node_at[p as usize] = i as u32,
                None => {
                    loose_nodes.insert(node.id, i as u32);
                }
            }
        }
        let key_of = |id: Oid| Key::of(cg, id);
        let Ok(odb) = self.repo.odb() else { return Vec::new() };
        let mut seen = vec![false; listed];
        let mut seen_loose: IdSet<Oid> = IdSet::default();
        let mut met = Vec::new();
        let mut stack: Vec<Key> = tips.iter().map(|&t| key_of(t)).collect();
        let mut parents: Vec<u32> = Vec::new();
        let mut walked = 0;
        while let Some(key) = stack.pop() {
            if walked >= budget {
                break;
            }
            match key {
                Key::Graph(p) => {
                    if std::mem::replace(&mut seen[p as usize], true) {
                        continue;
                    }
                    if node_at[p as usize] != u32::MAX {
                        met.push(node_at[p as usize]);
                        continue;
                    }
                    walked += 1;
                    let c = cg.expect("graph keys come from the commit-graph");
                    parents.clear();
                    match c.parents(p, &mut parents) {
                        Ok(()) => stack.extend(parents.iter().map(|&q| Key::Graph(q))),
                        // A commit-graph that does not hold together: nothing to follow.
                        Err(_) => continue,
                    }
                }
                Key::Loose(id) => {
                    if !seen_loose.insert(id) {
                        continue;
                    }
                    if let Some(&i) = loose_nodes.get(&id) {
                        met.push(i);
                        continue;
                    }
                    walked += 1;
                    // Missing (beyond a shallow clone's horizon, or a tip since deleted and
                    // collected) or unreadable: nothing to follow.
                    if let Ok(Some(ps)) = super::branch_cache::read_parents(&odb, id) {
                        stack.extend(ps.into_iter().map(key_of));
                    }
                }
            }
        }
        met
    }

    /// Examine every node not `covered` (`todo` of them): the entry of each that changed the
    /// folder against its first parent, or whose first parent is not in the graph.
    fn examine(
        &self,
        g: &Graph,
        dir: &str,
        covered: &[bool],
        todo: usize,
    ) -> Result<Vec<(u32, FolderEntry)>> {
        let key = BloomKey::new(dir);
        // A pass over much of the history reads the Bloom filters front to back, all at once;
        // a few new commits ask theirs one by one.
        let all_at_once = g
            .commit_graph
            .as_ref()
            .filter(|c| todo.saturating_mul(8) >= c.len() as usize)
            .map(|c| c.paths_maybe_changed(&key));
        let maybe_changed = |pos: u32| -> bool {
            match (&all_at_once, &g.commit_graph) {
                (Some(all), _) => all.get(pos as usize).copied().unwrap_or(true),
                (None, Some(c)) => c.path_maybe_changed(pos, &key) == PathChange::Maybe,
                (None, None) => true,
            }
        };
        let first_parent = |node: &super::graph::Node| match node.parents.first() {
            Some(&p) if node.parents.len() == node.parent_count => Some(p as usize),
            _ => None,
        };
        // Whose root tree holds each node's folder: a commit whose root tree is its first
        // parent's, or whose Bloom filter rules the folder out, has its first parent's folder.
        // So the folder before a change is read from the root tree of the last commit that
        // may have changed it, which is mostly read anyway as the folder after that change.
        let same_as_parent = |node: &super::graph::Node| -> Option<usize> {
            let p = first_parent(node)?;
            if node.tree.as_bytes() == g.nodes[p].tree.as_bytes() {
                return Some(p);
            }
            match (node.graph_pos, node.parents.len()) {
                (Some(pos), 1) => (!maybe_changed(pos)).then_some(p),
                _ => None,
            }
        };
        // Found on demand from the first parents of the commits compared, each node once.
        let mut holder: Vec<u32> = vec![NONE; g.nodes.len()];
        let mut chain: Vec<usize> = Vec::new();
        let mut holder_of = |start: usize| -> u32 {
            let mut at = start;
            // (Bounded, should a damaged history ever loop.)
            while holder[at] == NONE && chain.len() <= g.nodes.len() {
                chain.push(at);
                match same_as_parent(&g.nodes[at]) {
                    Some(p) => at = p,
                    None => break,
                }
            }
            let found = if holder[at] == NONE { at as u32 } else { holder[at] };
            for c in chain.drain(..) {
                holder[c] = found;
            }
            found
        };
        let mut out = Vec::new();
        // (node, the node whose root tree holds its first parent's folder) whose folders are
        // to compare.
        let mut compare: Vec<(u32, u32)> = Vec::new();
        for (i, node) in g.nodes.iter().enumerate() {
            if covered[i] || same_as_parent(node).is_some() {
                continue;
            }
            let Some(p) = first_parent(node) else {
                let changes = self
                    .folder_listing(node.tree)?
                    .into_iter()
                    .map(|(name, blob)| FileChange { name, old: None, new: Some(blob) })
                    .collect();
                out.push((i as u32, FolderEntry { full: true, changes }));
                continue;
            };
            compare.push((i as u32, holder_of(p)));
        }
        for (i, changes) in self.folders_differ(g, &compare, dir)? {
            if !changes.is_empty() {
                out.push((i, FolderEntry { full: false, changes }));
            }
        }
        out.sort_by_key(|(i, _)| *i);
        Ok(out)
    }

    /// Of the (node, node whose root tree holds its first parent's folder) pairs, the files that
    /// differ between the two folders (none when the folders are the same); on every core for
    /// large batches (one repository per thread, for what the packs do not hold). libgit2's
    /// object cache is off meanwhile: each root tree is read once or twice, and caching them all
    /// would only grow the process.
    fn folders_differ(
        &self,
        g: &Graph,
        compare: &[(u32, u32)],
        dir: &str,
    ) -> Result<Vec<(u32, Vec<FileChange>)>> {
        let run =
            |objects: &mut Objects, part: &[(u32, u32)]| -> Result<Vec<(u32, Vec<FileChange>)>> {
                let mut memo: Vec<Option<(Oid, Option<Oid>)>> = vec![None; MEMO_SLOTS];
                // The root trees compared, looked up in the packs all at once. A pair's folder
                // before is mostly the next pair's folder after: that one is not asked twice.
                let roots: Vec<Oid> = part.iter().map(|&(i, _)| g.nodes[i as usize].tree).collect();
                let located = objects.locate(&roots);
                let mut folder_of = |root: Oid,
                                     at: Option<Option<Location>>,
                                     objects: &mut Objects|
                 -> Result<Option<Oid>> {
                    let k = root.as_bytes();
                    let slot = (usize::from(k[0]) << 8 | usize::from(k[1])) % MEMO_SLOTS;
                    if let Some((_, f)) = memo[slot].filter(|(held, _)| held.as_bytes() == k) {
                        return Ok(f);
                    }
                    let f = subtree_from(objects, root, at, dir)?;
                    memo[slot] = Some((root, f));
                    Ok(f)
                };
                // Newest first, one change's folder before is mostly the next one's folder after.
                let mut last: Option<(Oid, Arc<Object>)> = None;
                let mut out = Vec::new();
                for (k, &(i, holder)) in part.iter().enumerate() {
                    let (now, before) = (g.nodes[i as usize].tree, g.nodes[holder as usize].tree);
                    let before_at = part.get(k + 1).filter(|(next, _)| *next == holder);
                    let before_at = before_at.map(|_| located[k + 1]);
                    let (now, before) = (
                        folder_of(now, Some(located[k]), objects)?,
                        folder_of(before, before_at, objects)?,
                    );
                    if now == before {
                        continue;
                    }
                    let mut read = |t: Option<Oid>| -> Result<Option<Arc<Object>>> {
                        match (t, &last) {
                            (None, _) => Ok(None),
                            (Some(t), Some((id, tree))) if *id == t => Ok(Some(tree.clone())),
                            (Some(t), _) => read_tree(objects, t),
                        }
                    };
                    let (now_data, before_data) = (read(now)?, read(before)?);
                    out.push((i, raw_diff(tree_bytes(&before_data), tree_bytes(&now_data))));
                    last = before.zip(before_data);
                }
                Ok(out)
            };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        let packs = self.packs();
        if compare.len() < 512 || threads < 2 {
            return run(&mut Objects::new(&packs, self.repo.odb()?), compare);
        }
        git2::opts::enable_caching(false);
        let path = self.repo.path().to_path_buf();
        let chunk = compare.len().div_ceil(threads);
        // The last part is this thread's own.
        let parts: Vec<&[(u32, u32)]> = compare.chunks(chunk).collect();
        let (last, others) = parts.split_last().expect("at least 512 pairs");
        let results: Vec<Result<Vec<_>>> = std::thread::scope(|s| {
            let handles: Vec<_> = others
                .iter()
                .map(|&part| {
                    let (run, packs, path) = (&run, &*packs, &path);
                    s.spawn(move || -> Result<Vec<_>> { run(&mut Objects::at(packs, path), part) })
                })
                .collect();
            let mine = match self.repo.odb() {
                Ok(odb) => run(&mut Objects::new(&packs, odb), last),
                Err(e) => Err(e.into()),
            };
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(StoreError::ReaderPanicked.into())))
                .chain(std::iter::once(mine))
                .collect()
        });
        git2::opts::enable_caching(true);
        let mut out = Vec::new();
        for r in results {
            out.extend(r?);
        }
        Ok(out)
    }

    /// The files directly in the agreements folder that differ between the commits whose
    /// root trees are `a` and `b` (`old` the blob under `a`, `new` under `b`), from the raw
    /// trees: equal folders are found equal by their ids, and only differing files are
    /// copied out. `folders` remembers each root tree's folder across calls.
    pub(super) fn folder_diff(
        &self,
        objects: &mut Objects,
        folders: &mut IdMap<Oid, Option<Oid>>,
        a: Oid,
        b: Oid,
    ) -> Result<Vec<FileChange>> {
        let mut folder = |root: Oid| -> Result<Option<Oid>> {
            if let Some(f) = folders.get(&root) {
                return Ok(*f);
            }
            let f = subtree(objects, root, &self.dir)?;
            folders.insert(root, f);
            Ok(f)
        };
        let (fa, fb) = (folder(a)?, folder(b)?);
        if fa == fb {
            return Ok(Vec::new());
        }
        let ta = match fa {
            Some(t) => read_tree(objects, t)?,
            None => None,
        };
        let tb = match fb {
            Some(t) => read_tree(objects, t)?,
            None => None,
        };
        Ok(raw_diff(tree_bytes(&ta), tree_bytes(&tb)))
    }

    /// The files (blobs) directly in the agreements folder of the commit whose root tree is
    /// `root`, sorted by name; none when it has no such folder.
    pub(super) fn folder_listing(&self, root: Oid) -> Result<Vec<(String, Oid)>> {
        let packs = self.packs();
        let mut objects = Objects::new(&packs, self.repo.odb()?);
        let Some(t) = subtree(&mut objects, root, &self.dir)? else { return Ok(Vec::new()) };
        let tree = self.repo.find_tree(t)?;
        let mut out: Vec<(String, Oid)> = tree
            .iter()
            .filter(|e| e.kind() == Some(ObjectType::Blob))
            .filter_map(|e| Some((e.name()?.to_string(), e.id())))
            .collect();
        out.sort();
        Ok(out)
    }
}

/// The id of the folder `dir` (slash-separated) under the tree `root`, `None` when there is no
/// such folder. Reads raw tree objects: no tree is parsed into entries.
pub(super) fn subtree(objects: &mut Objects, root: Oid, dir: &str) -> Result<Option<Oid>> {
    subtree_from(objects, root, None, dir)
}

/// [`subtree`], the root tree's place in the packs already looked up when `located` says
/// so ([`Objects::locate`]).
fn subtree_from(
    objects: &mut Objects,
    root: Oid,
    located: Option<Option<Location>>,
    dir: &str,
) -> Result<Option<Oid>> {
    let mut at = root;
    let mut located = located;
    for part in dir.split('/') {
        let tree = match located.take() {
            Some(place) => read_tree_at(objects, at, place)?,
            None => read_tree(objects, at)?,
        };
        let Some(tree) = tree else { return Ok(None) };
        match find_entry(&tree.1, part.as_bytes()) {
            Some((mode, id)) if octal(mode) == Some(TREE_MODE) => at = id,
            _ => return Ok(None),
        }
    }
    Ok(Some(at))
}

/// The blob of the file `name` directly in the tree `tree` (a link counts, as libgit2 reads
/// modes; a folder or a submodule does not), `None` when there is none.
pub(super) fn file_in(objects: &mut Objects, tree: Oid, name: &str) -> Result<Option<Oid>> {
    let Some(tree) = read_tree(objects, tree)? else { return Ok(None) };
    Ok(find_entry(&tree.1, name.as_bytes())
        .filter(|(mode, _)| octal(mode).is_some_and(|m| m != TREE_MODE && m != COMMIT_MODE))
        .map(|(_, id)| id))
}

/// The bytes of a tree read by [`read_tree`]; none for no tree.
fn tree_bytes(tree: &Option<Arc<Object>>) -> &[u8] {
    tree.as_ref().map_or(&[], |t| &t.1)
}

/// The raw tree `id` (its bytes are `.1`); `None` when it is some other kind of object; an
/// error when missing.
fn read_tree(objects: &mut Objects, id: Oid) -> Result<Option<Arc<Object>>> {
    tree_or_not(objects.read_shared(id)?, id)
}

/// [`read_tree`] of a tree whose place in the packs was looked up ([`Objects::locate`]).
fn read_tree_at(
    objects: &mut Objects,
    id: Oid,
    at: Option<Location>,
) -> Result<Option<Arc<Object>>> {
    tree_or_not(objects.read_shared_at(id, at)?, id)
}

/// What [`read_tree`] answers for what was read as `id`.
fn tree_or_not(read: Option<Arc<Object>>, id: Oid) -> Result<Option<Arc<Object>>> {
    match read {
        Some(o) if o.0 == ObjectType::Tree => Ok(Some(o)),
        Some(_) => Ok(None),
        None => Err(git2::Error::new(
            git2::ErrorCode::NotFound,
            git2::ErrorClass::Odb,
            format!("object not found - no match for id ({id})"),
        )
        .into()),
    }
}

/// The (mode, id) of the entry `name` in a raw tree object; `None` when absent or when the
/// object does not hold together past that point.
fn find_entry<'a>(mut data: &'a [u8], name: &[u8]) -> Option<(&'a [u8], Oid)> {
    while !data.is_empty() {
        let space = data.iter().position(|&b| b == b' ')?;
        let nul = space + 1 + data[space + 1..].iter().position(|&b| b == 0)?;
        let id = data.get(nul + 1..nul + 21)?;
        if &data[space + 1..nul] == name {
            return Some((&data[..space], Oid::from_bytes(id).ok()?));
        }
        data = &data[nul + 21..];
    }
    None
}

/// The files (blobs, links included) directly in a raw tree object, in name order, as
/// (name, id) bytes, not copied and names not checked.
struct RawFiles<'a> {
    data: &'a [u8],
}

impl<'a> Iterator for RawFiles<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let data = self.data;
            let space = data.iter().position(|&b| b == b' ')?;
            let nul = space + 1 + data[space + 1..].iter().position(|&b| b == 0)?;
            let id = data.get(nul + 1..nul + 21)?;
            self.data = &data[nul + 21..];
            // As libgit2 reads a mode: a number in octal; all but folders and submodules are files.
            if octal(&data[..space]).is_some_and(|m| m != TREE_MODE && m != COMMIT_MODE) {
                return Some((&data[space + 1..nul], id));
            }
        }
    }
}

/// The files directly in a raw tree object, in name order; entries whose name is not UTF-8 are
/// left out, as libgit2's listing leaves them.
#[cfg(test)]
fn raw_files(data: &[u8]) -> Vec<(&str, Oid)> {
    RawFiles { data }
        .filter_map(|(name, id)| Some((std::str::from_utf8(name).ok()?, Oid::from_bytes(id).ok()?)))
        .collect()
}

/// `diff(&raw_files(before), &raw_files(after))` without listing either folder. Entries the
/// two trees share byte for byte at the start and at the end are skipped unparsed (a commit
/// mostly changes one file of many), and what lies between goes to [`raw_diff_all`].
fn raw_diff(before: &[u8], after: &[u8]) -> Vec<FileChange> {
    match differing_middle(before, after) {
        Some((start, end_before, end_after)) => {
            raw_diff_all(&before[start..end_before], &after[start..end_after])
        }
        None => raw_diff_all(before, after),
    }
}

/// Where the entry of a raw tree starting at `at` ends, read as [`RawFiles`] reads it (the
/// first space, the next NUL, twenty bytes of id); `None` past the end or when it does not
/// hold together.
fn entry_end(data: &[u8], at: usize) -> Option<usize> {
    let rest = data.get(at..).filter(|r| !r.is_empty())?;
    let space = rest.iter().position(|&b| b == b' ')?;
    let nul = space + 1 + rest[space + 1..].iter().position(|&b| b == 0)?;
    let end = nul + 21;
    (end <= rest.len()).then_some(at + end)
}

/// How many bytes `a` and `b` have alike at the start: eight at a time, then one by one.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let words = a.chunks_exact(8).zip(b.chunks_exact(8)).take_while(|(x, y)| x == y).count();
    let at = words * 8;
    at + a[at..].iter().zip(&b[at..]).take_while(|(x, y)| x == y).count()
}

/// `(start, end_before, end_after)`: `before[..start] == after[..start]` and
/// `before[end_before..] == after[end_after..]`, each an equal run of whole entries read alike
/// on both sides, so that only the entries between can differ. `None` when an entry does not
/// hold together: then the whole trees are compared, as before this shortcut.
fn differing_middle(before: &[u8], after: &[u8]) -> Option<(usize, usize, usize)> {
    let same = common_prefix(before, after);
    // Entries wholly inside the equal bytes are the same entries on both sides.
    let mut start = 0;
    while start < same {
        match entry_end(before, start)? {
            end if end <= same => start = end,
            _ => break,
        }
    }
    // Walk both sides entry by entry (the side with more left steps) until what is left is
    // the same length and the same bytes: from two entry starts, equal bytes read alike.
    let (mut i, mut j) = (start, start);
    loop {
        let (left_i, left_j) = (before.len() - i, after.len() - j);
        if left_i == left_j {
            let equal = common_prefix(&before[i..], &after[j..]);
            if equal == left_i {
                return Some((start, i, j));
            }
            // The entries wholly inside the equal run are alike: step over them together.
            let from = i;
            while let Some(end) = entry_end(before, i).filter(|&e| e - from <= equal) {
                i = end;
            }
            j += i - from;
            if i > from {
                continue;
            }
        }
        if left_i >= left_j {
            i = entry_end(before, i)?;
        }
        if left_j >= left_i {
            j = entry_end(after, j)?;
        }
    }
}

/// `diff(&raw_files(before), &raw_files(after))` without listing either folder: the files are
/// paired by name as bytes, and only a file that differs has its name checked and copied. (A
/// name that is not UTF-8 only ever pairs with itself, and is left out, as in `raw_files`.)
fn raw_diff_all(before: &[u8], after: &[u8]) -> Vec<FileChange> {
    use std::cmp::Ordering;
    let change = |name: &[u8], old: Option<&[u8]>, new: Option<&[u8]>| {
        Some(FileChange {
            name: std::str::from_utf8(name).ok()?.to_string(),
            old: old.map(Oid::from_bytes).transpose().ok()?,
            new: new.map(Oid::from_bytes).transpose().ok()?,
        })
    };
    let (mut a, mut b) =
        (RawFiles { data: before }.peekable(), RawFiles { data: after }.peekable());
    let mut out = Vec::new();
    loop {
        let order = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => x.0.cmp(y.0),
        };
        let found = match (order, a.next_if(|_| order.is_le()), b.next_if(|_| order.is_ge())) {
            (Ordering::Less, Some((name, old)), _) => change(name, Some(old), None),
            (Ordering::Greater, _, Some((name, new))) => change(name, None, Some(new)),
            (Ordering::Equal, Some((name, old)), Some((_, new))) if old != new => {
                change(name, Some(old), Some(new))
            }
            _ => None,
        };
        out.extend(found);
    }
    out
}

const TREE_MODE: u32 = 0o40000;
const COMMIT_MODE: u32 = 0o160000;

/// A tree entry's mode, read as octal digits; `None` when it is not one.
fn octal(mode: &[u8]) -> Option<u32> {
    if mode.is_empty() || mode.len() > 7 {
        return None;
    }
    mode.iter()
        .try_fold(0u32, |m, &b| matches!(b, b'0'..=b'7').then(|| m * 8 + u32::from(b - b'0')))
}

/// The files that differ between two listings in name order (the reference for `raw_diff`).
#[cfg(test)]
fn diff(before: &[(&str, Oid)], after: &[(&str, Oid)]) -> Vec<FileChange> {
    let mut out = Vec::new();
    let (mut a, mut b) = (before.iter().peekable(), after.iter().peekable());
    loop {
        let order = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => x.0.cmp(y.0),
        };
        match order {
            std::cmp::Ordering::Less => {
                let Some(&(name, old)) = a.next() else { break };
                out.push(FileChange { name: name.to_string(), old: Some(old), new: None });
            }
            std::cmp::Ordering::Greater => {
                let Some(&(name, new)) = b.next() else { break };
                out.push(FileChange { name: name.to_string(), old: None, new: Some(new) });
            }
            std::cmp::Ordering::Equal => {
                let (Some(&(name, old)), Some(&(_, new))) = (a.next(), b.next()) else { break };
                if old != new {
                    out.push(FileChange { name: name.to_string(), old: Some(old), new: Some(new) });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    /// A raw tree of the entries (mode, name, id byte), in git's order: a folder's name sorts
    /// as if it ended in '/'.
    fn raw_tree(entries: &[(&str, Vec<u8>, u8)]) -> Vec<u8> {
        let mut sorted = entries.to_vec();
        let key = |(mode, name, _): &(&str, Vec<u8>, u8)| {
            let mut k = name.clone();
            if *mode == "40000" {
                k.push(b'/');
            }
            k
        };
        sorted.sort_by_key(key);
        sorted.dedup_by_key(|e| e.1.clone());
        let mut raw = Vec::new();
        for (mode, name, n) in sorted {
            raw.extend_from_slice(mode.as_bytes());
            raw.push(b' ');
            raw.extend_from_slice(&name);
            raw.push(0);
            raw.extend_from_slice(&[n; 20]);
        }
        raw
    }

    proptest::proptest! {
        /// Pairing raw entries by name gives what listing both folders and comparing does,
        /// with folders, submodules, links and names that are not UTF-8 among the files.
        #[test]
        fn raw_diff_is_the_listing_diff(
            before in proptest::collection::vec((0..5usize, 0..12u8, 0..3u8), 0..24),
            after in proptest::collection::vec((0..5usize, 0..12u8, 0..3u8), 0..24),
        ) {
            let modes = ["100644", "100755", "120000", "40000", "160000"];
            let names: [&[u8]; 12] = [
                b"a", b"a.b", b"a-b", b"ab", b"b", b"b.toml", b"c", b"\xff", b"\xffx", b"z",
                b"a0", b"team-0001.toml",
            ];
            let build = |v: &[(usize, u8, u8)]| {
                let entries: Vec<(&str, Vec<u8>, u8)> =
                    v.iter().map(|&(m, n, id)| (modes[m], names[n as usize].to_vec(), id)).collect();
                raw_tree(&entries)
            };
            let (x, y) = (build(&before), build(&after));
            proptest::prop_assert_eq!(raw_diff(&x, &y), diff(&raw_files(&x), &raw_files(&y)));
        }

        /// The word-at-a-time prefix is the byte-at-a-time one.
        #[test]
        fn common_prefix_counts_alike_bytes(
            a in proptest::collection::vec(0..3u8, 0..40),
            b in proptest::collection::vec(0..3u8, 0..40),
        ) {
            let slow = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
            proptest::prop_assert_eq!(common_prefix(&a, &b), slow);
            proptest::prop_assert_eq!(common_prefix(&a, &a), a.len());
        }

        /// Large folders where a commit changes a few files (the case the shortcut over equal
        /// starts and ends is for): ids edited, files added and removed, with ids whose bytes
        /// look like a space or a NUL, and cut-off trees.
        #[test]
        fn raw_diff_skips_only_what_is_alike(
            files in proptest::collection::btree_map(0..400u16, 0..4u8, 0..120),
            edits in proptest::collection::vec((0..400u16, 0..5u8), 0..4),
            cut in proptest::option::of(0..4000usize),
        ) {
            let ids = [0u8, b' ', b'7', 0xff];
            let build = |files: &std::collections::BTreeMap<u16, u8>| {
                let mut raw = Vec::new();
                for (n, id) in files {
                    let mode: &[u8] = if n % 17 == 3 { b"40000" } else { b"100644" };
                    raw.extend_from_slice(mode);
                    raw.extend_from_slice(format!(" team-{n:04}.toml").as_bytes());
                    raw.push(0);
                    raw.extend_from_slice(&[ids[usize::from(*id)]; 20]);
                }
                raw
            };
            let mut changed = files.clone();
            for (n, what) in edits {
                match what {
                    4 => { changed.remove(&n); }
                    id => { changed.insert(n, id); }
                }
            }
            let (x, mut y) = (build(&files), build(&changed));
            if let Some(cut) = cut {
                y.truncate(cut);
            }
            proptest::prop_assert_eq!(raw_diff(&x, &y), raw_diff_all(&x, &y));
            proptest::prop_assert_eq!(raw_diff(&y, &x), raw_diff_all(&y, &x));
            if cut.is_none() {
                proptest::prop_assert_eq!(raw_diff(&x, &y), diff(&raw_files(&x), &raw_files(&y)));
            }
        }
    }

    /// The blob of every agreement file at every commit, as the folder index answers it, is
    /// the one git's own tree lookup finds: with no commit-graph, and with Bloom filters that
    /// rule out the commits touching other files (whose folder then comes from an earlier
    /// commit's root tree), across a merge of each kind (one leaving the folder as its first
    /// parent had it), a rename and a removal.
    #[test]
    fn answers_match_tree_lookups_with_and_without_bloom_filters() {
        use crate::store::commit_graph::tests::git;
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        let put = |path: &str, text: &str| {
            let p = d.join(path);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
            git(d, &["add", "-A"]);
            git(d, &["commit", "-q", "-m", path]);
        };
        git(d, &["init", "-q", "-b", "main"]);
        put("agreements/x.toml", "x1");
        put("src/a.rs", "a1");
        put("agreements/y.toml", "y1");
        for k in 0..4 {
            put("src/a.rs", &format!("a{k}"));
        }
        git(d, &["checkout", "-q", "-b", "side"]);
        put("agreements/x.toml", "x2");
        put("src/b.rs", "b1");
        git(d, &["checkout", "-q", "main"]);
        put("src/a.rs", "a9");
        put("agreements/y.toml", "y2");
        git(d, &["merge", "-q", "--no-ff", "-X", "theirs", "side", "-m", "theirs"]);
        put("src/c.rs", "c1");
        // A merge that leaves the folder as its first parent had it (a Bloom filter cannot
        // rule a merge out: its folder is compared with its first parent's).
        git(d, &["checkout", "-q", "-b", "side2"]);
        put("src/d.rs", "d1");
        git(d, &["checkout", "-q", "main"]);
        put("src/a.rs", "a10");
        git(d, &["merge", "-q", "--no-ff", "side2", "-m", "no folder change"]);
        git(d, &["mv", "agreements/y.toml", "agreements/z.toml"]);
        git(d, &["commit", "-q", "-m", "rename"]);
        put("src/c.rs", "c2");
        git(d, &["commit", "-q", "--allow-empty", "-m", "empty"]);
        git(d, &["rm", "-q", "agreements/x.toml"]);
        git(d, &["commit", "-q", "-m", "remove"]);
        put("src/c.rs", "c3");
        // Cold without a commit-graph, cold with Bloom filters, then warm with two new commits
        // in the commit-graph (their filters asked one by one).
        for (flag, cold) in [(None, true), (Some("--changed-paths"), true), (Some("new"), false)] {
            if flag == Some("new") {
                put("src/c.rs", "c4");
                put("agreements/z.toml", "z2");
                git(d, &["commit-graph", "write", "--reachable", "--changed-paths"]);
            } else if let Some(flag) = flag {
                git(d, &["commit-graph", "write", "--reachable", flag]);
            }
            if cold {
                let _ = std::fs::remove_dir_all(d.join(".git/accord"));
            }
            let store = Store::open(Some(d)).expect("open");
            let g = store.graph(store.head_required().expect("head")).expect("graph");
            assert_eq!(g.commit_graph.is_some(), flag.is_some());
            // Cold with Bloom filters, one file is read alone along the history (no index).
            let alone: Vec<Vec<Option<Oid>>> = ["x.toml", "y.toml", "z.toml"]
                .iter()
                .map(|f| store.blobs_along(&g, &format!("agreements/{f}")).expect("blobs"))
                .collect();
            assert_eq!(g.folders.get().is_none(), cold && flag.is_some(), "{flag:?}");
            let view = store.folder_view(&g).expect("view");
            let repo = git2::Repository::open(d).expect("repo");
            for (k, file) in ["x.toml", "y.toml", "z.toml"].into_iter().enumerate() {
                let want: Vec<Option<Oid>> = g
                    .nodes
                    .iter()
                    .map(|n| {
                        let tree = repo.find_commit(n.id).expect("commit").tree().expect("tree");
                        tree.get_path(std::path::Path::new(&format!("agreements/{file}")))
                            .ok()
                            .map(|e| e.id())
                    })
                    .collect();
                assert_eq!(view.blobs(&g, file), want, "{file}, {flag:?}");
                assert_eq!(alone[k], want, "{file} alone, {flag:?}");
            }
        }
    }

    #[test]
    fn diff_finds_adds_deletes_and_edits() {
        let before = [("a", oid(1)), ("b", oid(2)), ("c", oid(3))];
        let after = [("b", oid(2)), ("c", oid(4)), ("d", oid(5))];
        let d = diff(&before, &after);
        let names: Vec<(&str, Option<Oid>, Option<Oid>)> =
            d.iter().map(|c| (c.name.as_str(), c.old, c.new)).collect();
        assert_eq!(
            names,
            [
                ("a", Some(oid(1)), None),
                ("c", Some(oid(3)), Some(oid(4))),
                ("d", None, Some(oid(5)))
            ]
        );
    }

    #[test]
    fn entries_of_raw_trees() {
        let mut raw = Vec::new();
        for (mode, name, n) in [("100644", "README.md", 1u8), ("40000", "agreements", 2)] {
            raw.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            raw.extend_from_slice(&[n; 20]);
        }
        assert_eq!(find_entry(&raw, b"agreements"), Some((&b"40000"[..], oid(2))));
        assert_eq!(find_entry(&raw, b"README.md"), Some((&b"100644"[..], oid(1))));
        assert_eq!(find_entry(&raw, b"agree"), None);
        assert_eq!(find_entry(&raw[..raw.len() - 3], b"agreements"), None, "cut");
        assert_eq!(raw_files(&raw), [("README.md", oid(1))], "files only");
        // Modes as libgit2 reads them: octal numbers, so zero-padding changes nothing.
        let mut odd = Vec::new();
        for (mode, name, n) in [("0100644", "a", 3u8), ("040000", "d", 4), ("160000", "s", 5)] {
            odd.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            odd.extend_from_slice(&[n; 20]);
        }
        assert_eq!(raw_files(&odd), [("a", oid(3))]);
        assert!(raw_diff(&raw, &raw).is_empty() && raw_diff(&odd, &odd).is_empty());
        assert_eq!(find_entry(&odd, b"d").map(|(m, _)| octal(m)), Some(Some(TREE_MODE)));
    }

    #[test]
    fn round_trip_and_refusals() {
        let e = FolderEntry {
            full: false,
            changes: vec![
                FileChange { name: "a.toml".into(), old: None, new: Some(oid(1)) },
                FileChange { name: "b.toml".into(), old: Some(oid(2)), new: None },
            ],
        };
        let f = FolderEntry { full: true, changes: vec![] };
        let (x, y) = (oid(7), oid(8));
        let data = encode("agreements", 5, &[x], &[(&x, &e), (&y, &f)]);
        let mut sealed = data.clone();
        sealed.extend_from_slice(&fnv(&data).to_le_bytes());
        let back = decode(&sealed, "agreements", 5).unwrap();
        assert_eq!(back.tips, [x]);
        assert_eq!(back.entries[&x], e);
        assert_eq!(back.entries[&y], f);
        assert!(decode(&sealed, "other", 5).is_none(), "another folder");
        assert!(decode(&sealed, "agreements", 6).is_none(), "another horizon");
        for cut in [0, 8, sealed.len() / 2, sealed.len() - 1] {
            assert!(decode(&sealed[..cut], "agreements", 5).is_none(), "cut at {cut}");
        }
        let mut flipped = sealed.clone();
        flipped[40] ^= 1;
        assert!(decode(&flipped, "agreements", 5).is_none());
    }
}
