//! `accord diff`: word diffs, reflow, renamed ids, parties, rules and dates, and which revisions
//! are compared.

use serde_json::json;

use crate::common::changes::*;
use crate::common::*;

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
            "charter {} (previous revision) → {} (current text)\n  purpose: text reflowed\n  \
             commitment pager: text reflowed\n",
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
            "### `charter`: `{} (previous revision)` → `{} (current text)`\n\n\
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
            "charter {} (previous revision) → {} (current text)\n  purpose: Give every product \
             team a [-paved-]{{+smooth+}} road from merge to production.\n",
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
            "charter {} (last committed text) → working tree\n  commitment pager: Answer deploy-pipeline pages within \
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
            "charter {} (last committed text) → working tree\n  title: Platform [-team-] charter\n",
            short(&env.head())
        )
    );

    let run = env.accord(&["diff", "nosuch"]);
    run.code(2);
    assert!(run.stderr.contains("agreements/nosuch.toml does not exist"), "{}", run.stderr);
    // Red-team finding: `diff` was the one command whose "not found" named no known agreement.
    assert!(run.stderr.contains("hint: known agreements: charter"), "{}", run.stderr);
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
        format!(
            "charter v1 ({}) → v2 ({})\n  title: Platform [-team-] charter\n",
            short(&v1),
            short(&v2)
        )
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
            "charter v1 ({}) → {} (current text)\n  title: Platform [-team-] charter\n  purpose: \
             Give every product team a [-paved-]{{+smooth+}} road from merge to production.\n",
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
            "### `charter`: `v1 ({})` → `v2 ({})`\n\n- title: Platform ~~team~~ charter\n",
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
        run.stderr
            .contains("no agreement `charter` at empty (agreements/charter.toml is not there)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint: compare commits that hold it"), "{}", run.stderr);
}

/// `git mv` keeps the lineage for `diff` as for `log` and `history` (SPEC §4, "Renames keep
/// the lineage"): a revision from before the rename is found under the id it had then.
#[test]
fn diff_follows_a_rename() {
    let env = setup();
    env.git(&["mv", FILE, "agreements/platform.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Rename the charter"]).ok();
    amend(&env, "agreements/platform.toml", "a paved road", "a paved and lit road", "Light it");
    let lit =
        ["purpose: Give every product team a paved {+and lit+} road from merge to production."];
    // From before the rename to a commit, and to the current text.
    assert_eq!(diff_lines(&env, &["platform", "HEAD~2", "HEAD"]), lit);
    assert_eq!(diff_lines(&env, &["platform", "HEAD~2"]), lit);
    // Across the rename alone nothing changed in meaning.
    let v = diff_json(&env, &["platform", "HEAD~2", "HEAD~1"]);
    assert_eq!(v["changes"], json!([]), "{v:#}");
    // Both sides before the rename, under the new id.
    amend(&env, "agreements/platform.toml", "and lit ", "", "Unlight it");
    assert_eq!(diff_json(&env, &["platform", "HEAD~3", "HEAD~3"])["changes"], json!([]));
    // An id that never was this agreement's is still not found.
    let run = env.accord(&["diff", "nothing", "HEAD~3", "HEAD"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no agreement `nothing` at HEAD~3 (agreements/nothing.toml is not there)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("known now: platform"), "{}", run.stderr);
}
