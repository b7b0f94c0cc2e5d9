//! Configuration from the environment, as git reads it and libgit2 does not: `git -c` (which
//! reaches accord run as a git alias), `GIT_CONFIG_COUNT`, and who may open a repository
//! another user owns (`safe.directory`).

use std::process::Command;

use crate::common::repos::{self, run, s, FILE};
use crate::common::*;

const IDENTITY: [&str; 4] =
    ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"];

/// `git` in the repository with no identity in the environment: it comes from configuration.
fn git_without_identity(env: &TestEnv, args: &[&str]) -> Run {
    let mut cmd = Command::new("git");
    let date = format!("@{} +0000", env.clock.get() + 3600);
    hermetic_env(&mut cmd, &env.home, &env.repo, ADA, &date);
    for key in IDENTITY {
        cmd.env_remove(key);
    }
    run(cmd.args(args))
}

fn head_author_and_party(env: &TestEnv) -> String {
    env.git(&["log", "-1", "--format=%an <%ae>|%(trailers:key=Accord-Party,valueonly,separator=)"])
        .ok()
        .stdout
        .trim()
        .to_string()
}

/// `git -c user.name=… -c accord.positions=here acc sign` with `acc` an alias for accord: git
/// hands its `-c` to the alias in GIT_CONFIG_PARAMETERS. Before, libgit2 read none of it:
/// "no git identity configured", and positions went to the positions branch.
#[test]
fn git_c_reaches_accord_run_as_a_git_alias() {
    let env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    let head = env.head();
    let alias = format!("alias.acc=!{}", env!("CARGO_BIN_EXE_accord"));
    let r = git_without_identity(
        &env,
        &[
            "-c",
            "user.name=Grace Hopper",
            "-c",
            "user.email=grace@example.com",
            "-c",
            "accord.positions=here",
            "-c",
            &alias,
            "acc",
            "sign",
            "charter",
        ],
    );
    r.ok();
    assert_eq!(env.git(&["rev-parse", "HEAD~1"]).ok().stdout.trim(), head, "not on HEAD");
    assert_eq!(
        head_author_and_party(&env),
        "Grace Hopper <grace@example.com>|Grace Hopper <grace@example.com>"
    );
    assert!(env.git(&["rev-parse", "-q", "--verify", "accord/positions"]).code != 0);
}

/// GIT_CONFIG_COUNT wins over every file, and `git -c` over it, for accord as for git.
#[test]
fn git_config_count_wins_over_files_and_git_c_over_it() {
    // The sandbox's global configuration says `accord.positions = here`.
    let mut env = repos::setup("consent");
    let count = [
        ("GIT_CONFIG_COUNT", "1"),
        ("GIT_CONFIG_KEY_0", "Accord.Positions"),
        ("GIT_CONFIG_VALUE_0", "branch"),
    ];
    let git_says = |extra: &[(&str, &str)]| {
        let mut cmd = Command::new("git");
        hermetic_env(&mut cmd, &env.home, &env.repo, ADA, "@1795168800 +0000");
        cmd.envs(extra.iter().copied()).args(["config", "accord.positions"]);
        run(&mut cmd).ok().stdout.trim().to_string()
    };
    assert_eq!(git_says(&count), "branch");
    let head = env.head();
    env.accord_cmd().envs(count).args(["sign", "charter"]).output().unwrap();
    assert_eq!(env.head(), head, "GIT_CONFIG_COUNT said the positions branch");
    let on_branch = env.git(&["log", "-1", "--format=%an", "accord/positions"]).ok().stdout.clone();
    assert_eq!(on_branch.trim(), "Ada Lovelace");

    let both =
        [count.as_slice(), &[("GIT_CONFIG_PARAMETERS", "'accord.positions'='here'")]].concat();
    assert_eq!(git_says(&both), "here");
    env.as_(GRACE);
    let r = run(env.accord_cmd().envs(both.iter().copied()).args(["sign", "charter"]));
    r.ok();
    assert_eq!(env.git(&["rev-parse", "HEAD~1"]).ok().stdout.trim(), head, "`git -c` said here");
    assert_eq!(
        head_author_and_party(&env),
        "Grace Hopper <grace@example.com>|Grace Hopper <grace@example.com>"
    );
}

/// Configuration in the environment that git cannot read makes git refuse to run; accord
/// refuses too, with what is wrong, and writes nothing.
#[test]
fn unreadable_configuration_in_the_environment_is_refused_as_git_refuses_it() {
    let env = repos::setup("consent");
    let head = env.head();
    for (vars, why) in [
        (&[("GIT_CONFIG_COUNT", "1")][..], "GIT_CONFIG_KEY_0 is missing"),
        (
            &[("GIT_CONFIG_COUNT", "1"), ("GIT_CONFIG_KEY_0", "user.name")][..],
            "GIT_CONFIG_VALUE_0 is missing",
        ),
        (&[("GIT_CONFIG_COUNT", "two")][..], "GIT_CONFIG_COUNT=`two` is not a count"),
        (&[("GIT_CONFIG_PARAMETERS", "user.name=x")][..], "not in git's quoting"),
    ] {
        let mut git = Command::new("git");
        hermetic_env(&mut git, &env.home, &env.repo, ADA, "@1795168800 +0000");
        assert_ne!(run(git.envs(vars.iter().copied()).args(["config", "--list"])).code, 0);
        for args in [&["status"][..], &["sign", "charter"]] {
            let r = run(env.accord_cmd().envs(vars.iter().copied()).args(args));
            r.code(2);
            assert!(r.stderr.contains(why), "{args:?} {vars:?}: {}", r.stderr);
        }
    }
    assert_eq!(env.head(), head);
}

/// A repository another user owns: git and libgit2 both refuse it unless `safe.directory`
/// says to trust it. accord says so as git does, with the command that trusts it, and opens
/// it once it is trusted. Needs root, to give the repository away (CI runs as root).
#[test]
fn a_repository_another_user_owns_is_refused_with_how_to_trust_it() {
    use std::os::unix::fs::MetadataExt;
    let env = repos::setup("consent");
    let root = std::fs::metadata(env.path("")).unwrap().uid() == 0;
    if !root {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        assert!(!ci, "this test gives a repository to another user, which needs root");
        return;
    }
    for dir in [env.repo.clone(), env.repo.join(".git")] {
        std::os::unix::fs::chown(&dir, Some(4242), Some(4242)).unwrap();
    }
    assert!(env.git(&["status"]).stderr.contains("dubious ownership"));
    let r = env.accord(&["status"]);
    r.code(2);
    assert!(r.stderr.contains("dubious ownership"), "{}", r.stderr);
    let trust = format!("git config --global --add safe.directory {}", s(&env.repo));
    assert!(r.stderr.contains(&trust), "{}", r.stderr);
    // Trusted through the environment only: git opens it, libgit2 still refuses.
    let vars = [
        ("GIT_CONFIG_COUNT", "1"),
        ("GIT_CONFIG_KEY_0", "safe.directory"),
        ("GIT_CONFIG_VALUE_0", "*"),
    ];
    let r = run(env.accord_cmd().envs(vars).args(["status"]));
    r.code(2);
    assert!(r.stderr.contains("not from `git -c` or GIT_CONFIG_COUNT"), "{}", r.stderr);
    env.git(&["config", "--global", "--add", "safe.directory", s(&env.repo)]).ok();
    let r = env.accord(&["status", "--format", "json"]);
    assert_eq!(r.ok().json()[0]["agreement"], "charter", "{}", r.stderr);
}
