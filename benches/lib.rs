//! Criterion benchmarks live in `swarm.rs`; run them with `cargo bench -p swarmsim-benches`.
//! The instruction-count speed guard that CI runs is the `swarmsim-instructions` binary
//! (`instructions.rs`; `cargo run --release -p swarmsim-benches --bin swarmsim-instructions -- check`).
