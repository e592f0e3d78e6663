//! `summary.svg`: a run at a glance, for people who would rather look than read.
//!
//! Three panels drawn from the run's own outputs (nothing is re-simulated):
//! 1. origin and peer traffic over time (Mbps, the rows of `timeseries.csv`);
//! 2. the swarm over time: leechers and seeds with their machine on;
//! 3. the distribution of download times (empirical CDF), one curve per access class.
//!
//! The SVG text is deterministic: the same run gives the same bytes.

use anyhow::{anyhow, Result};
use plotters::prelude::*;
use sim_core::report::SampleRow;
use sim_core::RunOutput;

/// Width and height of the figure, pixels.
const SIZE_PX: (u32, u32) = (960, 960);
/// Line colours: origin, peers / leechers, seeds, then one per class.
const PALETTE: [RGBColor; 8] = [
    RGBColor(214, 39, 40),
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

/// A time axis unit suited to a run of `end_s` seconds: (label, seconds per unit).
fn time_unit(end_s: f64) -> (&'static str, f64) {
    if end_s <= 900.0 {
        ("s", 1.0)
    } else if end_s <= 2.0 * 3600.0 {
        ("min", 60.0)
    } else if end_s <= 3.0 * 86_400.0 {
        ("h", 3600.0)
    } else {
        ("days", 86_400.0)
    }
}

/// Tick labels for an axis whose top is `top`: whole numbers unless the range is small.
fn tick_text(top: f64) -> impl Fn(&f64) -> String {
    move |v: &f64| {
        if top >= 10.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    }
}

/// The top of an axis showing values up to `max`: a little headroom, never zero.
fn top(max: f64) -> f64 {
    if max > 0.0 && max.is_finite() {
        max * 1.08
    } else {
        1.0
    }
}

/// Renders `summary.svg` of a run.
pub fn summary_svg(out: &RunOutput) -> Result<String> {
    let mut svg = String::new();
    draw(out, &mut svg).map_err(|e| anyhow!("cannot draw summary.svg: {e}"))?;
    Ok(svg)
}

/// One line of a panel: its legend label, colour and points.
struct Line {
    label: String,
    color: RGBColor,
    points: Vec<(f64, f64)>,
}

/// One panel: axes from 0 to `x_top` and `y_top`, its lines and a legend at `legend`.
struct Panel<'a> {
    caption: &'a str,
    x_desc: String,
    y_desc: &'a str,
    x_top: f64,
    y_top: f64,
    lines: Vec<Line>,
    legend: SeriesLabelPosition,
}

fn draw_panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    p: Panel<'_>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut chart = ChartBuilder::on(area)
        .caption(p.caption, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..p.x_top, 0.0..p.y_top)?;
    chart
        .configure_mesh()
        .x_desc(p.x_desc)
        .y_desc(p.y_desc)
        .x_label_formatter(&tick_text(p.x_top))
        .y_label_formatter(&tick_text(p.y_top))
        .draw()?;
    for line in p.lines {
        let color = line.color;
        chart
            .draw_series(LineSeries::new(line.points, color.stroke_width(2)))?
            .label(line.label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color));
    }
    chart
        .configure_series_labels()
        .position(p.legend)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

fn draw(out: &RunOutput, svg: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let s = &out.summary;
    let root = SVGBackend::with_string(svg, SIZE_PX).into_drawing_area();
    root.fill(&WHITE)?;
    let title = format!(
        "{} (seed {}): offload {:.1}%, {} of {} downloads completed",
        s.scenario,
        s.seed,
        100.0 * s.downloads.offload_ratio,
        s.downloads.completed_downloads,
        s.downloads.peers
    );
    let root = root.titled(&title, ("sans-serif", 20))?;
    let panels = root.split_evenly((3, 1));
    let end_s = s.sim_duration_s.max(1e-6);
    let (unit, per) = time_unit(end_s);
    let rows = &out.timeseries;

    // 1. Traffic. Each row is a mean over its interval: a step across the interval.
    let interval = s.sample_interval_s;
    let traffic = |label: &str, color, pick: fn(&SampleRow) -> f64| Line {
        label: label.to_string(),
        color,
        points: rows
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                let v = pick(r) / 1e6;
                [(i as f64 * interval / per, v), (r.time_s / per, v)]
            })
            .collect(),
    };
    let max_mbps = rows
        .iter()
        .map(|r| r.origin_bps.max(r.peer_bps) / 1e6)
        .fold(0.0, f64::max);
    draw_panel(
        &panels[0],
        Panel {
            caption: "Traffic (mean over each sample interval)",
            x_desc: format!("time ({unit})"),
            y_desc: "Mbps",
            x_top: end_s / per,
            y_top: top(max_mbps),
            lines: vec![
                traffic("origin", PALETTE[0], |r| r.origin_bps),
                traffic("peers", PALETTE[1], |r| r.peer_bps),
            ],
            legend: SeriesLabelPosition::MiddleRight,
        },
    )?;

    // 2. Swarm size, counted at the end of each interval.
    let swarm = |label: &str, color, pick: fn(&SampleRow) -> u32| Line {
        label: label.to_string(),
        color,
        points: rows
            .iter()
            .map(|r| (r.time_s / per, f64::from(pick(r))))
            .collect(),
    };
    let max_peers = rows
        .iter()
        .map(|r| r.active_leechers.max(r.active_seeds) as f64)
        .fold(0.0, f64::max);
    draw_panel(
        &panels[1],
        Panel {
            caption: "Swarm (peers with their machine on, end of each interval)",
            x_desc: format!("time ({unit})"),
            y_desc: "peers",
            x_top: end_s / per,
            y_top: top(max_peers),
            lines: vec![
                swarm("leechers", PALETTE[1], |r| r.active_leechers),
                swarm("seeds", PALETTE[2], |r| r.active_seeds),
            ],
            legend: SeriesLabelPosition::MiddleRight,
        },
    )?;

    // 3. Download times, per class: an empirical CDF, one step per completed download.
    let mut per_class: Vec<Vec<f64>> = vec![Vec::new(); s.classes.len()];
    for p in &out.peers {
        if let Some(t) = p.download_time_s() {
            per_class[p.class as usize].push(t);
        }
    }
    // The axis ends at the 99th percentile of all download times when the slowest are far
    // beyond it (they would squash the rest); the caption says so.
    let mut all: Vec<f64> = per_class.iter().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    let max_t = all.last().copied().unwrap_or(0.0);
    let p99 = sim_core::metrics::percentile(&all, 99.0).unwrap_or(0.0);
    let cut = max_t > 2.0 * p99;
    let shown_t = if cut { p99 } else { max_t };
    let (t_unit, t_per) = time_unit(shown_t);
    let x_top = top(shown_t / t_per);
    let caption = if cut {
        format!(
            "Download times, share of each class done by then (axis cut at the 99th \
             percentile; slowest {:.0} {t_unit})",
            max_t / t_per
        )
    } else {
        "Download times (share of each class's completed downloads done by then)".to_string()
    };
    let mut lines = Vec::new();
    for (i, (class, times)) in s.classes.iter().zip(per_class.iter_mut()).enumerate() {
        if times.is_empty() {
            continue;
        }
        times.sort_by(f64::total_cmp);
        let n = times.len() as f64;
        lines.push(Line {
            label: format!(
                "{} (p50 {}, p90 {})",
                class.name,
                sim_core::export::text::secs_text(class.downloads.download_time_s.p50),
                sim_core::export::text::secs_text(class.downloads.download_time_s.p90)
            ),
            color: PALETTE[(3 + i) % PALETTE.len()],
            points: times
                .iter()
                .enumerate()
                .flat_map(|(k, &t)| {
                    let x = (t / t_per).min(x_top);
                    [(x, k as f64 / n), (x, (k + 1) as f64 / n)]
                })
                .collect(),
        });
    }
    draw_panel(
        &panels[2],
        Panel {
            caption: &caption,
            x_desc: format!("download time ({t_unit})"),
            y_desc: "share done",
            x_top,
            y_top: 1.0,
            lines,
            legend: SeriesLabelPosition::LowerRight,
        },
    )?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_units_follow_the_run_length() {
        assert_eq!(time_unit(76.0), ("s", 1.0));
        assert_eq!(time_unit(3_000.0), ("min", 60.0));
        assert_eq!(time_unit(86_400.0), ("h", 3600.0));
        assert_eq!(time_unit(78.0 * 86_400.0), ("days", 86_400.0));
        assert_eq!(top(0.0), 1.0);
        assert!((top(10.0) - 10.8).abs() < 1e-12);
    }
}
