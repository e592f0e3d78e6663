//! The simulator against closed-form ground truth (docs/validation.md: server-only
//! delivery, the Kumar–Ross bound, Little's law, the equal-upload optimum).

mod common;

use sim_core::bounds::{equal_upload_optimum_s, kumar_ross_s, server_only_makespan_s};
use sim_core::run;

/// Server-only delivery (docs/validation.md#server-only-delivery): with no peer upload, N
/// clients fed by a server of upload u_s finish at max(N·F/u_s, F/d_min). Latency is 0 and the time quantum 1 µs so the only error is the
/// rounding of each piece's completion up to the next microsecond: at most one µs per piece
/// in sequence, plus floating-point noise; the tolerance is (pieces + 1) µs.
#[test]
fn server_only_delivery_matches_closed_form() {
    for (n, policy) in [
        (20, "web-seed"),
        (2, "web-seed"),
        (20, "http-only"),
        (7, "http-only"),
    ] {
        let text = format!(
            r#"
[simulation]
check_invariants = true
[content]
size = "10MB"
piece_size = "256KiB"
[network]
latency = "0s"
time_quantum = "1us"
[origin]
capacity = "80Mbps"
[client]
policy = "{policy}"
[[classes]]
name = "c"
share = 1
upload = "0"
download = "20Mbps"
[arrivals]
process = "flash-crowd"
peers = {n}
"#
        );
        let s = common::scenario(&text);
        let out = run(&s);
        common::assert_conservation(&s, &out);
        let want = server_only_makespan_s(n, 10e6 * 8.0, 80e6, 20e6);
        let got = out.summary.makespan_s.unwrap();
        let tol = (s.contents[0].piece_count() as f64 + 1.0) * 1e-6;
        assert!(
            (got - want).abs() <= tol,
            "N={n} {policy}: makespan {got} s, closed form {want} s"
        );
        assert_eq!(out.summary.downloads.offload_ratio, 0.0);
        // With fair sharing every client finishes together when u_s/N < d_min.
        if 80e6 / (n as f64) < 20e6 {
            assert!(out.summary.downloads.download_time_s.p50.unwrap() >= want - tol);
        }
    }
}

/// Kumar & Ross (IEEE HotWeb 2006; docs/validation.md#kumar-ross-minimum-distribution-time):
/// no flash crowd finishes below the Kumar–Ross minimum distribution time;
/// a piece-level swarm stays within a modest factor of it. The factor asserted (3×, plus
/// one rechoke interval) is a regression guard above the ratios measured (printed; see
/// README). The rechoke interval is there because a mainline seed unchokes no one before
/// its first rechoke, up to 10 s after the crowd arrives: the 8-piece case's bound is
/// 3.4 s.
#[test]
fn flash_crowds_respect_the_kumar_ross_bound() {
    for (n, pieces, origin) in [
        (10u32, 40u32, 0u32),
        (100, 40, 0),
        (300, 64, 20),
        (50, 8, 0),
    ] {
        let text = format!(
            r#"
[content]
size = "{size}KiB"
piece_size = "256KiB"
[network]
latency = "5ms"
[origin]
capacity = "{origin}"
[[seeds]]
upload = "20Mbps"
[[classes]]
name = "ftth"
share = 0.4
upload = "10Mbps"
download = "30Mbps"
[[classes]]
name = "adsl"
share = 0.6
upload = "1Mbps"
download = "12Mbps"
[client]
seed_time = "forever"
[arrivals]
process = "flash-crowd"
peers = {n}
"#,
            size = pieces * 256,
            origin = if origin == 0 {
                "0".to_string()
            } else {
                format!("{origin}Mbps")
            },
        );
        let s = common::scenario(&text);
        let out = run(&s);
        common::assert_conservation(&s, &out);
        let bound = out.summary.kumar_ross_bound_s.unwrap();
        let n_fast = (0.4 * n as f64).round();
        let sum_up = n_fast * 10e6 + (n as f64 - n_fast) * 1e6;
        let f = pieces as f64 * 256.0 * 1024.0 * 8.0;
        let independent = kumar_ross_s(n as u64, f, 20e6 + origin as f64 * 1e6, 12e6, sum_up);
        assert!(
            // summary.json gives seconds to the microsecond.
            (bound - independent).abs() <= 0.5e-6,
            "bound {bound} vs {independent}"
        );
        let makespan = out.summary.makespan_s.unwrap();
        println!(
            "N={n:4} pieces={pieces:3} origin={origin:2}Mbps: makespan {makespan:8.2} s, \
             bound {bound:8.2} s, ratio {:.2}",
            makespan / bound
        );
        assert!(
            makespan >= bound,
            "N={n}: makespan {makespan} below bound {bound}"
        );
        assert!(
            makespan <= 3.0 * bound + 10.0,
            "N={n}: makespan {makespan} > 3 x bound {bound} + 10 s"
        );
    }
}

/// Little's law L = λ·W (Little, Operations Research 1961; docs/validation.md#littles-law)
/// in steady state, on the shipped Poisson scenario. L is the time average of the leecher count sampled by the simulator's time series (an
/// independent code path from the per-peer records that give W); λ is the measured arrival
/// rate in the same window. The window skips the first 30 min (warm-up) and the last
/// 30 min (arrivals stop at 6 h). Expected error: ~330 one-minute samples of a count with
/// mean ≈ 2 and correlation time ≈ W ≈ 1 min give a relative standard error near 4%;
/// edge effects add < 1%. Tolerance 12% (about 3σ).
#[test]
fn littles_law_holds_on_the_poisson_scenario() {
    let s = common::shipped("poisson-steady.toml", &["simulation.sample_interval=60s"]);
    let out = run(&s);
    common::assert_conservation(&s, &out);
    let (t0, t1) = (1800.0, 6.0 * 3600.0 - 1800.0);
    let rows: Vec<_> = out
        .timeseries
        .iter()
        .filter(|r| r.time_s > t0 && r.time_s <= t1)
        .collect();
    let l = rows.iter().map(|r| r.active_leechers as f64).sum::<f64>() / rows.len() as f64;
    let in_window: Vec<f64> = out
        .peers
        .iter()
        .filter(|p| {
            let a = p.arrival.as_secs_f64();
            a >= t0 && a < t1
        })
        .map(|p| p.download_time_s().expect("completed"))
        .collect();
    let lambda = in_window.len() as f64 / (t1 - t0);
    let w = in_window.iter().sum::<f64>() / in_window.len() as f64;
    println!(
        "L = {l:.3}, lambda = {lambda:.5}/s, W = {w:.1} s, lambda*W = {:.3}",
        lambda * w
    );
    assert!(
        l > 0.5,
        "the scenario should keep a few leechers busy (L = {l})"
    );
    assert!(
        (l - lambda * w).abs() <= 0.12 * lambda * w,
        "Little's law: L = {l:.3} vs lambda*W = {:.3}",
        lambda * w
    );
}

/// A flash crowd of `n` leechers and one seed, every peer uploading 8 Mbps, downloads
/// unconstrained (10 Gbps), no origin, everyone staying until the end, `pieces` pieces of
/// 4 MiB: Mundinger, Weber and Weiss's setting. `seed_extra` goes into the `[[seeds]]`
/// table, `extra` at the end (e.g. a `[protocol]` table).
fn equal_upload_swarm(n: u32, pieces: u32, seed_extra: &str, extra: &str) -> String {
    format!(
        r#"
[content]
size = "{size}MiB"
piece_size = "4MiB"
[network]
latency = "5ms"
[client]
seed_time = "forever"
[[seeds]]
upload = "8Mbps"
{seed_extra}
[[classes]]
name = "peer"
share = 1
upload = "8Mbps"
download = "10Gbps"
[arrivals]
process = "flash-crowd"
peers = {n}
{extra}
"#,
        size = 4 * pieces,
    )
}

/// Few, large pieces against the equal-upload optimum of Mundinger, Weber and Weiss
/// (J. Scheduling 2008): T* = (1 + ⌊log₂ N⌋/M)·F/u for one seed and N leechers all
/// uploading u, M pieces, downloads unconstrained. It is a lower bound on any schedule, so
/// every run must take at least T* (ratio ≥ 1; latency only adds).
///
/// Upper tolerance, 3.0: T* has every upload go at full rate to one peer, so a piece
/// reaches a new peer every piece time F/(M·u) (4.2 s here) and its holders double. A
/// BitTorrent peer uploads to k = upload_slots + optimistic_slots = 5 peers at once at
/// u/k each: a hop takes k piece times while holders multiply by k + 1, which stretches
/// the ⌊log₂ N⌋ term by about k / log₂(k + 1) ≈ 1.9. A mainline seed also starts at its
/// first rechoke, up to 10 s (2.4 piece times) after t = 0, and leechers picking their
/// first pieces at random get some pieces from the seed twice. The piece time at u/k
/// (21 s) is well under the ~75 s a mainline seed keeps a peer unchoked, the regime its
/// seed choker was designed for (with 1 Mbps uploads, 168 s per piece at u/k, mainline
/// gives 4.5–6.4 and libtorrent's round-robin 2.8–3.6: see README). Measured here:
/// 1.2–2.7 for every seed choker and for BEP 16 super-seeding. The seed's previous
/// rotation (every slot to a new peer at each rechoke, so that few leechers finished a
/// piece) gave 1.7–2.1 at N = 10 and 3.6–5.3 at N ≥ 50; 3.0 catches that.
#[test]
fn few_large_pieces_respect_the_equal_upload_optimum() {
    let variants = [
        ("mainline", "", ""),
        (
            "round-robin",
            "",
            "[protocol]\nseed_choking = \"round-robin\"",
        ),
        (
            "fastest-upload",
            "",
            "[protocol]\nseed_choking = \"fastest-upload\"",
        ),
        ("super-seeding", "super_seeding = true", ""),
    ];
    for n in [10u32, 50, 100] {
        for m in [4u32, 8, 16] {
            let f = m as f64 * 4.0 * 1048576.0 * 8.0;
            let opt = equal_upload_optimum_s(n as u64, m as u64, f, 8e6);
            let mut line = format!("N={n:3} M={m:2}: T* {opt:6.1} s;");
            for (name, seed_extra, extra) in variants {
                let s = common::scenario(&equal_upload_swarm(n, m, seed_extra, extra));
                let out = run(&s);
                common::assert_conservation(&s, &out);
                let makespan = out.summary.makespan_s.expect("every leecher completes");
                let ratio = makespan / opt;
                line += &format!(" {name} {ratio:.2}");
                assert!(
                    ratio >= 1.0,
                    "N={n} M={m} {name}: makespan {makespan} s below the optimum {opt} s"
                );
                assert!(
                    ratio <= 3.0,
                    "N={n} M={m} {name}: makespan {makespan} s > 3 x the optimum {opt} s"
                );
            }
            println!("{line}");
        }
    }
}
