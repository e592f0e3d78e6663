//! The planner's workbench through the binary: `run --baseline`, `compare`, `validate
//! --emit`, the reproducing command in `summary.json`, currencies, and `sweep` / `merge`
//! on the command line (the sweep engine itself is tested in `sim-core/tests/sweep.rs`).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// A 30-peer flash crowd with a price list in euros; runs in milliseconds.
const PRICED: &str = r#"name = "priced"
[simulation]
seed = 3
max_time = "1h"
sample_interval = "1s"
[content]
size = "4MB"
piece_size = "256KiB"
[network]
latency = "10ms"
[origin]
capacity = "40Mbps"
currency = "EUR"
price_per_gb = 0.05
price_per_mbps_month = 2.0
[client]
seed_time = "30s"
[[seeds]]
name = "seed"
count = 1
upload = "20Mbps"
[[classes]]
name = "home"
share = 1.0
upload = "2Mbps"
download = "10Mbps"
[arrivals]
process = "flash-crowd"
peers = 30
at = "0s"
"#;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Work {
    dir: TempDir,
}

impl Work {
    fn new() -> Work {
        let w = Work {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        std::fs::write(w.path("priced.toml"), PRICED).unwrap();
        w
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("swarmsim").expect("binary");
        c.current_dir(self.dir.path()).args(args);
        c
    }
    fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd(args).assert().success().get_output().clone();
        String::from_utf8(out.stdout).unwrap()
    }
    fn fails(&self, args: &[&str]) -> String {
        let out = self.cmd(args).assert().failure().get_output().clone();
        String::from_utf8(out.stderr).unwrap()
    }
    fn json(&self, rel: &str) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.path(rel)).unwrap()).unwrap()
    }
}

#[test]
fn baseline_runs_the_same_audience_without_p2p_and_prints_the_saving() {
    let w = Work::new();
    let text = w.ok(&["run", "priced.toml", "--baseline", "--out", "r"]);
    assert!(
        text.contains("without P2P") && text.contains("with P2P"),
        "{text}"
    );
    assert!(text.contains("saving      origin"), "{text}");
    assert!(text.contains("EUR"), "amounts carry the currency: {text}");
    let with = w.json("r/summary.json");
    let without = w.json("r/baseline.json");
    assert_eq!(without["offload_ratio"], 0.0);
    assert_eq!(without["bytes_from_peers"], 0);
    // Same audience: the same downloads, every byte from the origin.
    assert_eq!(without["peers"], with["peers"]);
    assert_eq!(without["bytes_from_origin"], without["bytes_delivered"]);
    assert!(with["offload_ratio"].as_f64().unwrap() > 0.3, "{with}");
    let (bill_with, bill_without) = (
        with["origin_cost"]["total_cost"].as_f64().unwrap(),
        without["origin_cost"]["total_cost"].as_f64().unwrap(),
    );
    assert!(bill_without > bill_with, "{bill_without} vs {bill_with}");
    assert_eq!(with["origin_cost"]["currency"], "EUR");
}

#[test]
fn compare_puts_two_runs_side_by_side() {
    let w = Work::new();
    w.ok(&["run", "priced.toml", "--quiet", "--out", "a"]);
    w.ok(&[
        "run",
        "priced.toml",
        "--quiet",
        "--out",
        "b",
        "--set",
        "client.policy=http-only",
    ]);
    let text = w.ok(&["compare", "b", "a"]);
    for row in [
        "offload",
        "origin bytes",
        "origin p95 (5-min, billed)",
        "origin bill",
        "download time, p90",
    ] {
        assert!(text.contains(row), "missing {row}: {text}");
    }
    assert!(text.contains("EUR"), "{text}");
    let json: Value = serde_json::from_str(&w.ok(&["compare", "b", "a", "--json"])).unwrap();
    let offload = &json["metrics"][0];
    assert_eq!(offload["metric"], "offload_ratio");
    assert_eq!(offload["a"], 0.0);
    assert!(offload["difference"].as_f64().unwrap() > 0.0);
    // Errors: not a run directory; a sweep directory needs a point.
    let e = w.fails(&["compare", "nowhere", "a"]);
    assert!(e.contains("nowhere: no summary.json"), "{e}");
    let e = w.fails(&["compare", "a#x", "b"]);
    assert!(e.contains("expected DIR#N"), "{e}");
}

#[test]
fn summary_records_overrides_and_a_command_that_reproduces_the_run() {
    let w = Work::new();
    w.ok(&[
        "run",
        "priced.toml",
        "--quiet",
        "--out",
        "r",
        "--seed",
        "9",
        "--set",
        "protocol.upload_slots=3",
        "--set",
        "classes.0.upload=3Mbps",
    ]);
    let s = w.json("r/summary.json");
    assert_eq!(
        s["overrides"],
        serde_json::json!(["protocol.upload_slots=3", "classes[0].upload=3Mbps"])
    );
    let command = s["command"].as_str().unwrap();
    assert_eq!(
        command,
        "swarmsim run priced.toml --seed 9 --set protocol.upload_slots=3 --set classes.0.upload=3Mbps"
    );
    // Run the recorded command (its words need no shell here) and compare digests.
    let mut words: Vec<&str> = command.split(' ').skip(1).collect();
    words.extend(["--quiet", "--out", "again"]);
    w.ok(&words);
    assert_eq!(w.json("again/summary.json")["digest"], s["digest"]);
}

#[test]
fn validate_emit_writes_a_scenario_that_reproduces_the_run() {
    let w = Work::new();
    let sets = [
        "--set",
        "arrivals.peers=20",
        "--set",
        "protocol.upload_slots=2",
    ];
    let mut args = vec!["validate", "priced.toml", "--emit", "emitted.toml"];
    args.extend(sets);
    w.ok(&args);
    let emitted = std::fs::read_to_string(w.path("emitted.toml")).unwrap();
    assert!(emitted.starts_with("# Emitted by swarmsim"), "{emitted}");
    assert!(emitted.contains("--set arrivals.peers=20"), "{emitted}");
    w.ok(&["run", "emitted.toml", "--quiet", "--out", "e"]);
    let mut args = vec!["run", "priced.toml", "--quiet", "--out", "o"];
    args.extend(sets);
    w.ok(&args);
    let (e, o) = (w.json("e/summary.json"), w.json("o/summary.json"));
    assert_eq!(e["digest"], o["digest"]);
    assert_eq!(e["scenario_hash"], o["scenario_hash"]);
    // An invalid scenario emits nothing.
    let e = w.fails(&[
        "validate",
        "priced.toml",
        "--set",
        "arrivals.peers=-1",
        "--emit",
        "bad.toml",
    ]);
    assert!(e.contains("arrivals.peers"), "{e}");
    assert!(!w.path("bad.toml").exists());
}

#[test]
fn a_currency_must_be_an_iso_code() {
    let w = Work::new();
    let e = w.fails(&["validate", "priced.toml", "--set", "origin.currency=euro"]);
    assert!(
        e.contains("origin.currency") && e.contains("ISO 4217"),
        "{e}"
    );
    let text = w.ok(&["validate", "priced.toml"]);
    assert!(text.contains("0.05 EUR"), "{text}");
}

#[test]
fn sweep_and_merge_on_the_command_line() {
    let w = Work::new();
    let tiny = root().join("sim-core/tests/sweeps/tiny.toml");
    let tiny = tiny.to_str().unwrap();
    let out = w.ok(&["sweep", tiny, "--jobs", "2", "--out", "whole"]);
    assert!(out.contains("4 points × 3 replications = 12 runs"), "{out}");
    for (i, dir) in ["s1", "s2"].iter().enumerate() {
        let shard = format!("{}/2", i + 1);
        w.ok(&["sweep", tiny, "--shard", &shard, "--out", dir, "--quiet"]);
    }
    w.ok(&["merge", "s1", "s2", "--out", "merged"]);
    for f in ["runs.csv", "points.csv"] {
        assert_eq!(
            std::fs::read(w.path("whole").join(f)).unwrap(),
            std::fs::read(w.path("merged").join(f)).unwrap(),
            "{f}"
        );
    }
    // A resumed sweep skips what is recorded.
    let again = w.ok(&["sweep", tiny, "--out", "whole"]);
    assert!(again.contains("12 already recorded, skipped"), "{again}");
    // Bad input: clear errors, nothing written.
    let e = w.fails(&["sweep", tiny, "--shard", "3/2", "--out", "bad"]);
    assert!(e.contains("expected I/N with 1 ≤ I ≤ N"), "{e}");
    let e = w.fails(&["sweep", tiny, "--jobs", "0", "--out", "bad"]);
    assert!(e.contains("--jobs 0"), "{e}");
    let e = w.fails(&["merge", "s1", "--out", "bad"]);
    assert!(e.contains("runs are missing"), "{e}");
    assert!(!w.path("bad").exists());
    // The emitted Slurm script runs the shards with the array index.
    let script = w.ok(&["sweep", tiny, "--emit-slurm", "4", "--out", "cluster"]);
    assert!(script.contains("#SBATCH --array=1-4"), "{script}");
    assert!(
        script.contains("--shard \"$SLURM_ARRAY_TASK_ID\"/4"),
        "{script}"
    );
    assert!(!w.path("cluster").exists(), "emitting writes nothing");
}
