//! How a run's output is written: one module per format.
//!
//! - `json.rs`: `summary.json` (the key order of the file);
//! - `csv.rs`: `timeseries.csv` and `peers.csv`, through the `csv` crate;
//! - `text.rs`: the human summary `swarmsim run` prints;
//! - `fluid.rs`: what `swarmsim fluid` prints, as text or JSON.
//!
//! `summary.svg` (drawn with `plotters`) and `perf.json` (wall-clock figures, not
//! deterministic) are written by the binary, after the [`RESULT_FILES`] listed here.

pub mod csv;
pub mod fluid;
pub mod json;
pub mod text;

use crate::report::RunOutput;

/// One deterministic result file of a run: its name and how its text is made.
#[derive(Debug, Clone, Copy)]
pub struct ResultFile {
    /// File name inside the output directory.
    pub name: &'static str,
    /// Its text.
    pub render: fn(&RunOutput) -> String,
}

/// The deterministic result files of a run, in the order they are written.
pub const RESULT_FILES: [ResultFile; 3] = [
    ResultFile {
        name: "summary.json",
        render: |o| json::summary_json(&o.summary),
    },
    ResultFile {
        name: "timeseries.csv",
        render: |o| csv::timeseries_csv(&o.timeseries),
    },
    ResultFile {
        name: "peers.csv",
        render: |o| csv::peers_csv(&o.summary, &o.peers),
    },
];
