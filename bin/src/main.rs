//! `swarmsim`: run, validate and inspect peer-assisted delivery scenarios.
//!
//! A thin layer over `sim-core`: argument parsing (clap), dispatch to the library, the
//! run's lifecycle (`progress.rs`: bar and heartbeat; `signals.rs`: SIGINT / SIGTERM;
//! `resultset.rs`: the lock and the result files put in place as one set; `output.rs`:
//! the files; the SVG is drawn in `plot.rs`, which needs `plotters`). All modelling and
//! every text format but the figure live in the library (`sim_core::export`).

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

mod compare;
mod limits;
mod output;
mod plot;
mod progress;
mod report;
mod resultset;
mod signals;
mod sweep;

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
        after_help = "Outputs (default --out results/<scenario file stem>/):\n  \
summary.json     deterministic figures: offload, bytes by source, origin peak/p95, download-time percentiles, digest,\n                   \
\"stopped\": null (ran to the end), \"max_time\" or \"max_wall\" (figures cover the run so far)\n  \
timeseries.csv   one row per sample interval: origin and peer bps, leechers, seeds, cumulative offload\n  \
peers.csv        one row per download: content, class, arrival, completion, bytes from origin / peers, uploaded\n  \
summary.svg      the run at a glance: traffic and swarm over time, download-time distribution per class\n  \
perf.json        wall time, events per second, peak memory (not deterministic)\n\n\
The five files are one set: written beside --out, then swapped in at once, so a reader sees\n\
the old set or the new one, never a mix. A run that fails or is interrupted leaves the\n\
previous set as it was. A second run into the same --out while one is running is refused\n\
(lock file .NAME.lock beside the directory, released by the OS when the run ends, however\n\
it ends). --out must be new or hold only result files: it is replaced whole.\n\n\
Progress: a bar on a terminal, redrawn every 100 ms (share done by bytes delivered or by\n\
simulated time, whichever is further along, and which; rate and ETA); when stderr is\n\
piped, one line every --heartbeat seconds; nothing with --quiet. SIGINT / SIGTERM stop the\n\
run within ~1,000 events: nothing is written and the previous set stays.\n\n\
Exit status:\n  \
0    the run finished, or was stopped by max_time or by --max-wall (with a warning on stderr)\n  \
2    a bad scenario or flag, --out in use by another run, results that could not be written\n       \
(the previous set is then left as it was), or invariant violations (results written)\n  \
130  interrupted by SIGINT (Ctrl-C), 143 by SIGTERM: no new result written\n\n\
Examples:\n  \
swarmsim run scenarios/quickstart.toml\n  \
swarmsim run scenarios/flash-crowd.toml --seed 7 --out /tmp/fc\n  \
swarmsim run scenarios/catalog.toml --max-wall 10min --heartbeat 60 2> progress.log"
    )]
    Run(RunArgs),
    /// Check a scenario file and print the resolved scenario (units parsed, defaults filled).
    #[command(after_help = "Examples:\n  \
swarmsim validate scenarios/catalog.toml\n  \
swarmsim validate scenarios/quickstart.toml --set arrivals.peers=5000 --emit /tmp/qs5000.toml\n  \
swarmsim run /tmp/qs5000.toml     # the same run as with the --set")]
    Validate(ValidateArgs),
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
    /// Put two runs, or two points of sweeps (`DIR#N`), side by side: offload, origin
    /// bytes, peak, billed p95, the bill and download times, with differences and ratios.
    #[command(after_help = "Examples:\n  \
swarmsim compare results/catalog results/catalog-http-only\n  \
swarmsim compare results/sweeps/policies#5 results/sweeps/policies#0\n  \
swarmsim compare results/quickstart results/sweeps/file-size#1 --json")]
    Compare(compare::CompareArgs),
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
struct ValidateArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Also write the scenario, with every `--set` written into it, as a TOML file that
    /// loads to the same scenario (same hash): `swarmsim run FILE` reproduces the run.
    #[arg(long, value_name = "FILE")]
    emit: Option<PathBuf>,
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
    /// Master seed, a whole number from 0 to 18446744073709551615 (overrides
    /// `simulation.seed`), e.g. `--seed 7`.
    #[arg(long, allow_negative_numbers = true, value_parser = parse_seed)]
    seed: Option<u64>,
    /// Output directory, replaced whole by the run's five files (default:
    /// `results/<scenario file stem>/`), e.g. `--out /tmp/fc`.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// No progress bar, no heartbeat and no summary on stdout (files are still written).
    #[arg(long, short)]
    quiet: bool,
    /// Stop the run cleanly after this much wall time, e.g. `--max-wall 30s`, `10min`,
    /// `2h`: the results so far are written and marked partial (`"stopped": "max_wall"`),
    /// a warning goes to stderr, exit status 0.
    #[arg(long, value_name = "DURATION", value_parser = parse_max_wall)]
    max_wall: Option<Duration>,
    /// When stderr is not a terminal: one progress line to stderr every SECS seconds of
    /// wall time (simulated time, downloads done, % of bytes, events/s); 0 = none,
    /// e.g. `--heartbeat 60`.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 10.0,
        allow_negative_numbers = true,
        value_parser = parse_heartbeat
    )]
    heartbeat: f64,
    /// Refuse a run whose estimated result files exceed SIZE (e.g. 10GB, 500MiB). The
    /// shipped scenarios write under 2 MB; the default only stops runs whose outputs
    /// nobody could open.
    #[arg(long, value_name = "SIZE", default_value = "1GiB", value_parser = limits::parse_size)]
    output_budget: u64,
    /// Run even when the resource estimate exceeds the available memory or the output
    /// budget.
    #[arg(long)]
    force: bool,
    /// Also run the same scenario without P2P (every client from the origin alone, same
    /// audience and arrivals): print origin bytes, peak, p95, the bill and download times
    /// with and without peers, and the saving; write its summary as `baseline.json`.
    #[arg(long)]
    baseline: bool,
}

/// `--seed`: a u64, with a message that says so (clap's own suggests `-- -1` for `-1`).
fn parse_seed(text: &str) -> Result<u64, String> {
    text.trim().parse::<u64>().map_err(|_| {
        format!(
            "--seed takes a whole number from 0 to {}, got {text:?}",
            u64::MAX
        )
    })
}

/// `--max-wall`: a duration with a unit, above zero.
fn parse_max_wall(text: &str) -> Result<Duration, String> {
    let d = sim_core::units::parse_duration(text)?;
    if d.0 == 0 {
        return Err(format!(
            "expected a duration above zero, e.g. \"30s\" or \"10min\", got {text:?}"
        ));
    }
    Ok(Duration::from_micros(d.0))
}

/// `--heartbeat`: seconds, 0 or more (0 = off).
fn parse_heartbeat(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=1e9).contains(&x) => Ok(x),
        _ => Err(format!(
            "expected a number of seconds from 0 (off) to 1e9, e.g. 10 or 0.5, got {text:?}"
        )),
    }
}

/// A run ended by SIGINT / SIGTERM: nothing was written; the exit code says which.
#[derive(Debug)]
struct Interrupted {
    signal: signals::Signal,
    message: String,
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Interrupted {}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => run(a),
        Command::Validate(a) => validate(a),
        Command::Fluid(a) => fluid(a),
        Command::Sweep(a) => sweep::run(a),
        Command::Merge(a) => sweep::merge(a),
        Command::Compare(a) => compare::run(a),
        Command::Report(a) => report::report(a),
    };
    if let Err(e) = result {
        if let Some(i) = e.downcast_ref::<Interrupted>() {
            eprintln!("swarmsim: {i}");
            std::process::exit(i.signal.exit_code());
        }
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

fn validate(v: ValidateArgs) -> Result<()> {
    let a = v.scenario;
    let s = load(&a, None)?;
    if let Some(path) = &v.emit {
        let overrides = a
            .set
            .iter()
            .map(|s| Override::parse(s))
            .collect::<Result<Vec<_>, _>>()?;
        let text = scenario::emit_file(&a.scenario, &overrides)?;
        sim_core::sweep::write_atomic(path, text.as_bytes())?;
        eprintln!(
            "wrote {} (the resolved scenario: swarmsim run {} reproduces it)",
            path.display(),
            path.display()
        );
    }
    outln!("{}: ok", a.scenario.display());
    out!("{}", scenario::describe(&s));
    outln!("{}", limits::line(&sim_core::estimate::Estimate::of(&s)));
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
    limits::check(&s, a.output_budget, a.force)?;
    let out_dir = a
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&a.scenario.scenario));
    signals::install().context("cannot catch SIGINT / SIGTERM")?;
    // Lock --out before simulating: a second run into it is refused at once.
    let set = resultset::ResultSet::begin(&out_dir, &output::result_names())?;
    let previous = if set.dir().exists() {
        format!("previous results in {} left intact", out_dir.display())
    } else {
        format!("nothing written to {}", out_dir.display())
    };
    let sim = sim_core::Simulation::new(s);
    let mut reporter = progress::Reporter::new(a.quiet, a.heartbeat);
    let started = Instant::now();
    let mut last_now = sim_core::time::SimTime::ZERO;
    let out = sim.run(&mut |p| {
        reporter.update(&p);
        last_now = p.now;
        if signals::pending().is_some() {
            return ControlFlow::Break(sim_core::StopReason::Interrupted);
        }
        match a.max_wall {
            Some(limit) if started.elapsed() >= limit => {
                ControlFlow::Break(sim_core::StopReason::MaxWall {
                    limit_s: limit.as_secs_f64(),
                })
            }
            _ => ControlFlow::Continue(()),
        }
    });
    let baseline_scenario = a.baseline.then(|| baseline_of(&out.summary, &a));
    let baseline = match baseline_scenario {
        Some(Ok(b)) if signals::pending().is_none() && out.summary.stopped.is_none() => {
            let run = sim_core::Simulation::new(b).run(&mut |_| {
                if signals::pending().is_some() {
                    ControlFlow::Break(sim_core::StopReason::Interrupted)
                } else {
                    ControlFlow::Continue(())
                }
            });
            Some(run)
        }
        Some(Err(e)) => return Err(e),
        _ => None,
    };
    let wall = started.elapsed().as_secs_f64();
    reporter.finish();
    let interrupted = |signal: signals::Signal| Interrupted {
        signal,
        message: format!(
            "interrupted by {} at simulated time {}; {previous}",
            signal.name(),
            progress::sim_text(last_now.as_secs_f64())
        ),
    };
    if let Some(signal) = signals::pending() {
        return Err(interrupted(signal).into());
    }
    let perf = output::Perf::measure(&out.summary, wall);
    let written = output::write_results(set.staging(), &out, baseline.as_ref(), &perf)?;
    // The last moment to refuse: after the swap the new set is in place.
    if let Some(signal) = signals::pending() {
        return Err(interrupted(signal).into());
    }
    set.commit()?;
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
    if let (Some(b), false) = (&baseline, a.quiet) {
        out!("{}", baseline_text(&out, b));
    } else if a.baseline && out.summary.stopped.is_some() && !a.quiet {
        outln!(
            "baseline    not run: the run with P2P did not finish, so the two would not compare"
        );
    }
    if let Some(sim_core::StopReason::MaxWall { limit_s }) = out.summary.stopped {
        eprintln!(
            "warning: stopped by --max-wall after {limit_s} s of wall time at simulated time \
             {}; the results in {} are partial (\"stopped\": \"max_wall\")",
            progress::sim_text(out.summary.sim_duration_s),
            out_dir.display()
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

/// The no-P2P twin of the run that produced `summary` (`--baseline`).
fn baseline_of(summary: &sim_core::Summary, a: &RunArgs) -> Result<scenario::Scenario> {
    let mut s = load(&a.scenario, Some(summary.seed))?;
    s = s.without_p2p();
    Ok(s)
}

/// What `--baseline` prints: the two runs side by side, and the saving.
fn baseline_text(with: &sim_core::RunOutput, without: &sim_core::RunOutput) -> String {
    use sim_core::compare::{self, Figures};
    let a = Figures::of_run("without P2P", without);
    let b = Figures::of_run("with P2P", with);
    let mut text = String::from(
        "\nbaseline    the same audience without P2P (every client from the origin alone):\n",
    );
    for line in compare::text(&a, &b).lines() {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    let (wo, wi) = (&without.summary, &with.summary);
    let pct = |x: f64, of: f64| {
        if of > 0.0 {
            format!(" ({:.1}%)", 100.0 * x / of)
        } else {
            String::new()
        }
    };
    let saved_bytes = wo.downloads.bytes_from_origin as f64 - wi.downloads.bytes_from_origin as f64;
    let saved_bill = wo.origin_cost.total_cost - wi.origin_cost.total_cost;
    text.push_str(&format!(
        "saving      origin {}{}, bill {:.2} {}{}, billed p95 {}{}\n",
        sim_core::units::fmt_bytes(saved_bytes.max(0.0) as u64),
        pct(saved_bytes, wo.downloads.bytes_from_origin as f64),
        saved_bill,
        wo.origin_cost.currency,
        pct(saved_bill, wo.origin_cost.total_cost),
        sim_core::units::fmt_rate(wo.origin_cost.p95_5min_bps - wi.origin_cost.p95_5min_bps),
        pct(
            wo.origin_cost.p95_5min_bps - wi.origin_cost.p95_5min_bps,
            wo.origin_cost.p95_5min_bps
        ),
    ));
    text
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
