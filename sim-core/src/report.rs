//! What a run produces: the summary (`summary.json`), the time series
//! (`timeseries.csv`), per-peer records, and the human-readable summary.
//!
//! Everything here is deterministic: the same scenario and seed give byte-identical text.
//! Wall-clock figures (run time, memory) are the binary's business, never written here.

use serde::Serialize;

use crate::cost::{origin_cost, OriginCost};
use crate::metrics::{percentile, rate_bps, Recorder};
use crate::scenario::{Policy, Scenario};
use crate::time::SimTime;
use crate::units::{fmt_bytes, fmt_rate};

/// Tool version recorded in every output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One leecher's story.
#[derive(Debug, Clone, Serialize)]
pub struct PeerRecord {
    /// Content index.
    pub content: u32,
    /// Class index.
    pub class: u16,
    /// The user abandoned the download.
    pub aborted: bool,
    /// Has the P2P client.
    pub p2p: bool,
    /// Behind a NAT.
    pub nat: bool,
    /// Upload cap, bits/s (0 if not uploading).
    pub up_bps: f64,
    /// Download cap, bits/s.
    pub down_bps: f64,
    /// Arrival time (the first start of the download).
    pub arrival: SimTime,
    /// Start of the last attempt (the arrival, or the last restart).
    pub attempt_start: SimTime,
    /// Times the user restarted the download after abandoning it.
    pub restarts: u32,
    /// Completion time ([`SimTime::NEVER`] if it did not complete).
    pub completion: SimTime,
    /// Bytes received from the origin.
    pub down_origin_bytes: u64,
    /// Bytes received from peers.
    pub down_peer_bytes: u64,
    /// Bytes uploaded to peers.
    pub up_bytes: u64,
    /// Bytes received and thrown away.
    pub wasted_bytes: u64,
}

impl PeerRecord {
    /// Download time in seconds, if completed: from the start of the attempt that
    /// completed (the arrival, or the last restart) to its completion.
    pub fn download_time_s(&self) -> Option<f64> {
        (self.completion != SimTime::NEVER)
            .then(|| self.completion.since(self.attempt_start).as_secs_f64())
    }
}

/// Summary statistics of download times, seconds; each is `None` (`null` in JSON, "–"
/// for people) when no download completed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimeStats {
    /// Completed downloads behind the figures.
    pub count: u32,
    /// Mean.
    pub mean: Option<f64>,
    /// Median (nearest rank).
    pub p50: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
    /// Maximum.
    pub max: Option<f64>,
}

/// Seconds rounded to the simulator's resolution (1 µs), so figures carry no float noise.
pub fn round_us(s: f64) -> f64 {
    (s * 1e6).round() / 1e6
}

/// A ratio rounded to 1e-12 (no float noise).
fn round_ratio(x: f64) -> f64 {
    (x * 1e12).round() / 1e12
}

impl TimeStats {
    /// Statistics of `times` (sorted in place).
    pub fn of(times: &mut [f64]) -> TimeStats {
        times.sort_by(f64::total_cmp);
        let mean = (!times.is_empty()).then(|| times.iter().sum::<f64>() / times.len() as f64);
        let pct = |p| percentile(times, p).map(round_us);
        TimeStats {
            count: times.len() as u32,
            mean: mean.map(round_us),
            p50: pct(50.0),
            p90: pct(90.0),
            p99: pct(99.0),
            max: times.last().copied().map(round_us),
        }
    }
}

/// "12.3 s", or "–" for a statistic with no sample.
pub fn secs_text(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| format!("{v:.1} s"))
}

/// Figures of one access class.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClassSummary {
    /// Class name.
    pub name: String,
    /// Leechers of this class that arrived.
    pub peers: u32,
    /// Of which completed.
    pub completed_downloads: u32,
    /// Of which abandoned by their user.
    pub abandoned_downloads: u32,
    /// Of which still downloading when the run ended (a run cut by `max_time`).
    pub unfinished_downloads: u32,
    /// Bytes they received from the origin.
    pub bytes_from_origin: u64,
    /// Bytes they received from peers.
    pub bytes_from_peers: u64,
    /// Bytes they uploaded to peers.
    pub bytes_uploaded: u64,
    /// Share of their received bytes that came from peers.
    pub offload_ratio: f64,
    /// Their download times, seconds.
    pub download_time_s: TimeStats,
}

/// What one content's origin traffic costs.
#[derive(Debug, Clone, Serialize, PartialEq)]
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
#[derive(Debug, Clone, Serialize, PartialEq)]
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
    /// Leechers that arrived for it.
    pub peers: u32,
    /// Of which without the P2P client.
    pub http_only_peers: u32,
    /// Its initial seeds.
    pub initial_seeds: u32,
    /// Leechers that completed it.
    pub completed_downloads: u32,
    /// Leechers that abandoned it.
    pub abandoned_downloads: u32,
    /// Leechers still downloading it when the run ended.
    pub unfinished_downloads: u32,
    /// Bytes its leechers received from the origin.
    pub bytes_from_origin: u64,
    /// Bytes its leechers received from peers.
    pub bytes_from_peers: u64,
    /// Bytes its peers (leechers, completed clients and initial seeds) uploaded.
    pub bytes_uploaded: u64,
    /// Share of its delivered bytes that came from peers.
    pub offload_ratio: f64,
    /// Download times of its completed leechers, seconds.
    pub download_time_s: TimeStats,
    /// Flash crowd: its Kumar–Ross bound (with the whole origin), seconds.
    pub kumar_ross_bound_s: Option<f64>,
    /// Flash crowd: time from its crowd's arrival to its last completion, seconds; `None`
    /// unless every leecher of the crowd completed (only then is the bound a bound).
    pub makespan_s: Option<f64>,
    /// Its origin traffic and what it costs.
    pub origin: ContentCost,
}

/// Byte-conservation figures, checked by the tests.
#[derive(Debug, Clone, Serialize, PartialEq)]
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
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Master seed.
    pub seed: u64,
    /// swarmsim version.
    pub version: String,
    /// Hash of the resolved scenario (16 hex digits).
    pub scenario_hash: String,
    /// Digest of every dispatched event (16 hex digits).
    pub digest: String,
    /// Leechers that arrived.
    pub peers: u32,
    /// Of which without the P2P client (HTTP only).
    pub http_only_peers: u32,
    /// Initial seeds.
    pub initial_seeds: u32,
    /// Leechers that completed.
    pub completed_downloads: u32,
    /// Leechers whose user abandoned the download (and did not restart it).
    pub abandoned_downloads: u32,
    /// Restarts of abandoned downloads (each one a new attempt by the same user).
    pub restarts: u32,
    /// Bytes the abandoned downloads had received (part of `bytes_wasted`).
    pub abandoned_bytes: u64,
    /// Leechers still downloading when the run ended (cut by `max_time`).
    pub unfinished_downloads: u32,
    /// Bytes the unfinished downloads had received by then.
    pub unfinished_bytes: u64,
    /// Arrivals of the workload that would have come after the end of the run.
    pub arrivals_after_end: u32,
    /// Bytes received by leechers from the origin.
    pub bytes_from_origin: u64,
    /// Bytes received by leechers from peers.
    pub bytes_from_peers: u64,
    /// All bytes received by leechers (origin + peers).
    pub bytes_delivered: u64,
    /// Received bytes that served no completed download: partial pieces thrown away, and
    /// everything an abandoned download had received (`conservation` splits the two).
    pub bytes_wasted: u64,
    /// Share of delivered bytes that came from peers.
    pub offload_ratio: f64,
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
    /// Download times of completed leechers, seconds.
    pub download_time_s: TimeStats,
    /// Simulated time at the end of the run, seconds.
    pub sim_duration_s: f64,
    /// True if the run hit `max_time` before every leecher completed.
    pub stopped_at_max_time: bool,
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

/// One row of `timeseries.csv`.
#[derive(Debug, Clone, Serialize, PartialEq)]
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

/// Everything a run produces.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The summary.
    pub summary: Summary,
    /// The time series.
    pub timeseries: Vec<SampleRow>,
    /// One record per arrived leecher.
    pub peers: Vec<PeerRecord>,
    /// Origin bytes of each 5-minute billing sample (they sum to the origin bytes).
    pub billing_samples_bytes: Vec<u64>,
    /// Link-cap violations seen (only checked with `check_invariants`); empty when sound.
    pub invariant_violations: Vec<String>,
}

/// Raw facts the engine hands over at the end of a run.
pub(crate) struct RunFacts<'a> {
    pub scenario: &'a Scenario,
    pub digest: String,
    pub events: u64,
    pub end: SimTime,
    pub stopped_at_max_time: bool,
    pub peers: Vec<PeerRecord>,
    pub initial_seeds: u32,
    /// Arrivals that had not come when the run ended.
    pub arrivals_after_end: u32,
    /// Bytes uploaded by the initial seeds of each content.
    pub seed_up_bytes: Vec<u64>,
    pub origin_up_bytes: u64,
    pub useful_bytes: u64,
    pub abandoned_bytes: u64,
    pub held_partial_bytes: u64,
    pub flows_in_flight: u64,
    pub metrics: &'a Recorder,
    /// Kumar–Ross bound of each content (flash crowds).
    pub kumar_ross_s: Vec<Option<f64>>,
    pub invariant_violations: Vec<String>,
    pub max_component_flows: u64,
}

/// Hash of the resolved scenario: FNV-1a over its canonical JSON.
pub fn scenario_hash(s: &Scenario) -> String {
    let mut d = crate::digest::Digest::default();
    d.add_bytes(
        serde_json::to_string(s)
            .expect("scenario serialises")
            .as_bytes(),
    );
    d.hex()
}

/// `part / whole`, 0 when `whole` is 0.
fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Did this download end without completing, and how: (abandoned, unfinished).
fn ended_how(p: &PeerRecord) -> (bool, bool) {
    let done = p.completion != SimTime::NEVER;
    (p.aborted, !done && !p.aborted)
}

/// Bytes a download received, from any source.
fn received(p: &PeerRecord) -> u64 {
    p.down_origin_bytes + p.down_peer_bytes
}

pub(crate) fn build(f: RunFacts<'_>) -> RunOutput {
    let s = f.scenario;
    let from_origin: u64 = f.peers.iter().map(|p| p.down_origin_bytes).sum();
    let from_peers: u64 = f.peers.iter().map(|p| p.down_peer_bytes).sum();
    let delivered = from_origin + from_peers;
    let mut times: Vec<f64> = f.peers.iter().filter_map(|p| p.download_time_s()).collect();
    let download_time_s = TimeStats::of(&mut times);
    let classes = s
        .classes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let members: Vec<&PeerRecord> =
                f.peers.iter().filter(|p| p.class as usize == i).collect();
            let origin: u64 = members.iter().map(|p| p.down_origin_bytes).sum();
            let peers: u64 = members.iter().map(|p| p.down_peer_bytes).sum();
            let mut t: Vec<f64> = members.iter().filter_map(|p| p.download_time_s()).collect();
            ClassSummary {
                name: c.name.clone(),
                peers: members.len() as u32,
                completed_downloads: t.len() as u32,
                abandoned_downloads: members.iter().filter(|p| ended_how(p).0).count() as u32,
                unfinished_downloads: members.iter().filter(|p| ended_how(p).1).count() as u32,
                bytes_from_origin: origin,
                bytes_from_peers: peers,
                bytes_uploaded: members.iter().map(|p| p.up_bytes).sum(),
                offload_ratio: round_ratio(ratio(peers, origin + peers)),
                download_time_s: TimeStats::of(&mut t),
            }
        })
        .collect();
    let interval_bps = f.metrics.origin_interval_bps(f.end);
    let mut sorted_bps = interval_bps.clone();
    sorted_bps.sort_by(f64::total_cmp);
    let completed = times.len() as u32;
    let cost = origin_cost(&f.metrics.billing_bytes, f.end.0, &s.origin.pricing);
    let contents = content_summaries(&f, &cost);
    let one = contents.len() == 1;
    let abandoned: Vec<&PeerRecord> = f.peers.iter().filter(|p| ended_how(p).0).collect();
    let unfinished: Vec<&PeerRecord> = f.peers.iter().filter(|p| ended_how(p).1).collect();
    let summary = Summary {
        scenario: s.name.clone(),
        seed: s.seed,
        version: VERSION.to_string(),
        scenario_hash: scenario_hash(s),
        digest: f.digest,
        peers: f.peers.len() as u32,
        http_only_peers: f.peers.iter().filter(|p| !p.p2p).count() as u32,
        initial_seeds: f.initial_seeds,
        completed_downloads: completed,
        abandoned_downloads: abandoned.len() as u32,
        restarts: f.peers.iter().map(|p| p.restarts).sum(),
        abandoned_bytes: abandoned.iter().map(|p| received(p)).sum(),
        unfinished_downloads: unfinished.len() as u32,
        unfinished_bytes: unfinished.iter().map(|p| received(p)).sum(),
        arrivals_after_end: f.arrivals_after_end,
        bytes_from_origin: from_origin,
        bytes_from_peers: from_peers,
        bytes_delivered: delivered,
        bytes_wasted: f.peers.iter().map(|p| p.wasted_bytes).sum::<u64>() + f.abandoned_bytes,
        offload_ratio: round_ratio(ratio(from_peers, delivered)),
        origin_peak_instant_bps: f.metrics.origin_peak_bps.round(),
        origin_peak_sample_bps: sorted_bps.last().copied().unwrap_or(0.0).round(),
        origin_p95_sample_bps: percentile(&sorted_bps, 95.0).unwrap_or(0.0).round(),
        sample_interval_s: f.metrics.interval_us() as f64 / 1e6,
        download_time_s,
        sim_duration_s: f.end.as_secs_f64(),
        stopped_at_max_time: f.stopped_at_max_time,
        events: f.events,
        kumar_ross_bound_s: if one {
            contents[0].kumar_ross_bound_s
        } else {
            None
        },
        makespan_s: if one { contents[0].makespan_s } else { None },
        conservation: Conservation {
            origin_up_bytes: f.origin_up_bytes,
            peers_up_bytes: f.peers.iter().map(|p| p.up_bytes).sum::<u64>()
                + f.seed_up_bytes.iter().sum::<u64>(),
            received_bytes: delivered,
            useful_bytes: f.useful_bytes,
            abandoned_bytes: f.abandoned_bytes,
            wasted_bytes: f.peers.iter().map(|p| p.wasted_bytes).sum(),
            held_partial_bytes: f.held_partial_bytes,
            flows_in_flight: f.flows_in_flight,
        },
        max_reshare_flows: f.max_component_flows,
        origin_cost: cost,
        classes,
        contents,
    };
    let interval_s = f.metrics.interval_us() as f64 / 1e6;
    let (mut cum_origin, mut cum_peer) = (0u64, 0u64);
    let timeseries = f
        .metrics
        .bins
        .iter()
        .enumerate()
        .map(|(i, b)| {
            cum_origin += b.origin_bytes;
            cum_peer += b.peer_bytes;
            let len_us = f.metrics.interval_len_us(i, f.end);
            SampleRow {
                time_s: round_us(((i + 1) as f64 * interval_s).min(f.end.as_secs_f64())),
                origin_bytes: b.origin_bytes,
                peer_bytes: b.peer_bytes,
                origin_bps: rate_bps(b.origin_bytes, len_us),
                peer_bps: rate_bps(b.peer_bytes, len_us),
                active_leechers: b.leechers,
                active_seeds: b.seeds,
                cumulative_offload: ratio(cum_peer, cum_origin + cum_peer),
            }
        })
        .collect();
    RunOutput {
        summary,
        timeseries,
        peers: f.peers,
        billing_samples_bytes: f.metrics.billing_bytes.clone(),
        invariant_violations: f.invariant_violations,
    }
}

/// One [`ContentSummary`] per content; `cost` is the whole origin's bill.
fn content_summaries(f: &RunFacts<'_>, cost: &OriginCost) -> Vec<ContentSummary> {
    let s = f.scenario;
    let all_origin: u64 = f.peers.iter().map(|p| p.down_origin_bytes).sum();
    // One pass over the peers, so a large catalog costs O(peers + contents).
    let mut by_content: Vec<Vec<&PeerRecord>> = vec![Vec::new(); s.contents.len()];
    for p in &f.peers {
        by_content[p.content as usize].push(p);
    }
    s.contents
        .iter()
        .zip(by_content)
        .enumerate()
        .map(|(k, (c, members))| {
            let origin: u64 = members.iter().map(|p| p.down_origin_bytes).sum();
            let peers: u64 = members.iter().map(|p| p.down_peer_bytes).sum();
            let mut t: Vec<f64> = members.iter().filter_map(|p| p.download_time_s()).collect();
            let all_done = !members.is_empty() && t.len() == members.len();
            let makespan_s = match c.arrivals {
                crate::scenario::Arrivals::FlashCrowd { at, .. } if all_done => members
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
            ContentSummary {
                name: c.name.clone(),
                size_bytes: c.size_bytes,
                policy: c.policy.kind,
                release_s: c.release.as_secs_f64(),
                demand_share: c.demand_share.map(round_ratio),
                peers: members.len() as u32,
                http_only_peers: members.iter().filter(|p| !p.p2p).count() as u32,
                initial_seeds: s
                    .seeds
                    .iter()
                    .filter(|g| g.content as usize == k)
                    .map(|g| g.count)
                    .sum(),
                completed_downloads: t.len() as u32,
                abandoned_downloads: members.iter().filter(|p| ended_how(p).0).count() as u32,
                unfinished_downloads: members.iter().filter(|p| ended_how(p).1).count() as u32,
                bytes_from_origin: origin,
                bytes_from_peers: peers,
                bytes_uploaded: members.iter().map(|p| p.up_bytes).sum::<u64>()
                    + f.seed_up_bytes[k],
                offload_ratio: round_ratio(ratio(peers, origin + peers)),
                download_time_s: TimeStats::of(&mut t),
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
            }
        })
        .collect()
}

/// Simulated time for people: seconds with a decimal below an hour, else days/hours/minutes.
fn simulated_text(secs: f64) -> String {
    if secs < 3600.0 {
        format!("{secs:.1} s")
    } else {
        let d = crate::time::SimDuration::from_secs((secs.round()) as u64);
        format!("{d} ({secs:.0} s)")
    }
}

impl RunOutput {
    /// `summary.json` text (pretty, trailing newline).
    pub fn summary_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.summary).expect("summary serialises");
        s.push('\n');
        s
    }

    /// `timeseries.csv` text, fixed decimals so the bytes are stable.
    pub fn timeseries_csv(&self) -> String {
        let mut out = String::from(
            "time_s,origin_bytes,peer_bytes,origin_bps,peer_bps,active_leechers,active_seeds,\
             cumulative_offload\n",
        );
        for r in &self.timeseries {
            out.push_str(&format!(
                "{:.6},{},{},{:.0},{:.0},{},{},{:.6}\n",
                r.time_s,
                r.origin_bytes,
                r.peer_bytes,
                r.origin_bps,
                r.peer_bps,
                r.active_leechers,
                r.active_seeds,
                r.cumulative_offload
            ));
        }
        out
    }

    /// `peers.csv` text: one row per arrived leecher, in peer-id order (content by content,
    /// arrival order within a content): where its bytes came from, what it uploaded, and
    /// when it arrived and finished. Times in seconds; `completion_s` and `download_time_s`
    /// are empty for a download that did not complete; `download_time_s` counts from the
    /// start of the attempt that completed (`restarts` says how many came before).
    pub fn peers_csv(&self) -> String {
        let mut out = String::from(
            "content,class,p2p,nat,aborted,restarts,up_bps,down_bps,arrival_s,completion_s,\
             download_time_s,bytes_from_origin,bytes_from_peers,bytes_uploaded,bytes_wasted\n",
        );
        let s = &self.summary;
        for p in &self.peers {
            let (completion, took) = match p.download_time_s() {
                Some(t) => (
                    format!("{:.6}", p.completion.as_secs_f64()),
                    format!("{t:.6}"),
                ),
                None => (String::new(), String::new()),
            };
            out.push_str(&format!(
                "{},{},{},{},{},{},{:.0},{:.0},{:.6},{},{},{},{},{},{}\n",
                s.contents[p.content as usize].name,
                s.classes[p.class as usize].name,
                p.p2p as u8,
                p.nat as u8,
                p.aborted as u8,
                p.restarts,
                p.up_bps,
                p.down_bps,
                p.arrival.as_secs_f64(),
                completion,
                took,
                p.down_origin_bytes,
                p.down_peer_bytes,
                p.up_bytes,
                p.wasted_bytes
            ));
        }
        out
    }

    /// A short summary a person can read.
    pub fn human_summary(&self) -> String {
        let s = &self.summary;
        let t = &s.download_time_s;
        let mut out = format!(
            "scenario {} (seed {}, digest {})\n\
             peers       {} arrived, {} completed, {} initial seed(s); simulated {}\n",
            s.scenario,
            s.seed,
            s.digest,
            s.peers,
            s.completed_downloads,
            s.initial_seeds,
            simulated_text(s.sim_duration_s),
        );
        if s.stopped_at_max_time {
            out.push_str(&format!(
                "STOPPED     at max_time before the end: {} download(s) unfinished ({} received), \
                 {} arrival(s) never came; figures cover the run so far\n",
                s.unfinished_downloads,
                fmt_bytes(s.unfinished_bytes),
                s.arrivals_after_end,
            ));
        }
        if s.abandoned_downloads > 0 || s.restarts > 0 {
            out.push_str(&format!(
                "abandoned   {} download(s) given up by their users for good ({} received, \
                 wasted); {} restart(s) of abandoned downloads\n",
                s.abandoned_downloads,
                fmt_bytes(s.abandoned_bytes),
                s.restarts,
            ));
        }
        out.push_str(&format!(
            "delivered   {}: origin {}, peers {} -> offload {:.1}%\n\
             origin      instantaneous peak {}; over {} s samples: peak {}, p95 {}\n\
             download    mean {}, p50 {}, p90 {}, p99 {}, max {} ({} completed)\n",
            fmt_bytes(s.bytes_delivered),
            fmt_bytes(s.bytes_from_origin),
            fmt_bytes(s.bytes_from_peers),
            100.0 * s.offload_ratio,
            fmt_rate(s.origin_peak_instant_bps),
            s.sample_interval_s,
            fmt_rate(s.origin_peak_sample_bps),
            fmt_rate(s.origin_p95_sample_bps),
            secs_text(t.mean),
            secs_text(t.p50),
            secs_text(t.p90),
            secs_text(t.p99),
            secs_text(t.max),
            t.count,
        ));
        match (s.kumar_ross_bound_s, s.makespan_s) {
            (Some(b), Some(m)) => out.push_str(&format!(
                "flash crowd makespan {:.1} s = {:.2} x the Kumar-Ross bound ({:.1} s)\n",
                m,
                m / b,
                b
            )),
            (Some(b), None) => out.push_str(&format!(
                "flash crowd not every download completed: no makespan to compare with the \
                 Kumar-Ross bound ({b:.1} s)\n"
            )),
            _ => {}
        }
        let c = &s.origin_cost;
        if c.total_cost > 0.0 {
            out.push_str(&format!(
                "origin cost {:.2} = volume {:.2} ({}) + 95th percentile {:.2} ({} on 5-min samples)\n",
                c.total_cost,
                c.volume_cost,
                fmt_bytes(c.bytes),
                c.p95_cost,
                fmt_rate(c.p95_5min_bps)
            ));
        }
        if s.classes.len() > 1 {
            for k in &s.classes {
                out.push_str(&format!(
                    "  {:<10} {:>6} peers, {:>6} completed, offload {:5.1}%, download p50 {}, p90 {}\n",
                    k.name,
                    k.peers,
                    k.completed_downloads,
                    100.0 * k.offload_ratio,
                    secs_text(k.download_time_s.p50),
                    secs_text(k.download_time_s.p90)
                ));
            }
        }
        if s.contents.len() > 1 {
            out.push_str("contents\n");
            const SHOWN: usize = 12;
            for k in s.contents.iter().take(SHOWN) {
                out.push_str(&format!(
                    "  {:<14} {:>6} peers, {:>6} completed, offload {:5.1}%, download p50 {}, \
                     p90 {}, origin {}, cost {:.2}\n",
                    k.name,
                    k.peers,
                    k.completed_downloads,
                    100.0 * k.offload_ratio,
                    secs_text(k.download_time_s.p50),
                    secs_text(k.download_time_s.p90),
                    fmt_bytes(k.origin.bytes),
                    k.origin.cost_share
                ));
            }
            if s.contents.len() > SHOWN {
                out.push_str(&format!(
                    "  ... and {} more contents (every one in summary.json and peers.csv)\n",
                    s.contents.len() - SHOWN
                ));
            }
        }
        out.push_str(&format!("events      {}\n", s.events));
        out
    }
}
