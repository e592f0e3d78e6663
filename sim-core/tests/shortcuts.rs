//! Every shortcut of the engine (`sim::Shortcuts`) against the plain computation: a run
//! with the shortcut and one without it must give the same figures — the summary, the
//! time series and every peer's record, byte for byte once exported — and differ only in
//! the number of events dispatched and the digest (which hashes every event).
//!
//! Tolerance: none. A shortcut that changes a figure, even by a byte, fails here. (A
//! shortcut may reorder two events that fall on the very same microsecond — the scenarios
//! below were checked to have no such tie — so a failure after an unrelated change is a
//! reason to look, not necessarily a broken shortcut: say which in the commit.)

mod common;

use sim_core::export::csv::{peers_csv, timeseries_csv};
use sim_core::export::json::summary_json;
use sim_core::sim::Shortcuts;
use sim_core::{RunOutput, Scenario, Simulation};

fn run(s: &Scenario, shortcuts: Shortcuts) -> RunOutput {
    let mut sim = Simulation::new(s.clone());
    sim.set_shortcuts(shortcuts);
    sim.run(&mut |_| std::ops::ControlFlow::Continue(()))
}

/// The exported files of a run, with the digest and the event count blanked.
fn figures(out: &RunOutput) -> (String, String, String) {
    let mut summary = out.summary.clone();
    summary.digest = String::new();
    summary.events = 0;
    (
        summary_json(&summary),
        timeseries_csv(&out.timeseries),
        peers_csv(&summary, &out.peers),
    )
}

/// Run `s` with every shortcut and with all but the ones `off` turns off; the figures
/// must match and the shortcut must have saved events.
fn same_figures(name: &str, s: &Scenario, off: Shortcuts) {
    let fast = run(s, Shortcuts::default());
    let plain = run(s, off);
    assert_eq!(
        figures(&fast),
        figures(&plain),
        "{name}: a shortcut changed the figures"
    );
    assert!(
        fast.summary.events < plain.summary.events,
        "{name}: the shortcut saved no event ({} vs {})",
        fast.summary.events,
        plain.summary.events
    );
}

/// Sleeping rechokes: the Tokyo trial's scenario (78 days, seeds serving in the background
/// between rare downloads: 93% of its rechokes are idle) and the steady Poisson swarm.
#[test]
fn sleeping_rechokes_change_no_figure() {
    let off = Shortcuts {
        rechoke_sleep: false,
    };
    for rel in ["tokyo-2007/daichi-414mb.toml", "poisson-steady.toml"] {
        same_figures(rel, &common::shipped(rel, &[]), off);
    }
}
