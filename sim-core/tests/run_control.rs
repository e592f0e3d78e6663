//! Run control (issue 9): the progress callback of `Simulation::run` is called on a steady
//! cadence, can stop the run, and a stopped run ends like a `max_time` cut (complete
//! figures for what was simulated, marked partial with the reason); a callback that lets
//! the run go changes nothing (same digest and figures as `sim_core::run`).

use std::ops::ControlFlow;

use sim_core::{Progress, ProgressMeasure, Simulation, StopReason};

mod common;

#[test]
fn a_callback_that_lets_the_run_go_changes_nothing() {
    let s = common::shipped("quickstart.toml", &[]);
    let plain = sim_core::run(&s);
    let mut calls: Vec<Progress> = Vec::new();
    let watched = Simulation::new(s.clone()).run(&mut |p| {
        calls.push(p);
        ControlFlow::Continue(())
    });
    assert_eq!(watched.summary, plain.summary);
    assert_eq!(watched.summary.stopped, None);
    // Steady cadence: at least one call per ~1,000 events (batches of simultaneous
    // events may carry a call a little past the mark), and once at the end.
    let events = plain.summary.events;
    assert!(
        calls.len() as u64 >= events / 1100,
        "{} calls for {events} events",
        calls.len()
    );
    for w in calls.windows(2) {
        assert!(w[1].events >= w[0].events && w[1].now >= w[0].now);
        assert!(w[1].events - w[0].events < 4096, "{:?} -> {:?}", w[0], w[1]);
    }
    let last = calls.last().expect("a final call");
    assert_eq!(last.events, events);
    assert_eq!(last.completed, last.expected);
    // Every download completed: delivered = expected bytes, and that is what the
    // progress fraction says at the end.
    assert_eq!(last.delivered_bytes, last.expected_bytes);
    assert_eq!(last.expected_bytes, 300 * s.contents[0].size_bytes);
    assert_eq!(last.fraction(), (1.0, ProgressMeasure::Bytes));
}

#[test]
fn a_callback_can_stop_the_run_and_the_summary_says_why() {
    let s = common::shipped("quickstart.toml", &[]);
    let full = sim_core::run(&s).summary;
    let limit_s = 10.0;
    let mut calls = 0;
    let out = Simulation::new(s.clone()).run(&mut |p| {
        calls += 1;
        if p.events >= full.events / 3 {
            ControlFlow::Break(StopReason::MaxWall { limit_s })
        } else {
            ControlFlow::Continue(())
        }
    });
    let sum = &out.summary;
    assert_eq!(sum.stopped, Some(StopReason::MaxWall { limit_s }));
    assert!(sum.events >= full.events / 3 && sum.events < full.events / 3 + 4096);
    assert!(sum.sim_duration_s < full.sim_duration_s);
    assert!(sum.downloads.unfinished_downloads > 0);
    // Complete figures for what was simulated: every byte accounted for.
    common::assert_conservation(&s, &out);
    let json = sim_core::export::json::summary_json(sum);
    assert!(json.contains("\"stopped\": \"max_wall\""), "{json}");
    let human = out.human_summary();
    assert!(
        human.contains("STOPPED     by --max-wall after 10 s of wall time at simulated time"),
        "{human}"
    );
    assert!(calls >= 2);
}

#[test]
fn summary_json_says_stopped_null_or_max_time() {
    let s = common::shipped("quickstart.toml", &[]);
    let done = sim_core::run(&s);
    let json = sim_core::export::json::summary_json(&done.summary);
    assert!(json.contains("\"stopped\": null"), "{json}");
    assert!(!json.contains("stopped_at_max_time"));
    let s = common::shipped("quickstart.toml", &["simulation.max_time=30s"]);
    let cut = sim_core::run(&s);
    let json = sim_core::export::json::summary_json(&cut.summary);
    assert!(json.contains("\"stopped\": \"max_time\""), "{json}");
    assert!(cut.human_summary().contains("STOPPED     at max_time"));
}
