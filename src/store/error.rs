//! The typed errors of `store`: what went wrong reading the repository, with the git error or
//! the commit-graph error as its source. It owns no hints and no exit codes: those are added
//! where a command knows what the user asked for (today through [`crate::error::Error`]).

use super::commit_graph::CommitGraphError;

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// libgit2 failed (a missing or corrupt object, an unreadable repository).
    #[error("git: {}", .0.message())]
    Git(#[from] git2::Error),
    /// git's commit-graph file does not hold together. The walk falls back to reading commits
    /// instead, so this reaches a user only through tracing.
    #[error("commit-graph: {0}")]
    CommitGraph(#[from] CommitGraphError),
    /// A thread reading commits in parallel panicked: its commits were not read.
    #[error("a thread reading commits stopped unexpectedly; history was not read completely")]
    ReaderPanicked,
    /// More commits than the walk can number.
    #[error("more than {0} commits reachable; accord cannot walk this history")]
    TooManyCommits(u32),
}

impl From<StoreError> for crate::error::Error {
    fn from(e: StoreError) -> crate::error::Error {
        match e {
            // The same message as every other git error.
            StoreError::Git(e) => e.into(),
            other => crate::error::Error::new(other.to_string()),
        }
    }
}

// git2's errors become the user-facing error here, in the one module that uses git2.
impl From<git2::Error> for crate::error::Error {
    fn from(e: git2::Error) -> crate::error::Error {
        crate::error::Error::new(format!("git: {}", e.message()))
    }
}
