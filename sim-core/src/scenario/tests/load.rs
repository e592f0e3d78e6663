//! Load: reading files, and no panic on any input.

use super::*;

#[test]
fn load_file_reads_names_and_reports_io_errors() {
    let dir = std::env::temp_dir().join(format!("swarmsim-load-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("my-scenario.toml");
    std::fs::write(&path, MINIMAL).unwrap();
    let s = load_file(&path, &[]).unwrap();
    assert_eq!(s.name, "my-scenario");
    std::fs::write(&path, MINIMAL.replace("peers = 10", "peers = \"ten\"")).unwrap();
    let e = load_file(&path, &[]).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "{}:16: arrivals.peers: expected a whole number",
            path.display()
        )),
        "{e}"
    );
    let missing = dir.join("absent.toml");
    let e = load_file(&missing, &[]).unwrap_err();
    assert!(matches!(e, ScenarioError::Read { .. }));
    assert!(e.to_string().starts_with(&format!(
        "{}: cannot read the scenario file: ",
        missing.display()
    )));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every prefix of a file, every file with one byte removed or replaced, and a batch of
/// odd overrides: errors, never a panic.
#[test]
fn nothing_panics() {
    let text = include_str!("../../../../scenarios/quickstart.toml");
    let bytes = text.as_bytes();
    let step = 7;
    for i in (0..bytes.len()).step_by(step) {
        let _ = load(&String::from_utf8_lossy(&bytes[..i]));
        let mut cut = bytes.to_vec();
        cut.remove(i);
        let _ = load(&String::from_utf8_lossy(&cut));
        for replacement in [b'[', b'"', b'=', b'0', b'\n', b'.', b'{'] {
            let mut changed = bytes.to_vec();
            changed[i] = replacement;
            let _ = load(&String::from_utf8_lossy(&changed));
        }
    }
    for set in [
        "a=1",
        "a.b.c.d=1",
        "classes.0.share.x=1",
        "classes.99=1",
        "seeds.0.name.x=1",
        "content=[1,2]",
        "classes=[]",
        "classes.0.share=nan",
        "classes.0.share=inf",
        "arrivals.process=poisson",
        "arrivals={process=\"poisson\"}",
        "name=",
        "name=\"\"",
        "origin.capacity=-1",
        "simulation.seed=-1",
        "simulation.seed=1979-05-27",
        "simulation.max_time=99999999999999999999w",
        "content.piece_size=1B",
        "network={latency=\"5ms\"}",
        "network.latency.x.y=1",
        "tracker={}",
        "tracker.numwant=[1]",
    ] {
        let _ = with_sets(text, &[set]);
        let _ = with_sets(MINIMAL, &[set, "content.size.x=1"]);
    }
    // Arrays reachable by index: replacing an element and walking into an inline table.
    let inline = format!("{MINIMAL}\n[extra]\nlist = [1, {{ a = 1 }}]\n");
    let _ = with_sets(
        &inline,
        &[
            "extra.list.0=2",
            "extra.list.1.a=2",
            "extra.list.1.b.c=2",
            "extra.list.5=1",
        ],
    );
}
