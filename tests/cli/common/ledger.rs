//! Helpers for the position tests (sign, status, ordering, pending, verify): a charter repository,
//! status readers, positions made by hand, refusals that write nothing.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::*;

pub const FILE: &str = "agreements/charter.toml";

/// A repository with the three-party charter under `rule` committed.
pub fn setup(rule: &str) -> TestEnv {
    setup_with(&charter(rule))
}

pub fn setup_with(text: &str) -> TestEnv {
    let env = TestEnv::new();
    env.commit_file(FILE, text, "Add the platform charter");
    env
}

/// `text` with one more party, inserted before the commitments.
pub fn with_party(text: &str, name: &str, email: &str, role: &str) -> String {
    let party = format!("[[party]]\nname = \"{name}\"\nemail = \"{email}\"\nrole = \"{role}\"\n\n");
    text.replacen("[[commitment]]", &format!("{party}[[commitment]]"), 1)
}

pub fn quorum_charter(q: u32) -> String {
    charter("quorum").replace("rule = \"quorum\"", &format!("rule = \"quorum\"\nquorum = {q}"))
}

/// The status object of `id`.
pub fn status(env: &TestEnv, id: &str) -> Value {
    let v = env.accord(&["status", id, "--format", "json"]).ok().json();
    let arr = v.as_array().expect("status JSON is an array");
    assert_eq!(arr.len(), 1, "{v:#}");
    arr[0].clone()
}

pub fn party<'a>(s: &'a Value, email: &str) -> &'a Value {
    s["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == email)
        .unwrap_or_else(|| panic!("no party {email} in {s:#}"))
}

pub fn state(s: &Value, email: &str) -> String {
    party(s, email)["state"].as_str().unwrap().to_string()
}

/// Every counted party's state, in file order.
pub fn states(env: &TestEnv) -> Vec<String> {
    let s = status(env, "charter");
    s["parties"].as_array().unwrap().iter().map(|p| p["state"].as_str().unwrap().into()).collect()
}

pub fn ratified(env: &TestEnv) -> bool {
    status(env, "charter")["ratified"].as_bool().unwrap()
}

pub fn blocking(s: &Value) -> Vec<String> {
    s["blocking"].as_array().unwrap().iter().map(|b| b.as_str().unwrap().to_string()).collect()
}

pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
    k.sort();
    k
}

pub fn rev_parse(env: &TestEnv, rev: &str) -> String {
    env.git(&["rev-parse", rev]).ok().stdout.trim().to_string()
}

/// The blob id of the agreement at HEAD.
pub fn revision(env: &TestEnv) -> String {
    rev_parse(env, &format!("HEAD:{FILE}"))
}

/// The raw message of a commit (exactly as stored).
pub fn message(env: &TestEnv, rev: &str) -> String {
    let raw = env.git(&["cat-file", "commit", rev]).ok().stdout.clone();
    raw.split_once("\n\n").expect("commit has a message").1.to_string()
}

/// What `git interpret-trailers --parse` reads from a commit's message.
pub fn git_trailers(env: &TestEnv, rev: &str) -> Vec<String> {
    let file = env.path("message.txt");
    std::fs::write(&file, message(env, rev)).unwrap();
    let run = env.git(&["interpret-trailers", "--parse", file.to_str().unwrap()]);
    run.ok().stdout.lines().map(str::to_string).collect()
}

/// A command with the same hermetic environment as TestEnv's, for a given identity and a fixed
/// date (TestEnv advances its clock on every run).
pub fn hermetic(env: &TestEnv, program: &str, dir: &Path, who: (&str, &str), time: i64) -> Command {
    let mut cmd = Command::new(program);
    hermetic_env(&mut cmd, &env.home, dir, who, &format!("@{time} +0000"));
    cmd
}

pub fn output(cmd: &mut Command) -> Run {
    let o = cmd.output().unwrap();
    Run {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code().unwrap_or(-1),
    }
}

/// A position made by hand with git, as SPEC §4 allows.
/// It is authored by whoever `env` currently is.
pub fn hand_position(env: &TestEnv, stance: &str, party: &str, subject: &str) {
    let rev = revision(env);
    env.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        subject,
        "--trailer",
        &format!("Accord-Position: {stance}"),
        "--trailer",
        "Accord-Agreement: charter",
        "--trailer",
        &format!("Accord-Revision: {rev}"),
        "--trailer",
        &format!("Accord-Party: {party}"),
    ])
    .ok();
}

/// Assert that a refused command exited 2 with `needle` on stderr and changed nothing.
#[track_caller]
pub fn refused(env: &TestEnv, run: impl FnOnce(&TestEnv) -> Run, needle: &str) -> Run {
    let before = env.fingerprint();
    let r = run(env);
    r.code(2);
    assert!(r.stderr.contains(needle), "stderr lacks {needle:?}:\n{}", r.stderr);
    assert!(r.stdout.is_empty(), "a refusal prints no data: {}", r.stdout);
    assert_eq!(env.fingerprint(), before, "a refused command wrote something");
    r
}
