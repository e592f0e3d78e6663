//! Tests of the scenario layer, one file per stage: `document` (syntax, unknown keys, bad
//! values, `--set`), `resolve` (defaults, required keys, cross-field rules, arrivals),
//! `describe` (`validate`'s text) and `load` (files, and no panic on any input). They go
//! through the public entry points, so every message is checked as a user sees it.

mod describe;
mod document;
mod load;
mod resolve;

pub(super) use super::*;
pub(super) use crate::time::{SimDuration, SimTime};

/// The smallest valid scenario: every other key takes its default.
pub(super) const MINIMAL: &str = r#"
[content]
size = "100MB"

[[seeds]]
upload = "10Mbps"

[[classes]]
name = "dsl"
share = 1
upload = "1Mbps"
download = "8Mbps"

[arrivals]
process = "flash-crowd"
peers = 10
"#;

pub(super) fn load(text: &str) -> Result<Scenario, ScenarioError> {
    load_str(text, "x.toml", "x", &[])
}

pub(super) fn err(text: &str) -> String {
    load(text).unwrap_err().to_string()
}

pub(super) fn with_sets(text: &str, sets: &[&str]) -> Result<Scenario, String> {
    let overrides: Vec<Override> = sets
        .iter()
        .map(|s| Override::parse(s))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    load_str(text, "x.toml", "x", &overrides).map_err(|e| e.to_string())
}

pub(super) fn set_err(text: &str, sets: &[&str]) -> String {
    with_sets(text, sets).unwrap_err()
}

/// MINIMAL with a second class, for paths like `classes[1].share`.
pub(super) fn two_classes() -> String {
    MINIMAL.replace("share = 1\n", "share = 0.5\n")
        + r#"
[[classes]]
name = "ftth"
share = 0.5
upload = "30Mbps"
download = "30Mbps"
"#
}
