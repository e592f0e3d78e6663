//! What a run produces ([`RunOutput`]): the summary ([`Summary`], built from one
//! [`Tally`] per group of downloads), the time series ([`SampleRow`]), one
//! [`PeerRecord`] per leecher and the billing samples. How they are written (JSON, CSV,
//! text) is `crate::export`'s business.
//!
//! Everything here is deterministic: the same scenario and seed give the same figures.
//! Wall-clock figures (run time, memory) are the binary's business, never computed here.
//!
//! - `record.rs`: [`PeerRecord`], one leecher's story, built from the engine's peer;
//! - `tally.rs`: [`Tally`] and [`TimeStats`], the figures of a group of downloads;
//! - `summary.rs`: [`Summary`], the run's, each class's and each content's figures;
//! - `timeseries.rs`: [`SampleRow`], the rows of `timeseries.csv`.

mod record;
mod summary;
mod tally;
mod timeseries;

pub use record::PeerRecord;
pub use summary::{ClassSummary, Conservation, ContentCost, ContentSummary, Summary};
pub use tally::{round_us, Tally, TimeStats};
pub use timeseries::SampleRow;

use crate::metrics::Recorder;
use crate::scenario::Scenario;
use crate::time::SimTime;

/// Tool version recorded in every output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why a run ended before every download was done (the summary's `stopped`; `None`
/// for a run that went to its natural end).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StopReason {
    /// Simulated time reached the scenario's `max_time`.
    MaxTime,
    /// The caller's wall-clock budget ran out (`swarmsim run --max-wall`), of `limit_s`
    /// seconds.
    MaxWall {
        /// The budget, wall seconds.
        limit_s: f64,
    },
    /// The caller stopped the run for another reason (an interrupt).
    Interrupted,
}

impl StopReason {
    /// The value of `summary.json`'s `stopped` key: `"max_time"`, `"max_wall"` or
    /// `"interrupted"`.
    pub fn key(&self) -> &'static str {
        match self {
            StopReason::MaxTime => "max_time",
            StopReason::MaxWall { .. } => "max_wall",
            StopReason::Interrupted => "interrupted",
        }
    }
}

/// Everything a run produces.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The summary.
    pub summary: Summary,
    /// The time series.
    pub timeseries: Vec<SampleRow>,
    /// One record per arrived leecher.
    pub peers: Vec<PeerRecord>,
    /// Origin bytes of each 5-minute billing sample (they sum to the origin bytes).
    pub billing_samples_bytes: Vec<u64>,
    /// Link-cap violations seen (only checked with `check_invariants`); empty when sound.
    pub invariant_violations: Vec<String>,
}

/// Raw facts the engine hands over at the end of a run.
pub(crate) struct RunFacts<'a> {
    pub scenario: &'a Scenario,
    pub digest: String,
    pub events: u64,
    pub end: SimTime,
    pub stopped: Option<StopReason>,
    pub peers: Vec<PeerRecord>,
    pub initial_seeds: u32,
    /// Arrivals that had not come when the run ended.
    pub arrivals_after_end: u32,
    /// Bytes uploaded by the initial seeds of each content.
    pub seed_up_bytes: Vec<u64>,
    pub origin_up_bytes: u64,
    pub useful_bytes: u64,
    pub abandoned_bytes: u64,
    pub held_partial_bytes: u64,
    pub flows_in_flight: u64,
    pub metrics: &'a Recorder,
    /// Kumar–Ross bound of each content (flash crowds).
    pub kumar_ross_s: Vec<Option<f64>>,
    pub invariant_violations: Vec<String>,
    pub max_component_flows: u64,
}

/// Hash of the resolved scenario: FNV-1a over its canonical JSON.
pub fn scenario_hash(s: &Scenario) -> String {
    let mut d = crate::digest::Digest::default();
    d.add_bytes(
        serde_json::to_string(s)
            .expect("scenario serialises")
            .as_bytes(),
    );
    d.hex()
}

/// The output of the run `f` describes.
pub(crate) fn build(f: RunFacts<'_>) -> RunOutput {
    RunOutput {
        summary: summary::build(&f),
        timeseries: timeseries::build(f.metrics, f.end),
        billing_samples_bytes: f.metrics.billing_bytes.clone(),
        peers: f.peers,
        invariant_violations: f.invariant_violations,
    }
}
