//! Extreme but valid inputs run to completion with the invariants on
//! (`check_invariants`, `sim-core/src/sim/invariants.rs`) and byte conservation exact
//! (`common::assert_conservation`): 1 peer; 1 piece; 100,000 pieces; 1 kbps beside
//! 100 Gbps; a 2-year horizon; no origin, seeds only; uploaders of 1 kbps only. Each case
//! also checks that every download completed and, where the answer is known in advance,
//! when. Each prints its wall time with `--nocapture` (information only, never asserted).

mod common;

use sim_core::{run, RunOutput, Scenario};

/// A scenario from its tables; `[simulation]` gets `max_time` (a stop far beyond the
/// expected end, so a stall shows as an unfinished run).
fn scenario(max_time: &str, rest: &str) -> Scenario {
    common::scenario(&format!(
        "[simulation]\nmax_time = \"{max_time}\"\n[network]\nlatency = \"10ms\"\n{rest}"
    ))
}

/// Run `s`, check conservation and that every download (`peers` of them, when given)
/// completed; report the wall time.
fn run_complete(name: &str, s: &Scenario, peers: Option<u32>) -> RunOutput {
    let t0 = std::time::Instant::now();
    let out = run(s);
    eprintln!(
        "{name}: {} events, {:.1} simulated s, {:.2} s wall",
        out.summary.events,
        out.summary.sim_duration_s,
        t0.elapsed().as_secs_f64()
    );
    common::assert_conservation(s, &out);
    let d = &out.summary.downloads;
    assert!(
        out.summary.stopped.is_none(),
        "{name}: stopped: {:?}",
        out.summary.stopped
    );
    if let Some(n) = peers {
        assert_eq!(d.peers, n, "{name}: arrivals");
    }
    assert_eq!(d.completed_downloads, d.peers, "{name}: completions");
    out
}

#[test]
fn one_peer() {
    let s = scenario(
        "1h",
        r#"
[content]
size = "1MB"
piece_size = "256KiB"
[origin]
capacity = "8Mbps"
[[classes]]
name = "c"
share = 1
upload = "1Mbps"
download = "100Mbps"
[arrivals]
process = "flash-crowd"
peers = 1
"#,
    );
    let out = run_complete("one_peer", &s, Some(1));
    // Alone, from the origin only: 1 MB at 8 Mbps is 1 s, plus round trips.
    let d = &out.summary.downloads;
    assert_eq!(d.bytes_from_origin, 1_000_000);
    assert_eq!(d.bytes_from_peers, 0);
    let t = out.peers[0].download_time_s().unwrap();
    assert!((1.0..1.5).contains(&t), "{t} s");
}

#[test]
fn one_piece() {
    let s = scenario(
        "1h",
        r#"
[content]
size = "256KiB"
piece_size = "256KiB"
[origin]
capacity = "10Mbps"
[[seeds]]
upload = "10Mbps"
[[classes]]
name = "c"
share = 1
upload = "5Mbps"
download = "20Mbps"
[arrivals]
process = "flash-crowd"
peers = 20
"#,
    );
    let out = run_complete("one_piece", &s, Some(20));
    assert_eq!(out.summary.downloads.bytes_delivered, 20 * 256 * 1024);
}

#[test]
fn a_hundred_thousand_pieces() {
    // 100,000 pieces of 16 KiB (the smallest piece a scenario accepts, BEP 3's block):
    // per-piece structures of 100,000 entries and one flow per piece. Piece selection goes
    // through the availability index (`pick::Rarity`), so a pick no longer scans every
    // piece (before it, this run spent 90 % of its time in `try_request`).
    let s = scenario(
        "1d",
        r#"
[content]
size = "1600000KiB"
piece_size = "16KiB"
[origin]
capacity = "1Gbps"
per_connection = "200Mbps"
[[seeds]]
upload = "200Mbps"
[[classes]]
name = "c"
share = 1
upload = "100Mbps"
download = "400Mbps"
[arrivals]
process = "flash-crowd"
peers = 1
"#,
    );
    assert_eq!(s.contents[0].piece_count(), 100_000);
    let out = run_complete("a_hundred_thousand_pieces", &s, Some(1));
    let d = &out.summary.downloads;
    assert_eq!(d.bytes_delivered, 100_000 * 16 * 1024);
    // Both the seed and the origin served it.
    assert!(d.bytes_from_peers > 0 && d.bytes_from_origin > 0, "{d:?}");
}

#[test]
fn one_kbps_beside_a_hundred_gbps() {
    // Eleven orders of magnitude between two links of one swarm.
    let s = scenario(
        "1d",
        r#"
[content]
size = "64KiB"
piece_size = "16KiB"
[origin]
capacity = "100Gbps"
per_connection = "100Gbps"
[[classes]]
name = "slow"
share = 0.5
upload = "1kbps"
download = "1kbps"
[[classes]]
name = "fast"
share = 0.5
upload = "100Gbps"
download = "100Gbps"
[arrivals]
process = "flash-crowd"
peers = 4
"#,
    );
    let out = run_complete("one_kbps_beside_a_hundred_gbps", &s, Some(4));
    // The slow peers' download link is the bottleneck: 64 KiB at 1 kbps is 524.288 s.
    let slowest = out
        .peers
        .iter()
        .filter_map(|p| p.download_time_s())
        .fold(0.0, f64::max);
    assert!((524.288..530.0).contains(&slowest), "{slowest} s");
}

#[test]
fn a_two_year_horizon() {
    // Poisson arrivals at a low rate over two years: long times in integer microseconds,
    // about 17,500 sample rows (one an hour) and 210,000 billing samples.
    let mut s = scenario(
        "740d",
        r#"
[content]
size = "1MB"
piece_size = "256KiB"
[origin]
capacity = "10Mbps"
[client]
seed_time = "1h"
[[classes]]
name = "c"
share = 1
upload = "1Mbps"
download = "10Mbps"
[arrivals]
process = "poisson"
rate = "1/d"
until = "730d"
"#,
    );
    s.sample_interval = sim_core::time::SimDuration::from_secs(3600);
    let out = run_complete("a_two_year_horizon", &s, None);
    // 730 expected; 4 standard deviations (27) either side.
    let peers = out.summary.downloads.peers;
    assert!(
        (620..840).contains(&peers),
        "{peers} arrivals in 730 days at 1/d"
    );
    assert!(out.summary.sim_duration_s > 700.0 * 86_400.0);
}

#[test]
fn no_origin_seeds_only() {
    let s = scenario(
        "1d",
        r#"
[content]
size = "2MB"
piece_size = "256KiB"
[origin]
capacity = "0"
[client]
policy = "web-seed"
[[seeds]]
count = 2
upload = "2Mbps"
[[classes]]
name = "c"
share = 1
upload = "1Mbps"
download = "10Mbps"
[arrivals]
process = "flash-crowd"
peers = 30
"#,
    );
    let out = run_complete("no_origin_seeds_only", &s, Some(30));
    assert_eq!(out.summary.downloads.bytes_from_origin, 0);
}

#[test]
fn one_kbps_uploaders_only() {
    // Every uploader sends at 1 kbps and there is no origin: 32 KiB (262,144 bits) takes
    // at least 262.1 s from the lone seed.
    let s = scenario(
        "1d",
        r#"
[content]
size = "32KiB"
piece_size = "16KiB"
[origin]
capacity = "0"
[[seeds]]
upload = "1kbps"
[[classes]]
name = "c"
share = 1
upload = "1kbps"
download = "1Mbps"
[arrivals]
process = "flash-crowd"
peers = 3
"#,
    );
    let out = run_complete("one_kbps_uploaders_only", &s, Some(3));
    let first = out
        .peers
        .iter()
        .filter_map(|p| p.download_time_s())
        .fold(f64::INFINITY, f64::min);
    assert!(first >= 262.144 - 1e-6, "{first} s");
}
