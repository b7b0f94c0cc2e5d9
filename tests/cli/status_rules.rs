//! The decision rules (SPEC §5) as `accord status` applies them: rules, stewards, observers,
//! objections, stale and carried-over positions.

use serde_json::Value;

use crate::common::ledger::*;
use crate::common::*;

#[test]
fn consent_needs_every_party_and_no_objection() {
    let mut env = setup("consent");
    assert_eq!(states(&env), ["silent", "silent", "silent"]);
    assert!(!ratified(&env));
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false);
    assert_eq!(blocking(&s), ["katherine@example.com is silent"]);
    // Abstaining stands aside without blocking.
    env.as_(KATHERINE).accord(&["abstain", "charter", "-m", "Not my area."]).ok();
    assert_eq!(states(&env), ["signed", "signed", "abstained"]);
    assert!(ratified(&env));
    // An objection blocks.
    env.as_(KATHERINE).accord(&["object", "charter", "-m", "On reflection, no."]).ok();
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false);
    assert_eq!(blocking(&s), ["katherine@example.com is objecting"]);
}

#[test]
fn consent_needs_at_least_one_sign_off() {
    let mut env =
        setup_with(&charter("consent").replace("role = \"steward\"", "role = \"partner\""));
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["abstain", "charter"]).ok();
    }
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false);
    assert_eq!(blocking(&s), ["nobody has signed yet"]);
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    assert!(ratified(&env));
}

#[test]
fn unanimous_needs_every_counted_party_signed() {
    let mut env = setup("unanimous");
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    env.as_(KATHERINE).accord(&["abstain", "charter"]).ok();
    let s = status(&env, "charter");
    assert_eq!(s["rule"], "unanimous");
    assert_eq!(s["ratified"], false);
    assert_eq!(blocking(&s), ["katherine@example.com abstained"]);
    env.as_(KATHERINE).accord(&["sign", "charter"]).ok();
    assert!(ratified(&env));
}

#[test]
fn majority_counts_sign_offs_and_records_objections_without_blocking() {
    let mut env = setup("majority");
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false);
    assert_eq!(blocking(&s), ["majority needs 2 of 3 sign-offs, has 1"]);
    env.as_(KATHERINE).accord(&["object", "charter", "-m", "No."]).ok();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], true, "{s:#}");
    assert_eq!(state(&s, KATHERINE.1), "objecting");
    assert_eq!(s["objections"][0]["reason"], "No.");
    assert_eq!(blocking(&s), Vec::<String>::new());
}

#[test]
fn quorum_needs_enough_sign_offs_and_no_objection() {
    let mut env = setup_with(&quorum_charter(2));
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    let s = status(&env, "charter");
    assert_eq!(s["rule"], "quorum");
    assert_eq!(blocking(&s), ["quorum needs 2 sign-offs, has 1"]);
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    // Katherine's silence does not block a quorum.
    assert_eq!(states(&env), ["signed", "signed", "silent"]);
    assert!(ratified(&env));
    env.as_(KATHERINE).accord(&["object", "charter", "-m", "Blocks."]).ok();
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false);
    assert_eq!(blocking(&s), ["katherine@example.com is objecting"]);
}

#[test]
fn the_steward_must_sign_under_every_rule() {
    for (rule, text) in [
        ("consent", charter("consent")),
        ("unanimous", charter("unanimous")),
        ("majority", charter("majority")),
        ("quorum", quorum_charter(2)),
    ] {
        let mut env = setup_with(&text);
        env.as_(GRACE).accord(&["sign", "charter"]).ok();
        env.as_(KATHERINE).accord(&["sign", "charter"]).ok();
        let s = status(&env, "charter");
        assert_eq!(s["ratified"], false, "{rule}: steward silent");
        assert!(blocking(&s).iter().any(|b| b.contains("ada@example.com")), "{rule}: {s:#}");
        env.as_(ADA).accord(&["abstain", "charter"]).ok();
        let s = status(&env, "charter");
        assert_eq!(s["ratified"], false, "{rule}: steward abstained");
        let b = blocking(&s);
        assert!(
            b.iter().any(|b| b.contains("ada@example.com") && b.contains("abstained")),
            "{rule}: {b:?}"
        );
        env.as_(ADA).accord(&["sign", "charter"]).ok();
        assert!(ratified(&env), "{rule}: all signed");
    }
}

#[test]
fn observers_are_listed_but_not_counted() {
    let text = with_party(&charter("consent"), "Linus Observer", "linus@example.com", "observer");
    let mut env = setup_with(&text);
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], true, "a silent observer does not block: {s:#}");
    let l = party(&s, "linus@example.com");
    assert_eq!(l["role"], "observer");
    assert_eq!(l["state"], "silent");
    let human = env.accord(&["status", "charter"]).ok().stdout.clone();
    assert!(human.contains("(observer: not counted)"), "{human}");
    // An observer's objection is recorded but does not count either.
    env.as_(("Linus Observer", "linus@example.com"))
        .accord(&["object", "charter", "-m", "Hmm."])
        .ok();
    let s = status(&env, "charter");
    assert_eq!(state(&s, "linus@example.com"), "objecting");
    assert_eq!(s["ratified"], true, "{s:#}");
    // Majority counts only the three counted parties: 2 of 3 suffices.
    let text = with_party(&charter("majority"), "Linus Observer", "linus@example.com", "observer");
    let mut env = setup_with(&text);
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    assert!(ratified(&env));
}

#[test]
fn an_objection_blocks_until_the_same_party_lifts_it() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["object", "charter", "-m", "No."]).ok();
    // Everybody else signing does not close it.
    for who in [ADA, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false);
    assert_eq!(blocking(&s), ["grace@example.com is objecting"]);
    // Nobody can withdraw it for her: Katherine's withdraw takes back her own sign-off only.
    env.as_(KATHERINE).accord(&["withdraw", "charter"]).ok();
    assert_eq!(states(&env), ["signed", "objecting", "silent"]);
    env.as_(KATHERINE).accord(&["sign", "charter"]).ok();
    // Grace withdraws: silent, not signed.
    env.as_(GRACE).accord(&["withdraw", "charter", "-m", "Fair enough."]).ok();
    let s = status(&env, "charter");
    assert_eq!(state(&s, GRACE.1), "silent");
    assert_eq!(party(&s, GRACE.1)["note"], "Fair enough.");
    assert_eq!(s["objections"], serde_json::json!([]));
    assert_eq!(blocking(&s), ["grace@example.com is silent"]);
    // Signing closes an objection too; so does abstaining.
    env.as_(GRACE).accord(&["object", "charter", "-m", "Again."]).ok();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    assert!(ratified(&env));
    env.as_(GRACE).accord(&["object", "charter", "-m", "And again."]).ok();
    assert!(!ratified(&env));
    env.as_(GRACE).accord(&["abstain", "charter"]).ok();
    assert_eq!(states(&env), ["signed", "abstained", "signed"]);
    assert!(ratified(&env));
}

#[test]
fn an_objection_stays_open_across_revisions() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["object", "charter", "-m", "Scope too wide."]).ok();
    let old = revision(&env);
    let objection = env.head();
    env.commit_file(FILE, &charter("consent").replace("paved road", "narrow road"), "Narrow it");
    let s = status(&env, "charter");
    assert_eq!(state(&s, GRACE.1), "objecting");
    assert_eq!(s["objections"][0]["revision"], old);
    assert_eq!(s["objections"][0]["commit"], objection);
    // She can withdraw it on the new revision.
    env.as_(GRACE).accord(&["withdraw", "charter"]).ok();
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "silent");
}

#[test]
fn a_meaning_changing_edit_makes_sign_offs_stale() {
    let mut env = setup("consent");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    assert!(ratified(&env));
    let old = revision(&env);
    let grace_commit = {
        let s = status(&env, "charter");
        party(&s, GRACE.1)["commit"].as_str().unwrap().to_string()
    };
    env.as_(ADA).accord(&["abstain", "charter"]).ok(); // abstentions go stale too
    env.commit_file(FILE, &charter("consent").replace("paved road", "toll road"), "Change purpose");
    let s = status(&env, "charter");
    assert_ne!(s["revision"], old);
    assert_eq!(s["ratified"], false);
    let g = party(&s, GRACE.1);
    assert_eq!(g["state"], "stale");
    assert_eq!(g["revision"], old, "the revision of the earlier position: {g}");
    assert_eq!(g["commit"], grace_commit);
    assert!(g.get("carried_over").is_none_or(|c| c == false), "{g}");
    assert_eq!(state(&s, ADA.1), "stale");
    let b = blocking(&s);
    assert!(
        b.contains(&"grace@example.com signed an earlier revision (stale)".to_string()),
        "{b:?}"
    );
    assert!(
        b.contains(
            &"ada@example.com abstained on an earlier revision (stale); stewards must sign"
                .to_string()
        ),
        "an abstention is not called a sign-off: {b:?}"
    );
    let human = env.accord(&["status", "charter"]).ok().stdout.clone();
    assert!(human.contains("stale") && human.contains("signed an earlier revision"), "{human}");
    // Signing again binds to the new revision.
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    let s = status(&env, "charter");
    assert_eq!(state(&s, GRACE.1), "signed");
    assert!(party(&s, GRACE.1).get("revision").is_none_or(Value::is_null));
    assert_eq!(git_trailers(&env, "HEAD")[2], format!("Accord-Revision: {}", revision(&env)));
}

#[test]
fn human_status_does_not_call_a_stale_abstention_a_sign_off() {
    let mut env = setup("consent");
    env.as_(KATHERINE).accord(&["abstain", "charter"]).ok();
    env.commit_file(FILE, &charter("consent").replace("paved road", "toll road"), "Change purpose");
    assert_eq!(state(&status(&env, "charter"), KATHERINE.1), "stale");
    let human = env.accord(&["status", "charter"]).ok().stdout.clone();
    let line = human.lines().find(|l| l.contains("katherine@example.com>")).unwrap();
    assert!(!line.contains("signed"), "{line}");
    assert!(line.contains("abstained on an earlier revision"), "{line}");
}

#[test]
fn a_same_meaning_edit_carries_sign_offs_over() {
    let mut env = setup("consent");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    let old = revision(&env);
    // Comments, key order, whitespace and line wrapping only.
    let text = charter("consent")
        .replace(
            "title = \"Platform team charter\"\nkind = \"charter\"",
            "# Reviewed in November.\nkind = \"charter\"\ntitle = \"  Platform   team charter\"",
        )
        .replace(
            "Give every product team a paved road from merge to production.",
            "Give every product team\n  a paved road   from merge\nto production.",
        )
        .replace("email = \"grace@example.com\"", "email = \"Grace@Example.com\" # sic");
    env.commit_file(FILE, &text, "Reflow");
    let s = status(&env, "charter");
    assert_ne!(s["revision"], old);
    assert_eq!(s["ratified"], true, "{s:#}");
    for email in [ADA.1, GRACE.1, KATHERINE.1] {
        let p = party(&s, &email.replace("grace@example.com", "Grace@Example.com"));
        assert_eq!(p["state"], "signed", "{p}");
        assert_eq!(p["carried_over"], true, "{p}");
        assert_eq!(p["revision"], old, "{p}");
    }
    let human = env.accord(&["status", "charter"]).ok().stdout.clone();
    assert_eq!(human.matches("carried over: same meaning").count(), 3, "{human}");
    // Signing the new revision then records a fresh position, no longer carried over.
    let count = env.commit_count();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    assert_eq!(env.commit_count(), count + 1);
    let s = status(&env, "charter");
    let g = party(&s, "Grace@Example.com");
    assert!(g.get("carried_over").is_none_or(|c| c == false), "{g}");
}

#[test]
fn an_abstention_is_carried_over_as_well() {
    let mut env = setup("consent");
    env.as_(KATHERINE).accord(&["abstain", "charter"]).ok();
    env.commit_file(FILE, &format!("# comment\n{}", charter("consent")), "comment");
    let s = status(&env, "charter");
    let k = party(&s, KATHERINE.1);
    assert_eq!(k["state"], "abstained");
    assert_eq!(k["carried_over"], true);
}

#[test]
fn signing_the_same_revision_again_records_nothing() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    let head = env.head();
    let count = env.commit_count();
    let r = env.accord(&["sign", "charter", "-m", "again"]).ok().clone();
    assert!(r.stderr.contains("already signed"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing recorded"), "{}", r.stderr);
    assert_eq!(env.commit_count(), count);
    assert_eq!(env.head(), head);
    // The same for abstaining.
    env.as_(KATHERINE).accord(&["abstain", "charter"]).ok();
    let count = env.commit_count();
    let r = env.accord(&["abstain", "charter"]).ok().clone();
    assert!(r.stderr.contains("nothing recorded"), "{}", r.stderr);
    assert_eq!(env.commit_count(), count);
    // After an unrelated commit the revision is the same: still nothing to record.
    env.commit_file("README", "hi\n", "readme");
    let count = env.commit_count();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    assert_eq!(env.commit_count(), count);
}
