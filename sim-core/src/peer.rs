//! Per-peer state: what a peer holds, whom it is connected to, and what it has sent.
//!
//! Peers are stored in a `Vec` indexed by [`PeerId`], content by content: each content's
//! initial seeds, then its leechers in arrival order (so one content's peers have
//! consecutive ids). Per-piece structures (have, started, availability) are
//! allocated at arrival and released when no longer needed.

use std::collections::BTreeMap;

use crate::bitset::BitSet;
use crate::network::FlowId;
use crate::pick::Rarity;
use crate::rng::StreamRng;
use crate::time::{SimDuration, SimTime};

/// Index of a peer in the simulation.
pub type PeerId = u32;

/// Life cycle of a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerState {
    /// Not yet arrived.
    Future,
    /// Downloading.
    Leeching,
    /// Holds the whole file and uploads.
    Seeding,
    /// Left the swarm.
    Departed,
}

/// How one side of a connection unchokes the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchoke {
    /// Choked: no upload to this neighbour.
    Choked,
    /// One of the regular (tit-for-tat or round-robin) slots.
    Regular,
    /// The optimistic slot.
    Optimistic,
}

/// One side of a connection, as seen from the peer that owns it.
#[derive(Debug, Clone)]
pub struct Conn {
    /// The neighbour.
    pub peer: PeerId,
    /// Index of the mirror entry in the neighbour's connection list.
    pub rev: u32,
    /// How I unchoke the neighbour.
    pub my_unchoke: Unchoke,
    /// True when the neighbour chokes me.
    pub they_choke: bool,
    /// Pieces the neighbour has that I lack (I am interested while > 0).
    pub lacking: u32,
    /// The neighbour is a seed that shows every piece (not super-seeding): it counts in
    /// no availability and a HAVE changes nothing on its side but interest, so sending it
    /// one need not read its state.
    pub plain_seed: bool,
    /// The flow bringing me a piece from the neighbour, if any.
    pub down_flow: Option<FlowId>,
    /// Bytes I received from the neighbour in the current rechoke period (tit-for-tat).
    pub recv_window_bytes: u64,
    /// When I last unchoked the neighbour (the seed chokers' rotation).
    pub last_unchoked: SimTime,
    /// Bytes I sent the neighbour since I last unchoked it (libtorrent's seeding quota).
    pub sent_since_unchoke_bytes: u64,
}

/// What a BEP 16 super-seed has shown one neighbour.
#[derive(Debug, Clone)]
pub struct Shown {
    /// Pieces announced to the neighbour (HAVE sent): all it may request from the seed.
    pub pieces: BitSet,
    /// The piece the neighbour was last offered, until the seed sees it on another peer.
    pub offer: Option<u32>,
}

/// State of a seed in BEP 16 super-seed mode.
#[derive(Debug, Clone, Default)]
pub struct SuperSeed {
    /// What each connected neighbour has been shown, by neighbour id.
    pub shown: BTreeMap<PeerId, Shown>,
}

/// Everything the simulator tracks for one peer.
#[derive(Debug, Clone)]
pub struct Peer {
    /// Index into the scenario's classes; [`Peer::SEED_CLASS`] for initial seeds.
    pub class: u16,
    /// Index into the scenario's contents: the one this peer downloads or holds.
    pub content: u32,
    /// Life-cycle state.
    pub state: PeerState,
    /// Upload cap, bits/s.
    pub up_bps: f64,
    /// Download cap, bits/s.
    pub down_bps: f64,
    /// Pieces held.
    pub have: BitSet,
    /// Number of pieces held.
    pub have_count: u32,
    /// Pieces being fetched or partially fetched (in flight or in `partial`).
    pub started: BitSet,
    /// Number of pieces in `started`.
    pub started_count: u32,
    /// For each piece, how many neighbours show it (rarest-first), with the wanted pieces
    /// indexed by it for large files; empty unless leeching.
    pub avail: Rarity,
    /// Partially received pieces with no flow: (piece, bytes already received).
    pub partial: Vec<(u32, u64)>,
    /// Connections.
    pub conns: Vec<Conn>,
    /// Flows from the origin to this peer.
    pub origin_flows: Vec<u32>,
    /// Rate received from peers over the last rechoke period, bits/s.
    pub peer_rate_bps: f64,
    /// Rate of this peer's last origin flow when it ended, bits/s (0 = none yet): the
    /// `web-seed` estimate of what the origin gives while no origin flow is open.
    pub origin_rate_bps: f64,
    /// Regular unchoke slots in use.
    pub regular_unchoked: u32,
    /// Connections unchoked optimistically (kept with `regular_unchoked`, so the uploader's
    /// slot count is read without scanning its connections).
    pub optimistic_unchoked: u32,
    /// Rechoke rounds done (the optimistic unchoke rotates every few rounds).
    pub rechoke_round: u32,
    /// Mainline seed choker: unchokes made between two rechokes (they count against the
    /// next rechoke's new unchokes).
    pub unchokes_since_last: u32,
    /// BEP 16 super-seeding state; `None` for every other peer.
    pub super_seed: Option<Box<SuperSeed>>,
    /// An early re-announce is scheduled.
    pub announce_pending: bool,
    /// Time of the last announce.
    pub last_announce: SimTime,
    /// Arrival time.
    pub arrival: SimTime,
    /// Completion time, or [`SimTime::NEVER`].
    pub completion: SimTime,
    /// Bytes received from the origin.
    pub down_origin_bytes: u64,
    /// Bytes received from peers.
    pub down_peer_bytes: u64,
    /// Bytes uploaded to peers.
    pub up_bytes: u64,
    /// Bytes received but thrown away (endgame duplicates, abandoned partial pieces).
    pub wasted_bytes: u64,
    /// This peer's own random stream (its client's protocol choices).
    pub rng: StreamRng,
    /// The stream of its machine's online/offline periods.
    pub session_rng: StreamRng,
    /// How long it seeds after completing (`None`: forever), drawn on arrival.
    pub seeding_time: Option<SimDuration>,
    /// The user's patience for the first attempt: waiting time (download in progress,
    /// machine on) before giving up (`None`: never), drawn on arrival.
    pub abandon_after: Option<SimDuration>,
    /// The stream of the user's later decisions about giving up: whether to restart, when,
    /// and the patience of each restarted attempt.
    pub abort_rng: StreamRng,
    /// Has the P2P client (else downloads over HTTP alone).
    pub p2p: bool,
    /// Behind a NAT or firewall: accepts no incoming connection.
    pub nat: bool,
    /// The peer's machine is on (always, without `[sessions]`).
    pub online: bool,
    /// The user abandoned the download (and has not restarted it since).
    pub aborted: bool,
    /// Start of the current download attempt (the arrival, or the last restart).
    pub attempt_start: SimTime,
    /// Times the user restarted an abandoned download.
    pub restarts: u32,
    /// What is left of the user's patience: waiting time before giving up (`None`: never
    /// gives up). It runs only while the download is in progress with the machine on.
    pub patience: Option<SimDuration>,
    /// Since when the patience has been running (the machine was last switched on or the
    /// attempt started).
    pub waiting_since: SimTime,
    /// When the user gives up if nothing changes (`None` while not waiting);
    /// an `Abandon` event for another instant is stale.
    pub abandon_at: Option<SimTime>,
    /// A chain of session events (machine off / on) is scheduled.
    pub session_alive: bool,
    /// Pieces an abandoned download keeps for a restart that resumes.
    pub kept: Option<BitSet>,
    /// A chain of periodic rechoke events is scheduled (or sleeping: `rechoke_asleep`).
    pub rechoke_alive: bool,
    /// The chain of a seed that nobody wants anything from sleeps: its ticks would do
    /// nothing, so none is queued; this is the instant of the next one (the chain's phase).
    /// The first interest (or the machine switching off) wakes it (`choking.rs`).
    pub rechoke_asleep: Option<SimTime>,
    /// A chain of periodic announces is scheduled.
    pub announce_alive: bool,
}

impl Peer {
    /// Class marker of initial seeds.
    pub const SEED_CLASS: u16 = u16::MAX;

    /// A peer that has not arrived yet.
    pub fn new(class: u16, up_bps: f64, down_bps: f64, arrival: SimTime, rng: StreamRng) -> Peer {
        Peer {
            class,
            content: 0,
            state: PeerState::Future,
            up_bps,
            down_bps,
            have: BitSet::default(),
            have_count: 0,
            started: BitSet::default(),
            started_count: 0,
            avail: Rarity::default(),
            partial: Vec::new(),
            conns: Vec::new(),
            origin_flows: Vec::new(),
            peer_rate_bps: 0.0,
            origin_rate_bps: 0.0,
            regular_unchoked: 0,
            optimistic_unchoked: 0,
            rechoke_round: 0,
            unchokes_since_last: 0,
            super_seed: None,
            announce_pending: false,
            last_announce: SimTime::ZERO,
            arrival,
            completion: SimTime::NEVER,
            down_origin_bytes: 0,
            down_peer_bytes: 0,
            up_bytes: 0,
            wasted_bytes: 0,
            session_rng: rng.clone(),
            abort_rng: rng.clone(),
            rng,
            seeding_time: Some(SimDuration::ZERO),
            abandon_after: None,

            p2p: true,
            nat: false,
            online: true,
            aborted: false,
            attempt_start: arrival,
            restarts: 0,
            patience: None,
            waiting_since: arrival,
            abandon_at: None,
            session_alive: false,
            kept: None,
            rechoke_alive: false,
            rechoke_asleep: None,
            announce_alive: false,
        }
    }

    /// True while the peer is in the swarm (leeching or seeding).
    pub fn is_active(&self) -> bool {
        matches!(self.state, PeerState::Leeching | PeerState::Seeding)
    }

    /// The pieces this peer shows neighbour `d` (its bitfield and HAVEs), as bitset words:
    /// all it holds, or for a super-seed only what it has shown `d` (empty if nothing).
    pub fn shown_words(&self, d: PeerId) -> &[u64] {
        match &self.super_seed {
            None => self.have.words(),
            Some(ss) => ss.shown.get(&d).map_or(&[], |s| s.pieces.words()),
        }
    }

    /// Does this peer show neighbour `d` that it holds `piece`? (See [`Peer::shown_words`].)
    pub fn shows(&self, d: PeerId, piece: u32) -> bool {
        match &self.super_seed {
            None => self.have.contains(piece),
            Some(ss) => ss.shown.get(&d).is_some_and(|s| s.pieces.contains(piece)),
        }
    }

    /// Index of the connection to `q`, if any.
    pub fn conn_to(&self, q: PeerId) -> Option<usize> {
        self.conns.iter().position(|c| c.peer == q)
    }
}
