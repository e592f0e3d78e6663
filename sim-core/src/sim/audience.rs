//! Who each arriving peer is: its access caps (the class value, spread lognormally), and
//! whether it has the P2P client, uploads, and accepts incoming connections.
//!
//! Every peer makes the same four draws from its own stream, whatever the parameters, so
//! changing one share (say `p2p_share` in a sweep) does not reshuffle anybody's caps. Its
//! streams are keyed by its identity (content name, ordinal of its arrival:
//! [`crate::rng::leecher_stream_id`]), not by its position among the peers. The user's own
//! decisions are drawn here too, each from a stream of its own: the seeding time after
//! completion and the abandonment delay (so neither depends on how many protocol draws
//! the peer made before), and the stream of its online/offline periods.

use crate::peer::Peer;
use crate::rng::{leecher_stream_id, StreamKind, StreamRng};
use crate::scenario::Scenario;
use crate::time::{SimDuration, SimTime};
use crate::workload::{self, Arrival};

use super::draw_seed_time;

/// What was drawn for one leecher before the run: its class, caps, client and the user's
/// decisions. A pure function of the scenario and the leecher's identity ([`draw_audience`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnPeer {
    /// Content index.
    pub content: u32,
    /// Ordinal of its arrival within its content (its identity with the content's name).
    pub ordinal: u32,
    /// Class index.
    pub class: u16,
    /// Arrival instant.
    pub arrival: SimTime,
    /// Upload cap, bits/s (0 if not uploading).
    pub up_bps: f64,
    /// Download cap, bits/s.
    pub down_bps: f64,
    /// Has the P2P client.
    pub p2p: bool,
    /// Behind a NAT.
    pub nat: bool,
    /// Seeding time after completion (`None`: forever).
    pub seeding_time: Option<SimDuration>,
    /// Delay after arrival at which the user gives up (`None`: never).
    pub abandon_after: Option<SimDuration>,
}

/// Every leecher of the scenario as drawn before the run, in arrival order.
pub fn draw_audience(s: &Scenario) -> Vec<DrawnPeer> {
    workload::generate(s)
        .iter()
        .map(|a| {
            let p = draw_peer(s, a);
            DrawnPeer {
                content: a.content,
                ordinal: a.ordinal,
                class: p.class,
                arrival: p.arrival,
                up_bps: p.up_bps,
                down_bps: p.down_bps,
                p2p: p.p2p,
                nat: p.nat,
                seeding_time: p.seeding_time,
                abandon_after: p.abandon_after,
            }
        })
        .collect()
}

/// A peer of the audience, not yet arrived.
pub(super) fn draw_peer(s: &Scenario, a: &Arrival) -> Peer {
    let id = leecher_stream_id(&s.contents[a.content as usize].name, u64::from(a.ordinal));
    let mut rng = StreamRng::new(s.seed, StreamKind::Peer, id);
    let c = &s.classes[a.class as usize];
    // Box–Muller: one standard normal draw for the line-quality factor, from exactly two
    // uniforms (a ziggurat sampler draws a variable number, which would shift the draws
    // after it when a class's spread changes).
    let (u1, u2) = (1.0 - rng.unit_f64(), rng.unit_f64());
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    let factor = (c.cap_sigma * z).exp().clamp(1.0 / c.cap_clip, c.cap_clip);
    let p2p = rng.unit_f64() < s.audience.p2p_share;
    let upload_off = rng.unit_f64() < s.audience.upload_off_share;
    let nat = rng.unit_f64() < s.audience.nat_share;
    let up = if p2p && !upload_off {
        (c.upload_bps as f64 * factor).round()
    } else {
        0.0
    };
    let down = (c.download_bps as f64 * factor).round().max(1.0);
    let mut peer = Peer::new(a.class, up, down, a.at, rng);
    peer.content = a.content;
    peer.p2p = p2p;
    peer.nat = nat;
    peer.seeding_time = draw_seed_time(
        &s.client.seed_time,
        &mut StreamRng::new(s.seed, StreamKind::Seeding, id),
    );
    let theta = s.client.abort_rate_per_s;
    peer.abort_rng = StreamRng::new(s.seed, StreamKind::Abort, id);
    peer.abandon_after = (theta > 0.0).then(|| {
        let after_s = peer.abort_rng.exp(1.0 / theta);
        SimDuration::from_secs_f64_ceil(after_s)
    });
    peer.session_rng = StreamRng::new(s.seed, StreamKind::Session, id);
    peer
}
