//! The invariants checked during a run (`sim-core/src/sim/invariants.rs`) fire: each test
//! injects one fault through the hidden `Simulation::inject_fault` hook and expects the run
//! to stop at once with that check's violation, naming the time, the event, the peers and
//! the seed. A clean run of the same scenario reports none, so the checks are not vacuous
//! in the other direction either.

mod common;

use sim_core::sim::Fault;
use sim_core::{RunOutput, Scenario, Simulation};

/// A small swarm with origin and peer traffic, Poisson arrivals and departures, so every
/// kind of event occurs within the first few hundred.
fn swarm(seed: u64) -> Scenario {
    let mut s = common::scenario(
        r#"
[simulation]
sample_interval = "1s"
[content]
size = "4MiB"
piece_size = "256KiB"
[network]
latency = "10ms"
[origin]
capacity = "20Mbps"
per_connection = "5Mbps"
[protocol]
max_connections = 20
min_peers = 1
[client]
policy = "web-seed"
seed_time = "5s"
[[seeds]]
upload = "5Mbps"
[[classes]]
name = "c"
share = 1
upload = "2Mbps"
download = "10Mbps"
[arrivals]
process = "poisson"
count = 30
until = "20s"
"#,
    );
    s.seed = seed;
    s
}

fn run_with(fault: Option<(Fault, u64)>, seed: u64) -> (Scenario, RunOutput) {
    let s = swarm(seed);
    let mut sim = Simulation::new(s.clone());
    if let Some((f, after)) = fault {
        sim.inject_fault(f, after);
    }
    let out = sim.run(&mut |_| std::ops::ControlFlow::Continue(()));
    (s, out)
}

/// Inject `fault` after 200 events; the run must stop with a `check` violation that names
/// the seed and the time, after far fewer events than the clean run.
fn assert_fires(fault: Fault, check: &str) {
    let seed = 7;
    let (s, clean) = run_with(None, seed);
    common::assert_conservation(&s, &clean);
    let (_, out) = run_with(Some((fault, 200)), seed);
    assert_eq!(
        out.invariant_violations.len(),
        1,
        "{fault:?}: expected one violation, got {:?}",
        out.invariant_violations
    );
    let v = &out.invariant_violations[0];
    assert!(
        v.starts_with(&format!("invariant `{check}` violated at t = ")),
        "{v}"
    );
    assert!(v.contains(&format!("seed {seed}, event ")), "{v}");
    assert!(v.contains(" us), "), "the time in microseconds: {v}");
    // Stopped at once: a handful of events after the fault, not the rest of the run.
    assert!(
        out.summary.events <= 202 && out.summary.events < clean.summary.events,
        "{fault:?}: {} events after the fault at 200 (clean run: {})",
        out.summary.events,
        clean.summary.events
    );
}

#[test]
fn a_clean_run_reports_no_violation() {
    for seed in 1..=3 {
        let (s, out) = run_with(None, seed);
        assert!(out.invariant_violations.is_empty());
        common::assert_conservation(&s, &out);
    }
}

#[test]
fn slot_count_check_fires_on_a_miscounted_unchoke() {
    assert_fires(Fault::SlotCount, "slot-count");
}

#[test]
fn accounting_check_fires_on_a_phantom_byte() {
    assert_fires(Fault::PhantomByte, "accounting");
}

#[test]
fn event_in_past_check_fires_on_a_queued_event() {
    assert_fires(Fault::PastEvent, "event-in-past");
}

#[test]
fn event_in_past_check_fires_on_a_flow_deadline() {
    assert_fires(Fault::PastDeadline, "event-in-past");
}

#[test]
fn event_in_past_check_holds_with_checks_off() {
    // An event in the past would hang the loop: it stops the run even with checks off.
    let mut s = swarm(3);
    s.check_invariants = false;
    let mut sim = Simulation::new(s);
    sim.inject_fault(Fault::PastEvent, 200);
    let out = sim.run(&mut |_| std::ops::ControlFlow::Continue(()));
    assert_eq!(out.invariant_violations.len(), 1);
    assert!(out.invariant_violations[0].contains("`event-in-past`"));
}

#[test]
fn piece_count_check_fires_on_a_miscounted_peer() {
    assert_fires(Fault::PieceCount, "piece-count");
}

#[test]
fn stalled_flow_check_fires_on_a_zero_rate() {
    assert_fires(Fault::StalledFlow, "stalled-flow");
}

#[test]
fn link_cap_check_fires_on_an_overloaded_link() {
    assert_fires(Fault::LinkCap, "link-cap");
}

#[test]
fn a_violation_names_the_flow_event_and_its_peers() {
    let (_, out) = run_with(Some((Fault::PieceCount, 200)), 11);
    let v = &out.invariant_violations[0];
    // The miscounted peer is the receiver of a flow event or the peer of a peer event; the
    // text names it in the peers list.
    assert!(v.contains("peers ["), "{v}");
    assert!(!v.contains("peers []"), "{v}");
    assert!(v.contains("counts"), "what failed: {v}");
}

#[test]
fn reproduce_line_names_file_and_seed() {
    let v = sim_core::sim::Violation {
        check: "accounting",
        time: sim_core::time::SimTime(1_500_000),
        event: "Rechoke(3)".into(),
        peers: vec![3],
        seed: 42,
        detail: "x".into(),
    };
    assert_eq!(
        v.reproduce("scenarios/quickstart.toml"),
        "swarmsim run scenarios/quickstart.toml --seed 42"
    );
    assert_eq!(
        v.to_string(),
        "invariant `accounting` violated at t = 1.500000 s (1500000 us), seed 42, \
         event Rechoke(3), peers [3]: x"
    );
}
