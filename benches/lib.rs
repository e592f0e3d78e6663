//! Criterion benchmarks live in `swarm.rs`; run them with `cargo bench -p swarmsim-benches`.
