//! Scenarios: TOML text in, a validated [`Scenario`] out, and back to text for `validate`.
//!
//! One stage per module, each depending only on the ones above it:
//!
//! | module | stage |
//! | --- | --- |
//! | `error` | [`ScenarioError`] (what callers see) and `Invalid` (a failed rule) |
//! | `shares` | Zipf popularity and largest-remainder splits |
//! | `arrivals` | [`Arrivals`]: splitting by share, shifting to a release, expected counts |
//! | `model` | the resolved types the simulator runs, with their defaults |
//! | `raw` | the file's tables for serde: every key optional, every unit parsed |
//! | `document` | the `toml_edit` document: `--set` [`Override`]s, spans → lines and key paths |
//! | `checks` | value rules shared by the resolve stage |
//! | `trace` | reading a trace file of arrival instants |
//! | `demand` | an `[arrivals]` table read into a process, or a trace naming contents |
//! | `catalog` | the contents: sizes, policies, who asks for each |
//! | `pricing` | the origin's price list and currency (resolve stage) |
//! | `resolve` | raw tables → [`Scenario`]: defaults filled in, cross-field rules |
//! | `load` | the pipeline: [`load_file`], [`load_str`] |
//! | `describe` | [`describe`]: the text of `swarmsim validate` |
//! | `limits` | [`limits`]: the bound of every value, one `const` each, and capped file reads |
//!
//! Sampling arrival instants is [`crate::workload`]'s job; it depends on this module,
//! never the reverse.
mod arrivals;
mod catalog;
mod checks;
mod demand;
mod describe;
mod document;
mod error;
pub mod limits;
mod load;
mod model;
mod pricing;
mod raw;
mod resolve;
mod shares;
mod trace;

#[cfg(test)]
mod tests;

pub use arrivals::expected_count;
pub(crate) use arrivals::{decaying_mass_s, hour_segments, hourly_rates};
pub use describe::describe;
pub use document::Override;
pub use error::ScenarioError;
pub use load::{emit_file, load_file, load_str};
pub use model::*;
pub use shares::{largest_remainder, zipf_shares};
