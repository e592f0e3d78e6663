//! The report of a sweep, from the files `swarmsim sweep` (or `merge`) wrote: each metric
//! against each varied parameter, one line per combination of the other parameters, the
//! 95% confidence interval of the mean as a band; then the table of the points.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use sim_core::sweep::Manifest;

use super::page::{time_unit, Page};
use super::svg::{self, Chart, Series, XAxis};

/// Lines drawn in one chart at most (one per combination of the other parameters).
const MAX_SERIES: usize = 10;

/// Metrics in the table of points (every metric is drawn; points.csv has them all).
const TABLE_METRICS: [&str; 6] = [
    "offload_ratio",
    "bytes_from_origin",
    "origin_p95_5min_bps",
    "origin_cost_total",
    "download_time_p50_s",
    "download_time_p90_s",
];

/// One metric at one point: mean and 95% confidence interval of the mean.
#[derive(Clone, Copy)]
struct Estimate {
    mean: f64,
    ci: Option<(f64, f64)>,
    n: usize,
}

/// A sweep's results, read.
pub struct SweepFiles {
    dir: PathBuf,
    manifest: Manifest,
    /// The base scenario as the sweep file names it.
    scenario: Option<String>,
    /// Per point: its labels, then per metric (manifest order) its estimate.
    points: Vec<(Vec<String>, Vec<Option<Estimate>>)>,
}

/// Whether `dir` holds a sweep.
pub fn is_sweep(dir: &Path) -> bool {
    dir.join("manifest.json").is_file()
}

impl SweepFiles {
    /// Reads the sweep in `dir` (`manifest.json`, `points.csv`).
    pub fn read(dir: &Path) -> Result<SweepFiles> {
        let manifest =
            Manifest::read(dir)?.with_context(|| format!("{}: no manifest.json", dir.display()))?;
        let path = dir.join("points.csv");
        if !path.is_file() {
            bail!(
                "{}: a sweep without points.csv: not every run is done, or these are shards; \
                 finish it (run the same `swarmsim sweep` again) or `swarmsim merge` the shards",
                dir.display()
            );
        }
        let mut r = csv::Reader::from_path(&path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let header = r.headers()?.clone();
        let col = |name: &str| -> Result<usize> {
            header.iter().position(|h| h == name).with_context(|| {
                format!(
                    "{}: no column `{name}`; points.csv does not match manifest.json",
                    path.display()
                )
            })
        };
        let label_cols = manifest
            .columns
            .iter()
            .map(|c| col(c))
            .collect::<Result<Vec<_>>>()?;
        let metric_cols = manifest
            .metrics
            .iter()
            .map(|m| {
                Ok([
                    col(&format!("{m}_mean"))?,
                    col(&format!("{m}_ci95_low"))?,
                    col(&format!("{m}_ci95_high"))?,
                    col(&format!("{m}_n"))?,
                ])
            })
            .collect::<Result<Vec<_>>>()?;
        let mut points = Vec::new();
        for (i, rec) in r.records().enumerate() {
            let rec = rec.with_context(|| format!("{}: row {}", path.display(), i + 2))?;
            let get = |k: usize| rec.get(k).unwrap_or("");
            let numb = |k: usize| -> Result<Option<f64>> {
                let t = get(k);
                if t.is_empty() {
                    return Ok(None);
                }
                t.parse().map(Some).with_context(|| {
                    format!("{}: row {}: `{t}` is not a number", path.display(), i + 2)
                })
            };
            let labels = label_cols.iter().map(|&k| get(k).to_string()).collect();
            let mut estimates = Vec::new();
            for &[m, lo, hi, n] in &metric_cols {
                estimates.push(numb(m)?.map(|mean| Estimate {
                    mean,
                    ci: numb(lo).ok().flatten().zip(numb(hi).ok().flatten()),
                    n: get(n).parse().unwrap_or(0),
                }));
            }
            points.push((labels, estimates));
        }
        if points.len() != manifest.points.len() {
            bail!(
                "{}: {} points, manifest.json has {}",
                path.display(),
                points.len(),
                manifest.points.len()
            );
        }
        let scenario = std::fs::read_to_string(dir.join("sweep.toml"))
            .ok()
            .and_then(|t| base_scenario(&t));
        Ok(SweepFiles {
            dir: dir.to_path_buf(),
            manifest,
            scenario,
            points,
        })
    }
}

/// The `scenario = "…"` line of a sweep file.
fn base_scenario(sweep_toml: &str) -> Option<String> {
    sweep_toml.lines().find_map(|l| {
        let rest = l
            .trim()
            .strip_prefix("scenario")?
            .trim_start()
            .strip_prefix('=')?;
        let rest = rest.trim().strip_prefix('"')?;
        Some(rest[..rest.find('"')?].to_string())
    })
}

/// `label` as a number and its unit (`"46.4159Mbps"` → (46.4159, "Mbps"), `"0.5"` →
/// (0.5, "")); `None` when it does not start with a number.
fn split_number(label: &str) -> Option<(f64, &str)> {
    let end = label
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit() || c == '.' || ((c == '-' || c == '+') && i == 0) || c == 'e')
        })
        .map_or(label.len(), |(i, _)| i);
    let v: f64 = label[..end].parse().ok()?;
    let unit = &label[end..];
    unit.chars()
        .all(|c| c.is_ascii_alphabetic())
        .then_some((v, unit))
}

/// The x axis of column `title` whose values are `names`: numeric when every value is a
/// number with the same unit, else named positions. Returns the axis and each value's x.
fn x_axis(title: &str, names: &[String]) -> (XAxis, Vec<f64>) {
    let parsed: Option<Vec<(f64, &str)>> = names.iter().map(|n| split_number(n)).collect();
    if let Some(p) = parsed.filter(|p| p.len() > 1 && p.iter().all(|x| x.1 == p[0].1)) {
        let xs: Vec<f64> = p.iter().map(|x| x.0).collect();
        let (lo, hi) = xs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let pad = (hi - lo) * 0.04;
        let unit = p[0].1;
        return (
            XAxis::Linear {
                title: if unit.is_empty() {
                    title.to_string()
                } else {
                    format!("{title} ({unit})")
                },
                min: lo - pad,
                max: hi + pad,
            },
            xs,
        );
    }
    (
        XAxis::Categories {
            title: title.to_string(),
            names: names.to_vec(),
        },
        (0..names.len()).map(|i| i as f64).collect(),
    )
}

/// How metric `name` reads best, given its largest value: (axis unit text, divisor).
fn metric_unit(name: &str, max: f64, currency: Option<&str>) -> (String, f64) {
    if name == "offload_ratio" {
        ("%".into(), 0.01)
    } else if name.ends_with("_bps") {
        if max >= 1e10 {
            ("Gbps".into(), 1e9)
        } else {
            ("Mbps".into(), 1e6)
        }
    } else if name.starts_with("bytes_") && name != "bytes_per_completed_copy" {
        if max >= 1e12 {
            ("TB".into(), 1e12)
        } else {
            ("GB".into(), 1e9)
        }
    } else if name.ends_with("_s") {
        let (u, per) = time_unit(max);
        (u.to_string(), per)
    } else if name.contains("cost") {
        (currency.unwrap_or("price list's currency").to_string(), 1.0)
    } else if name == "bytes_per_completed_copy" {
        ("copies".into(), 1.0)
    } else {
        ("count".into(), 1.0)
    }
}

/// Values of column `c` in order of first appearance.
fn distinct(points: &[(Vec<String>, Vec<Option<Estimate>>)], c: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (labels, _) in points {
        if !out.contains(&labels[c]) {
            out.push(labels[c].clone());
        }
    }
    out
}

/// Whether column `o` is a function of column `c` over the points (zipped keys).
fn follows(points: &[(Vec<String>, Vec<Option<Estimate>>)], c: usize, o: usize) -> bool {
    points
        .iter()
        .all(|(a, _)| points.iter().all(|(b, _)| a[c] != b[c] || a[o] == b[o]))
}

/// The HTML report of the sweep `sw`.
pub fn html(sw: &SweepFiles) -> Result<String> {
    let m = &sw.manifest;
    let scenario = sw.scenario.as_deref().unwrap_or("(see sweep.toml)");
    let seeds = if m.common_random_numbers {
        format!(
            "replication r runs with seed {} + r at every point",
            m.master_seed
        )
    } else {
        format!(
            "each run's seed mixed from master seed {}, its point and replication (runs.csv)",
            m.master_seed
        )
    };
    let provenance = format!(
        "Sweep {} (hash {}) of scenario {scenario}; {} replications per point, {seeds}; \
         swarmsim {}; from {}.",
        m.sweep_file,
        m.sweep_hash,
        m.replications,
        m.version,
        sw.dir.display()
    );
    let mut page = Page::new(&provenance);
    page.title(
        &format!("swarmsim report: sweep {}", m.sweep_file),
        &format!(
            "{} points × {} replications = {} runs of scenario {scenario}, varying {}. \
             Each point is the mean of its runs; the band (or whisker) is the 95% confidence \
             interval of that mean (Student t).",
            m.points.len(),
            m.replications,
            m.runs(),
            if m.columns.is_empty() {
                "nothing".to_string()
            } else {
                m.columns.join(", ")
            }
        ),
    );
    let varied: Vec<usize> = (0..m.columns.len())
        .filter(|&c| distinct(&sw.points, c).len() > 1)
        .collect();
    if varied.is_empty() {
        page.note("No parameter varies in this sweep: no chart, the table below has it all.");
    }
    // A column that only follows another (a key zipped with it) gets no charts of its own:
    // the charts against the column it follows show it.
    let mut charted = Vec::new();
    for &c in &varied {
        let leader = varied.iter().copied().find(|&o| {
            o != c && follows(&sw.points, o, c) && (o < c || !follows(&sw.points, c, o))
        });
        match leader {
            None => charted.push(c),
            Some(o) => page.note(&format!(
                "{} varies with {} (one value for each of its values): the charts against {} \
                 show it.",
                m.columns[c], m.columns[o], m.columns[o]
            )),
        }
    }
    for (k, metric) in m.metrics.iter().enumerate() {
        let max = sw
            .points
            .iter()
            .filter_map(|p| p.1[k])
            .map(|e| e.ci.map_or(e.mean, |c| c.1).abs().max(e.mean.abs()))
            .fold(0.0, f64::max);
        if sw.points.iter().all(|p| p.1[k].is_none()) {
            continue;
        }
        if varied.is_empty() {
            continue;
        }
        page.section(metric);
        let (unit, div) = metric_unit(metric, max, None);
        for &c in &charted {
            chart(&mut page, sw, k, c, &varied, &unit, div);
        }
    }
    table(&mut page, sw);
    Ok(page.finish(&format!("swarmsim report: sweep {}", m.sweep_file)))
}

/// One line of a sweep chart: the values of the other columns, and (x, estimate) points.
type Group = (Vec<String>, Vec<(f64, Estimate)>);

/// Figure: metric `k` against column `c`, one line per combination of the other varied
/// columns.
fn chart(
    page: &mut Page,
    sw: &SweepFiles,
    k: usize,
    c: usize,
    varied: &[usize],
    unit: &str,
    div: f64,
) {
    let m = &sw.manifest;
    let metric = &m.metrics[k];
    let names = distinct(&sw.points, c);
    let (axis, xs) = x_axis(&m.columns[c], &names);
    // The other varied columns give one line per combination of their values, except
    // those that vary with `c` (keys zipped with it: one value of `c`, one of theirs).
    let others: Vec<usize> = varied
        .iter()
        .copied()
        .filter(|&o| o != c && !follows(&sw.points, c, o))
        .collect();
    let mut groups: Vec<Group> = Vec::new();
    for (labels, est) in &sw.points {
        let key: Vec<String> = others.iter().map(|&o| labels[o].clone()).collect();
        let Some(e) = est[k] else { continue };
        let x = xs[names.iter().position(|n| *n == labels[c]).unwrap_or(0)];
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.1.push((x, e)),
            None => groups.push((key, vec![(x, e)])),
        }
    }
    let dropped = groups.len().saturating_sub(MAX_SERIES);
    groups.truncate(MAX_SERIES);
    let series = groups
        .into_iter()
        .map(|(key, mut pts)| {
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            Series {
                label: if others.is_empty() {
                    "mean of the runs".into()
                } else {
                    others
                        .iter()
                        .zip(&key)
                        .map(|(&o, v)| format!("{} = {v}", m.columns[o]))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                band: pts
                    .iter()
                    .filter_map(|(x, e)| e.ci.map(|(lo, hi)| (*x, lo / div, hi / div)))
                    .collect(),
                points: pts.iter().map(|(x, e)| (*x, e.mean / div)).collect(),
                markers: true,
            }
        })
        .collect();
    let title = format!("{metric} against {}", m.columns[c]);
    let n_min = sw
        .points
        .iter()
        .filter_map(|p| p.1[k].map(|e| e.n))
        .min()
        .unwrap_or(0);
    page.figure(
        &svg::render(&Chart {
            title: title.clone(),
            x: axis,
            y_title: format!("{metric} ({unit})"),
            series,
            refs: vec![],
        }),
        &title,
        &format!(
            "Mean of {metric} over the runs at each point (at least {n_min} runs with a \
             value), with its 95% confidence interval (a shaded band along a numeric axis, \
             whiskers at named values).{}",
            if dropped > 0 {
                format!(" {dropped} more lines not drawn (the table has every point).")
            } else {
                String::new()
            }
        ),
    );
}

/// The table of points: labels and the main metrics, mean [95% CI].
fn table(page: &mut Page, sw: &SweepFiles) {
    let m = &sw.manifest;
    page.section("Points");
    let shown: Vec<usize> = TABLE_METRICS
        .iter()
        .filter_map(|t| m.metrics.iter().position(|x| x == t))
        .collect();
    let units: Vec<(String, f64)> = shown
        .iter()
        .map(|&k| {
            let max = sw
                .points
                .iter()
                .filter_map(|p| p.1[k])
                .map(|e| e.mean.abs())
                .fold(0.0, f64::max);
            metric_unit(&m.metrics[k], max, None)
        })
        .collect();
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(m.columns.iter().cloned());
    header.extend(
        shown
            .iter()
            .zip(&units)
            .map(|(&k, (u, _))| format!("{} ({u})", m.metrics[k])),
    );
    let rows: Vec<Vec<String>> = sw
        .points
        .iter()
        .enumerate()
        .map(|(i, (labels, est))| {
            let mut row = vec![i.to_string()];
            row.extend(labels.iter().cloned());
            for (&k, (_, div)) in shown.iter().zip(&units) {
                row.push(match est[k] {
                    None => "–".into(),
                    Some(e) => match e.ci {
                        Some((lo, hi)) => format!(
                            "{} [{}, {}]",
                            short(e.mean / div),
                            short(lo / div),
                            short(hi / div)
                        ),
                        None => short(e.mean / div),
                    },
                });
            }
            row
        })
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    page.table(&header_refs, &rows);
    page.note(
        "Each cell: mean [95% confidence interval of the mean]. points.csv beside this \
         report has every metric with its standard deviation and run percentiles; runs.csv \
         has every run with its seed.",
    );
}

/// A number with four significant digits.
fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_numbers_with_units() {
        assert_eq!(split_number("46.4159Mbps"), Some((46.4159, "Mbps")));
        assert_eq!(split_number("0.05"), Some((0.05, "")));
        assert_eq!(split_number("web-seed"), None);
        assert_eq!(split_number("exp(10min)"), None);
        assert_eq!(split_number("100MB/256KiB"), None);
        let names = ["0s".to_string(), "exp(1h)".to_string()];
        assert!(matches!(
            x_axis("seed_time", &names).0,
            XAxis::Categories { .. }
        ));
        let names = ["20Mbps".to_string(), "80Mbps".to_string()];
        let (axis, xs) = x_axis("origin.capacity", &names);
        assert_eq!(xs, vec![20.0, 80.0]);
        assert!(matches!(axis, XAxis::Linear { title, .. } if title == "origin.capacity (Mbps)"));
        assert_eq!(
            base_scenario("# x\nscenario = \"../q.toml\"  # base\n").as_deref(),
            Some("../q.toml")
        );
        let point =
            |a: &str, b: &str, d: &str| (vec![a.to_string(), b.to_string(), d.to_string()], vec![]);
        let points = [
            point("50MB", "256KiB", "x"),
            point("1GB", "1MiB", "x"),
            point("50MB", "256KiB", "y"),
        ];
        assert!(follows(&points, 0, 1) && follows(&points, 1, 0));
        assert!(!follows(&points, 0, 2));
        assert_eq!(short(0.969739), "0.9697");
        assert_eq!(short(1234.5), "1234");
        assert_eq!(metric_unit("origin_p95_5min_bps", 2e8, None).0, "Mbps");
        assert_eq!(metric_unit("download_time_p50_s", 3000.0, None).0, "min");
    }
}
