//! `supersedes` (SPEC §3, §7): a ratified successor supersedes, a proposal does nothing; chains,
//! cycles and unknown ids; `new --supersedes`; removal of a superseded agreement.

use serde_json::{json, Value};

use crate::common::changes::sign;
use crate::common::*;

/// A decision with Ada (steward) and, when `grace`, Grace; `supersedes` as given.
fn decision(title: &str, supersedes: &[&str], grace: bool) -> String {
    let list: Vec<String> = supersedes.iter().map(|s| format!("\"{s}\"")).collect();
    let mut text = format!(
        "schema = 1\ntitle = \"{title}\"\nkind = \"decision\"\npurpose = \"Decide {title}.\"\n\
         review_every = \"30d\"\n"
    );
    if !supersedes.is_empty() {
        text.push_str(&format!("supersedes = [{}]\n", list.join(", ")));
    }
    text.push_str(
        "\n[[party]]\nname = \"Ada Lovelace\"\nemail = \"ada@example.com\"\nrole = \"steward\"\n",
    );
    if grace {
        text.push_str("\n[[party]]\nname = \"Grace Hopper\"\nemail = \"grace@example.com\"\n");
    }
    text
}

fn file(id: &str) -> String {
    format!("agreements/{id}.toml")
}

fn status_of(env: &TestEnv, id: &str) -> Value {
    env.accord(&["status", id, "--format", "json"]).ok().json()[0].clone()
}

/// The `at` of the newest edit or position in `log <id>` (the position that ratified it, when
/// it was one).
fn newest_at(env: &TestEnv, id: &str) -> String {
    let log = env.accord(&["log", id, "--format", "json"]).ok().json();
    let entry = log.as_array().unwrap().iter().find(|e| e["type"] != "superseded").unwrap();
    entry["at"].as_str().unwrap().into()
}

#[test]
fn a_proposal_supersedes_nothing_and_a_ratified_successor_does() {
    let mut env = TestEnv::new();
    env.commit_file(&file("adr-12"), &decision("tabs", &[], true), "ADR 12");
    sign(&mut env, ADA, "adr-12");
    env.commit_file(&file("adr-31"), &decision("spaces", &["adr-12"], false), "ADR 31");

    // Proposed, not ratified: nothing changes for the old record.
    let old = status_of(&env, "adr-12");
    assert!(old.get("superseded_by").is_none(), "{old}");
    let list = env.accord(&["list", "--format", "json"]).ok().json();
    assert!(list.as_array().unwrap().iter().all(|r| r.get("superseded_by").is_none()));
    let show = env.accord(&["show", "adr-12", "--format", "json"]).ok().json();
    assert!(show.get("superseded_by").is_none(), "{show}");
    let show = env.accord(&["show", "adr-31", "--format", "json"]).ok().json();
    assert_eq!(show["supersedes"], json!(["adr-12"]));
    env.as_(GRACE);
    let pending = env.accord(&["pending", "--format", "json"]).ok().json();
    assert_eq!(pending[0]["agreement"], "adr-12", "{pending}");
    env.as_(ADA);

    // Ratified: the old record is superseded since that moment, without an edit.
    sign(&mut env, ADA, "adr-31");
    let since = newest_at(&env, "adr-31");
    let old = status_of(&env, "adr-12");
    assert_eq!(old["superseded_by"], json!(["adr-31"]));
    assert_eq!(old["superseded_since"], since);
    assert!(status_of(&env, "adr-31").get("superseded_by").is_none());
    let list = env.accord(&["list", "--format", "json"]).ok().json();
    let row = |id: &str| list.as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(row("adr-12")["superseded_by"], json!(["adr-31"]));
    assert!(row("adr-31").get("superseded_by").is_none());
    let show = env.accord(&["show", "adr-12", "--format", "json"]).ok().json();
    assert_eq!(show["superseded_by"], json!(["adr-31"]));
    assert_eq!(show["superseded_since"], since);

    // In words: status, list, show, log and history.
    let line = format!("superseded by adr-31 since {since}");
    let human = env.accord(&["status", "adr-12"]).ok().stdout.clone();
    assert_eq!(human.lines().nth(1).unwrap(), format!("  {line}"), "{human}");
    let human = env.accord(&["list"]).ok().stdout.clone();
    let old_line = human.lines().find(|l| l.starts_with("adr-12")).unwrap();
    assert!(old_line.ends_with(&format!("; {line}")), "{old_line}");
    let human = env.accord(&["show", "adr-12"]).ok().stdout.clone();
    assert_eq!(human.lines().nth(1).unwrap(), line);
    let md = env.accord(&["show", "adr-12", "--format", "markdown"]).ok().stdout.clone();
    assert!(md.contains(&format!("**Superseded** by `adr-31` since {since}.")), "{md}");
    let md = env.accord(&["status", "adr-12", "--format", "markdown"]).ok().stdout.clone();
    assert!(md.contains(&format!("**Superseded** by `adr-31` since {since}.")), "{md}");
    let log = env.accord(&["log", "adr-12", "--format", "json"]).ok().json();
    assert_eq!(log[0], json!({"type": "superseded", "by": "adr-31", "at": since}));
    assert_eq!(log[1]["type"], "position");
    let log = env.accord(&["log", "adr-12"]).ok().stdout.clone();
    assert_eq!(log.lines().next().unwrap(), format!("{since} superseded by adr-31 (ratified)"));
    let reversed = env.accord(&["log", "adr-12", "--reverse"]).ok().stdout.clone();
    assert!(reversed.trim_end().ends_with("superseded by adr-31 (ratified)"), "{reversed}");
    let history = env.accord(&["history", "adr-12"]).ok().stdout.clone();
    assert!(history.trim_end().ends_with(&line), "{history}");

    // Treated like a retired agreement: `pending` and `due` skip it.
    env.as_(GRACE);
    let pending = env.accord(&["pending", "--format", "json"]).ok().json();
    assert_eq!(pending, json!([]));
    env.as_(ADA);
    let due = env.accord(&["due", "--as-of", "2030-01-01", "--format", "json"]).ok().json();
    let due: Vec<&str> =
        due.as_array().unwrap().iter().map(|d| d["agreement"].as_str().unwrap()).collect();
    assert_eq!(due, ["adr-31"]);

    // An amendment of the successor that is not yet ratified takes the supersession back.
    env.commit_file(&file("adr-31"), &decision("spaces", &["adr-12"], true), "ADR 31: Grace joins");
    assert!(status_of(&env, "adr-12").get("superseded_by").is_none());
    // `--rev` judges an earlier commit as it was.
    let before =
        env.accord(&["status", "adr-12", "--rev", "HEAD~1", "--format", "json"]).ok().json();
    assert_eq!(before[0]["superseded_by"], json!(["adr-31"]));
}

#[test]
fn chains_and_several_successors() {
    let mut env = TestEnv::new();
    env.commit_file(&file("v1"), &decision("one", &[], false), "v1");
    env.commit_file(&file("v2"), &decision("two", &["v1"], false), "v2");
    env.commit_file(&file("v3"), &decision("three", &["v2"], false), "v3");
    env.commit_file(&file("merged"), &decision("merged", &["v1"], false), "merged");
    for id in ["v1", "v3", "merged"] {
        sign(&mut env, ADA, id);
    }
    // v2 is a proposal: it supersedes nothing, but the ratified v3 supersedes it.
    let by = |env: &TestEnv, id: &str| status_of(env, id)["superseded_by"].clone();
    assert_eq!(by(&env, "v1"), json!(["merged"]));
    assert_eq!(by(&env, "v2"), json!(["v3"]));
    assert_eq!(by(&env, "v3"), Value::Null);
    sign(&mut env, ADA, "v2");
    let since_v2 = newest_at(&env, "v2");
    let since_merged = newest_at(&env, "merged");
    assert_eq!(by(&env, "v1"), json!(["merged", "v2"]));
    // Since the first of them was ratified.
    assert_eq!(status_of(&env, "v1")["superseded_since"], since_merged);
    let line = env.accord(&["status", "v1"]).ok().stdout.lines().nth(1).unwrap().to_string();
    assert_eq!(line, format!("  superseded by merged since {since_merged}, v2 since {since_v2}"));
    env.accord(&["check"]).ok();
}

#[test]
fn check_refuses_unknown_ids_and_cycles() {
    let env = TestEnv::new();
    env.write(&file("a"), &decision("a", &["b"], false));
    env.write(&file("b"), &decision("b", &["c"], false));
    env.write(&file("c"), &decision("c", &["a", "ghost"], false));
    env.write(&file("d"), &decision("d", &["d"], false));
    env.write(&file("e"), &decision("e", &["Bad/Id"], false));
    let run = env.accord(&["check", "--format", "json"]);
    run.code(1);
    let reports = run.json();
    let problems = |id: &str| -> Vec<String> {
        let r = reports.as_array().unwrap().iter().find(|r| r["agreement"] == id).unwrap();
        assert_eq!(r["valid"], false, "{r}");
        r["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["message"].as_str().unwrap().to_string())
            .collect()
    };
    let cycle = "supersession forms a cycle: a, b, c";
    assert_eq!(problems("a"), [cycle]);
    assert_eq!(problems("b"), [cycle]);
    assert_eq!(problems("c"), ["supersedes `ghost`, which is no agreement", cycle]);
    assert_eq!(problems("d"), ["`d` supersedes itself"]);
    assert_eq!(problems("e"), ["`Bad/Id` is not a valid agreement id"]);
    let human = env.accord(&["check"]).code(1).stdout.clone();
    assert!(
        human
            .contains("agreements/c.toml: `supersedes`: supersedes `ghost`, which is no agreement"),
        "{human}"
    );
}

#[test]
fn a_superseded_agreement_can_be_removed() {
    let mut env = TestEnv::new();
    env.commit_file(&file("old"), &decision("old", &[], false), "old");
    sign(&mut env, ADA, "old");
    env.git(&["checkout", "-q", "-b", "replace"]).ok();
    env.commit_file(&file("new"), &decision("new", &["old"], false), "new");
    sign(&mut env, ADA, "new");
    env.git(&["rm", "-q", &file("old")]).ok();
    env.git(&["commit", "-q", "-m", "Remove the superseded decision"]).ok();
    // The successor still names the removed agreement: known from history, so check accepts.
    env.accord(&["check"]).ok();
    let run = env.accord(&["review", "main..replace", "--require-ratified", "--format", "json"]);
    let review = run.ok().json();
    assert_eq!(review["ratified"], true, "{review}");
    let changes: Vec<(&str, &str)> = review["agreements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["agreement"].as_str().unwrap(), a["change"].as_str().unwrap()))
        .collect();
    assert_eq!(changes, [("new", "added"), ("old", "removed")]);
    // Said as what it is (red-team finding: it said "after a ratified retirement").
    assert_eq!(review["agreements"][1]["superseded_by"], serde_json::json!(["new"]), "{review}");
    let human = env.accord(&["review", "main..replace"]);
    assert!(
        human.ok().stdout.contains("old (removed) — removed superseded by new"),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains("retirement"), "{}", human.stdout);
    // A typo is still refused.
    env.write(&file("new"), &decision("new", &["olde"], false));
    env.accord(&["check"]).code(1);
}

#[test]
fn new_supersedes_drafts_from_the_old_text() {
    let env = TestEnv::new();
    let old = decision("tabs", &[], true).replace("purpose = ", "# why we decided\npurpose = ");
    env.commit_file(&file("adr-12"), &old, "ADR 12");
    env.accord(&["new", "adr-31", "--supersedes", "adr-12"]).ok();
    let text = env.read(&file("adr-31"));
    assert!(text.contains("# why we decided\n"), "comments are kept:\n{text}");
    assert!(text.contains("supersedes = [\"adr-12\"]\n"), "{text}");
    assert_eq!(text.replace("supersedes = [\"adr-12\"]\n", ""), old);
    let show = env.accord(&["show", "adr-31", "--format", "json"]).ok().json();
    assert_eq!((show["title"].clone(), show["kind"].clone()), (json!("tabs"), json!("decision")));
    env.accord(&["check"]).ok();

    // A new title (escaped as TOML needs), never overwriting, never itself.
    env.accord(&["new", "adr-32", "--supersedes", "adr-12", "--title", "Tabs \"again\"\\"]).ok();
    let show = env.accord(&["show", "adr-32", "--format", "json"]).ok().json();
    assert_eq!(show["title"], "Tabs \"again\"\\");
    let before = env.read(&file("adr-31"));
    let run = env.accord(&["new", "adr-31", "--supersedes", "adr-12"]);
    assert!(run.code(2).stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(env.read(&file("adr-31")), before);
    let run = env.accord(&["new", "adr-12", "--supersedes", "adr-12"]);
    run.code(2);
    let run = env.accord(&["new", "adr-40", "--supersedes", "nothing-here"]);
    assert!(run.code(2).stderr.contains("no agreement `nothing-here`"), "{}", run.stderr);
    assert!(!env.repo.join(file("adr-40")).exists());
}

#[test]
fn supersedes_is_part_of_the_meaning() {
    let mut env = TestEnv::new();
    env.commit_file(&file("a"), &decision("a", &[], false), "a");
    env.commit_file(&file("b"), &decision("b", &[], false), "b");
    env.commit_file(&file("c"), &decision("c", &["a"], false), "c");
    sign(&mut env, ADA, "c");
    // Naming one more agreement is a change of meaning: the sign-off goes stale.
    env.commit_file(&file("c"), &decision("c", &["b", "a"], false), "c replaces b too");
    let diff = env.accord(&["diff", "c", "HEAD~2", "HEAD", "--format", "json"]).ok().json();
    assert_eq!(
        diff["changes"],
        json!([{"change": "supersedes_changed", "old": ["a"], "new": ["a", "b"]}])
    );
    let log = env.accord(&["log", "c"]).ok().stdout.clone();
    assert!(log.contains("edit     Ada Lovelace: supersedes a → a, b"), "{log}");
    assert_eq!(status_of(&env, "c")["parties"][0]["state"], "stale");
    assert!(status_of(&env, "a").get("superseded_by").is_none());
    // The order of the list is not: the sign-off carries over.
    sign(&mut env, ADA, "c");
    env.commit_file(&file("c"), &decision("c", &["a", "b"], false), "c: sorted");
    assert_eq!(status_of(&env, "c")["parties"][0]["carried_over"], true);
    assert_eq!(status_of(&env, "b")["superseded_by"], json!(["c"]));
    let text = env.accord(&["textconv", &file("c")]).ok().stdout.clone();
    assert!(text.ends_with("supersedes: a, b\n"), "{text}");
}

/// TOML may spell a key or an id with escapes: `"\u0073upersedes" = ["\u0061dr-12"]` still
/// supersedes adr-12, for the one-agreement commands (`history`, `log`, `show`) as for `status`.
#[test]
fn supersedes_written_with_escapes_still_counts() {
    let mut env = TestEnv::new();
    env.commit_file(&file("adr-12"), &decision("tabs", &[], true), "ADR 12");
    sign(&mut env, ADA, "adr-12");
    let escaped = decision("spaces", &[], false).replace(
        "review_every = \"30d\"\n",
        "review_every = \"30d\"\n\"\\u0073upersedes\" = [\"\\u0061dr-12\"]\n",
    );
    env.commit_file(&file("adr-31"), &escaped, "ADR 31");
    sign(&mut env, ADA, "adr-31");
    assert_eq!(status_of(&env, "adr-12")["superseded_by"], json!(["adr-31"]));
    let show = env.accord(&["show", "adr-12", "--format", "json"]).ok().json();
    assert_eq!(show["superseded_by"], json!(["adr-31"]), "{show}");
    let log = env.accord(&["log", "adr-12", "--format", "json"]).ok().json();
    assert!(log.as_array().unwrap().iter().any(|e| e["type"] == "superseded"), "{log}");
}
