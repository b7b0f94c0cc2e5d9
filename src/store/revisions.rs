//! The store's answer to the evaluation core's [`Revisions`] trait: meanings of blobs read from
//! the object database (remembered in the snapshot), and proof that a blob is a revision of an
//! agreement's file (from the position's own tree, the snapshot, or a walk of the file's history).

use git2::Oid;

use super::{Graph, History, Store};
use crate::core::{Meaning, Revisions};
use crate::error::{Error, Result};
use crate::model::Agreement;
use crate::oid::ObjectId;

impl From<ObjectId> for Oid {
    fn from(id: ObjectId) -> Oid {
        to_oid(id)
    }
}

impl From<Oid> for ObjectId {
    fn from(id: Oid) -> ObjectId {
        from_oid(id)
    }
}

pub(crate) fn to_oid(id: ObjectId) -> Oid {
    Oid::from_bytes(id.as_bytes()).unwrap_or_else(|_| Oid::zero())
}

pub(crate) fn from_oid(id: Oid) -> ObjectId {
    let mut bytes = [0u8; 20];
    bytes.copy_from_slice(&id.as_bytes()[..20]);
    ObjectId::from_bytes(bytes)
}

/// git's object hash of the normalised agreement (see [`Meaning`]).
pub fn fingerprint(a: &Agreement) -> Result<Meaning> {
    let bytes = serde_json::to_vec(&a.normalized())
        .map_err(|e| Error::new(format!("cannot fingerprint an agreement's meaning: {e}")))?;
    Ok(blob_id(&bytes))
}

/// The id git gives `bytes` as a blob (`git hash-object`): SHA-1 of `blob <length>\0` and the
/// bytes. Computed here rather than by libgit2, whose collision-detecting SHA-1 took a third
/// of a fingerprint's time; the ids are the same (a property test compares them).
fn blob_id(bytes: &[u8]) -> ObjectId {
    use sha1::Digest;
    let mut h = sha1::Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    ObjectId::from_bytes(h.finalize().into())
}

/// Where the history needed for proofs comes from.
#[derive(Clone, Copy)]
pub enum Source<'a, 's> {
    /// A graph already walked.
    Graph(&'a Graph),
    /// A history whose graph is walked only if a proof needs it, and which remembers meanings.
    History(&'a History<'s>),
}

/// One agreement's revisions as the evaluation core reads them.
pub struct AgreementRevisions<'a, 's> {
    store: &'a Store,
    source: Source<'a, 's>,
    path: String,
}

impl<'a, 's> AgreementRevisions<'a, 's> {
    pub fn new(store: &'a Store, source: Source<'a, 's>, id: &str) -> Self {
        AgreementRevisions { store, source, path: store.path_of(id) }
    }

    /// The meaning of `blob`, `Some(None)` when it does not parse; `None` when the repository
    /// does not hold it (nothing to remember: a fetch may bring it).
    fn compute_meaning(&self, blob: Oid) -> Result<Option<Option<Meaning>>> {
        match self.store.parsed(blob, &self.path)? {
            Some(a) => Ok(Some(Some(fingerprint(&a)?))),
            None if self.store.read_blob(blob)?.is_some() => Ok(Some(None)),
            None => Ok(None),
        }
    }
}

impl Revisions for AgreementRevisions<'_, '_> {
    fn fingerprint(&self, agreement: &Agreement) -> Result<Meaning> {
        fingerprint(agreement)
    }

    fn meaning(&self, revision: ObjectId) -> Result<Option<Meaning>> {
        let blob = to_oid(revision);
        match self.source {
            Source::History(h) => h
                .meaning_or(blob, || Ok(self.compute_meaning(blob)?.map(|m| m.map(to_oid))))
                .map(|m| m.map(from_oid)),
            Source::Graph(_) => Ok(self.compute_meaning(blob)?.flatten()),
        }
    }

    /// Remembered by the history (a cold run's read-ahead fingerprinted every text), else
    /// computed from `agreement`.
    fn meaning_at(&self, revision: ObjectId, agreement: &Agreement) -> Result<Meaning> {
        let compute = || fingerprint(agreement);
        let Source::History(h) = self.source else { return compute() };
        match h.meaning_or(to_oid(revision), || Ok(Some(Some(to_oid(compute()?)))))? {
            Some(m) => Ok(from_oid(m)),
            // Remembered as not parsing: `agreement` did, so say what it means.
            None => compute(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Positions carry the fingerprint (`Accord-Meaning`) for good, so it must never change
    /// for a text whose meaning did not: a change to the model's serialisation that moves it
    /// fails here. (Every field, optional ones included, and a text the normalising changes;
    /// the text is this test's own, not a shared fixture, so that editing a fixture cannot
    /// move the pinned values.)
    #[test]
    fn the_fingerprint_of_a_meaning_never_changes() {
        let text = r#"schema = 1
title = "  Platform   team charter "
kind = "charter"
purpose = """
Give every product team a paved road
from merge to production."""
review_every = "90d"
review_by = 2027-03-01
ends = 2028-01-01
retired = true
supersedes = ["old-b", "old-a"]

[decision]
rule = "quorum"
quorum = 2

[scope]
in = ["CI runners"]
out = ["application on-call"]

[[party]]
name = "Ada Lovelace"
email = "Ada@Example.com"
role = "steward"

[[party]]
name = "Grace Hopper"
email = "grace@example.com"

[[commitment]]
id = "pager"
by = ["grace@example.com"]
to = ["ada@example.com"]
text = "Answer pages within 15 minutes."

[[norm]]
text = "We review each other's pull requests within one working day."
"#;
        let a = crate::model::parse(text.as_bytes(), "t.toml").expect("parses");
        assert_eq!(
            fingerprint(&a).unwrap().to_string(),
            "39b79796a068178205653849d8f65083b5a8b0ce"
        );
        let minimal = "schema = 1\ntitle = \"T\"\nkind = \"decision\"\npurpose = \"P\"\n";
        let a = crate::model::parse(minimal.as_bytes(), "t.toml").expect("parses");
        assert_eq!(
            fingerprint(&a).unwrap().to_string(),
            "61ba03307436c0ee76703eaa78fe62ce97f79578"
        );
    }

    proptest::proptest! {
        /// The fingerprint's hash is git's blob id of the same bytes, as libgit2 computes it.
        #[test]
        fn blob_id_is_gits(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..3000)) {
            let git = Oid::hash_object(git2::ObjectType::Blob, &bytes).expect("hash");
            proptest::prop_assert_eq!(blob_id(&bytes), from_oid(git));
        }
    }
}
