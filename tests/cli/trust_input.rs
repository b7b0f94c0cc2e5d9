//! Bad input (issue 6, SPEC §9): malformed files, hostile ids, forged and odd trailers, and
//! terminal safety. Each refusal exits 2 with a clear message and changes nothing in the
//! repository (compared with `TestEnv::fingerprint`). The fuzz targets live in `fuzz/`; their
//! properties run here too as proptests beside `model` and `trailers`.

use serde_json::Value;

use crate::common::*;

const FILE: &str = "agreements/charter.toml";
const BAD: &str = "agreements/bad.toml";

fn setup() -> TestEnv {
    let env = TestEnv::new();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    env
}

/// Assert that `args` exits `code`, that `needle` is in its stderr (or, for `check`, which
/// reports problems as data, in its stdout), and that the repository did not change.
#[track_caller]
fn refused_with(env: &TestEnv, args: &[&str], code: i32, needle: &str) -> Run {
    let before = env.fingerprint();
    let r = env.accord(args);
    r.code(code);
    let text = if args[0] == "check" { &r.stdout } else { &r.stderr };
    assert!(text.contains(needle), "{args:?}: lacks {needle:?}:\n{}\n{}", r.stdout, r.stderr);
    if args[0] != "check" {
        assert!(r.stdout.is_empty(), "{args:?}: a refusal prints no data: {}", r.stdout);
        assert!(r.stderr.starts_with("error: "), "{args:?}: {}", r.stderr);
    }
    assert!(!r.stderr.contains("panicked"), "{args:?}: {}", r.stderr);
    assert_eq!(env.fingerprint(), before, "{args:?} wrote something");
    r
}

#[track_caller]
fn refused(env: &TestEnv, args: &[&str], needle: &str) -> Run {
    refused_with(env, args, 2, needle)
}

fn rev_parse(env: &TestEnv, rev: &str) -> String {
    env.git(&["rev-parse", rev]).ok().stdout.trim().to_string()
}

fn status(env: &TestEnv) -> Value {
    let v = env.accord(&["status", "charter", "--format", "json"]).ok().json();
    v.as_array().expect("an array")[0].clone()
}

fn state(s: &Value, email: &str) -> Option<String> {
    s["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == email)
        .map(|p| p["state"].as_str().unwrap().to_string())
}

/// A commit made by hand with git, as the current identity, with these trailers.
fn hand_commit(env: &TestEnv, message: &str, trailers: &[String]) {
    let mut args = vec!["commit", "-q", "--allow-empty", "-m", message];
    for t in trailers {
        args.push("--trailer");
        args.push(t);
    }
    env.git(&args).ok();
}

fn block(stance: &str, revision: &str, who: (&str, &str)) -> Vec<String> {
    vec![
        format!("Accord-Position: {stance}"),
        "Accord-Agreement: charter".into(),
        format!("Accord-Revision: {revision}"),
        format!("Accord-Party: {} <{}>", who.0, who.1),
    ]
}

// ---------------------------------------------------------------------------------------------
// Files that cannot be read, or break a rule

/// One bad agreement file: name, bytes, whether it is readable TOML that breaks a rule (then
/// `check` exits 1, as SPEC §3 says), and what every error must say.
struct BadFile {
    name: &'static str,
    bytes: Vec<u8>,
    breaks_a_rule: bool,
    says: &'static str,
}

fn nested(open: &str, close: &str) -> String {
    charter("consent").replacen(
        "[decision]",
        &format!("deep = {}1{}\n\n[decision]", open.repeat(10_000), close.repeat(10_000)),
        1,
    )
}

fn bad_files() -> Vec<BadFile> {
    let good = charter("consent");
    let big = good.replacen(
        "Give every product team",
        &format!("{} Give every product team", "word ".repeat(2 * 1024 * 1024 / 5)),
        1,
    );
    let mut latin1 =
        good.replacen("Platform team charter", "Plattform f\u{fc}r alle", 1).into_bytes();
    // The same text in Latin-1: `ü` as the single byte 0xFC.
    let at = latin1.windows(2).position(|w| w == "ü".as_bytes()).unwrap();
    latin1.splice(at..at + 2, [0xfc]);
    let file = |name, text: String, breaks_a_rule, says| BadFile {
        name,
        bytes: text.into_bytes(),
        breaks_a_rule,
        says,
    };
    vec![
        file(
            "malformed TOML",
            good.replacen("title = \"Platform team charter\"", "title = \"Platform team", 1),
            false,
            "agreements/bad.toml:2:",
        ),
        BadFile { name: "not UTF-8", bytes: latin1, breaks_a_rule: false, says: "not valid UTF-8" },
        file("a 2 MB purpose", big, false, "larger than the 1048576 bytes"),
        file("10,000-deep arrays", nested("[", "]"), false, "agreements/bad.toml:8:"),
        file("10,000-deep inline tables", nested("{ a = ", " }"), false, "agreements/bad.toml:8:"),
        file(
            "a raw NUL byte",
            good.replacen("Platform team", "Platform\0team", 1),
            false,
            "agreements/bad.toml:2:",
        ),
        file(
            "an escaped NUL in a name",
            good.replacen("Grace Hopper", "Grace\\u0000Hopper", 1),
            true,
            "`party[1].name`: name must not contain the control character U+0000",
        ),
        file(
            "duplicate emails",
            good.replacen("katherine@example.com", "GRACE@example.com", 1),
            true,
            "`party[2].email`: `GRACE@example.com` is already the email of `party[1]`",
        ),
        file(
            "an unknown key",
            good.replacen("purpose =", "purpsoe = \"typo\"\npurpose =", 1),
            false,
            "agreements/bad.toml:4:1: `purpsoe`: unknown field `purpsoe`",
        ),
        file(
            "an unknown nested key",
            good.replacen("role = \"steward\"", "role = \"steward\"\nrank = 1", 1),
            false,
            "`party[0].rank`: unknown field `rank`",
        ),
    ]
}

#[test]
fn every_bad_file_is_a_clear_error_and_nothing_is_written() {
    let env = setup();
    for bad in bad_files() {
        std::fs::write(env.repo.join(BAD), &bad.bytes).unwrap();
        env.git(&["add", BAD]).ok();
        env.git(&["commit", "-q", "-m", bad.name]).ok();
        let check_code = if bad.breaks_a_rule { 1 } else { 2 };
        let r = refused_with(&env, &["check"], check_code, bad.says);
        assert!(r.stdout.contains("agreements/charter.toml: ok"), "{}: {}", bad.name, r.stdout);
        refused(&env, &["show", "bad"], bad.says);
        refused(&env, &["status", "bad"], bad.says);
        // `status` of everything names the bad file rather than skipping it silently.
        refused(&env, &["status"], bad.says);
        refused(&env, &["sign", "bad"], bad.says);
        refused(&env, &["object", "bad", "-m", "no"], bad.says);
        // The good agreement next to it is unaffected.
        env.accord(&["status", "charter"]).ok();
        env.git(&["rm", "-q", BAD]).ok();
        env.git(&["commit", "-q", "-m", "remove"]).ok();
    }
}

#[test]
fn deep_nesting_fails_fast_and_textconv_passes_it_through() {
    let env = setup();
    std::fs::write(env.repo.join(BAD), nested("[", "]")).unwrap();
    let t0 = std::time::Instant::now();
    let r = env.accord(&["show", "bad"]);
    r.code(2);
    assert!(t0.elapsed() < std::time::Duration::from_secs(10), "took {:?}", t0.elapsed());
    assert!(!r.stderr.contains("overflow"), "{}", r.stderr);
    // textconv never fails: what does not parse comes back unchanged.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(["textconv", env.repo.join(BAD).to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, nested("[", "]").into_bytes());
}

// ---------------------------------------------------------------------------------------------
// Ids and paths

#[test]
fn ids_with_path_characters_are_refused_before_any_file_is_touched() {
    let env = setup();
    // Something for a path-following id to find, were it followed.
    std::fs::write(env.repo.join("x.toml"), charter("consent")).unwrap();
    for id in ["../x", "a/b", "/etc/passwd", "a\\b", "..", "", "Charter", "a b", "charter.toml"] {
        for args in [
            vec!["show", id],
            vec!["status", id],
            vec!["status", "charter", id],
            vec!["sign", id],
            vec!["object", id, "-m", "no"],
            vec!["withdraw", id],
            vec!["log", id],
            vec!["history", id],
            vec!["diff", id],
            vec!["verify", id],
        ] {
            let r = refused(&env, &args, "is not a valid agreement id");
            assert!(r.stderr.contains(&format!("`{id}`")), "{args:?}: {}", r.stderr);
            assert!(r.stderr.contains("hint: ids are 1-64 lower-case letters"), "{}", r.stderr);
        }
    }
}

#[test]
fn a_misnamed_file_in_the_agreements_folder_is_reported_by_check() {
    let env = setup();
    env.write("agreements/Bad Name.toml", &charter("consent"));
    let r = refused_with(&env, &["check"], 1, "agreements/Bad Name.toml");
    assert!(r.stdout.contains("not a valid agreement id"), "{}", r.stdout);
}

#[cfg(unix)]
#[test]
fn a_file_whose_name_is_not_utf8_is_reported_by_check() {
    // Red-team finding: `check` said nothing about `agreements/x\xffy.toml`.
    use std::os::unix::ffi::OsStrExt;
    let env = setup();
    let name = std::ffi::OsStr::from_bytes(b"x\xffy.toml");
    std::fs::write(env.repo.join("agreements").join(name), charter("consent")).unwrap();
    let r = refused_with(&env, &["check"], 1, "agreements/x\u{fffd}y.toml");
    assert!(r.stdout.contains("not a valid agreement id"), "{}", r.stdout);
}

/// A committed symbolic link `agreements/link.toml` to an agreement outside the repository.
fn with_outside_link() -> (TestEnv, String) {
    let env = setup();
    let outside = env.path("outside.toml");
    let secret = charter("consent").replace("Platform team charter", "Secret outside text");
    std::fs::write(&outside, secret).unwrap();
    std::os::unix::fs::symlink(&outside, env.repo.join("agreements/link.toml")).unwrap();
    env.git(&["add", "agreements/link.toml"]).ok();
    env.git(&["commit", "-q", "-m", "link"]).ok();
    assert_eq!(env.git(&["ls-files", "-s", "agreements/link.toml"]).stdout[..6], *"120000");
    (env, "Secret outside text".to_string())
}

#[test]
fn a_symlinked_agreement_pointing_outside_is_refused_in_the_working_tree() {
    let (env, secret) = with_outside_link();
    for args in [&["show", "link"][..], &["check"]] {
        let r = refused(&env, args, "agreements/link.toml is a symbolic link");
        assert!(!r.stdout.contains(&secret) && !r.stderr.contains(&secret), "{args:?} read it");
    }
    let r = refused(&env, &["sign", "link"], "link.toml");
    assert!(!r.stderr.contains(&secret), "{}", r.stderr);
}

#[test]
fn a_committed_symlink_is_named_as_a_symlink_when_read_from_a_commit() {
    let (env, secret) = with_outside_link();
    for args in [&["status", "link"][..], &["sign", "link"], &["show", "link", "--rev", "HEAD"]] {
        let r = refused(&env, args, "agreements/link.toml is a symbolic link");
        assert!(!r.stderr.contains(&secret), "{}", r.stderr);
    }
}

// ---------------------------------------------------------------------------------------------
// Notes that try to forge trailers

#[test]
fn notes_that_try_to_inject_trailers_are_refused() {
    let mut env = setup();
    env.as_(GRACE);
    let cases = [
        ("I agree.\nAccord-Party: Ada Lovelace <ada@example.com>", "looks like an accord trailer"),
        ("Accord-Position: sign", "looks like an accord trailer"),
        ("x\naCcOrD-pOsItIoN: object", "looks like an accord trailer"),
        ("x\nACCORD-REVISION : 0123", "looks like an accord trailer"),
        ("   Accord-Party: Ada Lovelace <ada@example.com>", "looks like an accord trailer"),
        ("Fine.\n---\nAccord-Position: sign", "patch divider"),
        ("Fine.\n---", "patch divider"),
        ("Fine.\n--- and more text", "patch divider"),
        ("Fine.\n---\ttab", "patch divider"),
        ("    --- at the very start", "patch divider"),
        ("red \u{1b}[31malert", "control character U+001B"),
        ("over\rwrite", "control character U+000D"),
        ("csi \u{9b}31m", "control character U+009B"),
    ];
    for (note, says) in cases {
        for stance in ["sign", "object", "abstain"] {
            let r = refused(&env, &[stance, "charter", "-m", note], says);
            assert!(r.stderr.contains("refusing the note: line "), "{}", r.stderr);
            assert!(r.stderr.contains("nothing was recorded"), "{}", r.stderr);
        }
    }
    assert_eq!(state(&status(&env), GRACE.1).as_deref(), Some("silent"));
    // What only resembles a divider or a trailer is recorded exactly.
    let note = "----\n---x\n  --- indented\nSee Accord-Party: in the docs\nNot-Accord-Position: x";
    env.accord(&["sign", "charter", "-m", note]).ok();
    let s = status(&env);
    let grace = s["parties"].as_array().unwrap().iter().find(|p| p["email"] == GRACE.1).unwrap();
    assert_eq!(grace["state"], "signed");
    assert_eq!(grace["note"], note);
}

// ---------------------------------------------------------------------------------------------
// Odd and forged positions made by hand

#[test]
fn a_revision_that_names_no_blob_or_another_agreements_blob_is_stale_and_fails_verify() {
    let mut env = setup();
    env.commit_file("agreements/other.toml", &charter("majority"), "another agreement");
    let other = rev_parse(&env, "HEAD:agreements/other.toml");
    let missing = "0123456789abcdef0123456789abcdef01234567".to_string();
    env.as_(GRACE);
    hand_commit(&env, "sign with a made-up revision", &block("sign", &missing, GRACE));
    let first = env.head();
    env.as_(KATHERINE);
    hand_commit(&env, "sign another agreement's text", &block("sign", &other, KATHERINE));
    let second = env.head();

    let s = status(&env);
    assert_eq!(state(&s, GRACE.1).as_deref(), Some("stale"));
    assert_eq!(state(&s, KATHERINE.1).as_deref(), Some("stale"));
    assert_eq!(s["ratified"], false);
    let human = env.accord(&["status", "charter"]).ok().stdout.clone();
    let stale: Vec<&str> = human.lines().filter(|l| l.trim_start().starts_with("stale")).collect();
    assert_eq!(stale.len(), 2, "{human}");

    let before = env.fingerprint();
    let v = env.accord(&["verify"]);
    v.code(1);
    for (commit, rev) in [(&first, &missing), (&second, &other)] {
        let line = v.stdout.lines().find(|l| l.contains(commit.as_str())).unwrap_or_else(|| {
            panic!("verify does not name {commit}:\n{}", v.stdout);
        });
        assert!(line.contains(&format!("Accord-Revision {rev} is not a revision of charter")));
    }
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn a_position_by_a_party_removed_from_the_agreement_is_shown_not_counted() {
    let mut env = setup();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    let graces = env.head();
    // Grace leaves: her commitment goes to Katherine and her party entry is removed.
    let text = charter("consent")
        .replace("[[party]]\nname = \"Grace Hopper\"\nemail = \"grace@example.com\"\n\n", "")
        .replace("by = [\"grace@example.com\"]", "by = [\"katherine@example.com\"]");
    env.as_(ADA).commit_file(FILE, &text, "Grace moves on");
    env.accord(&["sign", "charter"]).ok();
    env.as_(KATHERINE).accord(&["sign", "charter"]).ok();

    let s = status(&env);
    assert_eq!(state(&s, GRACE.1), None, "Grace is no party: {s:#}");
    let outsiders = s["outsiders"].as_array().expect("outsiders listed");
    assert_eq!(outsiders.len(), 1, "{s:#}");
    assert_eq!(outsiders[0]["email"], GRACE.1);
    assert_eq!(outsiders[0]["position"], "sign");
    assert_eq!(outsiders[0]["commit"], graces.as_str());
    assert_eq!(s["parties"].as_array().unwrap().len(), 2);
    assert_eq!(s["ratified"], true, "two counted parties, both signed: {s:#}");
    assert!(!s["blocking"].to_string().contains("grace"), "{s:#}");
    let human = env.accord(&["status", "charter"]).ok().stdout.clone();
    assert!(
        human.contains("not a party: Grace Hopper <grace@example.com> sign"),
        "shown in words: {human}"
    );
    assert!(human.contains("shown, not counted"), "{human}");
}

#[test]
fn only_the_final_trailer_block_counts_and_a_forged_block_in_the_body_is_ignored() {
    let mut env = setup();
    let rev = rev_parse(&env, &format!("HEAD:{FILE}"));
    env.as_(GRACE);
    // Grace's real position is the final block; a block above it claims Ada signed.
    let forged = block("sign", &rev, ADA).join("\n");
    hand_commit(&env, &format!("my position\n\n{forged}\n\nSigned."), &block("sign", &rev, GRACE));
    let msg = env.git(&["log", "-1", "--format=%B"]).ok().stdout.clone();
    assert_eq!(msg.matches("Accord-Position: sign").count(), 2, "two blocks: {msg}");
    assert!(msg.contains("Signed.\n\nAccord-Position: sign\n"), "a final block of its own: {msg}");

    let s = status(&env);
    assert_eq!(state(&s, GRACE.1).as_deref(), Some("signed"));
    assert_eq!(state(&s, ADA.1).as_deref(), Some("silent"), "the forged block counts: {s:#}");
    let v = env.accord(&["verify", "--format", "json"]).ok().json();
    assert_eq!(v["checked"], 1);
    assert_eq!(v["failures"], Value::Array(vec![]));

    // A block in the body followed by an ordinary last paragraph is no position at all.
    hand_commit(&env, &format!("sneaky\n\n{forged}\n\nJust a closing remark."), &[]);
    assert_eq!(state(&status(&env), ADA.1).as_deref(), Some("silent"));
}

#[test]
fn duplicate_trailers_are_not_a_position_and_verify_reports_them() {
    let mut env = setup();
    let rev = rev_parse(&env, &format!("HEAD:{FILE}"));
    env.as_(GRACE);
    let mut trailers = block("sign", &rev, GRACE);
    trailers.insert(1, "Accord-Position: object".into());
    hand_commit(&env, "sign or object?", &trailers);
    let commit = env.head();
    let mut trailers = block("sign", &rev, GRACE);
    trailers.push("accord-party: Ada Lovelace <ada@example.com>".into());
    hand_commit(&env, "two parties", &trailers);
    let second = env.head();

    assert_eq!(state(&status(&env), GRACE.1).as_deref(), Some("silent"));
    let before = env.fingerprint();
    let v = env.accord(&["verify"]);
    v.code(1);
    assert!(
        v.stdout.contains(&format!("FAIL {commit}: not a position: 2 Accord-Position trailers")),
        "{}",
        v.stdout
    );
    assert!(
        v.stdout.contains(&format!("FAIL {second}: not a position: 2 Accord-Party trailers")),
        "{}",
        v.stdout
    );
    assert!(v.stderr.contains("2 problem(s)"), "{}", v.stderr);
    assert_eq!(env.fingerprint(), before);
}

// ---------------------------------------------------------------------------------------------
// Terminal safety

const RED: &str = "\u{1b}[31m";

/// A charter whose title, purpose, a party name and a commitment carry an escape sequence, and
/// an objection whose subject and note carry one (made by hand: accord refuses such notes).
fn hostile() -> TestEnv {
    let mut env = TestEnv::new();
    let text = charter("consent")
        .replace("Platform team charter", "Platform \\u001b[31mteam\\u009b2J charter")
        .replace("Give every product team", "Give \\u001b[31mevery\\u001b]0;pwned\\u0007 team")
        .replace("Grace Hopper", "Grace \\u001b[31mHopper")
        .replace("within 15 minutes", "within \\u001b[2J15 minutes\\u202e");
    env.commit_file(FILE, &text, "hostile charter");
    let rev = rev_parse(&env, &format!("HEAD:{FILE}"));
    env.as_(KATHERINE);
    hand_commit(
        &env,
        &format!("{RED}I object\u{7}\n\nBecause {RED}reasons"),
        &block("object", &rev, KATHERINE),
    );
    env
}

/// Escape sequences accord itself writes: SGR styling only (`ESC [ params m`).
const OWN_STYLES: [&str; 8] = ["", "0", "1", "2", "9", "31", "32", "33"];

#[track_caller]
fn assert_terminal_safe(r: &Run) {
    for text in [&r.stdout, &r.stderr] {
        // The hostile payloads never appear with their escape in front.
        for bad in ["\u{1b}[31mteam", "\u{1b}[31mevery", "\u{1b}[31mHopper", "\u{1b}[31mI object"] {
            assert!(!text.contains(bad), "{bad:?} reached the terminal:\n{text:?}");
        }
        for bad in ['\u{9b}', '\u{7}', '\u{202e}', '\r', '\0'] {
            assert!(!text.contains(bad), "{bad:?} reached the terminal:\n{text:?}");
        }
        // Every escape that remains is accord's own styling.
        for (i, _) in text.match_indices('\u{1b}') {
            let rest = &text[i + 1..];
            let end = rest.find('m').unwrap_or_else(|| panic!("not styling: {rest:?}"));
            assert!(rest.starts_with('['), "not styling: {rest:?}");
            assert!(
                OWN_STYLES.contains(&&rest[1..end]),
                "not accord's styling: {:?}",
                &rest[..=end]
            );
        }
    }
}

#[test]
fn show_and_status_print_no_control_characters_from_the_agreement_or_commits() {
    let env = hostile();
    let show = env.accord(&["show", "charter", "--color", "always"]);
    show.ok();
    assert_terminal_safe(&show);
    // `show` styles nothing red, so the sequence must be absent altogether.
    assert!(!show.stdout.contains(RED), "{:?}", show.stdout);
    assert!(show.stdout.contains('\u{1b}'), "colour is on: {:?}", show.stdout);
    assert!(show.stdout.contains("Platform \\u{1b}[31mteam\\u{9b}2J charter"), "{}", show.stdout);
    assert!(show.stdout.contains("Give \\u{1b}[31mevery\\u{1b}]0;pwned\\u{7} team"));
    assert!(show.stdout.contains("Grace \\u{1b}[31mHopper <grace@example.com>"));
    assert!(show.stdout.contains("within \\u{1b}[2J15 minutes\\u{202e}"), "{}", show.stdout);

    let status = env.accord(&["status", "charter", "--color", "always"]);
    status.ok();
    assert_terminal_safe(&status);
    assert!(status.stdout.contains("Grace \\u{1b}[31mHopper"), "{}", status.stdout);
    assert!(status.stdout.contains("\\u{1b}[31mI object\\u{7}"), "{}", status.stdout);

    // Without colour, accord prints no escape at all.
    for args in [&["show", "charter", "--color", "never"][..], &["status", "charter"]] {
        let r = env.accord(args);
        r.ok();
        assert!(!r.stdout.contains('\u{1b}'), "{args:?}: {:?}", r.stdout);
    }
    // JSON keeps the data exactly (escaped by JSON itself).
    let v = env.accord(&["status", "charter", "--format", "json"]).ok().json();
    assert_eq!(
        v[0]["objections"][0]["reason"],
        format!("{RED}I object\u{7}\n\nBecause {RED}reasons")
    );
}

#[test]
fn errors_that_quote_the_file_escape_control_characters() {
    let env = setup();
    let text = charter("consent").replace("kind = \"charter\"", "kind = \"\\u001b[31mcharter\"");
    env.commit_file(BAD, &text, "bad kind");
    for args in [&["show", "bad"][..], &["status", "bad"], &["check"]] {
        let r = env.accord(args);
        r.code(2);
        assert!(!r.stdout.contains('\u{1b}') && !r.stderr.contains('\u{1b}'), "{args:?}: {r:?}");
        let text = format!("{}{}", r.stdout, r.stderr);
        assert!(text.contains("\\u{1b}[31mcharter"), "{args:?}: {text}");
    }
}

#[test]
fn log_and_list_print_no_control_characters() {
    let env = hostile();
    // A second, hostile revision so that diffs and history have something to show.
    let text = env.read(FILE).replace("Give \\u001b[31mevery", "Give \\u001b[31mevery single");
    env.commit_file(FILE, &text, "edit \u{1b}[31mhostile");
    let commands: [&[&str]; 7] = [
        &["log", "charter", "--color", "always"],
        &["list", "--color", "always"],
        &["history", "charter", "--color", "always"],
        &["history", "charter", "--format", "markdown"],
        &["diff", "charter", "HEAD~2", "--color", "always"],
        &["review", "HEAD~2..HEAD", "--color", "always"],
        &["review", "HEAD~2..HEAD", "--format", "markdown"],
    ];
    for args in commands {
        let r = env.accord(args);
        r.ok();
        assert_terminal_safe(&r);
    }
}

#[test]
fn red_team_a_title_cannot_forge_a_row_json_carries_no_raw_c1_and_markdown_no_bare_links() {
    // Red-team findings, each failing before: a line break in a title printed a second row
    // in `list`; `--format json` passed U+009B and U+202E raw; bare URLs and issue references
    // in a purpose were linked in a pull-request comment; a positions branch named with
    // backticks broke out of its code span.
    let mut env = TestEnv::new();
    let text = charter("consent")
        .replace(
            "title = \"Platform team charter\"",
            "title = \"Charter\\nsecurity  charter  Security charter   — ratified\\u009b2J \\u202eevil\"",
        )
        .replace(
            "Give every product team",
            "See https://evil.example/login or www.evil.example, GH-12 and acme/infra#7: give every product team",
        );
    env.commit_file("accord.toml", "positions_branch = \"p`<h1>`PWNED`<!--x-->\"\n", "config");
    env.commit_file(FILE, &text, "Add the platform charter");
    let base = env.head();
    env.commit_file(FILE, &text.replace("paved road", "paved, lit road"), "Reword");
    env.as_(ADA);

    let list = env.accord(&["list", "--color", "never"]);
    list.ok();
    assert_eq!(list.stdout.lines().count(), 1, "one agreement, one row:\n{}", list.stdout);
    assert!(list.stdout.contains("Charter\\u{a}security"), "{}", list.stdout);
    let pending = env.accord(&["pending"]);
    assert!(!pending.stdout.contains("\nsecurity"), "{}", pending.stdout);

    for args in [&["list", "--format", "json"][..], &["status", "--format", "json"]] {
        let r = env.accord(args);
        r.ok();
        for bad in ['\u{9b}', '\u{202e}'] {
            assert!(!r.stdout.contains(bad), "{args:?}: {bad:?} raw in {}", r.stdout);
        }
        // The same value, escaped by JSON.
        let v = r.json();
        if args[0] == "list" {
            let title = v[0]["title"].as_str().unwrap_or_else(|| panic!("{v:#}"));
            assert!(title.contains("\u{9b}2J \u{202e}evil"), "{v:#}");
            assert!(r.stdout.contains("\\u009b2J \\u202eevil"), "{}", r.stdout);
        }
    }

    let md = env.accord(&["review", &format!("{base}..HEAD"), "--format", "markdown"]);
    let out = &md.stdout;
    for bare in ["https://", "www.evil", "GH-12", "infra#7"] {
        assert!(!out.contains(bare), "{bare:?} would be linked:\n{out}");
    }
    assert!(out.contains("https\u{200d}://evil.example/login"), "{out}");
    assert!(out.contains("PWNED"), "the positions branch is named:\n{out}");
    assert!(!out.contains("<h1>") && !out.contains("<!--"), "{out}");
}

#[test]
fn red_team_markdown_listings_keep_a_title_on_one_line_and_links_after_digits_are_broken() {
    // Red-team findings (second round): `list`/`pending --format markdown` let a line break in
    // a title start a paragraph that read as the row; `1https://…` and `_www.…` were linked.
    let env = TestEnv::new();
    let text = charter("consent")
        .replace(
            "title = \"Platform team charter\"",
            "title = \"Security charter — ratified\\n\\nNotes\"",
        )
        .replace(
            "Give every product team",
            "Log in at 1https://evil.example/a or _www.evil.example",
        );
    env.commit_file(FILE, &text, "Add the platform charter");
    for args in [&["list", "--format", "markdown"][..], &["pending", "--format", "markdown"]] {
        let r = env.accord(args);
        assert_eq!(r.stdout.trim().lines().count(), 1, "{args:?}: one row:\n{}", r.stdout);
        assert!(r.stdout.contains("ratified\\\\u{a}\\\\u{a}Notes"), "{args:?}: {}", r.stdout);
    }
    let md = env.accord(&["show", "charter", "--format", "markdown"]).ok().stdout.clone();
    assert!(!md.contains("https://") && !md.contains("www.evil"), "{md}");
}

#[test]
fn supersedes_ids_that_are_not_ids_are_escaped_in_diffs_and_reviews() {
    // Red-team finding: a `supersedes` list holding what is not an id (a text `check` refuses,
    // committed anyway) was printed raw by `diff` and `review`, human and markdown: an OSC 8
    // hyperlink and a clear-screen reached the terminal, an <img> and a mention the comment.
    // The hostile list is the older side: the text at HEAD must be valid to be reviewed.
    let env = TestEnv::new();
    let text = charter("consent");
    let hostile = format!(
        "supersedes = [\"\\u001b]8;;http://evil.example\\u0007click\\u001b]8;;\\u0007\", \
         \"\\u001b[2J<img src=x> @team [l](http://evil.example)\"]\n{text}"
    );
    env.commit_file(FILE, &hostile, "hostile supersedes");
    env.commit_file(FILE, &text, "charter");
    for args in [
        &["diff", "charter", "HEAD~1", "HEAD", "--color", "always"][..],
        &["review", "HEAD~1..HEAD", "--color", "always"],
    ] {
        let r = env.accord(args);
        assert!(r.stdout.contains("supersedes"), "{args:?}: {}", r.stdout);
        assert_terminal_safe(&r);
        assert!(!r.stdout.contains("\u{1b}]8"), "{args:?}: {:?}", r.stdout);
    }
    for args in [
        &["diff", "charter", "HEAD~1", "HEAD", "--format", "markdown"][..],
        &["review", "HEAD~1..HEAD", "--format", "markdown"],
    ] {
        let r = env.accord(args);
        assert!(r.stdout.contains("supersedes"), "{args:?}: {}", r.stdout);
        for bad in ["<img", "@team", "[l](http", "\u{1b}"] {
            assert!(!r.stdout.contains(bad), "{args:?}: {bad:?} in\n{}", r.stdout);
        }
    }
}
