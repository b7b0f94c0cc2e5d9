//! The positions branch (SPEC §4, issue 10): where positions are written, which of them count
//! on a branch, and consent that survives merge commits, squash and rebase merges, deleted
//! branches, fresh clones and `accord sync`.

use std::path::{Path, PathBuf};

use crate::common::ledger::{output, party, state, FILE};
use crate::common::*;

/// A team: a bare origin holding `main` with the charter, and Ada's clone (`env.repo`), with
/// positions going to the positions branch (the default).
struct Team {
    env: TestEnv,
    origin: PathBuf,
}

impl Team {
    fn new(rule: &str) -> Team {
        let mut env = TestEnv::on_positions_branch();
        env.as_(ADA);
        env.commit_file("agreements/charter.toml", &charter(rule), "Add the charter");
        let origin = env.path("origin.git");
        env.git(&["init", "-q", "--bare", "-b", "main", p(&origin)]).ok();
        env.git(&["remote", "add", "origin", p(&origin)]).ok();
        env.git(&["push", "-q", "-u", "origin", "main"]).ok();
        Team { env, origin }
    }

    /// A clone of origin for `who`, named after them.
    fn clone_for(&self, name: &str) -> PathBuf {
        let dir = self.env.path(name);
        self.env.git(&["clone", "-q", p(&self.origin), p(&dir)]).ok();
        dir
    }

    fn accord(&mut self, who: (&str, &str), dir: &Path, args: &[&str]) -> Run {
        self.env.as_(who);
        self.env.accord_in(dir, args)
    }

    fn git(&mut self, who: (&str, &str), dir: &Path, args: &[&str]) -> Run {
        self.env.as_(who);
        self.env.git_in(dir, args)
    }

    fn status(&self, dir: &Path) -> serde_json::Value {
        let r = self.env.accord_in(dir, &["status", "charter", "--format", "json"]);
        r.ok();
        r.json()[0].clone()
    }

    /// A consent charter signed (and synced) by all three parties, and Ada's clone.
    fn signed_by_all() -> (Team, PathBuf) {
        let mut team = Team::new("consent");
        let ada = team.env.repo.clone();
        for who in [ADA, GRACE, KATHERINE] {
            team.take(who, &ada, &["sign", "charter"]);
        }
        (team, ada)
    }

    /// `sign` (or another stance) then `sync`, as a party does.
    fn take(&mut self, who: (&str, &str), dir: &Path, args: &[&str]) {
        self.accord(who, dir, args).ok();
        self.accord(who, dir, &["sync"]).ok();
    }
}

fn p(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Replace `from` by `to` in the charter of the clone at `dir`.
fn edit(dir: &Path, from: &str, to: &str) {
    let path = dir.join("agreements/charter.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from} not in the charter");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

const PURPOSE: &str = "Give every product team a paved road from merge to production.";
const AMENDED: &str = "Give every product team a paved, documented road from merge to production.";

/// Ada opens a pull request on `feature` that amends the purpose; everyone signs its text on
/// the positions branch and syncs. Returns Ada's clone (where `feature` is checked out).
fn signed_pull_request(team: &mut Team) -> PathBuf {
    let ada = team.env.repo.clone();
    team.git(ADA, &ada, &["checkout", "-q", "-b", "feature"]).ok();
    edit(&ada, PURPOSE, AMENDED);
    team.git(ADA, &ada, &["commit", "-q", "-am", "Amend the purpose"]).ok();
    team.git(ADA, &ada, &["push", "-q", "origin", "feature"]).ok();
    for who in [ADA, GRACE, KATHERINE] {
        team.take(who, &ada, &["sign", "charter"]);
    }
    assert_eq!(team.status(&ada)["ratified"], true, "the pull request's text is ratified");
    ada
}

#[test]
fn sign_records_on_the_positions_branch_and_leaves_head_index_and_work_tree_alone() {
    let env = TestEnv::on_positions_branch();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the charter");
    let head = env.head();
    let before = env.git(&["status", "--porcelain"]).stdout;
    let r = env.accord(&["sign", "charter", "-m", "Looks right."]);
    r.ok();
    assert!(r.stderr.contains("on accord/positions"), "{}", r.stderr);
    assert!(r.stderr.contains("accord sync"), "{}", r.stderr);
    assert_eq!(env.head(), head, "HEAD did not move");
    assert_eq!(env.git(&["status", "--porcelain"]).stdout, before);
    // Plain git reads it: the trailers, and the signed text kept in the commit's own tree.
    let msg = env.git(&["log", "-1", "--format=%B", "accord/positions"]).stdout;
    let parsed = env.git_stdin(&["interpret-trailers", "--parse"], &msg).stdout;
    let blob = env.git(&["rev-parse", "HEAD:agreements/charter.toml"]).stdout.trim().to_string();
    assert!(parsed.contains("Accord-Position: sign"), "{parsed}");
    assert!(parsed.contains(&format!("Accord-Revision: {blob}")), "{parsed}");
    let kept = env.git(&["rev-parse", "accord/positions:charter.toml"]).stdout;
    assert_eq!(kept.trim(), blob, "the position's tree holds the signed text");
    let s = env.accord(&["status", "charter", "--format", "json"]).json();
    assert_eq!(state(&s[0], ADA.1), "signed");
    env.git(&["fsck", "--strict"]).ok();
}

#[test]
fn here_keeps_the_older_layout_and_both_layouts_count_together() {
    let mut env = TestEnv::on_positions_branch();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the charter");
    let head = env.head();
    env.as_(GRACE).accord(&["sign", "charter", "--here"]).ok();
    assert_ne!(env.head(), head, "--here commits on the current branch");
    assert_eq!(env.git(&["diff", "--stat", &head, "HEAD"]).stdout, "", "an empty commit");
    env.as_(KATHERINE).accord(&["sign", "charter"]).ok();
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    let s = env.accord(&["status", "charter", "--format", "json"]).json();
    assert_eq!(s[0]["ratified"], true, "{s}");
    // A later objection on the branch outranks the earlier sign-off here.
    env.as_(GRACE).accord(&["object", "charter", "-m", "On second thought, no."]).ok();
    let s = env.accord(&["status", "charter", "--format", "json"]).json();
    assert_eq!(state(&s[0], GRACE.1), "objecting");
}

#[test]
fn a_merge_commit_keeps_consent() {
    let mut team = Team::new("consent");
    let ada = signed_pull_request(&mut team);
    team.git(ADA, &ada, &["checkout", "-q", "main"]).ok();
    team.git(ADA, &ada, &["merge", "-q", "--no-ff", "-m", "Merge pull request #1", "feature"]).ok();
    assert_eq!(team.status(&ada)["ratified"], true);
}

#[test]
fn a_squash_merge_keeps_consent_with_gits_message_or_a_hosting_services() {
    for message in [
        "Squashed commit of the following",
        "Amend the purpose (#1)\n\nCo-authored-by: Grace Hopper <grace@example.com>",
    ] {
        let mut team = Team::new("consent");
        let ada = signed_pull_request(&mut team);
        team.git(ADA, &ada, &["checkout", "-q", "main"]).ok();
        team.git(ADA, &ada, &["merge", "-q", "--squash", "feature"]).ok();
        team.git(ADA, &ada, &["commit", "-q", "-m", message]).ok();
        let s = team.status(&ada);
        assert_eq!(s["ratified"], true, "{message}: {s}");
        // `history` credits the author of the text and knows it was ratified.
        let h = team.accord(ADA, &ada, &["history", "charter", "--format", "json"]).json();
        let last = h.as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["ratified"], true, "{h}");
        assert_eq!(last["signed_by"].as_array().unwrap().len(), 3, "{h}");
        team.accord(ADA, &ada, &["verify"]).ok();
    }
}

#[test]
fn a_rebase_merge_keeps_consent_and_each_positions_own_time() {
    let mut team = Team::new("consent");
    let ada = signed_pull_request(&mut team);
    let signed_at = party(&team.status(&ada), GRACE.1)["at"].clone();
    // Meanwhile main changes the file without changing its meaning (a comment).
    let bob = team.clone_for("bob");
    let path = bob.join("agreements/charter.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("# Reviewed quarterly.\n{text}")).unwrap();
    team.git(KATHERINE, &bob, &["commit", "-q", "-am", "Comment"]).ok();
    team.git(KATHERINE, &bob, &["push", "-q", "origin", "main"]).ok();
    // The pull request is rebased onto main and main fast-forwards to it.
    team.git(ADA, &ada, &["fetch", "-q", "origin"]).ok();
    team.git(ADA, &ada, &["rebase", "-q", "origin/main"]).ok();
    team.git(ADA, &ada, &["checkout", "-q", "main"]).ok();
    team.git(ADA, &ada, &["merge", "-q", "--ff-only", "origin/main"]).ok();
    team.git(ADA, &ada, &["merge", "-q", "--ff-only", "feature"]).ok();
    let s = team.status(&ada);
    assert_eq!(s["ratified"], true, "{s}");
    assert_eq!(party(&s, GRACE.1)["carried_over"], true, "{s}");
    assert_eq!(party(&s, GRACE.1)["at"], signed_at, "times are the position's own");
    team.accord(ADA, &ada, &["verify"]).ok();
}

#[test]
fn a_fresh_clone_sees_every_synced_position_without_configuration() {
    let (team, _) = Team::signed_by_all();
    let fresh = team.clone_for("fresh");
    let st = team.status(&fresh);
    assert_eq!(st["ratified"], true, "{st}");
    // A shallow CI clone of main fetches the positions branch by name.
    let ci = team.env.path("ci");
    let url = format!("file://{}", p(&team.origin));
    team.env.git(&["clone", "-q", "--depth", "1", &url, p(&ci)]).ok();
    team.env
        .git_in(
            &ci,
            &["fetch", "-q", "origin", "accord/positions:refs/remotes/origin/accord/positions"],
        )
        .ok();
    assert_eq!(team.status(&ci)["ratified"], true);
}

#[test]
fn a_sign_off_on_a_pull_request_that_never_merged_changes_nothing_on_main() {
    let mut team = Team::new("consent");
    let ada = team.env.repo.clone();
    // Grace objects to main's text.
    team.take(GRACE, &ada, &["object", "charter", "-m", "On-call is too much for two people."]);
    // A pull request amends the text; Grace signs the proposal; it is abandoned.
    team.git(ADA, &ada, &["checkout", "-q", "-b", "abandoned"]).ok();
    edit(&ada, PURPOSE, AMENDED);
    team.git(ADA, &ada, &["commit", "-q", "-am", "Proposal"]).ok();
    team.take(GRACE, &ada, &["sign", "charter"]);
    assert_eq!(state(&team.status(&ada), GRACE.1), "signed", "on the proposal, she signed");
    team.git(ADA, &ada, &["checkout", "-q", "main"]).ok();
    team.git(ADA, &ada, &["branch", "-q", "-D", "abandoned"]).ok();
    let s = team.status(&ada);
    assert_eq!(state(&s, GRACE.1), "objecting", "{s}");
}

#[test]
fn an_objection_to_a_first_draft_blocks_the_amended_text_that_is_squash_merged() {
    let mut team = Team::new("consent");
    let ada = team.env.repo.clone();
    team.git(ADA, &ada, &["checkout", "-q", "-b", "feature"]).ok();
    edit(&ada, PURPOSE, AMENDED);
    team.git(ADA, &ada, &["commit", "-q", "-am", "First draft"]).ok();
    team.take(GRACE, &ada, &["object", "charter", "-m", "Who documents it?"]);
    edit(&ada, AMENDED, "Give every product team a paved road, documented by the platform team.");
    team.git(ADA, &ada, &["commit", "-q", "-am", "Second draft"]).ok();
    team.git(ADA, &ada, &["checkout", "-q", "main"]).ok();
    team.git(ADA, &ada, &["merge", "-q", "--squash", "feature"]).ok();
    team.git(ADA, &ada, &["commit", "-q", "-m", "Amend the purpose (#2)"]).ok();
    let s = team.status(&ada);
    assert_eq!(state(&s, GRACE.1), "objecting", "{s}");
    assert_eq!(s["ratified"], false);
    // Her withdraw reaches forward the same way.
    team.take(GRACE, &ada, &["withdraw", "charter"]);
    assert_ne!(state(&team.status(&ada), GRACE.1), "objecting");
}

#[test]
fn a_deleted_and_garbage_collected_branch_leaves_its_positions_judgeable() {
    let mut team = Team::new("consent");
    let ada = signed_pull_request(&mut team);
    team.git(ADA, &ada, &["checkout", "-q", "main"]).ok();
    team.git(ADA, &ada, &["merge", "-q", "--squash", "feature"]).ok();
    team.git(ADA, &ada, &["commit", "-q", "-m", "Amend the purpose (#1)"]).ok();
    team.git(ADA, &ada, &["branch", "-q", "-D", "feature"]).ok();
    team.git(ADA, &ada, &["push", "-q", "origin", "--delete", "feature"]).ok();
    team.git(ADA, &ada, &["reflog", "expire", "--expire=now", "--all"]).ok();
    team.git(ADA, &ada, &["gc", "-q", "--prune=now"]).ok();
    assert_eq!(team.status(&ada)["ratified"], true);
    // And in a fresh clone, where the feature branch never was.
    team.git(ADA, &ada, &["push", "-q", "origin", "main"]).ok();
    let fresh = team.clone_for("fresh");
    assert_eq!(team.status(&fresh)["ratified"], true);
}

#[test]
fn hand_made_positions_on_the_positions_branch_count_like_accords() {
    let mut env = TestEnv::on_positions_branch();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the charter");
    let blob = env.git(&["rev-parse", "HEAD:agreements/charter.toml"]).stdout.trim().to_string();
    env.git(&["checkout", "-q", "--orphan", "accord/positions"]).ok();
    env.git(&["rm", "-q", "-r", "--cached", "."]).ok();
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who);
        env.git(&[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "sign by hand",
            "--trailer",
            "Accord-Position: sign",
            "--trailer",
            "Accord-Agreement: charter",
            "--trailer",
            &format!("Accord-Revision: {blob}"),
            "--trailer",
            &format!("Accord-Party: {} <{}>", who.0, who.1),
        ])
        .ok();
    }
    env.git(&["checkout", "-q", "-f", "main"]).ok();
    let s = env.accord(&["status", "charter", "--format", "json"]).json();
    assert_eq!(s[0]["ratified"], true, "{s}");
}

#[test]
fn sync_joins_two_clones_that_each_started_the_branch_and_rewrites_nothing() {
    let mut team = Team::new("consent");
    let ada = team.env.repo.clone();
    let grace = team.clone_for("grace");
    team.accord(ADA, &ada, &["sign", "charter"]).ok();
    team.accord(GRACE, &grace, &["sign", "charter"]).ok();
    let ada_id = team.git(ADA, &ada, &["rev-parse", "accord/positions"]).stdout;
    let grace_id = team.git(GRACE, &grace, &["rev-parse", "accord/positions"]).stdout;
    team.accord(ADA, &ada, &["sync"]).ok();
    let r = team.accord(GRACE, &grace, &["sync"]);
    r.ok();
    assert!(r.stderr.contains("merge commit"), "{}", r.stderr);
    team.accord(ADA, &ada, &["sync"]).ok();
    // Both original commits are still there, unchanged, in both clones and on origin.
    for dir in [&ada, &grace] {
        for id in [&ada_id, &grace_id] {
            team.git(ADA, dir, &["merge-base", "--is-ancestor", id.trim(), "accord/positions"])
                .ok();
        }
    }
    let s = team.status(&ada);
    assert_eq!(state(&s, ADA.1), "signed");
    assert_eq!(state(&s, GRACE.1), "signed");
}

#[test]
fn sync_errors_say_what_is_wrong_and_lose_nothing() {
    let env = TestEnv::on_positions_branch();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the charter");
    env.accord(&["sign", "charter"]).ok();
    let tip = env.git(&["rev-parse", "accord/positions"]).stdout;
    let r = env.accord(&["sync"]);
    r.code(2);
    assert!(r.stderr.contains("no remote"), "{}", r.stderr);
    assert!(r.stderr.contains("git remote add"), "{}", r.stderr);
    let r = env.accord(&["sync", "upstream"]);
    r.code(2);
    assert!(r.stderr.contains("no remote `upstream`"), "{}", r.stderr);
    // A remote that cannot be reached: git's own reason, exit 2, the branch kept.
    env.git(&["remote", "add", "origin", "/nonexistent/origin.git"]).ok();
    let r = env.accord(&["sync"]);
    r.code(2);
    assert!(r.stderr.contains("git fetch origin failed"), "{}", r.stderr);
    assert_eq!(env.git(&["rev-parse", "accord/positions"]).stdout, tip);
    // A remote without the branch yet: the first sync creates it.
    let origin = env.path("origin.git");
    env.git(&["init", "-q", "--bare", p(&origin)]).ok();
    env.git(&["remote", "set-url", "origin", p(&origin)]).ok();
    env.accord(&["sync"]).ok();
    let theirs = env.git_in(&origin, &["rev-parse", "refs/heads/accord/positions"]).stdout;
    assert_eq!(theirs, tip);
}

#[test]
fn ten_clones_syncing_at_once_all_land_and_no_position_is_rewritten() {
    let team = Team::new("majority");
    let names: Vec<String> = (0..10).map(|i| format!("clone{i}")).collect();
    let dirs: Vec<PathBuf> = names.iter().map(|n| team.clone_for(n)).collect();
    // Ten parties, each in their own clone: give the charter ten partners.
    let mut text = charter("majority");
    for i in 0..10 {
        text.push_str(&format!("\n[[party]]\nname = \"P{i}\"\nemail = \"p{i}@example.com\"\n"));
    }
    let ada = team.env.repo.clone();
    std::fs::write(ada.join("agreements/charter.toml"), &text).unwrap();
    team.env.git(&["commit", "-q", "-am", "Ten partners"]).ok();
    team.env.git(&["push", "-q", "origin", "main"]).ok();
    let ids: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = dirs
            .iter()
            .enumerate()
            .map(|(i, dir)| {
                let home = team.env.home.clone();
                scope.spawn(move || {
                    let who = (format!("P{i}"), format!("p{i}@example.com"));
                    let run = |args: &[&str]| {
                        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_accord"));
                        hermetic_env(&mut cmd, &home, dir, (&who.0, &who.1), "@1795168800 +0000");
                        let o = cmd.args(args).output().unwrap();
                        assert!(
                            o.status.success(),
                            "{args:?}: {}",
                            String::from_utf8_lossy(&o.stderr)
                        );
                    };
                    let git = |args: &[&str]| {
                        let mut cmd = std::process::Command::new("git");
                        hermetic_env(&mut cmd, &home, dir, (&who.0, &who.1), "@1795168800 +0000");
                        String::from_utf8(cmd.args(args).output().unwrap().stdout).unwrap()
                    };
                    git(&["pull", "-q", "origin", "main"]);
                    run(&["sign", "charter"]);
                    let id = git(&["rev-parse", "accord/positions"]);
                    run(&["sync"]);
                    id.trim().to_string()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let fresh = team.clone_for("fresh");
    for id in &ids {
        team.env
            .git_in(&fresh, &["merge-base", "--is-ancestor", id, "origin/accord/positions"])
            .ok();
    }
    let s = team.status(&fresh);
    for i in 0..10 {
        assert_eq!(state(&s, &format!("p{i}@example.com")), "signed", "{s}");
    }
    team.env.git_in(&team.origin, &["fsck", "--strict"]).ok();
    // A rejected push does not leave its join behind: each clone adds at most one merge, not
    // one per retry (45 for ten clones before).
    let merges =
        team.env.git_in(&fresh, &["rev-list", "--merges", "--count", "origin/accord/positions"]);
    let merges: usize = merges.ok().stdout.trim().parse().unwrap();
    assert!(merges <= 10, "{merges} merge commits for ten positions");
}

/// The older layout: a pull request on `feature` amends the purpose and every party signs it
/// there (`--here`); `main` meanwhile adds a comment to the file (same meaning); then `feature`
/// is rebased onto `main` and fast-forwarded into it. Returns Ada's clone (on `main`) and the
/// blob the parties signed, which `main` never held.
fn rebase_merge_signed_here(team: &mut Team) -> (PathBuf, String) {
    let ada = team.env.repo.clone();
    team.git(ADA, &ada, &["checkout", "-q", "-b", "feature"]).ok();
    edit(&ada, PURPOSE, AMENDED);
    team.git(ADA, &ada, &["commit", "-q", "-am", "Amend the purpose"]).ok();
    let signed = team.git(ADA, &ada, &["rev-parse", "HEAD:agreements/charter.toml"]);
    let signed = signed.stdout.trim().to_string();
    for who in [ADA, GRACE, KATHERINE] {
        team.accord(who, &ada, &["sign", "charter", "--here"]).ok();
    }
    team.git(ADA, &ada, &["checkout", "-q", "main"]).ok();
    let path = ada.join("agreements/charter.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("# Reviewed quarterly.\n{text}")).unwrap();
    team.git(ADA, &ada, &["commit", "-q", "-am", "Comment"]).ok();
    team.git(ADA, &ada, &["checkout", "-q", "feature"]).ok();
    team.git(ADA, &ada, &["rebase", "-q", "main"]).ok();
    team.git(ADA, &ada, &["checkout", "-q", "main"]).ok();
    team.git(ADA, &ada, &["merge", "-q", "--ff-only", "feature"]).ok();
    (ada, signed)
}

#[test]
fn a_rebase_merge_of_positions_made_here_keeps_consent_and_verify_passes() {
    let mut team = Team::new("consent");
    let (ada, _) = rebase_merge_signed_here(&mut team);
    let s = team.status(&ada);
    assert_eq!(s["ratified"], true, "{s}");
    team.accord(ADA, &ada, &["verify"]).ok();
}

#[test]
fn verify_checks_the_author_of_every_position_on_the_positions_branch() {
    let mut env = TestEnv::on_positions_branch();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the charter");
    let blob = env.git(&["rev-parse", "HEAD:agreements/charter.toml"]).stdout.trim().to_string();
    env.accord(&["sign", "charter"]).ok();
    env.accord(&["verify"]).ok();
    // Mallory records a sign-off in Grace's name on the positions branch.
    env.as_(("Mallory", "mallory@example.com"));
    env.git(&["checkout", "-q", "accord/positions"]).ok();
    env.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "forged",
        "--trailer",
        "Accord-Position: sign",
        "--trailer",
        "Accord-Agreement: charter",
        "--trailer",
        &format!("Accord-Revision: {blob}"),
        "--trailer",
        "Accord-Party: Grace Hopper <grace@example.com>",
    ])
    .ok();
    let forged = env.head();
    env.git(&["checkout", "-q", "main"]).ok();
    let v = env.accord(&["verify"]);
    v.code(1);
    assert!(v.stdout.contains(&forged[..10]) || v.stdout.contains(&forged), "{}", v.stdout);
    assert!(v.stdout.contains("is not the party it names"), "{}", v.stdout);
}

#[test]
fn status_and_pending_say_when_positions_are_not_yet_synced() {
    let mut team = Team::new("consent");
    let ada = team.env.repo.clone();
    team.accord(ADA, &ada, &["sign", "charter"]).ok();
    team.accord(GRACE, &ada, &["sign", "charter", "-m", "Same machine, two hats."]).ok();
    for args in [&["status"][..], &["pending"]] {
        let r = team.accord(KATHERINE, &ada, args);
        r.ok();
        assert!(
            r.stderr.contains("2 position(s) on accord/positions not yet synced to origin"),
            "{}",
            r.stderr
        );
    }
    team.accord(ADA, &ada, &["sync"]).ok();
    let r = team.accord(ADA, &ada, &["status"]);
    assert!(!r.stderr.contains("not yet synced"), "{}", r.stderr);
}

/// Behind as well as ahead: positions fetched from the remote and not yet joined into the
/// local positions branch are named too (they count already; `accord sync` joins them).
#[test]
fn status_and_pending_say_when_the_remote_has_positions_not_yet_joined() {
    let mut team = Team::new("consent");
    let ada = team.env.repo.clone();
    let grace = team.clone_for("grace");
    team.accord(GRACE, &grace, &["sign", "charter"]).ok();
    team.accord(GRACE, &grace, &["sync"]).ok();
    team.accord(ADA, &ada, &["sign", "charter"]).ok();
    team.accord(ADA, &ada, &["sync"]).ok();
    team.accord(KATHERINE, &ada, &["sign", "charter"]).ok();
    team.accord(KATHERINE, &ada, &["sync"]).ok();
    // Grace fetches (as `git fetch` or a pull does) but does not sync.
    team.git(GRACE, &grace, &["fetch", "-q", "origin"]).ok();
    for args in [&["status"][..], &["pending"]] {
        let r = team.accord(GRACE, &grace, args);
        r.ok();
        assert!(
            r.stderr.contains(
                "2 position(s) on origin/accord/positions not yet joined into accord/positions"
            ),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("not yet synced"), "{}", r.stderr);
    }
    // They count already.
    assert_eq!(team.status(&grace)["ratified"], true);
    team.accord(GRACE, &grace, &["sync"]).ok();
    let r = team.accord(GRACE, &grace, &["status"]);
    assert!(!r.stderr.contains("not yet joined"), "{}", r.stderr);
}

#[test]
fn a_rename_keeps_the_lineage_and_a_copy_inherits_nothing() {
    let mut team = Team::new("consent");
    let ada = team.env.repo.clone();
    team.accord(GRACE, &ada, &["sign", "charter", "--here"]).ok();
    for who in [ADA, KATHERINE] {
        team.accord(who, &ada, &["sign", "charter"]).ok();
    }
    assert_eq!(team.status(&ada)["ratified"], true);
    // `git mv`, with a small edit in the same commit (still a rename for git).
    team.git(ADA, &ada, &["mv", "agreements/charter.toml", "agreements/platform.toml"]).ok();
    let path = ada.join("agreements/platform.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("# Renamed from charter.\n{text}")).unwrap();
    team.git(ADA, &ada, &["commit", "-q", "-am", "Rename the charter"]).ok();
    let s = team.env.accord_in(&ada, &["status", "platform", "--format", "json"]).ok().json();
    assert_eq!(s[0]["ratified"], true, "positions under the old id count: {s}");
    // log and history follow the rename: the renamer did not create it.
    let log = team.env.accord_in(&ada, &["log", "platform", "--format", "json"]).ok().json();
    let entries = log.as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["type"] == "position" && e["name"] == "Grace Hopper"),
        "{log}"
    );
    assert!(entries.iter().any(|e| e["subject"] == "Add the charter"), "{log}");
    // The renaming edit says so; no other edit does.
    let renames: Vec<_> = entries.iter().filter(|e| e.get("renamed_from").is_some()).collect();
    assert_eq!(renames.len(), 1, "{log}");
    assert_eq!(renames[0]["renamed_from"], "charter");
    assert_eq!(renames[0]["subject"], "Rename the charter");
    assert!(renames[0]["summary"].as_str().unwrap().starts_with("renamed from charter; "), "{log}");
    let human = team.env.accord_in(&ada, &["log", "platform"]).ok().stdout.clone();
    assert!(human.contains("renamed from charter"), "{human}");
    let h = team.env.accord_in(&ada, &["history", "platform", "--format", "json"]).ok().json();
    assert_eq!(h[0]["author"], "Ada Lovelace");
    assert_eq!(h.as_array().unwrap().len(), 1, "a rename is no new version of the purpose: {h}");
    // Asked by its old id: the renaming commit says where it went, not "deleted".
    let old = team.env.accord_in(&ada, &["log", "charter", "--format", "json"]).ok().json();
    assert_eq!(old[0]["subject"], "Rename the charter", "{old}");
    assert_eq!(old[0]["renamed_to"], "platform", "{old}");
    assert_eq!(old[0]["summary"], "renamed to platform", "{old}");
    let human = team.env.accord_in(&ada, &["log", "charter"]).ok().stdout.clone();
    assert!(human.contains("renamed to platform"), "{human}");
    assert!(!human.contains("deleted"), "{human}");
    let r = team.env.accord_in(&ada, &["status", "charter"]);
    r.code(2);
    assert!(r.stderr.contains("renamed to `platform`"), "{}", r.stderr);
    assert!(r.stderr.contains("accord log platform"), "{}", r.stderr);
    // A copy under a new id is a new agreement with no positions.
    std::fs::copy(&path, ada.join("agreements/copy.toml")).unwrap();
    team.git(ADA, &ada, &["add", "agreements/copy.toml"]).ok();
    team.git(ADA, &ada, &["commit", "-q", "-m", "Copy"]).ok();
    let s = team.env.accord_in(&ada, &["status", "copy", "--format", "json"]).ok().json();
    assert_eq!(s[0]["ratified"], false, "{s}");
    let log = team.env.accord_in(&ada, &["log", "copy", "--format", "json"]).ok().json();
    assert!(log.as_array().unwrap().iter().all(|e| e.get("renamed_from").is_none()), "{log}");
    assert!(s[0]["parties"].as_array().unwrap().iter().all(|p| p["state"] == "silent"), "{s}");
}

#[test]
fn review_of_a_rename_is_a_change_not_a_removal() {
    let mut team = Team::new("consent");
    let ada = team.env.repo.clone();
    for who in [ADA, GRACE, KATHERINE] {
        team.accord(who, &ada, &["sign", "charter"]).ok();
    }
    team.git(ADA, &ada, &["checkout", "-q", "-b", "rename"]).ok();
    team.git(ADA, &ada, &["mv", "agreements/charter.toml", "agreements/platform.toml"]).ok();
    team.git(ADA, &ada, &["commit", "-q", "-m", "Rename"]).ok();
    let r = team.accord(
        ADA,
        &ada,
        &["review", "main..rename", "--require-ratified", "--format", "json"],
    );
    let v = r.ok().json();
    assert_eq!(v["agreements"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["agreements"][0]["agreement"], "platform");
    assert_eq!(v["agreements"][0]["renamed_from"], "charter", "{v}");
    assert_eq!(v["ratified"], true, "{v}");
    // The rename is named, in words and in the pull-request comment.
    let human = team.accord(ADA, &ada, &["review", "main..rename"]).ok().stdout.clone();
    assert!(human.contains("platform (") && human.contains("renamed from charter)"), "{human}");
    let md = team.accord(ADA, &ada, &["review", "main..rename", "--format", "markdown"]);
    assert!(md.ok().stdout.contains("renamed from charter)"), "{}", md.stdout);
    // Deleting it, or renaming it to a name that is no agreement id, is a removal.
    team.git(ADA, &ada, &["checkout", "-q", "main"]).ok();
    team.git(ADA, &ada, &["checkout", "-q", "-b", "sneaky"]).ok();
    team.git(ADA, &ada, &["mv", "agreements/charter.toml", "agreements/Charter.toml"]).ok();
    team.git(ADA, &ada, &["commit", "-q", "-m", "Tidy"]).ok();
    let r = team.accord(ADA, &ada, &["review", "main..sneaky", "--require-ratified"]);
    r.code(1);
    assert!(r.stderr.contains("removed without a ratified retirement: charter"), "{}", r.stderr);
}

/// Positions taken in the range under the id an agreement had before a rename are shown by
/// `review` even when the rename happened before BASE: a pull request that branched before
/// `main` renamed the file, signed under the old id, then merged.
#[test]
fn review_shows_positions_under_an_id_renamed_before_base() {
    let (mut team, ada) = Team::signed_by_all();
    team.git(ADA, &ada, &["checkout", "-q", "-b", "feat"]).ok();
    edit(&ada, "paved road", "paved, lit road");
    team.git(ADA, &ada, &["commit", "-q", "-am", "Light the road"]).ok();
    // main renames the file; then the pull request, still under the old id, is signed.
    team.git(ADA, &ada, &["checkout", "-q", "main"]).ok();
    team.git(ADA, &ada, &["mv", "agreements/charter.toml", "agreements/platform.toml"]).ok();
    team.git(ADA, &ada, &["commit", "-q", "-m", "Rename"]).ok();
    let renamed = team.git(ADA, &ada, &["rev-parse", "HEAD"]).ok().stdout.trim().to_string();
    team.git(ADA, &ada, &["checkout", "-q", "feat"]).ok();
    for who in [ADA, GRACE, KATHERINE] {
        team.take(who, &ada, &["sign", "charter"]);
    }
    team.git(ADA, &ada, &["checkout", "-q", "main"]).ok();
    team.git(ADA, &ada, &["merge", "-q", "--no-edit", "feat"]).ok();
    let v = team
        .accord(ADA, &ada, &["review", &format!("{renamed}..HEAD"), "--format", "json"])
        .ok()
        .json();
    let reviews = v["agreements"].as_array().unwrap();
    assert_eq!(reviews.len(), 1, "{v:#}");
    assert_eq!(reviews[0]["agreement"], "platform", "{v:#}");
    let signers: Vec<&str> = reviews[0]["positions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["position"] == "sign")
        .map(|p| p["email"].as_str().unwrap())
        .collect();
    for who in ["ada@example.com", "grace@example.com", "katherine@example.com"] {
        assert!(signers.contains(&who), "{who} not shown: {v:#}");
    }
}

#[test]
fn retire_then_remove_passes_the_gate_and_removing_first_does_not() {
    let (mut team, ada) = Team::signed_by_all();
    // Removing a ratified agreement straight away fails the gate.
    team.git(ADA, &ada, &["checkout", "-q", "-b", "drop"]).ok();
    team.git(ADA, &ada, &["rm", "-q", "agreements/charter.toml"]).ok();
    team.git(ADA, &ada, &["commit", "-q", "-m", "Drop the charter"]).ok();
    let r = team.accord(ADA, &ada, &["review", "main..drop", "--require-ratified"]);
    r.code(1);
    assert!(r.stderr.contains("removed without a ratified retirement: charter"), "{}", r.stderr);
    // Retire it first: `retired = true` is a change of meaning that needs consent...
    team.git(ADA, &ada, &["checkout", "-q", "main"]).ok();
    team.git(ADA, &ada, &["checkout", "-q", "-b", "retire"]).ok();
    edit(&ada, "kind = \"charter\"", "kind = \"charter\"\nretired = true");
    team.git(ADA, &ada, &["commit", "-q", "-am", "Retire the charter"]).ok();
    let s = team.status(&ada);
    assert_eq!(s["retired"], true, "{s}");
    assert_eq!(s["ratified"], false, "a retirement must be ratified: {s}");
    for who in [ADA, GRACE, KATHERINE] {
        team.take(who, &ada, &["sign", "charter"]);
    }
    assert_eq!(team.status(&ada)["ratified"], true);
    let list = team.accord(ADA, &ada, &["list"]).ok().stdout.clone();
    assert!(list.contains("retired"), "{list}");
    // ...then removing it passes.
    team.git(ADA, &ada, &["rm", "-q", "agreements/charter.toml"]).ok();
    team.git(ADA, &ada, &["commit", "-q", "-m", "Remove the retired charter"]).ok();
    let r = team.accord(
        ADA,
        &ada,
        &["review", "main..retire", "--require-ratified", "--format", "json"],
    );
    let v = r.ok().json();
    assert_eq!(v["agreements"][0]["retired_first"], true, "{v}");
}

/// Positions made in the same second keep the positions branch's order (SPEC §4: a commit
/// before its ancestors, time and id only among commits ready together): each party's sign-off
/// on the retirement stays newer than their sign-off on the text it retired, so the retirement
/// is ratified for the gate as it is for `status`.
#[test]
fn same_second_positions_keep_the_positions_branch_order() {
    let mut team = Team::new("consent");
    let ada = team.env.repo.clone();
    let second = team.env.clock.get();
    let at = |team: &mut Team| team.env.clock.set(second);
    for who in [ADA, GRACE, KATHERINE] {
        at(&mut team);
        team.accord(who, &ada, &["sign", "charter"]).ok();
    }
    team.git(ADA, &ada, &["checkout", "-q", "-b", "retire"]).ok();
    edit(&ada, "kind = \"charter\"", "kind = \"charter\"\nretired = true");
    at(&mut team);
    team.git(ADA, &ada, &["commit", "-q", "-am", "Retire the charter"]).ok();
    for who in [ADA, GRACE, KATHERINE] {
        at(&mut team);
        team.accord(who, &ada, &["sign", "charter"]).ok();
    }
    let s = team.status(&ada);
    assert_eq!((s["retired"].clone(), s["ratified"].clone()), (true.into(), true.into()), "{s}");
    // The log shows each party's retirement sign-off before (newer than) their first one.
    let log = team.accord(ADA, &ada, &["log", "charter", "--format", "json"]).ok().json();
    let signs: Vec<(String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["position"] == "sign")
        .map(|e| {
            (e["email"].as_str().unwrap().to_string(), e["revision"].as_str().unwrap().to_string())
        })
        .collect();
    let run = team.git(ADA, &ada, &["rev-parse", "HEAD:agreements/charter.toml"]);
    let retired = run.ok().stdout.trim().to_string();
    for who in ["ada@example.com", "grace@example.com", "katherine@example.com"] {
        let first = signs.iter().find(|(email, _)| email == who).map(|(_, rev)| rev.as_str());
        assert_eq!(first, Some(retired.as_str()), "{who}: {log:#}");
    }
    // A sign-off in the same second as the edit sits after the edit that wrote its text, and
    // before the edit that replaced it: the sign-offs on the retirement come first (newest),
    // then the retiring edit, then the sign-offs on the text it retired.
    let kinds: Vec<(String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["type"].as_str().unwrap().to_string(), e["revision"].as_str().unwrap().to_string())
        })
        .collect();
    let retiring = kinds.iter().position(|(t, r)| t == "edit" && *r == retired).unwrap();
    assert_eq!(retiring, 3, "{log:#}");
    assert!(kinds[..3].iter().all(|(t, r)| t == "position" && *r == retired), "{log:#}");
    assert!(kinds[4..7].iter().all(|(t, r)| t == "position" && *r != retired), "{log:#}");
    team.git(ADA, &ada, &["rm", "-q", "agreements/charter.toml"]).ok();
    team.git(ADA, &ada, &["commit", "-q", "-m", "Remove the retired charter"]).ok();
    let r = team.accord(ADA, &ada, &["review", "main..retire", "--require-ratified"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// A pull request's commit dates are its author's to choose. An edit dated long before the
/// sign-offs on the text it replaces must not make that text look never ratified (which would
/// skip its rules in force), nor bring a reverted text's old sign-offs back.
#[test]
fn backdated_edits_in_a_pull_request_do_not_get_past_the_gate() {
    let (mut team, ada) = Team::signed_by_all();
    let long_ago = team.env.clock.get() - 400 * 86_400;
    let backdated = |team: &mut Team, who: (&str, &str), args: &[&str]| {
        let now = team.env.clock.get();
        team.env.clock.set(long_ago);
        team.git(who, &ada, args).ok();
        team.env.clock.set(now);
    };
    // Katherine makes herself the only party, dated before anyone signed the charter.
    team.git(KATHERINE, &ada, &["checkout", "-q", "-b", "takeover"]).ok();
    let only_katherine = charter("consent")
        .replace("[[party]]\nname = \"Ada Lovelace\"\nemail = \"ada@example.com\"\nrole = \"steward\"\n\n", "")
        .replace("[[party]]\nname = \"Grace Hopper\"\nemail = \"grace@example.com\"\n\n", "")
        .replace("email = \"katherine@example.com\"\n", "email = \"katherine@example.com\"\nrole = \"steward\"\n")
        .split("[[commitment]]")
        .next()
        .unwrap()
        .to_string();
    assert!(!only_katherine.contains("grace@") && only_katherine.contains("role = \"steward\""));
    std::fs::write(ada.join("agreements/charter.toml"), &only_katherine).unwrap();
    backdated(&mut team, KATHERINE, &["commit", "-q", "-am", "Take over"]);
    team.take(KATHERINE, &ada, &["sign", "charter"]);
    let r = team.accord(ADA, &ada, &["review", "main..takeover", "--require-ratified"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("rule in force"), "{}", r.stdout);

    // A revert to a text signed long ago, dated before the sign-offs on the text it reverts.
    team.git(ADA, &ada, &["checkout", "-q", "main"]).ok();
    edit(&ada, PURPOSE, AMENDED);
    team.git(ADA, &ada, &["commit", "-q", "-am", "Amend the purpose"]).ok();
    for who in [ADA, GRACE, KATHERINE] {
        team.take(who, &ada, &["sign", "charter"]);
    }
    team.git(ADA, &ada, &["checkout", "-q", "-b", "revert"]).ok();
    edit(&ada, AMENDED, PURPOSE);
    backdated(&mut team, ADA, &["commit", "-q", "-am", "Back to the first purpose"]);
    let r = team.accord(ADA, &ada, &["review", "main..revert", "--require-ratified"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
}

#[test]
fn ssh_signed_positions_survive_sync_and_verify_in_a_fresh_clone() {
    if !require_tool("ssh-keygen") {
        return;
    }
    let mut team = Team::new("consent");
    let ada = team.env.repo.clone();
    let grace = team.clone_for("grace");
    let mut allowed = String::new();
    for (who, dir, name) in [(ADA, &ada, "ada"), (GRACE, &grace, "grace")] {
        let key = team.env.home.join(format!("{name}_key"));
        let out = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
            .arg(&key)
            .output()
            .unwrap();
        assert!(out.status.success());
        let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
        allowed.push_str(&format!("{} {}", who.1, public));
        for (k, v) in
            [("gpg.format", "ssh"), ("commit.gpgsign", "true"), ("user.signingkey", p(&key))]
        {
            team.git(who, dir, &["config", k, v]).ok();
        }
        team.accord(who, dir, &["sign", "charter"]).ok();
    }
    let ids: Vec<String> = [&ada, &grace]
        .iter()
        .map(|d| team.git(ADA, d, &["rev-parse", "accord/positions"]).stdout.trim().to_string())
        .collect();
    team.accord(ADA, &ada, &["sync"]).ok();
    team.accord(GRACE, &grace, &["sync"]).ok(); // joins with a merge commit
    let fresh = team.clone_for("fresh");
    let signers = team.env.path("allowed_signers");
    std::fs::write(&signers, allowed).unwrap();
    team.git(ADA, &fresh, &["config", "gpg.ssh.allowedSignersFile", p(&signers)]).ok();
    for id in &ids {
        team.git(ADA, &fresh, &["verify-commit", id]).ok();
    }
    let r = team.accord(ADA, &fresh, &["verify", "--signed"]);
    r.ok();
    assert!(r.stdout.contains("ok: 2 position(s)"), "{}", r.stdout);
    // The join is signed too (`commit.gpgsign`), so a remote that requires signed commits on
    // the branch takes it.
    let merges = team.git(ADA, &fresh, &["rev-list", "--merges", "origin/accord/positions"]);
    let merges: Vec<String> = merges.ok().stdout.lines().map(str::to_string).collect();
    assert_eq!(merges.len(), 1, "{merges:?}");
    team.git(ADA, &fresh, &["verify-commit", &merges[0]]).ok();
}

#[test]
fn red_team_sync_publishes_to_a_remote_that_lost_the_branch_and_counts_each_position_once() {
    // Red-team findings: a remote-tracking copy left from an earlier remote made `sync` say
    // "the remote has everything already" to a new origin without the branch; retried
    // rounds added the received positions up again.
    let (mut team, ada) = Team::signed_by_all();
    let tip = team.env.git(&["rev-parse", "accord/positions"]).stdout;
    let moved = team.env.path("moved.git");
    team.env.git(&["init", "-q", "--bare", "-b", "main", p(&moved)]).ok();
    team.git(ADA, &ada, &["remote", "set-url", "origin", p(&moved)]).ok();
    let r = team.accord(ADA, &ada, &["sync"]);
    r.ok();
    let theirs = team.env.git_in(&moved, &["rev-parse", "refs/heads/accord/positions"]);
    assert_eq!(theirs.ok().stdout, tip, "{}", r.stderr);
    assert_eq!(team.env.git(&["rev-parse", "origin/accord/positions"]).stdout, tip);
    // A second clone received three positions, whatever the rounds it took.
    let grace = team.clone_for("grace");
    team.git(GRACE, &grace, &["remote", "set-url", "origin", p(&moved)]).ok();
    team.git(GRACE, &grace, &["fetch", "-q", "origin"]).ok();
    team.accord(GRACE, &grace, &["withdraw", "charter"]).ok();
    team.accord(GRACE, &grace, &["sync"]).ok();
    let r = team.accord(ADA, &ada, &["sync"]);
    r.ok();
    assert!(r.stderr.contains("received 1 position(s)"), "{}", r.stderr);
}

#[test]
fn red_team_a_branch_that_tracks_a_local_branch_leaves_status_and_sync_working() {
    let (mut team, ada) = Team::signed_by_all();
    team.git(ADA, &ada, &["checkout", "-q", "-b", "feat", "--track", "main"]).ok();
    for args in [&["status"][..], &["pending"], &["sync"]] {
        let r = team.accord(ADA, &ada, args);
        r.ok();
        assert!(!r.stderr.contains("refs/remotes/./"), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn red_team_a_positions_branch_that_is_checked_out_is_refused_and_nothing_moves() {
    let env = TestEnv::on_positions_branch();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the charter");
    env.commit_file("accord.toml", "positions_branch = \"main\"\n", "Positions on main");
    let head = env.head();
    let r = env.accord(&["sign", "charter"]);
    r.code(2);
    assert!(r.stderr.contains("is checked out"), "{}", r.stderr);
    assert_eq!(env.head(), head);
    assert!(env.git(&["status", "--porcelain"]).stdout.trim().is_empty());
    // The default branch checked out in a linked worktree (to make positions by hand there).
    std::fs::remove_file(env.repo.join("accord.toml")).unwrap();
    env.git(&["commit", "-q", "-am", "Default branch again"]).ok();
    env.accord(&["sign", "charter"]).ok();
    let wt = env.path("positions-wt");
    env.git(&["worktree", "add", "-q", p(&wt), "accord/positions"]).ok();
    let before = env.git(&["rev-parse", "accord/positions"]).stdout;
    env.commit_file("agreements/charter.toml", &charter("unanimous"), "Unanimous");
    let r = env.accord(&["sign", "charter"]);
    r.code(2);
    assert!(r.stderr.contains("checked out in"), "{}", r.stderr);
    assert_eq!(env.git(&["rev-parse", "accord/positions"]).stdout, before);
    assert!(env.git_in(&wt, &["status", "--porcelain"]).stdout.trim().is_empty());
}

#[test]
fn red_team_a_push_the_remote_declines_fails_at_once_with_gits_reason() {
    let (mut team, ada) = Team::signed_by_all();
    let hook = team.origin.join("hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\necho 'you may not push here' >&2\nexit 1\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    team.accord(GRACE, &ada, &["withdraw", "charter"]).ok();
    let started = std::time::Instant::now();
    let r = team.accord(ADA, &ada, &["sync"]);
    r.code(2);
    assert!(r.stderr.contains("you may not push here"), "{}", r.stderr);
    // Not a race: no two minutes of retries (one round takes well under a second).
    let v = started.elapsed();
    assert!(v < std::time::Duration::from_secs(30), "retried a declined push for {v:?}");
}

#[test]
fn red_team_a_positions_branch_fetched_shallow_fails_the_gates_closed() {
    let (mut team, ada) = Team::signed_by_all();
    team.accord(GRACE, &ada, &["object", "charter", "-m", "Not yet."]).ok();
    team.accord(ADA, &ada, &["sign", "charter", "-m", "again"]).ok();
    team.accord(ADA, &ada, &["sync"]).ok();
    let ci = team.env.path("ci");
    let url = format!("file://{}", p(&team.origin));
    team.env.git(&["clone", "-q", "--single-branch", &url, p(&ci)]).ok();
    let spec = "accord/positions:refs/remotes/origin/accord/positions";
    team.env.git_in(&ci, &["fetch", "-q", "--depth", "1", "origin", spec]).ok();
    for args in [&["check", "--ratified"][..], &["verify"]] {
        let r = team.accord(ADA, &ci, args);
        r.code(2);
        assert!(r.stderr.contains("git fetch --unshallow"), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn red_team_status_rev_judges_a_commit_as_of_its_own_time() {
    // SPEC §4 rule 3: "`--rev C` judges C as of C's committer time". Red-team finding: sign-offs
    // made on C's text after main had replaced it counted at `--rev C`.
    let mut team = Team::new("consent");
    let ada = team.env.repo.clone();
    let c = team.env.head();
    edit(&ada, PURPOSE, AMENDED);
    team.git(ADA, &ada, &["commit", "-q", "-am", "Amend"]).ok();
    // Everyone signs C's text from a checkout of C, after main replaced it.
    team.git(ADA, &ada, &["switch", "-q", "--detach", &c]).ok();
    for who in [ADA, GRACE, KATHERINE] {
        team.accord(who, &ada, &["sign", "charter"]).ok();
    }
    team.git(ADA, &ada, &["switch", "-q", "main"]).ok();
    let at = |env: &TestEnv, rev: &str| {
        env.accord_in(&ada, &["status", "charter", "--rev", rev, "--format", "json"]).ok().json()
    };
    let s = at(&team.env, &c);
    assert_eq!(s[0]["ratified"], false, "{s:#}");
    assert_eq!(state(&s[0], "ada@example.com"), "silent", "{s:#}");
    // The commit HEAD is at is judged as plain `status` judges it: as of now.
    for who in [ADA, GRACE, KATHERINE] {
        team.accord(who, &ada, &["sign", "charter"]).ok();
    }
    assert_eq!(team.status(&ada)["ratified"], true);
    let s = at(&team.env, "HEAD");
    assert_eq!(s[0]["ratified"], true, "{s:#}");
}

#[test]
fn red_team_sync_waits_for_a_positions_branch_locked_for_a_moment() {
    // Red-team finding: `sync` failed at once ("failed to lock file … for writing: ") when
    // another process held the branch's lock; SPEC §4 asks for waiting up to 10 s.
    let (mut team, ada) = Team::signed_by_all();
    let grace = team.clone_for("grace");
    team.accord(GRACE, &grace, &["withdraw", "charter"]).ok();
    team.accord(GRACE, &grace, &["sync"]).ok();
    team.accord(ADA, &ada, &["object", "charter", "-m", "Wait."]).ok();
    let lock = ada.join(".git/refs/heads/accord/positions.lock");
    std::fs::write(&lock, "").unwrap();
    let held = lock.clone();
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(800));
        std::fs::remove_file(held).unwrap();
    });
    let r = team.accord(ADA, &ada, &["sync"]);
    release.join().unwrap();
    r.ok();
    assert!(r.stderr.contains("received 1 position(s)"), "{}", r.stderr);
    assert!(r.stderr.contains("merge commit"), "{}", r.stderr);
}

#[test]
fn sync_refuses_a_remote_name_git_would_read_as_an_option() {
    // Red-team finding: a remote named `--upload-pack=CMD` (in the repository's config; `git
    // remote add` refuses such names) was handed to `git fetch` as an option, and CMD ran.
    let mut env = TestEnv::on_positions_branch();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the platform charter");
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    let origin = env.path("origin.git");
    env.git(&["init", "-q", "--bare", p(&origin)]).ok();
    let ran = env.path("ran");
    let name = format!("--upload-pack=touch {};", ran.display());
    env.git(&["config", &format!("remote.{name}.url"), p(&origin)]).ok();
    // The only remote: plain `accord sync` picks it.
    let r = env.accord(&["sync"]);
    assert!(r.code(2).stderr.contains("is not a valid remote name"), "{}", r.stderr);
    assert!(!ran.exists(), "no command ran");
    let r = env.accord(&["sync", "--", "-v"]);
    assert!(r.code(2).stderr.contains("`-v` is not a valid remote name"), "{}", r.stderr);
}

#[test]
fn a_positions_branch_named_head_is_refused() {
    // Red-team finding: `positions_branch = "HEAD"` was accepted; `sign` made refs/heads/HEAD
    // (every git command then warns it is ambiguous) and `sync` took origin/HEAD for the
    // branch's remote copy and merged main's history into the positions.
    let mut env = TestEnv::on_positions_branch();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the platform charter");
    env.commit_file("accord.toml", "positions_branch = \"HEAD\"\n", "config");
    let r = env.as_(ADA).accord(&["sign", "charter"]);
    assert!(r.code(2).stderr.contains("is not a valid branch name"), "{}", r.stderr);
    assert!(env.git(&["show-ref", "--verify", "-q", "refs/heads/HEAD"]).code != 0);
}

/// Ada's sign-off on the positions branch of a repository with an empty bare `origin`.
fn ada_signed_with_an_origin() -> (TestEnv, PathBuf) {
    let mut env = TestEnv::on_positions_branch();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the platform charter");
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    let origin = env.path("origin.git");
    env.git(&["init", "-q", "--bare", p(&origin)]).ok();
    env.git(&["remote", "add", "origin", p(&origin)]).ok();
    (env, origin)
}

#[test]
fn sync_says_what_to_do_about_a_ref_in_the_way_and_a_stale_lock_on_the_remote() {
    // Red-team findings: a remote-tracking `origin/accord` left from a branch deleted long ago
    // (never pruned) blocked the fetch; sync waited 10 s and blamed another git process. A lock
    // file left on the remote made sync retry silently for two minutes.
    let (mut env, origin) = ada_signed_with_an_origin();
    env.accord(&["sync"]).ok();
    let tip = env.git(&["rev-parse", "accord/positions"]).ok().stdout.trim().to_string();
    env.git(&["update-ref", "-d", "refs/remotes/origin/accord/positions"]).ok();
    env.git(&["update-ref", "refs/remotes/origin/accord", &tip]).ok();
    let started = std::time::Instant::now();
    let r = env.accord(&["sync"]);
    assert!(r.code(2).stderr.contains("git remote prune origin"), "{}", r.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "no waiting for a lock");
    let after = env.git(&["rev-parse", "accord/positions"]).ok().stdout.trim().to_string();
    assert_eq!(after, tip, "nothing changed locally");
    env.git(&["remote", "prune", "origin"]).ok();
    env.git(&["update-ref", "-d", "refs/remotes/origin/accord"]).ok();
    env.accord(&["sync"]).ok();
    // A stale lock on the remote: an error within seconds, naming it, not two minutes.
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    std::fs::write(origin.join("refs/heads/accord/positions.lock"), "").unwrap();
    let started = std::time::Instant::now();
    let r = env.accord(&["sync"]);
    assert!(r.code(2).stderr.contains("positions.lock"), "{}", r.stderr);
    assert!(r.stderr.contains("stayed locked"), "{}", r.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "gave up in time");
}

#[test]
fn sync_counts_positions_not_every_commit_it_receives() {
    // Red-team finding: "received 3 position(s)" for a remote branch that gained one commit
    // that is no position and two that are.
    let (mut env, origin) = ada_signed_with_an_origin();
    env.git(&["push", "-q", "origin", "main"]).ok();
    env.accord(&["sync"]).ok();
    let other = env.path("other");
    env.git(&["clone", "-q", p(&origin), p(&other)]).ok();
    env.git_in(&other, &["checkout", "-q", "-b", "p", "origin/accord/positions"]).ok();
    env.git_in(&other, &["commit", "-q", "--allow-empty", "-m", "just a note"]).ok();
    env.git_in(&other, &["push", "-q", "origin", "p:accord/positions"]).ok();
    env.git_in(&other, &["checkout", "-q", "main"]).ok();
    env.git_in(&other, &["branch", "-q", "-D", "p"]).ok();
    env.git_in(&other, &["branch", "-q", "accord/positions", "origin/accord/positions"]).ok();
    env.as_(GRACE);
    env.accord_in(&other, &["sign", "charter"]).ok();
    env.accord_in(&other, &["sync"]).ok();
    let r = env.as_(ADA).accord(&["sync"]);
    assert!(r.ok().stderr.contains("received 1 position(s)"), "{}", r.stderr);
}

#[test]
fn sync_keeps_fetched_positions_when_the_remote_branch_was_rewound() {
    // Red-team finding: Katherine had fetched Grace's sign-off (it counted in her `status`);
    // someone force-pushed the remote's positions branch back to Ada's position; Katherine's
    // `sync` overwrote her remote-tracking copy and Grace's sign-off was gone from every
    // branch of her clone, with "received 1 position(s)" and exit 0. As for a remote that
    // lost the branch, what the old copy held is joined first, and the push restores it.
    let mut team = Team::new("consent");
    let ada = team.env.repo.clone();
    team.take(ADA, &ada, &["sign", "charter"]);
    let ada_tip = team.env.git(&["rev-parse", "accord/positions"]).ok().stdout.trim().to_string();
    let grace = team.clone_for("grace");
    team.git(GRACE, &grace, &["fetch", "-q", "origin"]).ok();
    team.take(GRACE, &grace, &["sign", "charter"]);
    for signed_first in [false, true] {
        let kat = team.clone_for(if signed_first { "kat-signed" } else { "kat" });
        if signed_first {
            team.accord(KATHERINE, &kat, &["sign", "charter"]).ok();
        }
        let before = team.status(&kat);
        assert_eq!(state(&before, "grace@example.com"), "signed", "{before:#}");
        // The rewind, from Ada's clone.
        let spec = format!("+{ada_tip}:refs/heads/accord/positions");
        team.git(ADA, &ada, &["push", "-q", "origin", &spec]).ok();
        team.accord(KATHERINE, &kat, &["sync"]).ok();
        let after = team.status(&kat);
        assert_eq!(state(&after, "grace@example.com"), "signed", "{after:#}");
        assert_eq!(state(&after, "ada@example.com"), "signed", "{after:#}");
        // The remote has Grace's sign-off again: a fresh clone counts it.
        let fresh = team.clone_for(if signed_first { "fresh-2" } else { "fresh-1" });
        let s = team.status(&fresh);
        assert_eq!(state(&s, "grace@example.com"), "signed", "{s:#}");
    }
}

#[test]
fn sync_joins_again_when_a_sign_here_moves_the_branch_under_it() {
    // Red-team finding: `accord sync` while `accord sign` runs in the same clone failed now and
    // then with libgit2's "old reference value does not match" (exit 2, no hint): the join's
    // compare-and-swap lost to the sign's and was not tried again.
    let mut team = Team::new("consent");
    let ada = team.env.repo.clone();
    const N: usize = 64;
    for i in 0..N {
        std::fs::write(ada.join(format!("agreements/a{i}.toml")), charter("consent")).unwrap();
    }
    team.git(ADA, &ada, &["add", "-A"]).ok();
    team.git(ADA, &ada, &["commit", "-q", "-m", "many"]).ok();
    team.git(ADA, &ada, &["push", "-q", "origin", "main"]).ok();
    let grace = team.clone_for("grace");
    team.take(GRACE, &grace, &["sign", "a0"]);
    let kat = team.clone_for("kat");
    team.env.as_(KATHERINE);
    for round in 0..3 {
        // Grace moves the remote, so that each of Katherine's syncs makes a merge.
        team.take(GRACE, &grace, &["sign", &format!("a{}", round + 1)]);
        team.env.as_(KATHERINE);
        let signs: Vec<_> = (round * 20 + 1..round * 20 + 21)
            .map(|i| {
                let mut cmd = team.env.accord_cmd();
                cmd.current_dir(&kat)
                    .args(["sign", &format!("a{i}")])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped());
                cmd.spawn().unwrap()
            })
            .collect();
        let mut signs = signs;
        let mut syncs = 0;
        while syncs < 3 || signs.iter_mut().any(|c| c.try_wait().unwrap().is_none()) {
            let r = team.env.accord_in(&kat, &["sync"]);
            assert_eq!(r.code, 0, "round {round}, sync {syncs}: {}", r.stderr);
            syncs += 1;
        }
        for child in signs {
            let o = child.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
    }
    team.env.accord_in(&kat, &["sync"]).ok();
    // Every position reached the remote: Grace's four and Katherine's 60.
    let log = team.env.git_in(
        &team.origin,
        &["log", "--format=%(trailers:key=Accord-Party,valueonly)", "accord/positions"],
    );
    let parties: Vec<&str> = log.ok().stdout.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(parties.iter().filter(|l| l.contains("grace@")).count(), 4, "{parties:?}");
    assert_eq!(parties.iter().filter(|l| l.contains("katherine@")).count(), 60, "{parties:?}");
}

#[test]
fn sync_refuses_a_stale_ref_in_the_way_before_it_pushes() {
    // Red-team finding: with `origin/accord` left from a branch deleted there long ago, and a
    // remote without the positions branch yet, sync pushed the positions and then failed
    // (exit 2, libgit2's "parent is not directory", no hint): told it had failed, when it had
    // published them. The ref in the way is found first, and nothing is pushed.
    let (env, origin) = ada_signed_with_an_origin();
    let main = env.git(&["rev-parse", "HEAD"]).ok().stdout.trim().to_string();
    env.git(&["update-ref", "refs/remotes/origin/accord", &main]).ok();
    let r = env.accord(&["sync"]);
    r.code(2);
    assert!(r.stderr.contains("git remote prune origin"), "{}", r.stderr);
    assert!(!r.stderr.contains("parent is not directory"), "{}", r.stderr);
    env.git_in(&origin, &["rev-parse", "--verify", "-q", "refs/heads/accord/positions"]).code(1);
    env.git(&["update-ref", "-d", "refs/remotes/origin/accord"]).ok();
    env.accord(&["sync"]).ok();
    env.git_in(&origin, &["rev-parse", "--verify", "-q", "refs/heads/accord/positions"]).ok();
}

/// Issue 10 item 4 in the older layout: positions made `--here` on a pull request's branch
/// name its text; a rebase merge over a comment-only edit on `main` puts another blob on `main`,
/// and once the branch is deleted and garbage-collected the named blob is gone. The meaning
/// fingerprint in each position (`Accord-Meaning`) keeps them judgeable.
#[test]
fn a_rebase_merge_of_positions_made_here_keeps_consent_after_the_branch_is_collected() {
    let mut team = Team::new("consent");
    let (ada, signed) = rebase_merge_signed_here(&mut team);
    team.git(ADA, &ada, &["branch", "-q", "-D", "feature"]).ok();
    team.git(ADA, &ada, &["reflog", "expire", "--expire=now", "--all"]).ok();
    team.git(ADA, &ada, &["gc", "-q", "--prune=now"]).ok();
    let gone = team.git(ADA, &ada, &["cat-file", "-e", &signed]);
    assert_ne!(gone.code, 0, "the signed blob was collected");
    let s = team.status(&ada);
    assert_eq!(s["ratified"], true, "{s}");
    assert_eq!(state(&s, GRACE.1), "signed", "{s}");
    team.accord(ADA, &ada, &["verify"]).ok();
    let log = team.accord(ADA, &ada, &["log", "charter"]).ok().stdout.clone();
    assert_eq!(log.matches("same meaning)").count(), 3, "{log}");
    let history = team.accord(ADA, &ada, &["history", "charter"]).ok().stdout.clone();
    assert!(history.contains("ratified now"), "{history}");
    assert!(history.contains("Grace Hopper <grace@example.com>, Katherine"), "{history}");
    // Plain git reads the fingerprint as one more trailer.
    let log = team.git(ADA, &ada, &["log", "-1", "--format=%(trailers:key=Accord-Meaning)"]);
    assert!(log.stdout.starts_with("Accord-Meaning: "), "{}", log.stdout);
    // And a fresh clone, which never had the blob, agrees.
    team.git(ADA, &ada, &["push", "-q", "origin", "main"]).ok();
    let fresh = team.clone_for("fresh");
    assert_eq!(team.status(&fresh)["ratified"], true);
    team.accord(ADA, &fresh, &["verify"]).ok();
}

/// A hand-made position `--here` by `who` on `revision` of the charter, with `Accord-Meaning`
/// `meaning` (none when empty).
fn sign_by_hand(env: &mut TestEnv, who: (&str, &str), revision: &str, meaning: &str) {
    env.as_(who);
    let trailers = [
        "Accord-Position: sign".to_string(),
        "Accord-Agreement: charter".to_string(),
        format!("Accord-Revision: {revision}"),
        format!("Accord-Party: {} <{}>", who.0, who.1),
        format!("Accord-Meaning: {meaning}"),
    ];
    let mut args = vec!["commit", "-q", "--allow-empty", "-m", "sign by hand"];
    for t in trailers.iter().filter(|t| !t.ends_with(": ")) {
        args.extend(["--trailer", t.as_str()]);
    }
    env.git(&args).ok();
}

/// The fingerprint speaks only for the position that carries it: one party's false claim about
/// a collected text decides nothing for another party who named the same text, and `verify`
/// fails a claim that the text it names contradicts.
#[test]
fn a_meaning_fingerprint_speaks_for_its_own_position_only() {
    let mut env = TestEnv::new();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the charter");
    env.as_(KATHERINE).accord(&["sign", "charter"]).ok();
    let meaning = env.git(&["log", "-1", "--format=%(trailers:key=Accord-Meaning,valueonly)"]);
    let meaning = meaning.stdout.trim().to_string();
    assert_eq!(meaning.len(), 40, "accord writes the fingerprint: {meaning:?}");
    // A text that is not here (a pull request's, collected since).
    let gone = "0123456789abcdef0123456789abcdef01234567";
    let wrong = "ab".repeat(20);
    sign_by_hand(&mut env, ADA, gone, &meaning);
    sign_by_hand(&mut env, GRACE, gone, &wrong);
    let s = env.accord(&["status", "charter", "--format", "json"]).ok().json()[0].clone();
    assert_eq!(state(&s, ADA.1), "signed", "{s}");
    assert_eq!(party(&s, ADA.1)["revision"], gone, "{s}");
    assert_eq!(state(&s, GRACE.1), "stale", "{s}");
    let v = env.accord(&["verify"]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    assert!(
        v.stdout.contains(&format!("Accord-Revision {gone} is not a revision")),
        "{}",
        v.stdout
    );
    assert_eq!(v.stdout.matches("FAIL").count(), 1, "only Grace's: {}", v.stdout);
    // A position on the current text itself signed that very text; a fingerprint that
    // contradicts it fails verify.
    let here = env.git(&["rev-parse", "HEAD:agreements/charter.toml"]).stdout.trim().to_string();
    sign_by_hand(&mut env, GRACE, &here, &wrong);
    let s = env.accord(&["status", "charter", "--format", "json"]).ok().json()[0].clone();
    assert_eq!(state(&s, GRACE.1), "signed", "{s}");
    let v = env.accord(&["verify"]);
    let expected = format!("Accord-Meaning {wrong} is not the meaning of Accord-Revision {here} (which means {meaning})");
    assert!(v.stdout.contains(&expected), "{}", v.stdout);
}

/// The `Accord-Meaning` of commit `rev`.
fn last_meaning(env: &TestEnv, rev: &str) -> String {
    let m = env.git(&["log", "-1", "--format=%(trailers:key=Accord-Meaning,valueonly)", rev]);
    m.stdout.trim().to_string()
}

/// Red-team finding: a sign-off that counted through its fingerprint turned `stale` once the
/// text it names came back (a fetch of the pull request's ref), because a cache remembered the
/// missing text as one that does not parse. A fingerprint decides the same in every clone and
/// every run: with the text or without it, with the cache or without it.
#[test]
fn a_fingerprinted_sign_off_counts_the_same_once_its_text_comes_back() {
    let mut env = TestEnv::new();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the charter");
    env.as_(KATHERINE).accord(&["sign", "charter"]).ok();
    let meaning = last_meaning(&env, "HEAD");
    let same = format!("# A comment.\n{}", charter("consent"));
    let named = env.git_stdin(&["hash-object", "--stdin"], &same).stdout.trim().to_string();
    sign_by_hand(&mut env, GRACE, &named, &meaning);
    // And Ada, by hand without a fingerprint: her sign-off counts once the text is here.
    sign_by_hand(&mut env, ADA, &named, "");
    let judged = |env: &TestEnv| {
        let s = env.accord(&["status", "charter", "--format", "json"]).ok().json()[0].clone();
        let mut plain = env.accord_cmd();
        plain.args(["status", "charter", "--format", "json"]).env("ACCORD_NO_CACHE", "1");
        let fresh: serde_json::Value =
            serde_json::from_str(&output(&mut plain).ok().stdout).unwrap();
        assert_eq!(s, fresh[0], "the cache changes no answer");
        s
    };
    let s = judged(&env);
    assert_eq!(state(&s, GRACE.1), "signed", "{s}");
    assert_eq!(state(&s, ADA.1), "stale", "{s}");
    env.git_stdin(&["hash-object", "-w", "--stdin"], &same).ok();
    let s = judged(&env);
    assert_eq!(state(&s, GRACE.1), "signed", "{s}");
    assert_eq!(state(&s, ADA.1), "signed", "{s}");
}

/// Red-team finding: `verify` took a fingerprint equal to a revision's blob id for a meaning,
/// and passed a position that names a missing text and says nothing true about what it meant.
#[test]
fn verify_fails_a_fingerprint_that_is_a_blob_id_not_a_meaning() {
    let mut env = TestEnv::new();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the charter");
    let blob = env.git(&["rev-parse", "HEAD:agreements/charter.toml"]).stdout.trim().to_string();
    sign_by_hand(&mut env, ADA, "0123456789abcdef0123456789abcdef01234567", &blob);
    let s = env.accord(&["status", "charter", "--format", "json"]).ok().json()[0].clone();
    assert_eq!(state(&s, ADA.1), "stale", "{s}");
    let v = env.accord(&["verify"]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    assert!(v.stdout.contains("is not a revision of charter"), "{}", v.stdout);
}

/// Red-team finding: a hand-made position on the positions branch that names a missing text
/// with a fingerprint was judged by the text alone, and did not count where the same trailers
/// made `--here` did.
#[test]
fn a_fingerprint_counts_on_the_positions_branch_too() {
    let mut env = TestEnv::on_positions_branch();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the charter");
    env.as_(ADA).accord(&["object", "charter", "-m", "Not yet."]).ok();
    let meaning = last_meaning(&env, "accord/positions");
    let tip = env.git(&["rev-parse", "accord/positions"]).stdout.trim().to_string();
    let message = format!(
        "sign by hand\n\nAccord-Position: sign\nAccord-Agreement: charter\n\
         Accord-Revision: 0123456789abcdef0123456789abcdef01234567\n\
         Accord-Party: {} <{}>\nAccord-Meaning: {meaning}\n",
        ADA.0, ADA.1
    );
    env.as_(ADA);
    let empty = env.git_stdin(&["mktree"], "").stdout.trim().to_string();
    let commit = env.git_stdin(&["commit-tree", &empty, "-p", &tip], &message);
    let commit = commit.stdout.trim().to_string();
    env.git(&["update-ref", "refs/heads/accord/positions", &commit, &tip]).ok();
    let s = env.accord(&["status", "charter", "--format", "json"]).ok().json()[0].clone();
    assert_eq!(state(&s, ADA.1), "signed", "{s}");
}

/// A withdraw made in the same second as the next edit of the agreement lifts the objection
/// there, as the objection made before it blocks there (SPEC §4 rule 2b; a position made in
/// the edit's second is placed before the edit, as for rule 2a). Before, the objection reached
/// forward and the withdraw, one second short, did not: the stale objection blocked.
#[test]
fn a_withdraw_in_the_same_second_as_the_next_edit_lifts_the_objection_there() {
    let mut env = TestEnv::on_positions_branch();
    let quorum = charter("quorum").replace("rule = \"quorum\"", "rule = \"quorum\"\nquorum = 1");
    env.commit_file(FILE, &quorum, "Add the platform charter");
    env.git(&["switch", "-q", "-c", "draft"]).ok();
    env.commit_file(FILE, &quorum.replace("paved road", "road"), "Draft");
    env.as_(GRACE).accord(&["object", "charter", "-m", "No."]).ok();
    let second = env.clock.get() + 3600;
    env.clock.set(second);
    env.accord(&["withdraw", "charter", "-m", "Fine, drop it."]).ok();
    env.git(&["switch", "-q", "main"]).ok();
    env.clock.set(second - 60); // `git add` takes a tick, `git commit` the next
    env.as_(ADA).commit_file(FILE, &quorum.replace("paved road", "paved path"), "v2");
    env.accord(&["sign", "charter"]).ok();
    let times = env.git(&["log", "-2", "--format=%ct", "accord/positions"]).ok().stdout.clone();
    let edit = env.git(&["log", "-1", "--format=%ct", "main"]).ok().stdout.clone();
    assert_eq!(times.lines().nth(1), Some(edit.trim()), "the withdraw and the edit share a second");
    let s = crate::common::ledger::status(&env, "charter");
    assert_eq!(s["ratified"], true, "{s:#}");
    assert_eq!(party(&s, GRACE.1)["state"], "silent", "{s:#}");
}

/// A `merge -s ours` that keeps main's text over a branch's newer one is an edit: it brings
/// main's text back, and the draft stops being current there. An objection made to the draft
/// after that merge has nothing left to block on main (SPEC §4 rule 2), in `status` as in
/// `log` and `history` (status once counted along first-parent changes only, where such a
/// merge changes nothing, so the draft stayed current and the objection blocked main).
#[test]
fn an_objection_to_a_draft_closed_by_merge_s_ours_does_not_block_main() {
    let mut env = TestEnv::on_positions_branch();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    env.git(&["switch", "-q", "-c", "draft"]).ok();
    env.as_(ADA).commit_file(FILE, &charter("consent").replace("paved road", "road"), "Draft");
    env.git(&["switch", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--no-ff", "-s", "ours", "draft", "-m", "Close the draft"]).ok();
    env.git(&["switch", "-q", "draft"]).ok();
    env.as_(GRACE).accord(&["object", "charter", "-m", "The draft is wrong."]).ok();
    env.git(&["switch", "-q", "main"]).ok();
    for cache in ["warm", "cold"] {
        let s = crate::common::ledger::status(&env, "charter");
        assert_eq!(party(&s, GRACE.1)["state"], "signed", "{cache}: {s:#}");
        assert_eq!(s["ratified"], true, "{cache}: {s:#}");
        let history = env.accord(&["history", "charter"]).ok().stdout.clone();
        assert!(history.contains("ratified now"), "{cache}: {history}");
        env.accord(&["check", "--ratified"]).ok();
        std::fs::remove_dir_all(env.repo.join(".git/accord")).unwrap();
    }
}

/// Everyone signs `a` on a branch, then signs main's text on `main` while the branch is
/// open; the branch then merges. Each party's latest word is on main's text: `a` is not
/// ratified, whichever command asks, warm or cold.
fn latest_word_is_on_mains_text(env: &mut TestEnv, a: &str) {
    let everyone = [ADA, GRACE, KATHERINE];
    env.git(&["switch", "-q", "-c", "branch"]).ok();
    env.commit_file(FILE, a, "The branch's text");
    for who in everyone {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    env.git(&["switch", "-q", "main"]).ok();
    for who in everyone {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    env.as_(ADA);
    env.git(&["merge", "-q", "--no-ff", "branch", "-m", "Merge the branch"]).ok();
    for cache in ["warm", "cold"] {
        let s = crate::common::ledger::status(env, "charter");
        for who in everyone {
            assert_eq!(state(&s, who.1), "stale", "{cache}: {s:#}");
        }
        let r = env.accord(&["review", "HEAD~1..HEAD", "--format", "json"]).ok().json();
        let charter = &r["agreements"].as_array().unwrap()[0];
        assert_eq!(charter["status"]["ratified"], false, "{cache}: {r:#}");
        let history = env.accord(&["history", "charter"]).ok().stdout.clone();
        let last = history.lines().rfind(|l| l.starts_with("purpose version")).unwrap();
        assert!(last.ends_with("not ratified now"), "{cache}: {history}");
        std::fs::remove_dir_all(env.repo.join(".git/accord")).unwrap();
    }
}

#[test]
fn sign_offs_on_main_made_while_a_revert_branch_was_open_stand_after_it_merges() {
    // main: A, then B. A branch from B goes back to A, and everyone signs A; later everyone
    // signs B on main. Merged, HEAD holds A: `status` and `history` had B's sign-offs not
    // count (B was "replaced" when the branch went back to A), while `review` of the merge
    // found them newer, and stale.
    let mut env = TestEnv::on_positions_branch();
    let a = charter("consent");
    let b = a.replace("paved road", "paved road, and a pager rota");
    env.commit_file(FILE, &a, "A");
    env.commit_file(FILE, &b, "B");
    latest_word_is_on_mains_text(&mut env, &a);
}

#[test]
fn sign_offs_on_main_made_while_a_pull_request_was_open_stand_after_it_merges() {
    // The same with an ordinary pull request: everyone signs its text, then re-signs main's
    // own, which stood on main until the merge.
    let mut env = TestEnv::on_positions_branch();
    let a = charter("consent");
    env.commit_file(FILE, &a, "A");
    let b = a.replace("paved road", "paved road, and a pager rota");
    latest_word_is_on_mains_text(&mut env, &b);
}

/// The last version `history charter` lists ends with `ratified now` (or not).
fn ratified_now_in_history(env: &TestEnv) -> bool {
    let history = env.accord(&["history", "charter"]).ok().stdout.clone();
    let last = history.lines().rfind(|l| l.starts_with("purpose version")).unwrap();
    last.ends_with(" ratified now") && !last.ends_with("not ratified now")
}

#[test]
fn bringing_an_old_branch_up_to_date_revives_no_objection_to_an_abandoned_draft() {
    // A branch forked before the charter's last edit, touching no agreement, merges `main`
    // (its own first parent) and `main` fast-forwards to it. The merge replaced the old text
    // on that branch's line, which is no new revision: Grace's objection to a draft abandoned
    // earlier reached forward to it, and blocked the charter everyone had signed.
    let mut env = TestEnv::on_positions_branch();
    let t0 = charter("consent");
    env.commit_file(FILE, &t0, "T0");
    env.git(&["switch", "-q", "-c", "feature"]).ok();
    env.commit_file("notes.txt", "unrelated\n", "Unrelated work");
    env.git(&["switch", "-q", "main"]).ok();
    env.commit_file(FILE, &t0.replace("paved road", "paved road, and a pager rota"), "T1");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    env.as_(ADA);
    env.git(&["switch", "-q", "-c", "draft"]).ok();
    env.commit_file(FILE, &t0.replace("paved road", "paved road, and nothing else"), "Draft");
    env.as_(GRACE).accord(&["object", "charter", "-m", "Not this draft."]).ok();
    env.as_(ADA);
    env.git(&["switch", "-q", "main"]).ok();
    env.git(&["branch", "-q", "-D", "draft"]).ok();
    env.git(&["switch", "-q", "feature"]).ok();
    env.git(&["merge", "-q", "--no-edit", "main"]).ok();
    env.git(&["switch", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--ff-only", "feature"]).ok();
    for cache in ["warm", "cold"] {
        assert_eq!(crate::common::ledger::status(&env, "charter")["ratified"], true, "{cache}");
        env.accord(&["check", "--ratified"]).ok();
        assert!(ratified_now_in_history(&env), "{cache}");
        std::fs::remove_dir_all(env.repo.join(".git/accord")).unwrap();
    }
}

#[test]
fn an_objection_to_a_proposal_made_before_merge_s_ours_rejected_it_stands_in_status_too() {
    // Grace objects to a pull request's text while it is open; `main` merges it with
    // `-s ours`. Her objection stands (SPEC §4: the text was current in this history after
    // it, and an open objection reaches forward): `history` said so, `status` did not.
    // (`main` moved on meanwhile, and everyone signed its new text before Grace objected.)
    let mut env = TestEnv::on_positions_branch();
    let t1 = charter("consent");
    env.commit_file(FILE, &t1, "T1");
    env.git(&["switch", "-q", "-c", "pr"]).ok();
    env.commit_file(FILE, &t1.replace("paved road", "paved road, and nothing else"), "T2");
    env.git(&["switch", "-q", "main"]).ok();
    env.commit_file(FILE, &t1.replace("paved road", "paved road, and a pager rota"), "T1'");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    env.git(&["switch", "-q", "pr"]).ok();
    env.as_(GRACE).accord(&["object", "charter", "-m", "Not this."]).ok();
    env.as_(ADA);
    env.git(&["switch", "-q", "main"]).ok();
    env.git(&["merge", "-q", "--no-ff", "-s", "ours", "pr", "-m", "Reject it"]).ok();
    for cache in ["warm", "cold"] {
        let s = crate::common::ledger::status(&env, "charter");
        assert_eq!(state(&s, GRACE.1), "objecting", "{cache}: {s:#}");
        assert!(!ratified_now_in_history(&env), "{cache}");
        std::fs::remove_dir_all(env.repo.join(".git/accord")).unwrap();
    }
}
