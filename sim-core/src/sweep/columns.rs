//! The metrics a sweep records for every run (the columns of `runs.csv` and, with their
//! statistics, of `points.csv`): the figures a planner compares across configurations.
//! Each is read from the run's output ([`RunOutput`]: its summary and time series);
//! `None` where the run has no such figure (no download completed, no flash crowd).

use crate::report::{RunOutput, Summary};

/// One recorded metric: its column name (unit in the name) and how to read it.
pub struct Metric {
    /// Column name.
    pub name: &'static str,
    /// Its value in a run's output.
    pub read: fn(&RunOutput) -> Option<f64>,
}

/// Bytes delivered per completed copy, in copies: all bytes received (completed,
/// abandoned and unfinished downloads, partial pieces thrown away) over the bytes of the
/// completed downloads. 1 means every byte served a completed copy; the 2007 Tokyo trial
/// reported 1.12 (aborted and restarted downloads).
fn bytes_per_completed_copy(s: &Summary) -> Option<f64> {
    let copies: f64 = s
        .contents
        .iter()
        .map(|c| f64::from(c.downloads.completed_downloads) * c.size_bytes as f64)
        .sum();
    (copies > 0.0).then(|| s.downloads.bytes_delivered as f64 / copies)
}

/// Seeds online (initial and completed, machine on), averaged over the rows of the time
/// series: how many copies the swarm held at a random instant.
fn seeds_online_mean(o: &RunOutput) -> Option<f64> {
    let n = o.timeseries.len();
    (n > 0).then(|| {
        o.timeseries
            .iter()
            .map(|r| f64::from(r.active_seeds))
            .sum::<f64>()
            / n as f64
    })
}

/// Every metric of a sweep, in column order. Never reorder or rename without a
/// CHANGELOG entry: scripts read these columns by name.
pub const METRICS: &[Metric] = &[
    Metric {
        name: "offload_ratio",
        read: |o| Some(o.summary.downloads.offload_ratio),
    },
    Metric {
        name: "bytes_from_origin",
        read: |o| Some(o.summary.downloads.bytes_from_origin as f64),
    },
    Metric {
        name: "bytes_from_peers",
        read: |o| Some(o.summary.downloads.bytes_from_peers as f64),
    },
    Metric {
        name: "origin_peak_instant_bps",
        read: |o| Some(o.summary.origin_peak_instant_bps),
    },
    Metric {
        name: "origin_peak_sample_bps",
        read: |o| Some(o.summary.origin_peak_sample_bps),
    },
    Metric {
        name: "origin_p95_5min_bps",
        read: |o| Some(o.summary.origin_cost.p95_5min_bps),
    },
    Metric {
        name: "origin_cost_total",
        read: |o| Some(o.summary.origin_cost.total_cost),
    },
    Metric {
        name: "download_time_mean_s",
        read: |o| o.summary.downloads.download_time_s.mean,
    },
    Metric {
        name: "download_time_p50_s",
        read: |o| o.summary.downloads.download_time_s.p50,
    },
    Metric {
        name: "download_time_p90_s",
        read: |o| o.summary.downloads.download_time_s.p90,
    },
    Metric {
        name: "download_time_p99_s",
        read: |o| o.summary.downloads.download_time_s.p99,
    },
    Metric {
        name: "download_time_max_s",
        read: |o| o.summary.downloads.download_time_s.max,
    },
    Metric {
        name: "peers",
        read: |o| Some(f64::from(o.summary.downloads.peers)),
    },
    Metric {
        name: "completed_downloads",
        read: |o| Some(f64::from(o.summary.downloads.completed_downloads)),
    },
    Metric {
        name: "abandoned_downloads",
        read: |o| Some(f64::from(o.summary.downloads.abandoned_downloads)),
    },
    Metric {
        name: "unfinished_downloads",
        read: |o| Some(f64::from(o.summary.downloads.unfinished_downloads)),
    },
    Metric {
        name: "bytes_uploaded",
        read: |o| Some(o.summary.downloads.bytes_uploaded as f64),
    },
    Metric {
        name: "makespan_s",
        read: |o| o.summary.makespan_s,
    },
    Metric {
        name: "bytes_delivered",
        read: |o| Some(o.summary.downloads.bytes_delivered as f64),
    },
    Metric {
        name: "bytes_per_completed_copy",
        read: |o| bytes_per_completed_copy(&o.summary),
    },
    Metric {
        name: "restarts",
        read: |o| Some(f64::from(o.summary.downloads.restarts)),
    },
    Metric {
        name: "seeds_online_mean",
        read: seeds_online_mean,
    },
    Metric {
        name: "sim_duration_s",
        read: |o| Some(o.summary.sim_duration_s),
    },
    Metric {
        name: "events",
        read: |o| Some(o.summary.events as f64),
    },
];

/// The values of every metric of the run `out`, in [`METRICS`] order.
pub fn read_all(out: &RunOutput) -> Vec<Option<f64>> {
    METRICS.iter().map(|m| (m.read)(out)).collect()
}
