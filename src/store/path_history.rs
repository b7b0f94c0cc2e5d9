//! Path history along a [`Graph`]: which blob a file was at each commit. Files of the
//! agreements folder are answered by the folder-change index (`folder_index.rs`), which reads
//! trees only for commits it has not seen before (or, on a first run with Bloom filters, alone
//! as other paths are). For other paths, changed-path Bloom filters from git's commit-graph skip
//! the commits that certainly did not touch the path; the others have their raw trees read
//! through the pack reader, each distinct folder tree once.
//!
//! A path that is absent from a commit is a legitimate "none"; any other failure to read a tree
//! is an error and is returned, never taken for an absent file.

use std::collections::HashMap;

use git2::Oid;

use super::folder_index;
use super::graph::Graph;
use super::pack::Objects;
use super::Store;
use crate::error::Result;

impl Store {
    /// For each node of `g`, the blob id at `path` (None where the file is absent). Commits
    /// whose changed-path Bloom filter rules the path out inherit their first parent's answer;
    /// the others look the path up in their tree.
    pub fn blobs_along(&self, g: &Graph, path: &str) -> Result<Vec<Option<Oid>>> {
        // Answered while this history's messages were read (`Meanwhile::Blobs`)?
        let ahead = self.blobs_ahead.borrow_mut().take();
        if let Some((tip, n, p, blobs)) = ahead {
            if g.nodes.first().map(|n| n.id) == Some(tip) && g.nodes.len() == n && p == path {
                return Ok(blobs);
            }
        }
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
        // The folder's tree in each root tree read so far (none: the folder is absent).
        let mut dir_of: HashMap<Oid, Option<Oid>> = HashMap::new();
        // Raw trees through the pack reader: nothing of the pack is mapped into the process.
        let packs = self.packs();
        let mut objects = Objects::new(&packs, self.repo.odb()?);
        let mut folder = |objects: &mut Objects, root: Oid| -> Result<Option<Oid>> {
            let Some(d) = dir else { return Ok(Some(root)) };
            if let Some(hit) = dir_of.get(&root) {
                return Ok(*hit);
            }
            let t = folder_index::subtree(objects, root, d)?;
            dir_of.insert(root, t);
            Ok(t)
        };
        let mut look = |objects: &mut Objects, dir_tree: Option<Oid>| -> Result<Option<Oid>> {
            let Some(dir_tree) = dir_tree else { return Ok(None) };
            if let Some(hit) = by_dir.get(&dir_tree) {
                return Ok(*hit);
            }
            let blob = folder_index::file_in(objects, dir_tree, file)?;
            by_dir.insert(dir_tree, blob);
            Ok(blob)
        };
        // Each node's answer, and whether it is known yet (a bit beside it rather than a third
        // state in the answer: the answers are the result, 21 bytes a commit).
        let mut out: Vec<Option<Oid>> = vec![None; n];
        let mut known = vec![false; n];
        let mut chain = Vec::new();
        for start in 0..n {
            if known[start] {
                continue;
            }
            // Follow first parents while the commit cannot have changed the file: its filter
            // rules the path out, or (a filter's false positive, a merge) its folder's tree is
            // its parent's, which git's own `log -- <path>` finds by the same comparison of
            // root trees. A folder's tree is read only where the chain ends: in a pack each
            // is the end of a delta chain some 50 deep, and the root trees of neighbouring
            // commits share theirs.
            chain.clear();
            chain.push(start);
            let mut at = start;
            let value = loop {
                let node = &g.nodes[at];
                let follows = inherits[at]
                    || (dir.is_some()
                        && !node.parents.is_empty()
                        && folder(&mut objects, node.tree)?
                            == folder(&mut objects, g.nodes[node.parents[0] as usize].tree)?);
                if !follows {
                    let d = folder(&mut objects, node.tree)?;
                    break look(&mut objects, d)?;
                }
                let p = node.parents[0] as usize;
                if known[p] {
                    break out[p];
                }
                chain.push(p);
                at = p;
            };
            for &i in &chain {
                out[i] = value;
                known[i] = true;
            }
        }
        Ok(out)
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
}
