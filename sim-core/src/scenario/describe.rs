//! Describe: the text `swarmsim validate` prints for a resolved scenario, one section per
//! table of the file, one line per key.

use std::fmt::Write as _;

use super::arrivals::expected_count;
use super::model::{
    Arrivals, ContentSpec, PeerClass, Policy, PolicySpec, Pricing, Scenario, SeedChoking, SeedTime,
};
use crate::time::{SimDuration, SimTime};
use crate::units::{fmt_bytes, fmt_rate};

/// The rows of one section: key, then the value as text.
type Rows = Vec<(&'static str, String)>;

/// A multi-line, human-readable account of a resolved scenario, laid out like the TOML
/// file (one line per key, the same key names, so each line tells the `--set` path), with
/// units formatted and derived figures (piece count, expected arrivals) added. Used by
/// `swarmsim validate`.
pub fn describe(s: &Scenario) -> String {
    let one = s.contents.len() == 1;
    let mut sections: Vec<(&str, Rows)> = vec![
        ("", vec![("name", format!("{:?}", s.name))]),
        ("[simulation]", simulation_rows(s)),
    ];
    if one {
        sections.push(("[content]", content_rows(&s.contents[0], true)));
    }
    sections.extend([
        ("[network]", network_rows(s)),
        ("[origin]", origin_rows(s)),
        ("[tracker]", tracker_rows(s)),
        ("[protocol]", protocol_rows(s)),
        ("[client]", client_rows(s)),
        ("[audience]", audience_rows(s)),
        ("[sessions]", sessions_rows(s)),
    ]);
    sections.extend(seed_sections(s));
    sections.extend(
        s.classes
            .iter()
            .map(|class| ("[[classes]]", class_rows(class))),
    );
    if one {
        sections.push(("[arrivals]", arrivals_rows(&s.contents[0].arrivals)));
    } else {
        for c in &s.contents {
            sections.push(("[[contents]]", content_rows(c, false)));
            sections.push(("[contents.arrivals]", arrivals_rows(&c.arrivals)));
        }
    }
    render(&sections)
}

/// The sections as text: a title line, then `key  value` lines indented under it, values
/// aligned at column 24.
fn render(sections: &[(&str, Rows)]) -> String {
    let mut out = String::new();
    for (title, rows) in sections {
        let indent = if title.is_empty() {
            ""
        } else {
            let _ = writeln!(out, "{title}");
            "  "
        };
        for (key, value) in rows {
            let _ = writeln!(
                out,
                "{indent}{key:<width$}{value}",
                width = 23 - indent.len()
            );
        }
    }
    out
}

/// `[simulation]`.
fn simulation_rows(s: &Scenario) -> Rows {
    vec![
        ("seed", s.seed.to_string()),
        ("max_time", s.max_time.to_string()),
        ("sample_interval", s.sample_interval.to_string()),
        ("check_invariants", s.check_invariants.to_string()),
    ]
}

/// `[network]`.
fn network_rows(s: &Scenario) -> Rows {
    vec![
        (
            "latency",
            format!(
                "{} one-way (a request waits one round trip, {})",
                s.network.latency,
                SimDuration(s.network.latency.as_us().saturating_mul(2))
            ),
        ),
        (
            "time_quantum",
            format!(
                "{} (flow completions rounded up to this grid)",
                s.network.time_quantum
            ),
        ),
        (
            "fairness_tolerance",
            if s.network.fairness_tolerance == 0.0 {
                "0 (exact max-min fair sharing)".to_string()
            } else {
                format!(
                    "{} (max-min fair within this fraction)",
                    s.network.fairness_tolerance
                )
            },
        ),
    ]
}

/// `[origin]`: its capacity, and when there is one, its connections and prices.
fn origin_rows(s: &Scenario) -> Rows {
    let o = &s.origin;
    if o.capacity_bps == 0 {
        return vec![("capacity", "0 (no origin)".to_string())];
    }
    let per_connection = o
        .per_connection_bps
        .map_or_else(|| "unlimited".to_string(), rate_text);
    vec![
        ("capacity", rate_text(o.capacity_bps)),
        ("per_connection", per_connection),
        ("requests_per_client", o.requests_per_client.to_string()),
        ("currency", o.pricing.currency.clone()),
        ("price_per_gb", price_list_text(&o.pricing)),
        (
            "price_per_mbps_month",
            if o.pricing.per_mbps_month > 0.0 {
                format!(
                    "{} {} per Mbps of 95th-percentile 5-min rate, per 30 days",
                    o.pricing.per_mbps_month, o.pricing.currency
                )
            } else {
                "0 (no 95th-percentile billing)".to_string()
            },
        ),
    ]
}

/// `[tracker]`.
fn tracker_rows(s: &Scenario) -> Rows {
    vec![
        ("numwant", s.tracker.numwant.to_string()),
        ("announce_interval", s.tracker.announce_interval.to_string()),
    ]
}

/// `[protocol]`.
fn protocol_rows(s: &Scenario) -> Rows {
    let p = &s.protocol;
    vec![
        ("upload_slots", p.upload_slots.to_string()),
        ("optimistic_slots", p.optimistic_slots.to_string()),
        ("rechoke_interval", p.rechoke_interval.to_string()),
        ("optimistic_interval", p.optimistic_interval.to_string()),
        ("max_connections", p.max_connections.to_string()),
        ("min_peers", p.min_peers.to_string()),
        ("random_first_pieces", p.random_first_pieces.to_string()),
        ("endgame", p.endgame.to_string()),
        ("seed_choking", seed_choking_text(p.seed_choking)),
    ]
}

/// `[client]`: the policy (of a lone content), seeding, restarts, patience and, when a
/// content uses `peers-first`, the wait.
fn client_rows(s: &Scenario) -> Rows {
    let c = &s.client;
    let mut rows = Vec::new();
    if s.contents.len() == 1 {
        rows.push(("policy", policy_text(&s.contents[0].policy)));
    }
    rows.push(("seed_time", seed_time_text(&c.seed_time)));
    rows.push((
        "seed_upload",
        c.seed_upload_bps.map_or_else(
            || "the access cap (no background limit)".to_string(),
            rate_text,
        ),
    ));
    rows.push((
        "restart_share",
        if c.restart_share > 0.0 {
            format!(
                "{} of abandoning users restart after {}, {}",
                short_float(c.restart_share, 6),
                match &c.restart_after {
                    SeedTime::Fixed(d) => d.to_string(),
                    SeedTime::Exponential(m) => format!("exp({m})"),
                    SeedTime::Empirical(v) => format!("one of {} values", v.len()),
                    SeedTime::Forever => "never".to_string(),
                },
                if c.restart_resumes {
                    "resuming from the pieces they hold"
                } else {
                    "starting over"
                }
            )
        } else {
            "0 (an abandoned download is never restarted)".to_string()
        },
    ));
    rows.push((
        "abort_rate",
        if c.abort_rate_per_s > 0.0 {
            format!(
                "{}/h (mean patience {} of waiting, machine on)",
                short_float(c.abort_rate_per_s * 3600.0, 4),
                SimDuration::from_secs_f64_ceil(1.0 / c.abort_rate_per_s)
            )
        } else {
            "0 (downloads are never abandoned)".to_string()
        },
    ));
    // Only `peers-first` reads the wait.
    if s.contents
        .iter()
        .any(|k| k.policy.kind == Policy::PeersFirst)
    {
        rows.push((
            "peer_wait",
            match c.peer_wait {
                Some(w) => format!(
                    "{w} (peers-first: the origin also takes pieces unchoking \
                     peers hold when they cannot deliver them all within this)"
                ),
                None => "forever (peers-first: the origin only takes pieces \
                         no unchoking peer holds)"
                    .to_string(),
            },
        ));
    }
    rows
}

/// `client.seed_time` in words.
fn seed_time_text(t: &SeedTime) -> String {
    match t {
        SeedTime::Fixed(d) if *d == SimDuration::ZERO => "0s (leave on completion)".to_string(),
        SeedTime::Empirical(v) => format!(
            "empirical: one of {} observed values, drawn uniformly ({})",
            v.len(),
            v.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        SeedTime::Fixed(d) => format!("{d} after completion"),
        SeedTime::Exponential(mean) => format!("exp({mean}): exponential, mean {mean}"),
        SeedTime::Forever => "forever (never leave)".to_string(),
    }
}

/// `[audience]`.
fn audience_rows(s: &Scenario) -> Rows {
    let a = &s.audience;
    vec![
        ("p2p_share", short_float(a.p2p_share, 6)),
        ("upload_off_share", short_float(a.upload_off_share, 6)),
        ("nat_share", short_float(a.nat_share, 6)),
    ]
}

/// `[sessions]`: always online without the table.
fn sessions_rows(s: &Scenario) -> Rows {
    let Some(ss) = &s.sessions else {
        return vec![("online", "always (no [sessions] table)".to_string())];
    };
    let law = |t: &SeedTime| match t {
        SeedTime::Fixed(d) => d.to_string(),
        SeedTime::Exponential(m) => format!("exp({m})"),
        SeedTime::Empirical(v) => format!("empirical, {} values", v.len()),
        SeedTime::Forever => "forever".to_string(),
    };
    vec![
        ("online", law(&ss.online)),
        ("offline", law(&ss.offline)),
        (
            "diurnal",
            match &ss.diurnal {
                None => "uniform over the day".to_string(),
                Some(w) => format!(
                    "[{}]",
                    w.iter()
                        .map(|x| short_float(*x, 4))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
        ),
        ("utc_offset_hours", short_float(ss.utc_offset_hours, 4)),
    ]
}

/// One `[[seeds]]` section per group (one saying "no initial seed" when there is none).
fn seed_sections(s: &Scenario) -> Vec<(&'static str, Rows)> {
    if s.seeds.is_empty() {
        return vec![(
            "[[seeds]]",
            vec![("count", "0 (no initial seed)".to_string())],
        )];
    }
    let one = s.contents.len() == 1;
    s.seeds
        .iter()
        .map(|seed| {
            let mut rows = vec![("name", format!("{:?}", seed.name))];
            if !one {
                rows.push((
                    "content",
                    format!("{:?}", s.contents[seed.content as usize].name),
                ));
            }
            rows.extend([
                ("count", seed.count.to_string()),
                ("upload", format!("{} each", rate_text(seed.upload_bps))),
                (
                    "super_seeding",
                    if seed.super_seeding {
                        "true (BEP 16: shows each peer one piece at a time)".to_string()
                    } else {
                        "false".to_string()
                    },
                ),
            ]);
            ("[[seeds]]", rows)
        })
        .collect()
}

/// One `[[classes]]` section.
fn class_rows(class: &PeerClass) -> Rows {
    vec![
        ("name", format!("{:?}", class.name)),
        ("share", short_float(class.share, 6)),
        ("upload", rate_text(class.upload_bps)),
        ("download", rate_text(class.download_bps)),
        (
            "cap_sigma",
            if class.cap_sigma > 0.0 {
                format!(
                    "{} (lognormal spread, clipped to ÷/× {})",
                    short_float(class.cap_sigma, 4),
                    short_float(class.cap_clip, 4)
                )
            } else {
                "0 (every peer has exactly these caps)".to_string()
            },
        ),
        (
            "always_on",
            if class.always_on {
                "true (never switches off: [sessions] does not apply)".to_string()
            } else {
                "false".to_string()
            },
        ),
    ]
}

/// The `[content]` / `[[contents]]` rows of `describe` (`one`: the scenario has one content,
/// whose policy is shown under `[client]`).
fn content_rows(c: &ContentSpec, one: bool) -> Rows {
    let pieces = c.piece_count();
    let last = c.piece_bytes(pieces.saturating_sub(1));
    let mut piece_line = format!("{} → {pieces} pieces", size_text(c.piece_size_bytes));
    if last != c.piece_size_bytes {
        let _ = write!(piece_line, ", the last one {}", size_text(last));
    }
    let mut rows = Vec::new();
    if !one {
        rows.push(("name", format!("{:?}", c.name)));
    }
    rows.push(("size", size_text(c.size_bytes)));
    rows.push(("piece_size", piece_line));
    if !one || c.release != SimTime::ZERO {
        rows.push((
            "release",
            format!(
                "{} (arrival windows count from here)",
                SimDuration(c.release.as_us())
            ),
        ));
    }
    if !one {
        rows.push(("policy", policy_text(&c.policy)));
        rows.push((
            "share",
            match c.demand_share {
                Some(x) => format!("{} of the demand in [arrivals]", short_float(x, 4)),
                None => "arrivals of its own".to_string(),
            },
        ));
    }
    rows
}

/// A policy and what it does, in words.
fn policy_text(p: &PolicySpec) -> String {
    match p.kind {
        Policy::WebSeed => "web-seed (origin and peers at once, BEP 19; the origin takes a piece \
                             whenever peers cannot deliver one sooner)"
            .to_string(),
        Policy::PeersFirst => {
            "peers-first (the origin only for pieces no unchoking peer has, see peer_wait)"
                .to_string()
        }
        Policy::Fallback => "fallback (the origin only for pieces no neighbour has)".to_string(),
        Policy::RateTarget => format!(
            "rate-target (the origin tops peers up to {})",
            fmt_rate(p.rate_target_bps as f64)
        ),
        Policy::HttpFirst if p.http_first_pieces > 0 => format!(
            "http-first (the first {} pieces from the origin, then fallback)",
            p.http_first_pieces
        ),
        Policy::HttpFirst => format!(
            "http-first (the first {} on the origin, then fallback)",
            p.http_first_time
        ),
        Policy::HttpOnly => "http-only (origin only, no peers)".to_string(),
    }
}

/// The `[arrivals]` rows of `describe`: the process, its parameters and the expected count.
fn arrivals_rows(a: &Arrivals) -> Rows {
    let expected = format!(
        "about {} arrivals expected",
        short_float(expected_count(a), 1)
    );
    let per_min = |rate_per_s: f64| {
        format!(
            "{}/min ({}/s)",
            short_float(rate_per_s * 60.0, 4),
            short_float(rate_per_s, 6)
        )
    };
    let window = |start: SimTime, until: SimTime| {
        [
            ("start", SimDuration(start.as_us()).to_string()),
            ("until", SimDuration(until.as_us()).to_string()),
        ]
    };
    match a {
        &Arrivals::FlashCrowd { peers, at } => vec![
            ("process", "flash-crowd".to_string()),
            ("peers", peers.to_string()),
            ("at", SimDuration(at.as_us()).to_string()),
        ],
        &Arrivals::Poisson {
            rate_per_s,
            start,
            until,
        } => {
            let mut rows = vec![
                ("process", "poisson".to_string()),
                ("rate", format!("{}, {expected}", per_min(rate_per_s))),
            ];
            rows.extend(window(start, until));
            rows
        }
        &Arrivals::Decaying {
            initial_rate_per_s,
            tau,
            start,
            until,
        } => {
            // τ·ln 2, to the second (to the millisecond below a minute).
            let half_life_us = tau.as_us() as f64 * std::f64::consts::LN_2;
            let grain = if half_life_us >= 60e6 { 1e6 } else { 1e3 };
            let half_life = SimDuration(((half_life_us / grain).round() * grain) as u64);
            let mut rows = vec![
                (
                    "process",
                    "decaying (rate × e^(−(t − start)/tau))".to_string(),
                ),
                (
                    "tau",
                    format!("{tau} (the rate falls by e every tau; half-life {half_life})"),
                ),
                (
                    "rate",
                    format!("{} at start, {expected}", per_min(initial_rate_per_s)),
                ),
            ];
            rows.extend(window(start, until));
            rows
        }
        Arrivals::Diurnal {
            mean_rate_per_s,
            weights,
            utc_offset_hours,
            start,
            until,
        } => {
            let mean = weights.iter().sum::<f64>() / 24.0;
            let peak = (0..24).fold(
                0,
                |best, h| if weights[h] > weights[best] { h } else { best },
            );
            let listed: Vec<String> = weights.iter().map(|&w| short_float(w, 4)).collect();
            let local_minutes = ((utc_offset_hours * 60.0).round() as i64).rem_euclid(24 * 60);
            let mut rows = vec![
                ("process", "diurnal".to_string()),
                (
                    "weights",
                    format!(
                        "[{}] (local hours 00 to 23; peak {peak:02}:00 at {}× the mean rate)",
                        listed.join(", "),
                        short_float(weights[peak] / mean, 2)
                    ),
                ),
                (
                    "utc_offset_hours",
                    format!(
                        "{} (t = 0 is 00:00 UTC, {:02}:{:02} local time)",
                        short_float(*utc_offset_hours, 4),
                        local_minutes / 60,
                        local_minutes % 60
                    ),
                ),
                (
                    "rate",
                    format!(
                        "{} averaged over a day, {expected}",
                        per_min(*mean_rate_per_s)
                    ),
                ),
            ];
            rows.extend(window(*start, *until));
            rows
        }
        Arrivals::Trace { times } => {
            let first = times.first().map_or(0, |t| t.as_us());
            let last = times.last().map_or(0, |t| t.as_us());
            vec![
                ("process", "trace".to_string()),
                (
                    "file",
                    format!(
                        "{} arrivals from {} to {} (read at load time)",
                        times.len(),
                        SimDuration(first),
                        SimDuration(last)
                    ),
                ),
            ]
        }
    }
}

fn price_list_text(p: &Pricing) -> String {
    if p.tiers.is_empty() {
        return "0 (volume not priced)".to_string();
    }
    p.tiers
        .iter()
        .map(|t| {
            if t.up_to_bytes == u64::MAX {
                format!("{} {}", t.per_gb, p.currency)
            } else {
                format!(
                    "{} {} up to {}",
                    t.per_gb,
                    p.currency,
                    fmt_bytes(t.up_to_bytes)
                )
            }
        })
        .collect::<Vec<_>>()
        .join(", then ")
}

/// What `validate` prints for `protocol.seed_choking`.
fn seed_choking_text(c: SeedChoking) -> String {
    let what = match c {
        SeedChoking::Mainline => {
            "keep the 3 most recently unchoked, a new peer 2 periods in 3 (BitTorrent 4.x)"
        }
        SeedChoking::RoundRobin => "keep a peer for 20 pieces and 1 min, then rotate (libtorrent)",
        SeedChoking::FastestUpload => "the peers uploaded to fastest (libtorrent)",
    };
    format!("{} ({what})", c.name())
}

/// A float with at most `digits` decimals, trailing zeros removed.
fn short_float(x: f64, digits: usize) -> String {
    let text = format!("{x:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A size with its unit, then in bytes.
fn size_text(bytes: u64) -> String {
    format!("{} ({bytes} bytes)", fmt_bytes(bytes))
}

/// A rate with its unit, then in bit/s.
fn rate_text(bps: u64) -> String {
    format!("{} ({bps} bit/s)", fmt_rate(bps as f64))
}
