//! log, diff, history, review, textconv, due: how agreements changed, and who agreed (issue 4).
//!
//! Every test builds a real repository and reads the result through the JSON (SPEC §7) and the
//! human lines; the git diff driver is exercised through the real `git diff` and `git log -p`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::common::*;

const FILE: &str = "agreements/charter.toml";
const P1: &str = "Give every product team a paved road from merge to production.";

/// A repository with the three-party consent charter committed by Ada.
fn setup() -> TestEnv {
    let env = TestEnv::new();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    env
}

/// The file at `rel` with `from` (which must occur) replaced by `to`.
fn replaced(env: &TestEnv, rel: &str, from: &str, to: &str) -> String {
    let text = env.read(rel);
    assert!(text.contains(from), "`{from}` not in {rel}:\n{text}");
    text.replacen(from, to, 1)
}

/// Replace `from` by `to` in `rel` and commit, as the current identity.
fn amend(env: &TestEnv, rel: &str, from: &str, to: &str, message: &str) {
    let text = replaced(env, rel, from, to);
    env.commit_file(rel, &text, message);
}

/// Record a position as `who`, then go back to being Ada.
fn take(env: &mut TestEnv, who: (&str, &str), args: &[&str]) {
    env.as_(who).accord(args).ok();
    env.as_(ADA);
}

fn sign(env: &mut TestEnv, who: (&str, &str), id: &str) {
    take(env, who, &["sign", id]);
}

fn sign_all(env: &mut TestEnv, id: &str) {
    for who in [ADA, GRACE, KATHERINE] {
        sign(env, who, id);
    }
}

fn rev(env: &TestEnv, r: &str) -> String {
    env.git(&["rev-parse", r]).ok().stdout.trim().to_string()
}

/// The blob id of `rel` at commit `r`.
fn blob(env: &TestEnv, r: &str, rel: &str) -> String {
    rev(env, &format!("{r}:{rel}"))
}

fn short(id: &str) -> &str {
    &id[..10]
}

/// The lines of the human `accord diff` output after its header.
fn diff_lines(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let mut all = vec!["diff", "--color", "never"];
    all.extend_from_slice(args);
    let run = env.accord(&all);
    run.ok();
    run.stdout.lines().skip(1).map(|l| l.strip_prefix("  ").unwrap_or(l).to_string()).collect()
}

fn diff_json(env: &TestEnv, args: &[&str]) -> Value {
    let mut all = vec!["diff", "--format", "json"];
    all.extend_from_slice(args);
    env.accord(&all).ok().json()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v:#}"))
        .iter()
        .map(|s| s.as_str().unwrap_or_else(|| panic!("not a string: {s}")).to_string())
        .collect()
}

/// `key` of every element of an array.
fn column(v: &Value, key: &str) -> Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v:#}"))
        .iter()
        .map(|e| e[key].clone())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// diff: word diffs and clause changes

#[test]
fn word_diffs_of_inserted_deleted_and_replaced_words() {
    let env = setup();
    amend(&env, FILE, "a paved road", "a paved and lit road", "Light the road");
    assert_eq!(
        diff_lines(&env, &["charter"]),
        ["purpose: Give every product team a paved {+and lit+} road from merge to production."]
    );
    amend(&env, FILE, "every product team", "every team", "Every team");
    assert_eq!(
        diff_lines(&env, &["charter"]),
        ["purpose: Give every [-product-] team a paved and lit road from merge to production."]
    );
    amend(&env, FILE, "paved and lit", "smooth", "Smooth road");
    assert_eq!(
        diff_lines(&env, &["charter"]),
        ["purpose: Give every team a [-paved and lit-]{+smooth+} road from merge to production."]
    );

    let v = diff_json(&env, &["charter"]);
    assert_eq!(v["agreement"], "charter");
    let changes = v["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{v:#}");
    assert_eq!(
        changes[0],
        json!({
            "change": "purpose_reworded",
            "old": "Give every team a paved and lit road from merge to production.",
            "new": "Give every team a smooth road from merge to production.",
            "words": [
                {"kind": "equal", "text": "Give every team a"},
                {"kind": "delete", "text": "paved and lit"},
                {"kind": "insert", "text": "smooth"},
                {"kind": "equal", "text": "road from merge to production."},
            ],
        })
    );

    // All three edits at once, from the first commit to HEAD.
    assert_eq!(
        diff_lines(&env, &["charter", "HEAD~3", "HEAD"]),
        ["purpose: Give every [-product-] team a [-paved-]{+smooth+} road from merge to production."]
    );

    // Every text field gets a word diff: title and commitment text too.
    amend(&env, FILE, "Platform team charter", "Platform crew charter", "Crew");
    amend(&env, FILE, "within 15 minutes", "within ten minutes", "Faster");
    assert_eq!(
        diff_lines(&env, &["charter", "HEAD~2", "HEAD"]),
        [
            "title: Platform [-team-]{+crew+} charter",
            "commitment pager: Answer deploy-pipeline pages within [-15-]{+ten+} minutes.",
        ]
    );
    let v = diff_json(&env, &["charter", "HEAD~2", "HEAD"]);
    assert_eq!(
        column(&v["changes"], "change"),
        [json!("title_reworded"), json!("commitment_reworded")]
    );
    assert_eq!(v["changes"][1]["id"], "pager");
    assert_eq!(
        v["changes"][1]["words"],
        json!([
            {"kind": "equal", "text": "Answer deploy-pipeline pages within"},
            {"kind": "delete", "text": "15"},
            {"kind": "insert", "text": "ten"},
            {"kind": "equal", "text": "minutes."},
        ])
    );

    // On a terminal (here forced) the words are coloured instead of bracketed.
    let run = env.accord(&["diff", "charter", "HEAD~2", "HEAD", "--color", "always"]);
    run.ok();
    assert!(run.stdout.contains("\u{1b}["), "{:?}", run.stdout);
    assert!(run.stdout.contains("crew") && run.stdout.contains("ten"), "{:?}", run.stdout);
    assert!(!run.stdout.contains("{+") && !run.stdout.contains("[-"), "{:?}", run.stdout);
    // JSON never carries colour.
    let run =
        env.accord(&["diff", "charter", "HEAD~2", "HEAD", "--color", "always", "--format", "json"]);
    assert!(!run.ok().stdout.contains('\u{1b}'));
}

#[test]
fn reflow_is_reported_as_reflowed_and_keeps_sign_offs() {
    let mut env = setup();
    sign_all(&mut env, "charter");
    let signed = blob(&env, "HEAD", FILE);
    let text = env
        .read(FILE)
        .replace(
            "Give every product team a paved road from merge to production.\n",
            "Give every product team\n  a paved road from merge\n  to production.\n",
        )
        .replace(
            "text = \"Answer deploy-pipeline pages within 15 minutes.\"",
            "text = \"\"\"\nAnswer deploy-pipeline pages\nwithin   15 minutes.\n\"\"\"",
        );
    env.commit_file(FILE, &text, "Rewrap the charter");

    let run = env.accord(&["diff", "charter", "--color", "never"]);
    assert_eq!(
        run.ok().stdout,
        format!(
            "charter {} → {}\n  purpose: text reflowed\n  commitment pager: text reflowed\n",
            short(&rev(&env, "HEAD~1")),
            short(&rev(&env, "HEAD"))
        )
    );
    let v = diff_json(&env, &["charter"]);
    assert_eq!(
        v["changes"],
        json!([{"change": "purpose_reflowed"}, {"change": "commitment_reflowed", "id": "pager"}])
    );

    // Same meaning: every sign-off is carried over and the charter stays ratified.
    let s = env.accord(&["status", "charter", "--format", "json"]).ok().json();
    assert_eq!(s[0]["ratified"], true, "{s:#}");
    for p in s[0]["parties"].as_array().unwrap() {
        assert_eq!(p["state"], "signed", "{p:#}");
        assert_eq!(p["carried_over"], true, "{p:#}");
        assert_eq!(p["revision"], signed.as_str(), "{p:#}");
    }

    // The log calls it what it is, and it stood ratified after the reflow.
    let log = env.accord(&["log", "charter", "--format", "json"]).ok().json();
    assert_eq!(log[0]["type"], "edit");
    assert_eq!(log[0]["summary"], "no change in meaning (reflowed: purpose, commitment pager)");
    assert_eq!(log[0]["ratified"], true);
    let human = env.accord(&["log", "charter"]).ok().stdout.clone();
    let first = human.lines().next().unwrap();
    assert!(
        first.ends_with(
            "Ada Lovelace: no change in meaning (reflowed: purpose, commitment pager)  ratified"
        ),
        "{human}"
    );

    // One purpose version: the value is compared whitespace-normalised.
    let h = env.accord(&["history", "charter", "--format", "json"]).ok().json();
    assert_eq!(h.as_array().unwrap().len(), 1, "{h:#}");
    assert_eq!(h[0]["value"], P1);
    assert_eq!(strings(&h[0]["revisions"]), [signed, blob(&env, "HEAD", FILE)]);
}

#[test]
fn renamed_commitment_ids() {
    let env = setup();
    amend(&env, FILE, "id = \"pager\"", "id = \"pager-rota\"", "Paging is a rota");
    assert_eq!(diff_lines(&env, &["charter"]), ["commitment renamed pager → pager-rota"]);
    let v = diff_json(&env, &["charter"]);
    assert_eq!(
        v["changes"],
        json!([{"change": "commitment_renamed", "old_id": "pager", "new_id": "pager-rota"}])
    );

    // A rename that also shares the pager: the change of `by` follows under the new id.
    let text = env.read(FILE).replace("id = \"pager-rota\"", "id = \"rota\"").replace(
        "by = [\"grace@example.com\"]",
        "by = [\"grace@example.com\", \"katherine@example.com\"]",
    );
    env.commit_file(FILE, &text, "Katherine shares the rota");
    assert_eq!(
        diff_lines(&env, &["charter"]),
        [
            "commitment renamed pager-rota → rota",
            "commitment rota: by grace@example.com → grace@example.com, katherine@example.com",
        ]
    );

    // A new id with new words is no rename: one commitment removed, one added.
    amend(&env, FILE, "id = \"rota\"", "id = \"on-call\"", "On-call");
    amend(&env, FILE, "within 15 minutes", "within an hour", "Slower");
    assert_eq!(
        diff_lines(&env, &["charter", "HEAD~2", "HEAD"]),
        [
            "+ commitment on-call: Answer deploy-pipeline pages within an hour. \
             (by grace@example.com, katherine@example.com; to ada@example.com)",
            "- commitment rota: Answer deploy-pipeline pages within 15 minutes. \
             (by grace@example.com, katherine@example.com; to ada@example.com)",
        ]
    );
    let log = env.accord(&["log", "charter", "--format", "json"]).ok().json();
    assert_eq!(
        column(&log, "summary"),
        [
            json!("commitment on-call reworded"),
            json!("commitment rota → on-call"),
            json!("commitment pager-rota → rota; commitment rota by changed"),
            json!("commitment pager → pager-rota"),
            json!("agreement created"),
        ]
    );
}

#[test]
fn parties_added_removed_renamed_and_role_changed() {
    let env = setup();
    let text = env
        .read(FILE)
        .replace(
            "[[party]]\nname = \"Katherine Johnson\"\nemail = \"katherine@example.com\"\n",
            "[[party]]\nname = \"Dorothy Vaughan\"\nemail = \"dorothy@example.com\"\nrole = \"observer\"\n",
        )
        .replace("name = \"Ada Lovelace\"", "name = \"Ada King\"")
        .replace(
            "email = \"grace@example.com\"\n",
            "email = \"grace@example.com\"\nrole = \"steward\"\n",
        );
    env.commit_file(FILE, &text, "New parties");
    assert_eq!(
        diff_lines(&env, &["charter"]),
        [
            "+ party Dorothy Vaughan <dorothy@example.com> (observer)",
            "- party Katherine Johnson <katherine@example.com> (partner)",
            "party <ada@example.com>: name Ada Lovelace → Ada King",
            "party Grace Hopper <grace@example.com>: role partner → steward",
        ]
    );
    let v = diff_json(&env, &["charter"]);
    assert_eq!(
        v["changes"],
        json!([
            {"change": "party_added", "name": "Dorothy Vaughan", "email": "dorothy@example.com",
             "role": "observer"},
            {"change": "party_removed", "name": "Katherine Johnson",
             "email": "katherine@example.com", "role": "partner"},
            {"change": "party_renamed", "email": "ada@example.com", "old": "Ada Lovelace",
             "new": "Ada King"},
            {"change": "party_role_changed", "name": "Grace Hopper", "email": "grace@example.com",
             "old": "partner", "new": "steward"},
        ])
    );
    // Markdown shows the signs of added and removed parties, not nested lists.
    let run = env.accord(&["diff", "charter", "--format", "markdown"]);
    assert_eq!(
        run.ok().stdout,
        format!(
            "### `charter`: {} → {}\n\n\
             - \\+ party Dorothy Vaughan &lt;dorothy@example.com&gt; (observer)\n\
             - \\- party Katherine Johnson &lt;katherine@example.com&gt; (partner)\n\
             - party &lt;ada@example.com&gt;: name Ada Lovelace → Ada King\n\
             - party Grace Hopper &lt;grace@example.com&gt;: role partner → steward\n",
            short(&rev(&env, "HEAD~1")),
            short(&env.head())
        )
    );
    let log = env.accord(&["log", "charter", "--format", "json"]).ok().json();
    assert_eq!(
        log[0]["summary"],
        "+1 party (Dorothy Vaughan); -1 party (Katherine Johnson); party Ada Lovelace → Ada King; \
         Grace Hopper partner → steward"
    );
}

#[test]
fn scope_rule_quorum_review_dates_and_norms() {
    let env = setup();
    let text = env
        .read(FILE)
        .replace(
            "from merge to production.\n\"\"\"\n",
            "from merge to production.\n\"\"\"\nreview_every = \"90d\"\nends = 2027-06-30\n",
        )
        .replace("rule = \"consent\"", "rule = \"quorum\"\nquorum = 2")
        .replacen(
            "[[party]]",
            "[scope]\nin = [\"CI runners\", \"deploy pipeline\"]\nout = [\"application on-call\"]\n\n[[party]]",
            1,
        );
    env.commit_file(FILE, &text, "Scope, quorum and dates");
    assert_eq!(
        diff_lines(&env, &["charter"]),
        [
            "decision: consent → quorum",
            "+ quorum 2",
            "+ review_every 90d",
            "+ ends 2027-06-30",
            "+ scope in: CI runners",
            "+ scope in: deploy pipeline",
            "+ scope out: application on-call",
        ]
    );

    let text = env
        .read(FILE)
        .replace("quorum = 2", "quorum = 3")
        .replace(
            "review_every = \"90d\"\nends = 2027-06-30",
            "review_by = 2027-03-01\nends = 2027-09-30",
        )
        .replace(
            "[\"CI runners\", \"deploy pipeline\"]",
            "[\"deploy pipeline\", \"artifact store\"]",
        )
        + "\n[[norm]]\ntext = \"We review each other's pull requests within one working day.\"\n";
    env.commit_file(FILE, &text, "Tighter");
    assert_eq!(
        diff_lines(&env, &["charter"]),
        [
            "quorum: 2 → 3",
            "- review_every 90d",
            "+ review_by 2027-03-01",
            "ends: 2027-06-30 → 2027-09-30",
            "+ scope in: artifact store",
            "- scope in: CI runners",
            "+ norm: We review each other's pull requests within one working day.",
        ]
    );
    let v = diff_json(&env, &["charter"]);
    assert_eq!(
        v["changes"],
        json!([
            {"change": "quorum_changed", "old": 2, "new": 3},
            {"change": "schedule_changed", "field": "review_every", "old": "90d", "new": null},
            {"change": "schedule_changed", "field": "review_by", "old": null, "new": "2027-03-01"},
            {"change": "schedule_changed", "field": "ends", "old": "2027-06-30", "new": "2027-09-30"},
            {"change": "scope_added", "side": "in", "item": "artifact store"},
            {"change": "scope_removed", "side": "in", "item": "CI runners"},
            {"change": "norm_added",
             "text": "We review each other's pull requests within one working day."},
        ])
    );
    let v = diff_json(&env, &["charter", "HEAD~2", "HEAD~1"]);
    assert_eq!(
        v["changes"][0],
        json!({"change": "rule_changed", "old": "consent", "new": "quorum"})
    );
    assert_eq!(v["changes"][1], json!({"change": "quorum_changed", "old": null, "new": 2}));

    let log = env.accord(&["log", "charter", "--format", "json"]).ok().json();
    assert_eq!(
        log[0]["summary"],
        "quorum 2 → 3; review_every 90d → none; review_by none → 2027-03-01; \
         ends 2027-06-30 → 2027-09-30; +1 scope in (artifact store); -1 scope in (CI runners); \
         +1 norm"
    );
}

// ---------------------------------------------------------------------------------------------
// diff: which revisions

#[test]
fn diff_defaults_to_previous_revision_and_shows_working_tree_edits() {
    let mut env = setup();
    let c1 = env.head();
    amend(&env, FILE, "a paved road", "a smooth road", "Smooth");
    let c2 = env.head();
    let v = diff_json(&env, &["charter"]);
    assert_eq!(v["from"], json!({"commit": c1, "revision": blob(&env, &c1, FILE)}));
    assert_eq!(v["to"], json!({"commit": c2, "revision": blob(&env, &c2, FILE)}));
    assert_eq!(v["changes"][0]["change"], "purpose_reworded");

    // Positions do not change the text: still the previous revision → the current one.
    sign(&mut env, GRACE, "charter");
    let c3 = env.head();
    assert_ne!(c3, c2);
    let v = diff_json(&env, &["charter"]);
    assert_eq!(v["from"]["commit"], c1.as_str());
    assert_eq!(v["to"], json!({"commit": c3, "revision": blob(&env, &c2, FILE)}));
    let run = env.accord(&["diff", "charter"]);
    assert_eq!(
        run.ok().stdout,
        format!(
            "charter {} → {}\n  purpose: Give every product team a [-paved-]{{+smooth+}} road from \
             merge to production.\n",
            short(&c1),
            short(&c3)
        )
    );

    // An uncommitted edit: the latest committed revision → the working tree.
    env.write(FILE, &replaced(&env, FILE, "within 15 minutes", "within 5 minutes"));
    let run = env.accord(&["diff", "charter", "--color", "never"]);
    assert_eq!(
        run.ok().stdout,
        format!(
            "charter {} → working tree\n  commitment pager: Answer deploy-pipeline pages within \
             [-15-]{{+5+}} minutes.\n",
            short(&c2)
        )
    );
    let v = diff_json(&env, &["charter"]);
    assert_eq!(v["from"], json!({"commit": c2, "revision": blob(&env, &c2, FILE)}));
    assert_eq!(v["to"], json!({"commit": null, "revision": null}));
    assert_eq!(column(&v["changes"], "change"), [json!("commitment_reworded")]);

    // A working tree put back to an older text compares with the newest other revision.
    env.write(FILE, &charter("consent"));
    assert_eq!(
        diff_lines(&env, &["charter"]),
        ["purpose: Give every product team a [-smooth-]{+paved+} road from merge to production."]
    );
}

#[test]
fn diff_of_a_single_revision() {
    let env = setup();
    let run = env.accord(&["diff", "charter"]);
    run.code(2);
    assert!(run.stderr.contains("agreements/charter.toml has only one revision"), "{}", run.stderr);
    assert!(run.stdout.is_empty());

    // Uncommitted edits to the only revision do show.
    env.write(FILE, &replaced(&env, FILE, "Platform team charter", "Platform charter"));
    let run = env.accord(&["diff", "charter"]);
    assert_eq!(
        run.ok().stdout,
        format!(
            "charter {} → working tree\n  title: Platform [-team-] charter\n",
            short(&env.head())
        )
    );

    let run = env.accord(&["diff", "nosuch"]);
    run.code(2);
    assert!(run.stderr.contains("agreements/nosuch.toml does not exist"), "{}", run.stderr);
}

#[test]
fn diff_between_tags_branches_and_the_working_tree() {
    let env = TestEnv::new();
    env.git(&["commit", "-q", "--allow-empty", "-m", "Start"]).ok();
    env.git(&["tag", "empty"]).ok();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    env.git(&["tag", "v1"]).ok();
    amend(&env, FILE, "Platform team charter", "Platform charter", "Shorter title");
    env.git(&["tag", "-a", "v2", "-m", "Version 2"]).ok(); // annotated: peeled to its commit
    env.git(&["checkout", "-q", "-b", "feature"]).ok();
    let text = env.read(FILE) + "\n[[norm]]\ntext = \"Be kind.\"\n";
    env.commit_file(FILE, &text, "A norm");
    env.git(&["checkout", "-q", "main"]).ok();
    amend(&env, FILE, "a paved road", "a smooth road", "Smooth");

    let (v1, v2) = (rev(&env, "v1^{commit}"), rev(&env, "v2^{commit}"));
    let run = env.accord(&["diff", "charter", "v1", "v2"]);
    assert_eq!(
        run.ok().stdout,
        format!("charter {} → {}\n  title: Platform [-team-] charter\n", short(&v1), short(&v2))
    );
    let v = diff_json(&env, &["charter", "v1", "v2"]);
    assert_eq!(v["from"], json!({"commit": v1, "revision": blob(&env, "v1", FILE)}));
    assert_eq!(v["to"], json!({"commit": v2, "revision": blob(&env, "v2", FILE)}));

    assert_eq!(diff_lines(&env, &["charter", "v2", "feature"]), ["+ norm: Be kind."]);
    assert_eq!(
        diff_lines(&env, &["charter", "feature", "main"]),
        [
            "purpose: Give every product team a [-paved-]{+smooth+} road from merge to production.",
            "- norm: Be kind.",
        ]
    );

    // FROM alone: to the current text, committed here...
    let run = env.accord(&["diff", "charter", "v1"]);
    assert_eq!(
        run.ok().stdout,
        format!(
            "charter {} → {}\n  title: Platform [-team-] charter\n  purpose: Give every product \
             team a [-paved-]{{+smooth+}} road from merge to production.\n",
            short(&v1),
            short(&env.head())
        )
    );
    // ...or not yet.
    env.write(FILE, &replaced(&env, FILE, "a smooth road", "a smooth, lit road"));
    assert_eq!(
        diff_lines(&env, &["charter", "v2"]),
        ["purpose: Give every product team a [-paved-]{+smooth, lit+} road from merge to production."]
    );
    let v = diff_json(&env, &["charter", "v2"]);
    assert_eq!(v["to"], json!({"commit": null, "revision": null}));

    // Markdown, for a comment.
    let run = env.accord(&["diff", "charter", "v1", "v2", "--format", "markdown"]);
    assert_eq!(
        run.ok().stdout,
        format!(
            "### `charter`: {} → {}\n\n- title: Platform [-team-] charter\n",
            short(&v1),
            short(&v2)
        )
    );

    // Bad revisions are input errors.
    let run = env.accord(&["diff", "charter", "nosuch", "v2"]);
    run.code(2);
    assert!(run.stdout.is_empty());
    let run = env.accord(&["diff", "charter", "empty", "v2"]);
    run.code(2);
    assert!(
        run.stderr.contains("agreements/charter.toml does not exist at empty"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// history

#[test]
fn history_across_versions_with_a_revert() {
    let mut env = setup();
    let c1 = env.head();
    sign_all(&mut env, "charter"); // version 1 ratified

    // Grace widens the purpose and shortens the pager time; Grace and Katherine sign.
    env.as_(GRACE);
    let text = replaced(&env, FILE, "a paved road", "a paved and lit road")
        .replace("within 15 minutes", "within 10 minutes");
    env.commit_file(FILE, &text, "Widen the purpose");
    env.as_(ADA);
    let c2 = env.head();
    sign(&mut env, GRACE, "charter");
    sign(&mut env, KATHERINE, "charter");
    // Ada renames the charter (same purpose: the same version) and signs only that text.
    amend(&env, FILE, "Platform team charter", "Platform charter", "Shorter title");
    let c3 = env.head();
    sign(&mut env, ADA, "charter");
    // Katherine reverts the purpose, wrapped differently: a new version all the same.
    env.as_(KATHERINE);
    amend(
        &env,
        FILE,
        "Give every product team a paved and lit road from merge to production.\n",
        "Give every product team a paved road\nfrom merge to production.\n",
        "Back to the paved road",
    );
    env.as_(ADA);
    let c4 = env.head();
    sign(&mut env, ADA, "charter");

    let h = env.accord(&["history", "charter", "--format", "json"]).ok().json();
    let ada = "Ada Lovelace <ada@example.com>";
    let grace = "Grace Hopper <grace@example.com>";
    let katherine = "Katherine Johnson <katherine@example.com>";
    let p2 = "Give every product team a paved and lit road from merge to production.";
    assert_eq!(h.as_array().unwrap().len(), 3, "{h:#}");
    assert_eq!(column(&h, "value"), [json!(P1), json!(p2), json!(P1)]);
    assert_eq!(column(&h, "commit"), [json!(c1), json!(c2), json!(c4)]);
    assert_eq!(
        column(&h, "author"),
        [json!("Ada Lovelace"), json!("Grace Hopper"), json!("Katherine Johnson")]
    );
    assert_eq!(
        column(&h, "email"),
        [json!("ada@example.com"), json!("grace@example.com"), json!("katherine@example.com")]
    );
    assert_eq!(strings(&h[1]["revisions"]), [blob(&env, &c2, FILE), blob(&env, &c3, FILE)]);
    assert_eq!(strings(&h[0]["signed_by"]), [ada, grace, katherine]);
    assert_eq!(strings(&h[1]["signed_by"]), [grace, katherine, ada]);
    assert_eq!(strings(&h[2]["signed_by"]), [ada]);
    // Version 2 was never ratified: Ada signed only the renamed text, which made the others stale.
    assert_eq!(column(&h, "ratified"), [json!(true), json!(false), json!(false)]);
    assert_eq!(h[0]["words"], json!([]));
    assert_eq!(
        h[1]["words"],
        json!([
            {"kind": "equal", "text": "Give every product team a paved"},
            {"kind": "insert", "text": "and lit"},
            {"kind": "equal", "text": "road from merge to production."},
        ])
    );
    assert_eq!(h[2]["words"][1], json!({"kind": "delete", "text": "and lit"}));
    let times = column(&h, "at");
    assert!(times.windows(2).all(|w| w[0].as_str() < w[1].as_str()), "{times:?}");
    assert!(times[0].as_str().unwrap().starts_with("2026-11-20T10:"), "{times:?}");

    // Human: oldest first, word diffs, signers and the verdict per version.
    let run = env.accord(&["history", "charter", "--color", "never"]);
    let out = run.ok().stdout.clone();
    let headers: Vec<&str> = out.lines().filter(|l| l.starts_with("purpose version")).collect();
    assert_eq!(headers.len(), 3, "{out}");
    assert!(headers[0].contains(&format!("Ada Lovelace {}  ratified", short(&c1))), "{out}");
    assert!(headers[1].contains(&format!("Grace Hopper {}  never ratified", short(&c2))), "{out}");
    assert!(
        headers[2].contains(&format!("Katherine Johnson {}  never ratified", short(&c4))),
        "{out}"
    );
    assert!(
        out.contains(&format!("\n  {P1}\n  signed by: {ada}, {grace}, {katherine}\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "\n  Give every product team a paved {{+and lit+}} road from merge to production.\n  \
             signed by: {grace}, {katherine}, {ada}\n"
        )),
        "{out}"
    );
    assert!(
        out.ends_with(&format!(
            "\n  Give every product team a paved [-and lit-] road from merge to production.\n  \
             signed by: {ada}\n"
        )),
        "{out}"
    );
    let newest_first = env.accord(&["history", "charter", "--reverse"]).ok().stdout.clone();
    assert!(newest_first.starts_with("purpose version 3 "), "{newest_first}");

    // Other fields.
    let t = env.accord(&["history", "charter", "--field", "title", "--format", "json"]).ok().json();
    assert_eq!(column(&t, "value"), [json!("Platform team charter"), json!("Platform charter")]);
    assert_eq!(column(&t, "commit"), [json!(c1), json!(c3)]);
    assert_eq!(
        t[1]["words"],
        json!([
            {"kind": "equal", "text": "Platform"},
            {"kind": "delete", "text": "team"},
            {"kind": "equal", "text": "charter"},
        ])
    );
    let c = env
        .accord(&["history", "charter", "--field", "commitment.pager", "--format", "json"])
        .ok()
        .json();
    assert_eq!(
        column(&c, "value"),
        [
            json!("Answer deploy-pipeline pages within 15 minutes."),
            json!("Answer deploy-pipeline pages within 10 minutes."),
        ]
    );
    assert_eq!(column(&c, "commit"), [json!(c1), json!(c2)]);
    let k = env.accord(&["history", "charter", "--field", "kind", "--format", "json"]).ok().json();
    assert_eq!(column(&k, "value"), [json!("charter")]);
    assert_eq!(strings(&k[0]["revisions"]).len(), 4);

    for bad in ["nope", "commitment.", "commitment.Pager", "Purpose"] {
        let run = env.accord(&["history", "charter", "--field", bad]);
        run.code(2);
        assert!(run.stderr.contains(&format!("unknown field `{bad}`")), "{}", run.stderr);
        assert!(run.stderr.contains("commitment.<id>"), "{}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    let run = env.accord(&["history", "nosuch"]);
    run.code(2);
    assert!(run.stderr.contains("no agreement `nosuch`"), "{}", run.stderr);
}

/// `git revert` restores the very same blob, and with it every sign-off made on it: the version
/// it starts stands ratified, and says who signed.
#[test]
fn history_of_a_git_revert_names_the_signers_it_restores() {
    let mut env = setup();
    sign(&mut env, ADA, "charter");
    sign(&mut env, GRACE, "charter");
    amend(&env, FILE, "a paved road", "a smooth road", "Smooth");
    sign(&mut env, KATHERINE, "charter");
    env.git(&["revert", "--no-edit", "HEAD~1"]).ok();
    sign(&mut env, KATHERINE, "charter");
    let s = env.accord(&["status", "charter", "--format", "json"]).ok().json();
    assert_eq!(s[0]["ratified"], true, "{s:#}");

    let h = env.accord(&["history", "charter", "--format", "json"]).ok().json();
    assert_eq!(column(&h, "value"), [json!(P1), json!(P1.replace("paved", "smooth")), json!(P1)]);
    assert_eq!(column(&h, "ratified"), [json!(false), json!(false), json!(true)]);
    assert_eq!(strings(&h[0]["revisions"]), strings(&h[2]["revisions"]));
    let (ada, grace, katherine) = (
        "Ada Lovelace <ada@example.com>",
        "Grace Hopper <grace@example.com>",
        "Katherine Johnson <katherine@example.com>",
    );
    assert_eq!(strings(&h[0]["signed_by"]), [ada, grace]);
    assert_eq!(strings(&h[1]["signed_by"]), [katherine]);
    assert_eq!(strings(&h[2]["signed_by"]), [ada, grace, katherine]);
}

/// Branches merged together: the edit just before in time may sit on another branch. History
/// follows what each edit changed from its parent, so a purpose edited on one branch does not
/// look reverted by an edit of the title on the other.
#[test]
fn history_across_merged_branches_has_no_phantom_revert() {
    let env = setup();
    let c1 = env.head();
    env.git(&["branch", "side"]).ok();
    amend(&env, FILE, "a paved road", "a smooth road", "Smooth");
    let smooth = env.head();
    env.git(&["checkout", "-q", "side"]).ok();
    amend(&env, FILE, "Platform team charter", "Platform charter", "Shorter title");
    let side = env.head();
    env.git(&["checkout", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--no-edit", "side"]).ok();
    let merge = env.head();
    assert!(
        env.read(FILE).contains("a smooth road") && env.read(FILE).contains("Platform charter")
    );

    let h = env.accord(&["history", "charter", "--format", "json"]).ok().json();
    let p2 = P1.replace("paved", "smooth");
    assert_eq!(column(&h, "value"), [json!(P1), json!(p2)], "{h:#}");
    assert_eq!(column(&h, "commit"), [json!(c1), json!(smooth)]);
    assert_eq!(strings(&h[0]["revisions"]), [blob(&env, &c1, FILE), blob(&env, &side, FILE)]);
    assert_eq!(strings(&h[1]["revisions"]), [blob(&env, &smooth, FILE), blob(&env, &merge, FILE)]);
    assert_eq!(h[1]["words"][1], json!({"kind": "delete", "text": "paved"}));

    let t = env.accord(&["history", "charter", "--field", "title", "--format", "json"]).ok().json();
    assert_eq!(column(&t, "value"), [json!("Platform team charter"), json!("Platform charter")]);
    assert_eq!(column(&t, "commit"), [json!(c1), json!(side)]);
}

// ---------------------------------------------------------------------------------------------
// log

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

// ---------------------------------------------------------------------------------------------
// review

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
    env.write("agreements/team.toml", &charter("majority"));
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "Replace the charter"]).ok();
    let v = env.accord(&["review", "main..pr", "--format", "json"]).ok().json();
    assert_eq!(column(&v["agreements"], "agreement"), [json!("charter"), json!("team")]);
    assert_eq!(column(&v["agreements"], "change"), [json!("removed"), json!("added")]);
    assert_eq!(v["agreements"][0]["status"], Value::Null);
    assert_eq!(v["agreements"][1]["status"]["ratified"], false);
    // The removed agreement does not need ratifying; the added one does.
    let run = env.accord(&["review", "main..pr", "--require-ratified"]);
    run.code(1);
    assert!(run.stderr.contains("not ratified at pr: team"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// textconv and the git diff driver

/// Run the real git with accord's folder first on PATH, in the test's sandbox.
fn git_with_accord(env: &TestEnv, args: &[&str]) -> Run {
    let bin: PathBuf = Path::new(env!("CARGO_BIN_EXE_accord")).parent().unwrap().to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let path =
        std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&rest))).unwrap();
    let out = Command::new("git")
        .current_dir(&env.repo)
        .env_clear()
        .env("PATH", path)
        .env("HOME", &env.home)
        .env("XDG_CONFIG_HOME", env.home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_PAGER", "cat")
        .env("NO_COLOR", "1")
        .env("LC_ALL", "C")
        .args(args)
        .output()
        .unwrap();
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// The `-`/`+` lines of a unified diff, without the file headers.
fn changed_lines(patch: &str) -> Vec<&str> {
    patch
        .lines()
        .filter(|l| {
            (l.starts_with('-') || l.starts_with('+'))
                && !l.starts_with("---")
                && !l.starts_with("+++")
        })
        .collect()
}

#[test]
fn git_diff_and_log_show_canonical_lines_after_init() {
    let env = TestEnv::new();
    env.accord(&["init"]).ok();
    assert_eq!(env.read(".gitattributes"), "agreements/*.toml diff=accord\n");
    assert_eq!(env.git(&["config", "diff.accord.textconv"]).ok().stdout, "accord textconv\n");
    env.write(FILE, &charter("consent"));
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-q", "-m", "Add the platform charter"]).ok();

    // A purpose change, a reflowed commitment and a new party, uncommitted.
    let text = replaced(&env, FILE, "a paved road", "a smooth road")
        .replace(
            "text = \"Answer deploy-pipeline pages within 15 minutes.\"",
            "text = \"\"\"\nAnswer deploy-pipeline pages\n  within 15 minutes.\n\"\"\"",
        )
        + "\n[[party]]\nname = \"Dorothy Vaughan\"\nemail = \"Dorothy@Example.com\"\nrole = \"observer\"\n";
    env.write(FILE, &text);
    let run = git_with_accord(&env, &["diff"]);
    let patch = run.ok().stdout.clone();
    assert_eq!(
        changed_lines(&patch),
        [
            "-purpose: Give every product team a paved road from merge to production.",
            "+purpose: Give every product team a smooth road from merge to production.",
            "+party: Dorothy Vaughan <dorothy@example.com> (observer)",
        ],
        "{patch}"
    );
    assert!(patch.contains("\n party: Grace Hopper <grace@example.com> (partner)\n"), "{patch}");
    assert!(!patch.contains("purpose = "), "TOML leaked: {patch}");

    env.git(&["commit", "-q", "-am", "Smooth road; Dorothy observes"]).ok();
    let run = git_with_accord(&env, &["log", "-p", "-1", "--format=%s"]);
    let log = run.ok().stdout.clone();
    assert!(log.starts_with("Smooth road; Dorothy observes\n"), "{log}");
    assert_eq!(
        changed_lines(&log),
        [
            "-purpose: Give every product team a paved road from merge to production.",
            "+purpose: Give every product team a smooth road from merge to production.",
            "+party: Dorothy Vaughan <dorothy@example.com> (observer)",
        ],
        "{log}"
    );
    // The commit that created the file: its whole canonical text is new.
    let run = git_with_accord(&env, &["log", "-p", "--format=%s", "HEAD~1", "--", FILE]);
    let log = run.ok().stdout.clone();
    assert_eq!(
        changed_lines(&log),
        [
            "+title: Platform team charter",
            "+kind: charter",
            "+purpose: Give every product team a paved road from merge to production.",
            "+decision: consent",
            "+party: Ada Lovelace <ada@example.com> (steward)",
            "+party: Grace Hopper <grace@example.com> (partner)",
            "+party: Katherine Johnson <katherine@example.com> (partner)",
            "+commitment pager: Answer deploy-pipeline pages within 15 minutes.",
            "+  by: grace@example.com",
            "+  to: ada@example.com",
        ],
        "{log}"
    );

    // Without the driver, git shows the TOML.
    let raw = git_with_accord(&env, &["diff", "--no-textconv", "HEAD~1", "HEAD"]);
    assert!(raw.ok().stdout.contains("+Give every product team a smooth road"), "{}", raw.stdout);

    // `init` again keeps everything as it is.
    env.accord(&["init"]).ok();
    assert_eq!(env.read(".gitattributes"), "agreements/*.toml diff=accord\n");
    assert_eq!(env.git(&["config", "diff.accord.textconv"]).ok().stdout, "accord textconv\n");
}

#[test]
fn textconv_renders_canonical_text_and_passes_other_input_through() {
    let env = TestEnv::new();
    env.write("ok.toml", &charter("consent"));
    let run = env.accord(&["textconv", "ok.toml"]);
    assert_eq!(
        run.ok().stdout,
        "title: Platform team charter\n\
         kind: charter\n\
         purpose: Give every product team a paved road from merge to production.\n\
         decision: consent\n\
         party: Ada Lovelace <ada@example.com> (steward)\n\
         party: Grace Hopper <grace@example.com> (partner)\n\
         party: Katherine Johnson <katherine@example.com> (partner)\n\
         commitment pager: Answer deploy-pipeline pages within 15 minutes.\n  \
         by: grace@example.com\n  \
         to: ada@example.com\n"
    );

    // Unparsable input comes out byte for byte, and textconv still succeeds.
    let inputs: [&[u8]; 4] = [
        b"schema = 1\ntitle = [broken\n",
        b"schema = 2\ntitle = \"from the future\"\n",
        b"\xff\xfe not UTF-8 \x00\n",
        b"",
    ];
    for (i, bytes) in inputs.iter().enumerate() {
        let name = format!("bad{i}.toml");
        std::fs::write(env.repo.join(&name), bytes).unwrap();
        let out = env.accord_cmd().args(["textconv", &name]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.stdout, *bytes, "{name}");
    }

    // A file that cannot be read: nothing on stdout, a word on stderr, still exit 0.
    let run = env.accord(&["textconv", "missing.toml"]);
    assert_eq!(run.ok().stdout, "");
    assert!(run.stderr.contains("cannot read missing.toml"), "{}", run.stderr);

    // `-` reads stdin.
    let mut child = env
        .accord_cmd()
        .args(["textconv", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"not = [toml").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"not = [toml");
}

#[test]
fn git_diff_of_an_unparsable_agreement_shows_its_text() {
    let env = TestEnv::new();
    env.accord(&["init", "-q"]).ok();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    env.write(FILE, "schema = 1\ntitle = [oops\n");
    let run = git_with_accord(&env, &["diff"]);
    let patch = run.ok().stdout.clone();
    let lines = changed_lines(&patch);
    assert!(
        lines.contains(&"-purpose: Give every product team a paved road from merge to production."),
        "{patch}"
    );
    assert!(lines.contains(&"+schema = 1") && lines.contains(&"+title = [oops"), "{patch}");
}

// ---------------------------------------------------------------------------------------------
// due

fn with_top_level(text: &str, line: &str) -> String {
    text.replacen("\n[decision]", &format!("{line}\n\n[decision]"), 1)
}

#[test]
fn due_as_of_review_by_review_every_and_ends() {
    let mut env = TestEnv::new();
    let base = charter("consent");
    env.write("agreements/quarterly.toml", &with_top_level(&base, "review_every = \"30d\""));
    env.write("agreements/deadline.toml", &with_top_level(&base, "review_by = 2027-03-01"));
    env.write("agreements/contract.toml", &with_top_level(&base, "ends = 2027-06-30"));
    env.write("agreements/fresh.toml", &with_top_level(&base, "review_every = \"7d\""));
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "Four agreements"]).ok();
    sign_all(&mut env, "quarterly"); // ratified on 2026-11-20; `fresh` never is
    let ratified_at = env.accord(&["log", "quarterly", "--format", "json"]).ok().json()[0]["at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ratified_at.starts_with("2026-11-20T10:"), "{ratified_at}");

    let due = |env: &TestEnv, as_of: &str| {
        env.accord(&["due", "--as-of", as_of, "--format", "json"]).ok().json()
    };
    let quarterly = json!({"agreement": "quarterly", "title": "Platform team charter",
                           "reason": "review_every", "due_on": "2026-12-20",
                           "last_ratified": ratified_at});
    let deadline = json!({"agreement": "deadline", "title": "Platform team charter",
                          "reason": "review_by", "due_on": "2027-03-01"});
    let contract = json!({"agreement": "contract", "title": "Platform team charter",
                          "reason": "ends", "due_on": "2027-06-30"});
    assert_eq!(due(&env, "2026-12-19"), json!([]));
    assert_eq!(due(&env, "2026-12-20"), json!([quarterly]));
    assert_eq!(due(&env, "2027-02-28"), json!([quarterly]));
    let mut both = due(&env, "2027-03-01").as_array().unwrap().clone();
    both.sort_by_key(|d| d["agreement"].as_str().unwrap().to_string());
    assert_eq!(both, [deadline.clone(), quarterly.clone()]);
    let mut all = due(&env, "2027-07-01").as_array().unwrap().clone();
    all.sort_by_key(|d| d["agreement"].as_str().unwrap().to_string());
    assert_eq!(all, [contract, deadline.clone(), quarterly.clone()]);
    // `ends` is due once the day has passed, not on it.
    assert_eq!(due(&env, "2027-06-30").as_array().unwrap().len(), 2);

    let run = env.accord(&["due", "--as-of", "2026-12-19"]);
    assert_eq!(run.ok().stdout, "");
    assert!(run.stderr.contains("nothing is due as of 2026-12-19"), "{}", run.stderr);
    let run = env.accord(&["due", "--as-of", "2026-12-20"]);
    assert_eq!(
        run.ok().stdout,
        format!(
            "quarterly  due  Platform team charter — review was due on 2026-12-20 (30d after it \
             was last ratified, {ratified_at})\n"
        )
    );

    // Amended on 2027-01-10: not ratified now, so the clock still runs from 2026-11-20...
    env.clock.set(1_799_582_400); // 2027-01-10T12:00:00Z
    amend(&env, "agreements/quarterly.toml", "a paved road", "a smooth road", "Smooth");
    assert_eq!(due(&env, "2027-01-15"), json!([quarterly]));
    // ...until it is ratified again: then it restarts from there.
    sign_all(&mut env, "quarterly");
    let again = env.accord(&["log", "quarterly", "--format", "json"]).ok().json()[0]["at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(again.starts_with("2027-01-10T12:"), "{again}");
    assert_eq!(due(&env, "2027-02-08"), json!([]));
    assert_eq!(
        due(&env, "2027-02-09"),
        json!([{"agreement": "quarterly", "title": "Platform team charter",
                "reason": "review_every", "due_on": "2027-02-09", "last_ratified": again}])
    );

    let run = env.accord(&["due", "--as-of", "2027-13-01"]);
    run.code(2);
    assert!(run.stderr.contains("`2027-13-01` is not a date"), "{}", run.stderr);
}
