//! SIGINT / SIGTERM during `run`: the first one sets a flag the run loop polls (through the
//! progress callback, every ~1,000 events), so the run stops at the next poll, the staging
//! directory is removed and the previous result set stays as it was. A second one while
//! that is under way ends the process at once the default way (the next run into the same
//! `--out` sweeps what it left; see `resultset.rs`).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};

/// The number of the first termination signal received; 0 = none.
static RECEIVED: AtomicUsize = AtomicUsize::new(0);
/// Set by the first signal: a second one then takes the default action.
static ARMED: AtomicBool = AtomicBool::new(false);

/// Catch SIGINT and SIGTERM from now on (see the module doc).
pub fn install() -> std::io::Result<()> {
    for sig in [SIGINT, SIGTERM] {
        // Order matters: the default action is checked before this signal arms it.
        signal_hook::flag::register_conditional_default(sig, &ARMED)?;
        signal_hook::flag::register_usize(sig, &RECEIVED, sig as usize)?;
        signal_hook::flag::register(sig, &ARMED)?;
    }
    Ok(())
}

/// The termination signal received since [`install`], if any.
pub fn pending() -> Option<Signal> {
    match RECEIVED.load(Ordering::Relaxed) {
        0 => None,
        n => Some(Signal(n as i32)),
    }
}

/// A termination signal received.
#[derive(Debug, Clone, Copy)]
pub struct Signal(pub i32);

impl Signal {
    /// Its name, "SIGINT" or "SIGTERM".
    pub fn name(self) -> &'static str {
        match self.0 {
            SIGINT => "SIGINT",
            SIGTERM => "SIGTERM",
            _ => "a signal",
        }
    }

    /// The exit code by the shell's convention: 128 + the signal number (130 for SIGINT,
    /// 143 for SIGTERM).
    pub fn exit_code(self) -> i32 {
        128 + self.0
    }
}
