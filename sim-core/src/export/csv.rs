//! `timeseries.csv` and `peers.csv`, written with the `csv` crate: a content or class
//! name holding a comma, a quote or a line break is quoted, so every file parses.
//! Numbers have fixed decimals so the bytes are stable.

use crate::report::{PeerRecord, SampleRow, Summary};

/// Header of `timeseries.csv`.
pub const TIMESERIES_HEADER: [&str; 8] = [
    "time_s",
    "origin_bytes",
    "peer_bytes",
    "origin_bps",
    "peer_bps",
    "active_leechers",
    "active_seeds",
    "cumulative_offload",
];

/// Header of `peers.csv`.
pub const PEERS_HEADER: [&str; 15] = [
    "content",
    "class",
    "p2p",
    "nat",
    "aborted",
    "restarts",
    "up_bps",
    "down_bps",
    "arrival_s",
    "completion_s",
    "download_time_s",
    "bytes_from_origin",
    "bytes_from_peers",
    "bytes_uploaded",
    "bytes_wasted",
];

/// CSV text of `header` and `rows` (`\n` line ends, fields quoted only when needed).
fn table<const N: usize>(header: [&str; N], rows: impl Iterator<Item = [String; N]>) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let io = "writing CSV to memory cannot fail";
    w.write_record(header).expect(io);
    for r in rows {
        w.write_record(&r).expect(io);
    }
    String::from_utf8(w.into_inner().expect(io)).expect("CSV of UTF-8 fields is UTF-8")
}

/// `timeseries.csv` text: one row per sample interval.
pub fn timeseries_csv(rows: &[SampleRow]) -> String {
    table(
        TIMESERIES_HEADER,
        rows.iter().map(|r| {
            [
                format!("{:.6}", r.time_s),
                r.origin_bytes.to_string(),
                r.peer_bytes.to_string(),
                format!("{:.0}", r.origin_bps),
                format!("{:.0}", r.peer_bps),
                r.active_leechers.to_string(),
                r.active_seeds.to_string(),
                format!("{:.6}", r.cumulative_offload),
            ]
        }),
    )
}

/// `peers.csv` text: one row per arrived leecher, in peer-id order (content by content,
/// arrival order within a content): where its bytes came from, what it uploaded, and
/// when it arrived and finished. Times in seconds; `completion_s` and `download_time_s`
/// are empty for a download that did not complete; `download_time_s` counts from the
/// start of the attempt that completed (`restarts` says how many came before).
pub fn peers_csv(summary: &Summary, peers: &[PeerRecord]) -> String {
    table(
        PEERS_HEADER,
        peers.iter().map(|p| {
            let (completion, took) = match p.download_time_s() {
                Some(t) => (
                    format!("{:.6}", p.completion.as_secs_f64()),
                    format!("{t:.6}"),
                ),
                None => (String::new(), String::new()),
            };
            [
                summary.contents[p.content as usize].name.clone(),
                summary.classes[p.class as usize].name.clone(),
                u8::from(p.p2p).to_string(),
                u8::from(p.nat).to_string(),
                u8::from(p.aborted).to_string(),
                p.restarts.to_string(),
                format!("{:.0}", p.up_bps),
                format!("{:.0}", p.down_bps),
                format!("{:.6}", p.arrival.as_secs_f64()),
                completion,
                took,
                p.down_origin_bytes.to_string(),
                p.down_peer_bytes.to_string(),
                p.up_bytes.to_string(),
                p.wasted_bytes.to_string(),
            ]
        }),
    )
}
