//! The event cache: what accord learnt from each commit object it read (parents, tree, time,
//! and what the message says to accord), kept under `<git dir>/accord/` so the next run reads
//! only commits that are new since.
//!
//! Commit ids name immutable objects, so an entry can never be wrong — only missing. The cache
//! is never the source of truth: a missing, truncated, corrupt or foreign-version file is
//! ignored and rebuilt, and entries for commits that are no longer reachable (after a rebase,
//! reset or amend) are pruned when they pile up. Writes go to a temporary file that is renamed
//! into place, so readers never see half a file and concurrent writers cannot corrupt it.

use super::id_hash::{IdKey, IdMap};
use std::io::Write;
use std::path::Path;

use git2::Oid;

use super::graph::Graph;
use super::raw_commit::CommitKind;
use crate::ledger::Position;
use crate::trailers::{Stance, Trailers};

pub(super) const FILE: &str = "events-v2.bin";
const MAGIC: &[u8; 8] = b"ACCRDEV3";

#[derive(Debug, Clone)]
pub struct Cached {
    pub tree: Oid,
    pub parents: Vec<Oid>,
    pub time: i64,
    pub accord: CommitKind,
}

/// The cache file as read: entries stay encoded until asked for, so a run pays only for the
/// commits it needs; entries learnt in this run are kept decoded beside them.
#[derive(Default)]
pub struct Cache {
    data: Vec<u8>,
    /// Byte range of each stored entry in `data`, by id compared as bytes (git2's `==` on ids
    /// is a call into libgit2, asked once per commit a walk looks up).
    index: IdMap<IdKey, (usize, usize)>,
    fresh: IdMap<IdKey, Cached>,
}

/// The body of a file written by [`seal`], past its magic and version, when the magic, the
/// version (this build's) and the checksum all match.
pub(super) fn open_sealed<'a>(data: &'a [u8], magic: &[u8; 8]) -> Option<Reader<'a>> {
    if data.len() < 16 || &data[..8] != magic {
        return None;
    }
    let (body, sum) = data.split_at(data.len() - 8);
    if fnv(body).to_le_bytes() != sum {
        return None;
    }
    let mut r = Reader { data: body, at: 8 };
    if r.str_ref()? != env!("CARGO_PKG_VERSION") {
        return None;
    }
    Some(r)
}

/// The largest cache file read (a million commits' caches are some 21 MB together): a file
/// larger than this, or one that is not a plain file (a link to `/dev/zero`), is damaged and
/// is not read, so a cache file cannot make accord use memory in proportion to its size.
const MAX_CACHE_BYTES: u64 = 256 << 20;

/// Read a cache file, if it is a plain file of a size a cache can have (else an error, which
/// every reader takes as "no cache": it is rebuilt).
pub(super) fn read(path: impl AsRef<Path>) -> std::io::Result<Vec<u8>> {
    let path = path.as_ref();
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.is_file() || meta.len() > MAX_CACHE_BYTES {
        return Err(std::io::Error::other("not a cache file"));
    }
    // Read no more than the limit even when the file grew since it was measured.
    let mut data = Vec::with_capacity(meta.len() as usize);
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::fs::File::open(path)?, MAX_CACHE_BYTES + 1),
        &mut data,
    )?;
    if data.len() as u64 > MAX_CACHE_BYTES {
        return Err(std::io::Error::other("not a cache file"));
    }
    Ok(data)
}

/// Whether `ACCORD_NO_CACHE` says to neither read nor write any cache file.
pub(super) fn no_cache() -> bool {
    std::env::var_os("ACCORD_NO_CACHE").is_some()
}

/// Start a file: magic and this build's version.
pub(super) fn header(magic: &[u8; 8], capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity + 64);
    out.extend_from_slice(magic);
    put_str(&mut out, env!("CARGO_PKG_VERSION"));
    out
}

/// Finish a file with its checksum and put it in place atomically (a temporary file renamed
/// over the old one), so readers never see half a file. Failing is not an error: these files
/// are optimisations.
pub(super) fn seal(dir: &Path, file: &str, mut out: Vec<u8>) {
    let sum = fnv(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    let _ = put_in_place(dir, file, &out);
}

/// Write `bytes` as `dir/file` atomically: a temporary file in `dir` renamed over the old one.
pub(super) fn put_in_place(dir: &Path, file: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(dir.join(file)).map_err(|e| e.error)?;
    Ok(())
}

/// Whether two paths name one file (hard links to it): never, where that cannot be told.
pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// A 64-bit checksum of a file body, eight bytes at a time (FNV-1a over words).
pub(super) fn fnv(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut words = data.chunks_exact(8);
    for w in &mut words {
        h ^= u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    for b in words.remainder() {
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
    /// Skip a string without checking it (decoding checks it when the entry is used).
    fn skip_str(&mut self) -> Option<()> {
        let n = self.u32()? as usize;
        self.take(n).map(|_| ())
    }
    fn str_ref(&mut self) -> Option<&str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
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

/// How many strings [`put_position`] writes after the stance.
const POSITION_STRS: usize = 8;

/// A position's fields after its commit id and time, which the caller stores: the stance, then
/// [`POSITION_STRS`] strings.
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
    // The fingerprint, empty when the position has none (an id is never empty).
    put_str(out, p.trailers.meaning.as_deref().unwrap_or(""));
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
    let meaning = Some(r.string()?).filter(|m| !m.is_empty());
    Some(Position {
        commit: id.into(),
        time,
        author_name,
        author_email,
        trailers: Trailers { stance, agreement, revision, name, email, meaning },
        note,
    })
}

/// A list of positions with their commit ids and times: a count, then each.
pub(super) fn put_positions<'p>(
    out: &mut Vec<u8>,
    positions: impl ExactSizeIterator<Item = &'p Position>,
) {
    out.extend_from_slice(&(positions.len() as u32).to_le_bytes());
    for p in positions {
        out.extend_from_slice(p.commit.as_bytes());
        out.extend_from_slice(&p.time.to_le_bytes());
        put_position(out, p);
    }
}

/// A list written by [`put_positions`].
pub(super) fn read_positions(r: &mut Reader) -> Option<Vec<std::sync::Arc<Position>>> {
    let n = r.u32()? as usize;
    let mut out = Vec::with_capacity(n.min(1 << 22));
    for _ in 0..n {
        let id = r.oid()?;
        let time = r.i64()?;
        out.push(std::sync::Arc::new(read_position(r, id, time)?));
    }
    Some(out)
}

/// Skip one entry, checking it is well formed; its id.
fn skip_entry(r: &mut Reader) -> Option<IdKey> {
    let id = IdKey(r.take(20)?.try_into().ok()?);
    r.take(20 + 8)?;
    let n = r.u32()? as usize;
    r.take(20usize.checked_mul(n)?)?;
    match r.u8()? {
        0 => {}
        1 => {
            r.u8()?;
            for _ in 0..POSITION_STRS {
                r.skip_str()?;
            }
        }
        2 => r.skip_str()?,
        _ => return None,
    }
    Some(id)
}

fn decode_entry(r: &mut Reader, only: Option<&str>) -> Option<(Oid, Cached)> {
    let id = r.oid()?;
    let tree = r.oid()?;
    let time = r.i64()?;
    let n = r.u32()? as usize;
    let mut parents = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        parents.push(r.oid()?);
    }
    let accord = decode_kind(r, id, time, only)?;
    Some((id, Cached { tree, parents, time, accord }))
}

/// An entry's kind alone (the walk asks only that of most commits), `id` being its id.
fn decode_entry_kind(r: &mut Reader, id: Oid, only: Option<&str>) -> Option<CommitKind> {
    r.take(20 + 20)?;
    let time = r.i64()?;
    let n = r.u32()? as usize;
    r.take(20usize.checked_mul(n)?)?;
    decode_kind(r, id, time, only)
}

/// What a commit says to accord, the last part of an entry.
fn decode_kind(r: &mut Reader, id: Oid, time: i64, only: Option<&str>) -> Option<CommitKind> {
    Some(match r.u8()? {
        0 => CommitKind::Other,
        1 => {
            // Peek at the agreement: positions on others are not decoded when filtered out.
            let mut peek = Reader { data: r.data, at: r.at + 1 };
            match only {
                Some(a) if peek.str_ref()? != a => CommitKind::Other,
                _ => CommitKind::Position(std::sync::Arc::new(read_position(r, id, time)?)),
            }
        }
        2 => CommitKind::Malformed(r.string()?),
        _ => return None,
    })
}

fn encode_entry(out: &mut Vec<u8>, id: &IdKey, c: &Cached) {
    out.extend_from_slice(&id.0);
    out.extend_from_slice(c.tree.as_bytes());
    out.extend_from_slice(&c.time.to_le_bytes());
    out.extend_from_slice(&(c.parents.len() as u32).to_le_bytes());
    for p in &c.parents {
        out.extend_from_slice(p.as_bytes());
    }
    match &c.accord {
        CommitKind::Other => out.push(0),
        CommitKind::Position(p) => {
            out.push(1);
            put_position(out, p);
        }
        CommitKind::Malformed(why) => {
            out.push(2);
            put_str(out, why);
        }
    }
}

/// Check a cache file and index its entries; `None` when it cannot be trusted.
fn index(data: &[u8]) -> Option<IdMap<IdKey, (usize, usize)>> {
    let mut r = open_sealed(data, MAGIC)?;
    let count = r.u32()? as usize;
    let mut index = IdMap::with_capacity_and_hasher(count.min(1 << 22), Default::default());
    for _ in 0..count {
        let start = r.at;
        let id = skip_entry(&mut r)?;
        index.insert(id, (start, r.at));
    }
    (r.at == r.data.len()).then_some(index)
}

impl Cache {
    /// The cache in `dir`, or an empty one when it is missing or cannot be trusted.
    pub fn load(dir: &Path) -> Cache {
        if no_cache() {
            return Cache::default();
        }
        let Ok(data) = read(dir.join(FILE)) else { return Cache::default() };
        match index(&data) {
            Some(index) => Cache { data, index, fresh: IdMap::default() },
            None => Cache::default(),
        }
    }

    /// What the cache knows of a commit. With `only`, positions on other agreements come back
    /// as [`CommitKind::Other`] (cheaper, for commands about one agreement).
    pub fn get(&self, id: &Oid, only: Option<&str>) -> Option<Cached> {
        let key = IdKey::from(id);
        if let Some(c) = self.fresh.get(&key) {
            return Some(c.clone());
        }
        let &(start, _) = self.index.get(&key)?;
        decode_entry(&mut Reader { data: &self.data, at: start }, only).map(|(_, c)| c)
    }

    /// [`Cache::get`]'s [`CommitKind`] alone, without its tree and parents.
    pub fn kind(&self, id: &Oid, only: Option<&str>) -> Option<CommitKind> {
        let key = IdKey::from(id);
        if let Some(c) = self.fresh.get(&key) {
            return Some(c.accord.clone());
        }
        let &(start, _) = self.index.get(&key)?;
        decode_entry_kind(&mut Reader { data: &self.data, at: start }, *id, only)
    }

    /// Whether it knows nothing.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty() && self.fresh.is_empty()
    }

    pub fn insert(&mut self, id: Oid, c: Cached) {
        self.fresh.insert(IdKey::from(&id), c);
    }

    /// Room for `n` more entries learnt in this run, made once rather than by doubling.
    pub fn reserve(&mut self, n: usize) {
        self.fresh.reserve(n);
    }

    /// Write the cache if this run learnt something; prune entries for commits outside `g`
    /// when they outnumber half of those inside. Failing to write is not an error: the cache
    /// is an optimisation. The file is encoded and written on a thread of its own, returned to
    /// be waited for.
    pub fn save_if_changed(self, dir: &Path, g: &Graph) -> Option<std::thread::JoinHandle<()>> {
        if self.fresh.is_empty() || no_cache() {
            return None;
        }
        // Which stored entries the graph still reaches, without indexing every node of it
        // (none to look for on a first run).
        let inside: super::id_hash::IdSet<&IdKey> = match self.index.is_empty() {
            true => Default::default(),
            false => g
                .nodes
                .iter()
                .filter_map(|n| self.index.get_key_value(&IdKey::from(&n.id)).map(|(k, _)| k))
                .collect(),
        };
        let outside = self.index.len() - inside.len();
        let prune = outside > inside.len() / 2;
        let kept: Vec<(usize, usize)> = self
            .index
            .iter()
            .filter(|(id, _)| !self.fresh.contains_key(id) && (!prune || inside.contains(id)))
            .map(|(_, &range)| range)
            .collect();
        drop(inside);
        let dir = dir.to_path_buf();
        let write = move || {
            let mut out = header(MAGIC, self.data.len() + self.fresh.len() * 256);
            out.extend_from_slice(&((kept.len() + self.fresh.len()) as u32).to_le_bytes());
            for &(start, end) in &kept {
                out.extend_from_slice(&self.data[start..end]);
            }
            for (id, c) in &self.fresh {
                encode_entry(&mut out, id, c);
            }
            seal(&dir, FILE, out);
            if super::ENDING_PROCESS.load(std::sync::atomic::Ordering::Relaxed) {
                // The process ends next (see `free_nothing_at_exit`): nothing to free.
                std::mem::forget(self);
            }
        };
        // No thread to be had: no cache written, which only costs the next run time.
        std::thread::Builder::new().spawn(write).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_filter_and_corruption() {
        let id = Oid::from_str("4b825dc642cb6eb9a060e54bf8d69288fbee4904").unwrap();
        let position = Position {
            commit: id.into(),
            time: 42,
            author_name: "A".into(),
            author_email: "a@x".into(),
            trailers: Trailers {
                stance: Stance::Object,
                agreement: "t".into(),
                revision: id.to_string(),
                name: "A".into(),
                email: "a@x".into(),
                meaning: Some(id.to_string()),
            },
            note: "why\nnot".into(),
        };
        let accord = CommitKind::Position(std::sync::Arc::new(position));
        let cached = Cached { tree: id, parents: vec![id, id], time: 42, accord: accord.clone() };
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::default();
        cache.insert(id, cached);
        let writing = cache.save_if_changed(dir.path(), &Graph::default());
        writing.expect("a thread writes it").join().unwrap();
        let back = Cache::load(dir.path());
        assert_eq!(back.get(&id, None).unwrap().accord, accord);
        assert_eq!(back.get(&id, Some("t")).unwrap().accord, accord);
        assert_eq!(back.get(&id, Some("other")).unwrap().accord, CommitKind::Other);
        assert_eq!(back.get(&id, None).unwrap().parents.len(), 2);
        let data = std::fs::read(dir.path().join(FILE)).unwrap();
        for cut in [0, 7, 8, data.len() / 2, data.len() - 1] {
            assert!(index(&data[..cut]).is_none(), "truncated at {cut}");
        }
        let mut flipped = data.clone();
        flipped[30] ^= 1;
        assert!(index(&flipped).is_none());
    }
}
