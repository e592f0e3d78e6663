//! The run's lifecycle (issue 9), end to end through the binary: the result files as one
//! set under a lock, SIGINT / SIGTERM / kill -9, `--max-wall`, the summary's `stopped`
//! field, heartbeat lines when stderr is piped, and the `--seed` message.
//!
//! No test depends on timing: a child process is signalled once it has printed its first
//! heartbeat line, and heartbeats are triggered by event counts
//! (`SWARMSIM_HEARTBEAT_EVENTS`), not by wall time. Failures of the disk are injected with
//! `SWARMSIM_TEST_FAULT` (as root, a read-only directory does not stop a write).

use std::borrow::BorrowMut;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;

use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_swarmsim");

/// The five result files, sorted.
const OUTPUTS: &[&str] = &[
    "peers.csv",
    "perf.json",
    "summary.json",
    "summary.svg",
    "timeseries.csv",
];

/// A 30-peer flash crowd on a 2 MB file: simulates in milliseconds (a few hundred events).
const TINY: &str = r#"name = "tiny"
[simulation]
seed = 1
max_time = "1h"
sample_interval = "1s"
[content]
size = "2MB"
piece_size = "256KiB"
[origin]
capacity = "20Mbps"
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

/// A shipped scenario, by absolute path.
fn shipped(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// The flash crowd of 1,000 peers: hundreds of thousands of events, seconds of wall time;
/// the signal tests stop it after its first heartbeat (a few thousand events in).
fn long_scenario() -> String {
    shipped("flash-crowd.toml")
}

/// A temporary working directory with `tiny.toml`; results go to `out/`.
struct Work {
    dir: TempDir,
}

impl Work {
    fn new() -> Work {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("tiny.toml"), TINY).expect("write tiny.toml");
        Work { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `swarmsim ARGS...` in this directory, stderr and stdout captured.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.current_dir(self.dir.path())
            .args(args)
            .env_remove("SWARMSIM_TEST_FAULT")
            .env_remove("SWARMSIM_HEARTBEAT_EVENTS");
        c
    }

    /// Run to completion; (status, stdout, stderr).
    fn run(&self, mut c: impl BorrowMut<Command>) -> (ExitStatus, String, String) {
        let o = c.borrow_mut().output().expect("run swarmsim");
        (
            o.status,
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }

    /// A first, complete result set in `out/` (tiny, seed 1); returns its files' bytes.
    fn first_set(&self) -> Vec<Vec<u8>> {
        let (st, _, err) = self.run(self.cmd(&["run", "tiny.toml", "--out", "out", "--quiet"]));
        assert!(st.success(), "first run failed: {err}");
        self.set_bytes()
    }

    /// The bytes of the five files of `out/` (perf.json included: it changes with every
    /// run, so an unchanged one proves the set was not rewritten).
    fn set_bytes(&self) -> Vec<Vec<u8>> {
        assert_eq!(
            entries(&self.path("out")),
            OUTPUTS,
            "out/ is not one whole set"
        );
        OUTPUTS
            .iter()
            .map(|f| std::fs::read(self.path("out").join(f)).expect("read result"))
            .collect()
    }

    /// No staging directory or other litter beside `out/`: only the set, its lock file
    /// and the scenario.
    fn assert_no_litter(&self) {
        let mut expected = vec![".out.lock", "out", "tiny.toml"];
        expected.sort();
        assert_eq!(entries(self.dir.path()), expected, "litter beside out/");
    }
}

/// Names of the entries of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A running child whose stderr is read by a thread: the first heartbeat line is sent on
/// `first`, the whole stderr is the thread's result.
struct Running {
    child: Child,
    first: mpsc::Receiver<String>,
    stderr: JoinHandle<String>,
}

impl Running {
    /// Spawn `c` with heartbeats every 2,000 events and stderr piped.
    fn spawn(mut c: impl BorrowMut<Command>) -> Running {
        let c = c.borrow_mut();
        c.env("SWARMSIM_HEARTBEAT_EVENTS", "2000")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn swarmsim");
        let pipe = child.stderr.take().expect("piped stderr");
        let (tx, first) = mpsc::channel();
        let stderr = std::thread::spawn(move || {
            let mut all = String::new();
            for line in BufReader::new(pipe).lines() {
                let line = line.expect("utf-8 stderr");
                if line.starts_with("swarmsim: ") && line.contains("downloads done") {
                    let _ = tx.send(line.clone());
                }
                all.push_str(&line);
                all.push('\n');
            }
            all
        });
        Running {
            child,
            first,
            stderr,
        }
    }

    /// Block until the first heartbeat line (the run is under way, the lock held).
    fn wait_for_heartbeat(&self) -> String {
        self.first
            .recv()
            .expect("the child ended before its first heartbeat")
    }

    fn signal(&self, sig: i32) {
        // SAFETY: kill(2) on our own child's pid.
        let rc = unsafe { libc::kill(self.child.id() as i32, sig) };
        assert_eq!(rc, 0, "kill failed");
    }

    /// Wait for the child; (status, whole stderr).
    fn finish(mut self) -> (ExitStatus, String) {
        let st = self.child.wait().expect("wait");
        (st, self.stderr.join().expect("stderr thread"))
    }
}

// ----- one set, under a lock ------------------------------------------------------------

#[test]
fn a_second_run_into_the_same_out_is_refused_naming_dir_and_pid() {
    let w = Work::new();
    let first = Running::spawn(w.cmd(&["run", &long_scenario(), "--out", "out"]));
    first.wait_for_heartbeat();
    let (st, stdout, err) = w.run(w.cmd(&["run", "tiny.toml", "--out", "out"]));
    assert_eq!(st.code(), Some(2), "{err}");
    assert!(stdout.is_empty());
    let pid = first.child.id();
    assert!(
        err.starts_with(&format!(
            "Error: --out out is in use by another swarmsim run (pid {pid}; lock file "
        )),
        "{err}"
    );
    assert!(err.contains(".out.lock); wait for it to finish or give another --out"));
    // The refused run wrote nothing; the first one's set is whole when it is done.
    first.signal(libc::SIGTERM);
    let (st, _) = first.finish();
    assert_eq!(st.code(), Some(143));
    assert!(
        !w.path("out").exists(),
        "no set yet: the first run was interrupted"
    );
    // And with the first run over, the lock is free again.
    w.first_set();
    w.assert_no_litter();
}

#[test]
fn a_run_refused_by_the_lock_leaves_the_first_runs_set_whole() {
    let w = Work::new();
    let before = w.first_set();
    // The first run is the long one, given a wall budget so that it ends by itself with
    // a whole (partial) set; the second is refused while it runs.
    let first =
        Running::spawn(w.cmd(&["run", &long_scenario(), "--out", "out", "--max-wall", "3s"]));
    first.wait_for_heartbeat();
    let (st, _, err) = w.run(w.cmd(&["run", "tiny.toml", "--out", "out", "--seed", "9"]));
    assert_eq!(st.code(), Some(2), "{err}");
    assert!(err.contains("is in use by another swarmsim run"), "{err}");
    let (st, err) = first.finish();
    assert!(st.success(), "{err}");
    let after = w.set_bytes();
    assert_ne!(after, before, "the first run's set is in place");
    let summary = String::from_utf8(after[2].clone()).expect("utf-8");
    assert!(
        summary.contains("\"scenario\": \"flash-crowd\""),
        "{summary}"
    );
    w.assert_no_litter();
}

#[test]
fn a_failed_write_leaves_the_previous_set_and_no_litter() {
    let w = Work::new();
    let before = w.first_set();
    for fault in ["fail:timeseries.csv", "fail:perf.json"] {
        let (st, _, err) = w.run(
            w.cmd(&["run", "tiny.toml", "--out", "out", "--seed", "2"])
                .env("SWARMSIM_TEST_FAULT", fault),
        );
        assert_eq!(st.code(), Some(2), "{fault}: {err}");
        assert!(err.starts_with("Error: cannot write "), "{err}");
        assert!(err.contains("No space left on device"), "{err}");
        assert_eq!(w.set_bytes(), before, "{fault}: the previous set changed");
        w.assert_no_litter();
    }
}

#[test]
fn a_panic_while_writing_leaves_the_previous_set_and_no_litter() {
    let w = Work::new();
    let before = w.first_set();
    let (st, _, err) = w.run(
        w.cmd(&["run", "tiny.toml", "--out", "out", "--seed", "2"])
            .env("SWARMSIM_TEST_FAULT", "panic:peers.csv"),
    );
    assert_eq!(st.code(), Some(101), "{err}");
    assert!(err.contains("SWARMSIM_TEST_FAULT: panic"), "{err}");
    assert_eq!(w.set_bytes(), before);
    w.assert_no_litter();
}

#[test]
fn a_rerun_replaces_the_whole_set() {
    let w = Work::new();
    let before = w.first_set();
    let (st, _, err) = w.run(w.cmd(&["run", "tiny.toml", "--out", "out", "-q", "--seed", "2"]));
    assert!(st.success(), "{err}");
    let after = w.set_bytes();
    for (k, name) in OUTPUTS.iter().enumerate() {
        assert_ne!(before[k], after[k], "{name} was not replaced");
    }
    w.assert_no_litter();
}

#[test]
fn an_out_dir_holding_other_files_is_refused_not_replaced() {
    let w = Work::new();
    std::fs::create_dir(w.path("mine")).expect("mkdir");
    std::fs::write(w.path("mine/notes.txt"), "keep me").expect("write");
    let (st, _, err) = w.run(w.cmd(&["run", "tiny.toml", "--out", "mine"]));
    assert_eq!(st.code(), Some(2));
    assert!(
        err.starts_with(
            "Error: --out mine: holds notes.txt besides result files; a run replaces the \
             whole directory"
        ),
        "{err}"
    );
    assert_eq!(entries(&w.path("mine")), ["notes.txt"]);
    let (st, _, err) = w.run(w.cmd(&["run", "tiny.toml", "--out", "."]));
    assert_eq!(st.code(), Some(2));
    assert!(err.contains("besides result files"), "{err}");
}

// ----- signals ----------------------------------------------------------------------------

#[test]
fn sigterm_and_sigint_end_a_run_with_143_and_130_and_leave_the_previous_set() {
    for (sig, name, code) in [
        (libc::SIGTERM, "SIGTERM", 143),
        (libc::SIGINT, "SIGINT", 130),
    ] {
        let w = Work::new();
        let before = w.first_set();
        let run = Running::spawn(w.cmd(&["run", &long_scenario(), "--out", "out"]));
        run.wait_for_heartbeat();
        run.signal(sig);
        let (st, err) = run.finish();
        assert_eq!(st.code(), Some(code), "{name}: {err}");
        let last = err.lines().last().unwrap_or_default();
        assert!(
            last.starts_with(&format!(
                "swarmsim: interrupted by {name} at simulated time "
            )),
            "{last}"
        );
        assert!(
            last.ends_with("; previous results in out left intact"),
            "{last}"
        );
        assert_eq!(w.set_bytes(), before, "{name}: the previous set changed");
        w.assert_no_litter();
    }
}

#[test]
fn kill_9_leaves_no_stale_lock_and_the_next_run_cleans_up() {
    let w = Work::new();
    let before = w.first_set();
    let run = Running::spawn(w.cmd(&["run", &long_scenario(), "--out", "out"]));
    run.wait_for_heartbeat();
    let run_pid = run.child.id();
    run.signal(libc::SIGKILL);
    let (st, _) = run.finish();
    assert_eq!(st.code(), None, "killed by a signal");
    assert_eq!(w.set_bytes(), before, "kill -9 touched the previous set");
    let staging = format!(".out.tmp-{}", run_pid);
    assert!(
        entries(w.dir.path()).contains(&staging),
        "the killed run's staging directory {staging} is there to sweep"
    );
    // The next run is not blocked by the dead run's lock and sweeps its staging directory.
    let (st, _, err) = w.run(w.cmd(&["run", "tiny.toml", "--out", "out", "-q", "--seed", "3"]));
    assert!(st.success(), "{err}");
    assert_ne!(w.set_bytes(), before);
    w.assert_no_litter();
}

// ----- run control ------------------------------------------------------------------------

#[test]
fn max_wall_ends_the_run_cleanly_and_marks_it_partial() {
    let w = Work::new();
    // 1 µs of wall time is over by the engine's first report (~1,000 events in), so the
    // run stops there whatever the machine's speed.
    let (st, stdout, err) = w.run(w.cmd(&[
        "run",
        &shipped("quickstart.toml"),
        "--out",
        "out",
        "--max-wall",
        "1us",
    ]));
    assert!(st.success(), "{err}");
    assert!(
        err.starts_with("warning: stopped by --max-wall after 0.000001 s of wall time"),
        "{err}"
    );
    assert!(err.contains("the results in out are partial (\"stopped\": \"max_wall\")"));
    assert!(
        stdout.contains("STOPPED     by --max-wall after 0 s of wall time at simulated time"),
        "{stdout}"
    );
    let summary = std::fs::read_to_string(w.path("out/summary.json")).expect("summary");
    assert!(summary.contains("\"stopped\": \"max_wall\""), "{summary}");
    let v: serde_json::Value = serde_json::from_str(&summary).expect("json");
    assert!(v["unfinished_downloads"].as_u64().expect("count") > 0);
    assert_eq!(entries(&w.path("out")), OUTPUTS);
}

#[test]
fn summary_says_stopped_null_or_max_time() {
    let w = Work::new();
    w.first_set();
    let summary = std::fs::read_to_string(w.path("out/summary.json")).expect("summary");
    assert!(summary.contains("\"stopped\": null"), "{summary}");
    let (st, stdout, err) = w.run(w.cmd(&[
        "run",
        "tiny.toml",
        "--out",
        "out",
        "--set",
        "simulation.max_time=2s",
    ]));
    assert!(st.success(), "{err}");
    assert!(stdout.contains("STOPPED     at max_time"), "{stdout}");
    let summary = std::fs::read_to_string(w.path("out/summary.json")).expect("summary");
    assert!(summary.contains("\"stopped\": \"max_time\""), "{summary}");
    assert!(!summary.contains("stopped_at_max_time"));
}

#[test]
fn max_wall_and_heartbeat_values_are_checked() {
    let w = Work::new();
    for (args, expected) in [
        (
            ["--max-wall", "30"],
            "error: invalid value '30' for '--max-wall <DURATION>': expected a duration",
        ),
        (
            ["--max-wall", "0s"],
            "error: invalid value '0s' for '--max-wall <DURATION>': expected a duration above zero",
        ),
        (
            ["--heartbeat", "-1"],
            "error: invalid value '-1' for '--heartbeat <SECS>': expected a number of seconds \
             from 0 (off)",
        ),
    ] {
        let mut all = vec!["run", "tiny.toml", "--out", "out"];
        all.extend(args);
        let (st, _, err) = w.run(w.cmd(&all));
        assert_eq!(st.code(), Some(2), "{args:?}");
        assert!(err.starts_with(expected), "{args:?}: {err}");
        assert!(!w.path("out").exists());
    }
}

// ----- progress ---------------------------------------------------------------------------

#[test]
fn piped_runs_print_heartbeat_lines_and_quiet_ones_do_not() {
    let w = Work::new();
    let q = shipped("quickstart.toml");
    let (st, _, err) = w.run(
        w.cmd(&["run", &q, "--out", "out"])
            .env("SWARMSIM_HEARTBEAT_EVENTS", "20000"),
    );
    assert!(st.success(), "{err}");
    let beats: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("swarmsim: "))
        .collect();
    // About 82,000 events: a line at each report past 20,000, 40,000, 60,000, 80,000.
    assert_eq!(beats.len(), 4, "{err}");
    for b in &beats {
        for part in [
            " s wall, simulated ",
            " of max_time 1d, ",
            "/300 downloads done, ",
            "% of bytes (",
            " of 15 GB), ",
            " events/s; ",
            "% done by ",
        ] {
            assert!(b.contains(part), "{part:?} not in {b}");
        }
    }
    let (st, _, err) = w.run(
        w.cmd(&["run", &q, "--out", "out", "--quiet"])
            .env("SWARMSIM_HEARTBEAT_EVENTS", "20000"),
    );
    assert!(st.success());
    assert_eq!(err, "", "--quiet prints nothing on stderr");
}

// ----- messages ---------------------------------------------------------------------------

#[test]
fn a_negative_seed_says_what_seed_takes() {
    let w = Work::new();
    let (st, _, err) = w.run(w.cmd(&["run", "tiny.toml", "--seed", "-1"]));
    assert_eq!(st.code(), Some(2));
    assert!(
        err.starts_with(
            "error: invalid value '-1' for '--seed <SEED>': --seed takes a whole number from 0 \
             to 18446744073709551615, got \"-1\""
        ),
        "{err}"
    );
    assert!(!err.contains("-- -1"), "{err}");
}
