//! Issue 11: the gate cannot be fooled. One test per row of the table, each asserting
//! that the attack now fails (exit code and what is said), beside its honest counterpart, which
//! must keep passing. Also `.mailmap` (SPEC §4, issue 12), which touches the same identity rule.
//! Rows 6 and 7 (SPEC §5, the rules in force) are judged in `core::in_force`.

use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use crate::common::ledger::{blocking, quorum_charter, status};
use crate::common::repos::{hand_position, run, s, Hermetic, FILE};
use crate::common::*;

const MALLORY: (&str, &str) = ("Mallory", "mallory@evil.example");
const PURPOSE: &str = "Give every product team a paved road from merge to production.";
const AMENDED: &str = "Give every product team a paved, documented road from merge to production.";

/// A repository (positions on the current branch) with `text` as the charter on `main`.
fn repo_with(text: &str) -> TestEnv {
    let env = TestEnv::new();
    env.commit_file(FILE, text, "Add the platform charter");
    env
}

/// Every party of the charter signs, each as themself.
fn all_sign(env: &mut TestEnv) {
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    env.as_(ADA);
}

/// Replace `from` by `to` in the charter and commit it as the current identity.
fn edit(env: &TestEnv, from: &str, to: &str, message: &str) {
    let text = env.read(FILE);
    assert!(text.contains(from), "{from:?} is not in the charter");
    env.commit_file(FILE, &text.replacen(from, to, 1), message);
}

/// `review RANGE --require-ratified` with more arguments, as JSON; asserts the exit code.
#[track_caller]
fn gate(env: &TestEnv, range: &str, extra: &[&str], code: i32) -> Value {
    let mut args = vec!["review", range, "--require-ratified", "--format", "json"];
    args.extend_from_slice(extra);
    let r = env.accord(&args);
    r.code(code);
    r.json()
}

fn problems(review: &Value) -> String {
    review["problems"].to_string()
}

/// The state of `email` in a review's one agreement.
fn review_state(review: &Value, email: &str) -> String {
    let parties = review["agreements"][0]["status"]["parties"].as_array().unwrap();
    let p = parties.iter().find(|p| p["email"] == email).unwrap_or_else(|| panic!("{review:#}"));
    p["state"].as_str().unwrap().to_string()
}

// ---------------------------------------------------------------------------------------------
// Row 1: one identity rule

#[test]
fn row01_a_kelvin_sign_email_is_refused_and_cannot_move_an_objection() {
    let mut env = repo_with(&quorum_charter(2));
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    env.as_(KATHERINE)
        .accord(&["object", "charter", "-m", "Two people cannot carry on-call."])
        .ok();
    env.as_(ADA);
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    // A "formatting" edit: `k` becomes U+212A KELVIN SIGN, which folds to `k` in Unicode.
    edit(&env, "email = \"katherine@", "email = \"\u{212A}atherine@", "Tidy the parties");

    let check = env.accord(&["check"]);
    check.code(1);
    assert!(check.stdout.contains("is not printable ASCII (it holds U+212A)"), "{}", check.stdout);
    assert!(check.stdout.contains("`party[2].email`"), "{}", check.stdout);
    env.accord(&["check", "--ratified"]).code(1);
    // Every other command that reads the file refuses it; the gate does not pass.
    let st = env.accord(&["status", "--format", "json"]);
    st.code(2);
    assert!(st.stderr.contains("U+212A"), "{}", st.stderr);
    let r = env.accord(&["review", "main..pr", "--require-ratified"]);
    assert_ne!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let before = env.fingerprint();
    env.accord(&["sign", "charter"]).code(2);
    assert_eq!(env.fingerprint(), before, "nothing signed");
}

#[test]
fn row01_honest_a_formatting_edit_keeps_sign_offs_and_the_objection() {
    let mut env = repo_with(&quorum_charter(2));
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    env.as_(KATHERINE)
        .accord(&["object", "charter", "-m", "Two people cannot carry on-call."])
        .ok();
    env.as_(ADA);
    // ASCII case and a reflowed purpose: the same meaning, the same people.
    edit(&env, "email = \"katherine@", "email = \"Katherine@", "Tidy the parties");
    edit(&env, "paved road from", "paved road\n  from", "Reflow");
    env.accord(&["check"]).ok();
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false);
    let objections = s["objections"].as_array().unwrap();
    assert_eq!(objections.len(), 1, "{s:#}");
    assert!(blocking(&s).iter().any(|b| b.contains("is objecting")), "{s:#}");
    for p in s["parties"].as_array().unwrap() {
        let want = if p["email"] == "Katherine@example.com" { "objecting" } else { "signed" };
        assert_eq!(p["state"], want, "{s:#}");
    }
    env.as_(KATHERINE).accord(&["sign", "charter"]).ok();
    assert_eq!(status(&env, "charter")["ratified"], true);
}

// ---------------------------------------------------------------------------------------------
// Row 2: configuration from BASE

#[test]
fn row02_a_pull_request_cannot_move_where_agreements_or_positions_live() {
    let mut env = repo_with(&charter("consent"));
    all_sign(&mut env);
    // PR 1: a ratified copy elsewhere, `dir` pointed at it, the original edited.
    env.git(&["checkout", "-q", "-b", "pr1"]).ok();
    env.write("elsewhere/charter.toml", &env.read(FILE));
    env.write("accord.toml", "dir = \"elsewhere\"\n");
    env.git(&["add", "elsewhere", "accord.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Move the agreements"]).ok();
    edit(&env, PURPOSE, AMENDED, "Amend the purpose");
    let r = gate(&env, "main..pr1", &[], 1);
    assert!(problems(&r).contains("accord.toml changes where agreements or positions live"));
    assert_eq!(r["agreements"][0]["agreement"], "charter");
    assert_eq!(r["agreements"][0]["change"], "changed", "judged where BASE keeps agreements");
    assert_eq!(r["agreements"][0]["status"]["ratified"], false);
    let human = env.accord(&["review", "main..pr1", "--require-ratified"]);
    human.code(1);
    assert!(human.stderr.contains("accord.toml changes where"), "{}", human.stderr);

    // An accord.toml that states the defaults moves nothing: no false alarm.
    env.git(&["checkout", "-q", "main"]).ok();
    env.git(&["checkout", "-q", "-b", "defaults"]).ok();
    env.commit_file(
        "accord.toml",
        "dir = \"agreements/\"\npositions_branch = \"accord/positions\"\n",
        "State the defaults",
    );
    let r = gate(&env, "main..defaults", &[], 0);
    assert_eq!(r["ratified"], true, "{r:#}");

    // PR 3: point accord at an empty positions branch, leaving every objection behind.
    env.git(&["checkout", "-q", "main"]).ok();
    env.git(&["checkout", "-q", "-b", "pr3"]).ok();
    env.commit_file("accord.toml", "positions_branch = \"accord/empty\"\n", "New branch");
    let r = gate(&env, "main..pr3", &[], 1);
    assert!(problems(&r).contains("accord.toml changes where agreements or positions live"));

    // PR 2 on a base that keeps agreements elsewhere: removing accord.toml moves them back.
    env.git(&["checkout", "-q", "main"]).ok();
    env.write("accord.toml", "dir = \"elsewhere\"\n");
    std::fs::create_dir_all(env.repo.join("elsewhere")).unwrap();
    env.git(&["mv", FILE, "elsewhere/charter.toml"]).ok();
    env.git(&["add", "accord.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Keep agreements elsewhere"]).ok();
    all_sign(&mut env);
    env.accord(&["check", "--ratified"]).ok();
    env.git(&["checkout", "-q", "-b", "pr2"]).ok();
    env.git(&["rm", "-q", "accord.toml"]).ok();
    env.write(FILE, &charter("consent").replace(PURPOSE, AMENDED));
    env.git(&["add", FILE]).ok();
    env.git(&["commit", "-q", "-m", "Back to the default folder"]).ok();
    let r = gate(&env, "main..pr2", &[], 1);
    assert!(problems(&r).contains("accord.toml changes where agreements or positions live"));
}

#[test]
fn row02_honest_configuration_is_read_from_commits_not_the_working_tree() {
    let mut env = repo_with(&charter("consent"));
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    edit(&env, PURPOSE, AMENDED, "Amend the purpose");
    all_sign(&mut env);
    // An uncommitted accord.toml in the reviewer's checkout changes nothing.
    env.write("accord.toml", "dir = \"nowhere\"\npositions_branch = \"accord/empty\"\n");
    let r = gate(&env, "main..pr", &[], 0);
    assert_eq!(r["ratified"], true, "{r:#}");
    assert_eq!(r["agreements"][0]["change"], "changed");
    gate(&env, "main...pr", &[], 0);
}

// ---------------------------------------------------------------------------------------------
// Row 3: shallow clones fail closed

/// Ada and Grace sign, Katherine objects, then `code` unrelated commits.
fn objection_under_quorum(code: usize) -> TestEnv {
    let mut env = repo_with(&quorum_charter(2));
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    env.as_(KATHERINE)
        .accord(&["object", "charter", "-m", "Two people cannot carry on-call."])
        .ok();
    env.as_(ADA);
    for i in 0..code {
        env.commit_file(&format!("src/f{i}.rs"), "fn f() {}\n", &format!("Code {i}"));
    }
    env
}

fn clone(env: &TestEnv, name: &str, depth: Option<usize>) -> std::path::PathBuf {
    let dir = env.path(name);
    let url = format!("file://{}", s(&env.repo));
    let mut args = vec!["clone".to_string(), "-q".into()];
    if let Some(d) = depth {
        args.push(format!("--depth={d}"));
    }
    args.extend([url, s(&dir).to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.git_in(&env.path(""), &args).ok();
    dir
}

#[test]
fn row03_gates_in_a_shallow_clone_fail_closed() {
    let env = objection_under_quorum(10);
    let shallow = clone(&env, "shallow", Some(8));
    assert!(shallow.join(".git/shallow").exists());
    for args in [
        &["check", "--ratified"][..],
        &["verify"],
        &["review", "HEAD~2..HEAD", "--require-ratified"],
    ] {
        let r = env.accord_in(&shallow, args);
        r.code(2);
        assert!(r.stderr.contains("shallow clone"), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("git fetch --unshallow"), "{args:?}: {}", r.stderr);
    }
    // A plain read warns and goes on.
    let r = env.accord_in(&shallow, &["status"]);
    r.ok();
    assert!(r.stderr.contains("warning: this is a shallow clone"), "{}", r.stderr);
}

/// The usual CI checkout of a pull request: the branch at depth 1 and the base fetched at
/// depth 1. Their common history is cut off, so the gate fails closed naming the fix, rather
/// than saying they have none.
#[test]
fn row03_a_shallow_cut_that_hides_the_merge_base_fails_closed_with_the_fix() {
    let env = objection_under_quorum(10);
    env.git(&["checkout", "-q", "-b", "feature"]).ok();
    env.commit_file("src/feature.rs", "fn g() {}\n", "Feature");
    env.git(&["checkout", "-q", "main"]).ok();
    env.commit_file("src/main_only.rs", "fn h() {}\n", "Main moves on");
    let ci = env.path("ci");
    let url = format!("file://{}", s(&env.repo));
    env.git_in(&env.path(""), &["clone", "-q", "--depth=1", "--branch", "feature", &url, s(&ci)])
        .ok();
    env.git_in(&ci, &["fetch", "-q", "--depth=1", "origin", "main:refs/remotes/origin/main"]).ok();
    for range in ["origin/main...HEAD", "origin/main..HEAD"] {
        let r = env.accord_in(&ci, &["review", range, "--require-ratified"]);
        r.code(2);
        assert!(r.stderr.contains("shallow clone"), "{range}: {}", r.stderr);
        assert!(r.stderr.contains("git fetch --unshallow"), "{range}: {}", r.stderr);
    }
}

#[test]
fn row03_honest_a_full_history_gives_the_right_verdict() {
    let env = objection_under_quorum(10);
    let full = clone(&env, "full", None);
    let r = env.accord_in(&full, &["check", "--ratified"]);
    r.code(1);
    assert!(r.stdout.contains("katherine@example.com is objecting"), "{}", r.stdout);
    env.accord_in(&full, &["verify"]).ok();
    // The shallow clone, unshallowed, agrees.
    let shallow = clone(&env, "shallow", Some(8));
    env.git_in(&shallow, &["fetch", "-q", "--unshallow"]).ok();
    let r = env.accord_in(&shallow, &["check", "--ratified"]);
    r.code(1);
    assert!(r.stdout.contains("katherine@example.com is objecting"), "{}", r.stdout);

    // A shallow clone cut off before the agreement existed hides nothing: the gate judges.
    let env = TestEnv::new();
    for i in 0..3 {
        env.commit_file(&format!("src/f{i}.rs"), "fn f() {}\n", &format!("Code {i}"));
    }
    let mut env = env;
    env.commit_file(FILE, &quorum_charter(2), "Add the platform charter");
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    env.as_(GRACE).accord(&["sign", "charter"]).ok();
    env.as_(KATHERINE)
        .accord(&["object", "charter", "-m", "Two people cannot carry on-call."])
        .ok();
    let shallow = clone(&env, "cut-before", Some(5));
    let r = env.accord_in(&shallow, &["check", "--ratified"]);
    r.code(1);
    assert!(r.stdout.contains("katherine@example.com is objecting"), "{}", r.stdout);
}

// ---------------------------------------------------------------------------------------------
// Row 4: keys come from BASE; the verifier's own file wins

/// An ed25519 key `<home>/<name>_key`; returns its public key line.
fn ssh_key(env: &TestEnv, name: &str) -> String {
    let key = env.home.join(format!("{name}_key"));
    let args = ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"];
    run(Command::new("ssh-keygen").args(args).arg(&key)).ok();
    let public = std::fs::read_to_string(env.home.join(format!("{name}_key.pub"))).unwrap();
    public.trim().to_string()
}

fn use_key(env: &TestEnv, name: &str) {
    let key = env.home.join(format!("{name}_key"));
    env.git(&["config", "user.signingkey", s(&key)]).ok();
}

/// The charter on main with the team's keys committed (accord.toml names them) and SSH
/// signing on; the public keys of `names`, in order (the first three are the team's).
fn ssh_team(names: &[&str]) -> (TestEnv, Vec<String>) {
    let env = repo_with(&charter("consent"));
    let keys: Vec<String> = names.iter().map(|n| ssh_key(&env, n)).collect();
    let team = format!(
        "ada@example.com {}\ngrace@example.com {}\nkatherine@example.com {}\n",
        keys[0], keys[1], keys[2]
    );
    env.commit_file("allowed_signers", &team, "Team keys");
    env.commit_file("accord.toml", "allowed_signers = \"allowed_signers\"\n", "Use them");
    env.git(&["config", "gpg.format", "ssh"]).ok();
    env.git(&["config", "commit.gpgsign", "true"]).ok();
    (env, keys)
}

/// Main with the team's keys committed (accord.toml names them) and SSH signing on; `pr`
/// amends the purpose, and Ada and Grace sign it with their own keys.
fn ssh_pull_request() -> (TestEnv, String) {
    let (mut env, keys) = ssh_team(&["ada", "grace", "katherine", "mallory"]);
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    use_key(&env, "ada");
    edit(&env, PURPOSE, AMENDED, "Amend the purpose");
    for (who, key) in [(ADA, "ada"), (GRACE, "grace")] {
        use_key(&env, key);
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    (env, keys[3].clone())
}

#[test]
fn row04_a_pull_request_cannot_vouch_for_its_own_keys() {
    if !require_tool("ssh-keygen") {
        return;
    }
    let (mut env, mallory_key) = ssh_pull_request();
    // Mallory adds her key for Katherine to the committed file, then signs as Katherine.
    use_key(&env, "mallory");
    env.as_(MALLORY);
    let text = format!("{}katherine@example.com {mallory_key}\n", env.read("allowed_signers"));
    env.commit_file("allowed_signers", &text, "Katherine's new laptop");
    env.as_(KATHERINE).accord(&["sign", "charter"]).ok();
    let forged = env.head();

    // Without --signed a git identity is a claim: the gate trusts it (documented).
    gate(&env, "main..pr", &[], 0);
    // With --signed, keys come from BASE: the forged sign-off does not count.
    let r = gate(&env, "main..pr", &["--signed"], 1);
    assert_eq!(review_state(&r, KATHERINE.1), "silent", "{r:#}");
    assert_eq!(review_state(&r, ADA.1), "signed", "{r:#}");
    assert!(problems(&r).contains("not ratified"), "{r:#}");
    let positions = r["agreements"][0]["positions"].to_string();
    assert!(!positions.contains(&forged), "the forged position is not listed: {positions}");

    // `verify --signed` reads HEAD's file, which now vouches for Mallory's key; the verifier's
    // own allowed-signers file wins over it.
    let own = env.path("verifier_allowed_signers");
    let base_file = env.git(&["show", "main:allowed_signers"]).ok().stdout.clone();
    std::fs::write(&own, base_file).unwrap();
    env.git(&["config", "gpg.ssh.allowedSignersFile", s(&own)]).ok();
    let v = env.accord(&["verify", "--signed", "--format", "json"]);
    v.code(1);
    let v = v.json();
    let failures = v["failures"].as_array().unwrap();
    assert!(failures.iter().any(|f| f["commit"] == forged.as_str()), "{v:#}");
    gate(&env, "main..pr", &["--signed"], 1);
}

#[test]
fn row04_honest_a_signed_pull_request_passes_the_signed_gate() {
    if !require_tool("ssh-keygen") {
        return;
    }
    let (mut env, _) = ssh_pull_request();
    use_key(&env, "katherine");
    env.as_(KATHERINE).accord(&["sign", "charter"]).ok();
    let r = gate(&env, "main..pr", &["--signed"], 0);
    assert_eq!(r["ratified"], true, "{r:#}");
    env.accord(&["verify", "--signed"]).ok();
    // The verifier's own file wins both ways: one without Katherine's key fails the gate.
    let own = env.path("verifier_allowed_signers");
    let team = env.read("allowed_signers");
    let without: Vec<&str> = team.lines().filter(|l| !l.starts_with("katherine")).collect();
    std::fs::write(&own, without.join("\n") + "\n").unwrap();
    env.git(&["config", "gpg.ssh.allowedSignersFile", s(&own)]).ok();
    let r = gate(&env, "main..pr", &["--signed"], 1);
    assert_eq!(review_state(&r, KATHERINE.1), "silent", "{r:#}");
}

// ---------------------------------------------------------------------------------------------
// Row 5: OpenPGP user-id validity

/// A GNUPGHOME in the sandbox; its agents are stopped when dropped.
struct Gpg {
    dir: std::path::PathBuf,
    h: Hermetic,
}

impl Gpg {
    fn new(env: &TestEnv, name: &str) -> Gpg {
        let dir = env.path(name);
        std::fs::create_dir_all(&dir).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        Gpg { h: Hermetic::of(env).with("GNUPGHOME", &dir), dir }
    }

    fn gpg(&self, args: &[&str]) -> Run {
        let r = run(self.h.cmd("gpg", &self.dir, ADA, START).args(["--batch", "--yes"]).args(args));
        r.ok();
        r
    }

    /// A new key for `uid` (ultimately trusted in this keyring, as gpg does for its own keys).
    fn key(&self, uid: &str) -> String {
        self.gpg(&["--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never"]);
        let list = self.gpg(&["--with-colons", "--list-secret-keys", uid]);
        let fpr = list.stdout.lines().find(|l| l.starts_with("fpr:")).expect("a fingerprint");
        fpr.split(':').nth(9).unwrap().to_string()
    }

    /// Import `fpr`'s public key from `other`.
    fn import_from(&self, other: &Gpg, fpr: &str) {
        let file = self.dir.join(format!("{fpr}.asc"));
        other.gpg(&["--armor", "--output", s(&file), "--export", fpr]);
        self.gpg(&["--import", s(&file)]);
    }

    fn accord(&self, env: &TestEnv, who: (&str, &str), t: i64, args: &[&str]) -> Run {
        self.h.accord(&env.repo, who, t, args)
    }

    fn git(&self, env: &TestEnv, who: (&str, &str), t: i64, args: &[&str]) -> Run {
        self.h.git(&env.repo, who, t, args)
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let mut cmd = self.h.cmd("gpgconf", &self.dir, ADA, START);
        let _ = cmd.args(["--kill", "all"]).output();
    }
}

#[test]
fn row05_a_user_id_mallory_added_to_her_own_key_does_not_count() {
    if !(require_tool("gpg") && require_tool("gpg-agent") && require_tool("gpgconf")) {
        return;
    }
    let env = repo_with(&charter("consent"));
    // The verifier's keyring holds the team's keys (made there: ultimately trusted).
    let team = Gpg::new(&env, "team-gnupg");
    let fprs: Vec<String> = [ADA, GRACE, KATHERINE]
        .iter()
        .map(|(name, email)| team.key(&format!("{name} <{email}>")))
        .collect();
    // Mallory's key, with a Katherine user id she added herself. The verifier certified her
    // own user id (she is a known colleague), so git calls the key valid: TRUST_FULLY.
    let mallory = Gpg::new(&env, "mallory-gnupg");
    let evil = mallory.key("Mallory <mallory@evil.example>");
    mallory.gpg(&[
        "--passphrase",
        "",
        "--quick-add-uid",
        &evil,
        "Katherine <katherine@example.com>",
    ]);
    team.import_from(&mallory, &evil);
    team.gpg(&["-u", &fprs[0], "--quick-lsign-key", &evil, "Mallory <mallory@evil.example>"]);

    let mut t = START + 1000;
    let mut tick = || {
        t += 60;
        t
    };
    team.git(&env, ADA, tick(), &["checkout", "-q", "-b", "pr"]).ok();
    edit(&env, PURPOSE, AMENDED, "Amend the purpose");
    team.git(&env, ADA, tick(), &["config", "commit.gpgsign", "true"]).ok();
    for (who, fpr) in [(ADA, &fprs[0]), (GRACE, &fprs[1])] {
        team.git(&env, who, tick(), &["config", "user.signingkey", fpr]).ok();
        team.accord(&env, who, tick(), &["sign", "charter"]).ok();
    }
    let honest = team.git(&env, ADA, tick(), &["rev-parse", "HEAD"]).ok().stdout.trim().to_string();
    team.git(&env, ADA, tick(), &["config", "user.signingkey", &evil]).ok();
    mallory.accord(&env, KATHERINE, tick(), &["sign", "charter"]).ok();
    let forged = team.git(&env, ADA, tick(), &["rev-parse", "HEAD"]).ok().stdout.trim().to_string();
    // The premise: git's own check is content with the signature and the key.
    let raw = team.git(&env, ADA, tick(), &["verify-commit", "--raw", &forged]);
    raw.ok();
    assert!(raw.stderr.contains("GOODSIG") && raw.stderr.contains("TRUST_FULLY"), "{}", raw.stderr);

    let v = team.accord(&env, ADA, tick(), &["verify", "--signed", "--format", "json"]);
    v.code(1);
    let v = v.json();
    let failures = v["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{v:#}");
    assert_eq!(failures[0]["commit"], forged.as_str());
    let why = failures[0]["reason"].as_str().unwrap();
    assert!(why.contains("katherine@example.com") && why.contains("is not valid"), "{why}");
    let r =
        team.accord(&env, ADA, tick(), &["review", "main..pr", "--require-ratified", "--signed"]);
    r.code(1);
    assert!(r.stderr.contains("not ratified"), "{}", r.stderr);

    // A keyring that merely holds the team's keys, certified by nobody, vouches for no one.
    let stranger = Gpg::new(&env, "stranger-gnupg");
    for fpr in &fprs {
        stranger.import_from(&team, fpr);
    }
    team.git(&env, ADA, tick(), &["reset", "-q", "--hard", &honest]).ok();
    let v = stranger.accord(&env, ADA, tick(), &["verify", "--signed", "--format", "json"]);
    v.code(1);
    let v = v.json();
    let failures = v["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 2, "{v:#}");
    for f in failures {
        assert!(f["reason"].as_str().unwrap().contains("is not valid in the verifier's keyring"));
    }
}

#[test]
fn row05_honest_an_openpgp_signed_pull_request_passes() {
    if !(require_tool("gpg") && require_tool("gpg-agent") && require_tool("gpgconf")) {
        return;
    }
    let env = repo_with(&charter("consent"));
    let team = Gpg::new(&env, "team-gnupg");
    let mut t = START + 1000;
    let mut tick = || {
        t += 60;
        t
    };
    team.git(&env, ADA, tick(), &["checkout", "-q", "-b", "pr"]).ok();
    edit(&env, PURPOSE, AMENDED, "Amend the purpose");
    team.git(&env, ADA, tick(), &["config", "commit.gpgsign", "true"]).ok();
    for who in [ADA, GRACE, KATHERINE] {
        let fpr = team.key(&format!("{} <{}>", who.0, who.1));
        team.git(&env, who, tick(), &["config", "user.signingkey", &fpr]).ok();
        team.accord(&env, who, tick(), &["sign", "charter"]).ok();
    }
    let v = team.accord(&env, ADA, tick(), &["verify", "--signed"]);
    v.ok();
    assert!(v.stdout.contains("ok: 3 position(s), each made and signed"), "{}", v.stdout);
    team.accord(&env, ADA, tick(), &["review", "main..pr", "--require-ratified", "--signed"]).ok();
}

/// Main with the team's keys committed (accord.toml names them), SSH signing on, and the
/// charter signed by Ada, Grace and Katherine with their own keys; then on `pr`, as Katherine.
fn ssh_team_signed() -> TestEnv {
    let (mut env, _) = ssh_team(&["ada", "grace", "katherine"]);
    for (who, key) in [(ADA, "ada"), (GRACE, "grace"), (KATHERINE, "katherine")] {
        use_key(&env, key);
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    use_key(&env, "katherine");
    env.as_(KATHERINE);
    env
}

/// A position on `id` made by hand in `who`'s name (authored as them, signed by nobody's key
/// of theirs), naming the text at HEAD.
fn forged(env: &TestEnv, id: &str, who: (&str, &str)) -> String {
    let path = format!("agreements/{id}.toml");
    let rev = env.git(&["rev-parse", &format!("HEAD:{path}")]).ok().stdout.trim().to_string();
    let party = format!("{} <{}>", who.0, who.1);
    let trailers = [
        "Accord-Position: sign".to_string(),
        format!("Accord-Agreement: {id}"),
        format!("Accord-Revision: {rev}"),
        format!("Accord-Party: {party}"),
    ];
    let mut args = vec!["commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", "by hand"];
    args.extend(["--author", &party]);
    for t in &trailers {
        args.extend(["--trailer", t.as_str()]);
    }
    env.git(&args).ok();
    env.head()
}

#[test]
fn row04_the_signed_gate_finds_the_rules_in_force_by_signed_positions_only() {
    // Red-team finding: with --signed, the last ratified revision (SPEC §5) was found by
    // replaying every position, so unsigned sign-offs forged for Ada and Grace on Katherine's
    // takeover made it "ratified while it stood", and her next text was judged by her rule
    // alone: the gate passed.
    if !require_tool("ssh-keygen") {
        return;
    }
    let env = ssh_team_signed();
    let alone = without_party(&without_party(&env.read(FILE), ADA.1), GRACE.1)
        .replace("\"grace@example.com\"", "\"katherine@example.com\"")
        .replace("\"ada@example.com\"", "\"katherine@example.com\"")
        .replace(
            "email = \"katherine@example.com\"\n",
            "email = \"katherine@example.com\"\nrole = \"steward\"\n",
        );
    env.commit_file(FILE, &alone, "Katherine runs the platform");
    env.accord(&["check"]).ok();
    for who in [ADA, GRACE] {
        forged(&env, "charter", who);
    }
    env.accord(&["sign", "charter"]).ok();
    edit(&env, PURPOSE, "Katherine decides everything.", "Her real goal");
    env.accord(&["sign", "charter"]).ok();
    let r = gate(&env, "main..pr", &["--signed"], 1);
    assert!(problems(&r).contains("not ratified"), "{r:#}");
    let status = r["agreements"][0]["status"].to_string();
    assert!(
        status.contains("rule in force"),
        "judged by the rule Ada and Grace ratified: {status}"
    );
}

#[test]
fn row04_a_removal_is_not_excused_by_a_successor_ratified_by_unsigned_positions() {
    // Red-team finding: with --signed, a successor that supersedes the removed agreement was
    // judged by every position, so one unsigned sign-off forged for Grace let the pull request
    // remove the charter ("removed superseded by successor" beside "successor not ratified").
    if !require_tool("ssh-keygen") {
        return;
    }
    let mut env = ssh_team_signed();
    env.git(&["checkout", "-q", "main"]).ok();
    let successor = charter("consent").replace(
        "title = \"Platform team charter\"",
        "title = \"Platform charter, second edition\"\nsupersedes = [\"charter\"]",
    );
    env.commit_file("agreements/successor.toml", &successor, "Propose a successor");
    for (who, key) in [(ADA, "ada"), (KATHERINE, "katherine")] {
        use_key(&env, key);
        env.as_(who).accord(&["sign", "successor"]).ok();
    }
    env.git(&["checkout", "-q", "-B", "pr"]).ok();
    use_key(&env, "katherine");
    env.as_(KATHERINE);
    env.git(&["rm", "-q", FILE]).ok();
    env.git(&["commit", "-q", "-m", "The successor takes over"]).ok();
    forged(&env, "successor", GRACE);
    let r = gate(&env, "main..pr", &["--signed"], 1);
    assert!(problems(&r).contains("charter"), "{r:#}");
    // Honest: Grace signs the successor herself, with her key.
    env.git(&["reset", "-q", "--hard", "HEAD~1"]).ok();
    use_key(&env, "grace");
    env.as_(GRACE).accord(&["sign", "successor"]).ok();
    gate(&env, "main..pr", &["--signed"], 0);
}

// ---------------------------------------------------------------------------------------------
// Rows 6 and 7: changing the rules is judged by the rules in force (SPEC §5)

/// The charter with Mallory as a fourth party (partner).
fn charter_with_mallory() -> String {
    crate::common::ledger::with_party(&charter("consent"), MALLORY.0, MALLORY.1, "partner")
}

/// The charter with the `[[party]]` of `email` taken out.
fn without_party(text: &str, email: &str) -> String {
    let blocks: Vec<&str> = text.split("\n[[").collect();
    let kept: Vec<&str> =
        blocks.into_iter().filter(|b| !(b.starts_with("party]]") && b.contains(email))).collect();
    kept.join("\n[[")
}

#[test]
fn row06_an_edit_that_hands_mallory_the_rules_is_judged_by_the_rules_in_force() {
    let mut env = repo_with(&charter_with_mallory());
    for who in [ADA, GRACE, KATHERINE, MALLORY] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    assert_eq!(status(&env, "charter")["ratified"], true);
    let ratified = env.git(&["rev-parse", &format!("HEAD:{FILE}")]).ok().stdout.trim().to_string();
    env.as_(MALLORY);
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    // Mallory sole steward, everyone else an observer, one sign-off enough.
    let mut text = env.read(FILE).replace("rule = \"consent\"", "rule = \"quorum\"\nquorum = 1");
    text = text.replace("role = \"steward\"", "role = \"observer\"");
    for email in [GRACE.1, KATHERINE.1] {
        text = text.replace(
            &format!("email = \"{email}\"\n"),
            &format!("email = \"{email}\"\nrole = \"observer\"\n"),
        );
    }
    text = text.replace("role = \"partner\"", "role = \"steward\"");
    env.commit_file(FILE, &text, "Streamline decisions");
    env.accord(&["check"]).ok();
    env.accord(&["sign", "charter"]).ok();

    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false, "{s:#}");
    let why = blocking(&s).join("; ");
    let rule = format!("the rule in force (consent, revision {})", &ratified[..10]);
    assert!(why.contains(&rule), "{why}");
    for email in [ADA.1, GRACE.1, KATHERINE.1] {
        assert!(why.contains(email), "{email} is judged as what they were: {why}");
    }
    env.accord(&["check", "--ratified"]).code(1);
    gate(&env, "main..pr", &[], 1);
}

#[test]
fn row06_honest_a_governance_change_everyone_signs_is_ratified() {
    let mut env = repo_with(&charter_with_mallory());
    for who in [ADA, GRACE, KATHERINE, MALLORY] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    env.as_(ADA);
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    edit(&env, "rule = \"consent\"", "rule = \"quorum\"\nquorum = 3", "Quorum of three");
    edit(
        &env,
        "email = \"grace@example.com\"\n",
        "email = \"grace@example.com\"\nrole = \"observer\"\n",
        "Grace observes",
    );
    for who in [ADA, GRACE, KATHERINE, MALLORY] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    assert_eq!(status(&env, "charter")["ratified"], true);
    gate(&env, "main..pr", &[], 0);
}

#[test]
fn row07_removing_an_objector_does_not_clear_the_objection() {
    let mut env = repo_with(&charter("consent"));
    all_sign(&mut env);
    env.as_(KATHERINE)
        .accord(&["object", "charter", "-m", "Two people cannot carry on-call."])
        .ok();
    env.as_(ADA);
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    env.commit_file(FILE, &without_party(&env.read(FILE), KATHERINE.1), "Katherine left");
    env.accord(&["check"]).ok();
    for who in [ADA, GRACE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false, "{s:#}");
    assert!(blocking(&s).join("; ").contains(KATHERINE.1), "{s:#}");
    gate(&env, "main..pr", &[], 1);

    // Also when no earlier revision was ever ratified.
    let mut env = repo_with(&charter("consent"));
    env.as_(KATHERINE)
        .accord(&["object", "charter", "-m", "Two people cannot carry on-call."])
        .ok();
    env.as_(ADA);
    env.commit_file(FILE, &without_party(&env.read(FILE), KATHERINE.1), "Katherine left");
    for who in [ADA, GRACE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], false, "{s:#}");
    assert!(blocking(&s).join("; ").contains(KATHERINE.1), "{s:#}");

    // One person cannot remove the rest (kept parties fewer than half of the earlier ones).
    let mut env = repo_with(&charter("consent"));
    all_sign(&mut env);
    let text = without_party(&without_party(&env.read(FILE), KATHERINE.1), GRACE.1);
    let text = text.replace("by = [\"grace@example.com\"]", "by = [\"ada@example.com\"]");
    env.commit_file(FILE, &text, "Just me");
    env.accord(&["check"]).ok();
    env.as_(ADA).accord(&["sign", "charter"]).ok();
    assert_eq!(status(&env, "charter")["ratified"], false);
}

#[test]
fn row07_honest_a_leaver_can_be_removed() {
    let mut env = repo_with(&charter("consent"));
    all_sign(&mut env);
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    env.commit_file(FILE, &without_party(&env.read(FILE), KATHERINE.1), "Katherine left");
    for who in [ADA, GRACE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    let s = status(&env, "charter");
    assert_eq!(s["ratified"], true, "{s:#}");
    gate(&env, "main..pr", &[], 0);
}

// ---------------------------------------------------------------------------------------------
// Row 8: removal needs consent

#[test]
fn row08_deleting_or_renaming_an_agreement_away_fails_the_gate() {
    let mut env = repo_with(&charter("consent"));
    all_sign(&mut env);
    env.git(&["checkout", "-q", "-b", "delete"]).ok();
    env.git(&["rm", "-q", FILE]).ok();
    env.git(&["commit", "-q", "-m", "Tidy up"]).ok();
    let r = gate(&env, "main..delete", &[], 1);
    assert_eq!(r["agreements"][0]["change"], "removed");
    assert!(problems(&r).contains("removed without a ratified retirement: charter"), "{r:#}");

    env.git(&["checkout", "-q", "main"]).ok();
    env.git(&["checkout", "-q", "-b", "rename"]).ok();
    env.git(&["mv", FILE, "agreements/Charter.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Capitalise"]).ok();
    let r = gate(&env, "main..rename", &[], 1);
    assert!(problems(&r).contains("removed without a ratified retirement: charter"), "{r:#}");
    let human = env.accord(&["review", "main..rename", "--require-ratified"]);
    human.code(1);
    assert!(human.stderr.contains("retire first"), "{}", human.stderr);
}

#[test]
fn row08_honest_a_ratified_retirement_may_be_removed() {
    let mut env = repo_with(&charter("consent"));
    all_sign(&mut env);
    env.git(&["checkout", "-q", "-b", "retire"]).ok();
    edit(&env, "kind = \"charter\"\n", "kind = \"charter\"\nretired = true\n", "Retire");
    all_sign(&mut env);
    env.git(&["rm", "-q", FILE]).ok();
    env.git(&["commit", "-q", "-m", "Remove the retired charter"]).ok();
    let r = gate(&env, "main..retire", &[], 0);
    assert_eq!(r["agreements"][0]["retired_first"], true, "{r:#}");
}

// ---------------------------------------------------------------------------------------------
// Row 9: markdown escapes everything from a file, a commit or a name

const HOSTILE: &str = "Hide <!-- hidden --> this ![](https://x.example/p.png) <img src=x \
                       onerror=alert(1)> @team [click](https://x.example) left | right";

/// Whether `out` holds a link or image GitHub would render: `](` not preceded by `\`.
fn raw_link(out: &str) -> bool {
    out.match_indices("](").any(|(i, _)| !out[..i].ends_with('\\'))
}

#[track_caller]
fn inert_markdown(what: &str, out: &str) {
    for raw in ["<!--", "<img", "@team", "left | right", "#12"] {
        assert!(!out.contains(raw), "{what}: raw {raw:?} in\n{out}");
    }
    assert!(!raw_link(out), "{what}: a link or image in\n{out}");
    let heading = out.lines().any(|l| {
        let l = l.trim_start_matches(['>', ' ']);
        l.starts_with("### ✅") || l.starts_with("# ✅") || l.starts_with("- [x]")
    });
    assert!(!heading, "{what}: an injected heading or task in\n{out}");
}

#[test]
fn row09_markdown_outputs_are_inert() {
    let text = charter("consent")
        .replace(
            "title = \"Platform team charter\"",
            &format!("title = \"Title {}\"", HOSTILE.replace('"', "'")),
        )
        .replace(PURPOSE, &format!("{HOSTILE}\n### ✅ ratified\n- [x] #12 done\n"))
        .replace(
            "name = \"Grace Hopper\"",
            "name = \"Grace ![](https://x.example/n.png) @team | x\"",
        )
        .replace(
            "text = \"Answer deploy-pipeline pages within 15 minutes.\"",
            &format!("text = \"\"\"\n{HOSTILE}\n### ✅ ratified\n\"\"\""),
        );
    let text = format!("{text}\n[[norm]]\ntext = \"Norm {}\"\n", HOSTILE.replace('"', "'"));
    let mut env = repo_with(&text);
    env.accord(&["check"]).ok();
    env.as_(("Ada !-- a -- @team ![](https://x.example/a.png)", ADA.1))
        .accord(&["sign", "charter", "-m", HOSTILE])
        .ok();
    env.as_(ADA);
    env.git(&["checkout", "-q", "-b", "pr"]).ok();
    let amended = env.read(FILE).replacen("Hide", "Hide more", 1);
    env.commit_file(FILE, &amended, &format!("Subject {HOSTILE}"));
    env.as_(KATHERINE)
        .accord(&["object", "charter", "-m", &format!("{HOSTILE}\n### ✅ ratified")])
        .ok();
    env.as_(GRACE);
    for args in [
        &["review", "main..pr"][..],
        &["show", "charter"],
        &["status"],
        &["history", "charter"],
        &["log", "charter"],
        &["diff", "charter"],
        &["pending"],
        &["commitments"],
        &["list"],
    ] {
        let mut all = args.to_vec();
        all.extend(["--format", "markdown"]);
        let r = env.accord(&all);
        r.ok();
        assert!(!r.stdout.trim().is_empty(), "{args:?} printed nothing");
        inert_markdown(&format!("{args:?}"), &r.stdout);
    }
}

#[test]
fn row09_honest_ordinary_prose_comes_out_unchanged() {
    let env = repo_with(&charter("consent"));
    env.accord(&["sign", "charter", "-m", "Looks right: ship it (today)."]).ok();
    let show = env.accord(&["show", "charter", "--format", "markdown"]);
    show.ok();
    assert!(show.stdout.contains(PURPOSE), "{}", show.stdout);
    assert!(show.stdout.contains("ada@example.com"), "{}", show.stdout);
    let log = env.accord(&["log", "charter", "--format", "markdown"]);
    log.ok();
    assert!(log.stdout.contains("Looks right: ship it (today)."), "{}", log.stdout);
}

// ---------------------------------------------------------------------------------------------
// Row 10: terminal output escapes control characters everywhere

fn raw_controls(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
}

#[test]
fn row10_controls_in_names_reach_no_terminal_raw() {
    let name = "Grace \\u009b31m Hopper \\u001b]8;;https://e.example\\u0007x\\u001b]8;;\\u0007";
    let mut env = repo_with(&charter("consent").replace("Grace Hopper", name));
    env.accord(&["check"]).ok();
    // A position whose trailer name and author carry ESC/OSC, authored by someone else.
    env.as_(("Mal\u{1b}[2Jlory", "mallory@evil.example"));
    let bad = hand_position(
        &env,
        &[],
        &[],
        "sign",
        "Ada \u{1b}]8;;https://e\u{7}X\u{9b}2J <ada@example.com>",
    );
    let v = env.accord(&["verify"]);
    v.code(1);
    assert!(!raw_controls(&v.stdout) && !raw_controls(&v.stderr), "{v:?}");
    let line = v.stdout.lines().find(|l| l.contains(&bad)).expect("the forged commit is named");
    assert!(line.contains("Mal\\u{1b}[2Jlory") && line.contains("\\u{9b}2J"), "{line}");

    // The "not a party" error: the author's name and the party names, escaped.
    env.as_(("Mal\u{1b}]0;pwned\u{7}lory", "mallory@evil.example"));
    let before = env.fingerprint();
    let r = env.accord(&["sign", "charter"]);
    r.code(2);
    assert!(!raw_controls(&r.stderr), "{}", r.stderr);
    assert!(r.stderr.contains("is not a party of charter"), "{}", r.stderr);
    assert!(r.stderr.contains("Grace \\u{9b}31m Hopper \\u{1b}]8;;"), "{}", r.stderr);
    assert!(r.stderr.contains("Mal\\u{1b}]0;pwned\\u{7}lory"), "{}", r.stderr);
    assert_eq!(env.fingerprint(), before);

    env.as_(ADA);
    env.accord(&["sign", "charter", "-m", "fine"]).ok(); // already "signed" by the forgery
    for args in [
        &["status"][..],
        &["show", "charter"],
        &["log", "charter"],
        &["history", "charter", "--field", "parties"],
        &["review", "HEAD~1..HEAD"],
        &["list"],
        &["commitments"],
    ] {
        let r = env.accord(args);
        r.ok();
        assert!(!raw_controls(&r.stdout) && !raw_controls(&r.stderr), "{args:?}: {r:?}");
    }
}

#[test]
fn row10_honest_plain_names_print_as_they_are() {
    let mut env = repo_with(&charter("consent").replace("Grace Hopper", "Grâce Höpper 名前"));
    env.as_(("Grâce Höpper 名前", GRACE.1)).accord(&["sign", "charter"]).ok();
    let s = env.accord(&["status"]);
    s.ok();
    assert!(s.stdout.contains("Grâce Höpper 名前 <grace@example.com>"), "{}", s.stdout);
    env.accord(&["verify"]).ok();
}

// ---------------------------------------------------------------------------------------------
// Row 11: no quadratic validation

/// A valid majority charter of about 1 MB with `n` parties, and Ada among them.
fn many_parties(n: usize) -> String {
    let mut text = String::from(
        "schema = 1\ntitle = \"Everyone\"\nkind = \"charter\"\npurpose = \"All of us.\"\n\n\
         [decision]\nrule = \"majority\"\n\n[[party]]\nname = \"Ada Lovelace\"\n\
         email = \"ada@example.com\"\n",
    );
    for i in 0..n {
        text.push_str(&format!("[[party]]\nname=\"P{i}\"\nemail=\"p{i}@e.x\"\n"));
    }
    text
}

#[test]
fn row11_thousands_of_parties_validate_in_linear_time() {
    let text = many_parties(23_000);
    assert!(text.len() < 1 << 20, "{} bytes", text.len());
    let env = repo_with(&text);
    let t = Instant::now();
    env.accord(&["check"]).ok();
    let secs = t.elapsed().as_secs_f64();
    // Quadratic work on 23k parties took half a minute even in a release build.
    assert!(secs < 20.0, "check took {secs:.1} s");
    // Uniqueness is still checked, at the very end of the file too.
    env.commit_file(FILE, &format!("{text}[[party]]\nname=\"Again\"\nemail=\"P7@e.x\"\n"), "dup");
    let t = Instant::now();
    let r = env.accord(&["check"]);
    r.code(1);
    assert!(r.stdout.contains("is already the email of `party[8]`"), "{}", r.stdout);
    assert!(t.elapsed().as_secs_f64() < 20.0);
    env.commit_file(FILE, &text, "undup");
    env.accord(&["sign", "charter"]).ok();
    let s = env.accord(&["status", "--format", "json"]).ok().json();
    assert_eq!(s[0]["parties"].as_array().unwrap().len(), 23_001);
}

// ---------------------------------------------------------------------------------------------
// Row 12: a truncated commit-graph never panics

#[test]
fn row12_a_commit_graph_of_a_few_bytes_never_panics() {
    let mut env = repo_with(&charter("consent"));
    all_sign(&mut env);
    let want = env.accord(&["status", "--format", "json"]).ok().stdout.clone();
    let path = env.repo.join(".git/objects/info/commit-graph");
    for bytes in [&b"CGPH"[..], b"CGPH\x01", b"CGPH\x01\x01", b"\xff\xff\xff\xff\xff", b"\0\0\0\0"]
    {
        std::fs::write(&path, bytes).unwrap();
        for args in [&["status", "--format", "json"][..], &["verify"], &["log", "charter"]] {
            let r = env.accord(args);
            assert_ne!(r.code, 101, "{args:?} panicked on {bytes:?}: {}", r.stderr);
            r.ok();
        }
        let got = env.accord(&["status", "--format", "json"]).ok().stdout.clone();
        assert_eq!(got, want, "the same answer with {bytes:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// `.mailmap` (SPEC §4, issue 12)

const MAILMAP: &str = "Ada Lovelace <ada@example.com> <ada@home.example>\n";
const ADA_AT_HOME: (&str, &str) = ("Ada", "ada@home.example");

#[test]
fn mailmap_lets_a_home_address_sign_as_the_party() {
    let mut env = repo_with(&charter("consent"));
    env.commit_file(".mailmap", MAILMAP, "Map Ada's addresses");
    env.as_(ADA_AT_HOME).accord(&["sign", "charter"]).ok();
    let msg = env.git(&["log", "-1", "--format=%ae%n%B"]).ok().stdout.clone();
    assert!(msg.starts_with("ada@home.example\n"), "the commit keeps git's identity: {msg}");
    assert!(msg.contains("Accord-Party: Ada Lovelace <ada@example.com>"), "{msg}");
    let s = status(&env, "charter");
    let ada = s["parties"].as_array().unwrap().iter().find(|p| p["email"] == ADA.1).unwrap();
    assert_eq!(ada["state"], "signed", "{s:#}");
    env.accord(&["verify"]).ok();
    // Signing again is recognised as the same party.
    let r = env.as_(ADA_AT_HOME).accord(&["sign", "charter"]);
    r.ok();
    assert!(r.stderr.contains("already signed"), "{}", r.stderr);
}

#[test]
fn mailmap_for_verify_comes_from_head_never_the_working_tree() {
    let mut env = repo_with(&charter("consent"));
    // The signer's own (uncommitted) .mailmap lets them sign ...
    env.write(".mailmap", MAILMAP);
    env.as_(ADA_AT_HOME).accord(&["sign", "charter"]).ok();
    let position = env.head();
    // ... but the gate maps authors only by the .mailmap committed at HEAD.
    let v = env.accord(&["verify", "--format", "json"]);
    v.code(1);
    let v = v.json();
    assert_eq!(v["failures"][0]["commit"], position.as_str(), "{v:#}");
    let why = v["failures"][0]["reason"].as_str().unwrap();
    assert!(why.contains("author Ada <ada@home.example> is not the party it names"), "{why}");
    env.as_(ADA);
    env.git(&["add", ".mailmap"]).ok();
    env.git(&["commit", "-q", "-m", "Map Ada's addresses"]).ok();
    env.accord(&["verify"]).ok();

    // Without a mapping, another address is not a party, and the error says what it was mapped to.
    std::fs::remove_file(env.repo.join(".mailmap")).unwrap();
    let r = env.as_(("Ada", "ada@work.example")).accord(&["sign", "charter"]);
    r.code(2);
    assert!(r.stderr.contains("Ada <ada@work.example> is not a party"), "{}", r.stderr);
    env.write(".mailmap", "Mallory <mallory@evil.example> <ada@work.example>\n");
    let r = env.accord(&["sign", "charter"]);
    r.code(2);
    assert!(r.stderr.contains("(.mailmap: mallory@evil.example) is not a party"), "{}", r.stderr);
}

#[test]
fn row04_a_retirement_signed_with_someone_elses_key_does_not_allow_the_removal() {
    // Fourth red-team round: `--signed` left the retirement check before a removal counting
    // every position, so sign-offs forged with Mallory's key "ratified" the retirement.
    if !require_tool("ssh-keygen") {
        return;
    }
    let (mut env, _) = ssh_pull_request();
    use_key(&env, "mallory");
    env.as_(MALLORY);
    let text = format!("retired = true\n{}", env.read("agreements/charter.toml"));
    env.commit_file("agreements/charter.toml", &text, "Retire");
    for who in [ADA, GRACE, KATHERINE] {
        env.as_(who).accord(&["sign", "charter"]).ok();
    }
    env.as_(MALLORY);
    env.git(&["rm", "-q", "agreements/charter.toml"]).ok();
    env.git(&["commit", "-q", "-m", "Remove"]).ok();
    let r = gate(&env, "main..pr", &["--signed"], 1);
    assert!(problems(&r).contains("removed without a ratified retirement"), "{r:#}");
}

#[test]
fn row04_a_pull_request_that_changes_the_keys_fails_the_signed_gate() {
    // Red-team finding: `--signed` trusts the keys at BASE, so a pull request that touches no
    // agreement but swaps Katherine's key for Mallory's passed the gate; once merged, the next
    // pull request's forged sign-offs verified against BASE. Keys are the rules of `--signed`.
    if !require_tool("ssh-keygen") {
        return;
    }
    let (mut env, keys) = ssh_team(&["ada", "grace", "katherine", "mallory"]);
    env.git(&["checkout", "-q", "-b", "keys"]).ok();
    use_key(&env, "mallory");
    env.as_(MALLORY);
    let swapped = env.read("allowed_signers").replace(&keys[2], &keys[3]);
    env.commit_file("allowed_signers", &swapped, "Katherine's new laptop");
    let r = gate(&env, "main..keys", &["--signed"], 1);
    assert!(problems(&r).contains("changes the allowed signers"), "{r:#}");
    assert!(problems(&r).contains("allowed_signers"), "{r:#}");
    let human = env.accord(&["review", "main..keys", "--require-ratified", "--signed"]);
    human.code(1);
    assert!(human.stderr.contains("changes the allowed signers"), "{}", human.stderr);
    // Without --signed no key is trusted, so none matters; with the verifier's own file, the
    // repository's does not decide.
    gate(&env, "main..keys", &[], 0);
    let own = env.path("verifier_allowed_signers");
    std::fs::write(&own, env.git(&["show", "main:allowed_signers"]).ok().stdout.clone()).unwrap();
    env.git(&["config", "gpg.ssh.allowedSignersFile", s(&own)]).ok();
    gate(&env, "main..keys", &["--signed"], 0);
    env.git(&["config", "--unset", "gpg.ssh.allowedSignersFile"]).ok();

    // Naming another file in accord.toml changes them too, even with the same bytes.
    env.git(&["reset", "-q", "--hard", "main"]).ok();
    env.commit_file("keys/team", &env.read("allowed_signers"), "Move the keys");
    env.commit_file("accord.toml", "allowed_signers = \"keys/team\"\n", "Point at them");
    let r = gate(&env, "main..keys", &["--signed"], 1);
    assert!(problems(&r).contains("changes the allowed signers"), "{r:#}");
    // A change that leaves them as they were passes: a comment in accord.toml, another file.
    env.git(&["reset", "-q", "--hard", "main"]).ok();
    env.commit_file("accord.toml", "# keys\nallowed_signers = \"allowed_signers\"\n", "Say so");
    env.commit_file("README", "keys live in allowed_signers\n", "Document");
    gate(&env, "main..keys", &["--signed"], 0);
}
