//! Hostile names: a catalog whose content and class names hold commas, quotes, line breaks
//! and non-ASCII text runs, and `peers.csv` parses back with the `csv` crate: every row has
//! the header's field count and the names come back exactly as written.

mod common;

use std::collections::BTreeSet;

use sim_core::export::csv::PEERS_HEADER;
use sim_core::run;

/// Names as a TOML basic string (escapes for the quote, the backslash and line breaks).
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const CONTENTS: [&str; 3] = [
    "patch, \"final\" 1.4",
    "dlc\nharbour\r\nedition",
    "トレーラー ñ — 4K,\"",
];
const CLASSES: [&str; 2] = ["ftth, \"fast\"", "adsl\nslow é"];

#[test]
fn peers_csv_round_trips_hostile_names() {
    let mut text = String::from(
        r#"
[simulation]
max_time = "1d"
[network]
latency = "10ms"
[origin]
capacity = "50Mbps"
[client]
seed_time = "0s"
[arrivals]
process = "flash-crowd"
peers = 24
zipf_exponent = 0.5
"#,
    );
    for name in CONTENTS {
        text += &format!(
            "[[contents]]\nname = {}\nsize = \"1MB\"\npiece_size = \"256KiB\"\n",
            toml_str(name)
        );
    }
    for (i, name) in CLASSES.iter().enumerate() {
        text += &format!(
            "[[classes]]\nname = {}\nshare = 0.5\nupload = \"{}Mbps\"\ndownload = \"10Mbps\"\n",
            toml_str(name),
            i + 1
        );
    }
    let s = common::scenario(&text);
    let names: Vec<&str> = s.contents.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, CONTENTS, "the loader keeps the names");
    let out = run(&s);
    common::assert_conservation(&s, &out);
    let csv_text = out.peers_csv();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(csv_text.as_bytes());
    let header = reader.headers().expect("a header").clone();
    assert_eq!(header.iter().collect::<Vec<_>>(), PEERS_HEADER);
    let (mut contents, mut classes) = (BTreeSet::new(), BTreeSet::new());
    let mut rows = 0;
    for record in reader.records() {
        let r = record.unwrap_or_else(|e| panic!("row {}: {e}\n{csv_text}", rows + 1));
        assert_eq!(r.len(), header.len(), "row {}: {r:?}", rows + 1);
        contents.insert(r[0].to_string());
        classes.insert(r[1].to_string());
        rows += 1;
    }
    assert_eq!(rows, out.peers.len());
    assert_eq!(rows, 24);
    // Every name that had a peer comes back exactly (with 24 peers, all of them do).
    let want = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(contents, want(&CONTENTS));
    assert_eq!(classes, want(&CLASSES));
    // The time series has no names but must parse the same way.
    let ts_text = out.timeseries_csv();
    let mut ts = csv::Reader::from_reader(ts_text.as_bytes());
    let width = ts.headers().unwrap().len();
    assert!(ts.records().all(|r| r.unwrap().len() == width));
}
