//! The event cache follows history: new commits, merges, resets, amends, rebases, unshallowing and
//! the same tip with other answers all match a cold run.

use crate::common::cached::*;
use crate::common::*;

// ---------------------------------------------------------------------------------------------
// Situations

#[test]
fn new_commits_on_top_of_a_cached_tip() {
    let mut env = rich();
    assert_same(&env, "the first history");
    assert_eq!(state_of(&env, "alpha", GRACE), "objecting");
    assert!(!files_under(&cache_dir(&env)).is_empty(), "no cache was written");
    more(&mut env, "a");
    assert_same(&env, "after new commits on a cached tip");
    assert_eq!(state_of(&env, "alpha", GRACE), "signed");
    assert_eq!(state_of(&env, "alpha", ADA), "signed", "carried over: same meaning");
    assert_eq!(state_of(&env, "beta", KATHERINE), "objecting", "from the merged side branch");
}

/// The trap for a cache that only prepends new positions to the order it had: a side branch
/// older than the cached tip, merged after it, interleaves with the positions already known.
/// Enough position messages on the working branch that a warm walk asks the cache for their
/// kinds on two threads (2,048 or more): every command answers as a cold run does.
#[test]
fn thousands_of_cached_positions() {
    let env = rich();
    let parties = [ADA, GRACE, KATHERINE];
    let stances = ["sign", "object", "abstain", "withdraw"];
    let revisions = IDS.map(|id| revision(&env, id));
    let mut stream = String::new();
    for k in 0..2_100 {
        let (who, id) = (parties[k % 3], IDS[k % IDS.len()]);
        let stance = stances[(k / 3) % stances.len()];
        let message = format!(
            "{stance} {id}, by hand\n\nAccord-Position: {stance}\nAccord-Agreement: {id}\n\
             Accord-Revision: {}\nAccord-Party: {} <{}>\n",
            revisions[k % IDS.len()],
            who.0,
            who.1
        );
        let from = if k == 0 { "from refs/heads/main^0\n" } else { "" };
        let when = 1_900_000_000 + k;
        stream.push_str(&format!(
            "commit refs/heads/main\nauthor {0} <{1}> {when} +0000\ncommitter {0} <{1}> {when} \
             +0000\ndata {2}\n{message}{from}\n",
            who.0,
            who.1,
            message.len()
        ));
    }
    env.git_stdin(&["fast-import", "--quiet"], &stream).ok();
    env.git(&["reset", "-q", "--hard", "main"]).ok();
    assert_same(&env, "2,100 positions on top");
    commit_graph(&env, "--changed-paths");
    warm(&env);
    let review = words("review HEAD~30..HEAD --format json");
    assert_same_for(&env, "2,100 positions, a commit-graph", &[review]);
}

#[test]
fn merging_an_older_side_branch_after_the_cached_tip() {
    let mut env = setup();
    env.git(&["checkout", "-q", "-b", "side"]).ok();
    take(&mut env, GRACE, "object", "alpha", "Too much on-call.").ok();
    code(&env, "side");
    env.git(&["checkout", "-q", "main"]).ok();
    take(&mut env, GRACE, "sign", "alpha", "").ok();
    take(&mut env, KATHERINE, "abstain", "alpha", "").ok();
    warm(&env);
    env.git(&["merge", "-q", "--no-ff", "side", "-m", "merge side"]).ok();
    assert_same(&env, "after merging an older side branch");
    assert_eq!(
        state_of(&env, "alpha", GRACE),
        "signed",
        "her sign-off is later than her objection"
    );
    // And the other way round: a newer side branch merged into an older tip.
    env.git(&["checkout", "-q", "-b", "side2", "HEAD~1"]).ok();
    code(&env, "side2");
    take(&mut env, KATHERINE, "object", "alpha", "Changed my mind.").ok();
    env.git(&["checkout", "-q", "main"]).ok();
    warm(&env);
    env.git(&["merge", "-q", "--no-ff", "side2", "-m", "merge side2"]).ok();
    assert_same(&env, "after merging a newer side branch");
    assert_eq!(state_of(&env, "alpha", KATHERINE), "objecting");
}

fn reset(with_graph: bool) {
    let mut env = rich();
    take(&mut env, GRACE, "withdraw", "alpha", "").ok();
    take(&mut env, KATHERINE, "object", "beta", "Not unanimous about this.").ok();
    by_hand(&mut env, GRACE, "sign", "alpha", "").ok();
    let tip = env.head();
    if with_graph {
        commit_graph(&env, "--changed-paths");
    }
    warm(&env);
    assert_eq!(state_of(&env, "alpha", GRACE), "signed");
    assert_eq!(state_of(&env, "beta", KATHERINE), "objecting");
    env.git(&["reset", "-q", "--hard", "HEAD~3"]).ok();
    assert_same(&env, "after git reset --hard HEAD~3");
    assert_eq!(state_of(&env, "alpha", GRACE), "objecting", "dropped positions no longer count");
    assert_eq!(state_of(&env, "beta", KATHERINE), "abstained");
    // New history where the dropped commits were.
    take(&mut env, KATHERINE, "sign", "beta", "").ok();
    code(&env, "after-reset");
    assert_same(&env, "new commits after the reset");
    assert_eq!(state_of(&env, "beta", KATHERINE), "signed");
    // And forward again to the dropped tip (still in the object database and the reflog).
    env.git(&["reset", "-q", "--hard", &tip]).ok();
    assert_same(&env, "reset forward to the dropped tip");
    assert_eq!(state_of(&env, "alpha", GRACE), "signed");
}

#[test]
fn reset_to_an_older_commit() {
    reset(false);
}

#[test]
fn reset_to_an_older_commit_with_a_commit_graph_of_the_dropped_commits() {
    reset(true);
}

#[test]
fn amended_positions() {
    let mut env = rich();
    by_hand(&mut env, GRACE, "object", "beta", "First reason.").ok();
    warm(&env);
    assert!(party_of(&env, "beta", GRACE)["note"].as_str().unwrap().ends_with("First reason."));
    // The note, by hand.
    amend_message(&env, |m| m.replace("First reason.", "Second reason."));
    assert_same(&env, "after amending the note");
    assert!(party_of(&env, "beta", GRACE)["note"].as_str().unwrap().ends_with("Second reason."));
    // The stance.
    amend_message(&env, |m| m.replace("Accord-Position: object", "Accord-Position: abstain"));
    assert_same(&env, "after amending the stance");
    assert_eq!(state_of(&env, "beta", GRACE), "abstained");
    // A position made with accord, amended to another stance and note.
    take(&mut env, KATHERINE, "object", "alpha", "Original note.").ok();
    warm(&env);
    amend_message(&env, |m| {
        m.replace("Original note.", "").replace("Accord-Position: object", "Accord-Position: sign")
    });
    assert_same(&env, "after amending accord's position");
    assert_eq!(state_of(&env, "alpha", KATHERINE), "signed");
    // With a commit-graph holding the amended-away commit.
    take(&mut env, ADA, "object", "beta", "Wait for the audit.").ok();
    commit_graph(&env, "--changed-paths");
    warm(&env);
    amend_message(&env, |m| m.replace("Wait for the audit.", "The audit is late."));
    assert_same(&env, "after amending a position in the commit-graph");
    assert_eq!(party_of(&env, "beta", ADA)["note"], "The audit is late.");
}

fn rebase(with_graph: bool) {
    let mut env = rich();
    take(&mut env, GRACE, "withdraw", "alpha", "").ok();
    let dropped = env.head();
    code(&env, "before-rebase");
    take(&mut env, KATHERINE, "object", "beta", "Needs another round.").ok();
    code(&env, "after-rebase");
    if with_graph {
        commit_graph(&env, "--changed-paths");
    }
    warm(&env);
    assert_eq!(state_of(&env, "alpha", GRACE), "silent");
    let before = env.commit_count();
    env.git(&["rebase", "-q", "--onto", &format!("{dropped}~1"), &dropped]).ok();
    assert_eq!(env.commit_count(), before - 1, "the rebase drops exactly the withdrawal");
    assert_same(&env, "after a rebase that drops a position");
    assert_eq!(state_of(&env, "alpha", GRACE), "objecting", "the withdrawal is gone");
    assert_eq!(state_of(&env, "beta", KATHERINE), "objecting", "the rebased objection stays");
}

#[test]
fn rebase_that_drops_a_position() {
    rebase(false);
}

#[test]
fn rebase_that_drops_a_position_with_a_commit_graph() {
    rebase(true);
}

// ---------------------------------------------------------------------------------------------
// The same tip, other answers: whatever the cache keeps for a tip must notice

/// A shallow clone of `rich()` (depth 3: Katherine's sign-off on alpha is the boundary commit,
/// so it does not count), warm.
fn shallow() -> TestEnv {
    let mut env = rich();
    let url = format!("file://{}", env.repo.display());
    let clone = env.path("shallow");
    env.git(&["clone", "-q", "--depth", "3", &url, clone.to_str().unwrap()]).ok();
    env.repo = clone;
    assert_eq!(env.git(&["rev-parse", "--is-shallow-repository"]).ok().stdout.trim(), "true");
    warm(&env);
    assert_same(&env, "a shallow clone");
    assert_eq!(state_of(&env, "alpha", KATHERINE), "silent", "her sign-off is on the boundary");
    env
}

/// `log`, `history` and `verify` (which walk the whole graph) after the history under the same
/// tip grows.
#[test]
fn same_tip_deeper_history_after_unshallow_log_history_verify() {
    let env = shallow();
    let tip = env.head();
    env.git(&["fetch", "-q", "--deepen", "2"]).ok();
    // Still shallow: `verify` is a gate and fails closed there (SPEC §9); reads go on.
    let reads: Vec<Vec<String>> = queries(&env).into_iter().filter(|q| q[0] != "status").collect();
    assert_same_for(&env, "deepened by 2, same tip", &reads);
    env.git(&["fetch", "-q", "--unshallow"]).ok();
    assert_eq!(env.head(), tip);
    let queries: Vec<Vec<String>> =
        crate::common::cached::queries(&env).into_iter().filter(|q| q[0] != "status").collect();
    assert!(queries.iter().any(|q| q[0] == "verify"), "unshallowed: verify is asked again");
    assert_same_for(&env, "unshallowed, same tip", &queries);
}

/// `status` too: whatever it remembers for a tip must notice that the history under it grew.
#[test]
fn same_tip_deeper_history_after_unshallow() {
    let env = shallow();
    let tip = env.head();
    env.git(&["fetch", "-q", "--deepen", "2"]).ok();
    assert_same(&env, "deepened by 2, same tip");
    env.git(&["fetch", "-q", "--unshallow"]).ok();
    assert_eq!(env.head(), tip);
    assert_same(&env, "unshallowed, same tip");
    assert_eq!(state_of(&env, "alpha", KATHERINE), "signed");
}

/// The same through the snapshot's other shortcut: new commits in a straight line on top of
/// the shallow tip, then the history under it deepened.
#[test]
fn straight_run_on_a_snapshot_taken_before_unshallow() {
    let mut env = shallow();
    // Only git runs here: the snapshot stays at the shallow tip.
    code(&env, "on-top");
    by_hand(&mut env, GRACE, "abstain", "beta", "").ok();
    env.git(&["fetch", "-q", "--unshallow"]).ok();
    assert_same(&env, "new commits, then unshallowed");
    assert_eq!(state_of(&env, "alpha", KATHERINE), "signed");
}

#[test]
fn same_tip_other_agreements_folder() {
    let mut env = rich();
    // A copy of the agreements deeper down: beta as first committed, alpha reworded.
    env.write("team/docs/alpha.toml", &agreement_text("alpha", 2));
    env.write("team/docs/beta.toml", &agreement_text("beta", 0));
    env.git(&["add", "team"]).ok();
    env.git(&["commit", "-q", "-m", "docs: a copy of the agreements"]).ok();
    take(&mut env, GRACE, "sign", "beta", "").ok();
    commit_graph(&env, "--changed-paths");
    code(&env, "past-the-graph");
    warm(&env);
    assert_same(&env, "agreements/");
    // An uncommitted accord.toml moves the agreements without moving HEAD.
    env.write("accord.toml", "dir = \"team/docs\"\n");
    assert_same(&env, "team/docs/, named by an uncommitted accord.toml");
    assert_eq!(state_of(&env, "alpha", KATHERINE), "stale", "not a revision of this file");
    assert_eq!(state_of(&env, "beta", GRACE), "signed", "the same blob as agreements/beta.toml");
    std::fs::remove_file(env.repo.join("accord.toml")).unwrap();
    assert_same(&env, "agreements/ again");
}

/// Two agreements with the same text are the same blob: one revision of both files.
#[test]
fn identical_agreements_share_a_revision() {
    let mut env = rich();
    env.write("agreements/gamma.toml", &agreement_text("alpha", 1));
    env.git(&["add", "agreements"]).ok();
    env.git(&["commit", "-q", "-m", "gamma: a copy of alpha"]).ok();
    assert_eq!(revision(&env, "gamma"), revision(&env, "alpha"));
    warm(&env);
    take(&mut env, GRACE, "sign", "gamma", "").ok();
    by_hand(&mut env, ADA, "object", "gamma", "Not twice.").ok();
    let mut queries = queries(&env);
    queries.push(words("log gamma --format json"));
    queries.push(words("status gamma alpha --format json"));
    assert_same_for(&env, "an agreement with the text of another", &queries);
    assert_eq!(state_of(&env, "gamma", GRACE), "signed");
    assert_eq!(state_of(&env, "alpha", GRACE), "objecting");
}

/// 256 side commits and Grace's sign-off on alpha (the 257th parent), merged in one octopus
/// merge made with `git commit-tree`.
const OCTOPUS: &str = r#"set -e
b=$(git rev-parse HEAD)
t=$(git rev-parse 'HEAD^{tree}')
rev=$(git rev-parse HEAD:agreements/alpha.toml)
ps=""
i=1
while [ $i -le 256 ]; do
  ps="$ps -p $(git commit-tree "$t" -p "$b" -m "side $i")"
  i=$((i+1))
done
pos=$(printf 'accord: sign alpha\n\nAccord-Position: sign\nAccord-Agreement: alpha\nAccord-Revision: %s\nAccord-Party: Grace Hopper <grace@example.com>\n' "$rev" |
  GIT_AUTHOR_NAME='Grace Hopper' GIT_AUTHOR_EMAIL=grace@example.com git commit-tree "$t" -p "$b")
git reset -q --hard "$(git commit-tree "$t" $ps -p "$pos" -m 'octopus of 257')"
"#;

#[test]
fn octopus_merge_with_more_than_255_parents() {
    let env = setup();
    let script = env.path("octopus.sh");
    std::fs::write(&script, OCTOPUS).unwrap();
    env.git(&["-c", &format!("alias.octopus=!sh {}", script.display()), "octopus"]).ok();
    let parents = env.git(&["cat-file", "-p", "HEAD"]).ok().stdout.matches("\nparent ").count();
    assert_eq!(parents, 257);
    assert_eq!(state_of(&env, "alpha", GRACE), "signed");
    // Without a commit-graph every commit comes from the object database or the cache.
    assert_same(&env, "an octopus merge of 257 parents");
}

/// `verify` reads every commit's message (trailers count wherever they are), but the event
/// cache keeps only what a walk asks it for: it grows with positions and edits, not with
/// commits (issue 13). Before, each `verify` added an entry for every code commit the
/// commit-graph already describes (8 MB at 100,000 commits, against 2.5 MB).
#[test]
fn verify_does_not_fill_the_event_cache_with_code_commits() {
    let env = rich();
    accord_mode(&env, Mode::Warm, &words("verify")).ok();
    for _ in 0..40 {
        code(&env, "busy");
    }
    commit_graph(&env, "");
    accord_mode(&env, Mode::Warm, &words("status"));
    let events = cache_dir(&env).join("events-v2.bin");
    let size = || std::fs::metadata(&events).unwrap().len();
    let before = size();
    let run = accord_mode(&env, Mode::Warm, &words("verify"));
    assert!(run.stdout.starts_with("ok: "), "{}", run.stdout);
    assert_eq!(size(), before, "verify cached the code commits");
    // What it did not keep, it reads again: the answer stays.
    assert_eq!(accord_mode(&env, Mode::Warm, &words("verify")).stdout, run.stdout);
    assert_same(&env, "after verify");
}

/// Whether `history alpha` walked the history (rather than reading its remembered timeline).
fn history_walks(env: &TestEnv) -> bool {
    let out = command(env, Mode::Warm, &words("history alpha"))
        .env("ACCORD_TRACE", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stderr).contains("accord trace: walked")
}

/// Timelines remembered at one tip are carried to a tip that only added ordinary commits on
/// top of it in a straight line (nothing any agreement's history holds changed): `history`
/// walks nothing and answers as a cold run does. A position or an edit on top, or a merge, is
/// not carried over: walked again, the same answers.
#[test]
fn timelines_carried_over_ordinary_commits_only() {
    let mut env = rich_in(TestEnv::on_positions_branch());
    assert_same(&env, "the first history");
    // The reference queries end on other questions: remember this one at the tip first.
    history_walks(&env);
    assert!(!history_walks(&env), "warm at the same tip");
    code(&env, "one");
    code(&env, "two");
    assert!(!history_walks(&env), "two ordinary commits on top: the timelines carry over");
    assert_same(&env, "after ordinary commits on a cached tip");
    // A position on the positions branch, then code: carried over, the branch read again
    // where it moved, and what was read of it before kept where it did not.
    history_walks(&env);
    take(&mut env, KATHERINE, "object", "alpha", "The pager needs three people.").ok();
    code(&env, "three");
    assert!(!history_walks(&env), "a position on the positions branch is not on the tip");
    assert_same(&env, "after a position on the branch and code");
    assert_eq!(state_of(&env, "alpha", KATHERINE), "objecting");
    history_walks(&env);
    code(&env, "four");
    assert!(!history_walks(&env), "code on top again");
    assert_same(&env, "after more code");

    by_hand(&mut env, GRACE, "sign", "alpha", "").ok();
    assert!(history_walks(&env), "a position on top is not carried over");
    assert_same(&env, "after a position on top");

    code(&env, "five");
    edit(&env, "alpha", 2).ok();
    assert!(history_walks(&env), "an edit on top is not carried over");
    assert_same(&env, "after an edit on top");

    env.git(&["checkout", "-q", "-b", "side"]).ok();
    code(&env, "side");
    env.git(&["checkout", "-q", "main"]).ok();
    code(&env, "six");
    env.git(&["merge", "-q", "--no-ff", "side", "-m", "merge side"]).ok();
    assert!(history_walks(&env), "a merge on top is not carried over");
    assert_same(&env, "after a merge on top");
    assert_eq!(state_of(&env, "alpha", GRACE), "stale");
}

/// Whether `args` walked the history (the trace says so), checking it succeeded.
fn walks(env: &TestEnv, args: &str) -> bool {
    let out = command(env, Mode::Warm, &words(args)).env("ACCORD_TRACE", "1").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stderr).contains("accord trace: walked")
}

/// After `status` (which keeps the history's skeleton), the first `history`, `log` or `diff`
/// of an agreement walks nothing, and answers as a cold run over the whole history does, in
/// the shapes the skeleton contracts: positions on the working branch among code commits,
/// branches of code and of positions merged without touching the folder (a merge then has
/// several nearest kept ancestors), a merge that brings an edit, a `merge -s ours` that keeps
/// the first parent's text over a branch's, commits dated before their parents; and after
/// ordinary commits on top of the tip `status` saw.
#[test]
fn the_first_history_after_status_is_read_from_the_skeleton() {
    let mut env = rich();
    more(&mut env, "one");
    // Two branches of positions and code, merged with no change to the folder.
    for (tag, who) in [("p", GRACE), ("q", KATHERINE)] {
        env.git(&["checkout", "-q", "-b", tag, "main"]).ok();
        take(&mut env, who, "sign", "beta", "");
        code(&env, tag);
    }
    env.git(&["checkout", "-q", "main"]).ok();
    code(&env, "between");
    env.git(&["merge", "-q", "--no-ff", "p", "q", "-m", "octopus of positions"]).ok();
    // A branch's edit rejected by `merge -s ours`, then one merged.
    env.git(&["checkout", "-q", "-b", "rejected"]).ok();
    edit(&env, "alpha", 1).ok();
    env.git(&["checkout", "-q", "main"]).ok();
    env.git(&["merge", "-q", "-s", "ours", "rejected", "-m", "keep ours"]).ok();
    env.git(&["checkout", "-q", "-b", "taken"]).ok();
    edit(&env, "beta", 1).ok();
    env.git(&["checkout", "-q", "main"]).ok();
    code(&env, "main-side");
    env.git(&["merge", "-q", "--no-ff", "taken", "-m", "take beta 1"]).ok();
    // An objection on a branch merged without touching the folder, then a sign-off by the
    // same party dated years before it: the order follows ancestry, not dates, so the sign-off
    // stands only if the skeleton keeps the branch an ancestor of it.
    env.git(&["checkout", "-q", "-b", "r"]).ok();
    by_hand(&mut env, GRACE, "object", "alpha", "On a branch.").ok();
    code(&env, "on-r");
    env.git(&["checkout", "-q", "main"]).ok();
    code(&env, "before-r");
    env.git(&["merge", "-q", "--no-ff", "r", "-m", "merge r"]).ok();
    let back = [("GIT_COMMITTER_DATE", "2001-01-01T00:00:00Z")];
    let signed = position_args(&env, GRACE, "sign", "alpha", "");
    env.as_(GRACE);
    env.git_env(&signed.iter().map(String::as_str).collect::<Vec<_>>(), &back).ok();
    env.as_(ADA);
    assert_eq!(state_of(&env, "alpha", GRACE), "signed");
    env.git_env(&["commit", "-q", "--allow-empty", "-m", "backdated code"], &back).ok();
    by_hand(&mut env, ADA, "object", "alpha", "Backdated? No.").ok();
    let queries: Vec<Vec<String>> = [
        "status --format json",
        "history alpha --format json",
        "log beta --format json",
        "diff beta HEAD~9 HEAD --format json",
        "history beta --field norms --format json",
        "log alpha --format json",
    ]
    .iter()
    .map(|q| words(q))
    .collect();
    assert_same_for(&env, "a skeleton of merges and positions", &queries);
    remove(&cache_dir(&env));
    assert!(walks(&env, "status"), "a cold status walks");
    assert!(!walks(&env, "history alpha"), "the first history after status walks nothing");
    assert!(!walks(&env, "log beta"), "nor does the first log of another agreement");
    code(&env, "after");
    code(&env, "after-2");
    // (alpha's timeline, carried over on its own, would answer without the skeleton.)
    remove(&git_dir(&env).join("accord/timelines-v3.bin"));
    assert!(!walks(&env, "log alpha"), "ordinary commits on top: the skeleton carries over");
    assert_same_for(&env, "ordinary commits on top of a skeleton", &queries);
    // An edit on top is not on the skeleton's tip: walked, the same answers.
    edit(&env, "alpha", 2).ok();
    remove(&git_dir(&env).join("accord/timelines-v3.bin"));
    assert!(walks(&env, "history alpha"), "an edit on top is walked");
    assert_same_for(&env, "an edit on top of a skeleton", &queries);
}
