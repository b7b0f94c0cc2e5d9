//! A fifth red-team round: renames that handed an agreement's positions to another agreement
//! (or to none), so that an open objection was lost or a removal was refused. Each attack is
//! a test that failed before its fix; the positions are on the positions branch, where only
//! the id they name and the text they name say whose they are.

use crate::common::ledger::{state, status, FILE};
use crate::common::*;
use crate::gate_attacks::{ada_alone, objected_quorum, ratified, review, still_objecting};
use crate::rules_in_force::sign_all;

/// The charter under quorum 2 (Ada and Katherine can ratify it without Grace).
fn quorum(purpose: &str) -> String {
    charter("quorum")
        .replace("rule = \"quorum\"", "rule = \"quorum\"\nquorum = 2")
        .replace("Give every product team a paved road", purpose)
}

fn mv(env: &TestEnv, from: &str, to: &str) {
    let path = |id: &str| format!("agreements/{id}.toml");
    env.git(&["mv", &path(from), &path(to)]).ok();
    env.git(&["commit", "-q", "-m", &format!("Rename {from} to {to}")]).ok();
}

/// Grace's state on each id is the one given, warm and then cold.
fn grace_is(env: &TestEnv, want: &[(&str, &str)]) {
    for cache in ["warm", "cold"] {
        for (id, state_there) in want {
            assert_eq!(state(&status(env, id), GRACE.1), *state_there, "{id}, {cache}");
        }
        std::fs::remove_dir_all(env.repo.join(".git/accord")).unwrap();
    }
}

/// A pull request from HEAD amends the charter, and Ada and Katherine sign it: the gate
/// refuses it, Grace objecting. Leaves the environment on `pr`.
fn amended_charter_refused(env: &mut TestEnv) {
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.commit_file(FILE, &quorum("Give every product team a pager rota"), "Amend");
    sign_all(env, &[ADA, KATHERINE]);
    let r = review(env, &format!("{base}..pr"));
    r.code(1);
    assert!(r.stdout.contains("grace@example.com is objecting"), "{}", r.stdout);
}

/// Merge `pr` into `main` with a merge commit.
fn merge(env: &TestEnv) {
    env.git(&["switch", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--no-ff", "pr", "-m", "Merge the pull request"]).ok();
}

#[test]
fn an_objection_to_a_new_charter_started_from_the_archived_text_stays_with_it() {
    // `git mv charter archive`, then a new charter from the same text; Grace objects to the
    // new one. Her objection named a text the name held before the rename, so it was handed
    // to `archive`, and the amended charter passed with it open (SPEC §4 rule 2(b)).
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &quorum("Give every product team a paved road"), "The charter");
    mv(&env, "charter", "archive");
    env.git(&["checkout", "HEAD~1", "--", FILE]).ok();
    env.git(&["commit", "-q", "-m", "Start the new charter from the old text"]).ok();
    env.as_(GRACE).accord(&["object", "charter", "-m", "Not this again."]).ok();
    env.as_(ADA);
    amended_charter_refused(&mut env);
    merge(&env);
    // (Both agreements held that text under that name: the objection is read as about both.)
    grace_is(&env, &[("archive", "objecting")]);
    still_objecting(&env);
}

#[test]
fn renamed_away_back_and_away_again_the_objection_stays_with_the_renamed_file() {
    // charter → draft → charter → draft, and a new charter: the rename back was taken for
    // the old agreement going on as `charter`, so Grace's objection to `draft` was handed to
    // the new charter, and an amended draft passed. (Made before the rename back, or after
    // the new charter took the name, as the red team did.)
    for early in [true, false] {
        let mut env = TestEnv::on_positions_branch();
        env.commit_file(FILE, &quorum("Give every product team a paved road"), "The charter");
        mv(&env, "charter", "draft");
        if early {
            env.as_(GRACE).accord(&["object", "draft", "-m", "Not the draft."]).ok();
            env.as_(ADA);
        }
        mv(&env, "draft", "charter");
        mv(&env, "charter", "draft");
        env.commit_file(FILE, &quorum("A new team, a new charter, from scratch"), "New");
        if !early {
            env.as_(GRACE).accord(&["object", "draft", "-m", "Not the draft."]).ok();
            env.as_(ADA);
        }
        amended_draft_still_objected(&mut env);
    }
}

/// A pull request amends `draft` (Grace objecting to it), which Ada and Katherine sign.
fn amended_draft_still_objected(env: &mut TestEnv) {
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    let draft = "agreements/draft.toml";
    env.commit_file(draft, &quorum("Give every product team a pager rota"), "Amend the draft");
    for who in [ADA, KATHERINE] {
        env.as_(who).accord(&["sign", "draft"]).ok();
    }
    env.as_(ADA);
    let r = review(env, &format!("{base}..pr"));
    r.code(1);
    assert!(r.stdout.contains("grace@example.com is objecting"), "{}", r.stdout);
    merge(env);
    grace_is(env, &[("draft", "objecting"), ("charter", "silent")]);
}

/// `platform`, objected to by Grace, renamed to `charter`, which Ada and Katherine sign.
fn objected_then_renamed() -> TestEnv {
    let mut env = TestEnv::on_positions_branch();
    let platform = "agreements/platform.toml";
    env.commit_file(platform, &quorum("Give every product team a paved road"), "Platform");
    env.as_(GRACE).accord(&["object", "platform", "-m", "This charter is wrong."]).ok();
    env.as_(ADA);
    mv(&env, "platform", "charter");
    sign_all(&mut env, &[ADA, KATHERINE]);
    env.accord(&["check", "--ratified"]).code(1);
    env.as_(ADA);
    env
}

#[test]
fn a_throw_away_file_under_a_freed_id_does_not_drop_the_positions_made_under_it() {
    // A pull request adds a file under the freed id `platform` and deletes it again: the
    // newest removal of `platform` was no rename, so every position under `platform` (Grace's
    // open objection) was forgotten once it merged.
    let env = objected_then_renamed();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    let platform = "agreements/platform.toml";
    env.commit_file(platform, &quorum("A throw-away"), "A draft under the freed id");
    env.git(&["rm", "-q", platform]).ok();
    env.git(&["commit", "-q", "-m", "Drop the draft"]).ok();
    merge(&env);
    still_objecting(&env);
}

#[test]
fn a_new_agreement_under_a_freed_id_leaves_the_renamed_ones_positions_with_it() {
    // The honest version: a new `platform` stays. `charter` keeps Grace's objection made
    // under its old id, and the sign-offs made under its new one.
    let env = objected_then_renamed();
    env.commit_file("agreements/platform.toml", &quorum("A new platform"), "New platform");
    grace_is(&env, &[("platform", "silent")]);
    still_objecting(&env);
}

#[test]
fn renamed_then_retired_and_removed_under_its_new_name_passes_the_gate() {
    // `git mv charter platform`, a ratified retirement of `platform`, then its removal: the
    // gate judged the removal by the last text under `charter`, never retired.
    let mut env = ratified();
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    mv(&env, "charter", "platform");
    let platform = "agreements/platform.toml";
    let text = std::fs::read_to_string(env.repo.join(platform)).unwrap();
    env.commit_file(platform, &text.replace("schema = 1\n", "schema = 1\nretired = true\n"), "R");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "platform"]).ok();
    }
    env.as_(ADA);
    env.git(&["rm", "-q", platform]).ok();
    env.git(&["commit", "-q", "-m", "Remove the retired platform"]).ok();
    review(&env, &format!("{base}..pr")).ok();
    // Unsigned, the retirement does not count.
    let env = ratified();
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    mv(&env, "charter", "platform");
    let text = std::fs::read_to_string(env.repo.join(platform)).unwrap();
    env.commit_file(platform, &text.replace("schema = 1\n", "schema = 1\nretired = true\n"), "R");
    env.accord(&["sign", "platform"]).ok();
    env.git(&["rm", "-q", platform]).ok();
    env.git(&["commit", "-q", "-m", "Remove the retired platform"]).ok();
    let r = review(&env, &format!("{base}..pr"));
    r.code(1);
    let said = "removed without a ratified retirement: charter (renamed to platform, then removed)";
    assert!(r.stderr.contains(said), "{}", r.stderr);
}

/// A note only Ada is party to, nothing like the charter.
fn scratch_note() -> String {
    ada_alone().replace("Give every product team a paved road", "A scratch note of Ada's")
}

#[test]
fn a_freed_id_reused_and_renamed_again_does_not_take_the_old_agreements_positions() {
    // A pull request adds a note under the freed id `platform` and renames it to `scratch`
    // (then, in the second variant, removes it): every position under `platform`, Grace's
    // objection to the charter among them, went with the newest rename of the name.
    for removed in [false, true] {
        let env = objected_then_renamed();
        env.git(&["switch", "-q", "-c", "pr"]).ok();
        env.commit_file("agreements/platform.toml", &scratch_note(), "A note");
        mv(&env, "platform", "scratch");
        env.accord(&["sign", "scratch"]).ok();
        if removed {
            env.git(&["rm", "-q", "agreements/scratch.toml"]).ok();
            env.git(&["commit", "-q", "-m", "Drop the note"]).ok();
        }
        merge(&env);
        still_objecting(&env);
    }
}

#[test]
fn a_junk_rename_of_a_name_the_lineage_left_does_not_drop_it() {
    // charter (Grace objecting) → x, a new charter, x → y; then a pull request adds a junk
    // `x`, renames it to `q` and removes it. Following the names from `x` led to the junk,
    // so y's lineage was taken for removed and every position before the rename dropped.
    let mut env = objected_quorum();
    sign_all(&mut env, &[ADA, KATHERINE]);
    mv(&env, "charter", "x");
    env.commit_file(FILE, &quorum("A new charter for a new team"), "New charter");
    mv(&env, "x", "y");
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.commit_file("agreements/x.toml", &scratch_note(), "Junk");
    mv(&env, "x", "q");
    env.git(&["rm", "-q", "agreements/q.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Drop the junk"]).ok();
    merge(&env);
    for who in [ADA, KATHERINE] {
        env.as_(who).accord(&["sign", "y"]).ok();
    }
    env.as_(ADA);
    env.accord(&["check", "--ratified"]).code(1);
    grace_is(&env, &[("y", "objecting")]);
}

#[test]
fn a_rename_dated_in_the_future_does_not_take_the_positions_made_after_it() {
    // `git mv charter archive` and a new charter from the same text, dated years ahead and
    // merged: Grace's objection to the new charter, made later, looked older than the rename
    // and went to `archive`, and an amended charter passed the gate.
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &quorum("Give every product team a paved road"), "The charter");
    sign_all(&mut env, &[ADA, GRACE, KATHERINE]);
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    let now = env.clock.get();
    env.clock.set(now + 100_000_000);
    mv(&env, "charter", "archive");
    env.git(&["checkout", "HEAD~1", "--", FILE]).ok();
    env.git(&["commit", "-q", "-m", "Start the new charter from the old text"]).ok();
    env.clock.set(now);
    merge(&env);
    env.as_(GRACE).accord(&["object", "charter", "-m", "Not this again."]).ok();
    env.as_(ADA);
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "objecting");
    env.git(&["branch", "-q", "-D", "pr"]).ok();
    amended_charter_refused(&mut env);
}

/// Warm (the cache from a run before the last commits) and cold, each party's state on `id`.
fn warm_and_cold(env: &TestEnv, id: &str) -> [Vec<String>; 2] {
    let states = |env: &TestEnv| {
        let s = status(env, id);
        s["parties"].as_array().unwrap().iter().map(|p| p["state"].to_string()).collect()
    };
    let warm = states(env);
    std::fs::remove_dir_all(env.repo.join(".git/accord")).unwrap();
    [warm, states(env)]
}

#[test]
fn what_a_run_found_of_renames_is_asked_again_once_the_folder_changed() {
    // `status` remembered that `foo` (removed) went nowhere, and that `charter` was never
    // renamed away, and carried both over the later commits that renamed them.
    let mut env = objected_quorum();
    env.commit_file("agreements/foo.toml", &quorum("Give every team a pager rota"), "Foo");
    env.as_(GRACE).accord(&["object", "foo", "-m", "No rota."]).ok();
    env.as_(ADA);
    env.git(&["rm", "-q", "agreements/foo.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Drop foo"]).ok();
    env.accord(&["status"]).ok();
    env.git(&["checkout", "HEAD~1", "--", "agreements/foo.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Foo again"]).ok();
    mv(&env, "foo", "bar");
    mv(&env, "charter", "archive");
    env.git(&["checkout", "HEAD~1", "--", FILE]).ok();
    env.git(&["commit", "-q", "-m", "A new charter from the old text"]).ok();
    for id in ["bar", "charter", "archive"] {
        env.accord(&["status"]).ok();
        let [warm, cold] = warm_and_cold(&env, id);
        assert_eq!(warm, cold, "{id}");
        assert!(warm.contains(&"\"objecting\"".to_string()), "{id}: {warm:?}");
    }
}

#[test]
fn archiving_the_charter_and_promoting_the_draft_keeps_both_lineages() {
    // `git mv charter archive`, `git mv draft charter`, merged with a merge commit: the
    // merge's own diff pairs draft with archive, and draft's sign-offs went to `archive`.
    let mut env = TestEnv::on_positions_branch();
    let draft = charter("consent").replace(
        "Give every product team a paved road",
        "A paved road, and a pager rota for every team, from day one",
    );
    env.commit_file(FILE, &charter("consent"), "The charter");
    env.commit_file("agreements/draft.toml", &draft, "The draft");
    sign_all(&mut env, &[ADA, GRACE, KATHERINE]);
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "draft"]).ok();
    }
    env.as_(ADA);
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    let base = env.head();
    mv(&env, "charter", "archive");
    mv(&env, "draft", "charter");
    // The gate refuses the rename onto a used id, and says so (it said "draft" was removed).
    let r = review(&env, &format!("{base}..pr"));
    r.code(1);
    let said = "renamed onto an id an earlier agreement had: charter";
    assert!(r.stderr.contains(said) && !r.stderr.contains("removed"), "{}", r.stderr);
    merge(&env);
    for id in ["charter", "archive"] {
        for cache in ["warm", "cold"] {
            assert_eq!(status(&env, id)["ratified"], true, "{id} {cache}");
            std::fs::remove_dir_all(env.repo.join(".git/accord")).unwrap();
        }
    }
}

#[test]
fn an_objection_on_a_branch_that_forked_before_the_rename_stays_with_the_renamed_agreement() {
    // A branch amends the charter; Grace objects to its text. `main` renames the charter to
    // `archive`, merges the branch (git carries the edit into archive.toml), and a new
    // `charter` comes later. The branch's text was taken for the new charter's (its commit is
    // no ancestor of the rename), so her objection went to it and archive passed.
    let mut env = objected_quorum();
    env.as_(GRACE).accord(&["withdraw", "charter"]).ok();
    env.as_(ADA);
    env.git(&["switch", "-q", "-c", "amend"]).ok();
    env.commit_file(FILE, &quorum("Give every product team a paved road, pager alone"), "Amend");
    env.as_(GRACE).accord(&["object", "charter", "-m", "The pager must be shared."]).ok();
    env.as_(ADA);
    env.git(&["switch", "-q", "main"]).ok();
    mv(&env, "charter", "archive");
    env.git(&["merge", "-q", "--no-edit", "amend"]).ok();
    for who in [ADA, KATHERINE] {
        env.as_(who).accord(&["sign", "archive"]).ok();
    }
    env.as_(ADA);
    env.commit_file(FILE, &quorum("A brand-new charter for the data team"), "New charter");
    grace_is(&env, &[("archive", "objecting"), ("charter", "silent")]);
}

#[test]
fn a_withdraw_meant_for_a_new_agreement_does_not_lift_the_renamed_ones_objection() {
    // Grace objects to the charter, renamed to `archive`. A new `charter` is drafted on a
    // branch; she objects to its first draft and withdraws that, and the branch is
    // squash-merged (the draft is in no commit of main). A text the name never held was read
    // as about both agreements: her withdraw lifted her objection to archive too, and its
    // retirement passed the gate on Ada's and Katherine's sign-offs.
    let mut env = objected_quorum();
    sign_all(&mut env, &[ADA, KATHERINE]);
    env.as_(ADA);
    mv(&env, "charter", "archive");
    env.git(&["switch", "-q", "-c", "new"]).ok();
    env.commit_file(FILE, &quorum("Draft one of the data team's charter"), "D1");
    env.as_(GRACE).accord(&["object", "charter", "-m", "Too vague."]).ok();
    env.as_(GRACE).accord(&["withdraw", "charter"]).ok();
    env.as_(ADA);
    env.commit_file(FILE, &quorum("Draft two of the data team's charter"), "D2");
    env.git(&["switch", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--squash", "new"]).ok();
    env.git(&["commit", "-q", "-m", "New charter (#2)"]).ok();
    let base = env.head();
    env.git(&["switch", "-q", "-c", "retire"]).ok();
    let archive = "agreements/archive.toml";
    let text = std::fs::read_to_string(env.repo.join(archive)).unwrap();
    env.commit_file(archive, &text.replace("schema = 1\n", "schema = 1\nretired = true\n"), "R");
    for who in [ADA, KATHERINE] {
        env.as_(who).accord(&["sign", "archive"]).ok();
    }
    env.as_(ADA);
    let r = review(&env, &format!("{base}..retire"));
    r.code(1);
    assert!(r.stdout.contains("grace@example.com is objecting"), "{}", r.stdout);
}

#[test]
fn swapping_two_agreements_ids_is_refused_as_a_rename_onto_a_used_id() {
    // `a` and `b` swapped through a scratch name (three renames): both ids are at both ends,
    // so no rename onto a used id was seen, and `a` went on holding `b`'s agreement (where a
    // supersession of `a` then named the wrong one).
    let mut env = TestEnv::on_positions_branch();
    let a = charter("consent").replace("Give every product team a paved road", "Freeze deploys");
    let b = charter("consent").replace("Give every product team a paved road", "Rotate pagers");
    env.commit_file("agreements/a.toml", &a, "A");
    env.commit_file("agreements/b.toml", &b, "B");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "a"]).ok();
        env.as_(who).accord(&["sign", "b"]).ok();
    }
    env.as_(ADA);
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    mv(&env, "a", "tmp");
    mv(&env, "b", "a");
    mv(&env, "tmp", "b");
    let r = review(&env, &format!("{base}..pr"));
    r.code(1);
    let said = "renamed onto an id an earlier agreement had: a, b";
    assert!(r.stderr.contains(said), "{}", r.stderr);
}

#[test]
fn a_rename_dated_in_the_future_does_not_switch_off_the_rules_in_force() {
    // `git mv charter archive` dated years ahead, and a new charter everyone signs: its
    // history split the positions under `charter` by the rename's date, so it was never
    // ratified there, and a later change of its rule was judged by the new rule alone.
    let mut env = ratified();
    env.git(&["switch", "-q", "-c", "pr1"]).ok();
    let now = env.clock.get();
    env.clock.set(now + 100_000_000);
    mv(&env, "charter", "archive");
    env.clock.set(now);
    let data = charter("consent").replace("Give every product team a paved road", "Run the data");
    env.commit_file(FILE, &data, "A new charter");
    env.git(&["switch", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--no-ff", "pr1", "-m", "Merge pr1"]).ok();
    sign_all(&mut env, &[ADA, GRACE, KATHERINE]);
    env.as_(ADA);
    let history = env.accord(&["history", "charter"]).ok().stdout.clone();
    assert!(history.contains("ratified now"), "{history}");
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr2"]).ok();
    let majority = data.replace("rule = \"consent\"", "rule = \"majority\"");
    env.commit_file(FILE, &majority, "Majority rule");
    sign_all(&mut env, &[ADA, KATHERINE]);
    let r = review(&env, &format!("{base}..pr2"));
    r.code(1);
    assert!(r.stdout.contains("the rule in force (consent, revision "), "{}", r.stdout);
}

#[test]
fn a_new_agreement_started_from_a_renamed_ones_file_takes_none_of_its_consent_away() {
    // `charter`, signed by everyone, renamed to `platform`; later a new `charter` starts as a
    // verbatim copy of platform.toml and is then edited. The old sign-offs name a text the
    // name held before and after the rename, and were given to the new agreement only:
    // `platform` fell to never ratified (main's `check --ratified` failed), its rules in
    // force were gone, and a pull request dropping two of its parties passed on Ada's
    // sign-off alone.
    let mut env = ratified();
    mv(&env, "charter", "platform");
    let platform = "agreements/platform.toml";
    let copy = std::fs::read_to_string(env.repo.join(platform)).unwrap();
    env.commit_file(FILE, &copy, "Start a new charter from the platform's file");
    let data = charter("consent").replace("Give every product team a paved road", "Run the data");
    env.commit_file(FILE, &data, "The data charter");
    sign_all(&mut env, &[ADA, GRACE, KATHERINE]);
    env.as_(ADA);
    for cache in ["warm", "cold"] {
        assert_eq!(status(&env, "platform")["ratified"], true, "{cache}");
        env.accord(&["check", "--ratified"]).ok();
        std::fs::remove_dir_all(env.repo.join(".git/accord")).unwrap();
    }
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.commit_file(platform, &crate::gate_attacks::ada_alone(), "Ada alone");
    env.accord(&["sign", "platform"]).ok();
    let r = review(&env, &format!("{base}..pr"));
    r.code(1);
    assert!(r.stdout.contains("the rule in force (consent, revision "), "{}", r.stdout);
}

#[test]
fn reverting_a_rename_is_no_rename_onto_a_used_id() {
    // `git revert` of a `git mv` in a pull request: the name it goes back to was the
    // agreement's own, yet the gate refused it as an id an earlier agreement had.
    let env = ratified();
    mv(&env, "charter", "platform");
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.git(&["revert", "--no-edit", "HEAD"]).ok();
    let r = review(&env, &format!("{base}..pr")).ok().stdout.clone();
    assert!(r.contains("renamed from platform"), "{r}");
    // A name another agreement had before is still refused.
    let env = ratified();
    env.git(&["rm", "-q", FILE]).ok();
    env.git(&["commit", "-q", "-m", "Drop the charter"]).ok();
    let other = charter("consent").replace("Give every product team a paved road", "Run the data");
    env.commit_file("agreements/data.toml", &other, "Data");
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    mv(&env, "data", "charter");
    let r = review(&env, &format!("{base}..pr"));
    r.code(1);
    assert!(
        r.stderr.contains("renamed onto an id an earlier agreement had: charter"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_objection_to_a_draft_withdrawn_before_the_rename_does_not_block_a_new_agreement() {
    // Grace objects to two drafts of the charter that never reach main; main edits the charter
    // (her objection reaches forward to it) and she withdraws there, on the charter's own
    // text (`accord withdraw charter` on main). The charter is renamed to
    // `archive` and a new charter takes the name. Her objections named texts neither
    // agreement held, so they were read as about both; her withdraw named a text only the
    // renamed one held, so it lifted it there alone: the new charter stayed blocked by an
    // objection its party had taken back before it existed.
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &quorum("Give every product team a paved road"), "The charter");
    env.git(&["switch", "-q", "-c", "draft"]).ok();
    env.commit_file(FILE, &quorum("Give every product team a pager rota"), "A draft");
    env.as_(GRACE).accord(&["object", "charter", "-m", "Not a pager rota."]).ok();
    env.as_(ADA);
    // A second draft she objects to as well: the withdraw settles both.
    env.commit_file(FILE, &quorum("Give every product team two pager rotas"), "Draft two");
    env.as_(GRACE).accord(&["object", "charter", "-m", "Nor two."]).ok();
    env.as_(ADA);
    env.git(&["switch", "-q", "main"]).ok();
    env.commit_file(FILE, &quorum("Give every product team a paved road to production"), "Edit");
    grace_is(&env, &[("charter", "objecting")]);
    env.as_(GRACE).accord(&["withdraw", "charter"]).ok();
    env.as_(ADA);
    mv(&env, "charter", "archive");
    env.commit_file(FILE, &quorum("Give the data team a paved road"), "A new charter");
    sign_all(&mut env, &[ADA, KATHERINE]);
    grace_is(&env, &[("charter", "silent"), ("archive", "silent")]);
    for cache in ["warm", "cold"] {
        let history = env.accord(&["history", "charter"]).ok().stdout.clone();
        assert!(history.contains("ratified now"), "{cache}: {history}");
        let _ = std::fs::remove_dir_all(env.repo.join(".git/accord"));
    }
}

#[test]
fn an_objection_to_a_new_agreements_draft_is_not_lifted_by_a_withdraw_on_the_renamed_text() {
    // The other order: the charter is renamed to `archive` first, a new charter is drafted on
    // a branch, and Grace objects to that draft (a text neither held, so about both). Her
    // objection and withdraw under the id before it, on the old charter's text, do not settle
    // it: the objection reaches forward to the new charter that is merged.
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &quorum("Give every product team a paved road"), "The charter");
    env.as_(GRACE).accord(&["object", "charter", "-m", "Not yet."]).ok();
    env.as_(GRACE).accord(&["withdraw", "charter"]).ok();
    env.as_(ADA);
    mv(&env, "charter", "archive");
    env.git(&["switch", "-q", "-c", "new"]).ok();
    env.commit_file(FILE, &quorum("Draft one of the data team's charter"), "D1");
    env.as_(GRACE).accord(&["object", "charter", "-m", "Too vague."]).ok();
    env.as_(ADA);
    env.commit_file(FILE, &quorum("Draft two of the data team's charter"), "D2");
    env.git(&["switch", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--squash", "new"]).ok();
    env.git(&["commit", "-q", "-m", "New charter (#2)"]).ok();
    sign_all(&mut env, &[ADA, KATHERINE]);
    grace_is(&env, &[("charter", "objecting")]);
}
