//! The scenario file as written: serde structs that mirror the TOML tables one to one.
//!
//! - Every table denies unknown keys, so a misspelt key is an error instead of a setting
//!   that silently keeps its default.
//! - Every leaf is a newtype whose `Deserialize` parses its unit ("414MB", "8Mbps",
//!   "30min"), so a bad value fails while `toml` still knows the value's span, which the
//!   loader turns into a line number.
//! - Every key is an `Option`, required or not: the loader applies the defaults and reports
//!   a missing key with its full path, which serde's own "missing field" error cannot do.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::model::{Policy, SeedChoking, SeedTime};
use crate::time::SimDuration;
use crate::units::{self, DURATION_EXPECTED, PER_SECOND_EXPECTED, RATE_EXPECTED, SIZE_EXPECTED};

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub name: Option<Name>,
    pub simulation: Option<Tab<RawSimulation>>,
    pub content: Option<Tab<RawContent>>,
    pub contents: Option<Vec<Tab<RawContent>>>,
    pub network: Option<Tab<RawNetwork>>,
    pub origin: Option<Tab<RawOrigin>>,
    pub tracker: Option<Tab<RawTracker>>,
    pub protocol: Option<Tab<RawProtocol>>,
    pub client: Option<Tab<RawClient>>,
    pub seeds: Option<Vec<Tab<RawSeed>>>,
    pub classes: Option<Vec<Tab<RawClass>>>,
    pub audience: Option<Tab<RawAudience>>,
    pub sessions: Option<Tab<RawSessions>>,
    pub arrivals: Option<Tab<RawArrivals>>,
}

/// `[simulation]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSimulation {
    pub seed: Option<U64>,
    pub max_time: Option<Duration>,
    pub sample_interval: Option<Duration>,
    pub check_invariants: Option<Flag>,
}

/// `[content]` (a scenario of one content) or one `[[contents]]` entry (a catalog).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawContent {
    pub name: Option<Name>,
    pub size: Option<Size>,
    pub piece_size: Option<Size>,
    pub release: Option<Duration>,
    pub policy: Option<PolicyValue>,
    pub rate_target: Option<Rate>,
    pub http_first_pieces: Option<U32>,
    pub http_first_time: Option<Duration>,
    pub share: Option<Number>,
    pub arrivals: Option<Tab<RawArrivals>>,
}

/// `[network]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNetwork {
    pub latency: Option<Duration>,
    pub time_quantum: Option<Duration>,
    pub fairness_tolerance: Option<Number>,
}

/// `[origin]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOrigin {
    pub capacity: Option<Rate>,
    pub per_connection: Option<PerConnection>,
    pub requests_per_client: Option<U32>,
    pub price_per_gb: Option<Number>,
    pub price_tiers: Option<Vec<Tab<RawPriceTier>>>,
    pub price_per_mbps_month: Option<Number>,
    pub currency: Option<String>,
}

/// One `[[origin.price_tiers]]` entry: a marginal price per GB up to a volume.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPriceTier {
    pub up_to: Option<Size>,
    pub price_per_gb: Option<Number>,
}

/// `[tracker]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTracker {
    pub numwant: Option<U32>,
    pub announce_interval: Option<Duration>,
}

/// `[protocol]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProtocol {
    pub upload_slots: Option<U32>,
    pub optimistic_slots: Option<U32>,
    pub rechoke_interval: Option<Duration>,
    pub optimistic_interval: Option<Duration>,
    pub max_connections: Option<U32>,
    pub min_peers: Option<U32>,
    pub random_first_pieces: Option<U32>,
    pub endgame: Option<Flag>,
    pub seed_choking: Option<SeedChokingValue>,
}

/// `[client]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawClient {
    pub policy: Option<PolicyValue>,
    pub seed_time: Option<SeedTimeValue>,
    pub rate_target: Option<Rate>,
    pub http_first_pieces: Option<U32>,
    pub http_first_time: Option<Duration>,
    pub seed_upload: Option<Rate>,
    pub abort_rate: Option<PerSecond>,
    pub peer_wait: Option<Wait>,
    pub restart_share: Option<Number>,
    pub restart_after: Option<SeedTimeValue>,
    pub restart_resumes: Option<Flag>,
}

/// One `[[seeds]]` group.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSeed {
    pub name: Option<Name>,
    pub content: Option<Name>,
    pub count: Option<U32>,
    pub upload: Option<Rate>,
    pub super_seeding: Option<Flag>,
}

/// One `[[classes]]` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawClass {
    pub name: Option<Name>,
    pub share: Option<Number>,
    pub upload: Option<Rate>,
    pub download: Option<Rate>,
    pub cap_sigma: Option<Number>,
    pub cap_clip: Option<Number>,
    pub always_on: Option<Flag>,
}

/// `[sessions]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSessions {
    pub online: Option<SeedTimeValue>,
    pub offline: Option<SeedTimeValue>,
    pub diurnal: Option<Weights>,
    pub utc_offset_hours: Option<Number>,
}

/// `[audience]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAudience {
    pub p2p_share: Option<Number>,
    pub upload_off_share: Option<Number>,
    pub nat_share: Option<Number>,
}

/// `[arrivals]`: the keys of every process in one flat table, so that an unknown key is
/// reported with its own span; the loader checks which keys the chosen `process` takes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawArrivals {
    pub process: Option<ProcessValue>,
    pub peers: Option<U32>,
    pub at: Option<Duration>,
    pub rate: Option<PerSecond>,
    pub count: Option<Number>,
    pub start: Option<Duration>,
    pub until: Option<Duration>,
    pub tau: Option<Duration>,
    pub weights: Option<Weights>,
    pub utc_offset_hours: Option<Number>,
    pub file: Option<FilePath>,
    pub zipf_exponent: Option<Number>,
}

/// A TOML table deserialized as `T`. Unlike a bare serde struct, which also accepts an
/// array (filling its fields in order), it accepts only a table, so `[[content]]` or
/// `content = 5` is reported as "expected a table".
#[derive(Debug, Default)]
pub(crate) struct Tab<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Tab<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TableVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for TableVisitor<T> {
            type Value = T;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }

        d.deserialize_map(TableVisitor(PhantomData)).map(Tab)
    }
}

/// The arrival processes `[arrivals] process` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Process {
    FlashCrowd,
    Poisson,
    Decaying,
    Diurnal,
    Trace,
}

/// One TOML value as a leaf deserializer sees it.
#[derive(Debug)]
pub(crate) enum Leaf {
    Str(String),
    Int(i128),
    Float(f64),
    Bool(bool),
    /// A table, an array or a date, named for the error message.
    Compound(&'static str),
}

impl fmt::Display for Leaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Leaf::Str(s) => write!(f, "{s:?}"),
            Leaf::Int(i) => write!(f, "{i}"),
            Leaf::Float(x) => write!(f, "{x}"),
            Leaf::Bool(b) => write!(f, "{b}"),
            Leaf::Compound(what) => f.write_str(what),
        }
    }
}

struct LeafVisitor;

impl<'de> Visitor<'de> for LeafVisitor {
    type Value = Leaf;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Leaf, E> {
        Ok(Leaf::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Leaf, E> {
        Ok(Leaf::Str(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Leaf, E> {
        Ok(Leaf::Int(i128::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Leaf, E> {
        Ok(Leaf::Int(i128::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Leaf, E> {
        Ok(Leaf::Float(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Leaf, E> {
        Ok(Leaf::Bool(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<Leaf, A::Error> {
        // toml hands dates over as a one-key map too.
        Ok(Leaf::Compound("a table or a date"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Leaf, A::Error> {
        Ok(Leaf::Compound("an array"))
    }
}

/// A leaf value parsed from one TOML scalar.
trait FromLeaf: Sized {
    /// What a valid value looks like, for "expected ..., got ..." messages.
    const EXPECTED: &'static str;

    /// Converts the scalar, or says why not (a complete "expected ..., got ..." message).
    fn from_leaf(leaf: Leaf) -> Result<Self, String>;
}

fn mismatch(expected: &str, got: &Leaf) -> String {
    format!("expected {expected}, got {got}")
}

macro_rules! deserialize_via_leaf {
    ($($t:ty),* $(,)?) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let leaf = d.deserialize_any(LeafVisitor)?;
                <$t as FromLeaf>::from_leaf(leaf).map_err(de::Error::custom)
            }
        }
    )*};
}

deserialize_via_leaf!(
    Size,
    Rate,
    PerConnection,
    Duration,
    Wait,
    PerSecond,
    U32,
    U64,
    Number,
    Flag,
    Name,
    PolicyValue,
    SeedChokingValue,
    SeedTimeValue,
    ProcessValue,
    FilePath,
);

/// A size in bytes ("414MB").
#[derive(Debug, Clone, Copy)]
pub(crate) struct Size(pub u64);

impl FromLeaf for Size {
    const EXPECTED: &'static str = SIZE_EXPECTED;
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        match leaf {
            Leaf::Str(s) => units::parse_bytes(&s).map(Size),
            other => Err(mismatch(Self::EXPECTED, &other)),
        }
    }
}

/// A rate in bits per second ("8Mbps", "10MB/s", "0").
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rate(pub u64);

impl FromLeaf for Rate {
    const EXPECTED: &'static str = RATE_EXPECTED;
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        match leaf {
            Leaf::Str(s) => units::parse_rate_bps(&s).map(Rate),
            // A bare 0 is unambiguous whatever the unit (and `--set x=0` yields an integer).
            Leaf::Int(0) => Ok(Rate(0)),
            other => Err(mismatch(Self::EXPECTED, &other)),
        }
    }
}

/// A per-connection cap: a rate, or "unlimited" (`u64::MAX`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PerConnection(pub u64);

impl FromLeaf for PerConnection {
    const EXPECTED: &'static str =
        "a rate with a unit, e.g. \"20Mbps\" or \"2MB/s\", or \"unlimited\"";
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        match leaf {
            Leaf::Str(s) if s.trim() == "unlimited" => Ok(PerConnection(u64::MAX)),
            Leaf::Str(s) => match units::parse_rate_bps(&s) {
                Ok(0) => Err(format!(
                    "expected a rate above zero or \"unlimited\", got {s:?} \
                     (to disable the origin set capacity = \"0\")"
                )),
                Ok(bps) => Ok(PerConnection(bps)),
                Err(_) => Err(mismatch(Self::EXPECTED, &Leaf::Str(s))),
            },
            other => Err(mismatch(Self::EXPECTED, &other)),
        }
    }
}

/// A duration ("30min").
#[derive(Debug, Clone, Copy)]
pub(crate) struct Duration(pub SimDuration);

impl FromLeaf for Duration {
    const EXPECTED: &'static str = DURATION_EXPECTED;
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        match leaf {
            Leaf::Str(s) => units::parse_duration(&s).map(Duration),
            other => Err(mismatch(Self::EXPECTED, &other)),
        }
    }
}

/// A duration, or `"forever"` (`None`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wait(pub Option<SimDuration>);

impl FromLeaf for Wait {
    const EXPECTED: &'static str = "a duration such as \"10s\", or \"forever\"";
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        match leaf {
            Leaf::Str(s) if s.trim() == "forever" => Ok(Wait(None)),
            Leaf::Str(s) => units::parse_duration(&s)
                .map(|d| Wait(Some(d)))
                .map_err(|_| mismatch(Self::EXPECTED, &Leaf::Str(s))),
            other => Err(mismatch(Self::EXPECTED, &other)),
        }
    }
}

/// An arrival rate in events per second ("2/min").
#[derive(Debug, Clone, Copy)]
pub(crate) struct PerSecond(pub f64);

impl FromLeaf for PerSecond {
    const EXPECTED: &'static str = PER_SECOND_EXPECTED;
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        match leaf {
            Leaf::Str(s) => units::parse_per_second(&s).map(PerSecond),
            other => Err(mismatch(Self::EXPECTED, &other)),
        }
    }
}

/// A whole number from 0 to `u32::MAX`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct U32(pub u32);

impl FromLeaf for U32 {
    const EXPECTED: &'static str = "a whole number from 0 to 4294967295";
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        match leaf {
            Leaf::Int(i) => u32::try_from(i)
                .map(U32)
                .map_err(|_| mismatch(Self::EXPECTED, &leaf)),
            other => Err(mismatch(Self::EXPECTED, &other)),
        }
    }
}

/// A whole number from 0 to `u64::MAX`. TOML integers stop at 2^63 − 1, so a larger value
/// (a seed, say) may be written as a string of digits: `seed = "18446744073709551615"`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct U64(pub u64);

impl FromLeaf for U64 {
    const EXPECTED: &'static str =
        "a whole number from 0 to 18446744073709551615 (above 9223372036854775807, in quotes)";
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        match leaf {
            Leaf::Int(i) => u64::try_from(i)
                .map(U64)
                .map_err(|_| mismatch(Self::EXPECTED, &leaf)),
            Leaf::Str(ref s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s
                .parse()
                .map(U64)
                .map_err(|_| mismatch(Self::EXPECTED, &leaf)),
            other => Err(mismatch(Self::EXPECTED, &other)),
        }
    }
}

/// A finite number, integer or float (`share = 1` and `share = 0.37` both work).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Number(pub f64);

impl FromLeaf for Number {
    const EXPECTED: &'static str = "a number, e.g. 0.37";
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        match leaf {
            Leaf::Int(i) => Ok(Number(i as f64)),
            Leaf::Float(x) if x.is_finite() => Ok(Number(x)),
            other => Err(mismatch(Self::EXPECTED, &other)),
        }
    }
}

/// `true` or `false`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flag(pub bool);

impl FromLeaf for Flag {
    const EXPECTED: &'static str = "true or false";
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        match leaf {
            Leaf::Bool(b) => Ok(Flag(b)),
            other => Err(mismatch(Self::EXPECTED, &other)),
        }
    }
}

/// A non-empty label.
#[derive(Debug, Clone)]
pub(crate) struct Name(pub String);

impl FromLeaf for Name {
    const EXPECTED: &'static str = "a non-empty name in quotes, e.g. \"ftth\"";
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        match leaf {
            Leaf::Str(s) if !s.trim().is_empty() => Ok(Name(s)),
            other => Err(mismatch(Self::EXPECTED, &other)),
        }
    }
}

/// A hybrid policy by name: `"web-seed"`, `"peers-first"`, … `"http-only"`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PolicyValue(pub Policy);

impl FromLeaf for PolicyValue {
    const EXPECTED: &'static str =
        "one of \"web-seed\", \"peers-first\", \"fallback\", \"rate-target\", \"http-first\", \
         \"http-only\"";
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        match &leaf {
            Leaf::Str(s) if s == "web-seed" => Ok(PolicyValue(Policy::WebSeed)),
            Leaf::Str(s) if s == "peers-first" => Ok(PolicyValue(Policy::PeersFirst)),
            Leaf::Str(s) if s == "fallback" => Ok(PolicyValue(Policy::Fallback)),
            Leaf::Str(s) if s == "rate-target" => Ok(PolicyValue(Policy::RateTarget)),
            Leaf::Str(s) if s == "http-first" => Ok(PolicyValue(Policy::HttpFirst)),
            Leaf::Str(s) if s == "http-only" => Ok(PolicyValue(Policy::HttpOnly)),
            _ => Err(mismatch(Self::EXPECTED, &leaf)),
        }
    }
}

/// `"mainline"`, `"round-robin"` or `"fastest-upload"`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SeedChokingValue(pub SeedChoking);

impl FromLeaf for SeedChokingValue {
    const EXPECTED: &'static str = "one of \"mainline\", \"round-robin\", \"fastest-upload\"";
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        let all = [
            SeedChoking::Mainline,
            SeedChoking::RoundRobin,
            SeedChoking::FastestUpload,
        ];
        match &leaf {
            Leaf::Str(s) => all
                .into_iter()
                .find(|c| c.name() == s)
                .map(SeedChokingValue)
                .ok_or_else(|| mismatch(Self::EXPECTED, &leaf)),
            _ => Err(mismatch(Self::EXPECTED, &leaf)),
        }
    }
}

/// `"10min"` (fixed), `"exp(10min)"` (exponential with that mean) or `"forever"`.
#[derive(Debug, Clone)]
pub(crate) struct SeedTimeValue(pub SeedTime);

impl FromLeaf for SeedTimeValue {
    const EXPECTED: &'static str =
        "a duration such as \"10min\", \"exp(10min)\" for an exponential mean, \
         \"empirical(0s, 10min, 2h)\" for observed values drawn uniformly, or \"forever\"";
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        let Leaf::Str(s) = &leaf else {
            return Err(mismatch(Self::EXPECTED, &leaf));
        };
        let text = s.trim();
        if text == "forever" {
            return Ok(SeedTimeValue(SeedTime::Forever));
        }
        if let Some(inner) = text
            .strip_prefix("exp(")
            .and_then(|rest| rest.strip_suffix(')'))
        {
            return match units::parse_duration(inner) {
                Ok(mean) if mean > SimDuration::ZERO => {
                    Ok(SeedTimeValue(SeedTime::Exponential(mean)))
                }
                Ok(_) => Err(format!(
                    "expected an exponential mean above zero, got {s:?} (use \"0s\" to leave at once)"
                )),
                Err(e) => Err(format!("in {s:?}: {e}")),
            };
        }
        if let Some(inner) = text
            .strip_prefix("empirical(")
            .and_then(|rest| rest.strip_suffix(')'))
        {
            let values = inner
                .split(',')
                .map(|v| units::parse_duration(v.trim()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("in {s:?}: {e}"))?;
            if values.is_empty() || inner.trim().is_empty() {
                return Err(format!("expected at least one value in {s:?}"));
            }
            return Ok(SeedTimeValue(SeedTime::Empirical(values)));
        }
        units::parse_duration(text)
            .map(|d| SeedTimeValue(SeedTime::Fixed(d)))
            .map_err(|_| mismatch(Self::EXPECTED, &leaf))
    }
}

/// `"flash-crowd"`, `"poisson"`, `"decaying"`, `"diurnal"` or `"trace"`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProcessValue(pub Process);

/// The values `[arrivals] process` takes, as error messages list them.
pub(crate) const PROCESS_EXPECTED: &str =
    "\"flash-crowd\", \"poisson\", \"decaying\", \"diurnal\" or \"trace\"";

impl FromLeaf for ProcessValue {
    const EXPECTED: &'static str = PROCESS_EXPECTED;
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        let process = match &leaf {
            Leaf::Str(s) => match s.as_str() {
                "flash-crowd" => Process::FlashCrowd,
                "poisson" => Process::Poisson,
                "decaying" => Process::Decaying,
                "diurnal" => Process::Diurnal,
                "trace" => Process::Trace,
                _ => return Err(mismatch(Self::EXPECTED, &leaf)),
            },
            _ => return Err(mismatch(Self::EXPECTED, &leaf)),
        };
        Ok(ProcessValue(process))
    }
}

/// A file path in quotes (`file = "trace.csv"`); the loader resolves a relative path
/// against the scenario file's directory.
#[derive(Debug, Clone)]
pub(crate) struct FilePath(pub String);

impl FromLeaf for FilePath {
    const EXPECTED: &'static str = "a file path in quotes, e.g. \"trace.csv\"";
    fn from_leaf(leaf: Leaf) -> Result<Self, String> {
        match leaf {
            Leaf::Str(s) if !s.trim().is_empty() => Ok(FilePath(s)),
            other => Err(mismatch(Self::EXPECTED, &other)),
        }
    }
}

/// An array of numbers (`weights = [1, 0.5, 2]`). Each element is kept as parsed, a
/// number or the message saying why it is not one, so that the loader reports a bad
/// element at its own index and line (`arrivals.weights[3]`); the loader also checks the
/// count and the signs.
#[derive(Debug, Clone)]
pub(crate) struct Weights(pub Vec<Result<f64, String>>);

impl<'de> Deserialize<'de> for Weights {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct WeightsVisitor;

        impl<'de> Visitor<'de> for WeightsVisitor {
            type Value = Weights;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of 24 numbers, e.g. [1, 1, 0.5, ...]")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Weights, A::Error> {
                let mut out = Vec::new();
                while let Some(leaf) = seq.next_element_seed(LeafSeed)? {
                    out.push(Number::from_leaf(leaf).map(|n| n.0));
                }
                Ok(Weights(out))
            }
        }

        d.deserialize_seq(WeightsVisitor)
    }
}

/// Deserializes one element of an array as a [`Leaf`], whatever its type.
struct LeafSeed;

impl<'de> de::DeserializeSeed<'de> for LeafSeed {
    type Value = Leaf;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Leaf, D::Error> {
        d.deserialize_any(LeafVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf<T: for<'de> Deserialize<'de>>(toml_value: &str) -> Result<T, String> {
        #[derive(Deserialize)]
        struct One<T> {
            v: T,
        }
        toml::from_str::<One<T>>(&format!("v = {toml_value}"))
            .map(|o| o.v)
            .map_err(|e| e.message().to_string())
    }

    #[test]
    fn leaves_parse_their_units() {
        assert_eq!(leaf::<Size>("\"1GiB\"").unwrap().0, 1 << 30);
        assert_eq!(leaf::<Rate>("\"10MB/s\"").unwrap().0, 80_000_000);
        assert_eq!(leaf::<Rate>("0").unwrap().0, 0);
        assert_eq!(leaf::<PerConnection>("\"unlimited\"").unwrap().0, u64::MAX);
        assert_eq!(
            leaf::<Duration>("\"1.5h\"").unwrap().0,
            SimDuration::from_secs(5_400)
        );
        assert_eq!(leaf::<U32>("7").unwrap().0, 7);
        assert_eq!(
            leaf::<U64>("9223372036854775807").unwrap().0,
            i64::MAX as u64
        );
        assert_eq!(leaf::<Number>("1").unwrap().0, 1.0);
        assert_eq!(leaf::<Number>("0.37").unwrap().0, 0.37);
        assert!(leaf::<Flag>("true").unwrap().0);
        assert_eq!(
            leaf::<PolicyValue>("\"http-only\"").unwrap().0,
            Policy::HttpOnly
        );
        assert_eq!(
            leaf::<PolicyValue>("\"peers-first\"").unwrap().0,
            Policy::PeersFirst
        );
        assert_eq!(
            leaf::<ProcessValue>("\"poisson\"").unwrap().0,
            Process::Poisson
        );
    }

    #[test]
    fn seed_times() {
        let st = |v: &str| leaf::<SeedTimeValue>(v).map(|s| s.0);
        assert_eq!(st("\"0s\""), Ok(SeedTime::Fixed(SimDuration::ZERO)));
        assert_eq!(
            st("\"10min\""),
            Ok(SeedTime::Fixed(SimDuration::from_secs(600)))
        );
        assert_eq!(
            st("\"exp(10min)\""),
            Ok(SeedTime::Exponential(SimDuration::from_secs(600)))
        );
        assert_eq!(st("\"forever\""), Ok(SeedTime::Forever));
        assert!(st("\"exp(0s)\"").unwrap_err().contains("above zero"));
        assert!(st("\"exp(10)\"")
            .unwrap_err()
            .contains("expected a duration"));
        assert!(st("\"always\"").unwrap_err().contains("\"forever\""));
        assert!(st("10").unwrap_err().ends_with("got 10"));
    }

    #[test]
    fn leaf_errors_quote_what_was_given() {
        let e = leaf::<Rate>("\"8\"").unwrap_err();
        assert_eq!(
            e,
            "expected a rate with a unit, e.g. \"8Mbps\" or \"10MB/s\", got \"8\""
        );
        assert!(leaf::<Rate>("8").unwrap_err().ends_with("got 8"));
        assert!(leaf::<Size>("[1]").unwrap_err().ends_with("got an array"));
        assert!(leaf::<Size>("{ a = 1 }")
            .unwrap_err()
            .ends_with("got a table or a date"));
        assert!(leaf::<U32>("-1").unwrap_err().contains("got -1"));
        assert!(leaf::<U32>("4294967296")
            .unwrap_err()
            .contains("got 4294967296"));
        assert!(leaf::<U32>("\"6\"").unwrap_err().contains("got \"6\""));
        assert!(leaf::<U32>("1.5").unwrap_err().contains("got 1.5"));
        assert!(leaf::<Number>("nan").unwrap_err().contains("got NaN"));
        assert!(leaf::<Name>("\"\"").unwrap_err().contains("non-empty"));
        assert!(leaf::<Flag>("\"yes\"")
            .unwrap_err()
            .contains("true or false"));
        assert!(leaf::<PerConnection>("\"0\"")
            .unwrap_err()
            .contains("above zero"));
        assert!(leaf::<PolicyValue>("\"webseed\"")
            .unwrap_err()
            .contains("\"web-seed\""));
        assert!(leaf::<Duration>("1979-05-27").is_err());
    }
}
