//! A sweep's directory: what it holds and how it is written.
//!
//! ```text
//! DIR/manifest.json   what the sweep computes: version, hash, columns, points, metrics
//! DIR/sweep.toml      the sweep file, as written
//! DIR/runs/p000003-r0007.json   one record per finished run (written as it finishes)
//! DIR/runs.csv        one row per run: parameters, seed, digest, every metric
//! DIR/points.csv      one row per point: per metric mean, sd, 95% CI, n
//! ```
//!
//! Every file is written to a temporary name, flushed to disk and renamed into place, so
//! a kill at any moment leaves whole records only; a rerun skips the runs whose record
//! exists. `runs.csv` and `points.csv` are made from the records alone, in (point,
//! replication) order, so they are byte-identical however the runs were spread over
//! threads, shards and machines.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::columns::METRICS;
use super::stats::Stats;
use super::{Sweep, SweepError};

/// What a sweep directory computes (`manifest.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `"swarmsim sweep"`.
    pub kind: String,
    /// swarmsim version that ran it (runs of two versions are never mixed).
    pub version: String,
    /// [`Sweep::hash`].
    pub sweep_hash: String,
    /// File name of the sweep file.
    pub sweep_file: String,
    /// Runs per point.
    pub replications: u32,
    /// Master seed.
    pub master_seed: u64,
    /// Replication `r` shares its seed across points.
    pub common_random_numbers: bool,
    /// Varied columns.
    pub columns: Vec<String>,
    /// Each point's labels, one per column.
    pub points: Vec<Vec<String>>,
    /// Metric names, in record order.
    pub metrics: Vec<String>,
}

impl Manifest {
    /// The manifest of `sweep`.
    pub fn of(sweep: &Sweep) -> Manifest {
        Manifest {
            kind: "swarmsim sweep".into(),
            version: crate::report::VERSION.into(),
            sweep_hash: sweep.hash(),
            sweep_file: sweep
                .file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            replications: sweep.replications,
            master_seed: sweep.master_seed,
            common_random_numbers: sweep.common_random_numbers,
            columns: sweep.columns.clone(),
            points: sweep.points.iter().map(|p| p.labels.clone()).collect(),
            metrics: METRICS.iter().map(|m| m.name.to_string()).collect(),
        }
    }

    /// Total runs.
    pub fn runs(&self) -> usize {
        self.points.len() * self.replications as usize
    }

    /// Reads `DIR/manifest.json`, `None` when there is none.
    pub fn read(dir: &Path) -> Result<Option<Manifest>, SweepError> {
        let path = dir.join("manifest.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                SweepError::at(
                    &path.display().to_string(),
                    None,
                    format!("not a sweep manifest: {e}"),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SweepError::at(
                &path.display().to_string(),
                None,
                e.to_string(),
            )),
        }
    }

    /// Refuses `other` (a directory's manifest) unless it is this same sweep.
    pub fn check_same(&self, other: &Manifest, dir: &Path) -> Result<(), SweepError> {
        if other.version != self.version {
            return Err(SweepError::at(
                &dir.display().to_string(),
                None,
                format!(
                    "holds runs of swarmsim {} (this is {}); runs of two versions are never mixed: \
                     choose another directory",
                    other.version, self.version
                ),
            ));
        }
        if other != self {
            return Err(SweepError::at(
                &dir.display().to_string(),
                None,
                format!(
                    "holds results of a different sweep ({}, hash {}; this one is {}, hash {}): \
                     choose another --out or delete it",
                    other.sweep_file, other.sweep_hash, self.sweep_file, self.sweep_hash
                ),
            ));
        }
        Ok(())
    }
}

/// What one finished run left: its seed, digest and every metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    /// Point index.
    pub point: usize,
    /// Replication index.
    pub replication: u32,
    /// The run's seed.
    pub seed: u64,
    /// The run's event digest.
    pub digest: String,
    /// Why the run stopped before every download ended (`"max_time"`), `None` when it
    /// ran to the end.
    pub stopped: Option<String>,
    /// Metric values in [`METRICS`] order (`null`: no such figure in this run).
    pub metrics: Vec<Option<f64>>,
}

/// Path of the record of run (`point`, `rep`) in `dir`.
pub fn record_path(dir: &Path, point: usize, rep: u32) -> PathBuf {
    dir.join("runs").join(format!("p{point:06}-r{rep:04}.json"))
}

impl RunRecord {
    /// Writes the record durably (temp file, fsync, rename).
    pub fn write(&self, dir: &Path) -> Result<(), SweepError> {
        let mut text = serde_json::to_string(self).expect("record serialises");
        text.push('\n');
        write_atomic(
            &record_path(dir, self.point, self.replication),
            text.as_bytes(),
        )
    }

    /// Reads the record of (`point`, `rep`) from `dir`, `None` when there is none.
    pub fn read(dir: &Path, point: usize, rep: u32) -> Result<Option<RunRecord>, SweepError> {
        let path = record_path(dir, point, rep);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                SweepError::at(
                    &path.display().to_string(),
                    None,
                    format!("damaged run record ({e}); delete it and run the sweep again"),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SweepError::at(
                &path.display().to_string(),
                None,
                e.to_string(),
            )),
        }
    }
}

/// Writes `bytes` to `path` so that a reader sees the old file or the whole new one, and
/// the new one is on disk when this returns. The temporary file never outlives a failure.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SweepError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let fail = |e: std::io::Error| {
        let _ = std::fs::remove_file(&tmp);
        SweepError::at(
            &path.display().to_string(),
            None,
            format!("cannot write: {e}"),
        )
    };
    let mut f = std::fs::File::create(&tmp).map_err(fail)?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)?;
    Ok(())
}

/// A float as the shortest text that reads back to the same value; empty for `None`.
fn cell(x: Option<f64>) -> String {
    x.map(|v| format!("{v}")).unwrap_or_default()
}

/// The text of `runs.csv` from every record (in point, replication order).
pub fn runs_csv(m: &Manifest, records: &[RunRecord]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["point".into(), "replication".into()];
    header.extend(m.columns.iter().cloned());
    header.extend(["seed".into(), "digest".into(), "stopped".into()]);
    header.extend(m.metrics.iter().cloned());
    w.write_record(&header).expect("in memory");
    for r in records {
        let mut row: Vec<String> = vec![r.point.to_string(), r.replication.to_string()];
        row.extend(m.points[r.point].iter().cloned());
        row.extend([
            r.seed.to_string(),
            r.digest.clone(),
            r.stopped.clone().unwrap_or_default(),
        ]);
        row.extend(r.metrics.iter().map(|&x| cell(x)));
        w.write_record(&row).expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("utf-8")
}

/// The text of `points.csv`: per point and metric, the mean, sample standard deviation,
/// 95% confidence interval of the mean (Student's t), the number of runs with a value,
/// and the 2.5th and 97.5th percentiles of the single runs (the range one run could show).
pub fn points_csv(m: &Manifest, records: &[RunRecord]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(m.columns.iter().cloned());
    header.push("runs".into());
    for name in &m.metrics {
        for s in [
            "mean",
            "sd",
            "ci95_low",
            "ci95_high",
            "n",
            "run_p2_5",
            "run_p97_5",
        ] {
            header.push(format!("{name}_{s}"));
        }
    }
    w.write_record(&header).expect("in memory");
    for (p, labels) in m.points.iter().enumerate() {
        let runs: Vec<&RunRecord> = records.iter().filter(|r| r.point == p).collect();
        let mut row: Vec<String> = vec![p.to_string()];
        row.extend(labels.iter().cloned());
        row.push(runs.len().to_string());
        for k in 0..m.metrics.len() {
            let values: Vec<f64> = runs.iter().filter_map(|r| r.metrics[k]).collect();
            match Stats::of(&values) {
                None => row.extend(["", "", "", "", "0", "", ""].map(String::from)),
                Some(s) => {
                    row.push(cell(Some(s.mean)));
                    row.push(cell(Some(s.sd)));
                    row.push(cell(s.ci95_half.map(|h| s.mean - h)));
                    row.push(cell(s.ci95_half.map(|h| s.mean + h)));
                    row.push(s.n.to_string());
                    row.push(cell(Some(s.run_p2_5)));
                    row.push(cell(Some(s.run_p97_5)));
                }
            }
        }
        w.write_record(&row).expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("utf-8")
}

/// A run: (point, replication).
pub type RunId = (usize, u32);

/// Every record of the sweep `m` found in `dirs` (a run found twice must be identical),
/// in (point, replication) order, and the runs missing.
pub fn collect(m: &Manifest, dirs: &[&Path]) -> Result<(Vec<RunRecord>, Vec<RunId>), SweepError> {
    let mut records = Vec::with_capacity(m.runs());
    let mut missing = Vec::new();
    for p in 0..m.points.len() {
        for r in 0..m.replications {
            let mut found: Option<RunRecord> = None;
            for dir in dirs {
                if let Some(rec) = RunRecord::read(dir, p, r)? {
                    if rec.point != p
                        || rec.replication != r
                        || rec.metrics.len() != m.metrics.len()
                    {
                        return Err(SweepError::at(
                            &record_path(dir, p, r).display().to_string(),
                            None,
                            "record does not match its name or the manifest; delete it and run again".into(),
                        ));
                    }
                    match &found {
                        Some(prev) if *prev != rec => return Err(SweepError::at(
                            &record_path(dir, p, r).display().to_string(),
                            None,
                            "two directories hold different results for this run; the sweep is \
                                 deterministic, so one of them is damaged"
                                .into(),
                        )),
                        _ => found = Some(rec),
                    }
                }
            }
            match found {
                Some(rec) => records.push(rec),
                None => missing.push((p, r)),
            }
        }
    }
    Ok((records, missing))
}

/// Writes `runs.csv` and `points.csv` of the complete `records` into `dir`.
pub fn write_tables(dir: &Path, m: &Manifest, records: &[RunRecord]) -> Result<(), SweepError> {
    write_atomic(&dir.join("runs.csv"), runs_csv(m, records).as_bytes())?;
    write_atomic(&dir.join("points.csv"), points_csv(m, records).as_bytes())
}

/// Prepares `dir` for `m`: creates it (and `runs/`), refuses a directory holding another
/// sweep, writes the manifest and the sweep file's text.
pub fn prepare(dir: &Path, m: &Manifest, sweep_text: &str) -> Result<(), SweepError> {
    let io = |e: std::io::Error| {
        SweepError::at(
            &dir.display().to_string(),
            None,
            format!("cannot create: {e}"),
        )
    };
    if let Some(existing) = Manifest::read(dir)? {
        m.check_same(&existing, dir)?;
    } else if dir.is_dir() {
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if !unclaimed_entry_fits(&path, m)? {
                // Another shard of this sweep may have finished preparing meanwhile.
                if let Some(existing) = Manifest::read(dir)? {
                    m.check_same(&existing, dir)?;
                    break;
                }
                return Err(SweepError::at(
                    &dir.display().to_string(),
                    None,
                    "exists, is not empty and holds no sweep: choose another --out".into(),
                ));
            }
        }
    }
    std::fs::create_dir_all(dir.join("runs")).map_err(io)?;
    let mut text = serde_json::to_string_pretty(m).expect("manifest serialises");
    text.push('\n');
    write_atomic(&dir.join("manifest.json"), text.as_bytes())?;
    write_atomic(&dir.join("sweep.toml"), sweep_text.as_bytes())
}

/// Whether `path`, found in a directory that has no manifest yet, may stay there while
/// `m` takes the directory over: what another shard of `m` preparing the same directory at
/// this moment leaves (a temporary file, an empty `runs/`), or a shard directory of `m`
/// itself (the `--emit-slurm` layout: DIR/shard-I, merged into DIR).
fn unclaimed_entry_fits(path: &Path, m: &Manifest) -> Result<bool, SweepError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    if name.as_deref().is_some_and(|n| n.starts_with('.')) {
        return Ok(true);
    }
    if !path.is_dir() {
        return Ok(false);
    }
    if name.as_deref() == Some("runs") {
        return Ok(std::fs::read_dir(path).is_ok_and(|mut d| {
            d.all(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with('.')))
        }));
    }
    match Manifest::read(path)? {
        Some(shard) => m.check_same(&shard, path).map(|()| true),
        None => Ok(false),
    }
}

/// Combines the run records of `dirs` (shards of one sweep) into `out`: the records, the
/// manifest, the sweep file and the two tables, identical to a single-machine sweep's.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<usize, SweepError> {
    let first = dirs
        .first()
        .ok_or_else(|| SweepError::at("merge", None, "no directory given".into()))?;
    let m = Manifest::read(first)?.ok_or_else(|| {
        SweepError::at(
            &first.display().to_string(),
            None,
            "holds no sweep (no manifest.json)".into(),
        )
    })?;
    for d in &dirs[1..] {
        let other = Manifest::read(d)?.ok_or_else(|| {
            SweepError::at(
                &d.display().to_string(),
                None,
                "holds no sweep (no manifest.json)".into(),
            )
        })?;
        m.check_same(&other, d)?;
    }
    let refs: Vec<&Path> = dirs.iter().map(|d| d.as_path()).collect();
    let (records, missing) = collect(&m, &refs)?;
    if let Some(&(p, r)) = missing.first() {
        return Err(SweepError::at(
            "merge",
            None,
            format!(
                "{} of {} runs are missing (first: point {p}, replication {r}); run the missing \
                 shards into these directories, then merge again",
                missing.len(),
                m.runs()
            ),
        ));
    }
    let sweep_text = std::fs::read_to_string(first.join("sweep.toml")).map_err(|e| {
        SweepError::at(
            &first.join("sweep.toml").display().to_string(),
            None,
            e.to_string(),
        )
    })?;
    prepare(out, &m, &sweep_text)?;
    for rec in &records {
        if RunRecord::read(out, rec.point, rec.replication)?.is_none() {
            rec.write(out)?;
        }
    }
    write_tables(out, &m, &records)?;
    Ok(records.len())
}
