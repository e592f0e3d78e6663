//! Runs that do not finish report what they know and nothing impossible (issue 7.3): a
//! statistic with no sample is `null` / "–", a run cut by `max_time` says so with its
//! unfinished and abandoned downloads and their bytes, and no bound comparison is made.

mod common;

/// Quickstart cut at 30 s: before the fix it printed "makespan 30.0 s = 0.60 × the
/// Kumar–Ross bound" (below a lower bound) and "p50 0.0 s" for classes with no completion.
#[test]
fn a_run_cut_by_max_time_says_so_and_compares_nothing() {
    let s = common::shipped("quickstart.toml", &["simulation.max_time=30s"]);
    let out = sim_core::run(&s);
    common::assert_conservation(&s, &out);
    let sum = &out.summary;
    assert_eq!(sum.stopped, Some(sim_core::StopReason::MaxTime));
    assert!(sum.downloads.completed_downloads < sum.downloads.peers);
    assert_eq!(
        sum.downloads.completed_downloads
            + sum.downloads.abandoned_downloads
            + sum.downloads.unfinished_downloads,
        sum.downloads.peers
    );
    assert!(sum.downloads.unfinished_downloads > 0);
    // The bytes in flight at the cut count: the unfinished downloads hold them.
    let held: u64 = out
        .peers
        .iter()
        .filter(|p| p.download_time_s().is_none() && !p.aborted)
        .map(|p| p.down_origin_bytes + p.down_peer_bytes)
        .sum();
    assert_eq!(sum.downloads.unfinished_bytes, held);
    assert!(sum.downloads.unfinished_bytes > 0);
    assert_eq!(
        sum.makespan_s, None,
        "no makespan for a crowd that did not finish"
    );
    assert!(sum.kumar_ross_bound_s.is_some());
    let human = out.human_summary();
    assert!(human.contains("STOPPED"), "{human}");
    assert!(!human.contains("x the Kumar-Ross bound"), "{human}");
    for class in &sum.classes {
        let t = &class.downloads.download_time_s;
        assert_eq!(t.count, class.downloads.completed_downloads);
        if t.count == 0 {
            assert_eq!((t.mean, t.p50, t.max), (None, None, None), "{}", class.name);
        }
    }
}

/// Zero completions: every download-time statistic is null in JSON and "–" for people.
#[test]
fn no_completion_means_no_download_time() {
    let s = common::shipped("quickstart.toml", &["simulation.max_time=2s"]);
    let out = sim_core::run(&s);
    common::assert_conservation(&s, &out);
    let sum = &out.summary;
    assert_eq!(sum.downloads.completed_downloads, 0);
    let json: serde_json::Value = serde_json::from_str(&out.summary_json()).unwrap();
    for key in ["mean", "p50", "p90", "p99", "max"] {
        assert!(json["download_time_s"][key].is_null(), "{key}: {json:#}");
    }
    let human = out.human_summary();
    assert!(human.contains("p50 –"), "{human}");
    assert!(!human.contains("0.0 s,"), "{human}");
}

/// A flash crowd placed at or after max_time cannot happen: refused when loading.
#[test]
fn arrivals_after_max_time_are_refused() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/quickstart.toml");
    let overrides = [
        sim_core::scenario::Override::parse("arrivals.at=2h").unwrap(),
        sim_core::scenario::Override::parse("simulation.max_time=1h").unwrap(),
    ];
    let err = sim_core::scenario::load_file(&path, &overrides)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("arrivals") && err.contains("max_time"),
        "{err}"
    );
}

/// Abandoned downloads are reported with their bytes, for people too.
#[test]
fn abandoned_downloads_are_reported() {
    let s = common::shipped("quickstart.toml", &["client.abort_rate=1/min"]);
    let out = sim_core::run(&s);
    common::assert_conservation(&s, &out);
    let sum = &out.summary;
    assert!(sum.downloads.abandoned_downloads > 0);
    let got: u64 = out
        .peers
        .iter()
        .filter(|p| p.aborted)
        .map(|p| p.down_origin_bytes + p.down_peer_bytes)
        .sum();
    assert_eq!(sum.downloads.abandoned_bytes, got);
    assert!(
        out.human_summary().contains("abandoned"),
        "{}",
        out.human_summary()
    );
}
