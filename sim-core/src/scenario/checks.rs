//! Value rules shared by the resolve stage (`resolve`, `catalog`, `arrivals`): a duration
//! above zero, a count of at least one, 24 hourly weights, and how sums are shown.

use super::error::{missing, Invalid};
use crate::time::SimDuration;

/// `d`, refused when zero (the key at `path` needs a duration above zero).
pub(super) fn positive(d: SimDuration, path: &str) -> Result<SimDuration, Invalid> {
    if d == SimDuration::ZERO {
        return Err(Invalid::new(
            path,
            format!("expected a duration above zero, e.g. \"10s\", got {d}"),
        ));
    }
    Ok(d)
}

/// `n`, refused when zero.
pub(super) fn at_least_one(n: u32, path: &str) -> Result<u32, Invalid> {
    if n == 0 {
        return Err(Invalid::new(path, "expected at least 1, got 0"));
    }
    Ok(n)
}

/// `x` rounded to 6 decimals, to show a sum without float noise.
pub(super) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// `weights`: exactly 24 numbers ≥ 0, not all zero.
pub(super) fn hourly_weights(
    raw: Option<&[Result<f64, String>]>,
    key: &str,
) -> Result<[f64; 24], Invalid> {
    let raw = raw.ok_or_else(|| {
        missing(
            key,
            "24 relative weights of the local hours 00:00 to 23:00, \
             e.g. weights = [1, 1, 1, 1, 1, 1, 2, 3, ...]",
        )
    })?;
    let mut weights = [0.0; 24];
    for (i, w) in raw.iter().enumerate() {
        match w {
            Ok(x) if i < 24 => weights[i] = *x,
            Ok(_) => {}
            Err(why) => return Err(Invalid::new(format!("{key}[{i}]"), why.clone())),
        }
    }
    if raw.len() != 24 {
        return Err(Invalid::new(
            key,
            format!(
                "expected 24 hourly weights (local hours 00:00 to 23:00), got {} {}",
                raw.len(),
                if raw.len() == 1 { "entry" } else { "entries" }
            ),
        ));
    }
    if let Some((i, w)) = weights.iter().enumerate().find(|(_, w)| **w < 0.0) {
        return Err(Invalid::new(
            format!("{key}[{i}]"),
            format!("expected a weight ≥ 0, got {w}"),
        ));
    }
    if weights.iter().all(|&w| w == 0.0) {
        return Err(Invalid::new(
            key,
            "expected at least one weight above zero, got 24 zeros",
        ));
    }
    Ok(weights)
}

/// `d`, refused below `min` (`what` says why that floor, e.g. "real clients rechoke every
/// 10s"); zero is refused as [`positive`] does.
pub(super) fn at_least(
    d: SimDuration,
    min: SimDuration,
    path: &str,
    what: &str,
) -> Result<SimDuration, Invalid> {
    positive(d, path)?;
    if d < min {
        return Err(Invalid::new(
            path,
            format!("expected at least {min} ({what}; scenarios/README.md#bounds), got {d}"),
        ));
    }
    Ok(d)
}

/// `n`, refused above `max` (`what` names the bound's reason).
pub(super) fn at_most(n: u32, max: u32, path: &str, what: &str) -> Result<u32, Invalid> {
    if n > max {
        return Err(Invalid::new(
            path,
            format!("expected at most {max} ({what}; scenarios/README.md#bounds), got {n}"),
        ));
    }
    Ok(n)
}
