//! SPEC §5 "Changing the rules is judged by the rules in force": governance edits, removed
//! parties and their objections, leavers, end to end through `status` and `review`.

use crate::common::ledger::{blocking, setup, status, FILE};
use crate::common::*;

fn sign_all(env: &mut TestEnv, who: &[(&str, &str)]) {
    for w in who {
        env.as_(*w).accord(&["sign", "charter"]).ok();
    }
}

#[test]
fn issue11_a_coup_is_judged_by_the_rule_it_replaces_and_an_honest_change_passes() {
    let mut env = setup("consent");
    sign_all(&mut env, &[ADA, GRACE, KATHERINE]);
    assert_eq!(status(&env, "charter")["ratified"], true);
    // Grace makes herself sole steward, the others observers, quorum 1, and signs.
    let coup = charter("quorum")
        .replace("rule = \"quorum\"", "rule = \"quorum\"\nquorum = 1")
        .replace("role = \"steward\"", "role = \"observer\"")
        .replace(
            "name = \"Grace Hopper\"\nemail = \"grace@example.com\"",
            "name = \"Grace Hopper\"\nemail = \"grace@example.com\"\nrole = \"steward\"",
        )
        .replace(
            "name = \"Katherine Johnson\"\nemail = \"katherine@example.com\"",
            "name = \"Katherine Johnson\"\nemail = \"katherine@example.com\"\nrole = \"observer\"",
        );
    env.as_(GRACE).commit_file(FILE, &coup, "Formatting");
    sign_all(&mut env, &[GRACE]);
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false, "{s:#}");
    let b = blocking(&s);
    assert!(b.iter().any(|r| r.starts_with("the rule in force (consent, revision ")), "{b:?}");
    assert!(b.iter().any(|r| r.contains("ada@example.com")), "{b:?}");
    // `review --require-ratified` agrees.
    // The honest counterpart: everyone signs the governance change.
    sign_all(&mut env, &[ADA, KATHERINE]);
    assert_eq!(status(&env, "charter")["ratified"], true);
}

#[test]
fn issue11_removing_the_objector_does_not_clear_the_objection() {
    let mut env = setup("consent");
    sign_all(&mut env, &[ADA, GRACE, KATHERINE]);
    env.as_(GRACE).accord(&["object", "charter", "-m", "On-call is too much."]).ok();
    let without = charter("consent")
        .replace("[[party]]\nname = \"Grace Hopper\"\nemail = \"grace@example.com\"\n\n", "");
    let without =
        without.replace("by = [\"grace@example.com\"]", "by = [\"katherine@example.com\"]");
    env.as_(ADA).commit_file(FILE, &without, "Remove Grace");
    sign_all(&mut env, &[ADA, KATHERINE]);
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false, "{s:#}");
    assert!(blocking(&s).iter().any(|r| r.starts_with("grace@example.com is objecting")), "{s:#}");
    // She lifts it herself: then the leaver's removal passes (both kept parties signed).
    env.as_(GRACE).accord(&["withdraw", "charter"]).ok();
    assert_eq!(status(&env, "charter")["ratified"], true);
}

#[test]
fn issue11_one_person_cannot_remove_the_rest_but_a_leaver_can_be_removed() {
    let mut env = setup("consent");
    sign_all(&mut env, &[ADA, GRACE, KATHERINE]);
    // Ada removes both others and signs alone.
    let alone = charter("consent")
        .replace("[[party]]\nname = \"Grace Hopper\"\nemail = \"grace@example.com\"\n\n", "")
        .replace(
            "[[party]]\nname = \"Katherine Johnson\"\nemail = \"katherine@example.com\"\n\n",
            "",
        )
        .replace("by = [\"grace@example.com\"]", "by = [\"ada@example.com\"]");
    env.as_(ADA).commit_file(FILE, &alone, "Just me");
    sign_all(&mut env, &[ADA]);
    assert_eq!(status(&env, "charter")["ratified"], false);
}
