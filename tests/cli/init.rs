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
