//! Reading objects straight from pack files with positioned reads, for the bulk reads of a cold
//! run (position messages, folder trees, agreement texts).
//!
//! libgit2 maps each pack and its index into memory and takes one process-wide lock per read.
//! Every page a read touches then counts as the process's own memory (a million-commit
//! repository's 800 MB pack and 175 MB index end up resident), and a second thread reads no
//! faster than the first. Here a pack's ids are kept at hand (all of them in a pack up to
//! [`ALL_IDS_BYTES`] of ids, its index then mapped as git maps it, see [`super::mapped`]; else
//! every [`SAMPLE`]th id, and an object is found with one positioned read of a block of the
//! index; many objects at once are found in one pass in id
//! order, [`Packs::locate`]), and objects are read with positioned reads of
//! the pack (commit messages read in bulk through a mapping of a pack up to
//! [`MAPPED_PACK_BYTES`]), so that memory stays with accord's own data,
//! readers on several threads do not wait for each other, and what was read stays in the
//! operating system's page cache, not in the process.
//!
//! It only ever answers "here is the object" or "not here": an object that is loose, in an
//! alternate, in a pack it cannot read (index version 1, another hash, a truncated file) or
//! anything it does not understand is left to libgit2, which stays the reference.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use git2::{ObjectType, Oid};

use super::mapped::Bytes;

/// One id of every `SAMPLE` is kept in memory, in a pack too large to keep them all.
const SAMPLE: usize = 32;
/// Packs whose ids take at most this many bytes together keep them all in memory (the first
/// packs in name order that fit): a lookup then reads no index, it scans the few ids that
/// share its first two bytes (a cold `status` looks up some 45,000 objects at 100,000
/// commits, whose pack's ids take 11 MB). A million-commit pack's take 125 MB; it keeps the
/// sample.
const ALL_IDS_BYTES: usize = 32 << 20;
/// Longest delta chain followed (git's own packs stay under 50 by default; 4095 is git's cap).
const MAX_CHAIN: usize = 10_000;
/// Bound on the bytes of delta bases kept per reader. A chain's bases are mostly reused by
/// the next object of the same chain, so a little is enough; every byte kept is memory a cold
/// run must fault in (32 MB made a cold `status` at 100,000 commits 17 ms slower than 4 MB,
/// and 1 MB is 3–5% faster again than 4 MB, 8% at a million commits; 256 KB to 2 MB measure
/// alike).
const BASE_CACHE_BYTES: usize = 1 << 20;
/// Bytes read at an entry's start: its header and, for a commit or a small tree, all its data.
const FIRST_READ: usize = 1024;
/// Bytes of the pack read at once into a reader's window: a delta chain mostly lies within a
/// few kilobytes, and commits are read in about the order the pack holds them (measured: 16 KB
/// does as well as 64 KB there, and better for texts read one here, one there).
const WINDOW: usize = 16 << 10;
/// Bytes read at once when the last window served only the read it was made for: objects
/// read one here, one there (an agreement's texts across a pack) need no more than their page.
const LONE_WINDOW: usize = 4 << 10;
/// Windows kept per reader.
const WINDOWS: usize = 8;
/// Output room given to zlib past an object's size (see [`inflate`]).
const SLACK: usize = 320;
/// Packs that take at most this many bytes together are mapped ([`super::mapped`]), the first
/// in name order that fit, for the bulk reads of commit messages ([`Objects::for_commits`]): a
/// message is then inflated where it lies, with no copy into a window first (a first
/// `history` at 100,000 commits, whose pack is 71 MB: 7 ms less CPU, 2 ms less wall time).
/// Only those readers use the mapping: the pages a reader of a mapping touches count as the
/// process's memory, and the commits lie together at the front of a pack, where the texts and
/// trees a cold `status` reads lie all over it (mapped for every read, a cold `status` held
/// 149 MB instead of 88 MB, and `verify` 193 MB). Larger packs are read a window at a time,
/// so that a million-commit history's pages (its pack is 800 MB) stay the page cache's.
const MAPPED_PACK_BYTES: u64 = 128 << 20;
/// Largest object read this way; larger ones are left to libgit2.
const MAX_OBJECT: usize = 64 << 20;
/// Most index entries read at once by [`Pack::find_sorted`] (40 KB of ids): neighbouring
/// blocks of the sample that hold ids asked for are read together, up to this.
const SPAN: usize = 2048;

/// Every readable pack of a repository's object folder.
pub(super) struct Packs {
    packs: Vec<Pack>,
}

struct Pack {
    idx: File,
    pack: File,
    pack_len: u64,
    count: usize,
    /// The fan-out table: how many ids begin with a byte up to each value.
    fanout: [u32; 256],
    /// Each first byte's ids, read on first use (a run that reads a few objects reads a few
    /// of these).
    buckets: Vec<OnceLock<Option<Bucket>>>,
    /// Whether each bucket keeps all its ids, not a sample ([`ALL_IDS_BYTES`]).
    all_ids: bool,
    /// Lookups answered by searching the index file itself ([`Pack::find_lone`], at most
    /// [`LONE_LOOKUPS`]).
    lone: std::sync::atomic::AtomicUsize,
    /// The index file mapped, when the pack keeps all its ids (see [`super::mapped`]): its
    /// buckets are then ranges of it, not copies.
    map: Option<Arc<Bytes>>,
    /// The pack file mapped, while mapped packs take at most [`MAPPED_PACK_BYTES`]: readers of
    /// commits ([`Objects::for_commits`]) inflate them where they lie.
    data: Option<Bytes>,
}

/// Lookups one at a time that search the index file itself, a few positioned reads each,
/// before buckets are loaded instead (loading a bucket of a million-commit pack's index reads
/// 580 KB, of a 100,000-commit pack's 53 KB, where a lone lookup makes some 10 reads of a few
/// hundred bytes): a warm run that reads a few hundred texts here and there would otherwise
/// load most of the index. Lookups many at once ([`Packs::locate`]) load the buckets.
const LONE_LOOKUPS: usize = 256;

/// The ids beginning with one byte.
struct Bucket {
    /// The index of the bucket's first entry.
    start: usize,
    /// The id of every `SAMPLE`th entry of the bucket, or of every entry when the pack keeps
    /// them all (`all`): 20 bytes each, as the index file has them.
    ids: Held,
    all: bool,
    /// When `all`: where the ids whose second byte is `b` start in `ids` (257 entries).
    /// SHA-1 ids are spread evenly, so a lookup scans a handful of ids in one or two cache
    /// lines; a binary search over the whole bucket missed the cache at every step.
    by_second: Vec<u32>,
    /// Each entry's offset as the index stores it, 4 bytes big-endian (a large offset's slot
    /// when the top bit is set).
    offsets: Held,
}

/// Bytes of an index a bucket keeps: read into memory, or where they lie in the mapped file.
enum Held {
    Read(Vec<u8>),
    Mapped(Arc<Bytes>, std::ops::Range<usize>),
}

impl std::ops::Deref for Held {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Held::Read(v) => v,
            Held::Mapped(m, r) => &m[r.clone()],
        }
    }
}

impl Bucket {
    /// The `k`th id kept.
    fn id(&self, k: usize) -> &[u8] {
        &self.ids[k * 20..k * 20 + 20]
    }

    fn ids_kept(&self) -> usize {
        self.ids.len() / 20
    }

    /// Where `id` would be, in a bucket that keeps a sample: the entries `[from, to)` of the
    /// bucket, from the last sampled id not after it; `None` when it sorts before them all.
    fn block(&self, id: &[u8; 20]) -> Option<(usize, usize)> {
        let (mut lo, mut hi) = (0, self.ids_kept());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.id(mid) <= &id[..] {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let from = lo.checked_sub(1)? * SAMPLE;
        Some((from, (from + SAMPLE).min(self.offsets.len() / 4)))
    }

    /// The offset field of the bucket's `k`th entry.
    fn offset_field(&self, k: usize) -> Option<u32> {
        let b = self.offsets.get(k * 4..k * 4 + 4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// An object's kind and bytes.
pub(super) type Object = (ObjectType, Vec<u8>);

/// Where an object's entry lies: which pack, at which offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Location {
    pack: u32,
    offset: u64,
}

/// A reader over [`Packs`] with its own cache of delta bases (one per thread).
pub(super) struct PackReader<'p> {
    packs: &'p Packs,
    bases: HashMap<(usize, u64), Arc<Object>>,
    cached_bytes: usize,
    /// The first bytes of an entry, reused.
    head: Box<[u8; FIRST_READ]>,
    /// Compressed bytes read from the pack past those, reused.
    buf: Vec<u8>,
    /// One inflater, reset for each entry: zlib's state and window are allocated once.
    z: flate2::Decompress,
    /// The last pieces of packs read, as (pack, start, bytes); the next to replace at `next`.
    windows: Vec<(usize, u64, Vec<u8>)>,
    next: usize,
    /// The last window made, and how many reads it served after the one it was made for.
    last: Option<(usize, u32)>,
    /// Whether mapped packs are read through their mapping ([`Objects::for_commits`]).
    mapped: bool,
}

#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(f, buf, at)
}

#[cfg(windows)]
fn read_at(f: &File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(f, buf, at)
}

/// Fill `buf` from `at`, or fail.
fn read_exact_at(f: &File, buf: &mut [u8], mut at: u64) -> Option<()> {
    let mut done = 0;
    while done < buf.len() {
        match read_at(f, &mut buf[done..], at) {
            Ok(0) => return None,
            Ok(n) => {
                done += n;
                at += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(())
}

impl Packs {
    /// The packs in `objects/pack` under `objects`; packs that cannot be read are skipped
    /// (their objects are libgit2's to read).
    pub(super) fn open(objects: &Path) -> Packs {
        Packs::open_keeping(objects, ALL_IDS_BYTES, MAPPED_PACK_BYTES)
    }

    /// [`Packs::open`], keeping packs' ids all in memory while they take at most `all_bytes`
    /// together, and mapping packs while they take at most `map_bytes` together.
    fn open_keeping(objects: &Path, all_bytes: usize, map_bytes: u64) -> Packs {
        let mut packs = Vec::new();
        let Ok(dir) = std::fs::read_dir(objects.join("pack")) else { return Packs { packs } };
        let mut names: Vec<_> = dir
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "idx"))
            .collect();
        names.sort();
        let (mut budget, mut map_budget) = (all_bytes, map_bytes);
        for idx in names {
            if let Some(p) = Pack::open(&idx, &idx.with_extension("pack"), budget, map_budget) {
                if p.all_ids {
                    budget -= p.count * 20;
                }
                if p.data.is_some() {
                    map_budget -= p.pack_len;
                }
                packs.push(p);
            }
        }
        Packs { packs }
    }

    /// No packs: every read is libgit2's.
    pub(super) fn none() -> Packs {
        Packs { packs: Vec::new() }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.packs.is_empty()
    }

    pub(super) fn reader(&self) -> PackReader<'_> {
        PackReader {
            packs: self,
            bases: HashMap::new(),
            cached_bytes: 0,
            head: Box::new([0; FIRST_READ]),
            buf: Vec::new(),
            z: flate2::Decompress::new(true),
            windows: Vec::new(),
            next: 0,
            last: None,
            mapped: false,
        }
    }

    /// Read now what every pack keeps of its index in memory (its ids, or their sample, and
    /// its offsets), as the lookups of a cold run would one first byte after another.
    pub(super) fn load_ids(&self) {
        for pack in &self.packs {
            for byte in 0..=255u8 {
                let _ = pack.bucket(byte);
            }
        }
    }

    /// Where each of `ids` lies in the packs, as [`PackReader::read_shared`] would look it up
    /// (the first pack that has it), `None` where no pack has it: found in one pass in id
    /// order rather than by one search each. Many lookups at once then touch the ids kept in
    /// memory front to back, and a pack that keeps only a sample reads each block of its index
    /// once (a pass over a million-commit history's root trees made 900,000 reads of it).
    pub(super) fn locate(&self, ids: &[Oid]) -> Vec<Option<Location>> {
        let mut out = vec![None; ids.len()];
        if self.packs.is_empty() {
            return out;
        }
        let key = |k: usize| -> [u8; 20] { ids[k].as_bytes().try_into().unwrap_or([0; 20]) };
        // Sorted by the first eight bytes, then by the whole id where those are alike.
        let mut order: Vec<(u64, u32)> = (0..ids.len())
            .map(|k| {
                let b = ids[k].as_bytes();
                let mut first = [0u8; 8];
                first.copy_from_slice(&b[..8]);
                (u64::from_be_bytes(first), k as u32)
            })
            .collect();
        order.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| key(a.1 as usize).cmp(&key(b.1 as usize)))
        });
        let mut at: Vec<u32> = order.into_iter().map(|(_, k)| k).collect();
        let mut sorted: Vec<[u8; 20]> = at.iter().map(|&k| key(k as usize)).collect();
        for (p, pack) in self.packs.iter().enumerate() {
            pack.find_sorted(&sorted, |j, offset| {
                out[at[j] as usize] = Some(Location { pack: p as u32, offset });
            });
            // What this pack has is answered; the rest is asked of the next pack.
            let mut k = 0;
            for j in 0..sorted.len() {
                if out[at[j] as usize].is_none() {
                    sorted[k] = sorted[j];
                    at[k] = at[j];
                    k += 1;
                }
            }
            sorted.truncate(k);
            at.truncate(k);
            if sorted.is_empty() {
                break;
            }
        }
        out
    }
}

impl Pack {
    fn open(idx_path: &Path, pack_path: &Path, all_bytes: usize, map_bytes: u64) -> Option<Pack> {
        let idx = File::open(idx_path).ok()?;
        let pack = File::open(pack_path).ok()?;
        let idx_len = idx.metadata().ok()?.len();
        let pack_len = pack.metadata().ok()?.len();
        let mut head = [0u8; 8 + 1024];
        read_exact_at(&idx, &mut head, 0)?;
        // Version 2 only: "\377tOc", version 2, then the fan-out table.
        if head[..8] != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
            return None;
        }
        let mut fanout = [0u32; 256];
        for (k, f) in fanout.iter_mut().enumerate() {
            *f = u32::from_be_bytes(head[8 + 4 * k..12 + 4 * k].try_into().ok()?);
        }
        if fanout.windows(2).any(|w| w[0] > w[1]) {
            return None;
        }
        let count = fanout[255] as usize;
        // Ids, CRCs and offsets, then large offsets, then two checksums: SHA-1 only.
        let least = 8 + 1024 + count as u64 * 28 + 40;
        if idx_len < least {
            return None;
        }
        let mut pack_head = [0u8; 12];
        read_exact_at(&pack, &mut pack_head, 0)?;
        if &pack_head[..4] != b"PACK"
            || u32::from_be_bytes(pack_head[8..12].try_into().ok()?) as usize != count
        {
            return None;
        }
        let buckets = (0..256).map(|_| OnceLock::new()).collect();
        let all_ids = count.saturating_mul(20) <= all_bytes;
        // Mapped only when it holds what was checked above (a file replaced meanwhile is read).
        let map = all_ids
            .then(|| super::mapped::open(idx_path).ok())
            .flatten()
            .filter(|m| m.len() as u64 == idx_len && m.get(..8 + 1024) == Some(&head[..]))
            .map(Arc::new);
        // Mapped only when it holds what was checked above, as the index.
        let data = (pack_len <= map_bytes)
            .then(|| super::mapped::open(pack_path).ok())
            .flatten()
            .filter(|m| m.len() as u64 == pack_len && m.get(..12) == Some(&pack_head[..]));
        Some(Pack {
            idx,
            pack,
            pack_len,
            count,
            fanout,
            buckets,
            all_ids,
            lone: Default::default(),
            map,
            data,
        })
    }

    /// The ids beginning with `byte`: every `SAMPLE`th of them and all their offsets.
    fn bucket(&self, byte: u8) -> Option<&Bucket> {
        let b = byte as usize;
        let load = || -> Option<Bucket> {
            let start = if b == 0 { 0 } else { self.fanout[b - 1] as usize };
            let end = self.fanout[b] as usize;
            let all = self.all_ids;
            let (ids, offsets) = match &self.map {
                Some(map) => {
                    let at = |from: u64, len: usize| -> Option<Held> {
                        let from = usize::try_from(from).ok()?;
                        let range = from..from.checked_add(len)?;
                        map.get(range.clone())?;
                        Some(Held::Mapped(map.clone(), range))
                    };
                    let ids = at(Pack::id_at(start), (end - start) * 20)?;
                    (ids, at(self.offset_field_at(start), (end - start) * 4)?)
                }
                None => {
                    let mut ids = vec![0u8; (end - start) * 20];
                    read_exact_at(&self.idx, &mut ids, Pack::id_at(start))?;
                    if !all {
                        ids = ids.chunks_exact(20).step_by(SAMPLE).flatten().copied().collect();
                    }
                    let mut offsets = vec![0u8; (end - start) * 4];
                    read_exact_at(&self.idx, &mut offsets, self.offset_field_at(start))?;
                    (Held::Read(ids), Held::Read(offsets))
                }
            };
            let mut bucket = Bucket { start, ids, all, by_second: Vec::new(), offsets };
            if all {
                let n = bucket.ids_kept();
                let mut by_second = Vec::with_capacity(257);
                let mut k = 0;
                for second in 0..=256usize {
                    while k < n && usize::from(bucket.id(k)[1]) < second {
                        k += 1;
                    }
                    by_second.push(k as u32);
                }
                bucket.by_second = by_second;
            }
            Some(bucket)
        };
        self.buckets[b].get_or_init(load).as_ref()
    }

    /// Where the index file holds the id of its `k`th entry (after its header and fan-out).
    fn id_at(k: usize) -> u64 {
        8 + 1024 + k as u64 * 20
    }

    /// Where the index file holds the offset field of its `k`th entry (after the ids and the
    /// CRCs).
    fn offset_field_at(&self, k: usize) -> u64 {
        8 + 1024 + self.count as u64 * 24 + k as u64 * 4
    }

    /// The offset of `id` in the pack, if the pack has it.
    fn find(&self, id: &[u8; 20]) -> Option<u64> {
        if self.buckets[usize::from(id[0])].get().is_none() {
            use std::sync::atomic::Ordering::Relaxed;
            if self.lone.fetch_add(1, Relaxed) < LONE_LOOKUPS {
                return self.find_lone(id);
            }
        }
        self.find_in_memory(id)
    }

    /// [`Pack::find`] through the bucket kept in memory, loading it first.
    fn find_in_memory(&self, id: &[u8; 20]) -> Option<u64> {
        let bucket = self.bucket(id[0])?;
        if bucket.all {
            let b = usize::from(id[1]);
            let (from, to) =
                (*bucket.by_second.get(b)? as usize, *bucket.by_second.get(b + 1)? as usize);
            let k = (from..to).find(|&k| bucket.id(k) == id)?;
            return self.offset(bucket.offset_field(k)?);
        }
        let (from, to) = bucket.block(id)?;
        let mut block = [0u8; SAMPLE * 20];
        let block = &mut block[..(to - from) * 20];
        read_exact_at(&self.idx, block, Pack::id_at(bucket.start + from))?;
        let found = block.chunks_exact(20).position(|c| c == id)?;
        self.offset(bucket.offset_field(from + found)?)
    }

    /// [`Pack::find`] by searching the index file: halving the first byte's entries with a
    /// read of one id each until a few remain, then reading those at once.
    fn find_lone(&self, id: &[u8; 20]) -> Option<u64> {
        let b = usize::from(id[0]);
        let (mut lo, mut hi) =
            (if b == 0 { 0 } else { self.fanout[b - 1] as usize }, self.fanout[b] as usize);
        let mut probe = [0u8; 20];
        while hi - lo > SAMPLE {
            let mid = lo + (hi - lo) / 2;
            read_exact_at(&self.idx, &mut probe, Pack::id_at(mid))?;
            match probe.as_slice().cmp(id.as_slice()) {
                std::cmp::Ordering::Greater => hi = mid,
                _ => lo = mid,
            }
        }
        let mut block = [0u8; (SAMPLE + 1) * 20];
        let block = &mut block[..(hi - lo) * 20];
        read_exact_at(&self.idx, block, Pack::id_at(lo))?;
        let k = lo + block.chunks_exact(20).position(|c| c == id)?;
        let mut field = [0u8; 4];
        read_exact_at(&self.idx, &mut field, self.offset_field_at(k))?;
        self.offset(u32::from_be_bytes(field))
    }

    /// [`Pack::find`] for each of `ids`, which are in ascending order: `found(k, offset)` for
    /// each `ids[k]` the pack has. Where the pack keeps only a sample, each block of the index
    /// holding some of them is read once, and blocks near each other in one read (up to
    /// [`SPAN`] entries).
    fn find_sorted(&self, ids: &[[u8; 20]], mut found: impl FnMut(usize, u64)) {
        if self.all_ids {
            for (k, id) in ids.iter().enumerate() {
                if let Some(off) = self.find_in_memory(id) {
                    found(k, off);
                }
            }
            return;
        }
        // Each id's block, as entries of the whole index: [from, to) (an index counts its
        // entries in 32 bits).
        let blocks: Vec<Option<(u32, u32)>> = ids
            .iter()
            .map(|id| {
                let bucket = self.bucket(id[0])?;
                let (from, to) = bucket.block(id)?;
                Some((
                    u32::try_from(bucket.start + from).ok()?,
                    u32::try_from(bucket.start + to).ok()?,
                ))
            })
            .collect();
        // The entries read last: the first one's index, and their ids.
        let mut span_start = 0;
        let mut span: Vec<u8> = Vec::new();
        for (k, (id, block)) in ids.iter().zip(&blocks).enumerate() {
            let Some((from, to)) = block.map(|(f, t)| (f as usize, t as usize)) else {
                continue;
            };
            let held = from >= span_start && to <= span_start + span.len() / 20;
            if !held {
                // Read on to the blocks of the ids that follow, while they are near.
                let end = blocks[k..]
                    .iter()
                    .flatten()
                    .map(|&(_, t)| t as usize)
                    .take_while(|&t| t.saturating_sub(from) <= SPAN)
                    .fold(to, usize::max);
                span.resize((end - from) * 20, 0);
                if read_exact_at(&self.idx, &mut span, Pack::id_at(from)).is_none() {
                    span.clear();
                    continue;
                }
                span_start = from;
            }
            let at = (from - span_start) * 20;
            let entry = span[at..at + (to - from) * 20].chunks_exact(20).position(|c| c == id);
            let offset = entry.and_then(|e| {
                let bucket = self.bucket(id[0])?;
                self.offset(bucket.offset_field(from + e - bucket.start)?)
            });
            if let Some(off) = offset {
                found(k, off);
            }
        }
    }

    /// The pack offset an index entry's offset field gives (a large offset is read from its
    /// table).
    fn offset(&self, off: u32) -> Option<u64> {
        if off & 0x8000_0000 == 0 {
            return Some(off as u64);
        }
        let mut large = [0u8; 8];
        let k = (off & 0x7fff_ffff) as u64;
        read_exact_at(&self.idx, &mut large, 8 + 1024 + self.count as u64 * 28 + k * 8)?;
        Some(u64::from_be_bytes(large))
    }
}

/// Objects read from the packs where possible, else from libgit2's object database.
pub(super) struct Objects<'p, 'r> {
    packs: PackReader<'p>,
    odb: Fallback<'r>,
}

/// Where an object the packs do not give is read.
enum Fallback<'r> {
    Odb(git2::Odb<'r>),
    /// The repository at this git dir, opened on first need: a reader on a thread of its own
    /// mostly never needs it, and opening one costs a millisecond or two.
    Repo(std::path::PathBuf, Option<git2::Repository>),
}

impl<'p, 'r> Objects<'p, 'r> {
    pub(super) fn new(packs: &'p Packs, odb: git2::Odb<'r>) -> Self {
        Objects { packs: packs.reader(), odb: Fallback::Odb(odb) }
    }

    /// For the bulk reads of commits: objects of a mapped pack are read through its mapping
    /// (see [`MAPPED_PACK_BYTES`]).
    pub(super) fn for_commits(mut self) -> Self {
        self.packs.mapped = true;
        self
    }

    /// Objects of the repository at git dir `path`, for a thread of its own: libgit2 is
    /// opened only when the packs do not give an object.
    pub(super) fn at(packs: &'p Packs, path: &Path) -> Objects<'p, 'static> {
        Objects { packs: packs.reader(), odb: Fallback::Repo(path.to_path_buf(), None) }
    }

    /// The kind and bytes of object `id`; `None` when the repository does not have it.
    pub(super) fn read(&mut self, id: Oid) -> crate::error::Result<Option<(ObjectType, Vec<u8>)>> {
        if let Some(o) = self.packs.read_shared(id) {
            return Ok(Some(Arc::unwrap_or_clone(o)));
        }
        self.read_fallback(id)
    }

    /// Like [`Objects::read`], the bytes shared with the reader's cache of delta bases rather
    /// than copied out of it (trees read one after another are mostly deltas on each other).
    pub(super) fn read_shared(&mut self, id: Oid) -> crate::error::Result<Option<Arc<Object>>> {
        if let Some(o) = self.packs.read_shared(id) {
            return Ok(Some(o));
        }
        Ok(self.read_fallback(id)?.map(Arc::new))
    }

    /// Where each of `ids` lies in the packs ([`Packs::locate`]), for
    /// [`Objects::read_shared_at`].
    pub(super) fn locate(&self, ids: &[Oid]) -> Vec<Option<Location>> {
        self.packs.packs.locate(ids)
    }

    /// [`Objects::read_shared`] for an object [`Objects::locate`] looked up: `None` there
    /// (no pack has it) reads it from libgit2.
    pub(super) fn read_shared_at(
        &mut self,
        id: Oid,
        at: Option<Location>,
    ) -> crate::error::Result<Option<Arc<Object>>> {
        if let Some(o) = at.and_then(|at| self.packs.read_located(at)) {
            return Ok(Some(o));
        }
        Ok(self.read_fallback(id)?.map(Arc::new))
    }

    fn read_fallback(&mut self, id: Oid) -> crate::error::Result<Option<Object>> {
        match &mut self.odb {
            Fallback::Odb(odb) => read_odb(odb, id),
            Fallback::Repo(path, repo) => {
                let repo = match repo {
                    Some(r) => r,
                    None => repo.insert(git2::Repository::open(&*path)?),
                };
                read_odb(&repo.odb()?, id)
            }
        }
    }
}

/// Object `id` from libgit2's object database; `None` when it does not have it.
fn read_odb(odb: &git2::Odb<'_>, id: Oid) -> crate::error::Result<Option<(ObjectType, Vec<u8>)>> {
    match odb.read(id) {
        Ok(o) => Ok(Some((o.kind(), o.data().to_vec()))),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// What the entry at an offset is.
enum Entry {
    Whole(ObjectType),
    /// A delta on the entry at that offset of the same pack.
    OfsDelta(u64),
    /// A delta on the object with that id.
    RefDelta([u8; 20]),
}

impl PackReader<'_> {
    /// [`PackReader::read_shared`], copied out (for the tests).
    #[cfg(test)]
    pub(super) fn read(&mut self, id: Oid) -> Option<Object> {
        self.read_shared(id).map(Arc::unwrap_or_clone)
    }

    /// The object `id` (its kind and bytes) when a pack holds it and it reads cleanly, the
    /// bytes perhaps shared with the cache of delta bases; `None` leaves it to libgit2.
    fn read_shared(&mut self, id: Oid) -> Option<Arc<Object>> {
        let key: [u8; 20] = id.as_bytes().try_into().ok()?;
        for (p, pack) in self.packs.packs.iter().enumerate() {
            if let Some(off) = pack.find(&key) {
                return self.read_at(p, off, 0);
            }
        }
        None
    }

    /// The object at `at`, as [`PackReader::read_shared`] reads it once found there.
    fn read_located(&mut self, at: Location) -> Option<Arc<Object>> {
        self.read_at(at.pack as usize, at.offset, 0)
    }

    fn read_at(&mut self, p: usize, off: u64, depth: usize) -> Option<Arc<Object>> {
        if depth > MAX_CHAIN {
            return None;
        }
        if let Some(hit) = self.bases.get(&(p, off)) {
            return Some(hit.clone());
        }
        let pack = &self.packs.packs[p];
        // One read for the header and, mostly, the whole compressed object.
        if off < 12 || off >= pack.pack_len {
            return None;
        }
        let (entry, data) = match pack.data.as_ref().filter(|_| self.mapped) {
            // Mapped: inflated where it lies, the rest of the pack given as its input.
            Some(map) => {
                let at = map.get(usize::try_from(off).ok()?..)?;
                let (entry, size, len) = header(&at[..at.len().min(FIRST_READ)], off)?;
                let (buf, z) = (&mut self.buf, &mut self.z);
                (entry, inflate(pack, pack.pack_len, size, &at[len..], buf, z)?)
            }
            None => {
                let n = (pack.pack_len - off).min(FIRST_READ as u64) as usize;
                self.read_window(p, off, n)?;
                let (entry, size, len) = header(&self.head[..n], off)?;
                let (first, buf, z) = (&self.head[len..n], &mut self.buf, &mut self.z);
                (entry, inflate(pack, off + n as u64, size, first, buf, z)?)
            }
        };
        let object = match entry {
            Entry::Whole(kind) => {
                let object = Arc::new((kind, data));
                if depth > 0 {
                    // A base: the next objects of its chain build on it too.
                    self.remember(p, off, &object);
                }
                return Some(object);
            }
            Entry::OfsDelta(base) => {
                let base = self.read_at(p, base, depth + 1)?;
                (base.0, apply_delta(&base.1, &data)?)
            }
            Entry::RefDelta(base) => {
                let (bp, boff) = self
                    .packs
                    .packs
                    .iter()
                    .enumerate()
                    .find_map(|(i, pk)| pk.find(&base).map(|o| (i, o)))?;
                let base = self.read_at(bp, boff, depth + 1)?;
                (base.0, apply_delta(&base.1, &data)?)
            }
        };
        // A resolved delta: the next object of its chain likely builds on it.
        let object = Arc::new(object);
        self.remember(p, off, &object);
        Some(object)
    }

    /// Copy the `n` (at most [`FIRST_READ`]) bytes of pack `p` at `off` into `head`, through
    /// the windows: one positioned read serves the many small entries near each other.
    fn read_window(&mut self, p: usize, off: u64, n: usize) -> Option<()> {
        let end = off + n as u64;
        let hit = self.windows.iter().position(|(wp, start, data)| {
            *wp == p && *start <= off && end <= start + data.len() as u64
        });
        let i = match hit {
            Some(i) => {
                if let Some((last, hits)) = &mut self.last {
                    if *last == i {
                        *hits = hits.saturating_add(1);
                    }
                }
                i
            }
            None => {
                let pack = &self.packs.packs[p];
                // Aligned down to a page, and long enough to hold the `n` bytes.
                let start = off & !4095;
                let want = match self.last {
                    Some((_, 0)) => LONE_WINDOW,
                    _ => WINDOW,
                };
                let len = ((pack.pack_len - start) as usize).min(want.max((end - start) as usize));
                let i = if self.windows.len() < WINDOWS {
                    self.windows.push((p, start, Vec::new()));
                    self.windows.len() - 1
                } else {
                    let i = self.next;
                    self.next = (self.next + 1) % WINDOWS;
                    i
                };
                // The window's buffer is reused: only its first use allocates it.
                let w = &mut self.windows[i];
                w.2.resize(len, 0);
                if read_exact_at(&pack.pack, &mut w.2, start).is_none() {
                    w.2.clear();
                    return None;
                }
                w.0 = p;
                w.1 = start;
                self.last = Some((i, 0));
                i
            }
        };
        let (_, start, data) = &self.windows[i];
        let at = (off - start) as usize;
        self.head[..n].copy_from_slice(data.get(at..at + n)?);
        Some(())
    }

    /// Keep an object that others may build on (shared, not copied).
    fn remember(&mut self, p: usize, off: u64, object: &Arc<Object>) {
        let len = object.1.len();
        if len > BASE_CACHE_BYTES / 8 {
            return;
        }
        if self.cached_bytes + len > BASE_CACHE_BYTES {
            self.bases.clear();
            self.cached_bytes = 0;
        }
        self.cached_bytes += len;
        self.bases.insert((p, off), Arc::clone(object));
    }
}

/// The entry's kind, its inflated size and the length of its header, from the first bytes
/// `buf` of the entry at `off`.
fn header(buf: &[u8], off: u64) -> Option<(Entry, usize, usize)> {
    let mut i = 0;
    let mut c = *buf.get(i)?;
    i += 1;
    let kind = (c >> 4) & 7;
    let mut size = (c & 15) as u64;
    let mut shift = 4;
    while c & 0x80 != 0 {
        c = *buf.get(i)?;
        i += 1;
        if shift > 56 {
            return None;
        }
        size |= ((c & 0x7f) as u64) << shift;
        shift += 7;
    }
    let size = usize::try_from(size).ok().filter(|&s| s <= MAX_OBJECT)?;
    let entry = match kind {
        1 => Entry::Whole(ObjectType::Commit),
        2 => Entry::Whole(ObjectType::Tree),
        3 => Entry::Whole(ObjectType::Blob),
        4 => Entry::Whole(ObjectType::Tag),
        6 => {
            let mut c = *buf.get(i)?;
            i += 1;
            let mut back = (c & 0x7f) as u64;
            while c & 0x80 != 0 {
                c = *buf.get(i)?;
                i += 1;
                back = back.checked_add(1)?.checked_mul(128)? | (c & 0x7f) as u64;
            }
            Entry::OfsDelta(off.checked_sub(back).filter(|&b| b >= 12)?)
        }
        7 => {
            let id: [u8; 20] = buf.get(i..i + 20)?.try_into().ok()?;
            i += 20;
            Entry::RefDelta(id)
        }
        _ => return None,
    };
    Some((entry, size, i))
}

/// Inflate a zlib stream into exactly `size` bytes: `first`, its start already read, then the
/// pack from `at` on.
fn inflate(
    pack: &Pack,
    mut at: u64,
    size: usize,
    first: &[u8],
    chunk: &mut Vec<u8>,
    z: &mut flate2::Decompress,
) -> Option<Vec<u8>> {
    // The zlib header read here and the stream inflated raw: git's pack has checksums of its
    // own, and the Adler-32 check of every object's bytes was 2% of a cold run.
    let raw = first.len() >= 2
        && first[0] & 0x0f == 8
        && first[0] >> 4 <= 7
        && first[1] & 0x20 == 0
        && (u16::from(first[0]) << 8 | u16::from(first[1])) % 31 == 0;
    let first = if raw { &first[2..] } else { first };
    z.reset(!raw);
    // Room past the size: zlib decodes on its fast path only while it has room for a longest
    // match (258 bytes) left, so without it the last 258 bytes of every object, all of a
    // commit's message, went through the slow path. A stream that writes past the size is
    // longer than it says.
    let mut out = Vec::with_capacity(size + SLACK);
    let mut feed = |input: &[u8], out: &mut Vec<u8>| -> Option<bool> {
        let mut input = input;
        while !input.is_empty() {
            let (in_before, out_before) = (z.total_in(), z.total_out());
            // `Finish`: with all the output room given, zlib inflates without keeping a window.
            let status = z.decompress_vec(input, out, flate2::FlushDecompress::Finish).ok()?;
            let used = (z.total_in() - in_before) as usize;
            input = &input[used..];
            if out.len() > size {
                return None;
            }
            if status == flate2::Status::StreamEnd {
                return (out.len() == size).then_some(true);
            }
            if used == 0 && z.total_out() == out_before {
                return None; // no progress: not a stream zlib can read
            }
        }
        Some(false)
    };
    if feed(first, &mut out)? {
        return Some(out);
    }
    // Text compresses to well under its size; a read that falls short reads on.
    let mut want = (size / 2 + 64).clamp(256, 64 << 10);
    loop {
        if chunk.len() < want {
            chunk.resize(want, 0);
        }
        let n = (pack.pack_len.checked_sub(at)? as usize).min(want);
        if n == 0 {
            return None;
        }
        read_exact_at(&pack.pack, &mut chunk[..n], at)?;
        if feed(&chunk[..n], &mut out)? {
            return Some(out);
        }
        at += n as u64;
        want = 64 << 10;
    }
}

/// Read a delta's size varint.
fn delta_size(d: &[u8], i: &mut usize) -> Option<usize> {
    let mut size = 0usize;
    let mut shift = 0;
    loop {
        let c = *d.get(*i)?;
        *i += 1;
        if shift > 56 {
            return None;
        }
        size |= ((c & 0x7f) as usize) << shift;
        shift += 7;
        if c & 0x80 == 0 {
            return Some(size);
        }
    }
}

/// git's delta format: the base's size, the result's size, then copy and insert instructions.
fn apply_delta(base: &[u8], d: &[u8]) -> Option<Vec<u8>> {
    let mut i = 0;
    if delta_size(d, &mut i)? != base.len() {
        return None;
    }
    let size = delta_size(d, &mut i)?;
    if size > MAX_OBJECT {
        return None;
    }
    let mut out = Vec::with_capacity(size);
    while i < d.len() {
        let op = d[i];
        i += 1;
        if op & 0x80 != 0 {
            let mut off = 0usize;
            let mut len = 0usize;
            for b in 0..4 {
                if op & (1 << b) != 0 {
                    off |= (*d.get(i)? as usize) << (8 * b);
                    i += 1;
                }
            }
            for b in 0..3 {
                if op & (0x10 << b) != 0 {
                    len |= (*d.get(i)? as usize) << (8 * b);
                    i += 1;
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            out.extend_from_slice(base.get(off..off.checked_add(len)?)?);
        } else if op != 0 {
            out.extend_from_slice(d.get(i..i + op as usize)?);
            i += op as usize;
        } else {
            return None;
        }
        if out.len() > size {
            return None;
        }
    }
    (out.len() == size).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::commit_graph::tests::{git, git_with_input};

    /// A repository whose files change a little at a time (so that packing makes deltas),
    /// with a large file and an empty one.
    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        git(d, &["init", "-q", "-b", "main"]);
        std::fs::create_dir_all(d.join("agreements")).expect("mkdir");
        let mut text = String::new();
        for i in 0..60 {
            text.push_str(&format!("line {i}: the team keeps its promises, version {i}\n"));
            std::fs::write(d.join("agreements/a.toml"), &text).expect("write");
            std::fs::write(d.join(format!("agreements/f{}.toml", i % 7)), &text[..text.len() / 2])
                .expect("write");
            git(d, &["add", "-A"]);
            git(d, &["commit", "-q", "-m", &format!("edit {i}\n\nAccord-Note: {i}")]);
        }
        let big: String = (0..200_000).map(|i| char::from(b'a' + (i * 7 % 26) as u8)).collect();
        std::fs::write(d.join("big.txt"), big).expect("write");
        std::fs::write(d.join("empty.txt"), "").expect("write");
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", "big and empty"]);
        dir
    }

    fn all_objects(repo: &git2::Repository) -> Vec<Oid> {
        let mut ids = Vec::new();
        repo.odb()
            .expect("odb")
            .foreach(|id| {
                ids.push(*id);
                true
            })
            .expect("foreach");
        ids
    }

    /// Every object of the packs reads as libgit2 reads it; loose objects are left to it.
    fn same_as_libgit2(d: &Path, packed: bool) {
        for mapped in [false, true] {
            same_as_libgit2_keeping(d, packed, ALL_IDS_BYTES, mapped);
            // A pack too large to keep its ids: looked up through the sample and the index.
            same_as_libgit2_keeping(d, packed, 0, mapped);
        }
        // Room for the first pack's ids only (its index mapped): the others keep the sample;
        // and for the first pack's bytes only: the others are read a window at a time.
        let objects = d.join(".git/objects");
        let all = Packs::open_keeping(&objects, usize::MAX, u64::MAX);
        if let Some(first) = all.packs.first() {
            let mixed = Packs::open_keeping(&objects, first.count * 20, first.pack_len);
            assert!(mixed.packs[0].all_ids && mixed.packs[0].map.is_some());
            assert!(mixed.packs[0].data.is_some());
            let rest = mixed.packs.iter().skip(1);
            assert!(rest.clone().all(|p| !p.all_ids && p.map.is_none() && p.data.is_none()));
            same_as_libgit2_keeping(d, packed, first.count * 20, true);
        }
    }

    /// [`same_as_libgit2`] with the ids of packs up to `all_bytes` kept, packs mapped and read
    /// through their mapping or not.
    fn same_as_libgit2_keeping(d: &Path, packed: bool, all_bytes: usize, mapped: bool) {
        let repo = git2::Repository::open(d).expect("open");
        let map_bytes = if mapped { u64::MAX } else { 0 };
        let packs = Packs::open_keeping(&d.join(".git/objects"), all_bytes, map_bytes);
        assert_eq!(packs.is_empty(), !packed);
        assert_eq!(packs.packs.iter().any(|p| p.data.is_some()), mapped && packed);
        let mut reader = packs.reader();
        reader.mapped = mapped;
        let odb = repo.odb().expect("odb");
        let ids = all_objects(&repo);
        assert!(ids.len() > 200, "{} objects", ids.len());
        let mut found = 0;
        for id in ids {
            let want = odb.read(id).expect("libgit2 reads it");
            match reader.read(id) {
                Some((kind, data)) => {
                    assert_eq!(kind, want.kind(), "{id}");
                    assert_eq!(data, want.data(), "{id}");
                    found += 1;
                }
                None => assert!(!packed, "{id} is in a pack but was not read"),
            }
        }
        assert_eq!(found > 0, packed);
        // A reader for a thread of its own opens libgit2 only for what the packs lack.
        let mut objects = Objects::at(&packs, &d.join(".git"));
        if mapped {
            objects = objects.for_commits();
        }
        for id in all_objects(&repo) {
            let want = odb.read(id).expect("libgit2 reads it");
            let (kind, data) = objects.read(id).expect("reads").expect("has it");
            assert_eq!((kind, &data[..]), (want.kind(), want.data()), "{id}");
        }
        assert!(objects.read(Oid::from_bytes(&[0xee; 20]).expect("oid")).expect("reads").is_none());
        // Looked up all at once, in any order, with repeats and ids no pack has: as one by one.
        let mut asked = all_objects(&repo);
        asked.extend([[0xee; 20], [0; 20], [0xff; 20]].map(|b| Oid::from_bytes(&b).expect("oid")));
        asked.extend(asked.clone().into_iter().step_by(3));
        let one_by_one: Vec<Option<Location>> = asked
            .iter()
            .map(|id| {
                let key: [u8; 20] = id.as_bytes().try_into().expect("20 bytes");
                packs.packs.iter().enumerate().find_map(|(pack, p)| {
                    p.find(&key).map(|offset| Location { pack: pack as u32, offset })
                })
            })
            .collect();
        assert_eq!(packs.locate(&asked), one_by_one);
        assert_eq!(one_by_one.iter().any(Option::is_some), packed);
        for (id, at) in asked.iter().zip(&one_by_one) {
            let want = odb.read(*id).ok().map(|o| (o.kind(), o.data().to_vec()));
            let got = objects.read_shared_at(*id, *at).expect("reads").map(Arc::unwrap_or_clone);
            assert_eq!(got, want, "{id}");
        }
        assert!(reader.read(Oid::from_bytes(&[0xee; 20]).expect("oid")).is_none());
        assert!(reader.read(Oid::from_bytes(&[0x00; 20]).expect("oid")).is_none());
    }

    #[test]
    fn reads_what_libgit2_reads_with_offset_and_ref_deltas() {
        let dir = repo();
        let d = dir.path();
        same_as_libgit2(d, false);
        git(d, &["gc", "-q", "--aggressive"]);
        same_as_libgit2(d, true);
        git(d, &["-c", "repack.useDeltaBaseOffset=false", "repack", "-q", "-a", "-d", "-f"]);
        same_as_libgit2(d, true);
        // Several packs: a new commit packed on its own.
        std::fs::write(d.join("agreements/a.toml"), "changed\n").expect("write");
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", "more"]);
        git(d, &["repack", "-q", "-d"]);
        same_as_libgit2(d, true);
    }

    /// An object inflates to exactly the size its entry gives: a stream that ends early, or
    /// goes on past it (within the room given to zlib past the size or beyond it), is not
    /// the object.
    #[test]
    fn a_stream_inflates_only_to_its_stated_size() {
        let dir = repo();
        let d = dir.path();
        git(d, &["gc", "-q"]);
        let packs = Packs::open(&d.join(".git/objects"));
        let pack = &packs.packs[0];
        let text: Vec<u8> = (0..1000u32).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        let mut z = flate2::Decompress::new(true);
        let mut chunk = Vec::new();
        let mut deflate = flate2::Compress::new(flate2::Compression::default(), true);
        let mut stream = Vec::with_capacity(text.len() + 64);
        deflate.compress_vec(&text, &mut stream, flate2::FlushCompress::Finish).expect("deflate");
        // The whole stream is in `first`: the pack is never read.
        let mut read =
            |size: usize| inflate(pack, pack.pack_len, size, &stream, &mut chunk, &mut z);
        assert_eq!(read(text.len()).as_deref(), Some(&text[..]));
        for size in [text.len() + 1, text.len() - 1, text.len() - SLACK / 2, text.len() - SLACK, 10]
        {
            assert_eq!(read(size), None, "stated size {size}");
        }
        // The header is read here and the rest inflated raw: a header zlib would refuse (a
        // preset dictionary, another method, a bad check) is left to zlib, which refuses it.
        for header in [[0x78, 0xbb], [0x79, 0x9c], [0x78, 0x9d]] {
            let mut bad = stream.clone();
            bad[..2].copy_from_slice(&header);
            let got = inflate(pack, pack.pack_len, text.len(), &bad, &mut chunk, &mut z);
            assert_eq!(got, None, "header {header:02x?}");
        }
    }

    /// Many lookups at once answer as one by one in a pack large enough that each bucket of
    /// its sample has many blocks: every id, a sparse few, ids no pack has, repeats, any order.
    #[test]
    fn lookups_at_once_answer_as_one_by_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        git(d, &["init", "-q", "-b", "main"]);
        let mut input = String::new();
        for i in 0..20_000 {
            let text = format!("object {i}\n");
            input.push_str(&format!("blob\ndata {}\n{text}\n", text.len()));
        }
        git_with_input(d, &["fast-import", "--quiet"], &input);
        let repo = git2::Repository::open(d).expect("open");
        let every = all_objects(&repo);
        assert!(every.len() >= 20_000, "{} objects", every.len());
        let absent = (0..=255u8).map(|b| {
            Oid::from_bytes(&[b, 0x5a, b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, b])
                .expect("oid")
        });
        let mut sets: Vec<Vec<Oid>> = vec![
            every.clone(),
            every.iter().step_by(101).copied().collect(),
            every.iter().rev().step_by(7).copied().chain(absent.clone()).collect(),
            absent.collect(),
            Vec::new(),
        ];
        let mut repeated = every.iter().step_by(3).copied().collect::<Vec<_>>();
        repeated.extend(repeated.clone());
        sets.push(repeated);
        for all_bytes in [ALL_IDS_BYTES, 0] {
            let packs = Packs::open_keeping(&d.join(".git/objects"), all_bytes, 0);
            assert_eq!(packs.packs.len(), 1);
            assert_eq!(packs.packs[0].all_ids, all_bytes > 0);
            for asked in &sets {
                let one_by_one: Vec<Option<Location>> = asked
                    .iter()
                    .map(|id| {
                        let key: [u8; 20] = id.as_bytes().try_into().expect("20 bytes");
                        packs.packs[0].find(&key).map(|offset| Location { pack: 0, offset })
                    })
                    .collect();
                assert_eq!(packs.locate(asked), one_by_one, "{} asked", asked.len());
                // A lookup that searches the index file itself answers the same.
                if all_bytes == 0 {
                    for (id, want) in asked.iter().zip(&one_by_one) {
                        let key: [u8; 20] = id.as_bytes().try_into().expect("20 bytes");
                        let lone = packs.packs[0].find_lone(&key);
                        assert_eq!(lone, want.map(|l| l.offset), "{id}");
                    }
                }
            }
            // Read ahead, the index answers the same.
            let ahead = Packs::open_keeping(&d.join(".git/objects"), all_bytes, 0);
            ahead.load_ids();
            assert!(ahead.packs[0].buckets.iter().all(|b| b.get().is_some_and(Option::is_some)));
            assert_eq!(ahead.locate(&sets[0]), packs.locate(&sets[0]));
        }
    }

    #[test]
    fn damaged_packs_are_left_to_libgit2() {
        let dir = repo();
        let d = dir.path();
        git(d, &["gc", "-q"]);
        let pack_dir = d.join(".git/objects/pack");
        let pack = std::fs::read_dir(&pack_dir)
            .expect("pack dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "pack"))
            .expect("a pack");
        let bytes = std::fs::read(&pack).expect("read");
        let repo = git2::Repository::open(d).expect("open");
        let ids = all_objects(&repo);
        // Every byte after the header flipped in turn would be slow; flip a spread of them.
        for at in (12..bytes.len() - 20).step_by(bytes.len() / 97 + 1) {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x5a;
            let copy = tempfile::tempdir().expect("temp dir");
            let objects = copy.path().join("objects");
            std::fs::create_dir_all(objects.join("pack")).expect("mkdir");
            for e in std::fs::read_dir(&pack_dir).expect("pack dir").filter_map(|e| e.ok()) {
                std::fs::copy(e.path(), objects.join("pack").join(e.file_name())).expect("copy");
            }
            std::fs::write(objects.join("pack").join(pack.file_name().expect("name")), &damaged)
                .expect("write");
            for (all_bytes, mapped) in [(ALL_IDS_BYTES, true), (0, false)] {
                let packs = Packs::open_keeping(&objects, all_bytes, u64::MAX);
                let mut reader = packs.reader();
                reader.mapped = mapped;
                for id in &ids {
                    let _ = reader.read(*id); // no panic, whatever it answers
                }
            }
        }
        // A truncated index is not used at all.
        let idx = pack.with_extension("idx");
        let data = std::fs::read(&idx).expect("read");
        std::fs::write(&idx, &data[..data.len() / 2]).expect("write");
        assert!(Packs::open(&d.join(".git/objects")).is_empty());
    }
}
