//! Reading ahead for a cold evaluation. libgit2 serialises reads of one pack, so a second
//! thread does not read objects faster; but parsing and fingerprinting agreement texts needs no
//! object database. So the texts are read first, then parsed on a second thread while this one
//! reads the positions branch.

use std::sync::Arc;

use git2::Oid;

use super::{fingerprint, History, Store};
use crate::error::Result;
use crate::model::{self, Agreement};
use crate::oid::ObjectId;

type Parsed = (Oid, String, Option<Agreement>, Option<ObjectId>);

impl Store {
    /// Parse and fingerprint every text the files of `ids` had along `history`'s graph that
    /// this process has not parsed yet, on a second thread, while this one reads the positions
    /// branch `branch` as seen from `hide` (its answer is remembered, so the caller's next
    /// [`Store::branch_positions`] with the same arguments reads nothing).
    pub fn read_ahead(
        &self,
        history: &History,
        ids: &[&str],
        branch: &str,
        hide: ObjectId,
    ) -> Result<()> {
        let t0 = std::time::Instant::now();
        let edits = self.folder_edits(history.graph()?)?;
        let mut todo: Vec<(Oid, String, Vec<u8>)> = Vec::new();
        let packs = self.packs();
        let mut objects = super::pack::Objects::new(&packs, self.repo.odb()?);
        for id in ids {
            let path = self.path_of(id);
            for blob in edits.blobs(&format!("{id}.toml")) {
                if self.parsed.borrow().contains_key(&(blob, path.clone())) {
                    continue;
                }
                if let Some((git2::ObjectType::Blob, bytes)) = objects.read(blob)? {
                    todo.push((blob, path.clone(), bytes));
                }
            }
        }
        super::trace(&format!("read ahead: {} texts read", todo.len()), t0);
        let (parsed, on_branch) = std::thread::scope(|s| {
            let worker = s.spawn(move || -> Vec<Parsed> {
                todo.into_iter()
                    .map(|(blob, path, bytes)| {
                        let a = model::parse(&bytes, &path).ok();
                        let m = a.as_ref().and_then(|a| fingerprint(a).ok());
                        (blob, path, a, m)
                    })
                    .collect()
            });
            let on_branch = self.branch_positions(branch, Some(hide));
            (worker.join(), on_branch)
        });
        on_branch?;
        let parsed = parsed.map_err(|_| super::StoreError::ReaderPanicked)?;
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
