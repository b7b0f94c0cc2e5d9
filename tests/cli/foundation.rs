//! init, new, list, show, check: the file format, templates and diagnostics.

use clap::CommandFactory;

use crate::common::*;

const KINDS: [&str; 5] = ["charter", "partnership", "service", "working-agreement", "decision"];

/// Four fixed lines (schema, title, kind, purpose) and then `rest` from line 5, so a case's
/// expected locations can be counted from its own text.
fn doc(kind: &str, rest: &str) -> String {
    format!("schema = 1\ntitle = \"T\"\nkind = \"{kind}\"\npurpose = \"P\"\n{rest}")
}

/// One valid party, for cases about something else (lines 5-8 when it comes first).
const ADA_PARTY: &str = "\n[[party]]\nname = \"Ada\"\nemail = \"ada@example.com\"\n";

/// Lines of `accord check` output that report a problem in `file`.
fn problems<'a>(run: &'a Run, file: &str) -> Vec<&'a str> {
    run.stdout.lines().filter(|l| l.starts_with(file) && !l.ends_with(": ok")).collect()
}

/// Write `text` as `agreements/case.toml`, run `check`, and assert exit 1 with exactly the
/// expected problems: each `:LINE:COL: \`key\`: message` (or `: message` with no location),
/// optionally followed by a hint.
#[track_caller]
fn assert_rule_breaks(env: &TestEnv, text: &str, expected: &[&str]) {
    env.write("agreements/case.toml", text);
    let run = env.accord(&["check"]);
    run.code(1);
    let found = problems(&run, "agreements/case.toml");
    assert_eq!(found.len(), expected.len(), "problems for:\n{text}\ngot:\n{}", run.stdout);
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
fn assert_valid(env: &TestEnv, text: &str) {
    env.write("agreements/case.toml", text);
    let run = env.accord(&["check"]);
    run.ok();
    assert!(run.stdout.contains("agreements/case.toml: ok"), "{}\nfor:\n{text}", run.stdout);
}

/// Run accord, assert exit 2 and that nothing in the repository changed; returns the run.
#[track_caller]
fn assert_refused(env: &TestEnv, args: &[&str]) -> Run {
    let before = env.fingerprint();
    let run = env.accord(args);
    run.code(2);
    assert_eq!(env.fingerprint(), before, "`accord {}` changed the repository", args.join(" "));
    run
}

// --- templates and `accord new` ---

#[test]
fn every_template_round_trips_through_new_and_check() {
    let env = TestEnv::new();
    for kind in ["charter", "partnership", "service", "working-agreement", "decision"] {
        let id = format!("t-{kind}");
        env.accord(&["new", &id, "--kind", kind]).ok();
        let text = env.read(&format!("agreements/{id}.toml"));
        assert!(text.contains(&format!("kind = \"{kind}\"")), "{text}");
        assert!(text.contains("ada@example.com"), "identity filled in:\n{text}");
    }
    let run = env.accord(&["check"]);
    run.ok();
    assert_eq!(run.stdout.matches(": ok").count(), 5, "{}", run.stdout);
}

#[test]
fn every_template_is_complete_and_shows_as_its_kind() {
    let env = TestEnv::new();
    for kind in KINDS {
        let id = format!("t-{kind}");
        let run = env.accord(&["new", &id, "--kind", kind]);
        run.ok();
        assert!(
            run.stderr.contains(&format!(
                "wrote agreements/{id}.toml ({kind} with Ada Lovelace <ada@example.com> as first party)"
            )),
            "{}",
            run.stderr
        );
        let text = env.read(&format!("agreements/{id}.toml"));
        assert!(!text.contains("{{"), "a placeholder is left in {kind}:\n{text}");
        let json = env.accord(&["show", &id, "--format", "json"]).ok().json();
        assert_eq!(json["kind"], kind);
        assert_eq!(json["parties"][0]["name"], "Ada Lovelace");
        assert_eq!(json["parties"][0]["email"], "ada@example.com");
        assert!(!json["purpose"].as_str().unwrap().trim().is_empty(), "{kind} has a purpose");
    }
    // Committed, they are still valid: check reads the same files either way.
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "drafts"]).ok();
    let json = env.accord(&["check", "--format", "json"]).ok().json();
    let reports = json.as_array().unwrap();
    assert_eq!(reports.len(), 5);
    assert!(reports.iter().all(|r| r["valid"] == true && r["problems"] == serde_json::json!([])));
}

#[test]
fn new_uses_the_title_and_an_identity_that_needs_escaping() {
    let mut env = TestEnv::new();
    env.as_(("Shaquille \"Shaq\" O'Neal \\ Jr", "shaq@example.com"));
    let title = "Deploys: \"paved road\" \\ rules";
    env.accord(&["new", "roads", "--title", title]).ok();
    env.accord(&["check"]).ok();
    let json = env.accord(&["show", "roads", "--format", "json"]).ok().json();
    assert_eq!(json["title"], title);
    assert_eq!(json["parties"][0]["name"], "Shaquille \"Shaq\" O'Neal \\ Jr");
    assert_eq!(json["parties"][0]["email"], "shaq@example.com");
}

#[test]
fn new_makes_a_default_title_from_the_id() {
    let env = TestEnv::new();
    env.accord(&["new", "platform-team"]).ok();
    env.accord(&["new", "billing", "--kind", "service"]).ok();
    let charter = env.accord(&["show", "platform-team", "--format", "json"]).ok().json();
    assert_eq!(charter["title"], "Platform team charter");
    let service = env.accord(&["show", "billing", "--format", "json"]).ok().json();
    assert_eq!(service["title"], "Billing service agreement");
}

#[test]
fn new_takes_the_identity_from_git_config() {
    let env = TestEnv::new();
    env.git(&["config", "user.name", "Grace Hopper"]).ok();
    env.git(&["config", "user.email", "grace@example.com"]).ok();
    let run = env
        .accord_cmd()
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL")
        .args(["new", "team"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = env.read("agreements/team.toml");
    assert!(text.contains("name = \"Grace Hopper\""), "{text}");
    assert!(text.contains("email = \"grace@example.com\""), "{text}");
}

#[test]
fn new_never_overwrites() {
    let env = TestEnv::new();
    env.write("agreements/team.toml", "# mine, not a template\n");
    let run = assert_refused(&env, &["new", "team"]);
    assert!(
        run.stderr.contains("agreements/team.toml already exists; accord never overwrites"),
        "{}",
        run.stderr
    );
    assert_eq!(env.read("agreements/team.toml"), "# mine, not a template\n");
    // Nor through another kind, nor over a committed file.
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-q", "-m", "mine"]).ok();
    assert_refused(&env, &["new", "team", "--kind", "decision"]);
    assert_eq!(env.read("agreements/team.toml"), "# mine, not a template\n");
}

#[cfg(unix)]
#[test]
fn new_never_writes_through_a_symlink() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.repo.join("agreements")).unwrap();
    let target = env.path("outside.toml");
    std::os::unix::fs::symlink(&target, env.repo.join("agreements/team.toml")).unwrap();
    let run = assert_refused(&env, &["new", "team"]);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert!(!target.exists(), "wrote through the link");
}

#[test]
fn new_rejects_invalid_ids_before_touching_anything() {
    let env = TestEnv::new();
    for id in ["../x", "Upper", "a/b", "", "a b", "-x", "x.toml", &"a".repeat(65)] {
        let run = assert_refused(&env, &["new", id]);
        if !id.starts_with('-') {
            assert!(
                run.stderr.contains(&format!("error: `{id}` is not a valid agreement id")),
                "{id:?}: {}",
                run.stderr
            );
            assert!(run.stderr.contains("hint: ids are 1-64 lower-case letters"), "{}", run.stderr);
        }
        assert!(!env.repo.join("agreements").exists(), "{id:?} created the folder");
    }
    assert!(!env.path("x.toml").exists(), "../x escaped the repository");
    assert!(!env.repo.join("x.toml").exists());
}

#[test]
fn new_rejects_an_unknown_kind() {
    let env = TestEnv::new();
    let run = assert_refused(&env, &["new", "team", "--kind", "treaty"]);
    assert!(
        run.stderr.contains(
            "unknown kind `treaty`; use one of: charter, partnership, service, working-agreement, decision"
        ),
        "{}",
        run.stderr
    );
    assert!(!env.repo.join("agreements").exists());
}

#[test]
fn new_rejects_an_empty_title() {
    let env = TestEnv::new();
    let run = assert_refused(&env, &["new", "team", "--title", "  "]);
    assert!(run.stderr.contains("error: the title is empty"), "{}", run.stderr);
    assert!(!env.repo.join("agreements/team.toml").exists());
}

#[test]
fn new_without_a_git_identity_writes_nothing() {
    let env = TestEnv::new();
    let before = env.fingerprint();
    let out = env
        .accord_cmd()
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL")
        .args(["new", "team"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: no git identity configured"), "{stderr}");
    assert!(stderr.contains("hint: git config user.name"), "{stderr}");
    assert!(!env.repo.join("agreements/team.toml").exists());
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn new_in_a_bare_repository_is_refused() {
    let env = TestEnv::new();
    let bare = env.path("bare.git");
    env.git_in(env.tmp.path(), &["init", "-q", "--bare", "bare.git"]).ok();
    let run = env.accord(&["-C", bare.to_str().unwrap(), "new", "team"]);
    run.code(2);
    assert!(run.stderr.contains("bare repository"), "{}", run.stderr);
    assert!(!bare.join("agreements").exists());
}

// --- accord init ---

#[test]
fn init_creates_the_folder_the_attribute_and_the_diff_driver() {
    let env = TestEnv::new();
    let run = env.accord(&["init"]);
    run.ok();
    assert!(env.repo.join("agreements").is_dir());
    assert_eq!(env.read(".gitattributes"), "agreements/*.toml diff=accord\n");
    let textconv = env.git(&["config", "--get", "diff.accord.textconv"]);
    assert_eq!(textconv.ok().stdout, "accord textconv\n");
    // Set in the repository's own config, not the user's.
    let local = env.git(&["config", "--local", "--get", "diff.accord.textconv"]);
    assert_eq!(local.ok().stdout, "accord textconv\n");
    assert!(run.stderr.contains("created agreements/"), "{}", run.stderr);
    assert!(run.stderr.contains("added `agreements/*.toml diff=accord` to .gitattributes"));
    // git itself now routes agreement files through the driver.
    let attr = env.git(&["check-attr", "diff", "agreements/team.toml"]);
    assert_eq!(attr.ok().stdout, "agreements/team.toml: diff: accord\n");
}

#[test]
fn init_twice_changes_nothing() {
    let env = TestEnv::new();
    env.accord(&["init"]).ok();
    let before = env.fingerprint();
    let run = env.accord(&["init"]);
    run.ok();
    assert_eq!(env.fingerprint(), before);
    assert_eq!(env.read(".gitattributes"), "agreements/*.toml diff=accord\n");
    let all = env.git(&["config", "--get-all", "diff.accord.textconv"]);
    assert_eq!(all.ok().stdout, "accord textconv\n", "set once, not added again");
    assert!(run.stderr.contains(".gitattributes already has `agreements/*.toml diff=accord`"));
    assert!(run.stderr.contains("diff.accord.textconv is already `accord textconv`; kept"));
}

#[test]
fn init_keeps_an_existing_textconv_and_attributes() {
    let env = TestEnv::new();
    env.git(&["config", "diff.accord.textconv", "/opt/accord/bin/accord textconv"]).ok();
    env.write(".gitattributes", "*.png binary");
    let run = env.accord(&["init"]);
    run.ok();
    let textconv = env.git(&["config", "--get", "diff.accord.textconv"]);
    assert_eq!(textconv.ok().stdout, "/opt/accord/bin/accord textconv\n");
    assert!(run.stderr.contains("kept"), "{}", run.stderr);
    assert_eq!(env.read(".gitattributes"), "*.png binary\nagreements/*.toml diff=accord\n");
}

#[test]
fn init_recognises_its_line_spaced_differently() {
    let env = TestEnv::new();
    env.write(".gitattributes", "agreements/*.toml\tdiff=accord  \n");
    let run = env.accord(&["init"]);
    run.ok();
    assert_eq!(env.read(".gitattributes"), "agreements/*.toml\tdiff=accord  \n");
    assert!(run.stderr.contains(".gitattributes already has"), "{}", run.stderr);
}

#[test]
fn init_follows_the_configured_folder() {
    let env = TestEnv::new();
    env.write("accord.toml", "dir = \"docs/agreements\"\n");
    env.accord(&["init"]).ok();
    assert!(env.repo.join("docs/agreements").is_dir());
    assert_eq!(env.read(".gitattributes"), "docs/agreements/*.toml diff=accord\n");
    env.accord(&["new", "team"]).ok();
    assert!(env.repo.join("docs/agreements/team.toml").is_file());
}

#[test]
fn init_in_a_bare_repository_is_refused() {
    let env = TestEnv::new();
    env.git_in(env.tmp.path(), &["init", "-q", "--bare", "bare.git"]).ok();
    let run = env.accord(&["-C", env.path("bare.git").to_str().unwrap(), "init"]);
    run.code(2);
    assert!(run.stderr.contains("bare repository"), "{}", run.stderr);
    assert!(!env.path("bare.git/.gitattributes").exists());
}

// --- validation rules: each one fails with its exact file:line:col and key ---

#[test]
fn rule_text_fields_must_not_be_empty() {
    let env = TestEnv::new();
    let text = format!(
        "schema = 1\ntitle = \"  \"\nkind = \"charter\"\npurpose = \"\"\"\n\n\"\"\"\n{ADA_PARTY}"
    );
    assert_rule_breaks(
        &env,
        &text,
        &[":2:9: `title`: title is empty", ":4:11: `purpose`: purpose is empty"],
    );
    let text = doc(
        "charter",
        "[scope]\nin = [\"x\", \"  \"]\nout = [\"\"]\n\n[[party]]\nname = \"Ada\"\nemail = \"ada@example.com\"\n\n[[commitment]]\nid = \"c\"\nby = [\"ada@example.com\"]\ntext = \" \"\n\n[[norm]]\ntext = \"\"\n",
    );
    assert_rule_breaks(
        &env,
        &text,
        &[
            ":6:12: `scope.in[1]`: scope item is empty",
            ":7:8: `scope.out[0]`: scope item is empty",
            ":16:8: `commitment[0].text`: text is empty",
            ":19:8: `norm[0].text`: text is empty",
        ],
    );
}

#[test]
fn rule_review_dates() {
    let env = TestEnv::new();
    for (line, want) in [
        ("review_every = \"1y\"", ":5:16: `review_every`: `1y` is not a period"),
        ("review_every = \"0d\"", ":5:16: `review_every`: `0d` is not a period"),
        (
            "review_by = 2027-03-01T10:00:00Z",
            ":5:13: `review_by`: `2027-03-01T10:00:00Z` is not a plain date",
        ),
        ("ends = 10:30:00", ":5:8: `ends`: `10:30:00` is not a plain date"),
    ] {
        assert_rule_breaks(&env, &doc("charter", &format!("{line}\n{ADA_PARTY}")), &[want]);
    }
    let both =
        doc("charter", &format!("review_every = \"90d\"\nreview_by = 2027-03-01\n{ADA_PARTY}"));
    assert_rule_breaks(
        &env,
        &both,
        &[":5:16: `review_every`: both `review_every` and `review_by` are set"],
    );
    for ok in [
        "review_every = \"90d\"",
        "review_every = \"6w\"",
        "review_by = 2027-03-01",
        "ends = 2027-06-30",
    ] {
        assert_valid(&env, &doc("charter", &format!("{ok}\n{ADA_PARTY}")));
    }
}

/// `[decision]` on line 6, then three parties, the last an observer: two positions count.
fn quorum_doc(decision: &str) -> String {
    doc(
        "charter",
        &format!(
            "\n[decision]\n{decision}\n\n[[party]]\nname = \"Ada\"\nemail = \"ada@example.com\"\n\n[[party]]\nname = \"Grace\"\nemail = \"grace@example.com\"\n\n[[party]]\nname = \"Kat\"\nemail = \"kat@example.com\"\nrole = \"observer\"\n"
        ),
    )
}

#[test]
fn rule_quorum() {
    let env = TestEnv::new();
    assert_rule_breaks(
        &env,
        &quorum_doc("rule = \"quorum\""),
        &[":7:8: `decision.rule`: rule = \"quorum\" needs `quorum`"],
    );
    assert_rule_breaks(
        &env,
        &quorum_doc("rule = \"quorum\"\nquorum = 0"),
        &[":8:10: `decision.quorum`: quorum must be at least 1"],
    );
    // Observers do not count, so three parties cannot reach a quorum of three.
    assert_rule_breaks(
        &env,
        &quorum_doc("rule = \"quorum\"\nquorum = 3"),
        &[":8:10: `decision.quorum`: quorum 3 is more than the 2 parties whose positions count"],
    );
    assert_rule_breaks(
        &env,
        &quorum_doc("rule = \"majority\"\nquorum = 2"),
        &[":8:10: `decision.quorum`: `quorum` only applies when rule = \"quorum\", and the rule is \"majority\""],
    );
    assert_valid(&env, &quorum_doc("rule = \"quorum\"\nquorum = 2"));
    assert_valid(&env, &quorum_doc("rule = \"unanimous\""));
}

#[test]
fn rule_parties() {
    let env = TestEnv::new();
    assert_rule_breaks(&env, &doc("charter", ""), &[": no parties"]);
    let observers = doc(
        "charter",
        "\n[[party]]\nname = \"Ada\"\nemail = \"ada@example.com\"\nrole = \"observer\"\n",
    );
    assert_rule_breaks(
        &env,
        &observers,
        &[":6:1: `party`: every party is an observer, so nobody's position counts"],
    );
    let names = doc(
        "charter",
        "\n[[party]]\nname = \" \"\nemail = \"ada@example.com\"\n\n[[party]]\nname = \"Grace <boss>\"\nemail = \"grace@example.com\"\n",
    );
    assert_rule_breaks(
        &env,
        &names,
        &[
            ":7:8: `party[0].name`: name is empty",
            ":11:8: `party[1].name`: name must not contain `<`, `>` or a line break",
        ],
    );
    let emails = doc(
        "charter",
        "\n[[party]]\nname = \"Ada\"\nemail = \"ada.example.com\"\n\n[[party]]\nname = \"Grace\"\nemail = \" grace@example.com\"\n\n[[party]]\nname = \"Kat\"\nemail = \"kat@example.com <Kat>\"\n",
    );
    assert_rule_breaks(
        &env,
        &emails,
        &[
            ":8:9: `party[0].email`: `ada.example.com` is not an email address",
            ":12:9: `party[1].email`: ` grace@example.com` is not an email address",
            ":16:9: `party[2].email`: `kat@example.com <Kat>` is not an email address",
        ],
    );
}

#[test]
fn rule_emails_are_unique_without_case() {
    let env = TestEnv::new();
    let text = doc(
        "charter",
        "\n[[party]]\nname = \"Ada\"\nemail = \"ada@example.com\"\n\n[[party]]\nname = \"Ada at home\"\nemail = \"ADA@Example.COM\"\n\n[[party]]\nname = \"Zoe\"\nemail = \"zoé@example.com\"\n\n[[party]]\nname = \"Zoe again\"\nemail = \"ZOÉ@example.com\"\n",
    );
    assert_rule_breaks(
        &env,
        &text,
        &[
            ":12:9: `party[1].email`: `ADA@Example.COM` is already the email of party 1 (Ada)",
            // Only ASCII letters compare without case (SPEC §4, one identity rule): `É` is not `é`.
        ],
    );
}

/// Ada and Grace (lines 5-12) and then `commitments` from line 13.
fn commitments_doc(kind: &str, commitments: &str) -> String {
    doc(
        kind,
        &format!(
            "\n[[party]]\nname = \"Ada\"\nemail = \"ada@example.com\"\n\n[[party]]\nname = \"Grace\"\nemail = \"grace@example.com\"\n{commitments}"
        ),
    )
}

#[test]
fn rule_by_and_to_name_parties() {
    let env = TestEnv::new();
    let text = commitments_doc(
        "charter",
        "\n[[commitment]]\nid = \"pager\"\nby = [\"ada@example.com\", \"nobody@example.com\"]\nto = [\"ghost@example.com\"]\ntext = \"Answer pages.\"\n\n[[commitment]]\nid = \"owner\"\nby = []\ntext = \"Someone should.\"\n",
    );
    assert_rule_breaks(
        &env,
        &text,
        &[
            ":16:26: `commitment[0].by[1]`: `nobody@example.com` is not a party of this agreement",
            ":17:7: `commitment[0].to[0]`: `ghost@example.com` is not a party of this agreement",
            ":22:6: `commitment[1].by`: `by` is empty: a commitment needs someone accountable",
        ],
    );
    // Emails in `by` and `to` match parties without case.
    let text = commitments_doc(
        "charter",
        "\n[[commitment]]\nid = \"pager\"\nby = [\"GRACE@example.com\"]\nto = [\"Ada@Example.com\"]\ntext = \"Answer pages.\"\n",
    );
    assert_valid(&env, &text);
}

#[test]
fn rule_commitment_ids() {
    let env = TestEnv::new();
    for bad in ["Pager", "a/b", "-x", "", "on call", "../x"] {
        let text = commitments_doc(
            "charter",
            &format!(
                "\n[[commitment]]\nid = \"{bad}\"\nby = [\"ada@example.com\"]\ntext = \"t\"\n"
            ),
        );
        let want = format!(":15:6: `commitment[0].id`: `{bad}` is not a valid commitment id");
        assert_rule_breaks(&env, &text, &[&want]);
    }
    let twice = commitments_doc(
        "charter",
        "\n[[commitment]]\nid = \"pager\"\nby = [\"ada@example.com\"]\ntext = \"t\"\n\n[[commitment]]\nid = \"pager\"\nby = [\"grace@example.com\"]\ntext = \"u\"\n",
    );
    assert_rule_breaks(
        &env,
        &twice,
        &[":20:6: `commitment[1].id`: commitment id `pager` is used twice"],
    );
}

#[test]
fn rule_partnership_is_give_and_take() {
    let env = TestEnv::new();
    // Ada gives to Grace; Grace gives nothing back; Kat is in no commitment at all.
    let text = doc(
        "partnership",
        "\n[[party]]\nname = \"Ada\"\nemail = \"ada@example.com\"\n\n[[party]]\nname = \"Grace\"\nemail = \"grace@example.com\"\n\n[[party]]\nname = \"Kat\"\nemail = \"kat@example.com\"\n\n[[commitment]]\nid = \"ci\"\nby = [\"ada@example.com\"]\nto = [\"grace@example.com\"]\ntext = \"Keep CI green.\"\n",
    );
    assert_rule_breaks(
        &env,
        &text,
        &[
            ":6:1: `party[0]`: partner ada@example.com gives but receives no commitment (`to`)",
            ":10:1: `party[1]`: partner grace@example.com receives but gives no commitment (`by`)",
            ":14:1: `party[2]`: partner kat@example.com neither gives nor receives a commitment",
        ],
    );
    // Both ways, matched without case; stewards, clients and observers need not give and take.
    let text = doc(
        "partnership",
        "\n[[party]]\nname = \"Ada\"\nemail = \"ada@example.com\"\n\n[[party]]\nname = \"Grace\"\nemail = \"grace@example.com\"\n\n[[party]]\nname = \"Kat\"\nemail = \"kat@example.com\"\nrole = \"observer\"\n\n[[party]]\nname = \"Mary\"\nemail = \"mary@example.com\"\nrole = \"steward\"\n\n[[commitment]]\nid = \"ci\"\nby = [\"ada@example.com\"]\nto = [\"GRACE@example.com\"]\ntext = \"Keep CI green.\"\n\n[[commitment]]\nid = \"review\"\nby = [\"Grace@Example.com\"]\nto = [\"ada@example.com\"]\ntext = \"Review within a day.\"\n",
    );
    assert_valid(&env, &text);
}

#[test]
fn rule_service_has_scope_and_an_end() {
    let env = TestEnv::new();
    // No [scope] and no date at all: both point at the kind that requires them.
    assert_rule_breaks(
        &env,
        &doc("service", ADA_PARTY),
        &[
            ":3:8: `scope.in`: a service needs a scope: `scope.in` is empty",
            ":3:8: a service needs `ends`, `review_by` or `review_every`",
        ],
    );
    // An empty `in` is pointed at itself; a [scope] with only `out`, at its header.
    let empty = doc("service", &format!("ends = 2027-06-30\n\n[scope]\nin = []\n{ADA_PARTY}"));
    assert_rule_breaks(
        &env,
        &empty,
        &[":8:6: `scope.in`: a service needs a scope: `scope.in` is empty"],
    );
    let out_only =
        doc("service", &format!("ends = 2027-06-30\n\n[scope]\nout = [\"on-call\"]\n{ADA_PARTY}"));
    assert_rule_breaks(
        &env,
        &out_only,
        &[":7:1: `scope.in`: a service needs a scope: `scope.in` is empty"],
    );
    for end in ["ends = 2027-06-30", "review_by = 2027-03-01", "review_every = \"3m\""] {
        let text = doc("service", &format!("{end}\n\n[scope]\nin = [\"CI runners\"]\n{ADA_PARTY}"));
        assert_valid(&env, &text);
    }
}

#[test]
fn rule_file_names_must_be_ids() {
    let env = TestEnv::new();
    env.write("agreements/Platform.toml", &doc("charter", ADA_PARTY));
    let run = env.accord(&["check"]);
    run.code(1);
    assert!(
        run.stdout.contains(
            "agreements/Platform.toml: the file name is not a valid agreement id, so accord ignores it"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_broken_rule_is_exit_1_from_check_and_2_elsewhere() {
    let env = TestEnv::new();
    env.write("agreements/team.toml", &doc("charter", ""));
    let check = env.accord(&["check"]);
    check.code(1);
    assert!(check.stdout.contains("agreements/team.toml: no parties"), "{}", check.stdout);
    assert!(check.stderr.contains("error: 1 file(s) break a rule"), "{}", check.stderr);
    let show = assert_refused(&env, &["show", "team"]);
    assert!(show.stderr.contains("error: agreements/team.toml: no parties"), "{}", show.stderr);
    assert!(show.stderr.contains("hint: run `accord check`"), "{}", show.stderr);
    let list = assert_refused(&env, &["list", "--format", "json"]);
    let rows = list.json();
    assert_eq!(rows[0]["id"], "team");
    assert!(rows[0]["error"].as_str().unwrap().contains("no parties"), "{rows}");
    assert!(list.stderr.contains("1 agreement file(s) cannot be used"), "{}", list.stderr);
}

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

// --- accord list ---

#[test]
fn list_shows_drafts_blocks_and_uncommitted_changes() {
    let env = TestEnv::new();
    let run = env.accord(&["list"]);
    run.ok();
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("no agreements yet"), "{}", run.stderr);
    env.write("agreements/team.toml", &charter("consent"));

    let run = env.accord(&["list"]);
    run.ok();
    assert!(run.stdout.starts_with("team  charter"), "{}", run.stdout);
    assert!(run.stdout.contains("Platform team charter  — draft: not committed"), "{}", run.stdout);
    let json = env.accord(&["list", "--format", "json"]).ok().json();
    assert_eq!(
        json,
        serde_json::json!([{"id": "team", "kind": "charter", "title": "Platform team charter",
            "committed": false, "modified": false, "ratified": false, "blocking": []}])
    );

    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-q", "-m", "charter"]).ok();
    let run = env.accord(&["list"]);
    run.ok();
    assert!(
        run.stdout.contains(
            "— not ratified: ada@example.com is silent; stewards must sign; grace@example.com is silent; katherine@example.com is silent"
        ),
        "{}",
        run.stdout
    );
    let json = env.accord(&["list", "--format", "json"]).ok().json();
    let row = &json[0];
    assert_eq!((row["committed"].as_bool(), row["modified"].as_bool()), (Some(true), Some(false)));
    assert_eq!(row["ratified"], false);
    assert_eq!(
        row["blocking"],
        serde_json::json!([
            "ada@example.com is silent; stewards must sign",
            "grace@example.com is silent",
            "katherine@example.com is silent"
        ])
    );

    env.write("agreements/team.toml", &charter("consent").replace("paved road", "smooth road"));
    let run = env.accord(&["list"]);
    run.ok();
    assert!(run.stdout.trim_end().ends_with("(uncommitted changes)"), "{}", run.stdout);
    let json = env.accord(&["list", "--format", "json"]).ok().json();
    assert_eq!(
        (json[0]["committed"].as_bool(), json[0]["modified"].as_bool()),
        (Some(true), Some(true))
    );
}

#[test]
fn list_says_ratified_once_every_party_signed() {
    let mut env = TestEnv::new();
    env.commit_file("agreements/team.toml", &doc("charter", ADA_PARTY), "team");
    env.as_(("Ada", "ada@example.com"));
    env.accord(&["sign", "team"]).ok();
    let run = env.accord(&["list"]);
    run.ok();
    assert!(run.stdout.contains("— ratified"), "{}", run.stdout);
    let json = env.accord(&["list", "--format", "json"]).ok().json();
    assert_eq!(
        (json[0]["ratified"].as_bool(), &json[0]["blocking"]),
        (Some(true), &serde_json::json!([]))
    );
}

#[test]
fn list_markdown_is_a_plain_list() {
    let env = TestEnv::new();
    env.write("agreements/team.toml", &charter("consent"));
    let run = env.accord(&["list", "--format", "markdown"]);
    run.ok();
    assert_eq!(run.stdout, "- `team` (charter) Platform team charter — draft: not committed\n");
}

// --- accord show ---

#[test]
fn show_renders_for_people() {
    let env = TestEnv::new();
    env.write("agreements/team.toml", &charter("consent"));
    let run = env.accord(&["show", "team"]);
    run.ok();
    let out = &run.stdout;
    assert!(out.starts_with("Platform team charter  (team, charter)\n"), "{out}");
    assert!(
        out.contains("Purpose\n  Give every product team a paved road from merge to production.\n")
    );
    assert!(out.contains("Decision  consent; stewards must sign\n"), "{out}");
    assert!(out.contains("  Ada Lovelace <ada@example.com> (steward)\n"), "{out}");
    assert!(
        out.contains("  Grace Hopper <grace@example.com> (partner)  commits to: pager\n"),
        "{out}"
    );
    assert!(out.contains("  [pager] Answer deploy-pipeline pages within 15 minutes.\n"), "{out}");
    assert!(
        out.contains(
            "    by Grace Hopper <grace@example.com>; to Ada Lovelace <ada@example.com>\n"
        ),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "no colour with NO_COLOR: {out:?}");
}

#[test]
fn show_human_names_stewards_only_when_there_are_some() {
    let env = TestEnv::new();
    env.write("agreements/team.toml", &quorum_doc("rule = \"quorum\"\nquorum = 2"));
    let run = env.accord(&["show", "team"]);
    run.ok();
    assert!(run.stdout.contains("Decision  quorum (2)\n"), "{}", run.stdout);
}

#[test]
fn show_markdown() {
    let env = TestEnv::new();
    let text = charter("quorum")
        .replace("rule = \"quorum\"", "rule = \"quorum\"\nquorum = 2")
        .replace("kind = \"charter\"", "kind = \"charter\"\nreview_every = \"90d\"");
    env.write("agreements/team.toml", &text);
    let run = env.accord(&["show", "team", "--format", "markdown"]);
    run.ok();
    let out = &run.stdout;
    assert!(
        out.starts_with(
            "# Platform team charter\n\n*charter* `team` — decision: quorum (2); review every 90d\n\n## Purpose\n\nGive every product team a paved road from merge to production.\n"
        ),
        "{out}"
    );
    assert!(out.contains("| name | email | role |\n|---|---|---|\n"), "{out}");
    assert!(out.contains("| Ada Lovelace | ada@example.com | steward |\n"), "{out}");
    assert!(
        out.contains(
            "| `pager` | grace@example.com | ada@example.com | Answer deploy-pipeline pages within 15 minutes. |\n"
        ),
        "{out}"
    );
}

#[test]
fn show_json_has_every_field_of_the_schema() {
    let env = TestEnv::new();
    let text = r#"schema = 1
title = "Platform team charter"
kind = "service"
purpose = """
Give every product team a paved road.
"""
review_by = 2027-03-01
ends = 2027-06-30

[decision]
rule = "quorum"
quorum = 1

[scope]
in = ["CI runners", "deploy pipeline"]
out = ["application on-call"]

[[party]]
name = "Ada Lovelace"
email = "ada@example.com"
role = "steward"

[[party]]
name = "Grace Hopper"
email = "grace@example.com"
role = "client"

[[commitment]]
id = "pager"
by = ["ada@example.com"]
to = ["grace@example.com"]
text = "Answer pages within 15 minutes."

[[commitment]]
id = "report"
by = ["ada@example.com"]
text = "Publish a monthly report."

[[norm]]
text = "We say no early."
"#;
    env.write("agreements/platform.toml", text);
    let json = env.accord(&["show", "platform", "--format", "json"]).ok().json();
    assert_eq!(
        json,
        serde_json::json!({
            "id": "platform",
            "schema": 1,
            "title": "Platform team charter",
            "kind": "service",
            "purpose": "Give every product team a paved road.\n",
            "review_every": null,
            "review_by": "2027-03-01",
            "ends": "2027-06-30",
            "decision": {"rule": "quorum", "quorum": 1},
            "scope": {"in": ["CI runners", "deploy pipeline"], "out": ["application on-call"]},
            "parties": [
                {"name": "Ada Lovelace", "email": "ada@example.com", "role": "steward"},
                {"name": "Grace Hopper", "email": "grace@example.com", "role": "client"}
            ],
            "commitments": [
                {"id": "pager", "by": ["ada@example.com"], "to": ["grace@example.com"],
                 "text": "Answer pages within 15 minutes."},
                {"id": "report", "by": ["ada@example.com"], "to": [],
                 "text": "Publish a monthly report."}
            ],
            "norms": [{"text": "We say no early."}]
        })
    );
    // Optional parts absent from the file are still there, empty: the shape is stable.
    env.write("agreements/small.toml", &doc("charter", ADA_PARTY));
    let json = env.accord(&["show", "small", "--format", "json"]).ok().json();
    // `quorum` appears only with the quorum rule (README, JSON output).
    assert_eq!(json["decision"], serde_json::json!({"rule": "consent"}));
    assert_eq!(json["parties"][0]["role"], "partner", "role defaults to partner");
    for (key, empty) in [
        ("review_every", serde_json::json!(null)),
        ("review_by", serde_json::json!(null)),
        ("ends", serde_json::json!(null)),
        ("scope", serde_json::json!(null)),
        ("commitments", serde_json::json!([])),
        ("norms", serde_json::json!([])),
    ] {
        assert_eq!(json[key], empty, "{key}");
    }
    assert!(json.get("revision").is_none(), "the working tree has no revision: {json}");
}

#[test]
fn show_rev_reads_an_older_committed_text() {
    let env = TestEnv::new();
    let v1 = charter("consent");
    let v2 = v1.replace("a paved road from merge to production", "a road they trust");
    env.commit_file("agreements/team.toml", &v1, "v1");
    env.commit_file("agreements/team.toml", &v2, "v2");
    let old_blob =
        env.git(&["rev-parse", "HEAD~1:agreements/team.toml"]).ok().stdout.trim().to_string();
    let new_blob =
        env.git(&["rev-parse", "HEAD:agreements/team.toml"]).ok().stdout.trim().to_string();

    let old = env.accord(&["show", "team", "--rev", "HEAD~1"]);
    assert!(old.ok().stdout.contains("a paved road from merge to production"), "{}", old.stdout);
    let now = env.accord(&["show", "team"]);
    assert!(now.ok().stdout.contains("a road they trust"), "{}", now.stdout);

    let json = env.accord(&["show", "team", "--rev", "HEAD~1", "--format", "json"]).ok().json();
    assert_eq!(json["revision"], old_blob.as_str());
    assert_eq!(json["purpose"], "Give every product team a paved road from merge to production.\n");
    let json = env.accord(&["show", "team", "--rev", "main", "--format", "json"]).ok().json();
    assert_eq!(json["revision"], new_blob.as_str());

    // --rev reads the commit, not the working tree, even when the file is gone or broken there.
    env.write("agreements/team.toml", "not = [toml");
    env.accord(&["show", "team", "--rev", "HEAD"]).ok();
    std::fs::remove_file(env.repo.join("agreements/team.toml")).unwrap();
    let json = env.accord(&["show", "team", "--rev", "HEAD", "--format", "json"]).ok().json();
    assert_eq!(json["revision"], new_blob.as_str());

    let run = assert_refused(&env, &["show", "team", "--rev", "no-such-branch"]);
    assert!(run.stderr.contains("unknown revision `no-such-branch`"), "{}", run.stderr);
    let run = assert_refused(&env, &["show", "other", "--rev", "HEAD"]);
    assert!(run.stderr.contains("no agreement `other` (agreements/other.toml is not in commit"));
}

// --- bare repositories, -C, and where accord runs ---

#[test]
fn reads_work_in_a_bare_repository_from_head() {
    let env = TestEnv::new();
    env.commit_file("agreements/team.toml", &charter("consent"), "charter");
    // The working tree's own edits are not in the clone.
    env.write("agreements/team.toml", &charter("consent").replace("paved road", "dirt track"));
    env.git_in(env.tmp.path(), &["clone", "-q", "--bare", "repo", "bare.git"]).ok();
    let bare = env.path("bare.git");
    let bare = bare.to_str().unwrap();

    let show = env.accord(&["-C", bare, "show", "team"]);
    assert!(show.ok().stdout.contains("a paved road from merge"), "{}", show.stdout);
    let json = env.accord(&["-C", bare, "show", "team", "--format", "json"]).ok().json();
    assert_eq!(json["title"], "Platform team charter");

    let list = env.accord(&["-C", bare, "list", "--format", "json"]).ok().json();
    assert_eq!(list[0]["id"], "team");
    assert_eq!(
        (list[0]["committed"].as_bool(), list[0]["modified"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(list[0]["ratified"], false);

    let check = env.accord(&["-C", bare, "check"]);
    assert_eq!(check.ok().stdout, "agreements/team.toml: ok\n");
    // Started inside the bare repository, without -C.
    let inside = env.accord_in(&env.path("bare.git"), &["show", "team", "--format", "json"]);
    assert_eq!(inside.ok().json()["kind"], "charter");
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

#[test]
fn dash_c_runs_elsewhere_and_refuses_what_is_not_a_repository() {
    let env = TestEnv::new();
    env.write("agreements/team.toml", &charter("consent"));
    let run = env.accord_in(env.tmp.path(), &["-C", "repo", "show", "team", "--format", "json"]);
    assert_eq!(run.ok().json()["id"], "team");

    let missing = env.path("no-such-folder");
    let run = env.accord(&["-C", missing.to_str().unwrap(), "list"]);
    run.code(2);
    assert!(
        run.stderr
            .contains(&format!("error: cannot change to `{}`: no such folder", missing.display())),
        "{}",
        run.stderr
    );

    let outside = env.path("outside");
    std::fs::create_dir_all(&outside).unwrap();
    for args in [&["list"][..], &["check"], &["show", "team"], &["init"], &["new", "team"]] {
        let run = env.accord(&[&["-C", outside.to_str().unwrap()], args].concat());
        run.code(2);
        assert!(
            run.stderr.contains(&format!("error: not a git repository: {}", outside.display())),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("hint: run `git init` first"), "{}", run.stderr);
    }
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "nothing written outside");
}

// --- the command line itself ---

#[test]
fn help_for_accord_and_every_subcommand() {
    let env = TestEnv::new();
    let run = env.accord(&["--help"]);
    run.ok();
    assert!(run.stdout.contains("Usage: accord [OPTIONS] <COMMAND>"), "{}", run.stdout);
    let names: Vec<String> =
        accord::cli::Cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect();
    assert!(names.len() >= 10, "{names:?}");
    for name in &names {
        assert!(run.stdout.contains(&format!("  {name}")), "`{name}` missing from --help");
        let sub = env.accord(&[name, "--help"]);
        sub.ok();
        assert!(sub.stdout.contains(&format!("Usage: accord {name}")), "{name}: {}", sub.stdout);
        env.accord(&["help", name]).ok();
    }
}

#[test]
fn cli_definition_is_consistent() {
    accord::cli::Cli::command().debug_assert();
}

#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::new();
    for args in [
        &["frobnicate"][..],
        &["show"],
        &["list", "--format", "yaml"],
        &["check", "--color", "rainbow"],
    ] {
        let run = env.accord(args);
        run.code(2);
        assert!(run.stderr.contains("error:"), "{args:?}: {}", run.stderr);
    }
}
