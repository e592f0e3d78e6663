//! Seeded random streams, one per component.
//!
//! Every component (a peer, the tracker, the workload generator) owns a [`StreamRng`]
//! derived from the scenario's master seed and a stable stream id, so adding a peer or a
//! class never shifts the draws of anyone else. The generator is xoshiro256++ seeded through
//! SplitMix64: a fixed, documented algorithm (unlike `rand`'s `SmallRng`, whose algorithm may
//! change between releases), 32 bytes of state.

use rand::RngCore;

/// Stable identifiers of the kinds of random stream; part of the seed derivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum StreamKind {
    /// Arrival times and class assignment of the workload.
    Workload = 1,
    /// Peer-list sampling by the tracker.
    Tracker = 2,
    /// One peer's own choices (piece picking, optimistic unchoke, seeding time).
    Peer = 3,
    /// Per-peer draws made at arrival (rechoke phase).
    Phase = 4,
}

/// One step of SplitMix64: a bijective mixer used to derive seeds.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A small, fast, reproducible random generator (xoshiro256++).
#[derive(Debug, Clone)]
pub struct StreamRng {
    s: [u64; 4],
}

impl StreamRng {
    /// The stream `(kind, id)` of the run seeded with `master_seed`.
    pub fn new(master_seed: u64, kind: StreamKind, id: u64) -> StreamRng {
        let mut x = splitmix64(master_seed ^ splitmix64((kind as u64) << 56 ^ id));
        let mut s = [0u64; 4];
        for w in &mut s {
            x = splitmix64(x);
            *w = x;
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        StreamRng { s }
    }

    /// A uniform draw in `[0, n)` (n > 0), by Lemire's multiply-shift (bias < n / 2^64).
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// A uniform draw in `[0, 1)` with 53 bits of precision.
    pub fn unit_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// An exponential draw with the given mean.
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit_f64()).ln()
    }
}

impl RngCore for StreamRng {
    fn next_u64(&mut self) -> u64 {
        let result = (self.s[0].wrapping_add(self.s[3]))
            .rotate_left(23)
            .wrapping_add(self.s[0]);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_independent_and_reproducible() {
        let mut a = StreamRng::new(7, StreamKind::Peer, 3);
        let mut b = StreamRng::new(7, StreamKind::Peer, 3);
        let mut c = StreamRng::new(7, StreamKind::Peer, 4);
        let va: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let vb: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let vc: Vec<u64> = (0..4).map(|_| c.next_u64()).collect();
        assert_eq!(va, vb);
        assert_ne!(va, vc);
    }

    #[test]
    fn below_and_unit_stay_in_range() {
        let mut r = StreamRng::new(1, StreamKind::Workload, 0);
        for _ in 0..10_000 {
            assert!(r.below(7) < 7);
            let u = r.unit_f64();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
