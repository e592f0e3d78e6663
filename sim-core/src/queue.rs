//! Event ordering: a time-ordered queue with FIFO tie-break, and an indexed timer heap.
//!
//! [`EventQueue`] orders by `(time, seq)` where `seq` is a global insertion counter, so
//! events scheduled for the same microsecond are dispatched in the order they were scheduled,
//! independently of any hash, address or thread. [`TimerHeap`] holds one deadline per flow
//! (its completion time) and supports moving a deadline in O(log n) when a re-share changes
//! the flow's rate, so no stale completion events pile up.
//!
//! Both refuse the past: the engine sets each one's *floor* (the instant being dispatched,
//! [`EventQueue::set_floor`], [`TimerHeap::set_floor`]), and an event or deadline placed
//! before it is noted ([`EventQueue::take_past`], [`TimerHeap::take_past`]): the run loop
//! would otherwise never reach it, or go back in time. The engine turns a note into an
//! invariant violation that stops the run (`sim/invariants.rs`).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::time::SimTime;

#[derive(Debug)]
struct Entry<E> {
    time: u64,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, o: &Self) -> bool {
        (self.time, self.seq) == (o.time, o.seq)
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.time, self.seq).cmp(&(o.time, o.seq))
    }
}

/// Priority queue of events keyed by `(time, insertion sequence)`.
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Entry<E>>>,
    next_seq: u64,
    /// No event may be scheduled before this instant (the one being dispatched).
    floor: u64,
    /// The first push before the floor: (its time, the floor then).
    past: Option<(SimTime, SimTime)>,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
            floor: 0,
            past: None,
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedule `event` at `time`. A time before the floor ([`EventQueue::set_floor`]) is
    /// noted for [`EventQueue::take_past`] (the event is queued all the same).
    pub fn push(&mut self, time: SimTime, event: E) {
        if time.0 < self.floor && self.past.is_none() {
            self.past = Some((time, SimTime(self.floor)));
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse(Entry {
            time: time.0,
            seq,
            event,
        }));
    }

    /// Time of the earliest event.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| SimTime(e.0.time))
    }

    /// Remove and return the earliest event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap.pop().map(|e| (SimTime(e.0.time), e.0.event))
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// From now on, an event pushed before `now` is in the past.
    pub fn set_floor(&mut self, now: SimTime) {
        self.floor = now.0;
    }

    /// The first event pushed before the floor since the last call, as (its time, the
    /// floor then); `None` when every push was at or after the floor.
    pub fn take_past(&mut self) -> Option<(SimTime, SimTime)> {
        self.past.take()
    }

    /// Drop every pending event (the run stops).
    pub fn clear(&mut self) {
        self.heap.clear();
    }
}

/// Min-heap of `(deadline, id)` with at most one deadline per id; deadlines can be moved.
/// Ties on the deadline break by id, which is deterministic.
#[derive(Debug, Default)]
pub struct TimerHeap {
    heap: Vec<(u64, u32)>,
    pos: Vec<u32>,
    /// No deadline may be set before this instant (the one being dispatched).
    floor: u64,
    /// The first deadline set before the floor: (id, its time, the floor then).
    past: Option<(u32, SimTime, SimTime)>,
}

const ABSENT: u32 = u32::MAX;

impl TimerHeap {
    /// Set (or move) the deadline of `id`. A time before the floor
    /// ([`TimerHeap::set_floor`]) is noted for [`TimerHeap::take_past`] (and set all the same).
    pub fn set(&mut self, id: u32, time: SimTime) {
        if time.0 < self.floor && self.past.is_none() {
            self.past = Some((id, time, SimTime(self.floor)));
        }
        if self.pos.len() <= id as usize {
            self.pos.resize(id as usize + 1, ABSENT);
        }
        let p = self.pos[id as usize];
        if p == ABSENT {
            self.heap.push((time.0, id));
            let i = self.heap.len() - 1;
            self.pos[id as usize] = i as u32;
            self.up(i);
        } else {
            let i = p as usize;
            let old = self.heap[i].0;
            self.heap[i].0 = time.0;
            if time.0 < old {
                self.up(i);
            } else {
                self.down(i);
            }
        }
    }

    /// Remove the deadline of `id`, if any.
    pub fn remove(&mut self, id: u32) {
        let Some(&p) = self.pos.get(id as usize) else {
            return;
        };
        if p == ABSENT {
            return;
        }
        let i = p as usize;
        let last = self.heap.len() - 1;
        self.swap(i, last);
        self.heap.pop();
        self.pos[id as usize] = ABSENT;
        if i < self.heap.len() {
            self.down(i);
            self.up(i);
        }
    }

    /// Earliest `(deadline, id)`.
    pub fn peek(&self) -> Option<(SimTime, u32)> {
        self.heap.first().map(|&(t, id)| (SimTime(t), id))
    }

    /// Number of ids with a deadline.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no deadline is set.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// From now on, a deadline set before `now` is in the past.
    pub fn set_floor(&mut self, now: SimTime) {
        self.floor = now.0;
    }

    /// The first deadline set before the floor since the last call, as (id, its time, the
    /// floor then); `None` when every deadline was at or after the floor.
    pub fn take_past(&mut self) -> Option<(u32, SimTime, SimTime)> {
        self.past.take()
    }

    /// Drop every deadline (the run stops).
    pub fn clear(&mut self) {
        for &(_, id) in &self.heap {
            self.pos[id as usize] = ABSENT;
        }
        self.heap.clear();
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.heap.swap(a, b);
        self.pos[self.heap[a].1 as usize] = a as u32;
        self.pos[self.heap[b].1 as usize] = b as u32;
    }

    fn up(&mut self, mut i: usize) {
        while i > 0 {
            let parent = (i - 1) / 2;
            if self.heap[i] < self.heap[parent] {
                self.swap(i, parent);
                i = parent;
            } else {
                break;
            }
        }
    }

    fn down(&mut self, mut i: usize) {
        let n = self.heap.len();
        loop {
            let l = 2 * i + 1;
            let r = l + 1;
            let mut m = i;
            if l < n && self.heap[l] < self.heap[m] {
                m = l;
            }
            if r < n && self.heap[r] < self.heap[m] {
                m = r;
            }
            if m == i {
                break;
            }
            self.swap(i, m);
            i = m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn equal_times_pop_in_insertion_order() {
        let mut q = EventQueue::default();
        for i in 0..10 {
            q.push(SimTime(5), i);
        }
        q.push(SimTime(1), 99);
        assert_eq!(q.pop(), Some((SimTime(1), 99)));
        for i in 0..10 {
            assert_eq!(q.pop(), Some((SimTime(5), i)));
        }
    }

    #[test]
    fn pushes_before_the_floor_are_noted() {
        let mut q = EventQueue::default();
        q.set_floor(SimTime(10));
        q.push(SimTime(10), 'a');
        assert_eq!(q.take_past(), None);
        q.push(SimTime(9), 'b');
        q.push(SimTime(3), 'c');
        assert_eq!(q.take_past(), Some((SimTime(9), SimTime(10))));
        assert_eq!(q.take_past(), None);
        let mut h = TimerHeap::default();
        h.set_floor(SimTime(5));
        h.set(2, SimTime(5));
        assert_eq!(h.take_past(), None);
        h.set(1, SimTime(4));
        assert_eq!(h.take_past(), Some((1, SimTime(4), SimTime(5))));
        h.clear();
        assert!(h.is_empty());
        h.set(1, SimTime(7));
        assert_eq!(h.peek(), Some((SimTime(7), 1)));
    }

    proptest! {
        #[test]
        fn timer_heap_matches_sorted_map(ops in proptest::collection::vec((0u32..20, 0u64..100, any::<bool>()), 0..200)) {
            let mut h = TimerHeap::default();
            let mut m = std::collections::BTreeMap::new();
            for (id, t, rm) in ops {
                if rm { h.remove(id); m.remove(&id); } else { h.set(id, SimTime(t)); m.insert(id, t); }
                let best = m.iter().map(|(&id, &t)| (t, id)).min();
                prop_assert_eq!(h.peek().map(|(t, id)| (t.0, id)), best);
                prop_assert_eq!(h.len(), m.len());
            }
        }
    }
}
