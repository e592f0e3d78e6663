//! The report of one run, from the files `swarmsim run` wrote (`summary.json`,
//! `timeseries.csv`, `peers.csv`; nothing is re-simulated), and optionally of the same
//! scenario run without P2P (the baseline) for the bill with and without peers.

use anyhow::Result;
use serde_json::Value;

use super::page::{bytes_text, money_text, rate_text, secs_text, time_unit, Page};
use super::run_files::{currency, num, opt, text, Sample};
pub use super::run_files::{is_run, RunFiles};
use super::svg::{self, Chart, RefLine, Series, XAxis};

/// Contents drawn in the per-content bar charts (the most requested first); the table
/// lists them all.
const MAX_BARS: usize = 30;

/// The HTML report of `run`, with `baseline` (the same scenario without P2P) if given.
pub fn html(run: &RunFiles, baseline: Option<&RunFiles>) -> Result<String> {
    let s = &run.summary;
    let name = text(s, "scenario");
    let seed = num(s, "seed").unwrap_or(0.0);
    let provenance = format!(
        "Scenario {name}, seed {seed}, swarmsim {} (event digest {}); from {}.",
        text(s, "version"),
        text(s, "digest"),
        run.dir.display()
    );
    let mut page = Page::new(&provenance);
    page.title(
        &format!("swarmsim report: {name}"),
        &format!(
            "One run of scenario {name} (seed {seed}, swarmsim {}): offload {:.1}%, {} of {} \
             downloads completed in {} of simulated time.",
            text(s, "version"),
            100.0 * num(s, "offload_ratio").unwrap_or(0.0),
            num(s, "completed_downloads").unwrap_or(0.0),
            num(s, "peers").unwrap_or(0.0),
            secs_text(num(s, "sim_duration_s").unwrap_or(0.0))
        ),
    );
    traffic(&mut page, run, baseline);
    swarm(&mut page, run);
    download_times(&mut page, run);
    contents(&mut page, s);
    bill(&mut page, s, baseline.map(|b| &b.summary));
    Ok(page.finish(&format!("swarmsim report: {name}")))
}

/// Figures: the origin's traffic over time with its capacity, its billed rate and the
/// baseline's; then origin and peer traffic together.
fn traffic(page: &mut Page, run: &RunFiles, baseline: Option<&RunFiles>) {
    let s = &run.summary;
    let end_s = num(s, "sim_duration_s").unwrap_or(0.0).max(1e-6);
    let (unit, per) = time_unit(end_s);
    let interval = num(s, "sample_interval_s").unwrap_or(0.0);
    let capacity = num(s, "origin_capacity_bps").filter(|c| *c > 0.0);
    let p95 = num(s, "origin_cost.p95_5min_bps").unwrap_or(0.0);
    let rate_unit = |peak: f64| {
        if peak >= 1e10 {
            ("Gbps", 1e9)
        } else {
            ("Mbps", 1e6)
        }
    };
    // Each row is a mean over the interval since the previous row (the last one may be
    // shorter): a step across it.
    let steps = |rows: &[Sample], pick: fn(&Sample) -> f64, r_per: f64| -> Vec<(f64, f64)> {
        let starts = std::iter::once(0.0).chain(rows.iter().map(|r| r.time_s));
        rows.iter()
            .zip(starts)
            .flat_map(|(r, start)| {
                let v = pick(r) / r_per;
                [(start / per, v), (r.time_s / per, v)]
            })
            .collect()
    };
    let line = |label: &str, points| Series {
        label: label.into(),
        points,
        band: vec![],
        markers: false,
    };
    let x = || XAxis::Linear {
        title: format!("simulated time ({unit})"),
        min: 0.0,
        max: end_s / per,
    };
    page.section("Traffic");

    let peak = run
        .samples
        .iter()
        .map(|r| r.origin_bps)
        .chain(capacity)
        .fold(p95, f64::max);
    let (r_unit, r_per) = rate_unit(peak);
    let mut series = vec![line("origin", steps(&run.samples, |r| r.origin_bps, r_per))];
    let mut beyond = String::new();
    if let Some(b) = baseline.filter(|b| !b.samples.is_empty()) {
        series.push(line(
            "origin without P2P (baseline)",
            steps(&b.samples, |r| r.origin_bps, r_per),
        ));
        let b_end = num(&b.summary, "sim_duration_s").unwrap_or(0.0);
        if b_end > end_s {
            beyond = format!(
                " The baseline's run goes on to {}, beyond the axis.",
                secs_text(b_end)
            );
        }
    }
    let mut refs = vec![RefLine {
        label: format!("billed p95 {}", rate_text(p95)),
        y: p95 / r_per,
    }];
    if let Some(c) = capacity {
        refs.push(RefLine {
            label: format!("capacity {}", rate_text(c)),
            y: c / r_per,
        });
    }
    page.figure(
        &svg::render(&Chart {
            title: "Origin traffic over time".into(),
            x: x(),
            y_title: format!("origin traffic ({r_unit})"),
            series,
            refs,
        }),
        "Origin traffic over time",
        &format!(
            "Bits per second served by the origin, each a mean over one sample interval of \
             {interval} s (timeseries.csv). Dashed: the billed rate (billed p95: the 95th \
             percentile of the origin's 5-minute averages){}.{}{beyond}",
            if capacity.is_some() {
                " and the origin's capacity"
            } else {
                ""
            },
            if baseline.is_some_and(|b| !b.samples.is_empty()) {
                " The baseline is the same scenario with no P2P client."
            } else {
                ""
            }
        ),
    );

    let peak = run
        .samples
        .iter()
        .map(|r| r.origin_bps.max(r.peer_bps))
        .fold(0.0, f64::max);
    let (r_unit, r_per) = rate_unit(peak);
    page.figure(
        &svg::render(&Chart {
            title: "Origin and peer traffic over time".into(),
            x: x(),
            y_title: format!("traffic ({r_unit})"),
            series: vec![
                line("origin", steps(&run.samples, |r| r.origin_bps, r_per)),
                line("peers", steps(&run.samples, |r| r.peer_bps, r_per)),
            ],
            refs: vec![],
        }),
        "Origin and peer traffic over time",
        &format!(
            "Bits per second received from the origin and from peers, each a mean over one \
             sample interval of {interval} s (timeseries.csv): the offload over time."
        ),
    );
}

/// Figure: leechers and seeds over time.
fn swarm(page: &mut Page, run: &RunFiles) {
    let s = &run.summary;
    let end_s = num(s, "sim_duration_s").unwrap_or(0.0).max(1e-6);
    let (unit, per) = time_unit(end_s);
    let line = |label: &str, pick: fn(&Sample) -> f64| Series {
        label: label.into(),
        points: run
            .samples
            .iter()
            .map(|r| (r.time_s / per, pick(r)))
            .collect(),
        band: vec![],
        markers: false,
    };
    let chart = Chart {
        title: "The swarm over time".into(),
        x: XAxis::Linear {
            title: format!("simulated time ({unit})"),
            min: 0.0,
            max: end_s / per,
        },
        y_title: "peers online".into(),
        series: vec![line("leechers", |r| r.leechers), line("seeds", |r| r.seeds)],
        refs: vec![],
    };
    page.section("Swarm");
    page.figure(
        &svg::render(&chart),
        "The swarm over time",
        "Leechers (downloading) and seeds (holding the whole file, initial seeds included) \
         with their machine on, counted at the end of each sample interval (timeseries.csv).",
    );
}

/// Figure: download-time distribution per access class.
fn download_times(page: &mut Page, run: &RunFiles) {
    let mut classes: Vec<(String, Vec<f64>)> = run
        .summary
        .get("classes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|c| (text(c, "name").to_string(), Vec::new()))
                .collect()
        })
        .unwrap_or_default();
    for d in &run.downloads {
        let Some(t) = d.download_time_s else { continue };
        match classes.iter_mut().find(|c| c.0 == d.class) {
            Some(c) => c.1.push(t),
            None => classes.push((d.class.clone(), vec![t])),
        }
    }
    let mut all: Vec<f64> = classes.iter().flat_map(|c| c.1.iter().copied()).collect();
    all.sort_by(f64::total_cmp);
    page.section("Download times");
    if all.is_empty() {
        page.note("No download completed: no download-time distribution to draw.");
        return;
    }
    // Cut the axis at the 99th percentile when the slowest are far beyond it.
    let max_t = all[all.len() - 1];
    let p99 = all[((all.len() as f64 * 0.99).ceil() as usize).clamp(1, all.len()) - 1];
    let cut = max_t > 2.0 * p99;
    let shown = if cut { p99 } else { max_t };
    let (unit, per) = time_unit(shown);
    let mut series = Vec::new();
    let mut rows = Vec::new();
    for (name, times) in &mut classes {
        if times.is_empty() {
            continue;
        }
        times.sort_by(f64::total_cmp);
        let n = times.len() as f64;
        let q = |p: f64| times[((n * p).ceil() as usize).clamp(1, times.len()) - 1];
        rows.push(vec![
            name.clone(),
            times.len().to_string(),
            secs_text(q(0.5)),
            secs_text(q(0.9)),
            secs_text(q(0.99)),
            secs_text(times[times.len() - 1]),
        ]);
        series.push(Series {
            label: format!("{name} ({} done)", times.len()),
            points: std::iter::once((0.0, 0.0))
                .chain(times.iter().enumerate().flat_map(|(k, &t)| {
                    let x = (t / per).min(shown / per);
                    [(x, 100.0 * k as f64 / n), (x, 100.0 * (k + 1) as f64 / n)]
                }))
                .collect(),
            band: vec![],
            markers: false,
        });
    }
    let chart = Chart {
        title: "Download times per access class".into(),
        x: XAxis::Linear {
            title: format!("download time ({unit})"),
            min: 0.0,
            max: shown / per,
        },
        y_title: "completed downloads done by then (%)".into(),
        series,
        refs: vec![],
    };
    page.figure(
        &svg::render(&chart),
        "Download times per access class",
        &format!(
            "Empirical distribution (CDF) of the time from arrival to completion of each \
             completed download, one curve per access class (peers.csv).{}",
            if cut {
                format!(
                    " The axis ends at the 99th percentile of all classes; the slowest took {}.",
                    secs_text(max_t)
                )
            } else {
                String::new()
            }
        ),
    );
    page.table(&["class", "completed", "p50", "p90", "p99", "max"], &rows);
}

/// Per-content offload and origin cost: bar charts and a table.
fn contents(page: &mut Page, s: &Value) {
    let Some(list) = s.get("contents").and_then(Value::as_array) else {
        return;
    };
    page.section("Contents");
    let cur = currency(s);
    let total_cost = num(s, "origin_cost.total_cost").unwrap_or(0.0);
    let mut order: Vec<&Value> = list.iter().collect();
    order.sort_by(|a, b| {
        num(b, "peers")
            .unwrap_or(0.0)
            .total_cmp(&num(a, "peers").unwrap_or(0.0))
    });
    let shown = &order[..order.len().min(MAX_BARS)];
    let more = if order.len() > MAX_BARS {
        format!(
            " The {MAX_BARS} most downloaded of {} contents; the table lists them all.",
            order.len()
        )
    } else {
        String::new()
    };
    if list.len() < 2 {
        contents_table(page, list, cur);
        return;
    }
    let offload: Vec<(String, f64)> = shown
        .iter()
        .map(|c| {
            (
                text(c, "name").to_string(),
                100.0 * num(c, "offload_ratio").unwrap_or(0.0),
            )
        })
        .collect();
    page.figure(
        &svg::bars(
            "Offload per content",
            "bytes served by peers (% of the content's downloaded bytes)",
            &offload,
            &|v| format!("{v:.1}%"),
        ),
        "Offload per content",
        &format!("Share of each content's downloaded bytes that came from peers.{more}"),
    );
    let (cost_title, cost_axis, cost): (&str, String, Vec<(String, f64)>) = if total_cost > 0.0 {
        (
            "Origin cost per content",
            format!(
                "share of the origin's bill ({})",
                cur.unwrap_or("the price list's currency")
            ),
            shown
                .iter()
                .map(|c| {
                    (
                        text(c, "name").to_string(),
                        num(c, "origin.cost_share").unwrap_or(0.0),
                    )
                })
                .collect(),
        )
    } else {
        (
            "Origin traffic per content",
            "bytes from the origin (GB)".to_string(),
            shown
                .iter()
                .map(|c| {
                    (
                        text(c, "name").to_string(),
                        num(c, "bytes_from_origin").unwrap_or(0.0) / 1e9,
                    )
                })
                .collect(),
        )
    };
    page.figure(
        &svg::bars(cost_title, &cost_axis, &cost, &|v| {
            if total_cost > 0.0 {
                money_text(v, cur)
            } else {
                format!("{v:.2} GB")
            }
        }),
        cost_title,
        &format!(
            "{} The bill is shared in proportion to origin bytes; `alone` in the table is \
             what the content would cost on an origin of its own.{more}",
            if total_cost > 0.0 {
                "Each content's share of the origin's bill."
            } else {
                "The scenario prices nothing, so this shows the origin bytes each content took."
            }
        ),
    );
    contents_table(page, list, cur);
}

/// The table of contents: size, policy, downloads, offload, origin bytes and cost.
fn contents_table(page: &mut Page, list: &[Value], cur: Option<&str>) {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                text(c, "name").to_string(),
                bytes_text(num(c, "size_bytes").unwrap_or(0.0)),
                text(c, "policy").to_string(),
                format!("{}", num(c, "peers").unwrap_or(0.0)),
                format!("{:.1}%", 100.0 * num(c, "offload_ratio").unwrap_or(0.0)),
                bytes_text(num(c, "bytes_from_origin").unwrap_or(0.0)),
                rate_text(num(c, "origin.p95_5min_bps").unwrap_or(0.0)),
                money_text(num(c, "origin.cost_share").unwrap_or(0.0), cur),
                money_text(num(c, "origin.cost_alone").unwrap_or(0.0), cur),
                opt(num(c, "download_time_s.p50"), secs_text),
            ]
        })
        .collect();
    page.table(
        &[
            "content",
            "size",
            "policy",
            "downloads",
            "offload",
            "origin bytes",
            "origin p95",
            "cost (share)",
            "cost (alone)",
            "download p50",
        ],
        &rows,
    );
}

/// How a figure of the bill is written.
type Format = fn(f64) -> String;

/// The bill with and without P2P.
fn bill(page: &mut Page, s: &Value, baseline: Option<&Value>) {
    page.section("The bill");
    let cur = currency(s);
    let figures: [(&str, &str, Format); 9] = [
        ("origin bytes", "origin_cost.bytes", |v| bytes_text(v)),
        (
            "origin peak (instant)",
            "origin_peak_instant_bps",
            rate_text,
        ),
        (
            "origin peak (5-min)",
            "origin_cost.peak_5min_bps",
            rate_text,
        ),
        (
            "billed rate (p95, 5-min)",
            "origin_cost.p95_5min_bps",
            rate_text,
        ),
        ("volume charge", "origin_cost.volume_cost", |v| {
            format!("{v:.2}")
        }),
        ("95th-percentile charge", "origin_cost.p95_cost", |v| {
            format!("{v:.2}")
        }),
        ("total bill", "origin_cost.total_cost", |v| {
            format!("{v:.2}")
        }),
        ("download time p50", "download_time_s.p50", secs_text),
        ("download time p90", "download_time_s.p90", secs_text),
    ];
    let money = |label: &str, t: String| {
        if label.contains("charge") || label.contains("bill") {
            cur.map_or(t.clone(), |c| format!("{t} {c}"))
        } else {
            t
        }
    };
    let mut rows = Vec::new();
    for (label, key, f) in figures {
        let with = num(s, key);
        let mut row = vec![label.to_string(), money(label, opt(with, f))];
        if let Some(b) = baseline {
            let without = num(b, key);
            row.push(money(label, opt(without, f)));
            row.push(match (with, without) {
                (Some(w), Some(wo)) if wo > 0.0 => format!("{:+.1}%", 100.0 * (w - wo) / wo),
                _ => "–".into(),
            });
        }
        rows.push(row);
    }
    match baseline {
        Some(b) => {
            page.table(&["figure", "with P2P", "without P2P", "change"], &rows);
            let (w, wo) = (
                num(s, "origin_cost.total_cost").unwrap_or(0.0),
                num(b, "origin_cost.total_cost").unwrap_or(0.0),
            );
            page.note(&format!(
                "Without P2P: the same scenario run with no P2P client (seed {}, event digest \
                 {}). Peers save {} of the bill and {} of origin traffic.",
                num(b, "seed").unwrap_or(0.0),
                text(b, "digest"),
                money_text(wo - w, cur),
                bytes_text(
                    num(b, "origin_cost.bytes").unwrap_or(0.0)
                        - num(s, "origin_cost.bytes").unwrap_or(0.0)
                )
            ));
        }
        None => {
            page.table(&["figure", "with P2P"], &rows);
            page.note(
                "No baseline: to compare with the same scenario without P2P, run it with \
                 `swarmsim run SCENARIO --baseline` (which writes baseline.json beside the \
                 results) and report again, or pass --baseline DIR (a run without P2P).",
            );
        }
    }
    page.note(
        "The 95th-percentile charge is prorated to the simulated duration over a 30-day \
         month; the volume charge prices the origin bytes by tiers.",
    );
}
