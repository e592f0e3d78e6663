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

use super::arrivals::{shift_to_release, Arrivals};

use super::checks::round6;
use super::demand::{resolve_process, Demand};
use super::error::{missing, Invalid};
use super::limits::{
    MAX_CONTENTS, MAX_CONTENT_SIZE_BYTES, MAX_PIECES_PER_CONTENT, MIN_PIECE_SIZE_BYTES,
};
use super::model::{ContentSpec, Policy, PolicySpec};
use super::raw::{RawArrivals, RawContent, Tab, PROCESS_EXPECTED};
use super::shares::zipf_shares;
use crate::time::{SimDuration, SimTime};
use crate::units::{fmt_bytes, fmt_bytes_binary, SIZE_EXPECTED};

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
        (None, Some(v)) if v.len() > MAX_CONTENTS => {
            return Err(Invalid::new(
                "contents",
                format!(
                    "{} [[contents]] tables, more than the {MAX_CONTENTS} a catalog may have \
                     (scenarios/README.md#bounds)",
                    v.len()
                ),
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
        shift_to_release(&mut c.arrivals, c.release, &c.name, &table(i))?;
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
    if size_bytes > MAX_CONTENT_SIZE_BYTES {
        return Err(Invalid::new(
            key("size"),
            format!(
                "expected at most 1 TiB (scenarios/README.md#bounds), got {} (a TB for GB typo?)",
                fmt_bytes(size_bytes)
            ),
        ));
    }
    let piece_size_bytes = raw
        .piece_size
        .map_or(ContentSpec::DEFAULT_PIECE_SIZE_BYTES, |s| s.0);
    if piece_size_bytes == 0 {
        return Err(Invalid::new(
            key("piece_size"),
            "expected a size above zero, e.g. \"256KiB\"",
        ));
    }
    if piece_size_bytes < MIN_PIECE_SIZE_BYTES {
        return Err(Invalid::new(
            key("piece_size"),
            format!(
                "expected at least 16 KiB, the BitTorrent block size (BEP 3; \
                 scenarios/README.md#bounds), got {} (pieces are usually 256KiB to 4MiB)",
                fmt_bytes_binary(piece_size_bytes)
            ),
        ));
    }
    let pieces = size_bytes.div_ceil(piece_size_bytes);
    if pieces > MAX_PIECES_PER_CONTENT {
        return Err(Invalid::new(
            key("piece_size"),
            format!(
                "{} in pieces of {} is {pieces} pieces, more than the {MAX_PIECES_PER_CONTENT} \
                 a content may have (scenarios/README.md#bounds): expected pieces of at least {}",
                fmt_bytes_binary(size_bytes),
                fmt_bytes_binary(piece_size_bytes),
                fmt_bytes_binary(size_bytes.div_ceil(MAX_PIECES_PER_CONTENT)),
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
        None => (d.policy.unwrap_or_default(), "client.policy".to_string()),
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
    for ((&i, share), arrivals) in sharing.iter().zip(&shares).zip(process.split(&shares)) {
        contents[i].demand_share = Some(*share);
        contents[i].arrivals = arrivals;
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
