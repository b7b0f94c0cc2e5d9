//! A fifth red-team round: renames that handed an agreement's positions to another agreement
//! (or to none), so that an open objection was lost or a removal was refused. Each attack is
//! a test that failed before its fix; the positions are on the positions branch, where only
//! the id they name and the text they name say whose they are.

use crate::common::ledger::{state, status, FILE};
use crate::common::*;
use crate::gate_attacks::{ratified, review, still_objecting};
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
    let base = env.head();
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.commit_file(FILE, &quorum("Give every product team a pager rota"), "Amend");
    sign_all(&mut env, &[ADA, KATHERINE]);
    let r = review(&env, &format!("{base}..pr"));
    r.code(1);
    assert!(r.stdout.contains("grace@example.com is objecting"), "{}", r.stdout);
    merge(&env);
    for cache in ["warm", "cold"] {
        assert_eq!(state(&status(&env, "archive"), GRACE.1), "silent", "{cache}");
        std::fs::remove_dir_all(env.repo.join(".git/accord")).unwrap();
    }
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
    for cache in ["warm", "cold"] {
        assert_eq!(state(&status(env, "draft"), GRACE.1), "objecting", "{cache}");
        assert_eq!(state(&status(env, "charter"), GRACE.1), "silent", "{cache}");
        std::fs::remove_dir_all(env.repo.join(".git/accord")).unwrap();
    }
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
    for cache in ["warm", "cold"] {
        assert_eq!(state(&status(&env, "platform"), GRACE.1), "silent", "{cache}");
        std::fs::remove_dir_all(env.repo.join(".git/accord")).unwrap();
    }
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
