//! End-to-end tests of the `swarmsim` binary: result files, determinism through the CLI,
//! `--set`/`--seed`/`--quiet`, error messages and exit codes, and the shipped scenarios.
//!
//! Runs use [`TINY`], a 30-peer flash crowd that simulates in a few milliseconds, written
//! into a fresh temporary directory per test. Commands run with that directory as their
//! working directory and name the scenario by a relative path, so error messages start with
//! exactly `FILE:LINE: key.path: ...` and can be asserted as such.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

/// A 30-peer flash crowd on a 2 MB file: 8 pieces, one seed, one class of peers.
const TINY: &str = r#"# tiny: the CLI tests' scenario; runs in milliseconds.
name = "tiny"

[simulation]
seed = 1
max_time = "1h"
sample_interval = "1s"

[content]
size = "2MB"
piece_size = "256KiB"

[network]
latency = "10ms"

[origin]
capacity = "20Mbps"

[protocol]
upload_slots = 4

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

const SUMMARY_KEYS: &[&str] = &[
    "scenario",
    "seed",
    "version",
    "scenario_hash",
    "digest",
    "peers",
    "completed_downloads",
    "bytes_from_origin",
    "bytes_from_peers",
    "offload_ratio",
    "origin_peak_instant_bps",
    "origin_peak_sample_bps",
    "origin_p95_sample_bps",
    "unfinished_downloads",
    "abandoned_downloads",
    "download_time_s",
    "sim_duration_s",
    "events",
];
const DOWNLOAD_TIME_KEYS: &[&str] = &["mean", "p50", "p90", "p99", "max"];
const PERF_KEYS: &[&str] = &["wall_time_s", "events_per_s", "peak_rss_bytes"];
const TIMESERIES_HEADER: &str =
    "time_s,origin_bytes,peer_bytes,origin_bps,peer_bps,active_leechers,active_seeds,cumulative_offload";
const OUTPUTS: &[&str] = &[
    "summary.json",
    "timeseries.csv",
    "peers.csv",
    "summary.svg",
    "perf.json",
];

/// The result files of a run, sorted as [`entries`] lists them.
fn outputs() -> Vec<String> {
    let mut v: Vec<String> = OUTPUTS.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// A temporary working directory holding scenario files.
struct Work {
    dir: TempDir,
}

impl Work {
    fn new() -> Work {
        Work {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Working directory with `TINY` written as `tiny.toml`.
    fn with_tiny() -> Work {
        let w = Work::new();
        w.write("tiny.toml", TINY);
        w
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).expect("write scenario");
    }

    /// `swarmsim ARGS...` run in this directory.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("swarmsim").expect("swarmsim binary");
        c.current_dir(self.dir.path()).args(args);
        c
    }

    /// Runs `swarmsim ARGS...`, asserts success, returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd(args).assert().success().get_output().clone();
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    fn json(&self, rel: &str) -> Value {
        serde_json::from_str(&self.read(rel)).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"))
    }
}

/// `TINY` with `from` replaced by `to`; `from` must occur exactly once.
fn tiny_with(from: &str, to: &str) -> String {
    assert_eq!(TINY.matches(from).count(), 1, "{from:?} must occur once");
    TINY.replacen(from, to, 1)
}

/// 1-based number of the line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the scenario"))
        + 1
}

/// Names of the entries of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read dir {}: {e}", dir.display()))
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Runs `swarmsim run SCENARIO ARGS... --out <empty dir>` and asserts that it fails with
/// exit code 2, prints `Error:` and every piece of `expected` on stderr, nothing on stdout,
/// and leaves the output directory empty.
fn assert_run_fails(w: &Work, scenario: &str, args: &[&str], expected: &[&str]) -> String {
    let out_dir = w.path("out-of-failed-run");
    std::fs::create_dir_all(&out_dir).expect("create out dir");
    let out_arg = out_dir.to_str().expect("utf-8 path");
    let mut all = vec!["run", scenario];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out_arg]);
    let output = w
        .cmd(&all)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .get_output()
        .clone();
    let stderr = String::from_utf8(output.stderr).expect("utf-8 stderr");
    assert!(stderr.starts_with("Error: "), "stderr: {stderr}");
    for piece in expected {
        assert!(
            stderr.contains(piece),
            "stderr should contain {piece:?}; stderr: {stderr}"
        );
    }
    assert_eq!(
        entries(&out_dir),
        Vec::<String>::new(),
        "a failed run wrote into its output directory"
    );
    stderr
}

// ---------------------------------------------------------------------------------------
// run: result files

#[test]
fn run_writes_every_result_file() {
    let w = Work::with_tiny();
    let stdout = w.ok(&["run", "tiny.toml", "--out", "out"]);

    assert_eq!(entries(&w.path("out")), outputs(), "no temp files left");

    let summary = w.json("out/summary.json");
    for key in SUMMARY_KEYS {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    assert!(summary["download_time_s"]["count"].is_u64());
    for key in DOWNLOAD_TIME_KEYS {
        assert!(
            summary["download_time_s"][key].is_f64(),
            "summary.json lacks download_time_s.{key}"
        );
    }
    assert_eq!(summary["scenario"], "tiny");
    assert_eq!(summary["seed"], 1);
    assert_eq!(summary["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(summary["peers"], 30);
    assert_eq!(summary["completed_downloads"], 30, "{summary:#}");
    let offload = summary["offload_ratio"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&offload), "{summary:#}");
    assert!(summary["events"].as_u64().unwrap() > 0);
    let digest = summary["digest"].as_str().unwrap();
    assert_eq!(digest.len(), 16, "digest {digest}");

    let perf = w.json("out/perf.json");
    for key in PERF_KEYS {
        assert!(perf[key].is_number(), "perf.json lacks {key}: {perf:#}");
    }

    let csv = w.read("out/timeseries.csv");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(TIMESERIES_HEADER));
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty(), "timeseries.csv has no rows");
    let mut origin_bytes = 0u64;
    for row in rows {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells.len(), 8, "row {row:?}");
        origin_bytes += cells[1].parse::<u64>().unwrap();
    }
    // The time series counts every origin byte once.
    assert_eq!(origin_bytes, summary["bytes_from_origin"].as_u64().unwrap());

    // peers.csv: one row per leecher, whose byte columns add up to the summary's.
    let csv = w.read("out/peers.csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len() as u64, summary["peers"].as_u64().unwrap());
    let total = |name: &str| -> u64 {
        rows.iter()
            .map(|r| r[col(name)].parse::<u64>().unwrap())
            .sum()
    };
    assert_eq!(
        total("bytes_from_origin"),
        summary["bytes_from_origin"].as_u64().unwrap()
    );
    assert_eq!(
        total("bytes_from_peers"),
        summary["bytes_from_peers"].as_u64().unwrap()
    );
    assert!(rows
        .iter()
        .all(|r| r[col("content")] == "tiny" && r[col("class")] == "home"));

    // The human summary names the digest and where the files went.
    assert!(stdout.contains(digest), "stdout: {stdout}");
    assert!(stdout.contains("summary.json"), "stdout: {stdout}");
}

/// The byte accounting of `summary.json` as the CLI writes it: every completed leecher
/// received at least the whole file, and received bytes are all useful, wasted or held.
#[test]
fn run_summary_accounts_for_every_byte() {
    let w = Work::with_tiny();
    w.ok(&["run", "tiny.toml", "--out", "out", "--quiet"]);
    let s = w.json("out/summary.json");
    let u = |v: &Value| v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"));
    let c = &s["conservation"];
    let delivered = u(&s["bytes_from_origin"]) + u(&s["bytes_from_peers"]);
    assert_eq!(delivered, u(&s["bytes_delivered"]), "{s:#}");
    assert_eq!(
        u(&c["useful_bytes"]) + u(&c["wasted_bytes"]) + u(&c["held_partial_bytes"]),
        u(&c["received_bytes"]),
        "received bytes not all accounted for \
         (reproduce: swarmsim run tiny.toml, TINY in bin/tests/cli.rs):\n{s:#}"
    );
    assert!(
        delivered >= u(&s["completed_downloads"]) * 2_000_000,
        "completed leechers received less than the file \
         (reproduce: swarmsim run tiny.toml, TINY in bin/tests/cli.rs):\n{s:#}"
    );
}

#[test]
fn run_without_out_writes_into_results_scenario_stem() {
    let w = Work::with_tiny();
    w.ok(&["run", "tiny.toml", "--quiet"]);
    assert_eq!(entries(&w.path("results/tiny")), outputs());
}

#[test]
fn run_overwrites_previous_results() {
    let w = Work::with_tiny();
    w.ok(&["run", "tiny.toml", "--out", "out", "--quiet"]);
    w.ok(&[
        "run",
        "tiny.toml",
        "--out",
        "out",
        "--quiet",
        "--set",
        "arrivals.peers=7",
    ]);
    assert_eq!(w.json("out/summary.json")["peers"], 7);
    assert_eq!(entries(&w.path("out")), outputs());
}

// ---------------------------------------------------------------------------------------
// run: determinism, --seed, --set, --quiet

#[test]
fn same_seed_gives_byte_identical_files_and_another_seed_another_digest() {
    let w = Work::with_tiny();
    w.ok(&["run", "tiny.toml", "--out", "a", "--quiet"]);
    w.ok(&["run", "tiny.toml", "--out", "b", "--quiet"]);
    for file in ["summary.json", "timeseries.csv", "peers.csv", "summary.svg"] {
        assert_eq!(
            w.read(&format!("a/{file}")),
            w.read(&format!("b/{file}")),
            "{file} differs between two runs of the same seed \
             (reproduce: swarmsim run tiny.toml --out a; swarmsim run tiny.toml --out b)"
        );
    }

    w.ok(&["run", "tiny.toml", "--out", "c", "--quiet", "--seed", "2"]);
    let a = w.json("a/summary.json");
    let c = w.json("c/summary.json");
    assert_eq!(c["seed"], 2);
    assert_ne!(a["digest"], c["digest"], "seed 2 gave seed 1's digest");
    assert_eq!(
        a["scenario_hash"].as_str().map(str::len),
        Some(16),
        "scenario_hash: {a:#}"
    );
}

#[test]
fn set_and_seed_override_the_file() {
    let w = Work::with_tiny();
    w.ok(&[
        "run",
        "tiny.toml",
        "--out",
        "out",
        "--quiet",
        "--set",
        "arrivals.peers=10",
        "--seed",
        "5",
    ]);
    let s = w.json("out/summary.json");
    assert_eq!(s["peers"], 10);
    assert_eq!(s["completed_downloads"], 10);
    assert_eq!(s["seed"], 5);
}

#[test]
fn seed_flag_wins_over_set_simulation_seed() {
    let w = Work::with_tiny();
    w.ok(&[
        "run",
        "tiny.toml",
        "--out",
        "out",
        "--quiet",
        "--seed",
        "5",
        "--set",
        "simulation.seed=3",
    ]);
    assert_eq!(w.json("out/summary.json")["seed"], 5);
}

#[test]
fn set_accepts_indexed_paths_and_keys_absent_from_the_file() {
    let w = Work::with_tiny();
    let stdout = w.ok(&[
        "validate",
        "tiny.toml",
        "--set",
        "classes.0.upload=3Mbps",
        "--set",
        "classes[0].download=20Mbps",
        "--set",
        "origin.per_connection=5Mbps",
    ]);
    assert!(stdout.contains("3.0 Mbps"), "stdout: {stdout}");
    assert!(stdout.contains("20.0 Mbps (20000000 bit/s)"), "{stdout}");
    assert!(stdout.contains("5.0 Mbps"), "stdout: {stdout}");
}

#[test]
fn quiet_prints_nothing_on_stdout_but_writes_the_files() {
    let w = Work::with_tiny();
    w.cmd(&["run", "tiny.toml", "--out", "out", "--quiet"])
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    w.cmd(&["run", "tiny.toml", "--out", "out2", "-q"])
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    assert_eq!(entries(&w.path("out")), outputs());
    assert_eq!(entries(&w.path("out2")), outputs());
}

// ---------------------------------------------------------------------------------------
// Errors: exit code 2, `Error: FILE:LINE: key.path: message`, no output files

#[test]
fn missing_scenario_file() {
    let w = Work::new();
    assert_run_fails(
        &w,
        "missing.toml",
        &[],
        &["missing.toml: cannot read the scenario file"],
    );
}

#[test]
fn unknown_key_names_file_line_and_key_path() {
    let w = Work::new();
    let text = tiny_with("upload_slots = 4", "upload_slot = 4");
    w.write("typo.toml", &text);
    let line = line_of(&text, "upload_slot = 4");
    let stderr = assert_run_fails(
        &w,
        "typo.toml",
        &[],
        &[
            &format!("typo.toml:{line}: protocol.upload_slot: unknown key"),
            "upload_slots",
        ],
    );
    // One line, so it reads well in a terminal and in CI logs.
    assert_eq!(stderr.trim_end().lines().count(), 1, "stderr: {stderr}");
}

#[test]
fn rate_without_unit_names_the_key_and_what_was_expected() {
    let w = Work::new();
    let text = tiny_with("upload = \"2Mbps\"", "upload = \"8\"");
    w.write("unit.toml", &text);
    let line = line_of(&text, "upload = \"8\"");
    assert_run_fails(
        &w,
        "unit.toml",
        &[],
        &[
            &format!("unit.toml:{line}: classes[0].upload: expected a rate"),
            "\"8\"",
        ],
    );
}

#[test]
fn shares_not_summing_to_one() {
    let w = Work::new();
    w.write("shares.toml", &tiny_with("share = 1.0", "share = 0.9"));
    assert_run_fails(
        &w,
        "shares.toml",
        &[],
        &["shares.toml:", "classes", "shares must sum to 1", "0.9"],
    );
}

#[test]
fn toml_syntax_error_names_the_line() {
    let w = Work::new();
    let text = tiny_with("peers = 30", "peers = = 30");
    w.write("syntax.toml", &text);
    let line = line_of(&text, "peers = = 30");
    assert_run_fails(
        &w,
        "syntax.toml",
        &[],
        &[&format!("syntax.toml:{line}: TOML syntax error")],
    );
}

#[test]
fn set_with_an_unknown_key_names_the_assignment() {
    let w = Work::with_tiny();
    assert_run_fails(
        &w,
        "tiny.toml",
        &["--set", "protocol.upload_slotz=3"],
        &["--set protocol.upload_slotz=3: unknown key", "upload_slots"],
    );
}

#[test]
fn set_with_a_bad_value_names_the_assignment_and_what_was_expected() {
    let w = Work::with_tiny();
    assert_run_fails(
        &w,
        "tiny.toml",
        &["--set", "content.size=abc"],
        &["--set content.size=abc: expected a size", "\"abc\""],
    );
}

#[test]
fn set_without_equals_sign() {
    let w = Work::with_tiny();
    assert_run_fails(
        &w,
        "tiny.toml",
        &["--set", "content.size"],
        &["--set content.size: expected KEY=VALUE"],
    );
}

#[test]
fn failed_run_neither_creates_nor_overwrites_output() {
    let w = Work::with_tiny();
    w.write("bad.toml", &tiny_with("share = 1.0", "share = 0.5"));

    // A missing output directory is not created.
    w.cmd(&["run", "bad.toml", "--out", "never"])
        .assert()
        .code(2);
    assert!(!w.path("never").exists(), "a failed run created --out");

    // Earlier results are left as they were.
    w.ok(&["run", "tiny.toml", "--out", "out", "--quiet"]);
    let before: Vec<String> = OUTPUTS
        .iter()
        .map(|f| w.read(&format!("out/{f}")))
        .collect();
    w.cmd(&["run", "bad.toml", "--out", "out"]).assert().code(2);
    w.cmd(&[
        "run",
        "tiny.toml",
        "--out",
        "out",
        "--set",
        "content.size=abc",
    ])
    .assert()
    .code(2);
    let after: Vec<String> = OUTPUTS
        .iter()
        .map(|f| w.read(&format!("out/{f}")))
        .collect();
    assert_eq!(before, after, "a failed run touched earlier results");
    assert_eq!(entries(&w.path("out")), outputs());
}

#[test]
fn validate_reports_the_same_errors() {
    let w = Work::new();
    let text = tiny_with("upload_slots = 4", "upload_slot = 4");
    w.write("typo.toml", &text);
    let line = line_of(&text, "upload_slot = 4");
    w.cmd(&["validate", "typo.toml"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::starts_with(format!(
            "Error: typo.toml:{line}: protocol.upload_slot: unknown key"
        )));
}

#[test]
fn unknown_subcommand_or_flag_is_a_usage_error() {
    let w = Work::with_tiny();
    w.cmd(&["frobnicate"]).assert().failure();
    w.cmd(&["run", "tiny.toml", "--sed", "3"])
        .assert()
        .failure();
    w.cmd(&["run", "tiny.toml", "--seed", "minus-one"])
        .assert()
        .failure();
}

// ---------------------------------------------------------------------------------------
// validate, help

/// Every `*.toml` under the repository's `scenarios/` and `scenarios/bench/`.
fn shipped_scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut files = Vec::new();
    for dir in [root.clone(), root.join("bench")] {
        for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = e.expect("dir entry").path();
            if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_shipped_scenario_validates() {
    let files = shipped_scenarios();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "quickstart.toml",
        "flash-crowd.toml",
        "poisson-steady.toml",
        "simgrid-w.toml",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} not found");
    }
    let w = Work::new();
    for file in &files {
        let path = file.to_str().expect("utf-8 path");
        let stdout = w.ok(&["validate", path]);
        assert!(
            stdout.starts_with(&format!("{path}: ok\n")),
            "swarmsim validate {path}:\n{stdout}"
        );
        // A single content, or a catalog of them.
        let single = stdout.contains("\n[content]\n") && stdout.contains("\n[arrivals]\n");
        let catalog =
            stdout.contains("\n[[contents]]\n") && stdout.contains("\n[contents.arrivals]\n");
        assert!(
            single || catalog,
            "swarmsim validate {path} prints neither [content] nor [[contents]]:\n{stdout}"
        );
        for table in ["[simulation]", "[[classes]]"] {
            assert!(
                stdout.contains(table),
                "swarmsim validate {path} does not print {table}:\n{stdout}"
            );
        }
    }
}

#[test]
fn run_help_mentions_outputs_and_set() {
    Work::new()
        .cmd(&["run", "--help"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("summary.json")
                .and(predicate::str::contains("timeseries.csv"))
                .and(predicate::str::contains("perf.json"))
                .and(predicate::str::contains("--set"))
                .and(predicate::str::contains("--seed"))
                .and(predicate::str::contains("--out")),
        );
}

#[test]
fn version_matches_the_summary_version() {
    Work::new()
        .cmd(&["--version"])
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

/// `fluid` prints the Qiu–Srikant prediction of a Poisson scenario, as text or JSON, and
/// refuses a flash crowd with a clear reason.
#[test]
fn fluid_prints_the_prediction_and_refuses_a_flash_crowd() {
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    Command::cargo_bin("swarmsim")
        .unwrap()
        .arg("fluid")
        .arg(scenarios.join("fluid-upload.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("upload-constrained"))
        .stdout(predicate::str::contains("x̄ = 40.0"))
        .stdout(predicate::str::contains(
            "(Qiu & Srikant fluid model, SIGCOMM 2004; docs/validation.md#qiu-srikant-fluid-model)",
        ));
    let out = Command::cargo_bin("swarmsim")
        .unwrap()
        .args(["fluid", "--json"])
        .arg(scenarios.join("fluid-download.toml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["regime"], "download-constrained");
    assert!(v["download_time_s"].as_f64().unwrap() > 0.0);
    assert_eq!(
        v["model"],
        "Qiu & Srikant fluid model (SIGCOMM 2004), docs/validation.md#qiu-srikant-fluid-model"
    );
    Command::cargo_bin("swarmsim")
        .unwrap()
        .arg("fluid")
        .arg(scenarios.join("quickstart.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "Error: fluid model: needs Poisson arrivals",
        ));
}

/// A catalog through the CLI: per-content figures in summary.json and on stdout, `--set`
/// on a content by index, and `fluid` asking which content.
#[test]
fn catalog_runs_report_each_content() {
    const CATALOG: &str = r#"
[simulation]
max_time = "1d"
[origin]
capacity = "50Mbps"
[client]
seed_time = "1min"
[[classes]]
name = "home"
share = 1.0
upload = "2Mbps"
download = "10Mbps"
[arrivals]
process = "poisson"
count = 40
until = "1h"
zipf_exponent = 1
[[contents]]
name = "film"
size = "4MB"
[[contents]]
name = "trailer"
size = "1MB"
release = "10min"
"#;
    let w = Work::new();
    w.write("cat.toml", CATALOG);
    let stdout = w.ok(&["run", "cat.toml", "--out", "o"]);
    assert!(stdout.contains("contents\n  film"), "{stdout}");
    let v = w.json("o/summary.json");
    let contents = v["contents"].as_array().expect("contents array");
    let names: Vec<&str> = contents
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["film", "trailer"]);
    let peers: u64 = contents.iter().map(|c| c["peers"].as_u64().unwrap()).sum();
    assert_eq!(peers, v["peers"].as_u64().unwrap());
    assert!((contents[0]["demand_share"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
    assert!(v["makespan_s"].is_null());

    // --set reaches a content by index; the trailer over HTTP alone has no offload.
    w.ok(&[
        "run",
        "cat.toml",
        "--quiet",
        "--out",
        "p",
        "--set",
        "contents.1.policy=http-only",
    ]);
    let v = w.json("p/summary.json");
    assert_eq!(v["contents"][1]["policy"], "http-only");
    assert_eq!(v["contents"][1]["offload_ratio"], 0.0);

    // A policy the content cannot use is refused before anything runs.
    assert_run_fails(
        &w,
        "cat.toml",
        &["--set", "contents.1.policy=http-first", "--set", "contents.1.http_first_pieces=9"],
        &["--set contents.1.http_first_pieces=9: contents[1].policy: content \"trailer\" has 4 pieces"],
    );

    w.cmd(&["fluid", "cat.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
        "a catalog of 2 contents; choose one with --content NAME (one of \"film\", \"trailer\")",
    ));
    w.cmd(&["fluid", "cat.toml", "--content", "trailer"])
        .assert()
        .success()
        .stdout(predicate::str::contains("content \"trailer\""))
        .stdout(predicate::str::contains(
            "shares the origin with 1 other content",
        ));
}

/// With aborts (θ > 0), `fluid` says that the Qiu–Srikant closed form treats abandoned
/// downloads as free, in text and JSON, and gives the figures that charge them (more
/// leechers than the closed form); without aborts there is no such warning.
#[test]
fn fluid_warns_when_aborts_are_charged() {
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let text = Command::cargo_bin("swarmsim")
        .unwrap()
        .arg("fluid")
        .arg(scenarios.join("fluid-upload.toml"))
        .args(["--set", "client.abort_rate=0.25/min"])
        .output()
        .unwrap();
    assert!(text.status.success());
    let stdout = String::from_utf8(text.stdout).unwrap();
    assert!(
        stdout.contains("warning     θ > 0: Qiu & Srikant's closed form treats abandoned downloads as free (x̄ = 26.7, T = 80.0 s)"),
        "{stdout}"
    );
    assert!(stdout.contains("leechers    x̄ = 38.0"), "{stdout}");
    assert!(stdout.contains("% of downloads abandoned"), "{stdout}");
    let json = Command::cargo_bin("swarmsim")
        .unwrap()
        .args(["fluid", "--json"])
        .arg(scenarios.join("fluid-upload.toml"))
        .args(["--set", "client.abort_rate=0.25/min"])
        .output()
        .unwrap();
    assert!(json.status.success());
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(
        v["model"]
            .as_str()
            .unwrap()
            .ends_with("(docs/validation.md#fluid-model-with-aborts-extension)"),
        "{}",
        v["model"]
    );
    let warning = v["aborts"]["warning"].as_str().unwrap();
    assert!(
        warning.contains("treats abandoned downloads as free"),
        "{warning}"
    );
    let charged = v["leechers"].as_f64().unwrap();
    let free = v["aborts"]["qiu_srikant"]["leechers"].as_f64().unwrap();
    assert!((free - 80.0 / 3.0).abs() < 1e-9, "{free}");
    assert!(charged > 1.3 * free, "{charged} vs {free}");
    assert!(v["caveats"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c.as_str().unwrap().starts_with("aborts (θ = ")));
    // No aborts, no warning.
    let plain = Command::cargo_bin("swarmsim")
        .unwrap()
        .arg("fluid")
        .arg(scenarios.join("fluid-upload.toml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(plain.stdout).unwrap();
    assert!(!stdout.contains("abandoned"), "{stdout}");
}
