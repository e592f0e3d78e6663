//! Scenarios: TOML text in, a validated [`Scenario`] out.
mod model;
pub use model::*;
