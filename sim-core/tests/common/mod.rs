//! Shared helpers of the integration tests: scenarios from TOML text, and the invariants
//! every run must satisfy.
#![allow(dead_code)]

use sim_core::scenario::{load_str, Override, Scenario};
use sim_core::RunOutput;

/// A scenario from TOML text, with `check_invariants` on (the suite checks every run as it
/// goes, `sim/invariants.rs`); panics with the loader's message on error.
pub fn scenario(text: &str) -> Scenario {
    let mut s = load_str(text, "test.toml", "test", &[]).unwrap_or_else(|e| panic!("{e}\n{text}"));
    s.check_invariants = true;
    s
}

/// A shipped scenario with overrides (`key.path=value`).
pub fn shipped(rel: &str, sets: &[&str]) -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(rel);
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    let mut s = sim_core::scenario::load_file(&path, &overrides).unwrap_or_else(|e| panic!("{e}"));
    s.check_invariants = true;
    s
}

/// The conservation invariants, checked on every run of
/// the suite: bytes uploaded = bytes downloaded, origin + peer bytes = delivered bytes,
/// delivered = useful + wasted + held partial pieces, no link above its cap, and no leecher
/// faster than its download link allows.
pub fn assert_conservation(s: &Scenario, out: &RunOutput) {
    let sum = &out.summary;
    let c = &sum.conservation;
    assert!(
        out.invariant_violations.is_empty(),
        "the run stopped at a broken invariant: {:?}",
        out.invariant_violations
    );
    assert_eq!(
        c.origin_up_bytes, sum.downloads.bytes_from_origin,
        "origin up != origin down"
    );
    assert_eq!(
        c.peers_up_bytes, sum.downloads.bytes_from_peers,
        "peer up != peer down"
    );
    assert_eq!(
        sum.downloads.bytes_from_origin + sum.downloads.bytes_from_peers,
        sum.downloads.bytes_delivered,
        "origin + peers != delivered"
    );
    assert_eq!(c.received_bytes, sum.downloads.bytes_delivered);
    if c.flows_in_flight == 0 {
        assert_eq!(
            c.useful_bytes + c.wasted_bytes + c.held_partial_bytes,
            c.received_bytes,
            "delivered bytes are not all accounted for"
        );
    }
    if sum.stopped.is_none() {
        assert_eq!(
            sum.downloads.completed_downloads + sum.downloads.abandoned_downloads,
            sum.downloads.peers,
            "a leecher neither completed nor gave up"
        );
        let copies: u64 = sum
            .contents
            .iter()
            .map(|k| k.downloads.completed_downloads as u64 * k.size_bytes)
            .sum();
        assert_eq!(
            c.useful_bytes,
            copies + c.abandoned_bytes,
            "useful bytes != completed copies x size + abandoned pieces"
        );
    }
    // The per-content breakdown adds up to the whole.
    let total = |f: fn(&sim_core::report::ContentSummary) -> u64| -> u64 {
        sum.contents.iter().map(f).sum()
    };
    assert_eq!(
        total(|k| k.downloads.bytes_from_origin),
        sum.downloads.bytes_from_origin
    );
    assert_eq!(
        total(|k| k.downloads.bytes_from_peers),
        sum.downloads.bytes_from_peers
    );
    assert_eq!(total(|k| k.downloads.bytes_uploaded), c.peers_up_bytes);
    assert_eq!(
        total(|k| k.downloads.peers as u64),
        sum.downloads.peers as u64
    );
    assert_eq!(
        total(|k| k.downloads.completed_downloads as u64),
        sum.downloads.completed_downloads as u64
    );
    // Contents have separate swarms: what a content's peers uploaded is exactly what its
    // leechers received from peers.
    for k in &sum.contents {
        assert_eq!(
            k.downloads.bytes_uploaded, k.downloads.bytes_from_peers,
            "content {}: its peers uploaded {} bytes but its leechers got {} from peers",
            k.name, k.downloads.bytes_uploaded, k.downloads.bytes_from_peers
        );
    }
    assert_traffic_accounting(s, out);
    let shares: f64 = sum.contents.iter().map(|k| k.origin.cost_share).sum();
    assert!((shares - sum.origin_cost.total_cost).abs() <= 1e-9 * (1.0 + shares.abs()));
    for p in &out.peers {
        if let Some(last_attempt_s) = p.download_time_s() {
            // A restart may resume from pieces of earlier attempts: bound the whole span.
            let t = if p.restarts > 0 {
                p.completion.since(p.arrival).as_secs_f64()
            } else {
                last_attempt_s
            };
            let down = p.down_bps;
            let size = s.contents[p.content as usize].size_bytes;
            let floor = size as f64 * 8.0 / down;
            assert!(
                t >= floor * (1.0 - 1e-9),
                "a peer downloaded in {t} s, faster than its link allows ({floor} s)"
            );
        }
    }
}

/// Traffic accounting is exact: the time series, the 5-minute billing samples and the
/// per-day figures each sum to the bytes delivered, to the byte; per content too; and no
/// sample holds more than the origin link could carry in it. Tolerance of the last check:
/// integer accounting may put up to 3 bytes per flow into a sample beyond its even share
/// (the floors at the two ends of its partial stretches, see `metrics::spread`); we allow
/// 4 bytes per piece delivered in the whole run, far below a sample's capacity here.
pub fn assert_traffic_accounting(s: &Scenario, out: &RunOutput) {
    let sum = &out.summary;
    let col =
        |f: fn(&sim_core::report::SampleRow) -> u64| -> u64 { out.timeseries.iter().map(f).sum() };
    assert_eq!(
        col(|r| r.origin_bytes),
        sum.downloads.bytes_from_origin,
        "time series: origin bytes"
    );
    assert_eq!(
        col(|r| r.peer_bytes),
        sum.downloads.bytes_from_peers,
        "time series: peer bytes"
    );
    assert_eq!(
        out.billing_samples_bytes.iter().sum::<u64>(),
        sum.downloads.bytes_from_origin,
        "billing samples"
    );
    let c = &sum.origin_cost;
    assert_eq!(c.bytes, sum.downloads.bytes_from_origin, "billed volume");
    assert_eq!(
        c.per_day.iter().map(|d| d.bytes).sum::<u64>(),
        c.bytes,
        "per-day bytes"
    );
    for k in &sum.contents {
        assert_eq!(
            k.origin.bytes, k.downloads.bytes_from_origin,
            "{}: origin bytes",
            k.name
        );
    }
    let min_piece = s
        .contents
        .iter()
        .map(|c| c.piece_size_bytes.min(c.size_bytes))
        .min()
        .unwrap();
    let slack_bytes = 4.0
        * (sum.downloads.bytes_delivered / min_piece.max(1) + sum.downloads.peers as u64 + 1)
            as f64;
    let cap = s.origin.capacity_bps as f64;
    let interval_s = sum.sample_interval_s;
    for (i, r) in out.timeseries.iter().enumerate() {
        let start_s = i as f64 * interval_s;
        let len_s = (r.time_s - start_s).max(1e-6);
        assert!(
            r.origin_bytes as f64 <= cap * len_s / 8.0 + slack_bytes,
            "sample {i}: {} origin bytes in {len_s} s exceed the origin's {cap} bps",
            r.origin_bytes
        );
    }
    // The sample peak is the busiest row, which the loop above bounds.
    let busiest = out
        .timeseries
        .iter()
        .map(|r| r.origin_bps)
        .fold(0.0, f64::max);
    assert!(
        (sum.origin_peak_sample_bps - busiest).abs() <= 0.5,
        "sample peak"
    );
    // Each 5-minute billing sample (the last one may be cut by the end) within the link.
    let end_s = sum.sim_duration_s;
    for (i, &bytes) in out.billing_samples_bytes.iter().enumerate() {
        let len_s = (end_s - i as f64 * 300.0).clamp(1e-6, 300.0);
        assert!(
            bytes as f64 <= cap * len_s / 8.0 + slack_bytes,
            "billing sample {i}: {bytes} bytes in {len_s} s exceed the origin's {cap} bps"
        );
    }
    assert!(c.p95_5min_bps <= c.peak_5min_bps);
}
