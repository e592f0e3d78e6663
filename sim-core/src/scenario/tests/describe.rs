//! Describe: `validate`'s text.

use super::*;

#[test]
fn describe_shows_every_resolved_key_with_units() {
    let quickstart = include_str!("../../../../scenarios/quickstart.toml");
    let s = load_str(quickstart, "quickstart.toml", "q", &[]).unwrap();
    let text = describe(&s);
    for expected in [
            "name                   \"quickstart\"",
            "[content]",
            "  size                 50 MB (50000000 bytes)",
            "  piece_size           262.1 kB (262144 bytes) → 191 pieces, the last one 192.6 kB (192640 bytes)",
            "  capacity             100.0 Mbps (100000000 bit/s)",
            "  per_connection       10.0 Mbps (10000000 bit/s)",
            "  upload_slots         4",
            "  seed_time            2min after completion",
            "  share                0.37",
            "  process              flash-crowd",
            "  peers                300",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
    let poisson = include_str!("../../../../scenarios/poisson-steady.toml");
    let text = describe(&load_str(poisson, "p.toml", "p", &[]).unwrap());
    assert!(
        text.contains("  rate                 2/min (0.033333/s), about 720 arrivals expected"),
        "{text}"
    );
    assert!(text.contains("  until                6h"), "{text}");
    assert!(
        text.contains("  seed_time            exp(10min): exponential, mean 10min"),
        "{text}"
    );
    let bench = include_str!("../../../../scenarios/bench/simgrid-w.toml");
    let text = describe(&load_str(bench, "b.toml", "b", &[]).unwrap());
    assert!(
        text.contains("[origin]\n  capacity             0 (no origin)\n"),
        "{text}"
    );
    assert!(
        text.contains("  seed_time            forever (never leave)\n"),
        "{text}"
    );
    let no_seeds = MINIMAL.replace("[[seeds]]\nupload = \"10Mbps\"\n", "");
    let text = describe(&load(&format!("{no_seeds}\n[origin]\ncapacity = \"1Gbps\"")).unwrap());
    assert!(
        text.contains("  per_connection       unlimited\n"),
        "{text}"
    );
    assert!(
        text.contains("[[seeds]]\n  count                0 (no initial seed)\n"),
        "{text}"
    );
}
