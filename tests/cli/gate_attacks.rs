//! A fourth red-team round on `review --require-ratified`: each attack that got an unagreed
//! change past the gate, as a test that failed before its fix.

use crate::common::ledger::FILE;
use crate::common::*;
use crate::rules_in_force::{coup, sign_all};

const EVERYONE: [(&str, &str); 3] = [ADA, GRACE, KATHERINE];

/// A charter on `main`, signed by everyone on the positions branch.
fn ratified() -> TestEnv {
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    sign_all(&mut env, &EVERYONE);
    env
}

fn review(env: &TestEnv, range: &str) -> Run {
    env.accord(&["review", range, "--require-ratified"])
}

#[test]
fn a_position_dated_in_the_future_cannot_switch_off_the_rules_in_force() {
    // Grace signs first, dated 2100; the others sign on top of it. Every later position was
    // then placed in 2100, after every edit: the charter "never stood ratified", and her
    // takeover was judged by its own rule.
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    let now = env.clock.get();
    env.clock.set(4_102_444_800);
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    env.clock.set(now);
    sign_all(&mut env, &[ADA, KATHERINE]);
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.as_(GRACE).commit_file(FILE, &coup(), "Formatting");
    sign_all(&mut env, &[GRACE]);
    let r = review(&env, &format!("{base}..pr"));
    r.code(1);
    assert!(r.stdout.contains("the rule in force (consent, revision "), "{}", r.stdout);
}

#[test]
fn removing_an_agreement_and_renaming_another_onto_its_id_is_a_removal() {
    // `git rm charter.toml`, then `git mv mine.toml charter.toml`: judged as the rename of
    // an unchanged `mine`, the removal of the live charter was never looked at.
    let mut env = ratified();
    env.as_(GRACE).commit_file("agreements/mine.toml", &coup(), "Grace's own");
    env.as_(GRACE).accord(&["sign", "mine"]).ok();
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.git(&["rm", "-q", FILE]).ok();
    env.git(&["commit", "-q", "-m", "Drop the charter"]).ok();
    env.git(&["mv", "agreements/mine.toml", FILE]).ok();
    env.git(&["commit", "-q", "-m", "Rename"]).ok();
    let r = review(&env, &format!("{base}..pr"));
    r.code(1);
    assert!(r.stderr.contains("removed without a ratified retirement: mine"), "{}", r.stderr);
}

#[test]
fn a_criss_cross_merge_cannot_hide_an_undone_change_behind_the_other_merge_base() {
    // main: A (ratified) → B (ratified) → merge of a side branch made from A. The pull
    // request merges B into that side branch with `-s ours`, keeping A: against the side
    // branch as merge base nothing changed, yet merged it puts A back on main.
    let mut env = ratified();
    let a = env.head();
    env.as_(ADA).commit_file(
        FILE,
        &charter("consent").replace("paved road", "paved, well-lit road"),
        "B",
    );
    sign_all(&mut env, &EVERYONE);
    let b = env.head();
    env.git(&["switch", "-q", "-c", "side", &a]).ok();
    env.commit_file("README", "hello\n", "Side");
    env.git(&["switch", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--no-ff", "side", "-m", "Merge side"]).ok();
    env.git(&["switch", "-q", "-c", "pr", "side"]).ok();
    env.git(&["merge", "-q", "--no-ff", "-s", "ours", &b, "-m", "Merge B"]).ok();
    let bases = env.git(&["merge-base", "--all", "main", "pr"]).ok().stdout.clone();
    assert_eq!(bases.lines().count(), 2, "two merge bases: {bases}");
    for range in ["main..pr", "main...pr"] {
        let r = review(&env, range);
        r.code(1);
        assert!(r.stderr.contains("not ratified at pr: charter"), "{range}: {}", r.stderr);
    }
}

#[test]
fn an_old_removal_merged_back_in_does_not_retire_the_text_that_came_after() {
    // v1 retired (ratified) and removed; v2 founded under the same id and ratified. A
    // removal made on top of the old retired text, merged in, removed v2 "after a ratified
    // retirement".
    let mut env = ratified();
    env.as_(ADA).commit_file(FILE, &format!("retired = true\n{}", charter("consent")), "Retire");
    sign_all(&mut env, &EVERYONE);
    let retired = env.head();
    env.git(&["rm", "-q", FILE]).ok();
    env.git(&["commit", "-q", "-m", "Remove the retired charter"]).ok();
    env.as_(ADA).commit_file(
        FILE,
        &charter("consent").replace("paved road", "new road"),
        "Found it again",
    );
    sign_all(&mut env, &EVERYONE);
    let base = env.head();
    env.git(&["switch", "-q", "-c", "q", &retired]).ok();
    env.git(&["rm", "-q", FILE]).ok();
    env.git(&["commit", "-q", "-m", "Remove"]).ok();
    env.git(&["switch", "-q", "-c", "pr", &base]).ok();
    // A modify/delete conflict, settled by deleting.
    env.git(&["merge", "-q", "--no-ff", "q", "-m", "Merge q"]);
    env.git(&["rm", "-q", FILE]).ok();
    env.git(&["commit", "-q", "--no-edit"]).ok();
    let r = review(&env, &format!("{base}..pr"));
    r.code(1);
    assert!(r.stderr.contains("removed without a ratified retirement: charter"), "{}", r.stderr);
}

#[test]
fn a_pull_request_that_follows_a_folder_move_made_since_it_forked_is_refused() {
    // main moves charters/ to agreements/ after the pull request forked; the pull request
    // edits charters/charter.toml and sets accord.toml as main now has it. Compared only at
    // BASE and HEAD, the configuration "did not change", and the edit rode git's rename
    // detection into main.
    let mut env = TestEnv::on_positions_branch();
    env.commit_file("accord.toml", "dir = \"charters\"\n", "Configure");
    env.commit_file("charters/charter.toml", &charter("consent"), "Add the platform charter");
    sign_all(&mut env, &EVERYONE);
    env.git(&["branch", "pr"]).ok();
    env.git(&["mv", "charters", "agreements"]).ok();
    env.write("accord.toml", "dir = \"agreements\"\n");
    env.git(&["commit", "-qam", "Move"]).ok();
    env.git(&["switch", "-q", "pr"]).ok();
    env.write("charters/charter.toml", &coup());
    env.write("accord.toml", "dir = \"agreements\"\n");
    env.git(&["commit", "-qam", "Tweak"]).ok();
    let r = review(&env, "main..pr");
    r.code(1);
    assert!(r.stderr.contains("accord.toml changes where agreements"), "{}", r.stderr);
}
