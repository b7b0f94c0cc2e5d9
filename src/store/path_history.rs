//! Path history along a [`Graph`]: which blob a file was at each commit, and every blob a
//! folder ever held. Files of the agreements folder are answered by the folder-change index
//! (`folder_index.rs`), which reads trees only for commits it has not seen before. For other
//! paths, changed-path Bloom filters from git's commit-graph skip the commits that certainly did
//! not touch the path; the others have their trees read, each distinct folder tree once.
//!
//! A path that is absent from a commit is a legitimate "none"; any other failure to read a tree
//! is an error and is returned, never taken for an absent file.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, PoisonError};

use git2::{ErrorCode, ObjectType, Oid, Tree};

use super::folder_index;
use super::graph::{FolderHistory, Graph};
use super::pack::Objects;
use super::Store;
use crate::error::Result;

/// The id of the folder `dir` in `root`, or `None` when the commit has no such folder.
fn subtree(root: &Tree<'_>, dir: &str) -> Result<Option<Oid>> {
    match root.get_path(Path::new(dir)) {
        Ok(e) if e.kind() == Some(ObjectType::Tree) => Ok(Some(e.id())),
        Ok(_) => Ok(None),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

impl Store {
    /// For each node of `g`, the blob id at `path` (None where the file is absent). Commits
    /// whose changed-path Bloom filter rules the path out inherit their first parent's answer;
    /// the others look the path up in their tree.
    pub fn blobs_along(&self, g: &Graph, path: &str) -> Result<Vec<Option<Oid>>> {
        let (dir, file) = match path.rsplit_once('/') {
            Some((d, f)) => (Some(d), f),
            None => (None, path),
        };
        // An agreement file is answered by the folder-change index, unless it is not built
        // yet and Bloom filters can answer for this one file as they do for git's own
        // `log -- <file>`: then the first `history` or `log` in a fresh clone does not pay for
        // every agreement's history (the next `status` builds the index).
        if dir == Some(self.dir.as_str()) && !self.one_file_first(g) {
            return Ok(self.folder_view(g)?.blobs(g, file));
        }
        let n = g.nodes.len();
        // Which nodes may be answered by their first parent.
        let inherits = g.unchanged_by_first_parent(path);
        let mut by_dir: HashMap<Oid, Option<Oid>> = HashMap::new();
        // Raw trees through the pack reader: nothing of the pack is mapped into the process.
        let packs = self.packs();
        let mut objects = Objects::new(&packs, self.repo.odb()?);
        let mut look = |tree: Oid| -> Result<Option<Oid>> {
            let dir_tree = match dir {
                Some(d) => match folder_index::subtree(&mut objects, tree, d)? {
                    Some(t) => t,
                    None => return Ok(None),
                },
                None => tree,
            };
            if let Some(hit) = by_dir.get(&dir_tree) {
                return Ok(*hit);
            }
            let blob = folder_index::file_in(&mut objects, dir_tree, file)?;
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
                // The loop above stopped at a parent whose answer is known.
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

    /// Whether a file of the agreements folder is better read alone along `g` than through
    /// the folder-change index: the index is neither built for `g` nor kept on disk, and git's
    /// commit-graph has changed-path Bloom filters.
    fn one_file_first(&self, g: &Graph) -> bool {
        g.folders.get().is_none()
            && g.commit_graph.as_ref().is_some_and(|c| c.has_bloom_filters())
            && (super::cache::no_cache()
                || !self.state_dir().join(super::folder_index::FILE).exists())
    }

    /// Whether `blob` was the file at `path` in any commit of `g`: a position's revision must be
    /// a revision of its own agreement. One pass over the graph per folder serves every file in
    /// it: Bloom filters skip commits that did not touch the folder, and each distinct folder
    /// tree is read once.
    pub fn is_revision(&self, g: &Graph, path: &str, blob: Oid) -> Result<bool> {
        let (dir, file) = match path.rsplit_once('/') {
            Some((d, f)) => (d, f),
            None => ("", path),
        };
        // A poisoned lock only means another thread panicked while holding it; the map itself
        // holds complete entries only.
        let known = g.revisions.lock().unwrap_or_else(PoisonError::into_inner).get(dir).cloned();
        let set = match known {
            Some(s) => s,
            None => {
                let s = Arc::new(if dir == self.dir {
                    self.folder_view(g)?.history(g)
                } else {
                    self.folder_history(g, dir)?
                });
                g.revisions
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(dir.to_string(), s.clone());
                s
            }
        };
        Ok(set.contains(&(file.to_string(), blob)))
    }

    fn folder_history(&self, g: &Graph, dir: &str) -> Result<FolderHistory> {
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
            if let Some(t) = subtree(&self.repo.find_tree(node.tree)?, dir)? {
                dir_trees.insert(t);
            }
        }
        let mut out = HashSet::new();
        for t in dir_trees {
            let tree = self.repo.find_tree(t)?;
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
