//! Helpers for the cache tests: running accord with and without its shortcuts (event cache, commit-
//! graph), comparing answers, and building histories to compare them on.

use std::path::{Path, PathBuf};

use crate::common::*;

pub const IDS: [&str; 2] = ["alpha", "beta"];

pub const PARTIES: [(&str, &str); 3] = [ADA, GRACE, KATHERINE];

pub const STANCES: [&str; 4] = ["sign", "object", "abstain", "withdraw"];

/// Purposes an edit can give an agreement. The last has the meaning of the first (only the
/// whitespace differs), so sign-offs on either carry over to the other.
pub const PURPOSES: [&str; 4] = [
    "Give every product team a paved road from merge to production.",
    "Give every team a paved road to production.",
    "Keep the deploy pipeline green for every product team.",
    "Give every product team   a paved road\nfrom merge to production.",
];

// ---------------------------------------------------------------------------------------------
// Running accord with and without its shortcuts

/// How accord is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Cache and commit-graph as they are.
    Warm,
    /// The reference: no cache read or written, commit-graph files ignored.
    Plain,
    /// Cache used, commit-graph ignored.
    NoGraph,
}

impl Mode {
    pub fn vars(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Mode::Warm => &[],
            Mode::Plain => &[("ACCORD_NO_CACHE", "1"), ("ACCORD_NO_COMMIT_GRAPH", "1")],
            Mode::NoGraph => &[("ACCORD_NO_COMMIT_GRAPH", "1")],
        }
    }
}

pub fn command(env: &TestEnv, mode: Mode, args: &[String]) -> std::process::Command {
    let mut cmd = env.accord_cmd();
    for (k, v) in mode.vars() {
        cmd.env(k, v);
    }
    cmd.args(args);
    cmd
}

pub fn to_run(o: std::process::Output) -> Run {
    Run {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code().unwrap_or(-1),
    }
}

pub fn accord_mode(env: &TestEnv, mode: Mode, args: &[String]) -> Run {
    to_run(command(env, mode, args).output().unwrap())
}

pub fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

/// The read-only queries whose answers must not depend on the shortcuts.
pub fn queries(env: &TestEnv) -> Vec<Vec<String>> {
    let mut q = vec![
        words("status --format json"),
        words("log alpha --format json"),
        words("history alpha --format json"),
        words("history beta --format json"),
    ];
    // `verify` is a gate: in a shallow clone it fails closed (SPEC §9), whatever is cached.
    let shallow = env.git(&["rev-parse", "--is-shallow-repository"]).stdout.trim() == "true";
    if !shallow {
        q.insert(1, words("verify --format json"));
    }
    if env.commit_count() > 3 {
        // An older commit than the tip the cache was last written for.
        q.push(words("status --rev HEAD~2 --format json"));
        q.push(words("log beta --rev HEAD~2 --format json"));
    }
    q
}

/// Panic with both outputs unless `got` is exactly `want` (stdout, stderr and exit code).
#[track_caller]
pub fn same(what: &str, how: &str, q: &[String], want: &Run, got: &Run) {
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
pub fn reference(env: &TestEnv, queries: &[Vec<String>]) -> Vec<Run> {
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
pub fn assert_same(env: &TestEnv, what: &str) {
    assert_same_for(env, what, &queries(env));
}

/// [`assert_same`] for these queries.
#[track_caller]
pub fn assert_same_for(env: &TestEnv, what: &str, queries: &[Vec<String>]) {
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
pub fn as_left(env: &TestEnv, what: &str, queries: &[Vec<String>], want: &[Run]) {
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
pub fn warm(env: &TestEnv) {
    for q in queries(env) {
        accord_mode(env, Mode::Warm, &q);
    }
}

/// A party's state on an agreement, from the reference `status` JSON.
pub fn state_of(env: &TestEnv, id: &str, who: (&str, &str)) -> String {
    party_of(env, id, who)["state"].as_str().unwrap().to_string()
}

pub fn party_of(env: &TestEnv, id: &str, who: (&str, &str)) -> serde_json::Value {
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

pub fn git_dir(env: &TestEnv) -> PathBuf {
    PathBuf::from(env.git(&["rev-parse", "--absolute-git-dir"]).ok().stdout.trim())
}

pub fn cache_dir(env: &TestEnv) -> PathBuf {
    git_dir(env).join("accord")
}

pub fn remove(p: &Path) {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(p).unwrap(),
        Ok(_) => std::fs::remove_file(p).unwrap(),
        Err(_) => {}
    }
}

/// Copy a file or folder tree; nothing when `from` does not exist.
pub fn copy_tree(from: &Path, to: &Path) {
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
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
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
pub fn noise(seed: u64, len: usize) -> Vec<u8> {
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

pub fn path_of(id: &str) -> String {
    format!("agreements/{id}.toml")
}

/// `alpha` decides by consent, `beta` unanimously; both have Ada, Grace and Katherine.
pub fn agreement_text(id: &str, purpose: usize) -> String {
    let rule = if id == "alpha" { "consent" } else { "unanimous" };
    charter(rule)
        .replace("Platform team charter", &format!("The {id} charter"))
        .replace(PURPOSES[0], PURPOSES[purpose])
}

/// Both agreements, committed by Ada.
pub fn setup() -> TestEnv {
    setup_in(TestEnv::new())
}

pub fn setup_in(env: TestEnv) -> TestEnv {
    for id in IDS {
        env.write(&path_of(id), &agreement_text(id, 0));
    }
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "agreements: alpha and beta"]).ok();
    env
}

/// Commit a new purpose for an agreement (as Ada). Fails when nothing changed.
pub fn edit(env: &TestEnv, id: &str, purpose: usize) -> Run {
    env.write(&path_of(id), &agreement_text(id, purpose));
    env.git(&["add", &path_of(id)]).ok();
    env.git(&["commit", "-q", "-m", &format!("{id}: purpose {purpose}")])
}

/// An ordinary code commit.
pub fn code(env: &TestEnv, name: &str) {
    let rel = format!("src/{name}.rs");
    let old = std::fs::read_to_string(env.repo.join(&rel)).unwrap_or_default();
    env.write(&rel, &format!("{old}// {}\n", env.commit_count()));
    env.git(&["add", &rel]).ok();
    env.git(&["commit", "-q", "-m", &format!("code: {name}")]).ok();
}

/// A position taken with accord by `who`.
pub fn take(env: &mut TestEnv, who: (&str, &str), stance: &str, id: &str, note: &str) -> Run {
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
pub fn revision(env: &TestEnv, id: &str) -> String {
    env.git(&["rev-parse", &format!("HEAD:{}", path_of(id))]).ok().stdout.trim().to_string()
}

/// The arguments of `git commit` for a hand-made position.
pub fn position_args(
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
pub fn by_hand(env: &mut TestEnv, who: (&str, &str), stance: &str, id: &str, note: &str) -> Run {
    let args = position_args(env, who, stance, id, note);
    env.as_(who);
    let r = env.git(&args.iter().map(String::as_str).collect::<Vec<_>>());
    env.as_(ADA);
    r
}

pub fn commit_graph(env: &TestEnv, args: &str) {
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
pub fn rich() -> TestEnv {
    rich_in(TestEnv::new())
}

pub fn rich_in(env: TestEnv) -> TestEnv {
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
pub fn more(env: &mut TestEnv, tag: &str) {
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
pub fn amend_message(env: &TestEnv, f: impl Fn(&str) -> String) {
    let old = env.git(&["log", "-1", "--format=%B"]).ok().stdout.clone();
    let file = env.path("amend-message");
    std::fs::write(&file, f(&old)).unwrap();
    env.git(&["commit", "-q", "--amend", "--allow-empty", "-F", file.to_str().unwrap()]).ok();
}
