//! The folder-change index (which commits changed which agreement file, with adds and deletes)
//! follows history like a cold run: renames, deletions and re-additions, merges that take the
//! other side, rebases and resets of edits, other branches, a folder replaced by a file, and
//! path history with and without changed-path Bloom filters. It grows with edits, not commits.

use crate::common::cached::*;
use crate::common::*;

/// Path-history queries on the agreements that exist (or existed) in these histories.
fn path_queries(ids: &[&str]) -> Vec<Vec<String>> {
    let mut q = vec![words("status --format json"), words("verify --format json")];
    for id in ids {
        q.push(words(&format!("log {id} --format json")));
        q.push(words(&format!("history {id} --format json")));
    }
    q
}

fn folder_file(env: &TestEnv) -> std::path::PathBuf {
    cache_dir(env).join("folders-v1.bin")
}

#[test]
fn renames_deletions_and_readditions() {
    let mut env = rich();
    warm(&env);
    env.git(&["mv", &path_of("alpha"), &path_of("gamma")]).ok();
    env.git(&["commit", "-q", "-m", "rename alpha to gamma"]).ok();
    assert_same_for(&env, "after a rename", &path_queries(&["beta", "gamma"]));
    env.git(&["rm", "-q", &path_of("beta")]).ok();
    env.git(&["commit", "-q", "-m", "remove beta"]).ok();
    code(&env, "after-removal");
    assert_same_for(&env, "after a deletion", &path_queries(&["gamma"]));
    env.write(&path_of("beta"), &agreement_text("beta", 2));
    env.git(&["add", &path_of("beta")]).ok();
    env.git(&["commit", "-q", "-m", "beta again"]).ok();
    take(&mut env, ADA, "sign", "beta", "").ok();
    assert_same_for(&env, "after re-adding", &path_queries(&["beta", "gamma"]));
    // Renamed back, edited in the same commit.
    env.git(&["mv", &path_of("gamma"), &path_of("alpha")]).ok();
    env.write(&path_of("alpha"), &agreement_text("alpha", 2));
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "gamma back to alpha, edited"]).ok();
    commit_graph(&env, "--changed-paths");
    assert_same_for(&env, "renamed back and edited", &path_queries(&["alpha", "beta"]));
}

#[test]
fn merges_that_take_either_side() {
    let mut env = rich();
    warm(&env);
    env.git(&["checkout", "-q", "-b", "side"]).ok();
    edit(&env, "alpha", 2).ok();
    take(&mut env, GRACE, "sign", "alpha", "").ok();
    env.git(&["checkout", "-q", "main"]).ok();
    edit(&env, "alpha", 3).ok();
    edit(&env, "beta", 1).ok();
    warm(&env);
    // The merge keeps the side branch's alpha: its folder differs from its first parent's.
    env.git(&["merge", "-q", "--no-ff", "-X", "theirs", "side", "-m", "merge side, theirs"]).ok();
    assert_same_for(&env, "merge taking the side's text", &path_queries(&["alpha", "beta"]));
    // And a merge that keeps ours, over a side branch that edited both files.
    env.git(&["checkout", "-q", "-b", "side2", "HEAD~2"]).ok();
    edit(&env, "beta", 2).ok();
    env.git(&["checkout", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--no-ff", "-s", "ours", "side2", "-m", "merge side2, ours"]).ok();
    commit_graph(&env, "");
    assert_same_for(&env, "merge keeping ours", &path_queries(&["alpha", "beta"]));
}

#[test]
fn rebased_and_reset_edits() {
    let mut env = rich();
    env.git(&["checkout", "-q", "-b", "topic"]).ok();
    edit(&env, "alpha", 2).ok();
    take(&mut env, KATHERINE, "sign", "alpha", "").ok();
    edit(&env, "beta", 3).ok();
    warm(&env);
    env.git(&["checkout", "-q", "main"]).ok();
    edit(&env, "beta", 1).ok();
    code(&env, "main-only");
    warm(&env);
    env.git(&["checkout", "-q", "topic"]).ok();
    env.git(&["rebase", "-q", "-X", "theirs", "main"]).ok();
    assert_same_for(&env, "after rebasing edits", &path_queries(&["alpha", "beta"]));
    env.git(&["reset", "-q", "--hard", "HEAD~2"]).ok();
    assert_same_for(&env, "after resetting the edits away", &path_queries(&["alpha", "beta"]));
    // Back on main, whose tip the index remembers beside topic's.
    env.git(&["checkout", "-q", "main"]).ok();
    assert_same_for(&env, "back on the other branch", &path_queries(&["alpha", "beta"]));
}

#[test]
fn folder_replaced_by_a_file_and_restored() {
    let env = rich();
    warm(&env);
    env.git(&["rm", "-q", "-r", "agreements"]).ok();
    env.write("agreements", "not a folder\n");
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "agreements is a file now"]).ok();
    env.git(&["rm", "-q", "agreements"]).ok();
    env.git(&["checkout", "-q", "HEAD~1", "--", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "agreements restored"]).ok();
    assert_same_for(&env, "folder replaced and restored", &path_queries(&["alpha", "beta"]));
}

#[test]
fn the_index_grows_with_edits_not_commits_and_no_cache_writes_none() {
    let env = rich();
    // Setting up took positions, which may have written caches: start from none.
    remove(&cache_dir(&env));
    accord_mode(&env, Mode::Plain, &words("log alpha --format json")).ok();
    assert!(!folder_file(&env).exists(), "ACCORD_NO_CACHE wrote the folder index");
    accord_mode(&env, Mode::Warm, &words("log alpha --format json")).ok();
    let before = std::fs::metadata(folder_file(&env)).expect("the folder index").len();
    for k in 0..12 {
        code(&env, &format!("many-{k}"));
    }
    accord_mode(&env, Mode::Warm, &words("log alpha --format json")).ok();
    let after = std::fs::metadata(folder_file(&env)).unwrap().len();
    assert_eq!(before, after, "code commits must not grow the folder index");
    edit(&env, "alpha", 2).ok();
    accord_mode(&env, Mode::Warm, &words("log alpha --format json")).ok();
    assert!(std::fs::metadata(folder_file(&env)).unwrap().len() > after, "an edit is recorded");
    assert_same_for(&env, "after many code commits", &path_queries(&["alpha", "beta"]));
}

/// A pull request forked from the working branch some commits back: its history is not the
/// working branch's, but below the fork it is, and the working branch's tip covers that part.
/// The first review of it examines only its own commits (with a commit-graph, and without one:
/// commits outside it are read one by one), and answers as the reference does; a covered tip
/// that no longer exists covers nothing.
#[test]
fn a_pull_request_forked_earlier_is_covered_below_its_fork() {
    let env = rich();
    code(&env, "one");
    code(&env, "two");
    edit(&env, "beta", 2).ok();
    code(&env, "three");
    for graph in [false, true] {
        if graph {
            commit_graph(&env, "--changed-paths");
        }
        remove(&cache_dir(&env));
        // The index made at the working branch's tip.
        accord_mode(&env, Mode::Warm, &words("status --format json")).ok();
        let fork = if graph { "main~3" } else { "main~2" };
        let name = format!("feature-{graph}");
        env.git(&["checkout", "-q", "-b", &name, fork]).ok();
        edit(&env, "alpha", 3).ok();
        env.git(&["checkout", "-q", "main"]).ok();
        let review = words(&format!("review main..{name} --format json"));
        let out = command(&env, Mode::Warm, &review).env("ACCORD_TRACE", "1").output().unwrap();
        let trace = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            trace.contains("folder index: 1 commits to examine"),
            "with commit-graph {graph}: the fork's own commit alone is examined:\n{trace}"
        );
        // (The trace goes to stderr: the answer and the exit are the reference's.)
        let want = accord_mode(&env, Mode::Plain, &review);
        let got = to_run(out);
        assert_eq!((got.stdout, got.code), (want.stdout, want.code), "review of a fork");
        assert_same_for(&env, "after the review", &path_queries(&["alpha", "beta"]));
    }
    // A covered tip gone from the repository: nothing is covered through it.
    remove(&cache_dir(&env));
    env.git(&["checkout", "-q", "-b", "gone", "main"]).ok();
    code(&env, "four");
    accord_mode(&env, Mode::Warm, &words("status --format json")).ok();
    env.git(&["checkout", "-q", "main"]).ok();
    env.git(&["branch", "-q", "-D", "gone"]).ok();
    env.git(&["reflog", "expire", "--expire=now", "--all"]).ok();
    env.git(&["gc", "-q", "--prune=now"]).ok();
    assert_same_for(&env, "a covered tip collected", &path_queries(&["alpha", "beta"]));
    let review = words("review main~1..main --format json");
    let want = accord_mode(&env, Mode::Plain, &review);
    same(
        "review after the tip went",
        "reference",
        &review,
        &want,
        &accord_mode(&env, Mode::Warm, &review),
    );
}
