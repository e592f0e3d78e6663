//! `swarmsim report DIR`: one self-contained `report.html` (inline SVG and CSS, no script,
//! nothing fetched) for the results of a run or of a sweep, read from the files in DIR.
//!
//! | module | what |
//! | --- | --- |
//! | `run_files` | a run's result files, read back |
//! | `run` | a run: traffic, swarm, download times, contents, the bill with and without P2P |
//! | `sweep` | a sweep: each metric against each varied parameter with 95% bands, the table |
//! | `svg` | the charts |
//! | `page` | the HTML around them: figures with captions, tables, number formats |

mod page;
mod run;
mod run_files;
mod svg;
mod sweep;

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

/// Arguments of `swarmsim report`.
#[derive(Args)]
pub struct ReportArgs {
    /// The results of a run (`swarmsim run --out DIR`) or of a sweep (`swarmsim sweep
    /// --out DIR`, or the output of `swarmsim merge`).
    pub dir: PathBuf,
    /// For a run: the same scenario run without P2P, for the bill with and without peers
    /// (default: DIR/baseline when it holds a run, else DIR/baseline.json, which
    /// `swarmsim run --baseline` writes: its figures without its time series).
    #[arg(long, value_name = "DIR")]
    pub baseline: Option<PathBuf>,
    /// Where to write the page (default: DIR/report.html).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `swarmsim report`: reads DIR, renders the page, writes it atomically. Nothing is
/// written when DIR holds no results.
pub fn report(a: ReportArgs) -> Result<()> {
    let dir = &a.dir;
    if !dir.is_dir() {
        bail!("{}: no such directory", dir.display());
    }
    let html = if sweep::is_sweep(dir) {
        if a.baseline.is_some() {
            bail!(
                "--baseline is for the report of a run; {} holds a sweep",
                dir.display()
            );
        }
        sweep::html(&sweep::SweepFiles::read(dir)?)?
    } else if run::is_run(dir) {
        let run = run::RunFiles::read(dir)?;
        let base_dir = a.baseline.clone().or_else(|| {
            let d = dir.join("baseline");
            run::is_run(&d).then_some(d)
        });
        let baseline = match &base_dir {
            Some(d) if !run::is_run(d) => {
                bail!("--baseline {}: no summary.json of a run there", d.display())
            }
            Some(d) => Some(run::RunFiles::read(d)?),
            None => run::RunFiles::baseline_json(dir)?,
        };
        run::html(&run, baseline.as_ref())?
    } else {
        bail!(
            "{}: no results to report: expected summary.json, timeseries.csv and peers.csv \
             (swarmsim run --out DIR) or manifest.json and points.csv (swarmsim sweep --out DIR)",
            dir.display()
        );
    };
    let out = a.out.clone().unwrap_or_else(|| dir.join("report.html"));
    sim_core::sweep::write_atomic(&out, html.as_bytes())?;
    outln!("wrote       {}", out.display());
    Ok(())
}
