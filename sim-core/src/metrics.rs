//! Measurements taken while the simulation runs: the bytes each source moved in every
//! sample interval (the rows of `timeseries.csv`) and in every 5-minute billing sample,
//! the instantaneous origin peak, and peer counts.
//!
//! ## Exact byte accounting
//! Bytes are recorded when they move, never by integrating a rate over an interval. Each
//! flow reports the whole bytes it carried during a stretch of constant rate (from the
//! previous rate change to the next one, or to the instant its last byte arrives), and
//! [`spread`] divides them over the intervals that stretch covers in proportion to time,
//! in integer arithmetic. So a time series, the billing samples and the per-day figures
//! each sum to the bytes delivered *to the byte*, whatever the sample interval, the
//! engine's time quantum, the piece size or the link speed; and no sample holds more
//! than its links could carry in it (up to one byte per flow stretch, the integer
//! rounding).
//!
//! This module also holds the arithmetic the figures share ([`rate_bps`], [`percentile`])
//! and the billing sample width ([`BILLING_SAMPLE_US`]): `cost` prices what is recorded
//! here and depends on this module, never the other way.

use crate::time::SimTime;

/// Width of a billing sample: 5 minutes, in microseconds (how CDNs and transit providers
/// sample the origin rate for 95th-percentile billing; `cost` prices these samples).
pub const BILLING_SAMPLE_US: u64 = 300 * 1_000_000;

/// One sample interval.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bin {
    /// Bytes sent by the origin during the interval.
    pub origin_bytes: u64,
    /// Bytes sent by peers during the interval.
    pub peer_bytes: u64,
    /// Leechers in the swarm at the end of the interval.
    pub leechers: u32,
    /// Seeds (initial and completed) in the swarm at the end of the interval.
    pub seeds: u32,
}

/// Records traffic and swarm size over time.
#[derive(Debug)]
pub struct Recorder {
    interval_us: u64,
    /// Closed and current intervals.
    pub bins: Vec<Bin>,
    /// Sum of the rates of all origin flows at this instant, bits/s (for the peak).
    pub origin_rate_bps: f64,
    /// Highest aggregate origin rate at any instant, bits/s.
    pub origin_peak_bps: f64,
    /// Origin bytes of each 5-minute billing sample ([`BILLING_SAMPLE_US`]).
    pub billing_bytes: Vec<u64>,
    /// One origin meter per content in a catalog of several (empty for one content, whose
    /// figures are the aggregate ones).
    pub content_meters: Vec<ContentMeter>,
    /// Contents whose origin rate changed since the last [`Recorder::observe_peak`].
    touched: Vec<u32>,
    /// What was recorded and where it went, in total.
    pub totals: Totals,
}

/// The origin traffic of one content of a catalog.
#[derive(Debug, Clone, Default)]
pub struct ContentMeter {
    /// Sum of the rates of the content's origin flows at this instant, bits/s.
    pub rate_bps: f64,
    /// Highest origin rate of the content at any instant, bits/s.
    pub peak_bps: f64,
    /// Origin bytes of each 5-minute billing sample.
    pub billing_bytes: Vec<u64>,
    touched: bool,
}

/// Add `bytes`, moved evenly over [`from_us`, `to_us`), to the intervals of width
/// `width_us` in `bins` (growing it as needed), in integer arithmetic: interval `i` gets
/// `⌊bytes·(end_i − from)/span⌋ − ⌊bytes·(start_i − from)/span⌋`, so the parts sum to
/// `bytes` exactly and none exceeds the even share by a byte or more. Bytes of an empty
/// stretch (`from_us == to_us`) go to the interval holding `from_us`. Returns the bytes
/// placed (always `bytes`; the run's accounting invariant checks it).
pub fn spread<T: Default + Clone>(
    bins: &mut Vec<T>,
    width_us: u64,
    from_us: u64,
    to_us: u64,
    bytes: u64,
    slot: impl Fn(&mut T) -> &mut u64,
) -> u64 {
    if bytes == 0 {
        return 0;
    }
    let last = if to_us > from_us {
        (to_us - 1) / width_us
    } else {
        from_us / width_us
    } as usize;
    if bins.len() <= last {
        bins.resize(last + 1, T::default());
    }
    let first = (from_us / width_us) as usize;
    if first == last {
        *slot(&mut bins[first]) += bytes;
        return bytes;
    }
    let span = u128::from(to_us - from_us);
    let mut given = 0u64;
    for (i, bin) in bins.iter_mut().enumerate().take(last + 1).skip(first) {
        let end = ((i as u64 + 1) * width_us).min(to_us);
        let upto = (u128::from(bytes) * u128::from(end - from_us) / span) as u64;
        *slot(bin) += upto - given;
        given = upto;
    }
    given
}

/// Running totals of what a [`Recorder`] was given and where it put it, kept so the
/// accounting invariant (`sim/invariants.rs`) costs a few comparisons per event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Origin bytes handed to [`Recorder::record`].
    pub origin_bytes: u64,
    /// Peer bytes handed to [`Recorder::record`].
    pub peer_bytes: u64,
    /// Origin bytes placed in the sample intervals (the time series).
    pub series_origin_bytes: u64,
    /// Peer bytes placed in the sample intervals.
    pub series_peer_bytes: u64,
    /// Origin bytes placed in the 5-minute billing samples.
    pub billing_bytes: u64,
    /// Origin bytes placed in the per-content billing samples (catalogs of several).
    pub content_billing_bytes: u64,
}

impl Totals {
    /// `Err` with what differs unless the time series, the billing samples (and the
    /// per-content ones, when `per_content`) each hold exactly the bytes recorded.
    pub fn check(&self, per_content: bool) -> Result<(), String> {
        let t = self;
        if t.series_origin_bytes != t.origin_bytes {
            return Err(format!(
                "time series holds {} origin bytes, {} were recorded",
                t.series_origin_bytes, t.origin_bytes
            ));
        }
        if t.series_peer_bytes != t.peer_bytes {
            return Err(format!(
                "time series holds {} peer bytes, {} were recorded",
                t.series_peer_bytes, t.peer_bytes
            ));
        }
        if t.billing_bytes != t.origin_bytes {
            return Err(format!(
                "billing samples hold {} bytes, {} origin bytes were recorded",
                t.billing_bytes, t.origin_bytes
            ));
        }
        if per_content && t.content_billing_bytes != t.origin_bytes {
            return Err(format!(
                "per-content billing samples hold {} bytes, {} origin bytes were recorded",
                t.content_billing_bytes, t.origin_bytes
            ));
        }
        Ok(())
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
            origin_peak_bps: 0.0,
            billing_bytes: Vec::new(),
            content_meters: if contents > 1 {
                vec![ContentMeter::default(); contents]
            } else {
                Vec::new()
            },
            touched: Vec::new(),
            totals: Totals::default(),
        }
    }

    /// The origin rate of `content` moved by `delta_bps` (the aggregate too); the peaks
    /// are taken at the next [`Recorder::observe_peak`].
    pub fn add_origin_rate(&mut self, content: u32, delta_bps: f64) {
        self.origin_rate_bps += delta_bps;
        if let Some(m) = self.content_meters.get_mut(content as usize) {
            m.rate_bps += delta_bps;
            if !m.touched {
                m.touched = true;
                self.touched.push(content);
            }
        }
    }

    /// `bytes` moved evenly over [`from`, `to`), sent by the origin for `content`
    /// (`origin = Some(content)`) or by a peer (`None`).
    pub fn record(&mut self, origin: Option<u32>, from: SimTime, to: SimTime, bytes: u64) {
        let (from_us, to_us) = (from.0, to.0.max(from.0));
        let t = &mut self.totals;
        match origin {
            Some(content) => {
                t.origin_bytes += bytes;
                t.series_origin_bytes += spread(
                    &mut self.bins,
                    self.interval_us,
                    from_us,
                    to_us,
                    bytes,
                    |b| &mut b.origin_bytes,
                );
                t.billing_bytes += spread(
                    &mut self.billing_bytes,
                    BILLING_SAMPLE_US,
                    from_us,
                    to_us,
                    bytes,
                    |b| b,
                );
                if let Some(m) = self.content_meters.get_mut(content as usize) {
                    t.content_billing_bytes += spread(
                        &mut m.billing_bytes,
                        BILLING_SAMPLE_US,
                        from_us,
                        to_us,
                        bytes,
                        |b| b,
                    );
                }
            }
            None => {
                t.peer_bytes += bytes;
                t.series_peer_bytes += spread(
                    &mut self.bins,
                    self.interval_us,
                    from_us,
                    to_us,
                    bytes,
                    |b| &mut b.peer_bytes,
                );
            }
        }
    }

    /// Width of one interval in microseconds.
    pub fn interval_us(&self) -> u64 {
        self.interval_us
    }

    /// The swarm held `leechers` and `seeds` from `from` to `to`: the intervals that end
    /// in that time take these counts.
    pub fn advance(&mut self, from: SimTime, to: SimTime, leechers: u32, seeds: u32) {
        if to <= from {
            return;
        }
        let first = (from.0 / self.interval_us) as usize;
        let last = ((to.0 - 1) / self.interval_us) as usize;
        if self.bins.len() <= last {
            self.bins.resize(last + 1, Bin::default());
        }
        for b in &mut self.bins[first..=last] {
            b.leechers = leechers;
            b.seeds = seeds;
        }
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

    /// Close the record at `end`: intervals up to it, the final counts.
    pub fn finish(&mut self, end: SimTime, leechers: u32, seeds: u32) {
        let n = (end.0.div_ceil(self.interval_us) as usize).max(1);
        debug_assert!(self.bins.len() <= n, "bytes recorded after the end");
        self.bins.resize(n, Bin::default());
        let samples = (end.0.div_ceil(BILLING_SAMPLE_US) as usize).max(1);
        self.billing_bytes.resize(samples, 0);
        for m in &mut self.content_meters {
            m.billing_bytes.resize(samples, 0);
        }
        if let Some(b) = self.bins.last_mut() {
            b.leechers = leechers;
            b.seeds = seeds;
        }
    }

    /// Length of interval `i` in µs for a run that ended at `end` (the last one may be
    /// shorter; never 0).
    pub fn interval_len_us(&self, i: usize, end: SimTime) -> u64 {
        let start = i as u64 * self.interval_us;
        end.0.saturating_sub(start).clamp(1, self.interval_us)
    }

    /// Average origin rate of each interval in bits/s (the last one over its actual length).
    pub fn origin_interval_bps(&self, end: SimTime) -> Vec<f64> {
        self.bins
            .iter()
            .enumerate()
            .map(|(i, b)| rate_bps(b.origin_bytes, self.interval_len_us(i, end)))
            .collect()
    }
}

/// The mean rate in bits/s of `bytes` over `len_us` microseconds.
pub fn rate_bps(bytes: u64, len_us: u64) -> f64 {
    bytes as f64 * 8.0 / (len_us.max(1) as f64 / 1e6)
}

/// Nearest-rank percentile `p` (0..=100) of sorted values; `None` for an empty slice.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_spreads_bytes_across_intervals_exactly() {
        let mut r = Recorder::new(1_000_000, 1);
        // 4 bytes over [0.5 s, 2.5 s): 1, 2, 1.
        r.record(None, SimTime(500_000), SimTime(2_500_000), 4);
        r.advance(SimTime(0), SimTime(2_500_000), 3, 1);
        assert_eq!(r.bins.len(), 3);
        let peer: Vec<u64> = r.bins.iter().map(|b| b.peer_bytes).collect();
        assert_eq!(peer, vec![1, 2, 1]);
        // An odd count: the parts still sum exactly, each within a byte of its share.
        r.record(Some(0), SimTime(0), SimTime(3_000_000), 1_000_001);
        r.finish(SimTime(2_500_000 + 500_000), 0, 1);
        let origin: Vec<u64> = r.bins.iter().map(|b| b.origin_bytes).collect();
        assert_eq!(origin.iter().sum::<u64>(), 1_000_001);
        assert!(
            origin.iter().all(|&b| b.abs_diff(333_334) <= 1),
            "{origin:?}"
        );
        assert_eq!(r.billing_bytes, vec![1_000_001]);
        assert_eq!(r.totals.check(false), Ok(()));
        assert_eq!(r.totals.series_origin_bytes, 1_000_001);
        assert_eq!(r.totals.series_peer_bytes, 4);
        let bps = r.origin_interval_bps(SimTime(3_000_000));
        assert!((bps[1] - origin[1] as f64 * 8.0).abs() < 1e-9);
    }

    #[test]
    fn empty_stretch_goes_to_its_interval() {
        let mut v: Vec<u64> = Vec::new();
        spread(&mut v, 10, 25, 25, 7, |b| b);
        assert_eq!(v, vec![0, 0, 7]);
    }

    #[test]
    fn percentile_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(|x| x as f64).collect();
        assert_eq!(percentile(&v, 95.0), Some(95.0));
        assert_eq!(percentile(&v, 100.0), Some(100.0));
        assert_eq!(percentile(&v, 0.0), Some(1.0));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
