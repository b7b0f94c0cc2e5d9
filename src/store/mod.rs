//! The only module that talks to git: opening the repository, reading agreement files from the
//! working tree or a commit, walking history into a [`Graph`], and writing position commits
//! with a compare-and-swap on the branch.
//!
//! It returns model types and plain values; it never prints and never decides ratification.
//!
//! The history types, and which to use when:
//!
//! | type | what it is | use it when |
//! |---|---|---|
//! | [`History`] (`snapshot.rs`) | the standing positions reachable from a tip, in SPEC §4's order, remembered across runs so that the next run at the same tip needs no walk | deciding states (`status`, `sign`): [`Store::history`]; it walks a [`Graph`] only when asked ([`History::graph`]) |
//! | [`Graph`] (`graph.rs`) | every commit reachable from a tip as [`Node`]s linked by index, with SPEC §4's order over them ([`Graph::order`]) | anything that needs the whole history: `log`, `history`, `verify`, `review`, `due`; [`Store::graph`], [`Store::graph_for`] (one agreement), [`Store::graph_full`] (every message, for `verify`) |
//! | [`Node`] | one commit of a [`Graph`]: id, tree, parent indices, committer time, [`CommitKind`] | reading a [`Graph`] |
//! | [`CommitKind`] (`raw_commit.rs`) | what a commit says to accord: a position, malformed trailers, or nothing | telling positions apart in a [`Graph`] |
//! | [`RawCommit`] (`raw_commit.rs`) | the fields of a raw commit object, parsed by hand | inside `store` (and its tests) only |
//! | [`CommitGraph`] (`commit_graph.rs`) | a reader of git's own commit-graph files (parents, trees, times, Bloom filters by position) | never outside `store`: the walk uses it as a shortcut and falls back to reading commits |
//! | `Cache` (`cache.rs`) | accord's event cache: what each commit said, so that the next walk reads only new commits | never outside `store` |
//!
//! Paths along a [`Graph`] (which blob a file was at each commit, every blob a folder held) are
//! in `path_history.rs`; the walk itself in `walk.rs`; errors in `error.rs`.

// The one module allowed to use git2 and to run git (see clippy.toml).
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use git2::{ErrorCode, ObjectType, Oid, Repository, RepositoryState};

use crate::error::{Error, Result};
use crate::model;
use crate::oid::ObjectId;

mod branch_cache;
mod cache;
mod commit_graph;
mod counted_cache;
mod env_config;
mod error;
mod file_edits;
mod folder_index;
mod graph;
mod id_hash;
mod mailmap;
mod mapped;
mod pack;
mod path_history;
mod positions;
mod prefetch;
mod process;
mod raw_commit;
mod read_ahead;
mod renames;
mod review_cache;
mod revisions;
mod skeleton;
mod snapshot;
mod sync;
mod timeline;
mod timeline_cache;
mod walk;

pub use commit_graph::{BloomKey, CommitGraph, CommitGraphError, PathChange};
pub use counted_cache::{first_per_email, Counted, Learnt};
pub use error::StoreError;
pub use graph::{Graph, Node, Parents};
pub use mailmap::IdentityMap;
pub use positions::{valid_branch_name, PositionWrite, DEFAULT_BRANCH};
pub use process::run_program;
pub use raw_commit::{classify, parse_commit, CommitKind, RawCommit};
pub use renames::{position_is, retain_placed, Claim, RenamedAway};
pub use review_cache::{ReviewKey, Reviewed};
pub use revisions::{fingerprint, AgreementRevisions, Source};
pub(crate) use revisions::{from_oid, to_oid};
pub use snapshot::{History, NOT_RENAMED};
pub use sync::{SyncReport, SyncState};
pub use timeline::{Edit, Event, Timeline};

/// The tree-entry mode of a symbolic link.
const LINK_MODE: i32 = 0o120000;

fn symlink_error(path: &str) -> Error {
    Error::new(format!("{path} is a symbolic link; accord reads only plain files"))
        .hint("replace the link with the file's own content and commit it")
}

/// Signs a commit buffer, returning the armoured signature.
pub type SignFn<'a> = dyn Fn(&[u8]) -> Result<String> + 'a;

/// The one reader of `accord.toml` (SPEC §2): parsed and checked, from whichever side's bytes.
pub fn parse_project_config(bytes: &[u8], what: &str) -> Result<ProjectConfig> {
    let text =
        std::str::from_utf8(bytes).map_err(|_| Error::new(format!("{what}: not valid UTF-8")))?;
    let config: ProjectConfig = toml::from_str(text).map_err(|e| {
        // Where, as for an agreement file: `accord.toml:4:1: …` (then what it was read from).
        let (file, rest) = what.split_once(' ').map_or((what, ""), |(f, r)| (f, r));
        let place = match e.span() {
            Some(span) => {
                let before = &text.as_bytes()[..span.start.min(text.len())];
                let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
                let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
                format!("{file}:{line}:{column}")
            }
            None => file.to_string(),
        };
        let rest = if rest.is_empty() { String::new() } else { format!(" ({rest})") };
        Error::new(format!("{place}{rest}: {}", e.message().trim_end().replace('\n', ": ")))
            .hint("accord.toml knows `dir`, `allowed_signers` and `positions_branch`")
    })?;
    if let Some(b) = &config.positions_branch {
        if !positions::valid_branch_name(b) {
            return Err(Error::new(format!(
                "{what}: positions_branch = \"{b}\" is not a valid branch name"
            ))
            .hint("name a branch as for `git branch`, e.g. accord/positions"));
        }
    }
    if let Some(file) = &config.allowed_signers {
        let f = file.trim_start_matches('/');
        if f.is_empty() || f.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
            return Err(Error::new(format!(
                "{what}: allowed_signers = \"{file}\" must name a file inside the repository"
            ))
            .hint("name it from the repository root, without `./` or `..`: allowed_signers = \".github/allowed_signers\""));
        }
    }
    if let Some(dir) = &config.dir {
        let d = dir.trim_matches('/');
        if d.is_empty()
            || dir.starts_with('/')
            || d.split('/').any(|c| c.is_empty() || c == "." || c == "..")
            || d.split('/').next().is_some_and(|c| c.eq_ignore_ascii_case(".git"))
        {
            return Err(Error::new(format!(
                "{what}: dir = \"{dir}\" must be a folder inside the repository"
            ))
            .hint("name it from the repository root, without `./` or `..`: dir = \"charters\""));
        }
    }
    Ok(config)
}

/// git's blob id of `bytes` (what the file would be if committed).
pub fn hash_blob(bytes: &[u8]) -> Result<ObjectId> {
    Ok(Oid::hash_object(ObjectType::Blob, bytes)?.into())
}

/// `~/` at the start of a configured path means the home folder, as git reads it.
pub fn expand_home(path: &str, home: Option<&std::ffi::OsStr>) -> PathBuf {
    match (
        path.strip_prefix("~/"),
        home.map(Path::new).or(std::env::var_os("HOME").as_deref().map(Path::new)),
    ) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// The SSH allowed-signers file a verification uses.
pub struct AllowedSigners {
    pub path: PathBuf,
    /// The committed file, copied out of the object database; removed when dropped.
    _temp: Option<tempfile::NamedTempFile>,
}

/// The optional `accord.toml` at the repository root.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    /// Folder of the agreements, from the repository root (default `agreements`).
    pub dir: Option<String>,
    /// Path of an SSH allowed-signers file, from the repository root.
    pub allowed_signers: Option<String>,
    /// The branch positions are recorded on (default `accord/positions`).
    pub positions_branch: Option<String>,
}

impl ProjectConfig {
    /// The folder agreements live in under this configuration (the default when unset).
    pub fn agreements_dir(&self) -> String {
        self.dir.as_deref().unwrap_or("agreements").trim_matches('/').to_string()
    }

    /// The positions branch under this configuration (the default when unset).
    pub fn positions_branch_name(&self) -> &str {
        self.positions_branch.as_deref().unwrap_or(DEFAULT_BRANCH)
    }

    /// Whether `other` puts agreements or positions somewhere else, compared as each takes
    /// effect (a file that states a default moves nothing).
    pub fn moves_from(&self, other: &ProjectConfig) -> bool {
        self.agreements_dir() != other.agreements_dir()
            || self.positions_branch_name() != other.positions_branch_name()
    }
}

/// The caches of facts about objects alone (no time of a range under review in them): a
/// range judged on copies of its own hands them back ([`Store::hand_back_object_caches`]).
const OBJECT_CACHES: [&str; 3] = [cache::FILE, folder_index::FILE, branch_cache::FILE];

/// The commits a range under review trusts (those its base's history holds), as a set that is
/// small beside the walk it comes from: a bit per commit of git's commit-graph, and the ids of
/// the few commits the commit-graph does not hold.
pub(crate) struct Trusted {
    base: Oid,
    commit_graph: Option<CommitGraph>,
    in_graph: Vec<u64>,
    loose: std::collections::HashSet<Oid>,
    /// The base's own committer time.
    pub(crate) base_time: i64,
}

impl Trusted {
    /// The commits of `g` that its node `start`, the base, reaches (all of its history: `g`
    /// holds every ancestor of each of its commits), before any time in `g` is floored.
    fn reached_from(g: &Graph, start: usize, commit_graph: Option<CommitGraph>) -> Trusted {
        let len = commit_graph.as_ref().map_or(0, |c| c.len() as usize);
        let mut t = Trusted {
            base: g.nodes[start].id,
            commit_graph,
            in_graph: vec![0; len.div_ceil(64)],
            loose: Default::default(),
            base_time: g.nodes[start].time,
        };
        let mut seen = vec![false; g.nodes.len()];
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            let n = &g.nodes[i];
            match t.position(n) {
                Some(p) => t.in_graph[p as usize / 64] |= 1 << (p % 64),
                None => {
                    t.loose.insert(n.id);
                }
            }
            stack.extend(n.parents.iter().map(|&p| p as usize));
        }
        t
    }

    /// Where the commit-graph holds `n` (the walk's answer when it used the same one).
    fn position(&self, n: &graph::Node) -> Option<u32> {
        let c = self.commit_graph.as_ref()?;
        n.graph_pos
            .or_else(|| c.lookup(n.id.as_bytes()))
            .filter(|&p| (p as usize) < c.len() as usize)
    }

    /// Whether the base's history holds the commit of `n`.
    pub(crate) fn holds(&self, n: &graph::Node) -> bool {
        match self.position(n) {
            Some(p) => self.in_graph[p as usize / 64] & (1 << (p % 64)) != 0,
            None => self.loose.contains(&n.id),
        }
    }
}

pub struct Store {
    repo: Repository,
    config: ProjectConfig,
    dir: String,
    /// The bottoms (commits with no parent present) of the last history walked into a
    /// [`Graph`] in this process, by its tip: the positions-branch cache reads them.
    walked: std::cell::RefCell<Option<(Oid, Vec<Oid>)>>,
    /// For judging a range (`review`): its base, and the time no commit outside the base's
    /// history is taken to be older than ([`Store::judge_range_from`]).
    time_floor: std::cell::Cell<Option<(Oid, i64)>>,
    /// The tip whose skeleton this process wrote, or found written (`skeleton.rs`).
    skeleton_saved: std::cell::Cell<Option<Oid>>,
    /// The skeleton read for a tip, with the event cache its positions come from.
    #[allow(clippy::type_complexity)]
    skeleton_memo: std::cell::RefCell<
        Option<(Oid, std::rc::Rc<skeleton::Skeleton>, std::rc::Rc<cache::Cache>)>,
    >,
    /// The commits of the base's history, once a walk found them ([`Store::trusted`]).
    trusted: std::cell::RefCell<Option<std::sync::Arc<Trusted>>>,
    /// The caches' folder while judging a range ([`Store::judge_range_from`]).
    own_state: std::cell::RefCell<Option<tempfile::TempDir>>,
    /// The last full histories walked in this process, by their tips, newest first, shared
    /// by every timeline ([`Store::shared_graph`]).
    graph_memo: std::cell::RefCell<Vec<(Oid, std::sync::Arc<Graph>)>>,
    /// The last answer of the positions-branch cache.
    branch_memo: std::cell::RefCell<Option<std::sync::Arc<branch_cache::Answer>>>,
    /// Agreements' timelines at one tip (`timeline_cache.rs`), written when dropped.
    timelines: std::cell::RefCell<timeline_cache::Timelines>,
    /// The last answer of [`Store::quiet_since`]: (base, tip, agreements folder, answer).
    quiet_memo: std::cell::RefCell<Option<(Oid, Oid, String, bool)>>,
    /// Agreements parsed from blobs in this process, by blob and path (`None`: not schema 1).
    parsed: std::cell::RefCell<ParsedMemo>,
    /// The pack files, opened on the first bulk read (`pack.rs`).
    packs: std::cell::OnceCell<Arc<pack::Packs>>,
    /// git's commit-graph, read once per process (`walk.rs`); clones share the file's bytes.
    commit_graph: std::cell::OnceCell<Option<CommitGraph>>,
    /// The commit-graph being read on a thread of its own ([`Store::commit_graph_ahead`]).
    commit_graph_ahead: std::cell::RefCell<Option<std::thread::JoinHandle<Option<CommitGraph>>>>,
    /// The event cache being loaded on a thread of its own, with the folder it is read from
    /// ([`Store::events_ahead`]).
    events_ahead: std::cell::RefCell<Option<(PathBuf, std::thread::JoinHandle<cache::Cache>)>>,
    /// The positions branch being read ahead on a thread of its own (`prefetch.rs`): `None`
    /// until asked for, then the thread until its answer is taken (once per process).
    branch_ahead:
        std::cell::RefCell<Option<Option<std::thread::JoinHandle<Option<prefetch::ReadAhead>>>>>,
    /// The positions-branch cache file being read and ordered ahead
    /// ([`Store::read_positions_branch_file_ahead`]).
    branch_file_ahead:
        std::cell::RefCell<Option<std::thread::JoinHandle<Option<branch_cache::FileAhead>>>>,
    /// Work the next walk does on this thread while other threads read its messages
    /// ([`Store::texts_meanwhile`]).
    meanwhile: std::cell::Cell<Meanwhile>,
    /// The agreement files a sparse checkout leaves out, read from the index once
    /// ([`Store::left_out_by_sparse_checkout`]).
    left_out: std::cell::OnceCell<std::collections::BTreeMap<String, Oid>>,
    /// Texts being read ahead on a thread of its own (`read_ahead.rs`).
    texts_ahead: std::cell::RefCell<Option<read_ahead::TextsAhead>>,
    /// One file's blobs along a walked history, answered while the walk's messages were read
    /// ([`Meanwhile::Blobs`]): the history's tip and size, the path, the answer.
    blobs_ahead: std::cell::RefCell<Option<BlobsAhead>>,
    /// Cache files being written on threads of their own, waited for before a walk reads the
    /// cache again and when the store is dropped.
    writes: std::cell::RefCell<Vec<std::thread::JoinHandle<()>>>,
    /// The positions-branch cache being written on a thread of its own, waited for before it is
    /// read again (`branch_cache.rs`) and when the store is dropped.
    branch_write: std::cell::RefCell<Option<std::thread::JoinHandle<()>>>,
}

/// What a walk may do on its own thread while its messages are read on others: work that
/// needs the commits and trees of the history but none of its messages, which a cold run
/// would otherwise do after them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum Meanwhile {
    #[default]
    Nothing,
    /// Build the folder-change index of the agreements folder (`folder_index.rs`), then start
    /// reading every text these agreements had on a thread of its own (`read_ahead.rs`).
    Texts(Vec<String>),
    /// Answer which blob this file was at each commit ([`Store::blobs_along`]) for the
    /// timeline of one agreement (`history`, `log`), kept in [`Store::blobs_ahead`] for it.
    Blobs(String),
}

/// [`Store::blobs_along`]'s answer for one path, ahead of the question: the history's tip and
/// number of commits, the path, the answer.
type BlobsAhead = (Oid, usize, String, Vec<Option<Oid>>);

/// Agreements parsed from blobs, by blob and path (`None`: not schema 1).
type ParsedMemo = std::collections::HashMap<(Oid, String), Option<Arc<model::Agreement>>>;

/// Where an agreement file stands against HEAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    Clean,
    Modified,
    Untracked,
    Missing,
}

/// A git identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub email: String,
    /// Seconds since the epoch and offset in minutes, from `GIT_*_DATE` when set.
    pub when: Option<(i64, i32)>,
}

impl Store {
    /// Open the repository containing `start` (or the current directory), as git does.
    pub fn open(start: Option<&Path>) -> Result<Store> {
        // git refuses to run with configuration in the environment it cannot read.
        env_config::check()?;
        let from_env = start.is_none();
        let start: PathBuf = match start {
            Some(p) => p.to_path_buf(),
            None => std::env::current_dir()?,
        };
        if !start.exists() {
            return Err(Error::new(format!(
                "cannot change to `{}`: no such folder",
                start.display()
            )));
        }
        // From the current folder, as git finds it: GIT_DIR, GIT_WORK_TREE, GIT_OBJECT_DIRECTORY
        // (a pre-receive hook's quarantine) and the rest are honoured.
        let found = match from_env {
            true => Repository::open_from_env(),
            false => Repository::discover(&start),
        };
        let repo = found.map_err(|e| {
            if e.code() == ErrorCode::NotFound {
                Error::new(format!("not a git repository: {}", start.display()))
                    .hint("run `git init` first, or pass -C <path> to a repository")
            } else if e.code() == ErrorCode::Owner {
                // libgit2 names the folder it refused between quotes.
                let folder = e.message().split('\'').nth(1).map_or(start.clone(), PathBuf::from);
                Error::new(format!(
                    "detected dubious ownership in repository at `{}`: another user owns it",
                    folder.display()
                ))
                .hint(format!(
                    "if you trust it: git config --global --add safe.directory {} (accord reads \
                     safe.directory from git's configuration files, not from `git -c` or \
                     GIT_CONFIG_COUNT)",
                    folder.display()
                ))
            } else if e.message().contains("refstorage") {
                Error::new("this repository keeps its refs in a reftable, which accord cannot read")
                    .hint("use a clone with the files ref format: `git clone --ref-format=files <url>`")
            } else if e.message().contains("sha256") {
                Error::new("this repository names objects by SHA-256; accord reads SHA-1 repositories")
                    .hint("use a SHA-1 repository (git's default: `git init`)")
            } else {
                e.into()
            }
        })?;
        // git does not re-hash objects on every read either; the walk reads thousands.
        git2::opts::strict_hash_verification(false);
        let mut store = Store {
            repo,
            config: ProjectConfig::default(),
            dir: "agreements".into(),
            walked: Default::default(),
            time_floor: Default::default(),
            skeleton_saved: Default::default(),
            skeleton_memo: Default::default(),
            trusted: Default::default(),
            own_state: Default::default(),
            graph_memo: Default::default(),
            branch_memo: Default::default(),
            timelines: Default::default(),
            quiet_memo: Default::default(),
            parsed: Default::default(),
            packs: Default::default(),
            commit_graph: Default::default(),
            commit_graph_ahead: Default::default(),
            events_ahead: Default::default(),
            branch_ahead: Default::default(),
            branch_file_ahead: Default::default(),
            meanwhile: Default::default(),
            left_out: Default::default(),
            texts_ahead: Default::default(),
            blobs_ahead: Default::default(),
            writes: Default::default(),
            branch_write: Default::default(),
        };
        store.load_config()?;
        Ok(store)
    }

    fn load_config(&mut self) -> Result<()> {
        let bytes = match self.repo.workdir() {
            Some(w) => match std::fs::read(w.join("accord.toml")) {
                Ok(b) => Some(b),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(Error::new(format!("cannot read accord.toml: {e}"))),
            },
            None => match self.head()? {
                Some(h) => self.blob_at(h, "accord.toml")?.map(|(_, b)| b),
                None => None,
            },
        };
        if let Some(bytes) = bytes {
            self.config = parse_project_config(&bytes, "accord.toml")?;
            if let Some(dir) = &self.config.dir {
                self.dir = dir.trim_matches('/').to_string();
            }
        }
        Ok(())
    }

    pub fn config(&self) -> &ProjectConfig {
        &self.config
    }

    pub fn is_bare(&self) -> bool {
        self.repo.is_bare()
    }

    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// The promisor remote of a partial clone (`git clone --filter=...`): objects it left out
    /// are fetched by git on demand, which libgit2 and accord's own readers do not do.
    pub fn partial_clone_remote(&self) -> Option<String> {
        let config = self.repo.config().ok()?;
        if let Ok(remote) = config.get_string("extensions.partialclone") {
            return Some(remote);
        }
        let mut entries = config.entries(Some(r"remote\..*\.promisor")).ok()?;
        while let Some(Ok(e)) = entries.next() {
            if e.value().is_some_and(|v| matches!(v, "true" | "yes" | "on" | "1")) {
                let name = e.name()?.strip_prefix("remote.")?.strip_suffix(".promisor")?;
                return Some(name.to_string());
            }
        }
        None
    }

    /// The commits where a shallow clone's history is cut off (empty when it is not shallow).
    pub fn shallow_boundary(&self) -> Result<Vec<ObjectId>> {
        let text = match std::fs::read_to_string(self.repo.commondir().join("shallow")) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        Ok(text.lines().filter_map(|l| l.trim().parse().ok()).collect())
    }

    /// Whether a gate judging the agreements at `paths` could be misled by a shallow history:
    /// some commit where history is cut off already has one of those files, so an older
    /// position or edit of it may be missing (SPEC §9: gates fail closed then).
    pub fn shallow_could_hide(&self, paths: &[String]) -> Result<bool> {
        let boundary = self.shallow_boundary()?;
        // The positions branch cut short (`git fetch --depth 1 origin accord/positions`): any
        // position below the cut could be the one that blocks.
        let tips = self.positions_refs(self.positions_branch())?;
        for &commit in &boundary {
            for (_, tip) in &tips {
                let (tip, commit): (Oid, Oid) = ((*tip).into(), commit.into());
                if tip == commit || self.repo.graph_descendant_of(tip, commit).unwrap_or(true) {
                    return Ok(true);
                }
            }
        }
        for commit in boundary {
            for path in paths {
                // A boundary commit whose object is missing hides everything.
                match self.blob_at(commit, path) {
                    Ok(Some(_)) => return Ok(true),
                    Ok(None) => {}
                    Err(_) => return Ok(true),
                }
            }
        }
        Ok(false)
    }

    /// The moment commands judge at: now, or under review the moment the range's own commits
    /// are judged as made at ([`Store::judge_range_from`]).
    pub fn judging_moment(&self) -> i64 {
        self.time_floor.get().map_or_else(review_cache::now, |f| f.1)
    }

    /// Judge a range's head with the commits `base` does not reach taken as made now, at the
    /// earliest. SPEC §4 judges by committer times, and a pull request's author chooses its
    /// commits' times: an edit dated before the sign-offs on the text it replaces would make
    /// that text look never ratified (its rules in force skipped), hide an objection from the
    /// amended text, or count a reverted text's old sign-offs again. The base's history keeps
    /// its own times. Walks `base` first. The caches of this process then live in a folder of
    /// its own beside the repository's, deleted at the end: those of judged answers start empty
    /// (the repository's hold answers under its own times), and those of what objects say
    /// (events, the folder index, the positions branch) start as the repository's files.
    pub fn judge_range_from(&self, base: ObjectId) -> Result<()> {
        let now = review_cache::now();
        // Beside the repository's caches, so that each starts as a hard link to the
        // repository's file: every cache is rewritten by renaming a new file over it, never in
        // place, so a link is a copy that costs nothing (4 MB copied at 100,000 commits), and
        // a file still linked at the end learnt nothing to hand back.
        let shared = self.shared_state_dir();
        let beside = match cache::no_cache() {
            // (Nothing of accord's is written to the repository then.)
            true => Err(std::io::ErrorKind::Unsupported.into()),
            false => std::fs::create_dir_all(&shared)
                .and_then(|()| tempfile::Builder::new().prefix("range-").tempdir_in(&shared)),
        };
        let own = match beside {
            Ok(own) => own,
            Err(_) => tempfile::tempdir()?,
        };
        // An earlier walk may still be writing what it read.
        self.finish_writes();
        for file in OBJECT_CACHES {
            let (theirs, ours) = (shared.join(file), own.path().join(file));
            // (A missing or unreadable file is a cold cache, as anywhere.)
            if std::fs::hard_link(&theirs, &ours).is_err() {
                let _ = std::fs::copy(&theirs, &ours);
            }
        }
        *self.own_state.borrow_mut() = Some(own);
        // Which commits the base's history holds is found by the first walk that holds the
        // base (mostly the head's, which holds it all), as a bit per commit of the
        // commit-graph: no walk of the base of its own, and no second history in memory.
        self.time_floor.set(Some((base.into(), now)));
        Ok(())
    }

    /// The commits `base`'s history holds: found by a walk that held the base already, else
    /// by walking it now.
    pub(crate) fn trusted(&self, base: ObjectId) -> Result<std::sync::Arc<Trusted>> {
        let base: Oid = base.into();
        if let Some(t) = self.trusted_known(base) {
            return Ok(t);
        }
        let g = self.walk(base, false, self.commit_graph(), None)?;
        Ok(self.trusted_within(&g, base).expect("a walk holds its own tip"))
    }

    /// The commits `base`'s history holds, when a walk found them already.
    fn trusted_known(&self, base: Oid) -> Option<std::sync::Arc<Trusted>> {
        self.trusted.borrow().as_ref().filter(|t| t.base == base).cloned()
    }

    /// The commits `base`'s history holds, when `g` holds `base` (then it holds all of them);
    /// remembered for the next caller.
    pub(super) fn trusted_within(&self, g: &Graph, base: Oid) -> Option<std::sync::Arc<Trusted>> {
        if let Some(t) = self.trusted_known(base) {
            return Some(t);
        }
        let start = g.nodes.iter().position(|n| n.id == base)?;
        let t = std::sync::Arc::new(Trusted::reached_from(g, start, self.commit_graph()));
        *self.trusted.borrow_mut() = Some(t.clone());
        Some(t)
    }

    /// After a range was judged on caches of its own ([`Store::judge_range_from`]): the
    /// caches of what objects say (events, the folder index, the positions branch) hold facts
    /// that do not depend on the range's times, so what the range learnt there is handed back
    /// to the repository's, for the next run (another `review` of a pull request, a
    /// `status`). Each file replaces the repository's in one rename, and only when it differs.
    pub(super) fn hand_back_object_caches(&self) {
        let Some(own) = self.own_state.borrow().as_ref().map(|d| d.path().to_path_buf()) else {
            return;
        };
        if cache::no_cache() {
            return;
        }
        let shared = self.shared_state_dir();
        for file in OBJECT_CACHES {
            if cache::same_file(&own.join(file), &shared.join(file)) {
                continue;
            }
            let Ok(ours) = cache::read(own.join(file)) else { continue };
            if cache::read(shared.join(file)).is_ok_and(|theirs| theirs == ours) {
                continue;
            }
            // (A cache not written only costs the next run time.)
            let _ = cache::put_in_place(&shared, file, &ours);
        }
    }

    /// Judge with another `accord.toml` (for `review`, which reads the base side's).
    pub fn set_config(&mut self, config: ProjectConfig) {
        self.dir = config.agreements_dir();
        self.config = config;
    }

    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    pub fn agreements_dir(&self) -> &str {
        &self.dir
    }

    /// `agreements/<id>.toml`, from the repository root.
    pub fn path_of(&self, id: &str) -> String {
        format!("{}/{id}.toml", self.dir)
    }

    /// The commit HEAD points to, or `None` on an unborn branch.
    pub fn head(&self) -> Result<Option<ObjectId>> {
        match self.repo.head() {
            Ok(r) => match r.peel_to_commit() {
                Ok(c) => Ok(Some(c.id().into())),
                Err(e) => Err(self.unreadable("HEAD", r.target()).unwrap_or_else(|| e.into())),
            },
            Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// HEAD, or an error that says the branch has no commits yet.
    pub fn head_required(&self) -> Result<ObjectId> {
        self.head()?.ok_or_else(|| {
            Error::new("the current branch has no commits yet")
                .hint("commit the agreement first: git add agreements && git commit")
        })
    }

    /// A revision (commit, tag, branch, `HEAD~2`…) to a commit id.
    /// The committer time of `commit`, seconds since the epoch.
    pub fn commit_time(&self, commit: ObjectId) -> Result<i64> {
        Ok(self.repo.find_commit(commit.into())?.time().seconds())
    }

    pub fn resolve(&self, rev: &str) -> Result<ObjectId> {
        // libgit2's wording ("revspec 'x' not found", "parent 0 does not exist") is not the
        // user's: say what was typed and what exists.
        let obj = self.repo.revparse_single(rev).map_err(|_| {
            // A name or id of a commit that is there but libgit2 cannot parse is no typo
            // (nor is `HEAD~1` on top of one).
            let name = rev.find(['~', '^']).map_or(rev, |i| &rev[..i]);
            let target = match Oid::from_str(name) {
                Ok(id) if name.len() == 40 => Some(id),
                _ => self
                    .repo
                    .resolve_reference_from_short_name(name)
                    .ok()
                    .and_then(|r| r.resolve().ok())
                    .and_then(|r| r.target()),
            };
            match self.unreadable(&format!("`{name}`"), target) {
                Some(err) => err,
                None => self.unknown_revision(rev),
            }
        })?;
        let commit = obj
            .peel_to_commit()
            .map_err(|_| Error::new(format!("`{rev}` does not name a commit")))?;
        Ok(commit.id().into())
    }

    /// The blob at `path` in `commit`, with its id.
    pub fn blob_at(
        &self,
        commit: impl Into<Oid>,
        path: &str,
    ) -> Result<Option<(ObjectId, Vec<u8>)>> {
        let tree = self.repo.find_commit(commit.into())?.tree()?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(e) => e,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        if entry.filemode() == LINK_MODE {
            return Err(symlink_error(path));
        }
        let blob = self.repo.find_blob(entry.id())?;
        Ok(Some((entry.id().into(), blob.content().to_vec())))
    }

    /// The content of a blob, or `None` when the repository lacks it or it is not a blob.
    pub fn read_blob(&self, id: impl Into<Oid>) -> Result<Option<Vec<u8>>> {
        Ok(self.read_blobs(&[ObjectId::from(id.into())])?.into_values().next())
    }

    /// The blobs among `ids`, read through one pack reader (libgit2 for what the packs lack):
    /// libgit2 maps the pack and its index, and every page its reads touch counts as accord's
    /// memory (2 MB a page when the page cache holds the file in large folios: the texts of one
    /// agreement read through libgit2 took a first `history` at a million commits past
    /// 500 MB); a few lookups search the index file rather than load it ([`pack`]'s lone
    /// lookups). Ids that are missing or not blobs are left out.
    pub fn read_blobs(
        &self,
        ids: &[ObjectId],
    ) -> Result<std::collections::HashMap<ObjectId, Vec<u8>>> {
        let packs = self.packs();
        let mut out = std::collections::HashMap::with_capacity(ids.len());
        let mut objects = pack::Objects::new(&packs, self.repo.odb()?);
        for &id in ids {
            if let Some((git2::ObjectType::Blob, bytes)) = objects.read(id.into())? {
                out.insert(id, bytes);
            }
        }
        Ok(out)
    }

    /// The repository's packs, for bulk reads that should not map them (`pack.rs`).
    fn packs(&self) -> Arc<pack::Packs> {
        let open = || {
            // The reader knows SHA-1 ids only; another object format is libgit2's to read.
            let format =
                self.repo.config().ok().and_then(|c| c.get_string("extensions.objectformat").ok());
            match format {
                Some(f) if !f.eq_ignore_ascii_case("sha1") => pack::Packs::none(),
                _ => pack::Packs::open(&self.repo.commondir().join("objects")),
            }
        };
        self.packs.get_or_init(|| Arc::new(open())).clone()
    }

    /// The agreement in blob `id` read as the file `path`, parsed (not validated) once per
    /// process; `None` when the blob is missing or does not parse as schema 1.
    pub fn parsed(&self, id: impl Into<Oid>, path: &str) -> Result<Option<Arc<model::Agreement>>> {
        let id: Oid = id.into();
        let key = (id, path.to_string());
        if let Some(a) = self.parsed.borrow().get(&key) {
            return Ok(a.clone());
        }
        let a = match self.read_blob(id)? {
            Some(bytes) => model::parse(&bytes, path).ok().map(Arc::new),
            None => None,
        };
        self.parsed.borrow_mut().insert(key, a.clone());
        Ok(a)
    }

    /// The agreement at blob `id` under `path` when this process has parsed it already (as
    /// [`Store::parsed`] or a read-ahead did), without reading it.
    pub(crate) fn parsed_already(
        &self,
        id: impl Into<Oid>,
        path: &str,
    ) -> Option<Arc<model::Agreement>> {
        self.parsed.borrow().get(&(id.into(), path.to_string())).cloned().flatten()
    }

    /// Wait for the cache files being written on other threads.
    fn finish_writes(&self) {
        self.finish_branch_write();
        for w in self.writes.borrow_mut().drain(..) {
            // A writer that panicked wrote nothing: the cache is only an optimisation.
            let _ = w.join();
        }
    }

    /// Wait for the positions-branch cache being written, if it is.
    fn finish_branch_write(&self) {
        if let Some(w) = self.branch_write.borrow_mut().take() {
            // As above: a writer that panicked wrote nothing.
            let _ = w.join();
        }
    }

    /// Agreement ids and blob ids in the agreements folder of `commit`, sorted by id.
    pub fn ids_at(&self, commit: impl Into<Oid>) -> Result<Vec<(String, ObjectId)>> {
        let commit_id: Oid = commit.into();
        let tree = self.repo.find_commit(commit_id)?.tree()?;
        self.refuse_folder_named_twice(commit_id, &tree)?;
        let dir = match tree.get_path(Path::new(&self.dir)) {
            Ok(e) if e.kind() == Some(ObjectType::Tree) => self.repo.find_tree(e.id())?,
            Ok(_) => return Ok(Vec::new()),
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = Vec::new();
        for entry in dir.iter() {
            if entry.kind() != Some(ObjectType::Blob) {
                continue;
            }
            if let Some(id) = entry.name().and_then(|n| n.strip_suffix(".toml")) {
                if model::valid_id(id) {
                    if entry.filemode() == LINK_MODE {
                        return Err(symlink_error(&self.path_of(id)));
                    }
                    out.push((id.to_string(), entry.id().into()));
                }
            }
        }
        out.sort();
        // A tree that names a file twice (made by hand: git itself never writes one, and
        // `git fsck` calls it duplicateEntries) has no one text for that agreement: readers
        // disagree on which entry wins, so it is refused rather than judged.
        if let Some(w) = out.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(Error::new(format!(
                "commit {} holds {} twice in one tree",
                ObjectId::from(commit_id).short(),
                self.path_of(&w[0].0)
            ))
            .hint("git fsck reports it (duplicateEntries); rewrite that commit, and have the host check pushes (receive.fsckObjects)"));
        }
        Ok(out)
    }

    /// Refuse a tree that names the agreements folder, or a folder on the way to it, twice
    /// (made by hand, as a file named twice below): git checks out one of them and readers
    /// disagree on which, so a review could judge one folder while the merge takes the other.
    fn refuse_folder_named_twice(&self, commit: Oid, root: &git2::Tree<'_>) -> Result<()> {
        let mut tree = root.clone();
        let mut path = String::new();
        for part in self.dir.split('/') {
            path = if path.is_empty() { part.to_string() } else { format!("{path}/{part}") };
            let named: Vec<(Option<ObjectType>, Oid)> = tree
                .iter()
                .filter(|e| e.name_bytes() == part.as_bytes())
                .map(|e| (e.kind(), e.id()))
                .collect();
            match named.as_slice() {
                [(Some(ObjectType::Tree), id)] => tree = self.repo.find_tree(*id)?,
                [_, _, ..] => {
                    return Err(Error::new(format!(
                        "commit {} holds {path} twice in one tree",
                        ObjectId::from(commit).short()
                    ))
                    .hint("git fsck reports it (duplicateEntries); rewrite that commit, and have the host check pushes (receive.fsckObjects)"));
                }
                _ => return Ok(()),
            }
        }
        Ok(())
    }

    /// Agreement ids present in the working tree (in a bare repository, at HEAD), sorted.
    pub fn ids_current(&self) -> Result<Vec<String>> {
        let Some(work) = self.repo.workdir() else {
            return match self.head()? {
                Some(h) => Ok(self.ids_at(h)?.into_iter().map(|(id, _)| id).collect()),
                None => Ok(Vec::new()),
            };
        };
        let dir = work.join(&self.dir);
        // Files a sparse checkout leaves out are current as the index holds them.
        let mut out: Vec<String> = self.left_out_by_sparse_checkout()?.keys().cloned().collect();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => Some(e),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::new(format!("cannot read {}: {e}", self.dir))),
        };
        for entry in entries.into_iter().flatten() {
            let name = entry?.file_name();
            let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".toml")) else { continue };
            if model::valid_id(id) {
                out.push(id.to_string());
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The agreement files a sparse checkout leaves out of the working tree (their index
    /// entries marked skip-worktree), by id, with the blob the index holds: git counts them as
    /// unchanged, and so does accord. The index is read once per store.
    fn left_out_by_sparse_checkout(&self) -> Result<&std::collections::BTreeMap<String, Oid>> {
        if let Some(known) = self.left_out.get() {
            return Ok(known);
        }
        // GIT_INDEX_ENTRY_SKIP_WORKTREE, in an entry's extended flags.
        const SKIP_WORKTREE: u16 = 1 << 14;
        let mut out = std::collections::BTreeMap::new();
        if !self.config_bool("core.sparseCheckout").unwrap_or(false) {
            return Ok(self.left_out.get_or_init(|| out));
        }
        let prefix = format!("{}/", self.dir);
        for entry in self.repo.index()?.iter() {
            if entry.flags_extended & SKIP_WORKTREE == 0 {
                continue;
            }
            let Ok(path) = std::str::from_utf8(&entry.path) else { continue };
            let id = path.strip_prefix(&prefix).and_then(|n| n.strip_suffix(".toml"));
            if let Some(id) = id.filter(|id| model::valid_id(id)) {
                out.insert(id.to_string(), entry.id);
            }
        }
        Ok(self.left_out.get_or_init(|| out))
    }

    /// The current text of an agreement: the working-tree file (in a bare repository, the file
    /// at HEAD). `None` when it does not exist. A symbolic link is refused: an agreement is a
    /// plain file under review, not a pointer to something that may live outside the repository.
    pub fn read_current(&self, id: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path_of(id);
        let Some(work) = self.repo.workdir() else {
            return match self.head()? {
                Some(h) => Ok(self.blob_at(h, &path)?.map(|(_, b)| b)),
                None => Ok(None),
            };
        };
        let full = work.join(&path);
        match std::fs::symlink_metadata(&full) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return match self.left_out_by_sparse_checkout()?.get(id) {
                    Some(&blob) => self.read_blob(blob),
                    None => Ok(None),
                };
            }
            Err(e) => return Err(Error::new(format!("cannot read {path}: {e}"))),
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Error::new(format!(
                    "{path} is a symbolic link; accord reads only plain files"
                ))
                .hint("replace the link with the agreement's text"))
            }
            Ok(m) if !m.is_file() => {
                return Err(Error::new(format!("{path} is not a regular file")))
            }
            Ok(m) if m.len() > model::MAX_FILE_BYTES as u64 => {
                // Let the loader say so with its own message, without reading it all.
                return Ok(Some(vec![b' '; model::MAX_FILE_BYTES + 1]));
            }
            Ok(_) => {}
        }
        Ok(Some(std::fs::read(&full).map_err(|e| Error::new(format!("cannot read {path}: {e}")))?))
    }

    /// Whether the agreement file at `path` matches HEAD.
    pub fn file_state(&self, path: &str) -> Result<FileState> {
        let work = self.repo.workdir().map(|w| w.join(path));
        if work.as_ref().is_some_and(|p| std::fs::symlink_metadata(p).is_err()) {
            // Left out by a sparse checkout: as committed, unless the index holds another text.
            let id = path
                .strip_prefix(&format!("{}/", self.dir))
                .and_then(|n| n.strip_suffix(".toml"))
                .unwrap_or_default();
            if let Some(&blob) = self.left_out_by_sparse_checkout()?.get(id) {
                let committed = match self.head()? {
                    Some(h) => self.blob_at(h, path)?.map(|(b, _)| Oid::from(b)),
                    None => None,
                };
                return Ok(match committed == Some(blob) {
                    true => FileState::Clean,
                    false => FileState::Modified,
                });
            }
            return Ok(FileState::Missing);
        }
        match self.repo.status_file(Path::new(path)) {
            Ok(s) if s.is_empty() => Ok(FileState::Clean),
            Ok(s) if s.contains(git2::Status::WT_NEW) => Ok(FileState::Untracked),
            Ok(s) if s == git2::Status::IGNORED => Ok(FileState::Untracked),
            Ok(_) => Ok(FileState::Modified),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(FileState::Untracked),
            Err(e) => Err(e.into()),
        }
    }

    /// The identity git would use as author: `GIT_AUTHOR_*`, else `author.*`, else `user.*`.
    pub fn author(&self) -> Result<Ident> {
        self.ident("AUTHOR", "author")
    }

    /// The committer: `GIT_COMMITTER_*` when set, else the author (SPEC §4).
    pub fn committer(&self, author: &Ident) -> Result<Ident> {
        let name = env_nonempty("GIT_COMMITTER_NAME");
        let email = env_nonempty("GIT_COMMITTER_EMAIL");
        let when = env_date("GIT_COMMITTER_DATE")?;
        Ok(Ident {
            name: name.map_or_else(|| author.name.clone(), |n| without_crud(&n)),
            email: email.map_or_else(|| author.email.clone(), |e| without_crud(&e)),
            when: when.or(author.when),
        })
    }

    fn ident(&self, env: &str, section: &str) -> Result<Ident> {
        let get = |key: &str| self.config_string(key).filter(|s| !s.trim().is_empty());
        let name = env_nonempty(&format!("GIT_{env}_NAME"))
            .or_else(|| get(&format!("{section}.name")))
            .or_else(|| get("user.name"))
            .map(|n| without_crud(&n))
            .filter(|n| !n.is_empty());
        let email = env_nonempty(&format!("GIT_{env}_EMAIL"))
            .or_else(|| get(&format!("{section}.email")))
            .or_else(|| get("user.email"))
            .or_else(|| env_nonempty("EMAIL"))
            .map(|e| without_crud(&e))
            .filter(|e| !e.is_empty());
        match (name, email) {
            (Some(name), Some(email)) => {
                Ok(Ident { name, email, when: env_date(&format!("GIT_{env}_DATE"))? })
            }
            _ => Err(Error::new("no git identity configured: accord records who takes a position")
                .hint(
                    "git config user.name \"Your Name\" && git config user.email you@example.com",
                )),
        }
    }

    /// Files in the working tree's agreements folder whose names cannot be agreement ids, and
    /// `.toml` files one folder down (accord ignores them; `check` says so). None in a bare
    /// repository.
    pub fn misnamed_files(&self) -> Vec<String> {
        let Some(work) = self.workdir() else { return Vec::new() };
        let Ok(entries) = std::fs::read_dir(work.join(self.agreements_dir())) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for entry in entries.filter_map(|e| e.ok()) {
            // A name that is not UTF-8 is shown with U+FFFD where its bytes were (no id has it).
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.strip_suffix(".toml").is_some_and(|id| !model::valid_id(id)) {
                out.push(name);
            } else if entry.file_type().is_ok_and(|t| t.is_dir()) {
                // Agreements live in the folder itself; a `.toml` file one folder down is
                // ignored, and said so (`sub/name.toml`).
                let Ok(inner) = std::fs::read_dir(entry.path()) else { continue };
                for file in inner.filter_map(|e| e.ok()) {
                    let file = file.file_name().to_string_lossy().into_owned();
                    if file.ends_with(".toml") {
                        out.push(format!("{name}/{file}"));
                    }
                }
            }
        }
        out.sort();
        out
    }

    /// The best common ancestor of two commits, `None` when they share no history.
    pub fn merge_base(&self, a: impl Into<Oid>, b: impl Into<Oid>) -> Result<Option<ObjectId>> {
        match self.repo.merge_base(a.into(), b.into()) {
            Ok(m) => Ok(Some(m.into())),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every best common ancestor of `a` and `b` (more than one after criss-cross merges),
    /// [`Store::merge_base`]'s first.
    pub fn merge_bases(&self, a: impl Into<Oid>, b: impl Into<Oid>) -> Result<Vec<ObjectId>> {
        match self.repo.merge_bases(a.into(), b.into()) {
            Ok(m) => Ok(m.iter().map(|&o| o.into()).collect()),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(Vec::new()),
            Err(e) => Err(e.into()),
        }
    }

    /// Set `key` in the repository's own configuration unless it already has a value there;
    /// returns the value that was kept.
    pub fn set_local_config_unless_set(&self, key: &str, value: &str) -> Result<Option<String>> {
        let mut config = self.repo.config()?.open_level(git2::ConfigLevel::Local)?;
        match config.get_string(key) {
            Ok(v) if !v.trim().is_empty() => Ok(Some(v)),
            _ => match config.set_str(key, value) {
                Ok(()) => Ok(None),
                Err(e) if e.code() == ErrorCode::Locked => {
                    let lock = self.repo.commondir().join("config.lock");
                    Err(Error::new(
                        "git's config file is locked: another git process is writing it",
                    )
                    .hint(format!(
                        "wait for it to finish, or remove {} if none is running",
                        lock.display()
                    )))
                }
                Err(e) => Err(e.into()),
            },
        }
    }

    /// `accord.toml` as committed at `commit` (default when absent).
    pub fn project_config_at(&self, commit: impl Into<Oid>) -> Result<ProjectConfig> {
        match self.blob_at(commit, "accord.toml")? {
            Some((_, bytes)) => parse_project_config(&bytes, "accord.toml at that commit"),
            None => Ok(ProjectConfig::default()),
        }
    }

    /// The allowed-signers file for verifying positions judged at `commit`: the verifier's own
    /// `gpg.ssh.allowedSignersFile` when their git configuration sets it (their trust wins: a
    /// pull request cannot vouch for its own keys), else `allowed_signers` from `accord.toml`
    /// committed at `commit` (copied to a temporary file), resolved as git resolves paths.
    pub fn allowed_signers(&self, commit: impl Into<Oid>) -> Result<Option<AllowedSigners>> {
        let commit: Oid = commit.into();
        if let Some(path) = self.config_path("gpg.ssh.allowedSignersFile") {
            return Ok(Some(AllowedSigners { path, _temp: None }));
        }
        // The evaluated commit decides whose keys count, not an uncommitted edit.
        let committed = self.project_config_at(commit)?;
        let Some(rel) = &committed.allowed_signers else { return Ok(None) };
        let Some((_, bytes)) = self.blob_at(commit, rel.trim_start_matches('/'))? else {
            return Err(Error::new(format!(
                "accord.toml names allowed_signers = \"{rel}\", which is not committed at {}",
                if self.head()? == Some(commit.into()) {
                    "HEAD".to_string()
                } else {
                    format!("{commit:.10}")
                }
            )));
        };
        let mut f = tempfile::NamedTempFile::new()?;
        std::io::Write::write_all(&mut f, &bytes)?;
        Ok(Some(AllowedSigners { path: f.path().to_path_buf(), _temp: Some(f) }))
    }

    /// Whether the verifier's git configuration names its own allowed signers
    /// (`gpg.ssh.allowedSignersFile`), which then wins over the repository's.
    pub fn trusts_own_signers(&self) -> bool {
        self.config_path("gpg.ssh.allowedSignersFile").is_some()
    }

    /// The keys the repository vouches for at `commit`, whose `accord.toml` is `config`:
    /// `allowed_signers` and the id of the file it names there (none when not committed).
    pub fn committed_signers(
        &self,
        commit: impl Into<Oid>,
        config: &ProjectConfig,
    ) -> Result<Option<(String, Option<ObjectId>)>> {
        let Some(rel) = &config.allowed_signers else { return Ok(None) };
        let blob = self.blob_at(commit, rel.trim_start_matches('/'))?.map(|(id, _)| id);
        Ok(Some((rel.clone(), blob)))
    }

    /// How the verifier's git configuration checks signatures (`gpg.ssh.program`,
    /// `gpg.openpgp.program` or `gpg.program`, `gpg.ssh.revocationFile`), as `git
    /// verify-commit` would; paths resolved as for `gpg.ssh.allowedSignersFile`.
    pub fn signature_checkers(&self) -> crate::signing::Checkers {
        crate::signing::Checkers {
            ssh_program: self.config_string("gpg.ssh.program"),
            openpgp_program: self
                .config_string("gpg.openpgp.program")
                .or_else(|| self.config_string("gpg.program")),
            revocation_file: self.config_path("gpg.ssh.revocationFile"),
        }
    }

    /// A path from the repository's configuration chain, resolved as git resolves the signing
    /// files: `~/` from the home folder, else relative to the top of the work tree, where git
    /// runs `verify-commit`.
    fn config_path(&self, key: &str) -> Option<PathBuf> {
        let p = self.config_string(key)?;
        Some(match p.starts_with("~/") {
            true => expand_home(&p, None),
            false => self.workdir().unwrap_or(self.git_dir()).join(p),
        })
    }

    /// How git would sign a new commit by `committer`, if at all: `commit.gpgsign` or `force`
    /// (`-S`), unless `never` (`--no-gpg-sign`).
    pub fn sign_config(
        &self,
        force: bool,
        never: bool,
        committer: &Ident,
    ) -> Option<crate::signing::SignConfig> {
        use crate::signing::{Format, SignConfig};
        let wanted = !never && (force || self.config_bool("commit.gpgsign").unwrap_or(false));
        if !wanted {
            return None;
        }
        let format = match self.config_string("gpg.format").as_deref() {
            Some("ssh") => Format::Ssh,
            Some("x509") => Format::X509,
            _ => Format::OpenPgp,
        };
        // The same programs as verifying uses.
        let program = match format {
            Format::Ssh => self.signature_checkers().ssh_program,
            Format::X509 => self.config_string("gpg.x509.program"),
            Format::OpenPgp => self.signature_checkers().openpgp_program,
        };
        // Without user.signingkey, git asks gpg for a key by the committer's identity.
        let key = self.config_string("user.signingkey").or_else(|| {
            (format == Format::OpenPgp).then(|| format!("{} <{}>", committer.name, committer.email))
        });
        Some(SignConfig { format, key, program })
    }

    /// A string from the repository's configuration chain.
    /// The environment's configuration first (`git -c`, `GIT_CONFIG_COUNT`), as git reads it.
    pub fn config_string(&self, key: &str) -> Option<String> {
        match env_config::string(key) {
            Some(value) => value,
            None => self.repo.config().ok()?.get_string(key).ok(),
        }
    }

    /// A boolean, read as [`Store::config_string`] reads a string.
    pub fn config_bool(&self, key: &str) -> Option<bool> {
        match env_config::boolean(key) {
            Some(value) => value,
            None => self.repo.config().ok()?.get_bool(key).ok(),
        }
    }

    /// Refuse writes where git would not want a new commit on HEAD.
    pub fn check_writable(&self) -> Result<()> {
        if self.repo.is_bare() {
            return Err(Error::new("this is a bare repository: positions are recorded in a clone")
                .hint("clone it, take the position there, and push"));
        }
        let what = match self.repo.state() {
            // git commits during a bisect; so may accord.
            RepositoryState::Clean | RepositoryState::Bisect => return Ok(()),
            RepositoryState::Merge => "a merge",
            RepositoryState::Revert | RepositoryState::RevertSequence => "a revert",
            RepositoryState::CherryPick | RepositoryState::CherryPickSequence => "a cherry-pick",
            RepositoryState::Rebase
            | RepositoryState::RebaseInteractive
            | RepositoryState::RebaseMerge => "a rebase",
            RepositoryState::ApplyMailbox => "a `git am`",
            RepositoryState::ApplyMailboxOrRebase => "a `git am` or rebase",
        };
        Err(Error::new(format!("{what} is in progress; refusing to record a position now"))
            .hint("finish or abort it first (git status tells how)"))
    }

    /// Create a commit on top of HEAD with HEAD's tree, and move the branch HEAD points to (or
    /// HEAD itself when detached) with a compare-and-swap. Retries while the branch moves or
    /// its lock is held, for up to 10 seconds. `make` builds the commit for a given parent; it
    /// may refuse (for example when the agreement changed under us).
    pub fn append_empty_commit(
        &self,
        reflog: &str,
        mut make: impl FnMut(ObjectId) -> Result<ObjectId>,
    ) -> Result<ObjectId> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut delay = Duration::from_millis(2);
        loop {
            let head = self.repo.find_reference("HEAD")?;
            let target_name = match head.symbolic_target() {
                Some(t) => t.to_string(),
                None => "HEAD".to_string(),
            };
            let old = match self.repo.refname_to_id(&target_name) {
                Ok(o) => o,
                Err(e) if e.code() == ErrorCode::NotFound => {
                    return Err(Error::new("the current branch has no commits yet")
                        .hint("commit the agreement first"))
                }
                Err(e) => return Err(e.into()),
            };
            let new: Oid = make(old.into())?.into();
            let result = if target_name == "HEAD" {
                self.repo.reference_matching("HEAD", new, true, old, reflog).map(|_| ())
            } else {
                self.repo.reference_matching(&target_name, new, true, old, reflog).map(|_| ())
            };
            match result {
                Ok(()) => return Ok(new.into()),
                Err(e) if matches!(e.code(), ErrorCode::Modified | ErrorCode::Locked) => {
                    if Instant::now() >= deadline {
                        let lock = self.repo.path().join(format!("{target_name}.lock"));
                        return Err(Error::new(format!(
                            "cannot lock ref '{target_name}': '{}' exists or the branch keeps moving",
                            lock.display()
                        ))
                        .hint("another git process seems to be running; if none is, remove the lock file"));
                    }
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(Duration::from_millis(50));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Build (and, when `sign` is given, sign) a commit object with one parent and its tree.
    pub fn write_commit(
        &self,
        parent: impl Into<Oid>,
        author: &Ident,
        committer: &Ident,
        message: &str,
        sign: Option<&SignFn<'_>>,
    ) -> Result<ObjectId> {
        let parent = self.repo.find_commit(parent.into())?;
        let tree = parent.tree()?;
        Ok(self.create_commit(&tree, &[parent.id()], author, committer, message, sign)?.into())
    }

    /// The signed payload and the signature of a commit, if it is signed.
    pub fn commit_signature(&self, id: impl Into<Oid>) -> Result<Option<(Vec<u8>, String)>> {
        let id = id.into();
        match self.repo.extract_signature(&id, None) {
            Ok((sig, data)) => {
                Ok(Some((data.to_vec(), String::from_utf8_lossy(&sig).into_owned())))
            }
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The repository's own cache folder, also while a range is judged on caches of its own.
    pub(super) fn shared_state_dir(&self) -> PathBuf {
        self.repo.path().join("accord")
    }

    /// Where the event cache and other accord state live.
    pub fn state_dir(&self) -> PathBuf {
        match self.own_state.borrow().as_ref() {
            Some(own) => own.path().to_path_buf(),
            None => self.repo.path().join("accord"),
        }
    }

    /// Local branch and tag names (short), sorted, at most `max` of each kind.
    pub fn ref_names(&self, max: usize) -> Result<(Vec<String>, Vec<String>)> {
        let (mut branches, mut tags) = (Vec::new(), Vec::new());
        for r in self.repo.references()? {
            let r = r?;
            let Some(name) = r.name() else { continue };
            if let Some(b) = name.strip_prefix("refs/heads/") {
                branches.push(b.to_string());
            } else if let Some(t) = name.strip_prefix("refs/tags/") {
                tags.push(t.to_string());
            }
        }
        for list in [&mut branches, &mut tags] {
            list.sort();
            list.truncate(max);
        }
        Ok((branches, tags))
    }

    /// The error for `what` (HEAD, or a name as typed) naming commit `id` that libgit2 could
    /// not read: git reads more than libgit2 does (an author without an email), so say
    /// which commit and where to look, not "unknown revision".
    fn unreadable(&self, what: &str, id: Option<Oid>) -> Option<Error> {
        let id = id?;
        let odb = self.repo.odb().ok()?;
        let (_, kind) = odb.read_header(id).ok()?;
        if kind != ObjectType::Commit {
            return None;
        }
        // Reading the commit itself says what is wrong with it ("malformed e-mail"); one that
        // reads is not the trouble (`HEAD~5` past the start of the history).
        let why = match self.repo.find_commit(id) {
            Err(parse) => parse.message().to_string(),
            Ok(_) => return None,
        };
        Some(
            Error::new(format!(
                "{what} is commit {:.10}, which accord cannot read: {why}",
                id.to_string()
            ))
            .hint(
                "`git fsck` names what is wrong with it (git writes no such commit); rewrite it \
                 (`git commit --amend --reset-author` on it), or name another commit",
            ),
        )
    }

    /// The error for a revision that does not resolve: what was typed, and what exists.
    fn unknown_revision(&self, rev: &str) -> Error {
        if rev.contains("..") {
            return Error::new(format!("`{rev}` is a range; this takes one revision"))
                .hint("name one commit, branch or tag (`accord review` takes ranges)");
        }
        // `X~N` / `X^N` past the start of the history, when X itself exists.
        let base = rev.find(['~', '^']).map(|i| &rev[..i]).filter(|b| !b.is_empty());
        if let Some(base) = base {
            if self.repo.revparse_single(base).is_ok() {
                return Error::new(format!(
                    "`{rev}` does not exist: the history behind `{base}` is shorter"
                ))
                .hint(format!("`git log --oneline {base}` lists the commits there"));
            }
        }
        let mut known = Vec::new();
        match self.ref_names(8) {
            Ok((branches, tags)) => {
                if !branches.is_empty() {
                    known.push(format!("branches: {}", branches.join(", ")));
                }
                if !tags.is_empty() {
                    known.push(format!("tags: {}", tags.join(", ")));
                }
            }
            Err(e) => known.push(format!("(cannot list branches: {})", e.message)),
        }
        let known =
            if known.is_empty() { "no branches or tags yet".into() } else { known.join("; ") };
        Error::new(format!("unknown revision `{rev}`"))
            .hint(format!("name a commit, branch or tag, as for `git log`; {known}"))
    }
}

fn env_nonempty(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|s| !s.trim().is_empty())
}

/// `GIT_*_DATE` in git's forms: `@<secs> [+zzzz]`, `<secs> +zzzz`, or RFC 3339.
fn env_date(key: &str) -> Result<Option<(i64, i32)>> {
    let Some(v) = env_nonempty(key) else { return Ok(None) };
    let (secs, offset) = parse_git_date(&v).ok_or_else(|| {
        Error::new(format!("{key}=`{v}` is not a date accord understands"))
            .hint("use `@<seconds> +0000` or RFC 3339 such as 2026-11-20T10:00:00Z")
    })?;
    // libgit2 writes a commit's time as 32 unsigned bits: a date outside them would be
    // recorded wrapped (2514 as 1970), and the position placed at the wrong moment.
    if u32::try_from(secs).is_err() {
        return Err(Error::new(format!(
            "{key}=`{v}` is outside the dates a commit made here can record (1970 to 2106)"
        ))
        .hint("leave it unset, or give a date in that range"));
    }
    Ok(Some((secs, offset)))
}

pub fn parse_git_date(v: &str) -> Option<(i64, i32)> {
    let v = v.trim();
    let mut parts = v.trim_start_matches('@').split_whitespace();
    if let Ok(secs) = parts.next().unwrap_or("").parse::<i64>() {
        let off = match parts.next() {
            Some(z) => parse_offset(z)?,
            None => 0,
        };
        return Some((secs, off));
    }
    let ts: jiff::Timestamp = v.parse().ok()?;
    Some((ts.as_second(), 0))
}

fn parse_offset(z: &str) -> Option<i32> {
    let (sign, digits) = match z.as_bytes().first()? {
        b'+' => (1, &z[1..]),
        b'-' => (-1, &z[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..].parse().ok()?;
    Some(sign * (h * 60 + m))
}

/// A name or email as git writes it into an identity line (`strbuf_addstr_without_crud` in
/// git's ident.c): "crud" trimmed from both ends (control characters, spaces and `,:;<>"\'`),
/// and line breaks and angle brackets dropped inside, so no identity can end its line early.
fn without_crud(s: &str) -> String {
    let crud = |c: char| c <= ' ' || matches!(c, ',' | ':' | ';' | '<' | '>' | '"' | '\\' | '\'');
    s.trim_matches(crud).chars().filter(|c| !matches!(c, '\n' | '<' | '>')).collect()
}

/// With `ACCORD_TRACE` set, print how long each phase took on stderr (for profiling).
/// Each line also says when it was printed, counted from [`start_clock`].
pub fn trace(what: &str, since: Instant) {
    if std::env::var_os("ACCORD_TRACE").is_some() {
        let at = CLOCK.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0;
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "accord trace: {what}: {:.1} ms (at {at:.1} ms)",
                since.elapsed().as_secs_f64() * 1000.0
            );
        }
    }
}

/// Whether two answers of a path history name the same blob, compared as bytes: git2's `==`
/// on ids is a call into libgit2 that is not inlined, asked once per commit of a walk.
fn same_blob(a: Option<Oid>, b: Option<Oid>) -> bool {
    a.as_ref().map(id_hash::IdKey::from) == b.as_ref().map(id_hash::IdKey::from)
}

/// Set by [`free_nothing_at_exit`].
static ENDING_PROCESS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Every store dropped from now on writes its caches but frees none of what it read: the
/// binary calls this, as its process ends right after the command (the few stores `site`'s
/// workers open stay in memory until then too). A cold `status` at 100,000 commits holds some
/// 100,000 small objects (the history, its positions, parsed texts), and freeing them one by
/// one took 7 ms of its 150; the operating system takes the process's memory back at once.
/// Library users and tests never call it.
pub fn free_nothing_at_exit() {
    ENDING_PROCESS.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// When the process started, for [`trace`].
static CLOCK: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Start [`trace`]'s clock (the binary calls it first thing).
pub fn start_clock() {
    CLOCK.get_or_init(Instant::now);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_moves_agreements_or_positions_only_as_it_takes_effect() {
        let config = |dir: Option<&str>, branch: Option<&str>| ProjectConfig {
            dir: dir.map(str::to_string),
            allowed_signers: None,
            positions_branch: branch.map(str::to_string),
        };
        let default = config(None, None);
        // Stating the defaults, or a trailing slash, moves nothing.
        assert!(!config(Some("agreements/"), Some(DEFAULT_BRANCH)).moves_from(&default));
        assert!(config(Some("charters"), None).moves_from(&default));
        assert!(default.moves_from(&config(Some("charters"), None)));
        assert!(config(None, Some("votes")).moves_from(&default));
        // Whose keys count is not where anything lives.
        let keys = ProjectConfig { allowed_signers: Some("keys".into()), ..config(None, None) };
        assert!(!keys.moves_from(&default));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_git_date("@1700000000 +0100"), Some((1_700_000_000, 60)));
        assert_eq!(parse_git_date("1700000000 -0230"), Some((1_700_000_000, -150)));
        assert_eq!(parse_git_date("2026-11-20T10:00:00Z"), Some((1_795_168_800, 0)));
        assert_eq!(parse_git_date("yesterday"), None);
    }

    /// Cache files written on other threads are finished before a store is gone, freeing or
    /// not (the process may end right after).
    #[test]
    fn a_dropped_store_waits_for_its_cache_writes() {
        let dir = tempfile::tempdir().unwrap();
        Repository::init(dir.path()).unwrap();
        for free_nothing in [false, true] {
            if free_nothing {
                free_nothing_at_exit();
            }
            let store = Store::open(Some(dir.path())).unwrap();
            let marker = dir.path().join(format!("written-{free_nothing}"));
            let to = marker.clone();
            store.writes.borrow_mut().push(std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(300));
                std::fs::write(to, b"done").unwrap();
            }));
            drop(store);
            assert!(marker.exists(), "the write was not waited for (free nothing: {free_nothing})");
        }
        ENDING_PROCESS.store(false, std::sync::atomic::Ordering::Relaxed);
    }

    #[test]
    fn read_blob_is_none_only_for_what_is_not_there() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let blob = repo.blob(b"text").unwrap();
        let tree = {
            let mut b = repo.treebuilder(None).unwrap();
            b.insert("f", blob, 0o100644).unwrap();
            b.write().unwrap()
        };
        let store = Store::open(Some(dir.path())).unwrap();
        assert_eq!(store.read_blob(blob).unwrap(), Some(b"text".to_vec()));
        assert_eq!(store.read_blob(tree).unwrap(), None, "not a blob");
        let missing = Oid::from_str("0123456789012345678901234567890123456789").unwrap();
        assert_eq!(store.read_blob(missing).unwrap(), None, "not in the repository");
    }
}
