//! The speed guard: instruction counts of a few fixed workloads, measured under valgrind's
//! callgrind and compared with the committed baseline `benches/instructions-baseline.json`.
//!
//! Wall time on a shared CI machine is noise; the number of instructions a fixed,
//! deterministic workload executes is not (callgrind counts them on a simulated CPU, so
//! other jobs on the machine do not change it). CI (`.ci/run`) fails when a workload costs
//! more than the baseline's `tolerance` (10%) over its baseline, and the suite fails while
//! `CHANGELOG.md` does not quote the baseline file's hash (`instructions <hash>`), so a
//! baseline nobody explained cannot land: a change that makes a workload dearer on
//! purpose re-records the baseline in the same commit and says why in `CHANGELOG.md`.
//!
//! ```text
//! cargo run --release -p swarmsim-benches --bin swarmsim-instructions -- check    # what CI runs
//! cargo run --release -p swarmsim-benches --bin swarmsim-instructions -- record   # re-record
//! cargo run --release -p swarmsim-benches --bin swarmsim-instructions -- run simgrid-w  # one, natively
//! ```
//!
//! `record` rewrites the baseline and prints the `instructions <hash>` line that a
//! `CHANGELOG.md` entry must end with (the same rule as the pins of `sim-core/tests/pins.rs`).
//!
//! What the counts depend on: the code, the compiler (version and the default x86-64 target
//! features; a release build never uses `-C target-cpu=native` here), the standard library
//! and, a little, libc and valgrind. They do not depend on the CPU model, its speed or the
//! load of the machine. The baseline records the rustc and valgrind versions it was taken
//! with; `check` says so when they differ, since a compiler upgrade can move counts by a
//! few per cent. Each workload runs in-process from scenario text compiled into the binary
//! (no file reads, no output files), single-threaded, and counts are whole-process totals
//! (`totals:` of the callgrind output; start-up and scenario loading are a small, fixed part).
//!
//! The workloads are small on purpose (the whole check takes about a minute and a half
//! under valgrind on a 2-core machine, which runs them two at a time), and each stresses a
//! different part of the engine; see [`WORKLOADS`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use serde_json::{json, Value};
use sim_core::scenario::Scenario;
use swarmsim_benches::{busy_network, random_pair, with_sets, FLOWS};

const SIMGRID_W: &str = include_str!("../scenarios/bench/simgrid-w.toml");
const QUICKSTART: &str = include_str!("../scenarios/quickstart.toml");
const PIECES_4000: &str = include_str!("../scenarios/bench/pieces-4000.toml");
const STEADY_WEEK: &str = include_str!("../scenarios/bench/steady-week.toml");

/// The guarded workloads: name and what it stresses, the dearest first (they are measured
/// two at a time, each worker taking the next). Changing one (its scenario, its
/// overrides, its size) changes its count: re-record the baseline in the same commit.
pub const WORKLOADS: [(&str, &str); 5] = [
    (
        "steady-week-6h",
        "scenarios/bench/steady-week.toml with arrivals for 6 h and max_time 12h: sessions, \
         aborts and restarts, background seeding, long-running timers",
    ),
    (
        "quickstart",
        "scenarios/quickstart.toml with 100 peers: 191 pieces, origin and peers (web-seed \
         decisions, origin re-shares)",
    ),
    (
        "pieces-4000",
        "scenarios/bench/pieces-4000.toml with 5 peers: 4,000 pieces (per-piece costs: \
         bitfields, rarest-first picks, HAVE fan-out)",
    ),
    (
        "reshare-batch",
        "the max-min solver alone: 1,000 hosts, 5,000 random flows, then 200 changes \
         (remove one flow, add one, re-share), as benches/swarm.rs network/reshare-random",
    ),
    (
        "simgrid-w",
        "scenarios/bench/simgrid-w.toml with 200 peers: 16 pieces at t = 0, no origin (peer \
         protocol, choking, tracker)",
    ),
];

/// Path of the committed baseline.
fn baseline_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("instructions-baseline.json")
}

/// Path of the changelog that must quote the baseline's hash.
#[cfg(test)]
fn changelog_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../CHANGELOG.md")
}

/// FNV-1a of the baseline file's text, as `CHANGELOG.md` must quote it.
fn baseline_hash(text: &str) -> String {
    let mut d = sim_core::digest::Digest::default();
    d.add_bytes(text.as_bytes());
    d.hex()
}

/// A shipped scenario's text with `(key.path, value)` overrides.
fn scenario(text: &str, file: &str, sets: &[(&str, &str)]) -> Scenario {
    with_sets(text, file, "workload", sets)
}

/// Run one whole scenario; prints what it did (events, digest) for the log.
fn run_scenario(name: &str, s: &Scenario) {
    let out = sim_core::run(s);
    let d = &out.summary.downloads;
    println!(
        "{name}: {} events, {} peers, {} completed, digest {}",
        out.summary.events, d.peers, d.completed_downloads, out.summary.digest
    );
}

/// The re-share batch: the network of `network/reshare-random` in `benches/swarm.rs`.
fn reshare_batch() {
    const CHANGES: u32 = 200;
    let mut net = busy_network();
    let mut changed = Vec::new();
    let mut moved = 0usize;
    for step in 0..CHANGES {
        let id = step % FLOWS;
        let (src, dst) = random_pair(u64::from(FLOWS + step));
        net.remove_flow(id);
        net.add_flow(id, src, dst, f64::INFINITY);
        changed.clear();
        net.reshare(&mut changed);
        moved += changed.len();
    }
    println!("reshare-batch: {CHANGES} changes moved {moved} rates");
}

/// Run workload `name` natively (what valgrind measures).
fn run_workload(name: &str) -> Result<(), String> {
    match name {
        "simgrid-w" => run_scenario(
            name,
            &scenario(
                SIMGRID_W,
                "scenarios/bench/simgrid-w.toml",
                &[("arrivals.peers", "200")],
            ),
        ),
        "quickstart" => run_scenario(
            name,
            &scenario(
                QUICKSTART,
                "scenarios/quickstart.toml",
                &[("arrivals.peers", "100")],
            ),
        ),
        "pieces-4000" => run_scenario(
            name,
            &scenario(
                PIECES_4000,
                "scenarios/bench/pieces-4000.toml",
                &[("arrivals.peers", "5")],
            ),
        ),
        "steady-week-6h" => run_scenario(
            name,
            &scenario(
                STEADY_WEEK,
                "scenarios/bench/steady-week.toml",
                &[("arrivals.until", "6h"), ("simulation.max_time", "12h")],
            ),
        ),
        "reshare-batch" => reshare_batch(),
        _ => {
            return Err(format!(
                "unknown workload {name:?}; known: {}",
                WORKLOADS.map(|(n, _)| n).join(", ")
            ))
        }
    }
    Ok(())
}

/// The first line of a command's output, or what went wrong.
fn version_of(program: &str, arg: &str) -> String {
    match Command::new(program).arg(arg).output() {
        Ok(o) => String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string(),
        Err(e) => format!("unavailable ({e})"),
    }
}

/// The `totals:` (or `summary:`) count of a callgrind output file: instructions executed.
fn parse_callgrind_total(text: &str) -> Option<u64> {
    let line = text
        .lines()
        .find(|l| l.starts_with("totals:"))
        .or_else(|| text.lines().find(|l| l.starts_with("summary:")))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Count the instructions of workload `name` under callgrind (output in `dir`).
fn callgrind(exe: &Path, dir: &Path, name: &str) -> Result<u64, String> {
    let out_file = dir.join(format!("{name}.callgrind"));
    let started = std::time::Instant::now();
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(exe)
        .args(["run", name])
        .output()
        .map_err(|e| {
            format!("cannot start valgrind ({e}); install it (apt-get install valgrind)")
        })?;
    if !output.status.success() {
        return Err(format!(
            "{name}: valgrind failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text =
        std::fs::read_to_string(&out_file).map_err(|e| format!("{}: {e}", out_file.display()))?;
    let ir = parse_callgrind_total(&text)
        .ok_or_else(|| format!("{}: no totals: line", out_file.display()))?;
    eprintln!(
        "  {name}: {ir} instructions ({:.0} s under callgrind) | {}",
        started.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&output.stdout).trim()
    );
    Ok(ir)
}

/// Count the instructions of every workload under callgrind, `jobs` at a time (each
/// worker takes the next workload as it finishes one).
fn measure(jobs: usize) -> Result<BTreeMap<String, u64>, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/instructions");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((name, _)) = WORKLOADS.get(i) else {
                    break;
                };
                let r = callgrind(&exe, &dir, name);
                results.lock().unwrap().push((name.to_string(), r));
            });
        }
    });
    let mut counts = BTreeMap::new();
    for (name, r) in results.into_inner().unwrap() {
        counts.insert(name, r?);
    }
    Ok(counts)
}

/// The baseline file's text for `counts`.
fn baseline_text(counts: &BTreeMap<String, u64>) -> String {
    let workloads: serde_json::Map<String, Value> = WORKLOADS
        .iter()
        .map(|(name, what)| {
            (
                name.to_string(),
                json!({ "instructions": counts[*name], "what": what }),
            )
        })
        .collect();
    let v = json!({
        "about": "Instructions executed (callgrind totals, whole process) by each workload \
                  of benches/instructions.rs; CI fails when one exceeds its count by more \
                  than tolerance. Counts depend on the code and the compiler, not on the \
                  CPU model or the machine's load. Re-record with: cargo run --release -p \
                  swarmsim-benches --bin swarmsim-instructions -- record, and quote the \
                  printed `instructions <hash>` in CHANGELOG.md with the reason.",
        "tolerance": 0.10,
        "recorded_with": {
            "rustc": version_of("rustc", "-V"),
            "valgrind": version_of("valgrind", "--version"),
            "target": format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS),
        },
        "workloads": workloads,
    });
    let mut text = serde_json::to_string_pretty(&v).unwrap();
    text.push('\n');
    text
}

/// Compare `counts` with the baseline; `Err` lists what is too dear.
fn compare(counts: &BTreeMap<String, u64>, baseline: &Value) -> Result<(), String> {
    let tolerance = baseline["tolerance"].as_f64().unwrap_or(0.10);
    let mut over = Vec::new();
    println!(
        "{:<16} {:>15} {:>15} {:>8}",
        "workload", "baseline", "now", "change"
    );
    for (name, &now) in counts {
        let Some(base) = baseline["workloads"][name]["instructions"].as_u64() else {
            over.push(format!(
                "{name}: not in the baseline (re-record it: ... -- record)"
            ));
            continue;
        };
        let change = now as f64 / base as f64 - 1.0;
        // The most instructions allowed, rounded to a whole count (so that exactly 10%
        // over passes whatever the floating-point rounding of the ratio).
        let limit = (base as f64 * (1.0 + tolerance)).round() as u64;
        println!("{name:<16} {base:>15} {now:>15} {:>+7.1}%", 100.0 * change);
        if now > limit {
            over.push(format!(
                "{name}: {now} instructions, {:+.1}% over its baseline {base} (tolerance {:.0}%)",
                100.0 * change,
                100.0 * tolerance
            ));
        } else if change < -tolerance {
            println!(
                "  note: {name} is {:.1}% cheaper than its baseline; re-record it (`record`) \
                 so the guard stays tight",
                -100.0 * change
            );
        }
    }
    if over.is_empty() {
        Ok(())
    } else {
        Err(over.join("\n"))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let jobs = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(WORKLOADS.len());
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["run", name] => run_workload(name),
        ["list"] => {
            for (name, what) in WORKLOADS {
                println!("{name}: {what}");
            }
            Ok(())
        }
        ["record"] => measure(jobs).and_then(|counts| {
            let text = baseline_text(&counts);
            std::fs::write(baseline_path(), &text).map_err(|e| e.to_string())?;
            println!(
                "{} rewritten; add to CHANGELOG.md why the counts moved, ending with: \
                 instructions {}",
                baseline_path().display(),
                baseline_hash(&text)
            );
            Ok(())
        }),
        ["check"] => (|| {
            let text = std::fs::read_to_string(baseline_path())
                .map_err(|e| format!("{}: {e}", baseline_path().display()))?;
            let baseline: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            for (tool, arg, key) in [
                ("rustc", "-V", "rustc"),
                ("valgrind", "--version", "valgrind"),
            ] {
                let now = version_of(tool, arg);
                let then = baseline["recorded_with"][key].as_str().unwrap_or("");
                if now != then {
                    println!(
                        "note: the baseline was recorded with {then:?}, this is {now:?}; \
                         counts may differ by a few per cent for that alone"
                    );
                }
            }
            let counts = measure(jobs)?;
            compare(&counts, &baseline)?;
            println!("instruction counts within tolerance of the baseline");
            Ok(())
        })(),
        _ => Err("usage: swarmsim-instructions check | record | list | run WORKLOAD".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changelog_quotes_the_baseline_hash() {
        let text = std::fs::read_to_string(baseline_path()).unwrap();
        let want = format!("instructions {}", baseline_hash(&text));
        let changelog = std::fs::read_to_string(changelog_path()).unwrap();
        assert!(
            changelog.contains(&want),
            "CHANGELOG.md does not explain the current instruction baseline: add an entry \
             saying why the counts moved, ending with `{want}`"
        );
    }

    #[test]
    fn the_baseline_covers_every_workload() {
        let text = std::fs::read_to_string(baseline_path()).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        for (name, _) in WORKLOADS {
            assert!(
                v["workloads"][name]["instructions"].as_u64().is_some(),
                "{name} has no baseline: re-record"
            );
        }
    }

    #[test]
    fn callgrind_totals_are_parsed() {
        let text = "events: Ir\nsummary: 999\nfn=main\n1 5\ntotals: 12345\n";
        assert_eq!(parse_callgrind_total(text), Some(12345));
        assert_eq!(parse_callgrind_total("summary: 77\n"), Some(77));
        assert_eq!(parse_callgrind_total("events: Ir\n"), None);
    }

    #[test]
    fn ten_percent_over_fails_and_less_passes() {
        let baseline = json!({"tolerance": 0.10, "workloads": {"a": {"instructions": 1000}}});
        let at = |n: u64| compare(&BTreeMap::from([("a".to_string(), n)]), &baseline);
        assert!(at(1100).is_ok());
        assert!(at(1101).is_err());
        assert!(at(500).is_ok());
        assert!(compare(&BTreeMap::from([("b".to_string(), 1)]), &baseline).is_err());
    }
}
