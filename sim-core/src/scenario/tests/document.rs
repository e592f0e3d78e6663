//! The document: syntax errors, unknown keys, bad values, and `--set` overrides.

use super::*;

#[test]
fn unknown_key_names_file_line_path_and_the_valid_keys() {
    let text = format!("{MINIMAL}\n[protocol]\nupload_slots = 4\nupload_slot = 3\n");
    let line = text
        .lines()
        .position(|l| l.starts_with("upload_slot "))
        .unwrap()
        + 1;
    assert_eq!(
        err(&text),
        format!(
            "x.toml:{line}: protocol.upload_slot: unknown key; expected one of \
                 upload_slots, optimistic_slots, rechoke_interval, optimistic_interval, \
                 max_connections, min_peers, random_first_pieces, endgame, seed_choking \
                 (did you mean upload_slots?)"
        )
    );
    let e = err(&format!("speed = 3\n{MINIMAL}"));
    assert!(
        e.starts_with("x.toml:1: speed: unknown key; expected one of name, "),
        "{e}"
    );
    let e = err(&MINIMAL.replace("[[seeds]]\n", "[[seeds]]\ncolor = \"red\"\n"));
    assert!(
        e.starts_with("x.toml:6: seeds[0].color: unknown key;"),
        "{e}"
    );
    let e = err(&format!(
        "{MINIMAL}\n[network]\nlatency = \"5ms\"\nloss = 0.1\n"
    ));
    assert!(
            e.contains(": network.loss: unknown key; expected one of latency, time_quantum, fairness_tolerance"),
            "{e}"
        );
    let e = err(&MINIMAL.replace("peers = 10", "peers = 10\nrates = \"2/min\""));
    assert!(
        e.contains("arrivals.rates: unknown key; expected one of process, peers"),
        "{e}"
    );
    assert!(e.contains("(did you mean rate?)"), "{e}");
}

#[test]
fn bad_value_names_file_line_path_and_what_was_expected() {
    let text = two_classes().replace("upload = \"30Mbps\"", "upload = \"8\"");
    let line = text.lines().position(|l| l == "upload = \"8\"").unwrap() + 1;
    assert_eq!(
        err(&text),
        format!(
            "x.toml:{line}: classes[1].upload: expected a rate with a unit, \
                 e.g. \"8Mbps\" or \"10MB/s\", got \"8\""
        )
    );
    let e = err(&MINIMAL.replace("\"100MB\"", "\"100\""));
    assert_eq!(
            e,
            "x.toml:3: content.size: expected a size with a unit, e.g. \"414MB\" or \"256KiB\", got \"100\""
        );
    let e = err(&MINIMAL.replace("\"100MB\"", "100"));
    assert!(e.ends_with("got 100"), "{e}");
    let e = err(&MINIMAL.replace("peers = 10", "peers = -1"));
    assert!(
        e.contains("arrivals.peers: expected a whole number from 0 to 4294967295, got -1"),
        "{e}"
    );
    let e = err(&format!("{MINIMAL}\n[client]\nseed_time = \"sometimes\"\n"));
    assert!(
        e.contains("client.seed_time: expected a duration such as \"10min\""),
        "{e}"
    );
    let e = err(&format!("{MINIMAL}\n[client]\npolicy = \"p2p\"\n"));
    assert!(
            e.contains("client.policy: expected one of \"web-seed\", \"peers-first\", \"fallback\", \"rate-target\", \"http-first\", \"http-only\", got \"p2p\""),
            "{e}"
        );
    let e = err(&format!("{MINIMAL}\n[simulation]\ncheck_invariants = 1\n"));
    assert!(
        e.contains("simulation.check_invariants: expected true or false, got 1"),
        "{e}"
    );
    let e = err(&format!("network = {{ latency = \"fast\" }}\n{MINIMAL}"));
    assert!(
        e.contains("network.latency: expected a duration with a unit"),
        "{e}"
    );
}

#[test]
fn wrong_shape_of_table() {
    let e = err(&MINIMAL.replace("[content]\nsize = \"100MB\"", "content = 5"));
    assert_eq!(e, "x.toml:2: content: expected a table, got 5");
    let e = err(&MINIMAL.replace("[content]", "[[content]]"));
    assert!(e.contains("content: expected a table, got an array"), "{e}");
    let e = err(&format!(
        "classes = 5\n{}",
        MINIMAL.replace("[[classes]]", "[other]")
    ));
    assert!(e.starts_with("x.toml:1: "), "{e}");
}

#[test]
fn syntax_errors_have_a_line() {
    let e = err("[content]\nsize = \"100MB\"\npiece_size = \n");
    assert!(e.starts_with("x.toml:3: TOML syntax error: "), "{e}");
    let e = err("[content]\nsize = \"1MB\"\nsize = \"2MB\"\n");
    assert!(e.starts_with("x.toml:3: TOML syntax error: "), "{e}");
    assert!(e.contains("duplicate key"), "{e}");
    let e = err("[content]\nsize = 1MB # the file\n");
    assert!(e.starts_with("x.toml:2: TOML syntax error: "), "{e}");
    assert!(
        e.ends_with("(values with units are written in quotes: size = \"1MB\")"),
        "{e}"
    );
    let e = err("[content]\nsize = 1979-05-27\n");
    assert!(!e.contains("quotes"), "{e}");
    let e = err("[content\n");
    assert!(e.starts_with("x.toml:1: TOML syntax error: "), "{e}");
    assert!(!e.contains('\n'), "{e}");
}

#[test]
fn override_parsing() {
    let o = Override::parse("protocol.upload_slots=6").unwrap();
    assert_eq!(
        o,
        Override {
            path: "protocol.upload_slots".into(),
            value: "6".into()
        }
    );
    let o = Override::parse(" content.size = 1GB ").unwrap();
    assert_eq!(
        o,
        Override {
            path: "content.size".into(),
            value: "1GB".into()
        }
    );
    assert_eq!(Override::parse("name=a=b").unwrap().value, "a=b");
    assert!(Override::parse("classes[1].share=0.5").is_ok());
    assert_eq!(
            Override::parse("protocol.upload_slots").unwrap_err().to_string(),
            "--set protocol.upload_slots: expected KEY=VALUE, e.g. protocol.upload_slots=6 or content.size=1GB"
        );
    assert_eq!(
        Override::parse("=3").unwrap_err().to_string(),
        "--set =3: empty key path; expected e.g. protocol.upload_slots=6"
    );
    for bad in [
        "a..b=1",
        ".a=1",
        "a.=1",
        "a b=1",
        "classes[x].share=1",
        "classes[0.share=1",
        "classes[99999999999999999999999].x=1",
    ] {
        let e = Override::parse(bad).unwrap_err().to_string();
        assert!(e.starts_with(&format!("--set {bad}: bad key path")), "{e}");
    }
}

#[test]
fn overrides_apply() {
    let text = two_classes();
    let s = with_sets(
        &text,
        &[
            "protocol.upload_slots=6",
            "content.size=1GB",
            "classes.0.share=0.25",
            "classes[1].share=0.75",
            "name=renamed",
            "simulation.check_invariants=true",
            "client.seed_time=exp(5min)",
            "network.latency=\"5ms\"",
            "origin.capacity=100Mbps",
            "origin.per_connection=unlimited",
        ],
    )
    .unwrap();
    assert_eq!(s.protocol.upload_slots, 6);
    assert_eq!(s.contents[0].size_bytes, 1_000_000_000);
    assert_eq!(s.classes[0].share, 0.25);
    assert_eq!(s.classes[1].share, 0.75);
    assert_eq!(s.name, "renamed");
    assert!(s.check_invariants);
    assert_eq!(
        s.client.seed_time,
        SeedTime::Exponential(SimDuration::from_secs(300))
    );
    assert_eq!(s.network.latency, SimDuration::from_millis(5));
    assert_eq!(s.origin.capacity_bps, 100_000_000);
    // Later overrides win; an arrivals change of process works with all its keys.
    let s = with_sets(
        MINIMAL,
        &[
            "protocol.upload_slots=6",
            "protocol.upload_slots=2",
            "origin.capacity=0",
        ],
    )
    .unwrap();
    assert_eq!(s.protocol.upload_slots, 2);
    // The CLI's --seed passes any u64; beyond TOML's integers it arrives as a string.
    let s = with_sets(MINIMAL, &["simulation.seed=18446744073709551615"]).unwrap();
    assert_eq!(s.seed, u64::MAX);
    assert_eq!(s.origin.capacity_bps, 0);
    // Inline tables and plain arrays are reachable too.
    let inline = MINIMAL.replace(
        "[content]\nsize = \"100MB\"",
        "content = { size = \"1MB\" }",
    );
    let s = with_sets(&inline, &["content.piece_size=16KiB"]).unwrap();
    assert_eq!(s.contents[0].piece_size_bytes, 16 * 1024);
}

#[test]
fn override_errors_name_the_assignment() {
    assert_eq!(
        set_err(MINIMAL, &["protocol.upload_slotz=3"]),
        "--set protocol.upload_slotz=3: unknown key; expected one of upload_slots, \
             optimistic_slots, rechoke_interval, optimistic_interval, max_connections, \
             min_peers, random_first_pieces, endgame, seed_choking (did you mean upload_slots?)"
    );
    assert_eq!(
            set_err(MINIMAL, &["content.size=abc"]),
            "--set content.size=abc: expected a size with a unit, e.g. \"414MB\" or \"256KiB\", got \"abc\""
        );
    assert_eq!(
            set_err(MINIMAL, &["content.size=100"]),
            "--set content.size=100: expected a size with a unit, e.g. \"414MB\" or \"256KiB\", got 100"
        );
    assert_eq!(
        set_err(MINIMAL, &["protocol.upload_slots=0"]),
        "--set protocol.upload_slots=0: expected at least 1, got 0"
    );
    assert_eq!(
            set_err(MINIMAL, &["nothing.here=1"]),
            "--set nothing.here=1: nothing: unknown key; expected one of name, simulation, \
             content, contents, network, origin, tracker, protocol, client, seeds, classes, audience, sessions, arrivals"
        );
    assert_eq!(
        set_err(MINIMAL, &["classes.3.share=0.5"]),
        "--set classes.3.share=0.5: classes has 1 entry (index 0): it has no entry 3"
    );
    assert_eq!(
        set_err(&two_classes(), &["classes.2.share=0.5"]),
        "--set classes.2.share=0.5: classes has 2 entries (indices 0 to 1): it has no entry 2"
    );
    assert_eq!(
            set_err(MINIMAL, &["classes.name=x"]),
            "--set classes.name=x: classes is an array of tables: expected an index, e.g. classes.0.<key>"
        );
    assert_eq!(
        set_err(MINIMAL, &["classes.0=x"]),
        "--set classes.0=x: classes[0] is a whole table: set one of its keys, e.g. classes.0.name"
    );
    assert_eq!(
        set_err(MINIMAL, &["content.size.unit=MB"]),
        "--set content.size.unit=MB: content.size is a value, not a table"
    );
    assert_eq!(
        set_err(MINIMAL, &["content.0=1"]),
        "--set content.0=1: content is a table, not an array: it has no entry 0"
    );
    assert_eq!(
        set_err(
            MINIMAL.split("[[seeds]]").next().unwrap(),
            &["seeds.0.upload=1Mbps"]
        ),
        "--set seeds.0.upload=1Mbps: seeds is not in the scenario, so it has no entry 0"
    );
    // A value that breaks a cross-field rule blames the override, naming the key.
    assert_eq!(
        set_err(&two_classes(), &["classes.0.share=0.2"]),
        "--set classes.0.share=0.2: classes: shares must sum to 1, got 0.7 (dsl 0.2 + ftth 0.5)"
    );
    assert_eq!(
            set_err(MINIMAL, &["protocol.max_connections=5"]),
            "--set protocol.max_connections=5: protocol.min_peers: expected at most max_connections (5), got 20"
        );
    assert_eq!(
        set_err(MINIMAL, &["arrivals.process=poisson"]),
        "--set arrivals.process=poisson: arrivals.peers: not a key of process \"poisson\"; \
             its keys are process, rate or count, start, until"
    );
    assert_eq!(
        set_err(MINIMAL, &["seeds.0.upload=0"]),
        "--set seeds.0.upload=0: seeds: nobody holds the content: add [[seeds]] or an [origin]"
    );
    // Replacing a table by a value is a type error of that key.
    assert_eq!(
        set_err(MINIMAL, &["protocol=3"]),
        "--set protocol=3: expected a table, got 3"
    );
    // The file must be clean before overrides apply: its own error is reported.
    let bad = MINIMAL.replace("\"100MB\"", "\"100\"");
    assert!(set_err(&bad, &["content.size=1GB"]).starts_with("x.toml:3: content.size:"));
    // A rule broken by the file itself, untouched by the override, blames the file.
    let e = set_err(
        &MINIMAL.replace("share = 1", "share = 0.5"),
        &["protocol.upload_slots=6"],
    );
    assert!(
        e.starts_with("x.toml:8: classes: shares must sum to 1"),
        "{e}"
    );
    // ... unless the override fixes it.
    assert!(with_sets(
        &MINIMAL.replace("share = 1", "share = 0.5"),
        &["classes.0.share=1"]
    )
    .is_ok());
}
