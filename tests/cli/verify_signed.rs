//! `accord verify --signed` with real SSH keys and a real gpg in a throw-away GNUPGHOME (the
//! OpenPGP test is skipped without gpg, unless `CI` is set).

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::common::repos::*;
use crate::common::*;

// ---------------------------------------------------------------------------------------------
// verify --signed with real SSH keys

/// Generate an ed25519 key `<home>/<name>_key`; returns its public key line.
fn ssh_key(env: &TestEnv, name: &str) -> String {
    let key = env.home.join(format!("{name}_key"));
    let r = run(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key));
    r.ok();
    std::fs::read_to_string(env.home.join(format!("{name}_key.pub"))).unwrap().trim().to_string()
}

fn key_path(env: &TestEnv, name: &str) -> String {
    s(&env.home.join(format!("{name}_key"))).to_string()
}

struct Keys {
    ada: String,
    grace: String,
    katherine: String,
}

/// Keys for the three parties and for Mallory (a stranger); SSH signing on by default.
fn ssh_signing(env: &TestEnv) -> Keys {
    let keys = Keys {
        ada: ssh_key(env, "ada"),
        grace: ssh_key(env, "grace"),
        katherine: ssh_key(env, "katherine"),
    };
    ssh_key(env, "mallory");
    env.git(&["config", "gpg.format", "ssh"]).ok();
    env.git(&["config", "commit.gpgsign", "true"]).ok();
    use_key(env, "ada");
    keys
}

/// The verifier's own allowed signers (`gpg.ssh.allowedSignersFile`): `lines`.
fn trust(env: &TestEnv, lines: &str) {
    let allowed = env.home.join("allowed_signers");
    std::fs::write(&allowed, lines).unwrap();
    env.git(&["config", "gpg.ssh.allowedSignersFile", s(&allowed)]).ok();
}

/// Make `name`'s key the repository's signing key (each signer configures their own).
fn use_key(env: &TestEnv, name: &str) {
    env.git(&["config", "user.signingkey", &key_path(env, name)]).ok();
}

/// accord as `who`, signing with `key`.
fn signed_by(env: &mut TestEnv, who: (&str, &str), key: &str, args: &[&str]) -> String {
    use_key(env, key);
    env.as_(who).accord(args).ok();
    env.head()
}

/// `verify --signed --format json` must fail naming exactly `commit` with `reason` in it; the
/// human output names it too.
#[track_caller]
fn fails_signed(env: &TestEnv, commit: &str, reason: &str) {
    let j = env.accord(&["verify", "--signed", "--format", "json"]);
    j.code(1);
    let j = j.json();
    assert_eq!(j["ok"], false);
    let failures = j["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{j:#}");
    assert_eq!(failures[0]["commit"], commit, "{j:#}");
    let why = failures[0]["reason"].as_str().unwrap();
    assert!(why.contains(reason), "reason {why:?} lacks {reason:?}");
    let h = env.accord(&["verify", "--signed"]);
    h.code(1);
    let line = h.stdout.lines().find(|l| l.contains(commit)).unwrap_or_else(|| {
        panic!("human output does not name {commit}:\n{}", h.stdout);
    });
    assert!(line.starts_with("FAIL") && line.contains(reason), "{line}");
    assert!(h.stderr.contains("1 problem(s)"), "{}", h.stderr);
}

fn git_sig(env: &TestEnv, rev: &str) -> String {
    let out = env.git(&["log", "-1", "--format=%G?%x00%GS", rev]).ok().stdout.clone();
    out.trim_end().trim_end_matches('\0').to_string()
}

#[test]
fn verify_signed_with_ssh_keys_names_each_unproven_position() {
    let mut env = setup("consent");
    let keys = ssh_signing(&env);
    trust(
        &env,
        &format!(
            "ada@example.com namespaces=\"git\" {}\ngrace@example.com {}\nkatherine@example.com {}\n",
            keys.ada, keys.grace, keys.katherine
        ),
    );
    signed_by(&mut env, ADA, "ada", &["sign", "charter"]);
    signed_by(&mut env, GRACE, "grace", &["sign", "charter", "-m", "signed"]);
    signed_by(&mut env, KATHERINE, "katherine", &["object", "charter", "-m", "one worry"]);
    for rev in ["HEAD", "HEAD~1", "HEAD~2"] {
        env.git(&["verify-commit", rev]).ok();
    }
    let r = env.accord(&["verify", "--signed"]).ok().clone();
    assert!(r.stdout.contains("ok: 3 position(s), each made and signed"), "{}", r.stdout);
    let j = env.accord(&["verify", "--signed", "--format", "json"]).ok().json();
    assert_eq!(j, serde_json::json!({"ok": true, "checked": 3, "failures": []}));
    let good = env.head();

    // An unsigned position.
    let bad =
        signed_by(&mut env, KATHERINE, "katherine", &["withdraw", "charter", "--no-gpg-sign"]);
    assert_eq!(git_sig(&env, &bad), "N");
    fails_signed(&env, &bad, "the commit is not signed");
    env.git(&["reset", "-q", "--hard", &good]).ok();

    // Grace's key signs a position claiming Ada, authored as Ada. git calls the signature good
    // (it is Grace's); it is not Ada's.
    use_key(&env, "grace");
    env.as_(ADA);
    let bad = hand_position(&env, &[], &["-S"], "sign", "Ada Lovelace <ada@example.com>");
    assert_eq!(git_sig(&env, &bad), "G\0grace@example.com");
    env.accord(&["verify"]).ok(); // author and party agree: only --signed can tell
    fails_signed(&env, &bad, "does not verify for ada@example.com");
    env.git(&["reset", "-q", "--hard", &good]).ok();

    // A good signature from a key that is not in the allowed signers at all.
    let bad = signed_by(&mut env, ADA, "mallory", &["abstain", "charter"]);
    assert_eq!(git_sig(&env, &bad), "U");
    env.accord(&["verify"]).ok();
    fails_signed(&env, &bad, "does not verify for ada@example.com");
    env.git(&["reset", "-q", "--hard", &good]).ok();

    // Author and party differ, though the signature is the party's own: Katherine commits a
    // position for Grace signed with Grace's key.
    use_key(&env, "grace");
    env.as_(KATHERINE);
    let bad = hand_position(&env, &[], &["-S"], "abstain", "Grace Hopper <grace@example.com>");
    assert_eq!(git_sig(&env, &bad), "G\0grace@example.com");
    fails_signed(&env, &bad, "author Katherine Johnson <katherine@example.com> is not the party");
    let plain = env.accord(&["verify", "--format", "json"]);
    plain.code(1);
    assert_eq!(plain.json()["failures"][0]["commit"], bad, "plain verify catches it too");
    env.git(&["reset", "-q", "--hard", &good]).ok();

    // A bad signature: Ada's signed position with its note changed afterwards.
    let signed = signed_by(&mut env, ADA, "ada", &["abstain", "charter", "-m", "I stand aside"]);
    let object = env.git(&["cat-file", "commit", &signed]).ok().stdout.clone();
    assert!(object.contains("gpgsig -----BEGIN SSH SIGNATURE-----"));
    let tampered = object.replace("I stand aside", "I stand behind it");
    let file = env.path("tampered");
    std::fs::write(&file, tampered).unwrap();
    let bad =
        env.git(&["hash-object", "-t", "commit", "-w", s(&file)]).ok().stdout.trim().to_string();
    env.git(&["update-ref", "refs/heads/main", &bad, &signed]).ok();
    assert_eq!(env.head(), bad);
    assert_ne!(env.git(&["verify-commit", &bad]).code, 0, "git rejects it too");
    assert_eq!(git_sig(&env, &bad).chars().next(), Some('B'));
    fails_signed(&env, &bad, "does not verify for ada@example.com");
    env.git(&["reset", "-q", "--hard", &good]).ok();
    env.accord(&["verify", "--signed"]).ok();

    // With no allowed signers file at all, an SSH signature proves nothing.
    env.git(&["config", "--unset", "gpg.ssh.allowedSignersFile"]).ok();
    let j = env.accord(&["verify", "--signed", "--format", "json"]);
    j.code(1);
    let j = j.json();
    assert_eq!(j["failures"].as_array().unwrap().len(), 3, "{j:#}");
    assert!(j["failures"][0]["reason"].as_str().unwrap().contains("no allowed signers file"));
}

#[test]
fn verify_signed_checks_as_git_verify_commit_does_with_the_verifiers_revocations_and_programs() {
    // Red-team findings: a key listed in the verifier's `gpg.ssh.revocationFile` still made a
    // position "signed" (`git verify-commit` refuses it); `gpg.ssh.program` was used to sign
    // and ignored to verify (set to a program that always fails, verify still said ok; with
    // `ssh-keygen` only there, verify failed and told the user to set it).
    let mut env = setup("consent");
    let keys = ssh_signing(&env);
    trust(&env, &format!("ada@example.com {}\n", keys.ada));
    let signed = signed_by(&mut env, ADA, "ada", &["sign", "charter"]);
    env.accord(&["verify", "--signed"]).ok();
    // Ada's key revoked, as git documents it.
    let revoked = env.home.join("revoked_keys");
    std::fs::write(
        &revoked,
        format!(
            "{}
",
            keys.ada
        ),
    )
    .unwrap();
    env.git(&["config", "gpg.ssh.revocationFile", s(&revoked)]).ok();
    env.git(&["verify-commit", &signed]).code(1);
    fails_signed(&env, &signed, "signature");
    env.git(&["config", "--unset", "gpg.ssh.revocationFile"]).ok();
    // The verifier's program is the one that checks.
    env.git(&["config", "gpg.ssh.program", "false"]).ok();
    env.git(&["verify-commit", &signed]).code(1);
    fails_signed(&env, &signed, "signature");
    let keygen = run(Command::new("sh").args(["-c", "command -v ssh-keygen"]));
    let keygen = keygen.ok().stdout.trim().to_string();
    env.git(&["config", "gpg.ssh.program", &keygen]).ok();
    env.accord(&["verify", "--signed"]).ok();
}

#[test]
fn verify_signed_reads_the_allowed_signers_named_in_accord_toml_from_head() {
    let mut env = setup("consent");
    let keys = ssh_signing(&env);
    // git's own file allows everybody, Mallory included; while it is set, it wins over the file
    // accord.toml names (the verifier's trust, SPEC §6).
    let everybody = env.home.join("everybody");
    let mallory = std::fs::read_to_string(env.home.join("mallory_key.pub")).unwrap();
    std::fs::write(
        &everybody,
        format!(
            "*@example.com {}\n*@example.com {}\n*@example.com {}\n*@example.com {}\n",
            keys.ada,
            keys.grace,
            keys.katherine,
            mallory.trim()
        ),
    )
    .unwrap();
    env.git(&["config", "gpg.ssh.allowedSignersFile", s(&everybody)]).ok();
    // A principal list: one key may stand for several addresses of one person.
    let reviewed = format!(
        "ada@example.com,ada@home.example namespaces=\"git\" {}\ngrace@example.com {}\n",
        keys.ada, keys.grace
    );
    env.commit_file("allowed_signers", &reviewed, "Team keys");
    env.commit_file("accord.toml", "allowed_signers = \"allowed_signers\"\n", "Use them");
    signed_by(&mut env, ADA, "ada", &["sign", "charter"]);
    signed_by(&mut env, GRACE, "grace", &["sign", "charter"]);
    let r = env.accord(&["verify", "--signed"]).ok().clone();
    assert!(r.stdout.contains("ok: 2 position(s), each made and signed"), "{}", r.stdout);

    // Katherine's key is in git's file but not in the reviewed one.
    let katherine = signed_by(&mut env, KATHERINE, "katherine", &["sign", "charter"]);
    assert_eq!(git_sig(&env, &katherine), "G\0*@example.com", "git's file allows it");
    // The verifier's own file wins over the repository's (SPEC §6): with it, she verifies.
    let r = env.accord(&["verify", "--signed"]).ok().clone();
    assert!(r.stdout.contains("ok: 3 position(s)"), "{}", r.stdout);
    // Without it, the committed file decides.
    env.git(&["config", "--unset", "gpg.ssh.allowedSignersFile"]).ok();
    fails_signed(&env, &katherine, "does not verify for katherine@example.com");
    // Adding her key in the working tree is not enough: the file is read from HEAD's tree.
    let with_katherine = format!("{reviewed}katherine@example.com {}\n", keys.katherine);
    env.write("allowed_signers", &with_katherine);
    fails_signed(&env, &katherine, "does not verify for katherine@example.com");
    // Committed (through review), it counts, for positions made before it too.
    use_key(&env, "katherine");
    env.git(&["add", "allowed_signers"]).ok();
    env.git(&["commit", "-q", "-m", "Add Katherine's key"]).ok();
    let r = env.accord(&["verify", "--signed"]).ok().clone();
    assert!(r.stdout.contains("ok: 3 position(s)"), "{}", r.stdout);
    // Mallory's key is in git's file only: a position signed with it claiming Ada fails.
    let bad = signed_by(&mut env, ADA, "mallory", &["abstain", "charter"]);
    fails_signed(&env, &bad, "does not verify for ada@example.com");
    env.git(&["reset", "-q", "--hard", "HEAD~1"]).ok();

    // accord.toml naming a file that is not committed is an input error, not a pass.
    env.git(&["rm", "-q", "--cached", "allowed_signers"]).ok();
    env.git(&["commit", "-q", "-m", "untrack the keys"]).ok();
    let r = env.accord(&["verify", "--signed"]);
    r.code(2);
    assert!(r.stderr.contains("allowed_signers"), "{}", r.stderr);
    assert!(r.stderr.contains("not committed at HEAD"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// verify --signed with OpenPGP

/// Kills the gpg agents of a GNUPGHOME when dropped (also when the test fails).
struct GpgHome {
    dir: PathBuf,
    h: Hermetic,
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        let mut cmd = self.h.cmd("gpgconf", &self.dir, ADA, START);
        let _ = cmd.args(["--kill", "all"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
}

impl GpgHome {
    /// Generate a key for `uid`; returns its fingerprint.
    fn key(&self, uid: &str) -> String {
        let args =
            ["--batch", "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never"];
        run(self.h.cmd("gpg", &self.dir, ADA, START).args(args)).ok();
        let list = run(self.h.cmd("gpg", &self.dir, ADA, START).args([
            "--batch",
            "--with-colons",
            "--list-secret-keys",
            uid,
        ]));
        list.ok();
        let fpr = list.stdout.lines().find(|l| l.starts_with("fpr:")).expect("a fingerprint");
        fpr.split(':').nth(9).unwrap().to_string()
    }
}

#[test]
fn verify_signed_with_openpgp_keys_checks_the_user_id_email() {
    if !(require_tool("gpg") && require_tool("gpg-agent") && require_tool("gpgconf")) {
        return;
    }
    let env = setup("consent");
    let dir = env.path("gnupg");
    std::fs::create_dir_all(&dir).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let h = Hermetic::of(&env).with("GNUPGHOME", &dir);
    let gpg = GpgHome { dir: dir.clone(), h: h.clone() };
    let ada = gpg.key("Ada Lovelace <ada@example.com>");
    let git = |args: &[&str]| h.git(&env.repo, ADA, START + 100, args);
    git(&["config", "user.signingkey", &ada]).ok();
    git(&["config", "commit.gpgsign", "true"]).ok();
    let r = h.accord(&env.repo, ADA, START + 200, &["sign", "charter"]);
    r.ok();
    let head = git(&["rev-parse", "HEAD"]).ok().stdout.trim().to_string();
    git(&["verify-commit", "HEAD"]).ok();
    let object = git(&["cat-file", "commit", "HEAD"]).ok().stdout.clone();
    assert!(object.contains("gpgsig -----BEGIN PGP SIGNATURE-----"), "{object}");
    let v = h.accord(&env.repo, ADA, START + 300, &["verify", "--signed"]);
    v.ok();
    assert!(v.stdout.contains("ok: 1 position(s), each made and signed"), "{}", v.stdout);

    // Ada's other key, with another email: git accepts the signature; it does not prove Ada.
    let elsewhere = gpg.key("Ada Lovelace <ada@elsewhere.example>");
    assert_ne!(elsewhere, ada);
    git(&["config", "user.signingkey", &elsewhere]).ok();
    h.accord(&env.repo, ADA, START + 400, &["abstain", "charter"]).ok();
    let bad = git(&["rev-parse", "HEAD"]).ok().stdout.trim().to_string();
    git(&["verify-commit", "HEAD"]).ok();
    let j = h.accord(&env.repo, ADA, START + 500, &["verify", "--signed", "--format", "json"]);
    j.code(1);
    let j = j.json();
    let failures = j["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{j:#}");
    assert_eq!(failures[0]["commit"], bad);
    let why = failures[0]["reason"].as_str().unwrap();
    assert!(why.contains("no user id for ada@example.com"), "{why}");
    assert!(why.contains(&elsewhere), "names the key: {why}");
    let human = h.accord(&env.repo, ADA, START + 600, &["verify", "--signed"]);
    human.code(1);
    assert!(human.stdout.contains(&bad), "{}", human.stdout);
    assert!(!human.stdout.contains(&head), "the good one is not named: {}", human.stdout);
    // Without the keyring, even the good one is an unknown key.
    let empty = env.path("empty-gnupg");
    std::fs::create_dir_all(&empty).unwrap();
    let no_keys = Hermetic::of(&env).with("GNUPGHOME", &empty);
    let _kill = GpgHome { dir: empty.clone(), h: no_keys.clone() };
    let j =
        no_keys.accord(&env.repo, ADA, START + 700, &["verify", "--signed", "--format", "json"]);
    j.code(1);
    let j = j.json();
    assert_eq!(j["failures"].as_array().unwrap().len(), 2, "{j:#}");
    assert!(j["failures"][1]["reason"].as_str().unwrap().contains("unknown OpenPGP key"), "{j:#}");
}

#[test]
fn allowed_signers_named_with_dot_or_through_a_link_is_refused_in_accords_words() {
    // Red-team findings: `allowed_signers = "./allowed_signers"` failed with libgit2's "repo
    // path `./allowed_signers` should not start with `.`" and no hint; a symlinked file got
    // the hint "replace the link with the agreement's text".
    let env = setup("consent");
    env.commit_file("team_keys", "ada@example.com ssh-ed25519 AAAA\n", "Team keys");
    env.commit_file("accord.toml", "allowed_signers = \"./team_keys\"\n", "Use them");
    let r = env.accord(&["verify", "--signed"]);
    r.code(2);
    assert!(r.stderr.contains("allowed_signers = \"./team_keys\""), "{}", r.stderr);
    assert!(r.stderr.contains("hint: name it from the repository root"), "{}", r.stderr);
    assert!(!r.stderr.contains("repo path"), "{}", r.stderr);
    std::os::unix::fs::symlink("team_keys", env.repo.join("linked_keys")).unwrap();
    env.git(&["add", "linked_keys"]).ok();
    env.commit_file("accord.toml", "allowed_signers = \"linked_keys\"\n", "Through a link");
    let r = env.accord(&["verify", "--signed"]);
    r.code(2);
    assert!(r.stderr.contains("linked_keys is a symbolic link"), "{}", r.stderr);
    assert!(!r.stderr.contains("agreement's text"), "{}", r.stderr);
}

#[test]
fn a_verifier_without_its_signature_program_is_told_so_and_no_gate_passes() {
    // Left alone in earlier rounds: with the verifier's `gpg.ssh.program` missing, `verify
    // --signed` failed every position one by one (exit 1, as if each were forged) and `review
    // --signed` called the change unratified. The fault is the machine's: say so, exit 2.
    let mut env = TestEnv::new();
    env.git(&["commit", "-q", "--allow-empty", "-m", "base"]).ok();
    let base = env.head();
    env.commit_file(FILE, &charter("consent"), "Add the platform charter");
    let keys = ssh_signing(&env);
    let parties = [("ada", &keys.ada), ("grace", &keys.grace), ("katherine", &keys.katherine)];
    let lines = parties.map(|(name, key)| format!("{name}@example.com {key}\n"));
    trust(&env, &lines.concat());
    for (who, key) in [(ADA, "ada"), (GRACE, "grace"), (KATHERINE, "katherine")] {
        signed_by(&mut env, who, key, &["sign", "charter"]);
    }
    let range = format!("{base}..HEAD");
    env.accord(&["verify", "--signed"]).ok();
    env.accord(&["review", &range, "--require-ratified", "--signed"]).ok();

    let missing = env.home.join("no-such-ssh-keygen");
    env.git(&["config", "gpg.ssh.program", s(&missing)]).ok();
    for args in [
        vec!["verify", "--signed"],
        vec!["verify", "--signed", "--format", "json"],
        vec!["verify", "charter", "--signed"],
        vec!["review", &range, "--require-ratified", "--signed"],
        vec!["review", &range, "--signed", "--format", "markdown"],
    ] {
        let r = env.accord(&args);
        r.code(2);
        assert!(r.stdout.is_empty(), "{args:?} printed a verdict:\n{}", r.stdout);
        assert!(
            r.stderr.contains("cannot check signatures")
                && r.stderr.contains("no-such-ssh-keygen")
                && r.stderr.contains("not found")
                && r.stderr.contains("gpg.ssh.program"),
            "{args:?}: {}",
            r.stderr
        );
    }
    // Without --signed nothing runs the program.
    env.accord(&["verify"]).ok();
    env.accord(&["review", &range, "--require-ratified"]).ok();
}
