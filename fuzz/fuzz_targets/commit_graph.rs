//! Any bytes → git's commit-graph reader, as one file and as a chain of two layers.
//!
//! Properties: `CommitGraph::parse` returns `Ok` or `Err` and never panics; on a graph it
//! accepts, every accessor (`oid`, `tree`, `time`, `parents`, `lookup`, `path_maybe_changed`)
//! answers without panicking for every position and one past the end; every id the graph
//! holds is found again at its own position; every parent it reports is a position inside it.
#![no_main]

use accord::store::{BloomKey, CommitGraph};
use libfuzzer_sys::fuzz_target;

fn poke(cg: &CommitGraph) {
    let keys = [BloomKey::new("agreements/charter.toml"), BloomKey::new("a"), BloomKey::new("é")];
    let mut parents = Vec::new();
    // Bounded: a forged fan-out can claim billions of commits in a small input only if the
    // sizes agree, so `len` is small in practice; the bound keeps a slow input impossible.
    for pos in 0..cg.len().saturating_add(1).min(100_000) {
        let _ = (cg.tree(pos), cg.time(pos));
        if let Some(oid) = cg.oid(pos) {
            assert_eq!(cg.lookup(&oid), Some(pos), "an id is found at its own position");
        }
        parents.clear();
        if cg.parents(pos, &mut parents).is_ok() {
            assert!(parents.iter().all(|&p| p < cg.len()), "parents inside the graph");
        }
        for key in &keys {
            let _ = cg.path_maybe_changed(pos, key);
        }
    }
    let _ = cg.lookup(&[0; 20]);
    let _ = cg.lookup(&[0xff; 20]);
    let _ = cg.lookup(b"short");
}

fuzz_target!(|data: &[u8]| {
    if let Ok(cg) = CommitGraph::parse(vec![data.to_vec()]) {
        poke(&cg);
    }
    // The same bytes split into two layers at a point the first byte chooses.
    if let Some((&cut, rest)) = data.split_first() {
        let at = (cut as usize * rest.len()) / 255;
        let (a, b) = rest.split_at(at.min(rest.len()));
        if let Ok(cg) = CommitGraph::parse(vec![a.to_vec(), b.to_vec()]) {
            poke(&cg);
        }
    }
});
