//! Flows: one transfer of (part of) a piece, from its request to its last byte.
//!
//! A flow is requested ([`Simulation::request_flow`]), starts one round trip later (or at
//! once when pipelined), joins the [`Network`](crate::network::Network) between the
//! sender's link and the receiver's download link ([`Links`]), and ends when its deadline
//! in the timer heap comes due (`Event::FlowDone`) or when it is cancelled. Bytes are
//! counted exactly: a flow's progress is brought up to date whenever its rate changes,
//! and the whole bytes it moved are recorded at the time they moved
//! ([`crate::metrics::Recorder::record`]). Endgame (BEP 3): the outstanding blocks of a
//! piece may be split between sources, none fetched twice.

use super::{Event, Links, Simulation, Source};
use crate::peer::{PeerId, PeerState};
use crate::scenario::Policy;
use crate::time::{SimDuration, SimTime};

/// Where a flow slot is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlowState {
    /// Unused: on the free list, ready for the next request.
    Free,
    /// Requested: its bytes start after a round trip (`Event::FlowStart`).
    Pending,
    /// In the network, carrying bytes at its max-min rate.
    Active,
}

/// One transfer of (the rest of) a piece.
#[derive(Debug, Clone)]
pub(crate) struct Flow {
    /// Who sends the bytes.
    pub src: Source,
    pub dst: PeerId,
    /// The receiver's content (kept here so that re-timing a flow never reads the peer).
    pub content: u32,
    pub piece: u32,
    /// Bytes of the piece the receiver already had when this flow was requested.
    pub offset: u64,
    /// Bytes this flow carries.
    pub bytes: u64,
    /// Bytes carried up to `last` (exact progress of the fluid transfer).
    pub done: f64,
    /// Of those, whole bytes already recorded in the traffic figures (at most
    /// `bytes - 1` until the flow completes, when the rest is recorded).
    pub recorded: u64,
    /// Current rate, bits/s.
    pub rate: f64,
    pub last: SimTime,
    pub state: FlowState,
    pub gen: u32,
    /// Per-flow rate cap, bits/s (origin connections; infinite for peer flows).
    pub cap_bps: f64,
}

impl Simulation {
    /// Request (the rest of) `piece` from `src` for `dst`; the bytes
    /// start flowing one round trip later.
    /// `pipelined`: the request was sent while the previous piece from the same peer was
    /// still arriving (BitTorrent keeps block requests queued), so the bytes follow at once.
    pub(crate) fn request_flow(
        &mut self,
        src: Source,
        dst: PeerId,
        piece: u32,
        offset: u64,
        pipelined: bool,
    ) -> u32 {
        let bytes = self.content_of(dst).piece_bytes(piece) - offset;
        self.request_bytes(src, dst, piece, offset, bytes, pipelined)
    }

    /// Request `bytes` of `piece` from `src` for `dst`, `offset` bytes of it being held
    /// already (or carried by sibling flows).
    pub(super) fn request_bytes(
        &mut self,
        src: Source,
        dst: PeerId,
        piece: u32,
        offset: u64,
        bytes: u64,
        pipelined: bool,
    ) -> u32 {
        let flow = Flow {
            src,
            dst,
            content: self.peers[dst as usize].content,
            piece,
            offset,
            bytes,
            done: 0.0,
            recorded: 0,
            rate: 0.0,
            last: self.now,
            state: FlowState::Pending,
            gen: 0,
            cap_bps: f64::INFINITY,
        };
        let id = match self.free_flows.pop() {
            Some(id) => {
                let gen = self.flows[id as usize].gen;
                self.flows[id as usize] = Flow { gen, ..flow };
                id
            }
            None => {
                self.flows.push(flow);
                (self.flows.len() - 1) as u32
            }
        };
        let gen = self.flows[id as usize].gen;
        if pipelined {
            self.on_flow_start(id, gen);
        } else {
            self.queue
                .push(self.now.after(self.rtt), Event::FlowStart(id, gen));
        }
        id
    }

    pub(super) fn on_flow_start(&mut self, f: u32, gen: u32) {
        let fl = &mut self.flows[f as usize];
        if fl.gen != gen || fl.state != FlowState::Pending {
            return; // cancelled while the request was in flight
        }
        fl.state = FlowState::Active;
        fl.last = self.now;
        let (from, to) = (self.links.sender(fl.src), Links::down(fl.dst));
        self.net.add_flow(f, from, to, fl.cap_bps);
        if self.check_invariants {
            self.fresh_flows.push(f);
        }
    }

    fn release_flow(&mut self, f: u32) {
        let fl = &mut self.flows[f as usize];
        self.running_recorded_bytes[usize::from(fl.src != Source::Origin)] -= fl.recorded;
        fl.state = FlowState::Free;
        fl.gen = fl.gen.wrapping_add(1);
        self.free_flows.push(f);
    }

    /// Take an active flow out of the network; returns its rate.
    fn deactivate(&mut self, f: u32) -> f64 {
        let fl = &self.flows[f as usize];
        let rate = fl.rate;
        if fl.src == Source::Origin {
            let d = &mut self.peers[fl.dst as usize];
            if rate > 0.0 {
                d.origin_rate_bps = rate;
            }
            let c = d.content;
            self.metrics.add_origin_rate(c, -rate);
        }
        self.net.remove_flow(f);
        self.timers.remove(f);
        rate
    }

    /// Count `bytes` carried from `src` to `dst` on both sides.
    pub(crate) fn credit(&mut self, src: Source, dst: PeerId, bytes: u64) {
        if bytes == 0 {
            return;
        }
        match src {
            Source::Origin => {
                self.origin_up_bytes += bytes;
                self.peers[dst as usize].down_origin_bytes += bytes;
            }
            Source::Peer(src) => self.credit_peer(src, dst, bytes),
        }
    }

    /// Count `bytes` carried from peer `src` to `dst` on both sides.
    fn credit_peer(&mut self, src: PeerId, dst: PeerId, bytes: u64) {
        self.peer_up_bytes += bytes;
        self.peers[src as usize].up_bytes += bytes;
        let d = &mut self.peers[dst as usize];
        d.down_peer_bytes += bytes;
        if let Some(ci) = d.conn_to(src) {
            d.conns[ci].recv_window_bytes += bytes;
            let rev = d.conns[ci].rev as usize;
            self.peers[src as usize].conns[rev].sent_since_unchoke_bytes += bytes;
        }
    }

    fn detach_flow(&mut self, f: u32) {
        let (src, dst) = (self.flows[f as usize].src, self.flows[f as usize].dst);
        let d = &mut self.peers[dst as usize];
        match src {
            Source::Origin => {
                if let Some(k) = d.origin_flows.iter().position(|&x| x == f) {
                    d.origin_flows.swap_remove(k);
                }
            }
            Source::Peer(src) => {
                if let Some(ci) = d.conn_to(src) {
                    if d.conns[ci].down_flow == Some(f) {
                        d.conns[ci].down_flow = None;
                    }
                }
            }
        }
    }

    pub(super) fn on_flow_done(&mut self, f: u32) {
        debug_assert_eq!(self.flows[f as usize].state, FlowState::Active);
        self.record_last_stretch(f);
        self.deactivate(f);
        let fl = self.flows[f as usize].clone();
        self.credit(fl.src, fl.dst, fl.bytes);
        self.detach_flow(f);
        self.release_flow(f);
        match self.sibling_flow(fl.dst, fl.piece, f) {
            // Endgame: the rest of the piece is still coming from elsewhere.
            Some(g) => self.flows[g as usize].offset += fl.offset + fl.bytes,
            None => {
                debug_assert_eq!(
                    fl.offset + fl.bytes,
                    self.content_of(fl.dst).piece_bytes(fl.piece)
                );
                self.complete_piece(fl.dst, fl.piece);
            }
        }
        if self.peers[fl.dst as usize].state == PeerState::Leeching {
            match fl.src {
                Source::Origin => self.try_origin(fl.dst),
                Source::Peer(src) => {
                    if let Some(ci) = self.peers[fl.dst as usize].conn_to(src) {
                        self.try_request(fl.dst, ci, true);
                    }
                    // `web-seed` looks at the origin again whenever the peers' side
                    // changes: an idle origin connection may now have a piece, or an
                    // endgame split.
                    if self.policy_of(fl.dst) == Policy::WebSeed {
                        self.try_origin(fl.dst);
                    }
                }
            }
        }
    }

    /// Round a completion instant up to the scenario's time quantum.
    fn quantize(&self, t: SimTime) -> SimTime {
        let q = self.time_quantum.0;
        if q <= 1 {
            return t; // the default: no rounding (and no division per re-timed flow)
        }
        SimTime(t.0.div_ceil(q).saturating_mul(q))
    }

    /// Bring an active flow's byte count up to now, and record the whole bytes it moved
    /// since its last rate change in the traffic figures, at the time they moved.
    pub(super) fn catch_up(&mut self, f: u32) {
        let now = self.now;
        let fl = &mut self.flows[f as usize];
        if fl.state != FlowState::Active {
            return;
        }
        let from = fl.last;
        fl.done += fl.rate * now.since(from).as_secs_f64() / 8.0;
        fl.last = now;
        // `as` truncates toward zero: the floor of a byte count that is never negative.
        let whole = (fl.done as u64).min(fl.bytes.saturating_sub(1));
        if whole > fl.recorded {
            let moved = whole - fl.recorded;
            fl.recorded = whole;
            self.running_recorded_bytes[usize::from(fl.src != Source::Origin)] += moved;
            let origin = self.origin_content(f);
            self.metrics.record(origin, from, now, moved);
        }
    }

    /// The flow's last byte arrived: record the bytes not yet recorded over the stretch
    /// from its last rate change to the instant the fluid transfer actually ended (the
    /// completion event may come later, rounded up to the time quantum).
    fn record_last_stretch(&mut self, f: u32) {
        let fl = &mut self.flows[f as usize];
        let left_bytes = fl.bytes - fl.recorded;
        let left_s = (fl.bytes as f64 - fl.done).max(0.0) * 8.0 / fl.rate.max(f64::MIN_POSITIVE);
        let ended = fl
            .last
            .after(SimDuration::from_secs_f64_ceil(left_s))
            .min(self.now);
        let from = fl.last.min(ended);
        fl.recorded = fl.bytes;
        self.running_recorded_bytes[usize::from(fl.src != Source::Origin)] += left_bytes;
        let origin = self.origin_content(f);
        self.metrics.record(origin, from, ended, left_bytes);
    }

    /// `Some(content)` for a flow from the origin, `None` for a peer's.
    fn origin_content(&self, f: u32) -> Option<u32> {
        let fl = &self.flows[f as usize];
        (fl.src == Source::Origin).then_some(fl.content)
    }

    /// Move an active flow's deadline after its byte count or rate changed.
    pub(super) fn retime(&mut self, f: u32) {
        let fl = &self.flows[f as usize];
        if fl.state == FlowState::Active && fl.rate > 0.0 {
            let left_bits = (fl.bytes as f64 - fl.done).max(0.0) * 8.0;
            let t = self.quantize(
                self.now
                    .after(SimDuration::from_secs_f64_ceil(left_bits / fl.rate)),
            );
            self.timers.set(f, t);
        }
    }

    /// Endgame (BEP 3): `d` has requested every missing piece, and `u` unchokes it. Rather
    /// than fetching a whole duplicate, `d` asks `u` for half of the blocks still
    /// outstanding in its largest in-flight piece that `u` holds, as a client requesting
    /// the remaining 16 KiB blocks from several peers does; no bytes are duplicated.
    pub(crate) fn endgame_split(&mut self, d: PeerId, u: PeerId) -> Option<u32> {
        const BLOCK: f64 = 16.0 * 1024.0;
        let now = self.now;
        let mut best: Option<(f64, u32)> = None;
        let p = &self.peers[d as usize];
        for f in p
            .conns
            .iter()
            .filter_map(|c| c.down_flow)
            .chain(p.origin_flows.iter().copied())
        {
            let fl = &self.flows[f as usize];
            if !self.peers[u as usize].shows(d, fl.piece) {
                continue;
            }
            let done = match fl.state {
                FlowState::Active => fl.done + fl.rate * now.since(fl.last).as_secs_f64() / 8.0,
                _ => 0.0,
            };
            let left = fl.bytes as f64 - done;
            if left >= 2.0 * BLOCK && best.is_none_or(|(b, g)| left > b || (left == b && f < g)) {
                best = Some((left, f));
            }
        }
        let (left, f) = best?;
        self.catch_up(f);
        let give = (left / 2.0).floor() as u64;
        let piece = self.flows[f as usize].piece;
        self.flows[f as usize].bytes -= give;
        self.retime(f);
        Some(self.request_bytes(Source::Peer(u), d, piece, 0, give, false))
    }

    /// Another flow (than `except`) bringing `piece` to `d`, if any (endgame siblings).
    fn sibling_flow(&self, d: PeerId, piece: u32, except: u32) -> Option<u32> {
        let p = &self.peers[d as usize];
        p.conns
            .iter()
            .filter_map(|c| c.down_flow)
            .chain(p.origin_flows.iter().copied())
            .find(|&g| g != except && self.flows[g as usize].piece == piece)
    }

    /// Stop flow `f` now. The bytes already carried are counted. If an endgame sibling
    /// still fetches the same piece, it takes over the bytes this flow did not carry;
    /// otherwise, if `keep_partial`, the receiver keeps what it has as a partial piece to
    /// resume from, else those bytes are wasted.
    pub(crate) fn cancel_flow(&mut self, f: u32, keep_partial: bool) {
        let mut carried = 0;
        if self.flows[f as usize].state == FlowState::Active {
            self.catch_up(f);
            carried = self.flows[f as usize].recorded;
            self.deactivate(f);
        }
        let fl = self.flows[f as usize].clone();
        self.credit(fl.src, fl.dst, carried);
        self.detach_flow(f);
        self.release_flow(f);
        let held = fl.offset + carried;
        let d = fl.dst;
        let leeching = self.peers[d as usize].state == PeerState::Leeching;
        if leeching && keep_partial && !self.peers[d as usize].have.contains(fl.piece) {
            if let Some(g) = self.sibling_flow(d, fl.piece, f) {
                self.catch_up(g);
                let sib = &mut self.flows[g as usize];
                sib.offset += held;
                sib.bytes += fl.bytes - carried;
                self.retime(g);
                return;
            }
        }
        let other = self.sibling_flow(d, fl.piece, f).is_some();
        let p = &mut self.peers[d as usize];
        if leeching && !p.have.contains(fl.piece) && !other {
            if keep_partial && held > 0 {
                p.partial.push((fl.piece, held));
            } else {
                p.wasted_bytes += held;
                if p.partial.iter().all(|&(x, _)| x != fl.piece) {
                    p.started.remove(fl.piece);
                    p.started_count -= 1;
                    p.avail.want(fl.piece);
                }
            }
            // The piece is back in the pool: an idle unchoking neighbour or the origin may
            // now serve it.
            self.reconsider(d);
        } else {
            p.wasted_bytes += held;
        }
    }

    /// Re-share bandwidth after this instant's events and move the affected deadlines.
    pub(super) fn reshare(&mut self) {
        if !self.net.needs_reshare() || self.violation.is_some() {
            return;
        }
        let mut changed = std::mem::take(&mut self.changed);
        changed.clear();
        self.net.reshare(&mut changed);
        self.max_component_flows = self.max_component_flows.max(self.net.last_component_flows);
        for &f in &changed {
            let mut new_rate = self.net.rate(f);
            if self.fault.is_some() {
                new_rate = self.inject_reshare_fault(f, new_rate);
            }
            self.catch_up(f);
            let fl = &mut self.flows[f as usize];
            let delta = new_rate - fl.rate;
            fl.rate = new_rate;
            if fl.src == Source::Origin {
                let c = fl.content;
                self.metrics.add_origin_rate(c, delta);
            }
            if new_rate > 0.0 {
                self.retime(f);
            } else {
                self.timers.remove(f);
            }
        }
        self.metrics.observe_peak();
        self.after_reshare(&changed);
        self.changed = changed;
    }
}
