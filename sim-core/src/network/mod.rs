//! Flow-level network model: max-min fair sharing of link capacities.
//!
//! One algorithm in one file (about 1,100 lines): the incremental max-min solver and its
//! checks. Its plain twin, for tests, is `reference.rs`.
//!
//! Every host has an upload link and a download link (resources with a capacity in
//! bits/s); the origin has one egress resource (the simulator's layout of them:
//! `sim/links.rs`). A transfer is a *flow* crossing two resources (the sender's upload,
//! the receiver's download) with an optional per-flow cap (the origin's per-connection
//! throughput). Rates are the max-min fair allocation, computed
//! by progressive filling as in SimGrid's flow model (Velho et al., "On the validity of
//! flow-level TCP network models for grid and cloud simulations", TOMACS 2013), and are
//! recomputed whenever a flow starts or ends.
//!
//! ## The fast path, and why it is exact
//! Each flow gets an *upper bound* `ub(f) = min(flow cap, cap(src), cap(dst))` (a flow can
//! never exceed any link it crosses, so adding these bounds changes nothing). A resource is
//! *binding* only if the bounds of its flows sum above its capacity; otherwise its constraint
//! is implied and ignored. When flows start or end, their two resources are *dirty*. A
//! re-share recomputes the flows of the dirty resources and walks outward: a binding
//! resource that is *saturated* (its flows use its whole capacity) joins the component, as
//! all its flows' fair shares may move; a binding resource with spare capacity is a
//! *boundary*: the component may use only what the flows outside it leave, and those flows
//! are bottlenecked elsewhere, so they keep their rates. After progressive filling, a
//! boundary that saturated below the rate of an outside flow would break max-min (that flow
//! should yield), so it joins the component and the component is solved again. The result
//! is the exact max-min allocation (up to floating-point rounding), while a re-share in a
//! swarm whose upload links are the bottleneck touches one upload link and its few flows.
//! Re-shares are batched: the simulator calls [`Network::reshare`] once per instant, after
//! every event at that instant has run. [`reference::max_min`] is the plain textbook solver
//! it is tested against.
//!
//! ## Tolerance
//! In a swarm where every link is full (an origin shared by everyone, saturated download
//! links), exact max-min couples all flows: one flow ending moves every rate a little.
//! With [`Network::set_tolerance`] ε > 0, saturated links start as boundaries too and join
//! the component only when leaving them out would break fairness by more than ε (a flow
//! more than 1 + ε faster than the component's level, or more than ε of the link left
//! idle). Flow arrivals and departures are lazy as well:
//! - a new flow is the component by itself, its links boundaries: it gets what they have
//!   spare, but at a link that was full no more than the fastest rate there (so the flows
//!   that rely on that link keep it as their bottleneck); a link too short of room for it
//!   is re-solved, as is a link that is not binding;
//! - a departure re-solves its links only if they were full and are now more than ε idle;
//!   until then the freed capacity stays idle (at most ε of the link) or goes to the next
//!   new flow. At the origin, a departure is followed by the client's next request, so
//!   a re-share with thousands of origin flows moves one rate instead of all of them;
//! - a boundary that saturates below the rate of flows outside the component (a crowded
//!   origin that a slower flow, freed elsewhere, now needs more of) does not pull in all
//!   its flows: only enough of the fastest outside flows join to fund the slower ones up to
//!   within ε/2 of them (about 2/ε flows of a link with thousands), and the link stays a
//!   boundary (no flow there faster than before). The usual checks follow, so the
//!   guarantee below is unchanged.
//!
//! The guarantee, ε-max-min fairness, holds after every re-share ([`Network::check_fairness`]
//! and [`Network::check_caps`], tested after every re-share on random instances, including
//! a shared link with thousands of flows): links are never above capacity, with or without
//! ε, and every flow has a *bottleneck*: its own bound, or a link it crosses that carries at
//! least (1 − ε) of its capacity and on which no flow is more than (1 + ε) times faster.
//! The freed capacity of departures is re-shared only once it exceeds ε of a full link, so
//! with n flows on a full link and ε·n > 1, most departures move no other rate.
//! With ε = 0 none of this applies and the allocation is exact.
//!
//! ## Running totals
//! Each link keeps the sum and the maximum of its flows' rates, updated as rates change
//! (the sum recomputed exactly every 1,024 updates, so its drift stays far below
//! the 1e-9 slack of the checks), so that testing a boundary with thousands of flows costs
//! O(1) rather than a scan. Progressive filling sorts the flows' own bounds once and merges
//! them with a heap of link levels; a link with a single flow in the component is folded
//! into that flow's bound.

pub mod reference;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Index of a link resource (a host's upload or download link, or the origin's egress).
pub type ResourceId = u32;
/// Index of a flow; chosen by the caller (slots may be reused after removal).
pub type FlowId = u32;

#[derive(Debug, Clone, Default)]
struct NetFlow {
    src: ResourceId,
    dst: ResourceId,
    /// The flow's own cap (infinite for none).
    cap: f64,
    /// min(cap, capacities of both ends).
    ub: f64,
    rate: f64,
    pos_src: u32,
    pos_dst: u32,
    active: bool,
}

/// Role of a resource in the current re-share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Kind {
    /// Not binding: its capacity is implied by its flows' bounds.
    #[default]
    Ignored,
    /// In the component: all its flows are recomputed, full capacity.
    Constraint,
    /// Touched by the component with spare capacity: a constraint with what is left.
    Boundary,
    /// A dirty resource that is not binding: its flows are recomputed, no constraint.
    Free,
}

/// Heap entry of the progressive filling: the water level at which resource `id`
/// saturates, as one integer ordered by level (as `f64::total_cmp`), then id: the heap
/// compares plain integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Level(u128);

impl Level {
    fn new(level: f64, id: ResourceId) -> Level {
        Level((u128::from(ordered_bits(level)) << 32) | u128::from(id))
    }

    fn level(self) -> f64 {
        from_ordered_bits((self.0 >> 32) as u64)
    }

    fn id(self) -> ResourceId {
        self.0 as u32
    }
}

/// The bits of `x` mapped so that unsigned order is the order of `f64::total_cmp` (sign
/// bit set for positives, all bits flipped for negatives).
fn ordered_bits(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// The inverse of [`ordered_bits`].
fn from_ordered_bits(ordered: u64) -> f64 {
    f64::from_bits(if ordered >> 63 == 1 {
        ordered & !(1 << 63)
    } else {
        !ordered
    })
}

/// How a boundary breaks max-min fairness after a fill.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Breach {
    /// It does not.
    None,
    /// It saturated at a level below flows outside the component faster than this
    /// (bits/s): they should yield.
    Faster(f64),
    /// Otherwise (capacity left idle, or an outside flow too slow): it must be re-solved.
    Other,
}

/// A flow's bound and id as one integer whose order is the order of
/// `bound.total_cmp(..).then(id.cmp(..))`: the fill sorts plain integers, several times
/// faster than comparing pairs through a closure. The bound's bits are mapped the way
/// `f64::total_cmp` orders them (sign bit set for positives, all bits flipped for
/// negatives), so the order is the same for every value.
fn bound_key(bound: f64, id: FlowId) -> u128 {
    (u128::from(ordered_bits(bound)) << 32) | u128::from(id)
}

/// The bound and flow id of a [`bound_key`].
fn from_bound_key(key: u128) -> (f64, FlowId) {
    (from_ordered_bits((key >> 32) as u64), key as u32)
}

/// Running totals of a resource's rates are recomputed from scratch after this many
/// updates, which bounds their rounding drift to about 1e-13 of the capacity.
const RESUM_EVERY: u32 = 1024;

/// Running totals of the rates of one resource's flows, kept up to date as rates change.
#[derive(Debug, Clone, Copy, Default)]
struct Agg {
    /// Sum of the rates in bits/s.
    used_bps: f64,
    /// The largest rate in bits/s; valid when `max_count > 0` or there is no flow.
    max_bps: f64,
    /// How many flows have exactly `max_bps` (0 with flows present: stale, recompute).
    max_count: u32,
    /// Updates since the last exact recomputation.
    updates: u32,
}

/// What the current re-share's component holds of one resource.
#[derive(Debug, Clone, Copy, Default)]
struct Inside {
    /// The re-share this is valid for.
    epoch: u32,
    /// Flows of the resource inside the component.
    n: u32,
    /// Their rates before the re-share, summed (bits/s).
    old_bps: f64,
    /// Their rates after the last fill, summed (bits/s).
    new_bps: f64,
    /// The fastest of them after the last fill (bits/s).
    new_max_bps: f64,
    /// Of the flows inside, those whose old rate is the link's running maximum
    /// (`Agg::max_bps`); [`AT_MAX_UNKNOWN`] if that maximum was stale when one came in.
    at_max: u32,
}

/// [`Inside::at_max`] when it could not be counted.
const AT_MAX_UNKNOWN: u32 = u32::MAX;

/// The set of links and active flows, with their max-min fair rates in bits/s.
#[derive(Debug, Default)]
pub struct Network {
    cap: Vec<f64>,
    flows_on: Vec<Vec<FlowId>>,
    sum_ub: Vec<f64>,
    agg: Vec<Agg>,
    flows: Vec<NetFlow>,
    dirty: Vec<ResourceId>,
    dirty_mark: Vec<bool>,
    // Scratch state of one re-share, kept to avoid allocation per event.
    epoch: u32,
    res_epoch: Vec<u32>,
    flow_epoch: Vec<u32>,
    remaining: Vec<f64>,
    unfrozen: Vec<u32>,
    frozen: Vec<bool>,
    stack: Vec<ResourceId>,
    comp_res: Vec<ResourceId>,
    comp_flows: Vec<FlowId>,
    heap: BinaryHeap<Reverse<Level>>,
    /// Flow bounds of the fill as keys ([`bound_key`]: bound, then flow id), in a min-heap:
    /// a fill usually freezes its flows at link levels before most bounds come up, so
    /// heapifying (O(n)) and popping what is reached beats sorting them all.
    bounds: BinaryHeap<Reverse<u128>>,
    /// Flows of the component frozen so far in the current fill.
    frozen_count: usize,
    new_rate: Vec<f64>,
    kind: Vec<Kind>,
    boundary: Vec<ResourceId>,
    sat_level: Vec<f64>,
    ins: Vec<Inside>,
    /// Tolerant mode: the most an inside flow may get at a boundary that was full (the
    /// fastest rate there before the re-share), infinite elsewhere.
    level_cap: Vec<f64>,
    /// Tolerant mode: flows added since the last re-share; they seed the component.
    new_flows: Vec<FlowId>,
    /// Tolerant mode: resources that lost flows since the last re-share, and the rates
    /// (bits/s) those flows had there.
    soft: Vec<ResourceId>,
    soft_mark: Vec<bool>,
    removed_bps: Vec<f64>,
    /// Tolerant mode: resources touched by this re-share's component that are not binding.
    ignored: Vec<ResourceId>,
    /// Flows recomputed by the last re-share (the size of its component), for statistics.
    pub last_component_flows: usize,
    tolerance: f64,
}

impl Network {
    /// A network of resources with the given capacities in bits/s.
    pub fn new(capacities_bps: Vec<f64>) -> Network {
        let n = capacities_bps.len();
        Network {
            cap: capacities_bps,
            flows_on: vec![Vec::new(); n],
            sum_ub: vec![0.0; n],
            agg: vec![Agg::default(); n],
            ins: vec![Inside::default(); n],
            dirty_mark: vec![false; n],
            res_epoch: vec![0; n],
            remaining: vec![0.0; n],
            unfrozen: vec![0; n],
            kind: vec![Kind::Ignored; n],
            sat_level: vec![f64::INFINITY; n],
            level_cap: vec![f64::INFINITY; n],
            soft_mark: vec![false; n],
            removed_bps: vec![0.0; n],
            ..Network::default()
        }
    }

    /// Allow an approximately max-min fair allocation: a re-share stops spreading where
    /// the change would move rates by less than a fraction `tolerance` (0 = exact), and
    /// capacity freed by departures stays idle up to that fraction of a full link. See
    /// [`Network::check_fairness`] for the guarantee, and the module documentation.
    /// Best called before the first flow is added (pending changes are then re-solved in
    /// full).
    pub fn set_tolerance(&mut self, tolerance: f64) {
        // Pending changes recorded for one mode are re-solved in full by the other.
        for k in 0..self.new_flows.len() {
            let f = self.new_flows[k] as usize;
            if self.flows[f].active {
                self.mark_dirty(self.flows[f].src);
                self.mark_dirty(self.flows[f].dst);
            }
        }
        self.new_flows.clear();
        for r in std::mem::take(&mut self.soft) {
            self.soft_mark[r as usize] = false;
            self.removed_bps[r as usize] = 0.0;
            self.mark_dirty(r);
        }
        self.tolerance = tolerance.max(0.0);
    }

    /// Capacity of resource `r` in bits/s.
    pub fn capacity(&self, r: ResourceId) -> f64 {
        self.cap[r as usize]
    }

    /// Change the capacity of resource `r` (bits/s); its flows are re-shared at the next
    /// [`Network::reshare`].
    pub fn set_capacity(&mut self, r: ResourceId, capacity_bps: f64) {
        self.cap[r as usize] = capacity_bps;
        for k in 0..self.flows_on[r as usize].len() {
            let f = self.flows_on[r as usize][k] as usize;
            let (src, dst) = (self.flows[f].src as usize, self.flows[f].dst as usize);
            let ub = self.flows[f].cap.min(self.cap[src]).min(self.cap[dst]);
            let old = self.flows[f].ub;
            self.sum_ub[src] += ub - old;
            self.sum_ub[dst] += ub - old;
            self.flows[f].ub = ub;
            self.mark_dirty(self.flows[f].src);
            self.mark_dirty(self.flows[f].dst);
        }
        self.mark_dirty(r);
    }

    /// Number of resources.
    pub fn resource_count(&self) -> usize {
        self.cap.len()
    }

    /// Is the flow `id` present?
    pub fn is_active(&self, id: FlowId) -> bool {
        self.flows.get(id as usize).is_some_and(|f| f.active)
    }

    /// Current rate of flow `id` in bits/s (valid after the last [`Network::reshare`]).
    pub fn rate(&self, id: FlowId) -> f64 {
        self.flows[id as usize].rate
    }

    /// The two resources a flow crosses.
    pub fn endpoints(&self, id: FlowId) -> (ResourceId, ResourceId) {
        let f = &self.flows[id as usize];
        (f.src, f.dst)
    }

    /// Flows currently crossing resource `r`.
    pub fn flows_on(&self, r: ResourceId) -> &[FlowId] {
        &self.flows_on[r as usize]
    }

    fn mark_dirty(&mut self, r: ResourceId) {
        if !self.dirty_mark[r as usize] {
            self.dirty_mark[r as usize] = true;
            self.dirty.push(r);
        }
    }

    fn binding(&self, r: ResourceId) -> bool {
        self.sum_ub[r as usize] > self.cap[r as usize]
    }

    /// Start flow `id` from resource `src` to `dst`, at most `flow_cap_bps` (use
    /// `f64::INFINITY` for no per-flow cap). Its rate is 0 until the next re-share.
    pub fn add_flow(&mut self, id: FlowId, src: ResourceId, dst: ResourceId, flow_cap_bps: f64) {
        debug_assert!(src != dst);
        let i = id as usize;
        if self.flows.len() <= i {
            self.flows.resize(i + 1, NetFlow::default());
            self.flow_epoch.resize(i + 1, 0);
            self.frozen.resize(i + 1, false);
        }
        debug_assert!(!self.flows[i].active, "flow {id} added twice");
        let ub = flow_cap_bps
            .min(self.cap[src as usize])
            .min(self.cap[dst as usize]);
        let pos_src = self.flows_on[src as usize].len() as u32;
        self.flows_on[src as usize].push(id);
        let pos_dst = self.flows_on[dst as usize].len() as u32;
        self.flows_on[dst as usize].push(id);
        self.sum_ub[src as usize] += ub;
        self.sum_ub[dst as usize] += ub;
        self.agg_change(src, None, Some(0.0));
        self.agg_change(dst, None, Some(0.0));
        self.flows[i] = NetFlow {
            src,
            dst,
            cap: flow_cap_bps,
            ub,
            rate: 0.0,
            pos_src,
            pos_dst,
            active: true,
        };
        if self.tolerance > 0.0 {
            // Tolerant mode: the new flow alone seeds the component; its links join only if
            // giving it a rate breaks fairness there.
            self.new_flows.push(id);
        } else {
            self.mark_dirty(src);
            self.mark_dirty(dst);
        }
    }

    /// End flow `id`; the capacity it held is re-shared at the next [`Network::reshare`].
    pub fn remove_flow(&mut self, id: FlowId) {
        let f = std::mem::take(&mut self.flows[id as usize]);
        debug_assert!(f.active, "flow {id} removed twice");
        self.detach(f.src, f.pos_src);
        self.detach(f.dst, f.pos_dst);
        self.agg_change(f.src, Some(f.rate), None);
        self.agg_change(f.dst, Some(f.rate), None);
        for r in [f.src, f.dst] {
            let s = &mut self.sum_ub[r as usize];
            *s -= f.ub;
            if self.flows_on[r as usize].is_empty() {
                *s = 0.0;
            }
        }
        if self.tolerance > 0.0 {
            // Tolerant mode: the links are re-solved only if they were full and the
            // departure leaves more than the tolerance idle.
            for r in [f.src, f.dst] {
                self.removed_bps[r as usize] += f.rate;
                if !self.soft_mark[r as usize] {
                    self.soft_mark[r as usize] = true;
                    self.soft.push(r);
                }
            }
        } else {
            self.mark_dirty(f.src);
            self.mark_dirty(f.dst);
        }
    }

    fn detach(&mut self, r: ResourceId, pos: u32) {
        let list = &mut self.flows_on[r as usize];
        list.swap_remove(pos as usize);
        if let Some(&moved) = list.get(pos as usize) {
            let m = &mut self.flows[moved as usize];
            if m.src == r {
                m.pos_src = pos;
            } else {
                m.pos_dst = pos;
            }
        }
    }

    /// True if some flow was added or removed since the last re-share.
    pub fn needs_reshare(&self) -> bool {
        !self.dirty.is_empty() || !self.new_flows.is_empty() || !self.soft.is_empty()
    }

    /// Recompute the max-min rates of every flow whose rate can have changed; push the ids
    /// of the flows whose rate did change onto `changed`.
    pub fn reshare(&mut self, changed: &mut Vec<FlowId>) {
        if !self.needs_reshare() {
            self.last_component_flows = 0;
            return;
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.res_epoch.iter_mut().for_each(|e| *e = u32::MAX);
            self.flow_epoch.iter_mut().for_each(|e| *e = u32::MAX);
            self.ins.iter_mut().for_each(|e| e.epoch = u32::MAX);
            self.epoch = 1;
        }
        if self.new_rate.len() < self.flows.len() {
            self.new_rate.resize(self.flows.len(), 0.0);
        }
        let epoch = self.epoch;
        self.comp_res.clear();
        self.comp_flows.clear();
        self.boundary.clear();
        self.ignored.clear();
        self.stack.clear();
        for k in 0..self.dirty.len() {
            let r = self.dirty[k];
            self.dirty_mark[r as usize] = false;
            if self.res_epoch[r as usize] != epoch {
                self.re_solve(r, epoch);
            }
        }
        self.dirty.clear();
        // Tolerant mode: new flows join the component by themselves. A binding link they
        // cross is a boundary if it has room for them at the rate of its fastest flow (a
        // full one that other flows just left, or one with spare capacity), else all its
        // flows are recomputed, as are those of a link that is not binding.
        for k in 0..self.new_flows.len() {
            let f = self.new_flows[k];
            if !self.flows[f as usize].active || self.flow_epoch[f as usize] == epoch {
                continue;
            }
            self.take_in(f, epoch);
        }
        self.new_flows.clear();
        for k in 0..self.comp_flows.len() {
            let f = self.comp_flows[k] as usize;
            for o in [self.flows[f].src, self.flows[f].dst] {
                let oi = o as usize;
                if self.res_epoch[oi] == epoch {
                    continue;
                }
                self.res_epoch[oi] = epoch;
                let room = self.binding(o) && {
                    let spare = self.cap[oi] - self.agg[oi].used_bps;
                    let level = self.max_rate(o) / (1.0 + self.tolerance);
                    spare >= self.ins[oi].n as f64 * level
                };
                self.kind[oi] = if room {
                    self.boundary.push(o);
                    Kind::Boundary
                } else {
                    self.stack.push(o);
                    if self.binding(o) {
                        Kind::Constraint
                    } else {
                        Kind::Free
                    }
                };
            }
        }
        // Tolerant mode: a link that lost flows is re-solved only if it was full (a flow
        // may rely on it as its bottleneck) and now has more than the tolerance idle.
        for k in 0..self.soft.len() {
            let r = self.soft[k];
            if self.res_epoch[r as usize] != epoch && self.bottleneck_lost(r, epoch) {
                self.re_solve(r, epoch);
            }
        }
        loop {
            self.expand(epoch);
            self.fill(epoch);
            self.tally_inside(epoch);
            // Check every boundary: max-min (within the tolerance) must hold there too, or
            // the boundary joins the component and the component is solved again.
            let mut grew = false;
            for k in 0..self.boundary.len() {
                let r = self.boundary[k];
                match self.boundary_violated(r, epoch) {
                    Breach::None => {}
                    // Tolerant mode: only the flows that are too fast yield; the slower
                    // ones stay outside, as do the links beyond them.
                    Breach::Faster(limit_bps) if self.tolerance > 0.0 => {
                        self.take_faster(r, limit_bps, epoch);
                        grew = true;
                    }
                    _ => {
                        self.kind[r as usize] = Kind::Constraint;
                        self.stack.push(r);
                        grew = true;
                    }
                }
            }
            // Tolerant mode: links outside the fill (not binding, or only losing flows)
            // must not lose a bottleneck a flow relied on.
            for k in 0..self.ignored.len() + self.soft.len() {
                let r = if k < self.ignored.len() {
                    self.ignored[k]
                } else {
                    self.soft[k - self.ignored.len()]
                };
                let ri = r as usize;
                if self.res_epoch[ri] == epoch && self.kind[ri] != Kind::Ignored {
                    continue;
                }
                if self.bottleneck_lost(r, epoch) {
                    self.re_solve(r, epoch);
                    grew = true;
                }
            }
            if !grew {
                break;
            }
            let kind = &self.kind;
            self.boundary
                .retain(|&r| kind[r as usize] == Kind::Boundary);
        }
        for k in 0..self.soft.len() {
            let r = self.soft[k] as usize;
            self.soft_mark[r] = false;
            self.removed_bps[r] = 0.0;
        }
        self.soft.clear();
        self.last_component_flows = self.comp_flows.len();
        for k in 0..self.comp_flows.len() {
            let f = self.comp_flows[k];
            let new_rate = self.new_rate[f as usize];
            let fl = &mut self.flows[f as usize];
            let old_rate = fl.rate;
            if new_rate != old_rate {
                fl.rate = new_rate;
                let (src, dst) = (fl.src, fl.dst);
                changed.push(f);
                self.agg_change(src, Some(old_rate), Some(new_rate));
                self.agg_change(dst, Some(old_rate), Some(new_rate));
            }
        }
    }

    /// Put flow `f` into the component and count it at both its links.
    fn take_in(&mut self, f: FlowId, epoch: u32) {
        self.flow_epoch[f as usize] = epoch;
        self.comp_flows.push(f);
        let fl = &self.flows[f as usize];
        let rate = fl.rate;
        for o in [fl.src, fl.dst] {
            let agg = &self.agg[o as usize];
            let (max_known, at_max) = (agg.max_count > 0, rate == agg.max_bps);
            let ins = &mut self.ins[o as usize];
            if ins.epoch != epoch {
                *ins = Inside {
                    epoch,
                    ..Inside::default()
                };
            }
            ins.n += 1;
            ins.old_bps += rate;
            if !max_known {
                ins.at_max = AT_MAX_UNKNOWN;
            } else if at_max && ins.at_max != AT_MAX_UNKNOWN {
                ins.at_max += 1;
            }
        }
    }

    /// After a fill: the new rates of the component's flows, summed per link.
    fn tally_inside(&mut self, epoch: u32) {
        for &f in &self.comp_flows {
            let fl = &self.flows[f as usize];
            for o in [fl.src, fl.dst] {
                let ins = &mut self.ins[o as usize];
                debug_assert_eq!(ins.epoch, epoch);
                ins.new_bps = 0.0;
                ins.new_max_bps = 0.0;
            }
        }
        for &f in &self.comp_flows {
            let fl = &self.flows[f as usize];
            let x = self.new_rate[f as usize];
            for o in [fl.src, fl.dst] {
                let ins = &mut self.ins[o as usize];
                ins.new_bps += x;
                ins.new_max_bps = ins.new_max_bps.max(x);
            }
        }
    }

    /// The component's share of resource `r`: flows inside, their old and new rate sums
    /// and their fastest new rate (zeros if the component does not reach `r`).
    fn inside(&self, r: ResourceId, epoch: u32) -> Inside {
        let ins = self.ins[r as usize];
        if ins.epoch == epoch {
            ins
        } else {
            Inside::default()
        }
    }

    /// Record a flow's rate at resource `r` changing from `old` to `new` (`None`: the flow
    /// is absent) in the running totals.
    fn agg_change(&mut self, r: ResourceId, old: Option<f64>, new: Option<f64>) {
        let ri = r as usize;
        let a = &mut self.agg[ri];
        if let Some(x) = old {
            a.used_bps -= x;
            if x == a.max_bps {
                a.max_count = a.max_count.saturating_sub(1);
            }
        }
        if let Some(x) = new {
            a.used_bps += x;
            if x > a.max_bps {
                a.max_bps = x;
                a.max_count = 1;
            } else if x == a.max_bps {
                a.max_count += 1;
            }
        }
        a.updates += 1;
        if self.flows_on[ri].is_empty() {
            self.agg[ri] = Agg::default();
        } else if a.updates >= RESUM_EVERY {
            self.resum(r);
        }
    }

    /// Recompute the running totals of resource `r` from its flows.
    fn resum(&mut self, r: ResourceId) {
        let ri = r as usize;
        let mut a = Agg::default();
        for &f in &self.flows_on[ri] {
            let x = self.flows[f as usize].rate;
            a.used_bps += x;
            if x > a.max_bps {
                a.max_bps = x;
                a.max_count = 1;
            } else if x == a.max_bps {
                a.max_count += 1;
            }
        }
        self.agg[ri] = a;
    }

    /// The fastest rate on resource `r` before this re-share (0 if it has no flow).
    fn max_rate(&mut self, r: ResourceId) -> f64 {
        let ri = r as usize;
        if self.agg[ri].max_count == 0 && !self.flows_on[ri].is_empty() {
            self.resum(r);
        }
        self.agg[ri].max_bps
    }

    /// Tolerance-aware fullness: is a link carrying `used_bps` of capacity `cap_bps` full to
    /// within the tolerance (the test of [`Network::check_fairness`])? `margin` shifts the
    /// threshold by a relative amount, to decide on the safe side of rounding (running
    /// totals drift by far less than 1e-11 between two exact recomputations).
    fn full(&self, used_bps: f64, cap_bps: f64, margin: f64) -> bool {
        used_bps >= cap_bps * (1.0 - self.tolerance - 1e-9 + margin)
    }

    /// Old load (counting the flows that left since the last re-share) and current load of
    /// resource `r`, in bits/s.
    fn load(&self, r: ResourceId, epoch: u32) -> (f64, f64) {
        let ri = r as usize;
        let used = self.agg[ri].used_bps;
        let ins = self.inside(r, epoch);
        let now = if ins.n as usize == self.flows_on[ri].len() {
            ins.new_bps
        } else {
            used - ins.old_bps + ins.new_bps
        };
        (used + self.removed_bps[ri], now)
    }

    /// Put link `r` into this re-share's component (epoch `epoch`): all its flows are
    /// recomputed, under its capacity if it is binding.
    fn re_solve(&mut self, r: ResourceId, epoch: u32) {
        self.res_epoch[r as usize] = epoch;
        self.kind[r as usize] = if self.binding(r) {
            Kind::Constraint
        } else {
            Kind::Free
        };
        self.stack.push(r);
    }

    /// Tolerant mode, for a resource that is not a constraint of the fill: was it full (so
    /// that flows may rely on it as their bottleneck), and does it now either have more
    /// than the tolerance idle or a flow faster than any before?
    fn bottleneck_lost(&mut self, r: ResourceId, epoch: u32) -> bool {
        let (old, now) = self.load(r, epoch);
        let cap = self.cap[r as usize];
        if !self.full(old, cap, -1e-11) {
            return false;
        }
        let max_old = self.max_rate(r);
        !self.full(now, cap, 1e-11) || self.inside(r, epoch).new_max_bps > max_old
    }

    /// Walk from the resources on the stack: take in all their flows, and classify the
    /// other end of each flow as part of the component (a saturated binding resource, whose
    /// fair share may move), a boundary constraint (binding but with spare capacity: the
    /// component may use what the flows outside leave), or irrelevant (not binding).
    fn expand(&mut self, epoch: u32) {
        while let Some(r) = self.stack.pop() {
            self.comp_res.push(r);
            for k in 0..self.flows_on[r as usize].len() {
                let f = self.flows_on[r as usize][k];
                if self.flow_epoch[f as usize] == epoch {
                    continue;
                }
                self.take_in(f, epoch);
                let fl = &self.flows[f as usize];
                for o in [fl.src, fl.dst] {
                    self.classify(o, epoch);
                }
            }
        }
    }

    /// Classify resource `o`, reached by a flow of the component, unless it already is:
    /// irrelevant if not binding; in exact mode part of the component if saturated (its
    /// fair share may move); else a boundary.
    fn classify(&mut self, o: ResourceId, epoch: u32) {
        if self.res_epoch[o as usize] == epoch {
            return;
        }
        self.res_epoch[o as usize] = epoch;
        self.kind[o as usize] = if !self.binding(o) {
            if self.tolerance > 0.0 {
                self.ignored.push(o);
            }
            Kind::Ignored
        } else if self.tolerance == 0.0 && self.saturated(o) {
            self.stack.push(o);
            Kind::Constraint
        } else {
            self.boundary.push(o);
            Kind::Boundary
        };
    }

    /// Does resource `r` carry (nearly) its capacity at the current rates?
    fn saturated(&self, r: ResourceId) -> bool {
        self.agg[r as usize].used_bps >= self.cap[r as usize] * (1.0 - 1e-9)
    }

    /// The fastest old rate among the flows on `r` outside the component: the link's
    /// running maximum when fewer flows inside have it than the link counts (O(1), the
    /// usual case at a link with thousands of flows), else a scan.
    fn outside_max(&self, r: ResourceId, epoch: u32) -> f64 {
        let agg = &self.agg[r as usize];
        let ins = self.inside(r, epoch);
        if agg.max_count > 0 && ins.at_max != AT_MAX_UNKNOWN && ins.at_max < agg.max_count {
            return agg.max_bps;
        }
        let mut m = 0.0f64;
        for &f in &self.flows_on[r as usize] {
            if self.flow_epoch[f as usize] != epoch {
                m = m.max(self.flows[f as usize].rate);
            }
        }
        m
    }

    /// After filling, does boundary `r` break max-min fairness (beyond the tolerance)?
    /// Either it saturated at a level below the rate of a flow outside the component (that
    /// flow should yield), or it was saturated before and now has spare capacity (the flows
    /// outside that it bottlenecked could grow).
    fn boundary_violated(&mut self, r: ResourceId, epoch: u32) -> Breach {
        let eps = self.tolerance;
        let ri = r as usize;
        let cap = self.cap[ri];
        let (old, new) = self.load(r, epoch);
        let max_old = self.max_rate(r);
        let limit = |level: f64| level * (1.0 + eps + 1e-9) + 1e-9;
        let level = self.sat_level[ri];
        // The component's flows saturated this link at `level`: an outside flow above
        // it should yield to them.
        if level.is_finite() && max_old > limit(level) && self.outside_max(r, epoch) > limit(level)
        {
            return Breach::Faster(limit(level));
        }
        // It was a bottleneck and now has spare capacity: the flows it held could grow.
        if self.full(old, cap, -1e-11) && !self.full(new, cap, 1e-11) {
            return Breach::Other;
        }
        let ins_max = self.inside(r, epoch).new_max_bps;
        // Tolerant mode: no flow here is faster than before, so a flow that had this link
        // as its bottleneck still has it (it is no emptier, by the test above).
        if eps > 0.0 && ins_max <= max_old {
            return Breach::None;
        }
        // It is full now: every outside flow much slower than the fastest flow here must
        // have its bottleneck elsewhere, or it should get more here.
        if new >= cap * (1.0 - eps) * (1.0 - 1e-9) {
            let max_now = ins_max.max(self.outside_max(r, epoch));
            for k in 0..self.flows_on[ri].len() {
                let g = self.flows_on[ri][k];
                let rate = self.flows[g as usize].rate;
                if self.flow_epoch[g as usize] != epoch
                    && limit(rate) < max_now
                    && !self.bottlenecked_elsewhere(g, r, epoch)
                {
                    return Breach::Other;
                }
            }
        }
        Breach::None
    }

    /// Tolerant mode: boundary `r` saturated at a level below the rate of flows outside the
    /// component, faster than `limit_bps`. Those flows should yield, but only enough for
    /// the component's flows there to come within the tolerance of them: aiming at a level
    /// of `top / (1 + ε/2)` (`top` the fastest outside flow), take in outside flows faster
    /// than that until the capacity they would give up covers what the inside flows lack
    /// (on a link with thousands of flows, about 2/ε of them rather than all). `r` stays a
    /// boundary that offers the component what the flows left outside leave; the other
    /// links of the new flows are classified as [`Network::expand`] does. At least one flow
    /// is taken in; if the level falls short, the next check takes more.
    fn take_faster(&mut self, r: ResourceId, limit_bps: f64, epoch: u32) {
        let top = self.outside_max(r, epoch);
        let target = top / (1.0 + self.tolerance / 2.0);
        let level = self.sat_level[r as usize];
        let mut lack = self.inside(r, epoch).n as f64 * (target - level).max(0.0) * 1.01;
        debug_assert!(top > limit_bps && top > target);
        for k in 0..self.flows_on[r as usize].len() {
            let f = self.flows_on[r as usize][k];
            let rate = self.flows[f as usize].rate;
            if self.flow_epoch[f as usize] == epoch || rate <= target {
                continue;
            }
            lack -= rate - target;
            self.take_in(f, epoch);
            let fl = &self.flows[f as usize];
            let o = if fl.src == r { fl.dst } else { fl.src };
            self.classify(o, epoch);
            if lack <= 0.0 {
                break;
            }
        }
    }

    /// Does flow `g` have a bottleneck (within the tolerance) other than resource `r`: its
    /// own bound, or its other link, full and with no flow much faster than `g`?
    fn bottlenecked_elsewhere(&mut self, g: FlowId, r: ResourceId, epoch: u32) -> bool {
        let eps = self.tolerance;
        let fl = &self.flows[g as usize];
        if fl.rate >= fl.ub * (1.0 - 1e-9) {
            return true;
        }
        let rate = fl.rate;
        let o = if fl.src == r { fl.dst } else { fl.src };
        let (_, used) = self.load(o, epoch);
        // An upper bound of the fastest rate there now: the fastest before, or inside.
        let max_rate = self.max_rate(o).max(self.inside(o, epoch).new_max_bps);
        self.full(used, self.cap[o as usize], 1e-11) && rate * (1.0 + eps + 1e-9) + 1e-9 >= max_rate
    }

    /// Progressive filling over the component: raise all its flows together; freeze a
    /// flow when it reaches its bound or when a constraint it crosses saturates. Boundary
    /// constraints offer only the capacity the flows outside the component leave.
    fn fill(&mut self, epoch: u32) {
        self.heap.clear();
        let tolerant = self.tolerance > 0.0;
        for k in 0..self.comp_res.len() + self.boundary.len() {
            let r = if k < self.comp_res.len() {
                self.comp_res[k]
            } else {
                self.boundary[k - self.comp_res.len()]
            };
            let ri = r as usize;
            self.sat_level[ri] = f64::INFINITY;
            self.level_cap[ri] = f64::INFINITY;
            let (cap, n) = match self.kind[ri] {
                Kind::Constraint => (self.cap[ri], self.flows_on[ri].len() as u32),
                Kind::Boundary => {
                    let ins = self.inside(r, epoch);
                    let outside = if ins.n as usize == self.flows_on[ri].len() {
                        0.0
                    } else {
                        (self.agg[ri].used_bps - ins.old_bps).max(0.0)
                    };
                    // Tolerant mode: at a link that was full, no flow may become faster
                    // than the fastest was, so the flows that rely on it keep it as their
                    // bottleneck; any capacity left idle is checked afterwards.
                    let old = self.agg[ri].used_bps + self.removed_bps[ri];
                    if tolerant && self.full(old, self.cap[ri], -1e-11) {
                        self.level_cap[ri] = self.max_rate(r);
                    }
                    ((self.cap[ri] - outside).max(0.0), ins.n)
                }
                _ => continue,
            };
            self.remaining[ri] = cap;
            self.unfrozen[ri] = n;
            if n > 1 {
                self.heap.push(Reverse(Level::new(cap / n as f64, r)));
            }
        }
        // A flow's own bound matters only if it is below what every constraint it crosses
        // could ever give it (that constraint's whole available capacity). A constraint
        // with a single flow of the component is folded into that flow's bound: it only
        // saturates when that flow reaches what it offers.
        let mut bounds = std::mem::take(&mut self.bounds).into_vec();
        bounds.clear();
        self.frozen_count = 0;
        for k in 0..self.comp_flows.len() {
            let f = self.comp_flows[k];
            self.frozen[f as usize] = false;
            let fl = &self.flows[f as usize];
            let (mut ceiling, mut bound) = (f64::INFINITY, fl.ub);
            for r in [fl.src, fl.dst] {
                let ri = r as usize;
                if matches!(self.kind[ri], Kind::Constraint | Kind::Boundary) {
                    ceiling = ceiling.min(self.remaining[ri]);
                    bound = bound.min(self.level_cap[ri]);
                    if self.unfrozen[ri] == 1 {
                        bound = bound.min(self.remaining[ri]);
                    }
                }
            }
            if bound <= ceiling {
                bounds.push(Reverse(bound_key(bound, f)));
            }
        }
        self.bounds = BinaryHeap::from(bounds);
        // Merge the flow bounds, lowest first, with the resource levels, flows first on
        // ties. A resource's level `remaining / unfrozen` only rises as flows freeze (each
        // at a level no higher than it), so its heap entry is a lower bound: when it comes
        // up, it is re-queued at its current level if that is higher. Once every flow is
        // frozen nothing is left to do (the rest would be skipped entries).
        let level_at = |bounds: &BinaryHeap<Reverse<u128>>| {
            bounds
                .peek()
                .map_or(f64::INFINITY, |&Reverse(key)| from_bound_key(key).0)
        };
        let mut flow_level = level_at(&self.bounds);
        loop {
            if self.frozen_count == self.comp_flows.len() {
                break;
            }
            let res_first = match self.heap.peek() {
                Some(Reverse(top)) => top.level() < flow_level,
                None => false,
            };
            if !res_first {
                let Some(Reverse(key)) = self.bounds.pop() else {
                    break;
                };
                let (level, f) = from_bound_key(key);
                flow_level = level_at(&self.bounds);
                if !self.frozen[f as usize] {
                    self.freeze(f, level, epoch);
                    // A folded single-flow constraint that this flow has now filled
                    // saturated at this level.
                    let fl = &self.flows[f as usize];
                    for r in [fl.src, fl.dst] {
                        let ri = r as usize;
                        if self.res_epoch[ri] == epoch
                            && matches!(self.kind[ri], Kind::Constraint | Kind::Boundary)
                            && self.remaining[ri] == 0.0
                            && level < fl.ub
                            && self.sat_level[ri].is_infinite()
                        {
                            self.sat_level[ri] = level;
                        }
                    }
                }
                continue;
            }
            let Some(Reverse(top)) = self.heap.pop() else {
                break;
            };
            let r = top.id() as usize;
            if self.unfrozen[r] == 0 {
                continue;
            }
            let share = self.remaining[r] / self.unfrozen[r] as f64;
            if share > top.level() {
                let lowest = self.heap.peek().map_or(f64::INFINITY, |t| t.0.level());
                if share >= flow_level || share >= lowest {
                    self.heap.push(Reverse(Level::new(share, r as u32)));
                    continue;
                }
            }
            self.sat_level[r] = share;
            // Freeze the component's unfrozen flows on `r`, walking the shorter list.
            if self.flows_on[r].len() <= self.comp_flows.len() {
                for k in 0..self.flows_on[r].len() {
                    let f = self.flows_on[r][k];
                    if self.flow_epoch[f as usize] == epoch && !self.frozen[f as usize] {
                        self.freeze(f, share, epoch);
                    }
                }
            } else {
                for k in 0..self.comp_flows.len() {
                    let f = self.comp_flows[k];
                    let fl = &self.flows[f as usize];
                    if (fl.src as usize == r || fl.dst as usize == r) && !self.frozen[f as usize] {
                        self.freeze(f, share, epoch);
                    }
                }
            }
        }
    }

    fn freeze(&mut self, f: FlowId, rate: f64, epoch: u32) {
        self.frozen[f as usize] = true;
        self.frozen_count += 1;
        self.new_rate[f as usize] = rate;
        let (src, dst) = (self.flows[f as usize].src, self.flows[f as usize].dst);
        for r in [src, dst] {
            let ri = r as usize;
            if self.res_epoch[ri] != epoch
                || !matches!(self.kind[ri], Kind::Constraint | Kind::Boundary)
            {
                continue;
            }
            self.remaining[ri] = (self.remaining[ri] - rate).max(0.0);
            self.unfrozen[ri] -= 1;
        }
    }

    /// Check that no resource carries more than its capacity (relative slack `tol`).
    pub fn check_caps(&self, tol: f64) -> Result<(), String> {
        for (r, flows) in self.flows_on.iter().enumerate() {
            let used: f64 = flows.iter().map(|&f| self.flows[f as usize].rate).sum();
            if used > self.cap[r] * (1.0 + tol) + 1e-6 {
                return Err(format!(
                    "resource {r} carries {used} bps above its capacity {} bps",
                    self.cap[r]
                ));
            }
        }
        Ok(())
    }

    /// Check the (approximate) max-min condition: every flow has a *bottleneck*, either its
    /// own bound, or a link it crosses that is saturated to within a fraction `eps` of its
    /// capacity and on which no flow is more than a factor (1 + `eps`) faster than it. With
    /// `eps` = 0 this characterises the max-min fair allocation exactly.
    pub fn check_fairness(&self, eps: f64) -> Result<(), String> {
        let slack = 1e-9;
        let used: Vec<f64> = self
            .flows_on
            .iter()
            .map(|fs| fs.iter().map(|&f| self.flows[f as usize].rate).sum())
            .collect();
        let max_rate: Vec<f64> = self
            .flows_on
            .iter()
            .map(|fs| {
                fs.iter()
                    .map(|&f| self.flows[f as usize].rate)
                    .fold(0.0, f64::max)
            })
            .collect();
        for (id, f) in self.flows.iter().enumerate() {
            if !f.active {
                continue;
            }
            if f.rate >= f.ub * (1.0 - slack) {
                continue;
            }
            let ok = [f.src, f.dst].iter().any(|&r| {
                let r = r as usize;
                used[r] >= self.cap[r] * (1.0 - eps - slack)
                    && f.rate * (1.0 + eps + slack) + slack >= max_rate[r]
            });
            if !ok {
                return Err(format!(
                    "flow {id} at {} bps has no bottleneck (src {} used {}/{}, dst {} used {}/{})",
                    f.rate,
                    f.src,
                    used[f.src as usize],
                    self.cap[f.src as usize],
                    f.dst,
                    used[f.dst as usize],
                    self.cap[f.dst as usize]
                ));
            }
        }
        Ok(())
    }

    /// Check the running totals of every link against its flows' rates: the sum to within
    /// 1e-12 of the capacity, the maximum exactly where it is known.
    #[cfg(test)]
    pub(crate) fn check_totals(&self) -> Result<(), String> {
        for (r, flows) in self.flows_on.iter().enumerate() {
            let used: f64 = flows.iter().map(|&f| self.flows[f as usize].rate).sum();
            let max = flows
                .iter()
                .map(|&f| self.flows[f as usize].rate)
                .fold(0.0, f64::max);
            let a = &self.agg[r];
            if (a.used_bps - used).abs() > 1e-12 * self.cap[r].max(1.0) {
                return Err(format!(
                    "resource {r}: running sum {} vs {used}",
                    a.used_bps
                ));
            }
            if (a.max_count > 0 || flows.is_empty()) && a.max_bps != max {
                return Err(format!("resource {r}: running max {} vs {max}", a.max_bps));
            }
        }
        Ok(())
    }

    /// All active flows as `(id, src, dst, per-flow bound)` for checking against
    /// [`reference::max_min`].
    pub fn snapshot(&self) -> Vec<(FlowId, ResourceId, ResourceId, f64)> {
        self.flows
            .iter()
            .enumerate()
            .filter(|(_, f)| f.active)
            .map(|(i, f)| (i as FlowId, f.src, f.dst, f.ub))
            .collect()
    }
}

#[cfg(test)]
mod key_tests {
    use super::{bound_key, from_bound_key};

    /// The integer keys sort exactly as `total_cmp` then id, and decode to the same bits.
    #[test]
    fn bound_keys_sort_as_total_cmp_then_id() {
        let values = [
            0.0,
            -0.0,
            1.0,
            1.0 + f64::EPSILON,
            2.5e6,
            1e-300,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            -1.0,
            -f64::INFINITY,
            123_456.789,
        ];
        let mut pairs: Vec<(f64, u32)> = Vec::new();
        for (i, &v) in values.iter().enumerate() {
            pairs.push((v, (7 * i as u32) % 5));
            pairs.push((v, 1_000 + i as u32));
        }
        let mut by_cmp = pairs.clone();
        by_cmp.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut keys: Vec<u128> = pairs.iter().map(|&(v, id)| bound_key(v, id)).collect();
        keys.sort_unstable();
        let decoded: Vec<(u64, u32)> = keys
            .iter()
            .map(|&k| {
                let (v, id) = from_bound_key(k);
                (v.to_bits(), id)
            })
            .collect();
        let expected: Vec<(u64, u32)> = by_cmp.iter().map(|&(v, id)| (v.to_bits(), id)).collect();
        assert_eq!(decoded, expected);
    }
}
