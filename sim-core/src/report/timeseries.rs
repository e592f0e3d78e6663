//! The time series of a run (`timeseries.csv`): traffic by source and the swarm's size,
//! one row per sample interval, from the [`Recorder`]'s bins.

use crate::metrics::{rate_bps, Recorder};
use crate::time::SimTime;

use super::tally::{ratio, round_us};

/// One row of `timeseries.csv`.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct SampleRow {
    /// End of the interval, seconds.
    pub time_s: f64,
    /// Bytes the origin sent during the interval (the column sums to the origin bytes).
    pub origin_bytes: u64,
    /// Bytes peers sent during the interval (the column sums to the peer bytes).
    pub peer_bytes: u64,
    /// Mean origin rate over the interval, bits/s.
    pub origin_bps: f64,
    /// Mean peer-to-peer rate over the interval, bits/s.
    pub peer_bps: f64,
    /// Leechers in the swarm, machine on, at the end of the interval (paused downloads of
    /// machines that are off are not counted).
    pub active_leechers: u32,
    /// Seeds (initial and completed) in the swarm, machine on, at the end of the interval.
    pub active_seeds: u32,
    /// Offload of all bytes so far.
    pub cumulative_offload: f64,
}

/// The rows of a run recorded by `metrics` that ended at `end`.
pub(crate) fn build(metrics: &Recorder, end: SimTime) -> Vec<SampleRow> {
    let interval_s = metrics.interval_us() as f64 / 1e6;
    let (mut cum_origin, mut cum_peer) = (0u64, 0u64);
    metrics
        .bins
        .iter()
        .enumerate()
        .map(|(i, b)| {
            cum_origin += b.origin_bytes;
            cum_peer += b.peer_bytes;
            let len_us = metrics.interval_len_us(i, end);
            SampleRow {
                time_s: round_us(((i + 1) as f64 * interval_s).min(end.as_secs_f64())),
                origin_bytes: b.origin_bytes,
                peer_bytes: b.peer_bytes,
                origin_bps: rate_bps(b.origin_bytes, len_us),
                peer_bps: rate_bps(b.peer_bytes, len_us),
                active_leechers: b.leechers,
                active_seeds: b.seeds,
                cumulative_offload: ratio(cum_peer, cum_origin + cum_peer),
            }
        })
        .collect()
}
