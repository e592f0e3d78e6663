//! The metrics a sweep records for every run (the columns of `runs.csv` and, with their
//! statistics, of `points.csv`): the figures a planner compares across configurations.
//! Each is read from the run's [`Summary`]; `None` where the run has no such figure (no
//! download completed, no flash crowd).

use crate::report::Summary;

/// One recorded metric: its column name (unit in the name) and how to read it.
pub struct Metric {
    /// Column name.
    pub name: &'static str,
    /// Its value in a run's summary.
    pub read: fn(&Summary) -> Option<f64>,
}

/// Every metric of a sweep, in column order. Never reorder or rename without a
/// CHANGELOG entry: scripts read these columns by name.
pub const METRICS: &[Metric] = &[
    Metric {
        name: "offload_ratio",
        read: |s| Some(s.downloads.offload_ratio),
    },
    Metric {
        name: "bytes_from_origin",
        read: |s| Some(s.downloads.bytes_from_origin as f64),
    },
    Metric {
        name: "bytes_from_peers",
        read: |s| Some(s.downloads.bytes_from_peers as f64),
    },
    Metric {
        name: "origin_peak_instant_bps",
        read: |s| Some(s.origin_peak_instant_bps),
    },
    Metric {
        name: "origin_peak_sample_bps",
        read: |s| Some(s.origin_peak_sample_bps),
    },
    Metric {
        name: "origin_p95_5min_bps",
        read: |s| Some(s.origin_cost.p95_5min_bps),
    },
    Metric {
        name: "origin_cost_total",
        read: |s| Some(s.origin_cost.total_cost),
    },
    Metric {
        name: "download_time_mean_s",
        read: |s| s.downloads.download_time_s.mean,
    },
    Metric {
        name: "download_time_p50_s",
        read: |s| s.downloads.download_time_s.p50,
    },
    Metric {
        name: "download_time_p90_s",
        read: |s| s.downloads.download_time_s.p90,
    },
    Metric {
        name: "download_time_p99_s",
        read: |s| s.downloads.download_time_s.p99,
    },
    Metric {
        name: "download_time_max_s",
        read: |s| s.downloads.download_time_s.max,
    },
    Metric {
        name: "peers",
        read: |s| Some(f64::from(s.downloads.peers)),
    },
    Metric {
        name: "completed_downloads",
        read: |s| Some(f64::from(s.downloads.completed_downloads)),
    },
    Metric {
        name: "abandoned_downloads",
        read: |s| Some(f64::from(s.downloads.abandoned_downloads)),
    },
    Metric {
        name: "unfinished_downloads",
        read: |s| Some(f64::from(s.downloads.unfinished_downloads)),
    },
    Metric {
        name: "bytes_uploaded",
        read: |s| Some(s.downloads.bytes_uploaded as f64),
    },
    Metric {
        name: "makespan_s",
        read: |s| s.makespan_s,
    },
    Metric {
        name: "sim_duration_s",
        read: |s| Some(s.sim_duration_s),
    },
    Metric {
        name: "events",
        read: |s| Some(s.events as f64),
    },
];

/// The values of every metric of `summary`, in [`METRICS`] order.
pub fn read_all(summary: &Summary) -> Vec<Option<f64>> {
    METRICS.iter().map(|m| (m.read)(summary)).collect()
}
