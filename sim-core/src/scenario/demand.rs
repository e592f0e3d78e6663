//! Demand: an `[arrivals]` table read into a process (resolve stage), checking that it
//! has exactly the keys its process takes and turning `count = N` into a rate.

use std::path::Path;

use super::arrivals::{expected_count, Arrivals};
use super::checks::{hourly_weights, positive};
use super::error::{missing, Invalid};
use super::raw::{Process, RawArrivals, PROCESS_EXPECTED};
use super::trace::{read_trace, TraceRow};
use crate::time::{SimDuration, SimTime};
use crate::units::DURATION_EXPECTED;

/// An arrivals table as read, before it is given to contents.
#[derive(Debug)]
pub(super) enum Demand {
    /// A process (times from 0) or a trace without content names.
    Process(Arrivals),
    /// A trace whose lines name their content.
    NamedTrace {
        /// The arrivals, sorted by time.
        rows: Vec<TraceRow>,
        /// The file as shown in errors.
        file: String,
    },
}

/// An arrivals table at key path `table` (`arrivals`, `content.arrivals` or
/// `contents[2].arrivals`): the process and the keys it takes, with times measured from
/// 0 (the caller shifts them to the content's release). `dir` is the directory a relative
/// trace `file` is resolved against: the scenario file's (`load_file`), or `None` for the
/// current directory (`load_str`).
pub(super) fn resolve_process(
    a: &RawArrivals,
    table: &str,
    dir: Option<&Path>,
) -> Result<Demand, Invalid> {
    let key = |k: &str| format!("{table}.{k}");
    let process = a
        .process
        .ok_or_else(|| missing(key("process"), PROCESS_EXPECTED))?
        .0;
    let (name, keys, takes): (&str, &str, &[&str]) = match process {
        Process::FlashCrowd => ("flash-crowd", "process, peers, at", &["peers", "at"]),
        Process::Poisson => (
            "poisson",
            "process, rate or count, start, until",
            &["rate", "count", "start", "until"],
        ),
        Process::Decaying => (
            "decaying",
            "process, tau, rate or count, start, until",
            &["tau", "rate", "count", "start", "until"],
        ),
        Process::Diurnal => (
            "diurnal",
            "process, weights, utc_offset_hours, rate or count, start, until",
            &[
                "weights",
                "utc_offset_hours",
                "rate",
                "count",
                "start",
                "until",
            ],
        ),
        Process::Trace => ("trace", "process, file", &["file"]),
    };
    let given = [
        ("peers", a.peers.is_some()),
        ("at", a.at.is_some()),
        ("rate", a.rate.is_some()),
        ("count", a.count.is_some()),
        ("start", a.start.is_some()),
        ("until", a.until.is_some()),
        ("tau", a.tau.is_some()),
        ("weights", a.weights.is_some()),
        ("utc_offset_hours", a.utc_offset_hours.is_some()),
        ("file", a.file.is_some()),
    ];
    if let Some((k, _)) = given.iter().find(|&&(k, g)| g && !takes.contains(&k)) {
        return Err(Invalid::new(
            key(k),
            format!("not a key of process {name:?}; its keys are {keys}"),
        )
        .also(key("process")));
    }
    match process {
        Process::FlashCrowd => {
            let peers = a
                .peers
                .ok_or_else(|| missing(key("peers"), "the number of peers, e.g. 1000"))?
                .0;
            let at = a.at.map_or(SimDuration::ZERO, |d| d.0);
            Ok(Demand::Process(Arrivals::FlashCrowd {
                peers,
                at: SimTime::ZERO.after(at),
            }))
        }
        Process::Poisson => {
            let (start, until) = arrival_window(a, table)?;
            let unit = Arrivals::Poisson {
                rate_per_s: 1.0,
                start,
                until,
            };
            let rate_per_s = rate_or_count(a, table, "an arrival rate such as \"2/min\"", &unit)?;
            Ok(Demand::Process(Arrivals::Poisson {
                rate_per_s,
                start,
                until,
            }))
        }
        Process::Decaying => {
            let (start, until) = arrival_window(a, table)?;
            let tau = a
                .tau
                .ok_or_else(|| {
                    missing(
                        key("tau"),
                        &format!(
                            "the decay time constant (the rate falls by e every tau), \
                             {DURATION_EXPECTED}, e.g. tau = \"2d\""
                        ),
                    )
                })?
                .0;
            let tau = positive(tau, &key("tau"))?;
            let unit = Arrivals::Decaying {
                initial_rate_per_s: 1.0,
                tau,
                start,
                until,
            };
            let initial_rate_per_s = rate_or_count(
                a,
                table,
                "the arrival rate at start, such as \"100/h\", decaying from there",
                &unit,
            )?;
            Ok(Demand::Process(Arrivals::Decaying {
                initial_rate_per_s,
                tau,
                start,
                until,
            }))
        }
        Process::Diurnal => {
            let (start, until) = arrival_window(a, table)?;
            let weights = Box::new(hourly_weights(
                a.weights.as_ref().map(|w| &w.0[..]),
                &key("weights"),
            )?);
            let utc_offset_hours = a.utc_offset_hours.map_or(0.0, |x| x.0);
            if !(-24.0..=24.0).contains(&utc_offset_hours) {
                return Err(Invalid::new(
                    key("utc_offset_hours"),
                    format!(
                        "expected an offset from UTC in hours, from -24 to 24, e.g. 9 or -5.5, \
                         got {utc_offset_hours}"
                    ),
                ));
            }
            let mut diurnal = Arrivals::Diurnal {
                mean_rate_per_s: 1.0,
                weights,
                utc_offset_hours,
                start,
                until,
            };
            let rate = rate_or_count(
                a,
                table,
                "the mean arrival rate over a day, such as \"2/min\"",
                &diurnal,
            )?;
            if let Arrivals::Diurnal {
                mean_rate_per_s, ..
            } = &mut diurnal
            {
                *mean_rate_per_s = rate;
            }
            Ok(Demand::Process(diurnal))
        }
        Process::Trace => {
            let file = a.file.as_ref().ok_or_else(|| {
                missing(
                    key("file"),
                    "the trace to replay, e.g. file = \"trace.csv\" \
                     (one arrival time in seconds per line)",
                )
            })?;
            let trace = read_trace(&file.0, dir, &key("file"))?;
            Ok(if trace.named {
                Demand::NamedTrace {
                    rows: trace.rows,
                    file: trace.file,
                }
            } else {
                Demand::Process(Arrivals::Trace {
                    times: trace.rows.into_iter().map(|r| r.at).collect(),
                })
            })
        }
    }
}

/// `start` (default 0) and `until` (required, after `start`) of a rate-driven process.
fn arrival_window(a: &RawArrivals, table: &str) -> Result<(SimTime, SimTime), Invalid> {
    let start = a.start.map_or(SimDuration::ZERO, |d| d.0);
    let until = a
        .until
        .ok_or_else(|| {
            missing(
                format!("{table}.until"),
                &format!("the end of the arrival window, {DURATION_EXPECTED}"),
            )
        })?
        .0;
    if until <= start {
        return Err(Invalid::new(
            format!("{table}.until"),
            format!("expected a time after start ({start}), got {until}"),
        )
        .also(format!("{table}.start")));
    }
    Ok((SimTime::ZERO.after(start), SimTime::ZERO.after(until)))
}

/// The rate of a process from exactly one of `rate` or `count`. `unit` is the process at
/// rate 1, whose expected count is the weight of the window, so `count = N` gives N / that.
/// `rate_what` says what the rate means for this process.
fn rate_or_count(
    a: &RawArrivals,
    table: &str,
    rate_what: &str,
    unit: &Arrivals,
) -> Result<f64, Invalid> {
    let key = |k: &str| format!("{table}.{k}");
    match (a.rate, a.count) {
        (Some(_), Some(_)) => {
            Err(Invalid::new(key("count"), "give either rate or count, not both").also(key("rate")))
        }
        (None, None) => Err(missing(
            key("rate"),
            &format!("{rate_what}, or count = the expected number of arrivals in the window"),
        )
        .also(table)),
        (Some(rate), None) => {
            if rate.0 <= 0.0 {
                return Err(Invalid::new(
                    key("rate"),
                    "expected a rate above zero, e.g. \"2/min\"",
                ));
            }
            Ok(rate.0)
        }
        (None, Some(count)) => {
            if count.0 <= 0.0 {
                return Err(Invalid::new(
                    key("count"),
                    format!("expected a count above zero, got {}", count.0),
                ));
            }
            let per_unit_rate = expected_count(unit);
            if per_unit_rate <= 0.0 {
                return Err(Invalid::new(
                    key("count"),
                    "no arrival can happen in the window: every hour of it has weight 0; \
                     give a rate, or move start and until",
                )
                .also(key("weights")));
            }
            Ok(count.0 / per_unit_rate)
        }
    }
}
