//! The catalog: which contents a scenario distributes, how clients fetch each one (its
//! hybrid policy) and who asks for it (an arrival process of its own, or a share of the
//! catalog's demand).
//!
//! Two spellings, one model: `[content]` (with `[arrivals]` and `[client] policy`) is a
//! catalog of one; `[[contents]]` lists several. A content without an `arrivals` table of
//! its own shares the scenario's `[arrivals]`:
//!
//! - split by Zipf popularity, `arrivals.zipf_exponent = s`: the content of rank k (the
//!   order listed, 1 first) gets the share k^(−s) / Σ_j j^(−s) (s = 0: equal shares);
//! - or by the `share` each such content states (shares sum to 1);
//! - or, for a trace whose lines name their content (`time,content`), by those names.
//!
//! A rate-driven process is split by scaling its rate (thinning a Poisson process gives
//! independent Poisson processes), a flash crowd by dividing its peers (largest remainder).
//! Windows (`start`, `until`, `at`) are measured from each content's `release`, so a
//! decaying process describes every title's popularity after its own release; trace
//! timestamps are absolute, and none may precede its content's release.

use std::path::Path;

use super::load::{hourly_weights, missing, positive, round6, Invalid, DEFAULT_PIECE_SIZE};
use super::model::{Arrivals, ContentSpec, Policy, PolicySpec};
use super::raw::{Process, RawArrivals, RawContent, Tab, PROCESS_EXPECTED};
use crate::time::{SimDuration, SimTime};
use crate::units::{DURATION_EXPECTED, SIZE_EXPECTED};
use crate::workload::{expected_count, largest_remainder};

/// The `[client]` keys that give every content's policy a default.
#[derive(Debug, Default)]
pub(super) struct PolicyDefaults {
    pub policy: Option<Policy>,
    pub rate_target_bps: Option<u64>,
    pub http_first_pieces: Option<u32>,
    pub http_first_time: Option<SimDuration>,
    /// `client.peer_wait` was given (only `peers-first` reads it).
    pub peer_wait_given: bool,
}

/// An arrivals table as read, before it is given to contents.
#[derive(Debug)]
pub(super) enum Demand {
    /// A process (times from 0) or a trace without content names.
    Process(Arrivals),
    /// A trace whose lines name their content.
    NamedTrace {
        /// The arrivals, sorted by time.
        rows: Vec<TraceRow>,
        /// The file as shown in errors.
        file: String,
    },
}

/// One line of a trace that names contents.
#[derive(Debug)]
pub(super) struct TraceRow {
    /// Arrival instant.
    pub at: SimTime,
    /// Content named on the line.
    pub content: Option<String>,
    /// 1-based line number in the file.
    pub line: usize,
}

/// The contents of the scenario, resolved: `single` is a `[content]` table, `listed` the
/// `[[contents]]` array (exactly one of the two), `demand` the scenario's `[arrivals]`,
/// `defaults` the policy keys of `[client]`. `scenario_name` names a lone `[content]`
/// without a name. Checks that every policy can be used by its content with this origin.
pub(super) fn resolve_catalog(
    single: Option<RawContent>,
    listed: Option<Vec<Tab<RawContent>>>,
    demand: Option<RawArrivals>,
    defaults: &PolicyDefaults,
    origin_capacity_bps: u64,
    scenario_name: &str,
    dir: Option<&Path>,
) -> Result<Vec<ContentSpec>, Invalid> {
    let (raws, one): (Vec<RawContent>, bool) = match (single, listed) {
        (Some(_), Some(_)) => {
            return Err(Invalid::new(
                "contents",
                "give either one [content] table or a catalog of [[contents]] tables, not both",
            )
            .also("content"))
        }
        (None, None) => {
            return Err(Invalid::new(
                "content",
                "missing table; expected [content] with size = \"100MB\" (and optionally \
                 piece_size), or a catalog of [[contents]] tables",
            ))
        }
        (Some(c), None) => (vec![c], true),
        (None, Some(v)) if v.is_empty() => {
            return Err(Invalid::new(
                "contents",
                "expected at least one [[contents]] table with name and size",
            ))
        }
        (None, Some(v)) => (v.into_iter().map(|t| t.0).collect(), false),
    };
    let table = |i: usize| {
        if one {
            "content".to_string()
        } else {
            format!("contents[{i}]")
        }
    };

    let mut contents: Vec<ContentSpec> = Vec::with_capacity(raws.len());
    let mut own: Vec<Option<Demand>> = Vec::with_capacity(raws.len());
    let mut uses = PolicyUse::default();
    for (i, raw) in raws.iter().enumerate() {
        let t = table(i);
        let key = |k: &str| format!("{t}.{k}");
        let name = match &raw.name {
            Some(n) => n.0.clone(),
            None if one => scenario_name.to_string(),
            None => return Err(missing(key("name"), "a name in quotes, e.g. \"patch-1.2\"")),
        };
        if let Some(j) = contents.iter().position(|c| c.name == name) {
            return Err(Invalid::new(
                key("name"),
                format!("duplicate content name {name:?} (also contents[{j}])"),
            ));
        }
        let (size_bytes, piece_size_bytes) = resolve_size(raw, &t)?;
        let pieces = size_bytes.div_ceil(piece_size_bytes) as u32;
        let policy = resolve_policy(
            raw,
            &t,
            &name,
            pieces,
            defaults,
            origin_capacity_bps,
            &mut uses,
        )?;
        if let Some(a) = &raw.arrivals {
            let at = key("arrivals");
            if a.0.zipf_exponent.is_some() {
                return Err(Invalid::new(
                    format!("{at}.zipf_exponent"),
                    "only the scenario's [arrivals] is split by popularity; a content's own \
                     arrivals are all its own",
                ));
            }
            if raw.share.is_some() {
                return Err(Invalid::new(
                    key("share"),
                    "only for a content that shares the scenario's [arrivals]; this one has \
                     arrivals of its own",
                )
                .also(at));
            }
        }
        own.push(
            raw.arrivals
                .as_ref()
                .map(|a| resolve_process(&a.0, &key("arrivals"), dir))
                .transpose()?,
        );
        contents.push(ContentSpec {
            name,
            size_bytes,
            piece_size_bytes,
            release: SimTime::ZERO.after(raw.release.map_or(SimDuration::ZERO, |d| d.0)),
            policy,
            // Filled in below.
            arrivals: Arrivals::Trace { times: Vec::new() },
            demand_share: None,
        });
    }
    uses.check_defaults(defaults)?;

    let sharing: Vec<usize> = (0..contents.len()).filter(|&i| own[i].is_none()).collect();
    for (i, d) in own.into_iter().enumerate() {
        if let Some(d) = d {
            let key = format!("{}.arrivals.file", table(i));
            contents[i].arrivals = match d {
                Demand::Process(a) => a,
                Demand::NamedTrace { file, .. } => {
                    return Err(Invalid::new(
                        key,
                        format!(
                            "{file}: names a content on each line, which only the scenario's \
                             [arrivals] trace may do; give this content's trace one column \
                             (times)"
                        ),
                    ))
                }
            };
        }
    }
    match (sharing.is_empty(), demand) {
        (true, Some(_)) => {
            return Err(Invalid::new(
                "arrivals",
                "every content has arrivals of its own, so nothing uses this table; remove \
                 it, or remove a content's own arrivals so that it shares this demand",
            ))
        }
        (true, None) => {}
        (false, None) => {
            let message = if one {
                format!("missing table; expected [arrivals] with process = {PROCESS_EXPECTED}")
            } else {
                format!(
                    "missing table; {} of the contents ({}) have no arrivals table of their \
                     own: give the catalog's demand in [arrivals], split across them by \
                     zipf_exponent or by share, or give each a [contents.arrivals] table",
                    sharing.len(),
                    sharing
                        .iter()
                        .map(|&i| format!("{:?}", contents[i].name))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(Invalid::new("arrivals", message));
        }
        (false, Some(a)) => {
            let d = resolve_process(&a, "arrivals", dir)?;
            split_demand(d, &a, &raws, &sharing, &table, &mut contents)?;
        }
    }
    for (i, c) in contents.iter_mut().enumerate() {
        shift_to_release(c, &table(i))?;
    }
    Ok(contents)
}

/// `size` (required, above 0) and `piece_size` (default 256 KiB) of content table `t`.
fn resolve_size(raw: &RawContent, t: &str) -> Result<(u64, u64), Invalid> {
    let key = |k: &str| format!("{t}.{k}");
    let size_bytes = raw
        .size
        .ok_or_else(|| missing(key("size"), SIZE_EXPECTED))?
        .0;
    if size_bytes == 0 {
        return Err(Invalid::new(
            key("size"),
            "expected a size above zero, e.g. \"100MB\"",
        ));
    }
    let piece_size_bytes = raw.piece_size.map_or(DEFAULT_PIECE_SIZE, |s| s.0);
    if piece_size_bytes == 0 {
        return Err(Invalid::new(
            key("piece_size"),
            "expected a size above zero, e.g. \"256KiB\"",
        ));
    }
    let pieces = size_bytes.div_ceil(piece_size_bytes);
    if pieces > u64::from(u32::MAX) {
        return Err(Invalid::new(
            key("piece_size"),
            format!(
                "{} pieces is too many (at most {}): use larger pieces",
                pieces,
                u32::MAX
            ),
        )
        .also(key("size")));
    }
    Ok((size_bytes, piece_size_bytes))
}

/// Which policies the contents ended up with, to tell whether a `[client]` default that
/// only one policy reads was read at all.
#[derive(Debug, Default)]
struct PolicyUse {
    client_rate_target: bool,
    client_http_first: bool,
    peers_first: bool,
}

impl PolicyUse {
    fn check_defaults(&self, d: &PolicyDefaults) -> Result<(), Invalid> {
        let only_for = |key: &str, name: &str| {
            Invalid::new(
                format!("client.{key}"),
                format!(
                    "only used by policy \"{name}\"; remove it or set client.policy = \"{name}\""
                ),
            )
        };
        if d.rate_target_bps.is_some() && !self.client_rate_target {
            return Err(only_for("rate_target", "rate-target"));
        }
        if d.http_first_pieces.is_some() && !self.client_http_first {
            return Err(only_for("http_first_pieces", "http-first"));
        }
        if d.http_first_time.is_some() && !self.client_http_first {
            return Err(only_for("http_first_time", "http-first"));
        }
        if d.peer_wait_given && !self.peers_first {
            return Err(only_for("peer_wait", "peers-first"));
        }
        Ok(())
    }
}

/// The policy of content table `t` (named `name`, `pieces` pieces): its own keys first,
/// then `[client]`'s, then `web-seed`; checks that the content can use it.
fn resolve_policy(
    raw: &RawContent,
    t: &str,
    name: &str,
    pieces: u32,
    d: &PolicyDefaults,
    origin_capacity_bps: u64,
    uses: &mut PolicyUse,
) -> Result<PolicySpec, Invalid> {
    let key = |k: &str| format!("{t}.{k}");
    let (kind, policy_key) = match raw.policy {
        Some(p) => (p.0, key("policy")),
        None => (
            d.policy.unwrap_or(Policy::WebSeed),
            "client.policy".to_string(),
        ),
    };
    let only_for = |k: &str, name: &str| {
        Invalid::new(
            key(k),
            format!("only used by policy \"{name}\"; remove it or set {policy_key} = \"{name}\""),
        )
        .also(policy_key.clone())
    };

    // rate-target: the content's own target, else [client]'s.
    let (target, target_key) = match raw.rate_target {
        Some(r) => (Some(r.0), key("rate_target")),
        None if raw.policy.is_some() && d.rate_target_bps.is_none() => (None, key("rate_target")),
        None => (d.rate_target_bps, "client.rate_target".to_string()),
    };
    let rate_target_bps = match (kind, target) {
        (Policy::RateTarget, Some(r)) if r > 0 => {
            uses.client_rate_target |= raw.rate_target.is_none();
            r
        }
        (Policy::RateTarget, _) => {
            return Err(Invalid::new(
                target_key,
                "policy \"rate-target\" needs the rate to sustain, above zero, \
                 e.g. rate_target = \"6Mbps\"",
            )
            .also(policy_key))
        }
        _ if raw.rate_target.is_some() => return Err(only_for("rate_target", "rate-target")),
        _ => 0,
    };

    // http-first: the content's own pair if it gives either key, else [client]'s.
    let own_pair = raw.http_first_pieces.is_some() || raw.http_first_time.is_some();
    let (k_pieces, k_time, pieces_key, time_key) = if own_pair {
        (
            raw.http_first_pieces.map(|n| n.0),
            raw.http_first_time.map(|d| d.0),
            key("http_first_pieces"),
            key("http_first_time"),
        )
    } else {
        let missing_at = |k: &str| {
            // Nothing to take from [client]: blame the content that chose the policy.
            if raw.policy.is_some() && d.http_first_pieces.is_none() && d.http_first_time.is_none()
            {
                key(k)
            } else {
                format!("client.{k}")
            }
        };
        (
            d.http_first_pieces,
            d.http_first_time,
            missing_at("http_first_pieces"),
            missing_at("http_first_time"),
        )
    };
    let (http_first_pieces, http_first_time) = match (kind, k_pieces, k_time) {
        (Policy::HttpFirst, Some(k), None) if k > 0 => (k, SimDuration::ZERO),
        (Policy::HttpFirst, None, Some(t)) if t > SimDuration::ZERO => (0, t),
        (Policy::HttpFirst, ..) => {
            return Err(Invalid::new(
                pieces_key,
                "policy \"http-first\" needs exactly one of http_first_pieces = K \
                 (above 0) or http_first_time = \"30s\" (above zero)",
            )
            .also(time_key)
            .also(policy_key))
        }
        _ if raw.http_first_pieces.is_some() => {
            return Err(only_for("http_first_pieces", "http-first"))
        }
        _ if raw.http_first_time.is_some() => {
            return Err(only_for("http_first_time", "http-first"))
        }
        _ => (0, SimDuration::ZERO),
    };
    uses.client_http_first |= kind == Policy::HttpFirst && !own_pair;
    uses.peers_first |= kind == Policy::PeersFirst;

    // Can this content use it?
    if kind == Policy::HttpFirst && http_first_pieces >= pieces {
        return Err(Invalid::new(
            policy_key,
            format!(
                "content {name:?} has {pieces} piece{}: \"http-first\" with \
                 http_first_pieces = {http_first_pieces} would fetch all of it from the \
                 origin; use policy \"http-only\", or fewer pieces first",
                if pieces == 1 { "" } else { "s" }
            ),
        )
        .also(pieces_key));
    }
    let needs_origin = match kind {
        Policy::HttpOnly => Some("policy \"http-only\" fetches from the origin only"),
        Policy::RateTarget => Some("policy \"rate-target\" asks the origin for the shortfall"),
        Policy::HttpFirst => Some("policy \"http-first\" starts on the origin"),
        Policy::WebSeed | Policy::PeersFirst | Policy::Fallback => None,
    };
    if let (Some(why), 0) = (needs_origin, origin_capacity_bps) {
        return Err(Invalid::new(
            policy_key,
            format!("{why}: add an [origin] with capacity above zero"),
        )
        .also("origin.capacity")
        .also("origin"));
    }
    Ok(PolicySpec {
        kind,
        rate_target_bps,
        http_first_pieces,
        http_first_time,
    })
}

/// Give the scenario's demand `d` (read from table `a`) to the contents listed in
/// `sharing`, by trace names, stated shares or Zipf rank.
fn split_demand(
    d: Demand,
    a: &RawArrivals,
    raws: &[RawContent],
    sharing: &[usize],
    table: &dyn Fn(usize) -> String,
    contents: &mut [ContentSpec],
) -> Result<(), Invalid> {
    let process = match d {
        Demand::NamedTrace { rows, file } => {
            if a.zipf_exponent.is_some() {
                return Err(Invalid::new(
                    "arrivals.zipf_exponent",
                    "the trace names the content of each arrival; remove zipf_exponent",
                ));
            }
            if let Some(&i) = sharing.iter().find(|&&i| raws[i].share.is_some()) {
                return Err(Invalid::new(
                    format!("{}.share", table(i)),
                    "the trace names the content of each arrival; remove share",
                ));
            }
            let mut times: Vec<Vec<SimTime>> = vec![Vec::new(); contents.len()];
            for r in &rows {
                let wanted = r.content.as_deref().unwrap_or_default();
                let Some(&i) = sharing.iter().find(|&&i| contents[i].name == wanted) else {
                    let names: Vec<String> = sharing
                        .iter()
                        .map(|&i| format!("{:?}", contents[i].name))
                        .collect();
                    return Err(Invalid::new(
                        "arrivals.file",
                        format!(
                            "{file}:{}: no content named {wanted:?} shares [arrivals]; \
                             expected one of {}",
                            r.line,
                            names.join(", ")
                        ),
                    ));
                };
                times[i].push(r.at);
            }
            for &i in sharing {
                contents[i].demand_share = Some(times[i].len() as f64 / rows.len() as f64);
                contents[i].arrivals = Arrivals::Trace {
                    times: std::mem::take(&mut times[i]),
                };
            }
            return Ok(());
        }
        Demand::Process(p) => p,
    };
    if let (Arrivals::Trace { .. }, true) = (&process, sharing.len() > 1) {
        return Err(Invalid::new(
            "arrivals.file",
            format!(
                "{} contents share this trace, but its lines do not say which content each \
                 arrival asks for: add a second column (time_s,content), or give each \
                 content a trace of its own",
                sharing.len()
            ),
        ));
    }
    let shares = demand_shares(a, raws, sharing, table)?;
    let flash_peers = match &process {
        Arrivals::FlashCrowd { peers, .. } => largest_remainder(*peers as usize, &shares),
        _ => Vec::new(),
    };
    for (k, &i) in sharing.iter().enumerate() {
        let share = shares[k];
        contents[i].demand_share = Some(share);
        contents[i].arrivals = match &process {
            &Arrivals::FlashCrowd { at, .. } => Arrivals::FlashCrowd {
                peers: flash_peers[k] as u32,
                at,
            },
            &Arrivals::Poisson {
                rate_per_s,
                start,
                until,
            } => Arrivals::Poisson {
                rate_per_s: rate_per_s * share,
                start,
                until,
            },
            &Arrivals::Decaying {
                initial_rate_per_s,
                tau,
                start,
                until,
            } => Arrivals::Decaying {
                initial_rate_per_s: initial_rate_per_s * share,
                tau,
                start,
                until,
            },
            Arrivals::Diurnal {
                mean_rate_per_s,
                weights,
                utc_offset_hours,
                start,
                until,
            } => Arrivals::Diurnal {
                mean_rate_per_s: mean_rate_per_s * share,
                weights: weights.clone(),
                utc_offset_hours: *utc_offset_hours,
                start: *start,
                until: *until,
            },
            Arrivals::Trace { times } => Arrivals::Trace {
                times: times.clone(),
            },
        };
    }
    Ok(())
}

/// The share of the demand of each content in `sharing` (same order): stated `share`s, or
/// Zipf by rank.
fn demand_shares(
    a: &RawArrivals,
    raws: &[RawContent],
    sharing: &[usize],
    table: &dyn Fn(usize) -> String,
) -> Result<Vec<f64>, Invalid> {
    let stated = sharing.iter().filter(|&&i| raws[i].share.is_some()).count();
    if stated > 0 {
        if a.zipf_exponent.is_some() {
            return Err(Invalid::new(
                "arrivals.zipf_exponent",
                "the contents state their shares; give either zipf_exponent or a share per \
                 content, not both",
            ));
        }
        let mut shares = Vec::with_capacity(sharing.len());
        for &i in sharing {
            let key = format!("{}.share", table(i));
            let share = raws[i]
                .share
                .ok_or_else(|| {
                    missing(
                        key.clone(),
                        "a share of the catalog's demand in (0, 1]: the other contents that \
                         share [arrivals] state theirs",
                    )
                })?
                .0;
            if !(share > 0.0 && share <= 1.0) {
                return Err(Invalid::new(
                    key,
                    format!("expected a share in (0, 1], got {share}"),
                ));
            }
            shares.push(share);
        }
        let sum: f64 = shares.iter().sum();
        if (sum - 1.0).abs() > 1e-6 {
            return Err(Invalid::new(
                format!("{}.share", table(sharing[0])),
                format!(
                    "the shares of the contents that share [arrivals] must sum to 1, got {} \
                     ({})",
                    round6(sum),
                    shares
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join(" + ")
                ),
            ));
        }
        return Ok(shares);
    }
    let s = match a.zipf_exponent {
        Some(z) if z.0.is_finite() && (0.0..=10.0).contains(&z.0) => z.0,
        Some(z) => {
            return Err(Invalid::new(
                "arrivals.zipf_exponent",
                format!(
                    "expected an exponent in [0, 10], e.g. 0.8 (0 = equal shares), got {}",
                    z.0
                ),
            ))
        }
        None if sharing.len() == 1 => 0.0,
        None => {
            return Err(missing(
                "arrivals.zipf_exponent",
                &format!(
                    "{} contents share this demand: give zipf_exponent = 0.8 (the content of \
                     rank k, in the order listed, gets a share ∝ k^-0.8), or a share per content",
                    sharing.len()
                ),
            ))
        }
    };
    Ok(zipf_shares(sharing.len(), s))
}

/// Zipf popularity of `n` ranks with exponent `s`: rank k (from 1) gets k^(−s) / Σ j^(−s).
pub fn zipf_shares(n: usize, s: f64) -> Vec<f64> {
    let w: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-s)).collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|x| x / total).collect()
}

/// Move a content's process windows to start at its release; check that no traced arrival
/// precedes it.
fn shift_to_release(c: &mut ContentSpec, t: &str) -> Result<(), Invalid> {
    let r = SimDuration(c.release.as_us());
    match &mut c.arrivals {
        Arrivals::FlashCrowd { at, .. } => *at = at.after(r),
        Arrivals::Poisson { start, until, .. }
        | Arrivals::Decaying { start, until, .. }
        | Arrivals::Diurnal { start, until, .. } => {
            *start = start.after(r);
            *until = until.after(r);
        }
        Arrivals::Trace { times } => {
            if let Some(&first) = times.first() {
                if first < c.release {
                    return Err(Invalid::new(
                        format!("{t}.release"),
                        format!(
                            "the trace has an arrival for {:?} at {}, before its release at \
                             {} (trace times count from the start of the simulation)",
                            c.name,
                            SimDuration(first.as_us()),
                            r
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// An arrivals table at key path `table` (`arrivals`, `content.arrivals` or
/// `contents[2].arrivals`): the process and the keys it takes, with times measured from
/// 0 (the caller shifts them to the content's release). `dir` is the directory a relative
/// trace `file` is resolved against: the scenario file's (`load_file`), or `None` for the
/// current directory (`load_str`).
pub(super) fn resolve_process(
    a: &RawArrivals,
    table: &str,
    dir: Option<&Path>,
) -> Result<Demand, Invalid> {
    let key = |k: &str| format!("{table}.{k}");
    let process = a
        .process
        .ok_or_else(|| missing(key("process"), PROCESS_EXPECTED))?
        .0;
    let (name, keys, takes): (&str, &str, &[&str]) = match process {
        Process::FlashCrowd => ("flash-crowd", "process, peers, at", &["peers", "at"]),
        Process::Poisson => (
            "poisson",
            "process, rate or count, start, until",
            &["rate", "count", "start", "until"],
        ),
        Process::Decaying => (
            "decaying",
            "process, tau, rate or count, start, until",
            &["tau", "rate", "count", "start", "until"],
        ),
        Process::Diurnal => (
            "diurnal",
            "process, weights, utc_offset_hours, rate or count, start, until",
            &[
                "weights",
                "utc_offset_hours",
                "rate",
                "count",
                "start",
                "until",
            ],
        ),
        Process::Trace => ("trace", "process, file", &["file"]),
    };
    let given = [
        ("peers", a.peers.is_some()),
        ("at", a.at.is_some()),
        ("rate", a.rate.is_some()),
        ("count", a.count.is_some()),
        ("start", a.start.is_some()),
        ("until", a.until.is_some()),
        ("tau", a.tau.is_some()),
        ("weights", a.weights.is_some()),
        ("utc_offset_hours", a.utc_offset_hours.is_some()),
        ("file", a.file.is_some()),
    ];
    if let Some((k, _)) = given.iter().find(|&&(k, g)| g && !takes.contains(&k)) {
        return Err(Invalid::new(
            key(k),
            format!("not a key of process {name:?}; its keys are {keys}"),
        )
        .also(key("process")));
    }
    match process {
        Process::FlashCrowd => {
            let peers = a
                .peers
                .ok_or_else(|| missing(key("peers"), "the number of peers, e.g. 1000"))?
                .0;
            let at = a.at.map_or(SimDuration::ZERO, |d| d.0);
            Ok(Demand::Process(Arrivals::FlashCrowd {
                peers,
                at: SimTime::ZERO.after(at),
            }))
        }
        Process::Poisson => {
            let (start, until) = arrival_window(a, table)?;
            let unit = Arrivals::Poisson {
                rate_per_s: 1.0,
                start,
                until,
            };
            let rate_per_s = rate_or_count(a, table, "an arrival rate such as \"2/min\"", &unit)?;
            Ok(Demand::Process(Arrivals::Poisson {
                rate_per_s,
                start,
                until,
            }))
        }
        Process::Decaying => {
            let (start, until) = arrival_window(a, table)?;
            let tau = a
                .tau
                .ok_or_else(|| {
                    missing(
                        key("tau"),
                        &format!(
                            "the decay time constant (the rate falls by e every tau), \
                             {DURATION_EXPECTED}, e.g. tau = \"2d\""
                        ),
                    )
                })?
                .0;
            let tau = positive(tau, &key("tau"))?;
            let unit = Arrivals::Decaying {
                initial_rate_per_s: 1.0,
                tau,
                start,
                until,
            };
            let initial_rate_per_s = rate_or_count(
                a,
                table,
                "the arrival rate at start, such as \"100/h\", decaying from there",
                &unit,
            )?;
            Ok(Demand::Process(Arrivals::Decaying {
                initial_rate_per_s,
                tau,
                start,
                until,
            }))
        }
        Process::Diurnal => {
            let (start, until) = arrival_window(a, table)?;
            let weights = Box::new(hourly_weights(
                a.weights.as_ref().map(|w| &w.0[..]),
                &key("weights"),
            )?);
            let utc_offset_hours = a.utc_offset_hours.map_or(0.0, |x| x.0);
            if !(-24.0..=24.0).contains(&utc_offset_hours) {
                return Err(Invalid::new(
                    key("utc_offset_hours"),
                    format!(
                        "expected an offset from UTC in hours, from -24 to 24, e.g. 9 or -5.5, \
                         got {utc_offset_hours}"
                    ),
                ));
            }
            let mut diurnal = Arrivals::Diurnal {
                mean_rate_per_s: 1.0,
                weights,
                utc_offset_hours,
                start,
                until,
            };
            let rate = rate_or_count(
                a,
                table,
                "the mean arrival rate over a day, such as \"2/min\"",
                &diurnal,
            )?;
            if let Arrivals::Diurnal {
                mean_rate_per_s, ..
            } = &mut diurnal
            {
                *mean_rate_per_s = rate;
            }
            Ok(Demand::Process(diurnal))
        }
        Process::Trace => {
            let file = a.file.as_ref().ok_or_else(|| {
                missing(
                    key("file"),
                    "the trace to replay, e.g. file = \"trace.csv\" \
                     (one arrival time in seconds per line)",
                )
            })?;
            read_trace(&file.0, dir, &key("file"))
        }
    }
}

/// `start` (default 0) and `until` (required, after `start`) of a rate-driven process.
fn arrival_window(a: &RawArrivals, table: &str) -> Result<(SimTime, SimTime), Invalid> {
    let start = a.start.map_or(SimDuration::ZERO, |d| d.0);
    let until = a
        .until
        .ok_or_else(|| {
            missing(
                format!("{table}.until"),
                &format!("the end of the arrival window, {DURATION_EXPECTED}"),
            )
        })?
        .0;
    if until <= start {
        return Err(Invalid::new(
            format!("{table}.until"),
            format!("expected a time after start ({start}), got {until}"),
        )
        .also(format!("{table}.start")));
    }
    Ok((SimTime::ZERO.after(start), SimTime::ZERO.after(until)))
}

/// The rate of a process from exactly one of `rate` or `count`. `unit` is the process at
/// rate 1, whose expected count is the weight of the window, so `count = N` gives N / that.
/// `rate_what` says what the rate means for this process.
fn rate_or_count(
    a: &RawArrivals,
    table: &str,
    rate_what: &str,
    unit: &Arrivals,
) -> Result<f64, Invalid> {
    let key = |k: &str| format!("{table}.{k}");
    match (a.rate, a.count) {
        (Some(_), Some(_)) => {
            Err(Invalid::new(key("count"), "give either rate or count, not both").also(key("rate")))
        }
        (None, None) => Err(missing(
            key("rate"),
            &format!("{rate_what}, or count = the expected number of arrivals in the window"),
        )
        .also(table)),
        (Some(rate), None) => {
            if rate.0 <= 0.0 {
                return Err(Invalid::new(
                    key("rate"),
                    "expected a rate above zero, e.g. \"2/min\"",
                ));
            }
            Ok(rate.0)
        }
        (None, Some(count)) => {
            if count.0 <= 0.0 {
                return Err(Invalid::new(
                    key("count"),
                    format!("expected a count above zero, got {}", count.0),
                ));
            }
            let per_unit_rate = expected_count(unit);
            if per_unit_rate <= 0.0 {
                return Err(Invalid::new(
                    key("count"),
                    "no arrival can happen in the window: every hour of it has weight 0; \
                     give a rate, or move start and until",
                )
                .also(key("weights")));
            }
            Ok(count.0 / per_unit_rate)
        }
    }
}

/// A trace file: one arrival per line, `time` or `time,content`, the time in seconds
/// since the start of the simulation (a number ≥ 0), the optional second column naming the
/// content asked for; an optional header line (`time_s` or `time_s,content`); blank lines
/// ignored; sorted ascending by time (ties allowed); either every line names a content or
/// none does. A relative `file` is joined to `dir` (or read from the current directory when
/// `dir` is `None`). Each time is rounded to the nearest microsecond. `key` is the path of
/// the `file` key, for errors.
fn read_trace(file: &str, dir: Option<&Path>, key: &str) -> Result<Demand, Invalid> {
    let path = match dir {
        Some(dir) => dir.join(file),
        None => Path::new(file).to_path_buf(),
    };
    let shown = path.display();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Invalid::new(key, format!("cannot read the trace {shown}: {e}")))?;
    // As for durations, stay far from u64::MAX so that time arithmetic has room.
    let max_s = (u64::MAX / 4) as f64 / 1e6;
    let mut rows: Vec<TraceRow> = Vec::new();
    let mut named: Option<bool> = None;
    let mut previous: Option<(&str, usize)> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty()
            || (rows.is_empty()
                && previous.is_none()
                && matches!(line, "time_s" | "time_s,content"))
        {
            continue;
        }
        let at = |why: String| Invalid::new(key, format!("{shown}:{}: {why}", i + 1));
        let (field, content) = match line.split_once(',') {
            None => (line, None),
            Some((t, c)) => {
                let c = c.trim();
                if c.is_empty() || c.contains(',') {
                    return Err(at(format!(
                        "expected `time` or `time,content` (a content name without commas), \
                         got {line:?}"
                    )));
                }
                (t.trim(), Some(c.to_string()))
            }
        };
        if *named.get_or_insert(content.is_some()) != content.is_some() {
            return Err(at(format!(
                "every line must name a content, or none: got {line:?} after lines {}",
                if content.is_some() {
                    "without one"
                } else {
                    "with one"
                }
            )));
        }
        let secs = field
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0 && *x <= max_s)
            .ok_or_else(|| {
                at(format!(
                    "expected a time in seconds since the start (a number ≥ 0, e.g. 12.5), \
                     got {field:?}"
                ))
            })?;
        let t = SimTime((secs * 1e6).round() as u64);
        if let (Some(last), Some((last_text, last_line))) = (rows.last(), previous) {
            if t < last.at {
                return Err(at(format!(
                    "timestamps must be sorted ascending: {field} comes after {last_text} \
                     (line {last_line})"
                )));
            }
        }
        previous = Some((field, i + 1));
        rows.push(TraceRow {
            at: t,
            content,
            line: i + 1,
        });
    }
    if rows.is_empty() {
        return Err(Invalid::new(
            key,
            format!("{shown}: no timestamps; expected one arrival time in seconds per line"),
        ));
    }
    if named == Some(true) {
        return Ok(Demand::NamedTrace {
            rows,
            file: shown.to_string(),
        });
    }
    Ok(Demand::Process(Arrivals::Trace {
        times: rows.into_iter().map(|r| r.at).collect(),
    }))
}
