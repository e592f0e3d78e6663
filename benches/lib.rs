//! Criterion benchmarks live in `swarm.rs`; run them with `cargo bench -p swarmsim-benches`.
//! The instruction-count speed guard that CI runs is the `swarmsim-instructions` binary
//! (`instructions.rs`; `cargo run --release -p swarmsim-benches --bin swarmsim-instructions -- check`).
//!
//! This library holds what both use: scenarios with overrides, and the busy network of the
//! re-share workloads.

use sim_core::network::Network;
use sim_core::rng::splitmix64;
use sim_core::scenario::{load_str, Override, Scenario};

/// A shipped scenario's `text` (named `file` in errors, `name` when it sets none) with
/// `(key.path, value)` overrides.
pub fn with_sets(text: &str, file: &str, name: &str, sets: &[(&str, &str)]) -> Scenario {
    let sets: Vec<Override> = sets
        .iter()
        .map(|(path, value)| Override {
            path: path.to_string(),
            value: value.to_string(),
        })
        .collect();
    load_str(text, file, name, &sets).unwrap_or_else(|e| panic!("{e}"))
}

/// Hosts of the re-share workloads (each an upload and a download link).
pub const HOSTS: u32 = 1_000;
/// Flows of the re-share workloads: five uploads per host on average, the size of a swarm
/// with four regular and one optimistic unchoke slot per peer.
pub const FLOWS: u32 = 5_000;

/// The `i`-th draw of a fixed pseudo-random sequence, below `n`.
pub fn draw(i: u64, n: u32) -> u32 {
    (splitmix64(i) % n as u64) as u32
}

/// Flow endpoints `(upload link of a, download link of b)` with `a != b`; resource `2h` is
/// host h's upload link and `2h + 1` its download link.
pub fn random_pair(i: u64) -> (u32, u32) {
    let a = draw(2 * i, HOSTS);
    let b = (a + 1 + draw(2 * i + 1, HOSTS - 1)) % HOSTS;
    (2 * a, 2 * b + 1)
}

/// [`HOSTS`] hosts with the access links of the quickstart mix (uploads 1 or 30 Mbps,
/// downloads 8 to 30 Mbps) carrying [`FLOWS`] random flows (ids `0..FLOWS`, endpoints
/// `random_pair(id)`), shared once.
pub fn busy_network() -> Network {
    let caps: Vec<f64> = (0..HOSTS)
        .flat_map(|h| {
            let (up, down) = match draw((1 << 40) | u64::from(h), 100) {
                0..=36 => (30e6, 30e6),
                37..=85 => (1e6, 12e6),
                _ => (1e6, 8e6),
            };
            [up, down]
        })
        .collect();
    let mut net = Network::new(caps);
    for f in 0..FLOWS {
        let (src, dst) = random_pair(u64::from(f));
        net.add_flow(f, src, dst, f64::INFINITY);
    }
    let mut changed = Vec::new();
    net.reshare(&mut changed);
    net
}
