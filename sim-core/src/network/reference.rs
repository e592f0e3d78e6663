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

#[cfg(test)]
mod lazy_tests {
    use super::super::Network;
    use proptest::prelude::*;

    /// An origin (resource 0) shared by many clients, as in a flash crowd: each client has a
    /// download link (1..=n) and an upload link (n+1..=2n); the origin's flows are capped
    /// per connection, peer flows are not.
    fn crowd(clients: u32, origin_bps: f64, down_bps: &[f64], up_bps: &[f64]) -> Network {
        let mut caps = vec![origin_bps];
        caps.extend((0..clients).map(|i| down_bps[i as usize % down_bps.len()]));
        caps.extend((0..clients).map(|i| up_bps[i as usize % up_bps.len()]));
        Network::new(caps)
    }

    #[test]
    fn departures_from_a_crowded_origin_move_no_other_rate() {
        // 5,000 flows of 0.2 bps share an origin of 1,000 bps; ε = 1e-3 allows 1 bps idle.
        let n = 5000;
        let mut net = crowd(n, 1000.0, &[10.0], &[1.0]);
        net.set_tolerance(1e-3);
        for i in 0..n {
            net.add_flow(i, 0, 1 + i, 20.0);
        }
        let mut changed = vec![];
        net.reshare(&mut changed);
        assert_eq!(changed.len(), n as usize);
        assert!((net.rate(7) - 0.2).abs() < 1e-9);
        // One departure leaves 0.2 bps idle, within the tolerance: nothing moves.
        net.remove_flow(0);
        changed.clear();
        net.reshare(&mut changed);
        assert!(changed.is_empty(), "{} flows moved", changed.len());
        net.check_fairness(1e-3).unwrap();
        // The client's next request takes the freed capacity, at the others' rate.
        net.add_flow(0, 0, 1, 20.0);
        changed.clear();
        net.reshare(&mut changed);
        assert_eq!(changed, vec![0]);
        assert!((net.rate(0) - 0.2).abs() < 1e-9);
        // Departures without replacement: once more than 1 bps is idle, all re-share.
        let mut moved = 0;
        for i in 0..10 {
            net.remove_flow(i);
            changed.clear();
            net.reshare(&mut changed);
            moved += changed.len();
            net.check_fairness(1e-3).unwrap();
            net.check_caps(1e-9).unwrap();
            net.check_totals().unwrap();
        }
        assert!(moved >= (n - 10) as usize, "only {moved} rates moved");
        assert!(net.rate(100) > 0.2);
    }

    #[test]
    fn a_pinned_flow_regaining_room_moves_about_two_over_eps_rates() {
        // 10,000 flows of 1 bps fill an origin of 10,000 bps; client 0's origin flow is held
        // below that by 20 peer flows sharing its 10 bps download link.
        let n = 10_000;
        let eps = 1e-3;
        let mut net = crowd(n, 10_000.0, &[10.0], &[10.0]);
        net.set_tolerance(eps);
        for i in 0..n {
            net.add_flow(i, 0, 1 + i, 20.0);
        }
        for k in 0..20 {
            net.add_flow(n + k, 1 + n + 1 + k, 1, f64::INFINITY);
        }
        let mut changed = vec![];
        net.reshare(&mut changed);
        net.check_fairness(eps).unwrap();
        assert!((net.rate(0) - 10.0 / 21.0).abs() < 1e-6, "{}", net.rate(0));
        // The peers leave: the origin flow should grow to the others' rate, which must
        // yield. Within ε only about 2/ε of them give way (to (1 + ε/2)⁻¹ of their rate),
        // not all 10,000.
        for k in 0..20 {
            net.remove_flow(n + k);
        }
        changed.clear();
        net.reshare(&mut changed);
        net.check_caps(1e-9).unwrap();
        net.check_fairness(eps).unwrap();
        net.check_totals().unwrap();
        assert!(
            net.rate(0) * (1.0 + eps) >= net.rate(5000),
            "{}",
            net.rate(0)
        );
        assert!(changed.len() < 1500, "{} rates moved", changed.len());
        assert!(changed.len() > 500, "{} rates moved", changed.len());
    }

    #[test]
    fn exact_mode_reshares_every_departure() {
        let n = 200;
        let mut net = crowd(n, 100.0, &[10.0], &[1.0]);
        for i in 0..n {
            net.add_flow(i, 0, 1 + i, 20.0);
        }
        let mut changed = vec![];
        net.reshare(&mut changed);
        net.remove_flow(0);
        changed.clear();
        net.reshare(&mut changed);
        assert_eq!(changed.len(), n as usize - 1);
        net.check_fairness(0.0).unwrap();
    }

    #[derive(Debug, Clone)]
    enum Op {
        /// An origin request of client `c`, capped at the per-connection rate or not.
        Origin(u32, bool),
        /// A peer flow from client `a` to client `b`.
        Peer(u32, u32),
        /// End the k-th live flow.
        End(usize),
        Reshare,
    }

    fn op(clients: u32) -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0..clients, any::<bool>()).prop_map(|(c, capped)| Op::Origin(c, capped)),
            3 => (0..clients, 0..clients).prop_map(|(a, b)| Op::Peer(a, b)),
            4 => (0usize..4096).prop_map(Op::End),
            2 => Just(Op::Reshare),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        /// A crowded origin coupled to saturated download and upload links, with lazy
        /// arrivals and departures: after every re-share no link is above capacity, the
        /// allocation is ε-max-min fair, and the running totals match the rates.
        #[test]
        fn lazy_crowd_is_feasible_and_approximately_fair(
            clients in 20u32..400,
            origin in prop_oneof![Just(100.0), 10.0f64..1000.0],
            down in proptest::collection::vec(prop_oneof![Just(8.0), Just(12.0), 0.5f64..30.0], 1..4),
            up in proptest::collection::vec(prop_oneof![Just(1.0), Just(30.0), 0.1f64..30.0], 1..4),
            start in 0u32..400,
            ops in proptest::collection::vec(op(400), 1..400),
            eps in prop_oneof![Just(1e-3), Just(1e-2), Just(0.1)],
        ) {
            let mut net = crowd(clients, origin, &down, &up);
            net.set_tolerance(eps);
            let mut live: Vec<u32> = vec![];
            let mut next = 0;
            let mut changed = vec![];
            // A crowd already downloading from the origin.
            for c in 0..start.min(clients) {
                net.add_flow(next, 0, 1 + c, 2.0);
                live.push(next);
                next += 1;
            }
            net.reshare(&mut changed);
            for o in ops {
                match o {
                    Op::Origin(c, capped) => {
                        let cap = if capped { 2.0 } else { f64::INFINITY };
                        net.add_flow(next, 0, 1 + c % clients, cap);
                        live.push(next);
                        next += 1;
                    }
                    Op::Peer(a, b) if a % clients != b % clients => {
                        net.add_flow(next, 1 + clients + a % clients, 1 + b % clients, f64::INFINITY);
                        live.push(next);
                        next += 1;
                    }
                    Op::Peer(..) => {}
                    Op::End(k) if !live.is_empty() => {
                        let id = live.swap_remove(k % live.len());
                        net.remove_flow(id);
                    }
                    Op::End(_) => {}
                    Op::Reshare => {
                        changed.clear();
                        net.reshare(&mut changed);
                        prop_assert!(net.check_caps(1e-9).is_ok(), "{:?}", net.check_caps(1e-9));
                        let fair = net.check_fairness(eps);
                        prop_assert!(fair.is_ok(), "{:?}", fair);
                        prop_assert!(net.check_totals().is_ok(), "{:?}", net.check_totals());
                    }
                }
            }
        }
    }
}
