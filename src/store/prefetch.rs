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

use super::branch_cache::list_from_graph;
use super::cache::Cached;
use super::pack::{Objects, Packs};
use super::walk::read_facts;
use super::CommitGraph;
use super::Store;
use crate::error::Result;

/// The commits read ahead, in the order the commit-graph listed them, once the thread is done.
pub(super) type ReadAhead = Vec<(Oid, Cached)>;

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

    /// What was read ahead (waiting for the thread); empty when nothing was started, or once
    /// taken.
    pub(super) fn take_read_ahead(&self) -> ReadAhead {
        let handle: Option<JoinHandle<ReadAhead>> =
            self.branch_ahead.borrow_mut().as_mut().and_then(Option::take);
        handle.and_then(|h| h.join().ok()).unwrap_or_default()
    }

    /// [`Store::read_commits`], taking what was read ahead first, in the order of `ids`.
    pub(super) fn read_commits_ahead(&self, ids: &[(u32, Oid)]) -> Result<Vec<(u32, Oid, Cached)>> {
        let ahead = self.take_read_ahead();
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

/// Every commit the commit-graph lists from `tips`, read; what cannot be listed or read is
/// left out (the cache reads it itself).
fn read_ahead(cg: &CommitGraph, path: PathBuf, packs: Arc<Packs>, tips: Vec<Oid>) -> ReadAhead {
    let mut objects = Objects::at(&packs, &path);
    let starts: Vec<u32> = tips.iter().filter_map(|t| cg.lookup(t.as_bytes())).collect();
    let Ok(listed) = list_from_graph(cg, &starts, |_| false) else { return ReadAhead::new() };
    let ids: Vec<Oid> = listed.into_iter().map(|(_, id, _)| id).collect();
    let located = packs.locate(&ids);
    let mut out = ReadAhead::with_capacity(ids.len());
    for (id, at) in ids.into_iter().zip(located) {
        if let Ok(Some(o)) = objects.read_shared_at(id, at) {
            if o.0 == git2::ObjectType::Commit {
                out.push((id, read_facts(id, &o.1)));
            }
        }
    }
    out
}
