//! `accord commitments` and a partnership's give and take in `status` and `show`.

use serde_json::{json, Value};

use crate::common::changes::{amend, sign, sign_all};
use crate::common::*;

const PAIR: &str = r#"schema = 1
title = "Platform and payments partnership"
kind = "partnership"
purpose = "Ship payments on the paved road."

[[party]]
name = "Ada Lovelace"
email = "ada@example.com"

[[party]]
name = "Grace Hopper"
email = "grace@example.com"

[[party]]
name = "Olive Observer"
email = "olive@example.com"
role = "observer"

[[commitment]]
id = "review"
by = ["ada@example.com"]
to = ["grace@example.com"]
text = "Review payment changes within a day."

[[commitment]]
id = "oncall"
by = ["grace@example.com"]
to = ["ada@example.com"]
text = "Carry the payments pager."

[[commitment]]
id = "joint"
by = ["ada@example.com", "GRACE@example.com"]
text = "Write the runbook together."
"#;

/// (agreement, commitment) of each row.
fn keys(rows: &Value) -> Vec<(String, String)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["agreement"].as_str().unwrap().into(), r["commitment"].as_str().unwrap().into())
        })
        .collect()
}

fn k(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, c)| (a.to_string(), c.to_string())).collect()
}

fn at(env: &TestEnv) -> String {
    let t = env.git(&["log", "-1", "--format=%cd", "--date=format-local:%Y-%m-%dT%H:%M:%SZ"]);
    t.ok().stdout.trim().to_string()
}

#[test]
fn commitments_across_agreements_and_parties() {
    let mut env = TestEnv::new();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Charter");
    let charter_commit = env.head();
    let charter_at = at(&env);
    env.commit_file("agreements/pair.toml", PAIR, "Partnership");
    let pair_commit = env.head();
    let pair_at = at(&env);
    sign_all(&mut env, "charter");

    let json = |env: &TestEnv, args: &[&str]| {
        let mut all = vec!["commitments", "--format", "json"];
        all.extend_from_slice(args);
        env.accord(&all).ok().json()
    };
    let grace = json(&env, &["--party", "grace@example.com"]);
    assert_eq!(keys(&grace), k(&[("charter", "pager"), ("pair", "oncall"), ("pair", "joint")]));
    assert_eq!(
        grace[0],
        json!({"agreement": "charter", "kind": "charter", "ratified": true, "commitment": "pager",
               "text": "Answer deploy-pipeline pages within 15 minutes.",
               "by": ["grace@example.com"], "to": ["ada@example.com"],
               "since": charter_at, "commit": charter_commit,
               "revision": env.git(&["rev-parse", &format!("{charter_commit}:agreements/charter.toml")]).stdout.trim()})
    );
    assert_eq!(grace[1]["ratified"], false);
    assert_eq!(grace[1]["kind"], "partnership");
    assert_eq!(grace[1]["commit"], pair_commit);
    assert_eq!(grace[2]["to"], json!([]));
    // --me is the git identity (Ada); --owed looks at `to`; no party: everything.
    assert_eq!(keys(&json(&env, &["--me"])), k(&[("pair", "review"), ("pair", "joint")]));
    assert_eq!(
        keys(&json(&env, &["--party", "ADA@example.com", "--owed"])),
        k(&[("charter", "pager"), ("pair", "oncall")])
    );
    assert_eq!(keys(&json(&env, &["--me", "--owed"])).len(), 2);
    assert_eq!(keys(&json(&env, &[])).len(), 4);
    assert_eq!(json(&env, &["--party", "olive@example.com"]), json!([]));

    // Since when unchanged: a purpose edit keeps it, a rewording of the commitment resets it.
    amend(&env, "agreements/pair.toml", "Ship payments", "Ship all payments", "Purpose");
    amend(
        &env,
        "agreements/pair.toml",
        "Carry the payments pager.",
        "Carry the  payments   pager.",
        "Reflow",
    );
    let grace = json(&env, &["--party", "grace@example.com"]);
    assert_eq!(grace[1]["since"], pair_at, "a reflow and another field's edit keep it");
    amend(&env, "agreements/pair.toml", "Carry the  payments", "Carry the card", "Reword");
    let reworded = env.head();
    let grace = json(&env, &["--party", "grace@example.com"]);
    assert_eq!(grace[1]["commit"], reworded);
    assert_eq!(grace[1]["text"], "Carry the card pager.");
    assert_eq!(grace[2]["commit"], pair_commit, "the other commitments stood unchanged");

    // Human and markdown.
    let human = env.accord(&["commitments", "--party", "grace@example.com"]).ok().stdout.clone();
    let lines: Vec<&str> = human.lines().collect();
    assert_eq!(lines[0], format!("charter/pager  (charter, ratified)  since {charter_at}"));
    assert_eq!(lines[1], "  Answer deploy-pipeline pages within 15 minutes.");
    assert_eq!(lines[2], "  by grace@example.com; to ada@example.com");
    assert!(lines[3].starts_with("pair/oncall  (partnership, not ratified)  since "), "{human}");
    let md = env.accord(&["commitments", "--me", "--format", "markdown"]).ok().stdout.clone();
    assert!(
        md.starts_with("| agreement | kind | ratified | commitment | by | to | since | text |\n"),
        "{md}"
    );
    assert!(md.contains(&format!("| `pair` | partnership | no | `review` | ada@example.com | grace@example.com | {pair_at} | Review payment changes within a day. |")), "{md}");
    let run = env.accord(&["commitments", "--party", "nobody@example.com"]);
    assert!(
        run.ok().stderr.contains("nobody@example.com is accountable for no commitment"),
        "{}",
        run.stderr
    );
    env.accord(&["commitments", "--owed"]).code(2);
    env.accord(&["commitments", "--me", "--party", "a@example.com"]).code(2);
}

#[test]
fn superseded_agreements_are_left_out() {
    let mut env = TestEnv::new();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Charter");
    let next = charter("consent")
        .replace("kind = \"charter\"\n", "kind = \"charter\"\nsupersedes = [\"charter\"]\n");
    env.commit_file("agreements/charter-2.toml", &next, "Charter 2");
    let rows = |env: &TestEnv| keys(&env.accord(&["commitments", "--format", "json"]).ok().json());
    assert_eq!(rows(&env), k(&[("charter", "pager"), ("charter-2", "pager")]));
    sign_all(&mut env, "charter-2");
    assert_eq!(rows(&env), k(&[("charter-2", "pager")]));
}

#[test]
fn retired_agreements_are_left_out() {
    let mut env = TestEnv::new();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Charter");
    env.commit_file("agreements/pair.toml", PAIR, "Partnership");
    let rows = |env: &TestEnv| keys(&env.accord(&["commitments", "--format", "json"]).ok().json());
    assert_eq!(rows(&env).len(), 4);
    // A retirement is a change of meaning like any other (SPEC §4): proposed, it changes
    // nothing (red-team finding: it dropped the commitments at once); ratified, it binds nobody,
    // as `due` and `pending` skip it.
    amend(
        &env,
        "agreements/charter.toml",
        "kind = \"charter\"\n",
        "kind = \"charter\"\nretired = true\n",
        "Retire",
    );
    assert_eq!(rows(&env).len(), 4);
    let pending = env.accord(&["pending", "--format", "json"]).ok().json();
    assert!(pending.to_string().contains("\"charter\""), "it awaits Ada's position: {pending}");
    sign_all(&mut env, "charter");
    assert_eq!(rows(&env), k(&[("pair", "review"), ("pair", "oncall"), ("pair", "joint")]));
    let pending = env.accord(&["pending", "--format", "json"]).ok().json();
    assert!(!pending.to_string().contains("\"charter\""), "{pending}");
    let grace = env.accord(&["commitments", "--party", "grace@example.com"]).ok().stdout.clone();
    assert!(!grace.contains("charter/pager"), "{grace}");
    assert!(grace.contains("pair/oncall"), "{grace}");
}

#[test]
fn a_partnership_shows_its_give_and_take() {
    let mut env = TestEnv::new();
    env.commit_file("agreements/pair.toml", PAIR, "Partnership");
    sign(&mut env, ADA, "pair");
    let s = env.accord(&["status", "pair", "--format", "json"]).ok().json();
    assert_eq!(
        s[0]["give_and_take"],
        json!([
            {"name": "Ada Lovelace", "email": "ada@example.com", "role": "partner",
             "gives": ["review", "joint"], "receives": ["oncall"]},
            {"name": "Grace Hopper", "email": "grace@example.com", "role": "partner",
             "gives": ["oncall", "joint"], "receives": ["review"]},
        ])
    );
    let show = env.accord(&["show", "pair", "--format", "json"]).ok().json();
    assert_eq!(show["give_and_take"], s[0]["give_and_take"]);
    let human = env.accord(&["status", "pair"]).ok().stdout.clone();
    assert!(
        human.contains(
            "  give and take\n    Ada Lovelace <ada@example.com>  gives: review, joint; receives: oncall\n    \
             Grace Hopper <grace@example.com>  gives: oncall, joint; receives: review\n"
        ),
        "{human}"
    );
    let human = env.accord(&["show", "pair"]).ok().stdout.clone();
    assert!(
        human.contains("Give and take\n  Ada Lovelace <ada@example.com>  gives: review, joint; receives: oncall\n"),
        "{human}"
    );
    let md = env.accord(&["show", "pair", "--format", "markdown"]).ok().stdout.clone();
    assert!(md.contains("## Give and take\n\n| party | gives | receives |\n|---|---|---|\n| Ada Lovelace &lt;ada@example.com&gt; | `review`, `joint` | `oncall` |\n"), "{md}");
    let md = env.accord(&["status", "pair", "--format", "markdown"]).ok().stdout.clone();
    assert!(md.contains("**Give and take**\n\n| party | gives | receives |"), "{md}");
    // Other kinds keep their output: no give and take.
    env.commit_file("agreements/charter.toml", &charter("consent"), "Charter");
    let s = env.accord(&["status", "charter", "--format", "json"]).ok().json();
    assert!(s[0].get("give_and_take").is_none(), "{s}");
    assert!(!env.accord(&["show", "charter"]).ok().stdout.contains("Give and take"));
}
