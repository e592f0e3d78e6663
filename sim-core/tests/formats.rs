//! The formats a person or a program reads, pinned as reviewed snapshots (`insta`): the
//! human summary of `swarmsim run`, the scenario description of `swarmsim validate` and the
//! header of every CSV file. A format change
//! fails here until its snapshot under `tests/snapshots/` is updated and committed
//! (`cargo insta review`, or accept the `.snap.new` file insta writes beside it).
//! Also: CSV quoting of hostile content and class names.

use std::path::Path;

use sim_core::export::csv::{PEERS_HEADER, TIMESERIES_HEADER};
use sim_core::{RunOutput, Scenario, Simulation};

fn scenario(file: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(file);
    sim_core::scenario::load_file(&path, &[]).expect("shipped scenario loads")
}

fn run(s: Scenario) -> RunOutput {
    Simulation::new(s).run(&mut |_| std::ops::ControlFlow::Continue(()))
}

/// The first line of a CSV text.
fn header(csv: &str) -> &str {
    csv.lines().next().expect("a header line")
}

#[test]
fn human_summary_of_quickstart() {
    insta::assert_snapshot!(run(scenario("quickstart.toml")).human_summary());
}

#[test]
fn human_summary_of_catalog() {
    insta::assert_snapshot!(run(scenario("catalog.toml")).human_summary());
}

#[test]
fn validate_description_of_quickstart_and_catalog() {
    insta::assert_snapshot!(
        "validate_quickstart",
        sim_core::scenario::describe(&scenario("quickstart.toml"))
    );
    insta::assert_snapshot!(
        "validate_catalog",
        sim_core::scenario::describe(&scenario("catalog.toml"))
    );
}

#[test]
fn csv_headers() {
    let out = run(scenario("quickstart.toml"));
    insta::assert_snapshot!("timeseries_csv_header", header(&out.timeseries_csv()));
    insta::assert_snapshot!("peers_csv_header", header(&out.peers_csv()));
    assert_eq!(header(&out.timeseries_csv()), TIMESERIES_HEADER.join(","));
    assert_eq!(header(&out.peers_csv()), PEERS_HEADER.join(","));
}

#[test]
fn hostile_names_give_valid_csv() {
    let mut s = scenario("quickstart.toml");
    let content = "patch, \"final\"\nv2";
    s.contents[0].name = content.to_string();
    let classes: Vec<String> = (0..s.classes.len())
        .map(|i| format!("class {i}, \"quoted\"\r\nnext line"))
        .collect();
    for (c, name) in s.classes.iter_mut().zip(&classes) {
        c.name = name.clone();
    }
    let out = run(s);
    let text = out.peers_csv();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        PEERS_HEADER
    );
    let mut rows = 0;
    for row in reader.records() {
        let row = row.expect("every row parses");
        assert_eq!(row.len(), PEERS_HEADER.len());
        assert_eq!(&row[0], content);
        assert!(classes.iter().any(|c| c == &row[1]), "class {:?}", &row[1]);
        rows += 1;
    }
    assert_eq!(rows, out.peers.len());
    assert!(rows > 0);
    // The time series has no names; it parses too.
    let ts = out.timeseries_csv();
    let n = csv::Reader::from_reader(ts.as_bytes())
        .records()
        .map(|r| r.expect("row parses").len())
        .filter(|&n| n == TIMESERIES_HEADER.len())
        .count();
    assert_eq!(n, out.timeseries.len());
}
