//! # sim-core: a deterministic discrete-event simulator of peer-assisted content delivery
//!
//! Clients fetch a file from an HTTP origin and from each other (BitTorrent mechanics),
//! introduced by a central tracker. The crate models peers with upload/download caps,
//! flow-level max-min fair bandwidth sharing, piece selection, choking, the origin and the
//! tracker, and reports offload, origin load and download times.
#![warn(missing_docs)]

pub mod bitset;
pub mod bounds;
pub mod cost;
pub mod digest;
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
pub mod time;
pub mod tracker;
pub mod units;
pub mod workload;

pub use report::{RunOutput, Summary};
pub use scenario::Scenario;
pub use sim::{run, run_seeds, Progress, Simulation};
