//! The one progress-bar factory: hidden when stderr is not a terminal or with `--quiet`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sim_core::Progress;

/// Progress of a run: completed downloads out of expected arrivals, with simulated time.
pub struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    /// A bar on stderr, or nothing if `quiet` or stderr is not a terminal.
    pub fn new(quiet: bool) -> Bar {
        if quiet || !std::io::stderr().is_terminal() {
            return Bar { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(5));
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} downloads done, {msg}",
            )
            .expect("template"),
        );
        Bar { bar: Some(bar) }
    }

    /// Show `p`.
    pub fn update(&mut self, p: Progress) {
        if let Some(b) = &self.bar {
            b.set_length(p.expected as u64);
            b.set_position(p.completed as u64);
            b.set_message(format!(
                "sim time {:.0} s, {} events",
                p.now.as_secs_f64(),
                p.events
            ));
        }
    }

    /// Remove the bar.
    pub fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}
