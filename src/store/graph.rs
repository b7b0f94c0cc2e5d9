//! [`Graph`]: every commit reachable from a tip, as [`Node`]s linked by index, and SPEC §4's
//! order over them (a topological sort with the committer-time and id tie-break).
//!
//! It holds what the walk found and answers questions about order and ancestry; it does not
//! read the repository itself (the walk in `walk.rs` builds it, `path_history.rs` reads trees
//! along it).

use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, OnceLock};

use git2::Oid;
use smallvec::SmallVec;

use super::commit_graph::{BloomKey, CommitGraph};
use super::folder_index::FolderView;
use super::id_hash::IdKey;
use super::raw_commit::CommitKind;
use crate::ledger::Position;

/// Parent indices of a node: up to two inline (almost every commit), more on the heap.
pub type Parents = SmallVec<[u32; 2]>;

/// One commit of a [`Graph`].
#[derive(Debug, Clone)]
pub struct Node {
    pub id: Oid,
    pub tree: Oid,
    /// Indices of parents present in the graph.
    pub parents: Parents,
    /// Number of parents the commit names (some may be missing in a shallow clone).
    pub parent_count: usize,
    pub time: i64,
    pub accord: CommitKind,
    /// Position in git's commit-graph, when the commit is in it.
    pub graph_pos: Option<u32>,
}

/// Every commit reachable from a tip, with its position if it is one.
#[derive(Debug, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    /// Commit id to node index, built on first use.
    index: OnceLock<HashMap<Oid, u32>>,
    /// Some parents were missing: history may be incomplete (shallow clone).
    pub truncated: bool,
    /// The commit-graph the walk used, whose positions `Node::graph_pos` refers to.
    pub(super) commit_graph: Option<CommitGraph>,
    /// The folder-change index of the agreements folder along this graph, on first use.
    pub(super) folders: OnceLock<Arc<FolderView>>,
    /// Every agreement file's edits along this graph, on first use.
    pub(super) edits: OnceLock<Arc<super::file_edits::FolderEdits>>,
    /// Not walked yet: the tip of a graph that [`super::Timeline::build`] reads from the
    /// timeline cache, walking the history (once per process) only when it must.
    pub(super) deferred: Option<Oid>,
    /// Every node's parents in two flat arrays, on first use ([`Graph::order_by`]).
    links: OnceLock<Links>,
    /// The nodes that say something to accord (a position, or trailers that are not one), in
    /// node order: every node whose `accord` is not [`CommitKind::Other`] (the walk finds them).
    pub(super) said: Vec<u32>,
    /// A contraction of a history to the commits agreements' events are found among
    /// (`skeleton.rs`), not the whole history.
    pub(super) skeleton: bool,
    /// The walk is over and found every position: `said` and every node's `accord` are final
    /// (a folder view may be built while messages are still being read, and a walk asked about
    /// one agreement finds only its positions).
    pub(super) walked: bool,
}

/// The parents of node `i` are `parents[start[i]..start[i + 1]]`: what ordering the graph
/// reads, in a fiftieth of the memory of the nodes (a pass over 100,000 nodes reads 11 MB).
#[derive(Debug, Default)]
pub(super) struct Links {
    start: Vec<u32>,
    parents: Vec<u32>,
}

impl Links {
    fn of(nodes: &[Node]) -> Links {
        let mut start = Vec::with_capacity(nodes.len() + 1);
        let mut parents = Vec::with_capacity(nodes.len() + nodes.len() / 8);
        for node in nodes {
            start.push(parents.len() as u32);
            parents.extend_from_slice(&node.parents);
        }
        start.push(parents.len() as u32);
        Links { start, parents }
    }

    fn parents(&self, i: u32) -> &[u32] {
        &self.parents[self.start[i as usize] as usize..self.start[i as usize + 1] as usize]
    }
}

impl Graph {
    /// A graph not walked yet, for [`super::Timeline::build`] to read at `tip`.
    pub(super) fn deferred(tip: Oid) -> Graph {
        Graph { deferred: Some(tip), ..Graph::default() }
    }

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
    pub(super) fn unchanged_by_first_parent(&self, path: &str) -> Vec<bool> {
        let Some(c) = &self.commit_graph else { return vec![false; self.nodes.len()] };
        let key = BloomKey::new(path);
        // Most of the graph is asked: the filters are read front to back, all at once.
        let maybe = c.paths_maybe_changed(&key);
        self.nodes
            .iter()
            .map(|node| {
                node.parents.len() == 1
                    && node.graph_pos.is_some_and(|p| maybe.get(p as usize) == Some(&false))
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

    /// For each node, whether `commit` reaches it (the commit itself and every ancestor);
    /// none when the commit is not in the graph.
    pub(super) fn reaches(&self, commit: impl Into<Oid>) -> Vec<bool> {
        self.ancestors(self.find(&commit.into()))
    }

    /// For each node, whether it is `start` or an ancestor of it.
    fn ancestors(&self, start: Option<u32>) -> Vec<bool> {
        let mut seen = vec![false; self.nodes.len()];
        let mut stack: Vec<u32> = start.into_iter().collect();
        while let Some(k) = stack.pop() {
            if !std::mem::replace(&mut seen[k as usize], true) {
                stack.extend_from_slice(self.parents_of(k));
            }
        }
        seen
    }

    /// For each node, whether it comes before node `i`: `i`'s first parent and its ancestors
    /// (what a commit that renamed or removed a file replaced).
    pub(super) fn before(&self, i: u32) -> Vec<bool> {
        self.ancestors(self.parents_of(i).first().copied())
    }

    /// For each node, whether it is one of `from` or descends from one of them.
    pub(super) fn descendants(&self, from: &[u32]) -> Vec<bool> {
        let mut out = vec![false; self.nodes.len()];
        if from.is_empty() {
            return out;
        }
        for &i in from {
            out[i as usize] = true;
        }
        // Parents before children: the order of the topological sort, reversed.
        for &i in self.order_by(|_| true).iter().rev() {
            if !out[i as usize] && self.parents_of(i).iter().any(|&p| out[p as usize]) {
                out[i as usize] = true;
            }
        }
        out
    }

    /// The parents (indices) of node `i`, from the flat arrays.
    pub(super) fn parents_of(&self, i: u32) -> &[u32] {
        self.links().parents(i)
    }

    /// The flat parent arrays, made on first use (only the parents they hold may not change
    /// after: the walk makes them while messages are still being read).
    pub(super) fn links(&self) -> &Links {
        self.links.get_or_init(|| Links::of(&self.nodes))
    }

    /// [`Graph::order`] with the test given the node's index.
    pub fn order_by(&self, interesting: impl Fn(u32) -> bool) -> Vec<u32> {
        let n = self.nodes.len();
        let links = self.links();
        debug_assert_eq!(links.start.len(), n + 1, "the nodes changed after they were linked");
        let mut pending = vec![0u32; n];
        for &p in &links.parents {
            pending[p as usize] += 1;
        }
        let mut plain: Vec<u32> = Vec::new();
        // (Ids compared as bytes: the same order as git2's, without a call into libgit2.)
        let mut heap: BinaryHeap<(i64, IdKey, u32)> = BinaryHeap::new();
        let push = |i: u32, plain: &mut Vec<u32>, heap: &mut BinaryHeap<(i64, IdKey, u32)>| {
            let node = &self.nodes[i as usize];
            if interesting(i) {
                heap.push((node.time, IdKey::from(&node.id), i));
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
            for &p in links.parents(i) {
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
        self.order(|n| matches!(n.accord, CommitKind::Position(_)))
            .into_iter()
            .filter_map(|i| match &self.nodes[i as usize].accord {
                CommitKind::Position(p) => Some(&**p),
                _ => None,
            })
            .collect()
    }

    /// Apply the structural rules of a position: exactly one parent, with the same tree; to
    /// the nodes `said` (at least every node that holds a position).
    pub(super) fn apply_structure(&mut self, said: &[u32]) {
        for &i in said {
            let i = i as usize;
            let node = &self.nodes[i];
            let structural = match (&node.accord, node.parent_count, node.parents.first()) {
                (CommitKind::Position(_), 1, Some(&p))
                    if self.nodes[p as usize].tree.as_bytes() != node.tree.as_bytes() =>
                {
                    Some("changes files (a position's tree is its parent's tree)")
                }
                (CommitKind::Position(_), 1, None) => {
                    Some("its parent is missing (shallow history)")
                }
                (CommitKind::Position(_), 0, _) => Some("has no parent"),
                (CommitKind::Position(_), n, _) if n > 1 => Some("is a merge"),
                _ => None,
            };
            if let Some(why) = structural {
                self.nodes[i].accord =
                    CommitKind::Malformed(format!("has position trailers but {why}"));
            }
        }
    }
}
