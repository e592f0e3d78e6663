//! The resolved, typed scenario the simulator runs: every unit parsed, every share checked.
//!
//! Built only by [`crate::scenario::load_str`] / [`crate::scenario::load_file`] (from TOML)
//! or by code (tests, benches); the simulator never sees raw text. Rates are bits per
//! second, sizes bytes, times microseconds.
//!
//! Every default a scenario file may leave out is stated once, beside its type: the
//! `DEFAULT_*` associated constants and the `Default` impls below. The resolve stage
//! reads them from here.

use serde::Serialize;

pub use super::arrivals::Arrivals;
use crate::time::{SimDuration, SimTime};

/// A whole scenario: a catalog of contents (one or more), their audience, the origin, the
/// tracker and the protocol.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Human name (defaults to the file stem).
    pub name: String,
    /// Master seed from which every random stream derives.
    pub seed: u64,
    /// Hard stop of simulated time; the run also ends once no leecher is left and no
    /// arrival is pending.
    pub max_time: SimDuration,
    /// Width of one row of `timeseries.csv`.
    pub sample_interval: SimDuration,
    /// Check link caps and byte conservation after every re-share (slower; tests use it).
    pub check_invariants: bool,
    /// The files being distributed, at least one, in popularity rank order. Each has its
    /// own swarm (peers of different contents never connect); all share the origin, the
    /// tracker settings, the protocol and the audience.
    pub contents: Vec<ContentSpec>,
    /// Network-wide properties.
    pub network: NetworkSpec,
    /// The HTTP origin (web seed).
    pub origin: OriginSpec,
    /// The central tracker.
    pub tracker: TrackerSpec,
    /// BitTorrent protocol parameters.
    pub protocol: ProtocolSpec,
    /// Client behaviour: hybrid policy and seeding after completion.
    pub client: ClientSpec,
    /// Peers that hold a whole content at t = 0 and never leave.
    pub seeds: Vec<SeedGroup>,
    /// Access-link classes of arriving peers.
    pub classes: Vec<PeerClass>,
    /// Client adoption, uploading switched off, NAT.
    pub audience: AudienceSpec,
    /// Online/offline sessions of the users' machines; `None` = always online.
    pub sessions: Option<SessionSpec>,
    /// Where the scenario came from: not part of what is simulated (left out of the
    /// scenario hash), recorded in `summary.json` so a run can be reproduced.
    #[serde(skip)]
    pub provenance: Provenance,
}

/// Where a scenario came from: its file and the `--set` overrides applied to it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Provenance {
    /// The scenario file as the caller named it (empty for a text without a file).
    pub file: String,
    /// The overrides, in order, as `key.path=value` with the key path normalised
    /// (`classes[0].share`); the seed is not among them (it is the scenario's `seed`).
    pub overrides: Vec<String>,
}

impl Provenance {
    /// The command that reproduces a run of `scenario` with seed `seed`:
    /// `swarmsim run FILE --seed N --set K=V ...`, quoted for a POSIX shell.
    pub fn command(&self, seed: u64) -> String {
        let mut parts = vec![
            "swarmsim".to_string(),
            "run".to_string(),
            shell_quote(&self.file),
            "--seed".to_string(),
            seed.to_string(),
        ];
        for o in &self.overrides {
            // `classes[0].share` as `classes.0.share`: the same path, no shell quoting.
            let (key, value) = o.split_once('=').unwrap_or((o, ""));
            let key = key.replace('[', ".").replace(']', "");
            parts.push("--set".into());
            parts.push(shell_quote(&format!("{key}={value}")));
        }
        parts.join(" ")
    }
}

/// `s` quoted for a POSIX shell when it needs it.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:,=@%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

impl Scenario {
    /// Default master seed.
    pub const DEFAULT_SEED: u64 = 1;
    /// Default hard stop: 30 days.
    pub const DEFAULT_MAX_TIME: SimDuration = SimDuration::from_secs(30 * 86_400);
    /// Default width of one time-series row: 60 s.
    pub const DEFAULT_SAMPLE_INTERVAL: SimDuration = SimDuration::from_secs(60);

    /// The same scenario without P2P: every client downloads from the origin alone
    /// (every content's policy `http-only`), with the same audience, arrivals and seeds:
    /// the baseline a P2P rollout is compared with (`swarmsim run --baseline`).
    pub fn without_p2p(&self) -> Scenario {
        let mut s = self.clone();
        for c in &mut s.contents {
            c.policy = PolicySpec::plain(Policy::HttpOnly);
        }
        s
    }

    /// Expected number of arriving leechers over all contents.
    pub fn expected_arrivals(&self) -> f64 {
        self.contents
            .iter()
            .map(|c| super::arrivals::expected_count(&c.arrivals))
            .sum()
    }
}

/// One file of the catalog: its size, when it is published, how clients fetch it and who
/// asks for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContentSpec {
    /// Label used in reports (unique within the scenario).
    pub name: String,
    /// Total size in bytes.
    pub size_bytes: u64,
    /// Piece size in bytes (the last piece may be shorter).
    pub piece_size_bytes: u64,
    /// Publication instant: no download of it starts earlier; arrival windows are
    /// measured from it.
    pub release: SimTime,
    /// How its clients combine the origin and peers.
    pub policy: PolicySpec,
    /// When its leechers arrive (absolute instants, the release already added).
    pub arrivals: Arrivals,
    /// Its share of the catalog's demand when its arrivals were split from the scenario's
    /// `[arrivals]` (Zipf rank or stated share); `None` when it has a process of its own.
    pub demand_share: Option<f64>,
}

/// A hybrid policy with the parameters it takes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PolicySpec {
    /// Which policy.
    pub kind: Policy,
    /// `rate-target`: the download rate to sustain, bits/s (0 for other policies).
    pub rate_target_bps: u64,
    /// `http-first`: pieces fetched from the origin before P2P (0 = by time instead).
    pub http_first_pieces: u32,
    /// `http-first`: time spent on the origin alone before P2P (zero = by pieces instead).
    pub http_first_time: SimDuration,
}

impl PolicySpec {
    /// `kind` with no parameters (for `web-seed`, `peers-first`, `fallback`, `http-only`).
    pub fn plain(kind: Policy) -> PolicySpec {
        PolicySpec {
            kind,
            rate_target_bps: 0,
            http_first_pieces: 0,
            http_first_time: SimDuration::ZERO,
        }
    }
}

impl ContentSpec {
    /// Default piece size: 256 KiB, a common BitTorrent choice for files of a few hundred MB.
    pub const DEFAULT_PIECE_SIZE_BYTES: u64 = 256 * 1024;

    /// Number of pieces, the last one possibly partial.
    pub fn piece_count(&self) -> u32 {
        self.size_bytes.div_ceil(self.piece_size_bytes) as u32
    }

    /// Size in bytes of piece `i`.
    pub fn piece_bytes(&self, i: u32) -> u64 {
        let start = i as u64 * self.piece_size_bytes;
        (self.size_bytes - start).min(self.piece_size_bytes)
    }
}

/// Network-wide properties.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkSpec {
    /// One-way latency between any two hosts; a request costs one round trip (2 × latency)
    /// before its bytes flow.
    pub latency: SimDuration,
    /// Flow completion instants are rounded up to a multiple of this (default 1 µs, the
    /// engine's resolution: no rounding). Completions that fall in the same quantum are
    /// handled together, with one re-share; each flow ends at most one quantum late and its
    /// link stays reserved for that moment. Traffic accounting does not depend on it: bytes
    /// are recorded when they move (see `metrics`). At most a tenth of the fastest piece
    /// transfer (checked when the scenario is loaded).
    pub time_quantum: SimDuration,
    /// 0 = exact max-min fair sharing. A fraction ε > 0 lets a re-share stop spreading where
    /// rates would move by less than ε: every flow then has a link that is full to within ε
    /// on which no flow is more than (1 + ε) times faster (an ε-max-min fair allocation),
    /// which keeps re-shares local in large, tightly coupled swarms.
    pub fairness_tolerance: f64,
}

impl Default for NetworkSpec {
    /// 25 ms one-way latency; completions on the engine's own 1 µs grid (no rounding);
    /// max-min fair to within 0.1%.
    fn default() -> Self {
        NetworkSpec {
            latency: SimDuration::from_millis(25),
            time_quantum: SimDuration(1),
            fairness_tolerance: 0.001,
        }
    }
}

/// The HTTP origin / CDN that clients fetch pieces from with range requests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OriginSpec {
    /// Total egress capacity in bits/s, shared max-min fairly by all origin connections;
    /// 0 means there is no origin.
    pub capacity_bps: u64,
    /// Throughput cap of one HTTP connection in bits/s (`None`: no cap).
    pub per_connection_bps: Option<u64>,
    /// Concurrent range requests one client keeps open to the origin.
    pub requests_per_client: u32,
    /// What origin traffic costs.
    pub pricing: Pricing,
}

impl Default for OriginSpec {
    /// No origin (capacity 0); an `[origin]` table that leaves them out gets the other
    /// values: no per-connection cap, one range request per client, traffic not priced.
    fn default() -> Self {
        OriginSpec {
            capacity_bps: 0,
            per_connection_bps: None,
            requests_per_client: 1,
            pricing: Pricing::default(),
        }
    }
}

/// The origin's price list, in the scenario's currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pricing {
    /// ISO 4217 code of the currency every price and every amount of the bill is in
    /// (`"USD"`, `"EUR"`, `"JPY"`).
    pub currency: String,
    /// Volume tiers, by ascending upper bound; each prices the gigabytes (10^9 bytes)
    /// that fall in it (marginal pricing, as CDN price lists do). Empty = volume is free.
    pub tiers: Vec<PriceTier>,
    /// 95th-percentile billing: price per Mbps of the month's 95th-percentile 5-minute
    /// origin rate, per 30 days (prorated to the simulated duration). 0 = none.
    pub per_mbps_month: f64,
}

impl Pricing {
    /// Default currency: CDN price lists are most often in US dollars.
    pub const DEFAULT_CURRENCY: &'static str = "USD";
}

impl Default for Pricing {
    fn default() -> Pricing {
        Pricing {
            currency: Pricing::DEFAULT_CURRENCY.to_string(),
            tiers: Vec::new(),
            per_mbps_month: 0.0,
        }
    }
}

/// One volume tier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceTier {
    /// Upper bound of the tier in bytes of origin traffic (`u64::MAX` for the last).
    pub up_to_bytes: u64,
    /// Price per GB (10^9 bytes) inside the tier.
    pub per_gb: f64,
}

/// The central tracker.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackerSpec {
    /// Peers returned per announce (a uniform random subset of the swarm).
    pub numwant: u32,
    /// Period of regular announces.
    pub announce_interval: SimDuration,
}

impl Default for TrackerSpec {
    /// 50 peers per announce (the mainline client's `numwant`), an announce every 30 min.
    fn default() -> Self {
        TrackerSpec {
            numwant: 50,
            announce_interval: SimDuration::from_secs(1_800),
        }
    }
}

/// BitTorrent protocol parameters (BEP 3 and the mainline client's defaults).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProtocolSpec {
    /// Regular unchoke slots (tit-for-tat for leechers; for seeds see [`SeedChoking`]).
    pub upload_slots: u32,
    /// Additional optimistic-unchoke slots.
    pub optimistic_slots: u32,
    /// Period of the choke/unchoke decision.
    pub rechoke_interval: SimDuration,
    /// Period after which the optimistic unchoke moves to another peer.
    pub optimistic_interval: SimDuration,
    /// Most connections one peer keeps.
    pub max_connections: u32,
    /// Below this many connections a peer re-announces early to refill its peer set.
    pub min_peers: u32,
    /// A peer with fewer pieces than this picks pieces at random rather than rarest-first.
    pub random_first_pieces: u32,
    /// Endgame mode: request the last in-flight pieces from several peers at once.
    pub endgame: bool,
    /// How seeds choose whom to unchoke (leechers always use tit-for-tat).
    pub seed_choking: SeedChoking,
}

impl Default for ProtocolSpec {
    /// Mainline BitTorrent: 4 regular and 1 optimistic unchoke slots, a rechoke every 10 s
    /// and an optimistic rotation every 30 s; at most 80 connections, an early re-announce
    /// below 20; 4 pieces at random before rarest-first; endgame on; mainline seed choking.
    fn default() -> Self {
        ProtocolSpec {
            upload_slots: 4,
            optimistic_slots: 1,
            rechoke_interval: SimDuration::from_secs(10),
            optimistic_interval: SimDuration::from_secs(30),
            max_connections: 80,
            min_peers: 20,
            random_first_pieces: 4,
            endgame: true,
            seed_choking: SeedChoking::default(),
        }
    }
}

/// The seed-state choke algorithm (see `sim/swarm.rs` for each one's source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SeedChoking {
    /// BitTorrent mainline 4.x (the default; `Choker._rechoke_seed`; Legout et al., IMC
    /// 2006): keep the most recently unchoked peers, unchoke a new one in two rechoke
    /// periods out of three.
    #[default]
    Mainline,
    /// libtorrent's `round_robin`: keep an unchoked peer until it got 20 pieces and one
    /// minute, then unchoke the one that waited longest.
    RoundRobin,
    /// libtorrent's `fastest_upload`: unchoke the peers the seed uploads to fastest.
    FastestUpload,
}

impl SeedChoking {
    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            SeedChoking::Mainline => "mainline",
            SeedChoking::RoundRobin => "round-robin",
            SeedChoking::FastestUpload => "fastest-upload",
        }
    }
}

/// How a client combines the origin and peers (the hybrid policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// BEP 19 web seeding (the default): the origin is a permanently unchoked seed that
    /// holds every piece. The client keeps its origin connections busy and gives the origin
    /// a piece whenever peers cannot deliver one sooner (an estimate from the rates the
    /// client's connections get); in the endgame the origin may take over part of the
    /// slowest outstanding piece. See `sim/origin.rs`.
    #[default]
    WebSeed,
    /// The strict rule: the origin serves only pieces that no peer currently unchoking the
    /// client holds, and with `ClientSpec::peer_wait` also the pieces those peers cannot
    /// deliver within that wait (this simulator's `web-seed` before issue 7).
    PeersFirst,
    /// The origin only for pieces that no neighbour at all holds: P2P first, the origin
    /// as a last resort.
    Fallback,
    /// Keep the download rate at or above `PolicySpec::rate_target_bps`: the client asks
    /// the origin for the shortfall between the target and what peers gave over the last
    /// rechoke period (BitTorrent DNA's per-object QoS setting).
    RateTarget,
    /// Fast start: the first `http_first_pieces` pieces, or the first `http_first_time`,
    /// come from the origin alone, in order; then the client behaves as `Fallback`.
    HttpFirst,
    /// Origin only: no tracker, no peers (the baseline, offload 0).
    HttpOnly,
}

/// How long a peer stays as a seed after completing (also the law of session lengths).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeedTime {
    /// Exactly this long (zero = leave on completion).
    Fixed(SimDuration),
    /// Exponentially distributed with this mean.
    Exponential(SimDuration),
    /// Drawn uniformly from these observed values (an empirical distribution).
    Empirical(Vec<SimDuration>),
    /// Never leaves.
    Forever,
}

/// Client behaviour common to every content (the hybrid policy is per content:
/// [`ContentSpec::policy`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientSpec {
    /// Seeding after completion.
    pub seed_time: SeedTime,
    /// Upload cap of a completed client serving in the background, bits/s (`None`: its
    /// access cap).
    pub seed_upload_bps: Option<u64>,
    /// θ: rate at which a waiting user abandons an unfinished download, per second spent
    /// waiting for it (exponential patience; 0 = never). Patience runs only while the
    /// download is in progress with the machine on: a user does not give up on a download
    /// while the machine is off. An abandoned download's bytes are wasted unless a restart
    /// resumes them.
    pub abort_rate_per_s: f64,
    /// Share of the users who abandon a download that come back and start it again
    /// (in [0, 1]; 0 = nobody restarts). A restart is the same user and machine.
    pub restart_share: f64,
    /// Time from abandoning to restarting (drawn per restart; never `Forever`).
    pub restart_after: SeedTime,
    /// A restart resumes from the pieces the abandoned attempt completed (a client that
    /// keeps its cache); `false`: it starts over, the abandoned bytes are wasted (a browser
    /// download cancelled and clicked again).
    pub restart_resumes: bool,
    /// `peers-first`: how long a client is prepared to wait for pieces from the peers that
    /// unchoke it. Each such peer delivers about `wait × its upload share / piece size`
    /// pieces in that time (its upload cap over the peers it unchokes); when the missing
    /// pieces they hold outnumber that, the client also asks the origin for them (the
    /// rarest first), so the origin and slow peers work at once. `None` ("forever", the
    /// default): the origin only sends pieces that no unchoking peer holds. Only
    /// `peers-first` reads it (`web-seed` decides from measured rates instead).
    pub peer_wait: Option<SimDuration>,
}

impl Default for ClientSpec {
    /// Leave on completion, seed at the access cap, never abandon; abandoning users (if
    /// `abort_rate` is set) never restart, and would come back after exp(1 day), starting
    /// over; `peers-first` waits forever.
    fn default() -> Self {
        ClientSpec {
            seed_time: SeedTime::Fixed(SimDuration::ZERO),
            seed_upload_bps: None,
            abort_rate_per_s: 0.0,
            restart_share: 0.0,
            restart_after: SeedTime::Exponential(SimDuration::from_secs(86_400)),
            restart_resumes: false,
            peer_wait: None,
        }
    }
}

/// A group of initial seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedGroup {
    /// Label used in reports.
    pub name: String,
    /// Index into [`Scenario::contents`] of the content they hold.
    pub content: u32,
    /// How many seeds of this kind.
    pub count: u32,
    /// Upload cap of each seed in bits/s.
    pub upload_bps: u64,
    /// BEP 16 super-seeding: each seed shows every neighbour one piece at a time.
    pub super_seeding: bool,
}

/// An access-link class of arriving peers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerClass {
    /// Label used in reports ("ftth", "adsl" ...).
    pub name: String,
    /// Share of arriving peers in this class; shares sum to 1.
    pub share: f64,
    /// Upload cap in bits/s.
    pub upload_bps: u64,
    /// Download cap in bits/s.
    pub download_bps: u64,
    /// Spread of access caps within the class: each peer's upload and download caps are
    /// the class values times e^(σ·Z), Z standard normal, one draw per peer (a line's
    /// quality moves both directions together), i.e. lognormal around the class value as
    /// median. 0 = every peer has exactly the class caps.
    pub cap_sigma: f64,
    /// The lognormal factor is clipped to [1/cap_clip, cap_clip]
    /// ([`PeerClass::DEFAULT_CAP_CLIP`] when the file leaves it out).
    pub cap_clip: f64,
    /// Machines of this class never switch off (set-top boxes, always-on PCs): `[sessions]`
    /// does not apply to them.
    pub always_on: bool,
}

impl PeerClass {
    /// Default clip of the lognormal cap spread: caps stay within ÷4 .. ×4 of the class value.
    pub const DEFAULT_CAP_CLIP: f64 = 4.0;
}

/// Machines are on for sessions and off in between. A download pauses while its machine
/// is off (bytes kept) and resumes when it is back; a completed client serves from its
/// cache, in the background, only while its machine is on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSpec {
    /// Length of an online period (`Forever`: never goes offline).
    pub online: SeedTime,
    /// Length of an offline period before the machine may come back.
    pub offline: SeedTime,
    /// Relative chance of coming back online in each local hour (00:00 first); `None` =
    /// uniform. A candidate return instant is kept with probability `w[hour] / max(w)`,
    /// else another offline period follows (thinning).
    pub diurnal: Option<Box<[f64; 24]>>,
    /// Offset of local time from UTC in hours; the simulation starts at 00:00 UTC.
    pub utc_offset_hours: f64,
}

/// Who the users are, beyond their access links.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AudienceSpec {
    /// Share of users who have the P2P client; the others download over HTTP alone from
    /// the origin (their bytes count as origin bytes).
    pub p2p_share: f64,
    /// Share of P2P users who switched uploading off (they download from peers, upload
    /// nothing).
    pub upload_off_share: f64,
    /// Share of users behind a NAT or firewall that refuses incoming connections; two such
    /// peers cannot connect to each other.
    pub nat_share: f64,
}

impl Default for AudienceSpec {
    /// Everybody has the P2P client, uploads and accepts incoming connections.
    fn default() -> Self {
        AudienceSpec {
            p2p_share: 1.0,
            upload_off_share: 0.0,
            nat_share: 0.0,
        }
    }
}
