//! Choosing among candidates in one pass: the candidate with the lowest key (e.g. the
//! rarest piece), ties broken uniformly at random by reservoir sampling, so no list of
//! candidates is ever built.

use crate::rng::StreamRng;

/// Running choice of the lowest-key candidate.
#[derive(Debug, Clone, Copy)]
pub struct LowestPick {
    best: u32,
    key: u16,
    ties: u64,
}

impl Default for LowestPick {
    fn default() -> Self {
        LowestPick {
            best: u32::MAX,
            key: u16::MAX,
            ties: 0,
        }
    }
}

impl LowestPick {
    /// Consider candidate `i` with key `key`; among equal lowest keys each candidate ends
    /// up chosen with the same probability.
    #[inline]
    pub fn offer(&mut self, i: u32, key: u16, rng: &mut StreamRng) {
        if key < self.key || self.ties == 0 {
            self.key = key;
            self.best = i;
            self.ties = 1;
        } else if key == self.key {
            self.ties += 1;
            if rng.below(self.ties) == 0 {
                self.best = i;
            }
        }
    }

    /// The chosen candidate, if any was offered.
    pub fn get(&self) -> Option<u32> {
        (self.ties > 0).then_some(self.best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::StreamKind;

    #[test]
    fn lowest_key_wins_and_ties_are_uniform() {
        let mut rng = StreamRng::new(1, StreamKind::Peer, 0);
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            let mut p = LowestPick::default();
            p.offer(7, 5, &mut rng);
            for i in 0..3 {
                p.offer(i, 2, &mut rng);
            }
            p.offer(9, 3, &mut rng);
            counts[p.get().unwrap() as usize] += 1;
        }
        // 10,000 expected each; binomial sd ≈ 82: 4σ.
        assert!(
            counts.iter().all(|&c| (c as i64 - 10_000).abs() < 330),
            "{counts:?}"
        );
        assert_eq!(LowestPick::default().get(), None);
    }
}
