//! `accord new` and the templates: every kind round-trips through check; ids, titles and identities
//! are checked; nothing is overwritten.

use crate::common::files::*;
use crate::common::*;

// --- templates and `accord new` ---

#[test]
fn every_template_round_trips_through_new_and_check() {
    let env = TestEnv::new();
    for kind in ["charter", "partnership", "service", "working-agreement", "decision"] {
        let id = format!("t-{kind}");
        env.accord(&["new", &id, "--kind", kind]).ok();
        let text = env.read(&format!("agreements/{id}.toml"));
        assert!(text.contains(&format!("kind = \"{kind}\"")), "{text}");
        assert!(text.contains("ada@example.com"), "identity filled in:\n{text}");
    }
    // A fresh draft breaks no rule but its placeholders (issue 12): check says so, exit 1.
    let run = env.accord(&["check"]);
    run.code(1);
    let problems: Vec<&str> = run.stdout.lines().filter(|l| l.contains(".toml:")).collect();
    assert!(problems.iter().all(|l| l.contains("placeholder")), "{}", run.stdout);
    assert_eq!(run.stdout.matches(": ok").count(), 0, "{}", run.stdout);
}

#[test]
fn every_template_is_complete_and_shows_as_its_kind() {
    let env = TestEnv::new();
    for kind in KINDS {
        let id = format!("t-{kind}");
        let run = env.accord(&["new", &id, "--kind", kind]);
        run.ok();
        assert!(
            run.stderr.contains(&format!(
                "wrote agreements/{id}.toml ({kind} with Ada Lovelace <ada@example.com> as first party)"
            )),
            "{}",
            run.stderr
        );
        let text = env.read(&format!("agreements/{id}.toml"));
        assert!(!text.contains("{{"), "a placeholder is left in {kind}:\n{text}");
        let json = env.accord(&["show", &id, "--format", "json"]).ok().json();
        assert_eq!(json["kind"], kind);
        assert_eq!(json["parties"][0]["name"], "Ada Lovelace");
        assert_eq!(json["parties"][0]["email"], "ada@example.com");
        assert!(!json["purpose"].as_str().unwrap().trim().is_empty(), "{kind} has a purpose");
    }
    // Committed, they are still valid: check reads the same files either way.
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "drafts"]).ok();
    let json = env.accord(&["check", "--format", "json"]).code(1).json();
    let reports = json.as_array().unwrap();
    assert_eq!(reports.len(), 5);
    // Readable, and invalid only for the placeholders left to replace (issue 12).
    for r in reports {
        assert_eq!(r["readable"], true);
        for p in r["problems"].as_array().unwrap() {
            assert!(p["message"].as_str().unwrap().contains("placeholder"), "{p}");
        }
    }
}

#[test]
fn new_uses_the_title_and_an_identity_that_needs_escaping() {
    let mut env = TestEnv::new();
    env.as_(("Shaquille \"Shaq\" O'Neal \\ Jr", "shaq@example.com"));
    let title = "Deploys: \"paved road\" \\ rules";
    env.accord(&["new", "roads", "--title", title]).ok();
    // Readable (exit 1 for the template's placeholders only, not 2).
    env.accord(&["check"]).code(1);
    let json = env.accord(&["show", "roads", "--format", "json"]).ok().json();
    assert_eq!(json["title"], title);
    assert_eq!(json["parties"][0]["name"], "Shaquille \"Shaq\" O'Neal \\ Jr");
    assert_eq!(json["parties"][0]["email"], "shaq@example.com");
}

#[test]
fn new_makes_a_default_title_from_the_id() {
    let env = TestEnv::new();
    env.accord(&["new", "platform-team"]).ok();
    env.accord(&["new", "billing", "--kind", "service"]).ok();
    let charter = env.accord(&["show", "platform-team", "--format", "json"]).ok().json();
    assert_eq!(charter["title"], "Platform Team Charter");
    let service = env.accord(&["show", "billing", "--format", "json"]).ok().json();
    assert_eq!(service["title"], "Billing Service Agreement");
}

#[test]
fn new_takes_the_identity_from_git_config() {
    let env = TestEnv::new();
    env.git(&["config", "user.name", "Grace Hopper"]).ok();
    env.git(&["config", "user.email", "grace@example.com"]).ok();
    let run = without_identity(&env, &["new", "team"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = env.read("agreements/team.toml");
    assert!(text.contains("name = \"Grace Hopper\""), "{text}");
    assert!(text.contains("email = \"grace@example.com\""), "{text}");
}

#[test]
fn new_never_overwrites() {
    let env = TestEnv::new();
    env.write("agreements/team.toml", "# mine, not a template\n");
    let run = assert_refused(&env, &["new", "team"]);
    assert!(
        run.stderr.contains("agreements/team.toml already exists; accord never overwrites"),
        "{}",
        run.stderr
    );
    assert_eq!(env.read("agreements/team.toml"), "# mine, not a template\n");
    // Nor through another kind, nor over a committed file.
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-q", "-m", "mine"]).ok();
    assert_refused(&env, &["new", "team", "--kind", "decision"]);
    assert_eq!(env.read("agreements/team.toml"), "# mine, not a template\n");
}

#[cfg(unix)]
#[test]
fn new_never_writes_through_a_symlink() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.repo.join("agreements")).unwrap();
    let target = env.path("outside.toml");
    std::os::unix::fs::symlink(&target, env.repo.join("agreements/team.toml")).unwrap();
    let run = assert_refused(&env, &["new", "team"]);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert!(!target.exists(), "wrote through the link");
}

#[test]
fn new_rejects_invalid_ids_before_touching_anything() {
    let env = TestEnv::new();
    for id in ["../x", "Upper", "a/b", "", "a b", "-x", "x.toml", &"a".repeat(65)] {
        let run = assert_refused(&env, &["new", id]);
        if !id.starts_with('-') {
            assert!(
                run.stderr.contains(&format!("error: `{id}` is not a valid agreement id")),
                "{id:?}: {}",
                run.stderr
            );
            assert!(run.stderr.contains("hint: ids are 1-64 lower-case letters"), "{}", run.stderr);
        }
        assert!(!env.repo.join("agreements").exists(), "{id:?} created the folder");
    }
    assert!(!env.path("x.toml").exists(), "../x escaped the repository");
    assert!(!env.repo.join("x.toml").exists());
}

#[test]
fn new_rejects_an_unknown_kind() {
    let env = TestEnv::new();
    let run = assert_refused(&env, &["new", "team", "--kind", "treaty"]);
    assert!(
        run.stderr.contains("invalid value 'treaty' for '--kind <KIND>'")
            && run.stderr.contains(
                "[possible values: charter, partnership, service, working-agreement, decision]"
            ),
        "{}",
        run.stderr
    );
    assert!(!env.repo.join("agreements").exists());
}

#[test]
fn new_rejects_an_empty_title() {
    let env = TestEnv::new();
    let run = assert_refused(&env, &["new", "team", "--title", "  "]);
    assert!(run.stderr.contains("error: the title is empty"), "{}", run.stderr);
    assert!(!env.repo.join("agreements/team.toml").exists());
}

#[test]
fn new_without_a_git_identity_writes_nothing() {
    let env = TestEnv::new();
    let before = env.fingerprint();
    let out = without_identity(&env, &["new", "team"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: no git identity configured"), "{stderr}");
    assert!(stderr.contains("hint: git config user.name"), "{stderr}");
    assert!(!env.repo.join("agreements/team.toml").exists());
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn new_in_a_bare_repository_is_refused() {
    let env = TestEnv::new();
    let bare = env.path("bare.git");
    env.git_in(env.tmp.path(), &["init", "-q", "--bare", "bare.git"]).ok();
    let run = env.accord(&["-C", bare.to_str().unwrap(), "new", "team"]);
    run.code(2);
    assert!(run.stderr.contains("bare repository"), "{}", run.stderr);
    assert!(!bare.join("agreements").exists());
}

#[test]
fn new_with_named_parties_needs_no_git_identity() {
    // Red-team finding: `--party` named everyone, yet `new` still refused for want of a git
    // identity it did not use.
    let env = TestEnv::new();
    let out =
        without_identity(&env, &["new", "team", "--party", "Grace Hopper <grace@example.com>"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let text = env.read("agreements/team.toml");
    assert!(text.contains("email = \"grace@example.com\""), "{text}");
    assert!(!text.contains("ada@example.com"), "{text}");
}

/// accord run with no git identity in its environment (only what git config says).
fn without_identity(env: &TestEnv, args: &[&str]) -> std::process::Output {
    let mut cmd = env.accord_cmd();
    for v in ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"] {
        cmd.env_remove(v);
    }
    cmd.args(args).output().unwrap()
}
