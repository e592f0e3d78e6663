//! Origin cost (issue 3): tiered volume pricing and 95th-percentile billing on 5-minute
//! samples, checked on a server-only run whose origin traffic is known exactly, and the
//! price list's validation.

mod common;

fn server_only(pricing: &str, n: u32) -> String {
    format!(
        r#"
[content]
size = "10MB"
piece_size = "1MB"
[network]
latency = "0s"
time_quantum = "1us"
[origin]
capacity = "80Mbps"
{pricing}
[client]
policy = "http-only"
[[classes]]
name = "c"
share = 1
upload = "0"
download = "100Mbps"
[arrivals]
process = "flash-crowd"
peers = {n}
"#
    )
}

/// 600 clients × 10 MB = 6 GB through an 80 Mbps origin: 600 s of a constant 80 Mbps,
/// i.e. two full 5-minute samples at 80 Mbps. Volume: 1 GB at 0.10 + 5 GB at 0.05 = 0.35;
/// 95th percentile: 80 Mbps × 4 per Mbps-month × 600 s / 30 days.
#[test]
fn tiered_volume_and_p95_billing() {
    let s = common::scenario(&server_only(
        "price_per_mbps_month = 4\n[[origin.price_tiers]]\nup_to = \"1GB\"\nprice_per_gb = 0.10\n\
         [[origin.price_tiers]]\nprice_per_gb = 0.05",
        600,
    ));
    let out = sim_core::run(&s);
    common::assert_conservation(&s, &out);
    let c = &out.summary.origin_cost;
    assert_eq!(out.summary.downloads.bytes_from_origin, 6_000_000_000);
    assert_eq!(c.bytes, 6_000_000_000);
    assert!((c.volume_cost - 0.35).abs() < 1e-9, "{c:?}");
    // The two samples each hold 80 Mbps × 300 s to within the round trips of the last
    // pieces (integer accounting: never above the link).
    assert!(
        c.p95_5min_bps <= 80e6 && c.p95_5min_bps > 80e6 * 0.999,
        "{c:?}"
    );
    let want = 80.0 * 4.0 * 600.0 / (30.0 * 86_400.0);
    assert!((c.p95_cost - want).abs() < 1e-6 * want, "{c:?}");
    assert_eq!(c.per_day.len(), 1);
    assert!(c.per_day[0].peak_5min_bps <= 80e6 && c.per_day[0].peak_5min_bps > 79.9e6);
    assert_eq!(c.per_day[0].bytes, 6_000_000_000);
    assert!((c.total_cost - c.volume_cost - c.p95_cost).abs() < 1e-9);
}

#[test]
fn price_lists_are_validated() {
    let cases = [
        (
            "price_per_gb = 0.1\n[[origin.price_tiers]]\nprice_per_gb = 0.05",
            "not both",
        ),
        (
            "[[origin.price_tiers]]\nprice_per_gb = 0.1\n[[origin.price_tiers]]\nprice_per_gb = 0.05",
            "origin.price_tiers[0].up_to",
        ),
        (
            "[[origin.price_tiers]]\nup_to = \"2TB\"\nprice_per_gb = 0.1\n[[origin.price_tiers]]\nup_to = \"1TB\"\nprice_per_gb = 0.05",
            "ascending",
        ),
        ("price_per_gb = -1", "origin.price_per_gb: expected a price of 0 or more"),
        ("price_per_byte = 1", "unknown key"),
    ];
    for (lines, want) in cases {
        let err = sim_core::scenario::load_str(&server_only(lines, 2), "c.toml", "c", &[])
            .expect_err(lines)
            .to_string();
        assert!(err.contains(want), "{lines}: {err}");
    }
}
