//! Splitting a whole by shares: Zipf popularity of ranks, and whole counts that sum
//! exactly (largest remainder). Used for a catalog's demand and for the class mix.

/// Zipf popularity of `n` ranks with exponent `s`: rank k (from 1) gets k^(−s) / Σ j^(−s).
pub fn zipf_shares(n: usize, s: f64) -> Vec<f64> {
    let w: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-s)).collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|x| x / total).collect()
}

/// `total` split in proportion to `shares` (which sum to about 1) into whole numbers that
/// sum to `total`: the floors, then one more each to the largest remainders (ties to the
/// lower index), cycling if need be; a surplus from shares summing above 1 is taken back from
/// the last indices.
pub fn largest_remainder(total: usize, shares: &[f64]) -> Vec<usize> {
    let quotas: Vec<f64> = shares.iter().map(|s| s * total as f64).collect();
    let mut counts: Vec<usize> = quotas.iter().map(|q| q.floor() as usize).collect();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    let frac = |i: usize| quotas[i] - quotas[i].floor();
    order.sort_by(|&a, &b| frac(b).total_cmp(&frac(a)).then(a.cmp(&b)));
    let mut k = 0;
    while counts.iter().sum::<usize>() < total && !order.is_empty() {
        counts[order[k % order.len()]] += 1;
        k += 1;
    }
    let mut surplus = counts.iter().sum::<usize>().saturating_sub(total);
    for c in counts.iter_mut().rev() {
        let take = surplus.min(*c);
        *c -= take;
        surplus -= take;
    }
    counts
}
