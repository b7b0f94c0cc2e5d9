//! SPEC §5 "Changing the rules is judged by the rules in force": governance edits, removed
//! parties and their objections, leavers, end to end through `status` and `review`.

use crate::common::ledger::{blocking, setup, status, FILE};
use crate::common::*;

pub(crate) fn sign_all(env: &mut TestEnv, who: &[(&str, &str)]) {
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
    let coup = coup();
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
    // Red-team finding: her objection blocked but was listed as a position "shown, not
    // counted", with `objections` empty. It is an open objection like any other.
    assert_eq!(s["objections"][0]["email"], "grace@example.com", "{s:#}");
    assert_eq!(s["objections"][0]["reason"], "On-call is too much.", "{s:#}");
    assert!(s.get("outsiders").is_none_or(|o| o.as_array().unwrap().is_empty()), "{s:#}");
    let human = env.accord(&["status", "charter"]).ok().stdout.clone();
    assert!(human.contains("objection by grace@example.com: On-call is too much."), "{human}");
    assert!(!human.contains("not counted"), "{human}");
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

#[test]
fn two_partners_cannot_remove_the_steward_without_her_sign_off() {
    // Red-team finding: Grace and Katherine removed Ada, the steward, made Grace steward and
    // signed; the kept parties (2 of 3) were at least half, so Ada was excused as a leaver and
    // `review --require-ratified` passed. Removing is the last demotion: Ada is judged as the
    // steward she was, so she must sign her own removal.
    let mut env = setup("consent");
    sign_all(&mut env, &[ADA, GRACE, KATHERINE]);
    let base = env.head();
    let without_ada = charter("consent")
        .replace(
            "[[party]]\nname = \"Ada Lovelace\"\nemail = \"ada@example.com\"\nrole = \"steward\"\n\n",
            "",
        )
        .replace(
            "name = \"Grace Hopper\"\nemail = \"grace@example.com\"",
            "name = \"Grace Hopper\"\nemail = \"grace@example.com\"\nrole = \"steward\"",
        )
        .replace("to = [\"ada@example.com\"]", "to = [\"katherine@example.com\"]");
    assert!(!without_ada.contains("ada@example.com"), "{without_ada}");
    env.as_(GRACE).commit_file(FILE, &without_ada, "Reorganise");
    sign_all(&mut env, &[GRACE, KATHERINE]);
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false, "{s:#}");
    let b = blocking(&s);
    assert!(
        b.iter().any(|r| r.starts_with("the rule in force (consent, revision ")
            && r.contains("ada@example.com")),
        "{b:?}"
    );
    let range = format!("{base}..HEAD");
    env.accord(&["review", &range, "--require-ratified"]).code(1);
    env.accord(&["check", "--ratified"]).code(1);
    assert!(
        b.iter().any(|r| r.starts_with("ada@example.com is a steward this revision removes")),
        "{b:?}"
    );
    // Ada is no party of that text, so she cannot sign it.
    env.as_(ADA).accord(&["sign", "charter"]).code(2);
    // The honest way: Ada signs a revision that makes her a partner, then leaves as one.
    let demoted = charter("consent").replace("role = \"steward\"\n", "").replace(
        "name = \"Grace Hopper\"\nemail = \"grace@example.com\"",
        "name = \"Grace Hopper\"\nemail = \"grace@example.com\"\nrole = \"steward\"",
    );
    env.as_(GRACE).commit_file(FILE, &demoted, "Grace takes over from Ada");
    sign_all(&mut env, &[GRACE, KATHERINE]);
    assert_eq!(status(&env, "charter")["ratified"], false, "the steward in force must sign");
    sign_all(&mut env, &[ADA]);
    assert_eq!(status(&env, "charter")["ratified"], true);
    env.as_(GRACE).commit_file(FILE, &without_ada, "Ada has left");
    sign_all(&mut env, &[GRACE, KATHERINE]);
    assert_eq!(status(&env, "charter")["ratified"], true);
    env.accord(&["review", &range, "--require-ratified"]).ok();
}

/// Grace's coup of issue 11's first test: she alone is a steward, the others observers.
pub(crate) fn coup() -> String {
    charter("quorum")
        .replace("rule = \"quorum\"", "rule = \"quorum\"\nquorum = 1")
        .replace("role = \"steward\"", "role = \"observer\"")
        .replace(
            "name = \"Grace Hopper\"\nemail = \"grace@example.com\"",
            "name = \"Grace Hopper\"\nemail = \"grace@example.com\"\nrole = \"steward\"",
        )
        .replace(
            "name = \"Katherine Johnson\"\nemail = \"katherine@example.com\"",
            "name = \"Katherine Johnson\"\nemail = \"katherine@example.com\"\nrole = \"observer\"",
        )
}

/// The `ratified` flags of `log --format json`, newest first, with each event's type.
fn log_flags(env: &TestEnv, id: &str, rev: &str) -> Vec<(String, bool)> {
    let log = env.accord(&["log", id, "--rev", rev, "--format", "json"]).ok().json();
    log.as_array()
        .unwrap()
        .iter()
        .map(|e| (e["type"].as_str().unwrap().to_string(), e["ratified"] == true))
        .collect()
}

#[test]
fn a_rule_change_nobody_ratified_never_takes_effect_and_the_next_text_is_judged_by_the_old_rule() {
    // Red-team finding: the replay behind `log`, `history` and "the last ratified revision"
    // judged each text by its own rule only, so a switch to majority that Katherine blocked
    // counted as ratified, and the next edit was judged by majority with her still objecting.
    let mut env = setup("consent");
    sign_all(&mut env, &[ADA, GRACE, KATHERINE]);
    let majority = charter("majority");
    env.commit_file(FILE, &majority, "Majority from now on");
    sign_all(&mut env, &[ADA, GRACE]);
    env.as_(KATHERINE).accord(&["object", "charter", "-m", "Keep consent."]).ok();
    assert_eq!(status(&env, "charter")["ratified"], false);
    // Nobody says the majority text stood ratified.
    let flags = log_flags(&env, "charter", "HEAD");
    assert!(!flags[..4].iter().any(|(_, r)| *r), "{flags:?}");
    let h = env.accord(&["history", "charter", "--field", "decision", "--format", "json"]);
    let versions = h.ok().json();
    let majority_version = versions
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == "majority")
        .unwrap_or_else(|| panic!("{versions:#}"));
    assert_eq!(majority_version["ratified"], false, "{majority_version:#}");
    // A wording edit on top: Ada and Grace sign, Katherine's objection still stands.
    let reworded = majority.replace("paved road", "paved, lit road");
    env.as_(ADA).commit_file(FILE, &reworded, "Wording");
    sign_all(&mut env, &[ADA, GRACE]);
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false, "{s:#}");
    let b = blocking(&s);
    assert!(b.iter().any(|r| r.starts_with("the rule in force (consent, revision ")), "{b:?}");
    env.accord(&["check", "--ratified"]).code(1);
    // Katherine agrees after all: the majority rule takes effect.
    sign_all(&mut env, &[KATHERINE]);
    assert_eq!(status(&env, "charter")["ratified"], true);
}

#[test]
fn a_takeover_in_two_steps_is_judged_by_the_rule_it_replaced() {
    // Red-team finding: step one (the coup, blocked) was taken as ratified while it stood,
    // so step two was judged by Grace's rules alone and passed the gate.
    let mut env = setup("consent");
    sign_all(&mut env, &[ADA, GRACE, KATHERINE]);
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.as_(GRACE).commit_file(FILE, &coup(), "Formatting");
    sign_all(&mut env, &[GRACE]);
    let range = format!("{base}..pr");
    env.accord(&["review", &range, "--require-ratified"]).code(1);
    let reworded = coup().replace("paved road", "paved, lit road");
    env.as_(GRACE).commit_file(FILE, &reworded, "Wording");
    sign_all(&mut env, &[GRACE]);
    let r = env.accord(&["review", &range, "--require-ratified"]);
    r.code(1);
    assert!(r.stdout.contains("the rule in force (consent, revision "), "{}", r.stdout);
    assert_eq!(status(&env, "charter")["ratified"], false);
}

#[test]
fn a_position_dated_before_the_edit_it_follows_cannot_undo_the_consent_before_it() {
    // Red-team finding: Grace's takeover, then her own sign-off committed with a date years
    // back. Merged by time, the others' sign-offs fell after her edit: the text they ratified
    // looked never ratified, and her takeover was judged by its own rule.
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    sign_all(&mut env, &[ADA, GRACE, KATHERINE]);
    assert_eq!(status(&env, "charter")["ratified"], true);
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.as_(GRACE).commit_file(FILE, &coup(), "Formatting");
    let now = env.clock.get();
    env.clock.set(START - 400 * 86_400);
    let by_hand = crate::common::cached::by_hand(&mut env, GRACE, "sign", "charter", "");
    by_hand.ok();
    env.clock.set(now);
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false, "{s:#}");
    assert!(blocking(&s).iter().any(|r| r.starts_with("the rule in force")), "{s:#}");
    // The log keeps the order the history gives: the others' sign-offs before the edit.
    let flags = log_flags(&env, "charter", "HEAD");
    let kinds: Vec<&str> = flags.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["position", "edit", "position", "position", "position", "edit"]);
    assert!(flags[2].1, "the first text stood ratified: {flags:?}");
    env.accord(&["review", &format!("{base}..pr"), "--require-ratified"]).code(1);
}

#[test]
fn a_rename_that_also_rewrites_the_parties_is_judged_by_the_old_ids_rules() {
    // Red-team finding: `git mv` and a rewrite in one commit left the rules in force behind
    // (the earlier texts were looked up under the new file name only).
    let mut env = setup("consent");
    sign_all(&mut env, &[ADA, GRACE, KATHERINE]);
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.git(&["rm", "-q", FILE]).ok();
    env.as_(GRACE).commit_file("agreements/platform.toml", &coup(), "Rename and tidy");
    let review = env.accord(&["review", &format!("{base}..pr"), "--format", "json"]).ok().json();
    let renamed = &review["agreements"][0];
    assert_eq!(renamed["renamed_from"], "charter", "{review:#}");
    env.as_(GRACE).accord(&["sign", "platform"]).ok();
    let s = status(&env, "platform");
    assert_eq!(s["ratified"], false, "{s:#}");
    assert!(blocking(&s).iter().any(|r| r.starts_with("the rule in force")), "{s:#}");
    env.accord(&["review", &format!("{base}..pr"), "--require-ratified"]).code(1);
}

#[test]
fn a_position_on_the_positions_branch_dated_before_its_parent_cannot_undo_the_consent_before_it() {
    // Red-team finding (second round): a withdraw on the positions branch dated before the
    // charter existed dragged the sign-offs before it behind the charter's creation, so the
    // charter "never stood ratified" and a takeover was judged by its own rule.
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    sign_all(&mut env, &[ADA, GRACE, KATHERINE]);
    let now = env.clock.get();
    env.clock.set(START - 200 * 86_400);
    env.as_(GRACE).accord(&["withdraw", "charter"]).ok();
    env.clock.set(now);
    let h = env.accord(&["history", "charter", "--format", "json"]).ok().json();
    assert_eq!(h[0]["ratified"], true, "it stood ratified before the withdraw: {h:#}");
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.as_(GRACE).commit_file(FILE, &coup(), "Formatting");
    sign_all(&mut env, &[GRACE]);
    let r = env.accord(&["review", &format!("{base}..pr"), "--require-ratified"]);
    r.code(1);
    assert!(r.stdout.contains("the rule in force (consent, revision "), "{}", r.stdout);
}
