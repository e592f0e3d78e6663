//! The audience model (issue 3): client adoption, uploading switched off, NAT, and the
//! lognormal spread of access caps.

mod common;

use sim_core::run;

fn scenario(audience: &str, class_extra: &str) -> String {
    format!(
        r#"
[simulation]
check_invariants = true
[content]
size = "4MiB"
piece_size = "256KiB"
[origin]
capacity = "200Mbps"
per_connection = "10Mbps"
[[seeds]]
upload = "10Mbps"
[[classes]]
name = "c"
share = 1
upload = "4Mbps"
download = "20Mbps"
{class_extra}
[client]
seed_time = "1min"
[audience]
{audience}
[arrivals]
process = "poisson"
count = 200
until = "5min"
"#
    )
}

/// Users without the P2P client take everything from the origin and upload nothing; users
/// who switched uploading off upload nothing; the shares are drawn per user.
#[test]
fn adoption_and_upload_off() {
    let s = common::scenario(&scenario("p2p_share = 0.6\nupload_off_share = 0.5", ""));
    let out = run(&s);
    common::assert_conservation(&s, &out);
    let http: Vec<_> = out.peers.iter().filter(|p| !p.p2p).collect();
    let n = out.peers.len() as f64;
    // Binomial(n, 0.4): 4 standard deviations.
    let sd = (n * 0.4 * 0.6).sqrt();
    assert!(
        (http.len() as f64 - 0.4 * n).abs() < 4.0 * sd,
        "{} of {n}",
        http.len()
    );
    assert_eq!(out.summary.downloads.http_only_peers as usize, http.len());
    for p in &http {
        assert_eq!(p.down_peer_bytes, 0);
        assert_eq!(p.up_bytes, 0);
    }
    let off: Vec<_> = out
        .peers
        .iter()
        .filter(|p| p.p2p && p.up_bps == 0.0)
        .collect();
    assert!(!off.is_empty());
    assert!(off.iter().all(|p| p.up_bytes == 0));
    assert!(out.summary.downloads.bytes_from_peers > 0);
}

/// Two peers behind NATs cannot connect: when every leecher is NATed, leechers never
/// exchange anything; the (public) seed and the origin serve everybody.
#[test]
fn nated_peers_do_not_connect_to_each_other() {
    let s = common::scenario(&scenario("nat_share = 1", ""));
    let out = run(&s);
    common::assert_conservation(&s, &out);
    assert!(out.peers.iter().all(|p| p.nat && p.up_bytes == 0));
    let s = common::scenario(&scenario("nat_share = 0", ""));
    let open = run(&s);
    assert!(open.peers.iter().any(|p| p.up_bytes > 0));
}

/// Caps spread lognormally around the class value (its median), one factor per peer for
/// both directions, clipped to [1/cap_clip, cap_clip]. 2,001 peers (HTTP-only, so the run
/// is instant): the sample median of Z has a standard deviation of 1.2533/√2001 ≈ 0.028;
/// the tolerance is 4 of them.
#[test]
fn caps_spread_lognormally_within_the_clip() {
    let s = common::scenario(
        "[content]\nsize = \"1MiB\"\n[origin]\ncapacity = \"1Gbps\"\n[client]\npolicy = \"http-only\"\n\
         [[classes]]\nname = \"c\"\nshare = 1\nupload = \"4Mbps\"\ndownload = \"20Mbps\"\n\
         cap_sigma = 0.5\ncap_clip = 3\n[arrivals]\nprocess = \"flash-crowd\"\npeers = 2001\n",
    );
    let out = run(&s);
    common::assert_conservation(&s, &out);
    let mut z: Vec<f64> = out
        .peers
        .iter()
        .map(|p| (p.down_bps / 20e6).ln() / 0.5)
        .collect();
    z.sort_by(f64::total_cmp);
    let lim = 3f64.ln() / 0.5;
    assert!(z[0] >= -lim - 1e-6 && z[z.len() - 1] <= lim + 1e-6, "clip");
    let median = z[z.len() / 2];
    assert!(
        median.abs() < 4.0 * 1.2533 / 2001f64.sqrt(),
        "median z {median}"
    );
    // About 2.8% of N(0,1) lies beyond ±2.197 (= ln 3 / 0.5): the clip must bite.
    let clipped = z.iter().filter(|&&x| x.abs() >= lim - 1e-6).count();
    assert!(clipped > 10 && clipped < 120, "{clipped} clipped");
}

/// Spread caps and the P2P client work together: one draw moves both directions.
#[test]
fn spread_applies_to_both_directions() {
    let s = common::scenario(&scenario("", "cap_sigma = 0.5\ncap_clip = 3"));
    let out = run(&s);
    common::assert_conservation(&s, &out);
    for p in &out.peers {
        assert!((p.up_bps / 4e6 - p.down_bps / 20e6).abs() < 1e-6, "{p:?}");
    }
}

#[test]
fn audience_shares_are_validated() {
    for (lines, want) in [
        (
            "p2p_share = 1.5",
            "audience.p2p_share: expected a share in [0, 1]",
        ),
        ("nat_share = -0.1", "audience.nat_share"),
        ("p2p_stare = 1", "unknown key"),
    ] {
        let err = sim_core::scenario::load_str(&scenario(lines, ""), "a.toml", "a", &[])
            .expect_err(lines)
            .to_string();
        assert!(err.contains(want), "{lines}: {err}");
    }
    let no_origin =
        scenario("p2p_share = 0.5", "").replace("capacity = \"200Mbps\"", "capacity = \"0\"");
    let err = sim_core::scenario::load_str(&no_origin, "a.toml", "a", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("audience.p2p_share"), "{err}");
}
