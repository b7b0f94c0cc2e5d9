//! Reading the positions branch ahead. On a cold run (no positions-branch cache yet) every
//! commit of the branch must be read, and nothing about that depends on the working branch:
//! so a thread of its own reads the commits git's commit-graph lists for the branch's tips
//! while this one walks the working branch, reads its position messages and its agreements
//! folder. The positions-branch cache (`branch_cache.rs`) then takes what was read ahead
//! instead of reading it again, and reads itself whatever is missing; the thread only ever
//! saves work, it decides nothing.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use git2::Oid;

use super::branch_cache::{list_from_graph, prepare, Listed, Prepared};
use super::cache::Cached;
use super::pack::{Objects, Packs};
use super::walk::read_facts;
use super::CommitGraph;
use super::Store;
use crate::error::Result;

/// What the thread found, once it is done.
pub(super) struct ReadAhead {
    /// Where its listing started: the commit-graph positions of the branch's tips, sorted.
    starts: Vec<u32>,
    /// Every commit the commit-graph lists from there, as [`list_from_graph`] gives them.
    pub(super) listed: Vec<Listed>,
    /// Those commits, read, in the same order; what could not be read is left out. Empty
    /// when they were all read and made into `prepared`.
    pub(super) read: Vec<(Oid, Cached)>,
    /// The branch's answer when nothing of it is hidden ([`prepare`]).
    pub(super) prepared: Option<Prepared>,
}

impl ReadAhead {
    /// The commits read ahead, in the listing's order, whether or not they were prepared.
    pub(super) fn into_read(self) -> Vec<(Oid, Cached)> {
        match self.prepared {
            Some(p) => p.into_read(),
            None => self.read,
        }
    }

    /// Whether the listing is the one from `starts` (in any order).
    pub(super) fn lists_from(&self, starts: &[u32]) -> bool {
        let mut s = starts.to_vec();
        s.sort_unstable();
        s.dedup();
        s == self.starts
    }
}

impl Store {
    /// Start reading the positions branch ahead when its cache file is missing (or caching is
    /// off), the branch exists and git's commit-graph can list it; once per process.
    pub fn read_positions_branch_ahead(&self) {
        if self.branch_ahead.borrow().is_some() {
            return;
        }
        *self.branch_ahead.borrow_mut() = Some(None);
        let branch = self.positions_branch();
        if !super::cache::no_cache() && self.state_dir().join(super::branch_cache::FILE).exists() {
            return;
        }
        let Ok(refs) = self.positions_refs(branch) else { return };
        let tips: Vec<Oid> = refs.into_iter().map(|(_, t)| Oid::from(t)).collect();
        let packs = self.packs();
        if tips.is_empty() || packs.is_empty() {
            return;
        }
        // Every lookup of a cold run needs the packs' ids: they are read on a thread of their
        // own, on the core that is otherwise idle while this one reads the commit-graph.
        let loading = packs.clone();
        std::thread::spawn(move || loading.load_ids());
        let Some(cg) = self.commit_graph() else { return };
        let path = self.repo.path().to_path_buf();
        let handle = std::thread::spawn(move || read_ahead(&cg, path, packs, tips));
        *self.branch_ahead.borrow_mut() = Some(Some(handle));
    }

    /// For a caller that reads the positions branch after a walk of its own (`review`): read
    /// the branch ahead as [`Store::read_positions_branch_ahead`] does when its cache file is
    /// missing, else read that file, decode it and order its positions on a thread of its own
    /// while the walk goes on (a branch of 10,000 commits is 2 MB, decoded and ordered in some
    /// 4 ms). Once per process.
    pub fn read_positions_branch_file_ahead(&self) {
        let file = self.state_dir().join(super::branch_cache::FILE);
        if super::cache::no_cache() || !file.exists() {
            return self.read_positions_branch_ahead();
        }
        if self.branch_file_ahead.borrow().is_some() {
            return;
        }
        let (branch, horizon) = (self.positions_branch().to_string(), self.history_horizon());
        let read = move || super::branch_cache::read_file_ahead(&file, branch, horizon);
        // No thread to be had: the file is read when asked for.
        if let Ok(handle) = std::thread::Builder::new().spawn(read) {
            *self.branch_file_ahead.borrow_mut() = Some(handle);
        }
    }

    /// What was read ahead (waiting for the thread); `None` when nothing was started, or once
    /// taken.
    pub(super) fn take_read_ahead(&self) -> Option<ReadAhead> {
        let handle: Option<JoinHandle<Option<ReadAhead>>> =
            self.branch_ahead.borrow_mut().as_mut().and_then(Option::take);
        handle.and_then(|h| h.join().ok()).flatten()
    }

    /// [`Store::read_commits`], taking the commits in `ahead` (read ahead) first, in the order
    /// of `ids`.
    pub(super) fn read_commits_with(
        &self,
        ids: &[(u32, Oid)],
        ahead: Vec<(Oid, Cached)>,
    ) -> Result<Vec<(u32, Oid, Cached)>> {
        if ahead.is_empty() {
            return self.read_commits(ids);
        }
        // Mostly the same listing of the same tips: the same commits in the same order.
        if ahead.len() == ids.len()
            && ahead.iter().zip(ids).all(|((a, _), (_, b))| a.as_bytes() == b.as_bytes())
        {
            return Ok(ids
                .iter()
                .zip(ahead)
                .map(|(&(pos, id), (_, facts))| (pos, id, facts))
                .collect());
        }
        let mut ahead: HashMap<Oid, Cached> = ahead.into_iter().collect();
        let rest: Vec<(u32, Oid)> =
            ids.iter().filter(|(_, id)| !ahead.contains_key(id)).copied().collect();
        let mut read: HashMap<Oid, Cached> =
            self.read_commits(&rest)?.into_iter().map(|(_, id, facts)| (id, facts)).collect();
        Ok(ids
            .iter()
            .filter_map(|&(pos, id)| {
                let facts = ahead.remove(&id).or_else(|| read.remove(&id))?;
                Some((pos, id, facts))
            })
            .collect())
    }
}

/// Every commit the commit-graph lists from `tips`, read, with the listing; what cannot be read
/// is left out (the cache reads it itself), `None` when the commit-graph cannot list them.
fn read_ahead(
    cg: &CommitGraph,
    path: PathBuf,
    packs: Arc<Packs>,
    tips: Vec<Oid>,
) -> Option<ReadAhead> {
    let mut objects = Objects::at(&packs, &path).for_commits();
    let mut starts: Vec<u32> = tips.iter().filter_map(|t| cg.lookup(t.as_bytes())).collect();
    starts.sort_unstable();
    starts.dedup();
    let listed = list_from_graph(cg, &starts, |_| false).ok()?;
    let ids: Vec<Oid> = listed.iter().map(|(_, id, _)| *id).collect();
    let located = packs.locate(&ids);
    let mut read = Vec::with_capacity(ids.len());
    for (id, at) in ids.into_iter().zip(located) {
        if let Ok(Some(o)) = objects.read_shared_at(id, at) {
            if o.0 == git2::ObjectType::Commit {
                read.push((id, read_facts(id, &o.1)));
            }
        }
    }
    // The records and their order too: nothing in them depends on the evaluated history
    // unless it holds commits of the branch, which the caller finds out.
    let (read, prepared) = match prepare(&listed, read) {
        Ok(p) => (Vec::new(), Some(p)),
        Err(read) => (read, None),
    };
    Some(ReadAhead { starts, listed, read, prepared })
}
