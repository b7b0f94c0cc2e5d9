//! Helpers for the repository-state tests (odd repositories, signed verification, clones, crashes):
//! commands with an explicit identity and date for threads, status readers, snapshots of what a
//! refusal must not change.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::*;

pub const FILE: &str = "agreements/charter.toml";

/// A repository with the three-party charter under `rule` committed.
pub fn setup(rule: &str) -> TestEnv {
    let env = TestEnv::new();
    env.commit_file(FILE, &charter(rule), "Add the platform charter");
    env
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("sandbox paths are UTF-8")
}

pub fn run(cmd: &mut Command) -> Run {
    let o = cmd.stdin(Stdio::null()).output().unwrap();
    Run {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code().unwrap_or(-1),
    }
}

/// TestEnv's hermetic environment without its (single-threaded) clock: commands for threads,
/// with an explicit identity and date, and extra variables such as GNUPGHOME.
#[derive(Clone)]
pub struct Hermetic {
    home: PathBuf,
    extra: Vec<(String, PathBuf)>,
}

impl Hermetic {
    pub fn of(env: &TestEnv) -> Hermetic {
        Hermetic { home: env.home.clone(), extra: Vec::new() }
    }

    pub fn with(mut self, key: &str, value: &Path) -> Hermetic {
        self.extra.push((key.into(), value.into()));
        self
    }

    pub fn cmd(&self, program: &str, dir: &Path, who: (&str, &str), time: i64) -> Command {
        let mut cmd = Command::new(program);
        hermetic_env(&mut cmd, &self.home, dir, who, &format!("@{time} +0000"));
        for (k, v) in &self.extra {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn git(&self, dir: &Path, who: (&str, &str), time: i64, args: &[&str]) -> Run {
        run(self.cmd("git", dir, who, time).args(args))
    }

    pub fn accord(&self, dir: &Path, who: (&str, &str), time: i64, args: &[&str]) -> Run {
        run(self.cmd(env!("CARGO_BIN_EXE_accord"), dir, who, time).args(args))
    }
}

pub fn rev_parse_in(env: &TestEnv, dir: &Path, rev: &str) -> String {
    env.git_in(dir, &["rev-parse", rev]).ok().stdout.trim().to_string()
}

/// `accord status --format json` in `dir` (a work tree or a git dir), which must succeed.
pub fn status_in(env: &TestEnv, dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["status", "--format", "json"];
    args.extend_from_slice(extra);
    env.accord_in(dir, &args).ok().json()
}

/// email → state for the one agreement of a status array.
pub fn states_of(status: &Value) -> Vec<(String, String)> {
    let arr = status.as_array().expect("status JSON is an array");
    assert_eq!(arr.len(), 1, "{status:#}");
    arr[0]["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["email"].as_str().unwrap().into(), p["state"].as_str().unwrap().into()))
        .collect()
}

pub fn state_of(status: &Value, email: &str) -> String {
    states_of(status)
        .into_iter()
        .find(|(e, _)| e == email)
        .unwrap_or_else(|| panic!("no party {email} in {status:#}"))
        .1
}

/// Refs, HEAD, work tree and object counts of `dir`: what a refused command must not change.
pub fn snapshot(env: &TestEnv, dir: &Path) -> String {
    let refs = env.git_in(dir, &["for-each-ref", "--format=%(refname) %(objectname)"]).stdout;
    let head = env.git_in(dir, &["rev-parse", "-q", "--verify", "HEAD"]).stdout;
    let sym = env.git_in(dir, &["symbolic-ref", "-q", "HEAD"]).stdout;
    let status = env.git_in(dir, &["status", "--porcelain", "--untracked-files=all"]).stdout;
    let objects = env.git_in(dir, &["count-objects", "-v"]).stdout;
    format!("{refs}\n{head}\n{sym}\n{status}\n{objects}")
}

/// Run accord in `dir` and assert it refused: exit 2, `needle` on stderr, nothing on stdout,
/// nothing written.
#[track_caller]
pub fn refused_in(env: &TestEnv, dir: &Path, args: &[&str], needle: &str) {
    let before = snapshot(env, dir);
    let r = env.accord_in(dir, args);
    r.code(2);
    assert!(r.stderr.contains(needle), "{args:?}: stderr lacks {needle:?}:\n{}", r.stderr);
    assert!(r.stdout.is_empty(), "{args:?}: a refusal prints no data: {}", r.stdout);
    assert_eq!(snapshot(env, dir), before, "{args:?} wrote something");
}

/// A position made by hand with `git commit --allow-empty --trailer …` (SPEC §4), authored by
/// whoever `env` currently is, with extra git arguments (such as `-c user.signingkey=…`, `-S`).
/// Returns the new commit id.
pub fn hand_position(
    env: &TestEnv,
    git_args: &[&str],
    commit_args: &[&str],
    stance: &str,
    party: &str,
) -> String {
    let rev = rev_parse_in(env, &env.repo, &format!("HEAD:{FILE}"));
    let mut args: Vec<String> = git_args.iter().map(|a| a.to_string()).collect();
    args.extend(["commit", "-q", "--allow-empty", "-m", "by hand"].map(String::from));
    args.extend(commit_args.iter().map(|a| a.to_string()));
    for t in [
        format!("Accord-Position: {stance}"),
        "Accord-Agreement: charter".into(),
        format!("Accord-Revision: {rev}"),
        format!("Accord-Party: {party}"),
    ] {
        args.push("--trailer".into());
        args.push(t);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.git(&args).ok();
    env.head()
}

#[allow(clippy::print_stderr)] // statistics for whoever runs with --nocapture
pub fn report(what: &str) {
    eprintln!("{what}");
}
