//! Choking: who uploads to whom (BEP 3; Cohen 2003; Legout et al., IMC 2006).
//!
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

use super::{Event, FlowState, Simulation, Source};
use crate::peer::{PeerId, PeerState, Unchoke};
use crate::scenario::SeedChoking;
use crate::time::{SimDuration, SimTime};

/// libtorrent's `seeding_piece_quota` (default 20): pieces sent to an unchoked peer before
/// the `round_robin` seed choker lets another peer have its slot.
const SEEDING_PIECE_QUOTA: u64 = 20;
/// libtorrent's `round_robin` also keeps a peer unchoked for at least a minute.
const SEEDING_MIN_UNCHOKE: SimDuration = SimDuration::from_secs(60);

impl Simulation {
    // ----- choking -----------------------------------------------------------------------

    /// Neighbour `ci` of `u` is interested in `u`.
    pub(super) fn they_are_interested(&self, u: PeerId, ci: usize) -> bool {
        let c = &self.peers[u as usize].conns[ci];
        self.peers[c.peer as usize].conns[c.rev as usize].lacking > 0
    }

    /// `u` is a seed choking with mainline's seed-state algorithm.
    pub(super) fn mainline_seed(&self, u: PeerId) -> bool {
        self.peers[u as usize].state == PeerState::Seeding
            && self.protocol.seed_choking == SeedChoking::Mainline
    }

    /// Neighbour `ci` of `u` just became interested in `u`: unchoke it if a slot is free
    /// (libtorrent's "preemptive unchoke"). Mainline does not: a seed unchokes a newly
    /// interested peer at its next rechoke (`Choker.interested` only rechokes for a peer
    /// already unchoked).
    pub(super) fn on_interested(&mut self, u: PeerId, ci: usize) {
        self.wake_rechoke(u);
        if self.mainline_seed(u) {
            return;
        }
        let p = &self.peers[u as usize];
        if p.up_bps > 0.0
            && p.regular_unchoked < self.protocol.upload_slots
            && p.conns[ci].my_unchoke == Unchoke::Choked
        {
            self.unchoke(u, ci, Unchoke::Regular);
        }
    }

    pub(super) fn unchoke(&mut self, u: PeerId, ci: usize, kind: Unchoke) {
        let now = self.now;
        let p = &mut self.peers[u as usize];
        match kind {
            Unchoke::Regular => p.regular_unchoked += 1,
            Unchoke::Optimistic => p.optimistic_unchoked += 1,
            Unchoke::Choked => {}
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

    pub(super) fn choke(&mut self, u: PeerId, ci: usize) {
        let p = &mut self.peers[u as usize];
        match p.conns[ci].my_unchoke {
            Unchoke::Regular => p.regular_unchoked -= 1,
            Unchoke::Optimistic => p.optimistic_unchoked -= 1,
            Unchoke::Choked => {}
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
    pub(super) fn upload_rate_to(&self, u: PeerId, ci: usize) -> f64 {
        let c = &self.peers[u as usize].conns[ci];
        let f = self.peers[c.peer as usize].conns[c.rev as usize].down_flow;
        match f.map(|f| &self.flows[f as usize]) {
            Some(fl) if fl.src == Source::Peer(u) && fl.state == FlowState::Active => fl.rate,
            _ => 0.0,
        }
    }

    /// Rank key of neighbour `ci` for a regular slot of `u`, compared lexicographically
    /// (smaller is better).
    pub(super) fn rank_key(&self, u: PeerId, ci: usize) -> (u64, u64) {
        let p = &self.peers[u as usize];
        let c = &p.conns[ci];
        if p.state != PeerState::Seeding {
            return (u64::MAX - c.recv_window_bytes, 0); // tit-for-tat: sent me the most first
        }
        let rate = self.upload_rate_to(u, ci).min((u64::MAX >> 2) as f64) as u64;
        match self.protocol.seed_choking {
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
            self.protocol.upload_slots + self.protocol.optimistic_slots
        } else {
            self.protocol.upload_slots
        };
        loop {
            let p = &self.peers[u as usize];
            let used = p.regular_unchoked + if mainline { p.optimistic_unchoked } else { 0 };
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
        let next = self.now.after(self.protocol.rechoke_interval);
        if self.rechoke_is_idle(u) {
            // This tick and the ones after it do nothing until a neighbour wants something
            // from `u`: keep their effect on the counters, and sleep until then.
            if self.peers[u as usize].up_bps > 0.0 && self.mainline_seed(u) {
                self.peers[u as usize].unchokes_since_last = 0;
            }
            let p = &mut self.peers[u as usize];
            p.rechoke_round += 1;
            p.rechoke_asleep = Some(next);
            return;
        }
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
                    p.optimistic_unchoked += 1;
                } else {
                    p.regular_unchoked += 1;
                    p.optimistic_unchoked -= 1;
                }
                p.conns[ci].my_unchoke = target;
            }
        }
        // What peers gave over the period just ended (rate-target's measure), then reset.
        let interval_s = self.protocol.rechoke_interval.as_secs_f64();
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

    /// A rechoke of `u` now would change nothing but its counters: `u` is a seed (not a
    /// super-seed: its ticks reveal pieces) that unchokes no one, no neighbour is
    /// interested in it and it received nothing in the last period. Every choker above then
    /// chooses nobody and draws no random number; the ticks after it stay idle until a
    /// neighbour becomes interested (`on_interested`), which wakes the chain.
    fn rechoke_is_idle(&self, u: PeerId) -> bool {
        let p = &self.peers[u as usize];
        self.shortcuts.rechoke_sleep
            && p.state == PeerState::Seeding
            && p.super_seed.is_none()
            && p.peer_rate_bps == 0.0
            && p.conns.iter().enumerate().all(|(ci, c)| {
                c.my_unchoke == Unchoke::Choked
                    && c.recv_window_bytes == 0
                    && !self.they_are_interested(u, ci)
            })
    }

    /// Wake the sleeping rechoke chain of `u`, if it sleeps: its next tick at or after now
    /// (on the chain's phase) is queued, and the idle ticks it skipped are counted (their
    /// only effect). Exact but for one case: a tick falling on the very microsecond of the
    /// waking event runs after it (a running chain's tick might have run just before it).
    pub(super) fn wake_rechoke(&mut self, u: PeerId) {
        let Some(asleep_at) = self.peers[u as usize].rechoke_asleep.take() else {
            return;
        };
        let interval = self.protocol.rechoke_interval.0.max(1);
        let skipped = self.now.0.saturating_sub(asleep_at.0).div_ceil(interval);
        let next = SimTime(asleep_at.0 + skipped * interval);
        let p = &mut self.peers[u as usize];
        p.rechoke_round = p.rechoke_round.wrapping_add(skipped as u32);
        self.queue.push(next, Event::Rechoke(u));
    }

    /// Tit-for-tat (leechers) or libtorrent's seed chokers: the `upload_slots` best-ranked
    /// interested neighbours, plus `optimistic_slots` random ones moved every
    /// `optimistic_interval` (`round` counts the rechokes before this one).
    pub(super) fn choose_ranked(&mut self, u: PeerId, round: u32, want: &mut [u32]) {
        let slots = self.protocol.upload_slots as usize;
        let opt_slots = self.protocol.optimistic_slots as usize;
        let every = (self.protocol.optimistic_interval.0 / self.protocol.rechoke_interval.0.max(1))
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
    pub(super) fn choose_mainline_seed(&mut self, u: PeerId, count: u32, want: &mut [u32]) {
        let total = (self.protocol.upload_slots + self.protocol.optimistic_slots) as usize;
        // New unchokes per three rechokes, spread 0/1/1 for 4–6 slots; those a freed slot
        // already brought since the last rechoke count against them.
        let per_three = total.div_ceil(3);
        let due = (per_three + (count % 3) as usize) / 3;
        let p = &mut self.peers[u as usize];
        let forced = due.saturating_sub(p.unchokes_since_last as usize);
        p.unchokes_since_last = 0;
        let keep = total - forced.min(total);
        let interval = self.protocol.rechoke_interval.0.max(1);
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
}
