//! Fuzz target: `--set` assignments, one per line, parsed (`Override::parse`) and applied
//! to the quickstart scenario. Every line must parse or fail cleanly, and the load must
//! return, never panic, hang or allocate beyond libFuzzer's limits. The same decoding is
//! replayed over the committed corpus by `sim-core/tests/fuzz_loader.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sim_core::scenario::{load_str, Override};

const BASE: &str = include_str!("../../scenarios/quickstart.toml");

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let overrides: Vec<Override> = text
        .lines()
        .take(16)
        .filter_map(|l| Override::parse(l).ok())
        .collect();
    let _ = load_str(BASE, "quickstart.toml", "quickstart", &overrides);
});
