//! A review's answer kept for the same question (`reviews-v3.bin`): asked again with nothing
//! moved, it is answered from the file, in every format and with the gate's exit code; when
//! anything it depends on moves (a position on the positions branch or on a remote copy of it,
//! HEAD, BASE, the question), it is judged again; an answer that a later moment could change (a
//! commit or position dated at or after the review) is not kept, nor one that verified
//! signatures; a damaged file is ignored.

use crate::common::cached::*;
use crate::common::*;

const FILE: &str = "reviews-v3.bin";
const HIT: &str = "review answered from the cache";

/// [`rich`] on the positions branch, then a pull request `feature` that edits alpha, with a
/// sign-off on its text by Katherine and an objection by Grace still standing.
fn pull_request() -> TestEnv {
    let mut env = rich_in(TestEnv::on_positions_branch());
    env.git(&["checkout", "-q", "-b", "feature"]).ok();
    edit(&env, "alpha", 2).ok();
    code(&env, "feature");
    take(&mut env, KATHERINE, "sign", "alpha", "").ok();
    env
}

fn review(args: &str) -> Vec<String> {
    words(&format!("review {args}"))
}

/// Run `q` with the cache, the trace on: whether the answer came from the file.
fn answered_from_cache(env: &TestEnv, q: &[String]) -> bool {
    let mut cmd = command(env, Mode::Warm, q);
    cmd.env("ACCORD_TRACE", "1");
    to_run(cmd.output().unwrap()).stderr.contains(HIT)
}

/// With the cache, `q` gives the reference answer twice: judged, then asked again; `kept` says
/// whether the second is answered from the file.
#[track_caller]
fn twice(env: &TestEnv, what: &str, q: &[String], kept: bool) {
    let want = accord_mode(env, Mode::Plain, q);
    assert!(want.code == 0 || want.code == 1, "{what}: {}", want.stderr);
    same(what, "warm (judged)", q, &want, &accord_mode(env, Mode::Warm, q));
    same(what, "warm (asked again)", q, &want, &accord_mode(env, Mode::Warm, q));
    assert_eq!(answered_from_cache(env, q), kept, "{what}: answered from the cache");
}

#[test]
fn the_same_question_is_answered_from_the_cache_in_every_format() {
    let env = pull_request();
    remove(&cache_dir(&env));
    for args in [
        "main..feature",
        "main..feature --format json",
        "main..feature --format markdown",
        "main...feature --format markdown",
        "main..feature --require-ratified",
        "main..feature --require-ratified --format json",
    ] {
        twice(&env, args, &review(args), true);
    }
    assert!(cache_dir(&env).join(FILE).exists());
    // Grace's objection stands: the gate says no, from the file as when judged.
    let gate = accord_mode(&env, Mode::Warm, &review("main..feature --require-ratified"));
    assert_eq!(gate.code, 1, "{}", gate.stderr);
    assert!(gate.stdout.contains("alpha"), "{}", gate.stdout);
    // `ACCORD_NO_CACHE` neither reads nor writes it.
    remove(&cache_dir(&env));
    accord_mode(&env, Mode::Plain, &review("main..feature"));
    assert!(!cache_dir(&env).join(FILE).exists(), "ACCORD_NO_CACHE wrote the answer");
}

#[test]
fn whatever_the_answer_depends_on_moving_judges_again() {
    let mut env = pull_request();
    let q = review("main..feature --format json");
    twice(&env, "the pull request", &q, true);
    // A new position on the positions branch: Grace withdraws her objection.
    let before = env.git(&["rev-parse", "accord/positions"]).ok().stdout.trim().to_string();
    take(&mut env, GRACE, "withdraw", "alpha", "").ok();
    let withdrawn = env.git(&["rev-parse", "accord/positions"]).ok().stdout.trim().to_string();
    twice(&env, "after a withdraw on the positions branch", &q, true);
    // The same position only on a remote copy of the branch.
    env.git(&["update-ref", "refs/heads/accord/positions", &before]).ok();
    twice(&env, "the branch put back", &q, true);
    env.git(&["update-ref", "refs/remotes/origin/accord/positions", &withdrawn]).ok();
    twice(&env, "the withdraw on a remote copy", &q, true);
    // HEAD moves: another edit on the pull request.
    edit(&env, "alpha", 3).ok();
    twice(&env, "a new commit on the pull request", &q, true);
    // BASE moves: main changes beta, which the range does not touch.
    env.git(&["checkout", "-q", "main"]).ok();
    edit(&env, "beta", 1).ok();
    env.git(&["checkout", "-q", "feature"]).ok();
    twice(&env, "main moved on", &q, true);
    // The same range asked another way is another question: each gets its own answer.
    twice(&env, "HEAD left implicit", &review("main.. --format markdown"), true);
    twice(&env, "the range spelled out", &review("main..feature --format markdown"), true);
    let implicit = accord_mode(&env, Mode::Warm, &review("main.. --format markdown"));
    assert!(implicit.stdout.contains("main.."), "{}", implicit.stdout);
}

#[test]
fn an_answer_a_later_moment_could_change_is_not_kept() {
    let env = pull_request();
    let q = review("main..feature --format json");
    // A commit of the range dated in the future: judged by its own date until that comes.
    let mut cmd = std::process::Command::new("git");
    hermetic_env(&mut cmd, &env.home, &env.repo, ADA, "@4102444800 +0000"); // 2100
    let ok = cmd.args(["commit", "-q", "--allow-empty", "-m", "from the future"]).status();
    assert!(ok.unwrap().success());
    twice(&env, "a commit of the range dated in 2100", &q, false);
    assert!(!cache_dir(&env).join(FILE).exists(), "the answer was kept");
    // Without it, kept; then a position on the positions branch dated in the future.
    env.git(&["reset", "-q", "--hard", "HEAD~1"]).ok();
    twice(&env, "the future commit gone", &q, true);
    let mut cmd = env.accord_cmd();
    cmd.env("GIT_COMMITTER_DATE", "@4102444800 +0000").env("GIT_AUTHOR_DATE", "@4102444800 +0000");
    assert!(cmd.args(["sign", "alpha"]).output().unwrap().status.success());
    twice(&env, "a position dated in 2100", &q, false);
}

#[test]
fn a_base_commit_dated_after_the_review_is_not_kept() {
    let env = pull_request();
    let q = review("main..feature --format json");
    twice(&env, "the pull request", &q, true);
    remove(&cache_dir(&env));
    // main gains a commit from the future; the pull request is merged with it.
    env.git(&["checkout", "-q", "main"]).ok();
    let mut cmd = std::process::Command::new("git");
    hermetic_env(&mut cmd, &env.home, &env.repo, ADA, "@4102444800 +0000"); // 2100
    let ok = cmd.args(["commit", "-q", "--allow-empty", "-m", "main from the future"]).status();
    assert!(ok.unwrap().success());
    env.git(&["checkout", "-q", "feature"]).ok();
    env.git(&["merge", "-q", "--no-edit", "main"]).ok();
    twice(&env, "BASE holds a commit dated in 2100", &q, false);
    assert!(!cache_dir(&env).join(FILE).exists(), "the answer was kept");
}

#[test]
fn signed_reviews_and_damaged_files_are_judged_again() {
    let env = pull_request();
    remove(&cache_dir(&env));
    twice(&env, "--signed", &review("main..feature --signed --format json"), false);
    assert!(!cache_dir(&env).join(FILE).exists(), "a --signed answer was kept");
    let q = review("main..feature --format json");
    twice(&env, "unsigned", &q, true);
    let file = cache_dir(&env).join(FILE);
    let good = std::fs::read(&file).unwrap();
    for at in [0, 20, good.len() / 2, good.len() - 1] {
        let mut bad = good.clone();
        bad[at] ^= 0x20;
        std::fs::write(&file, &bad).unwrap();
        assert!(!answered_from_cache(&env, &q), "a flipped byte at {at} was believed");
        std::fs::write(&file, &bad).unwrap();
        same("damaged", "warm", &q, &accord_mode(&env, Mode::Plain, &q), &{
            accord_mode(&env, Mode::Warm, &q)
        });
    }
    std::fs::write(&file, &good[..good.len() / 3]).unwrap();
    twice(&env, "a truncated file", &q, true);
}

#[test]
fn a_rebuilt_accord_judges_again() {
    let env = pull_request();
    let q = review("main..feature --format json");
    // A copy of the binary, run, then given another modification time, as a rebuild would.
    let exe = env.path("accord-copy");
    std::fs::copy(env!("CARGO_BIN_EXE_accord"), &exe).unwrap();
    let run = |trace: bool| {
        let mut cmd = std::process::Command::new(&exe);
        hermetic_env(&mut cmd, &env.home, &env.repo, ADA, "@1795168800 +0000");
        if trace {
            cmd.env("ACCORD_TRACE", "1");
        }
        to_run(cmd.args(&q).output().unwrap())
    };
    let want = accord_mode(&env, Mode::Plain, &q);
    assert_eq!(run(false).stdout, want.stdout);
    assert!(run(true).stderr.contains(HIT), "the same build is answered from the cache");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    std::fs::File::options().write(true).open(&exe).unwrap().set_modified(later).unwrap();
    let again = run(true);
    assert!(!again.stderr.contains(HIT), "a rebuilt binary took the old answer");
    assert_eq!(again.stdout, want.stdout);
}
