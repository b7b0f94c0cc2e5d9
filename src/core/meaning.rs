//! The one same-meaning checker (SPEC §4): two revisions have the same meaning when their parsed
//! agreements are equal after normalising text and emails. Every command that asks whether a
//! sign-off carries over — `status`, `sign`, `log`, `history`, `review`, `due`, `verify` — asks
//! [`SameMeaning`], so they cannot disagree.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::error::Result;
use crate::model::Agreement;
use crate::oid::ObjectId;
use crate::trailers::Trailers;

/// A fingerprint of an agreement's meaning: equal exactly when the meanings are equal. The store
/// makes it git's object hash of the normalised agreement, so forging a different meaning with
/// the same fingerprint is as hard as forging a blob id, on which every sign-off already rests.
pub type Meaning = ObjectId;

/// What evaluation reads beyond the positions themselves: kept narrow so that a test can answer
/// it from memory.
pub trait Revisions {
    /// The meaning fingerprint of an agreement already parsed.
    fn fingerprint(&self, agreement: &Agreement) -> Result<Meaning>;
    /// The meaning of the text stored under blob `revision`: `Ok(None)` when there is no such
    /// blob or it does not parse as an agreement; `Err` when reading failed.
    fn meaning(&self, revision: ObjectId) -> Result<Option<Meaning>>;
    /// The meaning of the text a position names: the fingerprint it carries (`Accord-Meaning`,
    /// SPEC §4) when it carries one, else its blob's. The fingerprint is the position's own
    /// statement of what it agreed to, so it decides alike in every clone and every run,
    /// whether the text is still here (`verify` checks the two agree) or was collected.
    fn named_meaning(&self, named: &Trailers) -> Result<Option<Meaning>> {
        if let Some(m) = named.meaning.as_deref().and_then(|c| c.parse::<Meaning>().ok()) {
            return Ok(Some(m));
        }
        match named.revision.parse::<ObjectId>() {
            Ok(rev) => self.meaning(rev),
            Err(_) => Ok(None),
        }
    }
    /// The meaning of `agreement`, which is the text stored under blob `revision`: its
    /// fingerprint, unless the reader remembers it.
    fn meaning_at(&self, revision: ObjectId, agreement: &Agreement) -> Result<Meaning> {
        let _ = revision;
        self.fingerprint(agreement)
    }
}

/// Answers "does the revision a position names mean what the current text means?", asking the
/// reader only when needed and remembering each answer.
pub struct SameMeaning<'r, R: Revisions + ?Sized> {
    reader: &'r R,
    current: Meaning,
    /// Answers by the text named and the fingerprint carried with it: a fingerprint decides
    /// only the position that carries it, never another party's position on the same text.
    known: RefCell<HashMap<(ObjectId, Option<Meaning>), bool>>,
}

impl<'r, R: Revisions + ?Sized> SameMeaning<'r, R> {
    /// A checker against the meaning of `current`, the text that `revision` names.
    pub fn new(reader: &'r R, revision: &str, current: &Agreement) -> Result<SameMeaning<'r, R>> {
        let current = match revision.parse::<ObjectId>() {
            Ok(rev) => reader.meaning_at(rev, current)?,
            Err(_) => reader.fingerprint(current)?,
        };
        Ok(SameMeaning { reader, current, known: Default::default() })
    }

    /// A checker against a meaning already known.
    pub fn with_meaning(reader: &'r R, current: Meaning) -> SameMeaning<'r, R> {
        SameMeaning { reader, current, known: Default::default() }
    }

    /// Whether the text a position names means what the current text means (SPEC §4: consent
    /// binds to content, not to ancestry), as [`Revisions::named_meaning`] says what it means.
    /// A revision that is not an object id, and a text without a fingerprint that is missing
    /// or does not parse, never does.
    pub fn check(&self, named: &Trailers) -> Result<bool> {
        let Ok(rev) = named.revision.parse::<ObjectId>() else { return Ok(false) };
        let key = (rev, named.meaning.as_deref().and_then(|c| c.parse::<Meaning>().ok()));
        if let Some(&v) = self.known.borrow().get(&key) {
            return Ok(v);
        }
        let same = self.reader.named_meaning(named)? == Some(self.current);
        self.known.borrow_mut().insert(key, same);
        Ok(same)
    }
}

/// [`SameMeaning`]'s answers for the texts some positions name, asked (fallibly) up front so
/// that the pure folds that read them cannot fail. Kept by text and claimed fingerprint, as
/// [`SameMeaning::check`] answers them.
#[derive(Default)]
pub struct Answers<'p>(HashMap<(&'p str, Option<&'p str>), bool>);

impl<'p> Answers<'p> {
    /// Ask `same` about the text `named` names, unless that was asked already.
    pub fn ask<R: Revisions + ?Sized>(
        &mut self,
        same: &SameMeaning<R>,
        named: &'p Trailers,
    ) -> Result<()> {
        let key = (named.revision.as_str(), named.meaning.as_deref());
        if let std::collections::hash_map::Entry::Vacant(v) = self.0.entry(key) {
            v.insert(same.check(named)?);
        }
        Ok(())
    }

    /// The answer for the text `named` names; `false` when it was not asked.
    pub fn get(&self, named: &Trailers) -> bool {
        self.0.get(&(named.revision.as_str(), named.meaning.as_deref())).copied().unwrap_or(false)
    }
}

#[cfg(test)]
pub(crate) mod fake {
    //! An in-memory [`Revisions`] for unit tests: blobs by id, meanings from the normalised text.

    use std::collections::HashMap;

    use super::*;

    #[derive(Default)]
    pub struct FakeRevisions {
        pub blobs: HashMap<ObjectId, Agreement>,
    }

    impl FakeRevisions {
        /// Store `a` as a revision under a made-up blob id `n`.
        pub fn add(&mut self, n: u8, a: Agreement) -> ObjectId {
            let id = ObjectId::from_bytes([n; 20]);
            self.blobs.insert(id, a);
            id
        }
    }

    impl Revisions for FakeRevisions {
        fn fingerprint(&self, a: &Agreement) -> Result<Meaning> {
            let text = serde_json::to_string(&a.normalized()).expect("serialisable");
            let mut bytes = [0u8; 20];
            for (i, b) in text.bytes().enumerate() {
                bytes[i % 20] = bytes[i % 20].wrapping_mul(31).wrapping_add(b);
            }
            Ok(ObjectId::from_bytes(bytes))
        }

        fn meaning(&self, revision: ObjectId) -> Result<Option<Meaning>> {
            self.blobs.get(&revision).map(|a| self.fingerprint(a)).transpose()
        }
    }
}
