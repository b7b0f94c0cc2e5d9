//! Signing of position commits and checking of their signatures, by running the programs git
//! itself runs (`ssh-keygen`, `gpg`) with git's arguments, so that `git verify-commit` accepts
//! what accord signs and accord judges a signature as git would. This module owns only those
//! conversations with external programs: it must not import git2 nor read git configuration —
//! the caller reads `gpg.format`, `user.signingkey` and `gpg.*.program` and passes plain values.

// The one module besides store allowed to run programs (see clippy.toml).
#![allow(clippy::disallowed_types)]

use std::ffi::OsStr;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The signature format, from `gpg.format`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    OpenPgp,
    Ssh,
    X509,
}

impl Format {
    /// The program git runs for this format when `gpg.<format>.program` is not set.
    pub fn default_program(&self) -> &'static str {
        match self {
            Format::OpenPgp => "gpg",
            Format::Ssh => "ssh-keygen",
            Format::X509 => "gpgsm",
        }
    }
}

/// What git's configuration says about signing, as plain values.
#[derive(Debug, Clone)]
pub struct SignConfig {
    pub format: Format,
    /// `user.signingkey`. Without it git signs OpenPGP with the committer's `Name <email>`:
    /// a caller that wants git's exact choice of key passes that here.
    pub key: Option<String>,
    /// `gpg.<format>.program` or `gpg.program`; `None` means [`Format::default_program`].
    pub program: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("gpg.format = x509 is not supported for signing positions; use openpgp or ssh")]
    X509Unsupported,
    #[error("gpg.format is ssh but no user.signingkey is set (a key file or `key::<public key>`)")]
    NoSshKey,
    #[error("`{program}` not found (install it, or set gpg.program or gpg.ssh.program)")]
    ProgramNotFound { program: String, source: io::Error },
    #[error("could not run `{program}`")]
    Run { program: String, source: io::Error },
    #[error("`{program}` failed to sign the commit: {stderr}")]
    Failed { program: String, stderr: String },
    #[error("could not write a temporary file")]
    TempFile(#[source] io::Error),
}

/// Environment variables set on every program run (tests use it for `GNUPGHOME`).
type Env<'a> = &'a [(&'a str, &'a OsStr)];

/// Sign the commit buffer exactly as git does; returns the armoured signature text.
///
/// The text has no final newline, so that git2's `commit_signed` writes the `gpgsig` header
/// byte for byte as git does (libgit2 would turn a final newline into an extra ` ` line).
pub fn sign(cfg: &SignConfig, payload: &[u8]) -> Result<String, SignError> {
    sign_with_env(cfg, payload, &[])
}

fn sign_with_env(cfg: &SignConfig, payload: &[u8], env: Env) -> Result<String, SignError> {
    let program = cfg.program.as_deref().unwrap_or(cfg.format.default_program());
    let mut cmd = command(program, env);
    // Holds a literal ssh public key until ssh-keygen has run.
    let mut literal = None;
    match (&cfg.format, cfg.key.as_deref().filter(|k| !k.is_empty())) {
        (Format::X509, _) => return Err(SignError::X509Unsupported),
        (Format::Ssh, None) => return Err(SignError::NoSshKey),
        (Format::Ssh, Some(key)) => match literal_ssh_key(key) {
            Some(public) => {
                let file = literal.insert(write_temp(&format!("{public}\n"))?);
                cmd.args(["-Y", "sign", "-n", "git", "-f"]).arg(file.path()).arg("-U")
            }
            None => cmd.args(["-Y", "sign", "-n", "git", "-f"]).arg(expand_home(key, env)),
        },
        (Format::OpenPgp, Some(key)) => cmd.args(["--status-fd=2", "-bsau", key]),
        (Format::OpenPgp, None) => cmd.args(["--status-fd=2", "-bsa"]),
    };
    let out = run(&mut cmd, payload)?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let signature = stdout.trim_end_matches(['\n', '\r']);
    // git trusts gpg's status line, not its exit code alone.
    let created = cfg.format == Format::Ssh || stderr.contains("[GNUPG:] SIG_CREATED ");
    if out.status.success() && created && signature.starts_with("-----BEGIN ") {
        return Ok(signature.to_owned());
    }
    let stderr = stderr.trim();
    let stderr = if stderr.is_empty() { "no signature on its standard output" } else { stderr };
    Err(SignError::Failed { program: program.to_owned(), stderr: stderr.to_owned() })
}

/// git's rule: `key::` introduces a literal key, and so does the `ssh-` of a key type.
fn literal_ssh_key(key: &str) -> Option<&str> {
    key.strip_prefix("key::").or_else(|| key.starts_with("ssh-").then_some(key))
}

fn expand_home(path: &str, env: Env) -> PathBuf {
    let home = env.iter().find(|(k, _)| *k == "HOME").map(|(_, v)| *v);
    crate::store::expand_home(path, home)
}

fn write_temp(content: &str) -> Result<tempfile::NamedTempFile, SignError> {
    let mut file = tempfile::NamedTempFile::new().map_err(SignError::TempFile)?;
    file.write_all(content.as_bytes()).and_then(|()| file.flush()).map_err(SignError::TempFile)?;
    Ok(file)
}

fn command(program: &str, env: Env) -> Command {
    let mut cmd = Command::new(program);
    cmd.envs(env.iter().copied());
    cmd
}

/// Runs `cmd` with `input` on its standard input and collects both outputs.
fn run(cmd: &mut Command, input: &[u8]) -> Result<Output, SignError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let spawned = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn();
    let mut child = spawned.map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => SignError::ProgramNotFound { program: program.clone(), source },
        _ => SignError::Run { program: program.clone(), source },
    })?;
    let stdin = child.stdin.take();
    // Feed stdin from another thread so a program that writes before it has read everything
    // cannot deadlock us; a write error (the program exited early) shows in its exit status.
    std::thread::scope(|scope| {
        if let Some(mut stdin) = stdin {
            scope.spawn(move || stdin.write_all(input));
        }
        child.wait_with_output()
    })
    .map_err(|source| SignError::Run { program, source })
}

/// What checking a signature found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The signature verifies and is from this principal (ssh) or key user id email (gpg).
    Good { principal: String },
    /// Why the signature does not count.
    Bad(String),
    /// The check could not be made on this machine (its program is missing or would not run):
    /// nothing is known about the signature, and the fault is the verifier's, not the signer's.
    Unable(String),
}

/// The error and its sources on one line, for a [`Verdict::Bad`] reason.
fn chain(err: SignError) -> String {
    let (mut text, mut source) = (err.to_string(), std::error::Error::source(&err));
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// Why a check went wrong: the signature (`Bad`), or running its program (`Unable`).
enum Failed {
    Bad(String),
    Unable(String),
}

impl From<String> for Failed {
    fn from(why: String) -> Failed {
        Failed::Bad(why)
    }
}

impl From<SignError> for Failed {
    /// A program that could not be run, or a temporary file that could not be written.
    fn from(err: SignError) -> Failed {
        Failed::Unable(chain(err))
    }
}

fn bad(why: String) -> Result<String, Failed> {
    Err(Failed::Bad(why))
}

fn verdict(checked: Result<String, Failed>) -> Verdict {
    match checked {
        Ok(principal) => Verdict::Good { principal },
        Err(Failed::Bad(why)) => Verdict::Bad(why),
        Err(Failed::Unable(why)) => Verdict::Unable(why),
    }
}

/// How the verifier's own git configuration checks signatures, as `git verify-commit` reads
/// it (never the repository's committed files: the verifier's trust wins).
#[derive(Debug, Clone, Default)]
pub struct Checkers {
    /// `gpg.ssh.program`, else `ssh-keygen`.
    pub ssh_program: Option<String>,
    /// `gpg.openpgp.program`, else `gpg.program`, else `gpg`.
    pub openpgp_program: Option<String>,
    /// `gpg.ssh.revocationFile`: keys that no longer sign for anyone.
    pub revocation_file: Option<PathBuf>,
}

/// SSH: `ssh-keygen -Y verify -f <allowed_signers> -I <principal> -n git -s <sigfile>` (and
/// `-r <revocation file>` when the verifier has one), payload on stdin. Good only when it
/// verifies for this principal, so patterns and lists in the allowed-signers file apply.
pub fn verify_ssh(
    allowed_signers: &Path,
    checkers: &Checkers,
    principal: &str,
    payload: &[u8],
    signature: &str,
) -> Verdict {
    let check = || -> Result<String, Failed> {
        let sig = write_temp(&format!("{}\n", signature.trim_end()))?;
        let mut cmd = Command::new(checkers.ssh_program.as_deref().unwrap_or("ssh-keygen"));
        cmd.args(["-Y", "verify", "-n", "git", "-I", principal]).arg("-f").arg(allowed_signers);
        if let Some(revoked) = &checkers.revocation_file {
            cmd.arg("-r").arg(revoked);
        }
        let out = run(cmd.arg("-s").arg(sig.path()), payload)?;
        if !out.status.success() {
            let why = format!("ssh signature does not verify for {principal}: {}", reason(&out));
            return Err(why.into());
        }
        Ok(principal.to_owned())
    };
    verdict(check())
}

/// OpenPGP: `gpg --status-fd=1 --verify <sigfile> -`, as `git verify-commit` runs it. Good only
/// with GOODSIG and VALIDSIG, a key the verifier's keyring holds valid (`TRUST_FULLY` or
/// `TRUST_ULTIMATE`), and a user id of that key whose email is `email` (the one identity rule)
/// and which is itself valid (`f` or `u` in gpg's listing). Anyone can add any user id to their
/// own key: it proves nothing until someone the verifier trusts has certified it, so a good
/// signature from an unknown or uncertified key, or through a user id nobody vouched for, fails.
pub fn verify_openpgp(
    checkers: &Checkers,
    email: &str,
    payload: &[u8],
    signature: &str,
) -> Verdict {
    let program = checkers.openpgp_program.as_deref().unwrap_or("gpg");
    verdict(openpgp_with_env(program, email, payload, signature, &[]))
}

fn openpgp_with_env(
    program: &str,
    email: &str,
    payload: &[u8],
    sig: &str,
    env: Env,
) -> Result<String, Failed> {
    let sig = write_temp(&format!("{}\n", sig.trim_end()))?;
    let mut cmd = command(program, env);
    cmd.args(["--status-fd=1", "--verify"]).arg(sig.path()).arg("-");
    let out = run(&mut cmd, payload)?;
    let status = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<Vec<&str>> = status
        .lines()
        .filter_map(|l| l.strip_prefix("[GNUPG:] "))
        .map(|l| l.split(' ').collect())
        .collect();
    let find = |tag: &str| lines.iter().find(|f| f[0] == tag);
    if find("NO_PUBKEY").is_some() {
        return bad("signed with an unknown OpenPGP key".to_owned());
    }
    if let Some(f) =
        ["ERRSIG", "BADSIG", "EXPSIG", "EXPKEYSIG", "REVKEYSIG"].iter().find_map(|t| find(t))
    {
        return bad(format!("bad OpenPGP signature ({}): {}", f[0], reason(&out)));
    }
    // VALIDSIG's tenth field is the primary key's fingerprint (the signature may be a subkey's).
    let fingerprint = match find("VALIDSIG").and_then(|f| f.get(10).or(f.get(1))) {
        Some(fpr) if out.status.success() && find("GOODSIG").is_some() => *fpr,
        _ => return bad(format!("no good OpenPGP signature: {}", reason(&out))),
    };
    // The key's validity as git reports it (`%G?` is `U` below full): the keyring must vouch.
    let trust =
        lines.iter().find(|f| f[0].starts_with("TRUST_")).map_or("no TRUST_ line", |f| f[0]);
    if !matches!(trust, "TRUST_FULLY" | "TRUST_ULTIMATE") {
        return bad(format!(
            "OpenPGP key {fingerprint} is not valid in the verifier's keyring ({trust}): a good \
             signature from a key nobody trusted certifies proves no party"
        ));
    }
    let mut cmd = command("gpg", env);
    let out = run(cmd.args(["--batch", "--with-colons", "--list-keys", fingerprint]), b"")?;
    if !out.status.success() {
        return bad(format!("cannot list OpenPGP key {fingerprint}: {}", reason(&out)));
    }
    let listing = String::from_utf8_lossy(&out.stdout);
    // Each user id with its validity (field 2): `f` full, `u` ultimate; `-`, `q`, `n`, `m`
    // unknown, undefined, never, marginal; `r`, `e` revoked, expired.
    let uids: Vec<(String, &str)> = listing
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .filter(|f| f[0] == "uid" && f.len() > 9)
        .map(|f| (uid_email(&f[9].replace("\\x3a", ":")), f[1]))
        .collect();
    let matching: Vec<&(String, &str)> =
        uids.iter().filter(|(e, _)| crate::model::same_email(e, email)).collect();
    if let Some((found, _)) = matching.iter().find(|(_, v)| matches!(*v, "f" | "u")) {
        return Ok(found.clone());
    }
    if let Some((found, validity)) = matching.first() {
        return bad(format!(
            "the user id {found} of OpenPGP key {fingerprint} is not valid (validity `{validity}`): \
             anyone can add a user id to their own key; it counts once a key the verifier \
             trusts has certified it"
        ));
    }
    let emails: Vec<&str> = uids.iter().map(|(e, _)| e.as_str()).collect();
    bad(format!(
        "OpenPGP key {fingerprint} has no user id for {email} (it has: {})",
        emails.join(", ")
    ))
}

/// The email of a user id `Name (comment) <email>`, or the whole id when it has no brackets.
fn uid_email(uid: &str) -> String {
    match (uid.rfind('<'), uid.rfind('>')) {
        (Some(open), Some(close)) if open < close => uid[open + 1..close].to_owned(),
        _ => uid.trim().to_owned(),
    }
}

/// The program's complaint on one line.
fn reason(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    Some(lines.join("; ")).filter(|r| !r.is_empty()).unwrap_or_else(|| out.status.to_string())
}

/// Dispatch on the armour of `signature`: SSH (needs an allowed-signers file) or OpenPGP.
pub fn verify(
    allowed_signers: Option<&Path>,
    checkers: &Checkers,
    email: &str,
    payload: &[u8],
    signature: &str,
) -> Verdict {
    let armour = signature.trim_start();
    if armour.starts_with("-----BEGIN SSH SIGNATURE-----") {
        let Some(file) = allowed_signers else {
            return Verdict::Bad(
                "no allowed signers file configured (set `allowed_signers` in \
                accord.toml or gpg.ssh.allowedSignersFile)"
                    .to_owned(),
            );
        };
        verify_ssh(file, checkers, email, payload, signature)
    } else if armour.starts_with("-----BEGIN PGP SIGNATURE-----") {
        verify_openpgp(checkers, email, payload, signature)
    } else {
        Verdict::Bad("unsupported signature type".to_owned())
    }
}

#[cfg(test)]
#[allow(clippy::print_stderr)] // a test that cannot run says why
mod tests {
    use super::*;
    use std::fs;

    fn sh(cmd: &mut Command) -> String {
        let out = cmd.stdin(Stdio::null()).output().unwrap();
        assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// A fresh ed25519 key at `<dir>/<name>`; returns its public key line.
    fn ssh_key(dir: &Path, name: &str) -> String {
        let args = ["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"];
        sh(Command::new("ssh-keygen").args(args).arg(dir.join(name)));
        fs::read_to_string(dir.join(format!("{name}.pub"))).unwrap().trim().to_owned()
    }

    fn ssh_cfg(key: &Path) -> SignConfig {
        SignConfig { format: Format::Ssh, key: Some(key.to_str().unwrap().into()), program: None }
    }

    fn good(principal: &str) -> Verdict {
        Verdict::Good { principal: principal.to_owned() }
    }

    const PAYLOAD: &[u8] = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nx\n";

    #[test]
    fn ssh_signature_verifies_only_for_the_allowed_principal() {
        let dir = tempfile::tempdir().unwrap();
        let (public, _) = (ssh_key(dir.path(), "key"), ssh_key(dir.path(), "other"));
        let allowed = dir.path().join("allowed_signers");
        let opts = "namespaces=\"git\"";
        let lines = format!("alice@example.com {opts} {public}\n*@team.example {opts} {public}\n");
        fs::write(&allowed, lines).unwrap();
        let sig = sign(&ssh_cfg(&dir.path().join("key")), PAYLOAD).unwrap();
        assert!(sig.starts_with("-----BEGIN SSH SIGNATURE-----") && !sig.ends_with('\n'));
        let ok = |who: &str, payload: &[u8], sig: &str| {
            verify_ssh(&allowed, &Checkers::default(), who, payload, sig) == good(who)
        };
        assert!(ok("alice@example.com", PAYLOAD, &sig) && ok("dave@team.example", PAYLOAD, &sig));
        assert!(!ok("bob@example.com", PAYLOAD, &sig), "not in the file");
        assert!(!ok("alice@example.com", b"tampered", &sig), "tampered payload");
        let stranger = sign(&ssh_cfg(&dir.path().join("other")), PAYLOAD).unwrap();
        assert!(!ok("alice@example.com", PAYLOAD, &stranger), "key not in the file");

        // A `.pub` path under `~/` signs too: ssh-keygen finds the private key beside it.
        let cfg = SignConfig { key: Some("~/key.pub".into()), ..ssh_cfg(&allowed) };
        let sig = sign_with_env(&cfg, PAYLOAD, &[("HOME", dir.path().as_os_str())]).unwrap();
        let alice =
            verify(Some(&allowed), &Checkers::default(), "alice@example.com", PAYLOAD, &sig);
        assert_eq!(alice, good("alice@example.com"));
        let none = verify(None, &Checkers::default(), "alice@example.com", PAYLOAD, &sig);
        assert!(matches!(none, Verdict::Bad(r) if r.contains("no allowed signers")));
        let other = verify(Some(&allowed), &Checkers::default(), "a@b", PAYLOAD, "x");
        assert_eq!(other, Verdict::Bad("unsupported signature type".into()));
    }

    #[test]
    fn ssh_literal_key_signs_through_an_agent() {
        let dir = tempfile::tempdir().unwrap();
        let public = ssh_key(dir.path(), "key");
        let sock = dir.path().join("agent.sock");
        let mut agent = Command::new("ssh-agent");
        let Ok(mut agent) = agent.arg("-D").arg("-a").arg(&sock).stdout(Stdio::null()).spawn()
        else {
            return eprintln!("ssh-agent not found: skipping the literal-key test");
        };
        let wait = std::time::Duration::from_millis(20);
        (0..250).take_while(|_| !sock.exists()).for_each(|_| std::thread::sleep(wait));
        let env: Env = &[("SSH_AUTH_SOCK", sock.as_os_str())];
        sh(Command::new("ssh-add").arg("-q").arg(dir.path().join("key")).envs(env.iter().copied()));
        let signed = [format!("key::{public}"), public.clone()].map(|key| {
            let cfg = SignConfig { key: Some(key), ..ssh_cfg(&sock) };
            sign_with_env(&cfg, PAYLOAD, env)
        });
        agent.kill().unwrap();
        agent.wait().unwrap();
        let allowed = dir.path().join("allowed");
        fs::write(&allowed, format!("alice@example.com {public}\n")).unwrap();
        for sig in signed {
            let verdict = verify_ssh(
                &allowed,
                &Checkers::default(),
                "alice@example.com",
                PAYLOAD,
                &sig.unwrap(),
            );
            assert_eq!(verdict, good("alice@example.com"));
        }
    }

    #[test]
    fn signing_errors_are_clear() {
        let ssh = ssh_cfg(Path::new("/nonexistent/key"));
        assert!(matches!(sign(&ssh, b"x"), Err(SignError::Failed { .. })));
        let x509 = SignConfig { format: Format::X509, ..ssh.clone() };
        assert!(matches!(sign(&x509, b"x"), Err(SignError::X509Unsupported)));
        let no_key = SignConfig { key: None, ..ssh.clone() };
        assert!(matches!(sign(&no_key, b"x"), Err(SignError::NoSshKey)));
        let missing = SignConfig { program: Some("accord-no-such-program".into()), ..ssh };
        let err = sign(&missing, b"x").unwrap_err().to_string();
        assert!(err.contains("`accord-no-such-program` not found"), "{err}");
    }

    /// Splits `git cat-file commit` output into the signed payload and the `gpgsig` value.
    fn split_signed(object: &str) -> (String, String) {
        let start = object.find("\ngpgsig ").unwrap() + 1;
        let end = start + object[start..].find("\n\n").unwrap() + 1;
        let sig = object[start + "gpgsig ".len()..end].replace("\n ", "\n");
        (format!("{}{}", &object[..start], &object[end..]), sig)
    }

    /// The commit as libgit2's `commit_signed` writes it: `gpgsig` last in the header.
    fn with_gpgsig(payload: &str, sig: &str) -> String {
        let end = payload.find("\n\n").unwrap() + 1;
        format!("{}gpgsig {}\n{}", &payload[..end], sig.replace('\n', "\n "), &payload[end..])
    }

    #[test]
    fn agrees_with_git_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let (home, repo, key) = (dir.path(), dir.path().join("repo"), dir.path().join("key"));
        let allowed = home.join("allowed_signers");
        fs::write(&allowed, format!("alice@example.com {}\n", ssh_key(home, "key"))).unwrap();
        let config = format!(
            "[user]\nname = Alice\nemail = alice@example.com\nsigningkey = {}\n[gpg]\n\
             format = ssh\n[gpg \"ssh\"]\nallowedSignersFile = {}\n",
            key.display(),
            allowed.display()
        );
        fs::write(home.join(".gitconfig"), config).unwrap();
        fs::create_dir(&repo).unwrap();
        let git = |args: &[&str]| {
            let vars =
                [("HOME", home), ("XDG_CONFIG_HOME", home), ("GIT_CONFIG_NOSYSTEM", "1".as_ref())];
            sh(Command::new("git").args(args).current_dir(&repo).envs(vars))
        };
        git(&["init", "-q"]);
        git(&["-c", "commit.gpgsign=true", "commit", "-q", "--allow-empty", "-m", "x"]);
        let object = git(&["cat-file", "commit", "HEAD"]);
        let (payload, sig) = split_signed(&object);
        assert!(sig.starts_with("-----BEGIN SSH SIGNATURE-----"));
        let verdict = verify_ssh(
            &allowed,
            &Checkers::default(),
            "alice@example.com",
            payload.as_bytes(),
            &sig,
        );
        assert_eq!(verdict, good("alice@example.com"));
        // ed25519 signatures are deterministic: ours, stored as libgit2's commit_signed stores
        // it, is the very commit git wrote.
        let ours = sign(&ssh_cfg(&key), payload.as_bytes()).unwrap();
        assert_eq!(with_gpgsig(&payload, &ours), object);

        // And git accepts our signature on a commit it did not sign.
        git(&["commit", "-q", "--allow-empty", "-m", "y"]);
        let payload = git(&["cat-file", "commit", "HEAD"]);
        let sig = sign(&ssh_cfg(&key), payload.as_bytes()).unwrap();
        fs::write(home.join("object"), with_gpgsig(&payload, &sig)).unwrap();
        let id = git(&["hash-object", "-t", "commit", "-w", home.join("object").to_str().unwrap()]);
        git(&["verify-commit", id.trim()]);
        let status = git(&["log", "-1", "--format=%G?%x00%GS", id.trim()]);
        assert_eq!(status.trim(), "G\0alice@example.com");
        assert_eq!(split_signed(&git(&["cat-file", "commit", id.trim()])).0, payload);
    }

    #[test]
    fn openpgp_signature_verifies_for_a_user_id_email() {
        if Command::new("gpg").arg("--version").output().is_err() {
            return eprintln!("gpg not found: skipping the OpenPGP test");
        }
        let (home, empty) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let env: Env = &[("GNUPGHOME", home.path().as_os_str())];
        let uid = "Alice <alice@example.com>";
        let args =
            ["--batch", "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never"];
        sh(Command::new("gpg").args(args).envs(env.iter().copied()));
        let cfg = SignConfig { format: Format::OpenPgp, key: Some(uid.into()), program: None };
        let signed = sign_with_env(&cfg, PAYLOAD, env);
        let check = |email: &str, payload: &[u8], env: Env| {
            verdict(openpgp_with_env("gpg", email, payload, signed.as_ref().unwrap(), env))
        };
        let verdicts = [
            check("ALICE@example.com", PAYLOAD, env),
            check("bob@example.com", PAYLOAD, env),
            check("alice@example.com", b"tampered", env),
            check("alice@example.com", PAYLOAD, &[("GNUPGHOME", empty.path().as_os_str())]),
        ];
        for dir in [home.path(), empty.path()] {
            let mut kill = Command::new("gpgconf");
            let _ = kill.args(["--kill", "gpg-agent"]).env("GNUPGHOME", dir).status();
        }
        assert!(signed.unwrap().starts_with("-----BEGIN PGP SIGNATURE-----"));
        assert_eq!(verdicts[0], good("alice@example.com"));
        let reasons = ["no user id for bob", "BADSIG", "unknown OpenPGP key"];
        for (verdict, reason) in verdicts[1..].iter().zip(reasons) {
            assert!(matches!(verdict, Verdict::Bad(r) if r.contains(reason)), "{verdicts:?}");
        }
    }
}
