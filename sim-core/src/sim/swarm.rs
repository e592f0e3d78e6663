//! BitTorrent mechanics on top of the engine (BEP 3; Cohen, "Incentives build robustness
//! in BitTorrent", 2003; Legout et al., "Rarest first and choke algorithms are enough",
//! IMC 2006).
//!
//! - **Peer set**: a leecher announces on arrival, then every `announce_interval`, and early
//!   (at most once a minute) when it has fewer than `min_peers` connections; it connects to
//!   the returned peers while both sides are under `max_connections`. Leechers initiate
//!   connections; seeds accept them. Two seeds drop their connection (nothing to trade).
//! - **Piece selection**: strict priority to finish a partially received piece; random
//!   pieces while the peer holds fewer than `random_first_pieces`; then rarest-first over
//!   the neighbours' availability, ties broken at random; endgame (BEP 3): once every
//!   missing piece is requested, an unchoking neighbour with nothing to send takes over half
//!   of the blocks still outstanding in the largest in-flight piece it holds
//!   (`Simulation::endgame_split`), so no byte is fetched twice.
//! - **Choking**, leechers' and seeds': see `choking.rs`.
//! - **Super-seeding** (BEP 16, `[[seeds]] super_seeding`): see `superseed.rs`.
//! - **Requests**: one piece at a time per connection; the first request after an unchoke
//!   costs a round trip; later requests are pipelined behind the current piece (BitTorrent
//!   keeps several block requests outstanding), modelled as the next piece's bytes
//!   starting the instant the previous piece from the same peer completes.

use super::{Event, Links, Simulation, Source};
use crate::bitset::for_each_bit;
use crate::peer::{Conn, Peer, PeerId, PeerState, Unchoke};
use crate::pick::{LowestPick, Rarity};
use crate::rng::StreamRng;
use crate::scenario::Policy;
use crate::time::SimTime;

/// Two distinct elements of a slice, mutably.
pub(super) fn pair<T>(v: &mut [T], a: usize, b: usize) -> (&mut T, &mut T) {
    debug_assert_ne!(a, b);
    if a < b {
        let (x, y) = v.split_at_mut(b);
        (&mut x[a], &mut y[0])
    } else {
        let (x, y) = v.split_at_mut(a);
        (&mut y[0], &mut x[b])
    }
}

/// |a \ b| over bitset words.
fn count_and_not(a: &[u64], b: &[u64]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x & !y).count_ones()).sum()
}

/// One of the pieces in `shown` and in neither `have` nor `started`, uniformly at random
/// (one draw; two passes over the words).
fn uniform_in(shown: &[u64], have: &[u64], started: &[u64], rng: &mut StreamRng) -> Option<u32> {
    let cand = |w: usize| shown[w] & !have[w] & !started[w];
    let n: u64 = (0..shown.len()).map(|w| cand(w).count_ones() as u64).sum();
    if n == 0 {
        return None;
    }
    let mut r = rng.below(n) as u32;
    for w in 0..shown.len() {
        let mut c = cand(w);
        let k = c.count_ones();
        if r < k {
            for _ in 0..r {
                c &= c - 1;
            }
            return Some((w * 64) as u32 + c.trailing_zeros());
        }
        r -= k;
    }
    None
}

/// Count (`add`) or uncount the pieces `y` shows leecher `x` (id `xid`) in `x`'s
/// availability.
fn add_availability(x: &mut Peer, xid: PeerId, y: &Peer, add: bool) {
    if x.state != PeerState::Leeching {
        return;
    }
    x.avail.add_words(y.shown_words(xid), add, x.have.words());
}

impl Simulation {
    // ----- peer set ----------------------------------------------------------------------

    pub(super) fn connect_from_tracker(&mut self, p: PeerId) {
        let mut list = std::mem::take(&mut self.scratch_peers);
        let numwant = self.tracker_spec.numwant;
        self.tracker_of(p).sample(p, numwant, &mut list);
        let max = self.protocol.max_connections as usize;
        for &q in &list {
            if self.peers[p as usize].conns.len() >= max {
                break;
            }
            let qp = &self.peers[q as usize];
            if !qp.is_active() || qp.conns.len() >= max {
                continue;
            }
            if self.peers[p as usize].state == PeerState::Seeding && qp.state == PeerState::Seeding
            {
                continue;
            }
            if self.peers[p as usize].conn_to(q).is_some() {
                continue;
            }
            // Two peers behind NATs cannot reach each other.
            if self.peers[p as usize].nat && qp.nat {
                continue;
            }
            self.connect(p, q);
        }
        self.scratch_peers = list;
    }

    fn connect(&mut self, p: PeerId, q: PeerId) {
        let (a, b) = pair(&mut self.peers, p as usize, q as usize);
        let lack_a = if a.state == PeerState::Leeching {
            count_and_not(b.shown_words(p), a.have.words())
        } else {
            0
        };
        let lack_b = if b.state == PeerState::Leeching {
            count_and_not(a.shown_words(q), b.have.words())
        } else {
            0
        };
        add_availability(a, p, b, true);
        add_availability(b, q, a, true);
        let ia = a.conns.len() as u32;
        let ib = b.conns.len() as u32;
        let plain = |x: &Peer| x.state == PeerState::Seeding && x.super_seed.is_none();
        let (seed_a, seed_b) = (plain(a), plain(b));
        let fresh = |peer, rev, lacking, plain_seed| Conn {
            peer,
            rev,
            plain_seed,
            my_unchoke: Unchoke::Choked,
            they_choke: true,
            lacking,
            down_flow: None,
            recv_window_bytes: 0,
            last_unchoked: SimTime::ZERO,
            sent_since_unchoke_bytes: 0,
        };
        a.conns.push(fresh(q, ib, lack_a, seed_b));
        b.conns.push(fresh(p, ia, lack_b, seed_a));
        if lack_a > 0 {
            self.on_interested(q, ib as usize);
        }
        if lack_b > 0 {
            self.on_interested(p, ia as usize);
        }
        // A super-seed shows a new neighbour its first piece.
        if self.peers[q as usize].super_seed.is_some() {
            self.super_seed_connect(q, p);
        }
        if self.peers[p as usize].super_seed.is_some() {
            self.super_seed_connect(p, q);
        }
    }

    /// Close the connection between `p` and `q`, cancelling flows both ways (receivers keep
    /// partial pieces) and letting `q` refill its slots and peer set.
    pub(super) fn disconnect(&mut self, p: PeerId, q: PeerId) {
        let Some(ci) = self.peers[p as usize].conn_to(q) else {
            return;
        };
        let rev = self.peers[p as usize].conns[ci].rev as usize;
        // Nothing may be requested over this connection while it closes.
        self.peers[p as usize].conns[ci].they_choke = true;
        self.peers[q as usize].conns[rev].they_choke = true;
        if let Some(f) = self.peers[p as usize].conns[ci].down_flow {
            self.cancel_flow(f, true);
        }
        if let Some(f) = self.peers[q as usize].conns[rev].down_flow {
            self.cancel_flow(f, true);
        }
        let (a, b) = pair(&mut self.peers, p as usize, q as usize);
        for (x, k) in [(&mut *a, ci), (&mut *b, rev)] {
            match x.conns[k].my_unchoke {
                Unchoke::Regular => x.regular_unchoked -= 1,
                Unchoke::Optimistic => x.optimistic_unchoked -= 1,
                Unchoke::Choked => {}
            }
        }
        add_availability(a, p, b, false);
        add_availability(b, q, a, false);
        self.super_seed_disconnect(p, q);
        self.super_seed_disconnect(q, p);
        self.remove_conn(p, ci);
        self.remove_conn(q, rev);
        if self.peers[q as usize].is_active() {
            self.fill_slots(q);
        }
        if self.peers[q as usize].state == PeerState::Leeching {
            if (self.peers[q as usize].conns.len() as u32) < self.protocol.min_peers {
                self.schedule_early_announce(q);
            }
            self.try_origin(q);
        }
    }

    fn remove_conn(&mut self, p: PeerId, ci: usize) {
        let conns = &mut self.peers[p as usize].conns;
        conns.swap_remove(ci);
        if let Some(moved) = conns.get(ci) {
            let (q, rev) = (moved.peer, moved.rev);
            self.peers[q as usize].conns[rev as usize].rev = ci as u32;
        }
    }

    fn schedule_early_announce(&mut self, p: PeerId) {
        let peer = &mut self.peers[p as usize];
        if peer.announce_pending {
            return;
        }
        peer.announce_pending = true;
        let at = self
            .now
            .max(peer.last_announce.after(super::MIN_REANNOUNCE));
        self.queue.push(at, Event::Announce(p, false));
    }

    pub(super) fn on_announce(&mut self, p: PeerId, periodic: bool) {
        let peer = &mut self.peers[p as usize];
        if peer.state != PeerState::Leeching || !peer.online {
            if periodic {
                peer.announce_alive = false;
            } else {
                peer.announce_pending = false;
            }
            return;
        }
        if periodic {
            let next = self.now.after(self.tracker_spec.announce_interval);
            self.queue.push(next, Event::Announce(p, true));
        } else {
            peer.announce_pending = false;
        }
        self.peers[p as usize].last_announce = self.now;
        self.connect_from_tracker(p);
    }

    // ----- pieces ------------------------------------------------------------------------

    /// If neighbour `ci` unchokes `d` and no piece is coming from it, request one
    /// (`pipelined`: right behind a piece that just arrived from it).
    pub(crate) fn try_request(&mut self, d: PeerId, ci: usize, pipelined: bool) {
        let c = &self.peers[d as usize].conns[ci];
        if c.they_choke
            || c.down_flow.is_some()
            || !self.peers[d as usize].online
            || self.in_http_first_phase(d)
        {
            return;
        }
        let u = c.peer;
        if let Some((piece, offset)) = self.pick_piece(d, u) {
            let f = self.request_flow(Source::Peer(u), d, piece, offset, pipelined);
            self.peers[d as usize].conns[ci].down_flow = Some(f);
        } else if self.protocol.endgame {
            let p = &self.peers[d as usize];
            if p.started_count + p.have_count == self.pieces_of(d) && p.partial.is_empty() {
                if let Some(f) = self.endgame_split(d, u) {
                    self.peers[d as usize].conns[ci].down_flow = Some(f);
                }
            }
        }
    }

    /// Choose what `d` asks of `u`: (piece, bytes already held). Marks the piece started.
    fn pick_piece(&mut self, d: PeerId, u: PeerId) -> Option<(u32, u64)> {
        let random_first = self.protocol.random_first_pieces;
        let (dp, up) = pair(&mut self.peers, d as usize, u as usize);
        // 1. Strict priority: finish a partially received piece.
        if let Some(k) = dp.partial.iter().position(|&(p, _)| up.shows(d, p)) {
            return Some(dp.partial.swap_remove(k));
        }
        // 2./3. Random first pieces, then rarest-first among what u shows and d lacks.
        let random = dp.have_count < random_first;
        if dp.avail.is_indexed() {
            let shown = up.shown_words(d);
            let best = if random {
                uniform_in(shown, dp.have.words(), dp.started.words(), &mut dp.rng)
            } else {
                // u shows every candidate, so its count is at least 1.
                let (have, started) = (dp.have.words(), dp.started.words());
                let cand = |w: usize| shown[w] & !have[w] & !started[w];
                dp.avail.pick_rarest(1, &mut dp.rng, shown.len(), cand)
            }?;
            dp.started.insert(best);
            dp.started_count += 1;
            dp.avail.unwant(best);
            return Some((best, 0));
        }
        let mut pick = LowestPick::default();
        for (w, (&uh, (&dh, &ds))) in up
            .shown_words(d)
            .iter()
            .zip(dp.have.words().iter().zip(dp.started.words()))
            .enumerate()
        {
            let cand = uh & !dh & !ds;
            let (rng, avail) = (&mut dp.rng, &dp.avail);
            for_each_bit(cand, (w * 64) as u32, |i| {
                pick.offer(i, if random { 0 } else { avail.get(i) }, rng)
            });
        }
        let best = pick.get()?;
        dp.started.insert(best);
        dp.started_count += 1;
        Some((best, 0))
    }

    /// `d` now holds `piece`: cancel duplicates, tell the neighbours (HAVE), update
    /// interest, and complete the download if it was the last piece.
    pub(super) fn complete_piece(&mut self, d: PeerId, piece: u32) {
        {
            let p = &mut self.peers[d as usize];
            if p.state != PeerState::Leeching || p.have.contains(piece) {
                return;
            }
            p.have.insert(piece);
            p.have_count += 1;
            p.avail.unwant(piece);
            if p.started.contains(piece) {
                p.started.remove(piece);
                p.started_count -= 1;
            }
            if let Some(k) = p.partial.iter().position(|&(x, _)| x == piece) {
                p.wasted_bytes += p.partial.swap_remove(k).1;
            }
        }
        self.useful_bytes += self.content_of(d).piece_bytes(piece);
        let policy = self.policy_spec(d);
        let start_done = policy.kind == Policy::HttpFirst
            && policy.http_first_pieces > 0
            && self.peers[d as usize].have_count == policy.http_first_pieces;
        // Cancel endgame duplicates of this piece.
        let mut dups = std::mem::take(&mut self.scratch_flows);
        dups.clear();
        {
            let p = &self.peers[d as usize];
            for f in p
                .conns
                .iter()
                .filter_map(|c| c.down_flow)
                .chain(p.origin_flows.iter().copied())
            {
                if self.flows[f as usize].piece == piece {
                    dups.push(f);
                }
            }
        }
        for &f in &dups {
            self.cancel_flow(f, false);
        }
        let had_dups = !dups.is_empty();
        self.scratch_flows = dups;
        // HAVE to every neighbour.
        let mut super_seeds = false;
        for ci in 0..self.peers[d as usize].conns.len() {
            let (q, rev, plain_seed) = {
                let c = &self.peers[d as usize].conns[ci];
                (c.peer, c.rev as usize, c.plain_seed)
            };
            debug_assert_eq!(
                plain_seed,
                self.peers[q as usize].state == PeerState::Seeding
                    && self.peers[q as usize].super_seed.is_none()
            );
            if plain_seed {
                // q shows every piece and counts none: only d's interest in it moves.
                let c = &mut self.peers[d as usize].conns[ci];
                c.lacking -= 1;
                if c.lacking == 0 && !c.they_choke {
                    self.choke(q, rev);
                    self.fill_slots(q);
                }
                continue;
            }
            let qp = &mut self.peers[q as usize];
            if qp.state == PeerState::Leeching && Rarity::counts_piece(&qp.have, piece) {
                qp.avail.inc(piece);
            }
            super_seeds |= self.peers[q as usize].super_seed.is_some();
            if self.peers[q as usize].shows(d, piece) {
                let c = &mut self.peers[d as usize].conns[ci];
                c.lacking -= 1;
                if c.lacking == 0 && !c.they_choke {
                    // Not interested any more: q frees the slot.
                    self.choke(q, rev);
                    self.fill_slots(q);
                }
            } else if self.peers[q as usize].state == PeerState::Leeching {
                let qp = &mut self.peers[q as usize];
                qp.conns[rev].lacking += 1;
                if qp.conns[rev].lacking == 1 {
                    self.on_interested(d, ci);
                }
                self.try_request(q, rev, false);
            }
        }
        if super_seeds {
            self.super_seeds_see_have(d, piece);
        }
        if self.peers[d as usize].have_count == self.pieces_of(d) {
            self.on_complete(d);
        } else if start_done {
            self.reconsider(d);
        } else if had_dups {
            for ci in 0..self.peers[d as usize].conns.len() {
                self.try_request(d, ci, false);
            }
        }
    }

    fn on_complete(&mut self, d: PeerId) {
        let now = self.now;
        let p = &mut self.peers[d as usize];
        p.state = PeerState::Seeding;
        p.completion = now;
        for ci in 0..self.peers[d as usize].conns.len() {
            let (q, rev) = {
                let c = &self.peers[d as usize].conns[ci];
                (c.peer, c.rev as usize)
            };
            self.peers[q as usize].conns[rev].plain_seed = true;
        }
        let p = &mut self.peers[d as usize];
        p.avail.clear();
        p.started.clear_storage();
        p.started_count = 0;
        debug_assert!(p.partial.is_empty());
        self.leechers -= 1;
        self.seeds += 1;
        self.completed += 1;
        // A completed client serves in the background within its seeding cap.
        let cap = self
            .client
            .seed_upload_bps
            .map_or(f64::INFINITY, |c| c as f64);
        if cap < self.peers[d as usize].up_bps {
            self.peers[d as usize].up_bps = cap;
            self.net.set_capacity(Links::up(d), cap);
        }
        let origin_flows = std::mem::take(&mut self.peers[d as usize].origin_flows);
        for f in origin_flows {
            self.cancel_flow(f, false);
        }
        if self.policy_of(d) != Policy::HttpOnly {
            self.tracker_of(d).became_seed(d);
        }
        // Seeds have nothing to trade with each other.
        let mut i = 0;
        while i < self.peers[d as usize].conns.len() {
            let q = self.peers[d as usize].conns[i].peer;
            if self.peers[q as usize].state == PeerState::Seeding {
                self.disconnect(d, q);
            } else {
                i += 1;
            }
        }
        match self.peers[d as usize].seeding_time {
            Some(t) if t.0 == 0 => self.depart(d),
            Some(t) => {
                self.queue.push(self.now.after(t), Event::Depart(d));
                self.fill_slots(d);
            }
            None => self.fill_slots(d),
        }
    }

    /// `p` leaves the swarm: close every connection, drop origin requests.
    pub(super) fn depart(&mut self, p: PeerId) {
        let was = self.peers[p as usize].state;
        if !matches!(was, PeerState::Leeching | PeerState::Seeding) {
            return;
        }
        // Departed first, so nothing cancelled below is re-requested for this peer and
        // whatever it held of unfinished pieces counts as wasted.
        self.peers[p as usize].state = PeerState::Departed;
        // A sleeping rechoke chain ends here (a running one ends at its next tick).
        if self.peers[p as usize].rechoke_asleep.take().is_some() {
            self.peers[p as usize].rechoke_alive = false;
        }
        while let Some(c) = self.peers[p as usize].conns.last() {
            let q = c.peer;
            self.disconnect(p, q);
        }
        let origin_flows = std::mem::take(&mut self.peers[p as usize].origin_flows);
        for f in origin_flows {
            self.cancel_flow(f, false);
        }
        let peer = &mut self.peers[p as usize];
        if was == PeerState::Leeching {
            let held: u64 = peer.partial.iter().map(|&(_, b)| b).sum();
            peer.wasted_bytes += held;
            peer.partial.clear();
            self.leechers -= 1;
            self.offline_leechers -= !peer.online as u32;
        } else {
            self.seeds -= 1;
            self.offline_seeds -= !peer.online as u32;
        }
        // Nobody reads a departed peer's pieces or connections again: free them.
        peer.avail.clear();
        peer.have.clear_storage();
        peer.started.clear_storage();
        peer.conns = Vec::new();
        peer.origin_flows = Vec::new();
        peer.partial = Vec::new();
        self.tracker_of(p).leave(p);
    }
}
