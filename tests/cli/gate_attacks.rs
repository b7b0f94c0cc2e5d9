//! A fourth red-team round on `review --require-ratified`: each attack that got an unagreed
//! change past the gate, as a test that failed before its fix.

use crate::common::ledger::FILE;
use crate::common::*;
use crate::rules_in_force::{coup, sign_all};

const EVERYONE: [(&str, &str); 3] = [ADA, GRACE, KATHERINE];

/// A charter on `main`, signed by everyone on the positions branch.
pub(crate) fn ratified() -> TestEnv {
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    sign_all(&mut env, &EVERYONE);
    env
}

pub(crate) fn review(env: &TestEnv, range: &str) -> Run {
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

/// `main` had a `platform` draft once, removed since: the id is free again.
fn with_a_removed_platform_draft() -> (TestEnv, String) {
    let env = ratified();
    let draft = "schema = 1\ntitle = \"Platform draft\"\nkind = \"decision\"\npurpose = \"Pick a queue.\"\n\n[[party]]\nname = \"Ada Lovelace\"\nemail = \"ada@example.com\"\n";
    env.commit_file("agreements/platform.toml", draft, "Draft a platform decision");
    env.git(&["rm", "-q", "agreements/platform.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Drop the draft"]).ok();
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    (env, base)
}

#[test]
fn a_rename_onto_an_id_used_before_keeps_the_lineage_and_is_refused() {
    // Red-team finding: `git mv charter.toml platform.toml` plus Grace's takeover, onto an id
    // an earlier (removed) agreement had. The evaluation followed a file's lineage only from
    // its first appearance (the old draft), so `platform` was judged as new: Grace's own
    // sign-off ratified it and the gate passed.
    let (mut env, base) = with_a_removed_platform_draft();
    env.git(&["mv", FILE, "agreements/platform.toml"]).ok();
    env.as_(GRACE).commit_file("agreements/platform.toml", &coup(), "Rename, and streamline");
    env.as_(GRACE).accord(&["sign", "platform"]).ok();
    let r = review(&env, &format!("{base}..pr"));
    r.code(1);
    assert!(r.stdout.contains("platform (changed, renamed from charter)"), "{}", r.stdout);
    assert!(r.stdout.contains("the rule in force (consent, revision "), "{}", r.stdout);
    assert!(
        r.stderr.contains("renamed onto an id an earlier agreement had: platform"),
        "{}",
        r.stderr
    );
    let s = env.accord(&["status", "platform"]);
    assert!(s.ok().stdout.contains("platform — not ratified"), "{}", s.stdout);
}

#[test]
fn a_rename_alone_is_listed_and_may_not_take_an_id_used_before() {
    // Red-team finding: a pure `git mv` onto a used id was "no agreement changed in this
    // range", though what was said of the old agreement under that id (who supersedes it, its
    // positions) now bears on the renamed charter.
    let (env, base) = with_a_removed_platform_draft();
    env.git(&["mv", FILE, "agreements/platform.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Rename"]).ok();
    let r = review(&env, &format!("{base}..pr"));
    r.code(1);
    assert!(r.stdout.contains("platform (unchanged, renamed from charter)"), "{}", r.stdout);
    assert!(
        r.stderr.contains("renamed onto an id an earlier agreement had: platform"),
        "{}",
        r.stderr
    );
    // Onto a new id, a rename keeps its consent and passes.
    env.git(&["reset", "-q", "--hard", &base]).ok();
    env.git(&["mv", FILE, "agreements/platform-team.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Rename"]).ok();
    let r = review(&env, &format!("{base}..pr"));
    assert!(
        r.ok().stdout.contains("platform-team (unchanged, renamed from charter)"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_copy_with_the_original_removed_later_is_no_rename_even_where_a_merge_shows_one() {
    // Red-team finding: on a side branch Grace adds `mine.toml` (the charter, her takeover)
    // beside the charter, then deletes the charter; merged with the base as first parent,
    // git sees a rename. The review took it for one (the charter not removed) while `mine`
    // was judged as a new agreement on Grace's sign-off alone: the gate passed.
    let mut env = ratified();
    let base = env.head();
    env.git(&["switch", "-q", "-c", "side"]).ok();
    env.as_(GRACE).commit_file("agreements/mine.toml", &coup(), "A copy of my own");
    env.git(&["rm", "-q", FILE]).ok();
    env.git(&["commit", "-q", "-m", "Drop the charter"]).ok();
    env.git(&["switch", "-q", "-c", "pr", &base]).ok();
    env.git(&["merge", "-q", "--no-ff", "side", "-m", "Merge side"]).ok();
    env.as_(GRACE).accord(&["sign", "mine"]).ok();
    let r = review(&env, &format!("{base}..pr"));
    r.code(1);
    assert!(r.stderr.contains("removed without a ratified retirement: charter"), "{}", r.stderr);
}

#[test]
fn an_id_renamed_away_and_taken_by_a_new_agreement_in_the_range_counts_the_new_ones_sign_offs() {
    // Red-team finding: the pull request renames the charter to `team` and adds a new charter
    // under the old id, which Ada signs. `status` says she signed; `review` said she was
    // silent: the range's commits are judged as made now, so every positions-branch position
    // under `charter` was "made before the rename" and went to `team`. A position names its
    // text: one on a text the name held after the rename is the new agreement's.
    let mut env = ratified();
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.git(&["mv", FILE, "agreements/team.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Rename"]).ok();
    let fresh = charter("consent").replace("Platform", "Fresh");
    env.commit_file(FILE, &fresh, "A new charter under the old id");
    sign_all(&mut env, &[ADA]);
    let status = env.accord(&["status", "charter", "--format", "json"]).ok().json();
    let r = env.accord(&["review", &format!("{base}..pr"), "--format", "json"]).ok().json();
    let charter = r["agreements"].as_array().unwrap().iter().find(|a| a["agreement"] == "charter");
    let charter = charter.unwrap_or_else(|| panic!("{r:#}"));
    for (who, state) in [(ADA, "signed"), (GRACE, "silent"), (KATHERINE, "silent")] {
        let parties = [&status[0]["parties"], &charter["status"]["parties"]];
        for (what, list) in ["status", "review"].iter().zip(parties) {
            let p = list.as_array().unwrap().iter().find(|p| p["email"] == who.1).unwrap();
            assert_eq!(p["state"], state, "{what}: {who:?} in {r:#}");
        }
    }
    // Everyone signs the new charter: the range passes, and the renamed one keeps its consent.
    sign_all(&mut env, &[GRACE, KATHERINE]);
    let r = review(&env, &format!("{base}..pr"));
    r.code(0);
    assert!(r.stdout.contains("team (added) — ratified at head"), "{}", r.stdout);
}

// ---------------------------------------------------------------------------------------------
// A fifth round: a merge commit that takes an old text from main's own history.

/// The charter with Ada alone: no other party, no commitment.
pub(crate) fn ada_alone() -> String {
    let c = charter("consent");
    c[..c.find("[[party]]\nname = \"Grace Hopper\"").unwrap()].to_string()
}

/// A merge of `main` with the old commit `old`, whose tree is main's except the charter, which
/// is `old`'s: the text goes back, and the merge differs from its other parent only.
fn merge_back_to(env: &TestEnv, branch: &str, old: &str) {
    env.git(&["switch", "-q", "-c", branch, "main"]).ok();
    env.git(&["checkout", "-q", old, "--", FILE]).ok();
    let tree = env.git(&["write-tree"]).ok().stdout.trim().to_string();
    let merge = env
        .git(&["commit-tree", &tree, "-p", "main", "-p", old, "-m", "Merge old work"])
        .ok()
        .stdout
        .trim()
        .to_string();
    env.git(&["reset", "-q", "--hard", &merge]).ok();
}

/// Ada alone founds the charter and signs; Grace and Katherine join, and all three ratify.
/// The repository and the founding commit.
fn founded_then_joined() -> (TestEnv, String) {
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &ada_alone(), "Found the charter");
    let founded = env.head();
    sign_all(&mut env, &[ADA]);
    env.as_(ADA).commit_file(FILE, &charter("consent"), "Grace and Katherine join");
    sign_all(&mut env, &EVERYONE);
    (env, founded)
}

/// Ada signs the pull request `pr`: the gate refuses it by the rules in force, and merged
/// anyway (a fast-forward), main is not ratified either.
fn refused_and_not_ratified_when_merged(env: &mut TestEnv) {
    sign_all(env, &[ADA]);
    let r = review(env, "main..pr");
    r.code(1);
    assert!(r.stdout.contains("the rule in force (consent, revision "), "{}", r.stdout);
    env.git(&["switch", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--ff-only", "pr"]).ok();
    env.accord(&["check", "--ratified"]).code(1);
}

#[test]
fn a_merge_back_to_an_old_text_is_judged_by_the_rules_in_force() {
    // Ada alone founds the charter; Grace and Katherine join (ratified by all three). Ada's
    // pull request merges main with the founding commit, keeping its text: the merge was no
    // edit, so the joined text "never stood" and her text was judged by its own rule alone.
    let (mut env, founded) = founded_then_joined();
    merge_back_to(&env, "pr", &founded);
    refused_and_not_ratified_when_merged(&mut env);
    // main's log shows the merge as the edit that brought the old text back.
    let log = env.accord(&["log", "charter"]).ok().stdout.clone();
    assert!(log.lines().next().unwrap().contains("sign"), "{log}");
    assert!(log.contains("Merge old work"), "{log}");
}

#[test]
fn an_objection_reaches_a_text_that_comes_back_by_a_merge() {
    // Under quorum 1, Grace objected to a draft that never merged. A plain commit back to the
    // founding text is a later change her objection reaches (SPEC §4 rule 2b); the same text
    // brought back by a merge with the founding commit was no change at all.
    let mut env = TestEnv::on_positions_branch();
    let quorum = charter("quorum").replace("rule = \"quorum\"", "rule = \"quorum\"\nquorum = 1");
    env.commit_file(FILE, &quorum, "Found the charter");
    let founded = env.head();
    let weekdays = quorum.replace("paved road", "paved road on weekdays");
    env.as_(ADA).commit_file(FILE, &weekdays, "Weekdays only");
    sign_all(&mut env, &[ADA]);
    env.git(&["switch", "-q", "-c", "draft"]).ok();
    env.as_(ADA).commit_file(FILE, &quorum.replace("paved road", "paved road, always"), "Always");
    env.as_(GRACE).accord(&["object", "charter", "-m", "Always burns us out."]).ok();
    env.git(&["switch", "-q", "main"]).ok();
    env.as_(ADA);
    env.git(&["switch", "-q", "-c", "plain"]).ok();
    env.git(&["checkout", "-q", &founded, "--", FILE]).ok();
    env.git(&["commit", "-q", "-m", "Back to the founding text"]).ok();
    sign_all(&mut env, &[ADA]);
    let plain = review(&env, "main..plain");
    plain.code(1);
    assert!(plain.stdout.contains("grace@example.com is objecting"), "{}", plain.stdout);
    merge_back_to(&env, "merged", &founded);
    let r = review(&env, "main..merged");
    r.code(1);
    assert!(r.stdout.contains("grace@example.com is objecting"), "{}", r.stdout);
}

#[test]
fn an_old_branch_that_merges_main_keeping_its_own_text_is_judged_by_the_rules_in_force() {
    // The same attack with the parents the other way: a branch from the founding commit
    // merges main with `-s ours`, keeping the founding text; main fast-forwards to it.
    let (mut env, founded) = founded_then_joined();
    env.git(&["switch", "-q", "-c", "pr", &founded]).ok();
    env.git(&["merge", "-q", "-s", "ours", "main", "-m", "Merge main"]).ok();
    refused_and_not_ratified_when_merged(&mut env);
}

#[test]
fn a_proposal_closed_with_merge_s_ours_cannot_be_brought_back_past_the_rules_in_force() {
    // main closes Ada's rejected proposal (Ada alone) with `merge -s ours`; everyone signs
    // the kept charter. One merge of main with the proposal then brought it back as if it
    // were the current text's own history: "ratified" on Ada's sign-off alone.
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    env.git(&["switch", "-q", "-c", "solo"]).ok();
    env.as_(ADA).commit_file(FILE, &ada_alone(), "Proposal: Ada alone");
    env.git(&["switch", "-q", "main"]).ok();
    env.git(&["merge", "-q", "-s", "ours", "solo", "-m", "Close the rejected proposal"]).ok();
    sign_all(&mut env, &EVERYONE);
    // The close is an edit: it brought the charter back over the proposal (red-team: `log`
    // showed the proposal as the newest text, `history` the charter "never ratified").
    let log = env.accord(&["log", "charter"]).ok().stdout.clone();
    let close = log.lines().position(|l| l.contains("+2 parties")).expect(&log);
    assert!(log.lines().nth(close + 1).unwrap().contains("Close the rejected proposal"), "{log}");
    let history = env.accord(&["history", "charter"]).ok().stdout.clone();
    assert!(history.contains("ratified now"), "{history}");
    merge_back_to(&env, "pr", "solo");
    sign_all(&mut env, &[ADA]);
    let r = review(&env, "main..pr");
    r.code(1);
    assert!(r.stdout.contains("the rule in force (consent, revision "), "{}", r.stdout);
}

/// A charter under quorum 2 that Grace objects to.
pub(crate) fn objected_quorum() -> TestEnv {
    let mut env = TestEnv::on_positions_branch();
    let quorum = charter("quorum").replace("rule = \"quorum\"", "rule = \"quorum\"\nquorum = 2");
    env.commit_file(FILE, &quorum, "Add the platform charter");
    env.as_(GRACE).accord(&["object", "charter", "-m", "This charter is wrong."]).ok();
    env.as_(ADA);
    env
}

/// Grace's objection still blocks `charter`, warm and cold.
pub(crate) fn still_objecting(env: &TestEnv) {
    for cache in ["warm", "cold"] {
        let s = crate::common::ledger::status(env, "charter");
        assert_eq!(
            crate::common::ledger::party(&s, GRACE.1)["state"],
            "objecting",
            "{cache}: {s:#}"
        );
        assert_eq!(crate::common::ledger::party(&s, ADA.1)["state"], "signed", "{cache}: {s:#}");
        env.accord(&["check", "--ratified"]).code(1);
        let history = env.accord(&["history", "charter"]).ok().stdout.clone();
        assert!(!history.contains("ratified now"), "{cache}: {history}");
        std::fs::remove_dir_all(env.repo.join(".git/accord")).unwrap();
    }
}

#[test]
fn a_rename_that_main_rejected_with_merge_s_ours_leaves_the_lineage_whole() {
    // A branch renames the charter; main rejects it with `-s ours`. The rename on the
    // discarded branch had cut the lineage: the merge "created" the charter, and Grace's
    // objection (and, cold, every sign-off after it) fell away.
    let mut env = objected_quorum();
    env.git(&["switch", "-q", "-c", "rename"]).ok();
    env.git(&["mv", FILE, "agreements/platform.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Rename the charter"]).ok();
    env.git(&["switch", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--no-ff", "-s", "ours", "rename", "-m", "Reject the rename"]).ok();
    sign_all(&mut env, &[ADA, KATHERINE]);
    still_objecting(&env);
}

#[test]
fn a_pull_request_that_merges_a_throw_away_rename_cannot_drop_an_objection() {
    let mut env = objected_quorum();
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.git(&["switch", "-q", "-c", "throwaway"]).ok();
    env.git(&["mv", FILE, "agreements/tmp-name.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Rename (throw-away)"]).ok();
    env.git(&["switch", "-q", "pr"]).ok();
    env.git(&["merge", "-q", "--no-ff", "-s", "ours", "throwaway", "-m", "Merge it, ours"]).ok();
    env.git(&["branch", "-q", "-D", "throwaway"]).ok();
    let text = std::fs::read_to_string(env.repo.join(FILE)).unwrap();
    env.commit_file(FILE, &text.replace("paved road", "paved road, and nothing else"), "PR");
    sign_all(&mut env, &[ADA, KATHERINE]);
    let r = review(&env, &format!("{base}..pr"));
    r.code(1);
    assert!(r.stdout.contains("grace@example.com is objecting"), "{}", r.stdout);
    env.git(&["switch", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--no-ff", "pr", "-m", "Merge the PR"]).ok();
    still_objecting(&env);
}

/// A pull request on the objected charter (see [`objected_quorum`]) that renames it to a
/// scratch name, adds a new charter under the old id, then deletes the scratch file. Returns
/// the environment, on `pr`, and BASE.
fn renamed_away_and_replaced() -> (TestEnv, String) {
    let env = objected_quorum();
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.git(&["mv", FILE, "agreements/tmp-name.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Rename away"]).ok();
    let text = std::fs::read_to_string(env.repo.join("agreements/tmp-name.toml")).unwrap();
    env.commit_file(FILE, &text.replace("paved road", "paved road, and nothing else"), "New");
    env.git(&["rm", "-q", "agreements/tmp-name.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Drop the scratch name"]).ok();
    (env, base)
}

/// Once Ada and Katherine sign the new charter, the gate still refuses the range: the old
/// charter was removed under its scratch name without a ratified retirement.
fn refused_as_removed_under_its_scratch_name(mut env: TestEnv, base: &str) {
    sign_all(&mut env, &[ADA, KATHERINE]);
    let r = review(&env, &format!("{base}..pr"));
    r.code(1);
    let said = "removed without a ratified retirement: charter (renamed to tmp-name, then removed)";
    assert!(r.stderr.contains(said), "{}", r.stderr);
}

#[test]
fn renaming_an_agreement_away_and_adding_a_new_one_under_its_id_is_a_removal() {
    // The new charter was judged as new (Grace's objection was the old one's), and the old
    // agreement's removal was never looked at: its last name was at neither end of the range.
    let (env, base) = renamed_away_and_replaced();
    refused_as_removed_under_its_scratch_name(env, &base);
}

#[test]
fn a_retired_agreement_moved_onto_the_freed_name_does_not_retire_the_renamed_one() {
    // Then a throw-away agreement that only Ada is party to, retired and signed by her, is
    // moved onto the scratch name and removed: the check judged whatever last lived under
    // that name.
    let (env, base) = renamed_away_and_replaced();
    let junk = ada_alone().replace("schema = 1\n", "schema = 1\nretired = true\n");
    env.commit_file("agreements/junk.toml", &junk, "Junk, retired");
    env.accord(&["sign", "junk"]).ok();
    env.git(&["mv", "agreements/junk.toml", "agreements/tmp-name.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Junk onto the scratch name"]).ok();
    env.git(&["rm", "-q", "agreements/tmp-name.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Drop it again"]).ok();
    refused_as_removed_under_its_scratch_name(env, &base);
}
