//! Odd repository states (SPEC §2, §4, §9): shallow clones, bare repositories, a detached HEAD,
//! unborn branches, merges and rebases in progress, linked worktrees, `accord.toml`'s folder.

use serde_json::Value;

use crate::common::repos::*;
use crate::common::*;

// ---------------------------------------------------------------------------------------------
// Shallow clones: reads work and warn

const SHALLOW_WARNING: &str = "shallow clone: history may be incomplete";

#[test]
fn a_shallow_clone_reads_with_a_warning_and_counts_what_it_has() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["sign", "charter", "-m", "from grace"]).ok();
    env.commit_file("notes/0.md", "zero\n", "note 0");
    env.as_(ADA).accord(&["sign", "charter", "-m", "from ada"]).ok();
    let ada_commit = env.head();
    env.commit_file("notes/1.md", "one\n", "note 1");
    env.commit_file("notes/2.md", "two\n", "note 2");
    // The full repository does not warn.
    let full = env.accord(&["status"]).ok().clone();
    assert!(!full.stderr.contains("shallow"), "{}", full.stderr);

    let url = format!("file://{}", s(&env.repo));
    let shallow = env.path("shallow");
    let tmp = env.tmp.path().to_path_buf();
    env.git_in(&tmp, &["clone", "-q", "--depth", "1", &url, s(&shallow)]).ok();
    let is_shallow = env.git_in(&shallow, &["rev-parse", "--is-shallow-repository"]).ok().clone();
    assert_eq!(is_shallow.stdout.trim(), "true");

    // Every read exits 0, warns exactly once on stderr, and keeps stdout clean (JSON parses).
    let warned = |r: &Run| {
        r.ok();
        assert_eq!(r.stderr.matches(SHALLOW_WARNING).count(), 1, "{}", r.stderr);
    };
    let st = env.accord_in(&shallow, &["status", "--format", "json"]);
    warned(&st);
    // One commit of history holds no position: nobody has signed, as far as this clone knows.
    assert_eq!(state_of(&st.json(), ADA.1), "silent");
    assert_eq!(state_of(&st.json(), GRACE.1), "silent");
    let human = env.accord_in(&shallow, &["status"]);
    warned(&human);
    assert!(human.stdout.contains("charter — not ratified"), "{}", human.stdout);
    let log = env.accord_in(&shallow, &["log", "charter", "--format", "json"]);
    warned(&log);
    let entries = log.json();
    let entries = entries.as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|e| e["type"] == "edit"), "no positions in one commit: {entries:?}");
    let human_log = env.accord_in(&shallow, &["log", "charter"]);
    warned(&human_log);
    let show = env.accord_in(&shallow, &["show", "charter"]);
    warned(&show);
    assert!(show.stdout.contains("Platform team charter"), "{}", show.stdout);
    assert!(show.stdout.contains("paved road"), "{}", show.stdout);
    let show = env.accord_in(&shallow, &["show", "charter", "--format", "json"]);
    warned(&show);
    assert_eq!(show.json()["title"], "Platform team charter");

    // Deep enough to hold Ada's position (and its parent): counted, still with the warning.
    let deeper = env.path("deeper");
    env.git_in(&tmp, &["clone", "-q", "--depth", "4", &url, s(&deeper)]).ok();
    let st = env.accord_in(&deeper, &["status", "--format", "json"]);
    warned(&st);
    let st = st.json();
    assert_eq!(state_of(&st, ADA.1), "signed");
    assert_eq!(st[0]["parties"][0]["commit"], ada_commit);
    assert_eq!(st[0]["parties"][0]["note"], "from ada");
    assert_eq!(state_of(&st, GRACE.1), "silent", "Grace's position is beyond the cut");
    let log = env.accord_in(&deeper, &["log", "charter", "--format", "json"]);
    warned(&log);
    let log = log.json();
    let positions: Vec<&Value> =
        log.as_array().unwrap().iter().filter(|e| e["type"] == "position").collect();
    assert_eq!(positions.len(), 1, "{log:#}");
    assert_eq!(positions[0]["commit"], ada_commit);
}

#[test]
fn deepening_or_unshallowing_a_clone_counts_the_positions_it_gained() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    let grace = env.head();
    env.commit_file("notes/0.md", "zero\n", "note 0");
    env.commit_file("notes/1.md", "one\n", "note 1");
    let url = format!("file://{}", s(&env.repo));
    let clone = env.path("shallow");
    let tmp = env.tmp.path().to_path_buf();
    env.git_in(&tmp, &["clone", "-q", "--depth", "2", &url, s(&clone)]).ok();
    // Read once while Grace's position is beyond the cut (accord remembers what it read)…
    let st = env.accord_in(&clone, &["status", "--format", "json"]).ok().clone();
    assert!(st.stderr.contains(SHALLOW_WARNING), "{}", st.stderr);
    assert_eq!(state_of(&st.json(), GRACE.1), "silent");
    // …then fetch more history: the tip stays the same, the answer must not.
    env.git_in(&clone, &["fetch", "-q", "--deepen", "2"]).ok();
    assert_eq!(rev_parse_in(&env, &clone, "HEAD"), env.head(), "the tip did not change");
    let st = env.accord_in(&clone, &["status", "--format", "json"]).ok().clone();
    assert!(st.stderr.contains(SHALLOW_WARNING), "{}", st.stderr);
    assert_eq!(state_of(&st.json(), GRACE.1), "signed", "her position is fetched now");
    env.git_in(&clone, &["fetch", "-q", "--unshallow"]).ok();
    let st = env.accord_in(&clone, &["status", "--format", "json"]).ok().clone();
    assert!(!st.stderr.contains("shallow"), "{}", st.stderr);
    assert_eq!(state_of(&st.json(), GRACE.1), "signed");
    assert_eq!(st.json()[0]["parties"][1]["commit"], grace);
}

// ---------------------------------------------------------------------------------------------
// Bare repositories: reads work, writes refuse

#[test]
fn a_bare_repository_answers_every_read_and_refuses_every_write() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["object", "charter", "-m", "two people cannot hold the pager"]).ok();
    let objection = env.head();
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    let sign = env.head();
    let bare = env.path("bare.git");
    let tmp = env.tmp.path().to_path_buf();
    env.git_in(&tmp, &["clone", "-q", "--bare", s(&env.repo), s(&bare)]).ok();

    let st = status_in(&env, &bare, &[]);
    assert_eq!(state_of(&st, ADA.1), "signed");
    assert_eq!(state_of(&st, GRACE.1), "objecting");
    assert_eq!(st[0]["objections"][0]["commit"], objection);
    assert_eq!(st[0]["objections"][0]["reason"], "two people cannot hold the pager");
    assert_eq!(st[0]["ratified"], false);
    let list = env.accord_in(&bare, &["list", "--format", "json"]).ok().json();
    assert_eq!(list[0]["id"], "charter");
    assert_eq!(list[0]["committed"], true);
    let show = env.accord_in(&bare, &["show", "charter", "--format", "json"]).ok().json();
    assert_eq!(show["title"], "Platform team charter");
    let log = env.accord_in(&bare, &["log", "charter", "--format", "json"]).ok().json();
    let commits: Vec<&str> =
        log.as_array().unwrap().iter().map(|e| e["commit"].as_str().unwrap()).collect();
    assert_eq!(commits[..2], [sign.as_str(), objection.as_str()], "{log:#}");
    let check = env.accord_in(&bare, &["check"]).ok().clone();
    assert!(check.stdout.contains("agreements/charter.toml: ok"), "{}", check.stdout);
    let verify = env.accord_in(&bare, &["verify"]).ok().clone();
    assert!(verify.stdout.contains("ok: 2 position(s)"), "{}", verify.stdout);
    env.as_(KATHERINE);
    let pending = env.accord_in(&bare, &["pending", "--format", "json"]).ok().json();
    assert_eq!(pending[0]["agreement"], "charter");
    assert_eq!(pending[0]["state"], "silent");
    // -C from elsewhere, as git does.
    let st = env.accord_in(&tmp, &["-C", s(&bare), "status", "--format", "json"]).ok().json();
    assert_eq!(state_of(&st, GRACE.1), "objecting");

    // Every write refuses with a message that says why and what to do instead.
    env.as_(GRACE);
    for args in [
        &["sign", "charter"][..],
        &["object", "charter", "-m", "still no"],
        &["abstain", "charter"],
        &["withdraw", "charter"],
    ] {
        refused_in(&env, &bare, args, "this is a bare repository");
        let r = env.accord_in(&bare, args);
        assert!(r.stderr.contains("clone"), "the hint says to use a clone: {}", r.stderr);
    }
    refused_in(&env, &bare, &["new", "other"], "bare repository");
    refused_in(&env, &bare, &["init"], "bare repository");
    let before = snapshot(&env, &bare);
    let r = env.accord_in(&tmp, &["-C", s(&bare), "sign", "charter"]);
    r.code(2);
    assert!(r.stderr.contains("this is a bare repository"), "{}", r.stderr);
    assert_eq!(snapshot(&env, &bare), before, "-C into a bare repository wrote something");
}

// ---------------------------------------------------------------------------------------------
// Detached HEAD: the position goes on HEAD

#[test]
fn on_a_detached_head_the_position_goes_on_head_and_moves_no_branch_or_tag() {
    let mut env = setup("consent");
    env.git(&["tag", "v1"]).ok();
    let v1 = env.head();
    env.commit_file("README", "later\n", "a later commit on main");
    let main = env.head();
    env.git(&["checkout", "-q", "v1"]).ok();
    assert_ne!(env.git(&["symbolic-ref", "-q", "HEAD"]).code, 0, "HEAD is detached");
    env.as_(GRACE).accord(&["sign", "charter", "-m", "on the tag"]).ok();
    let position = env.head();
    assert_eq!(rev_parse_in(&env, &env.repo, "HEAD~1"), v1, "on top of the detached HEAD");
    assert_eq!(rev_parse_in(&env, &env.repo, "v1"), v1, "the tag did not move");
    assert_eq!(rev_parse_in(&env, &env.repo, "main"), main, "main did not move");
    assert_ne!(env.git(&["symbolic-ref", "-q", "HEAD"]).code, 0, "HEAD is still detached");
    let st = status_in(&env, &env.repo, &[]);
    assert_eq!(state_of(&st, GRACE.1), "signed");
    assert_eq!(st[0]["parties"][1]["commit"], position);
    // HEAD's reflog records it like a commit.
    let reflog = env.git(&["reflog", "-1", "--format=%H %gs", "HEAD"]).ok().stdout.clone();
    assert!(reflog.starts_with(&position), "{reflog}");
    assert!(reflog.contains("accord: sign charter"), "{reflog}");

    // Back on main it is not there, until it is merged.
    env.git(&["checkout", "-q", "main"]).ok();
    let st = status_in(&env, &env.repo, &[]);
    assert_eq!(state_of(&st, GRACE.1), "silent");
    let st = status_in(&env, &env.repo, &["--rev", &position]);
    assert_eq!(state_of(&st, GRACE.1), "signed");
    env.git(&["merge", "-q", "--no-edit", &position]).ok();
    let st = status_in(&env, &env.repo, &[]);
    assert_eq!(state_of(&st, GRACE.1), "signed");
    assert_eq!(st[0]["parties"][1]["commit"], position);
}

// ---------------------------------------------------------------------------------------------
// Unborn branches: reads say so, writes refuse

#[test]
fn an_unborn_branch_is_named_by_reads_and_refused_by_writes() {
    let env = TestEnv::new();
    env.write(FILE, &charter("consent"));
    env.git(&["add", FILE]).ok();
    for args in [
        &["status"][..],
        &["status", "charter", "--format", "json"],
        &["log", "charter"],
        &["verify"],
        &["verify", "--signed"],
    ] {
        let r = env.accord(args);
        r.code(2);
        assert!(
            r.stderr.contains("the current branch has no commits yet"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
    }
    // Reads of the working tree still work and say the draft is not committed.
    let list = env.accord(&["list"]).ok().clone();
    assert!(list.stdout.contains("draft: not committed"), "{}", list.stdout);
    let list = env.accord(&["list", "--format", "json"]).ok().json();
    assert_eq!(list[0]["committed"], false);
    let check = env.accord(&["check"]).ok().clone();
    assert!(check.stdout.contains("agreements/charter.toml: ok"), "{}", check.stdout);
    let pending = env.accord(&["pending"]).ok().clone();
    assert!(pending.stderr.contains("nothing is committed yet"), "{}", pending.stderr);
    for args in [
        &["sign", "charter"][..],
        &["object", "charter", "-m", "no"],
        &["abstain", "charter"],
        &["withdraw", "charter"],
    ] {
        refused_in(&env, &env.repo, args, "no commits yet");
    }
    assert_eq!(env.git(&["rev-list", "--all", "--count"]).stdout.trim(), "0");
}

#[test]
fn an_orphan_branch_in_a_repository_with_history_is_unborn_too() {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    let main = env.head();
    env.git(&["checkout", "-q", "--orphan", "fresh"]).ok();
    // The file is staged on the orphan branch but not committed there.
    let r = env.accord(&["status", "charter"]);
    r.code(2);
    assert!(r.stderr.contains("the current branch has no commits yet"), "{}", r.stderr);
    for args in [&["sign", "charter"][..], &["object", "charter", "-m", "no"]] {
        refused_in(&env, &env.repo, args, "no commits yet");
    }
    assert_eq!(rev_parse_in(&env, &env.repo, "main"), main, "main did not move");
    assert_ne!(env.git(&["rev-parse", "-q", "--verify", "refs/heads/fresh"]).code, 0);
    // Reads of another commit still work.
    let st = status_in(&env, &env.repo, &["--rev", "main"]);
    assert_eq!(state_of(&st, GRACE.1), "signed");
}

// ---------------------------------------------------------------------------------------------
// A merge or a rebase in progress: writes refuse, naming it in words

/// A repository with a side branch that merges cleanly into main.
fn with_side_branch() -> TestEnv {
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["object", "charter", "-m", "not yet"]).ok();
    env.git(&["checkout", "-q", "-b", "side"]).ok();
    env.commit_file("side.md", "side\n", "side work");
    env.git(&["checkout", "-q", "main"]).ok();
    env.commit_file("main.md", "main\n", "main work");
    env.as_(GRACE);
    env
}

const EVERY_VERB: [&[&str]; 4] = [
    &["sign", "charter"],
    &["object", "charter", "-m", "again"],
    &["abstain", "charter"],
    &["withdraw", "charter"],
];

#[test]
fn a_clean_merge_in_progress_refuses_every_write_and_reads_still_work() {
    let env = with_side_branch();
    env.git(&["merge", "-q", "--no-ff", "--no-commit", "side"]).ok();
    assert!(env.repo.join(".git/MERGE_HEAD").exists());
    for args in EVERY_VERB {
        refused_in(&env, &env.repo, args, "a merge is in progress; refusing to record a position");
        let r = env.accord(args);
        assert!(r.stderr.contains("finish or abort it first"), "{}", r.stderr);
    }
    let st = status_in(&env, &env.repo, &[]);
    assert_eq!(state_of(&st, GRACE.1), "objecting");
    // Once the merge is committed, the position goes on top of the merge commit.
    env.git(&["commit", "-q", "--no-edit"]).ok();
    let merge = env.head();
    env.accord(&["withdraw", "charter"]).ok();
    assert_eq!(rev_parse_in(&env, &env.repo, "HEAD~1"), merge);
    assert_eq!(state_of(&status_in(&env, &env.repo, &[]), GRACE.1), "silent");
}

#[test]
fn an_interactive_rebase_stopped_to_edit_refuses_every_write() {
    let env = with_side_branch();
    let h = Hermetic::of(&env);
    // Stop on the first commit to replay, with no conflict: the most tempting moment to sign.
    let mut cmd = h.cmd("git", &env.repo, GRACE, START + 10_000);
    cmd.env("GIT_SEQUENCE_EDITOR", "sed -i -e '1s/^pick/edit/'").args(["rebase", "-i", "side"]);
    let r = run(&mut cmd);
    r.ok();
    assert!(env.repo.join(".git/rebase-merge").is_dir(), "{}", r.stderr);
    for args in EVERY_VERB {
        refused_in(&env, &env.repo, args, "a rebase is in progress; refusing to record a position");
    }
    let st = status_in(&env, &env.repo, &[]);
    assert_eq!(state_of(&st, GRACE.1), "objecting");
    env.git(&["rebase", "--continue"]).ok();
    assert!(!env.repo.join(".git/rebase-merge").exists());
    // The rebased objection still counts (its revision is a blob, kept by the rebase)…
    assert_eq!(state_of(&status_in(&env, &env.repo, &[]), GRACE.1), "objecting");
    // …and writes work again, on main.
    env.accord(&["sign", "charter"]).ok();
    assert_eq!(env.git(&["symbolic-ref", "HEAD"]).stdout.trim(), "refs/heads/main");
    assert_eq!(state_of(&status_in(&env, &env.repo, &[]), GRACE.1), "signed");
}

#[test]
fn an_apply_rebase_stopped_on_a_conflict_refuses_every_write() {
    let env = with_side_branch();
    // main and side both change the same file.
    env.git(&["checkout", "-q", "side"]).ok();
    env.commit_file("shared.md", "side\n", "side shared");
    env.git(&["checkout", "-q", "main"]).ok();
    env.commit_file("shared.md", "main\n", "main shared");
    let r = env.git(&["rebase", "--apply", "side"]);
    assert_ne!(r.code, 0, "the rebase stops on the conflict");
    assert!(env.repo.join(".git/rebase-apply").is_dir());
    for args in EVERY_VERB {
        refused_in(&env, &env.repo, args, "rebase is in progress");
    }
    env.git(&["rebase", "--abort"]).ok();
    env.accord(&["withdraw", "charter"]).ok();
}

// ---------------------------------------------------------------------------------------------
// Linked worktrees

#[test]
fn a_linked_worktree_signs_on_its_own_branch() {
    let mut env = setup("consent");
    let main = env.head();
    let wt = env.path("wt");
    env.git(&["worktree", "add", "-q", "-b", "feature", s(&wt)]).ok();
    assert!(wt.join(".git").is_file(), "a linked worktree has a .git file");

    let st = status_in(&env, &wt, &[]);
    assert_eq!(state_of(&st, GRACE.1), "silent");
    env.as_(GRACE);
    let r = env.accord_in(&wt, &["sign", "charter", "-m", "from the worktree"]).ok().clone();
    assert!(r.stderr.contains("grace@example.com signed charter"), "{}", r.stderr);
    let feature = rev_parse_in(&env, &env.repo, "feature");
    assert_eq!(rev_parse_in(&env, &wt, "HEAD"), feature, "the worktree's HEAD is feature");
    assert_eq!(rev_parse_in(&env, &env.repo, "feature~1"), main);
    assert_eq!(rev_parse_in(&env, &env.repo, "main"), main, "main did not move");
    assert_eq!(env.head(), main, "the main worktree's HEAD did not move");
    let st = status_in(&env, &wt, &[]);
    assert_eq!(state_of(&st, GRACE.1), "signed");
    assert_eq!(st[0]["parties"][1]["commit"], feature);
    assert_eq!(st[0]["parties"][1]["note"], "from the worktree");
    // Seen from the main worktree: not on main, but on feature.
    assert_eq!(state_of(&status_in(&env, &env.repo, &[]), GRACE.1), "silent");
    let st = status_in(&env, &env.repo, &["--rev", "feature"]);
    assert_eq!(state_of(&st, GRACE.1), "signed");
    // The main worktree still records on main; both ledgers meet after a merge.
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    assert_eq!(rev_parse_in(&env, &env.repo, "main~1"), main);
    assert_eq!(rev_parse_in(&env, &env.repo, "feature"), feature, "feature did not move");
    env.as_(KATHERINE).accord_in(&wt, &["sign", "charter"]).ok();
    env.git_in(&wt, &["merge", "-q", "--no-edit", "main"]).ok();
    let st = status_in(&env, &wt, &[]);
    assert_eq!(st[0]["ratified"], true, "{st:#}");
    // Reads work from a subfolder of the worktree and through -C, and verify passes there.
    let st = status_in(&env, &wt.join("agreements"), &[]);
    assert_eq!(st[0]["ratified"], true);
    let tmp = env.tmp.path().to_path_buf();
    let v = env.accord_in(&tmp, &["-C", s(&wt), "verify"]).ok().clone();
    assert!(v.stdout.contains("ok: 3 position(s)"), "{}", v.stdout);
}

// ---------------------------------------------------------------------------------------------
// Agreements in a sub-folder set by accord.toml

#[test]
fn accord_toml_dir_moves_every_command_to_the_sub_folder() {
    let mut env = TestEnv::new();
    env.commit_file("accord.toml", "dir = \"docs/agreements\"\n", "configure accord");
    // A stray file in the default folder is not an agreement here.
    env.commit_file(FILE, &charter("consent"), "stray");
    let init = env.accord(&["init"]).ok().clone();
    assert!(init.stderr.contains("created docs/agreements/"), "{}", init.stderr);
    assert!(env.read(".gitattributes").contains("docs/agreements/*.toml diff=accord"));
    let r = env.accord(&["new", "team"]).ok().clone();
    assert!(r.stderr.contains("wrote docs/agreements/team.toml"), "{}", r.stderr);
    assert!(env.repo.join("docs/agreements/team.toml").is_file());
    assert!(!env.repo.join("agreements/team.toml").exists());
    // The draft is listed and checked in the sub-folder; the stray file is ignored.
    // (exit 1: a fresh draft still holds the template's placeholders)
    let check = env.accord(&["check", "--format", "json"]).code(1).json();
    let files: Vec<&str> =
        check.as_array().unwrap().iter().map(|c| c["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["docs/agreements/team.toml"]);
    // Replace the draft with the three-party charter and commit it.
    let team = "docs/agreements/team.toml";
    env.commit_file(team, &charter("consent"), "Add the team charter");
    env.git(&["add", ".gitattributes"]).ok();
    env.git(&["commit", "-q", "-m", "attributes"]).ok();
    let rev = rev_parse_in(&env, &env.repo, &format!("HEAD:{team}"));
    let r = env.as_(GRACE).accord(&["sign", "team", "-m", "in docs"]).ok().clone();
    assert!(r.stderr.contains("grace@example.com signed team"), "{}", r.stderr);
    let msg = env.git(&["log", "-1", "--format=%B"]).ok().stdout.clone();
    assert!(msg.contains(&format!("Accord-Revision: {rev}")), "{msg}");
    env.as_(ADA).accord(&["sign", "team"]).ok();
    env.as_(KATHERINE).accord(&["sign", "team"]).ok();
    let st = status_in(&env, &env.repo, &[]);
    assert_eq!(st[0]["agreement"], "team", "only the sub-folder's agreements: {st:#}");
    assert_eq!(st[0]["revision"], rev);
    assert_eq!(st[0]["ratified"], true);
    let log = env.accord(&["log", "team", "--format", "json"]).ok().json();
    let kinds: Vec<&str> =
        log.as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["position", "position", "position", "edit"], "{log:#}");
    assert_eq!(log[2]["note"], "in docs");
    let list = env.accord(&["list", "--format", "json"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], "team");
    // `charter` lives in the default folder, which accord.toml moved away from.
    let r = env.accord(&["status", "charter"]);
    r.code(2);
    assert!(r.stderr.contains("docs/agreements/charter.toml"), "{}", r.stderr);
    // From inside the sub-folder, and from a bare clone (accord.toml read from HEAD).
    let st = status_in(&env, &env.repo.join("docs/agreements"), &[]);
    assert_eq!(st[0]["ratified"], true);
    let bare = env.path("bare.git");
    let tmp = env.tmp.path().to_path_buf();
    env.git_in(&tmp, &["clone", "-q", "--bare", s(&env.repo), s(&bare)]).ok();
    let st = status_in(&env, &bare, &[]);
    assert_eq!(st[0]["agreement"], "team");
    assert_eq!(st[0]["ratified"], true);
    let v = env.accord(&["verify"]).ok().clone();
    assert!(v.stdout.contains("ok: 3 position(s)"), "{}", v.stdout);
}

#[test]
fn a_git_file_git_dir_and_a_hooks_quarantine_are_found_as_git_finds_them() {
    // Fourth red-team round: a working tree whose `.git` is a file (`clone --separate-git-dir`)
    // read the folder beside the git dir as the working tree; GIT_DIR was ignored; and in a
    // pre-receive hook the pushed commits (kept in git's quarantine until the hook passes)
    // were "unknown", so a server-side gate refused every push.
    let mut env = TestEnv::new();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the platform charter");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    let work = env.path("work");
    let meta = env.path("meta");
    std::fs::create_dir_all(meta.join("agreements")).unwrap();
    std::fs::write(meta.join("agreements/ghost.toml"), "not = 1\n").unwrap();
    let repo = env.repo.to_str().unwrap().to_string();
    let git_dir = meta.join("repo.git");
    env.git(&["clone", "-q", "--separate-git-dir", s(&git_dir), &repo, s(&work)]).ok();
    let list = env.accord_in(&work, &["list", "--format", "json"]);
    let ids: Vec<String> =
        list.ok().json().as_array().unwrap().iter().map(|a| a["id"].to_string()).collect();
    assert_eq!(ids, ["\"charter\""], "{}", list.stdout);
    env.accord_in(&work, &["show", "charter"]).ok();

    // GIT_DIR names the repository, wherever accord starts.
    let elsewhere = env.path("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = env
        .accord_cmd()
        .current_dir(&elsewhere)
        .env("GIT_DIR", env.repo.join(".git"))
        .args(["status", "charter"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("charter — ratified"), "{stdout}");

    // A pre-receive hook gates pushes to main with the pushed (quarantined) commits.
    let origin = env.path("origin.git");
    env.git(&["clone", "-q", "--bare", &repo, s(&origin)]).ok();
    let hook = origin.join("hooks/pre-receive");
    let accord = env!("CARGO_BIN_EXE_accord");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nwhile read old new ref; do\n  \"{accord}\" review \"$old..$new\" \
             --require-ratified || exit 1\ndone\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    env.commit_file("README", "hello\n", "An unrelated change");
    let push = env.git(&["push", "-q", s(&origin), "HEAD:main"]);
    assert_eq!(push.code, 0, "the hook judged the pushed commits: {}", push.stderr);
    env.as_(GRACE).commit_file("agreements/charter.toml", &charter("majority"), "Majority");
    let push = env.git(&["push", "-q", s(&origin), "HEAD:main"]);
    assert_ne!(push.code, 0, "an unratified change is refused: {}", push.stderr);
    assert!(push.stderr.contains("not ratified"), "{}", push.stderr);
}

#[test]
fn a_partial_clone_is_refused_with_the_fix_not_answered_wrong() {
    // Fourth red-team round: in a `--filter=blob:none` clone the earlier texts are not there
    // (git fetches them on demand; libgit2 does not), so a sign-off carried over a re-wrap
    // read as silent, `history` lost versions, and a bare partial clone blamed a valid file.
    let mut env = TestEnv::new();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the platform charter");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    env.git(&["config", "uploadpack.allowFilter", "true"]).ok();
    let url = format!("file://{}", env.repo.display());
    for (name, extra) in [("partial", None), ("partial-bare", Some("--bare"))] {
        let dir = env.path(name);
        let mut args = vec!["clone", "-q", "--filter=blob:none"];
        args.extend(extra);
        args.extend([url.as_str(), s(&dir)]);
        env.git(&args).ok();
        for cmd in [&["status"][..], &["log", "charter"], &["history", "charter"], &["list"]] {
            let r = env.accord_in(&dir, cmd);
            r.code(2);
            assert!(r.stderr.contains("this is a partial clone"), "{cmd:?}: {}", r.stderr);
            assert!(r.stderr.contains("without --filter"), "{}", r.stderr);
        }
    }
    // Drafting reads no history: allowed.
    env.accord_in(&env.path("partial"), &["new", "team"]).ok();
}

#[test]
fn reftable_and_sha256_repositories_are_refused_saying_what_they_are() {
    // Fourth red-team round: "git: unsupported extension name extensions.refstorage" and
    // "unknown object format 'sha256'", with no hint.
    let env = TestEnv::new();
    for (name, flag, says) in [
        ("reftable", "--ref-format=reftable", "keeps its refs in a reftable"),
        ("sha256", "--object-format=sha256", "names objects by SHA-256"),
    ] {
        let dir = env.path(name);
        env.git(&["init", "-q", flag, s(&dir)]).ok();
        let r = env.accord_in(&dir, &["status"]);
        r.code(2);
        assert!(r.stderr.contains(says), "{name}: {}", r.stderr);
        assert!(r.stderr.contains("hint: "), "{name}: {}", r.stderr);
    }
}

#[test]
fn a_mirror_has_nothing_to_sync() {
    // Fourth red-team round: `git clone --mirror` said "5 position(s) on accord/positions not
    // yet synced to origin" of a copy identical to origin.
    let mut env = TestEnv::on_positions_branch();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the platform charter");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    let mirror = env.path("mirror.git");
    env.git(&["clone", "-q", "--mirror", env.repo.to_str().unwrap(), s(&mirror)]).ok();
    let r = env.accord_in(&mirror, &["status", "charter"]);
    r.ok();
    assert!(r.stdout.contains("charter — ratified"), "{}", r.stdout);
    assert!(!r.stderr.contains("not yet synced"), "{}", r.stderr);
    // Nor a bare clone, which keeps the remote's branches as its own too (red-team finding).
    let bare = env.path("bare.git");
    env.git(&["clone", "-q", "--bare", env.repo.to_str().unwrap(), s(&bare)]).ok();
    let r = env.accord_in(&bare, &["status", "charter"]);
    assert!(r.ok().stdout.contains("charter — ratified"), "{}", r.stdout);
    assert!(!r.stderr.contains("not yet synced"), "{}", r.stderr);
    // A plain clone with a position of its own still hears about it.
    let clone = env.path("clone");
    env.git(&["clone", "-q", env.repo.to_str().unwrap(), s(&clone)]).ok();
    env.git_in(&clone, &["branch", "accord/positions", "origin/accord/positions"]).ok();
    env.as_(GRACE);
    env.accord_in(&clone, &["object", "charter", "-m", "Wait."]).ok();
    let r = env.accord_in(&clone, &["status", "charter"]);
    assert!(r.stderr.contains("1 position(s) on accord/positions not yet synced"), "{}", r.stderr);
}

#[test]
fn a_sparse_checkout_that_leaves_the_agreements_out_reads_them_as_committed() {
    // Red-team finding: in a monorepo's sparse checkout without `agreements/`, `sign` refused a
    // committed, unchanged file as "deleted in the working tree" (with a `git restore` hint git
    // rejects), and `show`, `list` and `check` found no agreement at all.
    let mut env = TestEnv::on_positions_branch();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the platform charter");
    env.commit_file("svc/main.c", "int main;\n", "code");
    env.git(&["sparse-checkout", "set", "--no-cone", "/svc/"]).ok();
    assert!(!env.path("repo/agreements/charter.toml").exists(), "left out of the working tree");
    assert_eq!(env.git(&["status", "--short"]).ok().stdout, "", "git sees no change");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    let s = env.accord(&["status", "charter"]).ok().stdout.clone();
    assert!(s.contains("charter — ratified"), "{s}");
    assert!(env.accord(&["show", "charter"]).ok().stdout.contains("Platform team charter"));
    assert!(env.accord(&["list"]).ok().stdout.contains("charter"));
    assert!(env.accord(&["check"]).ok().stdout.contains("agreements/charter.toml: ok"));
    assert!(!env.path("repo/agreements").exists(), "nothing written into the working tree");
}

/// A tree written byte by byte, as git never writes one: `entry` (mode and name) once for each
/// of `ids`, in that order. Its id.
fn literal_tree(env: &TestEnv, entry: &str, ids: &[&String]) -> String {
    let mut raw = Vec::new();
    for id in ids {
        raw.extend_from_slice(entry.as_bytes());
        raw.push(0);
        raw.extend((0..20).map(|i| u8::from_str_radix(&id[2 * i..2 * i + 2], 16).unwrap()));
    }
    let tree_file = env.path("tree.bin");
    std::fs::write(&tree_file, raw).unwrap();
    let tree = env.git(&["hash-object", "-t", "tree", "-w", "--literally", s(&tree_file)]);
    tree.ok().stdout.trim().to_string()
}

#[test]
fn a_tree_that_names_an_agreement_twice_is_refused_not_judged() {
    // Red-team finding: a hand-made tree with two `charter.toml` entries (git never writes
    // one; `git fsck` calls it duplicateEntries) showed one text to review's list of changes
    // and another to the evaluation: "charter (unchanged) — not ratified at head", exit 0.
    let mut env = setup("consent");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    env.as_(ADA);
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    let old = env.git(&["rev-parse", &format!("HEAD:{FILE}")]).ok().stdout.trim().to_string();
    let text = env.read(FILE).replace("paved road", "toll road");
    let new =
        env.git_stdin(&["hash-object", "-w", "--stdin"], &text).ok().stdout.trim().to_string();
    // The folder's tree, written byte by byte: the new text first, then the ratified one.
    let folder = literal_tree(&env, "100644 charter.toml", &[&new, &old]);
    let root = env.git_stdin(&["mktree"], &format!("040000 tree {folder}\tagreements\n"));
    let root = root.ok().stdout.trim().to_string();
    let commit = env.git(&["commit-tree", &root, "-p", "HEAD", "-m", "edit"]).ok().stdout.clone();
    env.git(&["update-ref", "refs/heads/pr", commit.trim()]).ok();
    let r = env.accord(&["review", "main..pr", "--require-ratified"]);
    assert!(
        r.code(2).stderr.contains("holds agreements/charter.toml twice in one tree"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("duplicateEntries"), "{}", r.stderr);
    env.git(&["checkout", "-q", "-f", "pr"]).ok();
    let r = env.accord(&["check", "--ratified"]);
    assert!(r.code(2).stderr.contains("twice in one tree"), "{}", r.stderr);
}

#[test]
fn a_tree_that_names_the_agreements_folder_twice_is_refused_not_judged() {
    // Red-team finding: a root tree listing `agreements` twice (the ratified folder, then one
    // with a new purpose) passed `review --require-ratified` as "unchanged — ratified", while
    // git merged and checked out the other folder; `status` then called the new text ratified.
    let mut env = setup("consent");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    env.as_(ADA);
    let good = env.git(&["rev-parse", "HEAD:agreements"]).ok().stdout.trim().to_string();
    let text = env.read(FILE).replace("paved road", "toll road");
    let evil =
        env.git_stdin(&["hash-object", "-w", "--stdin"], &text).ok().stdout.trim().to_string();
    let bad = env.git_stdin(&["mktree"], &format!("100644 blob {evil}\tcharter.toml\n"));
    let bad = bad.ok().stdout.trim().to_string();
    // The root tree, written byte by byte: `agreements` twice, in either order.
    let mut commit = String::new();
    for order in [[&good, &bad], [&bad, &good]] {
        let root = literal_tree(&env, "40000 agreements", &order);
        commit =
            env.git(&["commit-tree", &root, "-p", "main", "-m", "innocent"]).ok().stdout.clone();
        env.git(&["update-ref", "refs/heads/pr", commit.trim()]).ok();
        for args in [
            vec!["review", "main..pr", "--require-ratified"],
            vec!["status", "--rev", "pr"],
            vec!["show", "charter", "--rev", "pr"],
        ] {
            let r = env.accord(&args);
            assert!(
                r.code(2).stderr.contains("holds agreements twice in one tree"),
                "{args:?}: {}",
                r.stderr
            );
        }
    }
    env.git(&["update-ref", "refs/heads/main", commit.trim()]).ok();
    let r = env.accord(&["check", "--ratified"]);
    assert!(r.code(2).stderr.contains("twice in one tree"), "{}", r.stderr);
}

/// A commit git accepts (its author line has no email: `git log` reads it, `git fsck` calls it
/// missingEmail, and a host's default receive settings take it) on top of `parent`.
fn unparseable_commit(env: &TestEnv, parent: &str) -> String {
    let tree = env.git(&["rev-parse", &format!("{parent}^{{tree}}")]).ok().stdout.clone();
    let raw = format!(
        "tree {}\nparent {parent}\nauthor Mallory 1700000000 +0000\ncommitter Mallory <m@x> \
         1700000000 +0000\n\njunk\n",
        tree.trim()
    );
    let id = env.git_stdin(&["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], &raw);
    let id = id.ok().stdout.trim().to_string();
    env.git(&["log", "-1", "--format=%an", &id]).ok();
    id
}

#[test]
fn a_commit_libgit2_cannot_parse_on_the_positions_branch_hides_no_position() {
    // Red-team finding: one commit with an author line without an email, pushed on top of
    // the shared positions branch, hid every position under it in a fresh clone: Grace's
    // objection vanished and `check --ratified` passed (exit 0), `verify` said ok.
    let mut env = TestEnv::on_positions_branch();
    let quorum = charter("quorum").replace("rule = \"quorum\"", "rule = \"quorum\"\nquorum = 2");
    env.commit_file(FILE, &quorum, "Add the platform charter");
    for who in [ADA, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    env.as_(GRACE).accord(&["object", "charter", "-m", "Not yet."]).ok();
    env.as_(ADA);
    env.accord(&["check", "--ratified"]).code(1);
    let tip = env.git(&["rev-parse", "accord/positions"]).ok().stdout.trim().to_string();
    let junk = unparseable_commit(&env, &tip);
    let objecting = |env: &TestEnv| {
        let s = &env.accord(&["status", "charter", "--format", "json"]).ok().json()[0];
        assert_eq!(s["ratified"], false, "{s:#}");
        assert_eq!(s["objections"][0]["email"], "grace@example.com", "{s:#}");
    };
    // As a remote-tracking copy (a fresh clone has no local branch yet) …
    env.git(&["branch", "-q", "-D", "accord/positions"]).ok();
    env.git(&["update-ref", "refs/remotes/origin/accord/positions", &junk]).ok();
    objecting(&env);
    env.accord(&["check", "--ratified"]).code(1);
    let v = env.accord(&["verify"]).ok().clone();
    assert!(v.stdout.contains("3 position(s)"), "{}", v.stdout);
    // … and as the local branch.
    env.git(&["update-ref", "-d", "refs/remotes/origin/accord/positions"]).ok();
    env.git(&["update-ref", "refs/heads/accord/positions", &junk]).ok();
    objecting(&env);
    env.accord(&["check", "--ratified"]).code(1);
    // A new position goes on top of it.
    env.as_(GRACE).accord(&["withdraw", "charter"]).ok();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    let s = &env.accord(&["status", "charter", "--format", "json"]).ok().json()[0];
    assert_eq!(s["ratified"], true, "{s:#}");
    let parent = env.git(&["rev-parse", "accord/positions~2"]).ok().stdout.trim().to_string();
    assert_eq!(parent, junk);
    // Under the tip now, the commit stops no walk: verify reads through it.
    let v = env.accord(&["verify"]).ok().clone();
    assert!(v.stdout.contains("5 position(s)"), "{}", v.stdout);
}

#[test]
fn a_commit_libgit2_cannot_read_is_named_not_called_unknown() {
    // Red-team finding: HEAD on a commit whose author line has no email (`git log` shows it,
    // `git fsck` names it) gave libgit2's "cannot be peeled - Cannot retrieve reference
    // target", and `review base..main` said "unknown revision `main`".
    let env = TestEnv::new();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    let base = env.head();
    let tree = env.git(&["rev-parse", "HEAD^{tree}"]).ok().stdout.trim().to_string();
    let raw = format!(
        "tree {tree}\nparent {base}\nauthor Mallory 1700000000 +0000\ncommitter Mallory \
         <m@x> 1700000000 +0000\n\nno email\n"
    );
    let bad = env.git_stdin(&["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], &raw);
    let bad = bad.ok().stdout.trim().to_string();
    env.git(&["update-ref", "refs/heads/main", &bad]).ok();
    env.git(&["log", "--oneline", "-1", "main"]).ok();
    let short = &bad[..10];
    for (args, what) in [
        (vec!["status"], "HEAD".to_string()),
        (vec!["review", &format!("{base}..main")], "`main`".to_string()),
        (vec!["status", "--rev", "main"], "`main`".to_string()),
        (vec!["review", "HEAD~1..HEAD"], "`HEAD`".to_string()),
    ] {
        let r = env.accord(&args);
        r.code(2);
        let said = format!("{what} is commit {short}, which accord cannot read");
        assert!(r.stderr.contains(&said), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("malformed e-mail"), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("git fsck"), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("unknown revision"), "{args:?}: {}", r.stderr);
    }
}
