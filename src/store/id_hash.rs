//! Hashing for maps keyed by object ids. An id is a SHA-1 digest, spread evenly already, so
//! hashing it again with the standard library's SipHash (built to resist keys chosen to
//! collide) only costs time; and `git2::Oid` compares through a call into libgit2. These maps
//! key on the id's bytes and mix them with a multiply, as rustc's own FxHasher does. Finding
//! many ids that agree in the bits this keeps would mean finding SHA-1 prefix collisions by
//! the million, so a repository cannot make the maps slow. Only for keys that are ids.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map from object ids (as bytes) to `V`.
pub(super) type IdMap<V> = HashMap<[u8; 20], V, BuildHasherDefault<IdHasher>>;

/// The bytes of `id`, as [`IdMap`] keys them.
pub(super) fn key(id: git2::Oid) -> [u8; 20] {
    let mut k = [0u8; 20];
    k.copy_from_slice(&id.as_bytes()[..20]);
    k
}

/// Folds what is written eight bytes at a time with a rotate, an exclusive or and a multiply.
#[derive(Default)]
pub(super) struct IdHasher(u64);

const K: u64 = 0xf135_7aea_2e62_a9c5;

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        // hashbrown takes its control bits from the top of the hash: bring the mixed bits up.
        self.0.rotate_left(26)
    }
}

impl IdHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids that differ in any one byte land apart, and the map answers as a map.
    #[test]
    fn ids_spread_and_the_map_holds_them() {
        let hash = |k: &[u8; 20]| {
            let mut h = IdHasher::default();
            std::hash::Hash::hash(k, &mut h);
            h.finish()
        };
        let base = [7u8; 20];
        let mut seen = std::collections::HashSet::new();
        assert!(seen.insert(hash(&base)));
        for at in 0..20 {
            let mut k = base;
            k[at] ^= 1;
            assert!(seen.insert(hash(&k)), "byte {at}");
        }
        let mut m: IdMap<usize> = IdMap::default();
        for i in 0..1000u32 {
            let mut k = [0u8; 20];
            k[16..].copy_from_slice(&i.to_be_bytes());
            m.insert(k, i as usize);
        }
        assert_eq!(m.len(), 1000);
        let mut k = [0u8; 20];
        k[16..].copy_from_slice(&999u32.to_be_bytes());
        assert_eq!(m.get(&k), Some(&999));
        assert_eq!(key(git2::Oid::from_bytes(&k).expect("oid")), k);
    }
}
