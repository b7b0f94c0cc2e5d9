//! Reading ahead for a cold evaluation: every text the agreements had is read, parsed and
//! fingerprinted on a second thread while this one reads the positions branch (mostly read
//! ahead already, `prefetch.rs`), then on both.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use git2::Oid;

use super::pack::Objects;
use super::{fingerprint, History, Store};
use crate::error::Result;
use crate::model::{self, Agreement};
use crate::oid::ObjectId;

type Parsed = (Oid, String, Option<Agreement>, Option<ObjectId>);

impl Store {
    /// Read, parse and fingerprint every text the files of `ids` had along `history`'s graph
    /// that this process has not parsed yet: on a second thread, and on this one once it has
    /// read the positions branch `branch` as seen from `hide` (that answer is remembered, so
    /// the caller's next [`Store::branch_positions`] with the same arguments reads nothing).
    pub fn read_ahead(
        &self,
        history: &History,
        ids: &[&str],
        branch: &str,
        hide: ObjectId,
    ) -> Result<()> {
        let t0 = std::time::Instant::now();
        let edits = self.folder_edits(history.graph()?)?;
        // One agreement's texts, newest first: mostly one chain of deltas in the pack.
        let mut todo: Vec<(String, Vec<Oid>)> = Vec::new();
        for id in ids {
            let path = self.path_of(id);
            let blobs: Vec<Oid> = edits
                .blobs(&format!("{id}.toml"))
                .into_iter()
                .filter(|&blob| !self.parsed.borrow().contains_key(&(blob, path.clone())))
                .collect();
            if !blobs.is_empty() {
                todo.push((path, blobs));
            }
        }
        super::trace(&format!("read ahead: {} agreements' texts to read", todo.len()), t0);
        // Both threads take the next agreement's texts to read and parse until none is left;
        // this one first reads the positions branch.
        let next = AtomicUsize::new(0);
        let packs = self.packs();
        let work = |objects: &mut Objects| -> Result<Vec<Parsed>> {
            let mut out = Vec::new();
            while let Some((path, blobs)) = todo.get(next.fetch_add(1, Ordering::Relaxed)) {
                for &blob in blobs {
                    if let Some((git2::ObjectType::Blob, bytes)) = objects.read(blob)? {
                        let a = model::parse(&bytes, path).ok();
                        let m = a.as_ref().and_then(|a| fingerprint(a).ok());
                        out.push((blob, path.clone(), a, m));
                    }
                }
            }
            Ok(out)
        };
        let repo_path = self.repo.path().to_path_buf();
        let (theirs, mine, on_branch) = std::thread::scope(|s| {
            let worker =
                s.spawn(|| -> Result<Vec<Parsed>> { work(&mut Objects::at(&packs, &repo_path)) });
            let on_branch = self.branch_positions(branch, Some(hide));
            let mine = match self.repo.odb() {
                Ok(odb) => work(&mut Objects::new(&packs, odb)),
                Err(e) => Err(e.into()),
            };
            (worker.join(), mine, on_branch)
        });
        on_branch?;
        let mut parsed = theirs.map_err(|_| super::StoreError::ReaderPanicked)??;
        parsed.extend(mine?);
        let mut memo = self.parsed.borrow_mut();
        for (blob, path, a, m) in parsed {
            // As `AgreementRevisions` would remember it: a text that does not parse means nothing.
            if a.is_none() || m.is_some() {
                history.meaning(blob, || m.map(Oid::from));
            }
            memo.insert((blob, path), a.map(Arc::new));
        }
        super::trace("read ahead: texts parsed", t0);
        Ok(())
    }
}
