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
//! - **Choking (leechers)**: every `rechoke_interval` a leecher unchokes the `upload_slots`
//!   interested neighbours that sent it the most in the last period (tit-for-tat), and
//!   `optimistic_slots` more at random, moved every `optimistic_interval`. A slot that frees
//!   up (a neighbour loses interest or leaves) is refilled at once, as mainline does.
//! - **Choking (seeds)**, initial and completed alike, by `protocol.seed_choking`:
//!   - `mainline` (default), BitTorrent mainline 4.x, `BitTorrent/Choker.py`
//!     (`_rechoke_seed`, called every 10 s by `_round_robin`), as Legout, Urvoy-Keller and
//!     Michiardi describe it for 4.0.2 ("Rarest first and choke algorithms are enough",
//!     IMC 2006, §2.2.2: the seed keeps the most recently unchoked peers — "SKU" — and
//!     unchokes a new one — "SRU" — in two periods out of three). The seed has
//!     `max_uploads` = `upload_slots + optimistic_slots` slots and no separate optimistic
//!     slot. At its k-th rechoke it ranks the unchoked, interested peers: those unchoked in
//!     the last two periods first, most recent first; then the others, fastest upload
//!     first (the code's `(-unchoke_time, -rate)` and `(1, -rate)` keys). It keeps
//!     `max_uploads − new` of them, where `new` = ⌊(⌈max_uploads/3⌉ + k mod 3)/3⌋ minus the
//!     unchokes made since the last rechoke (1, 1, 0 for 4–6 slots: two new peers per
//!     30 s). Free slots go to choked interested peers in turn: mainline walks its
//!     connection list from just after the last peer it unchoked (new connections are
//!     inserted at random places), modelled as "the peer unchoked least recently first,
//!     ties at random"; slots left over stay with the peers dropped. So a peer stays
//!     unchoked about `max_uploads / 2` × 30 s (75 s with 5 slots): long enough to finish
//!     pieces that take less than that at `u / max_uploads`. A choked peer that becomes
//!     interested waits for the next rechoke (`Choker.interested` only rechokes for a
//!     peer already unchoked); a slot freed by a peer leaving or losing interest is
//!     refilled at once (`_rechoke_seed(False)`), and that unchoke counts against the next
//!     rechoke's new ones (`unchokes_since_last`). Not modelled: the code also ranks an
//!     old peer by its unchoke time when it has requests queued on a flushed socket.
//!   - `round-robin`, libtorrent's default seed choker (`src/choker.cpp`,
//!     `unchoke_compare_rr`; settings `seed_choking_algorithm = round_robin`,
//!     `seeding_piece_quota` = 20): an unchoked peer keeps its slot (it is ranked by the
//!     rate the seed sends it, choked peers by 0) until it has received 20 pieces since it
//!     was unchoked and has been unchoked over a minute; then, and among choked peers, the
//!     one that waited longest since its last unchoke comes first. A free slot is filled
//!     as soon as a peer is interested (libtorrent's "preemptive unchoke").
//!   - `fastest-upload`, libtorrent (`unchoke_compare_fastest_upload`): the peers the seed
//!     sends to fastest, ties to the one that waited longest.
//!
//!   With libtorrent's chokers the `upload_slots` regular slots are ranked this way and
//!   the `optimistic_slots` rotate as for leechers. libtorrent's `anti_leech` (rank by how
//!   far a peer is from half the file) is not modelled. A "rate" is the max-min rate of
//!   the piece flow from the seed to the peer at the rechoke (what the clients' short
//!   rate averages measure).
//! - **Super-seeding** (BEP 16, `[[seeds]] super_seeding`): see `superseed.rs`.
//! - **Requests**: one piece at a time per connection; the first request after an unchoke
//!   costs a round trip; later requests are pipelined behind the current piece (BitTorrent
//!   keeps several block requests outstanding), modelled as the next piece's bytes
//!   starting the instant the previous piece from the same peer completes.

use super::{Event, FlowState, Links, Simulation, Source};
use crate::bitset::for_each_bit;
use crate::peer::{Conn, Peer, PeerId, PeerState, Unchoke};
use crate::pick::LowestPick;
use crate::scenario::{Policy, SeedChoking};
use crate::time::{SimDuration, SimTime};

/// libtorrent's `seeding_piece_quota` (default 20): pieces sent to an unchoked peer before
/// the `round_robin` seed choker lets another peer have its slot.
const SEEDING_PIECE_QUOTA: u64 = 20;
/// libtorrent's `round_robin` also keeps a peer unchoked for at least a minute.
const SEEDING_MIN_UNCHOKE: SimDuration = SimDuration::from_secs(60);

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

/// Count (`add`) or uncount the pieces `y` shows leecher `x` (id `xid`) in `x`'s
/// availability.
fn add_availability(x: &mut Peer, xid: PeerId, y: &Peer, add: bool) {
    if x.state != PeerState::Leeching {
        return;
    }
    for (w, &bits) in y.shown_words(xid).iter().enumerate() {
        let avail = &mut x.avail;
        if add {
            for_each_bit(bits, (w * 64) as u32, |i| avail[i as usize] += 1);
        } else {
            for_each_bit(bits, (w * 64) as u32, |i| avail[i as usize] -= 1);
        }
    }
}

impl Simulation {
    // ----- peer set ----------------------------------------------------------------------

    pub(super) fn connect_from_tracker(&mut self, p: PeerId) {
        let mut list = std::mem::take(&mut self.scratch_peers);
        let numwant = self.s.tracker.numwant;
        self.tracker_of(p).sample(p, numwant, &mut list);
        let max = self.s.protocol.max_connections as usize;
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
        let fresh = |peer, rev, lacking| Conn {
            peer,
            rev,
            my_unchoke: Unchoke::Choked,
            they_choke: true,
            lacking,
            down_flow: None,
            recv_window_bytes: 0,
            last_unchoked: SimTime::ZERO,
            sent_since_unchoke_bytes: 0,
        };
        a.conns.push(fresh(q, ib, lack_a));
        b.conns.push(fresh(p, ia, lack_b));
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
        if a.conns[ci].my_unchoke == Unchoke::Regular {
            a.regular_unchoked -= 1;
        }
        if b.conns[rev].my_unchoke == Unchoke::Regular {
            b.regular_unchoked -= 1;
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
            if (self.peers[q as usize].conns.len() as u32) < self.s.protocol.min_peers {
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
            let next = self.now.after(self.s.tracker.announce_interval);
            self.queue.push(next, Event::Announce(p, true));
        } else {
            peer.announce_pending = false;
        }
        self.peers[p as usize].last_announce = self.now;
        self.connect_from_tracker(p);
    }

    // ----- choking -----------------------------------------------------------------------

    /// Neighbour `ci` of `u` is interested in `u`.
    fn they_are_interested(&self, u: PeerId, ci: usize) -> bool {
        let c = &self.peers[u as usize].conns[ci];
        self.peers[c.peer as usize].conns[c.rev as usize].lacking > 0
    }

    /// `u` is a seed choking with mainline's seed-state algorithm.
    fn mainline_seed(&self, u: PeerId) -> bool {
        self.peers[u as usize].state == PeerState::Seeding
            && self.s.protocol.seed_choking == SeedChoking::Mainline
    }

    /// Neighbour `ci` of `u` just became interested in `u`: unchoke it if a slot is free
    /// (libtorrent's "preemptive unchoke"). Mainline does not: a seed unchokes a newly
    /// interested peer at its next rechoke (`Choker.interested` only rechokes for a peer
    /// already unchoked).
    pub(super) fn on_interested(&mut self, u: PeerId, ci: usize) {
        if self.mainline_seed(u) {
            return;
        }
        let p = &self.peers[u as usize];
        if p.up_bps > 0.0
            && p.regular_unchoked < self.s.protocol.upload_slots
            && p.conns[ci].my_unchoke == Unchoke::Choked
        {
            self.unchoke(u, ci, Unchoke::Regular);
        }
    }

    fn unchoke(&mut self, u: PeerId, ci: usize, kind: Unchoke) {
        let now = self.now;
        let p = &mut self.peers[u as usize];
        if kind == Unchoke::Regular {
            p.regular_unchoked += 1;
        }
        let c = &mut p.conns[ci];
        c.my_unchoke = kind;
        c.last_unchoked = now;
        c.sent_since_unchoke_bytes = 0;
        let (q, rev) = (c.peer, c.rev as usize);
        self.peers[q as usize].conns[rev].they_choke = false;
        if self.peers[q as usize].state == PeerState::Leeching {
            self.try_request(q, rev, false);
        }
    }

    fn choke(&mut self, u: PeerId, ci: usize) {
        let p = &mut self.peers[u as usize];
        if p.conns[ci].my_unchoke == Unchoke::Regular {
            p.regular_unchoked -= 1;
        }
        p.conns[ci].my_unchoke = Unchoke::Choked;
        let (q, rev) = (p.conns[ci].peer, p.conns[ci].rev as usize);
        self.peers[q as usize].conns[rev].they_choke = true;
        if let Some(f) = self.peers[q as usize].conns[rev].down_flow {
            self.cancel_flow(f, true);
        }
        if self.peers[q as usize].state == PeerState::Leeching {
            self.try_origin(q);
        }
    }

    /// The rate at which `u` sends to neighbour `ci` now, bits/s (0 between pieces). The
    /// clients rank by a rate measured over recent seconds; the flow's max-min rate is
    /// what such a measure converges to.
    fn upload_rate_to(&self, u: PeerId, ci: usize) -> f64 {
        let c = &self.peers[u as usize].conns[ci];
        let f = self.peers[c.peer as usize].conns[c.rev as usize].down_flow;
        match f.map(|f| &self.flows[f as usize]) {
            Some(fl) if fl.src == Source::Peer(u) && fl.state == FlowState::Active => fl.rate,
            _ => 0.0,
        }
    }

    /// Rank key of neighbour `ci` for a regular slot of `u`, compared lexicographically
    /// (smaller is better).
    fn rank_key(&self, u: PeerId, ci: usize) -> (u64, u64) {
        let p = &self.peers[u as usize];
        let c = &p.conns[ci];
        if p.state != PeerState::Seeding {
            return (u64::MAX - c.recv_window_bytes, 0); // tit-for-tat: sent me the most first
        }
        let rate = self.upload_rate_to(u, ci).min((u64::MAX >> 2) as f64) as u64;
        match self.s.protocol.seed_choking {
            // Round-robin over the connections: the one unchoked least recently first.
            SeedChoking::Mainline => (c.last_unchoked.0, 0),
            SeedChoking::RoundRobin => {
                let quota_bytes = SEEDING_PIECE_QUOTA * self.content_of(u).piece_size_bytes;
                let done = c.my_unchoke != Unchoke::Choked
                    && c.sent_since_unchoke_bytes > quota_bytes
                    && self.now.since(c.last_unchoked) > SEEDING_MIN_UNCHOKE;
                let rate = if c.my_unchoke == Unchoke::Choked {
                    0
                } else {
                    rate
                };
                (
                    (u64::from(done) << 62) | ((u64::MAX >> 2) - rate),
                    c.last_unchoked.0,
                )
            }
            SeedChoking::FastestUpload => (u64::MAX - rate, c.last_unchoked.0),
        }
    }

    /// Fill free regular slots of `u` with the best-ranked interested choked neighbours
    /// (a seed breaks ties at random; a mainline seed counts the unchokes against its next
    /// rechoke's).
    pub(super) fn fill_slots(&mut self, u: PeerId) {
        if self.peers[u as usize].up_bps <= 0.0 {
            return;
        }
        let mainline = self.mainline_seed(u);
        let seed = self.peers[u as usize].state == PeerState::Seeding;
        let slots = if mainline {
            self.s.protocol.upload_slots + self.s.protocol.optimistic_slots
        } else {
            self.s.protocol.upload_slots
        };
        loop {
            let p = &self.peers[u as usize];
            let used = p.regular_unchoked
                + if mainline {
                    p.conns
                        .iter()
                        .filter(|c| c.my_unchoke == Unchoke::Optimistic)
                        .count() as u32
                } else {
                    0
                };
            if used >= slots {
                break;
            }
            let mut best: Option<((u64, u64), usize)> = None;
            let mut ties = 0u64;
            for ci in 0..self.peers[u as usize].conns.len() {
                if self.peers[u as usize].conns[ci].my_unchoke != Unchoke::Choked
                    || !self.they_are_interested(u, ci)
                {
                    continue;
                }
                let key = self.rank_key(u, ci);
                match best {
                    Some((k, _)) if key > k => {}
                    Some((k, _)) if key == k => {
                        ties += 1;
                        if seed && self.peers[u as usize].rng.below(ties) == 0 {
                            best = Some((key, ci));
                        }
                    }
                    _ => {
                        best = Some((key, ci));
                        ties = 1;
                    }
                }
            }
            match best {
                Some((_, ci)) => {
                    self.unchoke(u, ci, Unchoke::Regular);
                    if mainline {
                        self.peers[u as usize].unchokes_since_last += 1;
                    }
                }
                None => break,
            }
        }
    }

    /// The periodic choke decision of `u` (and a periodic look at the origin).
    pub(super) fn on_rechoke(&mut self, u: PeerId) {
        if !self.peers[u as usize].is_active() || !self.peers[u as usize].online {
            self.peers[u as usize].rechoke_alive = false;
            return;
        }
        let next = self.now.after(self.s.protocol.rechoke_interval);
        self.queue.push(next, Event::Rechoke(u));
        let round = self.peers[u as usize].rechoke_round;
        self.peers[u as usize].rechoke_round += 1;
        // want[ci]: 0 = choke, 1 = regular, 2 = optimistic
        let n = self.peers[u as usize].conns.len();
        let mut want = std::mem::take(&mut self.scratch_flows);
        want.clear();
        want.resize(n, 0);
        if self.peers[u as usize].up_bps > 0.0 {
            if self.mainline_seed(u) {
                self.choose_mainline_seed(u, round + 1, &mut want);
            } else {
                self.choose_ranked(u, round, &mut want);
            }
        }
        // Apply: chokes first (they free slots), then unchokes.
        for (ci, &w) in want.iter().enumerate() {
            if w == 0 && self.peers[u as usize].conns[ci].my_unchoke != Unchoke::Choked {
                self.choke(u, ci);
            }
        }
        for (ci, &w) in want.iter().enumerate() {
            let cur = self.peers[u as usize].conns[ci].my_unchoke;
            let target = match w {
                1 => Unchoke::Regular,
                2 => Unchoke::Optimistic,
                _ => continue,
            };
            if cur == target {
                continue;
            }
            if cur == Unchoke::Choked {
                self.unchoke(u, ci, target);
            } else {
                // Switch slot kind without interrupting the transfer.
                let p = &mut self.peers[u as usize];
                if cur == Unchoke::Regular {
                    p.regular_unchoked -= 1;
                } else {
                    p.regular_unchoked += 1;
                }
                p.conns[ci].my_unchoke = target;
            }
        }
        // What peers gave over the period just ended (rate-target's measure), then reset.
        let interval_s = self.s.protocol.rechoke_interval.as_secs_f64();
        let p = &mut self.peers[u as usize];
        let received: u64 = p.conns.iter().map(|c| c.recv_window_bytes).sum();
        p.peer_rate_bps = received as f64 * 8.0 / interval_s;
        for c in &mut p.conns {
            c.recv_window_bytes = 0;
        }
        self.scratch_flows = want;
        if self.peers[u as usize].state == PeerState::Leeching {
            self.try_origin(u);
        }
    }

    /// Tit-for-tat (leechers) or libtorrent's seed chokers: the `upload_slots` best-ranked
    /// interested neighbours, plus `optimistic_slots` random ones moved every
    /// `optimistic_interval` (`round` counts the rechokes before this one).
    fn choose_ranked(&mut self, u: PeerId, round: u32, want: &mut [u32]) {
        let slots = self.s.protocol.upload_slots as usize;
        let opt_slots = self.s.protocol.optimistic_slots as usize;
        let every = (self.s.protocol.optimistic_interval.0
            / self.s.protocol.rechoke_interval.0.max(1))
        .max(1) as u32;
        let rotate = round.is_multiple_of(every);
        let mut rank = std::mem::take(&mut self.scratch_rank);
        rank.clear();
        for ci in 0..self.peers[u as usize].conns.len() {
            if self.they_are_interested(u, ci) {
                let (key, key2) = self.rank_key(u, ci);
                let tie = self.peers[u as usize].rng.below(u64::MAX);
                rank.push((key, key2, tie, ci as u32));
            }
        }
        rank.sort_unstable();
        for &(_, _, _, ci) in rank.iter().take(slots) {
            want[ci as usize] = 1;
        }
        // Optimistic slots: keep the current ones between rotations, fill the rest at
        // random among the interested neighbours left choked.
        let mut kept = 0;
        if !rotate {
            for &(_, _, _, ci) in rank.iter().skip(slots) {
                if kept < opt_slots
                    && self.peers[u as usize].conns[ci as usize].my_unchoke == Unchoke::Optimistic
                {
                    want[ci as usize] = 2;
                    kept += 1;
                }
            }
        }
        // Reuse `rank` as the pool of candidates (its tail, still unassigned).
        rank.retain(|&(_, _, _, ci)| want[ci as usize] == 0);
        while kept < opt_slots && !rank.is_empty() {
            let k = self.peers[u as usize].rng.below(rank.len() as u64) as usize;
            want[rank.swap_remove(k).3 as usize] = 2;
            kept += 1;
        }
        self.scratch_rank = rank;
    }

    /// BitTorrent mainline 4.x's seed state (`Choker._rechoke_seed`), at rechoke number
    /// `count` (1 for the first): keep the interested peers unchoked most recently, and in
    /// two rechokes out of three make room for one new peer, taken in turn.
    fn choose_mainline_seed(&mut self, u: PeerId, count: u32, want: &mut [u32]) {
        let total = (self.s.protocol.upload_slots + self.s.protocol.optimistic_slots) as usize;
        // New unchokes per three rechokes, spread 0/1/1 for 4–6 slots; those a freed slot
        // already brought since the last rechoke count against them.
        let per_three = total.div_ceil(3);
        let due = (per_three + (count % 3) as usize) / 3;
        let p = &mut self.peers[u as usize];
        let forced = due.saturating_sub(p.unchokes_since_last as usize);
        p.unchokes_since_last = 0;
        let keep = total - forced.min(total);
        let interval = self.s.protocol.rechoke_interval.0.max(1);
        let mut rank = std::mem::take(&mut self.scratch_rank);
        // 1. Unchoked interested peers: those unchoked in the last two periods, most
        //    recent first; then the others, fastest first.
        rank.clear();
        for ci in 0..self.peers[u as usize].conns.len() {
            let c = &self.peers[u as usize].conns[ci];
            if c.my_unchoke == Unchoke::Choked || !self.they_are_interested(u, ci) {
                continue;
            }
            let periods_ago = self.now.since(c.last_unchoked).0.div_ceil(interval).min(3);
            let rate = self.upload_rate_to(u, ci).min((u64::MAX >> 1) as f64) as u64;
            let tie = self.peers[u as usize].rng.below(u64::MAX);
            rank.push((periods_ago, u64::MAX - rate, tie, ci as u32));
        }
        rank.sort_unstable();
        let mut free = total;
        for &(_, _, _, ci) in rank.iter().take(keep) {
            want[ci as usize] = 1;
            free -= 1;
        }
        let dropped: Vec<u32> = rank.iter().skip(keep).map(|r| r.3).collect();
        // 2. Free slots go to choked interested peers in turn: the one unchoked least
        //    recently first (mainline walks its connection list from the last peer it
        //    unchoked), ties at random.
        rank.clear();
        for ci in 0..self.peers[u as usize].conns.len() {
            let c = &self.peers[u as usize].conns[ci];
            if c.my_unchoke != Unchoke::Choked || !self.they_are_interested(u, ci) {
                continue;
            }
            let last = c.last_unchoked.0;
            let tie = self.peers[u as usize].rng.below(u64::MAX);
            rank.push((last, 0, tie, ci as u32));
        }
        rank.sort_unstable();
        for &(_, _, _, ci) in rank.iter().take(free) {
            want[ci as usize] = 1;
            free -= 1;
        }
        // 3. Slots nobody choked wants stay with the peers dropped in step 1.
        for ci in dropped.into_iter().take(free) {
            want[ci as usize] = 1;
        }
        self.scratch_rank = rank;
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
        } else if self.s.protocol.endgame {
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
        let random_first = self.s.protocol.random_first_pieces;
        let (dp, up) = pair(&mut self.peers, d as usize, u as usize);
        // 1. Strict priority: finish a partially received piece.
        if let Some(k) = dp.partial.iter().position(|&(p, _)| up.shows(d, p)) {
            return Some(dp.partial.swap_remove(k));
        }
        // 2./3. Random first pieces, then rarest-first among what u shows and d lacks.
        let random = dp.have_count < random_first;
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
                pick.offer(i, if random { 0 } else { avail[i as usize] }, rng)
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
            let (q, rev) = {
                let c = &self.peers[d as usize].conns[ci];
                (c.peer, c.rev as usize)
            };
            if self.peers[q as usize].state == PeerState::Leeching {
                self.peers[q as usize].avail[piece as usize] += 1;
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
        p.avail = Vec::new();
        p.started.clear_storage();
        p.started_count = 0;
        debug_assert!(p.partial.is_empty());
        self.leechers -= 1;
        self.seeds += 1;
        self.completed += 1;
        // A completed client serves in the background within its seeding cap.
        let cap = self.s.client.seed_upload_bps as f64;
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
        peer.avail = Vec::new();
        peer.have.clear_storage();
        peer.started.clear_storage();
        peer.conns = Vec::new();
        peer.origin_flows = Vec::new();
        peer.partial = Vec::new();
        self.tracker_of(p).leave(p);
    }
}
