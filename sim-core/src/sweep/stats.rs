//! Statistics of one metric over the replications of a point: mean, sample standard
//! deviation and the 95% confidence interval of the mean, `mean ± t(0.975, n−1) · s/√n`
//! (Student's t: the replications are independent runs, and their number is small).

/// Mean, spread and 95% confidence interval of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// Values behind the figures (runs where the metric has a value).
    pub n: usize,
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1 in the denominator); 0 for one value.
    pub sd: f64,
    /// Half-width of the 95% confidence interval of the mean; `None` for one value.
    pub ci95_half: Option<f64>,
    /// 2.5th percentile of the single runs (linear interpolation between order
    /// statistics, numpy's default): with the 97.5th, the range one run could show.
    pub run_p2_5: f64,
    /// 97.5th percentile of the single runs.
    pub run_p97_5: f64,
}

/// The `q`-quantile (0 ≤ q ≤ 1) of sorted `v` by linear interpolation between order
/// statistics (Hyndman & Fan type 7, numpy's and R's default).
pub fn quantile_sorted(v: &[f64], q: f64) -> f64 {
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

impl Stats {
    /// The statistics of `values`, `None` when it is empty. Summed in the given order, so
    /// the figures are identical whenever the values are.
    pub fn of(values: &[f64]) -> Option<Stats> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let run_p2_5 = quantile_sorted(&sorted, 0.025);
        let run_p97_5 = quantile_sorted(&sorted, 0.975);
        if n == 1 {
            return Some(Stats {
                n,
                mean,
                sd: 0.0,
                ci95_half: None,
                run_p2_5,
                run_p97_5,
            });
        }
        let var = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
        let sd = var.sqrt();
        Some(Stats {
            n,
            mean,
            sd,
            ci95_half: Some(t975(n - 1) * sd / (n as f64).sqrt()),
            run_p2_5,
            run_p97_5,
        })
    }
}

/// The 97.5th percentile of Student's t distribution with `df` degrees of freedom (the
/// factor of a two-sided 95% interval). Exact table values (to 4 decimals) up to 30
/// degrees of freedom; above, the Cornish–Fisher expansion around the normal quantile
/// 1.959964 (Abramowitz & Stegun 26.7.5), within 1e-4 of the exact value there.
pub fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010,
        2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739,
        2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
    ];
    assert!(df > 0, "t975 needs at least one degree of freedom");
    if df <= 30 {
        return TABLE[df - 1];
    }
    let z: f64 = 1.959_964;
    let v = df as f64;
    let g1 = (z.powi(3) + z) / 4.0;
    let g2 = (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / 96.0;
    let g3 = (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / 384.0;
    z + g1 / v + g2 / (v * v) + g3 / (v * v * v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_published_values() {
        // Published 0.975 quantiles (any t table): df 31 → 2.0395, 40 → 2.0211,
        // 60 → 2.0003, 120 → 1.9799. The expansion is within 1e-4 of them.
        for (df, t) in [(31, 2.0395), (40, 2.0211), (60, 2.0003), (120, 1.9799)] {
            assert!((t975(df) - t).abs() < 1e-4, "df {df}: {} vs {t}", t975(df));
        }
        // Decreasing across the seam of the table and the expansion.
        assert!(t975(31) < t975(30));
    }

    #[test]
    fn stats_of_a_known_sample() {
        let s = Stats::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(s.n, 8);
        assert!((s.mean - 5.0).abs() < 1e-12);
        // Sample variance 32/7.
        assert!((s.sd - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        let half = s.ci95_half.unwrap();
        assert!((half - 2.3646 * s.sd / 8f64.sqrt()).abs() < 1e-12);
        // Type-7 quantiles of 1..=8 (numpy.percentile([2,4,4,4,5,5,7,9], [2.5, 97.5])).
        assert!((s.run_p2_5 - 2.35).abs() < 1e-12, "{}", s.run_p2_5);
        assert!((s.run_p97_5 - 8.65).abs() < 1e-12, "{}", s.run_p97_5);
        assert_eq!(Stats::of(&[]), None);
        assert_eq!(Stats::of(&[3.0]).unwrap().ci95_half, None);
    }
}
