//! The positions reachable from one tip, already in SPEC §4's order, remembered so that the
//! next `status` or `sign` at the same tip — or at a tip that only added commits on top of it
//! in a straight line — needs no walk of history at all.
//!
//! Like the event cache, it is never the source of truth: it is keyed by the tip commit, a file
//! that is missing, corrupt or from another version is ignored, and any other tip falls back to
//! the full walk (which writes a new snapshot).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use git2::{ErrorCode, Oid};

use super::cache::{header, open_sealed, put_positions, put_str, read_positions, seal};
use super::graph::Graph;
use super::raw_commit::{classify, parse_commit, CommitKind};
use super::Store;
use crate::error::Result;
use crate::ledger::Position;
use crate::model::Agreement;

const FILE: &str = "snapshot-v2.bin";
const MAGIC: &[u8; 8] = b"ACCRDSNA";
/// A straight run of new commits: the tip's tree, the positions among them (newest first),
/// whether any changed the agreements folder, and whether every one of them is an ordinary
/// commit (says nothing to accord).
type StraightRun = (Oid, Vec<Arc<Position>>, bool, bool);

/// What a remembered fact that an id was never renamed away starts with: such facts are
/// dropped once a commit changes the agreements folder (a later rename may make them wrong).
pub const NOT_RENAMED: &str = "not-renamed:";

/// Longest straight run of new commits followed on top of a snapshot before walking instead.
const MAX_EXTENSION: usize = 2_000;

struct Snapshot {
    /// What the history looked like beyond the tip: the `shallow` file's fingerprint, so that a
    /// deepened or unshallowed clone at the same tip is walked again.
    horizon: u64,
    tip: Oid,
    tip_tree: Oid,
    truncated: bool,
    positions: Vec<Arc<Position>>,
    /// Meaning fingerprints of revisions, by blob id (`None`: does not parse).
    meanings: HashMap<Oid, Option<Oid>>,
    /// Facts remembered about objects at this tip, as (what, object) pairs (`History::knows`).
    proven: HashSet<(String, Oid)>,
    /// Agreements that loaded and validated, by blob id (same bytes, same answer).
    agreements: HashMap<Oid, Agreement>,
}

fn decode(data: &[u8]) -> Option<Snapshot> {
    let mut r = open_sealed(data, MAGIC)?;
    let horizon = u64::from_le_bytes(r.take(8)?.try_into().ok()?);
    let tip = r.oid()?;
    let tip_tree = r.oid()?;
    let truncated = r.u8()? != 0;
    let positions = read_positions(&mut r)?;
    let m = r.u32()? as usize;
    let mut meanings = HashMap::with_capacity(m.min(1 << 22));
    for _ in 0..m {
        let blob = r.oid()?;
        let fp = match r.u8()? {
            0 => None,
            _ => Some(r.oid()?),
        };
        meanings.insert(blob, fp);
    }
    let k = r.u32()? as usize;
    let mut proven = HashSet::with_capacity(k.min(1 << 22));
    for _ in 0..k {
        let path = r.string()?;
        proven.insert((path, r.oid()?));
    }
    let json = r.string()?;
    let agreements: HashMap<String, Agreement> = serde_json::from_str(&json).ok()?;
    let agreements =
        agreements.into_iter().filter_map(|(k, v)| Some((Oid::from_str(&k).ok()?, v))).collect();
    (r.at == r.data.len()).then_some(Snapshot {
        horizon,
        tip,
        tip_tree,
        truncated,
        positions,
        meanings,
        proven,
        agreements,
    })
}

fn encode(s: &Snapshot) -> Vec<u8> {
    let mut out = header(MAGIC, s.positions.len() * 160);
    out.extend_from_slice(&s.horizon.to_le_bytes());
    out.extend_from_slice(s.tip.as_bytes());
    out.extend_from_slice(s.tip_tree.as_bytes());
    out.push(s.truncated as u8);
    put_positions(&mut out, s.positions.iter().map(|p| &**p));
    out.extend_from_slice(&(s.meanings.len() as u32).to_le_bytes());
    for (blob, fp) in &s.meanings {
        out.extend_from_slice(blob.as_bytes());
        match fp {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                out.extend_from_slice(v.as_bytes());
            }
        }
    }
    out.extend_from_slice(&(s.proven.len() as u32).to_le_bytes());
    for (path, blob) in &s.proven {
        put_str(&mut out, path);
        out.extend_from_slice(blob.as_bytes());
    }
    let agreements: HashMap<String, &Agreement> =
        s.agreements.iter().map(|(k, v)| (k.to_string(), v)).collect();
    put_str(&mut out, &serde_json::to_string(&agreements).unwrap_or_else(|_| "{}".into()));
    out
}

fn load(dir: &Path) -> Option<Snapshot> {
    if super::cache::no_cache() {
        return None;
    }
    decode(&super::cache::read(dir.join(FILE)).ok()?)
}

fn save(dir: &Path, s: &Snapshot) {
    if !super::cache::no_cache() {
        seal(dir, FILE, encode(s));
    }
}

/// The standing positions reachable from a tip — for each agreement and email, the newest
/// position in SPEC §4's order, which is all that decides a state — with the full graph walked
/// only when someone needs it.
pub struct History<'s> {
    store: &'s Store,
    pub tip: Oid,
    tip_tree: Oid,
    pub positions: Vec<Arc<Position>>,
    /// History ended early (shallow clone, missing objects).
    pub truncated: bool,
    /// The snapshot's tip, when this history only added commits on top of it in a straight
    /// line, none of them a position and none changing the agreements folder: then whatever
    /// was counted there counts here too ([`Store::counted_carried`]).
    pub carried_from: Option<Oid>,
    graph: OnceLock<Arc<Graph>>,
    meanings: RefCell<HashMap<Oid, Option<Oid>>>,
    proven: RefCell<HashSet<(String, Oid)>>,
    agreements: RefCell<HashMap<Oid, Agreement>>,
    meanings_changed: RefCell<bool>,
}

impl<'s> History<'s> {
    /// The full graph, walked on first use.
    pub fn graph(&self) -> Result<&Graph> {
        if let Some(g) = self.graph.get() {
            return Ok(g);
        }
        let g = self.store.shared_graph(self.tip)?;
        Ok(self.graph.get_or_init(|| g))
    }

    /// The meaning fingerprint of a revision, computed by `f` once and remembered.
    pub fn meaning(&self, blob: Oid, f: impl FnOnce() -> Option<Oid>) -> Option<Oid> {
        if let Some(v) = self.meanings.borrow().get(&blob) {
            return *v;
        }
        let v = f();
        self.meanings.borrow_mut().insert(blob, v);
        *self.meanings_changed.borrow_mut() = true;
        v
    }

    /// The meaning fingerprint of a revision, computed by `f` once and remembered; an error
    /// from `f` is returned and nothing is remembered, and so is nothing when `f` answers
    /// `None`: the repository does not hold the text (a fetch may bring it back, and a text
    /// that is missing does not mean "does not parse" for good).
    pub fn meaning_or(
        &self,
        blob: Oid,
        f: impl FnOnce() -> Result<Option<Option<Oid>>>,
    ) -> Result<Option<Oid>> {
        if let Some(v) = self.meanings.borrow().get(&blob) {
            return Ok(*v);
        }
        let Some(v) = f()? else { return Ok(None) };
        self.meanings.borrow_mut().insert(blob, v);
        *self.meanings_changed.borrow_mut() = true;
        Ok(v)
    }

    /// The agreement in `blob`, from memory when it loaded cleanly before, else from `load`.
    pub fn agreement(
        &self,
        blob: impl Into<Oid>,
        load: impl FnOnce() -> Result<Agreement>,
    ) -> Result<Agreement> {
        let blob: Oid = blob.into();
        if let Some(a) = self.agreements.borrow().get(&blob) {
            return Ok(a.clone());
        }
        let a = load()?;
        self.agreements.borrow_mut().insert(blob, a.clone());
        *self.meanings_changed.borrow_mut() = true;
        Ok(a)
    }

    /// Whether the agreement at `blob` is remembered (so [`History::agreement`] loads nothing).
    pub fn has_agreement(&self, blob: impl Into<Oid>) -> bool {
        self.agreements.borrow().contains_key(&blob.into())
    }

    /// Whether the fact `what` about `object` was remembered at this tip (for example
    /// `"in-force:<id>"` for a revision whose history never changed the rules).
    pub fn knows(&self, what: &str, object: impl Into<Oid>) -> bool {
        self.proven.borrow().contains(&(what.to_string(), object.into()))
    }

    /// Remember the fact `what` about `object` for the next run at this tip (or a straight
    /// run of commits on top of it).
    pub fn remember(&self, what: &str, object: impl Into<Oid>) {
        self.proven.borrow_mut().insert((what.to_string(), object.into()));
        *self.meanings_changed.borrow_mut() = true;
    }

    /// Remember new meaning fingerprints and proofs for the next run.
    pub fn save(&self) {
        if *self.meanings_changed.borrow() {
            self.persist();
        }
    }

    fn persist(&self) {
        let s = Snapshot {
            horizon: self.store.history_horizon(),
            tip: self.tip,
            tip_tree: self.tip_tree,
            truncated: self.truncated,
            positions: self.positions.clone(),
            meanings: self.meanings.borrow().clone(),
            proven: self.proven.borrow().clone(),
            agreements: self.agreements.borrow().clone(),
        };
        save(&self.store.state_dir(), &s);
    }
}

/// Keep the first position of each (agreement, email): the standing one.
fn standing(positions: Vec<Arc<Position>>) -> Vec<Arc<Position>> {
    let mut seen = std::collections::HashSet::new();
    positions
        .into_iter()
        .filter(|p| {
            seen.insert((p.trailers.agreement.clone(), crate::model::email_key(&p.trailers.email)))
        })
        .collect()
}

impl Store {
    /// The positions reachable from `tip`, newest first: from the snapshot when it is at this
    /// tip, extended by a straight run of new commits when `tip` only added those, else by a
    /// full walk.
    pub fn history(&self, tip: impl Into<Oid>) -> Result<History<'_>> {
        let tip: Oid = tip.into();
        let horizon = self.history_horizon();
        let snap = load(&self.state_dir()).filter(|s| s.horizon == horizon);
        let make = |tip_tree,
                    positions,
                    truncated,
                    meanings,
                    proven,
                    agreements,
                    graph: Option<Arc<Graph>>| {
            let h = History {
                store: self,
                tip,
                tip_tree,
                positions,
                truncated,
                carried_from: None,
                graph: OnceLock::new(),
                meanings: RefCell::new(meanings),
                proven: RefCell::new(proven),
                agreements: RefCell::new(agreements),
                meanings_changed: RefCell::new(false),
            };
            if let Some(g) = graph {
                let _ = h.graph.set(g);
            }
            h
        };
        if let Some(s) = snap {
            if s.tip == tip {
                return Ok(make(
                    s.tip_tree,
                    s.positions,
                    s.truncated,
                    s.meanings,
                    s.proven,
                    s.agreements,
                    None,
                ));
            }
            if let Some((tree, mut new, folder_moved, _)) =
                self.straight_run(tip, s.tip, s.tip_tree)?
            {
                // Nothing counting reads changed: no new position, the same agreements folder.
                let carried = new.is_empty() && !folder_moved;
                new.extend(s.positions);
                // What was found of renames holds while no commit changed the folder.
                let mut proven = s.proven;
                if folder_moved {
                    proven.retain(|(what, _)| !what.starts_with(NOT_RENAMED));
                }
                let mut h =
                    make(tree, standing(new), s.truncated, s.meanings, proven, s.agreements, None);
                h.carried_from = carried.then_some(s.tip);
                h.persist();
                return Ok(h);
            }
        }
        let graph = self.graph(tip)?;
        let positions: Vec<Arc<Position>> = graph
            .order(|n| matches!(n.accord, CommitKind::Position(_)))
            .into_iter()
            .filter_map(|i| match &graph.nodes[i as usize].accord {
                CommitKind::Position(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        let tree = graph.nodes.first().map_or_else(Oid::zero, |n| n.tree);
        let truncated = graph.truncated;
        let h = make(
            tree,
            standing(positions),
            truncated,
            HashMap::new(),
            HashSet::new(),
            HashMap::new(),
            Some(graph),
        );
        h.persist();
        Ok(h)
    }

    /// The agreements folder's entry in `tree` (`Some(None)`: no such folder), `None` when
    /// the tree cannot be read.
    fn folder_in(&self, tree: Oid) -> Option<Option<Oid>> {
        let tree = self.repo.find_tree(tree).ok()?;
        match tree.get_path(Path::new(&self.dir)) {
            Ok(entry) => Some(Some(entry.id())),
            Err(e) if e.code() == ErrorCode::NotFound => Some(None),
            Err(_) => None,
        }
    }

    /// When `tip` descends from `base` through commits with one parent each, the positions among
    /// them (newest first), `tip`'s tree, and whether any of them changed the agreements folder
    /// (or it could not be told). A position there comes before every older one in SPEC §4's
    /// order, since each is a descendant of all of them.
    fn straight_run(&self, tip: Oid, base: Oid, base_tree: Oid) -> Result<Option<StraightRun>> {
        let odb = self.repo.odb()?;
        let mut chain = Vec::new(); // (tree, accord), newest first
        let mut at = tip;
        while at != base {
            if chain.len() >= MAX_EXTENSION {
                return Ok(None);
            }
            let obj = match odb.read(at) {
                Ok(o) => o,
                Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            let raw = parse_commit(obj.data());
            let [parent] = raw.parents[..] else { return Ok(None) };
            let tree = raw.tree.unwrap_or_else(Oid::zero);
            chain.push((tree, classify(at, &raw)));
            at = parent;
        }
        let tip_tree = chain.first().map_or(base_tree, |c| c.0);
        let base_folder = self.folder_in(base_tree);
        let folder_moved = base_folder.is_none()
            || chain.iter().any(|(tree, _)| self.folder_in(*tree) != base_folder);
        let ordinary = chain.iter().all(|(_, accord)| matches!(accord, CommitKind::Other));
        let mut positions = Vec::new();
        for (k, (tree, accord)) in chain.iter().enumerate() {
            let parent_tree = chain.get(k + 1).map_or(base_tree, |c| c.0);
            if let CommitKind::Position(p) = accord {
                // The structural rule: a position's tree is its parent's tree.
                if *tree == parent_tree {
                    positions.push(p.clone());
                }
            }
        }
        Ok(Some((tip_tree, positions, folder_moved, ordinary)))
    }

    /// Whether `tip` only added ordinary commits on top of `base` in a straight line, none of
    /// them changing the agreements folder: then every agreement's history (its edits, the
    /// positions reachable, the texts it had and when) is at `tip` what it was at `base`.
    /// (With one parent each, the new commits come before every older one in SPEC §4's order,
    /// and the older ones keep their order among themselves.) `false` when it cannot be told.
    pub(super) fn quiet_since(&self, base: Oid, tip: Oid) -> bool {
        // Asked once for each memo of the timeline cache: found once.
        if let Some((b, t, dir, quiet)) = &*self.quiet_memo.borrow() {
            if (*b, *t) == (base, tip) && *dir == self.dir {
                return *quiet;
            }
        }
        let (Ok(commit), Ok(newer)) = (self.repo.find_commit(base), self.repo.find_commit(tip))
        else {
            return false;
        };
        // Asked of an older commit (`review`'s base after its head), no walk back at all.
        let quiet = newer.time().seconds() >= commit.time().seconds()
            && matches!(
                self.straight_run(tip, base, commit.tree_id()),
                Ok(Some((_, _, false, true)))
            );
        *self.quiet_memo.borrow_mut() = Some((base, tip, self.dir.clone(), quiet));
        quiet
    }
}
