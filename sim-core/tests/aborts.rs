//! Abandoned downloads: users give up at rate θ while they wait; what they fetched is
//! wasted unless they come back and resume.

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
    let n = out.summary.downloads.peers as f64;
    let aborted = out.summary.downloads.abandoned_downloads as f64 / n;
    let want = 1.0 - (-0.05f64 * 10.0).exp();
    println!("10 s downloads, theta = 0.05/s: abandoned {aborted:.3}, expected {want:.3}");
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

/// HTTP-only downloads that need exactly 20 s of transfer (10 MB at 4 Mbps), on machines
/// that are on for 8 s and off for 60 s at a time: each download spans three sessions
/// and about 2.5 minutes of wall time. Patience runs only while the user waits (download
/// in progress, machine on), so a download is abandoned with probability
/// 1 − e^(−θ·20 s) = 0.632 for θ = 0.05/s, whatever the time the machine spends off
/// (counted from the start it would be about 1 − e^(−θ·150 s) ≈ 1). 400 downloads:
/// binomial standard deviation 0.024, tolerance 4σ.
#[test]
fn patience_runs_only_while_the_user_waits() {
    let s = common::scenario(&paused_downloads(""));
    let out = sim_core::run(&s);
    common::assert_conservation(&s, &out);
    let n = out.summary.downloads.peers as f64;
    let aborted = out.summary.downloads.abandoned_downloads as f64 / n;
    let want = 1.0 - (-0.05f64 * 20.0).exp();
    println!(
        "20 s of transfer over 8 s sessions, theta = 0.05/s: abandoned {aborted:.3}, expected {want:.3}"
    );
    assert!(
        (aborted - want).abs() < 4.0 * (want * (1.0 - want) / n).sqrt(),
        "{aborted} vs {want}"
    );
}

fn paused_downloads(client_extra: &str) -> String {
    format!(
        r#"
[simulation]
check_invariants = true
[content]
size = "10MB"
piece_size = "1MB"
[network]
latency = "0s"
[origin]
capacity = "10Gbps"
[client]
policy = "http-only"
abort_rate = "0.05/s"
{client_extra}
[sessions]
online = "8s"
offline = "60s"
[[classes]]
name = "c"
share = 1
upload = "0"
download = "4Mbps"
[arrivals]
process = "poisson"
count = 400
until = "1h"
"#
    )
}

/// Every user who abandons comes back (restart_share = 1): all downloads complete in the
/// end, and the run waits for the restarts. Resuming keeps the completed pieces, so the
/// bytes served are the copies plus the partial pieces thrown away; starting over wastes
/// what the abandoned attempts had, so more bytes are served than copies delivered (the
/// 2007 trial's "aborted and restarted downloads").
#[test]
fn restarted_downloads_resume_or_start_over() {
    let copies =
        |out: &sim_core::RunOutput| out.summary.downloads.completed_downloads as u64 * 10_000_000;
    let resume = common::scenario(&paused_downloads(
        "restart_share = 1\nrestart_after = \"exp(10min)\"\nrestart_resumes = true",
    ));
    let out = sim_core::run(&resume);
    common::assert_conservation(&resume, &out);
    let sum = &out.summary;
    assert_eq!(
        sum.downloads.completed_downloads, sum.downloads.peers,
        "everyone comes back until done"
    );
    assert_eq!(sum.downloads.abandoned_downloads, 0);
    assert!(
        sum.downloads.restarts > 100,
        "{} restarts",
        sum.downloads.restarts
    );
    assert_eq!(sum.downloads.abandoned_bytes, 0);
    assert_eq!(
        sum.downloads.bytes_delivered,
        copies(&out) + sum.conservation.wasted_bytes,
        "resuming serves each completed piece once"
    );
    let restarted = out.peers.iter().filter(|p| p.restarts > 0).count();
    assert!(restarted > 0);
    println!(
        "resume: {restarted} of {} downloads restarted ({} restarts), bytes served {:.3} x copies",
        sum.downloads.peers,
        sum.downloads.restarts,
        sum.downloads.bytes_delivered as f64 / copies(&out) as f64
    );

    let over = common::scenario(&paused_downloads(
        "restart_share = 1\nrestart_after = \"exp(10min)\"",
    ));
    let out2 = sim_core::run(&over);
    common::assert_conservation(&over, &out2);
    let sum2 = &out2.summary;
    assert_eq!(sum2.downloads.completed_downloads, sum2.downloads.peers);
    // Starting over with exponential patience is the classic restart model: a job of
    // length T (20 s of transfer) costs (e^(θT) − 1)/θ of work on average, so the bytes
    // served per copy are (e^(θT) − 1)/(θT) = e − 1 = 1.718 for θT = 1. 400 users; the
    // per-user cost has a standard deviation of about 1.1 copies, so the mean's is 0.055:
    // tolerance 0.2 (3.6σ).
    let ratio = sum2.downloads.bytes_delivered as f64 / copies(&out2) as f64;
    let want = std::f64::consts::E - 1.0;
    println!(
        "start over: {} restarts, bytes served {ratio:.3} x copies, closed form {want:.3}",
        sum2.downloads.restarts
    );
    assert!(
        (ratio - want).abs() < 0.2,
        "starting over: {ratio:.3} bytes per copy, the restart model says {want:.3}"
    );
    // A download that completed after restarts is timed from its last start; starting
    // over, that attempt moved the whole file (20 s of transfer at least).
    for p in out2.peers.iter().filter(|p| p.restarts > 0) {
        let t = p.download_time_s().unwrap();
        assert!(t >= 20.0 - 1e-3 && p.attempt_start > p.arrival, "{t}");
    }
    // Resuming, the last attempt may be shorter than the whole transfer.
    assert!(out
        .peers
        .iter()
        .filter(|p| p.restarts > 0)
        .any(|p| p.download_time_s().unwrap() < 20.0 - 1e-3));
}
