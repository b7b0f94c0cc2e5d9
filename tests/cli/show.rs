//! `accord show`: the human, markdown and JSON renderings, and `--rev`.

use crate::common::files::*;
use crate::common::ledger::FILE;
use crate::common::*;

#[test]
fn show_renders_for_people() {
    let env = TestEnv::new();
    env.write("agreements/team.toml", &charter("consent"));
    let run = env.accord(&["show", "team"]);
    run.ok();
    let out = &run.stdout;
    assert!(out.starts_with("Platform team charter  (team, charter)\n"), "{out}");
    assert!(
        out.contains("Purpose\n  Give every product team a paved road from merge to production.\n")
    );
    assert!(out.contains("Decision  consent; stewards must sign\n"), "{out}");
    assert!(out.contains("  Ada Lovelace <ada@example.com> (steward)\n"), "{out}");
    assert!(
        out.contains("  Grace Hopper <grace@example.com> (partner)  commits to: pager\n"),
        "{out}"
    );
    assert!(out.contains("  [pager] Answer deploy-pipeline pages within 15 minutes.\n"), "{out}");
    assert!(
        out.contains(
            "    by Grace Hopper <grace@example.com>; to Ada Lovelace <ada@example.com>\n"
        ),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "no colour with NO_COLOR: {out:?}");
}

#[test]
fn show_human_names_stewards_only_when_there_are_some() {
    let env = TestEnv::new();
    env.write("agreements/team.toml", &quorum_doc("rule = \"quorum\"\nquorum = 2"));
    let run = env.accord(&["show", "team"]);
    run.ok();
    assert!(run.stdout.contains("Decision  quorum (2)\n"), "{}", run.stdout);
}

#[test]
fn show_markdown() {
    let env = TestEnv::new();
    let text = charter("quorum")
        .replace("rule = \"quorum\"", "rule = \"quorum\"\nquorum = 2")
        .replace("kind = \"charter\"", "kind = \"charter\"\nreview_every = \"90d\"");
    env.write("agreements/team.toml", &text);
    let run = env.accord(&["show", "team", "--format", "markdown"]);
    run.ok();
    let out = &run.stdout;
    assert!(
        out.starts_with(
            "# Platform team charter\n\n*charter* `team` — decision: quorum (2); review every 90d\n\n## Purpose\n\nGive every product team a paved road from merge to production.\n"
        ),
        "{out}"
    );
    assert!(out.contains("| name | email | role |\n|---|---|---|\n"), "{out}");
    assert!(out.contains("| Ada Lovelace | ada@example.com | steward |\n"), "{out}");
    assert!(
        out.contains(
            "| `pager` | grace@example.com | ada@example.com | Answer deploy-pipeline pages within 15 minutes. |\n"
        ),
        "{out}"
    );
}

#[test]
fn show_json_has_every_field_of_the_schema() {
    let env = TestEnv::new();
    let text = r#"schema = 1
title = "Platform team charter"
kind = "service"
purpose = """
Give every product team a paved road.
"""
review_by = 2027-03-01
ends = 2027-06-30

[decision]
rule = "quorum"
quorum = 1

[scope]
in = ["CI runners", "deploy pipeline"]
out = ["application on-call"]

[[party]]
name = "Ada Lovelace"
email = "ada@example.com"
role = "steward"

[[party]]
name = "Grace Hopper"
email = "grace@example.com"
role = "client"

[[commitment]]
id = "pager"
by = ["ada@example.com"]
to = ["grace@example.com"]
text = "Answer pages within 15 minutes."

[[commitment]]
id = "report"
by = ["ada@example.com"]
text = "Publish a monthly report."

[[norm]]
text = "We say no early."
"#;
    env.write("agreements/platform.toml", text);
    let json = env.accord(&["show", "platform", "--format", "json"]).ok().json();
    assert_eq!(
        json,
        serde_json::json!({
            "id": "platform",
            "schema": 1,
            "title": "Platform team charter",
            "kind": "service",
            "purpose": "Give every product team a paved road.\n",
            "review_every": null,
            "review_by": "2027-03-01",
            "ends": "2027-06-30",
            "decision": {"rule": "quorum", "quorum": 1},
            "scope": {"in": ["CI runners", "deploy pipeline"], "out": ["application on-call"]},
            "parties": [
                {"name": "Ada Lovelace", "email": "ada@example.com", "role": "steward"},
                {"name": "Grace Hopper", "email": "grace@example.com", "role": "client"}
            ],
            "commitments": [
                {"id": "pager", "by": ["ada@example.com"], "to": ["grace@example.com"],
                 "text": "Answer pages within 15 minutes."},
                {"id": "report", "by": ["ada@example.com"], "to": [],
                 "text": "Publish a monthly report."}
            ],
            "norms": [{"text": "We say no early."}]
        })
    );
    // Optional parts absent from the file are still there, empty: the shape is stable.
    env.write("agreements/small.toml", &doc("charter", ADA_PARTY));
    let json = env.accord(&["show", "small", "--format", "json"]).ok().json();
    // `quorum` appears only with the quorum rule (README, JSON output).
    assert_eq!(json["decision"], serde_json::json!({"rule": "consent"}));
    assert_eq!(json["parties"][0]["role"], "partner", "role defaults to partner");
    for (key, empty) in [
        ("review_every", serde_json::json!(null)),
        ("review_by", serde_json::json!(null)),
        ("ends", serde_json::json!(null)),
        ("scope", serde_json::json!(null)),
        ("commitments", serde_json::json!([])),
        ("norms", serde_json::json!([])),
    ] {
        assert_eq!(json[key], empty, "{key}");
    }
    assert!(json.get("revision").is_none(), "the working tree has no revision: {json}");
}

#[test]
fn show_rev_reads_an_older_committed_text() {
    let env = TestEnv::new();
    let v1 = charter("consent");
    let v2 = v1.replace("a paved road from merge to production", "a road they trust");
    env.commit_file("agreements/team.toml", &v1, "v1");
    env.commit_file("agreements/team.toml", &v2, "v2");
    let old_blob =
        env.git(&["rev-parse", "HEAD~1:agreements/team.toml"]).ok().stdout.trim().to_string();
    let new_blob =
        env.git(&["rev-parse", "HEAD:agreements/team.toml"]).ok().stdout.trim().to_string();

    let old = env.accord(&["show", "team", "--rev", "HEAD~1"]);
    assert!(old.ok().stdout.contains("a paved road from merge to production"), "{}", old.stdout);
    let now = env.accord(&["show", "team"]);
    assert!(now.ok().stdout.contains("a road they trust"), "{}", now.stdout);

    let json = env.accord(&["show", "team", "--rev", "HEAD~1", "--format", "json"]).ok().json();
    assert_eq!(json["revision"], old_blob.as_str());
    assert_eq!(json["purpose"], "Give every product team a paved road from merge to production.\n");
    let json = env.accord(&["show", "team", "--rev", "main", "--format", "json"]).ok().json();
    assert_eq!(json["revision"], new_blob.as_str());

    // --rev reads the commit, not the working tree, even when the file is gone or broken there.
    env.write("agreements/team.toml", "not = [toml");
    env.accord(&["show", "team", "--rev", "HEAD"]).ok();
    std::fs::remove_file(env.repo.join("agreements/team.toml")).unwrap();
    let json = env.accord(&["show", "team", "--rev", "HEAD", "--format", "json"]).ok().json();
    assert_eq!(json["revision"], new_blob.as_str());

    let run = assert_refused(&env, &["show", "team", "--rev", "no-such-branch"]);
    assert!(run.stderr.contains("unknown revision `no-such-branch`"), "{}", run.stderr);
    let run = assert_refused(&env, &["show", "other", "--rev", "HEAD"]);
    assert!(run.stderr.contains("no agreement `other` (agreements/other.toml is not in commit"));
}

#[test]
fn show_says_when_a_text_retires_the_agreement() {
    // Red-team finding: `show` left `retired = true` out of every format (SPEC §7 names it for
    // show JSON).
    let env = TestEnv::new();
    let text =
        charter("consent").replace("kind = \"charter\"\n", "kind = \"charter\"\nretired = true\n");
    env.commit_file("agreements/charter.toml", &text, "Retire");
    let json = env.accord(&["show", "charter", "--format", "json"]).ok().json();
    assert_eq!(json["retired"], true, "{json:#}");
    let human = env.accord(&["show", "charter"]);
    assert!(
        human.ok().stdout.contains("retired: this text ends the agreement"),
        "{}",
        human.stdout
    );
    let md = env.accord(&["show", "charter", "--format", "markdown"]);
    assert!(md.ok().stdout.contains("**retired**"), "{}", md.stdout);
    let plain = env.accord(&["show", "charter", "--rev", "HEAD~0", "--format", "json"]).ok().json();
    assert_eq!(plain["retired"], true);
    env.commit_file("agreements/charter.toml", &charter("consent"), "Back");
    let back = env.accord(&["show", "charter", "--format", "json"]).ok().json();
    assert!(back.get("retired").is_none(), "absent when not retired: {back:#}");
}

#[test]
fn an_agreement_missing_from_a_commit_gets_a_hint_that_fits() {
    // Red-team finding: for a commit older than the agreement, `--rev` said "it is only in the
    // working tree: commit it first", though it was committed at HEAD.
    let env = TestEnv::new();
    env.commit_file("README", "hi\n", "Readme");
    let old = env.head();
    env.write(FILE, &charter("consent"));
    for args in
        [&["show", "charter", "--rev", old.as_str()][..], &["status", "charter", "--rev", &old]]
    {
        let r = env.accord(args);
        assert!(
            r.code(2).stderr.contains("only in the working tree: commit it first"),
            "{}",
            r.stderr
        );
    }
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    for args in
        [&["show", "charter", "--rev", old.as_str()][..], &["log", "charter", "--rev", &old]]
    {
        let r = env.accord(args);
        assert!(r.code(2).stderr.contains("it is in HEAD, not in that commit"), "{}", r.stderr);
        assert!(r.stderr.contains("git log --oneline -- agreements/charter.toml"), "{}", r.stderr);
    }
}
