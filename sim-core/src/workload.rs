//! Workload: who arrives when, and with which access link. This module only samples: the
//! spec-level computations on a process (expected counts, hour segments, splitting a
//! demand) live in `scenario::arrivals`, and the dependency goes one way, workload →
//! scenario.
//!
//! Arrival instants come from the scenario's process:
//!
//! | process | intensity λ(t) on [start, until) | source |
//! | --- | --- | --- |
//! | flash crowd | all `peers` at one instant | the Kumar–Ross setting (docs/validation.md#kumar-ross-minimum-distribution-time) |
//! | Poisson | constant λ | steady state (Little's law, docs/validation.md#littles-law) |
//! | decaying | λ0·e^(−(t − start)/τ) | arrivals to a new torrent decay roughly exponentially after release (Guo et al., IMC 2005) |
//! | diurnal | λ̄·w[h(t)]/mean(w), h(t) the local hour | the daily cycle of demand |
//! | trace | the instants of a file, replayed | measured workloads |
//!
//! Non-homogeneous processes are sampled exactly by inverting the integrated intensity
//! Λ(t) = ∫ λ: the points E1 < E2 < … of a unit-rate Poisson process (cumulative sums of
//! exponential(1) draws) map to arrival instants Λ⁻¹(Ek) (Çinlar's method; no rejection, so
//! one draw per arrival). Each instant is computed as an offset from an integer
//! microsecond origin (the start of the window, or of the hour) and converted to whole
//! microseconds once, by flooring; nothing downstream sees an f64 time. All draws come from
//! the content's own stream (keyed by the content's name), so a content's arrivals depend
//! only on the master seed and its own process. The
//! homogeneous Poisson process keeps its original sampler (exponential gaps summed in
//! seconds), so that existing scenarios keep their arrivals and digests.
//!
//! Classes are assigned over the whole audience — every arrival of every content that
//! happens within the run — so that each class gets its share exactly up to rounding
//! (largest remainder: |count − share × N| < 1), whatever the split across titles and
//! whatever the arrival process. A catalog of 20 titles with 40 downloads in all still has
//! its 16 / 14 / 10 FTTH / cable / DSL for shares 0.40 / 0.35 / 0.25 (splitting each title's
//! one or two downloads separately gave the first classes all of them). The assignment is a
//! uniformly random one with those counts: each arrival draws a rank key from its own
//! stream (keyed by its content's name and its ordinal, [`crate::rng::leecher_stream_id`]);
//! arrivals sorted by key take the first class's count, then the next class's, and so on.
//! A title's audience is therefore a random sample of the whole audience. Since the keys
//! never move, adding a content moves a peer to another class only where its key sits next
//! to a class boundary (each boundary moves past at most about as many peers as arrivals
//! were added, typically far fewer); adding a class moves only the peers whose keys fall in
//! the interval it takes, plus at most one per boundary from rounding.

use crate::rng::{leecher_stream_id, name_key, StreamKind, StreamRng};
use crate::scenario::{
    decaying_mass_s, hour_segments, hourly_rates, largest_remainder, Arrivals, Scenario,
};
use crate::time::{SimDuration, SimTime, US_PER_S};

/// One arriving leecher: when, what it asks for, and the index of its class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    /// Arrival instant.
    pub at: SimTime,
    /// Index into `Scenario::classes`.
    pub class: u16,
    /// Index into `Scenario::contents`.
    pub content: u32,
    /// Its rank among the arrivals of its content, in the order the content's process drew
    /// them (from 0): with the content's name, the stable identity of its random streams.
    pub ordinal: u32,
}

/// All arrivals of the scenario, sorted by time (ties: lower content index first, then
/// the order each content's process drew them). Deterministic: a content's instants are
/// drawn from the stream `(seed, Workload, name_key(name))` only, so adding, removing or
/// reordering other contents does not move them; classes are split over the whole
/// audience (module docs).
pub fn generate(s: &Scenario) -> Vec<Arrival> {
    let mut all: Vec<Arrival> = Vec::new();
    for (k, content) in s.contents.iter().enumerate() {
        let mut rng = StreamRng::new(s.seed, StreamKind::Workload, name_key(&content.name));
        let times = instants(&content.arrivals, &mut rng);
        all.extend(times.into_iter().enumerate().map(|(j, at)| Arrival {
            at,
            class: 0,
            content: k as u32,
            ordinal: j as u32,
        }));
    }
    // Stable: equal instants keep content order, then draw order.
    all.sort_by_key(|a| a.at);
    assign_classes(s, &mut all);
    all
}

/// The arrival instants of one process, sorted.
fn instants(arrivals: &Arrivals, rng: &mut StreamRng) -> Vec<SimTime> {
    match arrivals {
        &Arrivals::FlashCrowd { peers, at } => vec![at; peers as usize],
        &Arrivals::Poisson {
            rate_per_s,
            start,
            until,
        } => {
            let mut out = Vec::new();
            let mut t = start.as_secs_f64();
            let end = until.as_secs_f64();
            loop {
                t += rng.exp(1.0 / rate_per_s);
                if t >= end {
                    break;
                }
                out.push(SimTime((t * US_PER_S as f64) as u64));
            }
            out
        }
        &Arrivals::Decaying {
            initial_rate_per_s,
            tau,
            start,
            until,
        } => decaying_times(initial_rate_per_s, tau, start, until, rng),
        Arrivals::Diurnal {
            mean_rate_per_s,
            weights,
            utc_offset_hours,
            start,
            until,
        } => diurnal_times(
            *mean_rate_per_s,
            weights,
            *utc_offset_hours,
            *start,
            *until,
            rng,
        ),
        Arrivals::Trace { times } => {
            let mut times = times.clone();
            times.sort_unstable();
            times
        }
    }
}

/// The decaying process by inversion: Λ(t) = λ0·τ·(1 − e^(−(t − start)/τ)), so the k-th
/// unit-rate point E maps to start − τ·ln(1 − E/(λ0·τ)), for E below Λ(until).
fn decaying_times(
    rate0: f64,
    tau: SimDuration,
    start: SimTime,
    until: SimTime,
    rng: &mut StreamRng,
) -> Vec<SimTime> {
    let window = until.since(start);
    let mass = rate0 * decaying_mass_s(tau, window);
    let scale = rate0 * tau.as_secs_f64();
    let tau_us = tau.as_us() as f64;
    let last = window.as_us().saturating_sub(1);
    let mut out = Vec::new();
    let mut e = rng.exp(1.0);
    while e < mass {
        let offset_us = -tau_us * (-e / scale).ln_1p();
        out.push(start.after(SimDuration((offset_us as u64).min(last))));
        e += rng.exp(1.0);
    }
    out
}

/// The diurnal process by inversion of its piecewise-constant Λ, one local hour at a time:
/// a unit-rate point E that falls in the hour's share of Λ maps to the hour's start plus
/// (E − Λ(hour start))/λ_h.
fn diurnal_times(
    mean_rate_per_s: f64,
    weights: &[f64; 24],
    utc_offset_hours: f64,
    start: SimTime,
    until: SimTime,
    rng: &mut StreamRng,
) -> Vec<SimTime> {
    let rates = hourly_rates(mean_rate_per_s, weights);
    let mut out = Vec::new();
    let mut e = rng.exp(1.0);
    let mut done = 0.0; // Λ at the start of the current segment
    for seg in hour_segments(start, until, utc_offset_hours) {
        let rate = rates[seg.hour];
        let mass = rate * seg.seconds();
        while e < done + mass {
            let offset_us = (e - done) / rate * US_PER_S as f64;
            out.push(SimTime((seg.from + offset_us as u64).min(seg.to - 1)));
            e += rng.exp(1.0);
        }
        done += mass;
    }
    out
}

/// The rank key of an arrival in the class split: the first draw of its own stream.
fn class_key(s: &Scenario, a: &Arrival) -> u64 {
    let id = leecher_stream_id(&s.contents[a.content as usize].name, u64::from(a.ordinal));
    StreamRng::new(s.seed, StreamKind::Class, id).next_u64()
}

/// Sets the class of every arrival: exact shares by largest remainder over the whole
/// audience, in the order of the arrivals' rank keys (module docs). The arrivals that
/// happen within the run (at or before `max_time`) are split on their own, so the realised
/// audience has exact shares even when an arrival window outlasts the run; the others
/// (never realised) are split among themselves.
fn assign_classes(s: &Scenario, all: &mut [Arrival]) {
    let shares: Vec<f64> = s.classes.iter().map(|c| c.share).collect();
    let horizon = SimTime::ZERO.after(s.max_time);
    let mut ranked: Vec<(bool, u64, usize)> = all
        .iter()
        .enumerate()
        .map(|(i, a)| (a.at > horizon, class_key(s, a), i))
        .collect();
    // Ties of keys (probability ~ N²/2^64) fall back to the arrival order.
    ranked.sort_unstable();
    let realised = ranked.partition_point(|r| !r.0);
    for part in [&ranked[..realised], &ranked[realised..]] {
        let counts = largest_remainder(part.len(), &shares);
        let classes = counts
            .iter()
            .enumerate()
            .flat_map(|(c, &n)| std::iter::repeat_n(c as u16, n));
        for (&(_, _, i), class) in part.iter().zip(classes) {
            all[i].class = class;
        }
    }
}
