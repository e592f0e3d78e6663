//! One leecher's story ([`PeerRecord`]): what the engine's [`Peer`] leaves behind for the
//! report and `peers.csv`.

use serde::Serialize;

use crate::peer::Peer;
use crate::time::SimTime;

/// One leecher's story.
#[derive(Debug, Clone, Serialize)]
pub struct PeerRecord {
    /// Content index.
    pub content: u32,
    /// Class index.
    pub class: u16,
    /// The user abandoned the download.
    pub aborted: bool,
    /// Has the P2P client.
    pub p2p: bool,
    /// Behind a NAT.
    pub nat: bool,
    /// Upload cap, bits/s (0 if not uploading).
    pub up_bps: f64,
    /// Download cap, bits/s.
    pub down_bps: f64,
    /// Arrival time (the first start of the download).
    pub arrival: SimTime,
    /// Start of the last attempt (the arrival, or the last restart).
    pub attempt_start: SimTime,
    /// Times the user restarted the download after abandoning it.
    pub restarts: u32,
    /// Completion time ([`SimTime::NEVER`] if it did not complete).
    pub completion: SimTime,
    /// Bytes received from the origin.
    pub down_origin_bytes: u64,
    /// Bytes received from peers.
    pub down_peer_bytes: u64,
    /// Bytes uploaded to peers.
    pub up_bytes: u64,
    /// Bytes received and thrown away.
    pub wasted_bytes: u64,
}

impl PeerRecord {
    /// The record of a leecher at the end of the run.
    pub fn of(p: &Peer) -> PeerRecord {
        PeerRecord {
            content: p.content,
            class: p.class,
            aborted: p.aborted,
            p2p: p.p2p,
            nat: p.nat,
            up_bps: p.up_bps,
            down_bps: p.down_bps,
            arrival: p.arrival,
            attempt_start: p.attempt_start,
            restarts: p.restarts,
            completion: p.completion,
            down_origin_bytes: p.down_origin_bytes,
            down_peer_bytes: p.down_peer_bytes,
            up_bytes: p.up_bytes,
            wasted_bytes: p.wasted_bytes,
        }
    }

    /// Download time in seconds, if completed: from the start of the attempt that
    /// completed (the arrival, or the last restart) to its completion.
    pub fn download_time_s(&self) -> Option<f64> {
        (self.completion != SimTime::NEVER)
            .then(|| self.completion.since(self.attempt_start).as_secs_f64())
    }

    /// Completed.
    pub fn completed(&self) -> bool {
        self.completion != SimTime::NEVER
    }

    /// Still downloading when the run ended: neither completed nor abandoned.
    pub fn unfinished(&self) -> bool {
        !self.completed() && !self.aborted
    }

    /// Bytes received from any source.
    pub fn received_bytes(&self) -> u64 {
        self.down_origin_bytes + self.down_peer_bytes
    }
}
