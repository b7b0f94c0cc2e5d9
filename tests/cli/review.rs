//! `accord review`: what a range of commits changed, for a pull request (human and markdown).

use serde_json::{json, Value};

use crate::common::changes::*;
use crate::common::*;

/// Three agreements on `main`; a `pr` branch changes `alpha` and `beta` and records positions;
/// `gamma` is not touched in the range (its sign-off predates the branch, and `main` changes it
/// after the branch point). HEAD is left on `pr`.
fn review_setup() -> TestEnv {
    let mut env = TestEnv::new();
    for (id, title) in
        [("alpha", "Alpha charter"), ("beta", "Beta charter"), ("gamma", "Gamma charter")]
    {
        env.write(
            &format!("agreements/{id}.toml"),
            &charter("consent").replace("Platform team charter", title),
        );
    }
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "Three charters"]).ok();
    sign(&mut env, ADA, "gamma");
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    amend(&env, "agreements/alpha.toml", "a paved road", "a paved and lit road", "Light alpha");
    let beta = replaced(&env, "agreements/beta.toml", "rule = \"consent\"", "rule = \"majority\"")
        + "\n[[norm]]\ntext = \"Decisions are written down.\"\n";
    env.commit_file("agreements/beta.toml", &beta, "Beta decides by majority");
    sign_all(&mut env, "alpha");
    take(&mut env, ADA, &["sign", "beta", "-m", "Fine by me."]);
    take(
        &mut env,
        GRACE,
        &["object", "beta", "-m", "Majority leaves Katherine out.\nKeep consent."],
    );
    env.git(&["checkout", "-q", "main"]).ok();
    amend(&env, "agreements/gamma.toml", "a paved road", "a gravel road", "Gamma moves on");
    env.git(&["checkout", "-q", "pr"]).ok();
    env
}

#[test]
fn review_of_a_range_with_two_changed_agreements_and_one_untouched() {
    let mut env = review_setup();
    let v = env.accord(&["review", "main..pr", "--format", "json"]).ok().json();
    assert_eq!(v["base"], rev(&env, "main"));
    assert_eq!(v["head"], rev(&env, "pr"));
    assert_eq!(v["merge_base"], rev(&env, "main~1"));
    assert_eq!(v["ratified"], false);
    let agreements = &v["agreements"];
    assert_eq!(column(agreements, "agreement"), [json!("alpha"), json!("beta")], "{v:#}");
    assert_eq!(column(agreements, "change"), [json!("changed"), json!("changed")]);

    let alpha = &agreements[0];
    assert_eq!(column(&alpha["changes"], "change"), [json!("purpose_reworded")]);
    assert_eq!(alpha["changes"][0]["words"][1], json!({"kind": "insert", "text": "and lit"}));
    assert_eq!(
        column(&alpha["positions"], "name"),
        [json!("Katherine Johnson"), json!("Grace Hopper"), json!("Ada Lovelace")]
    );
    assert!(column(&alpha["positions"], "position").iter().all(|p| p == "sign"));
    let alpha_blob = blob(&env, "pr", "agreements/alpha.toml");
    assert!(column(&alpha["positions"], "revision").iter().all(|r| r == alpha_blob.as_str()));
    assert_eq!(alpha["status"]["ratified"], true);
    assert_eq!(alpha["status"]["revision"], alpha_blob.as_str());

    let beta = &agreements[1];
    assert_eq!(
        beta["changes"],
        json!([
            {"change": "rule_changed", "old": "consent", "new": "majority"},
            {"change": "norm_added", "text": "Decisions are written down."},
        ])
    );
    assert_eq!(column(&beta["positions"], "position"), [json!("object"), json!("sign")]);
    assert_eq!(beta["positions"][0]["note"], "Majority leaves Katherine out.\nKeep consent.");
    assert_eq!(beta["positions"][1]["note"], "Fine by me.");
    assert_eq!(beta["positions"][0]["commit"], rev(&env, "pr"));
    // Majority: Ada alone is not more than half; Grace's objection is recorded.
    assert_eq!(beta["status"]["ratified"], false);
    assert_eq!(beta["status"]["objections"][0]["email"], "grace@example.com");
    assert_eq!(
        beta["status"]["objections"][0]["reason"],
        "Majority leaves Katherine out.\nKeep consent."
    );

    // Human: the same story, and no word of gamma.
    let run = env.accord(&["review", "main..pr", "--color", "never"]);
    let out = run.ok().stdout.clone();
    assert!(!out.contains("gamma"), "{out}");
    assert!(out.starts_with("alpha (changed) — ratified at head\n"), "{out}");
    assert!(
        out.contains(
            "\n  purpose: Give every product team a paved {+and lit+} road from merge to production.\n"
        ),
        "{out}"
    );
    assert!(out.contains("\nbeta (changed) — not ratified at head\n"), "{out}");
    assert!(
        out.contains("\n  decision: consent → majority\n  + norm: Decisions are written down.\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "\n  {} Grace Hopper object: Majority leaves Katherine out.\n",
            short(&rev(&env, "pr"))
        )),
        "{out}"
    );
    assert!(out.contains("\n  blocking: "), "{out}");
    // `main..` means `main..HEAD`.
    assert_eq!(env.accord(&["review", "main.."]).ok().stdout, out);

    // CI gate: beta is not ratified at HEAD.
    let run = env.accord(&["review", "main..pr", "--require-ratified"]);
    run.code(1);
    assert!(run.stderr.contains("not ratified at pr: beta"), "{}", run.stderr);
    assert!(!run.stderr.contains("alpha"), "{}", run.stderr);
    assert!(run.stdout.contains("beta (changed) — not ratified at head"), "{}", run.stdout);

    // Grace comes round: now every changed agreement is ratified.
    take(&mut env, GRACE, &["sign", "beta", "-m", "Written down, then."]);
    let run = env.accord(&["review", "main..pr", "--require-ratified", "--format", "json"]);
    let v = run.ok().json();
    assert_eq!(v["ratified"], true);
    assert_eq!(column(&v["agreements"], "agreement"), [json!("alpha"), json!("beta")]);
    assert_eq!(v["agreements"][1]["positions"].as_array().unwrap().len(), 3);
    env.accord(&["review", "main..pr", "--require-ratified"]).ok();

    // A range with no agreement change.
    let run = env.accord(&["review", "pr..pr"]);
    assert_eq!(run.ok().stdout, "no agreement changed in this range\n");
    let run = env.accord(&["review", "pr..pr", "--require-ratified", "--format", "json"]);
    assert_eq!(run.ok().json()["agreements"], json!([]));
    let run = env.accord(&["review", "main"]);
    run.code(2);
    assert!(run.stderr.contains("is not a range"), "{}", run.stderr);
}

#[test]
fn review_markdown_comment() {
    let env = review_setup();
    let run = env.accord(&["review", "main..pr", "--format", "markdown"]);
    let text = format!("exit: {}\n--- stdout\n{}--- stderr\n{}", run.code, run.stdout, run.stderr);
    insta::assert_snapshot!("review_markdown", text);
}

#[test]
fn review_lists_added_and_removed_agreements() {
    let env = setup();
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    env.git(&["rm", "-q", FILE]).ok();
    // Not similar to the charter (git would call a similar file a rename: see positions_branch).
    let team = "schema = 1\ntitle = \"Team norms\"\nkind = \"working-agreement\"\npurpose = \"How we work together day to day.\"\n\n[[party]]\nname = \"Ada Lovelace\"\nemail = \"ada@example.com\"\n\n[[norm]]\ntext = \"Reviews within a day.\"\n";
    env.write("agreements/team.toml", team);
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "Replace the charter"]).ok();
    let v = env.accord(&["review", "main..pr", "--format", "json"]).ok().json();
    assert_eq!(column(&v["agreements"], "agreement"), [json!("charter"), json!("team")]);
    assert_eq!(column(&v["agreements"], "change"), [json!("removed"), json!("added")]);
    assert_eq!(v["agreements"][0]["status"], Value::Null);
    assert_eq!(v["agreements"][1]["status"]["ratified"], false);
    // The added one needs ratifying; so does the removal (SPEC §4: removing an agreement is a
    // change that needs consent: retire it first).
    let run = env.accord(&["review", "main..pr", "--require-ratified"]);
    run.code(1);
    assert!(run.stderr.contains("not ratified at pr: team"), "{}", run.stderr);
    assert!(
        run.stderr.contains("removed without a ratified retirement: charter"),
        "{}",
        run.stderr
    );
}

/// The agreements a range touched are judged together; when one of them cannot be judged, the
/// error is still the first such agreement's (in id order), whichever it is, as when each was
/// judged on its own.
#[test]
fn review_reports_the_first_agreement_that_cannot_be_judged() {
    let mut env = TestEnv::new();
    for id in ["alpha", "beta", "gamma"] {
        env.write(&format!("agreements/{id}.toml"), &charter("consent"));
    }
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "Three charters"]).ok();
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    let reworded = replaced(&env, "agreements/gamma.toml", "a paved road", "a lit road");
    env.commit_file("agreements/gamma.toml", &reworded, "Light gamma");
    sign(&mut env, ADA, "gamma");
    // An agreement given a period that is none: it parses, and cannot be judged.
    let break_it = |env: &TestEnv, id: &str, period: &str| {
        let rel = format!("agreements/{id}.toml");
        let with = format!("review_every = \"{period}\"\n\n[decision]");
        env.commit_file(&rel, &replaced(env, &rel, "[decision]", &with), &format!("{id} breaks"));
    };
    break_it(&env, "beta", "soon");
    let run = env.accord(&["review", "main..pr"]);
    run.code(2);
    assert!(
        run.stderr.contains("agreements/beta.toml")
            && run.stderr.contains("`soon` is not a period"),
        "{}",
        run.stderr
    );
    break_it(&env, "alpha", "later");
    let run = env.accord(&["review", "main..pr", "--format", "json"]);
    run.code(2);
    assert!(run.stderr.contains("agreements/alpha.toml"), "{}", run.stderr);
    assert!(!run.stderr.contains("agreements/beta.toml"), "{}", run.stderr);
    // Mended, the three are judged together again.
    let mended = replaced(&env, "agreements/alpha.toml", "review_every = \"later\"\n", "");
    env.commit_file("agreements/alpha.toml", &mended, "Alpha mended");
    let mended = replaced(&env, "agreements/beta.toml", "review_every = \"soon\"\n", "");
    env.commit_file("agreements/beta.toml", &mended, "Beta mended");
    let v = env.accord(&["review", "main..pr", "--format", "json"]).ok().json();
    assert_eq!(
        column(&v["agreements"], "agreement"),
        [json!("alpha"), json!("beta"), json!("gamma")],
        "{v:#}"
    );
    assert_eq!(v["agreements"][2]["positions"].as_array().unwrap().len(), 1);
}
