//! `accord demo`: the README's first command plays the whole scenario.

use crate::common::*;

#[test]
fn demo_plays_the_whole_scenario_and_ends_ratified() {
    let env = TestEnv::new();
    let dir = env.path("demo");
    let r = env.accord(&["demo", "--dir", dir.to_str().unwrap(), "--color", "never"]);
    r.ok();
    let out = &r.stdout;
    for needle in [
        "grace@example.com is objecting",
        "signed an earlier revision",
        "platform-charter — ratified",
        "purpose version 2",
        "{+paved, well-lit+}",
        "edit     Ada Lovelace: purpose reworded",
    ] {
        assert!(out.contains(needle), "demo output lacks {needle:?}:\n{out}");
    }
    // The scenario's steps come in order.
    let objected = out.find("is objecting").unwrap();
    let stale = out.find("signed an earlier revision").unwrap();
    let ratified = out.find("platform-charter — ratified").unwrap();
    assert!(objected < stale && stale < ratified, "{out}");
    // The kept repository is a real one, ratified, with every position authored by its party.
    let s = env.accord_in(&dir, &["status", "--format", "json"]);
    let v = s.json();
    assert_eq!(v[0]["ratified"], true, "{}", s.stdout);
    let states: Vec<&str> =
        v[0]["parties"].as_array().unwrap().iter().map(|p| p["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["signed", "signed", "signed"]);
    env.accord_in(&dir, &["verify"]).ok();
    env.git_in(&dir, &["fsck"]).ok();
}

#[test]
fn demo_without_dir_cleans_up_after_itself() {
    let env = TestEnv::new();
    let r = env.accord(&["demo", "--color", "never"]);
    r.ok();
    let first = r.stdout.lines().next().unwrap();
    let place = first.strip_prefix("accord demo in ").unwrap();
    assert!(!std::path::Path::new(place).exists(), "{place} was left behind");
    assert!(r.stdout.contains("throw-away repository is gone"), "{}", r.stdout);
}
