//! Running a sweep: the runs of this shard that have no record yet, on a rayon pool of
//! `jobs` threads, each recorded durably as it finishes; then, when every run of the sweep
//! is recorded, the tables.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::columns::read_all;
use super::store::{self, Manifest, RunRecord};
use super::{Sweep, SweepError};

/// The `I`-th of `N` disjoint slices of a sweep's runs (`--shard I/N`, 1 ≤ I ≤ N): run
/// `k` (= point × replications + replication) belongs to slice `k mod N + 1`, so every
/// slice gets a fair mix of points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, from 1.
    pub index: u32,
    /// How many slices.
    pub count: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {s:?}: expected I/N with 1 ≤ I ≤ N, e.g. 3/8");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether run number `k` belongs to this slice.
    pub fn holds(&self, k: usize) -> bool {
        k % self.count as usize == (self.index - 1) as usize
    }
}

/// How to run a sweep.
#[derive(Debug, Clone, Copy)]
pub struct ExecOptions {
    /// Runs at once (threads); 0 = every core.
    pub jobs: usize,
    /// Only this slice of the runs.
    pub shard: Option<Shard>,
}

/// Progress of a sweep, after each finished run.
#[derive(Debug, Clone, Copy)]
pub struct SweepProgress {
    /// Runs finished by this invocation.
    pub done: usize,
    /// Runs this invocation has to do (its slice, less the runs already recorded).
    pub todo: usize,
}

/// What an invocation did.
#[derive(Debug, Clone, Copy)]
pub struct ExecReport {
    /// Runs made now.
    pub ran: usize,
    /// Runs of the slice skipped because their record existed (a resumed sweep).
    pub skipped: usize,
    /// Runs of the whole sweep still without a record (other shards, or interrupted).
    pub missing: usize,
    /// The run stopped early on request (a signal): records of finished runs are kept.
    pub interrupted: bool,
}

/// Runs `sweep` into `dir` (see the module doc). `stop` is polled between runs and during
/// them; when it says so, no new run starts and the running ones are abandoned
/// (unrecorded: a resumed sweep makes them again).
pub fn execute(
    sweep: &Sweep,
    dir: &Path,
    opts: ExecOptions,
    progress: &(dyn Fn(SweepProgress) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<ExecReport, SweepError> {
    let manifest = Manifest::of(sweep);
    store::prepare(dir, &manifest, &sweep.text)?;
    let reps = sweep.replications;
    let mut todo = Vec::new();
    let mut skipped = 0;
    for p in 0..sweep.points.len() {
        for r in 0..reps {
            let k = p * reps as usize + r as usize;
            if opts.shard.is_some_and(|s| !s.holds(k)) {
                continue;
            }
            if RunRecord::read(dir, p, r)?.is_some() {
                skipped += 1;
            } else {
                todo.push((p, r));
            }
        }
    }
    let done = AtomicUsize::new(0);
    let interrupted = AtomicBool::new(false);
    let total = todo.len();
    progress(SweepProgress {
        done: 0,
        todo: total,
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs)
        .build()
        .map_err(|e| {
            SweepError::at(
                "sweep",
                None,
                format!("cannot start {} threads: {e}", opts.jobs),
            )
        })?;
    let result: Result<(), SweepError> = pool.install(|| {
        use rayon::prelude::*;
        todo.par_iter().with_max_len(1).try_for_each(|&(p, r)| {
            if stop() {
                interrupted.store(true, Ordering::Relaxed);
                return Ok(());
            }
            let mut scenario = sweep.points[p].scenario.clone();
            scenario.seed = sweep.seed(p, r);
            let out = crate::sim::Simulation::new(scenario).run(&mut |_| {
                if stop() {
                    std::ops::ControlFlow::Break(crate::report::StopReason::Interrupted)
                } else {
                    std::ops::ControlFlow::Continue(())
                }
            });
            if out.summary.stopped == Some(crate::report::StopReason::Interrupted) {
                // Cut short: not a result; the run is made again on resume.
                interrupted.store(true, Ordering::Relaxed);
                return Ok(());
            }
            if !out.invariant_violations.is_empty() {
                return Err(SweepError::at(
                    "sweep",
                    None,
                    format!(
                        "point {p} replication {r} (seed {}): invariant violated: {}",
                        sweep.seed(p, r),
                        out.invariant_violations.join("; ")
                    ),
                ));
            }
            RunRecord {
                point: p,
                replication: r,
                seed: out.summary.seed,
                digest: out.summary.digest.clone(),
                stopped: out.summary.stopped.map(|r| r.key().to_string()),
                metrics: read_all(&out),
            }
            .write(dir)?;
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(SweepProgress {
                done: n,
                todo: total,
            });
            Ok(())
        })
    });
    result?;
    let (records, missing) = store::collect(&manifest, &[dir])?;
    if missing.is_empty() {
        store::write_tables(dir, &manifest, &records)?;
    }
    Ok(ExecReport {
        ran: done.load(Ordering::Relaxed),
        skipped,
        missing: missing.len(),
        interrupted: interrupted.load(Ordering::Relaxed),
    })
}
