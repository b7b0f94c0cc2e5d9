//! Issue 12: what a real team hit — taking a position back, texts nobody can agree to, drafting
//! for others, CI-friendly exits, and output that explains itself. One test per item.

use crate::common::files::assert_refused;
use crate::common::ledger::*;
use crate::common::*;

#[test]
fn issue12_withdraw_takes_back_a_sign_off_or_an_abstention() {
    let mut env = setup("consent");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    assert!(ratified(&env));
    // A withdrawn sign-off no longer counts: silent, not ratified.
    let r = env.as_(GRACE).accord(&["withdraw", "charter"]).ok().clone();
    assert!(r.stderr.contains("withdrew the sign-off"), "{}", r.stderr);
    assert_eq!(states(&env), ["signed", "silent", "signed"]);
    assert!(!ratified(&env));
    assert!(blocking(&status(&env, "charter")).contains(&"grace@example.com is silent".into()));
    // Already silent: refused, nothing written.
    refused(&env, |e| e.accord(&["withdraw", "charter"]), "no standing position");
    // An abstention too.
    env.as_(KATHERINE).accord(&["abstain", "charter"]).ok();
    env.as_(KATHERINE).accord(&["withdraw", "charter"]).ok();
    assert_eq!(states(&env), ["signed", "silent", "silent"]);
    // A stale sign-off is still a standing position.
    env.commit_file(FILE, &charter("consent").replace("paved", "paved and lit"), "edit");
    assert_eq!(states(&env)[0], "stale");
    env.as_(ADA).accord(&["withdraw", "charter"]).ok();
    assert_eq!(states(&env)[0], "silent");
    // The help says so.
    let help = env.accord(&["withdraw", "--help"]).ok().stdout.clone();
    assert!(help.contains("sign-off") && help.contains("abstention"), "{help}");
    assert!(help.contains("already silent"), "{help}");
}

#[test]
fn issue12_check_fails_on_conflict_markers_and_placeholders_and_sign_refuses() {
    let env = TestEnv::new();
    // A fresh draft fails check for its placeholders only, each located and named.
    env.accord(&["new", "svc", "--kind", "service"]).ok();
    let run = env.accord(&["check"]).code(1).clone();
    let problems: Vec<&str> = run.stdout.lines().filter(|l| l.contains(".toml:")).collect();
    assert!(!problems.is_empty(), "{}", run.stdout);
    assert!(problems.iter().all(|l| l.contains("placeholder")), "{}", run.stdout);
    let text = env.read("agreements/svc.toml");
    // 1-based, the line of `purpose = """` (the text itself starts on the next one).
    let purpose_line = text.lines().position(|l| l.starts_with("Say what outcome")).unwrap();
    assert!(
        run.stdout.contains(&format!("agreements/svc.toml:{purpose_line}:11: `purpose`")),
        "the purpose is located on its line:\n{}",
        run.stdout
    );
    assert!(run.stdout.contains("`party[1].name`") && run.stdout.contains("Client Name"));
    assert!(run.stdout.contains("`party[1].email`") && run.stdout.contains("client@example.com"));
    // Committed, sign refuses it (exit 2, nothing written).
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "draft"]).ok();
    let before = env.fingerprint();
    let r = env.accord(&["sign", "svc"]).code(2).clone();
    assert!(r.stderr.contains("placeholder"), "{}", r.stderr);
    assert_eq!(env.fingerprint(), before);

    // A conflicted purpose parses but fails check at the marker's line; sign refuses it.
    let env = setup("consent");
    let conflicted = charter("consent").replace(
        "Give every product team a paved road from merge to production.\n",
        "<<<<<<< HEAD\nGive every team a road.\n=======\nGive every product team a paved road.\n>>>>>>> pr\n",
    );
    env.commit_file(FILE, &conflicted, "merge");
    let run = env.accord(&["check", "--format", "json"]).code(1).json();
    let problems = &run[0]["problems"];
    assert_eq!(problems.as_array().unwrap().len(), 1, "{problems:#}");
    assert_eq!(problems[0]["line"], 5, "{problems:#}");
    assert_eq!(problems[0]["column"], 1, "{problems:#}");
    assert_eq!(problems[0]["key"], "purpose");
    assert!(problems[0]["message"].as_str().unwrap().contains("<<<<<<<"));
    let r = env.accord(&["sign", "charter"]).code(2).clone();
    assert!(r.stderr.contains("merge-conflict marker"), "{}", r.stderr);
}

#[test]
fn issue12_new_drafts_for_named_parties_with_a_chosen_steward_and_a_title_cased_title() {
    let env = TestEnv::new();
    let r = env
        .accord(&[
            "new",
            "cli-scheduling",
            "--kind",
            "partnership",
            "--party",
            "Grace Hopper <grace@example.com>",
            "--party",
            "Katherine Johnson <katherine@example.com>",
            "--steward",
            "katherine@example.com",
        ])
        .ok()
        .clone();
    assert!(r.stderr.contains("Grace Hopper <grace@example.com> as first party"), "{}", r.stderr);
    let json = env.accord(&["show", "cli-scheduling", "--format", "json"]).ok().json();
    assert_eq!(json["title"], "Cli Scheduling Partnership");
    let parties: Vec<(String, String)> = json["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["email"].as_str().unwrap().into(), p["role"].as_str().unwrap().into()))
        .collect();
    assert_eq!(
        parties,
        [
            ("grace@example.com".to_string(), "partner".to_string()),
            ("katherine@example.com".to_string(), "steward".to_string()),
        ],
        "the author (Ada) is not a party unless named"
    );
    // The example partner is gone: only real placeholders (texts) remain for check.
    let text = env.read("agreements/cli-scheduling.toml");
    assert!(!text.contains("partner@example.com") && !text.contains("Partner Name"), "{text}");
    // A steward who is not among the parties, and a malformed party, are refused.
    assert_refused(
        &env,
        &["new", "x", "--party", "Grace <grace@example.com>", "--steward", "ada@example.com"],
    );
    assert_refused(&env, &["new", "y", "--party", "grace@example.com"]);
    assert!(!env.repo.join("agreements/x.toml").exists());
}

#[test]
fn issue12_check_numbers_parties_one_way() {
    let env = TestEnv::new();
    let text = charter("consent").replace("katherine@example.com", "ADA@example.com");
    env.write("agreements/team.toml", &text);
    let run = env.accord(&["check"]).code(1).clone();
    assert!(
        run.stdout
            .contains("`party[2].email`: `ADA@example.com` is already the email of `party[0]`"),
        "{}",
        run.stdout
    );
}

/// A position by hand naming `rev`, authored by whoever `env` is.
fn position_on(env: &TestEnv, stance: &str, party: &str, rev: &str, note: &str) {
    let trailer = |k: &str, v: &str| format!("{k}: {v}");
    env.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        note,
        "--trailer",
        &trailer("Accord-Position", stance),
        "--trailer",
        "Accord-Agreement: charter",
        "--trailer",
        &trailer("Accord-Revision", rev),
        "--trailer",
        &trailer("Accord-Party", party),
    ])
    .ok();
}

#[test]
fn issue12_log_labels_positions_on_an_earlier_text_and_by_non_parties() {
    let mut env = setup("consent");
    let old = revision(&env);
    env.commit_file(FILE, &charter("consent").replace("paved", "paved and lit"), "Light it");
    // Grace signs the text she read before the edit; Linus, who is no party, objects.
    env.as_(GRACE);
    position_on(&env, "sign", "Grace Hopper <grace@example.com>", &old, "Looks good");
    env.as_(("Linus", "linus@example.com"));
    position_on(&env, "object", "Linus <linus@example.com>", &revision(&env), "Too bright");
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    let log = env.accord(&["log", "charter"]).ok().stdout.clone();
    let line = |who: &str| log.lines().find(|l| l.contains(who)).unwrap_or_default().to_string();
    assert!(line("Grace Hopper").contains("(on an earlier text)"), "{log}");
    assert!(line("Linus").contains("(not a party)"), "{log}");
    assert!(!line("Ada Lovelace").contains('('), "{log}");
    let json = env.accord(&["log", "charter", "--format", "json"]).ok().json();
    let grace = json.as_array().unwrap().iter().find(|e| e["email"] == GRACE.1).unwrap();
    assert_eq!(grace["on_earlier_text"], true);
    let linus =
        json.as_array().unwrap().iter().find(|e| e["email"] == "linus@example.com").unwrap();
    assert_eq!(linus["not_a_party"], true);
    // Status keeps why an outsider is not counted, and what they wrote.
    let s = status(&env, "charter");
    assert_eq!(s["outsiders"][0]["reason"], "not a party of this revision");
    assert_eq!(s["outsiders"][0]["note"], "Too bright");
    let human = env.accord(&["status", "charter"]).ok().stdout.clone();
    assert!(human.contains("not a party: Linus <linus@example.com> object"), "{human}");
    assert!(human.contains("Too bright"), "{human}");
}

#[test]
fn issue12_history_separates_ratified_while_it_stood_from_ratified_now() {
    let mut env = setup("consent");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    env.as_(GRACE).accord(&["object", "charter", "-m", "Not any more."]).ok();
    let h = env.accord(&["history", "charter", "--format", "json"]).ok().json();
    assert_eq!(h[0]["ratified"], true, "{h:#}");
    assert_eq!(h[0]["ratified_now"], false, "{h:#}");
    let human = env.accord(&["history", "charter"]).ok().stdout.clone();
    assert!(human.contains("ratified while it stood, not ratified now"), "{human}");
    let md = env.accord(&["history", "charter", "--format", "markdown"]).ok().stdout.clone();
    assert!(md.contains("not ratified now"), "{md}");
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    let h = env.accord(&["history", "charter", "--format", "json"]).ok().json();
    assert_eq!(h[0]["ratified_now"], true, "{h:#}");
    assert!(env.accord(&["history", "charter"]).ok().stdout.contains("ratified now"));
    // --rev: the history as it stood at an earlier commit.
    let h = env.accord(&["history", "charter", "--rev", "HEAD~1", "--format", "json"]).ok().json();
    assert_eq!(h[0]["ratified_now"], false, "{h:#}");
}

#[test]
fn issue12_history_field_names_the_ids_that_exist() {
    let env = setup("consent");
    let r = env.accord(&["history", "charter", "--field", "commitment.nosuch"]).code(2).clone();
    assert!(r.stderr.contains("no commitment `nosuch`"), "{}", r.stderr);
    assert!(r.stderr.contains("pager"), "the ids that exist: {}", r.stderr);
    assert!(r.stdout.is_empty());
    let r = env.accord(&["history", "charter", "--field", "norm.x"]).code(2).clone();
    assert!(r.stderr.contains("norms have no ids"), "{}", r.stderr);
    assert!(r.stderr.contains("--field norms"), "{}", r.stderr);
    env.accord(&["history", "charter", "--field", "commitment.pager"]).ok();
}

#[test]
fn issue12_show_and_history_keep_a_bulleted_purpose_as_a_list() {
    let listed = charter("consent").replace(
        "Give every product team a paved road from merge to production.\n",
        "We exist to:\n- pave the road from merge to production\n- keep it open around the clock\n",
    );
    let env = setup_with(&listed);
    let show = env.accord(&["show", "charter"]).ok().stdout.clone();
    assert!(
        show.contains(
            "  We exist to:\n  - pave the road from merge to production\n  - keep it open"
        ),
        "{show}"
    );
    env.commit_file(FILE, &listed.replace("- keep it open", "- keep it lit and open"), "Light");
    let h = env.accord(&["history", "charter"]).ok().stdout.clone();
    assert!(h.contains("\n  - pave the road from merge to production\n  - keep it open"), "{h}");
    assert!(h.contains("\n  - keep it lit and open"), "{h}");
    assert!(h.contains("changed:") && h.contains("{+lit and+}"), "{h}");
}

#[test]
fn issue12_pending_speaks_to_an_abstainer_fails_on_request_and_has_markdown() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["abstain", "charter"]).ok();
    env.as_(KATHERINE).accord(&["sign", "charter"]).ok();
    env.commit_file(FILE, &charter("consent").replace("paved", "paved and lit"), "edit");
    let r = env.as_(GRACE).accord(&["pending"]).ok().stdout.clone();
    assert!(r.contains("you abstained on an earlier text"), "{r}");
    assert!(!r.contains("since you signed"), "{r}");
    let r = env.as_(KATHERINE).accord(&["pending"]).ok().stdout.clone();
    assert!(r.contains("the text changed since you signed"), "{r}");
    // --fail: exit 1 when anything awaits, 0 when nothing does.
    env.as_(GRACE).accord(&["pending", "--fail"]).code(1);
    env.as_(GRACE).accord(&["abstain", "charter"]).ok();
    env.as_(GRACE).accord(&["pending", "--fail"]).ok();
    // Markdown: a short list.
    let md = env.as_(KATHERINE).accord(&["pending", "--format", "markdown"]).ok().stdout.clone();
    assert_eq!(
        md,
        "- `charter` **stale**: Platform team charter — the text changed since you signed\n"
    );
}

#[test]
fn issue12_due_fail_exits_1_when_something_is_due() {
    let env = setup_with(
        &charter("consent").replace("[decision]", "review_by = 2027-01-01\n\n[decision]"),
    );
    env.accord(&["due", "--fail", "--as-of", "2026-12-01"]).ok();
    let r = env.accord(&["due", "--fail", "--as-of", "2027-02-01"]).code(1).clone();
    assert!(r.stdout.contains("charter"), "{}", r.stdout);
    env.accord(&["due", "--as-of", "2027-02-01"]).ok();
}

#[test]
fn issue12_diff_headers_name_what_was_typed_and_why() {
    let env = setup("consent");
    env.git(&["tag", "v1"]).ok();
    env.commit_file(FILE, &charter("consent").replace("paved", "smooth"), "Smooth");
    env.git(&["branch", "smooth"]).ok();
    let out = env.accord(&["diff", "charter", "v1", "smooth"]).ok().stdout.clone();
    assert!(out.starts_with("charter v1 (") && out.contains(") → smooth ("), "{out}");
    env.write(FILE, &charter("consent").replace("paved", "lit"));
    let out = env.accord(&["diff", "charter"]).ok().stdout.clone();
    assert!(out.contains("(last committed text) → working tree"), "{out}");
}

#[test]
fn issue12_one_markdown_word_diff_style() {
    let env = setup("consent");
    env.git(&["branch", "base"]).ok();
    env.commit_file(FILE, &charter("consent").replace("paved", "smooth"), "Smooth");
    for args in [
        &["diff", "charter", "base", "HEAD"][..],
        &["history", "charter"],
        &["review", "base..HEAD"],
    ] {
        let mut args = args.to_vec();
        args.extend(["--format", "markdown"]);
        let out = env.accord(&args).ok().stdout.clone();
        assert!(out.contains("~~paved~~ **smooth**"), "{args:?}: {out}");
        assert!(!out.contains("[-") && !out.contains("{+"), "{args:?}: {out}");
    }
}

#[test]
fn issue12_revision_errors_say_what_was_typed_and_what_exists() {
    let env = setup("consent");
    env.git(&["tag", "v1"]).ok();
    for args in [
        &["log", "charter", "--rev", "nosuch"][..],
        &["diff", "charter", "nosuch", "HEAD"],
        &["status", "--rev", "nosuch"],
        &["review", "nosuch..HEAD"],
    ] {
        let r = env.accord(args).code(2).clone();
        assert!(r.stderr.contains("unknown revision `nosuch`"), "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("branches: main") && r.stderr.contains("tags: v1"),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("revspec"), "{}", r.stderr);
    }
    let r = env.accord(&["show", "charter", "--rev", "HEAD~3"]).code(2).clone();
    assert!(r.stderr.contains("`HEAD~3`"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("parent 0") && !r.stderr.contains("does not exist:\n"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("the history behind `HEAD` is shorter"), "{}", r.stderr);
}

#[test]
fn issue12_abstain_help_is_long_and_command_flags_come_before_global_ones() {
    let env = TestEnv::new();
    let help = env.accord(&["abstain", "--help"]).ok().stdout.clone();
    assert!(help.contains("Lift it with `withdraw`"), "a long description: {help}");
    for cmd in ["abstain", "sign", "history", "pending"] {
        let help = env.accord(&[cmd, "--help"]).ok().stdout.clone();
        let own = help.find("Options:").expect("an Options heading");
        let global = help.find("Global options:").expect("a Global options heading");
        let dash_c = help.find("-C <PATH>").unwrap();
        assert!(own < global && global < dash_c, "{cmd}: {help}");
    }
}

#[test]
fn issue12_list_aligns_invalid_rows_and_fits_the_width() {
    let env = TestEnv::new();
    env.commit_file("agreements/a-long-id.toml", &charter("consent"), "one");
    env.write("agreements/bad.toml", "schema = 1\ntitle = \"Broken\"\n");
    let run = env.accord_cmd().env("COLUMNS", "80").args(["list"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    // Every column starts at the same place, the invalid row's included.
    let dash: Vec<Option<usize>> = lines.iter().map(|l| l.find(" — ")).collect();
    assert_eq!(dash[0], dash[1], "{stdout}");
    assert!(lines[0].starts_with("a-long-id  charter") && lines[1].starts_with("bad        ?  "));
    // Cut to 80 columns with an ellipsis.
    assert!(lines.iter().all(|l| l.chars().count() <= 80), "{stdout}");
    assert!(lines[0].ends_with('…'), "{stdout}");
    // No COLUMNS and not a terminal: whole lines; JSON is never cut.
    let whole = env.accord(&["list"]).stdout.clone();
    assert!(whole.contains("katherine@example.com is silent"), "{whole}");
    let json =
        env.accord_cmd().env("COLUMNS", "20").args(["list", "--format", "json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json[0]["blocking"].as_array().unwrap().len(), 3);
}

#[test]
fn list_measures_wide_characters_in_terminal_cells() {
    // Red-team finding: a CJK title counted one column a character, where a terminal gives it
    // two: the columns did not line up and the line overran COLUMNS.
    let env = TestEnv::new();
    let cjk = charter("consent")
        .replace("Platform team charter", "プラットフォームチームの憲章とその運用方法について");
    env.commit_file("agreements/cjk.toml", &cjk, "one");
    env.commit_file("agreements/latin.toml", &charter("consent"), "two");
    let run = env.accord_cmd().env("COLUMNS", "100").args(["list"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let cells = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let dash: Vec<usize> = lines.iter().map(|l| cells(&l[..l.find(" — ").unwrap()])).collect();
    assert_eq!(dash[0], dash[1], "{stdout}");
    assert!(lines.iter().all(|l| cells(l) <= 100), "{stdout}");
}

#[test]
fn issue12_verify_reports_positions_by_non_parties_without_failing() {
    let mut env = TestEnv::new();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the charter");
    env.as_(("Mallory", "mallory@example.com"));
    let blob = env.git(&["rev-parse", "HEAD:agreements/charter.toml"]).stdout.trim().to_string();
    env.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "drive-by",
        "--trailer",
        "Accord-Position: object",
        "--trailer",
        "Accord-Agreement: charter",
        "--trailer",
        &format!("Accord-Revision: {blob}"),
        "--trailer",
        "Accord-Party: Mallory <mallory@example.com>",
    ])
    .ok();
    let r = env.accord(&["verify"]);
    r.ok();
    assert!(r.stdout.contains("not a party of charter at HEAD"), "{}", r.stdout);
    let v = env.accord(&["verify", "--format", "json"]).ok().json();
    assert_eq!(v["ok"], true);
    assert_eq!(v["outsiders"][0]["party"], "Mallory <mallory@example.com>");
}

#[test]
fn issue12_review_marks_a_position_on_an_earlier_text() {
    let mut env = TestEnv::new();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the charter");
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    let text = charter("consent").replace("paved road", "paved and lit road");
    env.as_(ADA).commit_file("agreements/charter.toml", &text, "Light the road");
    env.as_(KATHERINE).accord(&["sign", "charter"]).ok();
    let out = env.accord(&["review", "main..pr"]).ok().stdout.clone();
    let grace =
        out.lines().find(|l| l.contains("Grace Hopper sign")).unwrap_or_else(|| panic!("{out}"));
    assert!(grace.contains("(on an earlier text)"), "{out}");
    let kath = out.lines().find(|l| l.contains("Katherine Johnson sign")).unwrap();
    assert!(!kath.contains("earlier"), "{out}");
    let md = env.accord(&["review", "main..pr", "--format", "markdown"]).ok().stdout.clone();
    assert!(md.contains("Grace Hopper **sign** (on an earlier text)"), "{md}");
}
