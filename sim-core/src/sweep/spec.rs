//! The sweep file (TOML) as written: a base scenario, the parameters that vary, the
//! replications per point and the runs cap. Every key is checked (unknown keys are errors)
//! and every error names the sweep file, the line and the key.
//!
//! ```toml
//! scenario = "../scenarios/poisson-steady.toml"  # relative to this file
//! replications = 10                               # seeds per point
//! seed = 1                                        # master seed of the sweep
//! set = ["simulation.max_time=2d"]                # fixed overrides of every run
//!
//! [[parameter]]                                   # one dimension: explicit values
//! key = "audience.p2p_share"
//! values = [0.05, 0.25, 0.5, 1.0]
//!
//! [[parameter]]                                   # a range: linear or log
//! key = "origin.capacity"
//! range = { from = 10, to = 1000, steps = 3, scale = "log", unit = "Mbps" }
//!
//! [[parameter]]                                   # keys that vary together (zipped)
//! keys = ["content.size", "content.piece_size"]
//! values = [["100MB", "256KiB"], ["1GB", "1MiB"]]
//!
//! [[variant]]                                     # named variants: one more dimension
//! name = "peers-first"
//! set = ["client.policy=peers-first"]
//! ```

use serde::Deserialize;

/// The sweep file's top level.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSweep {
    /// Base scenario file, relative to the sweep file.
    pub scenario: String,
    /// Runs per point (each with its own seed).
    pub replications: Option<u32>,
    /// Master seed from which every run's seed is mixed.
    pub seed: Option<u64>,
    /// Largest number of runs the sweep may have.
    pub max_runs: Option<u64>,
    /// Give replication `r` of every point the seed `seed + r` (common random numbers),
    /// so points differ only by their parameters.
    pub common_random_numbers: Option<bool>,
    /// Overrides applied to every run, `KEY.PATH=VALUE` like `--set`.
    #[serde(default)]
    pub set: Vec<String>,
    /// The varied parameters, one dimension each.
    #[serde(default)]
    pub parameter: Vec<RawParameter>,
    /// Named variants, one more dimension (outermost).
    #[serde(default)]
    pub variant: Vec<RawVariant>,
}

/// One `[[parameter]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawParameter {
    /// The key path, as for `--set`.
    pub key: Option<String>,
    /// Several key paths that vary together (zipped).
    pub keys: Option<Vec<String>>,
    /// Explicit values (for `keys`: one list per point, one value per key).
    pub values: Option<Vec<toml::Value>>,
    /// A range of numbers.
    pub range: Option<RawRange>,
    /// Names for the values in the results (one per value), instead of the values: the
    /// parameter then has one column, named `name`.
    pub labels: Option<Vec<String>>,
    /// The column name of a labelled parameter (default: its key(s), joined by `+`).
    pub name: Option<String>,
}

/// A `range = { ... }` of numbers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRange {
    /// First value.
    pub from: f64,
    /// Last value (included).
    pub to: f64,
    /// Number of values, at least 2 (or 1 when `from == to`).
    pub steps: u32,
    /// `"linear"` (default) or `"log"`.
    pub scale: Option<String>,
    /// A unit appended to every value (`"Mbps"`, `"MB"`, `"min"`).
    pub unit: Option<String>,
    /// Round every value to a whole number.
    pub integer: Option<bool>,
}

/// One `[[variant]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVariant {
    /// Its name (a column of the results).
    pub name: String,
    /// Its overrides, `KEY.PATH=VALUE`.
    #[serde(default)]
    pub set: Vec<String>,
}
