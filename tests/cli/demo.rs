//! `accord demo`: the README's first command plays the whole scenario: a charter on main, a pull
//! request that is objected to, amended, signed on the positions branch and squash-merged.

use crate::common::*;

#[test]
fn demo_plays_the_pull_request_story_and_the_squash_merge_keeps_consent() {
    let env = TestEnv::new(); // its HOME says `accord.positions = here`: the demo overrides it
    let dir = env.path("demo");
    let r = env.accord(&["demo", "--dir", dir.to_str().unwrap(), "--color", "never"]);
    r.ok();
    let out = &r.stdout;
    for needle in [
        "platform-charter  charter  Platform team charter  — ratified",
        "accord review main..feature",
        "grace@example.com objected to platform-charter",
        "on accord/positions",
        "accord sync",
        "grace@example.com is objecting",
        "signed an earlier revision",
        "git merge --squash feature",
        "platform-charter — ratified",
        "purpose version 2",
        "{+paved, well-lit+}",
        "edit     Ada Lovelace: purpose reworded",
        "Platform charter: around the clock, on a rota (#1)",
        "Grace Hopper (on a later text): A rota works for me.",
    ] {
        assert!(out.contains(needle), "demo output lacks {needle:?}:\n{out}");
    }
    // The story comes in order: ratified on main, the objection on the first draft, the
    // amendment (the objection still blocks it), then the squash merge, ratified.
    let at = |needle: &str| out.find(needle).unwrap_or_else(|| panic!("{needle}:\n{out}"));
    let first = at("— ratified");
    let objected = at("grace@example.com objected");
    let amended = at("Charter: paging is a weekly rota");
    let blocks = at("grace@example.com is objecting");
    let squash = at("git merge --squash");
    let ratified = at("platform-charter — ratified");
    assert!(first < objected && objected < amended && amended < blocks, "{out}");
    assert!(blocks < squash && squash < ratified, "{out}");
    assert!(out.contains("ratified while it stood") && out.contains("ratified now"), "{out}");

    // Ada's kept clone is on main, which holds the two edits and no position.
    let ada = dir.join("ada");
    let s = env.accord_in(&ada, &["status", "--format", "json"]);
    let v = s.json();
    assert_eq!(v[0]["ratified"], true, "{}", s.stdout);
    let states: Vec<&str> =
        v[0]["parties"].as_array().unwrap().iter().map(|p| p["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["signed", "signed", "signed"]);
    assert_eq!(env.git_in(&ada, &["rev-list", "--count", "main"]).stdout.trim(), "2");
    let parents = env.git_in(&ada, &["rev-list", "--parents", "-1", "main"]).stdout;
    assert_eq!(parents.split_whitespace().count(), 2, "a squash, not a merge: {parents}");
    env.git_in(&ada, &["rev-parse", "--verify", "-q", "accord/positions"]).ok();
    env.git_in(&ada, &["rev-parse", "--verify", "-q", "feature"]).code(1);
    env.accord_in(&ada, &["verify"]).ok();
    env.git_in(&ada, &["fsck"]).ok();
    // The feature branch is gone from origin too; a fresh clone sees the charter ratified.
    let origin = dir.join("origin.git");
    let branches = env.git_in(&origin, &["branch", "--list"]).stdout;
    assert!(!branches.contains("feature"), "{branches}");
    let fresh = env.path("fresh");
    env.git(&["clone", "-q", origin.to_str().unwrap(), fresh.to_str().unwrap()]).ok();
    let s = env.accord_in(&fresh, &["status", "--format", "json"]).json();
    assert_eq!(s[0]["ratified"], true, "{s}");
}

#[test]
fn demo_without_dir_cleans_up_after_itself() {
    let env = TestEnv::new();
    let r = env.accord(&["demo", "--color", "never"]);
    r.ok();
    let first = r.stdout.lines().next().unwrap();
    let place = first.strip_prefix("accord demo in ").unwrap();
    assert!(!std::path::Path::new(place).exists(), "{place} was left behind");
    assert!(r.stdout.contains("throw-away repositories are gone"), "{}", r.stdout);
}

#[test]
fn demo_dir_that_is_a_file_is_refused_by_name() {
    // Red-team finding: "error: i/o: Not a directory", without the path.
    let env = TestEnv::new();
    let file = env.path("a-file");
    std::fs::write(&file, "x").unwrap();
    let r = env.accord(&["demo", "--dir", file.to_str().unwrap()]);
    let stderr = &r.code(2).stderr;
    assert!(stderr.contains("a-file") && stderr.contains("not a folder"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn demo_into_a_reader_that_stops_early_still_builds_the_whole_story() {
    // Noticed last round: `accord demo --dir D | head -n1` stopped at the closed pipe and left
    // D half-built (no squash merge, no positions). The story is built whole; output that
    // nobody reads is dropped, as git drops it.
    let env = TestEnv::new();
    let dir = env.path("demo");
    let args = ["demo", "--dir", dir.to_str().unwrap(), "--color", "never"];
    let out = with_stdout_closed(env.accord_cmd().args(args));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let ada = dir.join("ada");
    assert_eq!(env.git_in(&ada, &["rev-list", "--count", "main"]).stdout.trim(), "2");
    let v = env.accord_in(&ada, &["status", "--format", "json"]).json();
    assert_eq!(v[0]["ratified"], true, "{v:#}");
}
