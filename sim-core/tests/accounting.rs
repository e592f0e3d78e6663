//! Traffic accounting is exact (issue 7.1): every byte is counted once, at the time it
//! moves. The time series, the 5-minute billing samples and the per-day figures sum to the
//! bytes delivered to the byte, for any time quantum, piece size and link speed, and no
//! sample holds more than the links could carry (`common::assert_traffic_accounting`).

mod common;

use proptest::prelude::*;

/// The gigabit case that exposed the bug: a 100 MB file over HTTP only, 600 clients at
/// 1 Gbps arriving over 10 minutes (Poisson), a 10 Gbps origin.
fn gigabit(piece: &str, quantum: &str, size: &str, count: u32) -> String {
    gigabit_with_latency(piece, quantum, size, count, "25ms")
}

/// [`gigabit`] with a chosen one-way latency.
fn gigabit_with_latency(
    piece: &str,
    quantum: &str,
    size: &str,
    count: u32,
    latency: &str,
) -> String {
    format!(
        r#"
[simulation]
seed = 7
[content]
size = "{size}"
piece_size = "{piece}"
[network]
latency = "{latency}"
time_quantum = "{quantum}"
[origin]
capacity = "10Gbps"
price_per_mbps_month = 1
[client]
policy = "http-only"
[[classes]]
name = "gigabit"
share = 1
upload = "1Gbps"
download = "1Gbps"
[arrivals]
process = "poisson"
count = {count}
until = "10min"
"#
    )
}

/// Before the fix the 256 KiB run billed on 1,161.7 Mbps with the default 1 ms quantum
/// (813.6 Mbps with 1 µs) and its 5-minute samples summed to 85.8 GB for 60 GB delivered.
/// Now the samples sum to the delivered bytes exactly, and the bill is what the bytes
/// say: 600 × 100 MB over about ten minutes is about 800 Mbps on average, so no
/// 5-minute sample can hold more than the origin's 10 Gbps, and the billed rate lies
/// within the range the arrivals allow (the busiest sample of a Poisson window).
#[test]
fn gigabit_http_bill_counts_each_byte_once() {
    let s = common::scenario(&gigabit("256KiB", "1us", "100MB", 600));
    let out = sim_core::run(&s);
    common::assert_conservation(&s, &out);
    let sum = &out.summary;
    let c = &sum.origin_cost;
    assert_eq!(sum.downloads.completed_downloads, sum.downloads.peers);
    assert_eq!(c.bytes, sum.downloads.peers as u64 * 100_000_000);
    assert_eq!(out.billing_samples_bytes.iter().sum::<u64>(), c.bytes);
    // Each 5-minute sample: bytes / 300 s. The whole volume spread over the run's samples
    // bounds the billed rate from below; the busiest sample from above.
    let mean_bps = c.bytes as f64 * 8.0 / sum.sim_duration_s;
    assert!(c.p95_5min_bps <= c.peak_5min_bps);
    assert!(c.peak_5min_bps <= 10e9);
    assert!(
        c.p95_5min_bps >= 0.5 * mean_bps && c.p95_5min_bps <= 2.0 * mean_bps,
        "billed {} bps for a mean of {mean_bps} bps",
        c.p95_5min_bps
    );
    println!(
        "gigabit http-only: {} downloads, billed p95 {:.1} Mbps, peak 5-min {:.1} Mbps, \
         instantaneous peak {:.1} Mbps, mean {:.1} Mbps",
        sum.downloads.peers,
        c.p95_5min_bps / 1e6,
        c.peak_5min_bps / 1e6,
        sum.origin_peak_instant_bps / 1e6,
        mean_bps / 1e6
    );
}

/// The time grid does not change accounting: a coarser quantum (the largest the loader
/// accepts for these pieces) and smaller pieces move the same bytes through the same
/// origin; the bill moves by no more than the downloads' timing does. Before the fix the
/// 16 KiB run billed 7.6× too high. Latency 0, so that the round trip of each range
/// request (which really does slow small pieces) does not move the downloads in time.
/// Tolerance 3%: the completions shift by up to a quantum per piece, which moves bytes
/// between neighbouring samples.
#[test]
fn bill_does_not_depend_on_time_grid_or_piece_size() {
    let bill = |piece: &str, quantum: &str| {
        let s = common::scenario(&gigabit_with_latency(piece, quantum, "20MB", 600, "0s"));
        let out = sim_core::run(&s);
        common::assert_conservation(&s, &out);
        let c = out.summary.origin_cost.clone();
        assert_eq!(c.bytes, out.summary.downloads.peers as u64 * 20_000_000);
        c.p95_5min_bps
    };
    let exact = bill("256KiB", "1us");
    for (piece, quantum) in [("256KiB", "200us"), ("16KiB", "1us"), ("16KiB", "13us")] {
        let other = bill(piece, quantum);
        assert!(
            (other - exact).abs() <= 0.03 * exact,
            "{piece} pieces, quantum {quantum}: billed {other} bps vs {exact} bps"
        );
    }
}

/// A quantum that would distort download times is refused with the figures behind it.
#[test]
fn coarse_quantum_is_refused() {
    let err =
        sim_core::scenario::load_str(&gigabit("256KiB", "1h", "100MB", 600), "g.toml", "g", &[])
            .unwrap_err()
            .to_string();
    assert!(err.contains("network.time_quantum"), "{err}");
    assert!(err.contains("at most a tenth"), "{err}");
    let err = sim_core::scenario::load_str(
        &format!(
            "{}\n[simulation]\nsample_interval = \"1ms\"",
            gigabit("256KiB", "1us", "100MB", 6)
        )
        .replace("[simulation]\nseed = 7", ""),
        "g.toml",
        "g",
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("simulation.sample_interval"), "{err}");
}

#[derive(Debug, Clone)]
struct Case {
    peers: u32,
    pieces: u32,
    piece_bytes: u64,
    down_bps: u64,
    up_bps: u64,
    origin_bps: u64,
    seed_bps: u64,
    policy: &'static str,
    sample_interval: &'static str,
    max_time: &'static str,
}

/// log-uniform integer in [10^lo, 10^hi].
fn log_uniform(lo: f64, hi: f64) -> impl Strategy<Value = u64> {
    (lo..hi).prop_map(|e| 10f64.powf(e).round() as u64)
}

fn case() -> impl Strategy<Value = Case> {
    (
        (1u32..6, 1u32..5, 14u32..=24),
        (log_uniform(3.0, 11.0), log_uniform(3.0, 11.0)),
        (
            prop_oneof![Just(0u64), log_uniform(3.0, 11.0)],
            prop_oneof![Just(0u64), log_uniform(3.0, 11.0)],
        ),
        (
            prop_oneof![Just("http-only"), Just("web-seed"), Just("fallback")],
            prop_oneof![
                Just("1s"),
                Just("7s"),
                Just("60s"),
                Just("300s"),
                Just("1h")
            ],
            prop_oneof![Just("10min"), Just("1d"), Just("30d")],
        ),
    )
        .prop_filter("someone holds the content", |c| {
            c.2 .0 > 0 || (c.2 .1 > 0 && c.3 .0 != "http-only")
        })
        .prop_map(|(a, l, src, p)| Case {
            peers: a.0,
            pieces: a.1,
            piece_bytes: 1u64 << a.2,
            down_bps: l.0,
            up_bps: l.1,
            origin_bps: src.0,
            seed_bps: src.1,
            policy: p.0,
            sample_interval: p.1,
            max_time: p.2,
        })
}

fn toml(c: &Case) -> String {
    let mut t = format!(
        "[simulation]\ncheck_invariants = true\nmax_time = \"{}\"\nsample_interval = \"{}\"\n\
         [content]\nsize = \"{}B\"\npiece_size = \"{}B\"\n\
         [network]\nlatency = \"5ms\"\n\
         [client]\npolicy = \"{}\"\nseed_time = \"10min\"\n\
         [[classes]]\nname = \"c\"\nshare = 1\nupload = \"{}bps\"\ndownload = \"{}bps\"\n\
         [arrivals]\nprocess = \"poisson\"\ncount = {}\nuntil = \"10min\"\n",
        c.max_time,
        c.sample_interval,
        c.pieces as u64 * c.piece_bytes - c.piece_bytes / 3,
        c.piece_bytes,
        c.policy,
        c.up_bps,
        c.down_bps,
        c.peers,
    );
    t.push_str(&format!("[origin]\ncapacity = \"{}bps\"\n", c.origin_bps));
    if c.seed_bps > 0 {
        t.push_str(&format!("[[seeds]]\nupload = \"{}bps\"\n", c.seed_bps));
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, failure_persistence: None, ..ProptestConfig::default() })]

    /// Links from 1 kbps to 100 Gbps, pieces from 16 KiB to 16 MiB, any sample interval,
    /// runs that finish and runs cut by max_time: every traffic figure adds up exactly.
    #[test]
    fn traffic_figures_add_up_exactly(c in case()) {
        let text = toml(&c);
        let s = sim_core::scenario::load_str(&text, "p.toml", "p", &[])
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let out = sim_core::run(&s);
        common::assert_conservation(&s, &out);
    }
}
