//! The counted-positions cache: for one evaluated commit and one set of positions-branch tips,
//! the positions that count for each agreement (SPEC §4: those reachable from the commit and the
//! positions branch's that count there, in one order), kept in `<git dir>/accord/counted-v5.bin`.
//! A warm `status` then neither decodes the whole positions branch nor orders it: at a million
//! commits that branch holds 50,000 positions, of which a status needs only each party's newest.
//!
//! The file answers for the agreements it names: a `status` of every agreement writes them all,
//! a run over some (`sign`'s own check, `status <id>`) adds those. Only each email's first
//! counted position is kept per agreement (every state, objection and
//! outsider is decided by a party's first position in SPEC §4's order, by the one identity
//! rule), so the file grows with agreements and parties, not with positions; beside them, the
//! stamp of the newest position that is not under the agreement's own id on the positions
//! branch (where a new position there falls in the order depends on it, see
//! [`Store::counted_recorded`]). Like the other
//! caches it is never the source of truth: it is keyed by everything counting reads (the
//! commit, the agreements folder, the positions branch's name and every tip of it, local and
//! remote, and the shallow horizon); any other key, a damaged file or `ACCORD_NO_CACHE=1` means
//! counting again.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::cache::{header, open_sealed, put_positions, put_str, read_positions, seal};
use git2::Oid;

use super::raw_commit::{classify, parse_commit, CommitKind};
use super::Store;
use crate::error::Result;
use crate::ledger::Position;
use crate::model::email_key;
use crate::oid::ObjectId;

const FILE: &str = "counted-v5.bin";
const MAGIC: &[u8; 8] = b"ACCRDCTF";

/// Each agreement's counted positions (each email's first), newest first.
pub type Counted = HashMap<String, Vec<Arc<Position>>>;

/// The (committer time, commit) of a position: SPEC §4's order between the positions
/// reachable from a commit and the positions branch's.
pub type Stamp = (i64, ObjectId);

/// What the file says of one agreement: its counted positions (each email's first, newest
/// first) and the stamp of the newest position either reachable from the commit or on the
/// positions branch under an earlier id of the agreement (before a rename).
struct Entry {
    counted: Vec<Arc<Position>>,
    newest_other: Option<Stamp>,
}

impl Entry {
    /// The entry as an answer to remember again, for agreement `id`.
    fn learnt<'a>(&'a self, id: &'a str) -> Learnt<'a> {
        (id, self.counted.iter().map(|p| &**p).collect(), self.newest_other)
    }
}

/// One agreement's answer to remember: (id, each email's first counted position, the stamp
/// of the newest position reachable from the commit or on the branch under an earlier id).
pub type Learnt<'p> = (&'p str, Vec<&'p Position>, Option<Stamp>);

use super::cache::no_cache;

/// Of positions newest first, each email's first.
pub fn first_per_email<'p>(positions: &[&'p Position]) -> Vec<&'p Position> {
    let mut seen = HashSet::new();
    positions.iter().copied().filter(|p| seen.insert(email_key(&p.trailers.email))).collect()
}

impl Store {
    /// What counting at `commit` depends on besides the commit's own history, with the local
    /// positions branch at `local` when given (`Some(None)`: before it existed).
    fn counted_key(&self, commit: ObjectId, local: Option<Option<ObjectId>>) -> Result<Vec<u8>> {
        let branch = self.positions_branch();
        let mut refs = self.positions_refs(branch)?;
        if let Some(tip) = local {
            let name = format!("refs/heads/{branch}");
            refs.retain(|(n, _)| *n != name);
            refs.extend(tip.map(|t| (name, t)));
            refs.sort();
        }
        let mut key = Vec::new();
        put_str(&mut key, &self.dir);
        put_str(&mut key, branch);
        key.extend_from_slice(&self.history_horizon().to_le_bytes());
        key.extend_from_slice(commit.as_bytes());
        for (name, tip) in refs {
            put_str(&mut key, &name);
            key.extend_from_slice(tip.as_bytes());
        }
        Ok(key)
    }

    /// Everything that what the positions branch says at `commit` depends on: the agreements
    /// folder, the branch's name, the shallow horizon, `commit` and every tip of the branch.
    pub(super) fn positions_key(&self, commit: ObjectId) -> Result<Vec<u8>> {
        self.counted_key(commit, None)
    }

    /// After `recorded`, a position naming the text at `commit`, was put on the local positions
    /// branch: bring what is remembered about `commit` forward to the new tip (the position is
    /// the newest and counts there), so the next run need not count again. Does nothing unless
    /// the file was about `commit` and the tips just before.
    pub fn counted_recorded(&self, commit: ObjectId, recorded: ObjectId) -> Result<()> {
        if no_cache() {
            return Ok(());
        }
        let Ok(data) = super::cache::read(self.state_dir().join(FILE)) else { return Ok(()) };
        let odb = self.repo.odb()?;
        let object = odb.read(recorded.into())?;
        let raw = parse_commit(object.data());
        let CommitKind::Position(p) = classify(recorded.into(), &raw) else { return Ok(()) };
        let before = raw.parents.first().map(|&o| ObjectId::from(o));
        let Some(mut map) = decode(&data, &self.counted_key(commit, Some(before))?) else {
            return Ok(());
        };
        // It is the newest in SPEC §4's order only if it descends from every copy of the
        // branch: a remote copy it does not reach may hold a later clock.
        let local = format!("refs/heads/{}", self.positions_branch());
        for (name, tip) in self.positions_refs(self.positions_branch())? {
            let tip = Oid::from(tip);
            if name != local
                && tip != recorded.into()
                && !self.repo.graph_descendant_of(recorded.into(), tip)?
            {
                return Ok(());
            }
        }
        // An agreement the file does not answer for stays so (it is counted when asked for).
        // The position heads the branch's order under its id (it descends from every copy),
        // and SPEC §4's order takes a position reachable from `commit`, or one under an earlier
        // id of the agreement, before it only when that one's stamp is not below its own: so
        // when the newest of those is below it, the position comes first of all and the rest
        // keep their order; otherwise (a clock behind, or the same second and a smaller id)
        // the agreement is counted again.
        let agreement = p.trailers.agreement.clone();
        if let Some(entry) = map.get_mut(&agreement) {
            if entry.newest_other.is_some_and(|h| h >= (p.time, p.commit)) {
                map.remove(&agreement);
            } else {
                let key = email_key(&p.trailers.email);
                entry.counted.retain(|q| email_key(&q.trailers.email) != key);
                entry.counted.insert(0, p);
            }
        }
        let entries: Vec<Learnt> = map.iter().map(|(id, e)| e.learnt(id)).collect();
        // Keyed by the tip this position made, not the branch as it is now: another writer may
        // have moved it on already, and then the file is simply not used.
        self.write_counted(&self.counted_key(commit, Some(Some(recorded)))?, &entries);
        Ok(())
    }

    /// The remembered counted positions at `commit` with the positions branch as it is now,
    /// and the key that says so (for [`Store::remember_counted`]).
    pub fn counted_branch(&self, commit: ObjectId) -> Result<(Vec<u8>, Option<Counted>)> {
        let key = self.counted_key(commit, None)?;
        if no_cache() {
            return Ok((key, None));
        }
        let found =
            super::cache::read(self.state_dir().join(FILE)).ok().and_then(|d| decode(&d, &key));
        Ok((key, found.map(|m| m.into_iter().map(|(id, e)| (id, e.counted)).collect())))
    }

    /// The counted positions remembered at `before`, carried forward to `commit` (and
    /// remembered there under `key`, [`Store::counted_branch`]'s key for `commit`): for a
    /// `commit` that only added commits on top of `before` in a straight line, none of them a
    /// position and none changing the agreements folder ([`super::History::carried_from`]).
    /// Counting reads nothing else of the history: the same reachable positions, the same
    /// revisions of every agreement (the current ones current now, after every position), and
    /// the rest of the key (the folder's name, the positions branch's tips, the shallow
    /// horizon) must match the file's. `None` when the file was not about `before`.
    pub fn counted_carried(&self, before: ObjectId, key: &[u8]) -> Result<Option<Counted>> {
        if no_cache() {
            return Ok(None);
        }
        let Ok(data) = super::cache::read(self.state_dir().join(FILE)) else { return Ok(None) };
        let Some(map) = decode(&data, &self.counted_key(before, None)?) else { return Ok(None) };
        let entries: Vec<Learnt> = map.iter().map(|(id, e)| e.learnt(id)).collect();
        self.write_counted(key, &entries);
        super::trace("counted positions carried forward", std::time::Instant::now());
        Ok(Some(map.into_iter().map(|(id, e)| (id, e.counted)).collect()))
    }

    /// Remember the counted positions at `commit` (each email's first per agreement), counted
    /// from the branch as `key` saw it, beside what the file already answers for that key.
    /// Nothing is written when the branch moved meanwhile.
    pub fn remember_counted(&self, commit: ObjectId, key: &[u8], counted: &[Learnt]) -> Result<()> {
        if no_cache() || self.counted_key(commit, None)? != key {
            return Ok(());
        }
        let known =
            super::cache::read(self.state_dir().join(FILE)).ok().and_then(|d| decode(&d, key));
        let Some(known) = known else {
            self.write_counted(key, counted);
            return Ok(());
        };
        let mut all: Vec<Learnt> = known
            .iter()
            .filter(|(id, _)| !counted.iter().any(|(c, _, _)| c == id))
            .map(|(id, e)| e.learnt(id))
            .collect();
        all.extend(counted.iter().cloned());
        self.write_counted(key, &all);
        Ok(())
    }

    fn write_counted(&self, key: &[u8], counted: &[Learnt]) {
        let mut out = header(MAGIC, key.len() + counted.len() * 512);
        out.extend_from_slice(&(key.len() as u32).to_le_bytes());
        out.extend_from_slice(key);
        out.extend_from_slice(&(counted.len() as u32).to_le_bytes());
        for (id, positions, newest_other) in counted {
            put_str(&mut out, id);
            match newest_other {
                None => out.push(0),
                Some((time, commit)) => {
                    out.push(1);
                    out.extend_from_slice(&time.to_le_bytes());
                    out.extend_from_slice(commit.as_bytes());
                }
            }
            put_positions(&mut out, positions.iter().copied());
        }
        seal(&self.state_dir(), FILE, out);
    }
}

fn decode(data: &[u8], key: &[u8]) -> Option<HashMap<String, Entry>> {
    let mut r = open_sealed(data, MAGIC)?;
    let k = r.u32()? as usize;
    if r.take(k)? != key {
        return None;
    }
    let n = r.u32()? as usize;
    let mut out = HashMap::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let id = r.string()?;
        let newest_other = match r.take(1)?[0] {
            0 => None,
            1 => {
                let time = i64::from_le_bytes(r.take(8)?.try_into().ok()?);
                Some((time, ObjectId::from_bytes(r.take(20)?.try_into().ok()?)))
            }
            _ => return None,
        };
        out.insert(id, Entry { counted: read_positions(&mut r)?, newest_other });
    }
    (r.at == r.data.len()).then_some(out)
}
