//! The plain reference max-min fair solver (progressive filling, no shortcuts).
//!
//! Repeatedly find the smallest fair share `remaining / unfrozen flows` over all resources
//! and the smallest per-flow bound, freeze the flows it limits at that level, subtract, and
//! repeat. O(iterations × (resources + flows)); used only to test [`super::Network`].

/// Max-min fair rates of `flows` (each `(src, dst, per-flow bound)`, with `src != dst`)
/// over resources of capacity `caps` (bits/s). Returns one rate per flow.
pub fn max_min(caps: &[f64], flows: &[(u32, u32, f64)]) -> Vec<f64> {
    let mut rate = vec![0.0; flows.len()];
    let mut frozen = vec![false; flows.len()];
    let mut remaining = caps.to_vec();
    let mut left = flows.len();
    while left > 0 {
        let mut unfrozen = vec![0usize; caps.len()];
        for (i, &(s, d, _)) in flows.iter().enumerate() {
            if !frozen[i] {
                unfrozen[s as usize] += 1;
                unfrozen[d as usize] += 1;
            }
        }
        // The lowest level at which something stops: a resource or a flow bound.
        let mut level = f64::INFINITY;
        for r in 0..caps.len() {
            if unfrozen[r] > 0 {
                level = level.min(remaining[r].max(0.0) / unfrozen[r] as f64);
            }
        }
        for (i, &(_, _, b)) in flows.iter().enumerate() {
            if !frozen[i] {
                level = level.min(b);
            }
        }
        // Freeze every flow limited at this level.
        let saturated: Vec<bool> = (0..caps.len())
            .map(|r| {
                unfrozen[r] > 0
                    && remaining[r].max(0.0) / unfrozen[r] as f64 <= level * (1.0 + 1e-12)
            })
            .collect();
        let mut progressed = false;
        for (i, &(s, d, b)) in flows.iter().enumerate() {
            if frozen[i] {
                continue;
            }
            if b <= level || saturated[s as usize] || saturated[d as usize] {
                frozen[i] = true;
                rate[i] = level;
                remaining[s as usize] -= level;
                remaining[d as usize] -= level;
                left -= 1;
                progressed = true;
            }
        }
        assert!(progressed, "reference solver made no progress");
    }
    rate
}

#[cfg(test)]
mod tests {
    use super::super::Network;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn textbook_example() {
        // Two uploads of 10 sharing; one of them also into a download of 2.
        let caps = [10.0, 100.0, 2.0];
        let r = max_min(&caps, &[(0, 1, f64::INFINITY), (0, 2, f64::INFINITY)]);
        assert_eq!(r, vec![8.0, 2.0]);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(u32, u32, f64),
        Remove(usize),
        Reshare,
    }

    fn op(n_res: u32) -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (0..n_res, 0..n_res, prop_oneof![3 => Just(f64::INFINITY), 1 => 1.0f64..50.0])
                .prop_filter("distinct ends", |(s, d, _)| s != d)
                .prop_map(|(s, d, b)| Op::Add(s, d, b)),
            2 => (0usize..64).prop_map(Op::Remove),
            1 => Just(Op::Reshare),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The incremental component solver equals the reference solver after every re-share,
        /// on random sequences of flow arrivals and departures. Tolerance: 1e-9 relative,
        /// the rounding of a few dozen floating-point additions.
        #[test]
        fn fast_solver_matches_reference(
            caps in proptest::collection::vec(prop_oneof![1.0f64..100.0, Just(10.0), Just(30.0)], 2..9),
            ops in proptest::collection::vec(op(8), 1..160),
        ) {
            let n = caps.len() as u32;
            let mut net = Network::new(caps.clone());
            let mut live: Vec<u32> = vec![];
            let mut next_id = 0u32;
            let mut changed = vec![];
            let check = |net: &Network| -> Result<(), TestCaseError> {
                let snap = net.snapshot();
                let flows: Vec<(u32, u32, f64)> = snap.iter().map(|&(_, s, d, b)| (s, d, b)).collect();
                let want = max_min(&caps, &flows);
                for (k, &(id, ..)) in snap.iter().enumerate() {
                    let got = net.rate(id);
                    prop_assert!((got - want[k]).abs() <= 1e-9 * want[k].max(1.0),
                        "flow {id}: fast {got} vs reference {}", want[k]);
                }
                prop_assert!(net.check_caps(1e-9).is_ok());
                prop_assert!(net.check_fairness(0.0).is_ok(), "{:?}", net.check_fairness(0.0));
                Ok(())
            };
            for o in ops {
                match o {
                    Op::Add(s, d, b) if s < n && d < n => {
                        // Reuse freed ids sometimes, as the simulator does.
                        net.add_flow(next_id, s, d, b);
                        live.push(next_id);
                        next_id += 1;
                    }
                    Op::Add(..) => {}
                    Op::Remove(k) if !live.is_empty() => {
                        let id = live.swap_remove(k % live.len());
                        net.remove_flow(id);
                    }
                    Op::Remove(_) => {}
                    Op::Reshare => { net.reshare(&mut changed); check(&net)?; }
                }
            }
            net.reshare(&mut changed);
            check(&net)?;
        }
    }
}

#[cfg(test)]
mod tolerance_tests {
    use super::super::Network;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]
        /// With a tolerance ε the re-share stops early, and the allocation it keeps is
        /// ε-max-min fair: never above a cap, and every flow has an ε-bottleneck
        /// ([`Network::check_fairness`]) after every re-share.
        #[test]
        fn tolerant_solver_is_feasible_and_approximately_fair(
            caps in proptest::collection::vec(prop_oneof![1.0f64..100.0, Just(10.0), Just(30.0)], 2..9),
            ops in proptest::collection::vec((0u32..8, 0u32..8, any::<bool>(), 0usize..64, 0u8..4), 1..160),
            eps in prop_oneof![Just(1e-3), Just(1e-2), Just(0.1)],
        ) {
            let n = caps.len() as u32;
            let mut net = Network::new(caps.clone());
            net.set_tolerance(eps);
            let mut live: Vec<u32> = vec![];
            let mut next = 0;
            let mut changed = vec![];
            for (s, d, capped, k, what) in ops {
                match what {
                    0 | 1 if s < n && d < n && s != d => {
                        net.add_flow(next, s, d, if capped { 5.0 } else { f64::INFINITY });
                        live.push(next);
                        next += 1;
                    }
                    2 if !live.is_empty() => {
                        let id = live.swap_remove(k % live.len());
                        net.remove_flow(id);
                    }
                    3 => {
                        net.reshare(&mut changed);
                        prop_assert!(net.check_caps(1e-9).is_ok());
                        let fair = net.check_fairness(eps);
                        prop_assert!(fair.is_ok(), "{:?}", fair);
                    }
                    _ => {}
                }
            }
        }
    }
}
