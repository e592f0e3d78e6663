//! Simulated time: integer microseconds, never floating-point seconds.
//!
//! Ordering of events relies only on [`SimTime`] (an integer) and a sequence number, so
//! two runs of the same scenario order their events identically on every machine.
//! Parsing durations from scenario text lives in [`crate::units`], which depends on this
//! module (never the other way round).

use serde::Serialize;

/// Microseconds in one second.
pub const US_PER_S: u64 = 1_000_000;

/// An instant of simulated time, in microseconds since the start of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct SimTime(pub u64);

/// A span of simulated time, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// A time later than any event (used as "never").
    pub const NEVER: SimTime = SimTime(u64::MAX);

    /// Microseconds since the start of the run.
    pub fn as_us(self) -> u64 {
        self.0
    }

    /// Seconds since the start, for reports only (never for ordering).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / US_PER_S as f64
    }

    /// This instant plus `d`, saturating at [`SimTime::NEVER`].
    pub fn after(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }

    /// Time elapsed since `earlier` (zero if `earlier` is later).
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);

    /// A duration of `s` whole seconds.
    pub const fn from_secs(s: u64) -> SimDuration {
        SimDuration(s * US_PER_S)
    }

    /// A duration of `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> SimDuration {
        SimDuration(ms * 1_000)
    }

    /// A duration from floating-point seconds, rounded up to the next microsecond.
    /// Used when a rate turns a byte count into a time; the rounding is always upward so a
    /// transfer never completes before its bytes could have crossed the link.
    pub fn from_secs_f64_ceil(s: f64) -> SimDuration {
        if !s.is_finite() || s >= (u64::MAX / 2) as f64 / US_PER_S as f64 {
            return SimDuration(u64::MAX / 2);
        }
        // The ceiling in integer arithmetic (`f64::ceil` is a library call on baseline
        // x86-64, and this runs for every flow whose rate changes): below 2^63, `as`
        // truncates exactly and the float compare is exact.
        let us = s * US_PER_S as f64;
        if us <= 0.0 {
            return SimDuration(0);
        }
        let whole = us as u64;
        SimDuration(if (whole as f64) < us {
            whole + 1
        } else {
            whole
        })
    }

    /// Microseconds in this span.
    pub fn as_us(self) -> u64 {
        self.0
    }

    /// Seconds, for reports and rate arithmetic only.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / US_PER_S as f64
    }
}

/// Writes a duration short and readable: `"0s"`, `"250us"`, `"1.5ms"`, `"250ms"`,
/// `"2.5s"`, `"1h 2min 3s"`, `"30d"`. Days are the largest unit. The text is exact (every
/// microsecond shows) and [`crate::units::parse_duration`] reads it back. Honours width
/// and alignment.
impl std::fmt::Display for SimDuration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(&duration_text(*self))
    }
}

/// `us` microseconds as `"<int>.<frac>"` in units of `unit_us`, trailing zeros removed.
fn decimal_text(us: u64, unit_us: u64) -> String {
    let int = us / unit_us;
    let frac = us % unit_us;
    if frac == 0 {
        return int.to_string();
    }
    let width = unit_us.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{int}.{}", digits.trim_end_matches('0'))
}

/// The text of [`SimDuration`]'s `Display`.
fn duration_text(d: SimDuration) -> String {
    let us = d.as_us();
    if us == 0 {
        return "0s".to_string();
    }
    if us < 1_000 {
        return format!("{us}us");
    }
    if us < US_PER_S {
        return format!("{}ms", decimal_text(us, 1_000));
    }
    let mut parts = Vec::new();
    let mut rest = us;
    for (name, unit) in [
        ("d", 86_400 * US_PER_S),
        ("h", 3_600 * US_PER_S),
        ("min", 60 * US_PER_S),
    ] {
        if rest >= unit {
            parts.push(format!("{}{name}", rest / unit));
            rest %= unit;
        }
    }
    if rest > 0 {
        parts.push(format!("{}s", decimal_text(rest, US_PER_S)));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_rounding_never_early() {
        assert_eq!(SimDuration::from_secs_f64_ceil(1.0000001).0, 1_000_001);
        assert_eq!(SimDuration::from_secs_f64_ceil(0.0).0, 0);
        assert_eq!(SimTime(5).after(SimDuration(7)), SimTime(12));
        assert_eq!(SimTime::NEVER.after(SimDuration(7)), SimTime::NEVER);
    }
}
