//! The rules an agreement file must keep, as `accord check` reports them with their locations;
//! other commands refuse a file that breaks one.

use crate::common::files::*;
use crate::common::ledger::*;
use crate::common::*;

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
            ":12:9: `party[1].email`: `ADA@Example.COM` is already the email of `party[0]` (Ada)",
            // Only ASCII letters compare without case (SPEC §4, one identity rule): `É` is not `é`,
            // so neither is a duplicate; and an email must be printable ASCII (issue 11).
            ":16:9: `party[2].email`: `zoé@example.com` is not printable ASCII (it holds U+00E9)",
            ":20:9: `party[3].email`: `ZOÉ@example.com` is not printable ASCII (it holds U+00C9)",
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
fn rule_supersedes_names_each_replaced_agreement_once_by_its_id() {
    let env = TestEnv::new();
    let text =
        doc("charter", &format!("supersedes = [\"old\", \"Old Charter\", \"old\"]\n{ADA_PARTY}"));
    assert_rule_breaks(
        &env,
        &text,
        &[
            ":5:22: `supersedes[1]`: `Old Charter` is not a valid agreement id",
            ":5:37: `supersedes[2]`: `old` is listed twice in `supersedes`",
        ],
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
    // Red-team finding: a file one folder down was ignored without a word ("no agreements").
    let env = TestEnv::new();
    env.write("agreements/platform/charter.toml", &doc("charter", ADA_PARTY));
    let run = env.accord(&["check"]);
    run.code(1);
    assert!(
        run.stdout.contains(
            "agreements/platform/charter.toml: agreements live directly in agreements/, so accord \
             ignores this file (hint: move it up: agreements/<id>.toml)"
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
