//! `accord import`: markdown charters (headings at several levels, links, emphasis, nested
//! lists, tables, HTML comments, no scope section) become agreements that pass `check`, or the
//! command names the field to fill in.

use serde_json::{json, Value};

use crate::common::*;

/// Shaped like a Kubernetes SIG charter (written for this test).
const SIG: &str = r#"<!--
  This charter follows the community template. Keep this comment.
-->
# SIG Release Tooling Charter

This charter adheres to the conventions described in the [governance
guide](https://example.com/governance).

## Scope

SIG Release Tooling builds and maintains the *tools* that cut, sign and
publish every release, and it owns the **release process** documentation.

Releases must be boring.

### In scope

#### Code, Binaries and Services

- The release branch manager (`krel`)
- Artifact signing:
  - key rotation
  - [provenance](https://example.com/slsa) attestations
- Release notes <!-- inline comment --> generation

#### Cross-cutting and Externally Facing Processes

- The release calendar

### Out of scope

- Deciding *what* goes into a release
- Infrastructure for CI (see SIG Infra)

## Roles and Organization Management

This SIG adheres to the Roles and Organization Management outlined in
the governance guide.

| Role | Person |
|------|--------|
| Chair | Ada |

### Subproject Creation

By SIG Technical Leads.

## Working agreements

* We answer release blockers within one working day.
* Every release has two approvers
    * one from the release team
    * one from the owning SIG
"#;

/// A working group charter: `===` title, mission heading, no in/out sections, no norms.
const WG: &str = "Working Group Data Protection\n=============================\n\n\
Our mission\n-----------\n\nProtect the data of our users\nacross every service.\n\n\
Deliverables\n------------\n\n1. A threat model\n2. A checklist\n";

/// No Scope, Purpose or Mission section: the introduction is the purpose.
const NO_SCOPE: &str = "# Platform on-call\n\nWe keep the **paging** rota fair &amp; humane.\n\n\
## Norms\n\n- Hand over at 10:00\n- No pages for *known* issues\n\n## History\n\nFounded in 2019.\n";

/// Nothing to take a purpose from.
const NO_PURPOSE: &str = "# Bare charter\n\n## In scope\n\n- Everything\n";

fn import(env: &TestEnv, name: &str, text: &str, args: &[&str]) -> Run {
    std::fs::write(env.repo.join(name), text).unwrap();
    let mut all = vec!["import", name];
    all.extend_from_slice(args);
    env.accord(&all)
}

fn show(env: &TestEnv, id: &str) -> Value {
    env.accord(&["show", id, "--format", "json"]).ok().json()
}

#[test]
fn a_sig_charter_maps_title_purpose_scope_and_norms() {
    let env = TestEnv::new();
    let count = env.commit_count();
    let run = import(
        &env,
        "sig-release.md",
        SIG,
        &[
            "--party",
            "Ada Lovelace <ada@example.com>",
            "--party",
            "Grace Hopper <grace@example.com>",
            "--steward",
            "ada@example.com",
        ],
    );
    run.ok();
    assert_eq!(env.commit_count(), count, "import does not commit");
    let a = show(&env, "sig-release");
    assert_eq!(a["title"], "SIG Release Tooling Charter");
    assert_eq!(a["kind"], "charter");
    assert_eq!(
        a["purpose"],
        "SIG Release Tooling builds and maintains the tools that cut, sign and publish every \
         release, and it owns the release process documentation.\n\nReleases must be boring."
    );
    assert_eq!(
        a["scope"],
        json!({
            "in": [
                "Code, Binaries and Services: The release branch manager (krel)",
                "Code, Binaries and Services: Artifact signing: key rotation",
                "Code, Binaries and Services: Artifact signing: provenance attestations",
                "Code, Binaries and Services: Release notes generation",
                "Cross-cutting and Externally Facing Processes: The release calendar",
            ],
            "out": ["Deciding what goes into a release", "Infrastructure for CI (see SIG Infra)"],
        })
    );
    assert_eq!(
        a["norms"],
        json!([
            {"text": "We answer release blockers within one working day."},
            {"text": "Every release has two approvers: one from the release team"},
            {"text": "Every release has two approvers: one from the owning SIG"},
        ])
    );
    let parties: Vec<(String, String)> = a["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["email"].as_str().unwrap().into(), p["role"].as_str().unwrap().into()))
        .collect();
    assert_eq!(
        parties,
        [
            ("ada@example.com".into(), "steward".into()),
            ("grace@example.com".into(), "partner".into())
        ]
    );
    // What it could not map, section by section, on stderr.
    let unmapped: Vec<&str> =
        run.stderr.lines().filter(|l| l.starts_with("warning: not mapped")).collect();
    assert_eq!(
        unmapped,
        [
            "warning: not mapped: section \"SIG Release Tooling Charter\": 1 paragraph",
            "warning: not mapped: section \"Roles and Organization Management\": 1 paragraph, 1 table",
            "warning: not mapped: section \"Subproject Creation\": 1 paragraph",
        ]
    );
    assert_eq!(run.stdout, "");
    env.accord(&["check"]).ok();

    // Never overwrites: the same import again is refused and changes nothing.
    let before = env.read("agreements/sig-release.toml");
    let again = import(&env, "sig-release.md", SIG, &[]);
    assert!(again.code(2).stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(env.read("agreements/sig-release.toml"), before);
}

#[test]
fn setext_headings_numbered_lists_and_the_git_identity_as_party() {
    let env = TestEnv::new();
    let run = import(&env, "WG Data Protection.md", WG, &["--kind", "working-agreement"]);
    run.ok();
    let a = show(&env, "wg-data-protection");
    assert_eq!(a["title"], "Working Group Data Protection");
    assert_eq!(a["kind"], "working-agreement");
    assert_eq!(a["purpose"], "Protect the data of our users across every service.");
    assert_eq!(a["scope"], Value::Null);
    assert_eq!(a["norms"], json!([]));
    assert_eq!(
        a["parties"],
        json!([{"name": "Ada Lovelace", "email": "ada@example.com", "role": "partner"}])
    );
    assert!(
        run.stderr.contains("not mapped: section \"Deliverables\": 2 list items"),
        "{}",
        run.stderr
    );
    env.accord(&["check"]).ok();
}

#[test]
fn without_a_scope_section_the_introduction_is_the_purpose() {
    let env = TestEnv::new();
    import(&env, "oncall.md", NO_SCOPE, &["--id", "oncall"]).ok();
    let a = show(&env, "oncall");
    assert_eq!(a["title"], "Platform on-call");
    assert_eq!(a["purpose"], "We keep the paging rota fair & humane.");
    assert_eq!(
        a["norms"],
        json!([{"text": "Hand over at 10:00"}, {"text": "No pages for known issues"}])
    );
    env.accord(&["check"]).ok();
}

#[test]
fn a_draft_that_cannot_pass_check_names_the_field_and_exits_1() {
    let env = TestEnv::new();
    let run = import(&env, "bare.md", NO_PURPOSE, &[]);
    run.code(1);
    assert!(run.stderr.contains("fill in: `purpose`: purpose is empty"), "{}", run.stderr);
    // The draft is written for the user to finish.
    let text = env.read("agreements/bare.toml");
    assert!(text.contains("title = \"Bare charter\""), "{text}");
    env.accord(&["check"]).code(1);

    // A service needs review dates: said so, exit 1.
    let run = import(&env, "svc.md", SIG, &["--kind", "service"]);
    run.code(1);
    assert!(
        run.stderr.contains("a service needs `ends`, `review_by` or `review_every`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_draft_nobody_can_agree_to_exits_1_as_check_does() {
    // Red-team finding: a conflict marker or the template's own placeholder carried over from
    // the markdown imported with exit 0 and "next: review it", while `check` failed the file.
    let env = TestEnv::new();
    let conflict = "# Team charter\n\n## Purpose\n\nWe ship things.\n\n## In scope\n\n- <<<<<<< HEAD\n- deploys\n";
    let run = import(&env, "conflict.md", conflict, &[]);
    run.code(1);
    assert!(run.stderr.contains("merge-conflict marker `<<<<<<<`"), "{}", run.stderr);
    assert!(!run.stderr.contains("next: review it"), "{}", run.stderr);
    let placeholder = "# Team charter\n\n## Purpose\n\nSay in one or two sentences why this team exists and for whom.\n";
    let run = import(&env, "placeholder.md", placeholder, &[]);
    run.code(1);
    assert!(run.stderr.contains("`purpose`: still the template's placeholder"), "{}", run.stderr);
    env.accord(&["check"]).code(1);
}

#[test]
fn markdown_text_is_escaped_into_toml_and_bad_arguments_write_nothing() {
    let env = TestEnv::new();
    let tricky = "# Title with \"quotes\" and \\ back\\\\slash\n\n## Purpose\n\n\
                  Line with ''' and \"\"\" and a tab\there.\n\n## Out of scope\n\n- `x = 1`\n";
    import(&env, "tricky.md", tricky, &[]).ok();
    let a = show(&env, "tricky");
    assert_eq!(a["title"], "Title with \"quotes\" and \\ back\\slash");
    assert_eq!(a["purpose"], "Line with ''' and \"\"\" and a tab here.");
    assert_eq!(a["scope"]["out"], json!(["x = 1"]));

    let before = env.fingerprint();
    let run = import(&env, "x.md", SIG, &["--party", "no email here"]);
    assert!(run.code(2).stderr.contains("is not `Name <email>`"), "{}", run.stderr);
    let run = import(
        &env,
        "x.md",
        SIG,
        &["--party", "Ada <ada@example.com>", "--steward", "bob@example.com"],
    );
    assert!(run.code(2).stderr.contains("not one of the parties"), "{}", run.stderr);
    let run = import(&env, "x.md", SIG, &["--id", "Bad/Id"]);
    run.code(2);
    let run = env.accord(&["import", "missing.md"]);
    assert!(run.code(2).stderr.contains("cannot read missing.md"), "{}", run.stderr);
    std::fs::remove_file(env.repo.join("x.md")).unwrap();
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn import_refuses_a_party_twice_a_steward_who_is_not_the_default_party_and_an_unreadable_draft() {
    // Red-team findings: each of these wrote a draft that `accord check` then refused, or that
    // accord cannot read at all.
    let env = TestEnv::new();
    let before = env.fingerprint();
    // The same email twice, as accord compares emails (without case).
    let run = import(
        &env,
        "x.md",
        SIG,
        &["--party", "Ada <ada@example.com>", "--party", "Ada L <ADA@example.com>"],
    );
    assert!(run.code(2).stderr.contains("ADA@example.com is named twice"), "{}", run.stderr);
    // No --party: the party is your git identity (Ada), so the steward must be Ada.
    let run = import(&env, "x.md", SIG, &["--steward", "bob@example.com"]);
    let stderr = &run.code(2).stderr;
    assert!(stderr.contains("the steward bob@example.com is not one of the parties"), "{stderr}");
    assert!(stderr.contains("ada@example.com"), "names the parties there are: {stderr}");
    // A charter under the 4 MiB markdown limit whose draft is over the 1 MiB accord reads.
    let big = format!("# Big\n\n## Purpose\n\n{}\n", "words ".repeat(250_000));
    let run = import(&env, "x.md", &big, &[]);
    let stderr = &run.code(2).stderr;
    assert!(stderr.contains("larger than the 1048576 bytes"), "{stderr}");
    assert!(!env.repo.join("agreements/x.toml").exists());
    std::fs::remove_file(env.repo.join("x.md")).unwrap();
    assert_eq!(env.fingerprint(), before);
}
