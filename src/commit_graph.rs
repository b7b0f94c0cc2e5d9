//! A reader for git's commit-graph files (`objects/info/commit-graph` and split chains under
//! `objects/info/commit-graphs/`), including their changed-path Bloom filters.
//!
//! Pure: the caller reads the files and hands over their bytes. Parents, root trees and
//! committer times of every commit in the graph come without reading a single commit object,
//! and the Bloom filters say which commits certainly did not touch a path. That is how accord
//! walks 100,000 commits faster than `git log` reads them (SPEC §8). Anything malformed makes
//! [`CommitGraph::parse`] return `None`: the caller then walks the object database instead.

const PARENT_NONE: u32 = 0x7000_0000;
const EDGE_LAST: u32 = 0x8000_0000;
const HASH_LEN: usize = 20;

/// One file of a chain.
struct Layer {
    data: Vec<u8>,
    /// Global position of this layer's first commit.
    base: u32,
    count: u32,
    fanout: usize,
    oids: usize,
    cdat: usize,
    edges: Option<usize>,
    bloom: Option<Bloom>,
}

struct Bloom {
    index: usize,
    data: usize,
    num_hashes: u32,
}

/// A commit-graph, possibly a chain of layers (base first).
pub struct CommitGraph {
    layers: Vec<Layer>,
    len: u32,
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

fn be64(d: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(d.get(at..at + 8)?.try_into().ok()?))
}

impl Layer {
    fn parse(data: Vec<u8>, base: u32) -> Option<Layer> {
        if data.get(..4)? != b"CGPH" || data[4] != 1 || data[5] != 1 {
            return None; // unknown version, or SHA-256
        }
        let chunks = data[6] as usize;
        let mut table = Vec::with_capacity(chunks + 1);
        for i in 0..=chunks {
            let at = 8 + i * 12;
            table.push((be32(&data, at)?, usize::try_from(be64(&data, at + 4)?).ok()?));
        }
        let find = |id: &[u8; 4]| -> Option<(usize, usize)> {
            let want = u32::from_be_bytes(*id);
            let i = table.iter().position(|(c, _)| *c == want)?;
            let (start, end) = (table[i].1, table.get(i + 1)?.1);
            (start <= end && end <= data.len()).then_some((start, end - start))
        };
        let (fanout, flen) = find(b"OIDF")?;
        if flen != 256 * 4 {
            return None;
        }
        let count = be32(&data, fanout + 255 * 4)?;
        let (oids, olen) = find(b"OIDL")?;
        let (cdat, clen) = find(b"CDAT")?;
        if olen != count as usize * HASH_LEN || clen != count as usize * (HASH_LEN + 16) {
            return None;
        }
        let edges = find(b"EDGE").map(|(s, _)| s);
        let bloom = match (find(b"BIDX"), find(b"BDAT")) {
            (Some((index, ilen)), Some((bdat, blen)))
                if ilen == count as usize * 4 && blen >= 12 =>
            {
                let version = be32(&data, bdat)?;
                let num_hashes = be32(&data, bdat + 4)?;
                // Version 1 hashes bytes >= 0x80 as signed chars; accord only asks about ASCII
                // paths there (see `path_maybe_changed`). Version 2 is the same for all bytes.
                (matches!(version, 1 | 2) && (1..=32).contains(&num_hashes)).then_some(Bloom {
                    index,
                    data: bdat + 12,
                    num_hashes,
                })
            }
            _ => None,
        };
        Some(Layer { data, base, count, fanout, oids, cdat, edges, bloom })
    }

    fn oid(&self, local: u32) -> &[u8] {
        let at = self.oids + local as usize * HASH_LEN;
        &self.data[at..at + HASH_LEN]
    }

    fn lookup(&self, oid: &[u8]) -> Option<u32> {
        let first = oid[0] as usize;
        let lo = if first == 0 { 0 } else { be32(&self.data, self.fanout + (first - 1) * 4)? };
        let hi = be32(&self.data, self.fanout + first * 4)?;
        let (mut lo, mut hi) = (lo, hi.min(self.count));
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.oid(mid).cmp(oid) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
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
    pub fn parse(files: Vec<Vec<u8>>) -> Option<CommitGraph> {
        let mut layers = Vec::new();
        let mut len: u32 = 0;
        for data in files {
            let layer = Layer::parse(data, len)?;
            len = len.checked_add(layer.count)?;
            layers.push(layer);
        }
        if layers.is_empty() {
            return None;
        }
        Some(CommitGraph { layers, len })
    }

    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn layer(&self, pos: u32) -> (&Layer, u32) {
        let i = self.layers.iter().rposition(|l| l.base <= pos).unwrap_or(0);
        let l = &self.layers[i];
        (l, pos - l.base)
    }

    /// The position of a commit, if the graph has it.
    pub fn lookup(&self, oid: &[u8]) -> Option<u32> {
        if oid.len() != HASH_LEN {
            return None;
        }
        self.layers.iter().find_map(|l| l.lookup(oid).map(|p| p + l.base))
    }

    pub fn oid(&self, pos: u32) -> [u8; HASH_LEN] {
        let (l, local) = self.layer(pos);
        l.oid(local).try_into().unwrap_or([0; HASH_LEN])
    }

    pub fn tree(&self, pos: u32) -> [u8; HASH_LEN] {
        let (l, local) = self.layer(pos);
        let at = l.cdat + local as usize * (HASH_LEN + 16);
        l.data[at..at + HASH_LEN].try_into().unwrap_or([0; HASH_LEN])
    }

    /// Committer time, seconds since the epoch.
    pub fn time(&self, pos: u32) -> i64 {
        let (l, local) = self.layer(pos);
        let at = l.cdat + local as usize * (HASH_LEN + 16) + HASH_LEN + 8;
        let hi = be32(&l.data, at).unwrap_or(0) as i64 & 0b11;
        let lo = be32(&l.data, at + 4).unwrap_or(0) as i64;
        (hi << 32) | lo
    }

    /// Parent positions, appended to `out`. `None` if the file is inconsistent.
    pub fn parents(&self, pos: u32, out: &mut Vec<u32>) -> Option<()> {
        let (l, local) = self.layer(pos);
        let at = l.cdat + local as usize * (HASH_LEN + 16) + HASH_LEN;
        let p1 = be32(&l.data, at)?;
        let p2 = be32(&l.data, at + 4)?;
        if p1 == PARENT_NONE {
            return Some(());
        }
        out.push(self.check(p1)?);
        if p2 == PARENT_NONE {
            return Some(());
        }
        if p2 & EDGE_LAST == 0 {
            out.push(self.check(p2)?);
            return Some(());
        }
        let mut i = (p2 & !EDGE_LAST) as usize;
        let edges = l.edges?;
        loop {
            let e = be32(&l.data, edges + i * 4)?;
            out.push(self.check(e & !EDGE_LAST)?);
            if e & EDGE_LAST != 0 {
                return Some(());
            }
            i += 1;
        }
    }

    fn check(&self, pos: u32) -> Option<u32> {
        (pos < self.len).then_some(pos)
    }

    /// Whether the commit at `pos` may have changed `key`'s path against its first parent.
    pub fn path_maybe_changed(&self, pos: u32, key: &BloomKey) -> PathChange {
        let (l, local) = self.layer(pos);
        let Some(b) = &l.bloom else { return PathChange::Maybe };
        if !key.ascii {
            return PathChange::Maybe;
        }
        let end = be32(&l.data, b.index + local as usize * 4).unwrap_or(0) as usize;
        let start = if local == 0 {
            0
        } else {
            be32(&l.data, b.index + (local as usize - 1) * 4).unwrap_or(0) as usize
        };
        let Some(filter) = l.data.get(b.data + start..b.data + end) else {
            return PathChange::Maybe;
        };
        if filter.is_empty() {
            return PathChange::Maybe; // not computed
        }
        let bits = filter.len() as u64 * 8;
        for &(h0, h1) in &key.hashes {
            for i in 0..b.num_hashes {
                let h = h0.wrapping_add(i.wrapping_mul(h1)) as u64 % bits;
                if filter[(h / 8) as usize] & (1 << (h % 8)) == 0 {
                    return PathChange::No;
                }
            }
        }
        PathChange::Maybe
    }
}

#[cfg(test)]
mod tests {
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
        assert!(CommitGraph::parse(vec![b"CGPH\x01\x01\xff\x00".to_vec()]).is_none());
        assert!(CommitGraph::parse(vec![vec![]]).is_none());
        assert!(CommitGraph::parse(vec![]).is_none());
    }
}
