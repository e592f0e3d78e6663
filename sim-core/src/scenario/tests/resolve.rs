//! Resolve: defaults, required keys, cross-field rules and arrival processes.

use super::*;

#[test]
fn minimal_file_resolves_with_every_default() {
    let s = load(MINIMAL).unwrap();
    assert_eq!(s.name, "x");
    assert_eq!(s.seed, 1);
    assert_eq!(s.max_time, SimDuration::from_secs(30 * 86_400));
    assert_eq!(s.sample_interval, SimDuration::from_secs(60));
    assert!(!s.check_invariants);
    assert_eq!(
        s.contents,
        vec![ContentSpec {
            name: "x".into(),
            size_bytes: 100_000_000,
            piece_size_bytes: 262_144,
            release: SimTime::ZERO,
            policy: PolicySpec::plain(Policy::WebSeed),
            arrivals: Arrivals::FlashCrowd {
                peers: 10,
                at: SimTime::ZERO
            },
            demand_share: Some(1.0),
        }]
    );
    assert_eq!(s.network.latency, SimDuration::from_millis(25));
    assert_eq!(
        s.origin,
        OriginSpec {
            capacity_bps: 0,
            per_connection_bps: None,
            requests_per_client: 1,
            pricing: Pricing::default(),
        }
    );
    assert_eq!(
        s.tracker,
        TrackerSpec {
            numwant: 50,
            announce_interval: SimDuration::from_secs(1_800)
        }
    );
    assert_eq!(
        s.protocol,
        ProtocolSpec {
            upload_slots: 4,
            optimistic_slots: 1,
            rechoke_interval: SimDuration::from_secs(10),
            optimistic_interval: SimDuration::from_secs(30),
            max_connections: 80,
            min_peers: 20,
            random_first_pieces: 4,
            endgame: true,
            seed_choking: SeedChoking::Mainline,
        }
    );
    assert_eq!(
        s.client,
        ClientSpec {
            seed_time: SeedTime::Fixed(SimDuration::ZERO),
            seed_upload_bps: None,
            abort_rate_per_s: 0.0,
            peer_wait: None,
            restart_share: 0.0,
            restart_after: SeedTime::Exponential(SimDuration::from_secs(86_400)),
            restart_resumes: false,
        }
    );
    assert_eq!(
        s.seeds,
        vec![SeedGroup {
            name: "seed-0".into(),
            content: 0,
            count: 1,
            upload_bps: 10_000_000,
            super_seeding: false,
        }]
    );
    assert_eq!(
        s.classes,
        vec![PeerClass {
            name: "dsl".into(),
            share: 1.0,
            upload_bps: 1_000_000,
            download_bps: 8_000_000,
            cap_sigma: 0.0,
            cap_clip: 4.0,
            always_on: false,
        }]
    );
}

#[test]
fn origin_table_defaults() {
    let text = format!("{MINIMAL}\n[origin]\ncapacity = \"100Mbps\"\n");
    let s = load(&text).unwrap();
    assert_eq!(s.origin.capacity_bps, 100_000_000);
    assert_eq!(s.origin.per_connection_bps, None);
    assert_eq!(s.origin.requests_per_client, 1);
    let text = text + "per_connection = \"unlimited\"\nrequests_per_client = 3\n";
    let s = load(&text).unwrap();
    assert_eq!(s.origin.per_connection_bps, None);
    assert_eq!(s.origin.requests_per_client, 3);
}

#[test]
fn shipped_scenarios_load() {
    let quickstart = include_str!("../../../../scenarios/quickstart.toml");
    let s = load_str(quickstart, "quickstart.toml", "ignored", &[]).unwrap();
    assert_eq!(s.name, "quickstart");
    assert_eq!(s.contents[0].size_bytes, 50_000_000);
    assert_eq!(s.contents[0].piece_size_bytes, 256 * 1024);
    assert_eq!(s.origin.capacity_bps, 100_000_000);
    assert_eq!(s.origin.per_connection_bps, Some(10_000_000));
    assert_eq!(s.seeds[0].upload_bps, 20_000_000);
    assert_eq!(s.classes.len(), 3);
    assert_eq!(
        s.client.seed_time,
        SeedTime::Fixed(SimDuration::from_secs(120))
    );
    assert_eq!(
        s.contents[0].arrivals,
        Arrivals::FlashCrowd {
            peers: 300,
            at: SimTime::ZERO
        }
    );

    let flash = include_str!("../../../../scenarios/flash-crowd.toml");
    let s = load_str(flash, "flash-crowd.toml", "ignored", &[]).unwrap();
    assert_eq!(s.contents[0].size_bytes, 300_000_000);
    assert_eq!(s.contents[0].piece_size_bytes, 1 << 20);
    assert_eq!(s.origin.capacity_bps, 200_000_000);
    assert_eq!(s.origin.per_connection_bps, Some(20_000_000));
    assert_eq!(s.seeds[0].upload_bps, 100_000_000);
    assert_eq!(
        s.client.seed_time,
        SeedTime::Exponential(SimDuration::from_secs(300))
    );
    assert!(matches!(
        s.contents[0].arrivals,
        Arrivals::FlashCrowd { peers: 1000, .. }
    ));

    let poisson = include_str!("../../../../scenarios/poisson-steady.toml");
    let s = load_str(poisson, "poisson-steady.toml", "ignored", &[]).unwrap();
    assert_eq!(s.contents[0].piece_size_bytes, 512 * 1024);
    assert_eq!(s.origin.capacity_bps, 50_000_000);
    let Arrivals::Poisson {
        rate_per_s,
        start,
        until,
    } = s.contents[0].arrivals
    else {
        panic!(
            "expected Poisson arrivals, got {:?}",
            s.contents[0].arrivals
        );
    };
    assert!((rate_per_s - 2.0 / 60.0).abs() < 1e-12);
    assert_eq!(start, SimTime::ZERO);
    assert_eq!(until, SimTime(6 * 3_600 * 1_000_000));

    let bench = include_str!("../../../../scenarios/bench/simgrid-w.toml");
    let s = load_str(bench, "simgrid-w.toml", "ignored", &[]).unwrap();
    assert_eq!(s.contents[0].piece_count(), 16);
    assert_eq!(s.origin.capacity_bps, 0);
    assert_eq!(s.seeds[0].upload_bps, 80_000_000);
    assert_eq!(s.classes[0].upload_bps, 8_000_000);
    assert_eq!(s.classes[0].download_bps, 40_000_000);
    assert_eq!(s.network.latency, SimDuration::from_millis(5));
    assert_eq!(s.client.seed_time, SeedTime::Forever);
    assert!(matches!(
        s.contents[0].arrivals,
        Arrivals::FlashCrowd { peers: 1000, .. }
    ));
}

#[test]
fn missing_keys_name_their_path_and_the_enclosing_line() {
    let e = err(&MINIMAL.replace("size = \"100MB\"", "piece_size = \"1MiB\""));
    assert_eq!(
            e,
            "x.toml:2: content.size: missing; expected a size with a unit, e.g. \"414MB\" or \"256KiB\""
        );
    let e = err(&MINIMAL.replace("[content]\nsize = \"100MB\"", ""));
    assert!(
        e.starts_with("x.toml: content: missing table; expected [content]"),
        "{e}"
    );
    let e = err(&MINIMAL.replace("download = \"8Mbps\"", ""));
    assert!(
        e.starts_with("x.toml:8: classes[0].download: missing; expected a rate"),
        "{e}"
    );
    let e = err(&MINIMAL.replace("process = \"flash-crowd\"\n", ""));
    assert!(
        e.starts_with("x.toml:14: arrivals.process: missing; expected \"flash-crowd\""),
        "{e}"
    );
    let e = err(&MINIMAL.replace("peers = 10", ""));
    assert!(e.contains("arrivals.peers: missing"), "{e}");
    let e = err(&format!(
        "{MINIMAL}\n[origin]\nper_connection = \"1Mbps\"\n"
    ));
    assert!(
        e.contains("origin.capacity: missing; expected a rate"),
        "{e}"
    );
    assert!(e.contains("\"0\" means no origin"), "{e}");
    let head = MINIMAL.split("[[classes]]").next().unwrap();
    let e = err(&format!(
        "{head}[arrivals]\nprocess = \"flash-crowd\"\npeers = 1\n"
    ));
    assert!(
        e.starts_with("x.toml: classes: expected at least one [[classes]]"),
        "{e}"
    );
    let e = err(MINIMAL.split("[arrivals]").next().unwrap());
    assert!(e.starts_with("x.toml: arrivals: missing table"), "{e}");
}

#[test]
fn shares_must_sum_to_one() {
    let text = two_classes().replace(
        "share = 0.5\nupload = \"30Mbps\"",
        "share = 0.4\nupload = \"30Mbps\"",
    );
    let line = text.lines().position(|l| l == "[[classes]]").unwrap() + 1;
    assert_eq!(
        err(&text),
        format!("x.toml:{line}: classes: shares must sum to 1, got 0.9 (dsl 0.5 + ftth 0.4)")
    );
    // Within 1e-6 is fine: 0.37 + 0.49 + 0.14 is not exactly 1 in binary.
    assert!(load(&two_classes().replace("0.5", "0.5000001")).is_ok());
    for bad in ["0", "-0.5", "1.5", "nan"] {
        let e = err(&MINIMAL.replace("share = 1", &format!("share = {bad}")));
        assert!(e.contains("classes[0].share: expected "), "{bad}: {e}");
    }
}

#[test]
fn cross_field_rules() {
    let cases = [
        (
            "[protocol]\nupload_slots = 0",
            "protocol.upload_slots: expected at least 1, got 0",
        ),
        (
            "[protocol]\nmax_connections = 0",
            "protocol.max_connections: expected at least 1",
        ),
        (
            "[protocol]\nmax_connections = 10",
            "protocol.min_peers: expected at most max_connections (10), got 20",
        ),
        (
            "[protocol]\nrechoke_interval = \"0s\"",
            "protocol.rechoke_interval: expected a duration above zero",
        ),
        (
            "[tracker]\nnumwant = 0",
            "tracker.numwant: expected at least 1",
        ),
        (
            "[simulation]\nsample_interval = \"0s\"",
            "simulation.sample_interval: expected a duration above zero",
        ),
        (
            "[simulation]\nmax_time = \"0ms\"",
            "simulation.max_time: expected a duration above zero",
        ),
        (
            "[client]\npolicy = \"http-only\"",
            "client.policy: policy \"http-only\" fetches from the origin only",
        ),
        (
            "[origin]\ncapacity = \"10Mbps\"\nrequests_per_client = 0",
            "origin.requests_per_client: expected at least 1",
        ),
    ];
    for (extra, expected) in cases {
        let e = err(&format!("{MINIMAL}\n{extra}\n"));
        assert!(e.contains(expected), "{extra}: {e}");
        assert!(e.starts_with("x.toml:"), "{e}");
        // The line is the offending key's (or, for defaults, its table's).
        let line: usize = e["x.toml:".len()..]
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(line > MINIMAL.lines().count(), "{extra}: {e}");
    }
    let e = err(&MINIMAL.replace("\"100MB\"", "\"0MB\""));
    assert_eq!(
        e,
        "x.toml:3: content.size: expected a size above zero, e.g. \"100MB\""
    );
    let e = err(&MINIMAL.replace("\"100MB\"", "\"100MB\"\npiece_size = \"0B\""));
    assert!(
        e.contains("content.piece_size: expected a size above zero"),
        "{e}"
    );
    let e = err(&MINIMAL.replace("\"100MB\"", "\"1TiB\"\npiece_size = \"16KiB\""));
    assert!(
        e.contains("content.piece_size: 1 TiB in pieces of 16 KiB is 67108864 pieces"),
        "{e}"
    );
    assert!(e.contains("expected pieces of at least 1 MiB"), "{e}");
    let e = err(&MINIMAL.replace("\"100MB\"", "\"10TB\"\npiece_size = \"1B\""));
    assert!(
        e.contains("content.size: expected at most 1 TiB") && e.contains("got 10 TB"),
        "{e}"
    );
    let e = err(&MINIMAL.replace("\"100MB\"", "\"1GB\"\npiece_size = \"1KiB\""));
    assert!(
        e.contains("content.piece_size: expected at least 16 KiB") && e.contains("got 1 KiB"),
        "{e}"
    );
    let e = err(&MINIMAL.replace("download = \"8Mbps\"", "download = \"0\""));
    assert!(
        e.contains("classes[0].download: expected a rate above zero"),
        "{e}"
    );
    let e = err(&MINIMAL.replace("upload = \"10Mbps\"", "upload = \"10Mbps\"\ncount = 0"));
    assert!(
        e.contains("seeds[0].count: expected at least 1, got 0"),
        "{e}"
    );
    let e = err(&format!(
        "{MINIMAL}[[seeds]]\nname = \"seed-0\"\nupload = \"1Mbps\"\n"
    ));
    assert!(
        e.contains("seeds[1].name: duplicate seed group name \"seed-0\""),
        "{e}"
    );
    let e = err(&two_classes().replace("\"ftth\"", "\"dsl\""));
    assert!(
        e.contains("classes[1].name: duplicate class name \"dsl\" (also classes[0])"),
        "{e}"
    );
    // A seed that uploads nothing, or an origin of capacity 0, holds nothing for others.
    let e = err(&MINIMAL.replace("upload = \"10Mbps\"", "upload = \"0\""));
    assert_eq!(
        e,
        "x.toml:5: seeds: nobody holds the content: add [[seeds]] or an [origin]"
    );
    let no_seeds = MINIMAL.replace("[[seeds]]\nupload = \"10Mbps\"\n", "");
    let e = err(&no_seeds);
    assert_eq!(
        e,
        "x.toml: seeds: nobody holds the content: add [[seeds]] or an [origin]"
    );
    let with_origin = format!("{no_seeds}\n[origin]\ncapacity = \"0\"\n");
    let line = with_origin
        .lines()
        .position(|l| l == "capacity = \"0\"")
        .unwrap()
        + 1;
    assert_eq!(
        err(&with_origin),
        format!("x.toml:{line}: seeds: nobody holds the content: add [[seeds]] or an [origin]")
    );
    assert!(load(&format!("{no_seeds}\n[origin]\ncapacity = \"1Gbps\"\n")).is_ok());
    let e = err(&format!(
        "{no_seeds}\n[origin]\ncapacity = \"1Gbps\"\nper_connection = \"0\"\n"
    ));
    assert!(
        e.contains("origin.per_connection: expected a rate above zero or \"unlimited\""),
        "{e}"
    );
}

const POISSON: &str = "[arrivals]\nprocess = \"poisson\"\n";

fn with_arrivals(arrivals: &str) -> String {
    let head = MINIMAL.split("[arrivals]").next().unwrap();
    format!("{head}{arrivals}")
}

#[test]
fn poisson_arrivals() {
    let s = load(&with_arrivals(&format!(
        "{POISSON}rate = \"2/min\"\nuntil = \"2h\"\n"
    )))
    .unwrap();
    assert_eq!(
        s.contents[0].arrivals,
        Arrivals::Poisson {
            rate_per_s: 2.0 / 60.0,
            start: SimTime::ZERO,
            until: SimTime(7_200_000_000)
        }
    );
    // count is the expected total in the window: 168 over 1 h.
    let text = format!("{POISSON}count = 168\nstart = \"1h\"\nuntil = \"2h\"\n");
    let s = load(&with_arrivals(&text)).unwrap();
    let Arrivals::Poisson {
        rate_per_s, start, ..
    } = s.contents[0].arrivals
    else {
        panic!("{:?}", s.contents[0].arrivals)
    };
    assert!((rate_per_s - 168.0 / 3_600.0).abs() < 1e-12);
    assert_eq!(start, SimTime(3_600_000_000));

    let cases = [
            ("rate = \"2/min\"", "arrivals.until: missing; expected the end of the arrival window"),
            ("until = \"2h\"", "arrivals.rate: missing; expected an arrival rate"),
            (
                "rate = \"2/min\"\ncount = 5\nuntil = \"2h\"",
                "arrivals.count: give either rate or count, not both",
            ),
            ("rate = \"0/s\"\nuntil = \"2h\"", "arrivals.rate: expected a rate above zero"),
            ("count = 0\nuntil = \"2h\"", "arrivals.count: expected a count above zero, got 0"),
            (
                "rate = \"1/s\"\nstart = \"2h\"\nuntil = \"1h\"",
                "arrivals.until: expected a time after start (2h), got 1h",
            ),
            (
                "rate = \"1/s\"\nuntil = \"0s\"",
                "arrivals.until: expected a time after start (0s), got 0s",
            ),
            (
                "rate = \"1/s\"\nuntil = \"1h\"\npeers = 3",
                "arrivals.peers: not a key of process \"poisson\"; its keys are process, rate or count, start, until",
            ),
            (
                "rate = \"2\"\nuntil = \"1h\"",
                "arrivals.rate: expected an arrival rate per time unit, e.g. \"2/min\" or \"0.5/s\", got \"2\"",
            ),
        ];
    for (keys, expected) in cases {
        let e = err(&with_arrivals(&format!("{POISSON}{keys}\n")));
        assert!(e.contains(expected), "{keys}: {e}");
        assert!(e.starts_with("x.toml:1"), "{keys}: {e}");
    }
    let e = err(&MINIMAL.replace("peers = 10", "peers = 10\nuntil = \"1h\""));
    let expected =
        "arrivals.until: not a key of process \"flash-crowd\"; its keys are process, peers, at";
    assert!(e.contains(expected), "{e}");
    let s = load(&MINIMAL.replace("peers = 10", "peers = 10\nat = \"5min\"")).unwrap();
    assert_eq!(
        s.contents[0].arrivals,
        Arrivals::FlashCrowd {
            peers: 10,
            at: SimTime(300_000_000)
        }
    );
}
