//! A hermetic test environment: a temporary HOME (libgit2 reads `$HOME/.gitconfig`), no system
//! git config, fixed identities and dates, and helpers to run `accord` and `git` there. The
//! sub-modules hold the helpers of one family of test modules each.
#![allow(dead_code)]

pub mod cached;
pub mod changes;
pub mod files;
pub mod ledger;
pub mod repos;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const ADA: (&str, &str) = ("Ada Lovelace", "ada@example.com");
pub const GRACE: (&str, &str) = ("Grace Hopper", "grace@example.com");
pub const KATHERINE: (&str, &str) = ("Katherine Johnson", "katherine@example.com");

/// What a command printed and how it exited.
#[derive(Debug, Clone)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            code: o.status.code().unwrap_or(-1),
        }
    }

    /// Assert the exit code, showing all output when it differs.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Run {
        assert_eq!(
            self.code, expected,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn ok(&self) -> &Run {
        self.code(0)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\nstderr: {}", self.stdout, self.stderr))
    }
}

pub struct TestEnv {
    pub tmp: tempfile::TempDir,
    /// The repository's working tree.
    pub repo: PathBuf,
    pub home: PathBuf,
    /// Identity used by `accord` and `git` runs.
    pub who: (String, String),
    /// Seconds since the epoch for the next commit; each run advances it.
    pub clock: std::cell::Cell<i64>,
}

pub const START: i64 = 1_795_168_800; // 2026-11-20T10:00:00Z

impl TestEnv {
    /// A new repository with one git identity (Ada) configured in the environment.
    pub fn new() -> TestEnv {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&repo).unwrap();
        let env = TestEnv {
            tmp,
            repo,
            home,
            who: (ADA.0.into(), ADA.1.into()),
            clock: std::cell::Cell::new(START),
        };
        env.git(&["init", "-q", "-b", "main"]).ok();
        // Most tests exercise the ledger itself, on the current branch (`--here`, the older
        // layout); the positions-branch tests start from `TestEnv::on_positions_branch`.
        std::fs::write(env.home.join(".gitconfig"), "[accord]\n\tpositions = here\n").unwrap();
        env
    }

    /// A new repository where positions go to the positions branch, as they do by default.
    pub fn on_positions_branch() -> TestEnv {
        let env = TestEnv::new();
        std::fs::remove_file(env.home.join(".gitconfig")).unwrap();
        env
    }

    /// An empty folder inside the sandbox (for clones and such).
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    pub fn as_(&mut self, who: (&str, &str)) -> &mut TestEnv {
        self.who = (who.0.into(), who.1.into());
        self
    }

    fn tick(&self) -> String {
        let t = self.clock.get();
        self.clock.set(t + 60);
        format!("@{t} +0000")
    }

    fn base(&self, cmd: &mut Command, dir: &Path) {
        let date = self.tick();
        hermetic_env(cmd, &self.home, dir, (&self.who.0, &self.who.1), &date);
    }

    pub fn accord_cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_accord"));
        self.base(&mut cmd, &self.repo);
        cmd
    }

    /// Run accord in the repository.
    pub fn accord(&self, args: &[&str]) -> Run {
        Run::from(self.accord_cmd().args(args).output().unwrap())
    }

    /// Run accord in another folder.
    pub fn accord_in(&self, dir: &Path, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_accord"));
        self.base(&mut cmd, dir);
        Run::from(cmd.args(args).output().unwrap())
    }

    /// Run git in the repository with `input` on its standard input.
    pub fn git_stdin(&self, args: &[&str], input: &str) -> Run {
        use std::io::Write;
        let mut cmd = Command::new("git");
        self.base(&mut cmd, &self.repo.clone());
        let mut child = cmd
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        Run::from(child.wait_with_output().unwrap())
    }

    pub fn git(&self, args: &[&str]) -> Run {
        self.git_in(&self.repo.clone(), args)
    }

    /// Run git in the repository with these variables set over the hermetic ones (a commit
    /// dated before its parent: `GIT_COMMITTER_DATE`).
    pub fn git_env(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new("git");
        self.base(&mut cmd, &self.repo);
        cmd.envs(vars.iter().copied());
        Run::from(cmd.args(args).output().unwrap())
    }

    pub fn git_in(&self, dir: &Path, args: &[&str]) -> Run {
        let mut cmd = Command::new("git");
        self.base(&mut cmd, dir);
        Run::from(cmd.args(args).output().unwrap())
    }

    /// Write a file relative to the repository root.
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.repo.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.repo.join(rel)).unwrap()
    }

    /// Write and commit a file.
    pub fn commit_file(&self, rel: &str, text: &str, message: &str) {
        self.write(rel, text);
        self.git(&["add", rel]).ok();
        self.git(&["commit", "-q", "-m", message]).ok();
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).ok().stdout.trim().to_string()
    }

    /// Number of commits reachable from HEAD.
    pub fn commit_count(&self) -> usize {
        self.git(&["rev-list", "--count", "HEAD"]).stdout.trim().parse().unwrap_or(0)
    }

    /// A snapshot of everything in the repository that a refused command must not change.
    pub fn fingerprint(&self) -> String {
        let refs = self.git(&["for-each-ref", "--format=%(refname) %(objectname)"]).stdout;
        let head = self.git(&["rev-parse", "-q", "--verify", "HEAD"]).stdout;
        let status = self.git(&["status", "--porcelain", "--untracked-files=all"]).stdout;
        let objects = self.git(&["count-objects", "-v"]).stdout;
        format!("{refs}\n{head}\n{status}\n{objects}")
    }
}

/// The hermetic environment every test command runs in: only PATH from outside, HOME inside the
/// sandbox (libgit2 reads `$HOME/.gitconfig`), no system config, a fixed identity and date.
pub fn hermetic_env(cmd: &mut Command, home: &Path, dir: &Path, who: (&str, &str), date: &str) {
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", who.0)
        .env("GIT_AUTHOR_EMAIL", who.1)
        .env("GIT_COMMITTER_NAME", who.0)
        .env("GIT_COMMITTER_EMAIL", who.1)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("NO_COLOR", "1")
        .env("LC_ALL", "C");
}

/// Whether `tool` can be run (`tool --version` starts). When it cannot: with `CI` set (non-empty)
/// the test fails naming the tool, since CI installs every tool the tests call; otherwise it
/// notes the skip on stderr and returns false, and the caller returns without testing.
#[track_caller]
#[allow(clippy::print_stderr)] // a test that cannot run says why
pub fn require_tool(tool: &str) -> bool {
    let found = std::process::Command::new(tool)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok();
    if found {
        return true;
    }
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    assert!(!ci, "`{tool}` is not installed, and CI is set: install it (.ci/run does)");
    eprintln!("`{tool}` not found: skipping this test (with CI set it would fail)");
    false
}

/// A three-party charter under `rule`, Ada as steward.
pub fn charter(rule: &str) -> String {
    format!(
        r#"schema = 1
title = "Platform team charter"
kind = "charter"
purpose = """
Give every product team a paved road from merge to production.
"""

[decision]
rule = "{rule}"

[[party]]
name = "Ada Lovelace"
email = "ada@example.com"
role = "steward"

[[party]]
name = "Grace Hopper"
email = "grace@example.com"

[[party]]
name = "Katherine Johnson"
email = "katherine@example.com"

[[commitment]]
id = "pager"
by = ["grace@example.com"]
to = ["ada@example.com"]
text = "Answer deploy-pipeline pages within 15 minutes."
"#
    )
}

/// Run `cmd` with a reader on its stdout that stops at once (`accord … | head -c0`): its exit
/// and stderr.
pub fn with_stdout_closed(cmd: &mut Command) -> Output {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}
