//! Supersession (SPEC §3): given every agreement at a commit with its `supersedes` list, whether
//! it is ratified there and since when, decide which agreements are superseded, by whom and
//! since when; and find the `supersedes` lists that `check` must refuse (unknown ids, cycles).
//!
//! Pure: the caller evaluates the agreements and finds when each became ratified (a replay of
//! its timeline); this module only combines those answers. It never reads files or git.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// One agreement that names others in `supersedes`, as evaluated at a commit.
#[derive(Debug, Clone)]
pub struct Successor<'a> {
    pub id: &'a str,
    pub supersedes: &'a [String],
    /// Whether it is ratified at the commit: an unratified proposal supersedes nothing.
    pub ratified: bool,
    /// When it last became ratified (seconds since the epoch), when known.
    pub since: Option<i64>,
}

/// One ratified agreement that supersedes another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupersededBy {
    pub id: String,
    /// When the superseding agreement became ratified.
    pub since: Option<i64>,
}

/// For each superseded agreement, the ratified agreements that supersede it, by id.
pub type Supersessions = BTreeMap<String, Vec<SupersededBy>>;

/// Which agreements are superseded: every id named by a ratified successor. An agreement that
/// names itself supersedes nothing (`check` refuses it as a cycle).
pub fn superseded(successors: &[Successor]) -> Supersessions {
    let mut out: Supersessions = BTreeMap::new();
    for s in successors.iter().filter(|s| s.ratified) {
        for old in s.supersedes.iter().filter(|old| old.as_str() != s.id) {
            let by = out.entry(old.clone()).or_default();
            if !by.iter().any(|b| b.id == s.id) {
                by.push(SupersededBy { id: s.id.to_string(), since: s.since });
            }
        }
    }
    for by in out.values_mut() {
        by.sort_by(|a, b| a.id.cmp(&b.id));
    }
    out
}

/// The moment an agreement became superseded: the earliest ratification among its successors.
pub fn since(by: &[SupersededBy]) -> Option<i64> {
    by.iter().filter_map(|b| b.since).min()
}

/// A `supersedes` list `check` refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `agreement` names `missing`, which is no agreement.
    Unknown { agreement: String, missing: String },
    /// These agreements supersede each other in a circle (one id: it names itself).
    Cycle { agreements: Vec<String> },
}

/// Every unknown id (`known` says which ids name an agreement) and every cycle, among the
/// `supersedes` lists of `links` (`(id, supersedes)`), in a stable order. Linear in the
/// number of links (Tarjan's strongly connected components, without recursion).
pub fn problems(links: &[(&str, &[String])], known: &dyn Fn(&str) -> bool) -> Vec<Problem> {
    let mut out = Vec::new();
    for (id, list) in links {
        for old in list.iter().filter(|old| !known(old)) {
            out.push(Problem::Unknown { agreement: id.to_string(), missing: old.clone() });
        }
    }
    let names_itself: HashSet<&str> =
        links.iter().filter(|(id, list)| list.iter().any(|o| o == id)).map(|(id, _)| *id).collect();
    let mut cycles: Vec<Vec<String>> = components(links)
        .into_iter()
        .filter(|c| c.len() > 1 || names_itself.contains(c[0]))
        .map(|c| c.into_iter().map(str::to_string).collect::<BTreeSet<_>>().into_iter().collect())
        .collect();
    cycles.sort();
    out.extend(cycles.into_iter().map(|agreements| Problem::Cycle { agreements }));
    out
}

/// The strongly connected components of the graph `id → each id it supersedes`.
fn components<'a>(links: &'a [(&'a str, &'a [String])]) -> Vec<Vec<&'a str>> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut edges: Vec<Vec<usize>> = Vec::new();
    let mut node = |name: &'a str, names: &mut Vec<&'a str>, edges: &mut Vec<Vec<usize>>| {
        *index.entry(name).or_insert_with(|| {
            names.push(name);
            edges.push(Vec::new());
            names.len() - 1
        })
    };
    for (id, list) in links {
        let from = node(id, &mut names, &mut edges);
        for old in list.iter() {
            let to = node(old, &mut names, &mut edges);
            edges[from].push(to);
        }
    }
    let n = names.len();
    let (mut order, mut low) = (vec![usize::MAX; n], vec![0; n]);
    let (mut on_stack, mut stack, mut out) = (vec![false; n], Vec::new(), Vec::new());
    let mut next = 0;
    for root in 0..n {
        if order[root] != usize::MAX {
            continue;
        }
        // (node, next edge to follow)
        let mut work = vec![(root, 0usize)];
        order[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut e)) = work.last_mut() {
            if let Some(&w) = edges[v].get(*e) {
                *e += 1;
                if order[w] == usize::MAX {
                    order[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(order[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == order[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(names[w]);
                    if w == v {
                        break;
                    }
                }
                out.push(component);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_proposal_supersedes_nothing() {
        let olds = ids(&["adr-12"]);
        let s = [Successor { id: "adr-31", supersedes: &olds, ratified: false, since: None }];
        assert!(superseded(&s).is_empty());
    }

    #[test]
    fn ratified_successors_supersede_with_their_time() {
        let (a, b) = (ids(&["old", "older"]), ids(&["old"]));
        let s = [
            Successor { id: "new-b", supersedes: &b, ratified: true, since: Some(20) },
            Successor { id: "new-a", supersedes: &a, ratified: true, since: Some(30) },
        ];
        let got = superseded(&s);
        assert_eq!(got.keys().collect::<Vec<_>>(), ["old", "older"]);
        let by = &got["old"];
        assert_eq!(by.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(), ["new-a", "new-b"]);
        assert_eq!(since(by), Some(20));
        assert_eq!(got["older"], [SupersededBy { id: "new-a".into(), since: Some(30) }]);
    }

    #[test]
    fn unknown_ids_and_cycles() {
        let (a, b, c, d) = (ids(&["b"]), ids(&["c"]), ids(&["a", "ghost"]), ids(&["d"]));
        let links: Vec<(&str, &[String])> =
            vec![("a", &a), ("b", &b), ("c", &c), ("d", &d), ("e", &[])];
        let known = |id: &str| ["a", "b", "c", "d", "e"].contains(&id);
        assert_eq!(
            problems(&links, &known),
            [
                Problem::Unknown { agreement: "c".into(), missing: "ghost".into() },
                Problem::Cycle { agreements: ids(&["a", "b", "c"]) },
                Problem::Cycle { agreements: ids(&["d"]) },
            ]
        );
        // A chain is no cycle.
        let (x, y) = (ids(&["y"]), ids(&["z"]));
        let chain: Vec<(&str, &[String])> = vec![("x", &x), ("y", &y), ("z", &[])];
        assert!(problems(&chain, &|_| true).is_empty());
    }

    #[test]
    fn a_long_chain_needs_no_deep_stack() {
        let lists: Vec<Vec<String>> = (0..100_000).map(|i| vec![format!("a{}", i + 1)]).collect();
        let names: Vec<String> = (0..100_000).map(|i| format!("a{i}")).collect();
        let mut links: Vec<(&str, &[String])> =
            names.iter().zip(&lists).map(|(n, l)| (n.as_str(), l.as_slice())).collect();
        assert!(problems(&links, &|_| true).is_empty());
        let back = vec!["a0".to_string()];
        links.push(("a100000", &back));
        let p = problems(&links, &|_| true);
        assert!(matches!(&p[..], [Problem::Cycle { agreements }] if agreements.len() == 100_001));
    }
}
