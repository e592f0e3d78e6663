//! Charts as inline SVG text: axes with round ticks, lines (optionally with a 95% band
//! and point markers), dashed reference lines, and horizontal bars.
//!
//! Written by hand rather than through `plotters` because a report needs what its SVG
//! backend does not give: filled bands, labelled reference lines, categorical axes and
//! text that scales with the page. Every coordinate is printed with one decimal, so the
//! same data gives the same bytes.

use std::fmt::Write as _;

use super::page::esc;

/// Width of a chart, px (the page scales it down on narrow screens).
const WIDTH_PX: f64 = 760.0;
/// Height of the plotting area, px.
const PLOT_HEIGHT_PX: f64 = 260.0;
/// Margins around the plotting area: left (tick labels and axis title), right, top (title).
const LEFT_PX: f64 = 78.0;
const RIGHT_PX: f64 = 24.0;
const TOP_PX: f64 = 34.0;
/// Below the plotting area: tick labels and the axis title.
const BELOW_PX: f64 = 48.0;
/// One row of the legend, px.
const LEGEND_ROW_PX: f64 = 20.0;
/// Width of one character of the 12 px labels, about, px.
const CHAR_PX: f64 = 6.5;
/// Extra height under the axis when named positions take two rows, px.
const STAGGER_PX: f64 = 14.0;
/// Legend entries per row.
const LEGEND_PER_ROW: usize = 3;

/// Series colours (colour-blind-safe Tableau 10 order); reference lines are dark grey.
pub const PALETTE: [&str; 10] = [
    "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f",
];

/// The horizontal axis.
pub enum XAxis {
    /// Numbers: title (with its unit) and range.
    Linear {
        /// Axis title, unit included, e.g. `time (min)`.
        title: String,
        /// Lowest value shown.
        min: f64,
        /// Highest value shown.
        max: f64,
    },
    /// Named positions 0, 1, 2… (a sweep parameter whose values are not numbers).
    Categories {
        /// Axis title.
        title: String,
        /// One name per position.
        names: Vec<String>,
    },
}

/// One line of a chart.
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Its points, in x order.
    pub points: Vec<(f64, f64)>,
    /// Shaded band (x, low, high), e.g. a 95% confidence interval; empty for none.
    pub band: Vec<(f64, f64, f64)>,
    /// Draw a dot at every point (few points: sweep results).
    pub markers: bool,
}

/// A dashed horizontal line at `y`, labelled at its right end (a capacity, a billed rate).
pub struct RefLine {
    /// Label drawn above the line.
    pub label: String,
    /// Its height, in the y axis unit.
    pub y: f64,
}

/// A line chart.
pub struct Chart {
    /// Title drawn above the plot.
    pub title: String,
    /// The horizontal axis.
    pub x: XAxis,
    /// Title of the vertical axis, unit included.
    pub y_title: String,
    /// The lines.
    pub series: Vec<Series>,
    /// Reference lines.
    pub refs: Vec<RefLine>,
}

/// Round tick positions covering `[lo, hi]`: steps of 1, 2 or 5 times a power of ten.
pub fn ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let span = (hi - lo).abs().max(1e-12);
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    ((first..=last).map(|k| k as f64 * step).collect(), step)
}

/// A tick label for `v` on an axis of ticks `step` apart: no more decimals than the step.
pub fn tick_label(v: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    let text = format!("{v:.decimals$}");
    if text.starts_with('-') && text.trim_start_matches(['-', '0', '.']).is_empty() {
        text[1..].to_string()
    } else {
        text
    }
}

/// The value range a y axis shows: from 0 (or below, for negative data) to a round top.
fn y_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi - lo <= 0.0 {
        hi = lo + 1.0;
    }
    let (t, step) = ticks(lo, hi, 5);
    let top = t.last().copied().unwrap_or(hi);
    let top = if top < hi { top + step } else { top };
    let bottom = t.first().copied().unwrap_or(lo);
    let bottom = if bottom > lo { bottom - step } else { bottom };
    (bottom, top)
}

/// Pixel scale of one axis: value `v` to a coordinate.
struct Scale {
    lo: f64,
    hi: f64,
    from_px: f64,
    to_px: f64,
}

impl Scale {
    fn px(&self, v: f64) -> f64 {
        let t = if self.hi > self.lo {
            (v - self.lo) / (self.hi - self.lo)
        } else {
            0.5
        };
        self.from_px + t.clamp(-0.05, 1.05) * (self.to_px - self.from_px)
    }
}

/// `points` (in x order) up to `x_max`: the segment crossing it ends there.
fn clip_line(points: &[(f64, f64)], x_max: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len());
    for (k, &(x, y)) in points.iter().enumerate() {
        if x <= x_max {
            out.push((x, y));
            continue;
        }
        if let Some(&(px, py)) = k.checked_sub(1).and_then(|j| points.get(j)) {
            if px < x_max {
                out.push((x_max, py + (y - py) * (x_max - px) / (x - px)));
            }
        }
        break;
    }
    out
}

/// A band (x, low, high) up to `x_max`, like [`clip_line`].
fn clip_band(band: &[(f64, f64, f64)], x_max: f64) -> Vec<(f64, f64, f64)> {
    let lo: Vec<(f64, f64)> = band.iter().map(|b| (b.0, b.1)).collect();
    let hi: Vec<(f64, f64)> = band.iter().map(|b| (b.0, b.2)).collect();
    clip_line(&lo, x_max)
        .into_iter()
        .zip(clip_line(&hi, x_max))
        .map(|(l, h)| (l.0, l.1, h.1))
        .collect()
}

/// The SVG text of `chart`.
pub fn render(chart: &Chart) -> String {
    let legend_rows = chart.series.len().div_ceil(LEGEND_PER_ROW);
    let (x0, x1) = (LEFT_PX, WIDTH_PX - RIGHT_PX);
    // Named positions whose names would touch take two rows, alternately.
    let stagger = match &chart.x {
        XAxis::Categories { names, .. } => {
            let widest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
            widest as f64 * CHAR_PX + 8.0 > (x1 - x0) / names.len().max(1) as f64
        }
        XAxis::Linear { .. } => false,
    };
    let below = BELOW_PX + if stagger { STAGGER_PX } else { 0.0 };
    let height = TOP_PX + PLOT_HEIGHT_PX + below + legend_rows as f64 * LEGEND_ROW_PX;
    let (y0, y1) = (TOP_PX + PLOT_HEIGHT_PX, TOP_PX);
    let (x_lo, x_hi) = match &chart.x {
        XAxis::Linear { min, max, .. } => (*min, if max > min { *max } else { min + 1.0 }),
        XAxis::Categories { names, .. } => (-0.5, names.len() as f64 - 0.5),
    };
    let values = chart
        .series
        .iter()
        .flat_map(|s| {
            s.points.iter().filter(|p| p.0 <= x_hi).map(|p| p.1).chain(
                s.band
                    .iter()
                    .filter(|b| b.0 <= x_hi)
                    .flat_map(|b| [b.1, b.2]),
            )
        })
        .chain(chart.refs.iter().map(|r| r.y));
    let (y_lo, y_hi) = y_range(values);
    let sx = Scale {
        lo: x_lo,
        hi: x_hi,
        from_px: x0,
        to_px: x1,
    };
    let sy = Scale {
        lo: y_lo,
        hi: y_hi,
        from_px: y0,
        to_px: y1,
    };
    let mut s = svg_open(height, &chart.title);
    // Grid and y ticks.
    let (yt, ystep) = ticks(y_lo, y_hi, 5);
    for v in yt {
        let y = sy.px(v);
        let _ = write!(
            s,
            "<line x1=\"{x0:.1}\" y1=\"{y:.1}\" x2=\"{x1:.1}\" y2=\"{y:.1}\" stroke=\"#e4e4e4\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            x0 - 6.0,
            y + 4.0,
            tick_label(v, ystep)
        );
    }
    // x ticks.
    let x_title = match &chart.x {
        XAxis::Linear { title, .. } => {
            let (xt, xstep) = ticks(x_lo, x_hi, 8);
            for v in xt {
                let x = sx.px(v);
                let _ = write!(
                    s,
                    "<line x1=\"{x:.1}\" y1=\"{y0:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>\
                     <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                    y0 + 5.0,
                    y0 + 18.0,
                    tick_label(v, xstep)
                );
            }
            title
        }
        XAxis::Categories { title, names } => {
            for (i, name) in names.iter().enumerate() {
                let x = sx.px(i as f64);
                let _ = write!(
                    s,
                    "<line x1=\"{x:.1}\" y1=\"{y0:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>\
                     <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                    y0 + 5.0,
                    y0 + 18.0 + if stagger && i % 2 == 1 { STAGGER_PX } else { 0.0 },
                    esc(name)
                );
            }
            title
        }
    };
    // Axes and their titles.
    let _ = write!(
        s,
        "<path d=\"M{x0:.1} {y1:.1}V{y0:.1}H{x1:.1}\" fill=\"none\" stroke=\"#333\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
         <text transform=\"translate(16 {:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        (x0 + x1) / 2.0,
        y0 + below - 12.0,
        esc(x_title),
        (y0 + y1) / 2.0,
        esc(&chart.y_title)
    );
    let categories = matches!(chart.x, XAxis::Categories { .. });
    // Named positions: no line joins them; each series is shifted a little sideways so
    // their intervals do not hide each other.
    let n = chart.series.len() as f64;
    let dodge = |i: usize| {
        if categories {
            (i as f64 - (n - 1.0) / 2.0) * (0.3 / n.max(1.0))
        } else {
            0.0
        }
    };
    // Bands under the lines (whiskers on named positions).
    for (i, series) in chart.series.iter().enumerate() {
        if series.band.is_empty() {
            continue;
        }
        let color = PALETTE[i % PALETTE.len()];
        if categories {
            for &(x, lo, hi) in &series.band {
                let px = sx.px(x + dodge(i));
                let (a, b) = (sy.px(lo), sy.px(hi));
                let _ = write!(
                    s,
                    "<path d=\"M{:.1} {a:.1}H{:.1}M{px:.1} {a:.1}V{b:.1}M{:.1} {b:.1}H{:.1}\" \
                     stroke=\"{color}\" stroke-width=\"1.5\" fill=\"none\"/>",
                    px - 4.0,
                    px + 4.0,
                    px - 4.0,
                    px + 4.0
                );
            }
            continue;
        }
        let band = clip_band(&series.band, x_hi);
        let mut pts = String::new();
        for &(x, _, hi) in &band {
            let _ = write!(pts, "{:.1},{:.1} ", sx.px(x), sy.px(hi));
        }
        for &(x, lo, _) in band.iter().rev() {
            let _ = write!(pts, "{:.1},{:.1} ", sx.px(x), sy.px(lo));
        }
        let _ = write!(
            s,
            "<polygon points=\"{}\" fill=\"{color}\" fill-opacity=\"0.16\" stroke=\"none\"/>",
            pts.trim_end()
        );
    }
    // Reference lines, labelled at the right end, the next one at the left (two lines
    // close together keep readable labels).
    for (i, r) in chart.refs.iter().enumerate() {
        let y = sy.px(r.y);
        let (lx, anchor) = if i % 2 == 0 {
            (x1 - 4.0, "end")
        } else {
            (x0 + 4.0, "start")
        };
        let _ = write!(
            s,
            "<line x1=\"{x0:.1}\" y1=\"{y:.1}\" x2=\"{x1:.1}\" y2=\"{y:.1}\" stroke=\"#444\" \
             stroke-dasharray=\"6 4\"/><text x=\"{lx:.1}\" y=\"{:.1}\" \
             text-anchor=\"{anchor}\" fill=\"#444\">{}</text>",
            y - 4.0,
            esc(&r.label)
        );
    }
    // Lines and markers.
    for (i, series) in chart.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        if !categories {
            let mut pts = String::new();
            for (x, y) in clip_line(&series.points, x_hi) {
                let _ = write!(pts, "{:.1},{:.1} ", sx.px(x), sy.px(y));
            }
            let _ = write!(
                s,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>",
                pts.trim_end()
            );
        }
        if series.markers || categories {
            for &(x, y) in series.points.iter().filter(|p| p.0 <= x_hi) {
                let _ = write!(
                    s,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{color}\"/>",
                    sx.px(x + dodge(i)),
                    sy.px(y)
                );
            }
        }
    }
    // Legend, below the axis title.
    for (i, series) in chart.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let col = (i % LEGEND_PER_ROW) as f64;
        let row = (i / LEGEND_PER_ROW) as f64;
        let lx = x0 + col * (x1 - x0) / LEGEND_PER_ROW as f64;
        let ly = y0 + below + row * LEGEND_ROW_PX + 8.0;
        let _ = write!(
            s,
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"14\" height=\"4\" fill=\"{color}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            ly - 4.0,
            lx + 20.0,
            ly + 2.0,
            esc(&series.label)
        );
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars, one per `(name, value)`, the value printed at the end of each bar:
/// `value_text` formats it. For a few dozen named items (contents).
pub fn bars(
    title: &str,
    x_title: &str,
    items: &[(String, f64)],
    value_text: &dyn Fn(f64) -> String,
) -> String {
    const ROW_PX: f64 = 20.0;
    const NAME_PX: f64 = 180.0;
    let height = TOP_PX + items.len() as f64 * ROW_PX + BELOW_PX;
    let (x0, x1) = (NAME_PX, WIDTH_PX - 90.0);
    let (lo, hi) = y_range(items.iter().map(|i| i.1));
    let sx = Scale {
        lo,
        hi,
        from_px: x0,
        to_px: x1,
    };
    let mut s = svg_open(height, title);
    let bottom = TOP_PX + items.len() as f64 * ROW_PX;
    let (xt, step) = ticks(lo, hi, 6);
    for v in xt {
        let x = sx.px(v);
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{TOP_PX:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\" stroke=\"#e4e4e4\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            bottom + 16.0,
            tick_label(v, step)
        );
    }
    for (i, (name, v)) in items.iter().enumerate() {
        let y = TOP_PX + i as f64 * ROW_PX;
        let (a, b) = (sx.px(0.0_f64.max(lo)), sx.px(*v));
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x0 - 6.0,
            y + 14.0,
            esc(name),
            a.min(b),
            y + 3.0,
            (b - a).abs(),
            ROW_PX - 6.0,
            PALETTE[1],
            a.max(b) + 4.0,
            y + 14.0,
            esc(&value_text(*v))
        );
    }
    let _ = write!(
        s,
        "<path d=\"M{x0:.1} {TOP_PX:.1}V{bottom:.1}H{x1:.1}\" fill=\"none\" stroke=\"#333\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></svg>",
        (x0 + x1) / 2.0,
        bottom + 36.0,
        esc(x_title)
    );
    s
}

/// The opening of a chart: the `<svg>` element `height` px high, with `title` as its
/// accessible title and drawn centred at the top.
fn svg_open(height: f64, title: &str) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH_PX} {height:.0}\" width=\"{WIDTH_PX}\" \
         height=\"{height:.0}\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">\
         <title>{t}</title>\
         <text x=\"{cx:.1}\" y=\"20\" text-anchor=\"middle\" font-size=\"15\" \
         font-weight=\"bold\">{t}</text>",
        t = esc(title),
        cx = WIDTH_PX / 2.0,
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        let (t, step) = ticks(0.0, 97.0, 5);
        assert_eq!(step, 20.0);
        assert_eq!(t, vec![0.0, 20.0, 40.0, 60.0, 80.0]);
        let (t, step) = ticks(0.0, 1.0, 5);
        assert_eq!(step, 0.2);
        assert_eq!(t.len(), 6);
        assert_eq!(tick_label(0.6000000000000001, step), "0.6");
        assert_eq!(tick_label(-0.0, 1.0), "0");
        assert_eq!(y_range([3.0, 97.0].into_iter()), (0.0, 100.0));
        assert_eq!(y_range(std::iter::empty()), (0.0, 1.0));
    }

    #[test]
    fn long_names_take_two_rows() {
        let chart = |name: &str| Chart {
            title: "t".into(),
            x: XAxis::Categories {
                title: "variant".into(),
                names: (0..6).map(|i| format!("{name} {i}")).collect(),
            },
            y_title: "y (s)".into(),
            series: vec![],
            refs: vec![],
        };
        let height = |svg: &str| svg.split("height=\"").nth(1).map(|h| h[..3].to_string());
        let short = render(&chart("a"));
        let long = render(&chart("http-first 4 pieces"));
        assert_eq!(height(&short).as_deref(), Some("342"));
        assert_eq!(height(&long).as_deref(), Some("356"));
    }

    #[test]
    fn lines_end_at_the_axis() {
        let steps = [
            (0.0, 5.0),
            (60.0, 5.0),
            (60.0, 2.0),
            (120.0, 2.0),
            (180.0, 1.0),
        ];
        assert_eq!(
            clip_line(&steps, 90.0),
            vec![(0.0, 5.0), (60.0, 5.0), (60.0, 2.0), (90.0, 2.0)]
        );
        assert_eq!(clip_line(&steps, 150.0).last(), Some(&(150.0, 1.5)));
        assert_eq!(clip_line(&steps, 500.0).len(), steps.len());
        assert_eq!(
            clip_band(&[(0.0, 1.0, 3.0), (10.0, 1.0, 5.0)], 5.0),
            vec![(0.0, 1.0, 3.0), (5.0, 1.0, 4.0)]
        );
    }

    #[test]
    fn labels_are_escaped_and_output_is_deterministic() {
        let chart = || Chart {
            title: "a <b> & \"c\"".into(),
            x: XAxis::Categories {
                title: "policy".into(),
                names: vec!["web-seed".into(), "x<y".into()],
            },
            y_title: "offload (%)".into(),
            series: vec![Series {
                label: "s&t".into(),
                points: vec![(0.0, 1.0), (1.0, 2.0)],
                band: vec![(0.0, 0.5, 1.5), (1.0, 1.5, 2.5)],
                markers: true,
            }],
            refs: vec![RefLine {
                label: "cap".into(),
                y: 3.0,
            }],
        };
        let svg = render(&chart());
        assert_eq!(svg, render(&chart()));
        assert!(svg.contains("a &lt;b&gt; &amp; &quot;c&quot;"));
        assert!(svg.contains("x&lt;y") && svg.contains("s&amp;t"));
        assert!(!svg.contains("<b>"));
        // Named positions: whiskers, no joining line; numbers: a band and a line.
        assert!(svg.contains("stroke-dasharray") && svg.contains("stroke-width=\"1.5\""));
        assert!(!svg.contains("<polygon") && !svg.contains("<polyline"));
        let mut numeric = chart();
        numeric.x = XAxis::Linear {
            title: "x (s)".into(),
            min: 0.0,
            max: 1.0,
        };
        let svg = render(&numeric);
        assert!(svg.contains("<polygon") && svg.contains("<polyline"));
    }
}
