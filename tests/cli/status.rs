//! `accord status`: its JSON and human output; hand-made positions count and other commits do not.

use serde_json::Value;

use crate::common::ledger::*;
use crate::common::*;

// ---------------------------------------------------------------------------------------------
// Hand-made positions

#[test]
fn hand_made_positions_count_like_accords() {
    let mut env = setup("consent");
    env.as_(GRACE);
    hand_position(&env, "sign", "Grace Hopper <grace@example.com>", "Fine by me");
    let commit = env.head();
    let s = status(&env, "charter");
    let g = party(&s, GRACE.1);
    assert_eq!(g["state"], "signed");
    assert_eq!(g["commit"], commit);
    assert_eq!(g["note"], "Fine by me", "a hand-made position keeps its subject as note");
    // accord sees it as already signed.
    let count = env.commit_count();
    let r = env.accord(&["sign", "charter"]).ok().clone();
    assert!(r.stderr.contains("already signed"), "{}", r.stderr);
    assert_eq!(env.commit_count(), count);
    // And a hand-made objection is lifted by accord's withdraw.
    hand_position(&env, "object", "Grace Hopper <grace@example.com>", "Wait");
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "objecting");
    env.accord(&["withdraw", "charter"]).ok();
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "silent");
    env.as_(ADA).accord(&["verify"]).ok();
}

#[test]
fn commits_that_are_not_positions_do_not_count() {
    let mut env = setup("consent");
    env.as_(GRACE);
    let rev = revision(&env);
    // Trailers buried above the final paragraph.
    let msg = format!(
        "sign\n\nAccord-Position: sign\nAccord-Agreement: charter\nAccord-Revision: {rev}\nAccord-Party: Grace Hopper <grace@example.com>\n\nnot a trailer block"
    );
    env.git(&["commit", "-q", "--allow-empty", "-m", &msg]).ok();
    // A position that changes a file.
    env.write("README", "x\n");
    env.git(&["add", "README"]).ok();
    env.git(&[
        "commit",
        "-q",
        "-m",
        "sneaky",
        "--trailer",
        "Accord-Position: sign",
        "--trailer",
        "Accord-Agreement: charter",
        "--trailer",
        &format!("Accord-Revision: {rev}"),
        "--trailer",
        "Accord-Party: Grace Hopper <grace@example.com>",
    ])
    .ok();
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "silent");
    let v = env.accord(&["verify"]);
    v.code(1);
    assert!(v.stdout.contains(&env.head()), "verify reports the malformed commit: {}", v.stdout);
}

#[test]
fn a_position_binds_to_the_meaning_of_the_text_it_names_and_an_unreadable_one_is_stale() {
    let mut env = setup("consent");
    // Another file with the same meaning (a comment more): its blob is not a revision of charter,
    // but consent binds to content, not to ancestry (SPEC §4), so a sign-off on it holds.
    env.commit_file("agreements/copy.toml", &format!("# copy\n{}", charter("consent")), "copy");
    let copy = rev_parse(&env, "HEAD:agreements/copy.toml");
    let readme = {
        env.commit_file("README", "x\n", "readme");
        rev_parse(&env, "HEAD:README")
    };
    env.as_(GRACE);
    for (who, rev) in [(GRACE, copy.as_str()), (KATHERINE, readme.as_str()), (ADA, &"f".repeat(40))]
    {
        env.as_(who);
        env.git(&[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "odd",
            "--trailer",
            "Accord-Position: sign",
            "--trailer",
            "Accord-Agreement: charter",
            "--trailer",
            &format!("Accord-Revision: {rev}"),
            "--trailer",
            &format!("Accord-Party: {} <{}>", who.0, who.1),
        ])
        .ok();
    }
    let s = status(&env, "charter");
    assert_eq!(state(&s, GRACE.1), "signed");
    assert_eq!(party(&s, GRACE.1)["carried_over"], true);
    assert_eq!(party(&s, GRACE.1)["revision"], copy);
    for (email, rev) in [(KATHERINE.1, readme.clone()), (ADA.1, "f".repeat(40))] {
        assert_eq!(state(&s, email), "stale", "{email}");
        assert_eq!(party(&s, email)["revision"], rev);
    }
    let v = env.accord(&["verify", "charter"]);
    v.code(1);
    // The copy's text means what a revision means; the README and a missing blob cannot be
    // judged, and verify names both.
    assert_eq!(v.stdout.matches("is not a revision of charter").count(), 2, "{}", v.stdout);
}

// ---------------------------------------------------------------------------------------------
// Status JSON and its fields

#[test]
fn status_json_has_the_fields_of_spec_7() {
    let mut env = setup("consent");
    let mut cmd = env.as_(GRACE).accord_cmd();
    // Author and committer times differ, and the committer's zone is not UTC: `at` is the
    // committer time in UTC.
    cmd.args(["sign", "charter", "-m", "ok"])
        .env("GIT_AUTHOR_DATE", "@1795000000 +0000")
        .env("GIT_COMMITTER_DATE", "@1795176000 +0200");
    output(&mut cmd).ok();
    let commit = env.head();
    assert_eq!(env.git(&["log", "-1", "--format=%ct"]).stdout.trim(), "1795176000");
    env.as_(KATHERINE).accord(&["object", "charter", "-m", "Too vague."]).ok();
    let objection = env.head();

    let all = env.accord(&["status", "--format", "json"]).ok().json();
    assert_eq!(all.as_array().unwrap().len(), 1);
    let s = &all[0];
    assert_eq!(
        keys(s),
        ["agreement", "blocking", "objections", "parties", "ratified", "revision", "rule"]
    );
    assert_eq!(s["agreement"], "charter");
    assert_eq!(s["revision"], revision(&env));
    assert_eq!(s["rule"], "consent");
    assert_eq!(s["ratified"], false);
    let g = party(s, GRACE.1);
    assert_eq!(keys(g), ["at", "commit", "email", "name", "note", "role", "state"]);
    assert_eq!(g["name"], "Grace Hopper");
    assert_eq!(g["role"], "partner");
    assert_eq!(g["state"], "signed");
    assert_eq!(g["commit"], commit);
    assert_eq!(g["at"], "2026-11-20T12:00:00Z");
    assert_eq!(g["note"], "ok");
    let a = party(s, ADA.1);
    assert_eq!(a["role"], "steward");
    assert_eq!(a["state"], "silent");
    assert!(a.get("commit").is_none_or(Value::is_null), "{a}");
    let objections = s["objections"].as_array().unwrap();
    assert_eq!(objections.len(), 1);
    assert_eq!(keys(&objections[0]), ["commit", "email", "reason", "revision"]);
    assert_eq!(objections[0]["commit"], objection);
    assert_eq!(
        blocking(s),
        ["ada@example.com is silent; stewards must sign", "katherine@example.com is objecting",]
    );
}

#[test]
fn human_status_explains_what_blocks() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["object", "charter", "-m", "Two people are not enough."]).ok();
    let out = env.accord(&["status", "charter"]).ok().stdout.clone();
    assert!(out.contains("not ratified"), "{out}");
    assert!(out.contains("grace@example.com is objecting"), "{out}");
    assert!(out.contains("katherine@example.com is silent"), "{out}");
    assert!(out.contains("ada@example.com is silent"), "{out}");
    assert!(out.contains("Two people are not enough."), "{out}");
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    env.as_(KATHERINE).accord(&["sign", "charter"]).ok();
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    let out = env.accord(&["status", "charter"]).ok().stdout.clone();
    assert!(out.starts_with("charter — ratified"), "{out}");
    assert!(!out.contains("blocking"), "{out}");
}

#[test]
fn status_lists_each_partys_commitments() {
    let env = setup("consent");
    let r = env.accord(&["status"]);
    r.ok();
    let grace = r.stdout.lines().find(|l| l.contains("grace@example.com")).unwrap();
    assert!(grace.contains("commits to: pager"), "{grace}");
}

#[test]
fn an_uncommitted_draft_is_named_as_such() {
    let env = setup("consent");
    env.accord(&["new", "draft"]).ok();
    let r = env.accord(&["status", "draft"]);
    r.code(2);
    assert!(r.stderr.contains("commit it first"), "{}", r.stderr);
}
