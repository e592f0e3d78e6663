//! `summary.json`: the key order of the file, and its text.
//!
//! The summaries hold their figures in a [`Tally`](crate::report::Tally) plus their own
//! fields; the order in which the keys appear is the file format, written out here once
//! per object (it interleaves tally and own fields, so `#[serde(flatten)]` cannot give it).

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::report::{ClassSummary, ContentSummary, Summary};

/// `summary.json` text (pretty, trailing newline).
pub fn summary_json(summary: &Summary) -> String {
    let mut s = serde_json::to_string_pretty(summary).expect("summary serialises");
    s.push('\n');
    s
}

/// Serialize a struct named `$name` with `key => value` fields, in order.
macro_rules! object {
    ($ser:expr, $name:literal, { $($key:literal => $val:expr),* $(,)? }) => {{
        let mut st = $ser.serialize_struct($name, [$($key),*].len())?;
        $( st.serialize_field($key, &$val)?; )*
        st.end()
    }};
}

impl Serialize for ClassSummary {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let t = &self.downloads;
        object!(ser, "ClassSummary", {
            "name" => self.name,
            "peers" => t.peers,
            "completed_downloads" => t.completed_downloads,
            "abandoned_downloads" => t.abandoned_downloads,
            "unfinished_downloads" => t.unfinished_downloads,
            "bytes_from_origin" => t.bytes_from_origin,
            "bytes_from_peers" => t.bytes_from_peers,
            "bytes_uploaded" => t.bytes_uploaded,
            "offload_ratio" => t.offload_ratio,
            "download_time_s" => t.download_time_s,
        })
    }
}

impl Serialize for ContentSummary {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let t = &self.downloads;
        object!(ser, "ContentSummary", {
            "name" => self.name,
            "size_bytes" => self.size_bytes,
            "policy" => self.policy,
            "release_s" => self.release_s,
            "demand_share" => self.demand_share,
            "peers" => t.peers,
            "http_only_peers" => t.http_only_peers,
            "initial_seeds" => self.initial_seeds,
            "completed_downloads" => t.completed_downloads,
            "abandoned_downloads" => t.abandoned_downloads,
            "unfinished_downloads" => t.unfinished_downloads,
            "bytes_from_origin" => t.bytes_from_origin,
            "bytes_from_peers" => t.bytes_from_peers,
            "bytes_uploaded" => t.bytes_uploaded,
            "offload_ratio" => t.offload_ratio,
            "download_time_s" => t.download_time_s,
            "kumar_ross_bound_s" => self.kumar_ross_bound_s,
            "makespan_s" => self.makespan_s,
            "origin" => self.origin,
        })
    }
}

impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let t = &self.downloads;
        object!(ser, "Summary", {
            "scenario" => self.scenario,
            "seed" => self.seed,
            "version" => self.version,
            "scenario_hash" => self.scenario_hash,
            "digest" => self.digest,
            "peers" => t.peers,
            "http_only_peers" => t.http_only_peers,
            "initial_seeds" => self.initial_seeds,
            "completed_downloads" => t.completed_downloads,
            "abandoned_downloads" => t.abandoned_downloads,
            "restarts" => t.restarts,
            "abandoned_bytes" => t.abandoned_bytes,
            "unfinished_downloads" => t.unfinished_downloads,
            "unfinished_bytes" => t.unfinished_bytes,
            "arrivals_after_end" => self.arrivals_after_end,
            "bytes_from_origin" => t.bytes_from_origin,
            "bytes_from_peers" => t.bytes_from_peers,
            "bytes_delivered" => t.bytes_delivered,
            "bytes_wasted" => self.bytes_wasted,
            "offload_ratio" => t.offload_ratio,
            "origin_capacity_bps" => self.origin_capacity_bps,
            "origin_peak_instant_bps" => self.origin_peak_instant_bps,
            "origin_peak_sample_bps" => self.origin_peak_sample_bps,
            "origin_p95_sample_bps" => self.origin_p95_sample_bps,
            "sample_interval_s" => self.sample_interval_s,
            "download_time_s" => t.download_time_s,
            "sim_duration_s" => self.sim_duration_s,
            "stopped_at_max_time" => self.stopped_at_max_time,
            "events" => self.events,
            "kumar_ross_bound_s" => self.kumar_ross_bound_s,
            "makespan_s" => self.makespan_s,
            "origin_cost" => self.origin_cost,
            "classes" => self.classes,
            "contents" => self.contents,
            "conservation" => self.conservation,
            "max_reshare_flows" => self.max_reshare_flows,
        })
    }
}
