//! # sim-core: a deterministic discrete-event simulator of peer-assisted content delivery
//!
//! Clients fetch a file from an HTTP origin and from each other (BitTorrent mechanics),
//! introduced by a central tracker. The crate models peers with upload/download caps,
//! flow-level max-min fair bandwidth sharing, piece selection, choking, the origin and the
//! tracker, and reports offload, origin load and download times. What is simulated and
//! from which sources: `docs/model.md`; what it is checked against: `docs/validation.md`.
//!
//! ## The pipeline
//!
//! ```text
//! scenario text (TOML) + `--set key=value` overrides
//!   │  scenario/document.rs: toml_edit keeps every span, so errors name file:line and key
//!   ▼
//! raw structs (scenario/raw.rs): the tables as written, units parsed (units.rs)
//!   │  scenario/resolve.rs: defaults, the catalog (scenario/catalog.rs), checks
//!   ▼
//! Scenario (scenario/model.rs): resolved and typed; bits/s, bytes, microseconds
//!   │  Simulation::new: arrivals (workload.rs), each peer drawn (sim/audience.rs),
//!   │  links, trackers and initial seeds placed
//!   ▼
//! Simulation (sim/): the event loop, until no leecher is left or to come, or max_time
//!   │  Simulation::run → Simulation::finish → report::build
//!   ▼
//! RunOutput (report/): summary (one Tally per group), time series, per-peer records
//!   │  exporters (export/)
//!   ▼
//! summary.json (export/json.rs), timeseries.csv and peers.csv (export/csv.rs), the text
//! summary (export/text.rs); summary.svg and perf.json are drawn and written by the
//! binary (bin/src/)
//! ```
//!
//! [`run`] and [`run_seeds`] do the last three steps; `swarmsim run` (bin/) all of them.
//!
//! ## Modules by stage
//!
//! Foundations, used by every stage:
//! - `time`: simulated time in integer microseconds ([`time::SimTime`], [`time::SimDuration`]).
//! - `units`: sizes, rates, durations and arrival rates of the scenario language, exact.
//! - `rng`: seeded random streams, keyed by who draws rather than by position.
//! - `digest`: the FNV-1a hash of every dispatched event (the run's fingerprint).
//! - `estimate`: events, memory and result bytes of a run, from the scenario alone (the
//!   guard `swarmsim run` applies before generating anything).
//!
//! Scenario, text → [`Scenario`] (one stage per module; `scenario/mod.rs` has the table):
//! - `scenario/error.rs`: the error callers see, and a failed rule.
//! - `scenario/shares.rs`: Zipf popularity and largest-remainder splits.
//! - `scenario/arrivals.rs`: the arrival processes: split by share, shift, expected counts.
//! - `scenario/model.rs`: the resolved types the engine runs, with their defaults.
//! - `scenario/raw.rs`: the file as written, serde structs mirroring the TOML tables.
//! - `scenario/document.rs`: the TOML document, `--set` overrides, error locations.
//! - `scenario/checks.rs`, `trace.rs`, `demand.rs`: value rules, trace files, `[arrivals]`.
//! - `scenario/catalog.rs`: the contents, their policies, how demand splits among them.
//! - `scenario/resolve.rs`: raw tables → [`Scenario`], cross-field rules.
//! - `scenario/load.rs`: the pipeline ([`scenario::load_file`], [`scenario::load_str`]).
//! - `scenario/describe.rs`: the text of `swarmsim validate`.
//! - `scenario/limits.rs`: the bound of every value (one documented `const` each) and the
//!   capped reads of scenario and trace files.
//!
//! Engine, [`Scenario`] → [`RunOutput`]:
//! - `workload`: the arrivals (instant, class, content) a run starts from.
//! - `sim/mod.rs`: [`Simulation`]: events and their order, the run loop, the end of the run.
//! - `sim/flows.rs`: one transfer from request to last byte; exact byte counts; endgame.
//! - `sim/links.rs`: where each link sits among the network's resources; flow sources.
//! - `sim/audience.rs`: who each arriving peer is (caps, P2P client, NAT, patience).
//! - `sim/swarm.rs`: BitTorrent: peer set, piece selection, requests.
//! - `sim/choking.rs`: who uploads to whom: tit-for-tat and the seed chokers.
//! - `sim/superseed.rs`: BEP 16 super-seeding.
//! - `sim/origin.rs`: the HTTP origin and the hybrid policies that use it.
//! - `sim/sessions.rs`: users' machines going offline and coming back.
//! - `sim/patience.rs`: users abandoning downloads and restarting them.
//! - `network/mod.rs`: max-min fair sharing of link capacities, re-shared incrementally.
//! - `network/reference.rs`: the plain solver the incremental one is tested against.
//! - `peer`: one peer's state: pieces, connections, byte counters.
//! - `tracker`: a content's member list and its answers to announces.
//! - `queue`: the event queue (FIFO among equal times) and the flows' deadline heap.
//! - `bitset`: sets of piece indices.
//! - `pick`: the lowest key among candidates, ties at random, in one pass.
//! - `metrics`: bytes per sample interval and billing sample, origin peak, peer counts.
//!
//! Results, [`RunOutput`] → files:
//! - `report/`: [`RunOutput`] and [`Summary`]; `tally.rs` (one group of downloads),
//!   `record.rs` (one download), `summary.rs`, `timeseries.rs`.
//! - `export/`: one module per format: `json.rs`, `csv.rs`, `text.rs`, `fluid.rs`.
//! - `cost`: the origin's bill, by volume tiers and by 95th percentile.
//! - `bounds`: closed-form ground truth (Kumar–Ross and others) reported beside a run.
//!
//! Beside the simulator:
//! - `fluid/`: the Qiu–Srikant fluid model and its partial-download extension (`swarmsim fluid`); unit tests in `fluid/tests.rs`.
#![warn(missing_docs)]

pub mod bitset;
pub mod bounds;
pub mod compare;
pub mod cost;
pub mod digest;
pub mod estimate;
pub mod export;
pub mod fluid;
pub mod metrics;
pub mod network;
pub mod peer;
pub mod pick;
pub mod queue;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod sweep;
pub mod time;
pub mod tracker;
pub mod units;
pub mod workload;

pub use report::{RunOutput, StopReason, Summary};
pub use scenario::Scenario;
pub use sim::{run, run_seeds, Progress, ProgressMeasure, Simulation};
