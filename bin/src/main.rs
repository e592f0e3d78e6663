//! `swarmsim`: run, validate and inspect peer-assisted delivery scenarios.
//!
//! A thin layer over `sim-core`: argument parsing, progress bars, and writing result files
//! atomically. All modelling lives in the library.

mod output;
mod progress;

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
A scenario is a TOML file (see scenarios/ for commented examples). Same scenario + seed \
gives byte-identical outputs.",
    after_help = "Examples:\n  \
swarmsim run scenarios/quickstart.toml\n  \
swarmsim run scenarios/flash-crowd.toml --seed 7 --set origin.capacity=1Gbps --out /tmp/fc\n  \
swarmsim validate scenarios/poisson-steady.toml --set client.seed_time=exp(30min)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario; print a summary; write summary.json, timeseries.csv and perf.json.
    #[command(
        after_help = "Outputs (written atomically into --out, default results/<scenario file stem>/):\n  \
summary.json     deterministic figures: offload, bytes by source, origin peak/p95, download-time percentiles, digest\n  \
timeseries.csv   one row per sample interval: origin and peer bps, leechers, seeds, cumulative offload\n  \
perf.json        wall time, events per second, peak memory (not deterministic)"
    )]
    Run(RunArgs),
    /// Check a scenario file and print the resolved scenario (units parsed, defaults filled).
    Validate(ScenarioArgs),
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
    /// Output directory [default: results/<scenario file stem>/].
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
    println!("{}: ok", a.scenario.display());
    print!("{}", scenario::describe(&s));
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
    output::write_atomic(&out_dir.join("summary.json"), out.summary_json().as_bytes())?;
    output::write_atomic(
        &out_dir.join("timeseries.csv"),
        out.timeseries_csv().as_bytes(),
    )?;
    output::write_atomic(&out_dir.join("perf.json"), perf.to_json().as_bytes())?;
    if !a.quiet {
        print!("{}", out.human_summary());
        println!(
            "perf        {:.2} s wall, {:.0} events/s, peak memory {}",
            perf.wall_time_s,
            perf.events_per_s,
            sim_core::units::fmt_bytes(perf.peak_rss_bytes)
        );
        println!(
            "wrote       {}/{{summary.json,timeseries.csv,perf.json}}",
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
