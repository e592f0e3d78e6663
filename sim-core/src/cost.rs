//! What the origin costs: volume priced by tiers, and 95th-percentile billing on
//! 5-minute samples, as CDNs and transit providers bill.
//!
//! 95th-percentile billing: the origin's rate is averaged over each 5-minute interval; the
//! top 5% of intervals are discarded and the highest remaining one is the billed rate
//! (nearest rank). Billing periods are usually a month; a shorter run is prorated by its
//! simulated duration over 30 days.

use serde::Serialize;

pub use crate::metrics::BILLING_SAMPLE_US;
use crate::metrics::{percentile, rate_bps};
use crate::scenario::Pricing;

/// Seconds in a billing month (30 days), for prorating.
const MONTH_S: f64 = 30.0 * 86_400.0;

/// Origin traffic figures of one simulated day.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OriginDay {
    /// Day index from the start of the run (0 = the first 24 h).
    pub day: u32,
    /// Origin bytes that day (the days sum to the run's origin bytes exactly).
    pub bytes: u64,
    /// Highest 5-minute average origin rate that day, bits/s.
    pub peak_5min_bps: f64,
    /// 95th percentile of that day's 5-minute averages, bits/s.
    pub p95_5min_bps: f64,
}

/// The origin's bill for the run. Amounts are in the price list's currency.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OriginCost {
    /// Origin bytes (the billed volume).
    pub bytes: u64,
    /// Volume charge from the price tiers.
    pub volume_cost: f64,
    /// Highest 5-minute average origin rate over the run, bits/s.
    pub peak_5min_bps: f64,
    /// 95th percentile of the 5-minute average origin rates over the whole run (the billed
    /// rate), bits/s.
    pub p95_5min_bps: f64,
    /// 95th-percentile charge, prorated to the simulated duration.
    pub p95_cost: f64,
    /// Volume plus 95th-percentile charges.
    pub total_cost: f64,
    /// ISO 4217 code of the currency of every amount (the price list's).
    pub currency: String,
    /// Day by day.
    pub per_day: Vec<OriginDay>,
}

/// Volume charge of `bytes` of origin traffic under marginal tiers.
pub fn volume_cost(bytes: u64, pricing: &Pricing) -> f64 {
    let mut cost = 0.0;
    let mut lower = 0u64;
    for t in &pricing.tiers {
        if bytes <= lower {
            break;
        }
        let in_tier = bytes.min(t.up_to_bytes) - lower;
        cost += in_tier as f64 / 1e9 * t.per_gb;
        lower = t.up_to_bytes;
    }
    cost
}

/// A rate rounded to whole bits/s (no float noise in `summary.json`).
fn tidy(x: f64) -> f64 {
    x.round()
}

/// The bill, from the origin bytes of each 5-minute sample; `end_us` is the end of the
/// run (for prorating). Every sample is a whole 5-minute window, the last one included: a
/// meter averages over its fixed window and the link is idle after the run (dividing a
/// short last sample by its own length would bill a burst of seconds as a 5-minute rate).
pub fn origin_cost(samples_bytes: &[u64], end_us: u64, pricing: &Pricing) -> OriginCost {
    let bps: Vec<f64> = samples_bytes
        .iter()
        .map(|&bytes| rate_bps(bytes, BILLING_SAMPLE_US))
        .collect();
    let sorted = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v
    };
    let peak = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    let p95 = percentile(&sorted(&bps), 95.0).unwrap_or(0.0);
    let per_day_samples = (86_400_000_000 / BILLING_SAMPLE_US) as usize;
    let per_day = bps
        .chunks(per_day_samples)
        .zip(samples_bytes.chunks(per_day_samples))
        .enumerate()
        .map(|(day, (rates, bytes))| OriginDay {
            day: day as u32,
            bytes: bytes.iter().sum(),
            peak_5min_bps: tidy(peak(rates)),
            p95_5min_bps: tidy(percentile(&sorted(rates), 95.0).unwrap_or(0.0)),
        })
        .collect();
    let bytes: u64 = samples_bytes.iter().sum();
    let volume = volume_cost(bytes, pricing);
    let p95_cost = p95 / 1e6 * pricing.per_mbps_month * (end_us as f64 / 1e6 / MONTH_S);
    OriginCost {
        bytes,
        volume_cost: money(volume),
        peak_5min_bps: tidy(peak(&bps)),
        p95_5min_bps: tidy(p95),
        p95_cost: money(p95_cost),
        total_cost: money(volume + p95_cost),
        currency: pricing.currency.clone(),
        per_day,
    }
}

/// Money rounded to 1e-9 of the currency unit (no float noise in `summary.json`).
fn money(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::PriceTier;

    fn tiers() -> Pricing {
        Pricing {
            currency: "USD".into(),
            tiers: vec![
                PriceTier {
                    up_to_bytes: 10_000_000_000_000,
                    per_gb: 0.085,
                },
                PriceTier {
                    up_to_bytes: u64::MAX,
                    per_gb: 0.06,
                },
            ],
            per_mbps_month: 2.0,
        }
    }

    #[test]
    fn marginal_tiers() {
        // 5 TB all in the first tier; 15 TB = 10 TB at 0.085 + 5 TB at 0.06.
        assert!((volume_cost(5_000_000_000_000, &tiers()) - 425.0).abs() < 1e-9);
        assert!((volume_cost(15_000_000_000_000, &tiers()) - (850.0 + 300.0)).abs() < 1e-9);
        assert_eq!(volume_cost(0, &tiers()), 0.0);
        assert_eq!(volume_cost(123, &Pricing::default()), 0.0);
    }

    #[test]
    fn p95_of_five_minute_samples_and_days() {
        // 40 samples (200 min): 38 at 10 Mbps, 2 bursts at 100 Mbps. The top 5% (2 of 40)
        // are discarded, so the billed rate is 10 Mbps.
        let bytes_at = |mbps: u64| mbps * 1_000_000 * 300 / 8;
        let mut samples: Vec<u64> = vec![bytes_at(10); 40];
        samples[3] = bytes_at(100);
        samples[17] = bytes_at(100);
        let end = 40 * BILLING_SAMPLE_US;
        let c = origin_cost(&samples, end, &tiers());
        assert_eq!(c.p95_5min_bps, 10e6);
        assert_eq!(c.peak_5min_bps, 100e6);
        assert_eq!(c.bytes, 38 * bytes_at(10) + 2 * bytes_at(100));
        assert_eq!(c.per_day.len(), 1);
        assert_eq!(c.per_day[0].peak_5min_bps, 100e6);
        assert_eq!(c.per_day[0].bytes, c.bytes);
        // 10 Mbps x 2 per Mbps-month, prorated to 200 min of a 30-day month.
        let want = 10.0 * 2.0 * (200.0 * 60.0) / (30.0 * 86_400.0);
        assert!((c.p95_cost - want).abs() < 1e-9);
        // 15.3 GB at 0.085 per GB.
        assert!((c.volume_cost - 0.085 * c.bytes as f64 / 1e9).abs() < 1e-9);
    }
}
