//! The life of one agreement in history: which commits edited it, which positions were taken on
//! it, in SPEC §4's order, and whether it was ratified after each event. Shared by `log`,
//! `history`, `diff`, `review` and `due`.

use std::collections::HashMap;

use git2::Oid;

use crate::error::Result;
use crate::ledger::{self, Position};
use crate::model::{self, Agreement};
use crate::rules;
use crate::store::{CommitKind, Graph, Store};

/// A commit that changed the agreement file.
#[derive(Debug, Clone)]
pub struct Edit {
    pub commit: Oid,
    pub time: i64,
    pub author_name: String,
    pub author_email: String,
    pub subject: String,
    /// The blob after the edit; `None` when the file was deleted.
    pub blob: Option<Oid>,
    /// The blob before it (at the first parent), `None` when the file was created.
    pub before: Option<Oid>,
}

#[derive(Debug, Clone)]
pub enum Event<'g> {
    Edit(Edit),
    Position(&'g Position),
}

impl Event<'_> {
    pub fn time(&self) -> i64 {
        match self {
            Event::Edit(e) => e.time,
            Event::Position(p) => p.time,
        }
    }
}

pub struct Timeline<'g> {
    pub id: String,
    pub path: String,
    /// Newest first.
    pub events: Vec<Event<'g>>,
    /// Parsed revisions, by blob id (`None`: does not parse as schema 1).
    parsed: HashMap<Oid, Option<Agreement>>,
    /// Meaning fingerprints, by blob id.
    meanings: HashMap<Oid, Option<Oid>>,
}

impl<'g> Timeline<'g> {
    pub fn build(store: &Store, graph: &'g Graph, id: &str) -> Result<Timeline<'g>> {
        let path = store.path_of(id);
        let blobs = store.blobs_along(graph, &path)?;
        let is_edit = |i: usize| -> bool {
            let node = &graph.nodes[i];
            if node.parents.is_empty() {
                // A root commit, or the edge of a shallow clone: the file appears here.
                return blobs[i].is_some();
            }
            node.parents.iter().all(|&p| blobs[p as usize] != blobs[i])
        };
        let edits: Vec<bool> = (0..graph.nodes.len()).map(is_edit).collect();
        let order = graph.order_by(|i| {
            edits[i as usize]
                || matches!(&graph.nodes[i as usize].accord, CommitKind::Position(p) if p.trailers.agreement == id)
        });
        let mut events = Vec::with_capacity(order.len());
        for i in order {
            let node = &graph.nodes[i as usize];
            match &node.accord {
                CommitKind::Position(p) if p.trailers.agreement == id => {
                    events.push(Event::Position(p))
                }
                _ => {
                    let commit = store.repo().find_commit(node.id)?;
                    let author = commit.author();
                    events.push(Event::Edit(Edit {
                        commit: node.id,
                        time: node.time,
                        author_name: author.name().unwrap_or("").to_string(),
                        author_email: author.email().unwrap_or("").to_string(),
                        subject: commit.summary().unwrap_or("").to_string(),
                        blob: blobs[i as usize],
                        before: node.parents.first().and_then(|&p| blobs[p as usize]),
                    }));
                }
            }
        }
        Ok(Timeline {
            id: id.to_string(),
            path,
            events,
            parsed: HashMap::new(),
            meanings: HashMap::new(),
        })
    }

    /// The agreement at a blob, parsed (without validation) and cached.
    pub fn agreement(&mut self, store: &Store, blob: Oid) -> Option<&Agreement> {
        if !self.parsed.contains_key(&blob) {
            let parsed = store
                .read_blob(blob)
                .ok()
                .flatten()
                .and_then(|bytes| model::parse(&bytes, &self.path).ok());
            self.parsed.insert(blob, parsed);
        }
        self.parsed.get(&blob).and_then(Option::as_ref)
    }

    /// The meaning fingerprint of the agreement at a blob, remembered.
    fn meaning(&mut self, store: &Store, blob: Oid) -> Option<Oid> {
        if let Some(m) = self.meanings.get(&blob) {
            return *m;
        }
        let m = self.agreement(store, blob).map(super::meaning_fingerprint);
        self.meanings.insert(blob, m);
        m
    }

    /// Every revision the file has had, oldest first, deduplicated.
    pub fn revisions(&self) -> Vec<Oid> {
        let mut seen = Vec::new();
        for e in self.events.iter().rev() {
            if let Event::Edit(Edit { blob: Some(b), .. }) = e {
                if !seen.contains(b) {
                    seen.push(*b);
                }
            }
        }
        seen
    }

    /// Replay the events oldest first; after each, whether the agreement stood ratified.
    /// Returns, aligned with `events` (newest first), `Some(ratified)` where the file existed.
    pub fn replay(&mut self, store: &Store) -> Vec<Option<bool>> {
        let revisions: std::collections::HashSet<Oid> = self.revisions().into_iter().collect();
        let mut out = vec![None; self.events.len()];
        let mut current: Option<Oid> = None;
        // Each party's latest position so far, by lower-cased email.
        let mut latest: HashMap<String, &'g Position> = HashMap::new();
        for k in (0..self.events.len()).rev() {
            match &self.events[k] {
                Event::Edit(e) => current = e.blob,
                Event::Position(p) => {
                    latest.insert(p.trailers.email.to_lowercase(), p);
                }
            }
            let Some(blob) = current else { continue };
            let Some(agreement) = self.agreement(store, blob).cloned() else {
                out[k] = Some(false);
                continue;
            };
            let positions: Vec<&Position> = latest.values().copied().collect();
            let meaning = self.meaning(store, blob);
            let mut same = |rev: &str| -> bool {
                let Ok(oid) = Oid::from_str(rev) else { return false };
                revisions.contains(&oid) && meaning.is_some() && self.meaning(store, oid) == meaning
            };
            let standings = ledger::standings(&agreement, &blob.to_string(), &positions, &mut same);
            out[k] = Some(rules::verdict(&agreement, &standings).ratified);
        }
        out
    }
}
