//! `swarmsim sweep` and `swarmsim merge`: the command-line side of parameter sweeps
//! (the sweeps themselves are `sim_core::sweep`).

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use sim_core::sweep::{self, ExecOptions, Shard, Sweep};

/// Arguments of `swarmsim sweep`.
#[derive(Args)]
pub struct SweepArgs {
    /// The sweep file (TOML; format in docs/sweeps.md).
    pub sweep: PathBuf,
    /// Runs at once; default: one per core.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Output directory (default: `results/sweeps/<sweep file stem>/`). Rerunning into the
    /// same directory resumes: runs already recorded are skipped.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Run only the I-th of N disjoint slices of the runs (1 ≤ I ≤ N), e.g. one task of a
    /// Slurm array; combine the slices with `swarmsim merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Print a Slurm batch script that runs the sweep as an array of N shards (one task
    /// each, into DIR/shard-I) and exit; merge with `swarmsim merge DIR/shard-* --out DIR`.
    #[arg(long, value_name = "N")]
    pub emit_slurm: Option<u32>,
    /// Seconds between heartbeat lines on stderr when it is not a terminal (0 = none).
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub heartbeat: f64,
    /// No progress bar, heartbeat or summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `swarmsim merge`.
#[derive(Args)]
pub struct MergeArgs {
    /// Directories holding shards of one sweep.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged sweep (records, runs.csv, points.csv).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

fn default_out(sweep: &Path) -> PathBuf {
    let stem = sweep
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sweep".into());
    PathBuf::from("results").join("sweeps").join(stem)
}

/// `swarmsim sweep`.
pub fn run(a: SweepArgs) -> Result<()> {
    let sweep = Sweep::load(&a.sweep)?;
    let out = a.out.clone().unwrap_or_else(|| default_out(&a.sweep));
    if let Some(n) = a.emit_slurm {
        if n == 0 {
            anyhow::bail!("--emit-slurm 0: expected at least 1 array task");
        }
        outln!("{}", slurm_script(&a.sweep, &out, n, sweep.runs())?);
        return Ok(());
    }
    crate::signals::install().context("cannot catch SIGINT / SIGTERM")?;
    let jobs = a.jobs.unwrap_or(0);
    if a.jobs == Some(0) {
        anyhow::bail!("--jobs 0: expected at least 1 (leave it out to use every core)");
    }
    let started = Instant::now();
    let done = Arc::new(AtomicUsize::new(0));
    let todo = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicBool::new(false));
    let tty = std::io::stderr().is_terminal();
    let bar = (!a.quiet && tty).then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} runs, ETA {eta}",
            )
            .expect("template"),
        );
        b.enable_steady_tick(Duration::from_millis(200));
        b
    });
    let heartbeat = (!a.quiet && !tty && a.heartbeat > 0.0).then(|| {
        let (done, todo, finished) = (done.clone(), todo.clone(), finished.clone());
        let every = Duration::from_secs_f64(a.heartbeat);
        std::thread::spawn(move || {
            let mut next = Instant::now() + every;
            while !finished.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20).min(every));
                if Instant::now() >= next {
                    next += every;
                    let d = done.load(Ordering::Relaxed);
                    let t = todo.load(Ordering::Relaxed);
                    let el = started.elapsed().as_secs_f64();
                    let eta = if d > 0 {
                        format!("{:.0} s", el / d as f64 * (t - d) as f64)
                    } else {
                        "–".into()
                    };
                    eprintln!("sweep: {d}/{t} runs done, {el:.0} s elapsed, ETA {eta}");
                }
            }
        })
    });
    let report = sweep::execute(
        &sweep,
        &out,
        ExecOptions {
            jobs,
            shard: a.shard,
        },
        &|p| {
            done.store(p.done, Ordering::Relaxed);
            todo.store(p.todo, Ordering::Relaxed);
            if let Some(b) = &bar {
                b.set_length(p.todo as u64);
                b.set_position(p.done as u64);
            }
        },
        &|| crate::signals::pending().is_some(),
    );
    finished.store(true, Ordering::Relaxed);
    if let Some(h) = heartbeat {
        let _ = h.join();
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let report = report?;
    if report.interrupted {
        let signal = crate::signals::pending();
        eprintln!(
            "swarmsim: sweep interrupted{}: {} runs recorded in {}; run the same command again to finish the other {}",
            signal.map(|s| format!(" by {}", s.name())).unwrap_or_default(),
            report.ran + report.skipped,
            out.display(),
            report.missing
        );
        std::process::exit(signal.map_or(1, |s| s.exit_code()));
    }
    if !a.quiet {
        outln!(
            "sweep       {}: {} points × {} replications = {} runs",
            a.sweep.display(),
            sweep.points.len(),
            sweep.replications,
            sweep.runs()
        );
        outln!(
            "ran         {} runs in {:.1} s{}",
            report.ran,
            started.elapsed().as_secs_f64(),
            if report.skipped > 0 {
                format!(" ({} already recorded, skipped)", report.skipped)
            } else {
                String::new()
            }
        );
        if report.missing == 0 {
            outln!("wrote       {}/{{runs.csv,points.csv}}", out.display());
        } else {
            outln!(
                "recorded    {} runs of this shard in {}/runs/; {} runs of the sweep remain (other shards): merge with `swarmsim merge`",
                report.ran + report.skipped,
                out.display(),
                report.missing
            );
        }
    }
    Ok(())
}

/// `swarmsim merge`.
pub fn merge(a: MergeArgs) -> Result<()> {
    let n = sweep::merge(&a.dirs, &a.out)?;
    outln!(
        "merged      {n} runs into {}/{{runs.csv,points.csv}}",
        a.out.display()
    );
    Ok(())
}

/// A Slurm batch script running `sweep` as an array of `tasks` shards.
fn slurm_script(sweep_file: &Path, out: &Path, tasks: u32, runs: usize) -> Result<String> {
    let exe = std::env::current_exe().context("cannot locate the swarmsim binary")?;
    let abs = |p: &Path| -> Result<PathBuf> {
        Ok(if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir()?.join(p)
        })
    };
    let sweep_abs = abs(sweep_file)?;
    let out_abs = abs(out)?;
    let q = |p: &Path| sim_core::scenario::shell_quote(&p.display().to_string());
    let name = sweep_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sweep".into());
    Ok(format!(
        "#!/bin/bash\n\
# swarmsim sweep {name}: {runs} runs as a Slurm array of {tasks} tasks.\n\
# Submit:  sbatch --wait THIS_SCRIPT\n\
# Then:    swarmsim merge {out}/shard-* --out {out}\n\
#SBATCH --job-name=swarmsim-{name}\n\
#SBATCH --array=1-{tasks}\n\
#SBATCH --ntasks=1\n\
#SBATCH --cpus-per-task=1\n\
set -euo pipefail\n\
exec {exe} sweep {sweep} --out {out}/shard-\"$SLURM_ARRAY_TASK_ID\" \\\n    --shard \"$SLURM_ARRAY_TASK_ID\"/{tasks} --jobs \"${{SLURM_CPUS_PER_TASK:-1}}\" --quiet",
        out = q(&out_abs),
        exe = q(&exe),
        sweep = q(&sweep_abs),
    ))
}
