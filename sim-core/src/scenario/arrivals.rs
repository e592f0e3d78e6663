//! Arrival processes, the one home of every spec-level computation on them: the type
//! ([`Arrivals`]), splitting a shared demand by share, shifting a window to a content's
//! release, and the expected number of arrivals.
//!
//! Reading an `[arrivals]` table into a process is the resolve stage's (`demand`);
//! sampling instants from a process is `crate::workload`'s (it uses the hour segments and
//! masses computed here); `validate` prints a process in `describe`.
//!
//! | process | intensity λ(t) on [start, until) | expected count |
//! | --- | --- | --- |
//! | flash crowd | all `peers` at one instant `at` | `peers` |
//! | Poisson | constant λ | λ·(until − start) |
//! | decaying | λ0·e^(−(t − start)/τ) | λ0·τ·(1 − e^(−(until − start)/τ)) |
//! | diurnal | λ̄·w[h(t)]/mean(w), h(t) the local hour | Σ over hour segments of λ_h·length |
//! | trace | the instants of a file, replayed | the number of instants |

use serde::Serialize;

use super::error::Invalid;
use super::shares::largest_remainder;
use crate::time::{SimDuration, SimTime, US_PER_S};

/// Microseconds in one hour.
const HOUR_US: u64 = 3_600 * US_PER_S;
/// Microseconds in one day.
const DAY_US: u64 = 24 * HOUR_US;

/// The arrival process of leechers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "process")]
pub enum Arrivals {
    /// `peers` leechers all arrive at time `at`.
    FlashCrowd {
        /// Number of leechers.
        peers: u32,
        /// Arrival instant.
        at: SimTime,
    },
    /// A Poisson process of rate `rate_per_s` between `start` and `until`.
    Poisson {
        /// Arrivals per second.
        rate_per_s: f64,
        /// First instant of the process.
        start: SimTime,
        /// End of the arrival window (no arrival at or after it).
        until: SimTime,
    },
    /// A non-homogeneous Poisson process whose intensity decays exponentially after the
    /// release: λ(t) = `initial_rate_per_s` · e^(−(t − start)/τ) for t in [`start`, `until`).
    /// Arrivals to a new torrent decay roughly this way (Guo et al., IMC 2005). The expected
    /// number of arrivals is λ0·τ·(1 − e^(−(until − start)/τ)).
    Decaying {
        /// λ0: arrivals per second at `start`.
        initial_rate_per_s: f64,
        /// τ: the time constant of the decay (the rate falls by e every τ); above zero.
        tau: SimDuration,
        /// First instant of the process (the release).
        start: SimTime,
        /// End of the arrival window (no arrival at or after it).
        until: SimTime,
    },
    /// A Poisson process modulated by the hour of the day: λ(t) = `mean_rate_per_s` ·
    /// w[h(t)] / mean(w) for t in [`start`, `until`), where h(t) is the local hour of t.
    /// The simulation starts at 00:00 UTC; local time is UTC + `utc_offset_hours`.
    Diurnal {
        /// λ̄: arrivals per second averaged over a whole day.
        mean_rate_per_s: f64,
        /// Relative weight of each local hour, 00:00–01:00 first; each ≥ 0, not all 0.
        weights: Box<[f64; 24]>,
        /// Offset of local time from UTC, in hours (fractional offsets such as 5.5 allowed),
        /// within [−24, 24].
        utc_offset_hours: f64,
        /// First instant of the process.
        start: SimTime,
        /// End of the arrival window (no arrival at or after it).
        until: SimTime,
    },
    /// Arrival instants replayed from a trace (read from a CSV file by the loader and kept
    /// here, so the scenario is self-contained and its hash covers them).
    Trace {
        /// Arrival instants, sorted ascending (equal instants allowed).
        times: Vec<SimTime>,
    },
}

impl Arrivals {
    /// The first instant the process can produce an arrival (`None` for a trace, whose
    /// instants are checked on their own).
    pub fn first_instant(&self) -> Option<SimTime> {
        match self {
            Arrivals::FlashCrowd { at, .. } => Some(*at),
            Arrivals::Poisson { start, .. }
            | Arrivals::Decaying { start, .. }
            | Arrivals::Diurnal { start, .. } => Some(*start),
            Arrivals::Trace { .. } => None,
        }
    }

    /// The process split into one per share (`shares` sum to 1), for contents that share a
    /// demand: a rate-driven process has its rate scaled (thinning a Poisson process gives
    /// independent Poisson processes), a flash crowd its peers divided by largest remainder;
    /// a trace is copied (a catalog splits a trace by the content its lines name).
    pub fn split(&self, shares: &[f64]) -> Vec<Arrivals> {
        let flash_peers = match self {
            Arrivals::FlashCrowd { peers, .. } => largest_remainder(*peers as usize, shares),
            _ => Vec::new(),
        };
        shares
            .iter()
            .enumerate()
            .map(|(k, &share)| match self {
                &Arrivals::FlashCrowd { at, .. } => Arrivals::FlashCrowd {
                    peers: flash_peers[k] as u32,
                    at,
                },
                &Arrivals::Poisson {
                    rate_per_s,
                    start,
                    until,
                } => Arrivals::Poisson {
                    rate_per_s: rate_per_s * share,
                    start,
                    until,
                },
                &Arrivals::Decaying {
                    initial_rate_per_s,
                    tau,
                    start,
                    until,
                } => Arrivals::Decaying {
                    initial_rate_per_s: initial_rate_per_s * share,
                    tau,
                    start,
                    until,
                },
                Arrivals::Diurnal {
                    mean_rate_per_s,
                    weights,
                    utc_offset_hours,
                    start,
                    until,
                } => Arrivals::Diurnal {
                    mean_rate_per_s: mean_rate_per_s * share,
                    weights: weights.clone(),
                    utc_offset_hours: *utc_offset_hours,
                    start: *start,
                    until: *until,
                },
                Arrivals::Trace { times } => Arrivals::Trace {
                    times: times.clone(),
                },
            })
            .collect()
    }
}

/// The expected number of arrivals of the process: ∫ λ(t) dt over its window (`peers` for a
/// flash crowd, the number of instants for a trace). A pure function of the scenario, used
/// by the loader to turn `count = N` into a rate, by `swarmsim validate` and by reports.
pub fn expected_count(a: &Arrivals) -> f64 {
    match a {
        &Arrivals::FlashCrowd { peers, .. } => f64::from(peers),
        &Arrivals::Poisson {
            rate_per_s,
            start,
            until,
        } => rate_per_s * until.since(start).as_secs_f64(),
        &Arrivals::Decaying {
            initial_rate_per_s,
            tau,
            start,
            until,
        } => initial_rate_per_s * decaying_mass_s(tau, until.since(start)),
        Arrivals::Diurnal {
            mean_rate_per_s,
            weights,
            utc_offset_hours,
            start,
            until,
        } => {
            let rates = hourly_rates(*mean_rate_per_s, weights);
            hour_segments(*start, *until, *utc_offset_hours)
                .map(|seg| rates[seg.hour] * seg.seconds())
                .sum()
        }
        Arrivals::Trace { times } => times.len() as f64,
    }
}

/// τ·(1 − e^(−W/τ)) in seconds: the integral of e^(−t/τ) over [0, W).
pub(crate) fn decaying_mass_s(tau: SimDuration, window: SimDuration) -> f64 {
    let tau_s = tau.as_secs_f64();
    -tau_s * (-window.as_secs_f64() / tau_s).exp_m1()
}

/// Arrivals per second in each local hour: λ̄·w[h]/mean(w).
pub(crate) fn hourly_rates(mean_rate_per_s: f64, weights: &[f64; 24]) -> [f64; 24] {
    let mean = weights.iter().sum::<f64>() / 24.0;
    weights.map(|w| {
        if mean > 0.0 {
            mean_rate_per_s * w / mean
        } else {
            0.0
        }
    })
}

/// One stretch of the window inside a single local hour.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HourSegment {
    /// First microsecond of the stretch.
    pub from: u64,
    /// End of the stretch (exclusive), µs.
    pub to: u64,
    /// Local hour of day, 0..24.
    pub hour: usize,
}

impl HourSegment {
    /// Length of the stretch in seconds.
    pub(crate) fn seconds(&self) -> f64 {
        (self.to - self.from) as f64 / US_PER_S as f64
    }
}

/// The window [start, until) cut at every local hour boundary, in order. Local time is
/// UTC + `utc_offset_hours` (rounded to the microsecond), and t = 0 is 00:00 UTC.
pub(crate) fn hour_segments(
    start: SimTime,
    until: SimTime,
    utc_offset_hours: f64,
) -> impl Iterator<Item = HourSegment> {
    let offset_us = (utc_offset_hours * HOUR_US as f64).round() as i128;
    let end = until.as_us();
    let mut from = start.as_us();
    std::iter::from_fn(move || {
        if from >= end {
            return None;
        }
        let local = (i128::from(from) + offset_us).rem_euclid(i128::from(DAY_US)) as u64;
        let to = (from + (HOUR_US - local % HOUR_US)).min(end);
        let seg = HourSegment {
            from,
            to,
            hour: (local / HOUR_US) as usize,
        };
        from = to;
        Some(seg)
    })
}

/// Moves the windows of the process of content `name` (content table `t`) to start at its
/// `release`; checks that no traced arrival precedes it.
pub(super) fn shift_to_release(
    arrivals: &mut Arrivals,
    release: SimTime,
    name: &str,
    t: &str,
) -> Result<(), Invalid> {
    let r = SimDuration(release.as_us());
    match arrivals {
        Arrivals::FlashCrowd { at, .. } => *at = at.after(r),
        Arrivals::Poisson { start, until, .. }
        | Arrivals::Decaying { start, until, .. }
        | Arrivals::Diurnal { start, until, .. } => {
            *start = start.after(r);
            *until = until.after(r);
        }
        Arrivals::Trace { times } => {
            if let Some(&first) = times.first() {
                if first < release {
                    return Err(Invalid::new(
                        format!("{t}.release"),
                        format!(
                            "the trace has an arrival for {:?} at {}, before its release at \
                             {} (trace times count from the start of the simulation)",
                            name,
                            SimDuration(first.as_us()),
                            r
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}
