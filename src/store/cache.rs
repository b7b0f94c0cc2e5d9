//! The event cache: what accord learnt from each commit object it read (parents, tree, time,
//! and what the message says to accord), kept under `<git dir>/accord/` so the next run reads
//! only commits that are new since.
//!
//! Commit ids name immutable objects, so an entry can never be wrong — only missing. The cache
//! is never the source of truth: a missing, truncated, corrupt or foreign-version file is
//! ignored and rebuilt, and entries for commits that are no longer reachable (after a rebase,
//! reset or amend) are pruned when they pile up. Writes go to a temporary file that is renamed
//! into place, so readers never see half a file and concurrent writers cannot corrupt it.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use git2::Oid;

use super::walk::{Accord, Graph};
use crate::ledger::Position;
use crate::trailers::{Stance, Trailers};

const FILE: &str = "events-v1.bin";
const MAGIC: &[u8; 8] = b"ACCRDEV1";

#[derive(Debug, Clone)]
pub struct Cached {
    pub tree: Oid,
    pub parents: Vec<Oid>,
    pub time: i64,
    pub accord: Accord,
}

#[derive(Default)]
pub struct Cache {
    entries: HashMap<Oid, Cached>,
    changed: bool,
}

pub(super) fn fnv(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

pub(super) struct Reader<'a> {
    pub data: &'a [u8],
    pub at: usize,
}

impl Reader<'_> {
    pub(super) fn take(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.data.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    pub(super) fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    pub(super) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    pub(super) fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    pub(super) fn oid(&mut self) -> Option<Oid> {
        Oid::from_bytes(self.take(20)?).ok()
    }
    pub(super) fn string(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

pub(super) fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn stance_code(s: Stance) -> u8 {
    match s {
        Stance::Sign => 0,
        Stance::Object => 1,
        Stance::Abstain => 2,
        Stance::Withdraw => 3,
    }
}

/// A position's fields after its commit id and time, which the caller stores.
pub(super) fn put_position(out: &mut Vec<u8>, p: &Position) {
    out.push(stance_code(p.trailers.stance));
    for s in [
        &p.trailers.agreement,
        &p.trailers.revision,
        &p.trailers.name,
        &p.trailers.email,
        &p.author_name,
        &p.author_email,
        &p.note,
    ] {
        put_str(out, s);
    }
}

pub(super) fn read_position(r: &mut Reader, id: Oid, time: i64) -> Option<Position> {
    let stance = *Stance::ALL.get(r.u8()? as usize)?;
    let agreement = r.string()?;
    let revision = r.string()?;
    let name = r.string()?;
    let email = r.string()?;
    let author_name = r.string()?;
    let author_email = r.string()?;
    let note = r.string()?;
    Some(Position {
        commit: id.to_string(),
        time,
        author_name,
        author_email,
        trailers: Trailers { stance, agreement, revision, name, email },
        note,
    })
}

fn decode(data: &[u8]) -> Option<HashMap<Oid, Cached>> {
    if data.len() < 16 || &data[..8] != MAGIC {
        return None;
    }
    let (body, sum) = data.split_at(data.len() - 8);
    if fnv(body).to_le_bytes() != sum {
        return None;
    }
    let mut r = Reader { data: body, at: 8 };
    if r.string()? != env!("CARGO_PKG_VERSION") {
        return None;
    }
    let count = r.u32()? as usize;
    let mut entries = HashMap::with_capacity(count.min(1 << 22));
    for _ in 0..count {
        let id = r.oid()?;
        let tree = r.oid()?;
        let time = r.i64()?;
        let n = r.u8()? as usize;
        let mut parents = Vec::with_capacity(n);
        for _ in 0..n {
            parents.push(r.oid()?);
        }
        let accord = match r.u8()? {
            0 => Accord::None,
            1 => Accord::Position(std::sync::Arc::new(read_position(&mut r, id, time)?)),
            2 => Accord::Malformed(r.string()?),
            _ => return None,
        };
        entries.insert(id, Cached { tree, parents, time, accord });
    }
    (r.at == body.len()).then_some(entries)
}

fn encode(entries: &HashMap<Oid, Cached>) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * 64);
    out.extend_from_slice(MAGIC);
    put_str(&mut out, env!("CARGO_PKG_VERSION"));
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for (id, c) in entries {
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(c.tree.as_bytes());
        out.extend_from_slice(&c.time.to_le_bytes());
        let parents = &c.parents[..c.parents.len().min(255)];
        out.push(parents.len() as u8);
        for p in parents {
            out.extend_from_slice(p.as_bytes());
        }
        match &c.accord {
            Accord::None => out.push(0),
            Accord::Position(p) => {
                out.push(1);
                put_position(&mut out, p);
            }
            Accord::Malformed(why) => {
                out.push(2);
                put_str(&mut out, why);
            }
        }
    }
    let sum = fnv(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

impl Cache {
    /// The cache in `dir`, or an empty one when it is missing or cannot be trusted.
    pub fn load(dir: &Path) -> Cache {
        if std::env::var_os("ACCORD_NO_CACHE").is_some() {
            return Cache::default();
        }
        let entries =
            std::fs::read(dir.join(FILE)).ok().and_then(|d| decode(&d)).unwrap_or_default();
        Cache { entries, changed: false }
    }

    pub fn get(&self, id: &Oid) -> Option<&Cached> {
        self.entries.get(id)
    }

    pub fn insert(&mut self, id: Oid, c: Cached) {
        self.entries.insert(id, c);
        self.changed = true;
    }

    /// Write the cache if this run learnt something; prune entries for commits outside `g`
    /// when they outnumber half of those inside. Failing to write is not an error: the cache
    /// is an optimisation.
    pub fn save_if_changed(mut self, dir: &Path, g: &Graph) {
        if !self.changed || std::env::var_os("ACCORD_NO_CACHE").is_some() {
            return;
        }
        let outside = self.entries.keys().filter(|id| !g.contains(id)).count();
        if outside > (self.entries.len() - outside) / 2 {
            self.entries.retain(|id, _| g.contains(id));
        }
        let data = encode(&self.entries);
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(dir)?;
            let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
            tmp.write_all(&data)?;
            tmp.persist(dir.join(FILE)).map_err(|e| e.error)?;
            Ok(())
        };
        let _ = write();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corruption() {
        let id = Oid::from_str("4b825dc642cb6eb9a060e54bf8d69288fbee4904").unwrap();
        let mut entries = HashMap::new();
        let position = Position {
            commit: id.to_string(),
            time: 42,
            author_name: "A".into(),
            author_email: "a@x".into(),
            trailers: Trailers {
                stance: Stance::Object,
                agreement: "t".into(),
                revision: id.to_string(),
                name: "A".into(),
                email: "a@x".into(),
            },
            note: "why\nnot".into(),
        };
        entries.insert(
            id,
            Cached {
                tree: id,
                parents: vec![id, id],
                time: 42,
                accord: Accord::Position(std::sync::Arc::new(position)),
            },
        );
        let data = encode(&entries);
        let back = decode(&data).expect("round trip");
        assert_eq!(back[&id].accord, entries[&id].accord);
        assert_eq!(back[&id].parents.len(), 2);
        for cut in [0, 7, 8, data.len() / 2, data.len() - 1] {
            assert!(decode(&data[..cut]).is_none(), "truncated at {cut}");
        }
        let mut flipped = data.clone();
        flipped[30] ^= 1;
        assert!(decode(&flipped).is_none());
    }
}
