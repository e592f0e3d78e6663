//! The HTTP origin and the hybrid policies that decide when a client uses it.
//!
//! A client fetches pieces from the origin with HTTP range requests, up to
//! `requests_per_client` at once, each costing a round trip, each capped at the origin's
//! per-connection throughput. Which piece, and whether at all, depends on the policy:
//!
//! | policy | uses the origin for | source |
//! | --- | --- | --- |
//! | `web-seed` | pieces no peer currently unchoking the client holds; and, when those peers cannot deliver all the pieces they hold within `client.peer_wait`, their pieces too | BEP 19 (web seeding): origin and peers at once |
//! | `fallback` | pieces no neighbour able to upload holds | P2P first, origin as last resort |
//! | `rate-target` | the shortfall between a target rate and what peers gave over the last rechoke period (the flow is capped at the shortfall) | BitTorrent DNA per-object QoS |
//! | `http-first` | the first K pieces (in order) or the first T seconds, peers unused; then as `fallback` | fast start of P2P CDNs |
//! | `http-only` | everything, in order; no peers | the baseline |
//!
//! Among qualifying pieces a client takes a partial piece first, then the rarest among
//! its neighbours (so the origin injects what the swarm lacks), ties at random; `http-only`
//! and the start of `http-first` go in file order, as a plain HTTP download does.

use super::{Simulation, ORIGIN};
use crate::bitset::for_each_bit;
use crate::peer::{PeerId, PeerState};
use crate::pick::LowestPick;
use crate::scenario::Policy;

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

    /// Open origin requests for `d` while it has room and its policy wants one.
    pub(super) fn try_origin(&mut self, d: PeerId) {
        if self.origin_cap_bps <= 0.0 || !self.peers[d as usize].online {
            return;
        }
        let per_conn = match self.s.origin.per_connection_bps {
            u64::MAX => f64::INFINITY,
            c => c as f64,
        };
        let max = self.s.origin.requests_per_client as usize;
        while self.peers[d as usize].state == PeerState::Leeching
            && self.peers[d as usize].origin_flows.len() < max
        {
            let policy = self.policy_of(d);
            let (covered, in_order, cap) = match policy {
                Policy::HttpOnly => (Covered::Nothing, true, per_conn),
                Policy::WebSeed => (Covered::ByUnchokers, false, per_conn),
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
                // web-seed takes what its unchoking peers hold when they are too slow.
                let spill = match policy {
                    Policy::RateTarget => true,
                    Policy::WebSeed => self.unchokers_too_slow(d),
                    _ => false,
                };
                spill
                    .then(|| self.pick_origin_piece(d, Covered::Nothing, false))
                    .flatten()
            });
            let Some((piece, offset)) = pick else {
                return;
            };
            let f = self.request_flow(ORIGIN, d, piece, offset, false);
            self.flows[f as usize].cap_bps = cap;
            self.peers[d as usize].origin_flows.push(f);
        }
    }

    /// `web-seed`: can the peers unchoking `d` not deliver, within `client.peer_wait`, all
    /// the pieces `d` still has to request that they hold? Each unchoking peer u sends about
    /// `wait × up(u) / unchoked(u) / piece bits` pieces in that time (its upload shared by
    /// the peers it unchokes). False when the wait is "forever".
    fn unchokers_too_slow(&mut self, d: PeerId) -> bool {
        let Some(wait) = self.s.client.peer_wait else {
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
            let unchoked = u.regular_unchoked as usize
                + u.conns
                    .iter()
                    .filter(|x| x.my_unchoke == crate::peer::Unchoke::Optimistic)
                    .count();
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
                // A neighbour covers a piece if it could send it: unchoking us (web-seed),
                // or merely able to upload at all (fallback).
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
            'words: for (w, ((&h, &s), &m)) in p
                .have
                .words()
                .iter()
                .zip(p.started.words())
                .zip(&mask)
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
                        pick.offer(i, avail[i as usize], rng);
                    }
                });
            }
            if let Some(best) = pick.get() {
                p.started.insert(best);
                p.started_count += 1;
                result = Some((best, 0));
            }
        }
        self.scratch_words = mask;
        result
    }
}
