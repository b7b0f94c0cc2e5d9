//! `accord init`: the agreements folder, the git attribute and the diff driver; running it twice
//! changes nothing.

use crate::common::*;

#[test]
fn init_creates_the_folder_the_attribute_and_the_diff_driver() {
    let env = TestEnv::new();
    let run = env.accord(&["init"]);
    run.ok();
    assert!(env.repo.join("agreements").is_dir());
    assert_eq!(env.read(".gitattributes"), "agreements/*.toml diff=accord\n");
    let textconv = env.git(&["config", "--get", "diff.accord.textconv"]);
    assert_eq!(textconv.ok().stdout, "accord textconv\n");
    // Set in the repository's own config, not the user's.
    let local = env.git(&["config", "--local", "--get", "diff.accord.textconv"]);
    assert_eq!(local.ok().stdout, "accord textconv\n");
    assert!(run.stderr.contains("created agreements/"), "{}", run.stderr);
    assert!(run.stderr.contains("added `agreements/*.toml diff=accord` to .gitattributes"));
    // git itself now routes agreement files through the driver.
    let attr = env.git(&["check-attr", "diff", "agreements/team.toml"]);
    assert_eq!(attr.ok().stdout, "agreements/team.toml: diff: accord\n");
}

#[test]
fn init_twice_changes_nothing() {
    let env = TestEnv::new();
    env.accord(&["init"]).ok();
    let before = env.fingerprint();
    let run = env.accord(&["init"]);
    run.ok();
    assert_eq!(env.fingerprint(), before);
    assert_eq!(env.read(".gitattributes"), "agreements/*.toml diff=accord\n");
    let all = env.git(&["config", "--get-all", "diff.accord.textconv"]);
    assert_eq!(all.ok().stdout, "accord textconv\n", "set once, not added again");
    assert!(run.stderr.contains(".gitattributes already has `agreements/*.toml diff=accord`"));
    assert!(run.stderr.contains("diff.accord.textconv is already `accord textconv`; kept"));
}

#[test]
fn init_keeps_an_existing_textconv_and_attributes() {
    let env = TestEnv::new();
    env.git(&["config", "diff.accord.textconv", "/opt/accord/bin/accord textconv"]).ok();
    env.write(".gitattributes", "*.png binary");
    let run = env.accord(&["init"]);
    run.ok();
    let textconv = env.git(&["config", "--get", "diff.accord.textconv"]);
    assert_eq!(textconv.ok().stdout, "/opt/accord/bin/accord textconv\n");
    assert!(run.stderr.contains("kept"), "{}", run.stderr);
    assert_eq!(env.read(".gitattributes"), "*.png binary\nagreements/*.toml diff=accord\n");
}

#[test]
fn init_recognises_its_line_spaced_differently() {
    let env = TestEnv::new();
    env.write(".gitattributes", "agreements/*.toml\tdiff=accord  \n");
    let run = env.accord(&["init"]);
    run.ok();
    assert_eq!(env.read(".gitattributes"), "agreements/*.toml\tdiff=accord  \n");
    assert!(run.stderr.contains(".gitattributes already has"), "{}", run.stderr);
}

#[test]
fn init_follows_the_configured_folder() {
    let env = TestEnv::new();
    env.write("accord.toml", "dir = \"docs/agreements\"\n");
    env.accord(&["init"]).ok();
    assert!(env.repo.join("docs/agreements").is_dir());
    assert_eq!(env.read(".gitattributes"), "docs/agreements/*.toml diff=accord\n");
    env.accord(&["new", "team"]).ok();
    assert!(env.repo.join("docs/agreements/team.toml").is_file());
}

#[test]
fn init_in_a_bare_repository_is_refused() {
    let env = TestEnv::new();
    env.git_in(env.tmp.path(), &["init", "-q", "--bare", "bare.git"]).ok();
    let run = env.accord(&["-C", env.path("bare.git").to_str().unwrap(), "init"]);
    run.code(2);
    assert!(run.stderr.contains("bare repository"), "{}", run.stderr);
    assert!(!env.path("bare.git/.gitattributes").exists());
}

#[test]
fn init_writes_an_attribute_git_reads_for_any_folder_name() {
    // Red-team finding: a folder with a space, a leading `#` or `!`, or a glob character
    // made a `.gitattributes` line git reads as something else (or as nothing).
    for dir in ["our agreements", "#team", "!team", "a*b", "x[1]", "quote\"d", "back\\slash"] {
        let env = TestEnv::new();
        let toml = dir.replace('\\', "\\\\").replace('"', "\\\"");
        env.write("accord.toml", &format!("dir = \"{toml}\"\n"));
        env.accord(&["init"]).ok();
        let file = format!("{dir}/team.toml");
        let attr = env.git(&["check-attr", "diff", "--", &file]).ok().stdout.clone();
        assert!(attr.trim_end().ends_with(": diff: accord"), "{dir:?}: {attr}");
        // Literally that folder: a glob character matches only itself.
        let other = env.git(&["check-attr", "diff", "--", "aXb/team.toml"]).ok().stdout.clone();
        assert!(other.trim_end().ends_with(": diff: unspecified"), "{dir:?}: {other}");
        // Recognised as its own line the next time.
        let before = env.read(".gitattributes");
        env.accord(&["init"]).ok();
        assert_eq!(env.read(".gitattributes"), before, "{dir:?}");
    }
}

#[test]
fn init_checks_everything_before_it_writes_anything() {
    // Red-team findings: with `.gitattributes` a folder, or git's config locked, `init` failed
    // having created `agreements/` (and `.gitattributes`); the lock said only libgit2's words;
    // a symlinked `.gitattributes` had its target outside the repository written; a file named
    // `agreements` gave "File exists (os error 17)" and no path.
    let untouched = |env: &TestEnv| {
        assert!(!env.repo.join("agreements").exists(), "agreements/ created");
        let set = env.git(&["config", "--local", "--get", "diff.accord.textconv"]);
        assert_ne!(set.code, 0, "the diff driver was set");
    };
    let env = TestEnv::new();
    std::fs::create_dir(env.repo.join(".gitattributes")).unwrap();
    let r = env.accord(&["init"]);
    assert!(r.code(2).stderr.contains(".gitattributes is a folder"), "{}", r.stderr);
    untouched(&env);

    let env = TestEnv::new();
    std::fs::write(env.repo.join(".git/config.lock"), "").unwrap();
    let r = env.accord(&["init"]);
    assert!(r.code(2).stderr.contains("config file is locked"), "{}", r.stderr);
    assert!(r.stderr.contains("config.lock if none is running"), "{}", r.stderr);
    assert!(!env.repo.join("agreements").exists() && !env.repo.join(".gitattributes").exists());
    std::fs::remove_file(env.repo.join(".git/config.lock")).unwrap();

    let env = TestEnv::new();
    let outside = env.path("someone-elses-file");
    std::fs::write(&outside, "# theirs\n").unwrap();
    std::os::unix::fs::symlink(&outside, env.repo.join(".gitattributes")).unwrap();
    let r = env.accord(&["init"]);
    assert!(r.code(2).stderr.contains(".gitattributes is a symbolic link"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "# theirs\n");
    untouched(&env);

    let env = TestEnv::new();
    std::fs::write(env.repo.join("agreements"), "").unwrap();
    for args in [&["init"][..], &["new", "team"][..]] {
        let r = env.accord(args);
        assert!(r.code(2).stderr.contains("agreements"), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("hint: "), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn nothing_is_written_beyond_a_linked_folder_or_into_git_s_own() {
    // Red-team finding: with `agreements` a symlink to a folder outside the repository, `new`
    // and `import` wrote there (git refuses to add such a path); `dir = ".git"` was accepted.
    let env = TestEnv::new();
    let outside = env.path("outside");
    std::fs::create_dir(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, env.repo.join("agreements")).unwrap();
    env.write("team.md", "# Team\n\n## Purpose\n\nShip.\n");
    for args in [&["new", "x"][..], &["import", "team.md"][..], &["init"][..]] {
        let r = env.accord(args);
        assert!(
            r.code(2).stderr.contains("agreements is a symbolic link"),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "written outside");
    std::fs::remove_file(env.repo.join("agreements")).unwrap();
    for dir in [".git", ".GIT/x"] {
        env.write("accord.toml", &format!("dir = \"{dir}\"\n"));
        let r = env.accord(&["new", "x"]);
        assert!(
            r.code(2).stderr.contains("must be a folder inside the repository"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn an_accord_toml_error_names_its_line_and_column() {
    // Red-team finding: agreement files' errors say where (`file:line:col`), accord.toml's did
    // not: "unknown field `dri`" with no place in a file of many lines.
    let env = TestEnv::new();
    env.write(
        "accord.toml",
        "# settings\n\npositions_branch = \"accord/positions\"\ndri = \"x\"\n",
    );
    let r = env.accord(&["status"]);
    assert!(r.code(2).stderr.contains("accord.toml:4:1: unknown field `dri`"), "{}", r.stderr);
    env.commit_file("README", "team\n", "Start");
    env.commit_file("accord.toml", "dir = [\n", "Broken");
    env.write("accord.toml", "");
    let r = env.accord(&["review", "HEAD~1..HEAD"]);
    let error = "accord.toml:2:1 (at that commit): invalid array: expected `]`";
    assert!(r.code(2).stderr.contains(error), "{}", r.stderr);
}
