//! `accord verify`: positions made by their party, an unknown agreement, and SSH-signed positions
//! that git verifies.

use std::process::Command;

use crate::common::ledger::*;
use crate::common::*;

#[test]
fn verify_passes_for_positions_made_by_their_party() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["object", "charter", "-m", "no"]).ok();
    env.as_(GRACE).accord(&["withdraw", "charter"]).ok();
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    hand_position(&env, "sign", "Ada Lovelace <ada@example.com>", "again by hand");
    let r = env.accord(&["verify"]).ok().clone();
    assert!(r.stdout.contains("ok: 4 position(s)"), "{}", r.stdout);
    let j = env.accord(&["verify", "--format", "json"]).ok().json();
    assert_eq!(j, serde_json::json!({"ok": true, "checked": 4, "failures": []}));
}

#[test]
fn verify_names_a_position_whose_author_is_not_its_party() {
    let mut env = setup("consent");
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    // Katherine forges a sign-off for Grace.
    env.as_(KATHERINE);
    hand_position(&env, "sign", "Grace Hopper <grace@example.com>", "forged");
    let forged = env.head();
    // status counts trailers (and says who the commit names); verify catches the author.
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "signed");
    let r = env.accord(&["verify"]);
    r.code(1);
    assert!(r.stdout.contains(&forged), "names the commit: {}", r.stdout);
    assert!(r.stdout.contains("katherine@example.com"), "{}", r.stdout);
    assert!(r.stderr.contains("1 problem(s)"), "{}", r.stderr);
    let j = env.accord(&["verify", "--format", "json"]);
    j.code(1);
    let j = j.json();
    assert_eq!(j["ok"], false);
    assert_eq!(j["checked"], 2);
    assert_eq!(j["failures"].as_array().unwrap().len(), 1);
    assert_eq!(j["failures"][0]["commit"], forged);
    assert_eq!(j["failures"][0]["party"], "Grace Hopper <grace@example.com>");
    // Restricted to another agreement, nothing fails.
    env.commit_file("agreements/other.toml", &charter("consent"), "other");
    let r = env.accord(&["verify", "other"]).ok().clone();
    assert!(r.stdout.contains("ok: 0 position(s)"), "{}", r.stdout);
}

#[test]
fn verify_of_a_renamed_agreement_checks_the_positions_under_its_earlier_id() {
    // Red-team finding: after `git mv`, `verify <new id>` checked none of the positions that
    // count for it (they name the old id): a forged sign-off that ratified it passed.
    let mut env = setup("consent");
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    env.as_(KATHERINE);
    hand_position(&env, "sign", "Grace Hopper <grace@example.com>", "forged");
    let forged = env.head();
    env.as_(ADA).git(&["mv", "agreements/charter.toml", "agreements/team.toml"]).ok();
    env.git(&["commit", "-q", "-m", "rename"]).ok();
    assert_eq!(state(&status(&env, "team"), GRACE.1), "signed", "the forgery counts for it");
    let r = env.accord(&["verify", "team"]);
    r.code(1);
    assert!(r.stdout.contains(&forged), "names the forged commit: {}", r.stdout);
    assert!(r.stderr.contains("1 problem(s) in 2 position(s)"), "{}", r.stderr);
    // A position under the old id is judged against the agreement as it is now.
    let j = env.accord(&["verify", "team", "--format", "json"]).json();
    assert_eq!(j["checked"], 2);
    assert_eq!(j["failures"][0]["agreement"], "charter");
}

#[test]
fn verify_refuses_an_agreement_it_cannot_read_as_every_command_does() {
    // Red-team finding: plain `verify` said "ok" (exit 0) with an agreement at HEAD that
    // cannot be read, or breaks a rule, where `verify <id>` and `status` exit 2 (SPEC §3).
    let mut env = setup("consent");
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    env.accord(&["verify"]).ok();
    let text = env.read(FILE);
    env.commit_file(FILE, &text.replacen("[[party]]", "[[party]]\nunknown_key = 1", 1), "typo");
    for args in [&["verify"][..], &["verify", "charter"][..]] {
        let r = env.accord(args);
        assert!(r.code(2).stderr.contains("unknown_key"), "{args:?}: {}", r.stderr);
    }
    // One that parses but breaks a rule (an email named twice).
    let twice = text.replacen("email = \"grace@example.com\"", "email = \"ADA@example.com\"", 1);
    assert_ne!(twice, text);
    env.commit_file(FILE, &twice, "twice");
    let r = env.accord(&["verify"]);
    assert!(r.code(2).stderr.contains("charter.toml"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Signed positions

#[test]
fn an_ssh_signed_position_verifies_with_git() {
    let env = setup("consent");
    let key = env.home.join("key");
    let kg = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "ada", "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(kg.status.success(), "{}", String::from_utf8_lossy(&kg.stderr));
    let public = std::fs::read_to_string(env.home.join("key.pub")).unwrap();
    let allowed = env.home.join("allowed_signers");
    std::fs::write(&allowed, format!("ada@example.com {}", public.trim())).unwrap();
    for (k, v) in [
        ("gpg.format", "ssh"),
        ("user.signingkey", key.to_str().unwrap()),
        ("commit.gpgsign", "true"),
        ("gpg.ssh.allowedSignersFile", allowed.to_str().unwrap()),
    ] {
        env.git(&["config", k, v]).ok();
    }
    env.accord(&["sign", "charter", "-m", "signed and sealed"]).ok();
    env.git(&["verify-commit", "HEAD"]).ok();
    assert_eq!(env.git(&["log", "-1", "--format=%G?"]).stdout.trim(), "G");
    assert_eq!(env.git(&["log", "-1", "--format=%GS"]).stdout.trim(), "ada@example.com");
    // Still a position like any other.
    assert_eq!(rev_parse(&env, "HEAD^{tree}"), rev_parse(&env, "HEAD~1^{tree}"));
    assert_eq!(git_trailers(&env, "HEAD").len(), 5);
    assert_eq!(state(&status(&env, "charter"), ADA.1), "signed");
    let r = env.accord(&["verify", "--signed"]).ok().clone();
    assert!(r.stdout.contains("ok: 1 position(s), each made and signed"), "{}", r.stdout);
    // --no-gpg-sign opts out, as with git commit; verify --signed then names the commit.
    let mut env = env;
    env.as_(GRACE).accord(&["sign", "charter", "--no-gpg-sign"]).ok();
    assert_eq!(env.git(&["log", "-1", "--format=%G?"]).stdout.trim(), "N");
    let r = env.accord(&["verify", "--signed"]);
    r.code(1);
    assert!(
        r.stdout.contains(&format!(
            "{} (charter, Grace Hopper <grace@example.com>): the commit is not signed",
            env.head()
        )),
        "{}",
        r.stdout
    );
    // -S signs without commit.gpgsign, as `git commit -S` does.
    env.git(&["config", "commit.gpgsign", "false"]).ok();
    env.as_(ADA).accord(&["abstain", "charter"]).ok();
    assert_eq!(env.git(&["log", "-1", "--format=%G?"]).stdout.trim(), "N");
    env.accord(&["sign", "charter", "-S"]).ok();
    env.git(&["verify-commit", "HEAD"]).ok();
    assert_eq!(env.git(&["log", "-1", "--format=%G?"]).stdout.trim(), "G");
}

// ---------------------------------------------------------------------------------------------
// Findings of the spec review: each a regression test

#[test]
fn verify_of_an_unknown_agreement_is_an_error_not_all_good() {
    let env = setup("consent");
    let r = env.accord(&["verify", "nope"]);
    r.code(2);
    assert!(r.stderr.contains("no agreement `nope`"), "{}", r.stderr);
}

#[test]
fn verify_reports_commits_on_the_positions_branch_that_are_not_positions() {
    // Red-team finding: on the working branch a commit with two `Accord-Position` trailers is
    // reported ("not a position"); on the positions branch it, and a three-parent merge
    // carrying a whole trailer block, passed `verify` as "ok" (SPEC §4: `verify` reports
    // commits that carry `Accord-` trailers without being a valid position).
    let mut env = TestEnv::on_positions_branch();
    env.as_(ADA);
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the charter");
    env.accord(&["sign", "charter"]).ok();
    let rev =
        env.git(&["rev-parse", "HEAD:agreements/charter.toml"]).ok().stdout.trim().to_string();
    let tree = env.git(&["rev-parse", "accord/positions^{tree}"]).ok().stdout.trim().to_string();
    let tip = env.git(&["rev-parse", "accord/positions"]).ok().stdout.trim().to_string();
    let block = format!(
        "Accord-Agreement: charter\nAccord-Revision: {rev}\nAccord-Party: Ada Lovelace <ada@example.com>\n"
    );
    let twice = format!(
        "accord: object charter\n\nAccord-Position: sign\nAccord-Position: object\n{block}"
    );
    let dup =
        env.git_stdin(&["commit-tree", &tree, "-p", &tip], &twice).ok().stdout.trim().to_string();
    let x1 = env.git_stdin(&["commit-tree", &tree], "x1\n").ok().stdout.trim().to_string();
    let x2 = env.git_stdin(&["commit-tree", &tree], "x2\n").ok().stdout.trim().to_string();
    let once = format!("accord: object charter\n\nAccord-Position: object\n{block}");
    let merge = env
        .git_stdin(&["commit-tree", &tree, "-p", &dup, "-p", &x1, "-p", &x2], &once)
        .ok()
        .stdout
        .trim()
        .to_string();
    env.git(&["update-ref", "refs/heads/accord/positions", &merge]).ok();
    let r = env.accord(&["verify"]);
    r.code(1);
    assert!(
        r.stdout.contains(&dup) && r.stdout.contains("2 Accord-Position trailers"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(&merge) && r.stdout.contains("merge"), "{}", r.stdout);
    let j = env.accord(&["verify", "--format", "json"]);
    j.code(1);
    let j = j.json();
    let failed: Vec<&str> =
        j["failures"].as_array().unwrap().iter().map(|f| f["commit"].as_str().unwrap()).collect();
    assert!(failed.contains(&dup.as_str()) && failed.contains(&merge.as_str()), "{j:#}");
    // Ada's own sign-off is still checked, and only it.
    assert_eq!(j["checked"], 1, "{j:#}");
}
