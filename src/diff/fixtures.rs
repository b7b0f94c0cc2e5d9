//! A test agreement and small edits of it, shared by the unit tests of `diff` and
//! `render::diff`.

use crate::model::{parse, Agreement};

pub(crate) const BASE: &str = r#"schema = 1
title = "Platform team charter"
kind = "charter"
purpose = """
Give every product team a paved road
from merge to production.
"""
review_every = "90d"

[decision]
rule = "consent"

[scope]
in = ["CI runners", "deploy pipeline"]
out = ["application on-call"]

[[party]]
name = "Ada Lovelace"
email = "ada@example.com"
role = "steward"

[[party]]
name = "Grace Hopper"
email = "grace@example.com"

[[commitment]]
id = "pager"
by = ["grace@example.com"]
to = ["ada@example.com"]
text = "Answer deploy-pipeline pages within 15 minutes."

[[norm]]
text = "We review each other's pull requests within one working day."
"#;

pub(crate) fn agreement(text: &str) -> Agreement {
    parse(text.as_bytes(), "test.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// BASE with `from` replaced by `to` (which must occur).
pub(crate) fn edited(from: &str, to: &str) -> Agreement {
    assert!(BASE.contains(from), "{from}");
    agreement(&BASE.replace(from, to))
}
