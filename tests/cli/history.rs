//! `accord history`: versions across reverts and merges, with who signed each.

use serde_json::{json, Value};

use crate::common::cached::{accord_mode, words, Mode};
use crate::common::changes::*;
use crate::common::ledger::party;
use crate::common::*;

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
    // A commitment's value is its text and who is accountable to whom.
    assert_eq!(
        column(&c, "value"),
        [
            json!("Answer deploy-pipeline pages within 15 minutes. (by grace@example.com; to ada@example.com)"),
            json!("Answer deploy-pipeline pages within 10 minutes. (by grace@example.com; to ada@example.com)"),
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

/// Grace rewords the purpose on branch `feature`; back on main as Ada. Returns the first
/// commit and Grace's.
fn smooth_on_a_branch(env: &mut TestEnv) -> (String, String) {
    let c1 = env.head();
    env.git(&["checkout", "-q", "-b", "feature"]).ok();
    env.as_(GRACE);
    amend(env, FILE, "a paved road", "a smooth road", "Smooth");
    let smooth = env.head();
    env.as_(ADA);
    env.git(&["checkout", "-q", "main"]).ok();
    (c1, smooth)
}

#[test]
fn an_edit_merged_after_main_renamed_the_file_is_credited_to_its_author() {
    // Red-team finding: Grace reworded the purpose on a branch while main did a `git mv`;
    // after the merge, history and log credited the rewording to the merge (its merger, its
    // date), though without the rename they credit Grace's commit.
    let mut env = setup();
    let (c1, smooth) = smooth_on_a_branch(&mut env);
    env.git(&["mv", FILE, "agreements/platform.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Rename"]).ok();
    let renamed = env.head();
    env.as_(KATHERINE);
    env.git(&["merge", "-q", "--no-edit", "feature"]).ok();
    let merge = env.head();
    assert!(env.read("agreements/platform.toml").contains("a smooth road"));

    let h = env.accord(&["history", "platform", "--format", "json"]).ok().json();
    let p2 = P1.replace("paved", "smooth");
    assert_eq!(column(&h, "value"), [json!(P1), json!(p2)], "{h:#}");
    assert_eq!(column(&h, "commit"), [json!(c1), json!(smooth)], "{h:#}");
    assert_eq!(column(&h, "author"), [json!("Ada Lovelace"), json!("Grace Hopper")], "{h:#}");
    let text = env.accord(&["history", "platform"]).ok().stdout.clone();
    assert!(text.contains(&format!("Grace Hopper {}", short(&smooth))), "{text}");

    // log lists Grace's commit as the rewording, the rename as a rename, and the merge as a
    // merge that joined the two (as for any merge whose text differs from both parents').
    let log = env.accord(&["log", "platform", "--format", "json"]).ok().json();
    let edits: Vec<(String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "edit")
        .map(|e| (e["commit"].as_str().unwrap().into(), e["summary"].as_str().unwrap().into()))
        .collect();
    let commits: Vec<&str> = edits.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(commits, [&merge, &renamed, &smooth, &c1], "{log:#}");
    assert_eq!(edits[2].1, "purpose reworded", "{log:#}");
    assert!(edits[1].1.starts_with("renamed from charter"), "{log:#}");
}

#[test]
fn a_pure_rename_lists_its_revision_once() {
    // Red-team finding: after an edit, a pure `git mv` (same blob) and another edit, the
    // version between listed the same revision twice in JSON.
    let env = setup();
    amend(&env, FILE, "a paved road", "a smooth road", "Smooth");
    let smooth = env.head();
    env.git(&["mv", FILE, "agreements/platform.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Rename"]).ok();
    amend(&env, "agreements/platform.toml", "Platform team charter", "Platform charter", "Title");
    let h = env.accord(&["history", "platform", "--format", "json"]).ok().json();
    assert_eq!(h.as_array().unwrap().len(), 2, "{h:#}");
    let title = env.head();
    assert_eq!(
        strings(&h[1]["revisions"]),
        [blob(&env, &smooth, FILE), blob(&env, &title, "agreements/platform.toml")],
        "{h:#}"
    );
}

#[test]
fn a_sign_off_made_after_its_text_was_replaced_is_not_listed_as_signing_it() {
    // Red-team finding: Grace signed version 1 (on HEAD's branch, by hand) two days after it
    // was replaced; history listed her under version 1's "signed by", which the README says
    // lists who signed it while it stood. log says "on an earlier text".
    let mut env = setup();
    let r1 = blob(&env, "HEAD", FILE);
    sign(&mut env, ADA, "charter");
    amend(&env, FILE, "a paved road", "a smooth road", "Smooth");
    env.as_(GRACE);
    env.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "accord: sign charter",
        "--trailer",
        "Accord-Position: sign",
        "--trailer",
        "Accord-Agreement: charter",
        "--trailer",
        &format!("Accord-Revision: {r1}"),
        "--trailer",
        "Accord-Party: Grace Hopper <grace@example.com>",
    ])
    .ok();
    env.as_(ADA);
    let log = env.accord(&["log", "charter"]).ok().stdout.clone();
    assert!(log.contains("Grace Hopper (on an earlier text)"), "{log}");
    let h = env.accord(&["history", "charter", "--format", "json"]).ok().json();
    assert_eq!(strings(&h[0]["signed_by"]), ["Ada Lovelace <ada@example.com>"], "{h:#}");
    assert!(strings(&h[1]["signed_by"]).is_empty(), "{h:#}");
}

#[test]
fn moving_a_commitment_to_someone_else_is_a_new_version_of_it() {
    // Red-team finding: `--field commitment.<id>` followed the text alone, so handing the
    // pager to Katherine kept "version 1, ratified while it stood", signed by all three, while
    // `diff` and `commitments` said it changed.
    let env = TestEnv::new();
    let text = charter("consent");
    env.commit_file("agreements/charter.toml", &text, "charter");
    let moved =
        text.replacen("by = [\"grace@example.com\"]", "by = [\"katherine@example.com\"]", 1);
    assert_ne!(moved, text);
    env.commit_file("agreements/charter.toml", &moved, "Katherine takes the pager");
    let h = env
        .accord(&["history", "charter", "--field", "commitment.pager", "--format", "json"])
        .ok()
        .json();
    let values: Vec<&str> =
        h.as_array().unwrap().iter().map(|v| v["value"].as_str().unwrap()).collect();
    assert_eq!(values.len(), 2, "{h:#}");
    assert!(values[0].ends_with("(by grace@example.com; to ada@example.com)"), "{values:?}");
    assert!(values[1].ends_with("(by katherine@example.com; to ada@example.com)"), "{values:?}");
    let human =
        env.accord(&["history", "charter", "--field", "commitment.pager"]).ok().stdout.clone();
    assert!(human.contains("[-grace@example.com;-]{+katherine@example.com;+}"), "{human}");
}

#[test]
fn a_branch_merged_both_ways_across_two_renames_keeps_one_lineage() {
    // Red-team finding: Grace reworded the purpose under the old name on a branch while main
    // renamed the file twice; main was merged into the branch and the branch into main.
    // history showed a third version (the merge of main into the branch, credited as a
    // purpose change) and log said "renamed from" on only one of the two renames.
    let mut env = setup();
    let (c1, smooth) = smooth_on_a_branch(&mut env);
    env.git(&["mv", FILE, "agreements/team.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Rename to team"]).ok();
    let first = env.head();
    env.git(&["mv", "agreements/team.toml", "agreements/platform.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Rename to platform"]).ok();
    let second = env.head();
    env.as_(GRACE);
    env.git(&["checkout", "-q", "feature"]).ok();
    env.git(&["merge", "-q", "--no-edit", "main"]).ok();
    env.as_(KATHERINE);
    env.git(&["checkout", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--no-ff", "--no-edit", "feature"]).ok();
    assert!(env.read("agreements/platform.toml").contains("a smooth road"));

    let h = env.accord(&["history", "platform", "--format", "json"]).ok().json();
    let p2 = P1.replace("paved", "smooth");
    assert_eq!(column(&h, "value"), [json!(P1), json!(p2)], "{h:#}");
    assert_eq!(column(&h, "commit"), [json!(c1), json!(smooth)], "{h:#}");

    let log = env.accord(&["log", "platform", "--format", "json"]).ok().json();
    let summary = |commit: &str| -> String {
        let e = log.as_array().unwrap().iter().find(|e| e["commit"] == commit);
        e.map(|e| e["summary"].as_str().unwrap().to_string()).unwrap_or_default()
    };
    // (The merge of main into the branch renamed the file too, seen from the branch.)
    assert!(summary(&first).starts_with("renamed from charter"), "{log:#}");
    assert!(summary(&second).starts_with("renamed from team"), "{log:#}");
    assert_eq!(summary(&smooth), "purpose reworded", "{log:#}");
}

#[test]
fn a_file_renamed_back_to_its_old_name_is_still_there() {
    // Found in review: with every rename followed, `git mv` to another name and back made
    // log call the rename back "agreement deleted" and history lose the current text. The
    // history under the first name, before the first rename, is followed too.
    let env = setup();
    let c1 = env.head();
    env.git(&["mv", FILE, "agreements/platform.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Rename"]).ok();
    amend(&env, "agreements/platform.toml", "a paved road", "a smooth road", "Smooth");
    env.git(&["mv", "agreements/platform.toml", FILE]).ok();
    env.git(&["commit", "-q", "-m", "Rename back"]).ok();
    let back = env.head();
    let log = env.accord(&["log", "charter", "--format", "json"]).ok().json();
    assert_eq!(log[0]["commit"], json!(back), "{log:#}");
    assert_eq!(log[0]["renamed_from"], json!("platform"), "{log:#}");
    let h = env.accord(&["history", "charter", "--format", "json"]).ok().json();
    assert_eq!(column(&h, "value"), [json!(P1), json!(P1.replace("paved", "smooth"))], "{h:#}");
    assert_eq!(h[0]["commit"], json!(c1), "{h:#}");
}

#[test]
fn a_reverted_rename_keeps_the_sign_offs_made_before_it() {
    // A `git revert` of a `git mv` (a rename and back) is the same agreement under the same
    // name: the sign-offs made before the first rename still count, and history still has
    // the first version.
    let mut env = setup();
    let c1 = env.head();
    sign(&mut env, ADA, "charter");
    sign(&mut env, GRACE, "charter");
    take(&mut env, KATHERINE, &["sign", "charter", "--here"]);
    let log = renamed_and_reverted(&env, &c1);
    assert_eq!(log.last().unwrap()["commit"], json!(c1), "{log:#?}");
    assert_eq!(log[0]["renamed_from"], json!("platform"), "{log:#?}");
}

/// Rename the charter and revert the rename; check that it stays ratified, with one version
/// made at `c1` and signed by all three, and six events in its log (created, three sign-offs,
/// renamed, renamed back), which are returned.
fn renamed_and_reverted(env: &TestEnv, c1: &str) -> Vec<Value> {
    env.git(&["mv", FILE, "agreements/platform.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Rename"]).ok();
    env.git(&["revert", "--no-edit", "HEAD"]).ok();
    let s = env.accord(&["status", "charter", "--format", "json"]).ok().json();
    assert_eq!(s[0]["ratified"], true, "{s:#}");
    let h = env.accord(&["history", "charter", "--format", "json"]).ok().json();
    assert_eq!(column(&h, "commit"), [json!(c1)], "{h:#}");
    assert_eq!(h[0]["signed_by"].as_array().map(Vec::len), Some(3), "{h:#}");
    let log = env.accord(&["log", "charter", "--format", "json"]).ok().json();
    let log = log.as_array().unwrap().clone();
    assert_eq!(log.len(), 6, "{log:#?}");
    log
}

/// Katherine objects to the charter, which is then renamed `platform`; a new charter with
/// Ada and Katherine as parties takes the freed id, and Ada signs it.
fn renamed_away_and_the_id_taken(mut env: TestEnv) -> TestEnv {
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    sign_all(&mut env, "charter");
    take(&mut env, KATHERINE, &["object", "charter", "-m", "Too vague."]);
    env.git(&["mv", FILE, "agreements/platform.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Rename"]).ok();
    let draft = "schema = 1\ntitle = \"Queue\"\nkind = \"decision\"\npurpose = \"Pick a queue.\"\n\n[[party]]\nname = \"Ada Lovelace\"\nemail = \"ada@example.com\"\n\n[[party]]\nname = \"Katherine Johnson\"\nemail = \"katherine@example.com\"\n";
    env.commit_file(FILE, draft, "A new charter");
    sign(&mut env, ADA, "charter");
    env
}

#[test]
fn an_id_renamed_away_and_taken_by_a_new_agreement_splits_the_positions() {
    // Found by trying: after `git mv charter.toml platform.toml` and a new charter.toml,
    // `status platform` had lost every position (all silent), and the new charter took the
    // old one's: its history and log began with the old text, Grace's old sign-off was listed
    // on it, and Katherine's objection to the old text blocked the new one.
    for env in [TestEnv::new(), TestEnv::on_positions_branch()] {
        let env = renamed_away_and_the_id_taken(env);
        let s = env.accord(&["status", "platform", "--format", "json"]).ok().json();
        let states: Vec<&Value> =
            [ADA.1, GRACE.1, KATHERINE.1].iter().map(|e| &party(&s[0], e)["state"]).collect();
        assert_eq!(states, [&json!("signed"), &json!("signed"), &json!("objecting")], "{s:#}");
        let s = env.accord(&["status", "charter", "--format", "json"]).ok().json();
        assert_eq!(party(&s[0], ADA.1)["state"], json!("signed"), "{s:#}");
        assert_eq!(party(&s[0], KATHERINE.1)["state"], json!("silent"), "{s:#}");
        let text = env.accord(&["status", "charter"]).ok().stdout.clone();
        assert!(!text.contains("Grace"), "{text}");
        let log = env.accord(&["log", "charter", "--format", "json"]).ok().json();
        assert_eq!(log.as_array().unwrap().len(), 2, "{log:#}"); // created, Ada's sign-off
        let h = env.accord(&["history", "charter", "--format", "json"]).ok().json();
        assert_eq!(column(&h, "value"), [json!("Pick a queue.")], "{h:#}");
        let log = env.accord(&["log", "platform", "--format", "json"]).ok().json();
        assert_eq!(log.as_array().unwrap().len(), 6, "{log:#}");
        // The caches give the reference's answers.
        for q in ["status --format json", "log charter --format json", "history platform"] {
            let plain = accord_mode(&env, Mode::Plain, &words(q)).ok().stdout.clone();
            let warm = accord_mode(&env, Mode::Warm, &words(q)).ok().stdout.clone();
            assert_eq!(warm, plain, "{q}");
        }
    }
}

#[test]
fn a_reverted_rename_keeps_the_positions_branch_sign_offs_made_before_it() {
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    let c1 = env.head();
    sign_all(&mut env, "charter");
    renamed_and_reverted(&env, &c1);
}
