//! The bad-input corpus, `sim-core/tests/bad-inputs/`: one file per mistake a person makes
//! in a scenario, each loaded and required to fail with the message its header promises.
//!
//! A case is a `.toml` file whose leading comment lines say what it checks:
//!
//! ```text
//! # A 1 GB file in 1 KiB pieces: a KiB/MiB typo.          (free text)
//! # bound: MIN_PIECE_SIZE_BYTES                            (a bound it exercises, optional)
//! # set: content.size=1GB                                  (an override, optional, repeatable)
//! # expect: piece-kib-typo.toml:10: content.piece_size: expected at least 16 KiB
//! # expect: got 1 KiB                                      (every fragment must appear)
//! ```
//!
//! Cases directly in `bad-inputs/` are loaded with `scenario::load_file` (relative trace
//! files resolve against that directory: `bad-inputs/data/`); cases in `bad-inputs/cli/`
//! run the `swarmsim` binary (`bin/tests/bad_flags.rs`), with `# args:` in place of
//! `# set:`. Run with `BAD_INPUTS_SHOW=1` to print every case's message.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sim_core::scenario::limits::BOUNDS;
use sim_core::scenario::{load_file, Override};

/// The corpus directory.
fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-inputs")
}

/// One case: its file and its header.
struct Case {
    path: PathBuf,
    expect: Vec<String>,
    set: Vec<String>,
    bounds: Vec<String>,
}

/// The `.toml` cases of `dir`, sorted by name, headers parsed.
fn cases(dir: &Path) -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            let mut case = Case {
                path: path.clone(),
                expect: Vec::new(),
                set: Vec::new(),
                bounds: Vec::new(),
            };
            for line in text.lines().take_while(|l| l.starts_with('#')) {
                let field = |name: &str| line.strip_prefix(name).map(|v| v.trim().to_string());
                if let Some(v) = field("# expect:") {
                    case.expect.push(v);
                } else if let Some(v) = field("# set:") {
                    case.set.push(v);
                } else if let Some(v) = field("# bound:") {
                    case.bounds.push(v);
                }
            }
            case
        })
        .collect()
}

/// The message of loading `case`, or why the case is broken.
fn message(case: &Case) -> Result<String, String> {
    let overrides: Vec<Override> = match case.set.iter().map(|s| Override::parse(s)).collect() {
        Ok(o) => o,
        Err(e) => return Ok(e.to_string()),
    };
    match load_file(&case.path, &overrides) {
        Ok(_) => Err("loaded without error".into()),
        Err(e) => Ok(e.to_string()),
    }
}

#[test]
fn every_bad_input_fails_with_its_message() {
    let show = std::env::var_os("BAD_INPUTS_SHOW").is_some();
    let mut failures = Vec::new();
    for case in cases(&corpus()) {
        let name = case.path.file_name().unwrap().to_string_lossy().to_string();
        let got = message(&case);
        if show {
            println!("{name}\n    {got:?}");
        }
        let got = match got {
            Ok(m) => m,
            Err(why) => {
                failures.push(format!("{name}: {why}"));
                continue;
            }
        };
        if case.expect.is_empty() {
            failures.push(format!("{name}: no `# expect:` line"));
        }
        // The location: the file and line, or the --set assignment.
        if !case
            .expect
            .iter()
            .any(|e| e.starts_with(&format!("{name}:")) || e.starts_with("--set "))
        {
            failures.push(format!(
                "{name}: no expected fragment names the location (`{name}:LINE: key` or \
                 `--set ...`)"
            ));
        }
        for e in &case.expect {
            if !got.contains(e.as_str()) {
                failures.push(format!("{name}: expected {e:?} in\n    {got}"));
            }
        }
        // Nothing but one line of text, never a Rust debug dump.
        if got.contains('\n') || got.contains("Error {") {
            failures.push(format!("{name}: not a one-line message: {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_corpus_has_at_least_80_cases() {
    let loader = cases(&corpus()).len();
    let cli = cases(&corpus().join("cli")).len();
    assert!(
        loader + cli >= 80 && loader >= 80,
        "{loader} loader cases + {cli} CLI cases"
    );
}

#[test]
fn every_bound_has_a_case() {
    let mut tagged = BTreeSet::new();
    for case in cases(&corpus())
        .into_iter()
        .chain(cases(&corpus().join("cli")))
    {
        for b in &case.bounds {
            assert!(
                BOUNDS.iter().any(|x| x.name == b),
                "{}: unknown bound {b}",
                case.path.display()
            );
            tagged.insert(b.clone());
        }
    }
    let missing: Vec<&str> = BOUNDS
        .iter()
        .map(|b| b.name)
        .filter(|n| !tagged.contains(*n))
        .collect();
    assert!(missing.is_empty(), "bounds without a case: {missing:?}");
}

/// `scenarios/README.md` has a "Bounds" table with a row for every bound, its name and
/// its value, and `scenario/limits.rs` declares each as a documented `pub const`.
#[test]
fn every_bound_is_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("scenarios/README.md")).unwrap();
    let section = readme
        .split("\n## Bounds")
        .nth(1)
        .expect("scenarios/README.md has a ## Bounds section");
    let section = section.split("\n## ").next().unwrap();
    let limits = std::fs::read_to_string(root.join("sim-core/src/scenario/limits.rs")).unwrap();
    // The bounds of rates and durations are declared in units.rs, which parses them.
    let units = std::fs::read_to_string(root.join("sim-core/src/units.rs")).unwrap();
    for b in BOUNDS {
        let row = section
            .lines()
            .find(|l| l.contains(&format!("`{}`", b.name)))
            .unwrap_or_else(|| panic!("no row for {} in the Bounds table", b.name));
        assert!(
            row.contains(b.value),
            "{}: row lacks {:?}: {row}",
            b.name,
            b.value
        );
        let decl = format!("pub const {}:", b.name);
        let source = if limits.contains(&decl) {
            &limits
        } else {
            &units
        };
        let at = source
            .find(&decl)
            .unwrap_or_else(|| panic!("neither limits.rs nor units.rs declares {decl}"));
        assert!(
            source[..at]
                .trim_end()
                .lines()
                .last()
                .unwrap()
                .trim()
                .starts_with("///"),
            "{} has no doc comment",
            b.name
        );
    }
    let declared = limits.matches("\npub const ").count() + units.matches("\npub const ").count();
    assert_eq!(
        declared,
        BOUNDS.len() + 1,
        "a const of limits.rs is not in BOUNDS"
    );
}
