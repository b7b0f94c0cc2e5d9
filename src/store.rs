//! The only module that talks to git: opening the repository, reading agreement files from the
//! working tree or a commit, walking history into a [`Graph`], and writing position commits
//! with a compare-and-swap on the branch.
//!
//! It returns model types and plain values; it never prints and never decides ratification.

use std::collections::{BinaryHeap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use git2::{ErrorCode, ObjectType, Oid, Repository, RepositoryState};

use crate::error::{Error, Result};
use crate::ledger::Position;
use crate::model;
use crate::trailers::{self, Parsed};

/// The optional `accord.toml` at the repository root.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    /// Folder of the agreements, from the repository root (default `agreements`).
    pub dir: Option<String>,
    /// Path of an SSH allowed-signers file, from the repository root.
    pub allowed_signers: Option<String>,
}

pub struct Store {
    repo: Repository,
    config: ProjectConfig,
    dir: String,
}

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

/// What a commit says to accord.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accord {
    None,
    Position(Box<Position>),
    /// Carries `Accord-` trailers but is not a position; the reason.
    Malformed(String),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub id: Oid,
    pub tree: Oid,
    /// Indices of parents present in the graph.
    pub parents: Vec<u32>,
    /// Number of parents the commit names (some may be missing in a shallow clone).
    pub parent_count: usize,
    pub time: i64,
    pub accord: Accord,
}

/// Every commit reachable from a tip, with its position if it is one.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub index: HashMap<Oid, u32>,
    /// Some parents were missing: history may be incomplete (shallow clone).
    pub truncated: bool,
}

impl Graph {
    /// Indices of the nodes for which `interesting` holds, newest first by SPEC §4's order: a
    /// topological sort (children before parents) where, among interesting commits ready at the
    /// same step, the later committer time comes first, then the larger id. Commits that are not
    /// interesting are transparent: they are passed as soon as they are ready, so the order of
    /// the interesting ones depends only on their own ancestry, times and ids.
    pub fn order(&self, interesting: impl Fn(&Node) -> bool) -> Vec<u32> {
        self.order_by(|i| interesting(&self.nodes[i as usize]))
    }

    /// [`Graph::order`] with the test given the node's index.
    pub fn order_by(&self, interesting: impl Fn(u32) -> bool) -> Vec<u32> {
        let n = self.nodes.len();
        let mut pending = vec![0u32; n];
        for node in &self.nodes {
            for &p in &node.parents {
                pending[p as usize] += 1;
            }
        }
        let mut plain: Vec<u32> = Vec::new();
        let mut heap: BinaryHeap<(i64, Oid, u32)> = BinaryHeap::new();
        let push = |i: u32, plain: &mut Vec<u32>, heap: &mut BinaryHeap<(i64, Oid, u32)>| {
            let node = &self.nodes[i as usize];
            if interesting(i) {
                heap.push((node.time, node.id, i));
            } else {
                plain.push(i);
            }
        };
        for i in 0..n as u32 {
            if pending[i as usize] == 0 {
                push(i, &mut plain, &mut heap);
            }
        }
        let mut out = Vec::new();
        loop {
            let i = if let Some(i) = plain.pop() {
                i
            } else if let Some((_, _, i)) = heap.pop() {
                out.push(i);
                i
            } else {
                break;
            };
            for &p in &self.nodes[i as usize].parents {
                pending[p as usize] -= 1;
                if pending[p as usize] == 0 {
                    push(p, &mut plain, &mut heap);
                }
            }
        }
        out
    }

    /// Every position in the graph, newest first.
    pub fn positions(&self) -> Vec<&Position> {
        self.order(|n| matches!(n.accord, Accord::Position(_)))
            .into_iter()
            .filter_map(|i| match &self.nodes[i as usize].accord {
                Accord::Position(p) => Some(&**p),
                _ => None,
            })
            .collect()
    }
}

fn hex_to_oid(hex: &[u8]) -> Option<Oid> {
    std::str::from_utf8(hex).ok().and_then(|s| Oid::from_str(s).ok())
}

/// `Name <email> 1700000000 +0000` → (name, email, time).
fn parse_signature_line(line: &[u8]) -> Option<(String, String, i64)> {
    let line = String::from_utf8_lossy(line);
    let open = line.find('<')?;
    let close = line[open..].find('>')? + open;
    let name = line[..open].trim().to_string();
    let email = line[open + 1..close].to_string();
    let mut rest = line[close + 1..].split_whitespace();
    let time = rest.next()?.parse().ok()?;
    Some((name, email, time))
}

/// The fields of a raw commit object that accord uses.
pub struct RawCommit<'a> {
    pub tree: Option<Oid>,
    pub parents: Vec<Oid>,
    pub author: Option<(String, String, i64)>,
    pub committer_time: i64,
    pub message: &'a [u8],
}

/// Parse a raw commit object by hand: faster than libgit2's full parse, and it lets the walk
/// skip messages that cannot be positions.
pub fn parse_commit(data: &[u8]) -> RawCommit<'_> {
    let mut c =
        RawCommit { tree: None, parents: Vec::new(), author: None, committer_time: 0, message: &[] };
    let mut rest = data;
    loop {
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let line = &rest[..end];
        rest = if end < rest.len() { &rest[end + 1..] } else { &[] };
        if line.is_empty() {
            c.message = rest;
            break;
        }
        if let Some(v) = line.strip_prefix(b"tree ") {
            c.tree = hex_to_oid(v);
        } else if let Some(v) = line.strip_prefix(b"parent ") {
            if let Some(o) = hex_to_oid(v) {
                c.parents.push(o);
            }
        } else if let Some(v) = line.strip_prefix(b"author ") {
            c.author = parse_signature_line(v);
        } else if let Some(v) = line.strip_prefix(b"committer ") {
            c.committer_time = parse_signature_line(v).map_or(0, |s| s.2);
        }
        if rest.is_empty() {
            break;
        }
    }
    c
}

/// Read what a commit message says to accord (no tree check: see [`Graph`] building).
pub fn classify(id: Oid, raw: &RawCommit) -> Accord {
    if !trailers::mentions_accord(raw.message) {
        return Accord::None;
    }
    let message = String::from_utf8_lossy(raw.message);
    match trailers::parse(&message) {
        Parsed::None => Accord::None,
        Parsed::Malformed(why) => Accord::Malformed(why),
        Parsed::Position(t) => {
            let (author_name, author_email, _) = raw.author.clone().unwrap_or_default();
            Accord::Position(Box::new(Position {
                commit: id.to_string(),
                time: raw.committer_time,
                author_name,
                author_email,
                trailers: t,
                note: trailers::note(&message),
            }))
        }
    }
}

impl Store {
    /// Open the repository containing `start` (or the current directory), as git does.
    pub fn open(start: Option<&Path>) -> Result<Store> {
        let start: PathBuf = match start {
            Some(p) => p.to_path_buf(),
            None => std::env::current_dir()?,
        };
        if !start.exists() {
            return Err(Error::new(format!("cannot change to `{}`: no such folder", start.display())));
        }
        let repo = Repository::discover(&start).map_err(|e| {
            if e.code() == ErrorCode::NotFound {
                Error::new(format!("not a git repository: {}", start.display()))
                    .hint("run `git init` first, or pass -C <path> to a repository")
            } else {
                e.into()
            }
        })?;
        let mut store = Store { repo, config: ProjectConfig::default(), dir: "agreements".into() };
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
            let text = String::from_utf8(bytes)
                .map_err(|_| Error::new("accord.toml: not valid UTF-8"))?;
            self.config = toml::from_str(&text).map_err(|e| {
                Error::new(format!("accord.toml: {}", e.message().trim_end()))
                    .hint("accord.toml knows `dir` and `allowed_signers`")
            })?;
            if let Some(dir) = &self.config.dir {
                let d = dir.trim_matches('/');
                if d.is_empty()
                    || dir.starts_with('/')
                    || d.split('/').any(|c| c.is_empty() || c == "." || c == "..")
                {
                    return Err(Error::new(format!(
                        "accord.toml: dir = \"{dir}\" must be a folder inside the repository"
                    )));
                }
                self.dir = d.to_string();
            }
        }
        Ok(())
    }

    pub fn repo(&self) -> &Repository {
        &self.repo
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
    pub fn head(&self) -> Result<Option<Oid>> {
        match self.repo.head() {
            Ok(r) => Ok(Some(r.peel_to_commit()?.id())),
            Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// HEAD, or an error that says the branch has no commits yet.
    pub fn head_required(&self) -> Result<Oid> {
        self.head()?.ok_or_else(|| {
            Error::new("the current branch has no commits yet")
                .hint("commit the agreement first: git add agreements && git commit")
        })
    }

    /// A revision (commit, tag, branch, `HEAD~2`…) to a commit id.
    pub fn resolve(&self, rev: &str) -> Result<Oid> {
        let obj = self.repo.revparse_single(rev).map_err(|e| {
            Error::new(format!("unknown revision `{rev}`: {}", e.message()))
                .hint("name a commit, branch or tag, as for `git log`")
        })?;
        let commit = obj
            .peel_to_commit()
            .map_err(|_| Error::new(format!("`{rev}` does not name a commit")))?;
        Ok(commit.id())
    }

    /// The blob at `path` in `commit`, with its id.
    pub fn blob_at(&self, commit: Oid, path: &str) -> Result<Option<(Oid, Vec<u8>)>> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(e) => e,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        let blob = self.repo.find_blob(entry.id())?;
        Ok(Some((entry.id(), blob.content().to_vec())))
    }

    /// The content of a blob, or `None` when the repository lacks it or it is not a blob.
    pub fn read_blob(&self, id: Oid) -> Result<Option<Vec<u8>>> {
        match self.repo.find_blob(id) {
            Ok(b) => Ok(Some(b.content().to_vec())),
            Err(e) if e.code() == ErrorCode::NotFound || e.class() == git2::ErrorClass::Invalid => {
                Ok(None)
            }
            Err(_) => Ok(None),
        }
    }

    /// Agreement ids and blob ids in the agreements folder of `commit`, sorted by id.
    pub fn ids_at(&self, commit: Oid) -> Result<Vec<(String, Oid)>> {
        let tree = self.repo.find_commit(commit)?.tree()?;
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
                    out.push((id.to_string(), entry.id()));
                }
            }
        }
        out.sort();
        Ok(out)
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
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::new(format!("cannot read {}: {e}", self.dir))),
        };
        let mut out = Vec::new();
        for entry in entries {
            let name = entry?.file_name();
            let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".toml")) else { continue };
            if model::valid_id(id) {
                out.push(id.to_string());
            }
        }
        out.sort();
        Ok(out)
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
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::new(format!("cannot read {path}: {e}"))),
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Error::new(format!("{path} is a symbolic link; accord reads only plain files"))
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

    /// Walk every commit reachable from `tip` into a graph.
    pub fn graph(&self, tip: Oid) -> Result<Graph> {
        let odb = self.repo.odb()?;
        let mut g = Graph::default();
        let mut stack = vec![tip];
        let mut parent_ids: Vec<Vec<Oid>> = Vec::new();
        g.index.insert(tip, 0);
        while let Some(id) = stack.pop() {
            let obj = match odb.read(id) {
                Ok(o) => o,
                Err(e) if e.code() == ErrorCode::NotFound => {
                    g.truncated = true;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let raw = parse_commit(obj.data());
            let idx = g.nodes.len() as u32;
            g.index.insert(id, idx);
            for p in &raw.parents {
                if !g.index.contains_key(p) {
                    g.index.insert(*p, u32::MAX);
                    stack.push(*p);
                }
            }
            let accord = classify(id, &raw);
            parent_ids.push(raw.parents.clone());
            g.nodes.push(Node {
                id,
                tree: raw.tree.unwrap_or_else(Oid::zero),
                parents: Vec::new(),
                parent_count: raw.parents.len(),
                time: raw.committer_time,
                accord,
            });
        }
        g.index.retain(|_, v| *v != u32::MAX);
        self.finish_graph(&mut g, parent_ids);
        Ok(g)
    }

    /// Link parents by index and apply the structural rules of a position: exactly one parent,
    /// and the same tree as that parent.
    fn finish_graph(&self, g: &mut Graph, parent_ids: Vec<Vec<Oid>>) {
        for (i, ps) in parent_ids.into_iter().enumerate() {
            let parents: Vec<u32> = ps.iter().filter_map(|p| g.index.get(p).copied()).collect();
            if parents.len() < ps.len() {
                g.truncated = true;
            }
            let structural = match (&g.nodes[i].accord, ps.len(), parents.first()) {
                (Accord::Position(_), 1, Some(&p)) if g.nodes[p as usize].tree != g.nodes[i].tree => {
                    Some("changes files (a position's tree is its parent's tree)")
                }
                (Accord::Position(_), 1, None) => Some("its parent is missing (shallow history)"),
                (Accord::Position(_), 0, _) => Some("has no parent"),
                (Accord::Position(_), n, _) if n > 1 => Some("is a merge"),
                _ => None,
            };
            if let Some(why) = structural {
                g.nodes[i].accord = Accord::Malformed(format!("has position trailers but {why}"));
            }
            g.nodes[i].parents = parents;
        }
    }

    /// For each node of `g`, the blob id at `path` (None where the file is absent).
    pub fn blobs_along(&self, g: &Graph, path: &str) -> Result<Vec<Option<Oid>>> {
        let (dir, file) = match path.rsplit_once('/') {
            Some((d, f)) => (Some(d), f),
            None => (None, path),
        };
        let mut by_dir: HashMap<Oid, Option<Oid>> = HashMap::new();
        let mut out = Vec::with_capacity(g.nodes.len());
        for node in &g.nodes {
            let root = match self.repo.find_tree(node.tree) {
                Ok(t) => t,
                Err(_) => {
                    out.push(None);
                    continue;
                }
            };
            let dir_tree = match dir {
                Some(d) => match root.get_path(Path::new(d)) {
                    Ok(e) if e.kind() == Some(ObjectType::Tree) => Some(e.id()),
                    _ => None,
                },
                None => Some(node.tree),
            };
            let Some(dir_tree) = dir_tree else {
                out.push(None);
                continue;
            };
            if let Some(hit) = by_dir.get(&dir_tree) {
                out.push(*hit);
                continue;
            }
            let tree = self.repo.find_tree(dir_tree)?;
            let blob = tree.get_name(file).filter(|e| e.kind() == Some(ObjectType::Blob)).map(|e| e.id());
            by_dir.insert(dir_tree, blob);
            out.push(blob);
        }
        Ok(out)
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
            name: name.unwrap_or_else(|| author.name.clone()),
            email: email.unwrap_or_else(|| author.email.clone()),
            when: when.or(author.when),
        })
    }

    fn ident(&self, env: &str, section: &str) -> Result<Ident> {
        let cfg = self.repo.config()?;
        let get = |key: &str| cfg.get_string(key).ok().filter(|s| !s.trim().is_empty());
        let name = env_nonempty(&format!("GIT_{env}_NAME"))
            .or_else(|| get(&format!("{section}.name")))
            .or_else(|| get("user.name"));
        let email = env_nonempty(&format!("GIT_{env}_EMAIL"))
            .or_else(|| get(&format!("{section}.email")))
            .or_else(|| get("user.email"))
            .or_else(|| env_nonempty("EMAIL"));
        match (name, email) {
            (Some(name), Some(email)) => {
                Ok(Ident { name, email, when: env_date(&format!("GIT_{env}_DATE"))? })
            }
            _ => Err(Error::new("no git identity configured: accord records who takes a position")
                .hint("git config user.name \"Your Name\" && git config user.email you@example.com")),
        }
    }

    /// A string from the repository's configuration chain.
    pub fn config_string(&self, key: &str) -> Option<String> {
        self.repo.config().ok()?.get_string(key).ok()
    }

    pub fn config_bool(&self, key: &str) -> Option<bool> {
        self.repo.config().ok()?.get_bool(key).ok()
    }

    /// Refuse writes where git would not want a new commit on HEAD.
    pub fn check_writable(&self) -> Result<()> {
        if self.repo.is_bare() {
            return Err(Error::new("this is a bare repository: positions are recorded in a clone")
                .hint("clone it, take the position there, and push"));
        }
        if self.repo.state() != RepositoryState::Clean {
            let what = format!("{:?}", self.repo.state()).to_lowercase();
            return Err(Error::new(format!("a {what} is in progress"))
                .hint("finish or abort it first (git status tells how)"));
        }
        Ok(())
    }

    /// Create a commit on top of HEAD with HEAD's tree, and move the branch HEAD points to (or
    /// HEAD itself when detached) with a compare-and-swap. Retries while the branch moves or
    /// its lock is held, for up to 10 seconds. `make` builds the commit for a given parent; it
    /// may refuse (for example when the agreement changed under us).
    pub fn append_empty_commit(
        &self,
        reflog: &str,
        mut make: impl FnMut(Oid) -> Result<Oid>,
    ) -> Result<Oid> {
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
            let new = make(old)?;
            let result = if target_name == "HEAD" {
                self.repo.reference_matching("HEAD", new, true, old, reflog).map(|_| ())
            } else {
                self.repo.reference_matching(&target_name, new, true, old, reflog).map(|_| ())
            };
            match result {
                Ok(()) => return Ok(new),
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
        parent: Oid,
        author: &Ident,
        committer: &Ident,
        message: &str,
        sign: Option<&dyn Fn(&[u8]) -> Result<String>>,
    ) -> Result<Oid> {
        let parent = self.repo.find_commit(parent)?;
        let tree = parent.tree()?;
        let sig = |i: &Ident| -> Result<git2::Signature<'static>> {
            Ok(match i.when {
                Some((t, off)) => git2::Signature::new(&i.name, &i.email, &git2::Time::new(t, off))?,
                None => git2::Signature::now(&i.name, &i.email)?,
            })
        };
        let (a, c) = (sig(author)?, sig(committer)?);
        match sign {
            None => Ok(self.repo.commit(None, &a, &c, message, &tree, &[&parent])?),
            Some(sign) => {
                let buf = self.repo.commit_create_buffer(&a, &c, message, &tree, &[&parent])?;
                let text = std::str::from_utf8(&buf)
                    .map_err(|_| Error::new("commit buffer is not UTF-8"))?;
                let signature = sign(&buf)?;
                Ok(self.repo.commit_signed(text, &signature, None)?)
            }
        }
    }

    /// The signed payload and the signature of a commit, if it is signed.
    pub fn commit_signature(&self, id: Oid) -> Result<Option<(Vec<u8>, String)>> {
        match self.repo.extract_signature(&id, None) {
            Ok((sig, data)) => Ok(Some((data.to_vec(), String::from_utf8_lossy(&sig).into_owned()))),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Stage `paths` from the working tree and commit them on HEAD (used by `demo`).
    pub fn commit_paths(&self, paths: &[&str], who: &Ident, message: &str) -> Result<Oid> {
        let mut index = self.repo.index()?;
        for p in paths {
            index.add_path(Path::new(p))?;
        }
        index.write()?;
        let tree = self.repo.find_tree(index.write_tree()?)?;
        let sig = git2::Signature::now(&who.name, &who.email)?;
        let parent = self.head()?.map(|h| self.repo.find_commit(h)).transpose()?;
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        Ok(self.repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)?)
    }

    /// Where the event cache and other accord state live.
    pub fn state_dir(&self) -> PathBuf {
        self.repo.path().join("accord")
    }
}

fn env_nonempty(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|s| !s.trim().is_empty())
}

/// `GIT_*_DATE` in git's forms: `@<secs> [+zzzz]`, `<secs> +zzzz`, or RFC 3339.
fn env_date(key: &str) -> Result<Option<(i64, i32)>> {
    let Some(v) = env_nonempty(key) else { return Ok(None) };
    parse_git_date(&v).map(Some).ok_or_else(|| {
        Error::new(format!("{key}=`{v}` is not a date accord understands"))
            .hint("use `@<seconds> +0000` or RFC 3339 such as 2026-11-20T10:00:00Z")
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_git_date("@1700000000 +0100"), Some((1_700_000_000, 60)));
        assert_eq!(parse_git_date("1700000000 -0230"), Some((1_700_000_000, -150)));
        assert_eq!(parse_git_date("2026-11-20T10:00:00Z"), Some((1_795_168_800, 0)));
        assert_eq!(parse_git_date("yesterday"), None);
    }

    #[test]
    fn raw_commit() {
        let data = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A B <a@b> 1700000000 +0000\ncommitter C <c@d> 1700000001 +0000\ngpgsig -----BEGIN X-----\n line\n -----END X-----\n\nsubject\n\nbody\n";
        let c = parse_commit(data);
        assert_eq!(c.parents.len(), 1);
        assert_eq!(c.author, Some(("A B".into(), "a@b".into(), 1_700_000_000)));
        assert_eq!(c.committer_time, 1_700_000_001);
        assert_eq!(c.message, b"subject\n\nbody\n");
    }
}
