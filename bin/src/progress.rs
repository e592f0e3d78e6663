//! What a running `swarmsim run` shows: a progress bar on a terminal, heartbeat lines when
//! stderr is piped (CI, Slurm, nohup), nothing with `--quiet`.
//!
//! Progress is measured by [`Progress::fraction`]: the larger of simulated time over
//! `max_time` and bytes delivered over the expected total (arrivals × content size), and
//! the display says which. The bar ticks steadily (every 100 ms, with its own thread) so
//! elapsed time and the spinner move even while the engine is between reports; the
//! engine reports every ~1,000 events.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sim_core::units::fmt_bytes;
use sim_core::{Progress, ProgressMeasure};

/// Positions of the bar: the fraction done in ten-thousandths.
const BAR_LEN: u64 = 10_000;

/// For the tests only: with `SWARMSIM_HEARTBEAT_EVENTS=N`, heartbeat lines come every N
/// dispatched events instead of every `--heartbeat` seconds (a trigger that does not
/// depend on the machine's speed).
pub const HEARTBEAT_EVENTS_ENV: &str = "SWARMSIM_HEARTBEAT_EVENTS";

/// When heartbeat lines are written.
enum Beat {
    /// Every so much wall time.
    Wall { every: Duration, next: Instant },
    /// Every so many events (tests).
    Events { every: u64, next: u64 },
}

/// The progress display of one run.
pub struct Reporter {
    bar: Option<ProgressBar>,
    beat: Option<Beat>,
    started: Instant,
}

impl Reporter {
    /// A bar on stderr if it is a terminal; else heartbeat lines every `heartbeat_s`
    /// seconds (0 = none); nothing at all if `quiet`.
    pub fn new(quiet: bool, heartbeat_s: f64) -> Reporter {
        let started = Instant::now();
        let mut r = Reporter {
            bar: None,
            beat: None,
            started,
        };
        if quiet {
            return r;
        }
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(
                Some(BAR_LEN),
                ProgressDrawTarget::stderr_with_hz(10),
            );
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:20} {percent:>3}% {msg} | ETA {eta}",
                )
                .expect("template"),
            );
            bar.enable_steady_tick(Duration::from_millis(100));
            r.bar = Some(bar);
            return r;
        }
        let by_events = std::env::var(HEARTBEAT_EVENTS_ENV)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|&n| n > 0);
        r.beat = match by_events {
            Some(every) => Some(Beat::Events { every, next: every }),
            None if heartbeat_s > 0.0 => {
                let every = Duration::from_secs_f64(heartbeat_s);
                Some(Beat::Wall {
                    every,
                    next: started + every,
                })
            }
            None => None,
        };
        r
    }

    /// Show `p`.
    pub fn update(&mut self, p: &Progress) {
        if let Some(b) = &self.bar {
            let (done, _) = p.fraction();
            b.set_position((done * BAR_LEN as f64) as u64);
            b.set_message(self.status(p));
        }
        let due = match &mut self.beat {
            None => false,
            Some(Beat::Wall { every, next }) => {
                let now = Instant::now();
                let due = now >= *next;
                if due {
                    while *next <= now {
                        *next += *every;
                    }
                }
                due
            }
            Some(Beat::Events { every, next }) => {
                // Fixed marks (every, 2 every, ...): the lines a run prints depend on its
                // event count alone.
                let due = p.events >= *next;
                while *next <= p.events {
                    *next += *every;
                }
                due
            }
        };
        if due {
            eprintln!("{}", self.heartbeat(p));
        }
    }

    /// The bar's message: what the fraction is measured by, downloads, simulated time,
    /// event rate.
    fn status(&self, p: &Progress) -> String {
        let (_, by) = p.fraction();
        format!(
            "by {} | {}/{} done | sim {} | {:.0} ev/s",
            measure_text(p, by),
            p.completed,
            p.expected,
            sim_text(p.now.as_secs_f64()),
            self.events_per_s(p)
        )
    }

    /// One heartbeat line.
    fn heartbeat(&self, p: &Progress) -> String {
        let (done, by) = p.fraction();
        let wall = self.started.elapsed().as_secs_f64();
        let eta = if done > 0.0 && done < 1.0 {
            format!(", ETA {}", eta_text(wall * (1.0 - done) / done))
        } else {
            String::new()
        };
        format!(
            "swarmsim: {:.1} s wall, simulated {} of max_time {}, {}/{} downloads done, \
             {:.1}% of bytes ({} of {}), {:.0} events/s; {:.1}% done by {}{eta}",
            wall,
            sim_text(p.now.as_secs_f64()),
            p.max_time,
            p.completed,
            p.expected,
            100.0 * p.delivered_bytes as f64 / p.expected_bytes.max(1) as f64,
            fmt_bytes(p.delivered_bytes),
            fmt_bytes(p.expected_bytes),
            self.events_per_s(p),
            100.0 * done,
            if by == ProgressMeasure::Bytes {
                "bytes delivered"
            } else {
                "simulated time"
            },
        )
    }

    fn events_per_s(&self, p: &Progress) -> f64 {
        p.events as f64 / self.started.elapsed().as_secs_f64().max(1e-9)
    }

    /// Remove the bar.
    pub fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

/// Remaining wall time for people: "0.6 s", "42 s", "12 min", "3.5 h".
fn eta_text(secs: f64) -> String {
    if secs < 10.0 {
        format!("{secs:.1} s")
    } else if secs < 600.0 {
        format!("{secs:.0} s")
    } else if secs < 36_000.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        format!("{:.1} h", secs / 3600.0)
    }
}

/// "bytes 1.2 GB/15 GB" or "sim time/max_time 6h" (the bar's own figure).
fn measure_text(p: &Progress, by: ProgressMeasure) -> String {
    match by {
        ProgressMeasure::Bytes => format!(
            "bytes {}/{}",
            fmt_bytes(p.delivered_bytes),
            fmt_bytes(p.expected_bytes)
        ),
        ProgressMeasure::SimulatedTime => format!("sim time/max_time {}", p.max_time),
    }
}

/// Simulated time for people: "12.3 s", or "1h 2min 3s" from an hour on.
pub fn sim_text(secs: f64) -> String {
    if secs < 3600.0 {
        format!("{secs:.1} s")
    } else {
        sim_core::time::SimDuration::from_secs(secs as u64).to_string()
    }
}
