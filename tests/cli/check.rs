//! `accord check` and unreadable files: exit codes, JSON diagnostics, and files that cannot be
//! read, refused everywhere without writing.

use crate::common::files::*;
use crate::common::*;

// --- unreadable files: exit 2 from every command, located, and nothing written ---

/// Each case: the file's bytes and the located first line of the diagnostic.
fn unreadable_cases() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        (
            "malformed TOML",
            b"schema = 1\ntitle = \"T\nkind = \"charter\"\n".to_vec(),
            ":2:11: invalid basic string",
        ),
        (
            "unknown key",
            doc("charter", &format!("purpsoe = \"typo\"\n{ADA_PARTY}")).into_bytes(),
            ":5:1: `purpsoe`: unknown field `purpsoe`, expected one of `schema`, `title`",
        ),
        (
            "unknown key in a party",
            doc("charter", "\n[[party]]\nname = \"Ada\"\nemial = \"ada@example.com\"\n").into_bytes(),
            ":8:1: `party[0].emial`: unknown field `emial`, expected one of `name`, `email`, `role`",
        ),
        (
            "unknown key as a dotted key",
            doc("charter", &format!("decision.qorum = 2\n{ADA_PARTY}")).into_bytes(),
            ":5:10: `decision.qorum`: unknown field `qorum`, expected `rule` or `quorum`",
        ),
        (
            "unknown table",
            doc("charter", &format!("\n[scopes]\nin = []\n{ADA_PARTY}")).into_bytes(),
            ":6:2: `scopes`: unknown field `scopes`",
        ),
        (
            "not UTF-8",
            [&doc("charter", "")[..], "# caf"].concat().into_bytes().into_iter().chain(*b"\xe9\n").collect(),
            ":5:6: not valid UTF-8; save the file as UTF-8",
        ),
        (
            "unsupported schema",
            b"schema = 2\ntitle = \"T\"\nfuture_field = true\n".to_vec(),
            ":1:10: `schema`: unsupported schema 2; this accord reads schema 1",
        ),
        (
            "unknown kind",
            doc("treaty", ADA_PARTY).into_bytes(),
            ":3:8: `kind`: unknown variant `treaty`, expected one of `charter`, `partnership`",
        ),
        (
            "unknown rule",
            doc("charter", &format!("\n[decision]\nrule = \"vote\"\n{ADA_PARTY}")).into_bytes(),
            ":7:8: `decision.rule`: unknown variant `vote`, expected one of `consent`",
        ),
        (
            "unknown role",
            doc("charter", "\n[[party]]\nname = \"Ada\"\nemail = \"ada@example.com\"\nrole = \"boss\"\n")
                .into_bytes(),
            ":9:8: `party[0].role`: unknown variant `boss`, expected one of `steward`, `partner`",
        ),
        (
            "missing key",
            b"schema = 1\ntitle = \"T\"\nkind = \"charter\"\n".to_vec(),
            ":1:1: `purpose`: missing field `purpose`",
        ),
        (
            "missing key in a party",
            doc("charter", "\n[[party]]\nname = \"Ada\"\n").into_bytes(),
            ":6:1: `party[0].email`: missing field `email`",
        ),
        (
            "wrong type",
            doc("charter", "\n[[party]]\nname = \"Ada\"\nemail = [\"ada@example.com\"]\n").into_bytes(),
            ":8:9: `party[0].email`: invalid type: sequence, expected a string",
        ),
        (
            "wrong type in a list",
            doc(
                "charter",
                &format!("{ADA_PARTY}\n[[commitment]]\nid = \"c\"\nby = [\"ada@example.com\", 7]\ntext = \"t\"\n"),
            )
            .into_bytes(),
            ":12:26: `commitment[0].by[1]`: invalid type: integer `7`, expected a string",
        ),
        (
            "negative quorum",
            doc("charter", &format!("\n[decision]\nrule = \"quorum\"\nquorum = -1\n{ADA_PARTY}")).into_bytes(),
            ":8:10: `decision.quorum`: invalid value: integer `-1`, expected u32",
        ),
    ]
}

#[test]
fn unreadable_files_are_exit_2_everywhere_and_write_nothing() {
    let env = TestEnv::new();
    env.commit_file("agreements/good.toml", &doc("charter", ADA_PARTY), "good");
    for (what, bytes, want) in unreadable_cases() {
        std::fs::write(env.repo.join("agreements/case.toml"), &bytes).unwrap();
        let want = format!("agreements/case.toml{want}");
        let check = assert_refused(&env, &["check"]);
        assert!(
            check.stdout.lines().any(|l| l.starts_with(&want)),
            "{what}: expected `{want}` in check output:\n{}",
            check.stdout
        );
        // SPEC §9: it also says what to do.
        let line = check.stdout.lines().find(|l| l.starts_with(&want)).unwrap_or_default();
        assert!(line.contains(" (hint: "), "{what}: no hint in `{line}`");
        assert!(check.stdout.contains("agreements/good.toml: ok"), "{what}: {}", check.stdout);
        assert!(check.stderr.contains("1 file(s) cannot be read as schema 1"), "{}", check.stderr);
        let show = assert_refused(&env, &["show", "case"]);
        assert!(show.stderr.contains(&format!("error: {want}")), "{what}: {}", show.stderr);
        for format in ["json", "markdown"] {
            let run = assert_refused(&env, &["show", "case", "--format", format]);
            assert!(run.stdout.is_empty(), "{what}: nothing on stdout: {}", run.stdout);
        }
        let list = assert_refused(&env, &["list"]);
        assert!(list.stdout.contains("invalid"), "{what}: {}", list.stdout);
        // Other agreements still show.
        env.accord(&["show", "good"]).ok();
        assert_refused(&env, &["new", "case"]);
        assert_eq!(std::fs::read(env.repo.join("agreements/case.toml")).unwrap(), bytes);
    }
}

#[test]
fn unsupported_schema_wins_over_unknown_keys() {
    let env = TestEnv::new();
    env.write("agreements/future.toml", "schema = 3\n[signatures]\nquantum = true\n");
    let run = assert_refused(&env, &["check"]);
    assert!(
        run.stdout.contains(
            "agreements/future.toml:1:10: `schema`: unsupported schema 3; this accord reads schema 1"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_control_character_is_named_where_toml_says_nothing() {
    // Red-team finding: an ESC byte in a comment gave `a.toml:2:28:  (hint: …)`, an empty
    // message; a U+0001 in a string gave "invalid basic string". SPEC §9: say what was wrong.
    let env = TestEnv::new();
    for (text, at, code) in [
        ("schema = 1\n# a comment \u{1b}[2J here\ntitle = \"t\"\n", "a.toml:2:", "U+001B"),
        ("schema = 1\ntitle = \"tab\u{1}\"\n", "a.toml:2:", "U+0001"),
        ("schema = 1\ntitle = \"t\"\n\u{7f} = 1\n", "a.toml:3:", "U+007F"),
    ] {
        env.write("agreements/a.toml", text);
        let run = assert_refused(&env, &["check"]);
        let line = run.stdout.lines().find(|l| l.contains(at)).unwrap_or_default();
        assert!(
            line.contains(&format!("control character {code} is not allowed in TOML"))
                && line.contains("write it as an escape"),
            "{text:?}: {}",
            run.stdout
        );
    }
}

#[cfg(unix)]
#[test]
fn a_symlinked_agreement_is_refused() {
    let env = TestEnv::new();
    std::fs::write(env.path("elsewhere.toml"), doc("charter", ADA_PARTY)).unwrap();
    std::fs::create_dir_all(env.repo.join("agreements")).unwrap();
    std::os::unix::fs::symlink(env.path("elsewhere.toml"), env.repo.join("agreements/team.toml"))
        .unwrap();
    let show = assert_refused(&env, &["show", "team"]);
    assert!(
        show.stderr
            .contains("agreements/team.toml is a symbolic link; accord reads only plain files"),
        "{}",
        show.stderr
    );
    assert!(show.stdout.is_empty());
    let check = assert_refused(&env, &["check"]);
    assert!(check.stdout.contains("agreements/team.toml: agreements/team.toml is a symbolic link"));
}

#[test]
fn a_file_over_one_mib_is_refused() {
    let env = TestEnv::new();
    let mut text = doc("charter", ADA_PARTY);
    let padding = format!("# {}\n", "x".repeat(1000));
    while text.len() <= 1024 * 1024 {
        text.push_str(&padding);
    }
    env.write("agreements/huge.toml", &text);
    let want = "agreements/huge.toml: file is larger than the 1048576 bytes (1 MiB) accord reads";
    let show = assert_refused(&env, &["show", "huge"]);
    assert!(show.stderr.contains(want), "{}", show.stderr);
    let check = assert_refused(&env, &["check"]);
    assert!(check.stdout.contains(want), "{}", check.stdout);
    // The same from a commit.
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-q", "-m", "huge"]).ok();
    let at_head = assert_refused(&env, &["show", "huge", "--rev", "HEAD"]);
    assert!(at_head.stderr.contains(want), "{}", at_head.stderr);
}

#[test]
fn invalid_ids_are_refused_by_show() {
    let env = TestEnv::new();
    env.commit_file("agreements/team.toml", &doc("charter", ADA_PARTY), "team");
    for id in ["../x", "Upper", "a/b", ""] {
        let run = assert_refused(&env, &["show", id]);
        assert!(
            run.stderr.contains(&format!("`{id}` is not a valid agreement id")),
            "{}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
    let run = assert_refused(&env, &["show", "nope"]);
    assert!(run.stderr.contains("no agreement `nope` (agreements/nope.toml does not exist)"));
    assert!(run.stderr.contains("hint: known agreements: team"), "{}", run.stderr);
}

// --- accord check: every file, exit codes, JSON ---

#[test]
fn check_names_every_invalid_file() {
    let env = TestEnv::new();
    env.write("agreements/alpha.toml", "schema = 1\ntitle = \n");
    env.write("agreements/beta.toml", &doc("charter", "purpsoe = 1\n"));
    env.write("agreements/gamma.toml", &doc("charter", ADA_PARTY));
    let run = assert_refused(&env, &["check"]);
    assert!(run.stdout.contains("agreements/alpha.toml:2:9: "), "{}", run.stdout);
    assert!(
        run.stdout.contains("agreements/beta.toml:5:1: `purpsoe`: unknown field"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("agreements/gamma.toml: ok"), "{}", run.stdout);
    assert!(run.stderr.contains("error: 2 file(s) cannot be read as schema 1"), "{}", run.stderr);

    // Two files that break rules: both named, exit 1.
    std::fs::remove_file(env.repo.join("agreements/alpha.toml")).unwrap();
    env.write("agreements/beta.toml", &doc("charter", ""));
    env.write("agreements/gamma.toml", &doc("charter", "review_every = \"soon\"\n"));
    let run = env.accord(&["check"]);
    run.code(1);
    assert!(run.stdout.contains("agreements/beta.toml: no parties"), "{}", run.stdout);
    assert!(run
        .stdout
        .contains("agreements/gamma.toml:5:16: `review_every`: `soon` is not a period"));
    assert!(run.stdout.contains("agreements/gamma.toml: no parties"), "{}", run.stdout);
    assert!(run.stderr.contains("error: 2 file(s) break a rule"), "{}", run.stderr);

    // One unreadable and one invalid: the unreadable one decides the exit code, both named.
    env.write("agreements/beta.toml", "schema = [\n");
    let run = assert_refused(&env, &["check"]);
    assert!(run.stdout.contains("agreements/beta.toml:"), "{}", run.stdout);
    assert!(run.stdout.contains("agreements/gamma.toml:5:16:"), "{}", run.stdout);
}

#[test]
fn check_exit_codes() {
    let env = TestEnv::new();
    let run = env.accord(&["check"]);
    run.ok();
    assert!(run.stderr.contains("no agreements to check"), "{}", run.stderr);
    env.write("agreements/team.toml", &doc("charter", ADA_PARTY));
    let run = env.accord(&["check"]);
    run.ok();
    assert_eq!(run.stdout, "agreements/team.toml: ok\n");
    env.write("agreements/team.toml", &doc("charter", ""));
    env.accord(&["check"]).code(1);
    env.write("agreements/team.toml", "schema = \n");
    env.accord(&["check"]).code(2);
    // From a subfolder, as git does.
    let run = env.accord_in(&env.repo.join("agreements"), &["check"]);
    run.code(2);
    assert!(run.stdout.contains("agreements/team.toml:1:"), "{}", run.stdout);
}

#[test]
fn check_json_reports_every_problem_with_its_location() {
    let env = TestEnv::new();
    env.write("agreements/bad.toml", &doc("charter", "review_every = \"x\"\n"));
    env.write("agreements/broken.toml", "schema = 1\ntitle = \"T\nkind = 1\n");
    env.write("agreements/good.toml", &doc("charter", ADA_PARTY));
    let run = assert_refused(&env, &["check", "--format", "json"]);
    let json = run.json();
    let reports = json.as_array().unwrap();
    let ids: Vec<&str> = reports.iter().map(|r| r["agreement"].as_str().unwrap()).collect();
    assert_eq!(ids, ["bad", "broken", "good"]);

    let bad = &reports[0];
    assert_eq!(bad["file"], "agreements/bad.toml");
    assert_eq!((bad["readable"].as_bool(), bad["valid"].as_bool()), (Some(true), Some(false)));
    let problems = bad["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0]["file"], "agreements/bad.toml");
    assert_eq!((problems[0]["line"].as_u64(), problems[0]["column"].as_u64()), (Some(5), Some(16)));
    assert_eq!(problems[0]["key"], "review_every");
    assert_eq!(problems[0]["message"], "`x` is not a period");
    assert_eq!(problems[0]["hint"], "write a number and a unit: `90d`, `6w` or `3m`");
    assert_eq!(problems[1]["message"], "no parties");
    assert!(problems[1]["line"].is_null() && problems[1]["column"].is_null());

    let broken = &reports[1];
    assert_eq!(
        (broken["readable"].as_bool(), broken["valid"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(broken["problems"][0]["line"], 2);
    assert_eq!(broken["problems"][0]["column"], 11);

    let good = &reports[2];
    assert_eq!((good["readable"].as_bool(), good["valid"].as_bool()), (Some(true), Some(true)));
    assert_eq!(good["problems"], serde_json::json!([]));
    assert!(good.get("ratified").is_none(), "ratified only with --ratified: {good}");
}

#[test]
fn check_ratified_requires_a_committed_ratified_agreement() {
    let env = TestEnv::new();
    env.write("agreements/team.toml", &doc("charter", ADA_PARTY));
    let run = env.accord(&["check", "--ratified"]);
    run.code(1);
    assert!(run
        .stdout
        .contains("agreements/team.toml: valid, not ratified: not committed at HEAD"));
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-q", "-m", "team"]).ok();
    let run = env.accord(&["check", "--ratified", "--format", "json"]);
    run.code(1);
    let json = run.json();
    assert_eq!(json[0]["ratified"], false);
    assert_eq!(json[0]["blocking"][0], "ada@example.com is silent");
}

#[test]
fn check_in_a_bare_repository_reads_head() {
    let env = TestEnv::new();
    env.commit_file("agreements/team.toml", &doc("charter", ""), "no parties yet");
    env.git_in(env.tmp.path(), &["clone", "-q", "--bare", "repo", "bare.git"]).ok();
    let run = env.accord(&["-C", env.path("bare.git").to_str().unwrap(), "check"]);
    run.code(1);
    assert!(run.stdout.contains("agreements/team.toml: no parties"), "{}", run.stdout);
}
