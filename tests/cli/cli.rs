//! What every command shares: `-C`, `--color`, `--format markdown` refusals, help, usage errors,
//! reads in a bare repository.

use clap::CommandFactory;

use crate::common::ledger::*;
use crate::common::*;

// --- bare repositories, -C, and where accord runs ---

#[test]
fn reads_work_in_a_bare_repository_from_head() {
    let env = TestEnv::new();
    env.commit_file("agreements/team.toml", &charter("consent"), "charter");
    // The working tree's own edits are not in the clone.
    env.write("agreements/team.toml", &charter("consent").replace("paved road", "dirt track"));
    env.git_in(env.tmp.path(), &["clone", "-q", "--bare", "repo", "bare.git"]).ok();
    let bare = env.path("bare.git");
    let bare = bare.to_str().unwrap();

    let show = env.accord(&["-C", bare, "show", "team"]);
    assert!(show.ok().stdout.contains("a paved road from merge"), "{}", show.stdout);
    let json = env.accord(&["-C", bare, "show", "team", "--format", "json"]).ok().json();
    assert_eq!(json["title"], "Platform team charter");

    let list = env.accord(&["-C", bare, "list", "--format", "json"]).ok().json();
    assert_eq!(list[0]["id"], "team");
    assert_eq!(
        (list[0]["committed"].as_bool(), list[0]["modified"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(list[0]["ratified"], false);

    let check = env.accord(&["-C", bare, "check"]);
    assert_eq!(check.ok().stdout, "agreements/team.toml: ok\n");
    // Started inside the bare repository, without -C.
    let inside = env.accord_in(&env.path("bare.git"), &["show", "team", "--format", "json"]);
    assert_eq!(inside.ok().json()["kind"], "charter");
}

#[test]
fn dash_c_runs_elsewhere_and_refuses_what_is_not_a_repository() {
    let env = TestEnv::new();
    env.write("agreements/team.toml", &charter("consent"));
    let run = env.accord_in(env.tmp.path(), &["-C", "repo", "show", "team", "--format", "json"]);
    assert_eq!(run.ok().json()["id"], "team");

    // Red-team finding: a second -C was refused. As for git, each is taken from where the one
    // before left, and an empty one changes nothing.
    let parent = env.tmp.path().parent().unwrap();
    let tmp_name = env.tmp.path().file_name().unwrap().to_str().unwrap();
    let run = env.accord_in(
        env.tmp.path(),
        &["-C", parent.to_str().unwrap(), "-C", tmp_name, "-C", "", "-C", "repo", "show", "team"],
    );
    assert!(run.ok().stdout.contains("team"), "{}", run.stderr);

    let missing = env.path("no-such-folder");
    let run = env.accord(&["-C", missing.to_str().unwrap(), "list"]);
    run.code(2);
    assert!(
        run.stderr
            .contains(&format!("error: cannot change to `{}`: no such folder", missing.display())),
        "{}",
        run.stderr
    );

    let outside = env.path("outside");
    std::fs::create_dir_all(&outside).unwrap();
    for args in [&["list"][..], &["check"], &["show", "team"], &["init"], &["new", "team"]] {
        let run = env.accord(&[&["-C", outside.to_str().unwrap()], args].concat());
        run.code(2);
        assert!(
            run.stderr.contains(&format!("error: not a git repository: {}", outside.display())),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("hint: run `git init` first"), "{}", run.stderr);
    }
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "nothing written outside");
}

// --- the command line itself ---

#[test]
fn help_for_accord_and_every_subcommand() {
    let env = TestEnv::new();
    let run = env.accord(&["--help"]);
    run.ok();
    assert!(run.stdout.contains("Usage: accord [OPTIONS] <COMMAND>"), "{}", run.stdout);
    let names: Vec<String> =
        accord::cli::Cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect();
    assert!(names.len() >= 10, "{names:?}");
    for name in &names {
        assert!(run.stdout.contains(&format!("  {name}")), "`{name}` missing from --help");
        let sub = env.accord(&[name, "--help"]);
        sub.ok();
        assert!(sub.stdout.contains(&format!("Usage: accord {name}")), "{name}: {}", sub.stdout);
        env.accord(&["help", name]).ok();
    }
}

#[test]
fn cli_definition_is_consistent() {
    accord::cli::Cli::command().debug_assert();
}

#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::new();
    for args in [
        &["frobnicate"][..],
        &["show"],
        &["list", "--format", "yaml"],
        &["check", "--color", "rainbow"],
    ] {
        let run = env.accord(args);
        run.code(2);
        assert!(run.stderr.contains("error:"), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn commands_without_markdown_say_so() {
    let env = setup("consent");
    // (`pending` has markdown since issue 12.)
    for cmd in ["check", "verify", "due"] {
        let r = env.accord(&[cmd, "--format", "markdown"]);
        r.code(2);
        assert!(
            r.stderr.contains(&format!("`accord {cmd}` has no markdown output")),
            "{}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
}

#[test]
fn dash_c_resolves_relative_paths_from_the_folder_given() {
    let env = setup("consent");
    let r = env.accord_in(env.tmp.path(), &["-C", "repo", "textconv", FILE]);
    r.ok();
    assert!(r.stdout.starts_with("title: Platform team charter\n"), "{}", r.stdout);
}

#[test]
fn color_never_keeps_stderr_plain() {
    let env = setup("consent");
    let r = env.accord(&["--color", "never", "status", "nope"]);
    r.code(2);
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
    let r = env.accord(&["--color", "always", "status", "nope"]);
    assert!(r.stderr.contains("\u{1b}["), "--color always colours stderr too: {:?}", r.stderr);
}

#[test]
fn help_teaches_with_examples_and_exit_codes() {
    // Red-team finding: only `new`, `completions` and `man` showed an example, and no help
    // named the exit codes.
    let env = TestEnv::new();
    let top = env.accord(&["--help"]);
    assert!(top.ok().stdout.contains("Exit codes: 0 success; 1 a check"), "{}", top.stdout);
    let man = env.accord(&["man"]);
    assert!(man.ok().stdout.contains("Exit codes"), "the man page says them too");
    // Red-team finding: `new`, `site`, `commitments`, `import`, `textconv` and `demo` had none,
    // and `completions` had its example only in the long help.
    for cmd in [
        "init",
        "new",
        "list",
        "show",
        "site",
        "status",
        "sign",
        "object",
        "abstain",
        "withdraw",
        "sync",
        "log",
        "diff",
        "history",
        "review",
        "check",
        "verify",
        "pending",
        "due",
        "commitments",
        "import",
        "textconv",
        "demo",
        "completions",
        "man",
    ] {
        for flag in ["-h", "--help"] {
            let r = env.accord(&[cmd, flag]);
            assert!(r.ok().stdout.contains(&format!("accord {cmd}")), "{cmd} {flag}: {}", r.stdout);
            assert!(r.stdout.contains("Example"), "{cmd} {flag}: no example:\n{}", r.stdout);
        }
    }
    for gate in ["review", "check", "verify", "sign", "sync"] {
        let r = env.accord(&[gate, "--help"]);
        assert!(r.ok().stdout.contains("Exit codes: 0 "), "{gate}: {}", r.stdout);
    }
}

/// `accord <args> --format json` and `markdown` exit 2 saying the command has one form only,
/// and print nothing.
#[track_caller]
fn refuses_json_and_markdown(env: &TestEnv, args: &[&str]) {
    for format in ["json", "markdown"] {
        let mut all = args.to_vec();
        all.extend(["--format", format]);
        let r = env.accord(&all);
        assert!(r.code(2).stderr.contains("in no other format"), "{all:?}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{all:?}: {}", r.stdout);
    }
}

#[test]
fn commands_that_write_refuse_a_format_they_do_not_have_and_write_nothing() {
    // Red-team finding: `sign`, `withdraw`, `new`, `init` and `sync` took `--format json`,
    // printed their usual status lines on stderr and nothing on stdout (exit 0): a script
    // asking for JSON got none and no error.
    let mut env = setup("consent");
    env.as_(GRACE).accord(&["object", "charter", "-m", "Not yet."]).ok();
    env.as_(ADA);
    env.write("charter.md", "# Charter\n\nWe ship.\n");
    let head = env.head();
    let cases: [&[&str]; 10] = [
        &["sign", "charter"],
        &["object", "charter", "-m", "no"],
        &["abstain", "charter"],
        &["withdraw", "charter"],
        &["new", "fresh"],
        &["import", "charter.md"],
        &["init"],
        &["sync"],
        &["site", "--out", "site"],
        &["sign", "charter", "--here"],
    ];
    for args in cases {
        refuses_json_and_markdown(&env, args);
    }
    assert_eq!(env.head(), head);
    for (made, what) in [("agreements/fresh.toml", "new"), ("agreements/charter-md.toml", "import")]
    {
        assert!(!env.repo.join(made).exists(), "{what} wrote {made}");
    }
    assert!(!env.repo.join("site").exists());
    let positions = env.git(&["log", "--all", "--format=%s"]).ok().stdout.clone();
    assert_eq!(positions.matches("accord: ").count(), 1, "{positions}");
}

#[test]
fn commands_with_one_form_refuse_another_format() {
    // Red-team finding: `demo`, `man`, `textconv` and `completions` printed their usual output
    // under `--format json` (exit 0), where `due`, `check` and `verify` refuse a format they
    // do not have.
    let env = TestEnv::new();
    env.write("x.toml", "schema = 1\n");
    for args in [&["demo"][..], &["man"], &["textconv", "x.toml"], &["completions", "bash"]] {
        refuses_json_and_markdown(&env, args);
    }
}

#[test]
fn man_out_writes_every_page_or_none_and_names_the_one_in_the_way() {
    // Red-team finding: with a folder where `accord-sign.1` goes, `man --out` wrote seven
    // pages, then failed naming only the folder.
    let env = TestEnv::new();
    let dir = env.path("man");
    std::fs::create_dir_all(dir.join("accord-sign.1")).unwrap();
    let run = env.accord(&["man", "--out", dir.to_str().unwrap()]);
    assert!(run.code(2).stderr.contains("accord-sign.1`: it is not a file"), "{}", run.stderr);
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["accord-sign.1"], "nothing written");
}

#[test]
fn man_pages_exist_for_every_command_the_main_page_names() {
    // Red-team finding: `accord man` referred to accord-init(1) and the rest, which did not
    // exist, and no page listed a command's own options.
    let env = TestEnv::new();
    let dir = env.path("man");
    let run = env.accord(&["man", "--out", dir.to_str().unwrap()]);
    run.ok();
    let main = std::fs::read_to_string(dir.join("accord.1")).unwrap();
    assert_eq!(main, env.accord(&["man"]).ok().stdout.clone(), "the same page either way");
    // Each command's entry is a line of its own: `accord\-sign(1)`.
    let named: Vec<String> = main
        .lines()
        .filter_map(|l| l.strip_prefix("accord\\-")?.strip_suffix("(1)"))
        .map(|name| name.replace("\\-", "-"))
        .collect();
    assert!(named.len() >= 20, "{named:?}");
    for cmd in &named {
        let page = std::fs::read_to_string(dir.join(format!("accord-{cmd}.1")))
            .unwrap_or_else(|e| panic!("accord-{cmd}.1: {e}"));
        assert_eq!(page, env.accord(&["man", cmd]).ok().stdout.clone(), "{cmd}");
    }
    let history = std::fs::read_to_string(dir.join("accord-history.1")).unwrap();
    assert!(history.contains("\\-\\-field"), "a command's page lists its options:\n{history}");
    assert!(history.contains("accord\\-history"), "{history}");
    let unknown = env.accord(&["man", "nope"]);
    assert!(unknown.code(2).stderr.contains("no command `nope`"), "{}", unknown.stderr);
}

#[test]
fn completions_offer_the_kinds_of_agreement() {
    // Red-team finding: `--kind` completed nothing.
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = env.accord(&["completions", shell]).ok().stdout.clone();
        assert!(out.contains("working-agreement"), "{shell}");
    }
    // An unknown kind is still refused with the list, by `new` and `import`.
    let r = env.accord(&["new", "team", "--kind", "treaty"]);
    assert!(r.code(2).stderr.contains("working-agreement"), "{}", r.stderr);
}

#[test]
fn output_that_cannot_be_written_is_an_error_never_a_panic() {
    // Red-team finding: `completions` panicked (exit 101, a backtrace) when its stdout was
    // closed early or full; every other command reports it. And `--help` and `--version` said
    // nothing and exited 0 on a full disk.
    let env = TestEnv::new();
    for args in [
        &["completions", "bash"][..],
        &["man"][..],
        &["--help"][..],
        &["sign", "--help"][..],
        &["--version"][..],
    ] {
        // A reader that stops at once: the rest is not wanted, which is no error (as git).
        let out = with_stdout_closed(env.accord_cmd().args(args));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        // A full disk is an error, said once.
        if std::path::Path::new("/dev/full").exists() {
            let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
            let out = env.accord_cmd().args(args).stdout(full).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(stderr.contains("No space left"), "{args:?}: {stderr}");
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        }
    }
}

#[test]
fn small_things_scripts_do() {
    // Red-team findings: `-q -q` was a usage error (git takes it), `status x x` printed the
    // agreement twice, and `dir = "./agr"` was refused with no word on how to write it.
    let env = TestEnv::new();
    env.commit_file("agreements/charter.toml", &charter("consent"), "Add the platform charter");
    let r = env.accord(&["-q", "-q", "status", "charter", "charter", "--format", "json"]);
    let v = r.ok().json();
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v:#}");
    assert_eq!(r.stderr, "", "quiet");
    env.commit_file("accord.toml", "dir = \"./agr\"\n", "config");
    let r = env.accord(&["list"]);
    assert!(r.code(2).stderr.contains("hint: name it from the repository root"), "{}", r.stderr);
}

#[test]
fn usage_errors_escape_the_arguments_they_quote() {
    // Red-team finding: clap's own errors quoted an argument's control and bidirectional
    // characters raw (an OSC 8 link, a clear-screen, U+202E), where accord's errors escape them.
    let env = TestEnv::new();
    for args in [
        &["status", "--format", "x\u{202e}y\u{1b}[2J"][..],
        &["--\u{9b}x", "status"],
        &["st\u{1b}]8;;http://e\u{7}atus"],
    ] {
        let r = env.accord(args);
        r.code(2);
        for raw in ['\u{202e}', '\u{9b}', '\u{1b}', '\u{7}'] {
            assert!(!r.stderr.contains(raw), "{args:?}: {raw:?} raw in {:?}", r.stderr);
        }
    }
    let r = env.accord(&["--\u{9b}x", "status"]);
    assert!(r.code(2).stderr.contains("--\\u{9b}x"), "{}", r.stderr);
    // Red-team finding C6: what clap took for a style sequence it deleted from its message, so
    // `sh<ESC>[31mow` was "unrecognized subcommand 'show'" and `x<ESC>[2Jy` was `xy`.
    let r = env.accord(&["sh\u{1b}[31mow"]);
    assert!(r.code(2).stderr.contains("'sh\\u{1b}[31mow'"), "{}", r.stderr);
    let r = env.accord(&["status", "--format", "x\u{1b}[2Jy"]);
    assert!(r.code(2).stderr.contains("x\\u{1b}[2Jy"), "{}", r.stderr);
    // Help and version are clap's own, as they were.
    assert!(env.accord(&["--version"]).ok().stdout.starts_with("accord "));
    assert!(env.accord(&["status", "--help"]).ok().stdout.contains("Usage: accord status"));
}

#[test]
fn an_error_quoting_a_line_break_cannot_print_a_line_of_its_own() {
    // Red-team finding: `new --party "A <a@x><newline>hint: run rm -rf"` printed a second line
    // `hint: run rm -rf` that looked like accord's own; SPEC §9 escapes every byte from a name
    // before it reaches a terminal, error messages included.
    let env = setup("consent");
    for args in [
        &["new", "t5", "--party", "A <a@x>\nhint: run rm -rf"][..],
        &["status", "x\nerror: forged"],
        &["log", "charter", "--rev", "HEAD\nhint: forged"],
    ] {
        let r = env.accord(args);
        r.code(2);
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert!(lines.len() <= 2 && lines[0].starts_with("error: "), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("\\u{a}"), "{args:?}: {}", r.stderr);
        assert!(
            !lines.iter().any(|l| l.contains("forged") && !l.contains("\\u{a}")),
            "{}",
            r.stderr
        );
    }
}
