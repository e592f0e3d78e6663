//! The repository is self-contained: everything the code, the scenarios, the command-line
//! output and the documentation cite is in the repository.
//!
//! Over every `*.rs`, `*.md`, `*.toml` and `*.sh` file of the repository (and the scripts
//! in `.ci/`), outside `target/` and `.git/` (and except this file, whose self-test holds
//! bad citations on purpose):
//! - a cited `docs/...` path must exist, and a cited section (a path with `#anchor`) must
//!   be a heading of that file (GitHub's anchor of the heading);
//! - a relative Markdown link (`[text](path#anchor)`) in a `*.md` file must resolve, and so
//!   must its anchor;
//! - nothing may cite the working material that is not shipped: the old reference notes
//!   by section number, or the shared working folder beside the checkout, or a developers' guide that does not
//!   exist.
//!
//! The command-line output's citations are string literals in `bin/src`, so they are
//! checked here too (and `bin/tests/cli.rs` checks that `fluid` prints them).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// Texts that cite material outside the repository. Built from pieces so that this file
/// does not match itself.
fn forbidden() -> Vec<String> {
    vec![
        ["REFERENCE", " §"].concat(),
        ["REFERENCE", ".md"].concat(),
        ["..", "/shared"].concat(),
        ["shared", "/REFERENCE"].concat(),
        ["DEVELOPERS", ".md"].concat(),
    ]
}

/// The files checked, relative to the repository root, sorted.
fn files(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let name = rel.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                if name == "target" || name == ".git" || name == "node_modules" {
                    continue;
                }
                walk(&path, root, out);
            } else {
                let ext = path.extension().map(|e| e.to_string_lossy().to_string());
                let in_ci = rel.starts_with(".ci");
                if in_ci || matches!(ext.as_deref(), Some("rs" | "md" | "toml" | "sh")) {
                    out.push(rel);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// GitHub's anchor of a heading: lower case, every character that is not a letter, a
/// digit, a space, `-` or `_` dropped, spaces turned into `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown text's headings (outside code fences), with GitHub's `-1`,
/// `-2` … suffixes for repeated headings.
fn anchors(markdown: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            let base = slug(&line[hashes..]);
            let mut a = base.clone();
            let mut k = 0;
            while out.contains(&a) {
                k += 1;
                a = format!("{base}-{k}");
            }
            out.insert(a);
        }
    }
    out
}

/// Checks that `target` (a path, relative to `base`, with an optional `#anchor`) exists;
/// returns a problem description otherwise. `own` is the citing file (for `#anchor`
/// alone).
fn check_target(root: &Path, base: &Path, own: &Path, target: &str) -> Option<String> {
    let (path, anchor) = match target.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (target, None),
    };
    let file = if path.is_empty() {
        root.join(own)
    } else {
        base.join(path)
    };
    if !file.exists() {
        return Some(format!("`{target}`: no such file"));
    }
    if let Some(anchor) = anchor {
        if file.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&file).unwrap();
            if !anchors(&text).contains(anchor) {
                return Some(format!("`{target}`: no heading with anchor `#{anchor}`"));
            }
        }
    }
    None
}

/// Every problem of one file's text: forbidden citations, `docs/...` citations that do not
/// resolve, and (Markdown) relative links that do not resolve.
fn problems(root: &Path, rel: &Path, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let at = |what: String| format!("{}:{}: {what}", rel.display(), n + 1);
        for bad in forbidden() {
            if line.contains(&bad) {
                out.push(at(format!("cites `{bad}`, which is not in the repository")));
            }
        }
        // `docs/...` citations, resolved from the repository root.
        let mut from = 0;
        while let Some(i) = line[from..].find("docs/") {
            let start = from + i;
            from = start + 5;
            let before = line[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-') {
                continue; // part of another name, e.g. `mydocs/`
            }
            let token_start = line[..start]
                .rfind(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '`')
                .map_or(0, |j| j + 1);
            if line[token_start..start].contains("://") {
                continue; // a URL elsewhere
            }
            let len = line[start..]
                .find(|c: char| !(c.is_alphanumeric() || "_./#-".contains(c)))
                .unwrap_or(line.len() - start);
            let target = line[start..start + len].trim_end_matches('.');
            if let Some(p) = check_target(root, root, rel, target) {
                out.push(at(p));
            }
        }
        // Relative Markdown links.
        if rel.extension().is_some_and(|e| e == "md") {
            let mut from = 0;
            while let Some(i) = line[from..].find("](") {
                let start = from + i + 2;
                from = start;
                let Some(len) = line[start..].find(')') else {
                    continue;
                };
                let target = line[start..start + len].trim();
                if target.contains("://") || target.starts_with("mailto:") || target.is_empty() {
                    continue;
                }
                let base = root.join(rel).parent().unwrap().to_path_buf();
                if let Some(p) = check_target(root, &base, rel, target) {
                    out.push(at(p));
                }
            }
        }
    }
    out
}

#[test]
fn every_citation_resolves_inside_the_repository() {
    let root = root();
    let files = files(&root);
    assert!(
        files.len() > 50 && files.iter().any(|f| f.starts_with("docs")),
        "only {} files found under {}",
        files.len(),
        root.display()
    );
    let mut all = Vec::new();
    let mut docs_cited = 0;
    for rel in &files {
        if rel == Path::new("sim-core/tests/citations.rs") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(rel)) else {
            continue; // not UTF-8: not a text we write
        };
        docs_cited += text.matches("docs/").count();
        all.extend(problems(&root, rel, &text));
    }
    assert!(
        docs_cited >= 20,
        "only {docs_cited} citations of docs/ found"
    );
    assert!(
        all.is_empty(),
        "citations that do not resolve inside the repository:\n{}",
        all.join("\n")
    );
}

/// The docs this repository promises exist, with the sections the code cites.
#[test]
fn the_docs_exist() {
    let root = root();
    for f in ["README.md", "model.md", "validation.md", "tokyo-2007.md"] {
        assert!(root.join("docs").join(f).is_file(), "docs/{f} is missing");
    }
    for f in [
        "LICENSE",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "CONTRIBUTING.md",
    ] {
        assert!(root.join(f).is_file(), "{f} is missing");
    }
}

/// The checker itself finds what it should: a missing file, a missing section, a broken
/// relative link and each forbidden citation; and passes good citations and URLs.
#[test]
fn the_checker_catches_bad_citations() {
    let root = root();
    let rel = Path::new("docs/example.md");
    let bad = format!(
        "see docs/nope.md and docs/validation.md#no-such-section.\n\
         a [link](../no-such-file.rs) and [one](model.md#nowhere)\n{}\n{}\n{}",
        ["REFERENCE", " §4"].concat(),
        ["..", "/shared/notes"].concat(),
        ["DEVELOPERS", ".md"].concat(),
    );
    let found = problems(&root, rel, &bad);
    assert_eq!(found.len(), 7, "{found:#?}");
    let good = "docs/validation.md#qiu-srikant-fluid-model, `docs/model.md`, docs/ and \
                docs/tokyo-2007.md#the-trial-report. https://example.org/docs/x \
                [up](../README.md) [here](#anything-in-a-missing-file) [m](model.md#arrivals)";
    let found = problems(&root, Path::new("docs/model.md"), good);
    assert_eq!(found.len(), 1, "{found:#?}"); // only `#anything-in-a-missing-file`
    assert!(
        found[0].contains("#anything-in-a-missing-file"),
        "{found:#?}"
    );
    assert_eq!(
        slug("Validation (all in `cargo test --workspace`)"),
        "validation-all-in-cargo-test---workspace"
    );
    assert_eq!(slug("Little's law"), "littles-law");
}
