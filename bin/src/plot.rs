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

fn draw(out: &RunOutput, svg: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let s = &out.summary;
    let root = SVGBackend::with_string(svg, SIZE_PX).into_drawing_area();
    root.fill(&WHITE)?;
    let title = format!(
        "{} (seed {}): offload {:.1}%, {} of {} downloads completed",
        s.scenario,
        s.seed,
        100.0 * s.offload_ratio,
        s.completed_downloads,
        s.peers
    );
    let root = root.titled(&title, ("sans-serif", 20))?;
    let panels = root.split_evenly((3, 1));
    let end_s = s.sim_duration_s.max(1e-6);
    let (unit, per) = time_unit(end_s);
    let x_end = end_s / per;
    let rows = &out.timeseries;

    // 1. Traffic.
    let max_mbps = rows
        .iter()
        .map(|r| r.origin_bps.max(r.peer_bps) / 1e6)
        .fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(&panels[0])
        .caption(
            "Traffic (mean over each sample interval)",
            ("sans-serif", 16),
        )
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..x_end, 0.0..top(max_mbps))?;
    chart
        .configure_mesh()
        .x_desc(format!("time ({unit})"))
        .y_desc("Mbps")
        .x_label_formatter(&tick_text(x_end))
        .y_label_formatter(&tick_text(top(max_mbps)))
        .draw()?;
    // Each row is a mean over its interval: draw it as a step across the interval.
    let interval = s.sample_interval_s;
    for (label, color, pick) in [
        (
            "origin",
            PALETTE[0],
            (|r| r.origin_bps) as fn(&SampleRow) -> f64,
        ),
        ("peers", PALETTE[1], |r| r.peer_bps),
    ] {
        chart
            .draw_series(LineSeries::new(
                rows.iter().enumerate().flat_map(|(i, r)| {
                    let v = pick(r) / 1e6;
                    [(i as f64 * interval / per, v), (r.time_s / per, v)]
                }),
                color.stroke_width(2),
            ))?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;

    // 2. Swarm size.
    let max_peers = rows
        .iter()
        .map(|r| r.active_leechers.max(r.active_seeds) as f64)
        .fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(&panels[1])
        .caption(
            "Swarm (peers with their machine on, end of each interval)",
            ("sans-serif", 16),
        )
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..x_end, 0.0..top(max_peers))?;
    chart
        .configure_mesh()
        .x_desc(format!("time ({unit})"))
        .y_desc("peers")
        .x_label_formatter(&tick_text(x_end))
        .y_label_formatter(&tick_text(top(max_peers)))
        .draw()?;
    for (label, color, pick) in [
        (
            "leechers",
            PALETTE[1],
            (|r| r.active_leechers) as fn(&SampleRow) -> u32,
        ),
        ("seeds", PALETTE[2], |r| r.active_seeds),
    ] {
        chart
            .draw_series(LineSeries::new(
                rows.iter().map(|r| (r.time_s / per, f64::from(pick(r)))),
                color.stroke_width(2),
            ))?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;

    // 3. Download times, per class.
    let mut per_class: Vec<Vec<f64>> = vec![Vec::new(); s.classes.len()];
    for p in &out.peers {
        if let Some(t) = p.download_time_s() {
            per_class[p.class as usize].push(t);
        }
    }
    // The axis ends at the 99th percentile of all download times (the slowest 1% would
    // squash the rest); the cut is said in the caption.
    let mut all: Vec<f64> = per_class.iter().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    let max_t = all.last().copied().unwrap_or(0.0);
    let p99 = sim_core::metrics::percentile(&all, 99.0);
    let cut = max_t > 2.0 * p99;
    let shown_t = if cut { p99 } else { max_t };
    let (t_unit, t_per) = time_unit(shown_t);
    let caption = if cut {
        format!(
            "Download times, share of each class done by then (axis cut at the 99th \
             percentile; slowest {:.0} {t_unit})",
            max_t / t_per
        )
    } else {
        "Download times (share of each class's completed downloads done by then)".to_string()
    };
    let mut chart = ChartBuilder::on(&panels[2])
        .caption(caption, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..top(shown_t / t_per), 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc(format!("download time ({t_unit})"))
        .y_desc("share done")
        .x_label_formatter(&tick_text(top(shown_t / t_per)))
        .draw()?;
    for (i, (class, times)) in s.classes.iter().zip(per_class.iter_mut()).enumerate() {
        if times.is_empty() {
            continue;
        }
        times.sort_by(f64::total_cmp);
        let n = times.len() as f64;
        let color = PALETTE[(3 + i) % PALETTE.len()];
        // A step per completed download: (t_k, (k + 1)/n).
        let x_cut = top(shown_t / t_per);
        let steps = times.iter().enumerate().flat_map(|(k, &t)| {
            let x = (t / t_per).min(x_cut);
            [(x, k as f64 / n), (x, (k + 1) as f64 / n)]
        });
        chart
            .draw_series(LineSeries::new(steps, color.stroke_width(2)))?
            .label(format!(
                "{} (p50 {:.0} s, p90 {:.0} s)",
                class.name, class.download_time_s.p50, class.download_time_s.p90
            ))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
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
