//! Scenarios: TOML text in, a validated [`Scenario`] out.
//!
//! The resolved types the simulator runs ([`Scenario`] and its parts) are re-exported
//! here; a private `raw` module mirrors the file's tables for serde; [`load`] turns one into
//! the other, applies `--set` overrides and reports errors that name the file, the line and
//! the key path.
mod catalog;
pub mod load;
mod model;
mod raw;

pub use catalog::zipf_shares;
pub use load::{describe, load_file, load_str, Override, ScenarioError};
pub use model::*;
