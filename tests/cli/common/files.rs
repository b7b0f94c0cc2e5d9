//! Helpers for the agreement-file tests (init, new, check, list, show): small documents and
//! assertions on check's diagnostics and refusals.

use crate::common::*;

pub const KINDS: [&str; 5] = ["charter", "partnership", "service", "working-agreement", "decision"];

/// Four fixed lines (schema, title, kind, purpose) and then `rest` from line 5, so a case's
/// expected locations can be counted from its own text.
pub fn doc(kind: &str, rest: &str) -> String {
    format!("schema = 1\ntitle = \"T\"\nkind = \"{kind}\"\npurpose = \"P\"\n{rest}")
}

/// One valid party, for cases about something else (lines 5-8 when it comes first).
pub const ADA_PARTY: &str = "\n[[party]]\nname = \"Ada\"\nemail = \"ada@example.com\"\n";

/// Lines of `accord check` output that report a problem in `file`.
pub fn problems<'a>(run: &'a Run, file: &str) -> Vec<&'a str> {
    run.stdout.lines().filter(|l| l.starts_with(file) && !l.ends_with(": ok")).collect()
}

/// Write `text` as `agreements/case.toml`, run `check`, and assert exit 1 with exactly the
/// expected problems: each `:LINE:COL: \`key\`: message` (or `: message` with no location),
/// optionally followed by a hint.
#[track_caller]
pub fn assert_rule_breaks(env: &TestEnv, text: &str, expected: &[&str]) {
    env.write("agreements/case.toml", text);
    let run = env.accord(&["check"]);
    run.code(1);
    let found = problems(&run, "agreements/case.toml");
    assert_eq!(found.len(), expected.len(), "problems for:\n{text}\ngot:\n{}", run.stdout);
    // SPEC §9: every problem says what to do.
    for line in &found {
        assert!(line.contains(" (hint: "), "no hint in `{line}` for:\n{text}");
    }
    for want in expected {
        let want = format!("agreements/case.toml{want}");
        assert!(
            found.iter().any(|l| l
                .strip_prefix(&want)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(" (hint: "))),
            "expected `{want}` in:\n{}\nfor:\n{text}",
            run.stdout
        );
    }
}

/// Write `text` as `agreements/case.toml` and assert it passes `check`.
#[track_caller]
pub fn assert_valid(env: &TestEnv, text: &str) {
    env.write("agreements/case.toml", text);
    let run = env.accord(&["check"]);
    run.ok();
    assert!(run.stdout.contains("agreements/case.toml: ok"), "{}\nfor:\n{text}", run.stdout);
}

/// Run accord, assert exit 2 and that nothing in the repository changed; returns the run.
#[track_caller]
pub fn assert_refused(env: &TestEnv, args: &[&str]) -> Run {
    let before = env.fingerprint();
    let run = env.accord(args);
    run.code(2);
    assert_eq!(env.fingerprint(), before, "`accord {}` changed the repository", args.join(" "));
    run
}

/// `[decision]` on line 6, then three parties, the last an observer: two positions count.
pub fn quorum_doc(decision: &str) -> String {
    doc(
        "charter",
        &format!(
            "\n[decision]\n{decision}\n\n[[party]]\nname = \"Ada\"\nemail = \"ada@example.com\"\n\n[[party]]\nname = \"Grace\"\nemail = \"grace@example.com\"\n\n[[party]]\nname = \"Kat\"\nemail = \"kat@example.com\"\nrole = \"observer\"\n"
        ),
    )
}
