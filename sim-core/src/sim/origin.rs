//! The HTTP origin and the hybrid policies that decide when a client uses it.
//!
//! A client fetches pieces from the origin with HTTP range requests, up to
//! `requests_per_client` at once, each costing a round trip, each capped at the origin's
//! per-connection throughput. Which piece, and whether at all, depends on the policy:
//!
//! | policy | uses the origin for | source |
//! | --- | --- | --- |
//! | `web-seed` (default) | any piece nobody is fetching for the client yet, whenever its peers cannot deliver one sooner (the estimate below); in the endgame, part of the slowest outstanding piece | BEP 19: the web seed "acts as a permanently unchoked seed"; libtorrent's `web_peer_connection` asks a web seed for pieces through the same piece picker as peers; BitTorrent DNA drew from the web server and peers at once |
//! | `peers-first` | pieces no peer currently unchoking the client holds; and, when those peers cannot deliver all the pieces they hold within `client.peer_wait`, their pieces too | the strict reading: the web seed as the last resort of the unchoked set (`web-seed`'s rule before "BEP 19 web-seed default" in CHANGELOG.md) |
//! | `fallback` | pieces no neighbour able to upload holds | P2P first, origin as last resort |
//! | `rate-target` | the shortfall between a target rate and what peers gave over the last rechoke period (the flow is capped at the shortfall); pieces no unchoking peer holds first | BitTorrent DNA per-object QoS |
//! | `http-first` | the first K pieces (in order) or the first T seconds, peers unused; then as `fallback` | fast start of P2P CDNs |
//! | `http-only` | everything, in order; no peers | the baseline |
//!
//! How they relate, in the pieces each lets the origin take at a given moment:
//! `fallback` ⊆ `peers-first` (with the wait "forever") ⊆ `web-seed` ⊆ `http-only`: a
//! neighbour able to upload may be choking the client, and an unchoking peer may be slower
//! than the origin. `http-first` is `http-only` for its start, then `fallback`;
//! `rate-target` asks for bytes rather than pieces, as many as its target needs.
//!
//! Among qualifying pieces a client takes a partial piece first, then the rarest among
//! its neighbours (so the origin injects what the swarm lacks), ties at random; `http-only`
//! and the start of `http-first` go in file order, as a plain HTTP download does.
//!
//! ## The `web-seed` estimate
//! Whenever an origin connection of a leecher is idle (after an origin piece, a peer piece,
//! a choke, a rechoke, an arrival), the client compares what each source would take to
//! deliver one more piece of `P` bits:
//!
//! - the origin: `T_o = RTT + P / r_o`, where `r_o` is the current rate of the client's
//!   open origin flow, else the rate its last origin flow had when it ended, else (nothing
//!   measured yet) the connection cap, the origin's capacity and the client's download cap,
//!   whichever is least;
//! - an unchoking peer `c`: `T_c = b_c + P / r_c`, where `r_c` is the rate its current
//!   flow gets now (the max-min share the network gives it) and `b_c` the time to finish
//!   that flow (`left / r_c`), or one round trip if nothing is requested from it yet. With
//!   no rate to read (nothing requested, or the request still in flight) `r_c` is the
//!   sender's upload over the peers it unchokes, within the client's download cap. The
//!   rechoke window's byte count (`recv_window_bytes`) is not used: bytes are credited
//!   when a piece completes, so a connection slower than a piece per rechoke period would
//!   show zero most of the time.
//!
//! Peers with `T_c < T_o` are *faster*. The origin then takes, partial pieces first, then
//! the rarest:
//! 1. a piece no unchoking peer holds (what `peers-first` takes); else
//! 2. a piece no faster peer holds (every peer that could send it would take longer than
//!    the origin); else
//! 3. any piece, if the faster peers cannot deliver all the pieces left within `T_o`:
//!    each delivers at most `(T_o - b_c) r_c / P` of them (and no more than it holds);
//!    when the pieces left outnumber that sum, some piece will come sooner from the origin.
//!
//! Otherwise every piece left will arrive from peers before the origin could deliver one,
//! and the connection stays idle: asking would only cost origin bytes. With a fast origin
//! and slow peers this keeps the origin busy until every piece is requested; with a
//! saturated origin and fast peers it leaves the pieces to the peers. When every missing
//! piece is in flight (and `protocol.endgame`), the origin takes over part of the in-flight
//! piece that would finish last: of its `L` bits left at rate `r_f` (finishing after
//! `t_f`), the origin takes `x = (t_f - RTT) / (1/r_f + 1/r_o)` bits rounded down to whole
//! 16 KiB blocks, so both parts finish together, as a client requesting the outstanding
//! blocks from every source gets them in proportion to the sources' rates (BEP 3 endgame).
//! The peer keeps at least the rest of the block it is sending; nothing below one block is
//! split, and no byte is duplicated.

use super::{FlowState, Simulation, Source};
use crate::bitset::for_each_bit;
use crate::peer::{PeerId, PeerState};
use crate::pick::LowestPick;
use crate::scenario::Policy;

/// Bytes of one request block (BitTorrent's 16 KiB): the unit of an endgame split.
const BLOCK_BYTES: u64 = 16 * 1024;

/// Which neighbours' pieces the origin should not duplicate.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Covered {
    /// Nobody's: any missing piece qualifies.
    Nothing,
    /// Pieces held by neighbours that unchoke the client.
    ByUnchokers,
    /// Pieces held by any neighbour able to upload.
    ByNeighbours,
}

impl Simulation {
    /// Is `d` still in the origin-only start of the `http-first` policy?
    pub(super) fn in_http_first_phase(&self, d: PeerId) -> bool {
        let c = self.policy_spec(d);
        if c.kind != Policy::HttpFirst {
            return false;
        }
        let p = &self.peers[d as usize];
        if c.http_first_pieces > 0 {
            p.have_count < c.http_first_pieces.min(self.pieces_of(d))
        } else {
            self.now < p.arrival.after(c.http_first_time)
        }
    }

    /// The origin's per-connection cap, bits/s (infinite when unlimited).
    fn origin_per_conn_bps(&self) -> f64 {
        self.origin
            .per_connection_bps
            .map_or(f64::INFINITY, |c| c as f64)
    }

    /// Open origin requests for `d` while it has room and its policy wants one.
    pub(super) fn try_origin(&mut self, d: PeerId) {
        if self.origin_cap_bps <= 0.0 || !self.peers[d as usize].online {
            return;
        }
        let per_conn = self.origin_per_conn_bps();
        let max = self.origin.requests_per_client as usize;
        while self.peers[d as usize].state == PeerState::Leeching
            && self.peers[d as usize].origin_flows.len() < max
        {
            let policy = self.policy_of(d);
            if policy == Policy::WebSeed {
                match self.web_seed_pick(d) {
                    Some((piece, offset)) => {
                        self.open_origin_flow(d, piece, offset, None, per_conn);
                        continue;
                    }
                    None => {
                        if self.protocol.endgame {
                            self.origin_endgame_split(d);
                        }
                        return;
                    }
                }
            }
            let (covered, in_order, cap) = match policy {
                Policy::HttpOnly => (Covered::Nothing, true, per_conn),
                Policy::WebSeed | Policy::PeersFirst => (Covered::ByUnchokers, false, per_conn),
                Policy::Fallback => (Covered::ByNeighbours, false, per_conn),
                Policy::HttpFirst if self.in_http_first_phase(d) => {
                    (Covered::Nothing, true, per_conn)
                }
                Policy::HttpFirst => (Covered::ByNeighbours, false, per_conn),
                Policy::RateTarget => {
                    let target = self.policy_spec(d).rate_target_bps as f64;
                    let p = &self.peers[d as usize];
                    let open: f64 = p
                        .origin_flows
                        .iter()
                        .map(|&f| self.flows[f as usize].cap_bps)
                        .sum();
                    let shortfall = target - p.peer_rate_bps - open;
                    if shortfall < 1.0 {
                        return;
                    }
                    (Covered::ByUnchokers, false, shortfall.min(per_conn))
                }
            };
            let pick = self.pick_origin_piece(d, covered, in_order).or_else(|| {
                // rate-target wants bytes, not particular pieces: any missing piece will do;
                // peers-first takes what its unchoking peers hold when they are too slow.
                let spill = match policy {
                    Policy::RateTarget => true,
                    Policy::PeersFirst => self.unchokers_too_slow(d),
                    _ => false,
                };
                spill
                    .then(|| self.pick_origin_piece(d, Covered::Nothing, false))
                    .flatten()
            });
            let Some((piece, offset)) = pick else {
                return;
            };
            self.open_origin_flow(d, piece, offset, None, cap);
        }
    }

    /// Request `piece` (from byte `offset`; `bytes`: only that many, else the rest) from
    /// the origin for `d`, capped at `cap_bps`.
    fn open_origin_flow(
        &mut self,
        d: PeerId,
        piece: u32,
        offset: u64,
        bytes: Option<u64>,
        cap_bps: f64,
    ) {
        let f = match bytes {
            Some(b) => self.request_bytes(Source::Origin, d, piece, offset, b, false),
            None => self.request_flow(Source::Origin, d, piece, offset, false),
        };
        self.flows[f as usize].cap_bps = cap_bps;
        self.peers[d as usize].origin_flows.push(f);
    }

    /// `web-seed`: the rate, bits/s, one more origin connection of `d` would get: the
    /// current rate of its open origin flows (the mean), else the rate its last origin
    /// flow had, else the least of the connection cap, the origin's capacity and `d`'s
    /// download cap.
    fn origin_rate_estimate(&self, d: PeerId) -> f64 {
        let p = &self.peers[d as usize];
        let (mut sum, mut n) = (0.0, 0u32);
        for &f in &p.origin_flows {
            let fl = &self.flows[f as usize];
            if fl.state == FlowState::Active && fl.rate > 0.0 {
                sum += fl.rate;
                n += 1;
            }
        }
        if n > 0 {
            sum / f64::from(n)
        } else if p.origin_rate_bps > 0.0 {
            p.origin_rate_bps
        } else {
            self.origin_per_conn_bps()
                .min(self.origin_cap_bps)
                .min(p.down_bps)
        }
    }

    /// `web-seed`: what connection `ci` of `d` gives: (rate, bits/s; seconds before a new
    /// piece could start arriving on it). The rate of its active flow; with none (or none
    /// measured yet), the sender's upload over the peers it unchokes, within `d`'s download
    /// cap. A connection with nothing requested needs one round trip first.
    fn conn_rate_estimate(&self, d: PeerId, ci: usize) -> (f64, f64) {
        let p = &self.peers[d as usize];
        let c = &p.conns[ci];
        let rtt_s = self.rtt.as_secs_f64();
        let share = || {
            let u = &self.peers[c.peer as usize];
            let optimistic = f64::from(u.optimistic_unchoked);
            let unchoked = (f64::from(u.regular_unchoked) + optimistic).max(1.0);
            (u.up_bps / unchoked).min(p.down_bps)
        };
        let Some(f) = c.down_flow else {
            return (share(), rtt_s);
        };
        let fl = &self.flows[f as usize];
        let (rate, wait_s) = match fl.state {
            FlowState::Active if fl.rate > 0.0 => (fl.rate, 0.0),
            FlowState::Active => (share(), 0.0),
            _ => (share(), rtt_s),
        };
        let left_bits = (fl.bytes as f64 - self.flow_done_now(f)).max(0.0) * 8.0;
        let busy_s = if rate > 0.0 {
            wait_s + left_bits / rate
        } else {
            f64::INFINITY
        };
        (rate, busy_s)
    }

    /// Bytes flow `f` has carried up to now (without moving its bookkeeping).
    fn flow_done_now(&self, f: u32) -> f64 {
        let fl = &self.flows[f as usize];
        match fl.state {
            FlowState::Active => fl.done + fl.rate * self.now.since(fl.last).as_secs_f64() / 8.0,
            _ => 0.0,
        }
    }

    /// `web-seed`: the piece `d`'s idle origin connection should fetch, or `None` when the
    /// peers will deliver every piece left sooner (see the module docs for the estimate).
    fn web_seed_pick(&mut self, d: PeerId) -> Option<(u32, u64)> {
        let piece_bits = self.content_of(d).piece_size_bytes as f64 * 8.0;
        let t_origin_s = self.rtt.as_secs_f64() + piece_bits / self.origin_rate_estimate(d);
        // masks[..words]: pieces unchoking peers hold; masks[words..]: pieces faster peers
        // hold. `deliverable`: how many pieces left those faster peers can deliver within
        // the origin's time.
        let words = self.peers[d as usize].have.words().len();
        let mut masks = std::mem::take(&mut self.scratch_words);
        masks.clear();
        masks.resize(2 * words, 0);
        let mut deliverable = 0.0;
        for ci in 0..self.peers[d as usize].conns.len() {
            if self.peers[d as usize].conns[ci].they_choke {
                continue;
            }
            let (rate, busy_s) = self.conn_rate_estimate(d, ci);
            let faster = rate > 0.0 && busy_s + piece_bits / rate < t_origin_s;
            let p = &self.peers[d as usize];
            let u = &self.peers[p.conns[ci].peer as usize];
            let (all, fast) = masks.split_at_mut(words);
            let mut held = 0u32;
            for (k, (&x, (&h, &st))) in u
                .have
                .words()
                .iter()
                .zip(p.have.words().iter().zip(p.started.words()))
                .enumerate()
            {
                all[k] |= x;
                if faster {
                    fast[k] |= x;
                    held += (x & !h & !st).count_ones();
                }
            }
            if faster {
                deliverable += ((t_origin_s - busy_s) * rate / piece_bits).min(f64::from(held));
            }
        }
        // 1. A piece no unchoking peer holds (what `peers-first` takes); 2. a piece only
        // slower peers hold.
        let mut pick = self.pick_masked(d, &masks[..words], false);
        if pick.is_none() {
            pick = self.pick_masked(d, &masks[words..], false);
        }
        if pick.is_none() {
            // 3. Every piece left is held by a faster peer: take one only if they cannot
            // deliver them all before the origin would deliver it.
            let p = &self.peers[d as usize];
            let left = self.pieces_of(d) - p.have_count - p.started_count + p.partial.len() as u32;
            if f64::from(left) > deliverable {
                masks.iter_mut().for_each(|w| *w = 0);
                pick = self.pick_masked(d, &masks[..words], false);
            }
        }
        self.scratch_words = masks;
        pick
    }

    /// `web-seed` endgame: every missing piece of `d` is in flight. Take over, from the
    /// origin, the part of the peer flow that would finish last which lets both parts
    /// finish together (module docs), if it is at least one block.
    fn origin_endgame_split(&mut self, d: PeerId) {
        let p = &self.peers[d as usize];
        if p.started_count + p.have_count != self.pieces_of(d) || !p.partial.is_empty() {
            return;
        }
        let rtt_s = self.rtt.as_secs_f64();
        let mut slowest: Option<(f64, usize)> = None;
        for ci in 0..p.conns.len() {
            if p.conns[ci].down_flow.is_none() {
                continue;
            }
            let (_, finish_s) = self.conn_rate_estimate(d, ci);
            if slowest.is_none_or(|(t, _)| finish_s > t) {
                slowest = Some((finish_s, ci));
            }
        }
        let Some((finish_s, ci)) = slowest else {
            return;
        };
        let (rate, _) = self.conn_rate_estimate(d, ci);
        let Some(f) = self.peers[d as usize].conns[ci].down_flow else {
            return;
        };
        let left = (self.flows[f as usize].bytes as f64 - self.flow_done_now(f)).floor() as u64;
        let r_o = self.origin_rate_estimate(d);
        let give_bits = if finish_s.is_finite() && rate > 0.0 {
            (finish_s - rtt_s) / (1.0 / rate + 1.0 / r_o)
        } else {
            f64::INFINITY
        };
        // The peer keeps the rest of the block it is sending (at least one byte).
        let max_give = left.saturating_sub(1) / BLOCK_BYTES * BLOCK_BYTES;
        let give = if give_bits.is_finite() {
            ((give_bits / 8.0 / BLOCK_BYTES as f64).floor().max(0.0) as u64 * BLOCK_BYTES)
                .min(max_give)
        } else {
            max_give
        };
        if give < BLOCK_BYTES {
            return;
        }
        self.catch_up(f);
        let piece = self.flows[f as usize].piece;
        self.flows[f as usize].bytes -= give;
        self.retime(f);
        let cap = self.origin_per_conn_bps();
        self.open_origin_flow(d, piece, 0, Some(give), cap);
    }

    /// `peers-first`: can the peers unchoking `d` not deliver, within `client.peer_wait`,
    /// all the pieces `d` still has to request that they hold? Each unchoking peer u sends
    /// about `wait × up(u) / unchoked(u) / piece bits` pieces in that time (its upload
    /// shared by the peers it unchokes). False when the wait is "forever".
    fn unchokers_too_slow(&mut self, d: PeerId) -> bool {
        let Some(wait) = self.client.peer_wait else {
            return false;
        };
        let piece_bits = self.content_of(d).piece_size_bytes as f64 * 8.0;
        let mut mask = std::mem::take(&mut self.scratch_words);
        mask.clear();
        mask.resize(self.peers[d as usize].have.words().len(), 0);
        let mut deliverable = 0.0;
        for c in self.peers[d as usize]
            .conns
            .iter()
            .filter(|c| !c.they_choke)
        {
            let u = &self.peers[c.peer as usize];
            let unchoked = u.regular_unchoked as usize + u.optimistic_unchoked as usize;
            deliverable += wait.as_secs_f64() * u.up_bps / unchoked.max(1) as f64 / piece_bits;
            for (w, &x) in mask.iter_mut().zip(u.shown_words(d)) {
                *w |= x;
            }
        }
        let p = &self.peers[d as usize];
        let wanted: u32 = mask
            .iter()
            .zip(p.have.words().iter().zip(p.started.words()))
            .map(|(&m, (&h, &s))| (m & !h & !s).count_ones())
            .sum();
        self.scratch_words = mask;
        f64::from(wanted) > deliverable
    }

    /// The piece `d` asks the origin for: a partial piece first, then the first (if
    /// `in_order`) or the rarest missing, unrequested piece that `covered` does not exclude.
    fn pick_origin_piece(
        &mut self,
        d: PeerId,
        covered: Covered,
        in_order: bool,
    ) -> Option<(u32, u64)> {
        let mut mask = std::mem::take(&mut self.scratch_words);
        let words = self.peers[d as usize].have.words().len();
        mask.clear();
        mask.resize(words, 0);
        if covered != Covered::Nothing {
            for c in &self.peers[d as usize].conns {
                let q = &self.peers[c.peer as usize];
                // A neighbour covers a piece if it could send it: unchoking us
                // (peers-first), or merely able to upload at all (fallback).
                let can_serve = match covered {
                    Covered::ByUnchokers => !c.they_choke,
                    _ => q.up_bps > 0.0,
                };
                if can_serve {
                    for (w, &x) in mask.iter_mut().zip(q.shown_words(d)) {
                        *w |= x;
                    }
                }
            }
        }
        let result = self.pick_masked(d, &mask, in_order);
        self.scratch_words = mask;
        result
    }

    /// A partial piece first, then the first (if `in_order`) or the rarest missing,
    /// unrequested piece of `d` outside `mask` (ties at random); marks it started.
    fn pick_masked(&mut self, d: PeerId, mask: &[u64], in_order: bool) -> Option<(u32, u64)> {
        let p = &mut self.peers[d as usize];
        let mut result = None;
        if let Some(k) = p
            .partial
            .iter()
            .position(|&(x, _)| mask[(x >> 6) as usize] >> (x & 63) & 1 == 0)
        {
            result = Some(p.partial.swap_remove(k));
        } else {
            let mut pick = LowestPick::default();
            let pieces = self.piece_counts[p.content as usize];
            if p.avail.is_indexed() && !in_order {
                let (have, started) = (p.have.words(), p.started.words());
                let last = (pieces as usize).div_ceil(64);
                let tail = match pieces % 64 {
                    0 => !0,
                    r => (1u64 << r) - 1,
                };
                let cand = |w: usize| {
                    let c = !have[w] & !started[w] & !mask[w];
                    if w + 1 == last {
                        c & tail
                    } else {
                        c
                    }
                };
                let best = p.avail.pick_rarest(0, &mut p.rng, last, cand);
                if let Some(best) = best {
                    p.started.insert(best);
                    p.started_count += 1;
                    p.avail.unwant(best);
                }
                return best.map(|b| (b, 0));
            }
            'words: for (w, ((&h, &s), &m)) in p
                .have
                .words()
                .iter()
                .zip(p.started.words())
                .zip(mask)
                .enumerate()
            {
                let cand = !h & !s & !m;
                if in_order {
                    if cand != 0 {
                        let i = (w * 64) as u32 + cand.trailing_zeros();
                        if i < pieces {
                            pick.offer(i, 0, &mut p.rng);
                        }
                        break 'words;
                    }
                    continue;
                }
                let (rng, avail) = (&mut p.rng, &p.avail);
                for_each_bit(cand, (w * 64) as u32, |i| {
                    if i < pieces {
                        pick.offer(i, avail.get(i), rng);
                    }
                });
            }
            if let Some(best) = pick.get() {
                p.started.insert(best);
                p.started_count += 1;
                p.avail.unwant(best);
                result = Some((best, 0));
            }
        }
        result
    }
}
