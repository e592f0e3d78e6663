//! Criterion benchmarks: whole swarms, and one step of the max-min network solver.
//!
//! Run all of them (about a minute on a 2-core machine; a swarm whose single run takes
//! seconds still gets its 10 runs, so a slower engine makes the suite longer):
//!
//! ```text
//! cargo bench -p swarmsim-benches
//! cargo bench -p swarmsim-benches -- swarm/simgrid-w-200     # one benchmark (a filter)
//! cargo bench -p swarmsim-benches -- --save-baseline before   # then, after a change:
//! cargo bench -p swarmsim-benches -- --baseline before        # compare with it
//! ```
//!
//! How to read the figures:
//! - `swarm/*` time one whole run (`sim_core::run`: build the swarm, dispatch every event,
//!   build the summary). The throughput line is *dispatched events per second*
//!   (`Summary::events` / run time), the figure `perf.json` reports as `events_per_s`, so the
//!   two can be compared; the event count of each run is printed before its benchmark.
//!   Criterion prints `[low estimate  best estimate  high estimate]`; quote the middle one.
//! - `network/reshare-random` times one change of a busy network: remove a flow, add a flow,
//!   re-share (2,000 link resources, 5,000 flows). Its throughput is in re-shares per
//!   second (one element per iteration).
//! - Figures depend on the machine: note its CPU and core count next to any number you
//!   quote, and compare only runs on the same machine. Runs are single-threaded; on a 2-core
//!   machine keep other heavy jobs (another cargo build) off it while measuring.
//! - Sample sizes are small (10 samples, a few seconds each) to keep the whole suite short,
//!   so differences under about 5 % are noise; re-run a benchmark alone to confirm one.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use sim_core::network::Network;
use sim_core::scenario::Scenario;
use swarmsim_benches::{busy_network, random_pair, with_sets, FLOWS, HOSTS};

const SIMGRID_W: &str = include_str!("../scenarios/bench/simgrid-w.toml");
const QUICKSTART: &str = include_str!("../scenarios/quickstart.toml");
const CATALOG: &str = include_str!("../scenarios/catalog.toml");

/// A shipped scenario's text with `arrivals.peers` overridden.
fn scenario(text: &str, file: &str, name: &str, peers: u32) -> Scenario {
    with_sets(text, file, name, &[("arrivals.peers", &peers.to_string())])
}

/// Measurement time of one swarm benchmark, unless ten runs take longer.
const MEASUREMENT: Duration = Duration::from_secs(4);

/// Whole runs, measured in dispatched events per second.
fn swarms(c: &mut Criterion) {
    let mut group = c.benchmark_group("swarm");
    // One run takes from tens of milliseconds to seconds: flat sampling (the same iteration
    // count in every sample) keeps the total near 10 runs when they are long.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1));
    let cases = [
        (
            "simgrid-w-200",
            scenario(
                SIMGRID_W,
                "scenarios/bench/simgrid-w.toml",
                "simgrid-w",
                200,
            ),
        ),
        (
            "quickstart-small",
            scenario(QUICKSTART, "scenarios/quickstart.toml", "quickstart", 100),
        ),
        (
            // Four contents sharing one origin, 800 downloads over four days.
            "catalog-small",
            with_sets(
                CATALOG,
                "scenarios/catalog.toml",
                "catalog",
                &[("arrivals.count", "800")],
            ),
        ),
    ];
    for (id, s) in cases {
        let started = Instant::now();
        let first = sim_core::run(&s).summary;
        // Ten samples of at least one run each must fit in the measurement time.
        group.measurement_time(MEASUREMENT.max(started.elapsed() * 12));
        assert!(
            first.stopped.is_none() && first.downloads.completed_downloads == first.downloads.peers,
            "swarm/{id} does not complete: {first:?}"
        );
        let events = first.events;
        println!(
            "swarm/{id}: {} peers, {events} events, simulated {:.1} s, digest {}",
            first.downloads.peers, first.sim_duration_s, first.digest
        );
        group.throughput(Throughput::Elements(events));
        group.bench_function(id, |b| {
            b.iter(|| {
                let out = sim_core::run(black_box(&s));
                // Same scenario, same events: a cheap determinism guard.
                assert_eq!(
                    out.summary.events, events,
                    "swarm/{id} is not deterministic"
                );
                out
            })
        });
    }
    group.finish();
}

/// Precomputed random flow endpoints replayed by the benchmark loop.
const DRAWS: usize = 4_096;
/// Changes made before the benchmark to report how far one re-share spreads.
const PROBE: usize = 200;

/// One step of the incremental max-min solver under a steady load of random flows.
fn network(c: &mut Criterion) {
    let mut net = busy_network();
    let mut changed = Vec::new();
    let pairs: Vec<(u32, u32)> = (0..DRAWS as u64)
        .map(|i| random_pair(u64::from(FLOWS) + i))
        .collect();

    let mut step: usize = 0;
    let mut replace_one = |net: &mut Network, changed: &mut Vec<u32>| {
        // Replace the oldest flow by a new random one: the flow count stays at FLOWS.
        let id = (step % FLOWS as usize) as u32;
        let (src, dst) = pairs[step % DRAWS];
        step += 1;
        net.remove_flow(id);
        net.add_flow(id, src, dst, f64::INFINITY);
        changed.clear();
        net.reshare(changed);
        changed.len()
    };
    // How much one change costs depends on how far it spreads: print the mean number of
    // flows a re-share recomputes and the mean number whose rate changed.
    let (mut recomputed, mut moved) = (0, 0);
    for _ in 0..PROBE {
        moved += replace_one(&mut net, &mut changed);
        recomputed += net.last_component_flows;
    }
    println!(
        "network/reshare-random: {} resources, {FLOWS} flows; a change recomputes {} flows \
         and moves {} rates on average",
        2 * HOSTS,
        recomputed / PROBE,
        moved / PROBE
    );

    let mut group = c.benchmark_group("network");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    group.bench_function("reshare-random", |b| {
        b.iter(|| replace_one(&mut net, &mut changed))
    });
    group.finish();
}

criterion_group!(benches, swarms, network);
criterion_main!(benches);
