//! `swarmsim`: run, validate and inspect peer-assisted delivery scenarios.
//!
//! A thin layer over `sim-core`: argument parsing (clap), dispatch to the library, the
//! progress bar, and writing result files atomically (`output.rs`; the SVG is drawn in
//! `plot.rs`, which needs `plotters`). All modelling and every text format but the
//! figure live in the library (`sim_core::export`).

/// `print!` to stdout that ends the process quietly when the reader has gone away
/// (`swarmsim validate x.toml | head`), instead of panicking on the broken pipe.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

/// `println!` with the same broken-pipe behaviour as [`out!`].
macro_rules! outln {
    () => { out!("\n") };
    ($($arg:tt)*) => {{ out!($($arg)*); out!("\n"); }};
}

mod output;
mod plot;
mod progress;
mod report;
mod sweep;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use sim_core::scenario::{self, Override};

#[derive(Parser)]
#[command(
    name = "swarmsim",
    version,
    about = "Deterministic simulator of peer-assisted content delivery (HTTP origin + BitTorrent-like swarm)",
    long_about = "swarmsim predicts what a P2P-assisted download client does for a content \
provider: the share of bytes peers carry (offload), the load and cost on the origin, and \
the download times users see.\n\n\
A scenario is a TOML file: scenarios/README.md documents every key, and the files in \
scenarios/ are commented examples (catalog.toml: several titles sharing one origin). Same \
scenario + seed gives byte-identical outputs.",
    after_help = "Examples:\n  \
swarmsim run scenarios/quickstart.toml\n  \
swarmsim run scenarios/catalog.toml --set contents.1.policy=http-only\n  \
swarmsim run scenarios/flash-crowd.toml --seed 7 --set origin.capacity=1Gbps --out /tmp/fc\n  \
swarmsim validate scenarios/poisson-steady.toml --set client.seed_time=exp(30min)\n  \
swarmsim fluid scenarios/fluid-upload.toml"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario; print a summary; write summary.json, timeseries.csv, peers.csv,
    /// summary.svg and perf.json.
    #[command(
        after_help = "Outputs (written atomically into --out, default results/<scenario file stem>/):\n  \
summary.json     deterministic figures: offload, bytes by source, origin peak/p95, download-time percentiles, digest\n  \
timeseries.csv   one row per sample interval: origin and peer bps, leechers, seeds, cumulative offload\n  \
peers.csv        one row per download: content, class, arrival, completion, bytes from origin / peers, uploaded\n  \
summary.svg      the run at a glance: traffic and swarm over time, download-time distribution per class\n  \
perf.json        wall time, events per second, peak memory (not deterministic)"
    )]
    Run(RunArgs),
    /// Check a scenario file and print the resolved scenario (units parsed, defaults filled).
    Validate(ScenarioArgs),
    /// Predict the steady state of a Poisson scenario with the Qiu–Srikant fluid model.
    #[command(
        long_about = "Predict the steady state of a Poisson-arrival scenario with the fluid \
model of Qiu & Srikant (SIGCOMM 2004): the regime (upload- or download-constrained), the \
mean numbers of leechers x̄ and seeds ȳ, the mean download time T and the per-leecher \
completion rate β. No simulation is run. The model has no origin, no initial seeds, one \
kind of peer and no piece granularity: what it leaves out of the scenario is listed under \
caveats. With aborts (client.abort_rate > 0) the closed form treats abandoned downloads as \
free: fluid warns and gives the figures of the extension that charges the upload they took.",
        after_help = "Examples:\n  \
swarmsim fluid scenarios/fluid-upload.toml\n  \
swarmsim fluid scenarios/poisson-steady.toml --set client.seed_time=exp(30min) --eta 0.85 --json"
    )]
    Fluid(FluidArgs),
    /// Run a parameter sweep: points × replications on every core, runs.csv and
    /// points.csv (mean, sd, 95% confidence interval per metric); resumable.
    #[command(
        long_about = "Run a parameter sweep: a base scenario, parameters varied over lists, \
ranges and zipped groups (and named variants), several replications per point. Each run's \
seed is mixed from the sweep's seed, the point and the replication, so the results are \
identical whatever --jobs and the order runs finish in. Every finished run is recorded \
at once in DIR/runs/; rerunning the same command after a kill skips them. The sweep file \
format is in docs/sweeps.md.",
        after_help = "Outputs (in --out, default results/sweeps/<sweep file stem>/):\n  \
runs.csv      one row per run: point, replication, parameters, seed, digest, every metric\n  \
points.csv    one row per point: mean, sd, 95% CI (Student t) and n of every metric\n  \
manifest.json what the sweep computes (version, hash, columns, points)\n  \
sweep.toml    the sweep file as run\n\n\
Examples:\n  \
swarmsim sweep scenarios/sweeps/policies.toml\n  \
swarmsim sweep scenarios/sweeps/file-size.toml --jobs 2 --out /tmp/fs\n  \
swarmsim sweep scenarios/sweeps/file-size.toml --shard 2/4 --out /tmp/fs/shard-2\n  \
swarmsim sweep scenarios/sweeps/file-size.toml --emit-slurm 8 --out /shared/fs > fs.sbatch"
    )]
    Sweep(sweep::SweepArgs),
    /// Combine the shards of one sweep (`sweep --shard I/N`) into runs.csv and points.csv,
    /// identical to a single-machine sweep's.
    Merge(sweep::MergeArgs),
    /// Write one self-contained report.html (inline SVG, no network) for the results of a
    /// run or a sweep.
    #[command(after_help = "Examples:\n  \
swarmsim report results/flash-crowd\n  \
swarmsim report results/flash-crowd --baseline /tmp/flash-crowd-no-p2p\n  \
swarmsim report results/sweeps/policies --out /tmp/policies.html")]
    Report(report::ReportArgs),
}

#[derive(Args)]
struct FluidArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Efficiency η of leechers' upload, in (0, 1]: the share of it that finds a peer
    /// needing what the leecher has (1 = ideal).
    #[arg(long, default_value_t = 1.0, value_name = "ETA")]
    eta: f64,
    /// Print the prediction as JSON (unbounded figures are null).
    #[arg(long)]
    json: bool,
    /// In a catalog of several contents, the content whose swarm to predict (by name).
    #[arg(long, value_name = "NAME")]
    content: Option<String>,
}

#[derive(Args)]
struct ScenarioArgs {
    /// The scenario TOML file.
    scenario: PathBuf,
    /// Override any scenario value by its TOML key path, e.g. `--set content.size=1GB`,
    /// `--set classes.0.share=0.5`. Repeatable; validated like the file.
    #[arg(long = "set", value_name = "KEY.PATH=VALUE")]
    set: Vec<String>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Master seed (overrides `simulation.seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Output directory (default: `results/<scenario file stem>/`).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// No progress bar and no summary on stdout (files are still written).
    #[arg(long, short)]
    quiet: bool,
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => run(a),
        Command::Validate(a) => validate(a),
        Command::Fluid(a) => fluid(a),
        Command::Sweep(a) => sweep::run(a, &|| false),
        Command::Merge(a) => sweep::merge(a),
        Command::Report(a) => report::report(a),
    };
    if let Err(e) = result {
        eprintln!("Error: {e:#}");
        std::process::exit(2);
    }
}

fn load(a: &ScenarioArgs, seed: Option<u64>) -> Result<scenario::Scenario> {
    let mut overrides = a
        .set
        .iter()
        .map(|s| Override::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(seed) = seed {
        overrides.push(Override {
            path: "simulation.seed".into(),
            value: seed.to_string(),
        });
    }
    Ok(scenario::load_file(&a.scenario, &overrides)?)
}

fn validate(a: ScenarioArgs) -> Result<()> {
    let s = load(&a, None)?;
    outln!("{}: ok", a.scenario.display());
    out!("{}", scenario::describe(&s));
    Ok(())
}

fn default_out_dir(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    PathBuf::from("results").join(stem)
}

fn run(a: RunArgs) -> Result<()> {
    let s = load(&a.scenario, a.seed)?;
    let out_dir = a
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&a.scenario.scenario));
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create output directory {}", out_dir.display()))?;
    let sim = sim_core::Simulation::new(s);
    let mut bar = progress::Bar::new(a.quiet);
    let started = Instant::now();
    let out = sim.run(&mut |p| bar.update(p));
    let wall = started.elapsed().as_secs_f64();
    bar.finish();
    let perf = output::Perf::measure(&out.summary, wall);
    let written = output::write_results(&out_dir, &out, &perf)?;
    if !a.quiet {
        out!("{}", out.human_summary());
        outln!(
            "perf        {:.2} s wall, {:.0} events/s, peak memory {}",
            perf.wall_time_s,
            perf.events_per_s,
            sim_core::units::fmt_bytes(perf.peak_rss_bytes)
        );
        outln!(
            "wrote       {}/{{{}}}",
            out_dir.display(),
            written.join(",")
        );
    }
    if !out.invariant_violations.is_empty() {
        anyhow::bail!(
            "invariant violations: {}",
            out.invariant_violations.join("; ")
        );
    }
    Ok(())
}

fn fluid(a: FluidArgs) -> Result<()> {
    let s = load(&a.scenario, None)?;
    let names: Vec<String> = s.contents.iter().map(|c| format!("{:?}", c.name)).collect();
    let k = match &a.content {
        None if s.contents.len() == 1 => 0,
        None => anyhow::bail!(
            "{}: a catalog of {} contents; choose one with --content NAME (one of {})",
            a.scenario.scenario.display(),
            s.contents.len(),
            names.join(", ")
        ),
        Some(n) => s
            .contents
            .iter()
            .position(|c| &c.name == n)
            .with_context(|| {
                format!(
                    "--content {n:?}: no such content in {}; expected one of {}",
                    a.scenario.scenario.display(),
                    names.join(", ")
                )
            })?,
    };
    let prediction = sim_core::export::fluid::Prediction::of(&s, k, a.eta)?;
    if a.json {
        out!("{}", prediction.json());
    } else {
        out!("{}", prediction.text());
    }
    Ok(())
}
