//! Running other programs on the store's behalf: the one named helper for it outside `signing`
//! (`demo` runs the accord binary through it; network work will run `git` through it).

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

use crate::error::{Error, Result};

/// Run `program` with `args`, with `set` added to and `unset` removed from the environment,
/// and collect its output. Failing to start it is an error; its exit status is the caller's.
pub fn run_program(
    program: &Path,
    args: &[&OsStr],
    set: &[(&str, &str)],
    unset: &[&str],
) -> Result<Output> {
    let mut cmd = Command::new(program);
    cmd.args(args).envs(set.iter().copied());
    for k in unset {
        cmd.env_remove(k);
    }
    cmd.output().map_err(|e| Error::new(format!("cannot run {}: {e}", program.display())))
}
