//! The command-line part of the bad-input corpus, `sim-core/tests/bad-inputs/cli/`: each
//! case runs `swarmsim` with the arguments its header gives and must fail with a non-zero
//! exit, without a panic, with every `# expect:` fragment on stderr, and without creating
//! its output directory. The format is that of `sim-core/tests/bad_inputs.rs`, with
//! `# args:` (split on spaces) in place of `# set:`; in the arguments `{file}` is the case
//! file itself, `{dir}` its directory and `{out}` an output directory in a fresh temporary
//! directory.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// The CLI cases, sorted by name.
fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sim-core/tests/bad-inputs/cli");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
}

/// The values of the header lines of `text` starting with `field`.
fn header<'a>(text: &'a str, field: &str) -> Vec<&'a str> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| l.strip_prefix(field).map(str::trim))
        .collect()
}

#[test]
fn every_bad_command_line_fails_with_its_message() {
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 15, "{} CLI cases", cases.len());
    for path in cases {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let [args] = header(&text, "# args:")[..] else {
            failures.push(format!("{name}: expected one `# args:` line"));
            continue;
        };
        let expect = header(&text, "# expect:");
        if expect.is_empty() {
            failures.push(format!("{name}: no `# expect:` line"));
        }
        let tmp = TempDir::new().unwrap();
        let out = tmp.path().join("out");
        let args: Vec<String> = args
            .split_whitespace()
            .map(|a| {
                a.replace("{file}", &path.display().to_string())
                    .replace("{dir}", &path.parent().unwrap().display().to_string())
                    .replace("{out}", &out.display().to_string())
            })
            .collect();
        let output = Command::cargo_bin("swarmsim")
            .unwrap()
            .args(&args)
            .current_dir(tmp.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.success() {
            failures.push(format!("{name}: exited 0"));
        }
        if output.status.code().is_none() || stderr.contains("panicked") {
            failures.push(format!("{name}: crashed: {:?}\n{stderr}", output.status));
        }
        for e in &expect {
            if !stderr.contains(e) {
                failures.push(format!("{name}: expected {e:?} on stderr, got\n{stderr}"));
            }
        }
        if out.exists() {
            failures.push(format!("{name}: created its output directory"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
