//! Measurements taken while the simulation runs: byte rates integrated into fixed sample
//! intervals (the rows of `timeseries.csv`), origin peak rate, and peer counts.

use crate::time::SimTime;

/// One sample interval.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bin {
    /// Bits sent by the origin during the interval.
    pub origin_bits: f64,
    /// Bits sent by peers during the interval.
    pub peer_bits: f64,
    /// Leechers in the swarm at the end of the interval.
    pub leechers: u32,
    /// Seeds (initial and completed) in the swarm at the end of the interval.
    pub seeds: u32,
}

/// Integrates the aggregate origin and peer rates over time.
#[derive(Debug)]
pub struct Recorder {
    interval_us: u64,
    /// Closed and current intervals.
    pub bins: Vec<Bin>,
    /// Sum of the rates of all origin flows, bits/s.
    pub origin_rate_bps: f64,
    /// Sum of the rates of all peer-to-peer flows, bits/s.
    pub peer_rate_bps: f64,
    /// Highest aggregate origin rate seen, bits/s.
    pub origin_peak_bps: f64,
    /// Origin bits of each 5-minute billing sample ([`crate::cost::BILLING_SAMPLE_US`]).
    pub billing_bits: Vec<f64>,
    /// One origin meter per content in a catalog of several (empty for one content, whose
    /// figures are the aggregate ones).
    pub content_meters: Vec<ContentMeter>,
    /// Contents whose origin rate changed since the last [`Recorder::observe_peak`].
    touched: Vec<u32>,
}

/// The origin traffic of one content of a catalog, integrated lazily: only when its rate
/// changes, so a large catalog costs nothing per event for the contents that are idle.
#[derive(Debug, Clone, Default)]
pub struct ContentMeter {
    /// Sum of the rates of the content's origin flows, bits/s.
    pub rate_bps: f64,
    /// Integrated up to this instant, µs.
    since_us: u64,
    /// Highest origin rate of the content at any instant, bits/s.
    pub peak_bps: f64,
    /// Origin bits of each 5-minute billing sample.
    pub billing_bits: Vec<f64>,
    touched: bool,
}

impl ContentMeter {
    /// Integrate the current rate up to `to_us`.
    fn integrate_to(&mut self, to_us: u64) {
        let rate = self.rate_bps.max(0.0);
        integrate_billing(&mut self.billing_bits, self.since_us, to_us, rate);
        self.since_us = self.since_us.max(to_us);
    }
}

/// Add `rate_bps` × time over [from_us, to_us) to the 5-minute billing samples `bits`.
fn integrate_billing(bits: &mut Vec<f64>, from_us: u64, to_us: u64, rate_bps: f64) {
    let w = crate::cost::BILLING_SAMPLE_US;
    let mut t = from_us;
    while t < to_us && rate_bps > 0.0 {
        let i = (t / w) as usize;
        let stop = ((i as u64 + 1) * w).min(to_us);
        if bits.len() <= i {
            bits.resize(i + 1, 0.0);
        }
        bits[i] += rate_bps * (stop - t) as f64 / 1e6;
        t = stop;
    }
}

impl Recorder {
    /// A recorder with sample intervals of `interval_us` microseconds, for a scenario of
    /// `contents` contents.
    pub fn new(interval_us: u64, contents: usize) -> Recorder {
        Recorder {
            interval_us: interval_us.max(1),
            bins: vec![Bin::default()],
            origin_rate_bps: 0.0,
            peer_rate_bps: 0.0,
            origin_peak_bps: 0.0,
            billing_bits: Vec::new(),
            content_meters: if contents > 1 {
                vec![ContentMeter::default(); contents]
            } else {
                Vec::new()
            },
            touched: Vec::new(),
        }
    }

    /// The origin rate of `content` moved by `delta_bps` at `now` (the aggregate too).
    pub fn add_origin_rate(&mut self, content: u32, now: SimTime, delta_bps: f64) {
        self.origin_rate_bps += delta_bps;
        if let Some(m) = self.content_meters.get_mut(content as usize) {
            m.integrate_to(now.0);
            m.rate_bps += delta_bps;
            if !m.touched {
                m.touched = true;
                self.touched.push(content);
            }
        }
    }

    /// Width of one interval in microseconds.
    pub fn interval_us(&self) -> u64 {
        self.interval_us
    }

    /// Account for the time from `from` to `to`, during which rates and counts were constant.
    pub fn advance(&mut self, from: SimTime, to: SimTime, leechers: u32, seeds: u32) {
        let (mut t, end) = (from.0, to.0);
        let origin = self.origin_rate_bps.max(0.0);
        let peer = self.peer_rate_bps.max(0.0);
        while t < end {
            let i = (t / self.interval_us) as usize;
            let bin_end = (i as u64 + 1) * self.interval_us;
            let stop = bin_end.min(end);
            while self.bins.len() <= i {
                self.bins.push(Bin::default());
            }
            let dt = (stop - t) as f64 / 1e6;
            let b = &mut self.bins[i];
            b.origin_bits += origin * dt;
            b.peer_bits += peer * dt;
            b.leechers = leechers;
            b.seeds = seeds;
            t = stop;
        }
        // The same integral on the fixed 5-minute billing grid.
        integrate_billing(&mut self.billing_bits, from.0, end, origin);
    }

    /// Note the current aggregate (and changed per-content) origin rates for the peaks.
    pub fn observe_peak(&mut self) {
        if self.origin_rate_bps > self.origin_peak_bps {
            self.origin_peak_bps = self.origin_rate_bps;
        }
        for c in self.touched.drain(..) {
            let m = &mut self.content_meters[c as usize];
            m.touched = false;
            m.peak_bps = m.peak_bps.max(m.rate_bps);
        }
    }

    /// Close the record at `end`: drop intervals after it, set the final counts.
    pub fn finish(&mut self, end: SimTime, leechers: u32, seeds: u32) {
        let n = (end.0.div_ceil(self.interval_us) as usize).max(1);
        self.bins.resize(n, Bin::default());
        let w = crate::cost::BILLING_SAMPLE_US;
        let samples = (end.0.div_ceil(w) as usize).max(1);
        self.billing_bits.resize(samples, 0.0);
        for m in &mut self.content_meters {
            m.integrate_to(end.0);
            m.billing_bits.resize(samples, 0.0);
        }
        if let Some(b) = self.bins.last_mut() {
            b.leechers = leechers;
            b.seeds = seeds;
        }
    }

    /// Average origin rate of each interval in bits/s (the last one over its actual length).
    pub fn origin_interval_bps(&self, end: SimTime) -> Vec<f64> {
        self.bins
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let start = i as u64 * self.interval_us;
                let len = (end.0.saturating_sub(start)).min(self.interval_us).max(1);
                b.origin_bits / (len as f64 / 1e6)
            })
            .collect()
    }
}

/// Nearest-rank percentile `p` (0..=100) of sorted values; 0 for an empty slice.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_splits_across_intervals() {
        let mut r = Recorder::new(1_000_000, 1);
        r.origin_rate_bps = 8.0;
        r.advance(SimTime(500_000), SimTime(2_500_000), 3, 1);
        assert_eq!(r.bins.len(), 3);
        assert!((r.bins[0].origin_bits - 4.0).abs() < 1e-12);
        assert!((r.bins[1].origin_bits - 8.0).abs() < 1e-12);
        assert!((r.bins[2].origin_bits - 4.0).abs() < 1e-12);
        r.finish(SimTime(2_500_000), 0, 1);
        let bps = r.origin_interval_bps(SimTime(2_500_000));
        assert!((bps[2] - 8.0).abs() < 1e-9);
    }

    #[test]
    fn percentile_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(|x| x as f64).collect();
        assert_eq!(percentile(&v, 95.0), 95.0);
        assert_eq!(percentile(&v, 100.0), 100.0);
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }
}
