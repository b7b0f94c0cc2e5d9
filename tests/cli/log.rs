//! `accord log`: the timeline newest first, edits with their summaries and positions.

use serde_json::{json, Value};

use crate::common::changes::*;
use crate::common::*;

/// The charter without Katherine.
fn charter_without_katherine() -> String {
    charter("consent").replace(
        "[[party]]\nname = \"Katherine Johnson\"\nemail = \"katherine@example.com\"\n\n",
        "",
    )
}

#[test]
fn log_newest_first_with_summaries_and_positions() {
    let mut env = TestEnv::new();
    env.commit_file(FILE, &charter_without_katherine(), "Draft the platform charter");
    take(&mut env, ADA, &["sign", "charter", "-m", "Ready from my side."]);
    take(
        &mut env,
        GRACE,
        &["object", "charter", "-m", "The pager puts on-call on me alone.\nWe are two."],
    );
    let text = charter("consent")
        .replace("a paved road", "a paved, well-lit road")
        .replace("id = \"pager\"", "id = \"pager-rota\"");
    env.commit_file(FILE, &text, "Charter: a rota, and Katherine joins");
    take(&mut env, GRACE, &["sign", "charter", "-m", "A rota works for me."]);
    sign(&mut env, KATHERINE, "charter");
    sign(&mut env, ADA, "charter");

    let log = env.accord(&["log", "charter", "--format", "json"]).ok().json();
    let commits: Vec<String> =
        env.git(&["log", "--format=%H"]).ok().stdout.lines().map(String::from).collect();
    assert_eq!(commits.len(), 7);
    assert_eq!(strings(&Value::Array(column(&log, "commit"))), commits);
    assert_eq!(
        column(&log, "type"),
        ["position", "position", "position", "edit", "position", "position", "edit"]
            .map(|t| json!(t))
    );
    assert_eq!(
        log[3],
        json!({
            "type": "edit",
            "commit": commits[3],
            "at": log[3]["at"],
            "author": "Ada Lovelace",
            "email": "ada@example.com",
            "subject": "Charter: a rota, and Katherine joins",
            "revision": blob(&env, &commits[3], FILE),
            "summary": "purpose reworded; +1 party (Katherine Johnson); commitment pager → pager-rota",
            "changes": log[3]["changes"],
            "ratified": false,
        })
    );
    assert_eq!(
        column(&log[3]["changes"], "change"),
        [json!("purpose_reworded"), json!("party_added"), json!("commitment_renamed")]
    );
    assert_eq!(log[6]["summary"], "agreement created");
    assert_eq!(log[6]["changes"], json!([]));
    assert_eq!(
        log[4],
        json!({
            "type": "position",
            "commit": commits[4],
            "at": log[4]["at"],
            "name": "Grace Hopper",
            "email": "grace@example.com",
            "position": "object",
            "revision": blob(&env, &commits[6], FILE),
            "note": "The pager puts on-call on me alone.\nWe are two.",
            "ratified": false,
        })
    );
    assert!(log[1].get("note").is_none(), "no note, no key: {:#}", log[1]);
    assert_eq!(column(&log, "ratified")[0], json!(true));
    assert!(column(&log, "ratified")[1..].iter().all(|r| r == false));
    let times: Vec<String> = strings(&Value::Array(column(&log, "at")));
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    for t in &times {
        assert!(t.len() == 20 && t.starts_with("2026-11-20T10:") && t.ends_with('Z'), "{t}");
    }

    // Human: one line per event (edits add their subject), in the same order.
    let out = env.accord(&["log", "charter"]).ok().stdout.clone();
    let line = |k: usize, rest: &str| format!("{} {} {rest}", times[k], short(&commits[k]));
    let expected = [
        line(0, "sign     Ada Lovelace  → ratified"),
        line(1, "sign     Katherine Johnson"),
        line(2, "sign     Grace Hopper: A rota works for me."),
        line(
            3,
            "edit     Ada Lovelace: purpose reworded; +1 party (Katherine Johnson); \
             commitment pager → pager-rota",
        ),
        format!("{:31}Charter: a rota, and Katherine joins", ""),
        line(4, "object   Grace Hopper: The pager puts on-call on me alone."),
        line(5, "sign     Ada Lovelace: Ready from my side."),
        line(6, "edit     Ada Lovelace: agreement created"),
        format!("{:31}Draft the platform charter", ""),
    ];
    assert_eq!(out.lines().collect::<Vec<_>>(), expected, "{out}");

    // Oldest first.
    let reversed = env.accord(&["log", "charter", "--reverse", "--format", "json"]).ok().json();
    let mut oldest_first = commits.clone();
    oldest_first.reverse();
    assert_eq!(strings(&Value::Array(column(&reversed, "commit"))), oldest_first);
    let out = env.accord(&["log", "charter", "--reverse"]).ok().stdout.clone();
    assert!(
        out.lines().next().unwrap().ends_with("edit     Ada Lovelace: agreement created"),
        "{out}"
    );
    assert!(out.lines().last().unwrap().ends_with("sign     Ada Lovelace  → ratified"), "{out}");

    let run = env.accord(&["log", "nosuch"]);
    run.code(2);
    assert!(run.stderr.contains("no agreement `nosuch`"), "{}", run.stderr);
}

/// A pull request signed on the positions branch and squash-merged: the sign-offs come before
/// the squash commit in time, on the text it brings ("on a later text"); an objection to a
/// draft that was amended before the merge is "on another text", never "on an earlier text".
#[test]
fn log_labels_positions_on_a_pull_requests_text_after_a_squash_merge() {
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &charter("consent"), "Add the charter");
    env.git(&["checkout", "-q", "-b", "feature"]).ok();
    amend(&env, FILE, "a paved road", "a paved, lit road", "First draft");
    take(&mut env, GRACE, &["object", "charter", "-m", "Who pays for the lights?"]);
    amend(&env, FILE, "a paved, lit road", "a paved, well-lit road", "Second draft");
    sign_all(&mut env, "charter");
    env.git(&["checkout", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--squash", "feature"]).ok();
    env.git(&["commit", "-q", "-m", "Light the road (#1)"]).ok();
    let log = env.accord(&["log", "charter", "--format", "json"]).ok().json();
    let positions: Vec<&Value> =
        log.as_array().unwrap().iter().filter(|e| e["type"] == "position").collect();
    assert_eq!(positions.len(), 4, "{log}");
    for p in &positions {
        let (later, other) = (p.get("on_later_text"), p.get("on_other_text"));
        assert!(p.get("on_earlier_text").is_none(), "{p}");
        if p["position"] == "object" {
            assert_eq!((later, other), (None, Some(&json!(true))), "{p}");
        } else {
            assert_eq!((later, other), (Some(&json!(true)), None), "{p}");
        }
    }
    // A draft amended before it merged means something else: no "same meaning".
    assert!(positions.iter().all(|p| p.get("same_meaning").is_none()), "{log}");
    let human = env.accord(&["log", "charter"]).ok().stdout.clone();
    assert!(human.contains("Grace Hopper (on another text): Who pays for the lights?"), "{human}");
    assert_eq!(human.matches("(on a later text)").count(), 3, "{human}");
}

/// Red-team finding: sign-offs on a pull request that was rebase-merged over a comment-only
/// edit of `main` count (same meaning: `status` says "carried over"), but `log` labelled them
/// only "(on another text)", as it labels a draft that was amended before it merged.
#[test]
fn log_says_same_meaning_for_sign_offs_carried_over_through_a_rebase() {
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &charter("consent"), "Add the charter");
    env.git(&["checkout", "-q", "-b", "feature"]).ok();
    amend(&env, FILE, "a paved road", "a paved, lit road", "Light the road");
    sign_all(&mut env, "charter");
    env.git(&["checkout", "-q", "main"]).ok();
    let commented = format!("# Reviewed by the platform team.\n{}", env.read(FILE));
    env.commit_file(FILE, &commented, "A comment");
    env.git(&["rebase", "-q", "main", "feature"]).ok();
    env.git(&["checkout", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--ff-only", "feature"]).ok();
    let status = env.accord(&["status", "charter"]).ok().stdout.clone();
    assert_eq!(status.matches("carried over: same meaning").count(), 3, "{status}");
    let log = env.accord(&["log", "charter", "--format", "json"]).ok().json();
    let positions: Vec<&Value> =
        log.as_array().unwrap().iter().filter(|e| e["type"] == "position").collect();
    assert_eq!(positions.len(), 3, "{log}");
    // Made before the rebase placed their text: on a later text, with another blob.
    for p in &positions {
        assert_eq!(p["on_later_text"], true, "{p}");
        assert_eq!(p["same_meaning"], true, "{p}");
        assert!(p.get("on_other_text").is_none(), "{p}");
    }
    let human = env.accord(&["log", "charter"]).ok().stdout.clone();
    assert_eq!(human.matches("(on a later text; same meaning)").count(), 3, "{human}");
}
