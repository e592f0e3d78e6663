//! Users' patience: abandoning a download, and coming back to restart it.
//!
//! A user waits for a download with an exponential patience of mean 1/θ
//! (`client.abort_rate`), as in the Qiu–Srikant fluid model's abort rate θ. The patience
//! runs only while the user is waiting: while the download is in progress with the machine
//! on. A machine that is off does not make its user give up (nobody watches a download
//! while the computer is off); the clock resumes where it stopped when the machine is back.
//!
//! When the patience runs out the download is abandoned. With probability
//! `client.restart_share` the user comes back after `client.restart_after` and starts the
//! download again from the content page, as the 2007 BitTorrent DNA trial reports
//! ("aborted and restarted downloads"). A restart either resumes from the pieces the
//! abandoned attempt completed (`client.restart_resumes = true`: a client that keeps its
//! cache) or starts over (a browser download cancelled and clicked again): the abandoned
//! bytes are then wasted, which is what makes the bytes served exceed the copies
//! delivered. Each attempt draws a fresh patience.

use super::{draw_seed_time, Event, Simulation};
use crate::peer::{PeerId, PeerState};
use crate::time::SimDuration;

impl Simulation {
    /// The user of `p` is waiting from now: the patience left starts running.
    pub(super) fn start_waiting(&mut self, p: PeerId) {
        let now = self.now;
        let peer = &mut self.peers[p as usize];
        let Some(left) = peer.patience else {
            return;
        };
        if peer.state != PeerState::Leeching || !peer.online {
            return;
        }
        peer.waiting_since = now;
        let at = now.after(left);
        peer.abandon_at = Some(at);
        self.queue.push(at, Event::Abandon(p));
    }

    /// The machine of `p` switched off: the patience stops running.
    pub(super) fn stop_waiting(&mut self, p: PeerId) {
        let now = self.now;
        let peer = &mut self.peers[p as usize];
        if peer.abandon_at.is_none() {
            return;
        }
        if let Some(left) = peer.patience {
            let waited = now.since(peer.waiting_since);
            peer.patience = Some(SimDuration(left.0.saturating_sub(waited.0)));
        }
        peer.abandon_at = None;
    }

    /// The user of `p` gives up the download. Its completed pieces are wasted unless a
    /// restart will resume from them.
    pub(super) fn abandon(&mut self, p: PeerId) {
        let restart_share = self.client.restart_share;
        let restarts =
            restart_share > 0.0 && self.peers[p as usize].abort_rng.unit_f64() < restart_share;
        let resumes = restarts && self.client.restart_resumes;
        let peer = &mut self.peers[p as usize];
        peer.aborted = true;
        peer.abandon_at = None;
        peer.patience = None;
        if resumes {
            peer.kept = Some(peer.have.clone());
        } else {
            let content = &self.contents[peer.content as usize];
            let have: u64 = (0..content.piece_count())
                .filter(|&i| peer.have.contains(i))
                .map(|i| content.piece_bytes(i))
                .sum();
            self.abandoned_bytes += have;
        }
        self.depart(p);
        if restarts {
            let after = &self.client.restart_after;
            let delay = draw_seed_time(after, &mut self.peers[p as usize].abort_rng)
                .unwrap_or(SimDuration::ZERO)
                .max(SimDuration(1));
            self.pending_restarts += 1;
            self.queue.push(self.now.after(delay), Event::Restart(p));
        }
    }

    /// The user of `p` comes back to the content page and starts the download again.
    pub(super) fn on_restart(&mut self, p: PeerId) {
        self.pending_restarts -= 1;
        let peer = &mut self.peers[p as usize];
        debug_assert_eq!(peer.state, PeerState::Departed);
        peer.aborted = false;
        peer.restarts += 1;
        self.begin_download(p);
    }
}
