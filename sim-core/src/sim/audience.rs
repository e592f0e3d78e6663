//! Who each arriving peer is: its access caps (the class value, spread lognormally), and
//! whether it has the P2P client, uploads, and accepts incoming connections.
//!
//! Every peer makes the same four draws from its own stream, whatever the parameters, so
//! changing one share (say `p2p_share` in a sweep) does not reshuffle anybody's caps.

use crate::peer::Peer;
use crate::rng::StreamRng;
use crate::scenario::Scenario;
use crate::workload::Arrival;

/// A peer of the audience, not yet arrived.
pub(super) fn draw_peer(s: &Scenario, a: &Arrival, mut rng: StreamRng) -> Peer {
    let c = &s.classes[a.class as usize];
    // Box–Muller: one standard normal draw for the line-quality factor.
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
    peer
}
