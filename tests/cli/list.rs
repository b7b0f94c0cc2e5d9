//! `accord list`: drafts, what blocks, ratification, uncommitted changes, markdown.

use crate::common::files::*;
use crate::common::*;

#[test]
fn list_shows_drafts_blocks_and_uncommitted_changes() {
    let env = TestEnv::new();
    let run = env.accord(&["list"]);
    run.ok();
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("no agreements yet"), "{}", run.stderr);
    env.write("agreements/team.toml", &charter("consent"));

    let run = env.accord(&["list"]);
    run.ok();
    assert!(run.stdout.starts_with("team  charter"), "{}", run.stdout);
    assert!(run.stdout.contains("Platform team charter  — draft: not committed"), "{}", run.stdout);
    let json = env.accord(&["list", "--format", "json"]).ok().json();
    assert_eq!(
        json,
        serde_json::json!([{"id": "team", "kind": "charter", "title": "Platform team charter",
            "committed": false, "modified": false, "ratified": false, "blocking": []}])
    );

    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-q", "-m", "charter"]).ok();
    let run = env.accord(&["list"]);
    run.ok();
    assert!(
        run.stdout.contains(
            "— not ratified: ada@example.com is silent; stewards must sign; grace@example.com is silent; katherine@example.com is silent"
        ),
        "{}",
        run.stdout
    );
    let json = env.accord(&["list", "--format", "json"]).ok().json();
    let row = &json[0];
    assert_eq!((row["committed"].as_bool(), row["modified"].as_bool()), (Some(true), Some(false)));
    assert_eq!(row["ratified"], false);
    assert_eq!(
        row["blocking"],
        serde_json::json!([
            "ada@example.com is silent; stewards must sign",
            "grace@example.com is silent",
            "katherine@example.com is silent"
        ])
    );

    env.write("agreements/team.toml", &charter("consent").replace("paved road", "smooth road"));
    let run = env.accord(&["list"]);
    run.ok();
    assert!(run.stdout.trim_end().ends_with("(uncommitted changes)"), "{}", run.stdout);
    let json = env.accord(&["list", "--format", "json"]).ok().json();
    assert_eq!(
        (json[0]["committed"].as_bool(), json[0]["modified"].as_bool()),
        (Some(true), Some(true))
    );
}

#[test]
fn list_says_ratified_once_every_party_signed() {
    let mut env = TestEnv::new();
    env.commit_file("agreements/team.toml", &doc("charter", ADA_PARTY), "team");
    env.as_(("Ada", "ada@example.com"));
    env.accord(&["sign", "team"]).ok();
    let run = env.accord(&["list"]);
    run.ok();
    assert!(run.stdout.contains("— ratified"), "{}", run.stdout);
    let json = env.accord(&["list", "--format", "json"]).ok().json();
    assert_eq!(
        (json[0]["ratified"].as_bool(), &json[0]["blocking"]),
        (Some(true), &serde_json::json!([]))
    );
}

#[test]
fn list_markdown_is_a_plain_list() {
    let env = TestEnv::new();
    env.write("agreements/team.toml", &charter("consent"));
    let run = env.accord(&["list", "--format", "markdown"]);
    run.ok();
    assert_eq!(run.stdout, "- `team` (charter) Platform team charter — draft: not committed\n");
}
