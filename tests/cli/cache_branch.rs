//! The positions-branch cache (every commit of the positions branch and its remote-tracking
//! copies, keyed by the set of tips) follows the branch like a cold run: new positions, sync
//! merges, a reset of the branch, remote-tracking copies appearing and disappearing, a branch
//! merged into the working history, and a damaged file.

use crate::common::cached::*;
use crate::common::*;

const BRANCH: &str = "refs/heads/accord/positions";
const REMOTE: &str = "refs/remotes/origin/accord/positions";

/// [`rich`], with every position taken by accord on the positions branch.
fn on_branch() -> TestEnv {
    rich_in(TestEnv::on_positions_branch())
}

/// Branch positions whose counting needs the lineage: Grace objects to alpha, an edit follows,
/// Katherine signs the new text.
fn objection_then_an_edit_signed(env: &mut TestEnv) {
    take(env, GRACE, "object", "alpha", "Too vague.").ok();
    edit(env, "alpha", 2).ok();
    take(env, KATHERINE, "sign", "alpha", "").ok();
}

fn branch_file(env: &TestEnv) -> std::path::PathBuf {
    cache_dir(env).join("branch-v1.bin")
}

fn tip_of(env: &TestEnv, r: &str) -> String {
    env.git(&["rev-parse", r]).ok().stdout.trim().to_string()
}

fn set_ref(env: &TestEnv, r: &str, to: &str) {
    env.git(&["update-ref", r, to]).ok();
}

/// A merge commit on the positions branch joining its tip with `other`, as `accord sync` makes.
fn merge_on_branch(env: &TestEnv, other: &str) {
    let ours = tip_of(env, BRANCH);
    let tree = tip_of(env, &format!("{ours}^{{tree}}"));
    let merge = env
        .git(&["commit-tree", &tree, "-p", &ours, "-p", other, "-m", "accord: join positions"])
        .ok()
        .stdout
        .trim()
        .to_string();
    set_ref(env, BRANCH, &merge);
}

/// Someone merges the positions branch into main: its commits become reachable from HEAD.
fn merge_the_branch_into_main(env: &TestEnv) {
    env.git(&[
        "merge",
        "-q",
        "--no-ff",
        "--allow-unrelated-histories",
        "-s",
        "ours",
        "accord/positions",
        "-m",
        "merge the positions branch",
    ])
    .ok();
}

#[test]
fn new_positions_and_the_file_written() {
    let mut env = on_branch();
    warm(&env);
    assert!(branch_file(&env).exists(), "the positions-branch cache is written");
    take(&mut env, GRACE, "withdraw", "alpha", "").ok();
    take(&mut env, KATHERINE, "object", "beta", "Too strict.").ok();
    assert_same(&env, "after new positions on the branch");
    // Edits after the positions: counting needs each agreement's lineage.
    edit(&env, "alpha", 2).ok();
    take(&mut env, ADA, "sign", "alpha", "").ok();
    edit(&env, "alpha", 3).ok();
    assert_same(&env, "after edits over branch positions");
    accord_mode(&env, Mode::Plain, &words("status --format json")).ok();
    let before = std::fs::read(branch_file(&env)).unwrap();
    remove(&cache_dir(&env));
    accord_mode(&env, Mode::Plain, &words("status --format json")).ok();
    assert!(!branch_file(&env).exists(), "ACCORD_NO_CACHE wrote the positions-branch cache");
    assert!(!before.is_empty());
}

#[test]
fn sync_merges_and_remote_copies_appearing_and_disappearing() {
    let mut env = on_branch();
    warm(&env);
    let base = tip_of(&env, BRANCH);
    // What a remote holds: one more position than we have.
    take(&mut env, GRACE, "sign", "alpha", "").ok();
    let theirs = tip_of(&env, BRANCH);
    set_ref(&env, BRANCH, &base);
    set_ref(&env, REMOTE, &theirs);
    assert_same(&env, "a remote-tracking copy ahead of the branch");
    // Both sides move apart, then a sync joins them with a merge.
    take(&mut env, KATHERINE, "object", "alpha", "Not yet.").ok();
    assert_same(&env, "diverged from the remote copy");
    merge_on_branch(&env, &theirs);
    assert_same(&env, "after a sync merge");
    take(&mut env, ADA, "abstain", "beta", "").ok();
    assert_same(&env, "a position on top of the merge");
    // A second remote, then both remote copies removed.
    set_ref(&env, "refs/remotes/other/accord/positions", &base);
    assert_same(&env, "a second remote copy");
    env.git(&["update-ref", "-d", REMOTE]).ok();
    env.git(&["update-ref", "-d", "refs/remotes/other/accord/positions"]).ok();
    assert_same(&env, "remote copies gone");
}

#[test]
fn reset_of_the_branch_drops_its_positions() {
    let mut env = on_branch();
    warm(&env);
    let base = tip_of(&env, BRANCH);
    take(&mut env, GRACE, "withdraw", "alpha", "").ok();
    take(&mut env, KATHERINE, "sign", "beta", "").ok();
    warm(&env);
    set_ref(&env, BRANCH, &base);
    assert_same(&env, "after resetting the branch back");
    // The branch deleted, then made again from scratch.
    env.git(&["update-ref", "-d", BRANCH]).ok();
    assert_same(&env, "after deleting the branch");
    take(&mut env, ADA, "sign", "beta", "").ok();
    assert_same(&env, "a new branch");
}

#[test]
fn a_branch_merged_into_the_working_history_follows_the_working_branch_rule() {
    let mut env = on_branch();
    warm(&env);
    take(&mut env, GRACE, "withdraw", "alpha", "").ok();
    warm(&env);
    merge_the_branch_into_main(&env);
    // What libgit2's walk hiding HEAD's history said: the branch's positions now follow the
    // working-branch rule (Grace's objection has its parent's tree there; the others do not).
    let states =
        [(ADA, "alpha"), (GRACE, "alpha"), (ADA, "beta")].map(|(w, id)| state_of(&env, id, w));
    assert_eq!(states, ["silent", "objecting", "silent"]);
    assert_same(&env, "positions branch merged into main");
    take(&mut env, KATHERINE, "object", "alpha", "After the merge.").ok();
    code(&env, "after-merge");
    assert_same(&env, "new positions after the merge");
    commit_graph(&env, "");
    assert_same(&env, "with a commit-graph");
}

/// A cold run reads the branch ahead and makes its answer there when the commit-graph lists it;
/// that answer must be the one made the usual way when a tip is newer than the commit-graph
/// (the commits read ahead are taken one by one) and when the working history holds the branch
/// (its commits are hidden and the order is made again).
#[test]
fn the_answer_made_ahead_on_a_cold_run_is_the_usual_one() {
    let mut env = on_branch();
    objection_then_an_edit_signed(&mut env);
    // Read ahead only from packs.
    env.git(&["repack", "-adq"]).ok();
    commit_graph(&env, "--changed-paths");
    assert_same(&env, "the branch listed by the commit-graph");
    take(&mut env, ADA, "object", "beta", "Not yet.").ok();
    assert_same(&env, "a tip newer than the commit-graph");
    commit_graph(&env, "");
    merge_the_branch_into_main(&env);
    take(&mut env, KATHERINE, "object", "alpha", "After the merge.").ok();
    env.git(&["repack", "-adq"]).ok();
    commit_graph(&env, "--changed-paths");
    assert_same(&env, "the branch partly in the working history");
}

/// `review` reads the positions-branch cache file and orders its positions on a thread of its
/// own while it walks: with the file's tips those of the branch, with the branch moved since the
/// file was written, and with the branch merged into the working history (its commits hidden),
/// it answers as the reference does.
#[test]
fn a_review_with_the_branch_file_read_ahead_answers_as_the_reference() {
    let mut env = on_branch();
    objection_then_an_edit_signed(&mut env);
    let review = words("review HEAD~2..HEAD --format json");
    let check = |env: &TestEnv, what: &str| {
        let reference = accord_mode(env, Mode::Plain, &review);
        same(what, "warm", &review, &reference, &accord_mode(env, Mode::Warm, &review));
    };
    accord_mode(&env, Mode::Warm, &words("status"));
    assert!(branch_file(&env).exists());
    check(&env, "the file's tips the branch's");
    take(&mut env, ADA, "object", "beta", "Not yet.").ok();
    check(&env, "the branch moved since the file was written");
    merge_the_branch_into_main(&env);
    accord_mode(&env, Mode::Warm, &words("status"));
    check(&env, "the branch in the working history");
}

#[test]
fn a_damaged_branch_file_is_rebuilt() {
    let mut env = on_branch();
    take(&mut env, GRACE, "withdraw", "alpha", "").ok();
    let want = reference(&env, &queries(&env));
    for (k, cut) in [0usize, 9, 100].into_iter().enumerate() {
        warm(&env);
        let f = branch_file(&env);
        let mut data = std::fs::read(&f).unwrap();
        match k {
            0 => data.truncate(data.len() / 2),
            1 => {
                let at = cut.min(data.len() - 1);
                data[at] ^= 0x5a;
            }
            _ => data = noise(cut as u64, data.len()),
        }
        std::fs::write(&f, data).unwrap();
        as_left(&env, "damaged positions-branch cache", &queries(&env), &want);
    }
}

fn counted_file(env: &TestEnv) -> std::path::PathBuf {
    cache_dir(env).join("counted-v5.bin")
}

#[test]
fn counted_positions_follow_each_position_taken_and_each_tip() {
    let mut env = on_branch();
    warm(&env);
    // The file holds the last commit a whole status was about (`warm` ends with `--rev`).
    accord_mode(&env, Mode::Warm, &words("status --format json")).ok();
    let first = std::fs::read(counted_file(&env)).expect("a warm status writes counted-v5.bin");
    // Each position brings the file forward to the new tip (no counting on the next run),
    // and the answers stay the reference's.
    for (who, stance, note) in
        [(GRACE, "object", "Too vague."), (GRACE, "withdraw", ""), (KATHERINE, "abstain", "")]
    {
        accord_mode(&env, Mode::Warm, &words("status --format json")).ok();
        take(&mut env, who, stance, "alpha", note).ok();
        let now = std::fs::read(counted_file(&env)).expect("still there");
        assert_ne!(now, first, "brought forward after {stance}");
        assert!(
            now.windows(40).any(|w| w == tip_of(&env, BRANCH).as_bytes())
                || now.windows(20).any(|w| hex(w) == tip_of(&env, BRANCH)),
            "keyed by the new tip after {stance}"
        );
        assert_same(&env, &format!("after {stance} by {}", who.0));
    }
    // The branch in git's commit-graph (listed from it, read on every core, and on a cold run
    // read ahead on a thread of its own), a position on top of what the commit-graph holds, a
    // cold run on both.
    commit_graph(&env, "--changed-paths");
    take(&mut env, ADA, "object", "beta", "Not yet.").ok();
    assert_same(&env, "the branch partly in the commit-graph");
    remove(&cache_dir(&env));
    assert_same(&env, "cold, the branch partly in the commit-graph");
    // Wholly in it, and packed (the thread reads ahead from packs only): the cold run takes
    // the thread's listing as well.
    env.git(&["repack", "-adq"]).ok();
    commit_graph(&env, "--changed-paths");
    remove(&cache_dir(&env));
    assert_same(&env, "cold, the branch wholly in the commit-graph");
    // A remote copy further back, and a new tip the commit-graph does not hold: the cold run
    // reads that tip itself and lists the rest itself, taking only the commits read ahead.
    set_ref(&env, REMOTE, &tip_of(&env, &format!("{BRANCH}~2")));
    take(&mut env, GRACE, "sign", "beta", "").ok();
    env.git(&["repack", "-adq"]).ok();
    remove(&cache_dir(&env));
    assert_same(&env, "cold, a remote copy behind, a new tip outside the commit-graph");
    env.git(&["update-ref", "-d", REMOTE]).ok();
    // A position's own check writes what it counted for its agreement only; a whole status
    // then counts the rest and answers as a cold run.
    remove(&cache_dir(&env));
    take(&mut env, KATHERINE, "object", "alpha", "Not this way.").ok();
    assert!(counted_file(&env).exists(), "sign's check remembers its agreement");
    take(&mut env, KATHERINE, "sign", "alpha", "").ok();
    assert_same(&env, "after positions counted for one agreement only");
    // A tip moved by hand, a remote copy, another evaluated commit: counted again.
    let tip = tip_of(&env, BRANCH);
    set_ref(&env, BRANCH, &format!("{tip}~2"));
    assert_same(&env, "the branch moved back by hand");
    set_ref(&env, REMOTE, &tip);
    assert_same(&env, "a remote copy ahead");
    edit(&env, "alpha", 2).ok();
    assert_same(&env, "another commit");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Edits of one agreement on merged branches with skewed clocks (found by review): counting in
/// `status` orders every agreement's edits in one pass, a timeline (`log`, `history`) orders
/// its own events, and the two orders differ here. Each command answers as a cold run does,
/// whichever ran first and filled the cache.
#[test]
fn skewed_clocks_across_a_merge_answer_the_same_whichever_command_runs_first() {
    let mut env = setup_in(TestEnv::on_positions_branch());
    let at = |env: &TestEnv, t: i64| env.clock.set(START + t);
    env.git(&["checkout", "-q", "-b", "side"]).ok();
    at(&env, 2000);
    edit(&env, "alpha", 1).ok(); // A: later clock, on the side branch
    at(&env, 500);
    edit(&env, "beta", 1).ok(); // B: earlier clock
                                // Grace objects to the side branch's alpha, on the positions branch, after everything.
    at(&env, 5000);
    take(&mut env, GRACE, "object", "alpha", "Not this text.").ok();
    env.git(&["checkout", "-q", "main"]).ok();
    at(&env, 1000);
    edit(&env, "alpha", 2).ok(); // C
    at(&env, 3000);
    env.git(&["merge", "-q", "--no-ff", "-X", "ours", "side", "-m", "M: keep main's alpha"]).ok();
    let status = words("status --format json");
    let plain = accord_mode(&env, Mode::Plain, &status);
    for first in ["log alpha", "history alpha", "status"] {
        remove(&cache_dir(&env));
        accord_mode(&env, Mode::Warm, &words(first)).ok();
        let warm = accord_mode(&env, Mode::Warm, &status);
        same(&format!("after `{first}` filled the cache"), "warm", &status, &plain, &warm);
    }
    assert_same(&env, "skewed clocks across a merge");
}

/// A position brings the counted-positions file forward only when it is newer, in SPEC §4's
/// order, than everything on every copy of the branch (found by review): a remote copy holding
/// the same party's position with a later clock, which the new one does not descend from, comes
/// first in a cold count.
#[test]
fn a_position_beside_a_remote_copy_with_a_later_clock_is_counted_again() {
    let mut env = setup_in(TestEnv::on_positions_branch());
    take(&mut env, ADA, "sign", "alpha", "").ok();
    let local = tip_of(&env, BRANCH);
    let now = env.clock.get();
    env.clock.set(now + 1_000_000_000);
    take(&mut env, GRACE, "sign", "alpha", "").ok();
    set_ref(&env, REMOTE, &tip_of(&env, BRANCH));
    set_ref(&env, BRANCH, &local);
    env.clock.set(now + 60);
    accord_mode(&env, Mode::Warm, &words("status --format json")).ok();
    take(&mut env, GRACE, "object", "alpha", "Not yet.").ok();
    assert_eq!(state_of(&env, "alpha", GRACE), "signed", "the remote copy's later sign stands");
    assert_same(&env, "an objection beside a remote copy with a later clock");
}

/// SPEC §4's order merges the working branch's positions with the positions branch's by their
/// heads; keeping only each email's first positions-branch position before that merge (found by
/// review) moved another party's objection ahead of their later sign-off when clocks are skewed.
#[test]
fn skewed_clocks_on_the_positions_branch_keep_every_position_in_the_merge() {
    let mut env = setup_in(TestEnv::on_positions_branch());
    let at = |env: &TestEnv, t: i64| env.clock.set(START + t);
    at(&env, 10_000);
    take(&mut env, GRACE, "object", "alpha", "Too soon.").ok(); // oldest on the branch, late clock
    at(&env, 100);
    take(&mut env, ADA, "sign", "alpha", "").ok();
    at(&env, 300);
    take(&mut env, ADA, "abstain", "alpha", "").ok(); // the branch's tip
    at(&env, 200);
    env.as_(GRACE);
    env.accord(&["sign", "--here", "alpha"]).ok(); // on the working branch
    env.as_(ADA);
    // Merged by heads: Ada's abstention (300), Grace's sign-off (200), Ada's sign (100), then
    // Grace's objection (10,000): Grace stands signed.
    assert_eq!(state_of(&env, "alpha", GRACE), "signed");
    assert_eq!(state_of(&env, "alpha", ADA), "abstained");
    assert_same(&env, "skewed clocks on the positions branch");
}

/// An objection and then a sign-off by the same party in the same second (a script, or a
/// quick change of mind): the sign-off heads the positions branch, and SPEC §4's order puts it
/// first whatever the two commit ids, so `sign` brings the counted file forward every time
/// (no recount on the next run) and the answers stay the reference's.
#[test]
fn a_sign_off_in_the_same_second_as_an_objection_is_brought_forward() {
    let mut env = on_branch();
    warm(&env);
    for round in 0..6 {
        accord_mode(&env, Mode::Warm, &words("status --format json")).ok();
        let second = env.clock.get();
        take(&mut env, GRACE, "object", "alpha", &format!("Not yet ({round}).")).ok();
        env.clock.set(second);
        take(&mut env, GRACE, "sign", "alpha", "").ok();
        let now = std::fs::read(counted_file(&env)).expect("counted file");
        assert!(
            now.windows(20).any(|w| hex(w) == tip_of(&env, BRANCH)),
            "round {round}: keyed by the sign-off's tip"
        );
        // The next status answers from the file: it reads no positions branch.
        let out = env
            .accord_cmd()
            .env("ACCORD_TRACE", "1")
            .args(["status", "--format", "json"])
            .output()
            .expect("accord runs");
        let trace = String::from_utf8_lossy(&out.stderr);
        assert!(!trace.contains("positions branch:"), "round {round}: counted again:\n{trace}");
        assert_same(&env, &format!("round {round}: object and sign in one second"));
    }
}

/// After a rename, a position under the earlier id with a later clock (a colleague's clock
/// ahead) still comes before a new sign-off under the new id: `sign` must not bring the
/// counted file forward with the sign-off first, and the answers stay the reference's.
#[test]
fn a_sign_off_after_a_rename_below_an_objection_under_the_old_id_is_counted_again() {
    let mut env = on_branch();
    warm(&env);
    let now = env.clock.get();
    env.clock.set(now + 10_000);
    take(&mut env, GRACE, "object", "alpha", "Not like this.").ok();
    env.clock.set(now + 100);
    env.git(&["mv", &path_of("alpha"), &path_of("gamma")]).ok();
    env.git(&["commit", "-q", "-m", "rename alpha to gamma"]).ok();
    accord_mode(&env, Mode::Warm, &words("status --format json")).ok();
    take(&mut env, GRACE, "sign", "gamma", "").ok();
    assert_same(&env, "a sign-off under the new id below an objection under the old one");
    let status = accord_mode(&env, Mode::Warm, &words("status gamma --format json")).ok().json();
    let grace = status[0]["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == GRACE.1)
        .cloned()
        .unwrap();
    assert_eq!(grace["state"], "objecting", "{status}");
}

/// A commit on top that takes no position and leaves the agreements folder as it was changes
/// nothing counting reads: what was counted at its parent is carried forward (a `status` after
/// an ordinary commit reads neither the positions branch nor the history again), and every
/// answer stays the reference's. An agreement edited, a position committed on the working
/// branch, a merge: counted again.
#[test]
fn counted_positions_carried_over_commits_that_change_nothing_counted() {
    let mut env = on_branch();
    objection_then_an_edit_signed(&mut env);
    let status = words("status --format json");
    let carried = |env: &TestEnv| -> bool {
        let out = command(env, Mode::Warm, &status).env("ACCORD_TRACE", "1").output().unwrap();
        String::from_utf8_lossy(&out.stderr).contains("counted positions carried forward")
    };
    accord_mode(&env, Mode::Warm, &status).ok();
    code(&env, "one");
    code(&env, "two");
    assert!(carried(&env), "two code commits on top are carried over");
    assert!(!carried(&env), "the next run at the same tip finds its own entry");
    assert_same(&env, "after code commits on top");
    // A position on the branch brings the file forward; a code commit after it carries over.
    accord_mode(&env, Mode::Warm, &status).ok();
    take(&mut env, GRACE, "withdraw", "alpha", "").ok();
    code(&env, "three");
    assert!(carried(&env), "a code commit after a new position on the branch");
    assert_same(&env, "a code commit after a new position on the branch");
    // Counted again: an agreement edited, a hand-made position on the working branch, a merge.
    // A pull request's text signed on the branch, then squash-merged: the sign-off counts
    // only from the merge on (carried over, it would not).
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    edit(&env, "beta", 1).ok();
    take(&mut env, GRACE, "sign", "beta", "").ok();
    env.git(&["checkout", "-q", "main"]).ok();
    accord_mode(&env, Mode::Warm, &status).ok();
    env.git(&["merge", "-q", "--squash", "pr"]).ok();
    env.git(&["commit", "-q", "-m", "beta: purpose 1 (#7)"]).ok();
    assert!(!carried(&env), "an edit of an agreement");
    assert_same(&env, "after a squash merge on top");
    assert_eq!(state_of(&env, "beta", GRACE), "signed");
    accord_mode(&env, Mode::Warm, &status).ok();
    by_hand(&mut env, ADA, "object", "beta", "Not this one.").ok();
    assert!(!carried(&env), "a position on the working branch");
    assert_same(&env, "after a position on the working branch");
    accord_mode(&env, Mode::Warm, &status).ok();
    env.git(&["checkout", "-q", "-b", "side"]).ok();
    code(&env, "four");
    env.git(&["checkout", "-q", "main"]).ok();
    code(&env, "five");
    env.git(&["merge", "-q", "--no-ff", "side", "-m", "merge side"]).ok();
    assert!(!carried(&env), "a merge");
    assert_same(&env, "after a merge");
}

/// A review judges on caches of its own (its range's commits under their floored times). What
/// it learnt about objects alone (commits read, the positions branch, folder changes) is handed
/// back to the repository's caches when it ends, and nothing of what it judged: every command
/// then answers as a cold run does, and the next review starts warm.
#[test]
fn what_a_review_learnt_about_objects_is_handed_back() {
    let mut env = on_branch();
    objection_then_an_edit_signed(&mut env);
    remove(&cache_dir(&env));
    let review = words("review HEAD~1..HEAD --format json");
    let first = accord_mode(&env, Mode::Warm, &review);
    for file in ["events-v2.bin", "branch-v1.bin"] {
        assert!(cache_dir(&env).join(file).exists(), "{file} handed back");
    }
    for file in [
        "counted-v5.bin",
        "timelines-v3.bin",
        "lineages-v2.bin",
        "snapshot-v2.bin",
        "skeleton-v1.bin",
    ] {
        assert!(!cache_dir(&env).join(file).exists(), "{file} is the review's own");
    }
    same("a second review", "warm", &review, &first, &accord_mode(&env, Mode::Warm, &review));
    same("the review", "reference", &review, &accord_mode(&env, Mode::Plain, &review), &first);
    assert_same(&env, "after a review handed its caches back");
}

/// A review's own caches start as hard links to the repository's, in a folder beside them:
/// a review that learns nothing about objects leaves the repository's files as they were (not
/// rewritten), the folder is gone when it ends, and with `ACCORD_NO_CACHE` nothing of accord's
/// appears in the repository at all.
#[test]
fn a_review_that_learns_nothing_leaves_the_caches_as_they_were() {
    let mut env = on_branch();
    objection_then_an_edit_signed(&mut env);
    remove(&cache_dir(&env));
    let review = words("review HEAD~1..HEAD --format json");
    let reference = accord_mode(&env, Mode::Plain, &review);
    assert!(!cache_dir(&env).exists(), "ACCORD_NO_CACHE wrote into the repository");
    // Warm: the caches made, then a review of another range learns nothing new.
    accord_mode(&env, Mode::Warm, &words("status"));
    accord_mode(&env, Mode::Warm, &review);
    let listing = |env: &TestEnv| -> Vec<(String, u64)> {
        let mut files: Vec<(String, u64)> = std::fs::read_dir(cache_dir(env))
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let meta = e.metadata().unwrap();
                assert!(meta.is_file(), "{:?} left behind", e.file_name());
                (e.file_name().to_string_lossy().into_owned(), file_id(&meta))
            })
            .collect();
        files.sort();
        files
    };
    let before = listing(&env);
    let other = words("review HEAD~2..HEAD --format json");
    let warm = accord_mode(&env, Mode::Warm, &other);
    same(
        "a review on warm caches",
        "reference",
        &other,
        &accord_mode(&env, Mode::Plain, &other),
        &warm,
    );
    let after = listing(&env);
    for file in ["events-v2.bin", "branch-v1.bin", "folders-v1.bin"] {
        let id = |l: &[(String, u64)]| l.iter().find(|(f, _)| f == file).map(|(_, i)| *i);
        assert!(id(&before).is_some(), "{file} made by the warm runs: {before:?}");
        assert_eq!(id(&before), id(&after), "{file} rewritten by a review that learnt nothing");
    }
    same(
        "the first review",
        "reference",
        &review,
        &reference,
        &accord_mode(&env, Mode::Warm, &review),
    );
}

/// Which file a directory entry is (its inode where there are inodes, else its length).
fn file_id(meta: &std::fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        std::os::unix::fs::MetadataExt::ino(meta)
    }
    #[cfg(not(unix))]
    {
        meta.len()
    }
}
