//! The resource estimate of a run, computed from the resolved [`Scenario`] alone (no
//! instant drawn, nothing allocated in proportion to the run), so that `swarmsim run` can
//! refuse a scenario that would not fit the machine before the workload is generated, and
//! `swarmsim validate` can say what a run will cost.
//!
//! ## The formula
//!
//! For each content k: N_k peers (the expected arrivals of its process, plus its initial
//! seeds), P_k pieces; connections only for contents not fetched `http-only`; S samples
//! (`max_time / sample_interval`, an upper bound: a run usually ends before `max_time`).
//!
//! - **events** ≈ Σ_k N_k·(E_PIECE·P_k + E_TIMER·(D_k + (L_k − D_k)·B_k)·f /
//!   rechoke_interval) + S, where L_k is how long a peer stays: its download time D_k at
//!   the mean download cap of the classes plus its mean seed time (`forever`: half of
//!   `max_time`), at most the arrival span W_k plus D_k (the run ends when no leecher is
//!   left) and at most `max_time`; B_k = 1 − e^(−λ_k·D_k) the share of time a leecher is
//!   around (λ_k = N_k / W_k; 1 for a flash crowd), since a seed nobody downloads from does
//!   not rechoke; f is the online fraction of `[sessions]`.
//! - **memory_bytes** ≈ BASE + SAMPLE·S + Σ_k (RECORD·N_k + M_k·(PEER + PIECE_k·P_k +
//!   CONN·C_k)), where M_k is the number of peers present at once (Little's law:
//!   arrivals·L_k/W_k when the arrivals are spread over W_k > L_k, else all of them) and
//!   C_k = min(max_connections, M_k − 1): every peer's result record, then the state,
//!   piece bookkeeping and connections of those present; the time series.
//! - **output_bytes** ≈ OUTPUT_BASE + (PEER_ROW + PEER_SVG)·N + (SAMPLE_ROW + SAMPLE_SVG)·S:
//!   `peers.csv` and its points in `summary.svg`, `timeseries.csv` and its points.
//!
//! ## Calibration and accuracy
//!
//! The constants were fitted to release runs: `events` of `summary.json`, `peak_rss_bytes`
//! of `perf.json`, the bytes of the files written. The runs: the shipped scenarios
//! (quickstart, flash-crowd, poisson-steady, catalog, fluid-upload, fluid-download, both
//! tokyo-2007, bench/simgrid-w, bench/flash-crowd-10k) and three scaled quickstarts (30 000
//! peers `http-only`; 1 000 peers in 16 KiB pieces; 5 000 peers); the table is in
//! `scenarios/README.md#resource-estimate` and in `sim-core/tests/estimate.rs`, which
//! checks it. Measured accuracy over those 13 runs: events 0.62–1.76× the measured count,
//! memory 0.65–1.08× the peak RSS (re-measured after issue 11's optimisations; the
//! lowest is the four-title catalog, whose per-content state the formula leaves out),
//! result bytes 1.1–10× (an upper bound: `timeseries.csv`
//! is counted to `max_time`, which a run may reach). It guards against runs that cannot
//! fit (10⁹ peers, 10⁸ pieces); it does not predict wall time.

use crate::scenario::{expected_count, Arrivals, Policy, Scenario, SeedTime};

/// Process memory before any peer: the binary, the allocator, the scenario (bytes).
const BASE_BYTES: f64 = 5.3e6;
/// Memory per peer of the run, present or gone: its result record, its arrival (bytes).
const RECORD_BYTES: f64 = 300.0;
/// Memory per peer present at once: its state and flows (bytes).
const PEER_BYTES: f64 = 950.0;
/// Memory per piece of a peer present: bitfields, availability, requests (bytes).
const PIECE_BYTES: f64 = 2.0;
/// Memory per piece of a peer present, for files the availability index covers
/// ([`crate::pick::INDEXED_FROM_PIECES`] pieces and more): the counts, the piece's place
/// and the order of wanted pieces (2 + 4 + 4 bytes) and the bitfields (bytes).
const INDEXED_PIECE_BYTES: f64 = 10.25;
/// Memory per connection of a peer present: both directions' state and choking (bytes).
const CONN_BYTES: f64 = 70.0;
/// Memory per sample of the time series, all counters (bytes).
const SAMPLE_BYTES: f64 = 100.0;
/// Events per piece a peer downloads (request, transfer end, HAVE fan-out, re-shares).
const EVENTS_PER_PIECE: f64 = 1.8;
/// Events per rechoke interval a peer is online in a swarm (rechoke, optimistic unchoke,
/// announces).
const EVENTS_PER_RECHOKE: f64 = 0.3;
/// Files whose size does not grow with the run: summary.json, perf.json, the axes of
/// summary.svg (bytes).
const OUTPUT_BASE_BYTES: f64 = 80_000.0;
/// One row of `peers.csv` (bytes).
const PEER_ROW_BYTES: f64 = 105.0;
/// One peer's points in `summary.svg` (bytes).
const PEER_SVG_BYTES: f64 = 16.0;
/// One row of `timeseries.csv` (bytes).
const SAMPLE_ROW_BYTES: f64 = 55.0;
/// One sample's points in `summary.svg` (bytes).
const SAMPLE_SVG_BYTES: f64 = 50.0;

/// What a run of a scenario is expected to cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Peers in the run: expected arrivals plus initial seeds.
    pub peers: f64,
    /// Events dispatched.
    pub events: f64,
    /// Peak resident memory, in bytes.
    pub memory_bytes: f64,
    /// Bytes of result files written (`summary.json`, `timeseries.csv`, `peers.csv`,
    /// `summary.svg`, `perf.json`).
    pub output_bytes: f64,
}

impl Estimate {
    /// The estimate of a run of `s` (module docs: the formula and its accuracy). Pure
    /// arithmetic on the scenario: fast and allocation-free whatever the scenario's size.
    pub fn of(s: &Scenario) -> Estimate {
        let max_time_s = s.max_time.as_secs_f64();
        let samples = (s.max_time.as_us() as f64 / s.sample_interval.as_us().max(1) as f64).ceil();
        let mean_down_bps = s
            .classes
            .iter()
            .map(|c| c.share * c.download_bps as f64)
            .sum::<f64>()
            .max(1.0);
        let seed_time_s = mean_s(&s.client.seed_time, max_time_s / 2.0);
        let online_fraction = s.sessions.as_ref().map_or(1.0, |ss| {
            let on = mean_s(&ss.online, max_time_s);
            let off = mean_s(&ss.offline, max_time_s);
            if on + off > 0.0 {
                on / (on + off)
            } else {
                1.0
            }
        });
        let rechoke_s = s.protocol.rechoke_interval.as_secs_f64().max(1e-6);

        let mut peers = 0.0;
        let mut events = samples;
        let mut memory = BASE_BYTES + SAMPLE_BYTES * samples;
        for (k, c) in s.contents.iter().enumerate() {
            let seeds: f64 = s
                .seeds
                .iter()
                .filter(|g| g.content as usize == k)
                .map(|g| f64::from(g.count))
                .sum();
            let arrivals = expected_count(&c.arrivals);
            let n = arrivals + seeds;
            let pieces = c.size_bytes.div_ceil(c.piece_size_bytes.max(1)) as f64;
            let p2p = c.policy.kind != Policy::HttpOnly;
            let piece_bytes = if pieces >= f64::from(crate::pick::INDEXED_FROM_PIECES) {
                INDEXED_PIECE_BYTES
            } else {
                PIECE_BYTES
            };
            let download_s = c.size_bytes as f64 * 8.0 / mean_down_bps;
            // The run ends once no leecher is left: nobody stays past the last arrival's
            // download, however long seeds would stay.
            let span_s = arrival_span_s(&c.arrivals);
            let stay_s = (download_s + seed_time_s)
                .min(span_s + download_s)
                .min(max_time_s);
            // Little's law: peers present at once, for a process spread over span_s.
            let present = if span_s > stay_s {
                arrivals * stay_s / span_s + seeds
            } else {
                n
            };
            let conns = if p2p {
                f64::from(s.protocol.max_connections).min((present - 1.0).max(0.0))
            } else {
                0.0
            };
            // A peer rechokes while it downloads; a seed only while a leecher is around
            // (an idle seed's rechokes sleep, `sim/choking.rs`): the share of time a swarm
            // fed at rate λ with downloads of D has a leecher, 1 − e^(−λD) (the M/G/∞
            // queue's busy share), 1 for a flash crowd.
            let busy = if span_s > 0.0 {
                1.0 - (-arrivals / span_s * download_s).exp()
            } else {
                1.0
            };
            let leeching_s = download_s.min(stay_s);
            let timers = if p2p {
                EVENTS_PER_RECHOKE * (leeching_s + (stay_s - leeching_s) * busy) * online_fraction
                    / rechoke_s
            } else {
                0.0
            };
            peers += n;
            events += n * (EVENTS_PER_PIECE * pieces + timers);
            memory += n * RECORD_BYTES
                + present * (PEER_BYTES + piece_bytes * pieces + CONN_BYTES * conns);
        }
        let output = OUTPUT_BASE_BYTES
            + (PEER_ROW_BYTES + PEER_SVG_BYTES) * peers
            + (SAMPLE_ROW_BYTES + SAMPLE_SVG_BYTES) * samples;
        Estimate {
            peers,
            events,
            memory_bytes: memory,
            output_bytes: output,
        }
    }
}

/// How long a process brings arrivals, in seconds: 0 for a flash crowd, the window of a
/// rate process, first to last instant of a trace.
fn arrival_span_s(a: &Arrivals) -> f64 {
    match a {
        Arrivals::FlashCrowd { .. } => 0.0,
        Arrivals::Poisson { start, until, .. }
        | Arrivals::Decaying { start, until, .. }
        | Arrivals::Diurnal { start, until, .. } => until.since(*start).as_secs_f64(),
        Arrivals::Trace { times } => match (times.first(), times.last()) {
            (Some(first), Some(last)) => last.since(*first).as_secs_f64(),
            _ => 0.0,
        },
    }
}

/// The mean of a duration distribution in seconds; `forever` counts as `forever_s`.
fn mean_s(t: &SeedTime, forever_s: f64) -> f64 {
    match t {
        SeedTime::Fixed(d) | SeedTime::Exponential(d) => d.as_secs_f64(),
        SeedTime::Empirical(v) if !v.is_empty() => {
            v.iter().map(|d| d.as_secs_f64()).sum::<f64>() / v.len() as f64
        }
        SeedTime::Empirical(_) => 0.0,
        SeedTime::Forever => forever_s,
    }
}
