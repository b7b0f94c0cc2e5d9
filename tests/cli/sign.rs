//! sign, object, abstain, withdraw: the position commit, the refusals, which branch it goes on, and
//! concurrent writers.

use std::path::Path;
use std::process::Stdio;

use crate::common::ledger::*;
use crate::common::*;

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
    // The meaning fingerprint of the text, the same in every position on it.
    let mut meaning: Option<String> = None;
    for (who, args, stance, note) in cases {
        let count = env.commit_count();
        env.as_(who).accord(args).ok();
        assert_eq!(env.commit_count(), count + 1, "{stance}: one commit");
        assert_eq!(rev_parse(&env, "HEAD^{tree}"), rev_parse(&env, "HEAD~1^{tree}"), "{stance}");
        assert_eq!(env.git(&["rev-list", "--parents", "-n1", "HEAD"]).stdout.split(' ').count(), 2);
        let subject = env.git(&["log", "-1", "--format=%s"]).stdout;
        assert_eq!(subject.trim_end(), format!("accord: {stance} charter"));
        let party = format!("{} <{}>", who.0, who.1);
        let m = env.git(&["log", "-1", "--format=%(trailers:key=Accord-Meaning,valueonly)"]);
        let m = m.stdout.trim().to_string();
        assert!(m.len() == 40 && m.bytes().all(|b| b.is_ascii_hexdigit()), "{stance}: {m:?}");
        assert_eq!(meaning.get_or_insert_with(|| m.clone()), &m, "{stance}: one meaning");
        let block = format!(
            "Accord-Position: {stance}\nAccord-Agreement: charter\nAccord-Revision: {rev}\nAccord-Party: {party}\nAccord-Meaning: {m}\n"
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
                format!("Accord-Meaning: {m}"),
            ],
            "{stance}: git reads exactly the five trailers"
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
    assert_eq!(git_trailers(&env, "HEAD").len(), 5);
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
fn refuses_withdraw_without_a_standing_position() {
    let mut env = setup("consent");
    env.as_(GRACE);
    refused(
        &env,
        |e| e.accord(&["withdraw", "charter"]),
        "grace@example.com has no standing position",
    );
    // A sign-off can be taken back (issue 12); then there is nothing left to withdraw.
    env.accord(&["sign", "charter"]).ok();
    env.accord(&["withdraw", "charter"]).ok();
    refused(&env, |e| e.accord(&["withdraw", "charter"]), "no standing position");
    // Someone else's objection is not one's own.
    env.as_(KATHERINE).accord(&["object", "charter", "-m", "no"]).ok();
    env.as_(GRACE);
    refused(&env, |e| e.accord(&["withdraw", "charter"]), "no standing position");
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
    assert!(message(&env, "HEAD").contains("\nAccord-Party: Grace Hopper <grace@example.com>\n"));
    assert_eq!(env.git(&["log", "-1", "--format=%ae"]).stdout.trim(), "grace@example.com");
    let mut cmd = env.accord_cmd();
    cmd.args(["sign", "charter"])
        .env("GIT_AUTHOR_NAME", "K")
        .env("GIT_AUTHOR_EMAIL", "katherine@example.com");
    output(&mut cmd).ok();
    // The trailer names the party as the agreement lists it; the author is git's identity.
    assert!(message(&env, "HEAD")
        .contains("\nAccord-Party: Katherine Johnson <katherine@example.com>\n"));
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae>"]).stdout.trim(),
        "K <katherine@example.com>"
    );
    let s = status(&env, "charter");
    assert_eq!(state(&s, GRACE.1), "signed");
    assert_eq!(state(&s, KATHERINE.1), "signed");
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

#[test]
fn a_date_a_commit_cannot_record_is_refused_not_wrapped() {
    // Red-team finding: GIT_COMMITTER_DATE=@17179869284 (the year 2514) made a position
    // committed at time 100 (1970): libgit2 writes 32 bits.
    let env = setup("consent");
    let before = env.fingerprint();
    for var in ["GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE"] {
        let out = env
            .accord_cmd()
            .env(var, "@17179869284 +0000")
            .args(["sign", "charter"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{var}: {stderr}");
        assert!(stderr.contains("outside the dates a commit made here can record"), "{stderr}");
        assert_eq!(env.fingerprint(), before, "{var}: nothing written");
    }
}

#[test]
fn an_identity_with_a_line_break_or_brackets_is_written_as_git_writes_it() {
    // Red-team finding: GIT_AUTHOR_NAME="Grace<newline>Hopper" made `sign` write a commit git
    // fsck calls missingEmail; the position did not count, and every later read of the
    // repository failed with libgit2's "failed to parse signature". git drops line breaks and
    // angle brackets from a name or email and trims the ends ("GraceHopper"); so does accord.
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    env.as_(("Grace\nHopper", " <grace@example.com>\n"));
    env.accord(&["sign", "charter"]).ok();
    let who = env.git(&["log", "-1", "--format=%an|%ae|%cn|%ce", "accord/positions"]).ok().clone();
    assert_eq!(who.stdout.trim(), "GraceHopper|grace@example.com|GraceHopper|grace@example.com");
    // git itself writes the same identity from the same settings.
    env.git(&["commit", "-q", "--allow-empty", "-m", "git's own"]).ok();
    let git = env.git(&["log", "-1", "--format=%an|%ae"]).ok().clone();
    assert_eq!(git.stdout.trim(), "GraceHopper|grace@example.com");
    env.git(&["fsck", "--strict"]).ok();
    env.as_(ADA);
    let s = &env.accord(&["status", "charter", "--format", "json"]).ok().json()[0];
    let grace = s["parties"].as_array().unwrap().iter().find(|p| p["email"] == "grace@example.com");
    assert_eq!(grace.unwrap()["state"], "signed", "{s:#}");
    env.accord(&["verify"]).ok();
}
