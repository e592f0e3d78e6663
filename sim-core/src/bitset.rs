//! A fixed-size bitset over piece indices (one bit per piece, 64 per word).

/// Set of piece indices `0..len`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BitSet {
    words: Vec<u64>,
    len: u32,
}

impl BitSet {
    /// An empty set able to hold `0..len`.
    pub fn new(len: u32) -> BitSet {
        BitSet {
            words: vec![0; (len as usize).div_ceil(64)],
            len,
        }
    }

    /// A full set `0..len`.
    pub fn full(len: u32) -> BitSet {
        let mut b = BitSet::new(len);
        for i in 0..len {
            b.insert(i);
        }
        b
    }

    /// Capacity in bits.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// True when the set can hold no element.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Is `i` in the set?
    #[inline]
    pub fn contains(&self, i: u32) -> bool {
        self.words[(i >> 6) as usize] >> (i & 63) & 1 == 1
    }

    /// Add `i`.
    #[inline]
    pub fn insert(&mut self, i: u32) {
        self.words[(i >> 6) as usize] |= 1 << (i & 63);
    }

    /// Remove `i`.
    #[inline]
    pub fn remove(&mut self, i: u32) {
        self.words[(i >> 6) as usize] &= !(1 << (i & 63));
    }

    /// The raw words (bit `i` of the set is bit `i % 64` of word `i / 64`).
    #[inline]
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// Number of elements.
    pub fn count(&self) -> u32 {
        self.words.iter().map(|w| w.count_ones()).sum()
    }

    /// Release the storage (used when a peer leaves and its bits are no longer needed).
    pub fn clear_storage(&mut self) {
        self.words = Vec::new();
        self.len = 0;
    }
}

/// Iterate the indices of set bits in `w`, offset by `base`.
#[inline]
pub fn for_each_bit(mut w: u64, base: u32, mut f: impl FnMut(u32)) {
    while w != 0 {
        let b = w.trailing_zeros();
        f(base + b);
        w &= w - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_remove_count() {
        let mut b = BitSet::new(130);
        b.insert(0);
        b.insert(64);
        b.insert(129);
        assert!(b.contains(64) && !b.contains(63));
        assert_eq!(b.count(), 3);
        b.remove(64);
        assert_eq!(b.count(), 2);
        assert_eq!(BitSet::full(130).count(), 130);
        let mut seen = vec![];
        for_each_bit(0b1010, 64, |i| seen.push(i));
        assert_eq!(seen, vec![65, 67]);
    }
}
