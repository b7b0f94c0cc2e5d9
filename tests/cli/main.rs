//! accord's one integration-test binary: real git repositories in temporary folders, the real
//! `accord` binary, and the real `git` for interoperability. One module per command or theme;
//! the helpers they share live in `common` and its sub-modules, one per family of tests.

// Tests drive git and accord as programs and inspect repositories directly.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

mod common;

// The agreement file: init, new, the rules it must keep, and the commands that read it.
mod check; // check's exit codes and JSON; unreadable files refused everywhere
mod check_rules; // each rule a file must keep, with its location
mod cli; // -C, --color, markdown refusals, help, usage errors, reads in a bare repository
mod import; // markdown charters become agreements; what could not be mapped
mod init; // the folder, the attribute and the diff driver
mod list; // drafts, blocks, ratified, uncommitted changes
mod new; // templates, ids, titles, identities, never overwriting
mod show; // human, markdown and JSON renderings, --rev
mod site; // the static HTML site: structure, escaping, the matrix against status, Chromium

// How agreements changed.
mod diff; // word diffs, reflow, renamed ids, parties, which revisions
mod due; // review dates, periods and ends
mod history; // versions across reverts and merges, who signed each
mod log; // the timeline, newest first
mod review; // what a range of commits changed, for a pull request
mod textconv; // the git diff driver: git diff and git log -p

// Positions and what they decide.
mod commitments; // who answers for what across agreements; give and take
mod demo; // the README's first command
mod gate_attacks; // a fourth red-team round on the gate: one test per attack
mod ordering; // which position stands: topology, time, id; reset and amend
mod pending; // the agreements waiting for me
mod positions_branch; // the positions branch, sync, and consent across merge strategies
mod rename_attacks; // a fifth red-team round: renames that moved positions to the wrong agreement
mod rules_in_force; // SPEC §5: governance edits judged by the rules in force
mod sign; // sign, object, abstain, withdraw: the commit, the refusals, concurrent writers
mod status; // status output; hand-made positions count, other commits do not
mod status_rules; // consent, unanimous, majority, quorum, stewards, observers, stale, carried over
mod supersede; // a ratified successor supersedes; chains, cycles, unknown ids, removal
mod verify; // positions made by their party; SSH-signed positions

// Trust: odd repositories, signatures, many clones, crashes, bad input, the cache.
mod cache; // the event cache follows history like a cold run
mod cache_branch; // the positions-branch cache follows new positions, sync merges, resets, remote copies
mod cache_files; // cache and commit-graph files as found on disk
mod cache_folders; // the folder-change index follows renames, merges, rebases like a cold run
mod cache_random; // random histories: cached equals cold at every step
mod cache_review; // a review's answer kept for the same question, asked again when anything moves
mod clones; // ten clones sign and push at once
mod config_env; // git -c, GIT_CONFIG_COUNT and safe.directory, as git reads them
mod crash; // accord killed at random moments corrupts nothing
mod issue11; // issue 11: one test per attack on the gate, each beside its honest counterpart
mod issue12; // issue 12: one test per item a real team hit
mod issue9_commit_graph; // truncated or corrupt commit-graph files: set aside, same answers
mod odd_repos; // shallow, bare, detached, unborn, merge/rebase in progress, worktrees
mod trust_input; // bad input, fuzz properties, forged trailers: clear errors, nothing written
mod verify_signed; // verify --signed with real SSH and OpenPGP keys
