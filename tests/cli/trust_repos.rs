//! Odd repository states, signed verification, many clones, crash safety (issue 6).
//!
//! SPEC §2 (bare repositories, `accord.toml`), §4 (where positions go, what refuses writes),
//! §6 `verify --signed` and §9 (shallow clones warn). Everything runs the real `accord`, the real
//! `git`, real `ssh-keygen` keys and a real `gpg` in a throw-away GNUPGHOME (the OpenPGP test is
//! skipped without gpg, unless `CI` is set).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::*;

const FILE: &str = "agreements/charter.toml";

/// A repository with the three-party charter under `rule` committed.
fn setup(rule: &str) -> TestEnv {
    let env = TestEnv::new();
    env.commit_file(FILE, &charter(rule), "Add the platform charter");
    env
}

fn s(p: &Path) -> &str {
    p.to_str().expect("sandbox paths are UTF-8")
}

fn run(cmd: &mut Command) -> Run {
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
struct Hermetic {
    home: PathBuf,
    extra: Vec<(String, PathBuf)>,
}

impl Hermetic {
    fn of(env: &TestEnv) -> Hermetic {
        Hermetic { home: env.home.clone(), extra: Vec::new() }
    }

    fn with(mut self, key: &str, value: &Path) -> Hermetic {
        self.extra.push((key.into(), value.into()));
        self
    }

    fn cmd(&self, program: &str, dir: &Path, who: (&str, &str), time: i64) -> Command {
        let mut cmd = Command::new(program);
        hermetic_env(&mut cmd, &self.home, dir, who, &format!("@{time} +0000"));
        for (k, v) in &self.extra {
            cmd.env(k, v);
        }
        cmd
    }

    fn git(&self, dir: &Path, who: (&str, &str), time: i64, args: &[&str]) -> Run {
        run(self.cmd("git", dir, who, time).args(args))
    }

    fn accord(&self, dir: &Path, who: (&str, &str), time: i64, args: &[&str]) -> Run {
        run(self.cmd(env!("CARGO_BIN_EXE_accord"), dir, who, time).args(args))
    }
}

fn rev_parse_in(env: &TestEnv, dir: &Path, rev: &str) -> String {
    env.git_in(dir, &["rev-parse", rev]).ok().stdout.trim().to_string()
}

/// `accord status --format json` in `dir` (a work tree or a git dir), which must succeed.
fn status_in(env: &TestEnv, dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["status", "--format", "json"];
    args.extend_from_slice(extra);
    env.accord_in(dir, &args).ok().json()
}

/// email → state for the one agreement of a status array.
fn states_of(status: &Value) -> Vec<(String, String)> {
    let arr = status.as_array().expect("status JSON is an array");
    assert_eq!(arr.len(), 1, "{status:#}");
    arr[0]["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["email"].as_str().unwrap().into(), p["state"].as_str().unwrap().into()))
        .collect()
}

fn state_of(status: &Value, email: &str) -> String {
    states_of(status)
        .into_iter()
        .find(|(e, _)| e == email)
        .unwrap_or_else(|| panic!("no party {email} in {status:#}"))
        .1
}

/// Refs, HEAD, work tree and object counts of `dir`: what a refused command must not change.
fn snapshot(env: &TestEnv, dir: &Path) -> String {
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
fn refused_in(env: &TestEnv, dir: &Path, args: &[&str], needle: &str) {
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
fn hand_position(
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

// ---------------------------------------------------------------------------------------------
// Shallow clones: reads work and warn

const SHALLOW_WARNING: &str = "shallow clone: history may be incomplete";

#[test]
fn a_shallow_clone_reads_with_a_warning_and_counts_what_it_has() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["sign", "charter", "-m", "from grace"]).ok();
    env.commit_file("notes/0.md", "zero\n", "note 0");
    env.as_(ADA).accord(&["sign", "charter", "-m", "from ada"]).ok();
    let ada_commit = env.head();
    env.commit_file("notes/1.md", "one\n", "note 1");
    env.commit_file("notes/2.md", "two\n", "note 2");
    // The full repository does not warn.
    let full = env.accord(&["status"]).ok().clone();
    assert!(!full.stderr.contains("shallow"), "{}", full.stderr);

    let url = format!("file://{}", s(&env.repo));
    let shallow = env.path("shallow");
    let tmp = env.tmp.path().to_path_buf();
    env.git_in(&tmp, &["clone", "-q", "--depth", "1", &url, s(&shallow)]).ok();
    let is_shallow = env.git_in(&shallow, &["rev-parse", "--is-shallow-repository"]).ok().clone();
    assert_eq!(is_shallow.stdout.trim(), "true");

    // Every read exits 0, warns exactly once on stderr, and keeps stdout clean (JSON parses).
    let warned = |r: &Run| {
        r.ok();
        assert_eq!(r.stderr.matches(SHALLOW_WARNING).count(), 1, "{}", r.stderr);
    };
    let st = env.accord_in(&shallow, &["status", "--format", "json"]);
    warned(&st);
    // One commit of history holds no position: nobody has signed, as far as this clone knows.
    assert_eq!(state_of(&st.json(), ADA.1), "silent");
    assert_eq!(state_of(&st.json(), GRACE.1), "silent");
    let human = env.accord_in(&shallow, &["status"]);
    warned(&human);
    assert!(human.stdout.contains("charter — not ratified"), "{}", human.stdout);
    let log = env.accord_in(&shallow, &["log", "charter", "--format", "json"]);
    warned(&log);
    let entries = log.json();
    let entries = entries.as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|e| e["type"] == "edit"), "no positions in one commit: {entries:?}");
    let human_log = env.accord_in(&shallow, &["log", "charter"]);
    warned(&human_log);
    let show = env.accord_in(&shallow, &["show", "charter"]);
    warned(&show);
    assert!(show.stdout.contains("Platform team charter"), "{}", show.stdout);
    assert!(show.stdout.contains("paved road"), "{}", show.stdout);
    let show = env.accord_in(&shallow, &["show", "charter", "--format", "json"]);
    warned(&show);
    assert_eq!(show.json()["title"], "Platform team charter");

    // Deep enough to hold Ada's position (and its parent): counted, still with the warning.
    let deeper = env.path("deeper");
    env.git_in(&tmp, &["clone", "-q", "--depth", "4", &url, s(&deeper)]).ok();
    let st = env.accord_in(&deeper, &["status", "--format", "json"]);
    warned(&st);
    let st = st.json();
    assert_eq!(state_of(&st, ADA.1), "signed");
    assert_eq!(st[0]["parties"][0]["commit"], ada_commit);
    assert_eq!(st[0]["parties"][0]["note"], "from ada");
    assert_eq!(state_of(&st, GRACE.1), "silent", "Grace's position is beyond the cut");
    let log = env.accord_in(&deeper, &["log", "charter", "--format", "json"]);
    warned(&log);
    let log = log.json();
    let positions: Vec<&Value> =
        log.as_array().unwrap().iter().filter(|e| e["type"] == "position").collect();
    assert_eq!(positions.len(), 1, "{log:#}");
    assert_eq!(positions[0]["commit"], ada_commit);
}

#[test]
fn deepening_or_unshallowing_a_clone_counts_the_positions_it_gained() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    let grace = env.head();
    env.commit_file("notes/0.md", "zero\n", "note 0");
    env.commit_file("notes/1.md", "one\n", "note 1");
    let url = format!("file://{}", s(&env.repo));
    let clone = env.path("shallow");
    let tmp = env.tmp.path().to_path_buf();
    env.git_in(&tmp, &["clone", "-q", "--depth", "2", &url, s(&clone)]).ok();
    // Read once while Grace's position is beyond the cut (accord remembers what it read)…
    let st = env.accord_in(&clone, &["status", "--format", "json"]).ok().clone();
    assert!(st.stderr.contains(SHALLOW_WARNING), "{}", st.stderr);
    assert_eq!(state_of(&st.json(), GRACE.1), "silent");
    // …then fetch more history: the tip stays the same, the answer must not.
    env.git_in(&clone, &["fetch", "-q", "--deepen", "2"]).ok();
    assert_eq!(rev_parse_in(&env, &clone, "HEAD"), env.head(), "the tip did not change");
    let st = env.accord_in(&clone, &["status", "--format", "json"]).ok().clone();
    assert!(st.stderr.contains(SHALLOW_WARNING), "{}", st.stderr);
    assert_eq!(state_of(&st.json(), GRACE.1), "signed", "her position is fetched now");
    env.git_in(&clone, &["fetch", "-q", "--unshallow"]).ok();
    let st = env.accord_in(&clone, &["status", "--format", "json"]).ok().clone();
    assert!(!st.stderr.contains("shallow"), "{}", st.stderr);
    assert_eq!(state_of(&st.json(), GRACE.1), "signed");
    assert_eq!(st.json()[0]["parties"][1]["commit"], grace);
}

// ---------------------------------------------------------------------------------------------
// Bare repositories: reads work, writes refuse

#[test]
fn a_bare_repository_answers_every_read_and_refuses_every_write() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["object", "charter", "-m", "two people cannot hold the pager"]).ok();
    let objection = env.head();
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    let sign = env.head();
    let bare = env.path("bare.git");
    let tmp = env.tmp.path().to_path_buf();
    env.git_in(&tmp, &["clone", "-q", "--bare", s(&env.repo), s(&bare)]).ok();

    let st = status_in(&env, &bare, &[]);
    assert_eq!(state_of(&st, ADA.1), "signed");
    assert_eq!(state_of(&st, GRACE.1), "objecting");
    assert_eq!(st[0]["objections"][0]["commit"], objection);
    assert_eq!(st[0]["objections"][0]["reason"], "two people cannot hold the pager");
    assert_eq!(st[0]["ratified"], false);
    let list = env.accord_in(&bare, &["list", "--format", "json"]).ok().json();
    assert_eq!(list[0]["id"], "charter");
    assert_eq!(list[0]["committed"], true);
    let show = env.accord_in(&bare, &["show", "charter", "--format", "json"]).ok().json();
    assert_eq!(show["title"], "Platform team charter");
    let log = env.accord_in(&bare, &["log", "charter", "--format", "json"]).ok().json();
    let commits: Vec<&str> =
        log.as_array().unwrap().iter().map(|e| e["commit"].as_str().unwrap()).collect();
    assert_eq!(commits[..2], [sign.as_str(), objection.as_str()], "{log:#}");
    let check = env.accord_in(&bare, &["check"]).ok().clone();
    assert!(check.stdout.contains("agreements/charter.toml: ok"), "{}", check.stdout);
    let verify = env.accord_in(&bare, &["verify"]).ok().clone();
    assert!(verify.stdout.contains("ok: 2 position(s)"), "{}", verify.stdout);
    env.as_(KATHERINE);
    let pending = env.accord_in(&bare, &["pending", "--format", "json"]).ok().json();
    assert_eq!(pending[0]["agreement"], "charter");
    assert_eq!(pending[0]["state"], "silent");
    // -C from elsewhere, as git does.
    let st = env.accord_in(&tmp, &["-C", s(&bare), "status", "--format", "json"]).ok().json();
    assert_eq!(state_of(&st, GRACE.1), "objecting");

    // Every write refuses with a message that says why and what to do instead.
    env.as_(GRACE);
    for args in [
        &["sign", "charter"][..],
        &["object", "charter", "-m", "still no"],
        &["abstain", "charter"],
        &["withdraw", "charter"],
    ] {
        refused_in(&env, &bare, args, "this is a bare repository");
        let r = env.accord_in(&bare, args);
        assert!(r.stderr.contains("clone"), "the hint says to use a clone: {}", r.stderr);
    }
    refused_in(&env, &bare, &["new", "other"], "bare repository");
    refused_in(&env, &bare, &["init"], "bare repository");
    let before = snapshot(&env, &bare);
    let r = env.accord_in(&tmp, &["-C", s(&bare), "sign", "charter"]);
    r.code(2);
    assert!(r.stderr.contains("this is a bare repository"), "{}", r.stderr);
    assert_eq!(snapshot(&env, &bare), before, "-C into a bare repository wrote something");
}

// ---------------------------------------------------------------------------------------------
// Detached HEAD: the position goes on HEAD

#[test]
fn on_a_detached_head_the_position_goes_on_head_and_moves_no_branch_or_tag() {
    let mut env = setup("consent");
    env.git(&["tag", "v1"]).ok();
    let v1 = env.head();
    env.commit_file("README", "later\n", "a later commit on main");
    let main = env.head();
    env.git(&["checkout", "-q", "v1"]).ok();
    assert_ne!(env.git(&["symbolic-ref", "-q", "HEAD"]).code, 0, "HEAD is detached");
    env.as_(GRACE).accord(&["sign", "charter", "-m", "on the tag"]).ok();
    let position = env.head();
    assert_eq!(rev_parse_in(&env, &env.repo, "HEAD~1"), v1, "on top of the detached HEAD");
    assert_eq!(rev_parse_in(&env, &env.repo, "v1"), v1, "the tag did not move");
    assert_eq!(rev_parse_in(&env, &env.repo, "main"), main, "main did not move");
    assert_ne!(env.git(&["symbolic-ref", "-q", "HEAD"]).code, 0, "HEAD is still detached");
    let st = status_in(&env, &env.repo, &[]);
    assert_eq!(state_of(&st, GRACE.1), "signed");
    assert_eq!(st[0]["parties"][1]["commit"], position);
    // HEAD's reflog records it like a commit.
    let reflog = env.git(&["reflog", "-1", "--format=%H %gs", "HEAD"]).ok().stdout.clone();
    assert!(reflog.starts_with(&position), "{reflog}");
    assert!(reflog.contains("accord: sign charter"), "{reflog}");

    // Back on main it is not there, until it is merged.
    env.git(&["checkout", "-q", "main"]).ok();
    let st = status_in(&env, &env.repo, &[]);
    assert_eq!(state_of(&st, GRACE.1), "silent");
    let st = status_in(&env, &env.repo, &["--rev", &position]);
    assert_eq!(state_of(&st, GRACE.1), "signed");
    env.git(&["merge", "-q", "--no-edit", &position]).ok();
    let st = status_in(&env, &env.repo, &[]);
    assert_eq!(state_of(&st, GRACE.1), "signed");
    assert_eq!(st[0]["parties"][1]["commit"], position);
}

// ---------------------------------------------------------------------------------------------
// Unborn branches: reads say so, writes refuse

#[test]
fn an_unborn_branch_is_named_by_reads_and_refused_by_writes() {
    let env = TestEnv::new();
    env.write(FILE, &charter("consent"));
    env.git(&["add", FILE]).ok();
    for args in [
        &["status"][..],
        &["status", "charter", "--format", "json"],
        &["log", "charter"],
        &["verify"],
        &["verify", "--signed"],
    ] {
        let r = env.accord(args);
        r.code(2);
        assert!(
            r.stderr.contains("the current branch has no commits yet"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
    }
    // Reads of the working tree still work and say the draft is not committed.
    let list = env.accord(&["list"]).ok().clone();
    assert!(list.stdout.contains("draft: not committed"), "{}", list.stdout);
    let list = env.accord(&["list", "--format", "json"]).ok().json();
    assert_eq!(list[0]["committed"], false);
    let check = env.accord(&["check"]).ok().clone();
    assert!(check.stdout.contains("agreements/charter.toml: ok"), "{}", check.stdout);
    let pending = env.accord(&["pending"]).ok().clone();
    assert!(pending.stderr.contains("nothing is committed yet"), "{}", pending.stderr);
    for args in [
        &["sign", "charter"][..],
        &["object", "charter", "-m", "no"],
        &["abstain", "charter"],
        &["withdraw", "charter"],
    ] {
        refused_in(&env, &env.repo, args, "no commits yet");
    }
    assert_eq!(env.git(&["rev-list", "--all", "--count"]).stdout.trim(), "0");
}

#[test]
fn an_orphan_branch_in_a_repository_with_history_is_unborn_too() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    let main = env.head();
    env.git(&["checkout", "-q", "--orphan", "fresh"]).ok();
    // The file is staged on the orphan branch but not committed there.
    let r = env.accord(&["status", "charter"]);
    r.code(2);
    assert!(r.stderr.contains("the current branch has no commits yet"), "{}", r.stderr);
    for args in [&["sign", "charter"][..], &["object", "charter", "-m", "no"]] {
        refused_in(&env, &env.repo, args, "no commits yet");
    }
    assert_eq!(rev_parse_in(&env, &env.repo, "main"), main, "main did not move");
    assert_ne!(env.git(&["rev-parse", "-q", "--verify", "refs/heads/fresh"]).code, 0);
    // Reads of another commit still work.
    let st = status_in(&env, &env.repo, &["--rev", "main"]);
    assert_eq!(state_of(&st, GRACE.1), "signed");
}

// ---------------------------------------------------------------------------------------------
// A merge or a rebase in progress: writes refuse, naming it in words

/// A repository with a side branch that merges cleanly into main.
fn with_side_branch() -> TestEnv {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["object", "charter", "-m", "not yet"]).ok();
    env.git(&["checkout", "-q", "-b", "side"]).ok();
    env.commit_file("side.md", "side\n", "side work");
    env.git(&["checkout", "-q", "main"]).ok();
    env.commit_file("main.md", "main\n", "main work");
    env.as_(GRACE);
    env
}

const EVERY_VERB: [&[&str]; 4] = [
    &["sign", "charter"],
    &["object", "charter", "-m", "again"],
    &["abstain", "charter"],
    &["withdraw", "charter"],
];

#[test]
fn a_clean_merge_in_progress_refuses_every_write_and_reads_still_work() {
    let env = with_side_branch();
    env.git(&["merge", "-q", "--no-ff", "--no-commit", "side"]).ok();
    assert!(env.repo.join(".git/MERGE_HEAD").exists());
    for args in EVERY_VERB {
        refused_in(&env, &env.repo, args, "a merge is in progress; refusing to record a position");
        let r = env.accord(args);
        assert!(r.stderr.contains("finish or abort it first"), "{}", r.stderr);
    }
    let st = status_in(&env, &env.repo, &[]);
    assert_eq!(state_of(&st, GRACE.1), "objecting");
    // Once the merge is committed, the position goes on top of the merge commit.
    env.git(&["commit", "-q", "--no-edit"]).ok();
    let merge = env.head();
    env.accord(&["withdraw", "charter"]).ok();
    assert_eq!(rev_parse_in(&env, &env.repo, "HEAD~1"), merge);
    assert_eq!(state_of(&status_in(&env, &env.repo, &[]), GRACE.1), "silent");
}

#[test]
fn an_interactive_rebase_stopped_to_edit_refuses_every_write() {
    let env = with_side_branch();
    let h = Hermetic::of(&env);
    // Stop on the first commit to replay, with no conflict: the most tempting moment to sign.
    let mut cmd = h.cmd("git", &env.repo, GRACE, START + 10_000);
    cmd.env("GIT_SEQUENCE_EDITOR", "sed -i -e '1s/^pick/edit/'").args(["rebase", "-i", "side"]);
    let r = run(&mut cmd);
    r.ok();
    assert!(env.repo.join(".git/rebase-merge").is_dir(), "{}", r.stderr);
    for args in EVERY_VERB {
        refused_in(&env, &env.repo, args, "a rebase is in progress; refusing to record a position");
    }
    let st = status_in(&env, &env.repo, &[]);
    assert_eq!(state_of(&st, GRACE.1), "objecting");
    env.git(&["rebase", "--continue"]).ok();
    assert!(!env.repo.join(".git/rebase-merge").exists());
    // The rebased objection still counts (its revision is a blob, kept by the rebase)…
    assert_eq!(state_of(&status_in(&env, &env.repo, &[]), GRACE.1), "objecting");
    // …and writes work again, on main.
    env.accord(&["sign", "charter"]).ok();
    assert_eq!(env.git(&["symbolic-ref", "HEAD"]).stdout.trim(), "refs/heads/main");
    assert_eq!(state_of(&status_in(&env, &env.repo, &[]), GRACE.1), "signed");
}

#[test]
fn an_apply_rebase_stopped_on_a_conflict_refuses_every_write() {
    let env = with_side_branch();
    // main and side both change the same file.
    env.git(&["checkout", "-q", "side"]).ok();
    env.commit_file("shared.md", "side\n", "side shared");
    env.git(&["checkout", "-q", "main"]).ok();
    env.commit_file("shared.md", "main\n", "main shared");
    let r = env.git(&["rebase", "--apply", "side"]);
    assert_ne!(r.code, 0, "the rebase stops on the conflict");
    assert!(env.repo.join(".git/rebase-apply").is_dir());
    for args in EVERY_VERB {
        refused_in(&env, &env.repo, args, "rebase is in progress");
    }
    env.git(&["rebase", "--abort"]).ok();
    env.accord(&["withdraw", "charter"]).ok();
}

// ---------------------------------------------------------------------------------------------
// Linked worktrees

#[test]
fn a_linked_worktree_signs_on_its_own_branch() {
    let mut env = setup("consent");
    let main = env.head();
    let wt = env.path("wt");
    env.git(&["worktree", "add", "-q", "-b", "feature", s(&wt)]).ok();
    assert!(wt.join(".git").is_file(), "a linked worktree has a .git file");

    let st = status_in(&env, &wt, &[]);
    assert_eq!(state_of(&st, GRACE.1), "silent");
    env.as_(GRACE);
    let r = env.accord_in(&wt, &["sign", "charter", "-m", "from the worktree"]).ok().clone();
    assert!(r.stderr.contains("grace@example.com signed charter"), "{}", r.stderr);
    let feature = rev_parse_in(&env, &env.repo, "feature");
    assert_eq!(rev_parse_in(&env, &wt, "HEAD"), feature, "the worktree's HEAD is feature");
    assert_eq!(rev_parse_in(&env, &env.repo, "feature~1"), main);
    assert_eq!(rev_parse_in(&env, &env.repo, "main"), main, "main did not move");
    assert_eq!(env.head(), main, "the main worktree's HEAD did not move");
    let st = status_in(&env, &wt, &[]);
    assert_eq!(state_of(&st, GRACE.1), "signed");
    assert_eq!(st[0]["parties"][1]["commit"], feature);
    assert_eq!(st[0]["parties"][1]["note"], "from the worktree");
    // Seen from the main worktree: not on main, but on feature.
    assert_eq!(state_of(&status_in(&env, &env.repo, &[]), GRACE.1), "silent");
    let st = status_in(&env, &env.repo, &["--rev", "feature"]);
    assert_eq!(state_of(&st, GRACE.1), "signed");
    // The main worktree still records on main; both ledgers meet after a merge.
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    assert_eq!(rev_parse_in(&env, &env.repo, "main~1"), main);
    assert_eq!(rev_parse_in(&env, &env.repo, "feature"), feature, "feature did not move");
    env.as_(KATHERINE).accord_in(&wt, &["sign", "charter"]).ok();
    env.git_in(&wt, &["merge", "-q", "--no-edit", "main"]).ok();
    let st = status_in(&env, &wt, &[]);
    assert_eq!(st[0]["ratified"], true, "{st:#}");
    // Reads work from a subfolder of the worktree and through -C, and verify passes there.
    let st = status_in(&env, &wt.join("agreements"), &[]);
    assert_eq!(st[0]["ratified"], true);
    let tmp = env.tmp.path().to_path_buf();
    let v = env.accord_in(&tmp, &["-C", s(&wt), "verify"]).ok().clone();
    assert!(v.stdout.contains("ok: 3 position(s)"), "{}", v.stdout);
}

// ---------------------------------------------------------------------------------------------
// Agreements in a sub-folder set by accord.toml

#[test]
fn accord_toml_dir_moves_every_command_to_the_sub_folder() {
    let mut env = TestEnv::new();
    env.commit_file("accord.toml", "dir = \"docs/agreements\"\n", "configure accord");
    // A stray file in the default folder is not an agreement here.
    env.commit_file(FILE, &charter("consent"), "stray");
    let init = env.accord(&["init"]).ok().clone();
    assert!(init.stderr.contains("created docs/agreements/"), "{}", init.stderr);
    assert!(env.read(".gitattributes").contains("docs/agreements/*.toml diff=accord"));
    let r = env.accord(&["new", "team"]).ok().clone();
    assert!(r.stderr.contains("wrote docs/agreements/team.toml"), "{}", r.stderr);
    assert!(env.repo.join("docs/agreements/team.toml").is_file());
    assert!(!env.repo.join("agreements/team.toml").exists());
    // The draft is listed and checked in the sub-folder; the stray file is ignored.
    let check = env.accord(&["check", "--format", "json"]).ok().json();
    let files: Vec<&str> =
        check.as_array().unwrap().iter().map(|c| c["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["docs/agreements/team.toml"]);
    // Replace the draft with the three-party charter and commit it.
    let team = "docs/agreements/team.toml";
    env.commit_file(team, &charter("consent"), "Add the team charter");
    env.git(&["add", ".gitattributes"]).ok();
    env.git(&["commit", "-q", "-m", "attributes"]).ok();
    let rev = rev_parse_in(&env, &env.repo, &format!("HEAD:{team}"));
    let r = env.as_(GRACE).accord(&["sign", "team", "-m", "in docs"]).ok().clone();
    assert!(r.stderr.contains("grace@example.com signed team"), "{}", r.stderr);
    let msg = env.git(&["log", "-1", "--format=%B"]).ok().stdout.clone();
    assert!(msg.contains(&format!("Accord-Revision: {rev}")), "{msg}");
    env.as_(ADA).accord(&["sign", "team"]).ok();
    env.as_(KATHERINE).accord(&["sign", "team"]).ok();
    let st = status_in(&env, &env.repo, &[]);
    assert_eq!(st[0]["agreement"], "team", "only the sub-folder's agreements: {st:#}");
    assert_eq!(st[0]["revision"], rev);
    assert_eq!(st[0]["ratified"], true);
    let log = env.accord(&["log", "team", "--format", "json"]).ok().json();
    let kinds: Vec<&str> =
        log.as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["position", "position", "position", "edit"], "{log:#}");
    assert_eq!(log[2]["note"], "in docs");
    let list = env.accord(&["list", "--format", "json"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], "team");
    // `charter` lives in the default folder, which accord.toml moved away from.
    let r = env.accord(&["status", "charter"]);
    r.code(2);
    assert!(r.stderr.contains("docs/agreements/charter.toml"), "{}", r.stderr);
    // From inside the sub-folder, and from a bare clone (accord.toml read from HEAD).
    let st = status_in(&env, &env.repo.join("docs/agreements"), &[]);
    assert_eq!(st[0]["ratified"], true);
    let bare = env.path("bare.git");
    let tmp = env.tmp.path().to_path_buf();
    env.git_in(&tmp, &["clone", "-q", "--bare", s(&env.repo), s(&bare)]).ok();
    let st = status_in(&env, &bare, &[]);
    assert_eq!(st[0]["agreement"], "team");
    assert_eq!(st[0]["ratified"], true);
    let v = env.accord(&["verify"]).ok().clone();
    assert!(v.stdout.contains("ok: 3 position(s)"), "{}", v.stdout);
}

// ---------------------------------------------------------------------------------------------
// verify --signed with real SSH keys

/// Generate an ed25519 key `<home>/<name>_key`; returns its public key line.
fn ssh_key(env: &TestEnv, name: &str) -> String {
    let key = env.home.join(format!("{name}_key"));
    let r = run(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key));
    r.ok();
    std::fs::read_to_string(env.home.join(format!("{name}_key.pub"))).unwrap().trim().to_string()
}

fn key_path(env: &TestEnv, name: &str) -> String {
    s(&env.home.join(format!("{name}_key"))).to_string()
}

struct Keys {
    ada: String,
    grace: String,
    katherine: String,
}

/// Keys for the three parties and for Mallory (a stranger); SSH signing on by default.
fn ssh_signing(env: &TestEnv) -> Keys {
    let keys = Keys {
        ada: ssh_key(env, "ada"),
        grace: ssh_key(env, "grace"),
        katherine: ssh_key(env, "katherine"),
    };
    ssh_key(env, "mallory");
    env.git(&["config", "gpg.format", "ssh"]).ok();
    env.git(&["config", "commit.gpgsign", "true"]).ok();
    use_key(env, "ada");
    keys
}

/// Make `name`'s key the repository's signing key (each signer configures their own).
fn use_key(env: &TestEnv, name: &str) {
    env.git(&["config", "user.signingkey", &key_path(env, name)]).ok();
}

/// accord as `who`, signing with `key`.
fn signed_by(env: &mut TestEnv, who: (&str, &str), key: &str, args: &[&str]) -> String {
    use_key(env, key);
    env.as_(who).accord(args).ok();
    env.head()
}

/// `verify --signed --format json` must fail naming exactly `commit` with `reason` in it; the
/// human output names it too.
#[track_caller]
fn fails_signed(env: &TestEnv, commit: &str, reason: &str) {
    let j = env.accord(&["verify", "--signed", "--format", "json"]);
    j.code(1);
    let j = j.json();
    assert_eq!(j["ok"], false);
    let failures = j["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{j:#}");
    assert_eq!(failures[0]["commit"], commit, "{j:#}");
    let why = failures[0]["reason"].as_str().unwrap();
    assert!(why.contains(reason), "reason {why:?} lacks {reason:?}");
    let h = env.accord(&["verify", "--signed"]);
    h.code(1);
    let line = h.stdout.lines().find(|l| l.contains(commit)).unwrap_or_else(|| {
        panic!("human output does not name {commit}:\n{}", h.stdout);
    });
    assert!(line.starts_with("FAIL") && line.contains(reason), "{line}");
    assert!(h.stderr.contains("1 problem(s)"), "{}", h.stderr);
}

fn git_sig(env: &TestEnv, rev: &str) -> String {
    let out = env.git(&["log", "-1", "--format=%G?%x00%GS", rev]).ok().stdout.clone();
    out.trim_end().trim_end_matches('\0').to_string()
}

#[test]
fn verify_signed_with_ssh_keys_names_each_unproven_position() {
    let mut env = setup("consent");
    let keys = ssh_signing(&env);
    let allowed = env.home.join("allowed_signers");
    std::fs::write(
        &allowed,
        format!(
            "ada@example.com namespaces=\"git\" {}\ngrace@example.com {}\nkatherine@example.com {}\n",
            keys.ada, keys.grace, keys.katherine
        ),
    )
    .unwrap();
    env.git(&["config", "gpg.ssh.allowedSignersFile", s(&allowed)]).ok();
    signed_by(&mut env, ADA, "ada", &["sign", "charter"]);
    signed_by(&mut env, GRACE, "grace", &["sign", "charter", "-m", "signed"]);
    signed_by(&mut env, KATHERINE, "katherine", &["object", "charter", "-m", "one worry"]);
    for rev in ["HEAD", "HEAD~1", "HEAD~2"] {
        env.git(&["verify-commit", rev]).ok();
    }
    let r = env.accord(&["verify", "--signed"]).ok().clone();
    assert!(r.stdout.contains("ok: 3 position(s), each made and signed"), "{}", r.stdout);
    let j = env.accord(&["verify", "--signed", "--format", "json"]).ok().json();
    assert_eq!(j, serde_json::json!({"ok": true, "checked": 3, "failures": []}));
    let good = env.head();

    // An unsigned position.
    let bad =
        signed_by(&mut env, KATHERINE, "katherine", &["withdraw", "charter", "--no-gpg-sign"]);
    assert_eq!(git_sig(&env, &bad), "N");
    fails_signed(&env, &bad, "the commit is not signed");
    env.git(&["reset", "-q", "--hard", &good]).ok();

    // Grace's key signs a position claiming Ada, authored as Ada. git calls the signature good
    // (it is Grace's); it is not Ada's.
    use_key(&env, "grace");
    env.as_(ADA);
    let bad = hand_position(&env, &[], &["-S"], "sign", "Ada Lovelace <ada@example.com>");
    assert_eq!(git_sig(&env, &bad), "G\0grace@example.com");
    env.accord(&["verify"]).ok(); // author and party agree: only --signed can tell
    fails_signed(&env, &bad, "does not verify for ada@example.com");
    env.git(&["reset", "-q", "--hard", &good]).ok();

    // A good signature from a key that is not in the allowed signers at all.
    let bad = signed_by(&mut env, ADA, "mallory", &["abstain", "charter"]);
    assert_eq!(git_sig(&env, &bad), "U");
    env.accord(&["verify"]).ok();
    fails_signed(&env, &bad, "does not verify for ada@example.com");
    env.git(&["reset", "-q", "--hard", &good]).ok();

    // Author and party differ, though the signature is the party's own: Katherine commits a
    // position for Grace signed with Grace's key.
    use_key(&env, "grace");
    env.as_(KATHERINE);
    let bad = hand_position(&env, &[], &["-S"], "abstain", "Grace Hopper <grace@example.com>");
    assert_eq!(git_sig(&env, &bad), "G\0grace@example.com");
    fails_signed(&env, &bad, "author Katherine Johnson <katherine@example.com> is not the party");
    let plain = env.accord(&["verify", "--format", "json"]);
    plain.code(1);
    assert_eq!(plain.json()["failures"][0]["commit"], bad, "plain verify catches it too");
    env.git(&["reset", "-q", "--hard", &good]).ok();

    // A bad signature: Ada's signed position with its note changed afterwards.
    let signed = signed_by(&mut env, ADA, "ada", &["abstain", "charter", "-m", "I stand aside"]);
    let object = env.git(&["cat-file", "commit", &signed]).ok().stdout.clone();
    assert!(object.contains("gpgsig -----BEGIN SSH SIGNATURE-----"));
    let tampered = object.replace("I stand aside", "I stand behind it");
    let file = env.path("tampered");
    std::fs::write(&file, tampered).unwrap();
    let bad =
        env.git(&["hash-object", "-t", "commit", "-w", s(&file)]).ok().stdout.trim().to_string();
    env.git(&["update-ref", "refs/heads/main", &bad, &signed]).ok();
    assert_eq!(env.head(), bad);
    assert_ne!(env.git(&["verify-commit", &bad]).code, 0, "git rejects it too");
    assert_eq!(git_sig(&env, &bad).chars().next(), Some('B'));
    fails_signed(&env, &bad, "does not verify for ada@example.com");
    env.git(&["reset", "-q", "--hard", &good]).ok();
    env.accord(&["verify", "--signed"]).ok();

    // With no allowed signers file at all, an SSH signature proves nothing.
    env.git(&["config", "--unset", "gpg.ssh.allowedSignersFile"]).ok();
    let j = env.accord(&["verify", "--signed", "--format", "json"]);
    j.code(1);
    let j = j.json();
    assert_eq!(j["failures"].as_array().unwrap().len(), 3, "{j:#}");
    assert!(j["failures"][0]["reason"].as_str().unwrap().contains("no allowed signers file"));
}

#[test]
fn verify_signed_reads_the_allowed_signers_named_in_accord_toml_from_head() {
    let mut env = setup("consent");
    let keys = ssh_signing(&env);
    // git's own file would allow everybody, Mallory included; accord.toml's file wins.
    let everybody = env.home.join("everybody");
    let mallory = std::fs::read_to_string(env.home.join("mallory_key.pub")).unwrap();
    std::fs::write(
        &everybody,
        format!(
            "*@example.com {}\n*@example.com {}\n*@example.com {}\n*@example.com {}\n",
            keys.ada,
            keys.grace,
            keys.katherine,
            mallory.trim()
        ),
    )
    .unwrap();
    env.git(&["config", "gpg.ssh.allowedSignersFile", s(&everybody)]).ok();
    // A principal list: one key may stand for several addresses of one person.
    let reviewed = format!(
        "ada@example.com,ada@home.example namespaces=\"git\" {}\ngrace@example.com {}\n",
        keys.ada, keys.grace
    );
    env.commit_file("allowed_signers", &reviewed, "Team keys");
    env.commit_file("accord.toml", "allowed_signers = \"allowed_signers\"\n", "Use them");
    signed_by(&mut env, ADA, "ada", &["sign", "charter"]);
    signed_by(&mut env, GRACE, "grace", &["sign", "charter"]);
    let r = env.accord(&["verify", "--signed"]).ok().clone();
    assert!(r.stdout.contains("ok: 2 position(s), each made and signed"), "{}", r.stdout);

    // Katherine's key is in git's file but not in the reviewed one.
    let katherine = signed_by(&mut env, KATHERINE, "katherine", &["sign", "charter"]);
    assert_eq!(git_sig(&env, &katherine), "G\0*@example.com", "git's file allows it");
    fails_signed(&env, &katherine, "does not verify for katherine@example.com");
    // Adding her key in the working tree is not enough: the file is read from HEAD's tree.
    let with_katherine = format!("{reviewed}katherine@example.com {}\n", keys.katherine);
    env.write("allowed_signers", &with_katherine);
    fails_signed(&env, &katherine, "does not verify for katherine@example.com");
    // Committed (through review), it counts, for positions made before it too.
    use_key(&env, "katherine");
    env.git(&["add", "allowed_signers"]).ok();
    env.git(&["commit", "-q", "-m", "Add Katherine's key"]).ok();
    let r = env.accord(&["verify", "--signed"]).ok().clone();
    assert!(r.stdout.contains("ok: 3 position(s)"), "{}", r.stdout);
    // Mallory's key is in git's file only: a position signed with it claiming Ada fails.
    let bad = signed_by(&mut env, ADA, "mallory", &["abstain", "charter"]);
    fails_signed(&env, &bad, "does not verify for ada@example.com");
    env.git(&["reset", "-q", "--hard", "HEAD~1"]).ok();

    // accord.toml naming a file that is not committed is an input error, not a pass.
    env.git(&["rm", "-q", "--cached", "allowed_signers"]).ok();
    env.git(&["commit", "-q", "-m", "untrack the keys"]).ok();
    let r = env.accord(&["verify", "--signed"]);
    r.code(2);
    assert!(r.stderr.contains("allowed_signers"), "{}", r.stderr);
    assert!(r.stderr.contains("not committed at HEAD"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// verify --signed with OpenPGP

/// Kills the gpg agents of a GNUPGHOME when dropped (also when the test fails).
struct GpgHome {
    dir: PathBuf,
    h: Hermetic,
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        let mut cmd = self.h.cmd("gpgconf", &self.dir, ADA, START);
        let _ = cmd.args(["--kill", "all"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
}

impl GpgHome {
    /// Generate a key for `uid`; returns its fingerprint.
    fn key(&self, uid: &str) -> String {
        let args =
            ["--batch", "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never"];
        run(self.h.cmd("gpg", &self.dir, ADA, START).args(args)).ok();
        let list = run(self.h.cmd("gpg", &self.dir, ADA, START).args([
            "--batch",
            "--with-colons",
            "--list-secret-keys",
            uid,
        ]));
        list.ok();
        let fpr = list.stdout.lines().find(|l| l.starts_with("fpr:")).expect("a fingerprint");
        fpr.split(':').nth(9).unwrap().to_string()
    }
}

#[test]
fn verify_signed_with_openpgp_keys_checks_the_user_id_email() {
    if !(require_tool("gpg") && require_tool("gpg-agent") && require_tool("gpgconf")) {
        return;
    }
    let env = setup("consent");
    let dir = env.path("gnupg");
    std::fs::create_dir_all(&dir).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let h = Hermetic::of(&env).with("GNUPGHOME", &dir);
    let gpg = GpgHome { dir: dir.clone(), h: h.clone() };
    let ada = gpg.key("Ada Lovelace <ada@example.com>");
    let git = |args: &[&str]| h.git(&env.repo, ADA, START + 100, args);
    git(&["config", "user.signingkey", &ada]).ok();
    git(&["config", "commit.gpgsign", "true"]).ok();
    let r = h.accord(&env.repo, ADA, START + 200, &["sign", "charter"]);
    r.ok();
    let head = git(&["rev-parse", "HEAD"]).ok().stdout.trim().to_string();
    git(&["verify-commit", "HEAD"]).ok();
    let object = git(&["cat-file", "commit", "HEAD"]).ok().stdout.clone();
    assert!(object.contains("gpgsig -----BEGIN PGP SIGNATURE-----"), "{object}");
    let v = h.accord(&env.repo, ADA, START + 300, &["verify", "--signed"]);
    v.ok();
    assert!(v.stdout.contains("ok: 1 position(s), each made and signed"), "{}", v.stdout);

    // Ada's other key, with another email: git accepts the signature; it does not prove Ada.
    let elsewhere = gpg.key("Ada Lovelace <ada@elsewhere.example>");
    assert_ne!(elsewhere, ada);
    git(&["config", "user.signingkey", &elsewhere]).ok();
    h.accord(&env.repo, ADA, START + 400, &["abstain", "charter"]).ok();
    let bad = git(&["rev-parse", "HEAD"]).ok().stdout.trim().to_string();
    git(&["verify-commit", "HEAD"]).ok();
    let j = h.accord(&env.repo, ADA, START + 500, &["verify", "--signed", "--format", "json"]);
    j.code(1);
    let j = j.json();
    let failures = j["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{j:#}");
    assert_eq!(failures[0]["commit"], bad);
    let why = failures[0]["reason"].as_str().unwrap();
    assert!(why.contains("no user id for ada@example.com"), "{why}");
    assert!(why.contains(&elsewhere), "names the key: {why}");
    let human = h.accord(&env.repo, ADA, START + 600, &["verify", "--signed"]);
    human.code(1);
    assert!(human.stdout.contains(&bad), "{}", human.stdout);
    assert!(!human.stdout.contains(&head), "the good one is not named: {}", human.stdout);
    // Without the keyring, even the good one is an unknown key.
    let empty = env.path("empty-gnupg");
    std::fs::create_dir_all(&empty).unwrap();
    let no_keys = Hermetic::of(&env).with("GNUPGHOME", &empty);
    let _kill = GpgHome { dir: empty.clone(), h: no_keys.clone() };
    let j =
        no_keys.accord(&env.repo, ADA, START + 700, &["verify", "--signed", "--format", "json"]);
    j.code(1);
    let j = j.json();
    assert_eq!(j["failures"].as_array().unwrap().len(), 2, "{j:#}");
    assert!(j["failures"][1]["reason"].as_str().unwrap().contains("unknown OpenPGP key"), "{j:#}");
}

// ---------------------------------------------------------------------------------------------
// Distributed signing: one origin, ten clones, concurrent pushes

const TEAM: usize = 10;

fn members() -> Vec<(String, String)> {
    (0..TEAM).map(|i| (format!("Member {i}"), format!("m{i}@example.com"))).collect()
}

fn team_agreement(people: &[(String, String)]) -> String {
    let mut text = String::from(
        "schema = 1\ntitle = \"Ten of us\"\nkind = \"charter\"\npurpose = \"Many hands, one text.\"\n\n[decision]\nrule = \"unanimous\"\n",
    );
    for (i, (name, email)) in people.iter().enumerate() {
        let role = if i == 0 { "steward" } else { "partner" };
        text.push_str(&format!(
            "\n[[party]]\nname = \"{name}\"\nemail = \"{email}\"\nrole = \"{role}\"\n"
        ));
    }
    text
}

/// Every clone signs as its own party and pushes at the same time as the others, retrying with
/// `git pull --rebase` (clone 0 with `git pull --no-rebase`, after someone else has pushed,
/// when `merge` is set). Checks every clone and origin at the end.
fn ten_clones_sign_and_push(merge: bool) {
    let people = members();
    let env = TestEnv::new();
    env.commit_file("agreements/team.toml", &team_agreement(&people), "The team agreement");
    let revision = rev_parse_in(&env, &env.repo, "HEAD:agreements/team.toml");
    let tmp = env.tmp.path().to_path_buf();
    let origin = env.path("origin.git");
    env.git_in(&tmp, &["clone", "-q", "--bare", s(&env.repo), s(&origin)]).ok();
    let clones: Vec<PathBuf> = (0..TEAM)
        .map(|i| {
            let c = env.path(&format!("clone{i}"));
            env.git_in(&tmp, &["clone", "-q", s(&origin), s(&c)]).ok();
            c
        })
        .collect();
    let h = Hermetic::of(&env);
    let pushed = AtomicUsize::new(0);
    // (original position commit, attempts) per clone.
    let results: Vec<Result<(String, usize), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..TEAM)
            .map(|i| {
                let (h, clone, pushed) = (&h, &clones[i], &pushed);
                let who = (people[i].0.as_str(), people[i].1.as_str());
                scope.spawn(move || -> Result<(String, usize), String> {
                    let t = START + 3600 + 60 * i as i64;
                    let note = format!("from clone {i}");
                    let r = h.accord(clone, who, t, &["sign", "team", "-m", &note]);
                    if r.code != 0 {
                        return Err(format!("clone {i}: sign failed: {}", r.stderr));
                    }
                    let original = h.git(clone, who, t, &["rev-parse", "HEAD"]).stdout;
                    let merging = merge && i == 0;
                    if merging {
                        let deadline = Instant::now() + Duration::from_secs(60);
                        while pushed.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                    }
                    let pull: &[&str] = if merging {
                        &["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"]
                    } else {
                        &["pull", "-q", "--rebase", "origin", "main"]
                    };
                    let mut last = String::new();
                    for attempt in 1..=50 {
                        let p = h.git(clone, who, t + attempt as i64, pull);
                        if p.code != 0 {
                            last = p.stderr;
                        } else {
                            let push = h.git(clone, who, t, &["push", "-q", "origin", "main"]);
                            if push.code == 0 {
                                pushed.fetch_add(1, Ordering::SeqCst);
                                return Ok((original.trim().to_string(), attempt));
                            }
                            last = push.stderr;
                        }
                        std::thread::sleep(Duration::from_millis(
                            ((i * 7 + attempt * 13) % 20) as u64,
                        ));
                    }
                    Err(format!("clone {i}: no push after 50 tries: {last}"))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("no panic in a signer")).collect()
    });
    let results: Vec<(String, usize)> =
        results.into_iter().collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{e}"));

    let tries: usize = results.iter().map(|(_, attempts)| attempts).sum();
    report(&format!("{TEAM} clones pushed after {tries} pull-and-push tries in all"));

    // Final pull everywhere, then every clone and origin agree.
    for c in &clones {
        env.git_in(c, &["pull", "-q", "--ff-only", "origin", "main"]).ok();
    }
    let tip = rev_parse_in(&env, &origin, "main");
    let mut places: Vec<PathBuf> = clones.clone();
    places.push(origin.clone());
    let mut finals: Vec<String> = Vec::new();
    for place in &places {
        if place != &origin {
            assert_eq!(rev_parse_in(&env, place, "HEAD"), tip);
        }
        let st = env.accord_in(&tmp, &["-C", s(place), "status", "--format", "json"]).ok().json();
        let st = &st.as_array().unwrap()[0];
        assert_eq!(st["agreement"], "team");
        assert_eq!(st["revision"], revision);
        assert_eq!(st["ratified"], true, "{}: {st:#}", place.display());
        assert_eq!(st["blocking"], serde_json::json!([]));
        let parties = st["parties"].as_array().unwrap();
        assert_eq!(parties.len(), TEAM);
        for (i, p) in parties.iter().enumerate() {
            assert_eq!(p["email"], people[i].1.as_str());
            assert_eq!(p["state"], "signed", "{p:#}");
            assert_eq!(p["note"], format!("from clone {i}"));
            assert!(p.get("carried_over").is_none() && p.get("revision").is_none(), "{p:#}");
        }
        let commits: Vec<String> =
            parties.iter().map(|p| p["commit"].as_str().unwrap().to_string()).collect();
        if finals.is_empty() {
            finals = commits;
        } else {
            assert_eq!(commits, finals, "every place names the same commits");
        }
    }
    // Exactly one position per party in origin's history, each binding the same blob.
    let log = env.accord_in(&origin, &["log", "team", "--format", "json"]).ok().json();
    let positions: Vec<&Value> =
        log.as_array().unwrap().iter().filter(|e| e["type"] == "position").collect();
    assert_eq!(positions.len(), TEAM, "{log:#}");
    for (_, email) in &people {
        let mine: Vec<_> = positions.iter().filter(|p| p["email"] == email.as_str()).collect();
        assert_eq!(mine.len(), 1, "{email}: {log:#}");
        assert_eq!(mine[0]["revision"], revision);
    }
    let v = env.accord_in(&origin, &["verify"]).ok().clone();
    assert!(v.stdout.contains(&format!("ok: {TEAM} position(s)")), "{}", v.stdout);
    // Rebased positions are new commits that still count: the blob binding kept them.
    let rebased = results.iter().zip(&finals).filter(|((orig, _), fin)| orig != *fin).count();
    let merges: usize = env
        .git_in(&origin, &["rev-list", "--count", "--merges", "main"])
        .ok()
        .stdout
        .trim()
        .parse()
        .unwrap();
    if merge {
        assert!(merges >= 1, "clone 0 merged");
        assert_eq!(finals[0], results[0].0, "a merge keeps the position commit itself");
        assert_eq!(rebased, TEAM - 2, "all but the first pusher and the merger were rebased");
    } else {
        assert_eq!(merges, 0);
        assert_eq!(rebased, TEAM - 1, "all but the first pusher were rebased");
    }
    env.git_in(&origin, &["fsck", "--no-progress"]).ok();
}

#[test]
fn ten_clones_sign_and_push_concurrently_with_pull_rebase() {
    ten_clones_sign_and_push(false);
}

#[test]
fn ten_clones_sign_and_push_concurrently_and_one_merges() {
    ten_clones_sign_and_push(true);
}

// ---------------------------------------------------------------------------------------------
// Crash safety: kill `accord sign` at random moments

/// xorshift64*: a tiny deterministic PRNG.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn killing_accord_at_random_moments_never_corrupts_the_repository() {
    let mut env = setup("consent");
    env.as_(GRACE);
    let revision = rev_parse_in(&env, &env.repo, &format!("HEAD:{FILE}"));
    let base = env.commit_count();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut killed, mut finished, mut stale_locks) = (0usize, 0usize, 0usize);
    // Commits reported by runs that finished and recorded something.
    let mut reported: Vec<String> = Vec::new();
    // Kill anywhere from before `main` to after the end: within a window that starts at twice
    // what a typical uninterrupted run takes here (the median of a few) and then follows the
    // machine's speed as other work comes and goes: it widens after each kill and narrows after
    // each run that finished first, so about half the runs are killed and the rest finish.
    let mut times = Vec::new();
    for args in [&["object", "charter", "-m", "x"][..], &["sign", "charter"]].repeat(3) {
        let t0 = Instant::now();
        env.accord(args).ok();
        times.push(t0.elapsed());
        reported.push(env.head());
    }
    times.sort();
    let (narrowest, widest) = (1_000u64, 150_000u64); // µs
    let mut window = (times[times.len() / 2].as_micros() as u64 * 2).clamp(narrowest, widest);
    let first_window = window;
    let started = Instant::now();
    for i in 0..200 {
        let args: &[&str] =
            if i % 2 == 0 { &["object", "charter", "-m", "x"] } else { &["sign", "charter"] };
        let mut cmd = env.accord_cmd();
        cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        std::thread::sleep(Duration::from_micros(rng.next() % (window + 1)));
        let _ = child.kill(); // SIGKILL; an error only means it had already exited
        let o = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        match o.status.code() {
            None => {
                killed += 1;
                window = (window + window / 10).min(widest);
            }
            Some(0) => {
                finished += 1;
                window = (window - window / 10).max(narrowest);
                if let Some(c) = stderr.split("in commit ").nth(1) {
                    reported.push(c.trim().to_string());
                }
            }
            Some(code) => panic!("run {i} {args:?} exited {code}: {stderr}"),
        }
        // A process killed while it holds the branch lock leaves the lock file behind, exactly
        // as git does; the next writer then waits and fails naming it. A user removes it by
        // hand; so does this loop, after checking it is the only thing left behind.
        for lock in lock_files(&env.repo.join(".git")) {
            assert_eq!(lock, env.repo.join(".git/refs/heads/main.lock"), "run {i}");
            std::fs::remove_file(&lock).unwrap();
            stale_locks += 1;
        }
    }
    let elapsed = started.elapsed();
    // A kill only tests something when it lands while accord runs: a run killed by the signal
    // was (spawn returns once accord is executing); a run that finished was not. The window
    // settles where about half are killed; a quarter is a safe bar.
    assert!(
        killed >= 50,
        "only {killed} of 200 runs were killed mid-flight ({finished} finished first; kill \
         window {first_window} µs, then {window} µs): the loop did not exercise crashes"
    );

    // The object database is sound (dangling objects from killed runs are allowed).
    let fsck = env.git(&["fsck", "--no-dangling", "--no-progress"]).ok().clone();
    assert!(!fsck.stderr.contains("error"), "{}", fsck.stderr);

    // Every position on the branch is whole: a pure, complete trailer block, as git reads it,
    // on a single-parent commit with its parent's tree.
    let log = env.git(&["log", "-z", "--format=%H%x00%P%x00%T%x00%B"]).ok().stdout.clone();
    let fields: Vec<&str> = log.split('\0').collect();
    let mut positions: Vec<(String, String)> = Vec::new(); // (commit, stance), newest first
    let msg_file = env.path("message.txt");
    for rec in fields.chunks(4).filter(|r| r.len() == 4) {
        let (id, parents, tree, body) = (rec[0].trim_start_matches('\n'), rec[1], rec[2], rec[3]);
        if !body.contains("Accord-") {
            continue;
        }
        let parents: Vec<&str> = parents.split_whitespace().collect();
        assert_eq!(parents.len(), 1, "{id}");
        assert_eq!(rev_parse_in(&env, &env.repo, &format!("{}^{{tree}}", parents[0])), tree);
        std::fs::write(&msg_file, body).unwrap();
        let parsed = env.git(&["interpret-trailers", "--parse", s(&msg_file)]).ok().stdout.clone();
        let lines: Vec<&str> = parsed.lines().collect();
        assert_eq!(lines.len(), 4, "{id}: {parsed}");
        let stance =
            lines[0].strip_prefix("Accord-Position: ").unwrap_or_else(|| panic!("{parsed}"));
        assert!(stance == "object" || stance == "sign", "{parsed}");
        assert_eq!(lines[1], "Accord-Agreement: charter");
        assert_eq!(lines[2], format!("Accord-Revision: {revision}"));
        assert_eq!(lines[3], "Accord-Party: Grace Hopper <grace@example.com>");
        positions.push((id.to_string(), stance.to_string()));
    }
    assert_eq!(env.commit_count(), base + positions.len(), "only positions were added");
    // Runs that finished recorded a commit on the branch; killed runs added at most one each.
    let on_branch: Vec<&str> = positions.iter().map(|(c, _)| c.as_str()).collect();
    for short in &reported {
        assert!(on_branch.iter().any(|c| c.starts_with(short.as_str())), "{short} is lost");
    }
    assert!(positions.len() >= reported.len());
    assert!(positions.len() <= reported.len() + killed);
    // Each run read the branch it wrote on: signing what one has signed records nothing, so two
    // sign-offs never follow each other.
    for w in positions.windows(2) {
        let both = w[0].1 == "sign" && w[1].1 == "sign";
        assert!(!both, "{} and {} are two sign-offs in a row", w[1].0, w[0].0);
    }

    // status reads the last whole position, with and without the event cache; verify passes.
    let st = status_in(&env, &env.repo, &["charter"]);
    let expected = match positions.first().map(|(_, s)| s.as_str()) {
        Some("object") => "objecting",
        Some(_) => "signed",
        None => "silent",
    };
    assert_eq!(state_of(&st, GRACE.1), expected);
    if let Some((c, _)) = positions.first() {
        assert_eq!(st[0]["parties"][1]["commit"], c.as_str());
    }
    let _ = std::fs::remove_dir_all(env.repo.join(".git/accord"));
    assert_eq!(status_in(&env, &env.repo, &["charter"]), st, "the cache changed no answer");
    let v = env.accord(&["verify"]).ok().clone();
    assert!(v.stdout.contains(&format!("ok: {} position(s)", positions.len())), "{}", v.stdout);
    // And the next uninterrupted run records normally.
    let next = if expected == "objecting" { "sign" } else { "object" };
    let args: &[&str] =
        if next == "sign" { &["sign", "charter"] } else { &["object", "charter", "-m", "y"] };
    env.accord(args).ok();
    assert_eq!(env.commit_count(), base + positions.len() + 1);
    report(&format!(
        "crash loop: {killed} killed, {finished} finished, {} positions, {stale_locks} stale \
         branch locks, kill window {first_window} µs, then {window} µs, {elapsed:?}",
        positions.len()
    ));
}

#[allow(clippy::print_stderr)] // statistics for whoever runs with --nocapture
fn report(what: &str) {
    eprintln!("{what}");
}

/// Every `*.lock` file under a git dir (objects excluded).
fn lock_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if !p.ends_with("objects") {
                out.extend(lock_files(&p));
            }
        } else if p.extension().is_some_and(|x| x == "lock") {
            out.push(p);
        }
    }
    out
}
