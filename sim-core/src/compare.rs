//! Two configurations side by side: the figures a planner weighs (offload, origin bytes,
//! peak and billed rate, the bill, download times), each with the difference and the
//! ratio. The sides are runs (a [`RunOutput`] in memory, or a run directory's
//! `summary.json`) or points of a sweep (`points.csv`, with their 95% confidence
//! intervals). `swarmsim run --baseline` compares a scenario with the same audience
//! without P2P; `swarmsim compare A B` compares two result directories.

use std::fmt::Write as _;

use crate::report::RunOutput;
use crate::sweep::METRICS;
use crate::units::{fmt_bytes, fmt_rate};

/// The metrics compared, by their sweep column name, with how to show them.
pub const COMPARED: &[(&str, &str, Unit)] = &[
    ("offload_ratio", "offload", Unit::Ratio),
    ("bytes_from_origin", "origin bytes", Unit::Bytes),
    ("bytes_from_peers", "peer bytes", Unit::Bytes),
    (
        "origin_peak_instant_bps",
        "origin peak (instant)",
        Unit::Bps,
    ),
    (
        "origin_p95_5min_bps",
        "origin p95 (5-min, billed)",
        Unit::Bps,
    ),
    ("origin_cost_total", "origin bill", Unit::Money),
    ("download_time_mean_s", "download time, mean", Unit::Seconds),
    ("download_time_p50_s", "download time, p50", Unit::Seconds),
    ("download_time_p90_s", "download time, p90", Unit::Seconds),
    ("download_time_p99_s", "download time, p99", Unit::Seconds),
    ("completed_downloads", "completed downloads", Unit::Count),
];

/// How a compared figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share, shown with 3 decimals.
    Ratio,
    /// Bytes, shown in B/kB/MB/GB.
    Bytes,
    /// Bits per second, shown in bps/kbps/Mbps/Gbps.
    Bps,
    /// An amount of money, shown with 2 decimals and the currency.
    Money,
    /// Seconds, shown in s.
    Seconds,
    /// A count.
    Count,
}

/// One side of a comparison: a label and the value (and 95% CI half-width, for a sweep
/// point) of each metric of [`COMPARED`], in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// What this side is ("with P2P", a directory, `DIR#3`).
    pub label: String,
    /// Per compared metric: the value and the CI half-width, when known.
    pub values: Vec<(Option<f64>, Option<f64>)>,
    /// The currency of the bill, when the scenario names one.
    pub currency: Option<String>,
}

impl Figures {
    /// The figures of a run in memory.
    pub fn of_run(label: &str, out: &RunOutput) -> Figures {
        let values = COMPARED
            .iter()
            .map(|(name, _, _)| {
                let m = METRICS
                    .iter()
                    .find(|m| m.name == *name)
                    .expect("compared metric is a sweep metric");
                ((m.read)(out), None)
            })
            .collect();
        Figures {
            label: label.to_string(),
            values,
            currency: Some(out.summary.origin_cost.currency.clone()),
        }
    }

    /// The figures of a run from its `summary.json` text.
    pub fn of_summary_json(label: &str, text: &str) -> Result<Figures, String> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let at = |path: &str| -> Result<Option<f64>, String> {
            let mut cur = &v;
            for key in path.split('.') {
                cur = cur
                    .get(key)
                    .ok_or_else(|| format!("no key {path:?}: not a swarmsim summary.json"))?;
            }
            Ok(cur.as_f64())
        };
        fn path(name: &str) -> &str {
            match name {
                "origin_p95_5min_bps" => "origin_cost.p95_5min_bps",
                "origin_cost_total" => "origin_cost.total_cost",
                "download_time_mean_s" => "download_time_s.mean",
                "download_time_p50_s" => "download_time_s.p50",
                "download_time_p90_s" => "download_time_s.p90",
                "download_time_p99_s" => "download_time_s.p99",
                other => other,
            }
        }
        let values = COMPARED
            .iter()
            .map(|(name, _, _)| at(path(name)).map(|x| (x, None)))
            .collect::<Result<Vec<_>, _>>()?;
        let currency = v
            .get("origin_cost")
            .and_then(|c| c.get("currency"))
            .and_then(|c| c.as_str())
            .map(str::to_string);
        Ok(Figures {
            label: label.to_string(),
            values,
            currency,
        })
    }

    /// The figures of point `point` of a sweep from its `points.csv` text: the means,
    /// with their 95% confidence intervals.
    pub fn of_sweep_point(label: &str, points_csv: &str, point: usize) -> Result<Figures, String> {
        let mut r = csv::Reader::from_reader(points_csv.as_bytes());
        let header = r.headers().map_err(|e| format!("points.csv: {e}"))?.clone();
        let col = |name: &str| header.iter().position(|h| h == name);
        let mut rows = r.records();
        let row = rows
            .nth(point)
            .ok_or_else(|| format!("no point {point} in points.csv"))?
            .map_err(|e| format!("points.csv: {e}"))?;
        let num = |c: Option<usize>| {
            c.and_then(|i| row.get(i))
                .and_then(|x| x.parse::<f64>().ok())
        };
        let values = COMPARED
            .iter()
            .map(|(name, _, _)| {
                let mean_col = col(&format!("{name}_mean"))
                    .ok_or_else(|| format!("points.csv has no column {name}_mean"))?;
                let mean = num(Some(mean_col));
                let high = num(col(&format!("{name}_ci95_high")));
                Ok((mean, mean.zip(high).map(|(m, h)| h - m)))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Figures {
            label: label.to_string(),
            values,
            currency: None,
        })
    }
}

/// `x` as text in `unit`.
fn show(x: Option<f64>, unit: Unit, currency: &str) -> String {
    let Some(x) = x else { return "–".into() };
    match unit {
        Unit::Ratio => format!("{x:.3}"),
        Unit::Bytes => fmt_bytes(x.max(0.0).round() as u64),
        Unit::Bps => fmt_rate(x),
        Unit::Money => format!("{x:.2} {currency}").trim_end().to_string(),
        Unit::Seconds => format!("{x:.1} s"),
        Unit::Count => format!("{x:.1}").trim_end_matches(".0").to_string(),
    }
}

/// The difference `b − a` in `unit`, signed.
fn show_diff(a: Option<f64>, b: Option<f64>, unit: Unit, currency: &str) -> String {
    let (Some(a), Some(b)) = (a, b) else {
        return "–".into();
    };
    let d = b - a;
    let sign = if d < 0.0 { "−" } else { "+" };
    let mag = show(Some(d.abs()), unit, currency);
    format!("{sign}{mag}")
}

/// The two sides as an aligned text table: metric, A, B, B − A and B / A.
pub fn text(a: &Figures, b: &Figures) -> String {
    let currency = a
        .currency
        .clone()
        .or_else(|| b.currency.clone())
        .unwrap_or_default();
    let with_ci = |(x, ci): (Option<f64>, Option<f64>), unit| {
        let mut s = show(x, unit, &currency);
        if let Some(h) = ci {
            let _ = write!(s, " ± {}", show(Some(h), unit, &currency));
        }
        s
    };
    let mut rows: Vec<[String; 5]> = vec![[
        "".into(),
        a.label.clone(),
        b.label.clone(),
        "difference".into(),
        "ratio".into(),
    ]];
    for (k, (_, label, unit)) in COMPARED.iter().enumerate() {
        let (va, vb) = (a.values[k], b.values[k]);
        let ratio = match (va.0, vb.0) {
            (Some(x), Some(y)) if x != 0.0 => format!("{:.3}", y / x),
            _ => "–".into(),
        };
        rows.push([
            label.to_string(),
            with_ci(va, *unit),
            with_ci(vb, *unit),
            show_diff(va.0, vb.0, *unit, &currency),
            ratio,
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let mut line = format!("{:<w$}", r[0], w = widths[0]);
        for c in 1..5 {
            let pad = widths[c] - r[c].chars().count();
            let _ = write!(line, "  {}{}", " ".repeat(pad), r[c]);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The two sides as JSON: per metric, both values (and CI half-widths), the difference and
/// the ratio.
pub fn json(a: &Figures, b: &Figures) -> String {
    let metrics: Vec<serde_json::Value> = COMPARED
        .iter()
        .enumerate()
        .map(|(k, (name, _, _))| {
            let (va, vb) = (a.values[k], b.values[k]);
            serde_json::json!({
                "metric": name,
                "a": va.0, "a_ci95_half": va.1,
                "b": vb.0, "b_ci95_half": vb.1,
                "difference": va.0.zip(vb.0).map(|(x, y)| y - x),
                "ratio": va.0.zip(vb.0).and_then(|(x, y)| (x != 0.0).then(|| y / x)),
            })
        })
        .collect();
    let v = serde_json::json!({
        "a": a.label,
        "b": b.label,
        "currency": a.currency.clone().or_else(|| b.currency.clone()),
        "metrics": metrics,
    });
    let mut s = serde_json::to_string_pretty(&v).expect("json");
    s.push('\n');
    s
}
