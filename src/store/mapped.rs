//! A file's bytes mapped into memory (read where it cannot be mapped), for the large files git
//! writes once and never changes in place: the commit-graph, pack indexes and (up to a size,
//! for reading commits in bulk: see `pack.rs`) packs.
//!
//! Reading such a file copies it into memory the process allocates for it: every page is
//! faulted in fresh, zeroed and then filled, which for a 7 MB commit-graph and a 16 MB index
//! was a tenth of a first `history`'s CPU time at 100,000 commits. Mapped, the pages are the
//! operating system's cached ones, a fault per 16 of them. git and libgit2 map these files
//! too. git replaces them by renaming a new file over the old (a lock file, then a rename), so
//! a mapping keeps the bytes it was made with; a file cut short in place by something else is
//! what `filebuffer` warns about, and what git itself does not survive either.

use std::ops::Deref;
use std::path::Path;

/// The bytes of a file, mapped or read.
pub(super) enum Bytes {
    Read(Vec<u8>),
    Mapped(filebuffer::FileBuffer),
}

impl Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Read(v) => v,
            Bytes::Mapped(m) => m,
        }
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Bytes {
        Bytes::Read(v)
    }
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = if matches!(self, Bytes::Mapped(_)) { "mapped" } else { "read" };
        write!(f, "Bytes({} bytes {how})", self.len())
    }
}

/// The bytes of the file at `path`: mapped, or read when it cannot be mapped (a file system
/// without mappings); the error of the read otherwise.
pub(super) fn open(path: &Path) -> std::io::Result<Bytes> {
    match filebuffer::FileBuffer::open(path) {
        Ok(m) => Ok(Bytes::Mapped(m)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(e),
        Err(_) => std::fs::read(path).map(Bytes::Read),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapped_file_reads_as_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"commit-graph bytes").unwrap();
        assert_eq!(&*open(&path).unwrap(), b"commit-graph bytes");
        std::fs::write(&path, b"").unwrap();
        assert_eq!(&*open(&path).unwrap(), b"");
        let missing = open(&dir.path().join("none")).unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
    }
}
