//! `accord textconv` and the git diff driver: `git diff` and `git log -p` show canonical lines.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::changes::*;
use crate::common::*;

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

#[test]
fn red_team_textconv_escapes_the_control_characters_a_file_spells_out() {
    // Red-team finding: `\u001b` written in a TOML string became a real ESC in `git diff`.
    let env = TestEnv::new();
    env.accord(&["init"]).ok();
    let text = charter("consent").replace("Platform team charter", "A\\u001b[31mRED");
    let file = env.repo.join("agreements/charter.toml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, &text).unwrap();
    let r = env.accord(&["textconv", "agreements/charter.toml"]);
    r.ok();
    assert!(!r.stdout.contains('\u{1b}'), "{:?}", r.stdout);
    assert!(r.stdout.contains("A\\u{1b}[31mRED"), "{}", r.stdout);
}
