//! `genrepo`: build a deterministic synthetic git repository for accord's performance
//! contract (SPEC §8), by piping one stream into `git fast-import`.
//!
//! ```text
//! cargo run --release --example genrepo -- --out target/bench-repo \
//!     [--commits 100000] [--agreements 200] [--positions 20000] [--edits 2000] \
//!     [--parties 5] [--seed 1] [--merge-every N] [--branch-share 50] [--no-gc]
//! ```
//!
//! What it builds (same flags and same git version give the same commit ids):
//!
//! - `README.md` and a few hundred code files `src/<area>/<part>/mod_NNN.rs` in 36 leaf
//!   directories, created by the first commit and touched (1 to 3 files of one directory) by every
//!   code commit.
//! - `agreements/team-0001.toml` … one valid schema-1 `charter` per agreement (SPEC §3): purpose,
//!   `rule = "consent"`, parties `Party 1 <party1@example.com>` … (Party 1 is the steward), one
//!   commitment. Each is added by its own commit, all of them right after the first commit.
//! - Then edits, positions and code commits in a random order (seeded), so that the totals are
//!   exactly the flags. An edit changes the meaning of the file (a word or a sentence of the
//!   purpose, a word of the commitment text), except about one in ten that only re-wraps the
//!   purpose (same meaning: sign-offs carry over).
//! - A position is an empty commit (its tree is its parent's) whose message is exactly the SPEC §4
//!   form; `Accord-Revision` is the blob id of the agreement file at that commit (computed here with
//!   a built-in SHA-1), and `Accord-Meaning` the text's meaning fingerprint (from accord's own
//!   library, as `accord sign` writes it). Kinds: ~85% sign, ~8% object (with a reason), ~4% abstain, ~3% withdraw
//!   (only by a party whose objection is open). Author and committer are the party.
//! - `--branch-share` percent of the positions (default 50) go to the positions branch
//!   `accord/positions` instead of `main` (SPEC §4): a line of commits with at most one parent,
//!   each with an empty tree, whose message is the same SPEC §4 form naming the revision current
//!   on `main` when it was made. They count toward `--commits` and `--positions`, so `main`
//!   holds that many commits fewer. The git baseline that reads every position is then
//!   `git log --format=%H%n%B main accord/positions`.
//! - History is linear but for a short side branch every `--merge-every` commits (default: one
//!   twentieth of `--commits`, between 50 and 5000): code, a sign-off, code, merged back a few
//!   dozen commits later with a merge commit. These count toward the totals.
//! - Committer = author time, starting 2024-01-01T00:00:00Z and increasing by 60 s per commit.
//!
//! After the import: `git gc --quiet`, `git commit-graph write --reachable --changed-paths`
//! (both skipped with `--no-gc`) and `git reset --hard`, so the work tree holds the files.
//! Only std is used. Exit 2 on bad flags, 1 when git fails.

// The generator drives `git fast-import` directly.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

const USAGE: &str = "\
usage: genrepo --out DIR [--commits N] [--agreements N] [--positions N] [--edits N]
               [--parties N] [--seed N] [--merge-every N] [--branch-share PCT] [--no-gc]

  --out DIR         where to create the repository (must not exist, or be empty)
  --commits N       total commits, all kinds (default 100000)
  --agreements N    agreement files, each added by one commit (default 200)
  --positions N     position commits (default 20000)
  --edits N         edits to agreement files after their creation (default 2000)
  --parties N       parties per agreement (default 5)
  --seed N          PRNG seed (default 1)
  --merge-every N   a merged side branch every N commits (default commits/20, in 50..=5000; 0: none)
  --branch-share P  percent of the positions recorded on the positions branch `accord/positions`
                    instead of `main` (default 50; 0: all on main)
  --no-gc           skip `git gc` and `git commit-graph write`";

/// 2024-01-01T00:00:00Z
const START_TIME: u64 = 1_704_067_200;
const STEP_SECS: u64 = 60;
const DEVS: u64 = 40;
const FUNCS_PER_FILE: usize = 24;
const FILES_PER_DIR: usize = 9;
const AREAS: [&str; 6] = ["core", "net", "storage", "api", "jobs", "ui"];
const PARTS: [&str; 6] = ["model", "cache", "codec", "metrics", "config", "handlers"];

const WORDS_TEXT: &str = "\
    team platform service customer release deploy pipeline review incident support quality \
    latency budget roadmap partner product security runbook on-call capacity migration \
    feedback owners tooling metrics alerts storage network database backlog testing coverage \
    standards design documents decisions handover schedule weekly quarterly every each shared \
    clear simple reliable fast safe small open honest agreed written visible tracked measured \
    paved stable secure useful give keep make build run ship answer own protect improve reduce \
    measure publish review support explain document escalate rotate merge and or with for to \
    from within across before after without through our their every the a all new old internal \
    external mobile web billing search payments identity reporting analytics events queues \
    builds artifacts images clusters regions tenants users engineers managers stewards \
    partners clients minutes hours days weeks sprints goals";

fn words() -> &'static [&'static str] {
    static WORDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| WORDS_TEXT.split_whitespace().collect())
}

// ---------------------------------------------------------------------------------------------
// Flags

struct Opts {
    out: PathBuf,
    commits: u64,
    agreements: u64,
    positions: u64,
    edits: u64,
    parties: u64,
    seed: u64,
    merge_every: Option<u64>,
    branch_share: u64,
    gc: bool,
}

fn parse_args() -> Result<Opts, String> {
    let mut o = Opts {
        out: PathBuf::new(),
        commits: 100_000,
        agreements: 200,
        positions: 20_000,
        edits: 2_000,
        parties: 5,
        seed: 1,
        merge_every: None,
        branch_share: 50,
        gc: true,
    };
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        if arg == "--no-gc" {
            o.gc = false;
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let known = [
            "--out",
            "--commits",
            "--agreements",
            "--positions",
            "--edits",
            "--parties",
            "--seed",
            "--merge-every",
            "--branch-share",
        ];
        if !known.contains(&flag.as_str()) {
            return Err(format!("unknown argument `{arg}`"));
        }
        let value = match inline {
            Some(v) => v,
            None => args.next().ok_or_else(|| format!("`{flag}` needs a value"))?,
        };
        if flag == "--out" {
            if value.is_empty() {
                return Err("`--out` needs a non-empty path".into());
            }
            out = Some(PathBuf::from(value));
            continue;
        }
        let n: u64 = value
            .parse()
            .map_err(|_| format!("`{flag}` needs a non-negative integer, got `{value}`"))?;
        match flag.as_str() {
            "--commits" => o.commits = n,
            "--agreements" => o.agreements = n,
            "--positions" => o.positions = n,
            "--edits" => o.edits = n,
            "--parties" => o.parties = n,
            "--seed" => o.seed = n,
            "--merge-every" => o.merge_every = Some(n),
            "--branch-share" => o.branch_share = n,
            _ => unreachable!(),
        }
    }
    o.out = out.ok_or("`--out DIR` is required")?;
    if o.branch_share > 100 {
        return Err(format!("`--branch-share` is a percentage, got {}", o.branch_share));
    }
    if o.parties == 0 || o.parties > 10_000 {
        return Err(format!("`--parties` must be between 1 and 10000, got {}", o.parties));
    }
    if o.agreements > 1_000_000 {
        return Err(format!("`--agreements` must be at most 1000000, got {}", o.agreements));
    }
    if o.agreements == 0 && (o.positions > 0 || o.edits > 0) {
        return Err("positions and edits need at least one agreement (`--agreements`)".into());
    }
    let needed = 1 + o.agreements + o.positions + o.edits;
    if o.commits < needed {
        return Err(format!(
            "`--commits {}` is too small: 1 initial commit + {} agreements + {} positions + {} edits \
             = {needed} commits at least",
            o.commits, o.agreements, o.positions, o.edits
        ));
    }
    Ok(o)
}

// ---------------------------------------------------------------------------------------------
// Deterministic PRNG (splitmix64) and SHA-1

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
    fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
    fn word(&mut self) -> usize {
        self.index(words().len())
    }
}

fn sha1(msg: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let mut data = Vec::with_capacity(msg.len() + 72);
    data.extend_from_slice(msg);
    data.push(0x80);
    while data.len() % 64 != 56 {
        data.push(0);
    }
    data.extend_from_slice(&((msg.len() as u64).wrapping_mul(8)).to_be_bytes());
    let mut w = [0u32; 80];
    for chunk in data.chunks_exact(64) {
        for (i, word) in chunk.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t =
                a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (hi, v) in h.iter_mut().zip([a, b, c, d, e]) {
            *hi = hi.wrapping_add(v);
        }
    }
    let mut out = [0u8; 20];
    for (i, v) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&v.to_be_bytes());
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The git blob id of `content`: SHA-1 of `blob <len>\0<content>`.
fn blob_id(content: &str) -> String {
    let mut buf = format!("blob {}\0", content.len()).into_bytes();
    buf.extend_from_slice(content.as_bytes());
    hex(&sha1(&buf))
}

/// What `accord sign` writes as `Accord-Meaning` for `content`.
fn meaning_of(content: &str) -> String {
    let agreement = accord::model::parse(content.as_bytes(), "generated.toml")
        .expect("the generator writes valid agreements");
    accord::store::fingerprint(&agreement).expect("a valid agreement has a meaning").to_string()
}

fn self_check() {
    assert_eq!(hex(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
    let long = "a".repeat(1000);
    assert_eq!(hex(&sha1(long.as_bytes())), "291e9a6c66994949b57ba5e650361e98fc36b1ba");
    assert_eq!(blob_id(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    assert_eq!(blob_id("hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
}

// ---------------------------------------------------------------------------------------------
// Content model

struct Person {
    name: String,
    email: String,
}

impl Person {
    fn party(i: u64) -> Person {
        Person { name: format!("Party {i}"), email: format!("party{i}@example.com") }
    }
    fn dev(i: u64) -> Person {
        Person { name: format!("Dev {i}"), email: format!("dev{i}@example.com") }
    }
}

fn sentence(indices: &[usize], out: &mut String) {
    for (i, &w) in indices.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let word = words()[w];
        if i == 0 {
            let mut chars = word.chars();
            if let Some(c) = chars.next() {
                out.extend(c.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push_str(word);
        }
    }
    out.push('.');
}

fn random_words(rng: &mut Rng, lo: u64, hi: u64) -> Vec<usize> {
    (0..rng.range(lo, hi)).map(|_| rng.word()).collect()
}

fn random_sentence(rng: &mut Rng, lo: u64, hi: u64) -> String {
    let mut s = String::new();
    sentence(&random_words(rng, lo, hi), &mut s);
    s
}

struct Agreement {
    id: String,
    number: u64,
    purpose: Vec<Vec<usize>>,
    wrap: usize,
    by: u64,
    to: u64,
    text: Vec<usize>,
    content: String,
    blob: String,
    /// The meaning fingerprint of `content` (`Accord-Meaning`, SPEC §4), from accord's own
    /// library so that it is the one `accord sign` writes.
    meaning: String,
    /// Per party (0-based): has an open objection on this agreement.
    objecting: Vec<bool>,
}

impl Agreement {
    fn new(number: u64, parties: u64, rng: &mut Rng) -> Agreement {
        let purpose = (0..rng.range(2, 4)).map(|_| random_words(rng, 8, 15)).collect();
        let by = rng.range(1, parties);
        let to = if parties > 1 { (by + rng.range(0, parties - 2)) % parties + 1 } else { 1 };
        let mut a = Agreement {
            id: format!("team-{number:04}"),
            number,
            purpose,
            wrap: rng.range(56, 96) as usize,
            by,
            to,
            text: random_words(rng, 6, 12),
            content: String::new(),
            blob: String::new(),
            meaning: String::new(),
            objecting: vec![false; parties as usize],
        };
        a.content = a.render();
        a.blob = blob_id(&a.content);
        a.meaning = meaning_of(&a.content);
        a
    }

    fn render(&self) -> String {
        let mut prose = String::new();
        for (i, s) in self.purpose.iter().enumerate() {
            if i > 0 {
                prose.push(' ');
            }
            sentence(s, &mut prose);
        }
        let mut purpose = String::new();
        let mut line = 0;
        for word in prose.split(' ') {
            if line > 0 && line + 1 + word.len() > self.wrap {
                purpose.push('\n');
                line = 0;
            } else if line > 0 {
                purpose.push(' ');
                line += 1;
            }
            purpose.push_str(word);
            line += word.len();
        }
        let mut text = String::new();
        sentence(&self.text, &mut text);
        let mut s = String::with_capacity(1024);
        let _ = write!(
            s,
            "schema = 1\ntitle = \"Team {:04} charter\"\nkind = \"charter\"\npurpose = \"\"\"\n{purpose}\n\"\"\"\n\n\
             [decision]\nrule = \"consent\"\n",
            self.number
        );
        for p in 1..=self.objecting.len() {
            let _ =
                write!(s, "\n[[party]]\nname = \"Party {p}\"\nemail = \"party{p}@example.com\"\n");
            if p == 1 {
                s.push_str("role = \"steward\"\n");
            }
        }
        let _ = write!(
            s,
            "\n[[commitment]]\nid = \"c1\"\nby = [\"party{}@example.com\"]\nto = [\"party{}@example.com\"]\n\
             text = \"{text}\"\n",
            self.by, self.to
        );
        s
    }

    /// Changes the file; returns what kind of edit it was.
    fn edit(&mut self, rng: &mut Rng) -> &'static str {
        loop {
            let roll = rng.below(100);
            let kind = if roll < 45 {
                let s = rng.index(self.purpose.len());
                let w = rng.index(self.purpose[s].len());
                self.purpose[s][w] = rng.word();
                "reword purpose of"
            } else if roll < 65 {
                let s = rng.index(self.purpose.len());
                self.purpose[s] = random_words(rng, 8, 15);
                "rewrite purpose of"
            } else if roll < 90 {
                let w = rng.index(self.text.len());
                self.text[w] = rng.word();
                "revise commitment c1 of"
            } else {
                self.wrap = rng.range(40, 100) as usize;
                "reflow purpose of"
            };
            let content = self.render();
            if content != self.content {
                self.content = content;
                self.blob = blob_id(&self.content);
                self.meaning = meaning_of(&self.content);
                return kind;
            }
        }
    }
}

struct CodeFile {
    path: String,
    number: usize,
    values: Vec<u32>,
}

impl CodeFile {
    fn render(&self) -> String {
        let mut s = String::with_capacity(64 + FUNCS_PER_FILE * 40);
        let _ = write!(
            s,
            "//! {} (generated by genrepo)\npub const MODULE: u32 = {};\n\n",
            self.path, self.number
        );
        for (i, v) in self.values.iter().enumerate() {
            let _ = writeln!(s, "pub fn f{i:02}() -> u32 {{ {v} }}");
        }
        s
    }
}

// ---------------------------------------------------------------------------------------------
// fast-import stream

struct Stream<W: Write> {
    w: W,
    mark: u64,
    time: u64,
    commits: u64,
}

impl<W: Write> Stream<W> {
    fn commit(
        &mut self,
        who: &Person,
        message: &str,
        from: Option<u64>,
        merge: Option<u64>,
        files: &[(&str, &str)],
    ) -> std::io::Result<u64> {
        self.commit_on("refs/heads/main", who, message, from, merge, files)
    }

    fn commit_on(
        &mut self,
        refname: &str,
        who: &Person,
        message: &str,
        from: Option<u64>,
        merge: Option<u64>,
        files: &[(&str, &str)],
    ) -> std::io::Result<u64> {
        self.mark += 1;
        self.commits += 1;
        self.time += STEP_SECS;
        let (m, t, w) = (self.mark, self.time, &mut self.w);
        write!(w, "commit {refname}\nmark :{m}\n")?;
        writeln!(w, "author {} <{}> {t} +0000", who.name, who.email)?;
        writeln!(w, "committer {} <{}> {t} +0000", who.name, who.email)?;
        write!(w, "data {}\n{message}\n", message.len())?;
        if let Some(f) = from {
            writeln!(w, "from :{f}")?;
        }
        if let Some(f) = merge {
            writeln!(w, "merge :{f}")?;
        }
        for (path, content) in files {
            write!(w, "M 100644 inline {path}\ndata {}\n{content}\n", content.len())?;
        }
        writeln!(w)?;
        Ok(m)
    }
}

#[derive(Default)]
struct Counts {
    code: u64,
    merges: u64,
    edits: u64,
    reflows: u64,
    sign: u64,
    object: u64,
    abstain: u64,
    withdraw: u64,
    on_branch: u64,
}

struct Gen<W: Write> {
    s: Stream<W>,
    rng: Rng,
    parties: u64,
    agreements: Vec<Agreement>,
    files: Vec<CodeFile>,
    dirs: Vec<String>,
    counts: Counts,
    /// The tip of the positions branch, once it has a commit.
    positions_tip: Option<u64>,
}

impl<W: Write> Gen<W> {
    fn code_author(&mut self) -> Person {
        if self.rng.percent(85) {
            Person::dev(self.rng.range(1, DEVS))
        } else {
            Person::party(self.rng.range(1, self.parties))
        }
    }

    /// A commit that touches 1 to 3 code files of one directory; returns (mark, touched paths).
    fn code_commit(&mut self, parent: u64) -> std::io::Result<(u64, Vec<usize>)> {
        let dir = self.rng.index(self.dirs.len());
        let n = self.rng.range(1, 3) as usize;
        let mut touched: Vec<usize> = Vec::with_capacity(n);
        for _ in 0..n {
            let f = dir * FILES_PER_DIR + self.rng.index(FILES_PER_DIR);
            if !touched.contains(&f) {
                touched.push(f);
            }
        }
        for &f in &touched {
            for _ in 0..self.rng.range(1, 2) {
                let v = self.rng.index(FUNCS_PER_FILE);
                self.files[f].values[v] = self.rng.next() as u32 % 10_000_000;
            }
        }
        let verbs =
            ["fix", "tune", "refactor", "speed up", "simplify", "document", "test", "harden"];
        let who = self.code_author();
        let mut msg = format!(
            "{}: {} mod_{:03}\n",
            self.dirs[dir].trim_start_matches("src/"),
            verbs[self.rng.index(verbs.len())],
            self.files[touched[0]].number
        );
        if self.rng.percent(40) {
            msg.push('\n');
            msg.push_str(&random_sentence(&mut self.rng, 8, 20));
            msg.push('\n');
        }
        if self.rng.percent(25) {
            let _ = write!(msg, "\nSigned-off-by: {} <{}>\n", who.name, who.email);
        }
        let rendered: Vec<String> = touched.iter().map(|&f| self.files[f].render()).collect();
        let pairs: Vec<(&str, &str)> = touched
            .iter()
            .zip(&rendered)
            .map(|(&f, r)| (self.files[f].path.as_str(), r.as_str()))
            .collect();
        let mark = self.s.commit(&who, &msg, Some(parent), None, &pairs)?;
        self.counts.code += 1;
        Ok((mark, touched))
    }

    fn edit_commit(&mut self, parent: u64) -> std::io::Result<u64> {
        let a = self.rng.index(self.agreements.len());
        let who = Person::party(self.rng.range(1, self.parties));
        let ag = &mut self.agreements[a];
        let kind = ag.edit(&mut self.rng);
        if kind.starts_with("reflow") {
            self.counts.reflows += 1;
        }
        let msg = format!("agreements: {kind} {}\n", ag.id);
        let path = format!("agreements/{}.toml", ag.id);
        let content = ag.content.clone();
        self.counts.edits += 1;
        self.s.commit(&who, &msg, Some(parent), None, &[(&path, &content)])
    }

    /// A position by `party` (1-based) on agreement `a`: a random kind, or a sign-off. On
    /// `main` on top of `parent` (returns the new mark), or with `on_branch` on the positions
    /// branch (returns `parent`: `main` does not move).
    fn position_commit(
        &mut self,
        parent: u64,
        a: usize,
        party: u64,
        sign_only: bool,
        on_branch: bool,
    ) -> std::io::Result<u64> {
        let roll = if sign_only { 0 } else { self.rng.below(100) };
        let mut a = a;
        let (kind, party) = if roll < 85 {
            ("sign", party)
        } else if roll < 93 {
            ("object", party)
        } else if roll < 97 {
            ("abstain", party)
        } else {
            // A withdrawal needs an open objection of the same party: on this agreement if
            // there is one, else on any agreement.
            let open_on = |ag: &Agreement| -> Vec<u64> {
                (1..=ag.objecting.len() as u64).filter(|&p| ag.objecting[p as usize - 1]).collect()
            };
            let mut open = open_on(&self.agreements[a]);
            if open.is_empty() {
                let with: Vec<usize> = (0..self.agreements.len())
                    .filter(|&i| self.agreements[i].objecting.contains(&true))
                    .collect();
                if !with.is_empty() {
                    a = with[self.rng.index(with.len())];
                    open = open_on(&self.agreements[a]);
                }
            }
            if open.is_empty() {
                ("sign", party)
            } else {
                ("withdraw", open[self.rng.index(open.len())])
            }
        };
        let note = match kind {
            "object" => Some(random_sentence(&mut self.rng, 6, 18)),
            "sign" if self.rng.percent(10) => Some("Looks right to me.".to_string()),
            "abstain" if self.rng.percent(50) => Some(random_sentence(&mut self.rng, 4, 10)),
            "withdraw" if self.rng.percent(50) => {
                Some("Addressed by the latest revision.".to_string())
            }
            _ => None,
        };
        let ag = &mut self.agreements[a];
        ag.objecting[party as usize - 1] = kind == "object";
        let who = Person::party(party);
        let mut msg = format!("accord: {kind} {}\n\n", ag.id);
        if let Some(n) = note {
            msg.push_str(&n);
            msg.push_str("\n\n");
        }
        let _ = write!(
            msg,
            "Accord-Position: {kind}\nAccord-Agreement: {}\nAccord-Revision: {}\n\
             Accord-Party: {} <{}>\nAccord-Meaning: {}\n",
            ag.id, ag.blob, who.name, who.email, ag.meaning
        );
        match kind {
            "sign" => self.counts.sign += 1,
            "object" => self.counts.object += 1,
            "abstain" => self.counts.abstain += 1,
            _ => self.counts.withdraw += 1,
        }
        if on_branch {
            self.counts.on_branch += 1;
            let from = self.positions_tip;
            let mark =
                self.s.commit_on("refs/heads/accord/positions", &who, &msg, from, None, &[])?;
            self.positions_tip = Some(mark);
            return Ok(parent);
        }
        self.s.commit(&who, &msg, Some(parent), None, &[])
    }
}

struct PendingMerge {
    side_tip: u64,
    touched: Vec<usize>,
    countdown: u64,
    number: u64,
}

fn generate<W: Write>(o: &Opts, w: W) -> std::io::Result<Counts> {
    let mut rng = Rng(o.seed ^ 0x6163_636F_7264); // "accord"
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    for area in AREAS {
        for part in PARTS {
            let dir = format!("src/{area}/{part}");
            for _ in 0..FILES_PER_DIR {
                let number = files.len();
                let values = (0..FUNCS_PER_FILE).map(|_| rng.next() as u32 % 10_000_000).collect();
                files.push(CodeFile { path: format!("{dir}/mod_{number:03}.rs"), number, values });
            }
            dirs.push(dir);
        }
    }
    let agreements = (1..=o.agreements).map(|n| Agreement::new(n, o.parties, &mut rng)).collect();
    let mut g = Gen {
        s: Stream { w, mark: 0, time: START_TIME, commits: 0 },
        rng,
        parties: o.parties,
        agreements,
        files,
        dirs,
        counts: Counts::default(),
        positions_tip: None,
    };

    // 1. The first commit: README and every code file.
    let readme =
        "# synthetic monorepo\n\nGenerated by accord's `genrepo` example for benchmarks.\n";
    let rendered: Vec<String> = g.files.iter().map(CodeFile::render).collect();
    let mut pairs: Vec<(&str, &str)> = vec![("README.md", readme)];
    pairs.extend(g.files.iter().zip(&rendered).map(|(f, r)| (f.path.as_str(), r.as_str())));
    let mut tip = g.s.commit(&Person::dev(1), "Initial import\n", None, None, &pairs)?;
    drop(pairs);
    g.counts.code += 1;

    // 2. One commit per agreement.
    for a in 0..g.agreements.len() {
        let ag = &g.agreements[a];
        let msg = format!("agreements: add {}\n", ag.id);
        let path = format!("agreements/{}.toml", ag.id);
        let content = ag.content.clone();
        tip = g.s.commit(&Person::party(1), &msg, Some(tip), None, &[(&path, &content)])?;
    }

    // 3. Edits, positions and code commits in random order; now and then a merged side branch.
    let mut edits = o.edits;
    let mut positions = o.positions;
    let mut code = o.commits - g.s.commits - edits - positions;
    let merge_every = o.merge_every.unwrap_or((o.commits / 20).clamp(50, 5000));
    let mut next_fork = if merge_every == 0 { u64::MAX } else { merge_every };
    let mut pending: Option<PendingMerge> = None;
    let mut branches = 0;
    loop {
        if let Some(p) = pending.as_mut() {
            if p.countdown == 0 || edits + positions + code == 0 {
                let p = pending.take().expect("pending merge");
                let rendered: Vec<String> =
                    p.touched.iter().map(|&f| g.files[f].render()).collect();
                let pairs: Vec<(&str, &str)> = p
                    .touched
                    .iter()
                    .zip(&rendered)
                    .map(|(&f, r)| (g.files[f].path.as_str(), r.as_str()))
                    .collect();
                let who = Person::dev(g.rng.range(1, DEVS));
                let msg = format!("Merge branch 'feature/{}'\n", p.number);
                tip = g.s.commit(&who, &msg, Some(tip), Some(p.side_tip), &pairs)?;
                g.counts.merges += 1;
                continue;
            }
            p.countdown -= 1;
        }
        if edits + positions + code == 0 {
            break;
        }
        if pending.is_none() && g.s.commits >= next_fork && code >= 4 {
            // A side branch: code, a sign-off (code when no positions are left), code; merged later.
            next_fork += merge_every;
            branches += 1;
            let (s1, mut touched) = g.code_commit(tip)?;
            let s2 = if positions > 0 {
                positions -= 1;
                let a = g.rng.index(g.agreements.len());
                let party = g.rng.range(1, g.parties);
                g.position_commit(s1, a, party, true, false)?
            } else {
                code -= 1;
                let (m, t) = g.code_commit(s1)?;
                touched.extend(t);
                m
            };
            let (s3, t) = g.code_commit(s2)?;
            touched.extend(t);
            touched.sort_unstable();
            touched.dedup();
            code -= 3; // s1, s3 and the merge commit
            let countdown = g.rng.range(5, 40);
            pending = Some(PendingMerge { side_tip: s3, touched, countdown, number: branches });
            continue;
        }
        let roll = g.rng.below(edits + positions + code);
        if roll < edits {
            edits -= 1;
            tip = g.edit_commit(tip)?;
        } else if roll < edits + positions {
            positions -= 1;
            let a = g.rng.index(g.agreements.len());
            let party = g.rng.range(1, g.parties);
            let on_branch = g.rng.percent(o.branch_share);
            tip = g.position_commit(tip, a, party, false, on_branch)?;
        } else {
            code -= 1;
            tip = g.code_commit(tip)?.0;
        }
    }
    debug_assert!(pending.is_none());
    g.s.w.write_all(b"done\n")?;
    g.s.w.flush()?;
    assert_eq!(g.s.commits, o.commits, "generated commit count");
    Ok(g.counts)
}

// ---------------------------------------------------------------------------------------------

fn git(dir: &Path, args: &[&str]) -> Result<(), String> {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .status()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`git {}` failed ({status})", args.join(" ")))
    }
}

fn run(o: &Opts) -> Result<(), String> {
    let t0 = Instant::now();
    std::fs::create_dir_all(&o.out)
        .map_err(|e| format!("cannot create {}: {e}", o.out.display()))?;
    git(&o.out, &["init", "-q", "-b", "main"])?;
    let mut child = Command::new("git")
        .arg("-C")
        .arg(&o.out)
        .args(["fast-import", "--quiet", "--done"])
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git fast-import: {e}"))?;
    let stdin = child.stdin.take().expect("piped stdin");
    let result = generate(o, BufWriter::with_capacity(1 << 20, stdin));
    let status = child.wait().map_err(|e| format!("git fast-import: {e}"))?;
    let counts = match (result, status.success()) {
        (Ok(c), true) => c,
        (Err(e), _) => {
            return Err(format!("writing to git fast-import failed: {e} (fast-import: {status})"))
        }
        (Ok(_), false) => return Err(format!("git fast-import failed ({status})")),
    };
    let t_import = t0.elapsed();
    if o.gc {
        git(&o.out, &["gc", "--quiet"])?;
        git(&o.out, &["commit-graph", "write", "--reachable", "--changed-paths", "--no-progress"])?;
    }
    let t_gc = t0.elapsed() - t_import;
    git(&o.out, &["reset", "-q", "--hard"])?;
    let positions = counts.sign + counts.object + counts.abstain + counts.withdraw;
    println!("genrepo: {}", o.out.display());
    println!(
        "  commits     {} ({} code incl. the first, {} merges of side branches, {} agreement additions)",
        o.commits, counts.code, counts.merges, o.agreements
    );
    println!(
        "  agreements  {} (team-0001 .. team-{:04}), {} parties each",
        o.agreements, o.agreements, o.parties
    );
    println!(
        "  positions   {positions} (sign {}, object {}, abstain {}, withdraw {}; {} on accord/positions)",
        counts.sign, counts.object, counts.abstain, counts.withdraw, counts.on_branch
    );
    println!("  edits       {} ({} of them reflows: same meaning)", counts.edits, counts.reflows);
    println!(
        "  elapsed     {:.1} s (fast-import {:.1} s, gc + commit-graph {:.1} s{})",
        t0.elapsed().as_secs_f64(),
        t_import.as_secs_f64(),
        t_gc.as_secs_f64(),
        if o.gc { "" } else { ": skipped" }
    );
    Ok(())
}

fn main() -> ExitCode {
    self_check();
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("genrepo: {e}\n(`genrepo --help` lists the flags)");
            return ExitCode::from(2);
        }
    };
    match std::fs::read_dir(&opts.out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                eprintln!(
                    "genrepo: {} exists and is not empty; remove it or choose another --out",
                    opts.out.display()
                );
                return ExitCode::from(2);
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            eprintln!("genrepo: cannot use {}: {e}", opts.out.display());
            return ExitCode::from(2);
        }
    }
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("genrepo: {e}");
            ExitCode::FAILURE
        }
    }
}
