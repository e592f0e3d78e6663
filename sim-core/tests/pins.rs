//! Regressions are caught: the digest and headline figures of every shipped scenario
//! (`scenarios/**/*.toml`, seed as in the file) are pinned in `tests/pins/shipped.json`.
//!
//! A change that moves any of them must update the pins deliberately:
//! 1. run `SWARMSIM_UPDATE_PINS=1 cargo test -p sim-core --test pins` to rewrite the file;
//! 2. add a line to `CHANGELOG.md` that says what moved and why, ending with the new
//!    `pins <hash>` this test prints (the FNV-1a hash of the pins file), so that a pin
//!    file nobody explained fails the suite.
//!
//! Scenarios too big to run in the test suite (the speed benchmarks of `scenarios/bench/`:
//! 100,000 and 1,000,000 peers, a week of churn, 16,000 pieces) say so on their first
//! line: `# pins: skip (reason)`. They are not run nor pinned here, but
//! `skipped_scenarios_still_load` loads and resolves every one of them (with its resource
//! estimate), so they stay valid as the scenario format changes; `results/bench/run.sh`
//! runs them and records their figures in `results/bench/README.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The marker a scenario's first line starts with to be left out of the pins run.
const SKIP_MARKER: &str = "# pins: skip (";

/// Whether the scenario at `rel` (relative to `scenarios/`) is marked `# pins: skip (...)`
/// on its first line, with a reason in the parentheses.
fn skipped(rel: &str) -> bool {
    let text = std::fs::read_to_string(root().join("scenarios").join(rel)).unwrap();
    let first = text.lines().next().unwrap_or("");
    let marked = first.starts_with(SKIP_MARKER);
    assert!(
        !marked || first.trim_end().ends_with(')') && first.len() > SKIP_MARKER.len() + 1,
        "{rel}: a pins skip marker needs a reason: `# pins: skip (why)`"
    );
    marked
}

/// Every scenario file shipped under `scenarios/`, sorted, as paths relative to it.
fn shipped() -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, base, out);
            } else if p.extension().is_some_and(|e| e == "toml") {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy();
                out.push(rel.replace('\\', "/"));
            }
        }
    }
    let base = root().join("scenarios");
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out
}

/// The pinned figures of one run.
fn headline(out: &sim_core::RunOutput) -> Value {
    let s = &out.summary;
    json!({
        "digest": s.digest,
        "events": s.events,
        "peers": s.downloads.peers,
        "completed_downloads": s.downloads.completed_downloads,
        "abandoned_downloads": s.downloads.abandoned_downloads,
        "bytes_from_origin": s.downloads.bytes_from_origin,
        "bytes_from_peers": s.downloads.bytes_from_peers,
        "offload_ratio": s.downloads.offload_ratio,
        "origin_p95_5min_bps": s.origin_cost.p95_5min_bps,
        "origin_bill": s.origin_cost.total_cost,
        "download_p50_s": s.downloads.download_time_s.p50,
        "download_p90_s": s.downloads.download_time_s.p90,
        "makespan_s": s.makespan_s,
        "sim_duration_s": s.sim_duration_s,
    })
}

/// FNV-1a of the pins file's text, as CHANGELOG.md must quote it.
fn pins_hash(text: &str) -> String {
    let mut d = sim_core::digest::Digest::default();
    d.add_bytes(text.as_bytes());
    d.hex()
}

#[test]
fn skipped_scenarios_still_load() {
    let files: Vec<String> = shipped().into_iter().filter(|f| skipped(f)).collect();
    assert!(
        files.iter().any(|f| f == "bench/flash-1m.toml"),
        "the 1M-peer benchmark is expected among the skipped scenarios: {files:?}"
    );
    for rel in &files {
        let path = root().join("scenarios").join(rel);
        let s = sim_core::scenario::load_file(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
        let e = sim_core::estimate::Estimate::of(&s);
        assert!(e.peers > 0.0 && e.events > 0.0, "{rel}: {e:?}");
    }
}

#[test]
fn shipped_scenarios_match_their_pins() {
    let files: Vec<String> = shipped().into_iter().filter(|f| !skipped(f)).collect();
    let got: BTreeMap<String, Value> = files
        .par_iter()
        .map(|rel| {
            let path = root().join("scenarios").join(rel);
            let s = sim_core::scenario::load_file(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
            (rel.clone(), headline(&sim_core::run(&s)))
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&got).unwrap();
    text.push('\n');
    let pins_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pins/shipped.json");
    if std::env::var_os("SWARMSIM_UPDATE_PINS").is_some() {
        std::fs::create_dir_all(pins_path.parent().unwrap()).unwrap();
        std::fs::write(&pins_path, &text).unwrap();
        println!(
            "pins rewritten; add to CHANGELOG.md what moved and why, ending with: pins {}",
            pins_hash(&text)
        );
        return;
    }
    let pinned_text = std::fs::read_to_string(&pins_path).unwrap_or_default();
    let pinned: BTreeMap<String, Value> = serde_json::from_str(&pinned_text).unwrap_or_default();
    let mut moved = Vec::new();
    for (name, now) in &got {
        match pinned.get(name) {
            None => moved.push(format!("{name}: not pinned")),
            Some(was) if was != now => {
                for (k, v) in now.as_object().unwrap() {
                    if was.get(k) != Some(v) {
                        moved.push(format!(
                            "{name}: {k} {} -> {v}",
                            was.get(k).unwrap_or(&Value::Null)
                        ));
                    }
                }
            }
            Some(_) => {}
        }
    }
    for name in pinned.keys().filter(|k| !got.contains_key(*k)) {
        moved.push(format!("{name}: pinned but no longer shipped"));
    }
    assert!(
        moved.is_empty(),
        "shipped scenarios moved from their pins:\n  {}\nIf the change is deliberate: \
         SWARMSIM_UPDATE_PINS=1 cargo test -p sim-core --test pins, then a CHANGELOG.md line \
         saying what moved and why",
        moved.join("\n  ")
    );
    let changelog = std::fs::read_to_string(root().join("CHANGELOG.md")).unwrap_or_default();
    let want = format!("pins {}", pins_hash(&pinned_text));
    assert!(
        changelog.contains(&want),
        "CHANGELOG.md does not explain the current pins: add a line saying what moved and \
         why, ending with `{want}`"
    );
}
