//! [`Tally`]: the figures of a group of downloads — an access class, a content, or the
//! whole run — computed one way for all three.

use crate::metrics::percentile;

use super::record::PeerRecord;

/// Summary statistics of download times, seconds; each is `None` (`null` in JSON, "–"
/// for people) when no download completed.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct TimeStats {
    /// Completed downloads behind the figures.
    pub count: u32,
    /// Mean.
    pub mean: Option<f64>,
    /// Median (nearest rank).
    pub p50: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
    /// Maximum.
    pub max: Option<f64>,
}

/// Seconds rounded to the simulator's resolution (1 µs), so figures carry no float noise.
pub fn round_us(s: f64) -> f64 {
    (s * 1e6).round() / 1e6
}

/// A ratio rounded to 1e-12 (no float noise).
pub fn round_ratio(x: f64) -> f64 {
    (x * 1e12).round() / 1e12
}

/// `part / whole`, 0 when `whole` is 0.
pub fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

impl TimeStats {
    /// Statistics of `times` (sorted in place).
    pub fn of(times: &mut [f64]) -> TimeStats {
        times.sort_by(f64::total_cmp);
        let mean = (!times.is_empty()).then(|| times.iter().sum::<f64>() / times.len() as f64);
        let pct = |p| percentile(times, p).map(round_us);
        TimeStats {
            count: times.len() as u32,
            mean: mean.map(round_us),
            p50: pct(50.0),
            p90: pct(90.0),
            p99: pct(99.0),
            max: times.last().copied().map(round_us),
        }
    }
}

/// The figures of a group of downloads (leechers that arrived).
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// Leechers that arrived.
    pub peers: u32,
    /// Of which without the P2P client (HTTP only).
    pub http_only_peers: u32,
    /// Of which completed.
    pub completed_downloads: u32,
    /// Of which abandoned by their user for good (not restarted).
    pub abandoned_downloads: u32,
    /// Of which still downloading when the run ended (a run cut by `max_time`).
    pub unfinished_downloads: u32,
    /// Restarts of abandoned downloads (each one a new attempt by the same user).
    pub restarts: u32,
    /// Bytes the abandoned downloads had received.
    pub abandoned_bytes: u64,
    /// Bytes the unfinished downloads had received by the end.
    pub unfinished_bytes: u64,
    /// Bytes received from the origin.
    pub bytes_from_origin: u64,
    /// Bytes received from peers.
    pub bytes_from_peers: u64,
    /// All bytes received (origin + peers).
    pub bytes_delivered: u64,
    /// Bytes uploaded to peers; for a content and for the whole run, the initial seeds'
    /// uploads included ([`Tally::with_seed_upload`]); seeds belong to no class.
    pub bytes_uploaded: u64,
    /// Bytes of partial pieces received then thrown away.
    pub partial_bytes_wasted: u64,
    /// Share of the received bytes that came from peers (rounded to 1e-12).
    pub offload_ratio: f64,
    /// Download times of the completed downloads, seconds.
    pub download_time_s: TimeStats,
}

impl Tally {
    /// The figures of `members`.
    pub fn of<'a>(members: impl IntoIterator<Item = &'a PeerRecord>) -> Tally {
        let mut t = Tally {
            peers: 0,
            http_only_peers: 0,
            completed_downloads: 0,
            abandoned_downloads: 0,
            unfinished_downloads: 0,
            restarts: 0,
            abandoned_bytes: 0,
            unfinished_bytes: 0,
            bytes_from_origin: 0,
            bytes_from_peers: 0,
            bytes_delivered: 0,
            bytes_uploaded: 0,
            partial_bytes_wasted: 0,
            offload_ratio: 0.0,
            download_time_s: TimeStats::of(&mut []),
        };
        let mut times = Vec::new();
        for p in members {
            t.peers += 1;
            t.http_only_peers += u32::from(!p.p2p);
            t.restarts += p.restarts;
            if let Some(s) = p.download_time_s() {
                times.push(s);
            }
            if p.aborted {
                t.abandoned_downloads += 1;
                t.abandoned_bytes += p.received_bytes();
            }
            if p.unfinished() {
                t.unfinished_downloads += 1;
                t.unfinished_bytes += p.received_bytes();
            }
            t.bytes_from_origin += p.down_origin_bytes;
            t.bytes_from_peers += p.down_peer_bytes;
            t.bytes_uploaded += p.up_bytes;
            t.partial_bytes_wasted += p.wasted_bytes;
        }
        t.completed_downloads = times.len() as u32;
        t.bytes_delivered = t.bytes_from_origin + t.bytes_from_peers;
        t.offload_ratio = round_ratio(ratio(t.bytes_from_peers, t.bytes_delivered));
        t.download_time_s = TimeStats::of(&mut times);
        t
    }

    /// The same figures with `seed_up_bytes` uploaded by initial seeds added to
    /// [`Tally::bytes_uploaded`].
    pub fn with_seed_upload(mut self, seed_up_bytes: u64) -> Tally {
        self.bytes_uploaded += seed_up_bytes;
        self
    }
}

/// `peers` split into `groups` groups by `key` in one pass, keeping their order.
pub(crate) fn group_by(
    peers: &[PeerRecord],
    groups: usize,
    key: impl Fn(&PeerRecord) -> usize,
) -> Vec<Vec<&PeerRecord>> {
    let mut by: Vec<Vec<&PeerRecord>> = vec![Vec::new(); groups];
    for p in peers {
        by[key(p)].push(p);
    }
    by
}
