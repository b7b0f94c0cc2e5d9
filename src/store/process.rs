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
    run_program_with(program, None, args, set, unset, None)
}

/// [`run_program`] in folder `dir` (when given), with `input` on its standard input (when
/// given; otherwise standard input is inherited as `Command::output` does).
pub fn run_program_with(
    program: &Path,
    dir: Option<&Path>,
    args: &[&OsStr],
    set: &[(&str, &str)],
    unset: &[&str],
    input: Option<&[u8]>,
) -> Result<Output> {
    use std::io::Write;
    use std::process::Stdio;
    let mut cmd = Command::new(program);
    cmd.args(args).envs(set.iter().copied());
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    for k in unset {
        cmd.env_remove(k);
    }
    let cannot = |e: std::io::Error| Error::new(format!("cannot run {}: {e}", program.display()));
    let Some(input) = input else { return cmd.output().map_err(cannot) };
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(cannot)?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input).map_err(cannot)?;
    }
    child.wait_with_output().map_err(cannot)
}
