//! A run's result files read back for its report: `summary.json` (as JSON, so a newer
//! file with more keys still reads), the columns of `timeseries.csv` and `peers.csv` the
//! report draws, and small accessors. A missing column or a bad cell is an error naming
//! the file and the row.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// One row of `timeseries.csv`: the mean rates over the interval ending at `time_s`, and
/// the swarm at that instant.
pub struct Sample {
    pub time_s: f64,
    pub origin_bps: f64,
    pub peer_bps: f64,
    pub leechers: f64,
    pub seeds: f64,
}

/// What the report reads of one download (`peers.csv`).
pub struct Download {
    pub class: String,
    pub download_time_s: Option<f64>,
}

/// A run's result files, read.
pub struct RunFiles {
    pub dir: PathBuf,
    pub summary: Value,
    pub samples: Vec<Sample>,
    pub downloads: Vec<Download>,
}

/// Whether `dir` holds a run's results.
pub fn is_run(dir: &Path) -> bool {
    dir.join("summary.json").is_file()
}

/// Reads the columns `names` of the CSV file `path`, every row (empty cells are `None`
/// for numbers).
fn read_csv(path: &Path, names: &[&str]) -> Result<Vec<Vec<String>>> {
    let mut r =
        csv::Reader::from_path(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let header = r
        .headers()
        .with_context(|| format!("{}: not CSV", path.display()))?
        .clone();
    let idx = names
        .iter()
        .map(|n| {
            header.iter().position(|h| h == *n).with_context(|| {
                format!(
                    "{}: no column `{n}`; expected the file swarmsim run writes",
                    path.display()
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.with_context(|| format!("{}: row {}", path.display(), i + 2))?;
        rows.push(
            idx.iter()
                .map(|&k| rec.get(k).unwrap_or("").to_string())
                .collect(),
        );
    }
    Ok(rows)
}

/// A number cell of `path` (row `row`, 0-based data row), `None` when empty.
fn cell(path: &Path, row: usize, text: &str) -> Result<Option<f64>> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<f64>().map(Some).with_context(|| {
        format!(
            "{}: row {}: `{text}` is not a number",
            path.display(),
            row + 2
        )
    })
}

impl RunFiles {
    /// Reads the result files of the run in `dir`.
    /// The no-P2P baseline `swarmsim run --baseline` wrote beside a run (`DIR/baseline.json`,
    /// a summary without time series or downloads), `None` when there is none.
    pub fn baseline_json(dir: &Path) -> Result<Option<RunFiles>> {
        let path = dir.join("baseline.json");
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let summary: Value = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a swarmsim summary", path.display()))?;
        Ok(Some(RunFiles {
            dir: dir.to_path_buf(),
            summary,
            samples: Vec::new(),
            downloads: Vec::new(),
        }))
    }

    pub fn read(dir: &Path) -> Result<RunFiles> {
        let summary = read_summary(dir)?;
        let ts = dir.join("timeseries.csv");
        let cols = [
            "time_s",
            "origin_bps",
            "peer_bps",
            "active_leechers",
            "active_seeds",
        ];
        let mut samples = Vec::new();
        for (i, row) in read_csv(&ts, &cols)?.iter().enumerate() {
            let v = |k: usize| cell(&ts, i, &row[k]).map(|x| x.unwrap_or(0.0));
            samples.push(Sample {
                time_s: v(0)?,
                origin_bps: v(1)?,
                peer_bps: v(2)?,
                leechers: v(3)?,
                seeds: v(4)?,
            });
        }
        let pc = dir.join("peers.csv");
        let mut downloads = Vec::new();
        for (i, row) in read_csv(&pc, &["class", "download_time_s"])?
            .into_iter()
            .enumerate()
        {
            downloads.push(Download {
                download_time_s: cell(&pc, i, &row[1])?,
                class: row.into_iter().next().unwrap_or_default(),
            });
        }
        Ok(RunFiles {
            dir: dir.to_path_buf(),
            summary,
            samples,
            downloads,
        })
    }
}

/// Reads and checks `DIR/summary.json`.
fn read_summary(dir: &Path) -> Result<Value> {
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let v: Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    for key in [
        "scenario",
        "seed",
        "version",
        "offload_ratio",
        "origin_cost",
    ] {
        if v.get(key).is_none() {
            bail!(
                "{}: no `{key}`; expected the summary.json swarmsim run writes",
                path.display()
            );
        }
    }
    Ok(v)
}

/// The number at the dotted `path` of `v` (`origin_cost.p95_5min_bps`).
pub fn num(v: &Value, path: &str) -> Option<f64> {
    path.split('.')
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_f64)
}

/// The text at `key` of `v`.
pub fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The currency of the run's prices, when `summary.json` names one.
pub fn currency(v: &Value) -> Option<&str> {
    v.get("currency")
        .or_else(|| v.get("origin_cost").and_then(|c| c.get("currency")))
        .and_then(Value::as_str)
}

/// `x` or a dash.
pub fn opt(x: Option<f64>, f: impl Fn(f64) -> String) -> String {
    x.map_or_else(|| "–".to_string(), f)
}
