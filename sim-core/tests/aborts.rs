//! Abandoned downloads (issue 3): users give up at rate θ; what they fetched is wasted.

mod common;

/// HTTP-only downloads that take exactly 10 s (10 MB at 8 Mbps per connection, no
/// latency): each is abandoned with probability 1 − e^(−θ·10 s) = 0.393 for θ = 0.05/s.
/// 400 downloads: binomial standard deviation 9.8, tolerance 4σ ≈ 0.1 on the fraction.
#[test]
fn downloads_are_abandoned_at_rate_theta() {
    let s = common::scenario(
        r#"
[simulation]
check_invariants = true
[content]
size = "10MB"
piece_size = "1MB"
[network]
latency = "0s"
time_quantum = "1us"
[origin]
capacity = "10Gbps"
per_connection = "8Mbps"
[client]
policy = "http-only"
abort_rate = "0.05/s"
[[classes]]
name = "c"
share = 1
upload = "0"
download = "100Mbps"
[arrivals]
process = "poisson"
count = 400
until = "1h"
"#,
    );
    let out = sim_core::run(&s);
    common::assert_conservation(&s, &out);
    let n = out.summary.peers as f64;
    let aborted = out.summary.abandoned_downloads as f64 / n;
    let want = 1.0 - (-0.05f64 * 10.0).exp();
    assert!(
        (aborted - want).abs() < 4.0 * (want * (1.0 - want) / n).sqrt(),
        "{aborted} vs {want}"
    );
    assert!(out.summary.bytes_wasted > 0);
    assert!(out
        .peers
        .iter()
        .filter(|p| p.aborted)
        .all(|p| p.completion == sim_core::time::SimTime::NEVER));
    // Every completed download still took its 10 s (+ the 1 µs grid per piece).
    for p in out.peers.iter().filter(|p| !p.aborted) {
        let t = p.download_time_s().unwrap();
        assert!((t - 10.0).abs() < 1e-4, "{t}");
    }
}
