//! The hybrid client policies (issue 3): each does what its documentation says, checked
//! on scenarios where the answer is known in advance.

mod common;

use sim_core::run;

fn base(policy_lines: &str, class_up: &str, seeds: &str, n: u32) -> String {
    format!(
        r#"
[simulation]
check_invariants = true
[content]
size = "4MiB"
piece_size = "256KiB"
[network]
latency = "10ms"
[origin]
capacity = "1Gbps"
per_connection = "50Mbps"
[tracker]
numwant = 200
[protocol]
max_connections = 200
min_peers = 1
[client]
seed_time = "forever"
{policy_lines}
{seeds}
[[classes]]
name = "c"
share = 1
upload = "{class_up}"
download = "20Mbps"
[arrivals]
process = "poisson"
count = {n}
until = "60s"
"#
    )
}

/// `fallback` uses the origin only for pieces no neighbour holds: with a permanent seed
/// that every peer connects to (numwant and the connection limit exceed the swarm), every
/// piece is always held by a neighbour, so the origin serves nothing; `web-seed` and
/// `peers-first` on the same swarm do use it (peers choked by the seed fetch from the
/// origin). Whether a given run needs the origin depends on its draws (when peers arrive,
/// whom the seed unchokes), so it is checked over seeds 1–4 together; `fallback` must
/// leave the origin idle in every run.
#[test]
fn fallback_leaves_the_origin_idle_when_neighbours_hold_everything() {
    let seeds = "[[seeds]]\nupload = \"8Mbps\"";
    for seed in 1..=4 {
        let mut s = common::scenario(&base("policy = \"fallback\"", "2Mbps", seeds, 40));
        s.seed = seed;
        let out = run(&s);
        common::assert_conservation(&s, &out);
        assert_eq!(out.summary.downloads.bytes_from_origin, 0, "seed {seed}");
    }
    for policy in ["web-seed", "peers-first"] {
        let mut origin_bytes = 0;
        for seed in 1..=4 {
            let mut s =
                common::scenario(&base(&format!("policy = \"{policy}\""), "2Mbps", seeds, 40));
            s.seed = seed;
            let web = run(&s);
            common::assert_conservation(&s, &web);
            origin_bytes += web.summary.downloads.bytes_from_origin;
        }
        assert!(origin_bytes > 0, "{policy}");
    }
}

/// `rate-target`: with peers that cannot upload, the origin supplies exactly the target
/// rate T (the flow is capped at the shortfall), so each download takes F/T plus one round
/// trip per piece (16 × 20 ms) and the 1 ms completion grid; nothing comes faster.
#[test]
fn rate_target_tops_up_to_the_target() {
    let text = base(
        "policy = \"rate-target\"\nrate_target = \"8Mbps\"",
        "0",
        "",
        20,
    );
    let s = common::scenario(&text);
    let out = run(&s);
    common::assert_conservation(&s, &out);
    let f_bits = 4.0 * 1024.0 * 1024.0 * 8.0;
    let ideal = f_bits / 8e6;
    let slack = 16.0 * 0.020 + 16.0 * 0.001 + 1e-6;
    for p in &out.peers {
        let t = p.download_time_s().unwrap();
        assert!(
            t >= ideal && t <= ideal + slack,
            "download took {t} s, target gives {ideal} s (+ {slack} s of round trips)"
        );
    }
}

/// `http-first` by pieces: the first K pieces come from the origin, so every peer gets at
/// least K pieces' bytes from it even though peers could serve them.
#[test]
fn http_first_takes_the_first_pieces_from_the_origin() {
    let seeds = "[[seeds]]\nupload = \"8Mbps\"";
    let text = base(
        "policy = \"http-first\"\nhttp_first_pieces = 5",
        "4Mbps",
        seeds,
        30,
    );
    let s = common::scenario(&text);
    let out = run(&s);
    common::assert_conservation(&s, &out);
    for p in &out.peers {
        assert!(p.down_origin_bytes >= 5 * 256 * 1024, "{p:?}");
    }
    assert!(out.summary.downloads.bytes_from_peers > 0);
}

/// `http-first` by time: for the first T the peer takes nothing from peers; with a long T
/// and a fast origin the whole file comes from the origin.
#[test]
fn http_first_by_time_stays_on_the_origin_during_the_start() {
    let seeds = "[[seeds]]\nupload = \"8Mbps\"";
    let text = base(
        "policy = \"http-first\"\nhttp_first_time = \"1h\"",
        "4Mbps",
        seeds,
        10,
    );
    let s = common::scenario(&text);
    let out = run(&s);
    common::assert_conservation(&s, &out);
    assert_eq!(out.summary.downloads.bytes_from_peers, 0);
}

/// A policy's parameters are checked before anything runs.
#[test]
fn policy_parameters_are_validated() {
    let seeds = "[[seeds]]\nupload = \"8Mbps\"";
    let cases = [
        ("policy = \"rate-target\"", "client.rate_target"),
        (
            "policy = \"web-seed\"\nrate_target = \"1Mbps\"",
            "client.rate_target: only used by policy \"rate-target\"",
        ),
        ("policy = \"http-first\"", "client.http_first_pieces"),
        (
            "policy = \"http-first\"\nhttp_first_pieces = 2\nhttp_first_time = \"5s\"",
            "exactly one of",
        ),
        (
            "http_first_time = \"5s\"",
            "client.http_first_time: only used by policy \"http-first\"",
        ),
        (
            "policy = \"web-seed\"\npeer_wait = \"10s\"",
            "client.peer_wait: only used by policy \"peers-first\"",
        ),
    ];
    for (lines, want) in cases {
        let text = base(lines, "1Mbps", seeds, 5);
        let err = sim_core::scenario::load_str(&text, "p.toml", "p", &[])
            .expect_err(lines)
            .to_string();
        assert!(err.contains(want), "{lines}: {err}");
        assert!(err.starts_with("p.toml:"), "{err}");
    }
    let no_origin = base(
        "policy = \"rate-target\"\nrate_target = \"1Mbps\"",
        "1Mbps",
        seeds,
        5,
    )
    .replace("capacity = \"1Gbps\"", "capacity = \"0\"");
    let err = sim_core::scenario::load_str(&no_origin, "p.toml", "p", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("asks the origin for the shortfall"), "{err}");
}

/// `peers-first` with `client.peer_wait`: one leecher, one seed uploading 1 Mbps, an origin
/// connection of 10 Mbps. The seed holds every piece and unchokes the lone leecher as soon
/// as it is interested (libtorrent's seed choker; a mainline seed waits for its first
/// rechoke, up to 10 s, and the origin rightly serves the pieces meanwhile), so by
/// default ("forever") the origin serves only what it was asked before the connection was
/// up, and the 4 MiB download takes about 4 MiB / 1 Mbps = 33.6 s. With a 5 s wait the
/// seed can send about 5 s × 1 Mbps / 2 Mbit = 2.4 pieces "soon", far fewer than the 16
/// missing, so the client asks the origin in parallel until the pieces left are few
/// enough for the seed to send within the wait: the download takes about
/// 4 MiB / 11 Mbps = 3.1 s plus at most the wait and one piece at the seed's rate (the
/// last pieces come from the seed, which may be mid-piece) and round trips, and the origin
/// carries most of the bytes (12 of 16 pieces here; the seed sends 4 in 8.4 s).
#[test]
fn peers_first_uses_the_origin_alongside_peers_too_slow_to_wait_for() {
    let seeds = "[[seeds]]\nupload = \"1Mbps\"";
    let one = |wait: &str| {
        let text = base(&format!("policy = \"peers-first\"\n{wait}"), "0", seeds, 1)
            .replace("per_connection = \"50Mbps\"", "per_connection = \"10Mbps\"")
            .replace("count = 1\n", "count = 1.0\n")
            .replace(
                "[protocol]\n",
                "[protocol]\nseed_choking = \"round-robin\"\n",
            );
        let s = common::scenario(&text);
        // One arrival whatever the seed draws: a flash crowd of 1.
        let mut s = s;
        s.contents[0].arrivals = sim_core::scenario::Arrivals::FlashCrowd {
            peers: 1,
            at: sim_core::time::SimTime::ZERO,
        };
        let out = run(&s);
        common::assert_conservation(&s, &out);
        let p = &out.peers[0];
        let origin_share = p.down_origin_bytes as f64 / (4 * 1024 * 1024) as f64;
        (p.download_time_s().unwrap(), origin_share)
    };
    let (t_default, origin_default) = one("");
    let (t_wait, origin_wait) = one("peer_wait = \"5s\"");
    let f_bits = 4.0 * 1024.0 * 1024.0 * 8.0;
    // Default: at most the one piece requested before the seed connected.
    assert!(origin_default <= 1.0 / 16.0 + 1e-9, "{origin_default}");
    assert!(t_default > 0.9 * f_bits / 1e6, "{t_default}");
    // With a wait: both at once, the origin carrying most of the bytes.
    assert!(origin_wait > 0.6, "origin share {origin_wait}");
    let piece_at_seed_s = 256.0 * 1024.0 * 8.0 / 1e6;
    assert!(
        t_wait < f_bits / 11e6 + 5.0 + piece_at_seed_s + 16.0 * 0.02,
        "{t_wait} s"
    );
    assert!(t_wait < t_default / 3.0, "{t_wait} s vs {t_default} s");
    eprintln!(
        "peers-first, 1 Mbps seed, 10 Mbps origin connection: forever {t_default:.1} s \
         (origin {origin_default:.2}), peer_wait 5s {t_wait:.1} s (origin {origin_wait:.2})"
    );
}
