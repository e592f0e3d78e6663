//! `swarmsim`: run, validate and inspect peer-assisted delivery scenarios.
//!
//! A thin layer over `sim-core`: argument parsing, progress bars, and writing result files
//! atomically. All modelling lives in the library.

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
    output::write_atomic(&out_dir.join("summary.json"), out.summary_json().as_bytes())?;
    output::write_atomic(
        &out_dir.join("timeseries.csv"),
        out.timeseries_csv().as_bytes(),
    )?;
    output::write_atomic(&out_dir.join("peers.csv"), out.peers_csv().as_bytes())?;
    output::write_atomic(
        &out_dir.join("summary.svg"),
        plot::summary_svg(&out)?.as_bytes(),
    )?;
    output::write_atomic(&out_dir.join("perf.json"), perf.to_json().as_bytes())?;
    if !a.quiet {
        out!("{}", out.human_summary());
        outln!(
            "perf        {:.2} s wall, {:.0} events/s, peak memory {}",
            perf.wall_time_s,
            perf.events_per_s,
            sim_core::units::fmt_bytes(perf.peak_rss_bytes)
        );
        outln!(
            "wrote       {}/{{summary.json,timeseries.csv,peers.csv,summary.svg,perf.json}}",
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

/// A rate per second as "1/N s" (N = its inverse in seconds), "0" or "inf (...)"; only
/// γ can be 0 or infinite.
fn per_s(rate: f64) -> String {
    if rate == 0.0 {
        "0".into()
    } else if rate.is_infinite() {
        "inf (peers leave on completion)".into()
    } else {
        format!("1/{:.1} s", 1.0 / rate)
    }
}

/// The rest of `fluid`'s text when θ > 0: the partial-download extension's figures, with
/// the closed form's beside them and what the difference is.
fn fluid_with_aborts(
    p: &sim_core::fluid::FluidParams,
    ss: &sim_core::fluid::SteadyState,
    q: &sim_core::fluid::PartialSteadyState,
    caveats: &[String],
) -> Result<()> {
    outln!(
        "warning     θ > 0: Qiu & Srikant's closed form treats abandoned downloads as free \
         (x̄ = {:.1}, T = {:.1} s); the figures below charge the upload they took \
         (docs/validation.md#fluid-model-with-aborts-extension)",
        ss.leechers,
        ss.download_time
    );
    if q.regime != ss.regime {
        outln!("            with aborts charged the swarm is {}", q.regime);
    }
    outln!("leechers    x̄ = {:.1}", q.leechers);
    if q.seeds.is_finite() {
        outln!(
            "seeds       ȳ = {:.1} (completed peers still seeding)",
            q.seeds
        );
    } else {
        outln!("seeds       ȳ unbounded (seeds never leave: no steady state)");
    }
    outln!(
        "download    T = {:.1} s ({:.2} min) for a completed download; a leecher stays {:.1} s \
         on average (abandoned ones included), λ × stay = x̄",
        q.download_time,
        q.download_time / 60.0,
        q.mean_stay
    );
    outln!(
        "aborts      {:.1}% of downloads abandoned, after {:.0}% of the file on average: {:.1}% \
         of the upload leechers receive is wasted",
        100.0 * (1.0 - q.completed_share),
        100.0 * q.abandoned_fraction_received,
        100.0 * q.wasted_upload_share
    );
    outln!(
        "rate        every leecher receives 1 file per {:.1} s (c: 1 per {:.1} s)",
        q.download_time,
        1.0 / p.c
    );
    for (i, c) in caveats.iter().enumerate() {
        let label = if i == 0 { "caveats" } else { "" };
        outln!("{label:<11} - {c}");
    }
    Ok(())
}

fn fluid(a: FluidArgs) -> Result<()> {
    use sim_core::fluid::{scenario_caveats, FluidParams, Regime};
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
    let p = FluidParams::from_scenario(&s, k, a.eta)?;
    let ss = p.steady_state()?;
    // With aborts the closed form treats abandoned downloads as free: the figures given are
    // the extension's, which charges the upload they took (sim-core/src/fluid.rs).
    let partial = if p.theta > 0.0 {
        Some(p.steady_state_with_partial_downloads(0.0)?)
    } else {
        None
    };
    let caveats = scenario_caveats(&s, k, &p);
    if a.json {
        let finite = |v: f64| v.is_finite().then_some(v);
        if let Some(q) = partial {
            let doc = serde_json::json!({
                "scenario": s.name,
                "content": s.contents[k].name,
                "model": "Qiu & Srikant fluid model (SIGCOMM 2004), \
                          docs/validation.md#qiu-srikant-fluid-model, with \
                          abandoned downloads charged the upload they took \
                          (docs/validation.md#fluid-model-with-aborts-extension)",
                "params_per_s": {
                    "lambda": p.lambda,
                    "c": p.c,
                    "mu": p.mu,
                    "theta": p.theta,
                    "gamma": finite(p.gamma),
                    "eta": p.eta,
                },
                "regime": q.regime,
                "beta_per_s": q.rate,
                "leechers": q.leechers,
                "seeds": finite(q.seeds),
                "download_time_s": q.download_time,
                "download_time_min": q.download_time / 60.0,
                "aborts": {
                    "warning": "Qiu & Srikant's closed form treats abandoned downloads as \
                                free; the figures above charge the upload they took",
                    "mean_stay_s": q.mean_stay,
                    "completed_share": q.completed_share,
                    "abandoned_fraction_received": q.abandoned_fraction_received,
                    "wasted_upload_share": q.wasted_upload_share,
                    "qiu_srikant": {
                        "regime": ss.regime,
                        "beta_per_s": ss.beta,
                        "leechers": ss.leechers,
                        "seeds": finite(ss.seeds),
                        "mean_stay_s": ss.download_time,
                    },
                },
                "caveats": caveats,
            });
            outln!("{}", serde_json::to_string_pretty(&doc)?);
            return Ok(());
        }
        let doc = serde_json::json!({
            "scenario": s.name,
            "content": s.contents[k].name,
            "model": "Qiu & Srikant fluid model (SIGCOMM 2004), \
                      docs/validation.md#qiu-srikant-fluid-model",
            "params_per_s": {
                "lambda": p.lambda,
                "c": p.c,
                "mu": p.mu,
                "theta": p.theta,
                "gamma": finite(p.gamma),
                "eta": p.eta,
            },
            "regime": ss.regime,
            "beta_per_s": ss.beta,
            "leechers": ss.leechers,
            "seeds": finite(ss.seeds),
            "download_time_s": ss.download_time,
            "download_time_min": ss.download_time / 60.0,
            "caveats": caveats,
        });
        outln!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    let upload_time = if p.gamma == 0.0 {
        "-inf s (seeds never leave)".to_string()
    } else {
        let t = (1.0 / p.mu - 1.0 / p.gamma) / p.eta;
        let note = if t <= 0.0 {
            " (seeds stay longer than one upload: they alone keep up)"
        } else {
            ""
        };
        format!("{t:.1} s{note}")
    };
    let (cmp, why) = match ss.regime {
        Regime::DownloadConstrained => (">=", "leechers' download links limit completions"),
        Regime::UploadConstrained => ("<", "the swarm's upload capacity limits completions"),
    };
    let of_content = if s.contents.len() > 1 {
        format!(", content {:?}", s.contents[k].name)
    } else {
        String::new()
    };
    outln!(
        "scenario    {}{of_content} (Qiu & Srikant fluid model, SIGCOMM 2004; \
         docs/validation.md#qiu-srikant-fluid-model)",
        s.name
    );
    outln!(
        "parameters  λ = {:.4}/s ({:.2}/min), c = {}, μ = {}, γ = {}, θ = {}, η = {}",
        p.lambda,
        p.lambda * 60.0,
        per_s(p.c),
        per_s(p.mu),
        per_s(p.gamma),
        per_s(p.theta),
        p.eta
    );
    outln!(
        "regime      {}: 1/c = {:.1} s {cmp} (1/η)(1/μ − 1/γ) = {upload_time}; {why}",
        ss.regime,
        1.0 / p.c
    );
    if let Some(q) = partial {
        return fluid_with_aborts(&p, &ss, &q, &caveats);
    }
    outln!("leechers    x̄ = {:.1}", ss.leechers);
    if ss.seeds.is_finite() {
        outln!(
            "seeds       ȳ = {:.1} (completed peers still seeding)",
            ss.seeds
        );
    } else {
        outln!("seeds       ȳ unbounded (seeds never leave: no steady state)");
    }
    outln!(
        "download    T = {:.1} s ({:.2} min), λT = {:.1}",
        ss.download_time,
        ss.download_time / 60.0,
        p.lambda * ss.download_time
    );
    outln!(
        "β           {:.6}/s (1/β = {:.1} s per file per leecher)",
        ss.beta,
        1.0 / ss.beta
    );
    if caveats.is_empty() {
        outln!("caveats     none");
    } else {
        for (i, c) in caveats.iter().enumerate() {
            let label = if i == 0 { "caveats" } else { "" };
            outln!("{label:<11} - {c}");
        }
    }
    Ok(())
}
