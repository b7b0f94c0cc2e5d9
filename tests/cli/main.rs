//! accord's one integration-test binary: real git repositories in temporary folders, the real
//! `accord` binary, and the real `git` for interoperability. One module per command or theme.

mod common;

mod cache; // the event cache and commit-graph paths give the same answers as a cold run
mod foundation; // init, new, list, show, check: the file format and its diagnostics
mod history; // log, diff, history, review, textconv: how agreements changed
mod issue9_commit_graph; // truncated or corrupt commit-graph files: set aside, same answers
mod positions; // sign, object, abstain, withdraw, status, pending, verify: the ledger and the rules
mod trust_input; // bad input, fuzz properties, forged trailers: clear errors, nothing written
mod trust_repos; // odd repository states, signed verification, many clones, crash safety
