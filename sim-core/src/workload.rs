//! Workload: who arrives when, and with which access link.
//!
//! Arrival instants come from the scenario's process (flash crowd, Poisson); classes are
//! assigned so that each class gets its share exactly up to rounding (largest remainder),
//! in a random order, so small populations still match the stated mix.

use crate::rng::{StreamKind, StreamRng};
use crate::scenario::{Arrivals, Scenario};
use crate::time::{SimTime, US_PER_S};

/// One arriving leecher: when, and the index of its class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    /// Arrival instant.
    pub at: SimTime,
    /// Index into `Scenario::classes`.
    pub class: u16,
}

/// All arrivals of the scenario, sorted by time.
pub fn generate(s: &Scenario) -> Vec<Arrival> {
    let mut rng = StreamRng::new(s.seed, StreamKind::Workload, 0);
    let times: Vec<SimTime> = match s.arrivals {
        Arrivals::FlashCrowd { peers, at } => vec![at; peers as usize],
        Arrivals::Poisson {
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
    };
    let classes = assign_classes(s, times.len(), &mut rng);
    times
        .into_iter()
        .zip(classes)
        .map(|(at, class)| Arrival { at, class })
        .collect()
}

/// Class of each of `n` peers: exact shares by largest remainder, shuffled.
fn assign_classes(s: &Scenario, n: usize, rng: &mut StreamRng) -> Vec<u16> {
    let mut counts: Vec<usize> = s
        .classes
        .iter()
        .map(|c| (c.share * n as f64).floor() as usize)
        .collect();
    let mut order: Vec<usize> = (0..s.classes.len()).collect();
    let frac = |i: usize| s.classes[i].share * n as f64 - counts[i] as f64;
    order.sort_by(|&a, &b| frac(b).total_cmp(&frac(a)).then(a.cmp(&b)));
    let mut k = 0;
    while counts.iter().sum::<usize>() < n {
        counts[order[k % order.len()]] += 1;
        k += 1;
    }
    let mut out: Vec<u16> = counts
        .iter()
        .enumerate()
        .flat_map(|(i, &c)| std::iter::repeat_n(i as u16, c))
        .collect();
    out.truncate(n);
    for i in (1..out.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        out.swap(i, j);
    }
    out
}
