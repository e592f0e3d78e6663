//! `swarmsim compare A B`: two runs, or two points of sweeps, side by side.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use sim_core::compare::{self, Figures};

/// Arguments of `swarmsim compare`.
#[derive(Args)]
pub struct CompareArgs {
    /// The first side: a run directory (with summary.json), or a sweep directory and a
    /// point, `DIR#N` (the point's means and 95% confidence intervals from points.csv).
    pub a: String,
    /// The second side, the same way. Differences and ratios are B − A and B / A.
    pub b: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `swarmsim compare`.
pub fn run(a: CompareArgs) -> Result<()> {
    let fa = side(&a.a)?;
    let fb = side(&a.b)?;
    if a.json {
        out!("{}", compare::json(&fa, &fb));
    } else {
        out!("{}", compare::text(&fa, &fb));
    }
    Ok(())
}

/// The figures of one side: `DIR` (a run) or `DIR#N` (point N of a sweep).
fn side(spec: &str) -> Result<Figures> {
    let (dir, point) = match spec.rsplit_once('#') {
        Some((d, n)) => {
            let n: usize = n.parse().with_context(|| {
                format!(
                    "{spec}: expected DIR#N with N a point number, e.g. results/sweeps/policies#2"
                )
            })?;
            (PathBuf::from(d), Some(n))
        }
        None => (PathBuf::from(spec), None),
    };
    match point {
        None => {
            let path = dir.join("summary.json");
            if !path.exists() {
                let hint = if dir.join("points.csv").exists() {
                    format!(
                        "; {} is a sweep: name a point, e.g. {}#0",
                        dir.display(),
                        dir.display()
                    )
                } else {
                    String::new()
                };
                bail!(
                    "{}: no summary.json (not a run directory){hint}",
                    dir.display()
                );
            }
            let text = read(&path)?;
            Figures::of_summary_json(&dir.display().to_string(), &text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
        }
        Some(n) => {
            let path = dir.join("points.csv");
            if !path.exists() {
                bail!(
                    "{}: no points.csv (not a finished sweep directory)",
                    dir.display()
                );
            }
            let text = read(&path)?;
            let label = point_label(&dir, n).unwrap_or_else(|| spec.to_string());
            Figures::of_sweep_point(&label, &text, n)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
        }
    }
}

/// `DIR#N (col=value, ...)` from the sweep's manifest, when it can be read.
fn point_label(dir: &Path, n: usize) -> Option<String> {
    let m = sim_core::sweep::Manifest::read(dir).ok()??;
    let labels = m.points.get(n)?;
    let cells: Vec<String> = m
        .columns
        .iter()
        .zip(labels)
        .map(|(c, l)| format!("{c}={l}"))
        .collect();
    Some(format!("{}#{n} ({})", dir.display(), cells.join(", ")))
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}
