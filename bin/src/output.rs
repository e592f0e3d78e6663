//! Result files: the five files of a run, written into the staging directory of a
//! [`ResultSet`](crate::resultset::ResultSet) (which puts them in place as one set), and
//! the non-deterministic perf record.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use sim_core::{RunOutput, Summary};

/// The names of the files a run directory may hold: the files a run writes (in the order
/// written; `baseline.json` with `--baseline`), `report.html` (`swarmsim report`) and
/// `report.png` (its screenshot, `results/reports.sh`). A new run replaces them all.
pub fn result_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = sim_core::export::RESULT_FILES
        .iter()
        .map(|f| f.name)
        .collect();
    names.extend([
        "summary.svg",
        "perf.json",
        "baseline.json",
        "report.html",
        "report.png",
    ]);
    names
}

/// Write the result files of `out` into `dir`: the library's deterministic ones
/// (`summary.json`, `timeseries.csv`, `peers.csv`), then `summary.svg` and `perf.json`,
/// and the `summary.json` of the no-P2P `baseline` run as `baseline.json`, each flushed
/// to disk. Returns their names, in the order written.
///
/// For the tests only: `SWARMSIM_TEST_FAULT=fail:NAME` makes writing file `NAME` fail as
/// a full disk would, `SWARMSIM_TEST_FAULT=panic:NAME` panics there.
pub fn write_results(
    dir: &Path,
    out: &RunOutput,
    baseline: Option<&RunOutput>,
    perf: &Perf,
) -> Result<Vec<&'static str>> {
    let mut files: Vec<(&'static str, String)> = sim_core::export::RESULT_FILES
        .iter()
        .map(|f| (f.name, (f.render)(out)))
        .collect();
    files.push(("summary.svg", crate::plot::summary_svg(out)?));
    files.push(("perf.json", perf.to_json()));
    if let Some(b) = baseline {
        files.push(("baseline.json", b.summary_json()));
    }
    let fault = std::env::var("SWARMSIM_TEST_FAULT").unwrap_or_default();
    for (name, text) in &files {
        let path = dir.join(name);
        if fault.strip_prefix("panic:") == Some(name) {
            panic!(
                "SWARMSIM_TEST_FAULT: panic while writing {}",
                path.display()
            );
        }
        let mut f = std::fs::File::create(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let injected = (fault.strip_prefix("fail:") == Some(name))
            .then(|| std::io::Error::from_raw_os_error(28)); // ENOSPC
        injected
            .map_or_else(|| f.write_all(text.as_bytes()), Err)
            .and_then(|_| f.sync_all())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(files.into_iter().map(|(name, _)| name).collect())
}

/// Wall-clock figures of one run (`perf.json`).
pub struct Perf {
    /// Wall time of the simulation, seconds.
    pub wall_time_s: f64,
    /// Dispatched events per wall second.
    pub events_per_s: f64,
    /// Peak resident memory of the process, bytes (0 where unknown).
    pub peak_rss_bytes: u64,
    command: String,
}

impl Perf {
    /// Measure now, after a run that took `wall_time_s`.
    pub fn measure(summary: &Summary, wall_time_s: f64) -> Perf {
        Perf {
            wall_time_s,
            events_per_s: summary.events as f64 / wall_time_s.max(1e-9),
            peak_rss_bytes: peak_rss_bytes(),
            command: std::env::args().collect::<Vec<_>>().join(" "),
        }
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        let v = serde_json::json!({
            "wall_time_s": self.wall_time_s,
            "events_per_s": self.events_per_s,
            "peak_rss_bytes": self.peak_rss_bytes,
            "command": self.command,
        });
        let mut s = serde_json::to_string_pretty(&v).expect("json");
        s.push('\n');
        s
    }
}

/// Peak resident set size (VmHWM) from /proc; 0 on systems without it.
fn peak_rss_bytes() -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
