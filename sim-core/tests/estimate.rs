//! The resource estimate (`sim_core::estimate`): calibrated against measured runs, and
//! computed without allocating in proportion to the run, so that a scenario of 10⁹ peers
//! is refused at once rather than by an allocation failure.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

use sim_core::estimate::Estimate;
use sim_core::scenario::{load_file, load_str, Arrivals, Override, Scenario};
use sim_core::time::{SimDuration, SimTime};

/// The system allocator, counting the bytes each thread asks for (tests run in parallel
/// threads, so a test reads its own thread's count).
struct Counting;

thread_local! {
    static ALLOCATED: Cell<u64> = const { Cell::new(0) };
}

/// Bytes allocated by this thread so far.
fn allocated() -> u64 {
    ALLOCATED.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATED.try_with(|c| c.set(c.get() + layout.size() as u64));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn shipped(path: &str, sets: &[&str]) -> Scenario {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    load_file(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scenarios")
            .join(path),
        &overrides,
    )
    .unwrap()
}

/// Release runs of `swarmsim run` on this code (a 2-core VM): `events` of summary.json,
/// `peak_rss_bytes` of perf.json, and the bytes of the five files written. The table of
/// `scenarios/README.md#resource-estimate`.
const MEASURED: &[(&str, &[&str], f64, f64, f64)] = &[
    ("quickstart.toml", &[], 81_697.0, 7_942_144.0, 106_686.0),
    ("flash-crowd.toml", &[], 489_323.0, 13_713_408.0, 186_973.0),
    (
        "poisson-steady.toml",
        &[],
        254_444.0,
        6_467_584.0,
        195_931.0,
    ),
    ("catalog.toml", &[], 2_144_660.0, 10_670_080.0, 661_464.0),
    ("fluid-upload.toml", &[], 599_816.0, 10_735_616.0, 574_764.0),
    (
        "fluid-download.toml",
        &[],
        498_920.0,
        8_785_920.0,
        497_828.0,
    ),
    (
        "tokyo-2007/daichi-414mb.toml",
        &[],
        337_295.0,
        6_381_568.0,
        272_383.0,
    ),
    (
        "tokyo-2007/leave-on-completion.toml",
        &[],
        265_243.0,
        6_246_400.0,
        257_337.0,
    ),
    (
        "bench/simgrid-w.toml",
        &[],
        51_105.0,
        12_111_872.0,
        186_735.0,
    ),
    (
        "bench/flash-crowd-10k.toml",
        &[],
        2_165_774.0,
        78_581_760.0,
        1_274_495.0,
    ),
    (
        "quickstart.toml",
        &[
            "arrivals.peers=30000",
            "client.policy=http-only",
            "origin.capacity=100Gbps",
            "origin.per_connection=unlimited",
        ],
        11_490_000.0,
        59_486_208.0,
        3_171_693.0,
    ),
    (
        "quickstart.toml",
        &["arrivals.peers=1000", "content.piece_size=16KiB"],
        3_135_836.0,
        48_353_280.0,
        194_766.0,
    ),
    (
        "quickstart.toml",
        &["arrivals.peers=5000"],
        1_458_269.0,
        42_815_488.0,
        643_666.0,
    ),
];

/// The accuracy the estimate's documentation states, on every measured run: events
/// within 0.5–2×, memory within 0.6–1.3× (the four-title catalog is at 0.65: the formula
/// leaves per-content state out), results an upper bound (at most 12× over). The measured
/// figures were re-taken after issue 11's optimisations (release build, 2026-12-02).
#[test]
fn estimate_matches_measured_runs() {
    let mut report = Vec::new();
    let mut bad = false;
    for &(path, sets, events, rss, output) in MEASURED {
        let e = Estimate::of(&shipped(path, sets));
        let (re, rm, ro) = (
            e.events / events,
            e.memory_bytes / rss,
            e.output_bytes / output,
        );
        let ok =
            (0.5..=2.0).contains(&re) && (0.6..=1.3).contains(&rm) && (1.0..=12.0).contains(&ro);
        bad |= !ok;
        report.push(format!(
            "{}{path} {sets:?}: events {re:.2}x, memory {rm:.2}x, results {ro:.2}x",
            if ok { "" } else { "OUT OF RANGE " }
        ));
    }
    assert!(!bad, "{}", report.join("\n"));
}

/// A billion peers, and a Poisson rate of 10⁶/s over a day: refused by the loader's bound
/// on arrivals, from expected counts, before anything is drawn; and were such a scenario
/// built by hand, its estimate says terabytes, computed without allocating.
#[test]
fn impossible_scenarios_are_refused_without_allocating() {
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/quickstart.toml"),
    )
    .unwrap();
    let before = allocated();
    let e = load_str(
        &base,
        "q.toml",
        "q",
        &[Override::parse("arrivals.peers=1000000000").unwrap()],
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("about 1.000e9 arrivals expected"), "{e}");
    assert!(e.contains("more than the 10000000 one run may have"), "{e}");
    let poisson = base.replace(
        "process = \"flash-crowd\"       # everybody arrives at once: the worst case for the origin\npeers = 300\nat = \"0s\"",
        "process = \"poisson\"\nrate = \"1000000/s\"\nuntil = \"1d\"",
    );
    assert_ne!(poisson, base);
    let e = load_str(&poisson, "q.toml", "q", &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("about 8.640e10 arrivals expected"), "{e}");
    let used = allocated() - before;
    assert!(used < 64 << 20, "loading allocated {used} bytes");

    let mut s = shipped("quickstart.toml", &[]);
    for arrivals in [
        Arrivals::FlashCrowd {
            peers: 1_000_000_000,
            at: SimTime::ZERO,
        },
        Arrivals::Poisson {
            rate_per_s: 1e6,
            start: SimTime::ZERO,
            until: SimTime::ZERO.after(SimDuration::from_secs(86_400)),
        },
    ] {
        s.contents[0].arrivals = arrivals;
        let before = allocated();
        let e = Estimate::of(&s);
        let used = allocated() - before;
        assert_eq!(used, 0, "the estimate allocated {used} bytes");
        assert!(e.peers >= 1e9, "{e:?}");
        assert!(e.memory_bytes > 1e12, "{e:?}");
        assert!(e.events > 1e11, "{e:?}");
    }
}
