//! sign, object, abstain, withdraw, status, pending, verify: the ledger and the rules (issue 3).
//!
//! Positions are checked with git itself (`cat-file`, `interpret-trailers --parse`,
//! `verify-commit`), states and verdicts through `status --format json` (SPEC §4, §5, §7).

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::*;

const FILE: &str = "agreements/charter.toml";

/// A repository with the three-party charter under `rule` committed.
fn setup(rule: &str) -> TestEnv {
    setup_with(&charter(rule))
}

fn setup_with(text: &str) -> TestEnv {
    let env = TestEnv::new();
    env.commit_file(FILE, text, "Add the platform charter");
    env
}

/// `text` with one more party, inserted before the commitments.
fn with_party(text: &str, name: &str, email: &str, role: &str) -> String {
    let party = format!("[[party]]\nname = \"{name}\"\nemail = \"{email}\"\nrole = \"{role}\"\n\n");
    text.replacen("[[commitment]]", &format!("{party}[[commitment]]"), 1)
}

fn quorum_charter(q: u32) -> String {
    charter("quorum").replace("rule = \"quorum\"", &format!("rule = \"quorum\"\nquorum = {q}"))
}

/// The status object of `id`.
fn status(env: &TestEnv, id: &str) -> Value {
    let v = env.accord(&["status", id, "--format", "json"]).ok().json();
    let arr = v.as_array().expect("status JSON is an array");
    assert_eq!(arr.len(), 1, "{v:#}");
    arr[0].clone()
}

fn party<'a>(s: &'a Value, email: &str) -> &'a Value {
    s["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == email)
        .unwrap_or_else(|| panic!("no party {email} in {s:#}"))
}

fn state(s: &Value, email: &str) -> String {
    party(s, email)["state"].as_str().unwrap().to_string()
}

/// Every counted party's state, in file order.
fn states(env: &TestEnv) -> Vec<String> {
    let s = status(env, "charter");
    s["parties"].as_array().unwrap().iter().map(|p| p["state"].as_str().unwrap().into()).collect()
}

fn ratified(env: &TestEnv) -> bool {
    status(env, "charter")["ratified"].as_bool().unwrap()
}

fn blocking(s: &Value) -> Vec<String> {
    s["blocking"].as_array().unwrap().iter().map(|b| b.as_str().unwrap().to_string()).collect()
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
    k.sort();
    k
}

fn rev_parse(env: &TestEnv, rev: &str) -> String {
    env.git(&["rev-parse", rev]).ok().stdout.trim().to_string()
}

/// The blob id of the agreement at HEAD.
fn revision(env: &TestEnv) -> String {
    rev_parse(env, &format!("HEAD:{FILE}"))
}

/// The raw message of a commit (exactly as stored).
fn message(env: &TestEnv, rev: &str) -> String {
    let raw = env.git(&["cat-file", "commit", rev]).ok().stdout.clone();
    raw.split_once("\n\n").expect("commit has a message").1.to_string()
}

/// What `git interpret-trailers --parse` reads from a commit's message.
fn git_trailers(env: &TestEnv, rev: &str) -> Vec<String> {
    let file = env.path("message.txt");
    std::fs::write(&file, message(env, rev)).unwrap();
    let run = env.git(&["interpret-trailers", "--parse", file.to_str().unwrap()]);
    run.ok().stdout.lines().map(str::to_string).collect()
}

/// A command with the same hermetic environment as TestEnv's, for a given identity and a fixed
/// date (TestEnv advances its clock on every run).
fn hermetic(env: &TestEnv, program: &str, dir: &Path, who: (&str, &str), time: i64) -> Command {
    let mut cmd = Command::new(program);
    hermetic_env(&mut cmd, &env.home, dir, who, &format!("@{time} +0000"));
    cmd
}

fn output(cmd: &mut Command) -> Run {
    let o = cmd.output().unwrap();
    Run {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code().unwrap_or(-1),
    }
}

/// A position made by hand with git, as SPEC §4 allows.
/// It is authored by whoever `env` currently is.
fn hand_position(env: &TestEnv, stance: &str, party: &str, subject: &str) {
    let rev = revision(env);
    env.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        subject,
        "--trailer",
        &format!("Accord-Position: {stance}"),
        "--trailer",
        "Accord-Agreement: charter",
        "--trailer",
        &format!("Accord-Revision: {rev}"),
        "--trailer",
        &format!("Accord-Party: {party}"),
    ])
    .ok();
}

/// Assert that a refused command exited 2 with `needle` on stderr and changed nothing.
#[track_caller]
fn refused(env: &TestEnv, run: impl FnOnce(&TestEnv) -> Run, needle: &str) -> Run {
    let before = env.fingerprint();
    let r = run(env);
    r.code(2);
    assert!(r.stderr.contains(needle), "stderr lacks {needle:?}:\n{}", r.stderr);
    assert!(r.stdout.is_empty(), "a refusal prints no data: {}", r.stdout);
    assert_eq!(env.fingerprint(), before, "a refused command wrote something");
    r
}

// ---------------------------------------------------------------------------------------------
// The position commit itself

/// Who runs which arguments, the expected position and the expected note.
type Case<'a> = ((&'a str, &'a str), &'a [&'a str], &'a str, &'a str);

#[test]
fn each_position_is_an_empty_commit_with_a_pure_trailer_block() {
    let mut env = setup("consent");
    let rev = revision(&env);
    let cases: [Case; 4] = [
        (
            GRACE,
            &["object", "charter", "-m", "We have two people.\n\nOnly two."],
            "object",
            "We have two people.\n\nOnly two.",
        ),
        (GRACE, &["withdraw", "charter"], "withdraw", ""),
        (KATHERINE, &["abstain", "charter", "-m", "Not my area."], "abstain", "Not my area."),
        (ADA, &["sign", "charter", "-m", "  Looks right.  "], "sign", "Looks right."),
    ];
    for (who, args, stance, note) in cases {
        let count = env.commit_count();
        env.as_(who).accord(args).ok();
        assert_eq!(env.commit_count(), count + 1, "{stance}: one commit");
        assert_eq!(rev_parse(&env, "HEAD^{tree}"), rev_parse(&env, "HEAD~1^{tree}"), "{stance}");
        assert_eq!(env.git(&["rev-list", "--parents", "-n1", "HEAD"]).stdout.split(' ').count(), 2);
        let subject = env.git(&["log", "-1", "--format=%s"]).stdout;
        assert_eq!(subject.trim_end(), format!("accord: {stance} charter"));
        let party = format!("{} <{}>", who.0, who.1);
        let block = format!(
            "Accord-Position: {stance}\nAccord-Agreement: charter\nAccord-Revision: {rev}\nAccord-Party: {party}\n"
        );
        let expected = if note.is_empty() {
            format!("accord: {stance} charter\n\n{block}")
        } else {
            format!("accord: {stance} charter\n\n{note}\n\n{block}")
        };
        assert_eq!(message(&env, "HEAD"), expected, "{stance}: the whole message");
        let body = env.git(&["log", "-1", "--format=%b"]).stdout;
        assert!(body.starts_with(&format!("{note}\n\n")) || note.is_empty(), "{body}");
        assert_eq!(
            git_trailers(&env, "HEAD"),
            [
                format!("Accord-Position: {stance}"),
                "Accord-Agreement: charter".to_string(),
                format!("Accord-Revision: {rev}"),
                format!("Accord-Party: {party}"),
            ],
            "{stance}: git reads exactly the four trailers"
        );
        let author = env.git(&["log", "-1", "--format=%an <%ae>|%cn <%ce>"]).stdout;
        assert_eq!(author.trim(), format!("{party}|{party}"));
    }
    // The file accord read is the one the revision names.
    assert_eq!(rev, env.git(&["hash-object", FILE]).stdout.trim());
}

#[test]
fn object_reason_and_notes_show_in_status() {
    let mut env = setup("consent");
    env.as_(GRACE)
        .accord(&["object", "charter", "-m", "On-call is on my team alone.\nWe are two."])
        .ok();
    let commit = env.head();
    let s = status(&env, "charter");
    let g = party(&s, GRACE.1);
    assert_eq!(g["state"], "objecting");
    assert_eq!(g["commit"], commit);
    assert_eq!(g["note"], "On-call is on my team alone.\nWe are two.");
    assert_eq!(
        s["objections"],
        serde_json::json!([{
            "email": "grace@example.com",
            "commit": commit,
            "revision": revision(&env),
            "reason": "On-call is on my team alone.\nWe are two.",
        }])
    );
    let human = env.accord(&["status", "charter"]).ok().stdout.clone();
    assert!(
        human.contains("objection by grace@example.com: On-call is on my team alone."),
        "{human}"
    );
}

// ---------------------------------------------------------------------------------------------
// Refusals: exit 2, a clear message, nothing written

#[test]
fn refuses_an_unknown_agreement() {
    let env = setup("consent");
    let r = refused(&env, |e| e.accord(&["sign", "nope"]), "no agreement `nope`");
    assert!(r.stderr.contains("charter"), "the hint lists known agreements: {}", r.stderr);
    refused(&env, |e| e.accord(&["sign", "../charter"]), "not a valid agreement id");
}

#[test]
fn refuses_uncommitted_changes_to_the_agreement() {
    let env = setup("consent");
    env.write(FILE, &charter("consent").replace("paved road", "gravel road"));
    refused(
        &env,
        |e| e.accord(&["sign", "charter"]),
        "agreements/charter.toml has uncommitted changes",
    );
    // Staged but not committed is still not committed.
    env.git(&["add", FILE]).ok();
    refused(&env, |e| e.accord(&["sign", "charter"]), "uncommitted changes");
    // Deleted in the working tree.
    env.git(&["reset", "-q", "--hard"]).ok();
    std::fs::remove_file(env.repo.join(FILE)).unwrap();
    refused(&env, |e| e.accord(&["object", "charter", "-m", "x"]), "deleted");
}

#[test]
fn refuses_an_untracked_agreement() {
    let env = setup("consent");
    env.write("agreements/draft.toml", &charter("consent"));
    refused(&env, |e| e.accord(&["sign", "draft"]), "agreements/draft.toml is not committed");
    // Also when the whole folder is new.
    let env = TestEnv::new();
    env.commit_file("README", "hello\n", "init");
    env.write(FILE, &charter("consent"));
    refused(&env, |e| e.accord(&["sign", "charter"]), "is not committed");
}

#[test]
fn refuses_a_signer_who_is_not_a_party() {
    let mut env = setup("consent");
    env.as_(("Mallory", "mallory@example.com"));
    let r = refused(&env, |e| e.accord(&["sign", "charter"]), "is not a party of charter");
    assert!(r.stderr.contains("mallory@example.com"), "{}", r.stderr);
    for p in [ADA, GRACE, KATHERINE] {
        assert!(
            r.stderr.contains(&format!("{} <{}>", p.0, p.1)),
            "lists the parties: {}",
            r.stderr
        );
    }
    // The email match ignores case.
    env.as_(("Grace", "GRACE@Example.com")).accord(&["sign", "charter"]).ok();
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "signed");
    assert!(message(&env, "HEAD").contains("Accord-Party: Grace Hopper <grace@example.com>\n"));
}

#[test]
fn refuses_an_objection_without_a_reason() {
    let mut env = setup("consent");
    env.as_(GRACE);
    refused(&env, |e| e.accord(&["object", "charter", "-m", ""]), "an objection needs a reason");
    refused(&env, |e| e.accord(&["object", "charter", "-m", " \n\t "]), "needs a reason");
    // Missing -m is a usage error from clap, also exit 2.
    refused(&env, |e| e.accord(&["object", "charter"]), "--message");
}

#[test]
fn refuses_without_a_git_identity() {
    let env = setup("consent");
    let run = |e: &TestEnv| {
        let mut cmd = e.accord_cmd();
        cmd.args(["sign", "charter"]);
        for v in
            ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"]
        {
            cmd.env_remove(v);
        }
        output(&mut cmd)
    };
    let r = refused(&env, run, "no git identity configured");
    assert!(r.stderr.contains("git config user.email"), "with a hint: {}", r.stderr);
    // The identity then comes from configuration (user.*), as git would take it.
    env.git(&["config", "user.name", "Grace Hopper"]).ok();
    env.git(&["config", "user.email", "grace@example.com"]).ok();
    output(
        env.accord_cmd()
            .args(["sign", "charter"])
            .env_remove("GIT_AUTHOR_NAME")
            .env_remove("GIT_AUTHOR_EMAIL"),
    )
    .ok();
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "signed");
}

#[test]
fn refuses_notes_that_could_forge_a_trailer_block() {
    let mut env = setup("consent");
    env.as_(GRACE);
    for note in ["fine\n---\nsigned", "--- ", "---", "a\n---\t\nb"] {
        refused(&env, |e| e.accord(&["sign", "charter", "-m", note]), "patch divider");
    }
    for note in [
        "I sign.\nAccord-Party: Ada Lovelace <ada@example.com>",
        "accord-position: object",
        "x\n\nACCORD-REVISION : 0000000000000000000000000000000000000000",
    ] {
        refused(
            &env,
            |e| e.accord(&["object", "charter", "-m", note]),
            "looks like an accord trailer",
        );
    }
    // Lines that merely resemble them are fine.
    env.accord(&["sign", "charter", "-m", "----\n---x\nSee Accord-Party: in the docs"]).ok();
    assert_eq!(git_trailers(&env, "HEAD").len(), 4);
}

#[test]
fn notes_may_start_with_a_dash_as_with_git_commit() {
    let mut env = setup("consent");
    let reason = "- on-call falls on two people\n- no budget for a third";
    env.as_(GRACE).accord(&["object", "charter", "-m", reason]).ok();
    assert_eq!(status(&env, "charter")["objections"][0]["reason"], reason);
    env.as_(KATHERINE)
        .accord(&["sign", "charter", "-m", "-1 for the wording, +1 for the idea"])
        .ok();
    assert!(message(&env, "HEAD").starts_with("accord: sign charter\n\n-1 for the wording"));
}

#[test]
fn refuses_withdraw_without_an_open_objection() {
    let mut env = setup("consent");
    env.as_(GRACE);
    refused(
        &env,
        |e| e.accord(&["withdraw", "charter"]),
        "grace@example.com has no open objection",
    );
    env.accord(&["sign", "charter"]).ok();
    refused(&env, |e| e.accord(&["withdraw", "charter"]), "no open objection");
    // Someone else's objection is not one's own.
    env.as_(KATHERINE).accord(&["object", "charter", "-m", "no"]).ok();
    env.as_(GRACE);
    refused(&env, |e| e.accord(&["withdraw", "charter"]), "no open objection");
}

#[test]
fn refuses_to_write_in_a_bare_repository() {
    let env = setup("consent");
    let bare = env.path("bare.git");
    env.git(&["clone", "-q", "--bare", env.repo.to_str().unwrap(), bare.to_str().unwrap()]).ok();
    let snapshot = |e: &TestEnv| {
        let refs = e.git_in(&bare, &["for-each-ref", "--format=%(refname) %(objectname)"]).stdout;
        let objects = e.git_in(&bare, &["count-objects", "-v"]).stdout;
        format!("{refs}{objects}")
    };
    let before = snapshot(&env);
    let r = env.accord_in(&bare, &["sign", "charter"]);
    r.code(2);
    assert!(r.stderr.contains("bare repository"), "{}", r.stderr);
    assert_eq!(snapshot(&env), before);
    // Reading still works there.
    let s = env.accord_in(&bare, &["status", "--format", "json"]).ok().json();
    assert_eq!(s[0]["agreement"], "charter");
}

#[test]
fn refuses_during_a_merge() {
    let env = setup("consent");
    env.commit_file("README", "base\n", "readme");
    env.git(&["checkout", "-q", "-b", "other"]).ok();
    env.commit_file("README", "other\n", "other readme");
    env.git(&["checkout", "-q", "main"]).ok();
    env.commit_file("README", "main\n", "main readme");
    let m = env.git(&["merge", "other"]);
    assert_ne!(m.code, 0, "the merge conflicts");
    assert!(env.repo.join(".git/MERGE_HEAD").exists());
    refused(&env, |e| e.accord(&["sign", "charter"]), "merge is in progress");
}

#[test]
fn refuses_during_a_rebase() {
    let env = setup("consent");
    env.commit_file("README", "base\n", "readme");
    env.git(&["checkout", "-q", "-b", "other"]).ok();
    env.commit_file("README", "other\n", "other readme");
    env.git(&["checkout", "-q", "main"]).ok();
    env.commit_file("README", "main\n", "main readme");
    assert_ne!(env.git(&["rebase", "other"]).code, 0, "the rebase stops on a conflict");
    refused(&env, |e| e.accord(&["sign", "charter"]), "rebase");
}

#[test]
fn the_refusal_names_the_operation_in_words_and_bisect_does_not_block() {
    let mut env = setup("consent");
    env.commit_file("README", "base\n", "readme");
    env.git(&["checkout", "-q", "-b", "other"]).ok();
    env.commit_file("README", "other\n", "other readme");
    env.git(&["checkout", "-q", "main"]).ok();
    env.commit_file("README", "main\n", "main readme");
    assert_ne!(env.git(&["rebase", "other"]).code, 0);
    refused(&env, |e| e.accord(&["sign", "charter"]), "a rebase is in progress");
    env.git(&["rebase", "--abort"]).ok();
    // git commits during a bisect; SPEC §4 refuses only merges and rebases.
    env.git(&["bisect", "start", "HEAD", "HEAD~3"]).ok();
    env.git(&["checkout", "-q", "main"]).ok();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
}

#[test]
fn refuses_on_an_unborn_branch() {
    let env = TestEnv::new();
    env.write(FILE, &charter("consent"));
    env.git(&["add", FILE]).ok();
    refused(&env, |e| e.accord(&["sign", "charter"]), "no commits yet");
}

#[test]
fn a_position_goes_on_the_current_branch_or_a_detached_head() {
    let mut env = setup("consent");
    env.git(&["branch", "side"]).ok();
    env.git(&["checkout", "-q", "side"]).ok();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    assert_eq!(rev_parse(&env, "side"), env.head());
    assert_ne!(rev_parse(&env, "main"), env.head(), "main did not move");
    let main = rev_parse(&env, "main");
    env.git(&["checkout", "-q", "--detach", "main"]).ok();
    env.as_(KATHERINE).accord(&["sign", "charter"]).ok();
    assert_eq!(rev_parse(&env, "HEAD~1"), main);
    assert_eq!(rev_parse(&env, "main"), main, "a detached HEAD moves no branch");
    assert_eq!(rev_parse(&env, "side~1"), main);
    let s = status(&env, "charter");
    assert_eq!(state(&s, KATHERINE.1), "signed");
    assert_eq!(state(&s, GRACE.1), "silent", "Grace's position is on another branch");
}

#[test]
fn dash_c_records_in_another_repository() {
    let mut env = setup("consent");
    let elsewhere = env.path("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let repo = env.repo.to_str().unwrap().to_string();
    env.as_(GRACE).accord_in(&elsewhere, &["-C", &repo, "sign", "charter"]).ok();
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "signed");
    // From a subfolder, as git discovers the repository.
    let sub = env.repo.join("agreements");
    env.as_(KATHERINE).accord_in(&sub, &["abstain", "charter"]).ok();
    assert_eq!(state(&status(&env, "charter"), KATHERINE.1), "abstained");
}

#[test]
fn the_signer_is_the_identity_git_would_use() {
    let env = setup("consent");
    // author.* wins over user.*; GIT_AUTHOR_* over both.
    env.git(&["config", "user.name", "Ada Lovelace"]).ok();
    env.git(&["config", "user.email", "ada@example.com"]).ok();
    env.git(&["config", "author.name", "Grace Hopper"]).ok();
    env.git(&["config", "author.email", "grace@example.com"]).ok();
    let mut cmd = env.accord_cmd();
    cmd.args(["sign", "charter"]).env_remove("GIT_AUTHOR_NAME").env_remove("GIT_AUTHOR_EMAIL");
    output(&mut cmd).ok();
    assert!(message(&env, "HEAD").ends_with("Accord-Party: Grace Hopper <grace@example.com>\n"));
    assert_eq!(env.git(&["log", "-1", "--format=%ae"]).stdout.trim(), "grace@example.com");
    let mut cmd = env.accord_cmd();
    cmd.args(["sign", "charter"])
        .env("GIT_AUTHOR_NAME", "K")
        .env("GIT_AUTHOR_EMAIL", "katherine@example.com");
    output(&mut cmd).ok();
    // The trailer names the party as the agreement lists it; the author is git's identity.
    assert!(message(&env, "HEAD")
        .ends_with("Accord-Party: Katherine Johnson <katherine@example.com>\n"));
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae>"]).stdout.trim(),
        "K <katherine@example.com>"
    );
    let s = status(&env, "charter");
    assert_eq!(state(&s, GRACE.1), "signed");
    assert_eq!(state(&s, KATHERINE.1), "signed");
}

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
fn a_position_on_a_revision_of_something_else_is_stale() {
    let mut env = setup("consent");
    // Another file with the same meaning (a comment more): its blob is not a revision of charter.
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
    for (email, rev) in
        [(GRACE.1, copy.clone()), (KATHERINE.1, readme.clone()), (ADA.1, "f".repeat(40))]
    {
        assert_eq!(state(&s, email), "stale", "{email}");
        assert_eq!(party(&s, email)["revision"], rev);
    }
    let v = env.accord(&["verify", "charter"]);
    v.code(1);
    assert_eq!(v.stdout.matches("is not a revision of charter").count(), 3, "{}", v.stdout);
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

// ---------------------------------------------------------------------------------------------
// The rules of SPEC §5

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
    // Nobody can withdraw it for her.
    env.as_(KATHERINE);
    refused(&env, |e| e.accord(&["withdraw", "charter"]), "no open objection");
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

// ---------------------------------------------------------------------------------------------
// Ordering

#[test]
fn positions_in_the_same_second_follow_topological_order() {
    // Both orders, and the earlier commit with the larger id, so that ordering by time and id
    // alone cannot pass by luck.
    for (first, second, expected) in [("sign", "object", "objecting"), ("object", "sign", "signed")]
    {
        let env = setup("consent");
        let t = START + 86_400;
        let base = env.head();
        for attempt in 0.. {
            for stance in [first, second] {
                let mut cmd = hermetic(&env, env!("CARGO_BIN_EXE_accord"), &env.repo, GRACE, t);
                output(cmd.args([stance, "charter", "-m", &format!("same second, try {attempt}")]))
                    .ok();
            }
            if rev_parse(&env, "HEAD~1") > env.head() {
                break;
            }
            assert!(attempt < 64, "could not make the parent's id the larger one");
            env.git(&["reset", "-q", "--hard", &base]).ok();
        }
        assert_eq!(env.git(&["log", "-2", "--format=%ct"]).stdout, format!("{t}\n{t}\n"));
        let s = status(&env, "charter");
        assert_eq!(state(&s, GRACE.1), expected, "{first} then {second}");
        assert_eq!(party(&s, GRACE.1)["commit"], env.head());
    }
    // Hand-made, same second, and the earlier one with a later committer time: topology wins.
    let env = setup("consent");
    let rev = revision(&env);
    for (stance, t) in [("object", START + 1000), ("sign", START + 10)] {
        let mut cmd = hermetic(&env, "git", &env.repo, GRACE, t);
        output(cmd.args([
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            stance,
            "--trailer",
            &format!("Accord-Position: {stance}"),
            "--trailer",
            "Accord-Agreement: charter",
            "--trailer",
            &format!("Accord-Revision: {rev}"),
            "--trailer",
            "Accord-Party: Grace Hopper <grace@example.com>",
        ]))
        .ok();
    }
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "signed");
}

#[test]
fn concurrent_branches_break_ties_by_time_then_commit_id() {
    let env = setup("consent");
    let rev = revision(&env);
    // Grace's position on a new branch off main, committed at `t`; `try_` varies the message
    // (and so the commit id) without changing anything the ordering rule reads but the id.
    let position = |stance: &str, branch: &str, t: i64, try_: u32| -> String {
        env.git(&["checkout", "-q", "-B", branch, "main"]).ok();
        let mut cmd = hermetic(&env, "git", &env.repo, GRACE, t);
        output(cmd.args([
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            &format!("{stance} on {branch}, try {try_}"),
            "--trailer",
            &format!("Accord-Position: {stance}"),
            "--trailer",
            "Accord-Agreement: charter",
            "--trailer",
            &format!("Accord-Revision: {rev}"),
            "--trailer",
            "Accord-Party: Grace Hopper <grace@example.com>",
        ]))
        .ok();
        env.head()
    };
    // Merge `first` and `second` (in that parent order) on a new branch; Grace's standing
    // commit and state there.
    let merged = |name: &str, first: &str, second: &str| -> (String, String) {
        env.git(&["checkout", "-q", "-B", name, first]).ok();
        env.git(&["merge", "-q", "--no-edit", "--no-ff", second]).ok();
        let s = status(&env, "charter");
        (party(&s, GRACE.1)["commit"].as_str().unwrap().to_string(), state(&s, GRACE.1))
    };
    // `make(try_)` until `wanted(id)` holds; ids are hashes, so a few tries do it.
    let until = |make: &dyn Fn(u32) -> String, wanted: &dyn Fn(&str) -> bool| -> String {
        (0..64).map(make).find(|id| wanted(id)).expect("64 tries give an id either way")
    };

    // Different seconds: the later committer time wins, whatever the ids and the parent order.
    // The later commit is made to have the smaller id, so a rule by id alone would pick the
    // earlier one; both parent orders, so neither parent side wins by position alone.
    let t = START + 5000;
    let early = position("object", "early", t + 1, 0);
    let late = until(&|n| position("sign", "late", t + 2, n), &|id| id < early.as_str());
    assert!(late < early, "the later position has the smaller id");
    let want = (late.clone(), "signed".to_string());
    assert_eq!(merged("time-1", &early, &late), want, "early={early}");
    assert_eq!(merged("time-2", &late, &early), want, "early={early}");
    // And the other way round: the later one has the larger id, and still wins.
    let late2 = until(&|n| position("sign", "late2", t + 2, n), &|id| id > early.as_str());
    let want = (late2.clone(), "signed".to_string());
    assert_eq!(merged("time-3", &early, &late2), want, "early={early}");
    assert_eq!(merged("time-4", &late2, &early), want, "early={early}");

    // The same second on two branches: the larger commit id wins, in either parent order and
    // whichever stance it carries.
    let a = position("sign", "a", t, 0);
    let big = until(&|n| position("object", "b", t, n), &|id| id > a.as_str());
    let want = (big.clone(), "objecting".to_string());
    assert_eq!(merged("same-1", &a, &big), want, "a={a}");
    assert_eq!(merged("same-2", &big, &a), want, "a={a}");
    let small = until(&|n| position("object", "c", t, n), &|id| id < a.as_str());
    let want = (a.clone(), "signed".to_string());
    assert_eq!(merged("same-3", &a, &small), want, "small={small}");
    assert_eq!(merged("same-4", &small, &a), want, "small={small}");
}

#[test]
fn a_position_undone_by_reset_or_amend_no_longer_counts() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "signed");
    env.git(&["reset", "-q", "--hard", "HEAD~1"]).ok();
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "silent");
    // Amending a position into an objection by hand: the amended message is what counts.
    env.accord(&["sign", "charter"]).ok();
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "signed");
    let msg = message(&env, "HEAD")
        .replace("accord: sign", "accord: object")
        .replace("Accord-Position: sign", "Accord-Position: object")
        .replace("\n\nAccord-", "\n\nOn second thought, no.\n\nAccord-");
    env.git(&["commit", "-q", "--amend", "--allow-empty", "-m", &msg]).ok();
    let s = status(&env, "charter");
    assert_eq!(state(&s, GRACE.1), "objecting");
    assert_eq!(s["objections"][0]["reason"], "On second thought, no.");
    assert_eq!(s["objections"][0]["commit"], env.head());
}

// ---------------------------------------------------------------------------------------------
// Distributed and concurrent

#[test]
fn positions_from_two_clones_all_count_after_a_merge() {
    let mut env = setup("consent");
    let origin = env.path("origin.git");
    let (a, b) = (env.path("a"), env.path("b"));
    let s = |p: &Path| p.to_str().unwrap().to_string();
    env.git(&["clone", "-q", "--bare", &s(&env.repo), &s(&origin)]).ok();
    env.git(&["clone", "-q", &s(&origin), &s(&a)]).ok();
    env.git(&["clone", "-q", &s(&origin), &s(&b)]).ok();
    env.as_(GRACE).accord_in(&a, &["sign", "charter", "-m", "from a"]).ok();
    env.as_(KATHERINE).accord_in(&b, &["object", "charter", "-m", "from b"]).ok();
    env.git_in(&a, &["push", "-q", "origin", "main"]).ok();
    env.git_in(&b, &["fetch", "-q", "origin"]).ok();
    env.git_in(&b, &["merge", "-q", "--no-edit", "origin/main"]).ok();
    assert_eq!(env.git_in(&b, &["rev-list", "--count", "--merges", "HEAD"]).stdout.trim(), "1");
    let st = env.accord_in(&b, &["status", "charter", "--format", "json"]).ok().json();
    let st = &st[0];
    assert_eq!(state(st, GRACE.1), "signed");
    assert_eq!(party(st, GRACE.1)["note"], "from a");
    assert_eq!(state(st, KATHERINE.1), "objecting");
    // And the ledger continues on top of the merge.
    env.as_(KATHERINE).accord_in(&b, &["sign", "charter"]).ok();
    env.as_(ADA).accord_in(&b, &["sign", "charter"]).ok();
    let st = env.accord_in(&b, &["status", "charter", "--format", "json"]).ok().json();
    assert_eq!(st[0]["ratified"], true, "{st:#}");
    env.git_in(&b, &["push", "-q", "origin", "main"]).ok();
    env.git_in(&a, &["pull", "-q", "--ff-only"]).ok();
    let st = env.accord_in(&a, &["status", "charter", "--format", "json"]).ok().json();
    assert_eq!(st[0]["ratified"], true);
}

#[test]
fn eight_concurrent_signers_all_land() {
    let mut text = String::from(
        "schema = 1\ntitle = \"Eight\"\nkind = \"charter\"\npurpose = \"Many hands.\"\n\n[decision]\nrule = \"unanimous\"\n",
    );
    let people: Vec<(String, String)> =
        (0..8).map(|i| (format!("Person {i}"), format!("p{i}@example.com"))).collect();
    for (i, (name, email)) in people.iter().enumerate() {
        let role = if i == 0 { "steward" } else { "partner" };
        text.push_str(&format!(
            "\n[[party]]\nname = \"{name}\"\nemail = \"{email}\"\nrole = \"{role}\"\n"
        ));
    }
    let env = TestEnv::new();
    env.commit_file("agreements/eight.toml", &text, "eight");
    let count = env.commit_count();
    let children: Vec<_> = people
        .iter()
        .map(|(name, email)| {
            let mut cmd = env.accord_cmd();
            cmd.args(["sign", "eight"])
                .env("GIT_AUTHOR_NAME", name)
                .env("GIT_AUTHOR_EMAIL", email)
                .env("GIT_COMMITTER_NAME", name)
                .env("GIT_COMMITTER_EMAIL", email)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(env.commit_count(), count + 8, "exactly one commit per signer");
    let s = status(&env, "eight");
    assert_eq!(s["ratified"], true, "{s:#}");
    for (_, email) in &people {
        assert_eq!(state(&s, email), "signed");
    }
    let log = env.git(&["log", "--format=%ae", "-8"]).stdout;
    let mut authors: Vec<&str> = log.lines().collect();
    authors.sort();
    assert_eq!(authors, people.iter().map(|p| p.1.as_str()).collect::<Vec<_>>());
    // Every position is a single-parent, file-less commit.
    for c in env.git(&["rev-list", "-8", "HEAD"]).stdout.lines() {
        assert_eq!(
            rev_parse(&env, &format!("{c}^{{tree}}")),
            rev_parse(&env, &format!("{c}~1^{{tree}}"))
        );
    }
    env.git(&["fsck", "--no-progress"]).ok();
}

#[test]
fn a_held_branch_lock_fails_after_retrying_and_names_the_lock_file() {
    let mut env = setup("consent");
    let lock = env.repo.join(".git/refs/heads/main.lock");
    std::fs::write(&lock, "").unwrap();
    let head = env.head();
    let started = std::time::Instant::now();
    let r = env.as_(GRACE).accord(&["sign", "charter"]);
    r.code(2);
    assert!(started.elapsed() >= std::time::Duration::from_secs(9), "retries for about 10 s");
    assert!(r.stderr.contains(lock.to_str().unwrap()), "{}", r.stderr);
    assert_eq!(env.head(), head, "the branch did not move");
    std::fs::remove_file(&lock).unwrap();
    env.accord(&["sign", "charter"]).ok();
    assert_eq!(state(&status(&env, "charter"), GRACE.1), "signed");
}

// ---------------------------------------------------------------------------------------------
// pending and verify

#[test]
fn pending_lists_silent_and_stale_agreements_for_me() {
    let mut env = setup("consent");
    // One where Grace is not a party, one where she only observes.
    let other = charter("consent").replace(
        "[[party]]\nname = \"Grace Hopper\"\nemail = \"grace@example.com\"\n",
        "[[party]]\nname = \"Grace Hopper\"\nemail = \"grace@example.com\"\nrole = \"observer\"\n",
    );
    env.commit_file("agreements/observed.toml", &other, "observed");
    let mut notmine = charter("consent").replace("grace@example.com", "linus@example.com");
    notmine = notmine.replace("Grace Hopper", "Linus");
    env.commit_file("agreements/notmine.toml", &notmine, "notmine");
    env.as_(GRACE);
    let p = env.accord(&["pending", "--format", "json"]).ok().json();
    assert_eq!(
        p,
        serde_json::json!([{
            "agreement": "charter",
            "title": "Platform team charter",
            "state": "silent",
            "revision": revision(&env),
        }])
    );
    let human = env.accord(&["pending"]).ok().stdout.clone();
    assert!(human.contains("charter") && human.contains("silent"), "{human}");
    assert!(!human.contains("observed") && !human.contains("notmine"), "{human}");
    env.accord(&["sign", "charter"]).ok();
    assert_eq!(env.accord(&["pending", "--format", "json"]).ok().json(), serde_json::json!([]));
    let r = env.accord(&["pending"]).ok().clone();
    assert!(r.stderr.contains("nothing awaits grace@example.com"), "{}", r.stderr);
    // A meaning-changing edit: stale.
    env.commit_file(FILE, &charter("consent").replace("paved", "paved and lit"), "edit");
    let p = env.accord(&["pending", "--format", "json"]).ok().json();
    assert_eq!(p[0]["state"], "stale");
    assert_eq!(p[0]["revision"], revision(&env));
    assert_eq!(p.as_array().unwrap().len(), 1);
    assert!(env.accord(&["pending"]).ok().stdout.contains("the text changed since you signed"));
    // Objecting is a position: nothing pending.
    env.accord(&["object", "charter", "-m", "lit costs money"]).ok();
    assert_eq!(env.accord(&["pending", "--format", "json"]).ok().json(), serde_json::json!([]));
    // Withdrawing makes her silent again.
    env.accord(&["withdraw", "charter"]).ok();
    assert_eq!(env.accord(&["pending", "--format", "json"]).ok().json()[0]["state"], "silent");
}

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
    assert_eq!(git_trailers(&env, "HEAD").len(), 4);
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
fn commands_without_markdown_say_so() {
    let env = setup("consent");
    for cmd in ["check", "verify", "pending", "due"] {
        let r = env.accord(&[cmd, "--format", "markdown"]);
        r.code(2);
        assert!(
            r.stderr.contains(&format!("`accord {cmd}` has no markdown output")),
            "{}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
}

#[test]
fn dash_c_resolves_relative_paths_from_the_folder_given() {
    let env = setup("consent");
    let r = env.accord_in(env.tmp.path(), &["-C", "repo", "textconv", FILE]);
    r.ok();
    assert!(r.stdout.starts_with("title: Platform team charter\n"), "{}", r.stdout);
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
fn log_and_history_refuse_a_tip_that_breaks_a_rule() {
    let env = setup("consent");
    let broken =
        env.read(FILE).replace("by = [\"grace@example.com\"]", "by = [\"nobody@example.com\"]");
    env.commit_file(FILE, &broken, "break a rule");
    for args in [&["log", "charter"][..], &["history", "charter"], &["diff", "charter"]] {
        let r = env.accord(args);
        r.code(2);
        assert!(r.stderr.contains("is not a party of this agreement"), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn color_never_keeps_stderr_plain() {
    let env = setup("consent");
    let r = env.accord(&["--color", "never", "status", "nope"]);
    r.code(2);
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
    let r = env.accord(&["--color", "always", "status", "nope"]);
    assert!(r.stderr.contains("\u{1b}["), "--color always colours stderr too: {:?}", r.stderr);
}

#[test]
fn an_uncommitted_draft_is_named_as_such() {
    let env = setup("consent");
    env.accord(&["new", "draft"]).ok();
    let r = env.accord(&["status", "draft"]);
    r.code(2);
    assert!(r.stderr.contains("commit it first"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// The demo: the README's first command

#[test]
fn demo_plays_the_whole_scenario_and_ends_ratified() {
    let env = TestEnv::new();
    let dir = env.path("demo");
    let r = env.accord(&["demo", "--dir", dir.to_str().unwrap(), "--color", "never"]);
    r.ok();
    let out = &r.stdout;
    for needle in [
        "grace@example.com is objecting",
        "signed an earlier revision",
        "platform-charter — ratified",
        "purpose version 2",
        "{+paved, well-lit+}",
        "edit     Ada Lovelace: purpose reworded",
    ] {
        assert!(out.contains(needle), "demo output lacks {needle:?}:\n{out}");
    }
    // The scenario's steps come in order.
    let objected = out.find("is objecting").unwrap();
    let stale = out.find("signed an earlier revision").unwrap();
    let ratified = out.find("platform-charter — ratified").unwrap();
    assert!(objected < stale && stale < ratified, "{out}");
    // The kept repository is a real one, ratified, with every position authored by its party.
    let s = env.accord_in(&dir, &["status", "--format", "json"]);
    let v = s.json();
    assert_eq!(v[0]["ratified"], true, "{}", s.stdout);
    let states: Vec<&str> =
        v[0]["parties"].as_array().unwrap().iter().map(|p| p["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["signed", "signed", "signed"]);
    env.accord_in(&dir, &["verify"]).ok();
    env.git_in(&dir, &["fsck"]).ok();
}

#[test]
fn demo_without_dir_cleans_up_after_itself() {
    let env = TestEnv::new();
    let r = env.accord(&["demo", "--color", "never"]);
    r.ok();
    let first = r.stdout.lines().next().unwrap();
    let place = first.strip_prefix("accord demo in ").unwrap();
    assert!(!std::path::Path::new(place).exists(), "{place} was left behind");
    assert!(r.stdout.contains("throw-away repository is gone"), "{}", r.stdout);
}
