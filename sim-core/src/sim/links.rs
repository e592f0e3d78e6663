//! Where the engine's links sit among the [`Network`](crate::network::Network)'s resources.
//!
//! Every peer has an upload link and a download link, and the origin one egress link. With
//! `n` peers, peer `p`'s upload link is resource `2p`, its download link `2p + 1`, and the
//! origin's egress comes after every peer's, at `2n`. This module is the only place that
//! knows the layout. Keep it: the max-min fill orders its work by resource index, so a
//! different layout may round differently and move the pinned digests.

use crate::network::ResourceId;
use crate::peer::{Peer, PeerId};

/// The sender of a flow: the origin or a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// The HTTP origin (its egress link).
    Origin,
    /// A peer (its upload link).
    Peer(PeerId),
}

/// The resource ids of the links of a run with a fixed number of peers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Links {
    origin: ResourceId,
}

impl Links {
    /// The layout for `peer_count` peers.
    pub(crate) fn new(peer_count: usize) -> Links {
        Links {
            origin: (2 * peer_count) as ResourceId,
        }
    }

    /// Peer `p`'s upload link.
    pub(crate) fn up(p: PeerId) -> ResourceId {
        2 * p
    }

    /// Peer `p`'s download link.
    pub(crate) fn down(p: PeerId) -> ResourceId {
        2 * p + 1
    }

    /// The link a flow from `src` leaves by.
    pub(crate) fn sender(self, src: Source) -> ResourceId {
        match src {
            Source::Origin => self.origin,
            Source::Peer(p) => Links::up(p),
        }
    }

    /// Capacity of every link in resource order, bits/s: each peer's upload and download
    /// caps, then the origin's capacity.
    pub(crate) fn capacities(self, peers: &[Peer], origin_bps: f64) -> Vec<f64> {
        debug_assert_eq!(Links::new(peers.len()).origin, self.origin);
        let mut caps = Vec::with_capacity(2 * peers.len() + 1);
        for p in peers {
            caps.push(p.up_bps);
            caps.push(p.down_bps);
        }
        caps.push(origin_bps);
        caps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_puts_the_origin_after_every_peer() {
        let links = Links::new(3);
        assert_eq!((Links::up(0), Links::down(0)), (0, 1));
        assert_eq!((Links::up(2), Links::down(2)), (4, 5));
        assert_eq!(links.sender(Source::Origin), 6);
        assert_eq!(links.sender(Source::Peer(1)), 2);
    }
}
