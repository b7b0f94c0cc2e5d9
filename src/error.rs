//! The one user-facing error: a message, an optional hint, and the exit code it maps to.
//!
//! Pure modules keep their own typed errors; they become an [`Error`] at the command boundary,
//! where the hint ("run `accord new team`") is known.

use std::fmt;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Exit code for a "no" from a check that was asked for (`check`, `verify`, `--ratified`).
pub const EXIT_NO: u8 = 1;
/// Exit code for usage and input errors.
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug)]
pub struct Error {
    pub message: String,
    pub hint: Option<String>,
    pub code: u8,
}

impl Error {
    /// An input or usage error (exit 2).
    pub fn new(message: impl Into<String>) -> Error {
        Error { message: message.into(), hint: None, code: EXIT_ERROR }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        if is_broken_pipe(&e) {
            return Error { message: String::new(), hint: None, code: 0 };
        }
        Error::new(format!("i/o: {e}"))
    }
}

impl From<crate::model::LoadError> for Error {
    fn from(e: crate::model::LoadError) -> Error {
        Error::new(e.to_string())
    }
}

/// Whether an error is a closed pipe (`accord log | head`), which exits 0 quietly.
pub fn is_broken_pipe(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}
