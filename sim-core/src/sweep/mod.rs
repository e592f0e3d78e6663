//! Parameter sweeps: one base scenario, parameters varied over lists and ranges, several
//! replications per point, every run's figures recorded, and per-point statistics with
//! 95% confidence intervals.
//!
//! | module | what |
//! | --- | --- |
//! | `spec` | the sweep file as written (serde) |
//! | `plan` | [`Sweep`]: the file resolved into points, each point's scenario checked; run seeds |
//! | `columns` | [`METRICS`]: the figures recorded per run |
//! | `stats` | mean, standard deviation, Student-t 95% interval |
//! | `store` | the sweep directory: manifest, run records, `runs.csv`, `points.csv`, merge |
//! | `exec` | running a sweep (or one shard of it) on a thread pool, resumably |
//!
//! The file format is documented in `docs/sweeps.md`.

mod columns;
mod exec;
mod plan;
mod spec;
mod stats;
mod store;

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;

pub use columns::{read_all, Metric, METRICS};
pub use exec::{execute, ExecOptions, ExecReport, Shard, SweepProgress};
pub use plan::{
    mix64, run_seed, Point, Sweep, DEFAULT_MAX_RUNS, DEFAULT_REPLICATIONS, MAX_RANGE_STEPS,
    MAX_RUNS_LIMIT,
};
pub use stats::{t975, Stats};
pub use store::{merge, points_csv, runs_csv, write_atomic, Manifest, RunRecord};

/// Largest sweep file read, bytes (a sweep file is a page of text).
pub const MAX_SWEEP_FILE_BYTES: u64 = 1 << 20;

/// Why a sweep could not be loaded, run or merged: the file (or directory), the line
/// when known, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", location(.file, .line))]
pub struct SweepError {
    /// The file or directory concerned.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl SweepError {
    /// `message` about `file` (at `line`).
    pub fn at(file: &str, line: Option<usize>, message: String) -> SweepError {
        SweepError {
            file: file.to_string(),
            line,
            message,
        }
    }
}

fn location(file: &str, line: &Option<usize>) -> String {
    let mut out = file.to_string();
    if let Some(l) = line {
        let _ = write!(out, ":{l}");
    }
    out
}

/// Reads a sweep file, refusing one larger than [`MAX_SWEEP_FILE_BYTES`] or not UTF-8.
fn read_limited(path: &Path) -> Result<String, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("cannot read the sweep file: {e}"))?;
    let mut bytes = Vec::new();
    f.take(MAX_SWEEP_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the sweep file: {e}"))?;
    if bytes.len() as u64 > MAX_SWEEP_FILE_BYTES {
        return Err(format!(
            "larger than {} bytes; a sweep file is a short TOML text",
            MAX_SWEEP_FILE_BYTES
        ));
    }
    String::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
}

/// 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// A parser message on one line.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Line of the top-level key `key`, when present.
fn key_line(text: &str, key: &str) -> Option<usize> {
    let doc = toml_edit::ImDocument::parse(text).ok()?;
    let (k, _) = doc.as_table().get_key_value(key)?;
    k.span().map(|s| line_of(text, s.start))
}

/// Line of the `i`-th `[[table]]`, when present.
fn table_line(text: &str, table: &str, i: usize) -> Option<usize> {
    let doc = toml_edit::ImDocument::parse(text).ok()?;
    let array = doc.as_table().get(table)?.as_array_of_tables()?;
    array.get(i)?.span().map(|s| line_of(text, s.start))
}
