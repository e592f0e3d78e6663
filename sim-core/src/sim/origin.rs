//! The HTTP origin as a web seed (BEP 19): a client asks the origin, with HTTP range
//! requests, for pieces that no peer currently unchoking it holds, so the origin fills in
//! what the swarm cannot give soon. Up to `requests_per_client` requests are open at once;
//! each costs a round trip. With the `http-only` policy the client has no peers and fetches
//! every piece from the origin.

use super::{Simulation, ORIGIN};
use crate::bitset::for_each_bit;
use crate::peer::{PeerId, PeerState};

impl Simulation {
    /// Open origin requests for `d` while it has room and a piece qualifies.
    pub(super) fn try_origin(&mut self, d: PeerId) {
        if self.origin_cap_bps <= 0.0 {
            return;
        }
        let max = self.s.origin.requests_per_client as usize;
        while self.peers[d as usize].state == PeerState::Leeching
            && self.peers[d as usize].origin_flows.len() < max
        {
            let Some((piece, offset)) = self.pick_origin_piece(d) else {
                return;
            };
            let f = self.request_flow(ORIGIN, d, piece, offset, false);
            self.peers[d as usize].origin_flows.push(f);
        }
    }

    /// The piece `d` asks the origin for: a partial piece first, then the rarest missing,
    /// unrequested piece that no unchoking neighbour holds.
    fn pick_origin_piece(&mut self, d: PeerId) -> Option<(u32, u64)> {
        // Pieces some neighbour that unchokes d can give.
        let mut covered = std::mem::take(&mut self.scratch_words);
        let words = self.peers[d as usize].have.words().len();
        covered.clear();
        covered.resize(words, 0);
        for c in &self.peers[d as usize].conns {
            if !c.they_choke {
                for (w, &x) in covered
                    .iter_mut()
                    .zip(self.peers[c.peer as usize].have.words())
                {
                    *w |= x;
                }
            }
        }
        let p = &mut self.peers[d as usize];
        let mut result = None;
        if let Some(k) = p
            .partial
            .iter()
            .position(|&(x, _)| covered[(x >> 6) as usize] >> (x & 63) & 1 == 0)
        {
            result = Some(p.partial.swap_remove(k));
        } else {
            let mut best = u32::MAX;
            let mut best_avail = u16::MAX;
            let mut ties = 0u64;
            for (w, ((&h, &s), &cv)) in p
                .have
                .words()
                .iter()
                .zip(p.started.words())
                .zip(&covered)
                .enumerate()
            {
                let (rng, avail) = (&mut p.rng, &p.avail);
                for_each_bit(!h & !s & !cv, (w * 64) as u32, |i| {
                    if i >= avail.len() as u32 {
                        return;
                    }
                    let a = avail[i as usize];
                    if a < best_avail {
                        best_avail = a;
                        best = i;
                        ties = 1;
                    } else if a == best_avail {
                        ties += 1;
                        if rng.below(ties) == 0 {
                            best = i;
                        }
                    }
                });
            }
            if best != u32::MAX {
                p.started.insert(best);
                p.started_count += 1;
                result = Some((best, 0));
            }
        }
        self.scratch_words = covered;
        result
    }
}
