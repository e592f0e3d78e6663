//! Fuzz target: the scenario loader on arbitrary text. It must return (a scenario or an
//! error), never panic, hang or allocate beyond libFuzzer's limits. The same decoding is
//! replayed over the committed corpus by `sim-core/tests/fuzz_loader.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = sim_core::scenario::load_str(&text, "fuzz.toml", "fuzz", &[]);
});
