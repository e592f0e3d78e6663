//! Bounds: the explicit range of every value a scenario may hold, one `const` each, with
//! why it is that value. A value outside its bound is refused when the scenario is
//! loaded, with a message naming the key, the bound and the value given, so that nothing
//! accepted by `validate` later aborts on an allocation, hangs, or writes unbounded output.
//! The table in `scenarios/README.md` ("Bounds") lists them all; [`BOUNDS`] is the same
//! list for tests (every bound is documented there and exercised by a case of
//! `sim-core/tests/bad-inputs/`).

use crate::time::{SimDuration, US_PER_S};

/// Largest scenario file read, in bytes (16 MiB). The largest shipped scenario is a few
/// kB and a catalog of [`MAX_CONTENTS`] titles fits in about 2 MB: anything larger is a
/// wrong file (`validate /dev/zero`), refused after reading at most this much.
pub const MAX_SCENARIO_FILE_BYTES: u64 = 16 << 20;

/// Largest trace file read, in bytes (256 MiB): [`MAX_ARRIVALS_PER_RUN`] lines of
/// `time,content` with a 10-digit time and a name of ~15 characters take about this much.
pub const MAX_TRACE_FILE_BYTES: u64 = 256 << 20;

/// Most arrivals in one run (10⁷), counted over every content: the expected count of a
/// rate process, the peers of a flash crowd, the lines of a trace. Each arrival becomes a
/// peer with its own state, connections and result row (300 B kept to the end, 1–7 kB
/// while present, ~105 B of `peers.csv`; [`crate::estimate`]), so 10⁷ arrivals need 3 to
/// 70 GB: the 10⁶-peer target of the engine stays possible with room to spare, while a
/// typo such as `peers = 1000000000` or a rate of 10⁶/s over a day is refused before
/// anything is drawn.
pub const MAX_ARRIVALS_PER_RUN: u64 = 10_000_000;

/// Most initial seeds in one run (10⁶, summed over `[[seeds]] count`): a publisher's seed
/// boxes, never a population; each is a peer like an arrival.
pub const MAX_SEEDS_PER_RUN: u64 = 1_000_000;

/// Most contents in a catalog (10 000): every content has its tracker, swarm and summary
/// group; the largest catalog studied (`results/catalog/long-tail.toml`) has 100.
pub const MAX_CONTENTS: usize = 10_000;

/// Smallest piece (16 KiB): the BitTorrent block, the unit a piece is requested in (BEP 3;
/// libtorrent refuses smaller pieces). A smaller piece is usually a unit typo
/// (`"1B"`, `"256B"` for `"256KiB"`) and multiplies the events of a run.
pub const MIN_PIECE_SIZE_BYTES: u64 = 16 << 10;

/// Most pieces per content (2²⁰ = 1 048 576): each peer keeps a bitfield of the pieces
/// and each piece is at least one flow, so memory and events grow with it. Real torrents
/// stay far below (a 4 GB file in 4 MiB pieces has 954); 2²⁰ allows a 16 GiB file in
/// 16 KiB pieces or a 1 TiB one in 1 MiB pieces. A 1 GB file in 1 KiB pieces (a KiB/MiB
/// typo) is 10⁶ pieces of the wrong size and is refused by [`MIN_PIECE_SIZE_BYTES`].
pub const MAX_PIECES_PER_CONTENT: u64 = 1 << 20;

/// Largest content (1 TiB): far above any distributed file (game installs are ~150 GB);
/// `size = "10TB"` is a typo for `"10GB"`.
pub const MAX_CONTENT_SIZE_BYTES: u64 = 1 << 40;

// The bounds every value in units shares (rates, durations) live in `units.rs`, which
// parses them; they are listed here with the others.
pub use crate::units::{MAX_HORIZON, MAX_RATE_BPS, MIN_RATE_BPS};

/// Shortest sample interval (1 s): `timeseries.csv` gets one row per interval; a shorter
/// one describes nothing the flow-level model knows (it averages TCP over round trips)
/// and `"1us"` wrote a 447 MB CSV.
pub const MIN_SAMPLE_INTERVAL: SimDuration = SimDuration(US_PER_S);

/// Most samples in a run, `max_time / sample_interval` (10⁷): at about 60 bytes a row,
/// `timeseries.csv` stays under ~600 MB and `summary.svg` bounded (10⁷ samples at 1 s
/// cover 115 days).
pub const MAX_SAMPLES: u64 = 10_000_000;

/// Shortest rechoke and optimistic-unchoke interval (1 s): real clients rechoke every
/// 10 s and rotate the optimistic unchoke every 30 s (BEP 3); a shorter interval only adds
/// events (`"1us"` ran for minutes without output).
pub const MIN_CHOKE_INTERVAL: SimDuration = SimDuration(US_PER_S);

/// Shortest tracker announce interval (1 s): trackers ask for 30 min, some allow a
/// minimum of a minute; below a second every peer would announce continuously.
pub const MIN_ANNOUNCE_INTERVAL: SimDuration = SimDuration(US_PER_S);

/// Shortest online or offline period of `[sessions]` (1 s, for a fixed period, the mean
/// of an exponential one, or each value of an empirical one): measured sessions last
/// minutes to hours; 1 µs sessions toggled every peer a million times a second.
pub const MIN_SESSION_PERIOD: SimDuration = SimDuration(US_PER_S);

/// Most connections a peer may hold or ask for (10 000), the bound of
/// `protocol.max_connections`, `protocol.upload_slots`, `protocol.optimistic_slots`,
/// `tracker.numwant` and `origin.requests_per_client`: clients default to 50–200
/// connections (libtorrent: 200) and a handful of upload slots.
pub const MAX_CONNECTIONS_PER_PEER: u32 = 10_000;

/// Largest cap spread `classes[].cap_clip` (100): the lognormal draw of a cap is clipped
/// to [mean / clip, mean × clip]; two orders of magnitude either side covers every
/// measured access-link spread.
pub const MAX_CAP_CLIP: f64 = 100.0;

/// Highest price per GB of origin traffic (10⁶, in the scenario's currency): CDN list
/// prices are 0.01–0.2 per GB; above this a bill overflows what a summary can show
/// (`1e308` printed a bill of `inf`). Applies to `price_per_gb` and every tier's.
pub const MAX_PRICE_PER_GB: f64 = 1e6;

/// Highest price per Mbps of 95th-percentile bandwidth per month (10⁶): list prices are
/// 0.1–10.
pub const MAX_PRICE_PER_MBPS_MONTH: f64 = 1e6;

/// One bound, for the documentation and coverage tests.
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    /// The constant's name.
    pub name: &'static str,
    /// Its value, as the README table shows it.
    pub value: &'static str,
}

/// Every bound of this module, by name.
pub const BOUNDS: &[Bound] = &[
    Bound {
        name: "MAX_SCENARIO_FILE_BYTES",
        value: "16 MiB",
    },
    Bound {
        name: "MAX_TRACE_FILE_BYTES",
        value: "256 MiB",
    },
    Bound {
        name: "MAX_ARRIVALS_PER_RUN",
        value: "10^7",
    },
    Bound {
        name: "MAX_SEEDS_PER_RUN",
        value: "10^6",
    },
    Bound {
        name: "MAX_CONTENTS",
        value: "10 000",
    },
    Bound {
        name: "MIN_PIECE_SIZE_BYTES",
        value: "16 KiB",
    },
    Bound {
        name: "MAX_PIECES_PER_CONTENT",
        value: "2^20",
    },
    Bound {
        name: "MAX_CONTENT_SIZE_BYTES",
        value: "1 TiB",
    },
    Bound {
        name: "MIN_RATE_BPS",
        value: "1 bps",
    },
    Bound {
        name: "MAX_RATE_BPS",
        value: "10 Tbps",
    },
    Bound {
        name: "MAX_HORIZON",
        value: "100 years",
    },
    Bound {
        name: "MIN_SAMPLE_INTERVAL",
        value: "1 s",
    },
    Bound {
        name: "MAX_SAMPLES",
        value: "10^7",
    },
    Bound {
        name: "MIN_CHOKE_INTERVAL",
        value: "1 s",
    },
    Bound {
        name: "MIN_ANNOUNCE_INTERVAL",
        value: "1 s",
    },
    Bound {
        name: "MIN_SESSION_PERIOD",
        value: "1 s",
    },
    Bound {
        name: "MAX_CONNECTIONS_PER_PEER",
        value: "10 000",
    },
    Bound {
        name: "MAX_CAP_CLIP",
        value: "100",
    },
    Bound {
        name: "MAX_PRICE_PER_GB",
        value: "10^6",
    },
    Bound {
        name: "MAX_PRICE_PER_MBPS_MONTH",
        value: "10^6",
    },
];

pub(crate) use crate::units::HORIZON_TEXT;

/// Reads the text file at `path`, at most `cap` bytes: a larger regular file fails before
/// it is read, an endless one (`/dev/zero`) after `cap + 1` bytes, never holding more than
/// that; text that is not UTF-8 fails with the line and offset of the first bad byte.
/// `what` names the file's role in messages ("a scenario", "a trace"). The error is an
/// `io::Error` whose message is a complete clause ("it is larger than 16 MiB, the most a
/// scenario may be").
pub(crate) fn read_text_capped(
    path: &std::path::Path,
    cap: u64,
    what: &str,
) -> std::io::Result<String> {
    use std::io::Read as _;
    let too_large = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is larger than {}, the most {what} may be (scenarios/README.md#bounds)",
                crate::units::fmt_bytes_binary(cap)
            ),
        )
    };
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() && meta.len() > cap {
        return Err(too_large());
    }
    let limit = usize::try_from(cap + 1).unwrap_or(usize::MAX);
    let mut reader = file.take(cap + 1);
    let mut bytes: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if bytes.len() + n > bytes.capacity() {
            // Double, as a Vec would, but never past cap + 1 bytes.
            let more = bytes.capacity().max(n).min(limit - bytes.len()).max(n);
            bytes.reserve_exact(more);
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
    if bytes.len() as u64 > cap {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 text: invalid byte 0x{:02x} on line {line} (byte offset {at}); \
                 save it as UTF-8",
                e.as_bytes()[at]
            ),
        )
    })
}
