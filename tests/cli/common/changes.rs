//! Helpers for the tests of how agreements changed (diff, history, log, review, textconv, due): a
//! charter repository, edits, positions and readers of diff output.

use serde_json::Value;

use crate::common::*;

pub const FILE: &str = "agreements/charter.toml";

pub const P1: &str = "Give every product team a paved road from merge to production.";

/// A repository with the three-party consent charter committed by Ada.
pub fn setup() -> TestEnv {
    let env = TestEnv::new();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    env
}

/// The file at `rel` with `from` (which must occur) replaced by `to`.
pub fn replaced(env: &TestEnv, rel: &str, from: &str, to: &str) -> String {
    let text = env.read(rel);
    assert!(text.contains(from), "`{from}` not in {rel}:\n{text}");
    text.replacen(from, to, 1)
}

/// Replace `from` by `to` in `rel` and commit, as the current identity.
pub fn amend(env: &TestEnv, rel: &str, from: &str, to: &str, message: &str) {
    let text = replaced(env, rel, from, to);
    env.commit_file(rel, &text, message);
}

/// Record a position as `who`, then go back to being Ada.
pub fn take(env: &mut TestEnv, who: (&str, &str), args: &[&str]) {
    env.as_(who).accord(args).ok();
    env.as_(ADA);
}

pub fn sign(env: &mut TestEnv, who: (&str, &str), id: &str) {
    take(env, who, &["sign", id]);
}

pub fn sign_all(env: &mut TestEnv, id: &str) {
    for who in [ADA, GRACE, KATHERINE] {
        sign(env, who, id);
    }
}

pub fn rev(env: &TestEnv, r: &str) -> String {
    env.git(&["rev-parse", r]).ok().stdout.trim().to_string()
}

/// The blob id of `rel` at commit `r`.
pub fn blob(env: &TestEnv, r: &str, rel: &str) -> String {
    rev(env, &format!("{r}:{rel}"))
}

pub fn short(id: &str) -> &str {
    &id[..10]
}

/// The lines of the human `accord diff` output after its header.
pub fn diff_lines(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let mut all = vec!["diff", "--color", "never"];
    all.extend_from_slice(args);
    let run = env.accord(&all);
    run.ok();
    run.stdout.lines().skip(1).map(|l| l.strip_prefix("  ").unwrap_or(l).to_string()).collect()
}

pub fn diff_json(env: &TestEnv, args: &[&str]) -> Value {
    let mut all = vec!["diff", "--format", "json"];
    all.extend_from_slice(args);
    env.accord(&all).ok().json()
}

pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v:#}"))
        .iter()
        .map(|s| s.as_str().unwrap_or_else(|| panic!("not a string: {s}")).to_string())
        .collect()
}

/// `key` of every element of an array.
pub fn column(v: &Value, key: &str) -> Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v:#}"))
        .iter()
        .map(|e| e[key].clone())
        .collect()
}
