//! Closed-form ground truth the simulator is validated against. Every formula, its source,
//! and the tests that check the simulator against it: `docs/validation.md`.

use crate::scenario::{Arrivals, Scenario};

/// Server-only delivery (docs/validation.md#server-only-delivery): N clients, file
/// `file_bits`, server upload `server_bps`, slowest client download `d_min_bps`, all at
/// t = 0: makespan = max(N·F/u_s, F/d_min), in seconds.
pub fn server_only_makespan_s(n: u64, file_bits: f64, server_bps: f64, d_min_bps: f64) -> f64 {
    (n as f64 * file_bits / server_bps).max(file_bits / d_min_bps)
}

/// Kumar–Ross minimum distribution time (Kumar & Ross, "Peer-Assisted File Distribution:
/// The Minimum Distribution Time", IEEE HotWeb 2006;
/// docs/validation.md#kumar-ross-minimum-distribution-time), in seconds:
/// max{ F/u_s, F/d_min, N·F/(u_s + Σ u_i) }.
pub fn kumar_ross_s(
    n: u64,
    file_bits: f64,
    server_bps: f64,
    d_min_bps: f64,
    sum_peer_up_bps: f64,
) -> f64 {
    (file_bits / server_bps)
        .max(file_bits / d_min_bps)
        .max(n as f64 * file_bits / (server_bps + sum_peer_up_bps))
}

/// Equal-upload optimum of Mundinger, Weber and Weiss ("Optimal scheduling of peer-to-peer
/// file dissemination", J. Scheduling 11, 2008), in seconds: one seed and `n` leechers, all
/// with upload `up_bps`, a file of `file_bits` in `pieces` equal pieces, downloads
/// unconstrained, no origin. In units of one piece upload (F/(M·u)) the minimum makespan is
/// M + ⌊log₂ N⌋ (the seed must send M pieces; the last one then needs ⌊log₂ N⌋ doublings to
/// reach everyone), i.e. T* = (1 + ⌊log₂ N⌋/M)·F/u. It is at least the Kumar–Ross bound
/// (F/u here) and equals it as M → ∞.
pub fn equal_upload_optimum_s(n: u64, pieces: u64, file_bits: f64, up_bps: f64) -> f64 {
    assert!(n >= 1 && pieces >= 1, "need a leecher and a piece");
    let log2_n = (63 - n.leading_zeros()) as f64; // ⌊log₂ N⌋
    (1.0 + log2_n / pieces as f64) * file_bits / up_bps
}

/// The Kumar–Ross bound of content `k` of a scenario when it arrives as a flash crowd, in
/// seconds after the crowd arrives; `None` for other arrival processes and empty crowds. The server upload
/// u_s is the origin capacity (all of it: a lower bound must allow the content the whole
/// origin) plus the uploads of the initial seeds of that content; `peer_caps` are its
/// leechers' actual (upload, download) caps in bits/s, as drawn for this run.
pub fn scenario_kumar_ross_s(s: &Scenario, k: usize, peer_caps: &[(f64, f64)]) -> Option<f64> {
    let content = &s.contents[k];
    let Arrivals::FlashCrowd { peers, .. } = content.arrivals else {
        return None;
    };
    if peers == 0 {
        return None;
    }
    let file_bits = content.size_bytes as f64 * 8.0;
    let server_bps = s.origin.capacity_bps as f64
        + s.seeds
            .iter()
            .filter(|g| g.content as usize == k)
            .map(|g| g.count as f64 * g.upload_bps as f64)
            .sum::<f64>();
    let d_min = peer_caps
        .iter()
        .map(|&(_, d)| d)
        .fold(f64::INFINITY, f64::min);
    let sum_up: f64 = peer_caps.iter().map(|&(u, _)| u).sum();
    Some(kumar_ross_s(
        peers as u64,
        file_bits,
        server_bps,
        d_min,
        sum_up,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas() {
        // 10 clients, 80 Mbit file, 100 Mbps server, 50 Mbps clients: 8 s.
        assert_eq!(server_only_makespan_s(10, 80e6, 100e6, 50e6), 8.0);
        assert_eq!(server_only_makespan_s(1, 80e6, 100e6, 50e6), 1.6);
        // With 10 × 10 Mbps of peer upload: max(0.8, 1.6, 800/200 = 4).
        assert_eq!(kumar_ross_s(10, 80e6, 100e6, 50e6, 100e6), 4.0);
        // One leecher: the seed sends the M pieces, F/u. Two leechers, one piece: 2 F/u.
        assert_eq!(equal_upload_optimum_s(1, 8, 80e6, 10e6), 8.0);
        assert_eq!(equal_upload_optimum_s(2, 1, 80e6, 10e6), 16.0);
        // N = 100: ⌊log₂ 100⌋ = 6; M = 4: (1 + 6/4)·8 s = 20 s. N = 64 → 6, N = 63 → 5.
        assert_eq!(equal_upload_optimum_s(100, 4, 80e6, 10e6), 20.0);
        assert_eq!(equal_upload_optimum_s(64, 6, 80e6, 10e6), 16.0);
        assert_eq!(equal_upload_optimum_s(63, 5, 80e6, 10e6), 16.0);
    }
}
