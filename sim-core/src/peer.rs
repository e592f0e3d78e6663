//! Per-peer state: what a peer holds, whom it is connected to, and what it has sent.
//!
//! Peers are stored in a `Vec` indexed by [`PeerId`], content by content: each content's
//! initial seeds, then its leechers in arrival order (so one content's peers have
//! consecutive ids). Per-piece structures (have, started, availability) are
//! allocated at arrival and released when no longer needed.

use crate::bitset::BitSet;
use crate::rng::StreamRng;
use crate::time::SimTime;

/// Index of a peer in the simulation.
pub type PeerId = u32;
/// "No flow" marker in connection slots.
pub const NO_FLOW: u32 = u32::MAX;
/// "No peer" marker.
pub const NO_PEER: u32 = u32::MAX;

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
    /// The flow bringing me a piece from the neighbour, or [`NO_FLOW`].
    pub down_flow: u32,
    /// Bytes I received from the neighbour in the current rechoke period (tit-for-tat).
    pub recv_window_bytes: u64,
    /// When I last unchoked the neighbour (seeds' round-robin).
    pub last_unchoked: SimTime,
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
    /// For each piece, how many neighbours hold it (rarest-first); empty unless leeching.
    pub avail: Vec<u16>,
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
    /// Rechoke rounds done (the optimistic unchoke rotates every few rounds).
    pub rechoke_round: u32,
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
    /// This peer's own random stream.
    pub rng: StreamRng,
    /// Has the P2P client (else downloads over HTTP alone).
    pub p2p: bool,
    /// Behind a NAT or firewall: accepts no incoming connection.
    pub nat: bool,
    /// The peer's machine is on (always, without `[sessions]`).
    pub online: bool,
    /// The user abandoned the download.
    pub aborted: bool,
    /// A chain of periodic rechoke events is scheduled.
    pub rechoke_alive: bool,
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
            avail: Vec::new(),
            partial: Vec::new(),
            conns: Vec::new(),
            origin_flows: Vec::new(),
            peer_rate_bps: 0.0,
            origin_rate_bps: 0.0,
            regular_unchoked: 0,
            rechoke_round: 0,
            announce_pending: false,
            last_announce: SimTime::ZERO,
            arrival,
            completion: SimTime::NEVER,
            down_origin_bytes: 0,
            down_peer_bytes: 0,
            up_bytes: 0,
            wasted_bytes: 0,
            rng,
            p2p: true,
            nat: false,
            online: true,
            aborted: false,
            rechoke_alive: false,
            announce_alive: false,
        }
    }

    /// True while the peer is in the swarm (leeching or seeding).
    pub fn is_active(&self) -> bool {
        matches!(self.state, PeerState::Leeching | PeerState::Seeding)
    }

    /// Index of the connection to `q`, if any.
    pub fn conn_to(&self, q: PeerId) -> Option<usize> {
        self.conns.iter().position(|c| c.peer == q)
    }
}
