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

// The exporters as methods of the run's output, defined here so that `report` does not
// depend on `export`: the dependency goes one way.
impl RunOutput {
    /// `summary.json` text (pretty, trailing newline): [`json`].
    pub fn summary_json(&self) -> String {
        json::summary_json(&self.summary)
    }

    /// `timeseries.csv` text: [`csv`].
    pub fn timeseries_csv(&self) -> String {
        csv::timeseries_csv(&self.timeseries)
    }

    /// `peers.csv` text: [`csv`].
    pub fn peers_csv(&self) -> String {
        csv::peers_csv(&self.summary, &self.peers)
    }

    /// A short summary a person can read: [`text`].
    pub fn human_summary(&self) -> String {
        text::human_summary(&self.summary)
    }
}
