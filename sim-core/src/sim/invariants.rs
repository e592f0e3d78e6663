//! Invariants checked while the run goes (`simulation.check_invariants`), and the
//! [`Violation`] that stops it.
//!
//! | check | when | what must hold |
//! |---|---|---|
//! | `link-cap` | after every re-share | no link carries more than its capacity |
//! | `stalled-flow` | after every re-share, for each flow whose rate changed or that just started | an active flow with bytes left has a rate above zero, unless a link it crosses (or its own cap) is zero |
//! | `accounting` | after every event and re-share | the time series and the billing samples each hold exactly the bytes recorded; recorded bytes = bytes credited to senders + bytes of flows still running, for the origin and for peers |
//! | `piece-count` | after every event, for the peers it involves | `have_count` = the pieces held ≤ the piece count; a seed holds every piece, a leecher not all; `started_count` = the pieces started (the piece sets are counted for every peer involved but a flow's sender, whose counts are checked against its state only) |
//! | `slot-count` | after every event, for the peers it involves | `regular_unchoked` and `optimistic_unchoked` = the connections the peer unchokes of each kind (the counters choking and the origin's estimates read instead of scanning) |
//! | `event-in-past` | always (even with checks off: the loop would never reach it) | no event is queued, and no flow deadline set, before the instant being dispatched |
//!
//! Every check is O(1) per event, or O(pieces / 64) for `piece-count`, O(connections) for
//! `slot-count` and O(flows changed)
//! after a re-share, except `link-cap` (a pass over the links, as before). The first
//! violation stops the run at once: the engine drops every pending event and deadline, so
//! the loop ends, and the run's output carries the violation
//! ([`crate::RunOutput::invariant_violations`], its [`Violation`]'s text): the simulated
//! time, the event being dispatched, the peers involved, the seed, and what failed.
//!
//! Tests prove each check fires by injecting a fault ([`Fault`], through the hidden
//! [`Simulation::inject_fault`]): `sim-core/tests/invariants.rs`.

use std::fmt;

use super::{Event, FlowState, Links, Simulation, Source};
use crate::peer::{PeerId, PeerState, Unchoke};
use crate::time::SimTime;

/// A broken invariant: where and when the run stopped, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Name of the check that failed: `link-cap`, `stalled-flow`, `accounting`,
    /// `piece-count` or `event-in-past`.
    pub check: &'static str,
    /// Simulated time of the failure.
    pub time: SimTime,
    /// The event being dispatched (or the last one, for a check after a re-share).
    pub event: String,
    /// Peers involved: the event's, and the flow's or the peer's the check names.
    pub peers: Vec<PeerId>,
    /// The run's seed (`swarmsim run FILE --seed N` reproduces the run).
    pub seed: u64,
    /// What failed, with the figures.
    pub detail: String,
}

impl Violation {
    /// The command that reproduces the run from scenario file `file`.
    pub fn reproduce(&self, file: &str) -> String {
        format!("swarmsim run {file} --seed {}", self.seed)
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let peers: Vec<String> = self.peers.iter().map(|p| p.to_string()).collect();
        write!(
            f,
            "invariant `{}` violated at t = {:.6} s ({} us), seed {}, event {}, peers [{}]: {}",
            self.check,
            self.time.as_secs_f64(),
            self.time.0,
            self.seed,
            self.event,
            peers.join(", "),
            self.detail
        )
    }
}

/// A fault the invariant tests inject to prove each check fires. Not part of the API.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Record one peer byte in the time series that no flow carried (`accounting`).
    PhantomByte,
    /// Queue an event one microsecond before now (`event-in-past`).
    PastEvent,
    /// Set an active flow's deadline one microsecond before now (`event-in-past`).
    PastDeadline,
    /// Count one piece more than a peer holds (`piece-count`).
    PieceCount,
    /// Count one optimistic unchoke more than a peer makes (`slot-count`).
    SlotCount,
    /// Give a flow whose rate changed a rate of zero (`stalled-flow`).
    StalledFlow,
    /// Halve a busy link's capacity behind the solver's back (`link-cap`).
    LinkCap,
}

/// The event being dispatched, with what it is about (kept for a violation's report).
#[derive(Debug, Clone, Copy)]
pub(super) struct Dispatched {
    pub event: Event,
    /// For a flow event: (sender, receiver, piece), read before the handler ran.
    pub flow: Option<(Source, PeerId, u32)>,
}

impl Dispatched {
    fn describe(&self) -> String {
        let src = |s: Source| match s {
            Source::Origin => "origin".to_string(),
            Source::Peer(p) => format!("peer {p}"),
        };
        match (self.event, self.flow) {
            (Event::FlowStart(f, _), Some((s, d, piece))) => {
                format!("FlowStart(flow {f}: {} -> peer {d}, piece {piece})", src(s))
            }
            (Event::FlowDone(f), Some((s, d, piece))) => {
                format!("FlowDone(flow {f}: {} -> peer {d}, piece {piece})", src(s))
            }
            (ev, _) => format!("{ev:?}"),
        }
    }

    /// The peers the event is about.
    fn peers(&self, arrival_peer: &[PeerId]) -> Vec<PeerId> {
        match (self.event, self.flow) {
            (_, Some((Source::Peer(s), d, _))) => vec![s, d],
            (_, Some((Source::Origin, d, _))) => vec![d],
            (Event::Arrive(k), _) => arrival_peer.get(k as usize).copied().into_iter().collect(),
            (
                Event::Rechoke(p)
                | Event::Announce(p, _)
                | Event::Depart(p)
                | Event::StartPhaseEnd(p)
                | Event::GoOffline(p)
                | Event::GoOnline(p)
                | Event::Abandon(p)
                | Event::Restart(p),
                _,
            ) => vec![p],
            (Event::FlowStart(..) | Event::FlowDone(_), None) => Vec::new(),
        }
    }
}

/// Files of fewer pieces than this have their leechers' availability index checked
/// against their piece sets (an O(pieces) check) with the other piece checks.
const INDEX_CHECK_BELOW_PIECES: usize = 8192;

impl Simulation {
    /// Inject `fault` once `after_events` events have been dispatched (invariant tests only:
    /// the run must then stop with the matching violation).
    #[doc(hidden)]
    pub fn inject_fault(&mut self, fault: Fault, after_events: u64) {
        self.fault = Some((fault, after_events));
    }

    /// The event about to be dispatched: note it, and move the schedule's floor to now.
    pub(super) fn before_event(&mut self, ev: Event) {
        let flow = match ev {
            Event::FlowStart(f, _) | Event::FlowDone(f) => {
                let fl = &self.flows[f as usize];
                Some((fl.src, fl.dst, fl.piece))
            }
            _ => None,
        };
        self.dispatching = Some(Dispatched { event: ev, flow });
        self.queue.set_floor(self.now);
        self.timers.set_floor(self.now);
    }

    /// The checks after an event was handled.
    pub(super) fn after_event(&mut self) {
        self.inject_event_fault();
        self.check_schedule();
        if !self.check_invariants || self.violation.is_some() {
            return;
        }
        if let Err(e) = self.check_accounting() {
            return self.violate("accounting", Vec::new(), e);
        }
        // The sender of a flow event holds what it held: its counts are checked against
        // its state only (O(1)); every other peer involved, against its piece sets too.
        let sender = match self.dispatching.and_then(|d| d.flow) {
            Some((Source::Peer(s), _, _)) => Some(s),
            _ => None,
        };
        for p in self.involved() {
            if let Err(e) = self.check_pieces(p, Some(p) != sender) {
                return self.violate("piece-count", vec![p], e);
            }
            if let Err(e) = self.check_slots(p) {
                return self.violate("slot-count", vec![p], e);
            }
        }
    }

    /// The checks after a re-share: `changed` are the flows whose rate changed.
    pub(super) fn after_reshare(&mut self, changed: &[u32]) {
        self.check_schedule();
        if !self.check_invariants || self.violation.is_some() {
            return;
        }
        if let Err(e) = self.net.check_caps(1e-9) {
            return self.violate("link-cap", Vec::new(), e);
        }
        let fresh = std::mem::take(&mut self.fresh_flows);
        for &f in changed.iter().chain(&fresh) {
            if let Err((peers, e)) = self.check_flow_moves(f) {
                self.fresh_flows = fresh;
                return self.violate("stalled-flow", peers, e);
            }
        }
        self.fresh_flows = fresh;
        self.fresh_flows.clear();
        if let Err(e) = self.check_accounting() {
            self.violate("accounting", Vec::new(), e);
        }
    }

    /// Anything scheduled before now stops the run, checks on or off: the loop would
    /// never reach it (an event) or would run time backwards (a deadline).
    fn check_schedule(&mut self) {
        if self.violation.is_some() {
            return;
        }
        if let Some((at, floor)) = self.queue.take_past() {
            return self.violate(
                "event-in-past",
                Vec::new(),
                format!(
                    "an event was queued at {} us, before now ({} us)",
                    at.0, floor.0
                ),
            );
        }
        if let Some((f, at, floor)) = self.timers.take_past() {
            let peers = self.flow_peers(f);
            self.violate(
                "event-in-past",
                peers,
                format!(
                    "flow {f}'s deadline was set at {} us, before now ({} us)",
                    at.0, floor.0
                ),
            );
        }
    }

    /// Recorded bytes = bytes credited to the senders + bytes of flows still running, and
    /// the time series and billing samples hold exactly what was recorded.
    fn check_accounting(&self) -> Result<(), String> {
        let t = &self.metrics.totals;
        t.check(self.contents.len() > 1)?;
        let origin = self.origin_up_bytes + self.running_recorded_bytes[0];
        if t.origin_bytes != origin {
            return Err(format!(
                "{} origin bytes recorded in the time series, but {} credited to the origin \
                 + {} carried by running flows = {origin}",
                t.origin_bytes, self.origin_up_bytes, self.running_recorded_bytes[0]
            ));
        }
        let peers = self.peer_up_bytes + self.running_recorded_bytes[1];
        if t.peer_bytes != peers {
            return Err(format!(
                "{} peer bytes recorded in the time series, but {} credited to uploaders \
                 + {} carried by running flows = {peers}",
                t.peer_bytes, self.peer_up_bytes, self.running_recorded_bytes[1]
            ));
        }
        Ok(())
    }

    /// One peer's piece counts agree with its state and, when `sets` (O(pieces / 64), and
    /// O(pieces) for a leecher of a file with an availability index of fewer than
    /// `INDEX_CHECK_BELOW_PIECES` pieces), with its piece sets.
    /// `slot-count`: the unchoke counters of `p` against its connections.
    fn check_slots(&self, p: PeerId) -> Result<(), String> {
        let peer = &self.peers[p as usize];
        let count = |kind| peer.conns.iter().filter(|c| c.my_unchoke == kind).count() as u32;
        let (regular, optimistic) = (count(Unchoke::Regular), count(Unchoke::Optimistic));
        if (peer.regular_unchoked, peer.optimistic_unchoked) != (regular, optimistic) {
            return Err(format!(
                "peer {p} counts {} regular and {} optimistic unchokes, makes {regular} and {optimistic}",
                peer.regular_unchoked, peer.optimistic_unchoked
            ));
        }
        Ok(())
    }

    fn check_pieces(&self, p: PeerId, sets: bool) -> Result<(), String> {
        let peer = &self.peers[p as usize];
        let pieces = self.pieces_of(p);
        let count = |b: &crate::bitset::BitSet, n: u32| if sets { b.count() } else { n };
        match peer.state {
            PeerState::Leeching => {
                let held = count(&peer.have, peer.have_count);
                if peer.have_count != held || held >= pieces {
                    return Err(format!(
                        "leecher {p} counts {} pieces, holds {held} of {pieces}",
                        peer.have_count
                    ));
                }
                let started = count(&peer.started, peer.started_count);
                if peer.started_count != started {
                    return Err(format!(
                        "leecher {p} counts {} pieces started, has {started}",
                        peer.started_count
                    ));
                }
                // The availability index (large files) holds exactly the wanted pieces,
                // each at its count's level: O(pieces), so checked only below
                // `INDEX_CHECK_BELOW_PIECES` (the unit tests of `pick.rs` cover the rest).
                if sets && peer.avail.len() < INDEX_CHECK_BELOW_PIECES {
                    let wanted = |i: u32| !peer.have.contains(i) && !peer.started.contains(i);
                    if let Err(e) = peer.avail.check(wanted) {
                        return Err(format!("leecher {p}'s availability index: {e}"));
                    }
                }
            }
            PeerState::Seeding => {
                let held = count(&peer.have, peer.have_count);
                if peer.have_count != pieces || held != pieces {
                    return Err(format!(
                        "seed {p} counts {} pieces, holds {held} of {pieces}",
                        peer.have_count
                    ));
                }
            }
            PeerState::Future | PeerState::Departed => {}
        }
        Ok(())
    }

    /// An active flow with bytes left moves (rate above zero, a deadline set), unless a
    /// link it crosses, or its own cap, is zero.
    fn check_flow_moves(&self, f: u32) -> Result<(), (Vec<PeerId>, String)> {
        let fl = &self.flows[f as usize];
        if fl.state != FlowState::Active || fl.done >= fl.bytes as f64 || fl.rate > 0.0 {
            return Ok(());
        }
        let from = self.links.sender(fl.src);
        let to = Links::down(fl.dst);
        let blocked =
            fl.cap_bps <= 0.0 || self.net.capacity(from) <= 0.0 || self.net.capacity(to) <= 0.0;
        if blocked {
            return Ok(());
        }
        Err((
            self.flow_peers(f),
            format!(
                "flow {f} (piece {}, {} of {} bytes left) has rate 0 though its links carry {} \
                 and {} bps",
                fl.piece,
                fl.bytes as f64 - fl.done,
                fl.bytes,
                self.net.capacity(from),
                self.net.capacity(to)
            ),
        ))
    }

    fn flow_peers(&self, f: u32) -> Vec<PeerId> {
        match self.flows.get(f as usize) {
            Some(fl) => match fl.src {
                Source::Peer(s) => vec![s, fl.dst],
                Source::Origin => vec![fl.dst],
            },
            None => Vec::new(),
        }
    }

    fn involved(&self) -> Vec<PeerId> {
        self.dispatching
            .map(|d| d.peers(&self.arrival_peer))
            .unwrap_or_default()
    }

    /// Stop the run with the first violation: every pending event and deadline is
    /// dropped, so the run loop ends at once.
    fn violate(&mut self, check: &'static str, extra: Vec<PeerId>, detail: String) {
        if self.violation.is_some() {
            return;
        }
        let mut peers = self.involved();
        for p in extra {
            if !peers.contains(&p) {
                peers.push(p);
            }
        }
        self.violation = Some(Violation {
            check,
            time: self.now,
            event: self
                .dispatching
                .map_or_else(|| "none (setup)".to_string(), |d| d.describe()),
            peers,
            seed: self.seed,
            detail,
        });
        self.queue.clear();
        self.timers.clear();
    }

    /// Apply an injected fault due after this event, if any.
    fn inject_event_fault(&mut self) {
        let Some((fault, after)) = self.fault else {
            return;
        };
        if self.events < after {
            return;
        }
        let now = self.now;
        let applied = match fault {
            Fault::PhantomByte => {
                self.metrics.record(None, now, now, 1);
                true
            }
            Fault::PastEvent if now.0 > 0 => {
                let p = self.involved().first().copied().unwrap_or(0);
                self.queue.push(SimTime(now.0 - 1), Event::Rechoke(p));
                true
            }
            Fault::PastDeadline if now.0 > 0 => {
                match (0..self.flows.len() as u32)
                    .find(|&f| self.flows[f as usize].state == FlowState::Active)
                {
                    Some(f) => {
                        self.timers.set(f, SimTime(now.0 - 1));
                        true
                    }
                    None => false,
                }
            }
            Fault::PieceCount => {
                match self
                    .involved()
                    .into_iter()
                    .find(|&p| self.peers[p as usize].state == PeerState::Leeching)
                {
                    Some(p) => {
                        self.peers[p as usize].have_count += 1;
                        true
                    }
                    None => false,
                }
            }
            Fault::SlotCount => match self.involved().first() {
                Some(&p) => {
                    self.peers[p as usize].optimistic_unchoked += 1;
                    true
                }
                None => false,
            },
            _ => false,
        };
        if applied {
            self.fault = None;
        }
    }

    /// The re-share faults: a rate forced to zero, a link cap cut under its flows. `rate`
    /// is the new rate of flow `f` (returned, possibly zeroed).
    pub(super) fn inject_reshare_fault(&mut self, f: u32, rate: f64) -> f64 {
        let Some((fault, after)) = self.fault else {
            return rate;
        };
        if self.events < after || rate <= 0.0 {
            return rate;
        }
        match fault {
            Fault::StalledFlow => {
                self.fault = None;
                0.0
            }
            Fault::LinkCap => {
                self.fault = None;
                let (from, _) = self.net.endpoints(f);
                let cap = self.net.capacity(from);
                let used: f64 = self
                    .net
                    .flows_on(from)
                    .iter()
                    .map(|&g| self.net.rate(g))
                    .sum();
                self.net.set_capacity(from, used.min(cap) / 2.0);
                rate
            }
            _ => rate,
        }
    }
}
