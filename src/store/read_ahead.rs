//! Reading ahead for a cold evaluation: every text the agreements had is read, parsed and
//! fingerprinted on a thread of its own, started as soon as the walk has found the agreements'
//! edits (while the walk's messages are still read, [`super::Meanwhile::Texts`]), and
//! on this thread too once it has read the positions branch (mostly read ahead already,
//! `prefetch.rs`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use git2::Oid;

use super::pack::{Objects, Packs};
use super::{fingerprint, Graph, History, Store};
use crate::error::Result;
use crate::model::{self, Agreement};
use crate::oid::ObjectId;

type Parsed = (Oid, String, Option<Agreement>, Option<ObjectId>);

/// Texts being read on a thread of its own: both it and whoever joins take the next
/// agreement's texts from `todo` until none is left.
pub(super) struct TextsAhead {
    /// Which agreements, in the order asked.
    ids: Vec<String>,
    work: Arc<Work>,
    worker: JoinHandle<Result<Vec<Parsed>>>,
}

/// One agreement's texts (path, blobs newest first: mostly one chain of deltas in the pack)
/// after another, and the next to take.
struct Work {
    todo: Vec<(String, Vec<Oid>)>,
    next: AtomicUsize,
}

impl Work {
    /// Read, parse and fingerprint texts until none is left to take.
    fn run(&self, objects: &mut Objects) -> Result<Vec<Parsed>> {
        let mut out = Vec::new();
        while let Some((path, blobs)) = self.todo.get(self.next.fetch_add(1, Ordering::Relaxed)) {
            for &blob in blobs {
                if let Some((git2::ObjectType::Blob, bytes)) = objects.read(blob)? {
                    let a = model::parse(&bytes, path).ok();
                    let m = a.as_ref().and_then(|a| fingerprint(a).ok());
                    out.push((blob, path.clone(), a, m));
                }
            }
        }
        Ok(out)
    }
}

impl Store {
    /// Have the next walk build the folder-change index while its messages are read, and then
    /// start reading the texts the agreements `ids` had, when no index is kept yet (a cold
    /// run, which will need both; a kept index is read in a moment).
    pub fn texts_meanwhile(&self, ids: &[String]) {
        if super::cache::no_cache() || !self.state_dir().join(super::folder_index::FILE).exists() {
            self.meanwhile.set(super::Meanwhile::Texts(ids.to_vec()));
        }
    }

    /// Forget work asked of a walk that did not happen.
    pub fn nothing_meanwhile(&self) {
        self.meanwhile.set(super::Meanwhile::Nothing);
    }

    /// Start reading every text the files of `ids` had along `g` that this process has not
    /// parsed yet, on a thread of its own; [`Store::read_ahead`] joins in and takes the
    /// answers. Once per process (a second call changes nothing).
    pub(super) fn start_texts(&self, g: &Graph, ids: &[String]) -> Result<()> {
        if self.texts_ahead.borrow().is_some() {
            return Ok(());
        }
        let t0 = std::time::Instant::now();
        let edits = self.folder_edits(g)?;
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
        let work = Arc::new(Work { todo, next: AtomicUsize::new(0) });
        let (packs, path, theirs): (Arc<Packs>, _, _) =
            (self.packs(), self.repo.path().to_path_buf(), work.clone());
        let worker = std::thread::spawn(move || theirs.run(&mut Objects::at(&packs, &path)));
        *self.texts_ahead.borrow_mut() = Some(TextsAhead { ids: ids.to_vec(), work, worker });
        Ok(())
    }

    /// Read, parse and fingerprint every text the files of `ids` had along `history`'s graph
    /// that this process has not parsed yet: on a thread of its own (started already by the
    /// walk, or now), and on this one once it has read the positions branch `branch` as seen
    /// from `hide` (that answer is remembered, so the caller's next
    /// [`Store::branch_positions`] with the same arguments reads nothing).
    pub fn read_ahead(
        &self,
        history: &History,
        ids: &[&str],
        branch: &str,
        hide: ObjectId,
    ) -> Result<()> {
        let t0 = std::time::Instant::now();
        // Texts started for other agreements are left to finish unread (the walk starts them
        // for the agreements evaluated, so this does not happen).
        let started = self.texts_ahead.borrow_mut().take();
        let ahead = match started {
            Some(a) if a.ids.iter().map(String::as_str).eq(ids.iter().copied()) => a,
            _ => {
                let owned: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
                self.start_texts(history.graph()?, &owned)?;
                self.texts_ahead.borrow_mut().take().expect("just started")
            }
        };
        let on_branch = self.branch_positions(branch, Some(hide));
        let mine = match self.repo.odb() {
            Ok(odb) => ahead.work.run(&mut Objects::new(&self.packs(), odb)),
            Err(e) => Err(e.into()),
        };
        let theirs = ahead.worker.join();
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
