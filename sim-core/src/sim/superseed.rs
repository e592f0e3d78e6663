//! BEP 16 super-seeding (`[[seeds]] super_seeding = true`).
//!
//! BEP 16 (John Hoffman, after BitTornado's S-5.5): a seed in super-seed mode "masquerades
//! as a normal client with no data". As peers connect it tells each one (HAVE) that it has
//! received a piece — one never sent before or, once all were sent, a very rare one — so
//! the peer downloads only that piece from it. It tells the peer of no other piece "until
//! it has seen the piece it had sent previously present on at least one other client".
//! The seed thus spends its upload on distinct pieces and on peers that pass them on; the
//! BEP reports a torrent spawning its first seeds after the super-seed uploaded about 105%
//! of the file, against 150–200% for a normal seed.
//!
//! Model, at the level of this simulator (whole pieces, connection state):
//! - Each neighbour of a super-seed sees only the pieces the seed has shown it ([`Shown`]):
//!   its interest in the seed, its availability counts (rarest-first), what it may request
//!   and what the origin policies count as held by its unchokers all use that set
//!   ([`Peer::shown_words`](crate::peer::Peer::shown_words)).
//! - Which piece to show (libtorrent's `torrent::get_piece_to_super_seed`): among the
//!   pieces the peer lacks and was not shown, the one held by the fewest of the seed's
//!   neighbours, a piece currently offered to another neighbour counting as very common,
//!   ties at random. A piece nobody holds or was offered comes first ("never sent").
//! - When to show the next one: libtorrent's default (`strict_super_seeding = false`): the
//!   seed sees its neighbours' HAVE messages, and a peer that announces the piece it was
//!   offered is shown a new one. BEP 16's strict rule waits until the piece is also on
//!   another neighbour of the seed; it stalls for good when the receivers never pass
//!   pieces on (peers that upload nothing, NATed peers that cannot reach each other), so
//!   the deployed default is modelled. Distinct pieces still go to distinct peers (a piece
//!   offered elsewhere counts as very common when choosing).
//! - One piece at a time, as BEP 16 describes (libtorrent keeps two offers per peer).
//! - Super-seeding lasts the seed's whole life; completed peers seed normally. Choking is
//!   the seed choker's (`protocol.seed_choking`), over the peers interested in the seed,
//!   i.e. those with an offered piece still to fetch.

use super::swarm::pair;
use super::Simulation;
use crate::bitset::{for_each_bit, BitSet};
use crate::peer::{PeerId, PeerState, Shown};
use crate::pick::LowestPick;

/// Availability given to a piece currently offered to another neighbour (libtorrent: 999).
const OFFERED_ELSEWHERE: u16 = 999;

impl Simulation {
    /// Super-seed `s` and peer `d` just connected: show `d` its first piece.
    pub(super) fn super_seed_connect(&mut self, s: PeerId, d: PeerId) {
        if self.peers[d as usize].state != PeerState::Leeching {
            return;
        }
        let pieces = self.pieces_of(s);
        let shown = Shown {
            pieces: BitSet::new(pieces),
            offer: None,
        };
        if let Some(ss) = self.peers[s as usize].super_seed.as_mut() {
            ss.shown.insert(d, shown);
        }
        self.super_seed_offer(s, d);
    }

    /// `s` and `d` are disconnecting: if `s` is a super-seed, forget what it showed `d`.
    /// Call after `d`'s availability has been uncounted.
    pub(super) fn super_seed_disconnect(&mut self, s: PeerId, d: PeerId) {
        if let Some(ss) = self.peers[s as usize].super_seed.as_mut() {
            ss.shown.remove(&d);
        }
    }

    /// Super-seed `s` shows neighbour `d` a new piece (HAVE), if `d` lacks any it was not
    /// shown; `d` counts it, becomes interested and requests it when unchoked.
    fn super_seed_offer(&mut self, s: PeerId, d: PeerId) {
        let pieces = self.pieces_of(s) as usize;
        let mut count = vec![0u16; pieces];
        {
            let sp = &self.peers[s as usize];
            let Some(ss) = sp.super_seed.as_ref() else {
                return;
            };
            for c in &sp.conns {
                let q = &self.peers[c.peer as usize];
                for (w, &bits) in q.have.words().iter().enumerate() {
                    for_each_bit(bits, (w * 64) as u32, |i| {
                        count[i as usize] = count[i as usize].saturating_add(1)
                    });
                }
                if c.peer != d {
                    if let Some(i) = ss.shown.get(&c.peer).and_then(|x| x.offer) {
                        count[i as usize] = OFFERED_ELSEWHERE;
                    }
                }
            }
        }
        let (sp, dp) = pair(&mut self.peers, s as usize, d as usize);
        if dp.state != PeerState::Leeching {
            return;
        }
        let Some(ss) = sp.super_seed.as_mut() else {
            return;
        };
        let Some(shown) = ss.shown.get_mut(&d) else {
            return;
        };
        let mut pick = LowestPick::default();
        for (i, &n) in count.iter().enumerate() {
            let i = i as u32;
            if !dp.have.contains(i) && !shown.pieces.contains(i) {
                pick.offer(i, n, &mut sp.rng);
            }
        }
        let Some(piece) = pick.get() else {
            shown.offer = None;
            return;
        };
        shown.pieces.insert(piece);
        shown.offer = Some(piece);
        // d receives the HAVE.
        let Some(ci) = dp.conn_to(s) else {
            return;
        };
        let rev = dp.conns[ci].rev as usize;
        if crate::pick::Rarity::counts_piece(&dp.have, piece) {
            dp.avail.inc(piece);
        }
        dp.conns[ci].lacking += 1;
        if dp.conns[ci].lacking == 1 {
            self.on_interested(s, rev);
        }
        self.try_request(d, ci, false);
    }

    /// Leecher `d` announced `piece` (HAVE) to its neighbours: every super-seed among them
    /// that had offered `piece` to `d` shows `d` a new piece.
    pub(super) fn super_seeds_see_have(&mut self, d: PeerId, piece: u32) {
        let seeds: Vec<PeerId> = self.peers[d as usize]
            .conns
            .iter()
            .map(|c| c.peer)
            .filter(|&q| self.peers[q as usize].super_seed.is_some())
            .collect();
        for s in seeds {
            let offered = self.peers[s as usize]
                .super_seed
                .as_ref()
                .and_then(|ss| ss.shown.get(&d))
                .and_then(|x| x.offer);
            if offered == Some(piece) {
                self.super_seed_offer(s, d);
            }
        }
    }
}
