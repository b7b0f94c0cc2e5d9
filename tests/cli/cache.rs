//! The event cache under `<git-dir>/accord/` and git's commit-graph files are shortcuts, never
//! the source of truth (SPEC §8): whatever state they are in — warm, stale after new commits, a
//! reset, an amend or a rebase, corrupt, written by several processes at once, or absent — the
//! JSON of `status`, `log`, `history` and `verify` is byte for byte what a cold run without
//! either prints (`ACCORD_NO_CACHE=1 ACCORD_NO_COMMIT_GRAPH=1`).
//!
//! Black-box on purpose: only the CLI and git are used, and every file under the cache folder
//! is treated alike, so the tests hold whatever the cache keeps and however it is laid out.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use proptest::prelude::*;

use crate::common::*;

const IDS: [&str; 2] = ["alpha", "beta"];
const PARTIES: [(&str, &str); 3] = [ADA, GRACE, KATHERINE];
const STANCES: [&str; 4] = ["sign", "object", "abstain", "withdraw"];
/// Purposes an edit can give an agreement. The last has the meaning of the first (only the
/// whitespace differs), so sign-offs on either carry over to the other.
const PURPOSES: [&str; 4] = [
    "Give every product team a paved road from merge to production.",
    "Give every team a paved road to production.",
    "Keep the deploy pipeline green for every product team.",
    "Give every product team   a paved road\nfrom merge to production.",
];

// ---------------------------------------------------------------------------------------------
// Running accord with and without its shortcuts

/// How accord is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Cache and commit-graph as they are.
    Warm,
    /// The reference: no cache read or written, commit-graph files ignored.
    Plain,
    /// Cache used, commit-graph ignored.
    NoGraph,
}

impl Mode {
    fn vars(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Mode::Warm => &[],
            Mode::Plain => &[("ACCORD_NO_CACHE", "1"), ("ACCORD_NO_COMMIT_GRAPH", "1")],
            Mode::NoGraph => &[("ACCORD_NO_COMMIT_GRAPH", "1")],
        }
    }
}

fn command(env: &TestEnv, mode: Mode, args: &[String]) -> std::process::Command {
    let mut cmd = env.accord_cmd();
    for (k, v) in mode.vars() {
        cmd.env(k, v);
    }
    cmd.args(args);
    cmd
}

fn to_run(o: std::process::Output) -> Run {
    Run {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code().unwrap_or(-1),
    }
}

fn accord_mode(env: &TestEnv, mode: Mode, args: &[String]) -> Run {
    to_run(command(env, mode, args).output().unwrap())
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

/// The read-only queries whose answers must not depend on the shortcuts.
fn queries(env: &TestEnv) -> Vec<Vec<String>> {
    let mut q = vec![
        words("status --format json"),
        words("verify --format json"),
        words("log alpha --format json"),
        words("history alpha --format json"),
        words("history beta --format json"),
    ];
    if env.commit_count() > 3 {
        // An older commit than the tip the cache was last written for.
        q.push(words("status --rev HEAD~2 --format json"));
        q.push(words("log beta --rev HEAD~2 --format json"));
    }
    q
}

/// Panic with both outputs unless `got` is exactly `want` (stdout, stderr and exit code).
#[track_caller]
fn same(what: &str, how: &str, q: &[String], want: &Run, got: &Run) {
    if got.stdout != want.stdout || got.stderr != want.stderr || got.code != want.code {
        panic!(
            "{what}: `accord {}` {how} differs from a cold run without cache and commit-graph\n\
             --- cold, plain (exit {}):\n{}\n{}\n--- {how} (exit {}):\n{}\n{}",
            q.join(" "),
            want.code,
            want.stdout,
            want.stderr,
            got.code,
            got.stdout,
            got.stderr
        );
    }
}

/// The reference answers, checked to be real answers (JSON on stdout).
fn reference(env: &TestEnv, queries: &[Vec<String>]) -> Vec<Run> {
    queries
        .iter()
        .map(|q| {
            let r = accord_mode(env, Mode::Plain, q);
            assert!(
                r.code == 0 || (q[0] == "verify" && r.code == 1),
                "`accord {}` failed (exit {}):\n{}\n{}",
                q.join(" "),
                r.code,
                r.stdout,
                r.stderr
            );
            r.json();
            r
        })
        .collect()
}

/// Every query gives the reference answer: (a) warm on the cache exactly as it was left (each
/// query on its own copy of it), then in a row, each on what the previous ones wrote; (b) cold,
/// after deleting `<git-dir>/accord`; and with the cache but without the commit-graph.
/// Leaves a warm cache behind.
#[track_caller]
fn assert_same(env: &TestEnv, what: &str) {
    assert_same_for(env, what, &queries(env));
}

/// [`assert_same`] for these queries.
#[track_caller]
fn assert_same_for(env: &TestEnv, what: &str, queries: &[Vec<String>]) {
    let want = reference(env, queries);
    as_left(env, what, queries, &want);
    for (q, w) in queries.iter().zip(&want) {
        same(what, "warm (in a row)", q, w, &accord_mode(env, Mode::Warm, q));
    }
    let dir = cache_dir(env);
    for (q, w) in queries.iter().zip(&want) {
        remove(&dir);
        same(what, "cold (cache deleted)", q, w, &accord_mode(env, Mode::Warm, q));
    }
    for (q, w) in queries.iter().zip(&want) {
        same(what, "with ACCORD_NO_COMMIT_GRAPH only", q, w, &accord_mode(env, Mode::NoGraph, q));
    }
}

/// Each query, run on its own copy of the cache as it is now, gives `want`.
#[track_caller]
fn as_left(env: &TestEnv, what: &str, queries: &[Vec<String>], want: &[Run]) {
    let dir = cache_dir(env);
    let saved = env.path("saved-cache");
    remove(&saved);
    copy_tree(&dir, &saved);
    for (q, w) in queries.iter().zip(want) {
        remove(&dir);
        copy_tree(&saved, &dir);
        same(what, "warm (on the cache as left)", q, w, &accord_mode(env, Mode::Warm, q));
    }
}

/// Run every query once with the cache, so that it covers the tip.
fn warm(env: &TestEnv) {
    for q in queries(env) {
        accord_mode(env, Mode::Warm, &q);
    }
}

/// A party's state on an agreement, from the reference `status` JSON.
fn state_of(env: &TestEnv, id: &str, who: (&str, &str)) -> String {
    party_of(env, id, who)["state"].as_str().unwrap().to_string()
}

fn party_of(env: &TestEnv, id: &str, who: (&str, &str)) -> serde_json::Value {
    let status = accord_mode(env, Mode::Plain, &words(&format!("status {id} --format json")));
    let json = status.ok().json();
    json[0]["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == who.1)
        .unwrap_or_else(|| panic!("{} is not a party of {id}: {json}", who.1))
        .clone()
}

// ---------------------------------------------------------------------------------------------
// Files

fn git_dir(env: &TestEnv) -> PathBuf {
    PathBuf::from(env.git(&["rev-parse", "--absolute-git-dir"]).ok().stdout.trim())
}

fn cache_dir(env: &TestEnv) -> PathBuf {
    git_dir(env).join("accord")
}

fn remove(p: &Path) {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(p).unwrap(),
        Ok(_) => std::fs::remove_file(p).unwrap(),
        Err(_) => {}
    }
}

/// Copy a file or folder tree; nothing when `from` does not exist.
fn copy_tree(from: &Path, to: &Path) {
    let Ok(m) = std::fs::symlink_metadata(from) else { return };
    if m.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            copy_tree(&e.path(), &to.join(e.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap();
    }
}

/// Every regular file under `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Deterministic noise.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Building histories

fn path_of(id: &str) -> String {
    format!("agreements/{id}.toml")
}

/// `alpha` decides by consent, `beta` unanimously; both have Ada, Grace and Katherine.
fn agreement_text(id: &str, purpose: usize) -> String {
    let rule = if id == "alpha" { "consent" } else { "unanimous" };
    charter(rule)
        .replace("Platform team charter", &format!("The {id} charter"))
        .replace(PURPOSES[0], PURPOSES[purpose])
}

/// Both agreements, committed by Ada.
fn setup() -> TestEnv {
    setup_in(TestEnv::new())
}

fn setup_in(env: TestEnv) -> TestEnv {
    for id in IDS {
        env.write(&path_of(id), &agreement_text(id, 0));
    }
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "agreements: alpha and beta"]).ok();
    env
}

/// Commit a new purpose for an agreement (as Ada). Fails when nothing changed.
fn edit(env: &TestEnv, id: &str, purpose: usize) -> Run {
    env.write(&path_of(id), &agreement_text(id, purpose));
    env.git(&["add", &path_of(id)]).ok();
    env.git(&["commit", "-q", "-m", &format!("{id}: purpose {purpose}")])
}

/// An ordinary code commit.
fn code(env: &TestEnv, name: &str) {
    let rel = format!("src/{name}.rs");
    let old = std::fs::read_to_string(env.repo.join(&rel)).unwrap_or_default();
    env.write(&rel, &format!("{old}// {}\n", env.commit_count()));
    env.git(&["add", &rel]).ok();
    env.git(&["commit", "-q", "-m", &format!("code: {name}")]).ok();
}

/// A position taken with accord by `who`.
fn take(env: &mut TestEnv, who: (&str, &str), stance: &str, id: &str, note: &str) -> Run {
    env.as_(who);
    let mut args = vec![stance, id];
    if !note.is_empty() && stance != "withdraw" {
        args.extend(["-m", note]);
    }
    let r = env.accord(&args);
    env.as_(ADA);
    r
}

/// The revision (blob id) of an agreement at HEAD.
fn revision(env: &TestEnv, id: &str) -> String {
    env.git(&["rev-parse", &format!("HEAD:{}", path_of(id))]).ok().stdout.trim().to_string()
}

/// The arguments of `git commit` for a hand-made position.
fn position_args(
    env: &TestEnv,
    who: (&str, &str),
    stance: &str,
    id: &str,
    note: &str,
) -> Vec<String> {
    let mut args = words("commit -q --allow-empty");
    args.extend(["-m".into(), format!("{stance} {id}, by hand")]);
    if !note.is_empty() {
        args.extend(["-m".into(), note.into()]);
    }
    for t in [
        format!("Accord-Position: {stance}"),
        format!("Accord-Agreement: {id}"),
        format!("Accord-Revision: {}", revision(env, id)),
        format!("Accord-Party: {} <{}>", who.0, who.1),
    ] {
        args.extend(["--trailer".into(), t]);
    }
    args
}

/// A position made by hand with `git commit --allow-empty --trailer`, authored by `who`.
fn by_hand(env: &mut TestEnv, who: (&str, &str), stance: &str, id: &str, note: &str) -> Run {
    let args = position_args(env, who, stance, id, note);
    env.as_(who);
    let r = env.git(&args.iter().map(String::as_str).collect::<Vec<_>>());
    env.as_(ADA);
    r
}

fn commit_graph(env: &TestEnv, args: &str) {
    env.git(
        &words(&format!("commit-graph write --reachable {args}"))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    )
    .ok();
}

/// Two agreements with positions by everyone (some by hand), edits and code commits:
/// alpha: Ada signed revision 0 (stale), Grace objects, Katherine signed revision 1;
/// beta: Katherine abstains, Ada signed.
fn rich() -> TestEnv {
    rich_in(TestEnv::new())
}

fn rich_in(env: TestEnv) -> TestEnv {
    let mut env = setup_in(env);
    take(&mut env, ADA, "sign", "alpha", "").ok();
    take(&mut env, GRACE, "object", "alpha", "Two people cannot carry the pager.").ok();
    code(&env, "deploy");
    by_hand(&mut env, KATHERINE, "abstain", "beta", "Not my area.").ok();
    edit(&env, "alpha", 1).ok();
    take(&mut env, KATHERINE, "sign", "alpha", "Fine by me.").ok();
    code(&env, "pager");
    take(&mut env, ADA, "sign", "beta", "").ok();
    env
}

/// More history on top: edits, positions by accord and by hand, code, a merged side branch.
/// Positions and edits that are refused or change nothing (when called again) are fine.
fn more(env: &mut TestEnv, tag: &str) {
    take(env, GRACE, "withdraw", "alpha", "");
    edit(env, "alpha", 3); // same meaning as revision 0: Ada's sign-off carries over
    code(env, &format!("more-{tag}"));
    by_hand(env, GRACE, "sign", "alpha", "").ok();
    edit(env, "beta", 2);
    env.git(&["checkout", "-q", "-b", &format!("side-{tag}")]).ok();
    take(env, KATHERINE, "object", "beta", "Unanimous is too strict for this.");
    code(env, &format!("side-{tag}"));
    env.git(&["checkout", "-q", "main"]).ok();
    take(env, ADA, "sign", "beta", "");
    env.git(&["merge", "-q", "--no-ff", &format!("side-{tag}"), "-m", &format!("merge {tag}")])
        .ok();
    by_hand(env, GRACE, "abstain", "beta", "").ok();
}

/// Rewrite HEAD's message with `f` (`git commit --amend`, keeping the tree).
fn amend_message(env: &TestEnv, f: impl Fn(&str) -> String) {
    let old = env.git(&["log", "-1", "--format=%B"]).ok().stdout.clone();
    let file = env.path("amend-message");
    std::fs::write(&file, f(&old)).unwrap();
    env.git(&["commit", "-q", "--amend", "--allow-empty", "-F", file.to_str().unwrap()]).ok();
}

// ---------------------------------------------------------------------------------------------
// Situations

#[test]
fn new_commits_on_top_of_a_cached_tip() {
    let mut env = rich();
    assert_same(&env, "the first history");
    assert_eq!(state_of(&env, "alpha", GRACE), "objecting");
    assert!(!files_under(&cache_dir(&env)).is_empty(), "no cache was written");
    more(&mut env, "a");
    assert_same(&env, "after new commits on a cached tip");
    assert_eq!(state_of(&env, "alpha", GRACE), "signed");
    assert_eq!(state_of(&env, "alpha", ADA), "signed", "carried over: same meaning");
    assert_eq!(state_of(&env, "beta", KATHERINE), "objecting", "from the merged side branch");
}

/// The trap for a cache that only prepends new positions to the order it had: a side branch
/// older than the cached tip, merged after it, interleaves with the positions already known.
#[test]
fn merging_an_older_side_branch_after_the_cached_tip() {
    let mut env = setup();
    env.git(&["checkout", "-q", "-b", "side"]).ok();
    take(&mut env, GRACE, "object", "alpha", "Too much on-call.").ok();
    code(&env, "side");
    env.git(&["checkout", "-q", "main"]).ok();
    take(&mut env, GRACE, "sign", "alpha", "").ok();
    take(&mut env, KATHERINE, "abstain", "alpha", "").ok();
    warm(&env);
    env.git(&["merge", "-q", "--no-ff", "side", "-m", "merge side"]).ok();
    assert_same(&env, "after merging an older side branch");
    assert_eq!(
        state_of(&env, "alpha", GRACE),
        "signed",
        "her sign-off is later than her objection"
    );
    // And the other way round: a newer side branch merged into an older tip.
    env.git(&["checkout", "-q", "-b", "side2", "HEAD~1"]).ok();
    code(&env, "side2");
    take(&mut env, KATHERINE, "object", "alpha", "Changed my mind.").ok();
    env.git(&["checkout", "-q", "main"]).ok();
    warm(&env);
    env.git(&["merge", "-q", "--no-ff", "side2", "-m", "merge side2"]).ok();
    assert_same(&env, "after merging a newer side branch");
    assert_eq!(state_of(&env, "alpha", KATHERINE), "objecting");
}

fn reset(with_graph: bool) {
    let mut env = rich();
    take(&mut env, GRACE, "withdraw", "alpha", "").ok();
    take(&mut env, KATHERINE, "object", "beta", "Not unanimous about this.").ok();
    by_hand(&mut env, GRACE, "sign", "alpha", "").ok();
    let tip = env.head();
    if with_graph {
        commit_graph(&env, "--changed-paths");
    }
    warm(&env);
    assert_eq!(state_of(&env, "alpha", GRACE), "signed");
    assert_eq!(state_of(&env, "beta", KATHERINE), "objecting");
    env.git(&["reset", "-q", "--hard", "HEAD~3"]).ok();
    assert_same(&env, "after git reset --hard HEAD~3");
    assert_eq!(state_of(&env, "alpha", GRACE), "objecting", "dropped positions no longer count");
    assert_eq!(state_of(&env, "beta", KATHERINE), "abstained");
    // New history where the dropped commits were.
    take(&mut env, KATHERINE, "sign", "beta", "").ok();
    code(&env, "after-reset");
    assert_same(&env, "new commits after the reset");
    assert_eq!(state_of(&env, "beta", KATHERINE), "signed");
    // And forward again to the dropped tip (still in the object database and the reflog).
    env.git(&["reset", "-q", "--hard", &tip]).ok();
    assert_same(&env, "reset forward to the dropped tip");
    assert_eq!(state_of(&env, "alpha", GRACE), "signed");
}

#[test]
fn reset_to_an_older_commit() {
    reset(false);
}

#[test]
fn reset_to_an_older_commit_with_a_commit_graph_of_the_dropped_commits() {
    reset(true);
}

#[test]
fn amended_positions() {
    let mut env = rich();
    by_hand(&mut env, GRACE, "object", "beta", "First reason.").ok();
    warm(&env);
    assert!(party_of(&env, "beta", GRACE)["note"].as_str().unwrap().ends_with("First reason."));
    // The note, by hand.
    amend_message(&env, |m| m.replace("First reason.", "Second reason."));
    assert_same(&env, "after amending the note");
    assert!(party_of(&env, "beta", GRACE)["note"].as_str().unwrap().ends_with("Second reason."));
    // The stance.
    amend_message(&env, |m| m.replace("Accord-Position: object", "Accord-Position: abstain"));
    assert_same(&env, "after amending the stance");
    assert_eq!(state_of(&env, "beta", GRACE), "abstained");
    // A position made with accord, amended to another stance and note.
    take(&mut env, KATHERINE, "object", "alpha", "Original note.").ok();
    warm(&env);
    amend_message(&env, |m| {
        m.replace("Original note.", "").replace("Accord-Position: object", "Accord-Position: sign")
    });
    assert_same(&env, "after amending accord's position");
    assert_eq!(state_of(&env, "alpha", KATHERINE), "signed");
    // With a commit-graph holding the amended-away commit.
    take(&mut env, ADA, "object", "beta", "Wait for the audit.").ok();
    commit_graph(&env, "--changed-paths");
    warm(&env);
    amend_message(&env, |m| m.replace("Wait for the audit.", "The audit is late."));
    assert_same(&env, "after amending a position in the commit-graph");
    assert_eq!(party_of(&env, "beta", ADA)["note"], "The audit is late.");
}

fn rebase(with_graph: bool) {
    let mut env = rich();
    take(&mut env, GRACE, "withdraw", "alpha", "").ok();
    let dropped = env.head();
    code(&env, "before-rebase");
    take(&mut env, KATHERINE, "object", "beta", "Needs another round.").ok();
    code(&env, "after-rebase");
    if with_graph {
        commit_graph(&env, "--changed-paths");
    }
    warm(&env);
    assert_eq!(state_of(&env, "alpha", GRACE), "silent");
    let before = env.commit_count();
    env.git(&["rebase", "-q", "--onto", &format!("{dropped}~1"), &dropped]).ok();
    assert_eq!(env.commit_count(), before - 1, "the rebase drops exactly the withdrawal");
    assert_same(&env, "after a rebase that drops a position");
    assert_eq!(state_of(&env, "alpha", GRACE), "objecting", "the withdrawal is gone");
    assert_eq!(state_of(&env, "beta", KATHERINE), "objecting", "the rebased objection stays");
}

#[test]
fn rebase_that_drops_a_position() {
    rebase(false);
}

#[test]
fn rebase_that_drops_a_position_with_a_commit_graph() {
    rebase(true);
}

// ---------------------------------------------------------------------------------------------
// The same tip, other answers: whatever the cache keeps for a tip must notice

/// A shallow clone of `rich()` (depth 3: Katherine's sign-off on alpha is the boundary commit,
/// so it does not count), warm.
fn shallow() -> TestEnv {
    let mut env = rich();
    let url = format!("file://{}", env.repo.display());
    let clone = env.path("shallow");
    env.git(&["clone", "-q", "--depth", "3", &url, clone.to_str().unwrap()]).ok();
    env.repo = clone;
    assert_eq!(env.git(&["rev-parse", "--is-shallow-repository"]).ok().stdout.trim(), "true");
    warm(&env);
    assert_same(&env, "a shallow clone");
    assert_eq!(state_of(&env, "alpha", KATHERINE), "silent", "her sign-off is on the boundary");
    env
}

/// `log`, `history` and `verify` (which walk the whole graph) after the history under the same
/// tip grows.
#[test]
fn same_tip_deeper_history_after_unshallow_log_history_verify() {
    let env = shallow();
    let tip = env.head();
    let queries: Vec<Vec<String>> =
        queries(&env).into_iter().filter(|q| q[0] != "status").collect();
    env.git(&["fetch", "-q", "--deepen", "2"]).ok();
    assert_same_for(&env, "deepened by 2, same tip", &queries);
    env.git(&["fetch", "-q", "--unshallow"]).ok();
    assert_eq!(env.head(), tip);
    assert_same_for(&env, "unshallowed, same tip", &queries);
}

/// `status` too: whatever it remembers for a tip must notice that the history under it grew.
#[test]
fn same_tip_deeper_history_after_unshallow() {
    let env = shallow();
    let tip = env.head();
    env.git(&["fetch", "-q", "--deepen", "2"]).ok();
    assert_same(&env, "deepened by 2, same tip");
    env.git(&["fetch", "-q", "--unshallow"]).ok();
    assert_eq!(env.head(), tip);
    assert_same(&env, "unshallowed, same tip");
    assert_eq!(state_of(&env, "alpha", KATHERINE), "signed");
}

/// The same through the snapshot's other shortcut: new commits in a straight line on top of
/// the shallow tip, then the history under it deepened.
#[test]
fn straight_run_on_a_snapshot_taken_before_unshallow() {
    let mut env = shallow();
    // Only git runs here: the snapshot stays at the shallow tip.
    code(&env, "on-top");
    by_hand(&mut env, GRACE, "abstain", "beta", "").ok();
    env.git(&["fetch", "-q", "--unshallow"]).ok();
    assert_same(&env, "new commits, then unshallowed");
    assert_eq!(state_of(&env, "alpha", KATHERINE), "signed");
}

#[test]
fn same_tip_other_agreements_folder() {
    let mut env = rich();
    // A copy of the agreements deeper down: beta as first committed, alpha reworded.
    env.write("team/docs/alpha.toml", &agreement_text("alpha", 2));
    env.write("team/docs/beta.toml", &agreement_text("beta", 0));
    env.git(&["add", "team"]).ok();
    env.git(&["commit", "-q", "-m", "docs: a copy of the agreements"]).ok();
    take(&mut env, GRACE, "sign", "beta", "").ok();
    commit_graph(&env, "--changed-paths");
    code(&env, "past-the-graph");
    warm(&env);
    assert_same(&env, "agreements/");
    // An uncommitted accord.toml moves the agreements without moving HEAD.
    env.write("accord.toml", "dir = \"team/docs\"\n");
    assert_same(&env, "team/docs/, named by an uncommitted accord.toml");
    assert_eq!(state_of(&env, "alpha", KATHERINE), "stale", "not a revision of this file");
    assert_eq!(state_of(&env, "beta", GRACE), "signed", "the same blob as agreements/beta.toml");
    std::fs::remove_file(env.repo.join("accord.toml")).unwrap();
    assert_same(&env, "agreements/ again");
}

/// Two agreements with the same text are the same blob: one revision of both files.
#[test]
fn identical_agreements_share_a_revision() {
    let mut env = rich();
    env.write("agreements/gamma.toml", &agreement_text("alpha", 1));
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "gamma: a copy of alpha"]).ok();
    assert_eq!(revision(&env, "gamma"), revision(&env, "alpha"));
    warm(&env);
    take(&mut env, GRACE, "sign", "gamma", "").ok();
    by_hand(&mut env, ADA, "object", "gamma", "Not twice.").ok();
    let mut queries = queries(&env);
    queries.push(words("log gamma --format json"));
    queries.push(words("status gamma alpha --format json"));
    assert_same_for(&env, "an agreement with the text of another", &queries);
    assert_eq!(state_of(&env, "gamma", GRACE), "signed");
    assert_eq!(state_of(&env, "alpha", GRACE), "objecting");
}

/// 256 side commits and Grace's sign-off on alpha (the 257th parent), merged in one octopus
/// merge made with `git commit-tree`.
const OCTOPUS: &str = r#"set -e
b=$(git rev-parse HEAD)
t=$(git rev-parse 'HEAD^{tree}')
rev=$(git rev-parse HEAD:agreements/alpha.toml)
ps=""
i=1
while [ $i -le 256 ]; do
  ps="$ps -p $(git commit-tree "$t" -p "$b" -m "side $i")"
  i=$((i+1))
done
pos=$(printf 'accord: sign alpha\n\nAccord-Position: sign\nAccord-Agreement: alpha\nAccord-Revision: %s\nAccord-Party: Grace Hopper <grace@example.com>\n' "$rev" |
  GIT_AUTHOR_NAME='Grace Hopper' GIT_AUTHOR_EMAIL=grace@example.com git commit-tree "$t" -p "$b")
git reset -q --hard "$(git commit-tree "$t" $ps -p "$pos" -m 'octopus of 257')"
"#;

#[test]
fn octopus_merge_with_more_than_255_parents() {
    let env = setup();
    let script = env.path("octopus.sh");
    std::fs::write(&script, OCTOPUS).unwrap();
    env.git(&["-c", &format!("alias.octopus=!sh {}", script.display()), "octopus"]).ok();
    let parents = env.git(&["cat-file", "-p", "HEAD"]).ok().stdout.matches("\nparent ").count();
    assert_eq!(parents, 257);
    assert_eq!(state_of(&env, "alpha", GRACE), "signed");
    // Without a commit-graph every commit comes from the object database or the cache.
    assert_same(&env, "an octopus merge of 257 parents");
}

// ---------------------------------------------------------------------------------------------
// Corrupt caches

#[derive(Debug, Clone, Copy)]
enum Damage {
    TruncatedToHalf,
    LastByteCut,
    ZeroLength,
    RandomBytes,
    RandomBytesOtherLength,
    HeaderFlipped,
    VersionFlipped,
    MiddleByteFlipped,
    DirectoryInPlace,
    CacheFolderIsAFile,
}

const DAMAGES: [Damage; 10] = [
    Damage::TruncatedToHalf,
    Damage::LastByteCut,
    Damage::ZeroLength,
    Damage::RandomBytes,
    Damage::RandomBytesOtherLength,
    Damage::HeaderFlipped,
    Damage::VersionFlipped,
    Damage::MiddleByteFlipped,
    Damage::DirectoryInPlace,
    Damage::CacheFolderIsAFile,
];

/// Damage every file of the cache the same way; how many files there were.
fn damage(env: &TestEnv, how: Damage) -> usize {
    let dir = cache_dir(env);
    if let Damage::CacheFolderIsAFile = how {
        remove(&dir);
        std::fs::write(&dir, b"not a folder").unwrap();
        return 1;
    }
    let files = files_under(&dir);
    for (k, f) in files.iter().enumerate() {
        let mut data = std::fs::read(f).unwrap();
        let flip = |data: &mut Vec<u8>, at: usize| {
            let at = at.min(data.len().saturating_sub(1));
            if let Some(b) = data.get_mut(at) {
                *b ^= 0x5a;
            }
        };
        match how {
            Damage::TruncatedToHalf => data.truncate(data.len() / 2),
            Damage::LastByteCut => {
                data.pop();
            }
            Damage::ZeroLength => data.clear(),
            Damage::RandomBytes => data = noise(k as u64 + 7, data.len()),
            Damage::RandomBytesOtherLength => data = noise(k as u64 + 99, 4099),
            Damage::HeaderFlipped => (0..4).for_each(|i| flip(&mut data, i)),
            Damage::VersionFlipped => (6..16).for_each(|i| flip(&mut data, i)),
            Damage::MiddleByteFlipped => {
                let at = data.len() / 2;
                flip(&mut data, at)
            }
            Damage::DirectoryInPlace => {
                std::fs::remove_file(f).unwrap();
                std::fs::create_dir_all(f.join("inside")).unwrap();
                continue;
            }
            Damage::CacheFolderIsAFile => unreachable!(),
        }
        std::fs::write(f, data).unwrap();
    }
    files.len()
}

#[test]
fn corrupt_cache_files() {
    let mut env = rich();
    let queries = [
        words("status --format json"),
        words("verify --format json"),
        words("log alpha --format json"),
        words("history beta --format json"),
    ];
    for (k, how) in DAMAGES.into_iter().enumerate() {
        // A damaged cache that covered the tip…
        accord_mode(&env, Mode::Warm, &queries[0]).ok();
        accord_mode(&env, Mode::Warm, &queries[1]);
        assert!(damage(&env, how) > 0, "no cache file to damage");
        let want = reference(&env, &queries);
        as_left(&env, &format!("{how:?} cache at its tip"), &queries, &want);
        // …and one damaged, then left behind by new commits (a directory in the place of a
        // file may stay there: accord cannot write the cache then, and need not).
        damage(&env, how);
        take(&mut env, PARTIES[k % 3], STANCES[k % 3], IDS[k % 2], "Damaged cache.");
        code(&env, "corrupt");
        let want = reference(&env, &queries);
        as_left(&env, &format!("{how:?} cache, new commits since"), &queries, &want);
        for (q, w) in queries.iter().zip(&want) {
            same(
                &format!("{how:?}"),
                "warm (after rebuilding)",
                q,
                w,
                &accord_mode(&env, Mode::Warm, q),
            );
        }
    }
    assert_same(&env, "after all the damage");
}

/// A well-formed cache, but from another repository.
#[test]
fn a_cache_from_another_repository() {
    let mut other = rich();
    more(&mut other, "other");
    warm(&other);
    // Another clock: no commit id in common.
    let fresh = TestEnv::new();
    fresh.clock.set(START + 7);
    let env = rich_in(fresh);
    let dir = cache_dir(&env);
    remove(&dir);
    copy_tree(&cache_dir(&other), &dir);
    assert!(!files_under(&dir).is_empty());
    assert_same(&env, "a cache copied from another repository");
    // The same history, so the same commit ids: a cache that knows more than this repository.
    let mut twin = rich();
    more(&mut twin, "twin");
    let dir = cache_dir(&twin);
    remove(&dir);
    copy_tree(&cache_dir(&other), &dir);
    assert_same(&twin, "a cache copied from a repository with a longer shared history");
}

// ---------------------------------------------------------------------------------------------
// Commit-graph files

#[test]
fn commit_graph_with_changed_paths_then_commits_past_it() {
    let mut env = rich();
    commit_graph(&env, "--changed-paths");
    assert!(git_dir(&env).join("objects/info/commit-graph").is_file());
    assert_same(&env, "a commit-graph that covers everything");
    more(&mut env, "past");
    assert_same(&env, "commits past the commit-graph");
    assert_eq!(state_of(&env, "alpha", GRACE), "signed");
    // beta deleted inside the commit-graph, restored past it.
    env.git(&["rm", "-q", &path_of("beta")]).ok();
    env.git(&["commit", "-q", "-m", "beta: gone"]).ok();
    code(&env, "without-beta");
    commit_graph(&env, "--changed-paths");
    env.write(&path_of("beta"), &agreement_text("beta", 1));
    env.git(&["add", &path_of("beta")]).ok();
    env.git(&["commit", "-q", "-m", "beta: back"]).ok();
    assert_same(&env, "an agreement deleted and restored across the commit-graph");
    // Edits in the commit-graph and outside it: history and log see both.
    commit_graph(&env, "--changed-paths");
    edit(&env, "alpha", 2).ok();
    take(&mut env, GRACE, "object", "alpha", "Not this wording.").ok();
    assert_same(&env, "edits on both sides of the commit-graph");
}

#[test]
fn split_commit_graph_chain() {
    let mut env = rich();
    commit_graph(&env, "--split --changed-paths");
    warm(&env);
    more(&mut env, "one");
    commit_graph(&env, "--split=no-merge --changed-paths");
    let chain = git_dir(&env).join("objects/info/commit-graphs/commit-graph-chain");
    let layers = std::fs::read_to_string(&chain).unwrap().lines().count();
    assert!(layers >= 2, "expected a chain of two layers, got {layers}");
    assert_same(&env, "two layers");
    more(&mut env, "two");
    assert_same(&env, "two layers and commits past them");
    commit_graph(&env, "--split --changed-paths");
    edit(&env, "beta", 1).ok();
    take(&mut env, KATHERINE, "sign", "beta", "").ok();
    assert_same(&env, "a chain rewritten by git, and commits past it");
}

#[test]
fn commit_graph_without_changed_paths() {
    let mut env = rich();
    commit_graph(&env, "");
    assert_same(&env, "a commit-graph without Bloom filters");
    more(&mut env, "plain");
    assert_same(&env, "commits past a commit-graph without Bloom filters");
    // A chain whose base has no Bloom filters and whose top has them.
    remove(&git_dir(&env).join("objects/info/commit-graph"));
    commit_graph(&env, "--split");
    more(&mut env, "mixed");
    commit_graph(&env, "--split=no-merge --changed-paths");
    edit(&env, "alpha", 2).ok();
    assert_same(&env, "a chain with Bloom filters in one layer only");
}

#[test]
fn after_gc_and_fsck_is_clean_with_the_cache_present() {
    let mut env = rich();
    more(&mut env, "gc");
    warm(&env);
    assert!(!files_under(&cache_dir(&env)).is_empty(), "the cache is written");
    let fsck = env.git(&["fsck", "--full", "--strict", "--no-progress"]);
    fsck.ok();
    let all = format!("{}{}", fsck.stdout, fsck.stderr).to_lowercase();
    for bad in ["error", "warning", "broken", "bad", "garbage", "accord"] {
        assert!(!all.contains(bad), "git fsck complains ({bad}):\n{all}");
    }
    let count = env.git(&["count-objects", "-v"]).ok().stdout.clone();
    assert!(count.contains("garbage: 0"), "{count}");
    env.git(&["gc", "-q", "--prune=now"]).ok();
    assert_same(&env, "after git gc (packed, with git's own commit-graph)");
    env.git(&["fsck", "--full", "--strict", "--no-progress"]).ok();
}

// ---------------------------------------------------------------------------------------------
// Concurrent writers

#[test]
fn concurrent_runs_write_the_cache_safely() {
    let mut env = rich();
    warm(&env);
    for round in 0..2 {
        more(&mut env, &format!("c{round}"));
        let mixed = round == 1;
        let queries: Vec<Vec<String>> = (0..8)
            .map(|i| match (mixed, i % 4) {
                (false, _) | (true, 0) => words("status --format json"),
                (true, 1) => words("verify --format json"),
                (true, 2) => words("log beta --format json"),
                _ => words("history alpha --format json"),
            })
            .collect();
        let want = reference(&env, &queries);
        let children: Vec<_> = queries
            .iter()
            .map(|q| {
                command(&env, Mode::Warm, q)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for ((child, q), w) in children.into_iter().zip(&queries).zip(&want) {
            let got = to_run(child.wait_with_output().unwrap());
            same(&format!("round {round}"), "run 8 at once", q, w, &got);
        }
        assert_same(&env, &format!("after 8 concurrent runs, round {round}"));
    }
}

// ---------------------------------------------------------------------------------------------
// Random histories

#[derive(Debug, Clone)]
enum Op {
    /// Commit purpose `purpose` for agreement `id` (refused when nothing changes).
    Edit {
        id: usize,
        purpose: usize,
    },
    /// A position with accord or by hand (accord's refusals are fine).
    Take {
        party: usize,
        id: usize,
        stance: usize,
        by_hand: bool,
    },
    Code,
    /// A side branch from HEAD or HEAD~1 with a position and a code commit, merged back.
    SideMerge {
        from_parent: bool,
        party: usize,
        stance: usize,
    },
    CommitGraph {
        changed_paths: bool,
        split: bool,
    },
    /// `git reset --hard HEAD~back`, keeping the first commit.
    Reset {
        back: usize,
    },
    /// Move the clock back, so later commits are older than their parents (or of the same
    /// second as the last command when `secs` is 60).
    Rewind {
        secs: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..2usize, 0..4usize).prop_map(|(id, purpose)| Op::Edit { id, purpose }),
        6 => (0..3usize, 0..2usize, 0..4usize, any::<bool>())
            .prop_map(|(party, id, stance, by_hand)| Op::Take { party, id, stance, by_hand }),
        2 => Just(Op::Code),
        2 => (any::<bool>(), 0..3usize, 0..4usize)
            .prop_map(|(from_parent, party, stance)| Op::SideMerge { from_parent, party, stance }),
        1 => (any::<bool>(), any::<bool>())
            .prop_map(|(changed_paths, split)| Op::CommitGraph { changed_paths, split }),
        1 => (1..=2usize).prop_map(|back| Op::Reset { back }),
        1 => prop_oneof![Just(60i64), Just(3600i64)].prop_map(|secs| Op::Rewind { secs }),
    ]
}

fn position(env: &mut TestEnv, party: usize, id: usize, stance: usize, manual: bool) {
    let (who, id, stance) = (PARTIES[party], IDS[id], STANCES[stance]);
    let note = if stance == "object" { "A reason." } else { "" };
    if manual {
        by_hand(env, who, stance, id, note);
    } else {
        take(env, who, stance, id, note);
    }
}

fn apply(env: &mut TestEnv, op: &Op, step: usize) {
    match *op {
        Op::Edit { id, purpose } => {
            edit(env, IDS[id], purpose);
        }
        Op::Take { party, id, stance, by_hand } => position(env, party, id, stance, by_hand),
        Op::Code => code(env, "random"),
        Op::SideMerge { from_parent, party, stance } => {
            let branch = format!("side{step}");
            let base = if from_parent && env.commit_count() > 1 { "HEAD~1" } else { "HEAD" };
            env.git(&["checkout", "-q", "-b", &branch, base]).ok();
            position(env, party, step % 2, stance, step % 3 == 0);
            code(env, &branch);
            env.git(&["checkout", "-q", "main"]).ok();
            env.git(&["merge", "-q", "--no-ff", &branch, "-m", &format!("merge {branch}")]).ok();
        }
        Op::CommitGraph { changed_paths, split } => {
            let mut args = String::new();
            if changed_paths {
                args.push_str(" --changed-paths");
            }
            if split {
                args.push_str(" --split");
            }
            commit_graph(env, &args);
        }
        Op::Reset { back } => {
            // HEAD~N follows first parents only: after merges it may not exist.
            let target = format!("HEAD~{back}^{{commit}}");
            if env.git(&["rev-parse", "-q", "--verify", &target]).code == 0 {
                env.git(&["reset", "-q", "--hard", &target]).ok();
            }
        }
        Op::Rewind { secs } => env.clock.set(env.clock.get() - secs),
    }
}

/// The cached answer (cache as the previous steps left it) is the cold, plain one.
fn agree(env: &TestEnv, step: usize) -> Result<(), TestCaseError> {
    let queries = [
        words("status --format json"),
        words("history alpha --format json"),
        words("history beta --format json"),
    ];
    for q in &queries {
        let want = accord_mode(env, Mode::Plain, q);
        let got = accord_mode(env, Mode::Warm, q);
        prop_assert_eq!(want.code, 0, "step {}: `accord {}`: {}", step, q.join(" "), want.stderr);
        prop_assert_eq!(
            &got.stdout,
            &want.stdout,
            "step {}: `accord {}`, cached vs cold and plain",
            step,
            q.join(" ")
        );
        prop_assert_eq!(got.code, want.code);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    })]

    #[test]
    fn cached_answers_equal_cold_ones_over_random_histories(
        ops in prop::collection::vec(op(), 3..10)
    ) {
        let mut env = setup();
        agree(&env, 0)?;
        for (step, op) in ops.iter().enumerate() {
            apply(&mut env, op, step + 1);
            if step % 3 == 2 {
                agree(&env, step + 1)?;
            }
        }
        agree(&env, ops.len())?;
        remove(&cache_dir(&env));
        agree(&env, ops.len())?;
    }
}
