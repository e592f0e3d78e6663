//! The human summary of a run: the text `swarmsim run` prints (not a file).

use crate::report::{StopReason, Summary};
use crate::units::{fmt_bytes, fmt_rate};

/// "12.3 s", or "–" for a statistic with no sample.
pub fn secs_text(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| format!("{v:.1} s"))
}

/// Simulated time for people: seconds with a decimal below an hour, else days/hours/minutes.
fn simulated_text(secs: f64) -> String {
    if secs < 3600.0 {
        format!("{secs:.1} s")
    } else {
        let d = crate::time::SimDuration::from_secs((secs.round()) as u64);
        format!("{d} ({secs:.0} s)")
    }
}

/// A wall-clock budget for people: "10 s", "2.5 s", "10 min", "1.5 h".
fn wall_text(secs: f64) -> String {
    let trim = |x: f64| {
        let t = format!("{x:.1}");
        t.strip_suffix(".0").map(str::to_string).unwrap_or(t)
    };
    if secs < 120.0 {
        format!("{} s", trim(secs))
    } else if secs < 7200.0 {
        format!("{} min", trim(secs / 60.0))
    } else {
        format!("{} h", trim(secs / 3600.0))
    }
}

/// A short summary a person can read.
pub fn human_summary(s: &Summary) -> String {
    let t = &s.downloads.download_time_s;
    let mut out = format!(
        "scenario {} (seed {}, digest {})\n\
         peers       {} arrived, {} completed, {} initial seed(s); simulated {}\n",
        s.scenario,
        s.seed,
        s.digest,
        s.downloads.peers,
        s.downloads.completed_downloads,
        s.initial_seeds,
        simulated_text(s.sim_duration_s),
    );
    if let Some(reason) = s.stopped {
        let how = match reason {
            StopReason::MaxTime => "at max_time before the end".to_string(),
            StopReason::MaxWall { limit_s } => format!(
                "by --max-wall after {} of wall time at simulated time {}",
                wall_text(limit_s),
                simulated_text(s.sim_duration_s)
            ),
            StopReason::Interrupted => format!(
                "by an interrupt at simulated time {}",
                simulated_text(s.sim_duration_s)
            ),
        };
        out.push_str(&format!(
            "STOPPED     {how}: {} download(s) unfinished ({} received), \
             {} arrival(s) never came; figures cover the run so far\n",
            s.downloads.unfinished_downloads,
            fmt_bytes(s.downloads.unfinished_bytes),
            s.arrivals_after_end,
        ));
    }
    if s.downloads.abandoned_downloads > 0 || s.downloads.restarts > 0 {
        out.push_str(&format!(
            "abandoned   {} download(s) given up by their users for good ({} received, \
             wasted); {} restart(s) of abandoned downloads\n",
            s.downloads.abandoned_downloads,
            fmt_bytes(s.downloads.abandoned_bytes),
            s.downloads.restarts,
        ));
    }
    out.push_str(&format!(
        "delivered   {}: origin {}, peers {} -> offload {:.1}%\n\
         origin      instantaneous peak {}; over {} s samples: peak {}, p95 {}\n\
         download    mean {}, p50 {}, p90 {}, p99 {}, max {} ({} completed)\n",
        fmt_bytes(s.downloads.bytes_delivered),
        fmt_bytes(s.downloads.bytes_from_origin),
        fmt_bytes(s.downloads.bytes_from_peers),
        100.0 * s.downloads.offload_ratio,
        fmt_rate(s.origin_peak_instant_bps),
        s.sample_interval_s,
        fmt_rate(s.origin_peak_sample_bps),
        fmt_rate(s.origin_p95_sample_bps),
        secs_text(t.mean),
        secs_text(t.p50),
        secs_text(t.p90),
        secs_text(t.p99),
        secs_text(t.max),
        t.count,
    ));
    match (s.kumar_ross_bound_s, s.makespan_s) {
        (Some(b), Some(m)) => out.push_str(&format!(
            "flash crowd makespan {:.1} s = {:.2} x the Kumar-Ross bound ({:.1} s)\n",
            m,
            m / b,
            b
        )),
        (Some(b), None) => out.push_str(&format!(
            "flash crowd not every download completed: no makespan to compare with the \
             Kumar-Ross bound ({b:.1} s)\n"
        )),
        _ => {}
    }
    let c = &s.origin_cost;
    let cur = &c.currency;
    if c.total_cost > 0.0 {
        out.push_str(&format!(
            "origin cost {:.2} {cur} = volume {:.2} {cur} ({}) + 95th percentile {:.2} {cur} ({} on 5-min samples)\n",
            c.total_cost,
            c.volume_cost,
            fmt_bytes(c.bytes),
            c.p95_cost,
            fmt_rate(c.p95_5min_bps)
        ));
    }
    if s.classes.len() > 1 {
        for k in &s.classes {
            out.push_str(&format!(
                "  {:<10} {:>6} peers, {:>6} completed, offload {:5.1}%, download p50 {}, p90 {}\n",
                k.name,
                k.downloads.peers,
                k.downloads.completed_downloads,
                100.0 * k.downloads.offload_ratio,
                secs_text(k.downloads.download_time_s.p50),
                secs_text(k.downloads.download_time_s.p90)
            ));
        }
    }
    if s.contents.len() > 1 {
        out.push_str("contents\n");
        const SHOWN: usize = 12;
        for k in s.contents.iter().take(SHOWN) {
            out.push_str(&format!(
                "  {:<14} {:>6} peers, {:>6} completed, offload {:5.1}%, download p50 {}, \
                 p90 {}, origin {}, cost {:.2} {}\n",
                k.name,
                k.downloads.peers,
                k.downloads.completed_downloads,
                100.0 * k.downloads.offload_ratio,
                secs_text(k.downloads.download_time_s.p50),
                secs_text(k.downloads.download_time_s.p90),
                fmt_bytes(k.origin.bytes),
                k.origin.cost_share,
                c.currency
            ));
        }
        if s.contents.len() > SHOWN {
            out.push_str(&format!(
                "  ... and {} more contents (every one in summary.json and peers.csv)\n",
                s.contents.len() - SHOWN
            ));
        }
    }
    out.push_str(&format!("events      {}\n", s.events));
    out
}
