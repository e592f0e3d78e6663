//! Online/offline sessions of the users' machines (`[sessions]`).
//!
//! A user starts a download with the machine on; it stays on for an `online` period, then
//! is off for an `offline` period (the return instant thinned by the diurnal profile, so
//! machines come back mostly in the busy hours of their time zone), and so on. Going
//! offline closes every connection (partial pieces are kept), drops origin requests and
//! leaves the tracker; coming back rejoins the tracker, reconnects and resumes. A completed
//! client keeps serving from its cache, within `client.seed_upload`, whenever its machine
//! is on, until its seeding time (`client.seed_time`, counted from completion) ends — the
//! way the BitTorrent DNA client served in the background.

use super::{draw_seed_time, Event, Simulation};
use crate::peer::{PeerId, PeerState};
use crate::scenario::Policy;
use crate::time::{SimDuration, SimTime};

impl Simulation {
    /// Start the session of `p`, which just arrived online.
    pub(super) fn start_session(&mut self, p: PeerId) {
        let Some(sessions) = &self.sessions else {
            return;
        };
        let class = self.peers[p as usize].class;
        if self.always_on_class.get(class as usize) == Some(&true) {
            return;
        }
        if let Some(d) = draw_seed_time(&sessions.online, &mut self.peers[p as usize].session_rng) {
            self.peers[p as usize].session_alive = true;
            self.queue
                .push(self.now.after(d.max(SimDuration(1))), Event::GoOffline(p));
        }
    }

    /// The machine of `p` switches off.
    pub(super) fn on_go_offline(&mut self, p: PeerId) {
        if !self.peers[p as usize].is_active() || !self.peers[p as usize].online {
            // The machine's session chain ends with the download (a restart begins anew).
            self.peers[p as usize].session_alive = false;
            return;
        }
        // A sleeping rechoke chain runs on: its next tick finds the machine off and ends it
        // (as a running chain's would), unless the machine is back by then.
        self.wake_rechoke(p);
        self.peers[p as usize].online = false;
        if self.peers[p as usize].state == PeerState::Leeching {
            self.stop_waiting(p);
            self.offline_leechers += 1;
        } else {
            self.offline_seeds += 1;
        }
        while let Some(c) = self.peers[p as usize].conns.last() {
            let q = c.peer;
            self.disconnect(p, q);
        }
        let origin_flows = std::mem::take(&mut self.peers[p as usize].origin_flows);
        for f in origin_flows {
            self.cancel_flow(f, true);
        }
        self.tracker_of(p).leave(p);
        let wake = self.wake_time(p);
        self.queue.push(wake, Event::GoOnline(p));
    }

    /// The machine of `p` is back: rejoin, reconnect, resume.
    pub(super) fn on_go_online(&mut self, p: PeerId) {
        if !self.peers[p as usize].is_active() {
            self.peers[p as usize].session_alive = false;
            return;
        }
        self.peers[p as usize].online = true;
        let seeding = self.peers[p as usize].state == PeerState::Seeding;
        if seeding {
            self.offline_seeds -= 1;
        } else {
            self.offline_leechers -= 1;
        }
        if self.policy_of(p) != Policy::HttpOnly {
            self.tracker_of(p).join(p, seeding);
            let peer = &mut self.peers[p as usize];
            if !peer.rechoke_alive {
                peer.rechoke_alive = true;
                let phase = peer.rng.below(self.protocol.rechoke_interval.0.max(1));
                self.queue
                    .push(self.now.after(SimDuration(phase)), Event::Rechoke(p));
            }
            if !seeding && !self.peers[p as usize].announce_alive {
                self.peers[p as usize].announce_alive = true;
                self.queue.push(
                    self.now.after(self.tracker_spec.announce_interval),
                    Event::Announce(p, true),
                );
            }
            self.peers[p as usize].last_announce = self.now;
            self.connect_from_tracker(p);
        }
        if !seeding {
            self.start_waiting(p);
            self.try_origin(p);
        }
        self.start_session(p);
    }

    /// When the machine of `p`, off from now, comes back: an offline period, kept with
    /// probability w[local hour] / max(w) under a diurnal profile, else another follows.
    fn wake_time(&mut self, p: PeerId) -> SimTime {
        let sessions = self.sessions.as_ref().expect("sessions configured");
        let (offline, offset) = (&sessions.offline, sessions.utc_offset_hours);
        let profile = sessions.diurnal.as_deref().copied();
        let max_w = profile.map_or(1.0, |w| w.iter().copied().fold(0.0, f64::max));
        let rng = &mut self.peers[p as usize].session_rng;
        let mut t = self.now;
        loop {
            let d = draw_seed_time(offline, rng).unwrap_or(SimDuration::from_secs(3600));
            t = t.after(d.max(SimDuration(1)));
            let Some(w) = profile else {
                return t;
            };
            let hour = (t.as_secs_f64() / 3600.0 + offset).rem_euclid(24.0) as usize % 24;
            if rng.unit_f64() * max_w < w[hour] {
                return t;
            }
        }
    }
}
