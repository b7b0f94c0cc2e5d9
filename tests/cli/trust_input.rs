//! See main.rs for what belongs here.

#[allow(unused_imports)]
use crate::common::*;
