//! What loading reports: a [`Diagnostic`] (one problem at `file:line:col`, naming the key) and
//! a [`LoadError`] (unreadable, or readable but breaking rules), plus the escaping that keeps a
//! quoted file from acting on the terminal.
//!
//! Pure values and their text: this module must not find positions in a file (that is
//! [`super::locate`]) or decide what is wrong (that is [`super::validate`]).

use std::fmt;

use serde::Serialize;

/// One problem found in a file, located where possible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The offending key as a dotted path (`party[1].email`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        write!(f, ": ")?;
        if let Some(k) = &self.key {
            write!(f, "`{k}`: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

/// Why a file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The file cannot be read as schema 1 at all (exit 2 everywhere).
    /// Boxed: the error is rare and the `Ok` side should not pay for its size.
    #[error("{0}")]
    Unreadable(Box<Diagnostic>),
    /// The file parses but breaks rules (exit 1 from `check`, 2 elsewhere).
    #[error("{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
}

impl LoadError {
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            LoadError::Unreadable(d) => vec![(**d).clone()],
            LoadError::Invalid(ds) => ds.clone(),
        }
    }
}

/// `s` with every control character except line break and tab written as `\u{1b}`.
/// Diagnostics quote the file (an unknown `kind`, a bad email), and a terminal must show those
/// bytes, not act on them.
pub fn escape_controls(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
