//! Units of the scenario language: sizes (`"414MB"`), rates (`"8Mbps"`), durations
//! (`"30min"`) and arrival rates (`"2/min"`), parsed exactly and formatted for summaries.
//!
//! - Decimal prefixes are powers of 1000 (`kB`, `MB`, `GB`, `TB`, `kbps`, `Mbps` ...); binary
//!   prefixes are powers of 1024 (`KiB`, `MiB`, `GiB`, `TiB`), as in IEC 80000-13.
//! - Rates are bits per second. Byte rates (`"10MB/s"`) are multiplied by 8.
//! - Numbers are plain decimals (`"1.5GB"`, no exponent, no sign). They are converted with
//!   integer arithmetic, never through `f64`, and rounded to the nearest byte, bit/s or
//!   microsecond, so `"0.1s"` is exactly 100 000 µs on every machine.
//! - A number always needs a unit: a bare `"8"` is rejected, because a size in bytes and a
//!   rate in Mbps are too easy to mix up. The only exception is the rate `"0"`.
//! - A value that is not zero never rounds to zero: `"0.1bps"` is below the minimum of
//!   1 bps, `"0.4us"` below the resolution of 1 µs. Rates stop at
//!   [`MAX_RATE_BPS`], durations at
//!   [`MAX_HORIZON`] (listed with every bound in `scenario::limits`).
//!
//! Every parse error is a complete sentence fragment that says what was expected, with
//! examples, and quotes what was given: `expected a rate with a unit, e.g. "8Mbps" or
//! "10MB/s", got "8"`.

use crate::time::{SimDuration, US_PER_S};

/// Smallest rate that is not zero (1 bit/s): rates are whole bits per second, so
/// `"0.1bps"` would silently become 0 (a stalled link).
pub const MIN_RATE_BPS: u64 = 1;

/// Largest rate (10 Tbps): above any single access link or CDN contract modelled here
/// (the largest in the tests is 100 Gbps), and small enough that bytes × 8 × µs products
/// of the flow model stay far inside 64-bit integers.
pub const MAX_RATE_BPS: u64 = 10_000_000_000_000;

/// Longest simulated time (100 years, 36 500 days): every duration (`max_time`, windows,
/// release dates, seed and session times) and every trace instant must be below it.
/// Simulated time is integer µs in 64 bits (up to ~292 000 years of `i64` µs, ~584 000 of
/// `u64`); a quarter of that would do, 100 years is far beyond any planning horizon and
/// leaves room for every `time + duration` sum.
pub const MAX_HORIZON: SimDuration = SimDuration(36_500 * 86_400 * US_PER_S);

/// `MAX_HORIZON` as people read it, for messages.
pub(crate) const HORIZON_TEXT: &str = "100 years (36500d)";

/// What a size looks like; used in error messages.
pub(crate) const SIZE_EXPECTED: &str = "a size with a unit, e.g. \"414MB\" or \"256KiB\"";
/// What a rate looks like; used in error messages.
pub(crate) const RATE_EXPECTED: &str = "a rate with a unit, e.g. \"8Mbps\" or \"10MB/s\"";
/// What a duration looks like; used in error messages.
pub(crate) const DURATION_EXPECTED: &str = "a duration with a unit, e.g. \"30min\" or \"250ms\"";
/// What an arrival rate looks like; used in error messages.
pub(crate) const PER_SECOND_EXPECTED: &str =
    "an arrival rate per time unit, e.g. \"2/min\" or \"0.5/s\"";

/// Byte units and their size in bytes.
const BYTE_UNITS: &[(&str, u128)] = &[
    ("B", 1),
    ("kB", 1_000),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
];
const BYTE_UNIT_NAMES: &str = "B, kB, MB, GB, TB, KiB, MiB, GiB or TiB";

/// Bit-rate units and their value in bits per second.
const BIT_RATE_UNITS: &[(&str, u128)] = &[
    ("bps", 1),
    ("kbps", 1_000),
    ("Kbps", 1_000),
    ("Mbps", 1_000_000),
    ("Gbps", 1_000_000_000),
    ("Tbps", 1_000_000_000_000),
    ("bit/s", 1),
    ("kbit/s", 1_000),
    ("Mbit/s", 1_000_000),
    ("Gbit/s", 1_000_000_000),
    ("Tbit/s", 1_000_000_000_000),
];
const RATE_UNIT_NAMES: &str =
    "bps, kbps, Mbps, Gbps, or a byte unit per second such as MB/s or MiB/s";

/// Duration units and their length in microseconds.
const DURATION_UNITS: &[(&str, u128)] = &[
    ("us", 1),
    ("µs", 1),
    ("ms", 1_000),
    ("s", 1_000_000),
    ("min", 60 * 1_000_000),
    ("h", 3_600 * 1_000_000),
    ("d", 86_400 * 1_000_000),
    ("w", 7 * 86_400 * 1_000_000),
];
const DURATION_UNIT_NAMES: &str = "us, ms, s, min, h, d or w";

/// Time units of an arrival rate and their length in seconds.
const PER_UNITS: &[(&str, f64)] = &[
    ("s", 1.0),
    ("min", 60.0),
    ("h", 3_600.0),
    ("d", 86_400.0),
    ("w", 604_800.0),
];
const PER_UNIT_NAMES: &str = "s, min, h, d or w";

/// A non-negative decimal number held exactly: `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy)]
struct Decimal {
    mantissa: u128,
    scale: u32,
}

/// Digits kept at most in one number; enough for any sensible value and far from overflow.
const MAX_DIGITS: usize = 24;

impl Decimal {
    /// Parses `123`, `1.5` or `0.25`; anything else (sign, exponent, `.5`, `5.`) is `None`.
    fn parse(text: &str) -> Option<Decimal> {
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (text, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
            return None;
        }
        let frac = frac.unwrap_or("");
        if int.len() + frac.len() > MAX_DIGITS {
            return None;
        }
        let mut mantissa: u128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            mantissa = mantissa * 10 + u128::from(b - b'0');
        }
        Some(Decimal {
            mantissa,
            scale: frac.len() as u32,
        })
    }

    /// `self × multiplier`, rounded half up to an integer; `None` on overflow.
    fn times(self, multiplier: u128) -> Option<u128> {
        let product = self.mantissa.checked_mul(multiplier)?;
        let divisor = 10u128.pow(self.scale);
        Some((product + divisor / 2) / divisor)
    }

    fn to_f64(self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }

    fn is_zero(self) -> bool {
        self.mantissa == 0
    }
}

/// Splits `"1.5 GB"` into `("1.5", "GB")`: the leading run of digits and dots, then the rest
/// with surrounding whitespace removed.
fn split_number(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    (&text[..end], text[end..].trim())
}

fn lookup<T: Copy>(table: &[(&str, T)], unit: &str) -> Option<T> {
    table
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|&(_, v)| v)
}

/// The error for `text` that is not `expected`, with an optional hint after it.
fn expected_got(expected: &str, text: &str, hint: Option<String>) -> String {
    match hint {
        Some(h) => format!("expected {expected}, got {text:?} ({h})"),
        None => format!("expected {expected}, got {text:?}"),
    }
}

/// A number followed by one unit of `table`, converted exactly to an integer.
fn parse_with_units(
    text: &str,
    table: &[(&str, u128)],
    unit_names: &str,
    expected: &str,
    what: &str,
    smallest: &str,
) -> Result<u64, String> {
    let trimmed = text.trim();
    let (number, unit) = split_number(trimmed);
    let Some(value) = Decimal::parse(number) else {
        return Err(expected_got(expected, text, None));
    };
    if unit.is_empty() {
        return Err(expected_got(expected, text, None));
    }
    let Some(multiplier) = lookup(table, unit) else {
        let hint = format!("unknown unit {unit:?}; use {unit_names}");
        return Err(expected_got(expected, text, Some(hint)));
    };
    let v = value
        .times(multiplier)
        .and_then(|v| u64::try_from(v).ok())
        .ok_or_else(|| format!("{what} {text:?} is too large"))?;
    not_rounded_to_zero(v, value, text, what, smallest)
}

/// `v`, or an error when `value` is not zero but `v`, rounded, is: `smallest` names the
/// least value that is not zero.
fn not_rounded_to_zero(
    v: u64,
    value: Decimal,
    text: &str,
    what: &str,
    smallest: &str,
) -> Result<u64, String> {
    if v == 0 && !value.is_zero() {
        let zero = if what == "size" { "0B" } else { "0" };
        return Err(format!(
            "{what} {text:?} is below the minimum of {smallest} (use \"{zero}\" for none)"
        ));
    }
    Ok(v)
}

/// `bps`, refused above [`MAX_RATE_BPS`].
fn at_most_max_rate(bps: u64, text: &str) -> Result<u64, String> {
    if bps > MAX_RATE_BPS {
        return Err(format!(
            "rate {text:?} is too large: above the maximum of 10 Tbps (scenarios/README.md#bounds)"
        ));
    }
    Ok(bps)
}

/// Parses a size in bytes: `"414MB"`, `"1.5GB"`, `"256KiB"`, `"1GiB"`, `"100B"`, `"2kB"`.
///
/// Decimal units (`kB` = `KB` = 1000, `MB`, `GB`, `TB`) and binary units (`KiB` = 1024,
/// `MiB`, `GiB`, `TiB`); whitespace may separate the number and the unit. The result is
/// rounded to the nearest byte. A bare number is an error.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    parse_with_units(
        text,
        BYTE_UNITS,
        BYTE_UNIT_NAMES,
        SIZE_EXPECTED,
        "size",
        "1 B",
    )
}

/// Parses a rate in bits per second: `"8Mbps"`, `"100kbps"`, `"1Gbps"`, `"512bps"`, or a
/// byte rate such as `"10MB/s"`, `"1MiB/s"`, `"500kB/s"` (multiplied by 8).
///
/// The literal `"0"` means zero; any other bare number is an error. The result is rounded
/// to the nearest bit per second.
pub fn parse_rate_bps(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    if trimmed == "0" {
        return Ok(0);
    }
    let (number, unit) = split_number(trimmed);
    if let Some(byte_unit) = unit.strip_suffix("/s") {
        let byte_unit = byte_unit.trim_end();
        if let Some(multiplier) = lookup(BYTE_UNITS, byte_unit) {
            let Some(value) = Decimal::parse(number) else {
                return Err(expected_got(RATE_EXPECTED, text, None));
            };
            let bps = value
                .times(multiplier * 8)
                .and_then(|v| u64::try_from(v).ok())
                .ok_or_else(|| format!("rate {text:?} is too large"))?;
            let smallest = format!("{MIN_RATE_BPS} bps");
            let bps = not_rounded_to_zero(bps, value, text, "rate", &smallest)?;
            return at_most_max_rate(bps, text);
        }
    }
    let smallest = format!("{MIN_RATE_BPS} bps");
    let bps = parse_with_units(
        text,
        BIT_RATE_UNITS,
        RATE_UNIT_NAMES,
        RATE_EXPECTED,
        "rate",
        &smallest,
    )?;
    at_most_max_rate(bps, text)
}

/// Parses a duration: `"100us"`, `"5ms"`, `"10s"`, `"30min"`, `"2h"`, `"1d"`, `"1.5h"`,
/// `"2w"` (weeks), or a sum of such terms as [`SimDuration`]'s `Display` writes them (`"1h 30min"`).
///
/// Rounded to the nearest microsecond. A bare number is an error.
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(expected_got(DURATION_EXPECTED, text, None));
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let Some(value) = Decimal::parse(&rest[..end]) else {
            return Err(expected_got(DURATION_EXPECTED, text, None));
        };
        let after = rest[end..].trim_start();
        let unit_end = after
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(after.len());
        let unit = &after[..unit_end];
        if unit.is_empty() {
            return Err(expected_got(DURATION_EXPECTED, text, None));
        }
        let Some(multiplier) = lookup(DURATION_UNITS, unit) else {
            let hint = format!("unknown unit {unit:?}; use {DURATION_UNIT_NAMES}");
            return Err(expected_got(DURATION_EXPECTED, text, Some(hint)));
        };
        let term = value
            .times(multiplier)
            .ok_or_else(|| format!("duration {text:?} is too long"))?;
        if term == 0 && !value.is_zero() {
            return Err(format!(
                "duration {text:?} is below the resolution of 1us (use \"0s\" for none)"
            ));
        }
        total = total
            .checked_add(term)
            .ok_or_else(|| format!("duration {text:?} is too long"))?;
        rest = after[unit_end..].trim_start();
    }
    // MAX_HORIZON keeps far from u64::MAX, so `SimTime + duration` arithmetic has room.
    match u64::try_from(total) {
        Ok(us) if us <= MAX_HORIZON.as_us() => Ok(SimDuration(us)),
        _ => Err(format!(
            "duration {text:?} is too long: beyond the longest simulated time, {HORIZON_TEXT}"
        )),
    }
}

/// Parses an arrival rate into events per second: `"2/min"`, `"0.5/s"`, `"100/h"`,
/// `"2/d"`, `"10/w"`. A bare number is an error.
pub fn parse_per_second(text: &str) -> Result<f64, String> {
    let Some((number, unit)) = text.trim().split_once('/') else {
        return Err(expected_got(PER_SECOND_EXPECTED, text, None));
    };
    let Some(value) = Decimal::parse(number.trim()) else {
        return Err(expected_got(PER_SECOND_EXPECTED, text, None));
    };
    let unit = unit.trim();
    let Some(seconds) = lookup(PER_UNITS, unit) else {
        let hint = format!("unknown time unit {unit:?}; use {PER_UNIT_NAMES}");
        return Err(expected_got(PER_SECOND_EXPECTED, text, Some(hint)));
    };
    if value.is_zero() {
        return Ok(0.0);
    }
    Ok(value.to_f64() / seconds)
}

/// Formats a byte count with a decimal unit and one decimal at most: `"100 B"`,
/// `"414 MB"`, `"1.2 GB"`, `"262.1 kB"`.
pub fn fmt_bytes(bytes: u64) -> String {
    if bytes < 1_000 {
        return format!("{bytes} B");
    }
    scaled(
        bytes as f64,
        1_000.0,
        &["B", "kB", "MB", "GB", "TB", "PB", "EB"],
        true,
    )
}

/// Formats a power-of-two byte count with a binary unit: `"16 MiB"`, `"256 MiB"`,
/// `"1 TiB"`, `"16 KiB"`; other counts as [`fmt_bytes`] does.
pub fn fmt_bytes_binary(bytes: u64) -> String {
    for (unit, size) in [
        ("TiB", 1u64 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ] {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {unit}", bytes / size);
        }
    }
    fmt_bytes(bytes)
}

/// Formats a rate given in bits per second with a decimal unit and one decimal:
/// `"8.0 Mbps"`, `"512.0 bps"`, `"1.5 Gbps"`.
pub fn fmt_rate(bps: f64) -> String {
    scaled(
        bps,
        1_000.0,
        &["bps", "kbps", "Mbps", "Gbps", "Tbps", "Pbps"],
        false,
    )
}

/// `value` in the largest unit that keeps it below `step` after rounding to one decimal.
fn scaled(value: f64, step: f64, units: &[&str], trim_zero: bool) -> String {
    if !value.is_finite() {
        return format!("{value} {}", units[0]);
    }
    let mut v = value;
    let mut i = 0;
    while i + 1 < units.len() && (v * 10.0).round().abs() >= step * 10.0 {
        v /= step;
        i += 1;
    }
    let text = format!("{v:.1}");
    let text = match text.strip_suffix(".0") {
        Some(whole) if trim_zero => whole.to_string(),
        _ => text,
    };
    format!("{text} {}", units[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_every_unit() {
        assert_eq!(parse_bytes("414MB"), Ok(414_000_000));
        assert_eq!(parse_bytes("1GiB"), Ok(1 << 30));
        assert_eq!(parse_bytes("256KiB"), Ok(262_144));
        assert_eq!(parse_bytes("4MiB"), Ok(4 << 20));
        assert_eq!(parse_bytes("1.5GB"), Ok(1_500_000_000));
        assert_eq!(parse_bytes("100B"), Ok(100));
        assert_eq!(parse_bytes("2kB"), Ok(2_000));
        assert_eq!(parse_bytes("2KB"), Ok(2_000));
        assert_eq!(parse_bytes("3TB"), Ok(3_000_000_000_000));
        assert_eq!(parse_bytes("1TiB"), Ok(1 << 40));
        assert_eq!(parse_bytes("100 MB"), Ok(100_000_000));
        assert_eq!(parse_bytes("  7 B "), Ok(7));
        assert_eq!(parse_bytes("0.5KiB"), Ok(512));
        assert_eq!(parse_bytes("0.1KiB"), Ok(102)); // 102.4 rounds to nearest
        assert_eq!(parse_bytes("0B"), Ok(0));
    }

    #[test]
    fn size_errors_say_what_was_expected() {
        let bare = parse_bytes("414").unwrap_err();
        assert_eq!(
            bare,
            "expected a size with a unit, e.g. \"414MB\" or \"256KiB\", got \"414\""
        );
        let unit = parse_bytes("10Mb").unwrap_err();
        assert!(unit.contains("unknown unit \"Mb\""), "{unit}");
        assert!(unit.contains("KiB"), "{unit}");
        for bad in [
            "", "MB", "-5MB", "1e3MB", ".5MB", "5.MB", "1.2.3MB", "five MB", "1,5MB",
        ] {
            let e = parse_bytes(bad).unwrap_err();
            assert!(e.starts_with("expected a size with a unit"), "{bad}: {e}");
        }
        let big = parse_bytes("99999999999TiB").unwrap_err();
        assert!(big.contains("too large"), "{big}");
        assert!(parse_bytes("9999999999999999999999999999999MB").is_err());
    }

    #[test]
    fn rates_in_bits_and_bytes() {
        assert_eq!(parse_rate_bps("8Mbps"), Ok(8_000_000));
        assert_eq!(parse_rate_bps("100kbps"), Ok(100_000));
        assert_eq!(parse_rate_bps("100Kbps"), Ok(100_000));
        assert_eq!(parse_rate_bps("1Gbps"), Ok(1_000_000_000));
        assert_eq!(parse_rate_bps("512bps"), Ok(512));
        assert_eq!(parse_rate_bps("2.5 Mbps"), Ok(2_500_000));
        assert_eq!(parse_rate_bps("10Mbit/s"), Ok(10_000_000));
        assert_eq!(parse_rate_bps("10MB/s"), Ok(80_000_000));
        assert_eq!(parse_rate_bps("1MiB/s"), Ok(8 << 20));
        assert_eq!(parse_rate_bps("500kB/s"), Ok(4_000_000));
        assert_eq!(parse_rate_bps("1 MB/s"), Ok(8_000_000));
        assert_eq!(parse_rate_bps("0"), Ok(0));
        assert_eq!(parse_rate_bps("0bps"), Ok(0));
        assert_eq!(parse_rate_bps("8.0 Mbps"), Ok(8_000_000)); // reads fmt_rate's output
    }

    #[test]
    fn rate_errors_say_what_was_expected() {
        assert_eq!(
            parse_rate_bps("8").unwrap_err(),
            "expected a rate with a unit, e.g. \"8Mbps\" or \"10MB/s\", got \"8\""
        );
        let e = parse_rate_bps("8mbps").unwrap_err();
        assert!(e.contains("unknown unit \"mbps\""), "{e}");
        for bad in ["", "0.0", "00", "Mbps", "10MB", "10MB/h", "-1Mbps", "fast"] {
            let e = parse_rate_bps(bad).unwrap_err();
            assert!(e.starts_with("expected a rate with a unit"), "{bad}: {e}");
        }
        assert!(parse_rate_bps("99999999999999TB/s")
            .unwrap_err()
            .contains("too large"));
    }

    #[test]
    fn durations_in_every_unit() {
        assert_eq!(parse_duration("100us"), Ok(SimDuration(100)));
        assert_eq!(parse_duration("100µs"), Ok(SimDuration(100)));
        assert_eq!(parse_duration("5ms"), Ok(SimDuration::from_millis(5)));
        assert_eq!(parse_duration("10s"), Ok(SimDuration::from_secs(10)));
        assert_eq!(parse_duration("30min"), Ok(SimDuration::from_secs(1_800)));
        assert_eq!(parse_duration("2h"), Ok(SimDuration::from_secs(7_200)));
        assert_eq!(parse_duration("1d"), Ok(SimDuration::from_secs(86_400)));
        assert_eq!(parse_duration("1.5h"), Ok(SimDuration::from_secs(5_400)));
        assert_eq!(parse_duration("2w"), Ok(SimDuration::from_secs(1_209_600)));
        assert_eq!(parse_duration("0.1s"), Ok(SimDuration(100_000)));
        assert!(parse_duration("0.0000004s")
            .unwrap_err()
            .contains("below the resolution of 1us"));
        assert_eq!(parse_duration("0.0000006s"), Ok(SimDuration(1)));
        assert_eq!(parse_duration("0s"), Ok(SimDuration::ZERO));
        assert_eq!(parse_duration(" 10 s "), Ok(SimDuration::from_secs(10)));
        assert_eq!(
            parse_duration("1h 2min 3s"),
            Ok(SimDuration::from_secs(3_723))
        );
        assert_eq!(parse_duration("1h30min"), Ok(SimDuration::from_secs(5_400)));
    }

    #[test]
    fn duration_errors_say_what_was_expected() {
        assert_eq!(
            parse_duration("10").unwrap_err(),
            "expected a duration with a unit, e.g. \"30min\" or \"250ms\", got \"10\""
        );
        let e = parse_duration("10sec").unwrap_err();
        assert!(e.contains("unknown unit \"sec\""), "{e}");
        for bad in ["", "s", "-1s", "1h 30", "1e3s", "1h,2min", "forever"] {
            let e = parse_duration(bad).unwrap_err();
            assert!(
                e.starts_with("expected a duration with a unit"),
                "{bad}: {e}"
            );
        }
        assert!(parse_duration("999999999999999w")
            .unwrap_err()
            .contains("too long"));
    }

    #[test]
    fn values_never_round_to_zero_or_pass_their_bounds() {
        assert_eq!(
            parse_rate_bps("0.1bps").unwrap_err(),
            "rate \"0.1bps\" is below the minimum of 1 bps (use \"0\" for none)"
        );
        assert_eq!(parse_rate_bps("0.5bps"), Ok(1)); // rounds half up
        assert!(parse_rate_bps("0.00001kB/s")
            .unwrap_err()
            .contains("below the minimum of 1 bps"));
        assert_eq!(parse_rate_bps("10Tbps"), Ok(MAX_RATE_BPS));
        assert!(parse_rate_bps("10.000000000001Tbps")
            .unwrap_err()
            .contains("above the maximum of 10 Tbps"));
        assert!(parse_rate_bps("2TB/s")
            .unwrap_err()
            .contains("above the maximum of 10 Tbps"));
        assert_eq!(
            parse_bytes("0.3B").unwrap_err(),
            "size \"0.3B\" is below the minimum of 1 B (use \"0B\" for none)"
        );
        assert!(parse_duration("0.4us")
            .unwrap_err()
            .contains("below the resolution of 1us"));
        assert!(parse_duration("1h 0.4us")
            .unwrap_err()
            .contains("below the resolution of 1us"));
        assert_eq!(parse_duration("36500d"), Ok(MAX_HORIZON));
        let e = parse_duration("36500d 1us").unwrap_err();
        assert!(
            e.contains("beyond the longest simulated time, 100 years (36500d)"),
            "{e}"
        );
        assert_eq!(fmt_bytes_binary(16 << 20), "16 MiB");
        assert_eq!(fmt_bytes_binary(1 << 40), "1 TiB");
        assert_eq!(fmt_bytes_binary(1), "1 B");
        assert_eq!(fmt_bytes_binary(1_000_000), "1 MB");
    }

    #[test]
    fn arrival_rates() {
        assert!((parse_per_second("2/min").unwrap() - 2.0 / 60.0).abs() < 1e-15);
        assert_eq!(parse_per_second("0.5/s"), Ok(0.5));
        assert!((parse_per_second("100/h").unwrap() - 100.0 / 3600.0).abs() < 1e-15);
        assert!((parse_per_second("2/d").unwrap() - 2.0 / 86_400.0).abs() < 1e-15);
        assert!((parse_per_second("7 / w").unwrap() - 1.0 / 86_400.0).abs() < 1e-15);
        assert_eq!(parse_per_second("0/s"), Ok(0.0));
        assert_eq!(
            parse_per_second("2").unwrap_err(),
            "expected an arrival rate per time unit, e.g. \"2/min\" or \"0.5/s\", got \"2\""
        );
        assert!(parse_per_second("2/ms")
            .unwrap_err()
            .contains("unknown time unit"));
        for bad in ["", "/s", "x/min", "-1/s", "1e3/s", "inf/s", "nan/s"] {
            assert!(parse_per_second(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_format_short_and_round_trip() {
        let cases = [
            (0, "0s"),
            (250, "250us"),
            (1_500, "1.5ms"),
            (250_000, "250ms"),
            (2_500_000, "2.5s"),
            (60_000_000, "1min"),
            (3_723_000_000, "1h 2min 3s"),
            (30 * 86_400 * 1_000_000, "30d"),
            (86_400_000_000 + 7_200_000_000, "1d 2h"),
            (61_000_001, "1min 1.000001s"),
        ];
        for (us, text) in cases {
            let d = SimDuration(us);
            assert_eq!(d.to_string(), text);
            assert_eq!(parse_duration(text), Ok(d), "{text}");
        }
        assert_eq!(format!("[{:>6}]", SimDuration::from_secs(10)), "[   10s]");
    }

    #[test]
    fn bytes_and_rates_format_readably() {
        assert_eq!(fmt_bytes(100), "100 B");
        assert_eq!(fmt_bytes(414_000_000), "414 MB");
        assert_eq!(fmt_bytes(1_200_000_000), "1.2 GB");
        assert_eq!(fmt_bytes(262_144), "262.1 kB");
        assert_eq!(fmt_bytes(999_999), "1 MB");
        assert_eq!(fmt_bytes(u64::MAX), "18.4 EB");
        assert_eq!(fmt_rate(8e6), "8.0 Mbps");
        assert_eq!(fmt_rate(512.0), "512.0 bps");
        assert_eq!(fmt_rate(0.0), "0.0 bps");
        assert_eq!(fmt_rate(999_960.0), "1.0 Mbps");
        assert_eq!(fmt_rate(1.5e9), "1.5 Gbps");
        assert_eq!(fmt_rate(f64::INFINITY), "inf bps");
    }
}
