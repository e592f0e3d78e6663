//! The stable, deterministic figures of a run ([`Summary`], written as `summary.json`):
//! the whole run's [`Tally`], one per access class and one per content, the origin's
//! rates and cost, and the byte accounting.
//!
//! The key order of `summary.json` is the JSON exporter's business
//! (`export/json.rs`); each summary's tally is its `downloads` field, so
//! `summary.downloads.offload_ratio` is the run's offload.

use crate::cost::{origin_cost, OriginCost};
use crate::metrics::percentile;
use crate::scenario::{Arrivals, Policy};

use super::tally::{group_by, ratio, round_ratio, round_us, Tally};
use super::{scenario_hash, RunFacts, VERSION};

/// Figures of one access class.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassSummary {
    /// Class name.
    pub name: String,
    /// Its leechers' figures.
    pub downloads: Tally,
}

/// What one content's origin traffic costs.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct ContentCost {
    /// Its origin bytes.
    pub bytes: u64,
    /// Highest origin rate it drew at any instant, bits/s.
    pub peak_instant_bps: f64,
    /// Highest 5-minute average of its own origin rate, bits/s.
    pub peak_5min_bps: f64,
    /// 95th percentile of its own 5-minute origin rate, bits/s.
    pub p95_5min_bps: f64,
    /// Its part of the origin's bill, allocated by origin bytes (the shares of all
    /// contents sum to the bill).
    pub cost_share: f64,
    /// What its traffic alone would cost under the same price list (its own volume tiers
    /// and 95th percentile): the cost of serving it from a separate origin contract.
    pub cost_alone: f64,
}

/// Figures of one content of the catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct ContentSummary {
    /// Content name.
    pub name: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Its hybrid policy.
    pub policy: Policy,
    /// Release instant, seconds.
    pub release_s: f64,
    /// Its share of the catalog's demand, when split from `[arrivals]`.
    pub demand_share: Option<f64>,
    /// Its initial seeds.
    pub initial_seeds: u32,
    /// Its leechers' figures; `bytes_uploaded` counts its initial seeds' uploads too.
    pub downloads: Tally,
    /// Flash crowd: its Kumar–Ross bound (with the whole origin), seconds.
    pub kumar_ross_bound_s: Option<f64>,
    /// Flash crowd: time from its crowd's arrival to its last completion, seconds; `None`
    /// unless every leecher of the crowd completed (only then is the bound a bound).
    pub makespan_s: Option<f64>,
    /// Its origin traffic and what it costs.
    pub origin: ContentCost,
}

/// Byte-conservation figures, checked by the tests.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct Conservation {
    /// Bytes sent by the origin.
    pub origin_up_bytes: u64,
    /// Bytes sent by peers (leechers, seeds and initial seeds).
    pub peers_up_bytes: u64,
    /// Bytes received by leechers, all sources.
    pub received_bytes: u64,
    /// Bytes of completed pieces.
    pub useful_bytes: u64,
    /// Of which held by downloads that were abandoned.
    pub abandoned_bytes: u64,
    /// Bytes of partial pieces received then thrown away.
    pub wasted_bytes: u64,
    /// Bytes of partially received pieces still held at the end.
    pub held_partial_bytes: u64,
    /// Flows still requested or running at the end (0 for a run that completed).
    pub flows_in_flight: u64,
}

/// The stable, deterministic summary of a run (`summary.json`).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Master seed.
    pub seed: u64,
    /// The `--set` overrides of the run, in order, as `key.path=value`.
    pub overrides: Vec<String>,
    /// The command that reproduces the run (`swarmsim run FILE --seed N --set ...`).
    pub command: String,
    /// The origin's egress capacity (`origin.capacity`), bits/s; 0 when there is no
    /// origin. Reports draw it beside the origin's traffic.
    pub origin_capacity_bps: u64,
    /// swarmsim version.
    pub version: String,
    /// Hash of the resolved scenario (16 hex digits).
    pub scenario_hash: String,
    /// Digest of every dispatched event (16 hex digits).
    pub digest: String,
    /// Every leecher's figures; `bytes_uploaded` counts the initial seeds' uploads too.
    pub downloads: Tally,
    /// Initial seeds.
    pub initial_seeds: u32,
    /// Arrivals of the workload that would have come after the end of the run.
    pub arrivals_after_end: u32,
    /// Received bytes that served no completed download: partial pieces thrown away, and
    /// everything an abandoned download had received (`conservation` splits the two).
    pub bytes_wasted: u64,
    /// Highest aggregate origin rate at any instant, bits/s (what the origin link must
    /// be able to carry).
    pub origin_peak_instant_bps: f64,
    /// Highest origin rate averaged over one sample interval (`sample_interval_s`), bits/s.
    pub origin_peak_sample_bps: f64,
    /// 95th percentile of the origin rate averaged over each sample interval, bits/s (the
    /// billed 95th percentile on 5-minute samples is in `origin_cost`).
    pub origin_p95_sample_bps: f64,
    /// Width of the sample intervals of the time series, seconds.
    pub sample_interval_s: f64,
    /// Simulated time at the end of the run, seconds.
    pub sim_duration_s: f64,
    /// Why the run ended before every download was done (`max_time`, `--max-wall`, an
    /// interrupt); `None` when it went to its end. Its figures then cover the run so far.
    pub stopped: Option<super::StopReason>,
    /// Events dispatched.
    pub events: u64,
    /// Flash crowd of a single content: the Kumar–Ross minimum distribution time, seconds
    /// (per content in `contents` for a catalog).
    pub kumar_ross_bound_s: Option<f64>,
    /// Flash crowd of a single content: time from the crowd's arrival to the last
    /// completion, seconds, when every leecher completed (per content in `contents` for
    /// a catalog).
    pub makespan_s: Option<f64>,
    /// What the origin traffic costs, with day-by-day peak and 95th-percentile rates.
    pub origin_cost: OriginCost,
    /// The same figures per access class.
    pub classes: Vec<ClassSummary>,
    /// The same figures per content, with each content's origin cost.
    pub contents: Vec<ContentSummary>,
    /// Byte accounting.
    pub conservation: Conservation,
    /// Largest number of flows one re-share recomputed.
    pub max_reshare_flows: u64,
}

/// The summary of the run `f` describes.
pub(crate) fn build(f: &RunFacts<'_>) -> Summary {
    let s = f.scenario;
    let seed_up: u64 = f.seed_up_bytes.iter().sum();
    let downloads = Tally::of(&f.peers).with_seed_upload(seed_up);
    let classes = group_by(&f.peers, s.classes.len(), |p| p.class as usize)
        .into_iter()
        .zip(&s.classes)
        .map(|(members, c)| ClassSummary {
            name: c.name.clone(),
            downloads: Tally::of(members),
        })
        .collect();
    let mut sorted_bps = f.metrics.origin_interval_bps(f.end);
    sorted_bps.sort_by(f64::total_cmp);
    let cost = origin_cost(&f.metrics.billing_bytes, f.end.0, &s.origin.pricing);
    let contents = content_summaries(f, &cost);
    let one = contents.len() == 1;
    Summary {
        scenario: s.name.clone(),
        seed: s.seed,
        overrides: s.provenance.overrides.clone(),
        command: s.provenance.command(s.seed),
        origin_capacity_bps: s.origin.capacity_bps,
        version: VERSION.to_string(),
        scenario_hash: scenario_hash(s),
        digest: f.digest.clone(),
        initial_seeds: f.initial_seeds,
        arrivals_after_end: f.arrivals_after_end,
        bytes_wasted: downloads.partial_bytes_wasted + f.abandoned_bytes,
        origin_peak_instant_bps: f.metrics.origin_peak_bps.round(),
        origin_peak_sample_bps: sorted_bps.last().copied().unwrap_or(0.0).round(),
        origin_p95_sample_bps: percentile(&sorted_bps, 95.0).unwrap_or(0.0).round(),
        sample_interval_s: f.metrics.interval_us() as f64 / 1e6,
        sim_duration_s: f.end.as_secs_f64(),
        stopped: f.stopped,
        events: f.events,
        kumar_ross_bound_s: if one {
            contents[0].kumar_ross_bound_s
        } else {
            None
        },
        makespan_s: if one { contents[0].makespan_s } else { None },
        conservation: Conservation {
            origin_up_bytes: f.origin_up_bytes,
            peers_up_bytes: downloads.bytes_uploaded,
            received_bytes: downloads.bytes_delivered,
            useful_bytes: f.useful_bytes,
            abandoned_bytes: f.abandoned_bytes,
            wasted_bytes: downloads.partial_bytes_wasted,
            held_partial_bytes: f.held_partial_bytes,
            flows_in_flight: f.flows_in_flight,
        },
        max_reshare_flows: f.max_component_flows,
        origin_cost: cost,
        downloads,
        classes,
        contents,
    }
}

/// One [`ContentSummary`] per content; `cost` is the whole origin's bill.
fn content_summaries(f: &RunFacts<'_>, cost: &OriginCost) -> Vec<ContentSummary> {
    let s = f.scenario;
    let all_origin: u64 = f.peers.iter().map(|p| p.down_origin_bytes).sum();
    // One pass over the peers, so a large catalog costs O(peers + contents).
    let by_content = group_by(&f.peers, s.contents.len(), |p| p.content as usize);
    s.contents
        .iter()
        .zip(by_content)
        .enumerate()
        .map(|(k, (c, members))| {
            let downloads = Tally::of(members.iter().copied()).with_seed_upload(f.seed_up_bytes[k]);
            let all_done = !members.is_empty() && downloads.completed_downloads == downloads.peers;
            let makespan_s = match c.arrivals {
                Arrivals::FlashCrowd { at, .. } if all_done => members
                    .iter()
                    .map(|p| p.completion)
                    .max()
                    .map(|x| round_us(x.since(at).as_secs_f64())),
                _ => None,
            };
            let (own, peak_bps) = match f.metrics.content_meters.get(k) {
                Some(m) => (
                    origin_cost(&m.billing_bytes, f.end.0, &s.origin.pricing),
                    m.peak_bps,
                ),
                None => (cost.clone(), f.metrics.origin_peak_bps),
            };
            let origin = downloads.bytes_from_origin;
            ContentSummary {
                name: c.name.clone(),
                size_bytes: c.size_bytes,
                policy: c.policy.kind,
                release_s: c.release.as_secs_f64(),
                demand_share: c.demand_share.map(round_ratio),
                initial_seeds: s
                    .seeds
                    .iter()
                    .filter(|g| g.content as usize == k)
                    .map(|g| g.count)
                    .sum(),
                kumar_ross_bound_s: f.kumar_ross_s[k].map(round_us),
                makespan_s,
                origin: ContentCost {
                    bytes: origin,
                    peak_instant_bps: peak_bps.round(),
                    peak_5min_bps: own.peak_5min_bps,
                    p95_5min_bps: own.p95_5min_bps,
                    cost_share: (cost.total_cost * ratio(origin, all_origin) * 1e9).round() / 1e9,
                    cost_alone: own.total_cost,
                },
                downloads,
            }
        })
        .collect()
}
