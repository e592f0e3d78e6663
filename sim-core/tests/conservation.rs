//! Conservation invariants on random small swarms (proptest): every byte uploaded is
//! downloaded once, origin + peer bytes = delivered, nothing is lost or double-counted, and
//! no link ever carries more than its cap (checked after every re-share), with every seed
//! choker and with super-seeding.

mod common;

use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Case {
    peers: u32,
    pieces: u32,
    piece_kib: u32,
    origin_mbps: u32,
    per_conn_mbps: u32,
    seeds: u32,
    seed_up_mbps: u32,
    up: [u32; 2],
    down: [u32; 2],
    share0: f64,
    seed_time: &'static str,
    latency_ms: u32,
    poisson: bool,
    policy: u8,
    slots: u32,
    endgame: bool,
    quantum: &'static str,
    nat_share: f64,
    p2p_share: f64,
    cap_sigma: f64,
    sessions: bool,
    abort: bool,
    /// 1 = a `[content]`; 2 or 3 = a catalog of `[[contents]]` sharing the arrivals by
    /// Zipf rank, each with its own policy and seeds.
    contents: u32,
    /// `client.peer_wait = "5s"` (peers-first spills onto the origin); given only when a
    /// content uses `peers-first`, the one policy that reads it.
    peer_wait: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (
            1u32..40,
            1u32..24,
            prop_oneof![Just(16u32), Just(64), Just(256)],
        ),
        (
            prop_oneof![Just(0u32), Just(5), Just(50)],
            prop_oneof![Just(0u32), Just(2), Just(20)],
        ),
        (0u32..3, prop_oneof![Just(0u32), Just(4), Just(40)]),
        ([0u32..20, 0u32..20], [1u32..40, 1u32..40], 0.1f64..0.9),
        (
            prop_oneof![Just("0s"), Just("10s"), Just("exp(20s)"), Just("forever")],
            prop_oneof![Just(0u32), Just(5), Just(40)],
        ),
        (
            any::<bool>(),
            prop_oneof![4 => Just(0u8), 1 => Just(1), 1 => Just(2), 1 => Just(3), 1 => Just(4), 1 => Just(5), 2 => Just(6)],
        ),
        (
            1u32..5,
            any::<bool>(),
            prop_oneof![Just("1us"), Just("5us"), Just("20us")],
        ),
        (
            prop_oneof![Just(0.0), Just(0.5)],
            prop_oneof![3 => Just(1.0), 1 => Just(0.5)],
            prop_oneof![Just(0.0), Just(0.6)],
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        prop_oneof![3 => Just(1u32), 1 => Just(2), 1 => Just(3)],
    )
        .prop_filter("someone must hold the content", |c| {
            let origin = c.1 .0 > 0;
            let seeds = c.2 .0 > 0 && c.2 .1 > 0;
            let needs_origin = (2..=5).contains(&c.5 .1);
            // Somebody holds the content, and origin-based policies have an origin.
            let partial_adoption = c.7 .1 < 1.0;
            origin || (seeds && !needs_origin && !partial_adoption)
        })
        .prop_map(|(a, o, sd, caps, st, pol, proto, aud, contents)| Case {
            peers: a.0,
            pieces: a.1,
            piece_kib: a.2,
            origin_mbps: o.0,
            per_conn_mbps: o.1,
            seeds: sd.0,
            seed_up_mbps: sd.1,
            up: caps.0,
            down: caps.1,
            share0: (caps.2 * 100.0).round() / 100.0,
            seed_time: st.0,
            latency_ms: st.1,
            poisson: pol.0,
            policy: pol.1,
            slots: proto.0,
            endgame: proto.1,
            quantum: proto.2,
            nat_share: aud.0,
            p2p_share: aud.1,
            cap_sigma: aud.2,
            sessions: aud.3,
            abort: aud.4,
            peer_wait: aud.5,
            contents,
        })
}

/// The policy keys of policy number `policy` for a content of `pieces` pieces.
fn policy_keys(policy: u8, pieces: u32) -> &'static str {
    match policy {
        0 => "policy = \"web-seed\"",
        1 => "policy = \"fallback\"",
        2 => "policy = \"http-only\"",
        3 => "policy = \"rate-target\"\nrate_target = \"3Mbps\"",
        // http-first by pieces must leave the content some pieces for P2P.
        4 if pieces > 2 => "policy = \"http-first\"\nhttp_first_pieces = 2",
        4 if pieces == 2 => "policy = \"http-first\"\nhttp_first_pieces = 1",
        4 => "policy = \"http-first\"\nhttp_first_time = \"3s\"",
        5 => "policy = \"http-first\"\nhttp_first_time = \"3s\"",
        _ => "policy = \"peers-first\"",
    }
}

/// The policy number of content `k` of case `c`: content 0 has the case's; the others
/// cycle through the policies, those without the origin when there is none.
fn policy_of(c: &Case, k: u32) -> u8 {
    match (k, c.origin_mbps) {
        (0, _) => c.policy,
        (_, 0) => [0, 1, 6][(c.policy as usize + k as usize) % 3],
        _ => (c.policy + k as u8) % 7,
    }
}

fn toml(c: &Case) -> String {
    let peers_first = (0..c.contents).any(|k| policy_of(c, k) == 6);
    let mut t = format!(
        "[simulation]\ncheck_invariants = true\nmax_time = \"2d\"\n\
         [network]\nlatency = \"{}ms\"\ntime_quantum = \"{}\"\n\
         [protocol]\nupload_slots = {}\nendgame = {}\nseed_choking = \"{}\"\n\
         [client]\nseed_time = \"{}\"\n{}\n{}\n",
        c.latency_ms,
        c.quantum,
        c.slots,
        c.endgame,
        // Every seed choker, and super-seeding below, without another random draw.
        ["mainline", "round-robin", "fastest-upload"][(c.peers % 3) as usize],
        c.seed_time,
        if c.abort {
            "abort_rate = \"1/min\""
        } else {
            ""
        },
        if c.peer_wait && peers_first {
            "peer_wait = \"5s\""
        } else {
            ""
        },
    );
    for k in 0..c.contents {
        // Content k is a little larger than content k - 1, with the same piece size.
        let pieces = c.pieces + 3 * k;
        let policy = policy_of(c, k);
        t += &format!(
            "{}\nsize = \"{}KiB\"\npiece_size = \"{}KiB\"\n{}\n",
            if c.contents == 1 {
                "[content]".to_string()
            } else {
                format!("[[contents]]\nname = \"t{k}\"")
            },
            pieces * c.piece_kib - c.piece_kib / 2,
            c.piece_kib,
            policy_keys(policy, pieces),
        );
    }
    if c.origin_mbps > 0 {
        t += &format!("[origin]\ncapacity = \"{}Mbps\"\n", c.origin_mbps);
        if c.per_conn_mbps > 0 {
            t += &format!("per_connection = \"{}Mbps\"\n", c.per_conn_mbps);
        }
    }
    if c.seeds > 0 && c.seed_up_mbps > 0 {
        for k in 0..c.contents {
            t += &format!(
                "[[seeds]]\nname = \"s{k}\"\n{}count = {}\nupload = \"{}Mbps\"\n\
                 super_seeding = {}\n",
                if c.contents == 1 {
                    String::new()
                } else {
                    format!("content = \"t{k}\"\n")
                },
                c.seeds,
                c.seed_up_mbps,
                c.pieces.is_multiple_of(2),
            );
        }
    }
    for (i, share) in [c.share0, 1.0 - c.share0].iter().enumerate() {
        t += &format!(
            "[[classes]]\nname = \"c{i}\"\nshare = {share}\nupload = \"{}\"\ndownload = \"{}Mbps\"\ncap_sigma = {}\n",
            if c.up[i] == 0 { "0".to_string() } else { format!("{}Mbps", c.up[i]) },
            c.down[i],
            c.cap_sigma
        );
    }
    t += &format!(
        "[audience]\nnat_share = {}\np2p_share = {}\n",
        c.nat_share, c.p2p_share
    );
    if c.sessions {
        t += "[sessions]\nonline = \"exp(20s)\"\noffline = \"exp(30s)\"\n";
    }
    if c.poisson {
        t += &format!(
            "[arrivals]\nprocess = \"poisson\"\ncount = {}\nuntil = \"60s\"\n",
            c.peers
        );
    } else {
        t += &format!(
            "[arrivals]\nprocess = \"flash-crowd\"\npeers = {}\n",
            c.peers
        );
    }
    if c.contents > 1 {
        t += "zipf_exponent = 0.7\n";
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_swarms_conserve_bytes_and_respect_caps(c in case()) {
        let text = toml(&c);
        let s = common::scenario(&text);
        let out = sim_core::run(&s);
        common::assert_conservation(&s, &out);
        prop_assert!(out.summary.stopped.is_none(), "did not finish:\n{text}");
    }
}
