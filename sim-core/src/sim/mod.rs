//! The simulation engine: event loop, flows, and the wiring of peers, tracker and origin.
//!
//! ## Event order (deliberate and documented)
//! Time advances in integer microseconds. At each instant the engine first completes every
//! flow whose deadline is now (ties by flow id), then dispatches queued events in the order
//! they were scheduled (FIFO through a sequence number), repeating until nothing is left at
//! this instant; only then does it re-share bandwidth (once per instant) and move on.
//! Every dispatched event is folded into the run digest.
//!
//! ## Contents
//! A scenario may distribute a catalog of contents. Each content has its own swarm: its own
//! tracker (so peers of different contents never meet), piece count and policy; all of them
//! share the origin's egress and its bill. Peer ids run content by content (each content's
//! initial seeds, then its leechers in arrival order), so a tracker covers a range of ids.
//! Peer ids are positions, not identities: every random stream is keyed by a stable
//! identity instead (content name, group, ordinal: [`crate::rng`]), so adding a seed or a
//! content shifts ids but no one's draws.
//!
//! ## Flows
//! A flow carries one piece (or part of one: the rest of a partially received piece, or an
//! endgame share) from a peer or the origin to a leecher. It is requested first: its bytes
//! start one round trip (2 × latency) later, or at once when the request was pipelined
//! behind the previous piece from the same peer. Its rate is set by the max-min fair
//! [`Network`] (links laid out by `links.rs`); its completion is a deadline in a
//! [`TimerHeap`], rounded up to `network.time_quantum` (1 µs by default: no rounding) and
//! moved whenever its rate changes, so no stale events pile up. A deadline that comes due
//! is dispatched as `Event::FlowDone`. The code: `flows.rs`.

mod audience;
mod choking;
mod flows;
mod invariants;
mod links;
mod origin;
mod patience;
mod sessions;
mod superseed;
mod swarm;

use std::ops::ControlFlow;

use crate::bounds;
use crate::digest::Digest;
use crate::metrics::Recorder;
use crate::network::Network;
use crate::peer::{Peer, PeerId, PeerState};
use crate::queue::{EventQueue, TimerHeap};
use crate::report::{self, RunOutput, StopReason};
use crate::rng::{name_key, seed_stream_id, StreamKind, StreamRng};
use crate::scenario::{
    ClientSpec, ContentSpec, OriginSpec, Policy, PolicySpec, ProtocolSpec, Scenario, SeedTime,
    SessionSpec, TrackerSpec,
};
use crate::time::{SimDuration, SimTime};
use crate::tracker::Tracker;
use crate::workload::{self, Arrival};

pub use audience::{draw_audience, DrawnPeer};
pub(crate) use flows::{Flow, FlowState};
#[doc(hidden)]
pub use invariants::Fault;
pub use invariants::Violation;
pub(crate) use links::{Links, Source};

/// Download cap given to initial seeds (they never download).
const SEED_DOWN_BPS: f64 = 1e15;
/// Shortest time between two announces of the same peer (a tracker's "min interval").
const MIN_REANNOUNCE: SimDuration = SimDuration::from_secs(60);
/// How often the progress callback is called, in dispatched events: after the first
/// instant at which this many more events have been dispatched since the last call. A
/// call costs a few loads and the caller's check (a clock read, an atomic flag), so at
/// this cadence it is lost in the run's time while the caller hears from the run many
/// times a second. It never touches the digest.
const PROGRESS_EVERY: u64 = 1 << 10;

/// The engine's shortcuts: ways of computing the same run with less work. Each is on by
/// default; turned off, the engine does the plain computation, which is how
/// `tests/shortcuts.rs` proves each one changes no figure (only the event count and the
/// digest, which counts events).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortcuts {
    /// A seed that nobody wants anything from stops its rechoke timer until someone does
    /// (`choking.rs`, `wake_rechoke`): in long, quiet runs most rechokes are of such seeds.
    pub rechoke_sleep: bool,
}

impl Default for Shortcuts {
    fn default() -> Shortcuts {
        Shortcuts {
            rechoke_sleep: true,
        }
    }
}

/// What the engine dispatches. Every event but `FlowDone` goes through the event queue;
/// a flow's completion is a deadline in the timer heap (it moves with the flow's rate),
/// dispatched as `FlowDone` when it comes due.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    /// The `k`-th arrival of the workload.
    Arrive(u32),
    /// A requested flow's first byte arrives: the flow joins the network
    /// (flow id, generation of its slot).
    FlowStart(u32, u32),
    /// A flow's last byte arrives (from the timer heap, never queued).
    FlowDone(u32),
    /// Periodic choke/unchoke decision of a peer.
    Rechoke(PeerId),
    /// A peer announces to the tracker (`true` = the periodic announce).
    Announce(PeerId, bool),
    /// A seed leaves.
    Depart(PeerId),
    /// The time-based start phase of `http-first` ends: the peer turns to its peers.
    StartPhaseEnd(PeerId),
    /// The peer's machine switches off.
    GoOffline(PeerId),
    /// The peer's machine is back on.
    GoOnline(PeerId),
    /// The user's patience runs out: the download is abandoned if it is still waited for
    /// (stale unless it is the peer's `abandon_at`).
    Abandon(PeerId),
    /// A user who abandoned the download comes back and starts it again.
    Restart(PeerId),
}

impl Event {
    /// The word this event mixes into the run digest (after the instant): a kind number
    /// in the top byte, the arguments below it. Part of every pinned digest: never renumber.
    fn code(&self) -> u64 {
        match *self {
            Event::Arrive(k) => (1 << 56) | k as u64,
            Event::FlowStart(f, g) => (2 << 56) | ((g as u64) << 32) | f as u64,
            Event::FlowDone(f) => (6 << 56) | f as u64,
            Event::Rechoke(p) => (3 << 56) | p as u64,
            Event::Announce(p, periodic) => (4 << 56) | ((periodic as u64) << 32) | p as u64,
            Event::Depart(p) => (5 << 56) | p as u64,
            Event::StartPhaseEnd(p) => (7 << 56) | p as u64,
            Event::GoOffline(p) => (8 << 56) | p as u64,
            Event::GoOnline(p) => (9 << 56) | p as u64,
            Event::Abandon(p) => (10 << 56) | p as u64,
            Event::Restart(p) => (11 << 56) | p as u64,
        }
    }
}

/// Progress report passed to the caller's callback during a run.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Current simulated time.
    pub now: SimTime,
    /// The scenario's `max_time`: the run ends by `now == max_time` at the latest.
    pub max_time: SimDuration,
    /// Leechers that completed so far.
    pub completed: u32,
    /// Leechers that will arrive in total.
    pub expected: u32,
    /// Bytes of complete pieces delivered to leechers so far.
    pub delivered_bytes: u64,
    /// Bytes every arrival's download amounts to (arrivals × their content's size): what
    /// `delivered_bytes` reaches when every download completes.
    pub expected_bytes: u64,
    /// Events dispatched so far.
    pub events: u64,
}

impl Progress {
    /// Share of the run done, in [0, 1], and what it is measured by: the larger of
    /// simulated time over `max_time` and delivered over expected bytes. The run ends
    /// when either reaches 1 (abandoned downloads aside), so the larger is the honest
    /// estimate; the other one understates (a flash crowd ends long before a 30-day
    /// `max_time`, a Poisson run's last arrivals come near `max_time`).
    pub fn fraction(&self) -> (f64, ProgressMeasure) {
        let by_time = self.now.0 as f64 / self.max_time.0.max(1) as f64;
        let by_bytes = self.delivered_bytes as f64 / self.expected_bytes.max(1) as f64;
        if by_bytes >= by_time {
            (by_bytes.min(1.0), ProgressMeasure::Bytes)
        } else {
            (by_time.min(1.0), ProgressMeasure::SimulatedTime)
        }
    }
}

/// What [`Progress::fraction`] measured the run by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMeasure {
    /// Bytes delivered against the expected total.
    Bytes,
    /// Simulated time against `max_time`.
    SimulatedTime,
}

/// A running simulation of one scenario.
///
/// The engine's components read only the part of the scenario they model (the narrowed
/// specs below: choking reads `protocol`, the tracker code `tracker_spec`, patience and
/// seeding `client`, ...). The whole resolved [`Scenario`] is kept for the two ends of a
/// run: drawing the audience in [`Simulation::new`] and labelling the report in `finish`.
pub struct Simulation {
    /// The resolved scenario, read only by `new` and `finish`.
    scenario: Scenario,
    /// BitTorrent protocol parameters (choking, endgame, piece picking, connections).
    pub(crate) protocol: ProtocolSpec,
    /// Announce interval and peer-list size of every content's tracker.
    pub(crate) tracker_spec: TrackerSpec,
    /// Client behaviour: seeding after completion, patience, restarts, `peer_wait`.
    pub(crate) client: ClientSpec,
    /// The HTTP origin: per-connection cap and requests per client.
    pub(crate) origin: OriginSpec,
    /// The contents, in rank order (size, pieces, policy of each).
    pub(crate) contents: Vec<ContentSpec>,
    /// Online/offline sessions of the users' machines; `None` = always online.
    pub(crate) sessions: Option<SessionSpec>,
    /// Per access class: its machines never switch off (`always_on`).
    pub(crate) always_on_class: Vec<bool>,
    /// Flow deadlines are rounded up to this quantum.
    pub(crate) time_quantum: SimDuration,
    /// Hard stop of simulated time.
    max_time: SimDuration,
    /// Check the run's invariants as it goes (`invariants.rs`); the first violation stops it.
    pub(crate) check_invariants: bool,
    /// The run's seed (named by a violation).
    seed: u64,
    /// Which shortcuts the engine takes (all by default).
    pub(crate) shortcuts: Shortcuts,
    pub(crate) now: SimTime,
    pub(crate) queue: EventQueue<Event>,
    pub(crate) timers: TimerHeap,
    pub(crate) net: Network,
    pub(crate) peers: Vec<Peer>,
    pub(crate) flows: Vec<Flow>,
    free_flows: Vec<u32>,
    /// One tracker per content.
    pub(crate) trackers: Vec<Tracker>,
    arrivals: Vec<Arrival>,
    /// The peer id of each arrival.
    arrival_peer: Vec<PeerId>,
    pub(crate) initial_seeds: u32,
    /// Piece count of each content.
    pub(crate) piece_counts: Vec<u32>,
    pub(crate) rtt: SimDuration,
    /// Where each link sits among the network's resources.
    pub(crate) links: Links,
    pub(crate) origin_cap_bps: f64,
    pub(crate) metrics: Recorder,
    digest: Digest,
    events: u64,
    pub(crate) leechers: u32,
    pub(crate) seeds: u32,
    /// Of `leechers`, those whose machine is off (paused downloads).
    pub(crate) offline_leechers: u32,
    /// Of `seeds`, those whose machine is off.
    pub(crate) offline_seeds: u32,
    pub(crate) completed: u32,
    arrived: u32,
    /// Restarts scheduled and not yet happened (the run is not over while any remain).
    pending_restarts: u32,
    pub(crate) origin_up_bytes: u64,
    pub(crate) useful_bytes: u64,
    /// Bytes of complete pieces held by downloads that were abandoned.
    pub(crate) abandoned_bytes: u64,
    /// The first invariant violation; the run stopped there.
    violation: Option<Violation>,
    /// The event being dispatched (for a violation's report).
    dispatching: Option<invariants::Dispatched>,
    /// A fault to inject after so many events (invariant tests only).
    fault: Option<(Fault, u64)>,
    /// Flows that joined the network since the last re-share (checked for a zero rate).
    fresh_flows: Vec<u32>,
    /// Bytes recorded in the traffic figures by flows not yet ended: (origin, peers).
    running_recorded_bytes: [u64; 2],
    /// Bytes credited to uploading peers (initial seeds and leechers alike).
    peer_up_bytes: u64,
    changed: Vec<u32>,
    pub(crate) scratch_peers: Vec<PeerId>,
    pub(crate) scratch_flows: Vec<u32>,
    pub(crate) scratch_words: Vec<u64>,
    /// Choke ranking: (key, second key, random tie, connection index).
    pub(crate) scratch_rank: Vec<(u64, u64, u64, u32)>,
    max_component_flows: usize,
    /// Bytes of every arrival's download (the progress report's total).
    expected_bytes: u64,
}

/// Run `s` to the end.
pub fn run(s: &Scenario) -> RunOutput {
    Simulation::new(s.clone()).run(&mut |_| ControlFlow::Continue(()))
}

/// Run each seed of `seeds` on `s` in parallel (rayon); the results are in `seeds` order
/// and each is identical to a single-threaded run with that seed.
pub fn run_seeds(s: &Scenario, seeds: &[u64]) -> Vec<RunOutput> {
    use rayon::prelude::*;
    seeds
        .par_iter()
        .map(|&seed| {
            let mut sc = s.clone();
            sc.seed = seed;
            run(&sc)
        })
        .collect()
}

impl Simulation {
    /// Prepare a run: generate arrivals, place the initial seeds, schedule the first events.
    ///
    /// Peer ids go content by content: the content's initial seeds, then its leechers in
    /// arrival order, so each content's tracker covers a range of ids (with one content:
    /// the seeds, then every leecher in arrival order).
    pub fn new(s: Scenario) -> Simulation {
        let arrivals = workload::generate(&s);
        let initial_seeds: u32 = s.seeds.iter().map(|g| g.count).sum();
        let n = initial_seeds as usize + arrivals.len();
        let piece_counts: Vec<u32> = s.contents.iter().map(|c| c.piece_count()).collect();
        let mut peers = Vec::with_capacity(n);
        let mut arrival_peer = vec![0; arrivals.len()];
        let mut trackers = Vec::with_capacity(s.contents.len());
        for c in 0..s.contents.len() as u32 {
            let base = peers.len();
            let name = &s.contents[c as usize].name;
            for g in s.seeds.iter().filter(|g| g.content == c) {
                for j in 0..g.count {
                    let id = seed_stream_id(name, &g.name, u64::from(j));
                    let mut seed = Peer::new(
                        Peer::SEED_CLASS,
                        g.upload_bps as f64,
                        SEED_DOWN_BPS,
                        SimTime::ZERO,
                        StreamRng::new(s.seed, StreamKind::Peer, id),
                    );
                    seed.content = c;
                    seed.session_rng = StreamRng::new(s.seed, StreamKind::Session, id);
                    if g.super_seeding {
                        seed.super_seed = Some(Box::default());
                    }
                    peers.push(seed);
                }
            }
            for (k, a) in arrivals.iter().enumerate().filter(|(_, a)| a.content == c) {
                arrival_peer[k] = peers.len() as PeerId;
                peers.push(audience::draw_peer(&s, a));
            }
            trackers.push(Tracker::new(
                base as PeerId,
                peers.len() - base,
                StreamRng::new(s.seed, StreamKind::Tracker, name_key(name)),
            ));
        }
        let links = Links::new(n);
        let caps = links.capacities(&peers, s.origin.capacity_bps as f64);
        let mut sim = Simulation {
            now: SimTime::ZERO,
            queue: EventQueue::default(),
            timers: TimerHeap::default(),
            net: Network::new(caps),
            trackers,
            flows: Vec::new(),
            free_flows: Vec::new(),
            initial_seeds,
            piece_counts,
            rtt: SimDuration(2 * s.network.latency.0),
            links,
            origin_cap_bps: s.origin.capacity_bps as f64,
            metrics: Recorder::new(s.sample_interval.0, s.contents.len()),
            digest: Digest::default(),
            events: 0,
            leechers: 0,
            seeds: 0,
            offline_leechers: 0,
            offline_seeds: 0,
            completed: 0,
            arrived: 0,
            pending_restarts: 0,
            origin_up_bytes: 0,
            useful_bytes: 0,
            abandoned_bytes: 0,
            violation: None,
            dispatching: None,
            fault: None,
            fresh_flows: Vec::new(),
            running_recorded_bytes: [0; 2],
            peer_up_bytes: 0,
            changed: Vec::new(),
            scratch_peers: Vec::new(),
            scratch_flows: Vec::new(),
            scratch_words: Vec::new(),
            scratch_rank: Vec::new(),
            max_component_flows: 0,
            expected_bytes: arrivals
                .iter()
                .map(|a| s.contents[a.content as usize].size_bytes)
                .sum(),
            peers,
            arrivals,
            arrival_peer,
            protocol: s.protocol.clone(),
            tracker_spec: s.tracker.clone(),
            client: s.client.clone(),
            origin: s.origin.clone(),
            contents: s.contents.clone(),
            sessions: s.sessions.clone(),
            always_on_class: s.classes.iter().map(|c| c.always_on).collect(),
            time_quantum: s.network.time_quantum,
            max_time: s.max_time,
            check_invariants: s.check_invariants,
            seed: s.seed,
            shortcuts: Shortcuts::default(),
            scenario: s,
        };
        sim.net
            .set_tolerance(sim.scenario.network.fairness_tolerance);
        for p in 0..sim.peers.len() as PeerId {
            if sim.peers[p as usize].class == Peer::SEED_CLASS {
                sim.place_initial_seed(p);
            }
        }
        if !sim.arrivals.is_empty() {
            let at = sim.arrivals[0].at;
            sim.queue.push(at, Event::Arrive(0));
        }
        sim
    }

    /// Take only these shortcuts (tests compare a run with and without each).
    #[doc(hidden)]
    pub fn set_shortcuts(&mut self, shortcuts: Shortcuts) {
        self.shortcuts = shortcuts;
    }

    fn place_initial_seed(&mut self, p: PeerId) {
        let pieces = self.pieces_of(p);
        let peer = &mut self.peers[p as usize];
        peer.state = PeerState::Seeding;
        peer.have = crate::bitset::BitSet::full(pieces);
        peer.have_count = pieces;
        peer.completion = SimTime::ZERO;
        self.seeds += 1;
        if self.policy_of(p) != Policy::HttpOnly {
            self.tracker_of(p).join(p, true);
            let phase = self.peers[p as usize]
                .rng
                .below(self.protocol.rechoke_interval.0.max(1));
            self.queue.push(SimTime(phase), Event::Rechoke(p));
        }
    }

    /// Run to the end (no leecher left and no arrival pending, or the scenario's
    /// `max_time`), calling `progress` every ~1,000 events (after the first instant at
    /// which 1,024 more were dispatched) and once at the end.
    ///
    /// `progress` may stop the run by returning `ControlFlow::Break(reason)`: the run then
    /// ends at the current instant as a `max_time` cut would (the bytes in flight count,
    /// unfinished downloads are reported as such) and the summary's `stopped` field holds
    /// `reason`. The callback never changes what is simulated: a run it lets finish has
    /// the same digest and figures whatever it does.
    pub fn run(
        mut self,
        progress: &mut dyn FnMut(Progress) -> ControlFlow<StopReason>,
    ) -> RunOutput {
        let stop = SimTime::ZERO.after(self.max_time);
        let mut stopped = None;
        let mut next_call = PROGRESS_EVERY;
        loop {
            if self.finished() {
                break;
            }
            let next = match (self.queue.peek_time(), self.timers.peek()) {
                (None, None) => break,
                (Some(a), None) => a,
                (None, Some((b, _))) => b,
                (Some(a), Some((b, _))) => a.min(b),
            };
            if next > stop {
                stopped = Some(StopReason::MaxTime);
                self.metrics
                    .advance(self.now, stop, self.online_leechers(), self.online_seeds());
                self.now = stop;
                break;
            }
            if next > self.now {
                self.metrics
                    .advance(self.now, next, self.online_leechers(), self.online_seeds());
                self.now = next;
            }
            loop {
                if let Some((t, f)) = self.timers.peek() {
                    if t == self.now {
                        self.timers.remove(f);
                        self.dispatch(Event::FlowDone(f));
                        continue;
                    }
                }
                if self.queue.peek_time() == Some(self.now) {
                    let (_, ev) = self.queue.pop().expect("peeked");
                    self.dispatch(ev);
                    continue;
                }
                break;
            }
            self.reshare();
            if self.events >= next_call {
                next_call = self.events + PROGRESS_EVERY;
                if let ControlFlow::Break(reason) = progress(self.progress()) {
                    // A run with nothing left to do is complete, not stopped.
                    if !self.finished() {
                        stopped = Some(reason);
                    }
                    break;
                }
            }
        }
        // The last report; the run is over, so a request to stop changes nothing.
        let _ = progress(self.progress());
        self.finish(stopped)
    }

    /// Leechers in the swarm with their machine on (the time series' `active_leechers`).
    fn online_leechers(&self) -> u32 {
        self.leechers - self.offline_leechers
    }

    /// Seeds in the swarm with their machine on (the time series' `active_seeds`).
    fn online_seeds(&self) -> u32 {
        self.seeds - self.offline_seeds
    }

    fn progress(&self) -> Progress {
        Progress {
            now: self.now,
            max_time: self.max_time,
            completed: self.completed,
            expected: self.arrivals.len() as u32,
            delivered_bytes: self.useful_bytes,
            expected_bytes: self.expected_bytes,
            events: self.events,
        }
    }

    fn finished(&self) -> bool {
        self.leechers == 0
            && self.arrived as usize == self.arrivals.len()
            && self.pending_restarts == 0
    }

    /// Count `ev`, fold it into the run digest, and handle it; then check the invariants
    /// (`invariants.rs`: a violation empties the schedule, so the run stops).
    fn dispatch(&mut self, ev: Event) {
        self.events += 1;
        self.digest.add(self.now.0);
        self.digest.add(ev.code());
        self.before_event(ev);
        match ev {
            Event::Arrive(k) => self.on_arrive(k),
            Event::FlowStart(f, gen) => self.on_flow_start(f, gen),
            Event::FlowDone(f) => self.on_flow_done(f),
            Event::Rechoke(p) => self.on_rechoke(p),
            Event::Announce(p, periodic) => self.on_announce(p, periodic),
            Event::Depart(p) => self.depart(p),
            Event::GoOffline(p) => self.on_go_offline(p),
            Event::GoOnline(p) => self.on_go_online(p),
            Event::Abandon(p) => {
                let peer = &self.peers[p as usize];
                if peer.state == PeerState::Leeching && peer.abandon_at == Some(self.now) {
                    self.abandon(p);
                }
            }
            Event::Restart(p) => self.on_restart(p),
            Event::StartPhaseEnd(p) => {
                if self.peers[p as usize].state == PeerState::Leeching {
                    self.reconsider(p);
                }
            }
        }
        self.after_event();
    }

    fn on_arrive(&mut self, k: u32) {
        self.arrived += 1;
        if let Some(next) = self.arrivals.get(k as usize + 1) {
            self.queue.push(next.at, Event::Arrive(k + 1));
        }
        let p = self.arrival_peer[k as usize];
        self.begin_download(p);
    }

    /// The user of `p`, at the machine, starts (or restarts) the download: it joins the
    /// swarm as a leecher holding `kept` pieces (none for a first start).
    fn begin_download(&mut self, p: PeerId) {
        let pieces = self.pieces_of(p);
        let now = self.now;
        let peer = &mut self.peers[p as usize];
        peer.state = PeerState::Leeching;
        peer.have = peer
            .kept
            .take()
            .unwrap_or_else(|| crate::bitset::BitSet::new(pieces));
        peer.have_count = peer.have.count();
        peer.started = crate::bitset::BitSet::new(pieces);
        peer.started_count = 0;
        peer.avail = crate::pick::Rarity::new(pieces, &peer.have);
        peer.attempt_start = now;
        peer.online = true;
        self.leechers += 1;
        if self.policy_of(p) != Policy::HttpOnly {
            self.tracker_of(p).join(p, false);
            if !self.peers[p as usize].rechoke_alive {
                let interval = self.protocol.rechoke_interval.0.max(1);
                let phase = self.peers[p as usize].rng.below(interval);
                self.queue
                    .push(self.now.after(SimDuration(phase)), Event::Rechoke(p));
                self.peers[p as usize].rechoke_alive = true;
            }
            if !self.peers[p as usize].announce_alive {
                self.queue.push(
                    self.now.after(self.tracker_spec.announce_interval),
                    Event::Announce(p, true),
                );
                self.peers[p as usize].announce_alive = true;
            }
            self.peers[p as usize].last_announce = self.now;
            self.connect_from_tracker(p);
        }
        if !self.peers[p as usize].session_alive {
            self.start_session(p);
        }
        // The first attempt's patience was drawn with the audience; a restart draws anew.
        let peer = &mut self.peers[p as usize];
        peer.patience = if peer.restarts == 0 {
            peer.abandon_after
        } else {
            let theta = self.client.abort_rate_per_s;
            (theta > 0.0).then(|| SimDuration::from_secs_f64_ceil(peer.abort_rng.exp(1.0 / theta)))
        };
        if self.peers[p as usize].patience.is_some() {
            self.start_waiting(p);
        }
        let start = self.policy_spec(p).http_first_time;
        if self.policy_of(p) == Policy::HttpFirst && start.0 > 0 {
            self.queue
                .push(self.now.after(start), Event::StartPhaseEnd(p));
        }
        self.try_origin(p);
    }

    /// The content peer `p` downloads or holds.
    pub(crate) fn content_of(&self, p: PeerId) -> &ContentSpec {
        &self.contents[self.peers[p as usize].content as usize]
    }

    /// Piece count of the content of peer `p`.
    pub(crate) fn pieces_of(&self, p: PeerId) -> u32 {
        self.piece_counts[self.peers[p as usize].content as usize]
    }

    /// The tracker of the content of peer `p`.
    pub(crate) fn tracker_of(&mut self, p: PeerId) -> &mut Tracker {
        &mut self.trackers[self.peers[p as usize].content as usize]
    }

    /// The policy (with its parameters) peer `p` follows: its content's, or `http-only`
    /// for users without the P2P client.
    pub(crate) fn policy_spec(&self, p: PeerId) -> PolicySpec {
        if self.peers[p as usize].p2p {
            self.content_of(p).policy
        } else {
            PolicySpec::plain(Policy::HttpOnly)
        }
    }

    /// The policy peer `p` follows (see [`Simulation::policy_spec`]).
    pub(crate) fn policy_of(&self, p: PeerId) -> Policy {
        self.policy_spec(p).kind
    }

    /// Ask every idle unchoking neighbour of `d`, then the origin, for something to send.
    pub(crate) fn reconsider(&mut self, d: PeerId) {
        for ci in 0..self.peers[d as usize].conns.len() {
            self.try_request(d, ci, false);
        }
        self.try_origin(d);
    }

    // ----- end of run --------------------------------------------------------------------

    fn finish(mut self, stopped: Option<StopReason>) -> RunOutput {
        let end = self.now;
        // A run cut by max_time: the bytes flows carried so far were delivered (the
        // receivers hold them as partial pieces), so they count, in the traffic figures
        // and in the byte totals alike.
        for f in 0..self.flows.len() as u32 {
            if self.flows[f as usize].state == FlowState::Active {
                self.catch_up(f);
                let fl = &self.flows[f as usize];
                self.credit(fl.src, fl.dst, fl.recorded);
            }
        }
        self.metrics
            .finish(end, self.online_leechers(), self.online_seeds());
        let leecher = |p: &Peer| p.class != Peer::SEED_CLASS && p.state != PeerState::Future;
        let kumar_ross_s: Vec<Option<f64>> = (0..self.contents.len())
            .map(|k| {
                let caps: Vec<(f64, f64)> = self
                    .peers
                    .iter()
                    .filter(|p| p.content as usize == k && p.class != Peer::SEED_CLASS)
                    .map(|p| (p.up_bps, p.down_bps))
                    .collect();
                bounds::scenario_kumar_ross_s(&self.scenario, k, &caps)
            })
            .collect();
        let peers: Vec<report::PeerRecord> = self
            .peers
            .iter()
            .filter(|p| leecher(p))
            .map(report::PeerRecord::of)
            .collect();
        let mut seed_up_bytes = vec![0u64; self.contents.len()];
        for p in self.peers.iter().filter(|p| p.class == Peer::SEED_CLASS) {
            seed_up_bytes[p.content as usize] += p.up_bytes;
        }
        let in_flight = self
            .flows
            .iter()
            .filter(|f| f.state != FlowState::Free)
            .count();
        let held_partial_bytes: u64 = self
            .peers
            .iter()
            .flat_map(|p| p.partial.iter().map(|&(_, b)| b))
            .sum::<u64>()
            + self
                .flows
                .iter()
                .map(|f| match f.state {
                    FlowState::Free => 0,
                    FlowState::Pending => f.offset,
                    FlowState::Active => f.offset + f.recorded,
                })
                .sum::<u64>();
        report::build(report::RunFacts {
            scenario: &self.scenario,
            digest: self.digest.hex(),
            events: self.events,
            end,
            stopped,
            peers,
            initial_seeds: self.initial_seeds,
            arrivals_after_end: (self.arrivals.len() - self.arrived as usize) as u32,
            seed_up_bytes,
            origin_up_bytes: self.origin_up_bytes,
            useful_bytes: self.useful_bytes,
            abandoned_bytes: self.abandoned_bytes,
            held_partial_bytes,
            flows_in_flight: in_flight as u64,
            metrics: &self.metrics,
            kumar_ross_s,
            invariant_violations: self
                .violation
                .take()
                .map(|v| v.to_string())
                .into_iter()
                .collect(),
            max_component_flows: self.max_component_flows as u64,
        })
    }
}

/// Draw a seeding time after completion.
pub(crate) fn draw_seed_time(t: &SeedTime, rng: &mut StreamRng) -> Option<SimDuration> {
    match t {
        SeedTime::Fixed(d) => Some(*d),
        SeedTime::Empirical(values) => Some(values[rng.below(values.len() as u64) as usize]),
        SeedTime::Exponential(mean) => {
            Some(SimDuration::from_secs_f64_ceil(rng.exp(mean.as_secs_f64())))
        }
        SeedTime::Forever => None,
    }
}
