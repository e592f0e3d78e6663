//! The central tracker (BEP 3): keeps the swarm's member list and answers announces with a
//! uniform random subset of at most `numwant` other members; counts seeds and leechers.

use crate::peer::PeerId;
use crate::rng::StreamRng;

const ABSENT: u32 = u32::MAX;

/// Tracker state for one content, whose peers have the consecutive ids
/// `base .. base + capacity`.
#[derive(Debug)]
pub struct Tracker {
    base: PeerId,
    members: Vec<PeerId>,
    pos: Vec<u32>,
    is_seed: Vec<bool>,
    seeds: u32,
    stamp: Vec<u32>,
    epoch: u32,
    rng: StreamRng,
}

impl Tracker {
    /// A tracker for the peer ids `base .. base + capacity`, drawing from `rng`.
    pub fn new(base: PeerId, capacity: usize, rng: StreamRng) -> Tracker {
        Tracker {
            base,
            members: Vec::new(),
            pos: vec![ABSENT; capacity],
            is_seed: vec![false; capacity],
            seeds: 0,
            stamp: vec![0; capacity],
            epoch: 0,
            rng,
        }
    }

    /// Index of peer `p` in the per-peer arrays.
    fn slot(&self, p: PeerId) -> usize {
        debug_assert!(p >= self.base, "peer {p} is not in this tracker's range");
        (p - self.base) as usize
    }

    /// Register `p` (a seed if `seed`).
    pub fn join(&mut self, p: PeerId, seed: bool) {
        let i = self.slot(p);
        if self.pos[i] != ABSENT {
            return;
        }
        self.pos[i] = self.members.len() as u32;
        self.members.push(p);
        self.is_seed[i] = seed;
        self.seeds += seed as u32;
    }

    /// Record that `p` completed and now seeds.
    pub fn became_seed(&mut self, p: PeerId) {
        let i = self.slot(p);
        if self.pos[i] != ABSENT && !self.is_seed[i] {
            self.is_seed[i] = true;
            self.seeds += 1;
        }
    }

    /// Remove `p` from the swarm.
    pub fn leave(&mut self, p: PeerId) {
        let slot = self.slot(p);
        let i = self.pos[slot];
        if i == ABSENT {
            return;
        }
        self.members.swap_remove(i as usize);
        if let Some(&moved) = self.members.get(i as usize) {
            let m = self.slot(moved);
            self.pos[m] = i;
        }
        self.pos[slot] = ABSENT;
        if self.is_seed[slot] {
            self.seeds -= 1;
            self.is_seed[slot] = false;
        }
    }

    /// Seeds currently registered.
    pub fn seeds(&self) -> u32 {
        self.seeds
    }

    /// Leechers currently registered.
    pub fn leechers(&self) -> u32 {
        self.members.len() as u32 - self.seeds
    }

    /// Answer an announce from `p`: up to `numwant` distinct other members, uniformly at
    /// random, written into `out` (cleared first).
    pub fn sample(&mut self, p: PeerId, numwant: u32, out: &mut Vec<PeerId>) {
        out.clear();
        let others = self.members.len() - (self.pos[self.slot(p)] != ABSENT) as usize;
        let k = (numwant as usize).min(others);
        if k == 0 {
            return;
        }
        if k * 2 >= self.members.len() {
            // Dense: shuffle a copy and take the first k.
            out.extend(self.members.iter().copied().filter(|&q| q != p));
            for i in 0..k {
                let j = i + self.rng.below((out.len() - i) as u64) as usize;
                out.swap(i, j);
            }
            out.truncate(k);
            return;
        }
        // Sparse: rejection sampling with an epoch-stamped "already picked" mark.
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.epoch = 1;
        }
        while out.len() < k {
            let q = self.members[self.rng.below(self.members.len() as u64) as usize];
            let slot = self.slot(q);
            if q == p || self.stamp[slot] == self.epoch {
                continue;
            }
            self.stamp[slot] = self.epoch;
            out.push(q);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::StreamKind;

    #[test]
    fn sample_is_distinct_and_excludes_self() {
        let mut t = Tracker::new(0, 100, StreamRng::new(1, StreamKind::Tracker, 0));
        for p in 0..100 {
            t.join(p, p < 3);
        }
        t.became_seed(50);
        assert_eq!((t.seeds(), t.leechers()), (4, 96));
        let mut out = vec![];
        for numwant in [5, 60, 200] {
            t.sample(7, numwant, &mut out);
            assert_eq!(out.len(), (numwant as usize).min(99));
            let mut s = out.clone();
            s.sort();
            s.dedup();
            assert_eq!(s.len(), out.len());
            assert!(!out.contains(&7));
        }
        t.leave(50);
        t.leave(0);
        assert_eq!((t.seeds(), t.leechers()), (2, 96));
    }
}
