//! Issue 9: a truncated or corrupt git commit-graph file (or split chain) is set aside and the
//! answer is the one a run without it gives — never a panic (a 4–6 byte file made accord exit
//! 101), never a different answer.

use std::path::PathBuf;

use crate::common::*;

const FILE: &str = "agreements/charter.toml";

/// A charter with positions by Ada and Grace, and a code commit on top.
fn setup() -> TestEnv {
    let mut env = TestEnv::new();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    env.accord(&["sign", "charter"]).ok();
    env.as_(GRACE).accord(&["object", "charter", "-m", "Not this wording."]).ok();
    env.as_(ADA).commit_file("src/main.rs", "fn main() {}\n", "Code");
    env
}

fn info(env: &TestEnv) -> PathBuf {
    env.repo.join(".git/objects/info")
}

/// `status` as JSON and as text, run without the cache so the walk reads the commit-graph.
fn status(env: &TestEnv, extra: &[(&str, &str)]) -> (String, String) {
    let run = |args: &[&str]| {
        let mut cmd = env.accord_cmd();
        cmd.env("ACCORD_NO_CACHE", "1");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let out = cmd.args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "accord {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    (run(&["status", "--format", "json"]), run(&["status"]))
}

fn reference(env: &TestEnv) -> (String, String) {
    status(env, &[("ACCORD_NO_COMMIT_GRAPH", "1")])
}

#[test]
fn issue9_commit_graph_of_4_5_and_6_bytes() {
    let env = setup();
    let expected = reference(&env);
    env.git(&["commit-graph", "write", "--reachable", "--changed-paths"]).ok();
    let path = info(&env).join("commit-graph");
    let real = std::fs::read(&path).unwrap();
    assert_eq!(status(&env, &[]), expected, "the real commit-graph");
    for len in [4, 5, 6] {
        std::fs::write(&path, &real[..len]).unwrap();
        assert_eq!(status(&env, &[]), expected, "a commit-graph of {len} bytes");
        // With the cache too (a warm run after a cold one).
        env.accord(&["status"]).ok();
        env.accord(&["status"]).ok();
    }
}

#[test]
fn issue9_commit_graph_cut_anywhere() {
    let env = setup();
    let expected = reference(&env);
    env.git(&["commit-graph", "write", "--reachable", "--changed-paths"]).ok();
    let path = info(&env).join("commit-graph");
    let real = std::fs::read(&path).unwrap();
    let mut lens: Vec<usize> = vec![0, 1, 7, 8, 9, 20, real.len() / 2, real.len() - 21];
    lens.extend(real.len() - 20..real.len());
    for len in lens {
        std::fs::write(&path, &real[..len]).unwrap();
        assert_eq!(status(&env, &[]), expected, "a commit-graph cut to {len} bytes");
    }
}

#[test]
fn issue9_split_chain_cut_or_missing_a_layer() {
    let env = setup();
    let expected = reference(&env);
    env.git(&["commit-graph", "write", "--reachable", "--split", "--changed-paths"]).ok();
    let folder = info(&env).join("commit-graphs");
    let chain = std::fs::read_to_string(folder.join("commit-graph-chain")).unwrap();
    let layer = folder.join(format!("graph-{}.graph", chain.lines().next().unwrap().trim()));
    let real = std::fs::read(&layer).unwrap();
    assert_eq!(status(&env, &[]), expected, "the real chain");
    for len in [4, 5, 6, real.len() / 2] {
        std::fs::write(&layer, &real[..len]).unwrap();
        assert_eq!(status(&env, &[]), expected, "a chain layer cut to {len} bytes");
    }
    std::fs::remove_file(&layer).unwrap();
    assert_eq!(status(&env, &[]), expected, "a chain naming a missing layer");
    std::fs::write(folder.join("commit-graph-chain"), "../../../../etc/passwd\n").unwrap();
    assert_eq!(status(&env, &[]), expected, "a chain naming something else");
}
