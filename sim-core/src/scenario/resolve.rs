//! Resolve: the raw tables of a file (units parsed, every key optional) into the
//! [`Scenario`] the simulator runs. Defaults come from the types (`model`: the `DEFAULT_*`
//! constants and `Default` impls); required keys and cross-field rules are checked here,
//! each failure an [`Invalid`] naming the key path. The contents and their arrival
//! processes are resolved by `catalog` and `arrivals`.

use std::path::Path;

use super::arrivals::expected_count;
use super::catalog::{resolve_catalog, PolicyDefaults};
use super::checks::{at_least, at_least_one, at_most, hourly_weights, positive, round6};
use super::document::closest;
use super::error::{missing, Invalid};
use super::limits::{
    MAX_ARRIVALS_PER_RUN, MAX_CAP_CLIP, MAX_CONNECTIONS_PER_PEER, MAX_SAMPLES, MAX_SEEDS_PER_RUN,
    MIN_ANNOUNCE_INTERVAL, MIN_CHOKE_INTERVAL, MIN_SAMPLE_INTERVAL, MIN_SESSION_PERIOD,
};
use super::model::{
    AudienceSpec, ClientSpec, ContentSpec, NetworkSpec, OriginSpec, PeerClass, ProtocolSpec,
    Scenario, SeedGroup, SeedTime, SessionSpec, TrackerSpec,
};
use super::pricing::resolve_pricing;
use super::raw::{
    Number, RawAudience, RawClass, RawClient, RawProtocol, RawScenario, RawSeed, RawSessions, Tab,
};
use crate::time::{SimDuration, SimTime};
use crate::units::{fmt_bytes, fmt_rate, RATE_EXPECTED};

/// Fills in defaults and checks every rule; the result is what the simulator runs.
pub(super) fn resolve(
    raw: RawScenario,
    default_name: &str,
    dir: Option<&Path>,
) -> Result<Scenario, Invalid> {
    let name = raw.name.map_or_else(|| default_name.to_string(), |n| n.0);

    let sim = raw.simulation.unwrap_or_default().0;
    let seed = sim.seed.map_or(Scenario::DEFAULT_SEED, |v| v.0);
    let max_time = positive(
        sim.max_time.map_or(Scenario::DEFAULT_MAX_TIME, |d| d.0),
        "simulation.max_time",
    )?;
    let sample_interval = at_least(
        sim.sample_interval
            .map_or(Scenario::DEFAULT_SAMPLE_INTERVAL, |d| d.0),
        MIN_SAMPLE_INTERVAL,
        "simulation.sample_interval",
        "one row of timeseries.csv per interval; the flow model says nothing about shorter spans",
    )?;
    let samples = max_time.as_us().div_ceil(sample_interval.as_us());
    if samples > MAX_SAMPLES {
        return Err(Invalid::new(
            "simulation.sample_interval",
            format!(
                "{sample_interval} over max_time ({max_time}) is {samples} samples, more than \
                 the {MAX_SAMPLES} a run may write (timeseries.csv and summary.svg grow with \
                 them; scenarios/README.md#bounds): expected a sample interval of at least {}",
                SimDuration(max_time.as_us().div_ceil(MAX_SAMPLES))
            ),
        )
        .also("simulation.max_time"));
    }
    let check_invariants = sim.check_invariants.is_some_and(|f| f.0);

    let raw_network = raw.network.map(|n| n.0).unwrap_or_default();
    let net_default = NetworkSpec::default();
    let network = NetworkSpec {
        latency: raw_network.latency.map_or(net_default.latency, |d| d.0),
        time_quantum: positive(
            raw_network
                .time_quantum
                .map_or(net_default.time_quantum, |d| d.0),
            "network.time_quantum",
        )?,
        fairness_tolerance: raw_network
            .fairness_tolerance
            .map_or(net_default.fairness_tolerance, |n| n.0),
    };
    if !(0.0..0.5).contains(&network.fairness_tolerance) {
        return Err(Invalid::new(
            "network.fairness_tolerance",
            format!(
                "expected a fraction in [0, 0.5), e.g. 0.01, got {}",
                network.fairness_tolerance
            ),
        ));
    }

    let none = OriginSpec::default();
    let origin = match raw.origin.map(|t| t.0) {
        None => none,
        Some(o) => OriginSpec {
            pricing: resolve_pricing(
                o.price_per_gb,
                o.price_tiers,
                o.price_per_mbps_month,
                o.currency,
            )?,
            capacity_bps: o
                .capacity
                .ok_or_else(|| {
                    missing(
                        "origin.capacity",
                        &format!("{RATE_EXPECTED}; \"0\" means no origin"),
                    )
                })?
                .0,
            // The raw value reads "unlimited" as u64::MAX.
            per_connection_bps: o.per_connection.map_or(none.per_connection_bps, |r| {
                (r.0 != u64::MAX).then_some(r.0)
            }),
            requests_per_client: at_most(
                at_least_one(
                    o.requests_per_client
                        .map_or(none.requests_per_client, |n| n.0),
                    "origin.requests_per_client",
                )?,
                MAX_CONNECTIONS_PER_PEER,
                "origin.requests_per_client",
                CONNECTIONS_WHY,
            )?,
        },
    };

    let tracker = raw.tracker.unwrap_or_default().0;
    let tracker_default = TrackerSpec::default();
    let tracker = TrackerSpec {
        numwant: at_most(
            at_least_one(
                tracker.numwant.map_or(tracker_default.numwant, |n| n.0),
                "tracker.numwant",
            )?,
            MAX_CONNECTIONS_PER_PEER,
            "tracker.numwant",
            CONNECTIONS_WHY,
        )?,
        announce_interval: at_least(
            tracker
                .announce_interval
                .map_or(tracker_default.announce_interval, |d| d.0),
            MIN_ANNOUNCE_INTERVAL,
            "tracker.announce_interval",
            "trackers ask for 30min",
        )?,
    };

    let protocol = resolve_protocol(raw.protocol.unwrap_or_default().0)?;

    let (client, policy_defaults) = resolve_client(raw.client.unwrap_or_default().0)?;
    let contents = resolve_catalog(
        raw.content.map(|t| t.0),
        raw.contents,
        raw.arrivals.map(|t| t.0),
        &policy_defaults,
        origin.capacity_bps,
        &name,
        dir,
    )?;

    for (i, c) in contents.iter().enumerate() {
        if c.release >= SimTime::ZERO.after(max_time) {
            let key = if contents.len() == 1 {
                "content.release".to_string()
            } else {
                format!("contents[{i}].release")
            };
            return Err(Invalid::new(
                key,
                format!(
                    "{:?} is released at {}, not before simulation.max_time ({max_time}): \
                     nobody could download it; release it earlier or raise max_time",
                    c.name,
                    SimDuration(c.release.as_us())
                ),
            )
            .also("simulation.max_time"));
        }
    }
    for (i, c) in contents.iter().enumerate() {
        let first = c.arrivals.first_instant();
        if let Some(first) = first.filter(|&t| t >= SimTime::ZERO.after(max_time)) {
            let key = if contents.len() == 1 {
                "arrivals".to_string()
            } else {
                format!("contents[{i}].arrivals")
            };
            return Err(Invalid::new(
                key,
                format!(
                    "the arrivals of {:?} start at {}, not before simulation.max_time \
                     ({max_time}): nobody would arrive; move them earlier or raise max_time",
                    c.name,
                    SimDuration(first.as_us())
                ),
            )
            .also("simulation.max_time"));
        }
    }
    check_arrival_count(&contents)?;
    let seeds = resolve_seeds(raw.seeds.unwrap_or_default(), &contents)?;
    let seed_count: u64 = seeds.iter().map(|g| u64::from(g.count)).sum();
    if seed_count > MAX_SEEDS_PER_RUN {
        return Err(Invalid::new(
            "seeds",
            format!(
                "{seed_count} initial seeds in all, more than the {MAX_SEEDS_PER_RUN} a run may \
                 have (scenarios/README.md#bounds): expected a few seed groups of the publisher"
            ),
        ));
    }
    let classes = resolve_classes(raw.classes)?;
    check_time_grids(&network, sample_interval, &contents, &classes)?;
    let audience = resolve_audience(raw.audience.map(|t| t.0).unwrap_or_default())?;
    let sessions = raw.sessions.map(|t| resolve_sessions(t.0)).transpose()?;
    if audience.p2p_share < 1.0 && origin.capacity_bps == 0 {
        return Err(Invalid::new(
            "audience.p2p_share",
            format!(
                "users without the P2P client ({:.0}%) download from the origin only: \
                 add an [origin] with capacity above zero",
                100.0 * (1.0 - audience.p2p_share)
            ),
        )
        .also("origin.capacity")
        .also("origin"));
    }
    if origin.capacity_bps == 0 {
        for (i, c) in contents.iter().enumerate() {
            let held = seeds
                .iter()
                .any(|s| s.content as usize == i && s.upload_bps > 0);
            if held {
                continue;
            }
            if contents.len() == 1 {
                return Err(Invalid::new(
                    "seeds",
                    "nobody holds the content: add [[seeds]] or an [origin]",
                )
                .also("origin.capacity")
                .also("origin"));
            }
            return Err(Invalid::new(
                format!("contents[{i}]"),
                format!(
                    "nobody holds {:?}: add [[seeds]] with content = {:?}, or an [origin]",
                    c.name, c.name
                ),
            )
            .also("origin.capacity")
            .also("origin"));
        }
    }

    Ok(Scenario {
        name,
        seed,
        max_time,
        sample_interval,
        check_invariants,
        contents,
        network,
        origin,
        tracker,
        protocol,
        client,
        seeds,
        classes,
        audience,
        sessions,
        provenance: Default::default(),
    })
}

/// The expected number of arrivals over every content, at most [`MAX_ARRIVALS_PER_RUN`]:
/// checked on the resolved processes (expected counts, no instant drawn), so a
/// scenario of 10⁹ peers fails here, at once, instead of in an allocation.
fn check_arrival_count(contents: &[ContentSpec]) -> Result<(), Invalid> {
    let counts: Vec<f64> = contents
        .iter()
        .map(|c| expected_count(&c.arrivals))
        .collect();
    let total: f64 = counts.iter().sum();
    if total <= MAX_ARRIVALS_PER_RUN as f64 {
        return Ok(());
    }
    let (k, _) =
        counts.iter().enumerate().fold(
            (0, f64::MIN),
            |best, (i, &n)| if n > best.1 { (i, n) } else { best },
        );
    let key = if contents.len() == 1 {
        "arrivals".to_string()
    } else {
        format!("contents[{k}].arrivals")
    };
    let also = if contents.len() == 1 {
        "content.arrivals".to_string()
    } else {
        "arrivals".to_string()
    };
    Err(Invalid::new(
        key,
        format!(
            "about {} arrivals expected in all ({:?}: {}), more than the {MAX_ARRIVALS_PER_RUN} \
             one run may have (each is a peer with its state and result; \
             scenarios/README.md#bounds): \
             lower the rate, count or peers, or shorten the window",
            fmt_count(total),
            contents[k].name,
            fmt_count(counts[k]),
        ),
    )
    .also(also))
}

/// A large count readably: `86400000000` → `"8.64e10"`, `1234` → `"1234"`.
fn fmt_count(x: f64) -> String {
    if x < 1e7 {
        format!("{}", x.round())
    } else {
        format!("{x:.3e}")
    }
}

/// Why a count of connections is bounded, for messages.
const CONNECTIONS_WHY: &str = "clients keep 50 to 200 connections";

/// The time quantum and the sample interval must be fine enough to give meaningful figures.
///
/// - A flow's completion is rounded up to `network.time_quantum`, so each piece can end up
///   to one quantum late. A quantum above a tenth of the fastest piece transfer (the
///   smallest piece at the fastest download cap a peer can draw) would slow downloads by
///   more than 10%; it is refused. The default, 1 µs, is the engine's own resolution.
/// - The flow-level model describes TCP throughput averaged over round trips (Velho et
///   al., TOMACS 2013), so a sample interval below one round trip (2 × latency; 1 ms at
///   least) and below ten quanta describes nothing the model knows; it is refused.
fn check_time_grids(
    network: &NetworkSpec,
    sample_interval: SimDuration,
    contents: &[ContentSpec],
    classes: &[PeerClass],
) -> Result<(), Invalid> {
    let quantum = network.time_quantum;
    let fastest_bps = classes
        .iter()
        .map(|c| {
            let spread = if c.cap_sigma > 0.0 { c.cap_clip } else { 1.0 };
            c.download_bps as f64 * spread
        })
        .fold(0.0, f64::max);
    let smallest_piece = contents
        .iter()
        .map(|c| c.piece_size_bytes.min(c.size_bytes))
        .min()
        .unwrap_or(1);
    let piece_us = smallest_piece as f64 * 8.0 / fastest_bps.max(1.0) * 1e6;
    let limit = SimDuration((piece_us / 10.0).floor() as u64).max(SimDuration(1));
    if quantum > limit {
        return Err(Invalid::new(
            "network.time_quantum",
            format!(
                "{quantum} would delay each piece by up to {quantum}, while the fastest piece \
                 transfer takes {} ({} at {}): expected at most a tenth of that ({limit}), \
                 or leave it unset (1us, exact)",
                SimDuration(piece_us.ceil() as u64),
                fmt_bytes(smallest_piece),
                fmt_rate(fastest_bps),
            ),
        ));
    }
    let floor = SimDuration(
        (2 * network.latency.as_us())
            .max(1_000)
            .max(10 * quantum.as_us()),
    );
    if sample_interval < floor {
        return Err(Invalid::new(
            "simulation.sample_interval",
            format!(
                "expected at least {floor} (one round trip of 2 x network.latency, 1ms at \
                 least, and ten time quanta): a flow-level model says nothing about shorter \
                 spans; got {sample_interval}"
            ),
        ));
    }
    Ok(())
}

/// `[client]`: what every client does, and the policy keys that are every content's
/// defaults.
fn resolve_client(c: RawClient) -> Result<(ClientSpec, PolicyDefaults), Invalid> {
    let defaults = PolicyDefaults {
        policy: c.policy.map(|p| p.0),
        rate_target_bps: c.rate_target.map(|r| r.0),
        http_first_pieces: c.http_first_pieces.map(|n| n.0),
        http_first_time: c.http_first_time.map(|d| d.0),
        peer_wait_given: c.peer_wait.is_some(),
    };
    let d = ClientSpec::default();
    let client = ClientSpec {
        seed_time: c.seed_time.map_or(d.seed_time, |s| s.0),
        seed_upload_bps: c.seed_upload.map_or(d.seed_upload_bps, |r| Some(r.0)),
        abort_rate_per_s: c.abort_rate.map_or(d.abort_rate_per_s, |r| r.0),
        peer_wait: c.peer_wait.map_or(d.peer_wait, |w| w.0),
        restart_share: c.restart_share.map_or(d.restart_share, |n| n.0),
        restart_after: c.restart_after.map_or(d.restart_after, |s| s.0),
        restart_resumes: c.restart_resumes.map_or(d.restart_resumes, |f| f.0),
    };
    if !(0.0..=1.0).contains(&client.restart_share) {
        return Err(Invalid::new(
            "client.restart_share",
            format!("expected a share in [0, 1], got {}", client.restart_share),
        ));
    }
    if client.restart_after == SeedTime::Forever {
        return Err(Invalid::new(
            "client.restart_after",
            "expected a delay such as \"exp(1d)\"; to model users who never restart, set \
             client.restart_share = 0",
        ));
    }
    Ok((client, defaults))
}

/// `[protocol]`: BitTorrent parameters, each defaulting to [`ProtocolSpec::default`].
fn resolve_protocol(p: RawProtocol) -> Result<ProtocolSpec, Invalid> {
    let d = ProtocolSpec::default();
    let max_connections = at_most(
        at_least_one(
            p.max_connections.map_or(d.max_connections, |n| n.0),
            "protocol.max_connections",
        )?,
        MAX_CONNECTIONS_PER_PEER,
        "protocol.max_connections",
        CONNECTIONS_WHY,
    )?;
    let min_peers = p.min_peers.map_or(d.min_peers, |n| n.0);
    if min_peers > max_connections {
        return Err(Invalid::new(
            "protocol.min_peers",
            format!("expected at most max_connections ({max_connections}), got {min_peers}"),
        )
        .also("protocol.max_connections"));
    }
    Ok(ProtocolSpec {
        upload_slots: at_most(
            at_least_one(
                p.upload_slots.map_or(d.upload_slots, |n| n.0),
                "protocol.upload_slots",
            )?,
            MAX_CONNECTIONS_PER_PEER,
            "protocol.upload_slots",
            CONNECTIONS_WHY,
        )?,
        optimistic_slots: at_most(
            p.optimistic_slots.map_or(d.optimistic_slots, |n| n.0),
            MAX_CONNECTIONS_PER_PEER,
            "protocol.optimistic_slots",
            CONNECTIONS_WHY,
        )?,
        rechoke_interval: at_least(
            p.rechoke_interval.map_or(d.rechoke_interval, |d| d.0),
            MIN_CHOKE_INTERVAL,
            "protocol.rechoke_interval",
            "real clients rechoke every 10s, BEP 3",
        )?,
        optimistic_interval: at_least(
            p.optimistic_interval.map_or(d.optimistic_interval, |d| d.0),
            MIN_CHOKE_INTERVAL,
            "protocol.optimistic_interval",
            "real clients rotate the optimistic unchoke every 30s, BEP 3",
        )?,
        max_connections,
        min_peers,
        random_first_pieces: p.random_first_pieces.map_or(d.random_first_pieces, |n| n.0),
        endgame: p.endgame.map_or(d.endgame, |f| f.0),
        seed_choking: p.seed_choking.map_or(d.seed_choking, |c| c.0),
    })
}

/// `[[seeds]]`: groups of initial seeds, each holding one content of `contents` (named
/// by `content`, which a catalog of several contents requires).
fn resolve_seeds(
    raw: Vec<Tab<RawSeed>>,
    contents: &[ContentSpec],
) -> Result<Vec<SeedGroup>, Invalid> {
    let mut seeds: Vec<SeedGroup> = Vec::with_capacity(raw.len());
    let names: Vec<&str> = contents.iter().map(|c| c.name.as_str()).collect();
    for (i, Tab(s)) in raw.into_iter().enumerate() {
        let at = |key: &str| format!("seeds[{i}].{key}");
        let name = s.name.map_or_else(|| format!("seed-{i}"), |n| n.0);
        if let Some(j) = seeds.iter().position(|other| other.name == name) {
            return Err(Invalid::new(
                at("name"),
                format!("duplicate seed group name {name:?} (also seeds[{j}])"),
            ));
        }
        let content = match s.content {
            None if contents.len() == 1 => 0,
            None => {
                return Err(missing(
                    at("content"),
                    &format!(
                        "the name of the content these seeds hold, one of {}",
                        quoted_list(&names)
                    ),
                ))
            }
            Some(n) => match names.iter().position(|&c| c == n.0) {
                Some(k) => k as u32,
                None => {
                    let hint = closest(&n.0, &names)
                        .map(|c| format!(" (did you mean {c:?}?)"))
                        .unwrap_or_default();
                    return Err(Invalid::new(
                        at("content"),
                        format!(
                            "no content named {:?}{hint}; expected one of {}",
                            n.0,
                            quoted_list(&names)
                        ),
                    ));
                }
            },
        };
        seeds.push(SeedGroup {
            name,
            content,
            count: at_least_one(s.count.map_or(1, |n| n.0), &at("count"))?,
            upload_bps: s
                .upload
                .ok_or_else(|| missing(at("upload"), RATE_EXPECTED))?
                .0,
            super_seeding: s.super_seeding.is_some_and(|f| f.0),
        });
    }
    Ok(seeds)
}

/// `"a", "b", "c"`.
fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `[[classes]]`: at least one, unique names, shares in (0, 1] summing to 1.
fn resolve_classes(raw: Option<Vec<Tab<RawClass>>>) -> Result<Vec<PeerClass>, Invalid> {
    let raw = raw.unwrap_or_default();
    if raw.is_empty() {
        return Err(Invalid::new(
            "classes",
            "expected at least one [[classes]] table with name, share, upload and download",
        ));
    }
    let mut classes: Vec<PeerClass> = Vec::with_capacity(raw.len());
    for (i, Tab(c)) in raw.into_iter().enumerate() {
        let at = |key: &str| format!("classes[{i}].{key}");
        let name = c
            .name
            .ok_or_else(|| missing(at("name"), "a name in quotes, e.g. \"ftth\""))?
            .0;
        if let Some(j) = classes.iter().position(|other| other.name == name) {
            return Err(Invalid::new(
                at("name"),
                format!("duplicate class name {name:?} (also classes[{j}])"),
            ));
        }
        let share = c
            .share
            .ok_or_else(|| missing(at("share"), "a share in (0, 1], e.g. 0.37"))?
            .0;
        if !(share > 0.0 && share <= 1.0) {
            return Err(Invalid::new(
                at("share"),
                format!("expected a share in (0, 1], got {share}"),
            ));
        }
        let upload_bps = c
            .upload
            .ok_or_else(|| missing(at("upload"), RATE_EXPECTED))?
            .0;
        let download_bps = c
            .download
            .ok_or_else(|| missing(at("download"), RATE_EXPECTED))?
            .0;
        if download_bps == 0 {
            return Err(Invalid::new(
                at("download"),
                "expected a rate above zero, e.g. \"40Mbps\"",
            ));
        }
        let cap_sigma = c.cap_sigma.map_or(0.0, |x| x.0);
        if !(0.0..=3.0).contains(&cap_sigma) {
            return Err(Invalid::new(
                at("cap_sigma"),
                format!("expected a lognormal sigma in [0, 3], e.g. 0.5, got {cap_sigma}"),
            ));
        }
        let cap_clip = c.cap_clip.map_or(PeerClass::DEFAULT_CAP_CLIP, |x| x.0);
        if !(1.0..=MAX_CAP_CLIP).contains(&cap_clip) {
            return Err(Invalid::new(
                at("cap_clip"),
                format!(
                    "expected a factor from 1 to {MAX_CAP_CLIP} (scenarios/README.md#bounds), \
                     e.g. 4, got {cap_clip}"
                ),
            ));
        }
        classes.push(PeerClass {
            name,
            share,
            upload_bps,
            download_bps,
            cap_sigma,
            cap_clip,
            always_on: c.always_on.is_some_and(|f| f.0),
        });
    }
    let sum: f64 = classes.iter().map(|c| c.share).sum();
    if (sum - 1.0).abs() > 1e-6 {
        let terms: Vec<String> = classes
            .iter()
            .map(|c| format!("{} {}", c.name, c.share))
            .collect();
        return Err(Invalid::new(
            "classes",
            format!(
                "shares must sum to 1, got {} ({})",
                round6(sum),
                terms.join(" + ")
            ),
        ));
    }
    Ok(classes)
}

/// `[sessions]`: online and offline period lengths, an optional diurnal profile.
fn resolve_sessions(r: RawSessions) -> Result<SessionSpec, Invalid> {
    let online = r
        .online
        .ok_or_else(|| missing("sessions.online", "a duration such as \"exp(2h)\""))?
        .0;
    let offline = r
        .offline
        .ok_or_else(|| missing("sessions.offline", "a duration such as \"exp(10h)\""))?
        .0;
    for (key, d) in [("online", &online), ("offline", &offline)] {
        if *d == SeedTime::Fixed(SimDuration::ZERO) {
            return Err(Invalid::new(
                format!("sessions.{key}"),
                "expected a period above zero, e.g. \"exp(2h)\"",
            ));
        }
        let shortest = match d {
            SeedTime::Fixed(p) | SeedTime::Exponential(p) => Some(*p),
            SeedTime::Empirical(values) => values.iter().min().copied(),
            SeedTime::Forever => None,
        };
        if let Some(p) = shortest.filter(|&p| p < MIN_SESSION_PERIOD) {
            return Err(Invalid::new(
                format!("sessions.{key}"),
                format!(
                    "expected periods of at least {MIN_SESSION_PERIOD} (measured sessions last \
                     minutes to hours; scenarios/README.md#bounds), got {p}"
                ),
            ));
        }
    }
    if offline == SeedTime::Forever {
        return Err(Invalid::new(
            "sessions.offline",
            "an offline period must end; use a duration such as \"exp(10h)\"",
        ));
    }
    let diurnal = match &r.diurnal {
        None => None,
        Some(w) => Some(Box::new(hourly_weights(
            Some(&w.0[..]),
            "sessions.diurnal",
        )?)),
    };
    let utc_offset_hours = r.utc_offset_hours.map_or(0.0, |x| x.0);
    if !(-24.0..=24.0).contains(&utc_offset_hours) {
        return Err(Invalid::new(
            "sessions.utc_offset_hours",
            format!("expected hours in [-24, 24], e.g. 9 for Japan, got {utc_offset_hours}"),
        ));
    }
    Ok(SessionSpec {
        online,
        offline,
        diurnal,
        utc_offset_hours,
    })
}

/// `[audience]`: shares in [0, 1].
fn resolve_audience(a: RawAudience) -> Result<AudienceSpec, Invalid> {
    let share = |v: Option<Number>, default: f64, key: &str| -> Result<f64, Invalid> {
        let x = v.map_or(default, |n| n.0);
        if (0.0..=1.0).contains(&x) {
            Ok(x)
        } else {
            Err(Invalid::new(
                format!("audience.{key}"),
                format!("expected a share in [0, 1], got {x}"),
            ))
        }
    };
    let d = AudienceSpec::default();
    Ok(AudienceSpec {
        p2p_share: share(a.p2p_share, d.p2p_share, "p2p_share")?,
        upload_off_share: share(a.upload_off_share, d.upload_off_share, "upload_off_share")?,
        nat_share: share(a.nat_share, d.nat_share, "nat_share")?,
    })
}
