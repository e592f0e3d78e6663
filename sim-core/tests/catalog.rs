//! A catalog of contents: how the loader gives each content its policy and its share of the
//! demand, what it refuses, and what the simulator does with several swarms that share one
//! origin (closed-form server-only delivery, isolation of the swarms, per-content cost).

mod common;

use sim_core::scenario::{expected_count, load_str, zipf_shares, Arrivals, Policy};
use sim_core::time::SimTime;
use sim_core::workload::generate;
use sim_core::{run, Scenario};

/// The common part of the catalog scenarios below: one class, an origin, mainline protocol.
const BASE: &str = r#"
[simulation]
check_invariants = true
max_time = "2d"
[origin]
capacity = "100Mbps"
per_connection = "20Mbps"
price_per_gb = 0.05
price_per_mbps_month = 2.0
[client]
seed_time = "exp(10min)"
[[classes]]
name = "dsl"
share = 1
upload = "2Mbps"
download = "16Mbps"
"#;

fn catalog(rest: &str) -> Scenario {
    common::scenario(&format!("{BASE}{rest}"))
}

fn err(rest: &str) -> String {
    let text = format!("{BASE}{rest}");
    match load_str(&text, "cat.toml", "cat", &[]) {
        Ok(_) => panic!("expected an error for:\n{rest}"),
        Err(e) => e.to_string(),
    }
}

/// Three titles sharing a Poisson demand of 600 arrivals over a day by Zipf(0.8).
const THREE_TITLES: &str = r#"
[arrivals]
process = "poisson"
count = 600
until = "1d"
zipf_exponent = 0.8
[[contents]]
name = "a"
size = "20MB"
[[contents]]
name = "b"
size = "10MB"
release = "6h"
[[contents]]
name = "c"
size = "5MB"
policy = "http-only"
"#;

#[test]
fn zipf_splits_the_demand_by_rank_and_windows_start_at_release() {
    let s = catalog(THREE_TITLES);
    let want = zipf_shares(3, 0.8);
    // 1, 2^-0.8, 3^-0.8 normalised.
    let h = 1.0 + 2f64.powf(-0.8) + 3f64.powf(-0.8);
    assert!((want[0] - 1.0 / h).abs() < 1e-12);
    for (k, c) in s.contents.iter().enumerate() {
        assert!((c.demand_share.unwrap() - want[k]).abs() < 1e-12);
        assert!((expected_count(&c.arrivals) - 600.0 * want[k]).abs() < 1e-9);
    }
    // b's day of demand starts at its release, 6 h in.
    let Arrivals::Poisson { start, until, .. } = s.contents[1].arrivals else {
        panic!("{:?}", s.contents[1].arrivals)
    };
    assert_eq!(
        (start, until),
        (SimTime(6 * 3_600_000_000), SimTime(30 * 3_600_000_000))
    );
    assert_eq!(s.contents[2].policy.kind, Policy::HttpOnly);
    assert_eq!(s.contents[0].policy.kind, Policy::WebSeed);

    // Realised counts over 40 seeds: each within 4 standard deviations of its mean
    // (Poisson: sd = sqrt(mean)); and no arrival for b before its release.
    let mut counts = [0.0f64; 3];
    for seed in 1..=40 {
        let mut sc = s.clone();
        sc.seed = seed;
        for a in generate(&sc) {
            counts[a.content as usize] += 1.0;
            if a.content == 1 {
                assert!(a.at >= SimTime(6 * 3_600_000_000));
            }
        }
    }
    for k in 0..3 {
        let mean = 40.0 * 600.0 * want[k];
        assert!(
            (counts[k] - mean).abs() < 4.0 * mean.sqrt(),
            "content {k}: {} arrivals over 40 seeds, expected {mean:.0}",
            counts[k]
        );
    }
}

#[test]
fn stated_shares_and_flash_crowds_split_exactly() {
    let s = catalog(
        r#"
[arrivals]
process = "flash-crowd"
peers = 101
[[contents]]
name = "a"
size = "20MB"
share = 0.5
[[contents]]
name = "b"
size = "10MB"
share = 0.3
[[contents]]
name = "c"
size = "5MB"
share = 0.2
[[contents]]
name = "own"
size = "5MB"
[contents.arrivals]
process = "flash-crowd"
peers = 7
at = "1h"
"#,
    );
    let peers: Vec<u32> = s
        .contents
        .iter()
        .map(|c| match c.arrivals {
            Arrivals::FlashCrowd { peers, .. } => peers,
            _ => panic!(),
        })
        .collect();
    // 50.5, 30.3, 20.2: floors 50 + 30 + 20 = 100, the one left goes to the largest
    // remainder (0.5, content a).
    assert_eq!(peers, vec![51, 30, 20, 7]);
    assert_eq!(s.contents[3].demand_share, None);
    assert_eq!(
        s.contents[3].arrivals,
        Arrivals::FlashCrowd {
            peers: 7,
            at: SimTime(3_600_000_000)
        }
    );
}

#[test]
fn a_trace_can_name_the_content_of_each_arrival() {
    let dir = std::env::temp_dir().join(format!("swarmsim-catalog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let trace = dir.join("log.csv");
    std::fs::write(&trace, "time_s,content\n0.5,b\n1,a\n1,b\n7200,b\n").unwrap();
    let text = format!(
        "{BASE}
[arrivals]
process = \"trace\"
file = {:?}
[[contents]]
name = \"a\"
size = \"20MB\"
[[contents]]
name = \"b\"
size = \"10MB\"
",
        trace.display().to_string()
    );
    let s = common::scenario(&text);
    assert_eq!(
        s.contents[0].arrivals,
        Arrivals::Trace {
            times: vec![SimTime(1_000_000)]
        }
    );
    assert_eq!(
        s.contents[1].arrivals,
        Arrivals::Trace {
            times: vec![SimTime(500_000), SimTime(1_000_000), SimTime(7_200_000_000)]
        }
    );
    assert_eq!(s.contents[1].demand_share, Some(0.75));
    // A name that is not in the catalog, and a trace before a release.
    std::fs::write(&trace, "0.5,b\n1,z\n").unwrap();
    let e = load_str(&text, "cat.toml", "cat", &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(":2: no content named \"z\" shares [arrivals]; expected one of \"a\", \"b\""),
        "{e}"
    );
    std::fs::write(&trace, "0.5,b\n").unwrap();
    let late = text.replace("size = \"10MB\"", "size = \"10MB\"\nrelease = \"1s\"");
    let e = load_str(&late, "cat.toml", "cat", &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("contents[1].release: the trace has an arrival for \"b\" at 500ms"),
        "{e}"
    );
    // Without names, a trace cannot be split.
    std::fs::write(&trace, "0.5\n1\n").unwrap();
    let e = load_str(&text, "cat.toml", "cat", &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("arrivals.file: 2 contents share this trace"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_catalogs_are_refused_with_the_key() {
    let two = |extra_a: &str, extra_b: &str| {
        format!(
            "[arrivals]\nprocess = \"flash-crowd\"\npeers = 10\nzipf_exponent = 1\n\
             [[contents]]\nname = \"a\"\nsize = \"10MB\"\n{extra_a}\n\
             [[contents]]\nname = \"b\"\nsize = \"1MB\"\npiece_size = \"256KiB\"\n{extra_b}\n"
        )
    };
    let cases: Vec<(String, &str)> = vec![
        // A policy that a content cannot use: 8 pieces first of a 4-piece file.
        (
            two("", "policy = \"http-first\"\nhttp_first_pieces = 8"),
            "contents[1].policy: content \"b\" has 4 pieces: \"http-first\" with \
             http_first_pieces = 8 would fetch all of it from the origin",
        ),
        (
            two("policy = \"rate-target\"", ""),
            "contents[0].rate_target: policy \"rate-target\" needs the rate to sustain",
        ),
        (
            two("rate_target = \"4Mbps\"", ""),
            "contents[0].rate_target: only used by policy \"rate-target\"; remove it or set \
             client.policy = \"rate-target\"",
        ),
        (
            two("", "share = 0.5").replace("zipf_exponent = 1\n", ""),
            "contents[0].share: missing; expected a share of the catalog's demand",
        ),
        (
            two("share = 0.5", "share = 0.5"),
            "arrivals.zipf_exponent: the contents state their shares; give either \
             zipf_exponent or a share per content, not both",
        ),
        (
            two("share = 0.5", "share = 0.4").replace("zipf_exponent = 1\n", ""),
            "contents[0].share: the shares of the contents that share [arrivals] must sum to 1, \
             got 0.9 (0.5 + 0.4)",
        ),
        (
            two("", "").replace("zipf_exponent = 1\n", ""),
            "arrivals.zipf_exponent: missing; expected 2 contents share this demand",
        ),
        (
            two("", "").replace("zipf_exponent = 1", "zipf_exponent = -1"),
            "arrivals.zipf_exponent: expected an exponent in [0, 10]",
        ),
        (
            two("", "").replace("name = \"b\"", "name = \"a\""),
            "contents[1].name: duplicate content name \"a\" (also contents[0])",
        ),
        (
            two("", "").replace("name = \"b\"\n", ""),
            "contents[1].name: missing; expected a name",
        ),
        (
            format!("{}[content]\nsize = \"1MB\"\n", two("", "")),
            "contents: give either one [content] table or a catalog of [[contents]] tables",
        ),
        (
            format!("{}[[seeds]]\nupload = \"10Mbps\"\n", two("", "")),
            "seeds[0].content: missing; expected the name of the content these seeds hold, \
             one of \"a\", \"b\"",
        ),
        (
            format!(
                "{}[[seeds]]\ncontent = \"bb\"\nupload = \"10Mbps\"\n",
                two("", "")
            ),
            "seeds[0].content: no content named \"bb\" (did you mean \"b\"?)",
        ),
        (
            two(
                "[contents.arrivals]\nprocess = \"poisson\"\nrate = \"1/h\"\nuntil = \"1d\"",
                "[contents.arrivals]\nprocess = \"poisson\"\nrate = \"1/h\"\nuntil = \"1d\"",
            ),
            "arrivals: every content has arrivals of its own, so nothing uses this table",
        ),
        (
            two(
                "[contents.arrivals]\nprocess = \"poisson\"\nrate = \"-1/h\"\nuntil = \"1d\"",
                "",
            ),
            "contents[0].arrivals.rate: expected",
        ),
    ];
    for (rest, want) in cases {
        let e = err(&rest);
        assert!(e.contains(want), "got:\n{e}\nwant:\n{want}\nfor:\n{rest}");
    }
    // A content released after the end of the simulation.
    let late = two("", "release = \"3d\"");
    let e = err(&late);
    assert!(
        e.contains(
            "contents[1].release: \"b\" is released at 3d, not before simulation.max_time (2d)"
        ),
        "{e}"
    );
    // Without an origin, every content needs seeds of its own.
    let no_origin = format!(
        "{}[[seeds]]\ncontent = \"a\"\nupload = \"10Mbps\"\n",
        two("", "")
    );
    let text = format!("{BASE}{no_origin}").replace("capacity = \"100Mbps\"", "capacity = \"0\"");
    let e = load_str(&text, "cat.toml", "cat", &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("contents[1]: nobody holds \"b\": add [[seeds]] with content = \"b\""),
        "{e}"
    );
}

/// Server-only delivery (docs/validation.md#server-only-delivery) generalised to a catalog:
/// with no peer upload, an origin of capacity C shared max-min fairly serves N_a clients of
/// a file of F_a bits and N_b of F_b < F_a, all at t = 0, each client faster than its share.
/// While everyone downloads each gets C/N, so the small file's clients finish together at
/// (N_a + N_b)·F_b/C; the origin stays full until the end, at (N_a·F_a + N_b·F_b)/C.
/// Latency 0 and a 1 µs quantum: the tolerance is (pieces + 1) µs, as in the single-content
/// test.
#[test]
fn two_files_from_one_origin_match_processor_sharing() {
    let s = catalog(
        r#"
[network]
latency = "0s"
time_quantum = "1us"
[arrivals]
process = "flash-crowd"
peers = 20
zipf_exponent = 0
[[contents]]
name = "film"
size = "10MB"
policy = "http-only"
[[contents]]
name = "trailer"
size = "4MB"
policy = "http-only"
"#,
    )
    .clone();
    let mut s = s;
    s.origin.per_connection_bps = None;
    s.origin.capacity_bps = 80_000_000;
    let out = run(&s);
    common::assert_conservation(&s, &out);
    let c = &out.summary.contents;
    assert_eq!((c[0].downloads.peers, c[1].downloads.peers), (10, 10));
    let (fa, fb, cap) = (10e6 * 8.0, 4e6 * 8.0, 80e6);
    let want_b = 20.0 * fb / cap;
    let want_a = (10.0 * fa + 10.0 * fb) / cap;
    let tol = (s.contents[0].piece_count() as f64 + 1.0) * 1e-6;
    let got_b = c[1].makespan_s.unwrap();
    let got_a = c[0].makespan_s.unwrap();
    assert!(
        (got_b - want_b).abs() <= tol,
        "trailer {got_b} s vs {want_b} s"
    );
    assert!(
        (got_a - want_a).abs() <= tol,
        "film {got_a} s vs {want_a} s"
    );
    // A catalog has no single makespan; each content has its own.
    assert_eq!(out.summary.makespan_s, None);
    assert_eq!(c[0].downloads.bytes_from_origin, 10 * 10_000_000);
    assert_eq!(c[1].downloads.bytes_from_origin, 10 * 4_000_000);
    // The origin ran flat out at 80 Mbps: half each while both downloaded (ten clients at
    // 4 Mbps each), then all of it for the film.
    assert_eq!(out.summary.origin_peak_instant_bps, 80e6);
    assert_eq!(c[0].origin.peak_instant_bps, 80e6);
    assert_eq!(c[1].origin.peak_instant_bps, 40e6);
    // The bill is split by bytes: 100 MB and 40 MB of 140 MB.
    let total = out.summary.origin_cost.total_cost;
    assert!((c[0].origin.cost_share - total * 100.0 / 140.0).abs() < 1e-9);
}

/// A catalog of one `[[contents]]` is the same scenario as `[content]` with `[arrivals]`
/// and `[client] policy`: the run is byte-identical.
#[test]
fn a_catalog_of_one_is_the_single_content_form() {
    let with_policy = BASE.replace(
        "seed_time = \"exp(10min)\"",
        "seed_time = \"exp(10min)\"\npolicy = \"fallback\"",
    );
    let single = common::scenario(&format!(
        "{with_policy}
[content]
size = \"20MB\"
[[seeds]]
upload = \"10Mbps\"
[arrivals]
process = \"poisson\"
rate = \"1/min\"
until = \"2h\"
"
    ));
    let mut listed = catalog(
        r#"
[[contents]]
name = "test"
size = "20MB"
policy = "fallback"
[[seeds]]
upload = "10Mbps"
[contents.arrivals]
process = "poisson"
rate = "1/min"
until = "2h"
"#,
    );
    // The only difference: a content with arrivals of its own has no demand share.
    assert_eq!(listed.contents[0].demand_share, None);
    listed.contents[0].demand_share = Some(1.0);
    assert_eq!(single, listed);
    assert_eq!(single.contents[0].policy.kind, Policy::Fallback);
    let (a, b) = (run(&single), run(&listed));
    assert_eq!(a.summary_json(), b.summary_json());
}

/// Contents do not meet: with an origin that is never the bottleneck, a content's swarm
/// behaves the same alone and inside a catalog. Not byte-identical (flows share one id
/// space and ties between same-instant completions follow flow ids), so the comparison is
/// statistical: mean download time within 3% and offload within 0.02, per seed averages
/// over 4 seeds (the swarm's own seed-to-seed spread is larger than that).
#[test]
fn a_content_behaves_the_same_alone_and_in_a_catalog() {
    let both = catalog(
        r#"
[arrivals]
process = "poisson"
rate = "2/min"
until = "3h"
zipf_exponent = 0
[[contents]]
name = "a"
size = "30MB"
[[contents]]
name = "b"
size = "15MB"
[[seeds]]
content = "a"
upload = "5Mbps"
[[seeds]]
content = "b"
upload = "5Mbps"
"#,
    );
    let mut both = both;
    both.origin.capacity_bps = 100_000_000_000;
    both.check_invariants = false;
    let mut alone = both.clone();
    alone.contents.truncate(1);
    alone.seeds.truncate(1);
    let (mut t_both, mut t_alone, mut o_both, mut o_alone) = (0.0, 0.0, 0.0, 0.0);
    for seed in 1..=4 {
        both.seed = seed;
        alone.seed = seed;
        let (x, y) = (run(&both), run(&alone));
        common::assert_conservation(&both, &x);
        let (a, b) = (&x.summary.contents[0], &y.summary.contents[0]);
        // Same arrivals: content 0's draws do not depend on the rest of the catalog.
        assert_eq!(a.downloads.peers, b.downloads.peers);
        t_both += a.downloads.download_time_s.mean.unwrap() / 4.0;
        t_alone += b.downloads.download_time_s.mean.unwrap() / 4.0;
        o_both += a.downloads.offload_ratio / 4.0;
        o_alone += b.downloads.offload_ratio / 4.0;
        // b's peers never served a's: per-content up = down (checked by
        // assert_conservation) and b got bytes from its own peers.
        assert!(x.summary.contents[1].downloads.bytes_from_peers > 0);
    }
    eprintln!(
        "catalog isolation: mean download {t_both:.2} s in the catalog, {t_alone:.2} s alone; \
         offload {o_both:.4} vs {o_alone:.4}"
    );
    assert!(
        (t_both - t_alone).abs() <= 0.03 * t_alone,
        "mean download {t_both:.2} s in the catalog vs {t_alone:.2} s alone"
    );
    assert!(
        (o_both - o_alone).abs() <= 0.02,
        "offload {o_both:.3} in the catalog vs {o_alone:.3} alone"
    );
}

/// A planner's catalog end to end: Zipf demand, staggered releases, per-content policies,
/// all conservation invariants per content, and a summary that adds up.
#[test]
fn a_mixed_catalog_runs_and_adds_up() {
    let s = catalog(THREE_TITLES);
    let out = run(&s);
    common::assert_conservation(&s, &out);
    let c = &out.summary.contents;
    assert_eq!(c.len(), 3);
    assert_eq!(c[2].policy, Policy::HttpOnly);
    assert_eq!(c[2].downloads.offload_ratio, 0.0);
    // Peers carry a real share of the P2P title even though, under the BEP 19 web-seed
    // rule, the origin's 20 Mbps connection (ten seeds' worth) takes every piece the
    // 2 Mbps peers cannot deliver sooner (0.21 on seed 1; above 0.3 under peers-first).
    assert!(
        c[0].downloads.offload_ratio > 0.1,
        "{}",
        c[0].downloads.offload_ratio
    );
    assert!(
        c[0].downloads.peers > c[1].downloads.peers && c[1].downloads.peers > c[2].downloads.peers
    );
    // Billing alone costs at least the allocated share for a content that is most of the
    // traffic (its own 95th percentile is near the whole's), and every figure is finite.
    for k in c {
        assert!(k.origin.cost_alone.is_finite() && k.origin.cost_share.is_finite());
        assert!(k.origin.p95_5min_bps <= out.summary.origin_cost.p95_5min_bps);
    }
    let human = out.human_summary();
    assert!(human.contains("contents\n"), "{human}");
    assert!(human.contains("  a "), "{human}");
}
