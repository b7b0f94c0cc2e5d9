//! A reader for git's commit-graph files (`objects/info/commit-graph` and split chains under
//! `objects/info/commit-graphs/`), including their changed-path Bloom filters.
//!
//! Pure: the caller reads the files and hands over their bytes; this module never opens a file
//! and never talks to libgit2. Parents, root trees and committer times of every commit in the
//! graph come without reading a single commit object, and the Bloom filters say which commits
//! certainly did not touch a path. That is how accord walks 100,000 commits faster than
//! `git log` reads them (SPEC §8). The files are a shortcut, never the source of truth: every
//! read is bounds-checked, [`CommitGraph::parse`] checks the structure (chunk bounds, sizes,
//! sorted ids against the fan-out table, a chain's base layers) and answers a
//! [`CommitGraphError`] for anything truncated or malformed, and the accessors answer `None`
//! (or [`PathChange::Maybe`]) where the data does not hold together; the caller then walks the
//! object database instead.

use std::ops::Range;

const SIGNATURE: &[u8; 4] = b"CGPH";
const HEADER_LEN: usize = 8;
const CHUNK_ENTRY_LEN: usize = 12;
const HASH_LEN: usize = 20;
/// A CDAT entry: root tree, two parent words, generation and time.
const CDAT_LEN: usize = HASH_LEN + 16;
const PARENT_NONE: u32 = 0x7000_0000;
const EDGE_LAST: u32 = 0x8000_0000;
/// Topological levels (generation v1) are capped at this value.
const GENERATION_MAX: u32 = 0x3FFF_FFFF;

/// Why a commit-graph file (or chain) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CommitGraphError {
    #[error("no commit-graph layers")]
    NoLayers,
    #[error("layer {layer}: not a commit-graph file")]
    Signature { layer: usize },
    #[error("layer {layer}: unsupported version {version} or hash kind {hash}")]
    Version { layer: usize, version: u8, hash: u8 },
    #[error("layer {layer}: truncated ({what})")]
    Truncated { layer: usize, what: &'static str },
    #[error("layer {layer}: chunk {chunk} is missing")]
    MissingChunk { layer: usize, chunk: &'static str },
    #[error("layer {layer}: corrupt ({what})")]
    Corrupt { layer: usize, what: &'static str },
    #[error("more commits than positions can number")]
    TooManyCommits,
    #[error("commit at position {pos}: parents are inconsistent")]
    Parents { pos: u32 },
}

/// One file of a chain (shared: a clone of the graph copies no file).
#[derive(Clone)]
struct Layer {
    data: std::sync::Arc<super::mapped::Bytes>,
    /// Global position of this layer's first commit.
    base: u32,
    count: u32,
    fanout: usize,
    oids: usize,
    cdat: usize,
    /// The octopus-merge parent list (EDGE), when the layer has one.
    edges: Option<Range<usize>>,
    bloom: Option<Bloom>,
}

#[derive(Clone)]
struct Bloom {
    /// BIDX: for each commit, the end of its filter in `data`.
    index: usize,
    /// BDAT after its 12-byte header.
    data: Range<usize>,
    num_hashes: u32,
}

/// The parent positions of every commit of a [`CommitGraph`] ([`CommitGraph::parent_table`]):
/// one entry of two words per commit, so following a parent is one read.
pub struct ParentTable {
    /// A commit's first two parents ([`NO_PARENT`] where it has fewer); for more than two,
    /// the first word is [`MORE`] and the second where in `more` they are listed.
    two: Vec<[u32; 2]>,
    /// The parents of octopus merges, each list preceded by its length.
    more: Vec<u32>,
}

const NO_PARENT: u32 = u32::MAX;
const MORE: u32 = u32::MAX - 1;

/// One commit's entry in a [`ParentTable`], to be read with [`ParentTable::parents`].
#[derive(Clone, Copy)]
pub struct ParentEntry([u32; 2]);

impl ParentTable {
    /// The entry of the commit at `pos` (no parents past the end).
    pub fn entry(&self, pos: u32) -> ParentEntry {
        ParentEntry(self.two.get(pos as usize).copied().unwrap_or([NO_PARENT, NO_PARENT]))
    }

    /// The parent positions an entry stands for.
    pub fn parents<'a>(&'a self, e: &'a ParentEntry) -> &'a [u32] {
        self.resolve(&e.0)
    }

    /// The parent positions of the commit at `pos` (none past the end).
    pub fn of(&self, pos: u32) -> &[u32] {
        self.two.get(pos as usize).map_or(&[], |e| self.resolve(e))
    }

    fn resolve<'a>(&'a self, e: &'a [u32; 2]) -> &'a [u32] {
        match *e {
            [NO_PARENT, _] => &[],
            [MORE, at] => {
                let at = at as usize;
                let n = self.more.get(at).map_or(0, |&n| n as usize);
                self.more.get(at + 1..at + 1 + n).unwrap_or(&[])
            }
            [_, NO_PARENT] => &e[..1],
            _ => &e[..],
        }
    }
}

/// A commit-graph, possibly a chain of layers (base first). Cloning it is cheap.
#[derive(Clone)]
pub struct CommitGraph {
    layers: Vec<Layer>,
    len: u32,
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    let end = at.checked_add(4)?;
    Some(u32::from_be_bytes(d.get(at..end)?.try_into().ok()?))
}

fn be64(d: &[u8], at: usize) -> Option<u64> {
    let end = at.checked_add(8)?;
    Some(u64::from_be_bytes(d.get(at..end)?.try_into().ok()?))
}

/// `d[at..at + len]`, or `None` past the end.
fn slice(d: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    d.get(at..at.checked_add(len)?)
}

impl Layer {
    /// Parse the file at `index` in a chain whose earlier layers have the checksums `bases` and
    /// hold `base` commits.
    fn parse(
        data: super::mapped::Bytes,
        index: usize,
        base: u32,
        bases: &[&[u8]],
    ) -> Result<Layer, Error> {
        let layer = index;
        let truncated = |what| CommitGraphError::Truncated { layer, what };
        let corrupt = |what| CommitGraphError::Corrupt { layer, what };
        let header = data.get(..HEADER_LEN).ok_or(truncated("header"))?;
        if &header[..4] != SIGNATURE {
            return Err(CommitGraphError::Signature { layer });
        }
        let (version, hash, chunks, base_count) = (header[4], header[5], header[6], header[7]);
        if version != 1 || hash != 1 {
            // An unknown version, or SHA-256.
            return Err(CommitGraphError::Version { layer, version, hash });
        }
        if usize::from(base_count) != index {
            return Err(corrupt("its number of base layers does not match the chain"));
        }
        // Chunk offsets must leave room for the trailing checksum, as git requires: a file cut
        // anywhere is refused.
        let body_end = data.len().checked_sub(HASH_LEN).ok_or(truncated("checksum"))?;
        let mut table = Vec::with_capacity(usize::from(chunks) + 1);
        for i in 0..=usize::from(chunks) {
            let at = HEADER_LEN + i * CHUNK_ENTRY_LEN;
            let id = be32(&data, at).ok_or(truncated("chunk table"))?;
            let offset = be64(&data, at + 4).ok_or(truncated("chunk table"))?;
            let offset = usize::try_from(offset).map_err(|_| truncated("chunk offset"))?;
            if offset > body_end {
                return Err(truncated("chunk offset past the end"));
            }
            table.push((id, offset));
        }
        let find = |id: &[u8; 4]| -> Result<Option<Range<usize>>, CommitGraphError> {
            let want = u32::from_be_bytes(*id);
            let Some(i) = table[..table.len() - 1].iter().position(|(c, _)| *c == want) else {
                return Ok(None);
            };
            let (start, end) = (table[i].1, table[i + 1].1);
            if start > end {
                return Err(corrupt("chunk offsets out of order"));
            }
            Ok(Some(start..end))
        };
        let need = |id: &'static [u8; 4], chunk: &'static str| {
            find(id)?.ok_or(CommitGraphError::MissingChunk { layer, chunk })
        };
        let fanout = need(b"OIDF", "OIDF")?;
        if fanout.len() != 256 * 4 {
            return Err(corrupt("fan-out table size"));
        }
        let mut fan = [0u32; 256];
        let mut previous = 0;
        for (b, slot) in fan.iter_mut().enumerate() {
            *slot = be32(&data, fanout.start + b * 4).ok_or(truncated("fan-out table"))?;
            if *slot < previous {
                return Err(corrupt("fan-out table decreases"));
            }
            previous = *slot;
        }
        let count = fan[255];
        let n = count as usize;
        let oids = need(b"OIDL", "OIDL")?;
        let cdat = need(b"CDAT", "CDAT")?;
        if Some(oids.len()) != n.checked_mul(HASH_LEN) {
            return Err(corrupt("object id list size"));
        }
        if Some(cdat.len()) != n.checked_mul(CDAT_LEN) {
            return Err(corrupt("commit data size"));
        }
        // Lookups are binary searches: the ids must be sorted, and each must sit in the range
        // the fan-out table gives its first byte, or a commit could be missed and then read
        // twice (once from the graph, once from the object database).
        let list = &data[oids.clone()];
        let mut last: Option<&[u8]> = None;
        for (i, oid) in list.chunks_exact(HASH_LEN).enumerate() {
            if last.is_some_and(|l| l >= oid) {
                return Err(corrupt("object ids not sorted"));
            }
            let first = usize::from(oid[0]);
            let lo = if first == 0 { 0 } else { fan[first - 1] as usize };
            if i < lo || i >= fan[first] as usize {
                return Err(corrupt("fan-out table disagrees with the object ids"));
            }
            last = Some(oid);
        }
        // A chain's layer names the checksums of the layers below it, in order.
        let named = find(b"BASE")?.map(|r| &data[r]);
        let expected: Vec<u8> = bases.concat();
        if named.unwrap_or(&[]) != expected.as_slice() {
            return Err(corrupt("base layers do not match the chain"));
        }
        let edges = find(b"EDGE")?;
        let bloom = match (find(b"BIDX")?, find(b"BDAT")?) {
            (Some(index), Some(bdat)) => Bloom::parse(&data, count, index, bdat),
            _ => None,
        };
        Ok(Layer {
            data: std::sync::Arc::new(data),
            base,
            count,
            fanout: fanout.start,
            oids: oids.start,
            cdat: cdat.start,
            edges,
            bloom,
        })
    }

    /// The trailing checksum, which names the file in a chain.
    fn checksum(&self) -> &[u8] {
        &self.data[self.data.len().saturating_sub(HASH_LEN)..]
    }

    fn oid(&self, local: u32) -> Option<&[u8]> {
        slice(&self.data, self.oids + local as usize * HASH_LEN, HASH_LEN)
    }

    fn commit_data(&self, local: u32) -> Option<&[u8]> {
        slice(&self.data, self.cdat + local as usize * CDAT_LEN, CDAT_LEN)
    }

    fn lookup(&self, oid: &[u8]) -> Option<u32> {
        let first = usize::from(*oid.first()?);
        let lo = if first == 0 { 0 } else { be32(&self.data, self.fanout + (first - 1) * 4)? };
        let hi = be32(&self.data, self.fanout + first * 4)?;
        let (mut lo, mut hi) = (lo, hi.min(self.count));
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.oid(mid)?.cmp(oid) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// The generation (topological level) of a commit; 0 when the writer did not compute it.
    fn generation(&self, local: u32) -> Option<u32> {
        let d = self.commit_data(local)?;
        Some(be32(d, HASH_LEN + 8)? >> 2)
    }
}

type Error = CommitGraphError;

impl Bloom {
    /// The filters of a layer, when their index and data are consistent; `None` (no filters,
    /// every answer "maybe") otherwise.
    fn parse(data: &[u8], count: u32, index: Range<usize>, bdat: Range<usize>) -> Option<Bloom> {
        if Some(index.len()) != (count as usize).checked_mul(4) || bdat.len() < 12 {
            return None;
        }
        let version = be32(data, bdat.start)?;
        let num_hashes = be32(data, bdat.start + 4)?;
        // Version 1 hashes bytes >= 0x80 as signed chars; accord only asks about ASCII paths
        // there (see `path_maybe_changed`). Version 2 is the same for all bytes.
        if !matches!(version, 1 | 2) || !(1..=32).contains(&num_hashes) {
            return None;
        }
        let filters = bdat.start + 12..bdat.end;
        // The index holds the end of each filter: it never decreases and stays inside BDAT.
        let mut previous = 0;
        for i in 0..count as usize {
            let end = be32(data, index.start + i * 4)? as usize;
            if end < previous || end > filters.len() {
                return None;
            }
            previous = end;
        }
        Some(Bloom { index: index.start, data: filters, num_hashes })
    }

    /// The filter of the commit at `local`; empty when it was not computed.
    fn filter<'d>(&self, data: &'d [u8], local: u32) -> Option<&'d [u8]> {
        let local = local as usize;
        let end = be32(data, self.index + local * 4)? as usize;
        let start = if local == 0 { 0 } else { be32(data, self.index + (local - 1) * 4)? as usize };
        let bytes = data.get(self.data.clone())?;
        bytes.get(start..end)
    }
}

/// What a commit's changed-path Bloom filter says about a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathChange {
    /// The commit certainly did not change the path against its first parent.
    No,
    /// It may have (or there is no filter).
    Maybe,
}

/// A path prepared for Bloom filter queries: the hashes of the path and of each leading folder.
pub struct BloomKey {
    hashes: Vec<(u32, u32)>,
    ascii: bool,
}

impl BloomKey {
    pub fn new(path: &str) -> BloomKey {
        let mut hashes = Vec::new();
        let mut prefix_ends: Vec<usize> = path.match_indices('/').map(|(i, _)| i).collect();
        prefix_ends.push(path.len());
        for end in prefix_ends {
            let p = &path.as_bytes()[..end];
            hashes.push((murmur3(0x293a_e76f, p), murmur3(0x7e64_6e2c, p)));
        }
        BloomKey { hashes, ascii: path.is_ascii() }
    }
}

/// murmur3 x86 32-bit, as git's `murmur3_seeded_v2`.
pub fn murmur3(seed: u32, data: &[u8]) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = chunks.remainder();
    let mut k: u32 = 0;
    for (i, b) in tail.iter().enumerate() {
        k ^= (*b as u32) << (8 * i);
    }
    if !tail.is_empty() {
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

impl std::fmt::Debug for CommitGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CommitGraph({} commits in {} layers)", self.len, self.layers.len())
    }
}

impl CommitGraph {
    /// Parse the layers of a chain, base first (a single file is a chain of one).
    pub fn parse(files: Vec<Vec<u8>>) -> Result<CommitGraph, CommitGraphError> {
        CommitGraph::parse_files(files.into_iter().map(super::mapped::Bytes::from).collect())
    }

    /// [`CommitGraph::parse`] of files mapped or read.
    pub(super) fn parse_files(
        files: Vec<super::mapped::Bytes>,
    ) -> Result<CommitGraph, CommitGraphError> {
        let mut layers: Vec<Layer> = Vec::with_capacity(files.len());
        let mut len: u32 = 0;
        for (index, data) in files.into_iter().enumerate() {
            let bases: Vec<&[u8]> = layers.iter().map(Layer::checksum).collect();
            let layer = Layer::parse(data, index, len, &bases)?;
            // A commit in two layers would have two positions, and the walk would meet it
            // twice. Upper layers are small next to the ones below (git merges them when not).
            for local in 0..layer.count {
                let oid = layer
                    .oid(local)
                    .ok_or(CommitGraphError::Truncated { layer: index, what: "object id list" })?;
                if layers.iter().any(|l| l.lookup(oid).is_some()) {
                    return Err(CommitGraphError::Corrupt {
                        layer: index,
                        what: "a commit is in two layers",
                    });
                }
            }
            len = len.checked_add(layer.count).ok_or(CommitGraphError::TooManyCommits)?;
            layers.push(layer);
        }
        if layers.is_empty() {
            return Err(CommitGraphError::NoLayers);
        }
        Ok(CommitGraph { layers, len })
    }

    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The layer holding global position `pos`, and the position within it.
    fn layer(&self, pos: u32) -> Option<(&Layer, u32)> {
        let l = self.layers.iter().rev().find(|l| l.base <= pos)?;
        let local = pos - l.base;
        (local < l.count).then_some((l, local))
    }

    /// The position of a commit, if the graph has it.
    pub fn lookup(&self, oid: &[u8]) -> Option<u32> {
        if oid.len() != HASH_LEN {
            return None;
        }
        self.layers.iter().find_map(|l| l.lookup(oid).map(|p| p + l.base))
    }

    /// The id of the commit at `pos`; `None` past the end.
    pub fn oid(&self, pos: u32) -> Option<[u8; HASH_LEN]> {
        let (l, local) = self.layer(pos)?;
        l.oid(local)?.try_into().ok()
    }

    /// The root tree of the commit at `pos`; `None` past the end.
    pub fn tree(&self, pos: u32) -> Option<[u8; HASH_LEN]> {
        let (l, local) = self.layer(pos)?;
        l.commit_data(local)?.get(..HASH_LEN)?.try_into().ok()
    }

    /// Committer time, seconds since the epoch; `None` past the end.
    pub fn time(&self, pos: u32) -> Option<i64> {
        let (l, local) = self.layer(pos)?;
        let d = l.commit_data(local)?;
        let hi = i64::from(be32(d, HASH_LEN + 8)? & 0b11);
        let lo = i64::from(be32(d, HASH_LEN + 12)?);
        Some((hi << 32) | lo)
    }

    /// Parent positions of the commit at `pos`, appended to `out`. An error when they do not
    /// hold together: a position past the end or in a later layer, an edge list that runs off
    /// its chunk, or a parent whose generation is not below its child's (a cycle).
    pub fn parents(&self, pos: u32, out: &mut Vec<u32>) -> Result<(), CommitGraphError> {
        self.parents_by(pos, out, |p| self.layer(p).and_then(|(l, local)| l.generation(local)))
    }

    /// [`CommitGraph::parents`], with each commit's generation from `generation_of`.
    fn parents_by(
        &self,
        pos: u32,
        out: &mut Vec<u32>,
        generation_of: impl Fn(u32) -> Option<u32>,
    ) -> Result<(), CommitGraphError> {
        let bad = CommitGraphError::Parents { pos };
        let (l, local) = self.layer(pos).ok_or(bad)?;
        let d = l.commit_data(local).ok_or(bad)?;
        let p1 = be32(d, HASH_LEN).ok_or(bad)?;
        let p2 = be32(d, HASH_LEN + 4).ok_or(bad)?;
        let generation = generation_of(pos).ok_or(bad)?;
        // A layer's parents are in it or in the layers below it.
        let limit = l.base + l.count;
        let check = |p: u32| -> Result<u32, CommitGraphError> {
            if p >= limit {
                return Err(bad);
            }
            let pg = generation_of(p).ok_or(bad)?;
            // Generation 0 means "not computed"; at the cap, parents may share the cap.
            if generation != 0 && pg != 0 && generation < GENERATION_MAX && pg >= generation {
                return Err(bad);
            }
            Ok(p)
        };
        if p1 == PARENT_NONE {
            return Ok(());
        }
        out.push(check(p1)?);
        if p2 == PARENT_NONE {
            return Ok(());
        }
        if p2 & EDGE_LAST == 0 {
            out.push(check(p2)?);
            return Ok(());
        }
        let edges = l.edges.as_ref().ok_or(bad)?;
        let list = l.data.get(edges.clone()).ok_or(bad)?;
        let mut at = (p2 & !EDGE_LAST) as usize;
        loop {
            let e = be32(list, at.checked_mul(4).ok_or(bad)?).ok_or(bad)?;
            out.push(check(e & !EDGE_LAST)?);
            if e & EDGE_LAST != 0 {
                return Ok(());
            }
            at += 1;
        }
    }

    /// Every commit's parent positions, read front to back into a table of their own: a walk
    /// then follows parents through a few bytes per commit that the processor's caches hold,
    /// instead of through the file's entries at random (one stalled read per commit, as the
    /// file is ordered by id, not by history). An error as [`CommitGraph::parents`] gives one,
    /// for any commit of the graph.
    pub fn parent_table(&self) -> Result<ParentTable, CommitGraphError> {
        // The generations first, front to back: checking parents then reads them from a table
        // a sixth of the file's entries, not at random through the entries.
        let generations: Vec<u32> = (0..self.len)
            .map(|p| self.layer(p).and_then(|(l, local)| l.generation(local)))
            .collect::<Option<_>>()
            .ok_or(CommitGraphError::Corrupt { layer: 0, what: "generations" })?;
        let generation_of = |p: u32| generations.get(p as usize).copied();
        let mut two = Vec::with_capacity(self.len as usize);
        let mut more = Vec::new();
        let mut parents = Vec::with_capacity(2);
        for pos in 0..self.len {
            parents.clear();
            self.parents_by(pos, &mut parents, generation_of)?;
            two.push(match parents[..] {
                [] => [NO_PARENT, NO_PARENT],
                [p] => [p, NO_PARENT],
                [p, q] => [p, q],
                _ => {
                    let at =
                        u32::try_from(more.len()).map_err(|_| CommitGraphError::TooManyCommits)?;
                    more.push(parents.len() as u32);
                    more.extend_from_slice(&parents);
                    [MORE, at]
                }
            });
        }
        Ok(ParentTable { two, more })
    }

    /// Whether any layer has changed-path Bloom filters.
    pub fn has_bloom_filters(&self) -> bool {
        self.layers.iter().any(|l| l.bloom.is_some())
    }

    /// [`CommitGraph::path_maybe_changed`] for every position, in order: the filters are then
    /// read front to back, not in whatever order the commits are visited.
    pub fn paths_maybe_changed(&self, key: &BloomKey) -> Vec<bool> {
        (0..self.len).map(|pos| self.path_maybe_changed(pos, key) == PathChange::Maybe).collect()
    }

    /// Whether the commit at `pos` may have changed `key`'s path against its first parent.
    pub fn path_maybe_changed(&self, pos: u32, key: &BloomKey) -> PathChange {
        let Some((l, local)) = self.layer(pos) else { return PathChange::Maybe };
        let Some(b) = &l.bloom else { return PathChange::Maybe };
        if !key.ascii {
            return PathChange::Maybe;
        }
        let Some(filter) = b.filter(&l.data, local) else { return PathChange::Maybe };
        if filter.is_empty() {
            return PathChange::Maybe; // not computed
        }
        let bits = filter.len() as u64 * 8;
        for &(h0, h1) in &key.hashes {
            for i in 0..b.num_hashes {
                let h = u64::from(h0.wrapping_add(i.wrapping_mul(h1))) % bits;
                // `h < bits`, so the byte is inside the filter.
                if filter.get((h / 8) as usize).is_some_and(|byte| byte & (1 << (h % 8)) == 0) {
                    return PathChange::No;
                }
            }
        }
        PathChange::Maybe
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn murmur3_known_values() {
        // Reference values of murmur3_x86_32.
        assert_eq!(murmur3(0, b""), 0);
        assert_eq!(murmur3(1, b""), 0x514e_28b7);
        assert_eq!(murmur3(0, b"hello"), 0x248b_fa47);
        assert_eq!(murmur3(0, b"Hello, world!"), 0xc036_3e43);
        assert_eq!(
            murmur3(0x9747_b28c, b"The quick brown fox jumps over the lazy dog"),
            0x2fa8_26cd
        );
    }

    #[test]
    fn garbage_is_refused() {
        assert!(CommitGraph::parse(vec![b"CGPH\x01\x01\xff\x00".to_vec()]).is_err());
        assert!(CommitGraph::parse(vec![vec![]]).is_err());
        assert_eq!(CommitGraph::parse(vec![]).unwrap_err(), CommitGraphError::NoLayers);
    }

    #[test]
    fn issue9_short_headers_are_refused() {
        for len in 0..=8 {
            let data = b"CGPH\x01\x01\x03\x00"[..len].to_vec();
            assert!(CommitGraph::parse(vec![data]).is_err(), "{len} bytes");
        }
    }

    pub(in crate::store) fn git(dir: &Path, args: &[&str]) {
        git_with_input(dir, args, "");
    }

    pub(in crate::store) fn git_with_input(dir: &Path, args: &[&str], input: &str) -> String {
        let home = dir.to_str().expect("UTF-8 temp path");
        let argv: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        let env = [
            ("HOME", home),
            ("XDG_CONFIG_HOME", home),
            ("GIT_CONFIG_NOSYSTEM", "1"),
            ("GIT_AUTHOR_NAME", "A"),
            ("GIT_AUTHOR_EMAIL", "a@example.com"),
            ("GIT_COMMITTER_NAME", "A"),
            ("GIT_COMMITTER_EMAIL", "a@example.com"),
            ("GIT_AUTHOR_DATE", "@1700000000 +0000"),
            ("GIT_COMMITTER_DATE", "@1700000000 +0000"),
        ];
        let out = crate::store::process::run_program_with(
            Path::new("git"),
            Some(dir),
            &argv,
            &env,
            &[],
            Some(input.as_bytes()),
        )
        .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A small repository with a root, a line of commits, a two-parent and a three-parent
    /// merge (so that the EDGE chunk exists), and files in folders (for the Bloom filters).
    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        git(d, &["init", "-q", "-b", "main"]);
        let commit = |file: &str, text: &str| {
            if let Some((folder, _)) = file.rsplit_once('/') {
                std::fs::create_dir_all(d.join(folder)).expect("mkdir");
            }
            std::fs::write(d.join(file), text).expect("write");
            git(d, &["add", "-A"]);
            git(d, &["commit", "-q", "-m", file]);
        };
        commit("a.txt", "1");
        commit("agreements/x.toml", "1");
        for b in ["b1", "b2"] {
            git(d, &["checkout", "-q", "-b", b, "main"]);
            commit(&format!("{b}/f.txt"), b);
        }
        git(d, &["checkout", "-q", "main"]);
        commit("agreements/x.toml", "2");
        git(d, &["merge", "-q", "--no-edit", "b1", "b2"]);
        git(d, &["checkout", "-q", "-b", "b3"]);
        commit("b3.txt", "3");
        git(d, &["checkout", "-q", "main"]);
        commit("agreements/y.toml", "1");
        git(d, &["merge", "-q", "--no-edit", "b3"]);
        dir
    }

    fn write_graph(dir: &Path, split: &[&str]) {
        let mut args = vec!["commit-graph", "write", "--reachable", "--changed-paths"];
        args.extend_from_slice(split);
        git(dir, &args);
    }

    type Answers = Vec<([u8; 20], [u8; 20], i64, Vec<u32>, Vec<PathChange>)>;

    /// Everything the graph says about every commit it holds, and about one past the end.
    fn answers(cg: &CommitGraph) -> Answers {
        let keys: Vec<BloomKey> =
            ["a.txt", "agreements", "agreements/x.toml", "b3.txt", "nope/z", "é"]
                .iter()
                .map(|p| BloomKey::new(p))
                .collect();
        let all: Vec<Vec<bool>> = keys.iter().map(|k| cg.paths_maybe_changed(k)).collect();
        // The walk's table of every commit's parents says what `parents` says, one by one.
        let table = cg.parent_table().expect("a graph that holds together has a parent table");
        let mut out = Vec::new();
        for pos in 0..cg.len() {
            for (k, key) in keys.iter().enumerate() {
                let one = cg.path_maybe_changed(pos, key) == PathChange::Maybe;
                assert_eq!(all[k][pos as usize], one, "every position at once, in order");
            }
            let oid = cg.oid(pos).expect("oid");
            assert_eq!(cg.lookup(&oid), Some(pos));
            let mut parents = Vec::new();
            cg.parents(pos, &mut parents).expect("parents");
            assert_eq!(table.of(pos), &parents[..], "parent table at {pos}");
            let changes = keys.iter().map(|k| cg.path_maybe_changed(pos, k)).collect();
            out.push((
                oid,
                cg.tree(pos).expect("tree"),
                cg.time(pos).expect("time"),
                parents,
                changes,
            ));
        }
        let past = cg.len();
        assert!(cg.oid(past).is_none() && cg.tree(past).is_none() && cg.time(past).is_none());
        assert!(cg.parents(past, &mut Vec::new()).is_err());
        assert!(table.of(past).is_empty());
        assert_eq!(cg.path_maybe_changed(past, &keys[0]), PathChange::Maybe);
        out
    }

    /// Ask a graph that parsed from damaged bytes everything, without panicking.
    fn poke(cg: &CommitGraph) {
        let key = BloomKey::new("agreements/x.toml");
        let table = cg.parent_table();
        for pos in 0..cg.len().saturating_add(2).min(10_000) {
            let oid = cg.oid(pos);
            let _ = (cg.tree(pos), cg.time(pos), cg.path_maybe_changed(pos, &key));
            let mut parents = Vec::new();
            let one = cg.parents(pos, &mut parents);
            if let Ok(table) = &table {
                // A table is only had when every commit's parents hold together.
                assert!(one.is_ok() || pos >= cg.len(), "{pos}: {one:?}");
                assert_eq!(table.of(pos), &parents[..]);
            }
            if let Some(oid) = oid {
                let _ = cg.lookup(&oid);
            }
        }
        let _ = cg.lookup(&[0; 20]);
        let _ = cg.lookup(&[0xff; 20]);
    }

    #[test]
    fn issue9_every_truncation_of_a_real_file_is_refused() {
        let dir = repo();
        write_graph(dir.path(), &[]);
        let data = std::fs::read(dir.path().join(".git/objects/info/commit-graph")).unwrap();
        let full = CommitGraph::parse(vec![data.clone()]).expect("git's own file parses");
        assert_eq!(full.len(), 9);
        let expected = answers(&full);
        assert!(expected.iter().any(|a| a.3.len() == 3), "an octopus merge is in the graph");
        assert!(expected.iter().any(|a| a.4.contains(&PathChange::No)), "Bloom filters answer");
        for len in 0..data.len() {
            match CommitGraph::parse(vec![data[..len].to_vec()]) {
                Err(_) => {}
                // Only a cut into the checksum could leave the data whole; git's chunk offsets
                // leave room for it, so even that is refused.
                Ok(cg) => panic!("{len} of {} bytes parsed: {cg:?}", data.len()),
            }
        }
    }

    #[test]
    fn issue9_damaged_bytes_never_panic() {
        let dir = repo();
        write_graph(dir.path(), &[]);
        let data = std::fs::read(dir.path().join(".git/objects/info/commit-graph")).unwrap();
        for at in 0..data.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = data.clone();
                bad[at] ^= flip;
                if let Ok(cg) = CommitGraph::parse(vec![bad]) {
                    poke(&cg);
                }
            }
        }
    }

    #[test]
    fn issue9_random_bytes_never_panic() {
        // xorshift: deterministic, no dependency.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..20_000 {
            let len = (next() % 600) as usize;
            let mut data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            // Most rounds get a valid header, so the parser goes past the first check.
            if round % 4 != 0 && data.len() >= 8 {
                data[..8].copy_from_slice(b"CGPH\x01\x01\x00\x00");
                data[6] = (next() % 8) as u8;
            }
            if let Ok(cg) = CommitGraph::parse(vec![data]) {
                poke(&cg);
            }
        }
    }

    fn chain(dir: &Path) -> Vec<Vec<u8>> {
        let info = dir.join(".git/objects/info/commit-graphs");
        let names = std::fs::read_to_string(info.join("commit-graph-chain")).unwrap();
        names
            .lines()
            .map(|h| std::fs::read(info.join(format!("graph-{h}.graph"))).unwrap())
            .collect()
    }

    #[test]
    fn issue9_split_chains_hold_together_or_are_refused() {
        let dir = repo();
        let d = dir.path();
        // A base layer of the first commits only, then a layer of the rest on top.
        let early = git_with_input(d, &["rev-parse", "main~3"], "");
        let base = ["commit-graph", "write", "--split", "--changed-paths", "--stdin-commits"];
        git_with_input(d, &base, &early);
        write_graph(d, &["--split=no-merge"]);
        let files = chain(d);
        assert_eq!(files.len(), 2, "a chain of two layers");
        let single = {
            let other = repo();
            write_graph(other.path(), &[]);
            std::fs::read(other.path().join(".git/objects/info/commit-graph")).unwrap()
        };
        let whole = CommitGraph::parse(files.clone()).expect("git's own chain parses");
        assert_eq!(whole.len(), 9);
        // The same commits (same dates, same ids) as the single file, in other positions.
        let by_oid = |a: Answers, cg: &CommitGraph| {
            let mut v: Vec<_> = a
                .into_iter()
                .map(|(o, t, time, parents, ch)| {
                    let parents: Vec<_> = parents.into_iter().map(|p| cg.oid(p).unwrap()).collect();
                    (o, t, time, parents, ch)
                })
                .collect();
            v.sort_by_key(|a| a.0);
            v
        };
        let single_cg = CommitGraph::parse(vec![single]).unwrap();
        assert_eq!(by_oid(answers(&whole), &whole), by_oid(answers(&single_cg), &single_cg));
        // The top layer alone, or the layers swapped: refused.
        assert!(CommitGraph::parse(vec![files[1].clone()]).is_err());
        assert!(CommitGraph::parse(vec![files[1].clone(), files[0].clone()]).is_err());
        // Any cut of either layer: refused.
        for layer in 0..2 {
            for len in 0..files[layer].len() {
                let mut cut = files.clone();
                cut[layer].truncate(len);
                assert!(CommitGraph::parse(cut).is_err(), "layer {layer} cut to {len}");
            }
        }
        for layer in 0..2 {
            for at in 0..files[layer].len() {
                let mut bad = files.clone();
                bad[layer][at] ^= 0xff;
                if let Ok(cg) = CommitGraph::parse(bad) {
                    poke(&cg);
                }
            }
        }
    }
}
