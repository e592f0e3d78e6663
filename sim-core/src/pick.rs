//! Choosing pieces.
//!
//! - [`LowestPick`]: the candidate with the lowest key (e.g. the rarest piece) in one pass,
//!   ties broken uniformly at random by reservoir sampling, so no list of candidates is
//!   ever built. Its cost is one random draw per tied candidate: a pick costs O(pieces),
//!   which is cheap only for files of one bitset word (at most 64 pieces).
//! - [`Rarity`]: a leecher's availability counts and, for files of at least
//!   [`INDEXED_FROM_PIECES`] pieces, its wanted pieces grouped by availability (buckets
//!   kept up to date in O(1) per HAVE), so that the rarest wanted piece a neighbour shows
//!   is found without scanning the file: [`Rarity::pick_rarest`].
//!
//! Both choose the same way in law (the lowest availability, ties uniformly at random);
//! they consume different random draws, so a file picked through the index follows a
//! different (equally distributed) path than it would through the scan.

use crate::bitset::BitSet;
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

/// Position marker of a piece that is not wanted.
const NONE: u32 = u32::MAX;

/// Files with at least this many pieces keep the availability index ([`Rarity`]); smaller
/// ones (at most 8 bitset words) are scanned with [`LowestPick`]. The index costs upkeep at
/// every HAVE (and 10 bytes a piece and peer); the scan costs a pass over the words and one
/// random draw per tied piece at every pick. Measured on this project's 2-core machine
/// (2026-12-02, release, CPU time), index against scan: a 790-piece file (the Tokyo
/// trial, where a lone downloader's pieces all tie) 0.12 against 0.24 s a run; 96 pieces
/// (`bench/flash-crowd-10k.toml`) 37.9 against 30.1 s; 191 pieces (`bench/steady-week.toml`)
/// 7.6 against 7.4 s; 286 pieces (`flash-crowd.toml`) 4.3 against 4.0 s. So the scan
/// below 512 pieces, the index above.
pub const INDEXED_FROM_PIECES: u32 = 512;

/// Random tries within one availability level before its members are counted exactly.
const TRIES: u32 = 8;

/// A leecher's availability counts (how many neighbours show each piece) and, when
/// indexed, its *wanted* pieces (neither held nor started) grouped by availability.
///
/// `order` holds the wanted pieces, level 0 first; level `k` is
/// `order[start[k]..start[k + 1]]`; `pos[i]` is piece `i`'s place in `order`. A count
/// moving by one swaps the piece with the first or last member of its level and moves
/// one boundary: O(1). A piece becoming (un)wanted moves one member per level above its
/// own: O(levels), at most the number of connections.
#[derive(Debug, Clone, Default)]
pub struct Rarity {
    counts: Vec<u16>,
    order: Vec<u32>,
    pos: Vec<u32>,
    start: Vec<u32>,
}

impl Rarity {
    /// Counts all zero for `pieces` pieces; every piece not in `have` is wanted.
    pub fn new(pieces: u32, have: &BitSet) -> Rarity {
        let mut r = Rarity {
            counts: vec![0; pieces as usize],
            ..Rarity::default()
        };
        if pieces >= INDEXED_FROM_PIECES {
            r.pos = vec![NONE; pieces as usize];
            for i in 0..pieces {
                if !have.contains(i) {
                    r.pos[i as usize] = r.order.len() as u32;
                    r.order.push(i);
                }
            }
            r.start = vec![0, r.order.len() as u32];
        }
        r
    }

    /// Release everything (the peer no longer downloads).
    pub fn clear(&mut self) {
        *self = Rarity::default();
    }

    /// True when the wanted pieces are indexed by availability.
    #[inline]
    pub fn is_indexed(&self) -> bool {
        !self.pos.is_empty()
    }

    /// How many neighbours show piece `i`.
    #[inline]
    pub fn get(&self, i: u32) -> u16 {
        self.counts[i as usize]
    }

    /// Number of pieces counted (0 once cleared).
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// True once cleared.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    fn place(&mut self, at: u32, piece: u32) {
        self.order[at as usize] = piece;
        self.pos[piece as usize] = at;
    }

    /// Whether a leecher keeps the count of a piece: only while it does not hold it. A held
    /// piece is never wanted again (a restart builds a new index), so its count is never
    /// read; skipping it (at the callers, which test the leecher's small `have` bitset)
    /// saves a cache miss in the large per-piece arrays for about half of all HAVEs, and
    /// changes no choice.
    pub fn counts_piece(have: &BitSet, i: u32) -> bool {
        !have.contains(i)
    }

    /// One more neighbour shows piece `i`.
    #[inline]
    pub fn inc(&mut self, i: u32) {
        let k = self.counts[i as usize];
        self.counts[i as usize] = k + 1;
        if !self.is_indexed() || self.pos[i as usize] == NONE {
            return;
        }
        let k = k as usize;
        if self.start.len() < k + 3 {
            let end = self.order.len() as u32;
            self.start.resize(k + 3, end);
        }
        // Swap i with the last member of level k; that slot becomes level k + 1's first.
        let last = self.start[k + 1] - 1;
        let other = self.order[last as usize];
        let at = self.pos[i as usize];
        self.place(at, other);
        self.place(last, i);
        self.start[k + 1] = last;
    }

    /// One neighbour fewer shows piece `i`.
    #[inline]
    pub fn dec(&mut self, i: u32) {
        let k = self.counts[i as usize];
        self.counts[i as usize] = k - 1;
        if !self.is_indexed() || self.pos[i as usize] == NONE {
            return;
        }
        // Swap i with the first member of level k; that slot becomes level k - 1's last.
        let k = k as usize;
        let first = self.start[k];
        let other = self.order[first as usize];
        let at = self.pos[i as usize];
        self.place(at, other);
        self.place(first, i);
        self.start[k] = first + 1;
    }

    /// Count (`add`) or uncount one neighbour showing the pieces of bitset `words`, except
    /// the pieces in `held` (the leecher's own: see [`Rarity::counts_piece`]). When it
    /// shows many pieces the counts are updated in one pass and the index rebuilt by a
    /// counting sort, which costs less than moving each piece on its own.
    pub fn add_words(&mut self, words: &[u64], add: bool, held: &[u64]) {
        let bulk = self.is_indexed() && {
            let n: u32 = words.iter().map(|w| w.count_ones()).sum();
            n as usize * 8 > self.counts.len()
        };
        for (w, (&shown, &own)) in words.iter().zip(held).enumerate() {
            let bits = shown & !own;
            let base = (w * 64) as u32;
            match (bulk, add) {
                (true, true) => crate::bitset::for_each_bit(bits, base, |i| {
                    self.counts[i as usize] += 1;
                }),
                (true, false) => crate::bitset::for_each_bit(bits, base, |i| {
                    self.counts[i as usize] -= 1;
                }),
                (false, true) => crate::bitset::for_each_bit(bits, base, |i| self.inc(i)),
                (false, false) => crate::bitset::for_each_bit(bits, base, |i| self.dec(i)),
            }
        }
        if bulk {
            self.rebuild();
        }
    }

    /// Rebuild `order`, `pos` and `start` from the counts and the wanted marks (a
    /// counting sort: each level in piece order).
    fn rebuild(&mut self) {
        let mut levels = 1;
        for (&p, &c) in self.pos.iter().zip(&self.counts) {
            if p != NONE {
                levels = levels.max(c as usize + 1);
            }
        }
        self.start.clear();
        self.start.resize(levels + 1, 0);
        for (&p, &c) in self.pos.iter().zip(&self.counts) {
            if p != NONE {
                self.start[c as usize + 1] += 1;
            }
        }
        for k in 1..=levels {
            self.start[k] += self.start[k - 1];
        }
        // Fill each level with `start[k]` as its cursor: it ends at level k + 1's start,
        // so the boundaries are then shifted up by one level.
        for i in 0..self.counts.len() {
            if self.pos[i] != NONE {
                let k = self.counts[i] as usize;
                let at = self.start[k];
                self.start[k] += 1;
                self.order[at as usize] = i as u32;
                self.pos[i] = at;
            }
        }
        self.start.copy_within(0..levels, 1);
        self.start[0] = 0;
    }

    /// Piece `i` is held or started: no longer a candidate (no-op if it was not one).
    pub fn unwant(&mut self, i: u32) {
        if !self.is_indexed() || self.pos[i as usize] == NONE {
            return;
        }
        let k = self.counts[i as usize] as usize;
        // Move i to the end of its level, then each higher level's last member into the
        // hole its level's first slot leaves, so the hole ends at the end of `order`.
        let mut hole = self.pos[i as usize];
        let top = self.start.len() - 1;
        for j in k..top {
            // The hole is level j's first slot (or i's); its last member fills it (an
            // empty level is just the hole).
            let last = self.start[j + 1] - 1;
            if last != hole {
                let moved = self.order[last as usize];
                self.place(hole, moved);
                hole = last;
            }
            self.start[j + 1] = last;
        }
        // Now `hole` is the last slot of `order` (every boundary above k moved down).
        debug_assert_eq!(hole as usize, self.order.len() - 1);
        self.order.pop();
        self.start[top] = self.order.len() as u32;
        self.pos[i as usize] = NONE;
    }

    /// Piece `i` is a candidate again (a started piece given up): no-op if it already is.
    pub fn want(&mut self, i: u32) {
        if !self.is_indexed() || self.pos[i as usize] != NONE {
            return;
        }
        let k = self.counts[i as usize] as usize;
        if self.start.len() < k + 2 {
            let end = self.order.len() as u32;
            self.start.resize(k + 2, end);
        }
        // A hole at the end; each level above k moves its first member there, the hole
        // moving down to that level's first slot, until it is level k's end.
        self.order.push(i);
        let top = self.start.len() - 1;
        let mut hole = self.order.len() as u32 - 1;
        for j in (k + 1..top).rev() {
            let first = self.start[j];
            if first != hole {
                let moved = self.order[first as usize];
                self.place(hole, moved);
                hole = first;
            }
            self.start[j] = first + 1;
        }
        self.start[top] = self.order.len() as u32;
        self.place(hole, i);
    }

    /// One candidate of the lowest availability, uniformly at random (`None` if there is
    /// none). Candidates are the bits of `cand(w)` over `words` bitset words (word `w`
    /// holds pieces `64w..64w + 64`); every one must be wanted and shown by at least `from`
    /// neighbours (indexed only).
    ///
    /// The levels are visited from `from` up: a few random members of a level are tried,
    /// then the level is counted exactly. The number of candidates is counted (O(words))
    /// only when the first tries fail, so a pick whose first tries succeed costs O(1)
    /// (the random draws are the same as if they had been counted first).
    /// Should the exact counts cost more than the candidates themselves, the candidates are
    /// scanned instead (the levels visited hold none of them, so the lowest among them is
    /// still the answer), with one draw for the tie. A pick costs O(1) when a try succeeds,
    /// else O(words + min(members counted, candidates)), and a few draws.
    pub fn pick_rarest(
        &self,
        from: u16,
        rng: &mut StreamRng,
        words: usize,
        cand: impl Fn(usize) -> u64,
    ) -> Option<u32> {
        debug_assert!(self.is_indexed());
        let ok = |i: u32| cand((i >> 6) as usize) >> (i & 63) & 1 == 1;
        let count = || -> usize { (0..words).map(|w| cand(w).count_ones() as usize).sum() };
        // No candidate at all (a `web-seed` client whose peers hold every piece it lacks):
        // say so before any try (the tries would draw from a copy and find nothing).
        if (0..words).all(|w| cand(w) == 0) {
            return None;
        }
        // The number of candidates, once counted.
        let mut n = None;
        let mut counted = 0;
        for k in from as usize..self.start.len() - 1 {
            let (a, b) = (self.start[k], self.start[k + 1]);
            if a == b {
                continue;
            }
            let level = &self.order[a as usize..b as usize];
            // Until the candidates are counted, the tries draw from a copy of the stream,
            // kept only if there is a candidate: a pick that finds none draws nothing
            // (the draws are the same as when the candidates were counted first).
            let mut t = rng.clone();
            for _ in 0..TRIES {
                let i = level[t.below(level.len() as u64) as usize];
                if ok(i) {
                    *rng = t;
                    return Some(i);
                }
            }
            let n = *n.get_or_insert_with(count);
            if n == 0 {
                return None;
            }
            *rng = t;
            counted += level.len();
            if counted > n {
                break;
            }
            let m = level.iter().filter(|&&i| ok(i)).count();
            if m > 0 {
                let r = rng.below(m as u64) as usize;
                return level.iter().copied().filter(|&i| ok(i)).nth(r);
            }
        }
        if n.unwrap_or_else(count) == 0 {
            return None;
        }
        // Scan the candidates: the lowest count, then the r-th candidate holding it.
        let mut low = u16::MAX;
        let mut ties = 0u64;
        for w in 0..words {
            crate::bitset::for_each_bit(cand(w), (w * 64) as u32, |i| {
                let c = self.counts[i as usize];
                if c < low {
                    low = c;
                    ties = 1;
                } else if c == low {
                    ties += 1;
                }
            });
        }
        let mut r = rng.below(ties);
        let mut found = None;
        for w in 0..words {
            crate::bitset::for_each_bit(cand(w), (w * 64) as u32, |i| {
                if found.is_none() && self.counts[i as usize] == low {
                    if r == 0 {
                        found = Some(i);
                    }
                    r = r.wrapping_sub(1);
                }
            });
            if found.is_some() {
                break;
            }
        }
        found
    }

    /// Check the index against the counts and `wanted` (tests and invariant checks).
    pub fn check(&self, wanted: impl Fn(u32) -> bool) -> Result<(), String> {
        if !self.is_indexed() {
            return Ok(());
        }
        let mut n = 0;
        for i in 0..self.counts.len() as u32 {
            let p = self.pos[i as usize];
            if wanted(i) != (p != NONE) {
                return Err(format!("piece {i}: wanted {} but pos {p}", wanted(i)));
            }
            if p == NONE {
                continue;
            }
            n += 1;
            let k = self.counts[i as usize] as usize;
            if self.order[p as usize] != i
                || k + 1 >= self.start.len()
                || p < self.start[k]
                || p >= self.start[k + 1]
            {
                return Err(format!("piece {i} (count {k}) misplaced at {p}"));
            }
        }
        if n != self.order.len() || self.start[0] != 0 || *self.start.last().unwrap() as usize != n
        {
            return Err(format!("{n} wanted, order {}", self.order.len()));
        }
        Ok(())
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

    /// Random counts and (un)wanted moves keep the index consistent, and picks return
    /// the rarest acceptable piece, uniformly among ties.
    #[test]
    fn rarity_index_stays_consistent() {
        let n = INDEXED_FROM_PIECES + 1077;
        let mut rng = StreamRng::new(3, StreamKind::Peer, 1);
        let mut have = BitSet::new(n);
        for i in (0..n).step_by(5) {
            have.insert(i);
        }
        let mut r = Rarity::new(n, &have);
        let mut wanted: Vec<bool> = (0..n).map(|i| !have.contains(i)).collect();
        for step in 0..40_000u32 {
            let i = rng.below(n as u64) as u32;
            match rng.below(4) {
                0 | 1 if r.get(i) < 90 => r.inc(i),
                2 if r.get(i) > 0 => r.dec(i),
                3 if wanted[i as usize] => {
                    r.unwant(i);
                    wanted[i as usize] = false;
                }
                _ => {
                    r.want(i);
                    wanted[i as usize] = true;
                }
            }
            if step % 1999 == 0 {
                // A neighbour showing many pieces (bulk) or few (one by one) comes and goes.
                for every in [3u32, 200] {
                    let mut shown = BitSet::new(n);
                    for i in (0..n).step_by(every as usize) {
                        shown.insert(i);
                    }
                    let held = vec![0u64; shown.words().len()];
                    r.add_words(shown.words(), true, &held);
                    r.check(|i| wanted[i as usize]).unwrap();
                    r.add_words(shown.words(), false, &held);
                }
            }
            if step % 997 == 0 {
                r.check(|i| wanted[i as usize]).unwrap();
                let ok = |i: u32| i.is_multiple_of(3);
                let cand = |w: usize| {
                    (0..64u32)
                        .filter(|b| {
                            let i = w as u32 * 64 + b;
                            i < n && ok(i) && wanted[i as usize] && r.get(i) >= 1
                        })
                        .fold(0u64, |x, b| x | 1 << b)
                };
                let words = n.div_ceil(64) as usize;
                let got = r.pick_rarest(1, &mut rng, words, cand);
                let best = (0..n)
                    .filter(|&i| wanted[i as usize] && ok(i) && r.get(i) >= 1)
                    .map(|i| r.get(i))
                    .min();
                assert_eq!(got.map(|i| r.get(i)), best);
                if let Some(i) = got {
                    assert!(wanted[i as usize] && ok(i));
                }
            }
        }
        r.check(|i| wanted[i as usize]).unwrap();
        // Uniform among ties: three acceptable pieces at the lowest level.
        let mut r = Rarity::new(n, &BitSet::new(n));
        for i in 0..n {
            r.inc(i);
            r.inc(i);
        }
        for i in [10, 20, 30] {
            r.dec(i);
        }
        // Few candidates (the scan) and many (the levels) both choose uniformly.
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            let i = r
                .pick_rarest(1, &mut rng, 2, |w| {
                    if w == 0 {
                        1 << 10 | 1 << 20 | 1 << 30 | 1 << 40
                    } else {
                        0
                    }
                })
                .unwrap();
            counts[(i / 10 - 1) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (c as i64 - 10_000).abs() < 330),
            "{counts:?}"
        );
        let mut counts = [0u32; 3];
        let words = n.div_ceil(64) as usize;
        for _ in 0..30_000 {
            let i = r
                .pick_rarest(1, &mut rng, words, |w| {
                    if w + 1 < words {
                        !0
                    } else {
                        (1 << (n % 64)) - 1
                    }
                })
                .unwrap();
            counts[(i / 10 - 1) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (c as i64 - 10_000).abs() < 330),
            "{counts:?}"
        );
        assert!(!Rarity::new(64, &BitSet::new(64)).is_indexed());
    }

    /// Pearson's chi-square of `counts` against equal expectations.
    fn chi_square(counts: &[u32]) -> f64 {
        let total: u32 = counts.iter().sum();
        let e = f64::from(total) / counts.len() as f64;
        counts.iter().map(|&c| (f64::from(c) - e).powi(2) / e).sum()
    }

    /// The indexed pick of a file the size of the Tokyo film (790 pieces, indexed since
    /// issue 11): over 64,000 picks it never returns a piece above the lowest count, and
    /// the 64 tied rarest candidates come out uniformly (chi-square with 63 degrees of
    /// freedom below 110, about 4 standard deviations above its mean of 63), whether the
    /// tries find them or the exact count of their level does (a miss of all tries), from
    /// level 0 (the origin's picks) or 1 (a neighbour's). The scan is covered above.
    #[test]
    fn indexed_pick_is_uniform_among_the_rarest_and_never_above() {
        let n = 790u32;
        assert!(n >= INDEXED_FROM_PIECES);
        let words = n.div_ceil(64) as usize;
        let mut rng = StreamRng::new(11, StreamKind::Peer, 2);
        let mut have = BitSet::new(n);
        for i in (0..n).step_by(7) {
            have.insert(i);
        }
        let mut r = Rarity::new(n, &have);
        // Counts 1..=4 by piece; the candidates of the case: 64 pieces at count 1 (the
        // rarest), the rest at 2..=4.
        for i in 0..n {
            for _ in 0..1 + i % 4 {
                r.inc(i);
            }
        }
        let rarest: Vec<u32> = (0..n)
            .filter(|&i| !have.contains(i) && i % 4 == 0)
            .take(64)
            .collect();
        for (few, from) in [(false, 0u16), (false, 1), (true, 1)] {
            // `few`: only the rarest 64 and every piece of count 3 are candidates; else
            // every wanted piece is, except rarest pieces past the 64th.
            let mut set = BitSet::new(n);
            for i in 0..n {
                let wanted = !have.contains(i);
                let low = i % 4 == 0;
                let keep = if few {
                    rarest.contains(&i) || i % 4 == 2
                } else {
                    !low || rarest.contains(&i)
                };
                if wanted && keep {
                    set.insert(i);
                }
            }
            let cand = |w: usize| set.words()[w];
            let mut counts = vec![0u32; rarest.len()];
            for _ in 0..64_000 {
                let i = r.pick_rarest(from, &mut rng, words, cand).unwrap();
                assert_eq!(r.get(i), 1, "piece {i} is not among the rarest");
                counts[rarest.iter().position(|&x| x == i).unwrap()] += 1;
            }
            let x2 = chi_square(&counts);
            assert!(
                x2 < 110.0,
                "few {few}, from {from}: chi-square {x2}: {counts:?}"
            );
        }
        // Nothing to pick: no draw.
        let before = rng.clone().next_u64();
        assert_eq!(r.pick_rarest(0, &mut rng, words, |_| 0), None);
        assert_eq!(rng.next_u64(), before);
    }
}
