//! Configuration given in the environment: `GIT_CONFIG_COUNT` with `GIT_CONFIG_KEY_<n>` and
//! `GIT_CONFIG_VALUE_<n>`, and `GIT_CONFIG_PARAMETERS` (what `git -c key=value` hands to the
//! programs it runs, such as an alias `!accord …`). git reads them after every configuration
//! file, `-c` last, so they win; libgit2 reads neither. accord asks here first, so that
//! `user.name`, `commit.gpgsign`, `accord.positions` and the rest mean what they mean to git.

use std::sync::OnceLock;

use crate::{Error, Result};

/// One entry: its key, canonical (see [`canonical`]), and its value; `None` is a key given
/// without `=` (`git -c core.bare`), which git reads as boolean true.
type Entry = (String, Option<String>);

static ENTRIES: OnceLock<std::result::Result<Vec<Entry>, String>> = OnceLock::new();

fn entries() -> &'static std::result::Result<Vec<Entry>, String> {
    ENTRIES.get_or_init(|| {
        let var = |k: &str| std::env::var(k).ok();
        read(var)
    })
}

/// Whether the environment's configuration can be read, as git requires before it runs: a
/// `GIT_CONFIG_COUNT` that names a missing key, or a `GIT_CONFIG_PARAMETERS` that is not
/// git's quoting, makes git refuse to run, and accord too.
pub(super) fn check() -> Result<()> {
    match entries() {
        Ok(_) => Ok(()),
        Err(why) => {
            Err(Error::new(format!("cannot read the configuration in the environment: {why}"))
                .hint(
                "git refuses it too (`git config --list`); unset it or give every key its value",
            ))
        }
    }
}

/// The last value the environment gives `key`: `Some(None)` for a key given without a value.
pub(super) fn get(key: &str) -> Option<Option<&'static str>> {
    let key = canonical(key);
    let found = entries().as_ref().ok()?.iter().rev().find(|(k, _)| *k == key)?;
    Some(found.1.as_deref())
}

/// The environment's value of `key` as a string (a key without a value is none).
pub(super) fn string(key: &str) -> Option<Option<String>> {
    get(key).map(|v| v.map(str::to_string))
}

/// The environment's value of `key` as git reads a boolean: no value, `true`, `yes`, `on` or a
/// nonzero number are true; an empty value, `false`, `no`, `off` or `0` are false; anything
/// else is no answer.
pub(super) fn boolean(key: &str) -> Option<Option<bool>> {
    get(key).map(|v| match v {
        None => Some(true),
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" => Some(true),
            "" | "false" | "no" | "off" => Some(false),
            n => n.parse::<i64>().ok().map(|n| n != 0),
        },
    })
}

/// `section.subsection.name` as git compares it: section and name without case, the
/// subsection as written.
fn canonical(key: &str) -> String {
    match (key.find('.'), key.rfind('.')) {
        (Some(first), Some(last)) if first != last => format!(
            "{}{}{}",
            key[..first].to_ascii_lowercase(),
            &key[first..last],
            key[last..].to_ascii_lowercase()
        ),
        _ => key.to_ascii_lowercase(),
    }
}

/// Every entry, `GIT_CONFIG_COUNT`'s first and `GIT_CONFIG_PARAMETERS`' after them, as git
/// reads them.
fn read(var: impl Fn(&str) -> Option<String>) -> std::result::Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    if let Some(count) = var("GIT_CONFIG_COUNT").filter(|c| !c.is_empty()) {
        let n: usize = count
            .trim()
            .parse()
            .map_err(|_| format!("GIT_CONFIG_COUNT=`{count}` is not a count"))?;
        for i in 0..n {
            let key = var(&format!("GIT_CONFIG_KEY_{i}"))
                .filter(|k| !k.is_empty())
                .ok_or_else(|| format!("GIT_CONFIG_KEY_{i} is missing"))?;
            let value = var(&format!("GIT_CONFIG_VALUE_{i}"))
                .ok_or_else(|| format!("GIT_CONFIG_VALUE_{i} is missing"))?;
            out.push((canonical(&key), Some(value)));
        }
    }
    if let Some(params) = var("GIT_CONFIG_PARAMETERS") {
        out.extend(parameters(&params).ok_or("GIT_CONFIG_PARAMETERS is not in git's quoting")?);
    }
    Ok(out)
}

/// `GIT_CONFIG_PARAMETERS`: entries separated by spaces, each `'key'='value'`, `'key'=` (no
/// value) or, as older git wrote them, `'key=value'`; every word in git's shell quoting.
fn parameters(s: &str) -> Option<Vec<Entry>> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches([' ', '\t', '\n']);
        if rest.is_empty() {
            return Some(out);
        }
        let (word, after) = quoted(rest)?;
        rest = after;
        if let Some(after) = rest.strip_prefix('=') {
            rest = after;
            if rest.starts_with('\'') {
                let (value, after) = quoted(rest)?;
                rest = after;
                out.push((canonical(&word), Some(value)));
            } else {
                out.push((canonical(&word), None));
            }
        } else {
            match word.split_once('=') {
                Some((k, v)) => out.push((canonical(k), Some(v.to_string()))),
                None => out.push((canonical(&word), None)),
            }
        }
        if !(rest.is_empty() || rest.starts_with([' ', '\t', '\n'])) {
            return None;
        }
    }
}

/// One word in git's shell quoting (`sq_quote`): `'…'` pieces, joined by `\'` or `\!` between
/// them. The word and what follows it.
fn quoted(s: &str) -> Option<(String, &str)> {
    let mut word = String::new();
    let mut rest = s.strip_prefix('\'')?;
    loop {
        let end = rest.find('\'')?;
        word.push_str(&rest[..end]);
        rest = &rest[end + 1..];
        match rest.strip_prefix('\\') {
            Some(after) => {
                let c = after.chars().next()?;
                word.push(c);
                rest = after[c.len_utf8()..].strip_prefix('\'')?;
            }
            None => return Some((word, rest)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    /// The exact string git 2.47 hands an alias for
    /// `git -c foo.bar -c 'a.B.c=x y' -c "q.r=it's" -c e.f= -c 'alias.p=!echo'`.
    #[test]
    fn parameters_as_git_writes_them() {
        let got =
            parameters(r#"'foo.bar'= 'a.B.c'='x y' 'q.r'='it'\''s' 'e.f'='' 'alias.p'=''\!'echo'"#)
                .unwrap();
        let want: Vec<Entry> = vec![
            ("foo.bar".into(), None),
            ("a.B.c".into(), Some("x y".into())),
            ("q.r".into(), Some("it's".into())),
            ("e.f".into(), Some("".into())),
            ("alias.p".into(), Some("!echo".into())),
        ];
        assert_eq!(got, want);
        // The older form, one word per entry.
        assert_eq!(
            parameters("'user.name=Ada L' 'core.bare'").unwrap(),
            vec![("user.name".into(), Some("Ada L".into())), ("core.bare".into(), None)]
        );
        for bad in ["user.name=x", "'open", "'a.b'='x'y", "'a.b'='x'\\"] {
            assert_eq!(parameters(bad), None, "{bad}");
        }
    }

    #[test]
    fn count_then_parameters_the_last_wins_and_keys_compare_as_git_compares_them() {
        let all = read(env(&[
            ("GIT_CONFIG_COUNT", "2"),
            ("GIT_CONFIG_KEY_0", "User.Name"),
            ("GIT_CONFIG_VALUE_0", "C"),
            ("GIT_CONFIG_KEY_1", "Remote.Origin.Mirror"),
            ("GIT_CONFIG_VALUE_1", "yes"),
            ("GIT_CONFIG_PARAMETERS", "'user.NAME'='P'"),
        ]))
        .unwrap();
        let last = |key: &str| {
            let key = canonical(key);
            all.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| v.clone())
        };
        assert_eq!(last("user.name"), Some(Some("P".into())));
        assert_eq!(last("remote.Origin.mirror"), Some(Some("yes".into())));
        assert_eq!(last("remote.origin.mirror"), None, "a subsection keeps its case");
        assert_eq!(
            read(env(&[("GIT_CONFIG_COUNT", "1")])),
            Err("GIT_CONFIG_KEY_0 is missing".into())
        );
        assert_eq!(
            read(env(&[("GIT_CONFIG_COUNT", "1"), ("GIT_CONFIG_KEY_0", "a.b")])),
            Err("GIT_CONFIG_VALUE_0 is missing".into())
        );
        assert!(read(env(&[("GIT_CONFIG_COUNT", "x")])).is_err());
        assert_eq!(read(env(&[("GIT_CONFIG_COUNT", "")])), Ok(vec![]));
    }
}
