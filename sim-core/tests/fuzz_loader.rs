//! Fuzzing of the scenario loader and the `--set` parser on the stable toolchain (the
//! cargo-fuzz targets in `fuzz/` do the same with coverage guidance, in `.ci/run`):
//!
//! - proptests over arbitrary TOML built from the scenario language's tables and keys,
//!   over mutated shipped scenarios (a key dropped, duplicated, retyped, given an extreme
//!   number or a unit typo), and over `--set` assignments applied to the quickstart;
//! - a replay of every file of the committed fuzz corpus (`fuzz/corpus/loader/`: scenario
//!   text; `fuzz/corpus/set/`: one assignment a line, applied to the quickstart), decoded
//!   as the fuzz targets decode them.
//!
//! Every input must give a scenario or an error: no panic, no hang (the test would not
//! end), and no single allocation above [`MAX_ALLOC_BYTES`] (a counting allocator records
//! the largest request each thread made during the call).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sim_core::scenario::{load_str, Override};

/// The largest single allocation one loader call may make. A scenario text of a few KiB
/// has no business asking for more; the failures asked for gigabytes.
const MAX_ALLOC_BYTES: usize = 64 << 20;

struct Counting;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

fn note(size: usize) {
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Load `text` with `overrides`; fail if a single allocation went above the limit.
/// Returns whether it loaded (the error's message must not be empty).
fn load_checked(text: &str, overrides: &[Override]) -> Result<bool, String> {
    LARGEST.with(|l| l.set(0));
    let r = load_str(text, "fuzz.toml", "fuzz", overrides);
    let largest = LARGEST.with(|l| l.get());
    if largest > MAX_ALLOC_BYTES {
        return Err(format!("one allocation of {largest} bytes"));
    }
    match r {
        Ok(_) => Ok(true),
        Err(e) if e.to_string().trim().is_empty() => Err("an empty error message".into()),
        Err(_) => Ok(false),
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The shipped scenarios' texts (`scenarios/**/*.toml`), sorted by path.
fn shipped() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((p.display().to_string(), text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("scenarios"), &mut out);
    assert!(out.len() >= 5, "shipped scenarios not found");
    out
}

fn quickstart() -> String {
    std::fs::read_to_string(root().join("scenarios/quickstart.toml")).unwrap()
}

/// Every leaf key path of the shipped scenarios (`origin.capacity`, `classes.0.share`),
/// sorted and deduplicated: the vocabulary of the generated inputs.
fn leaf_paths() -> Vec<String> {
    fn walk(item: &toml_edit::Item, prefix: &str, out: &mut Vec<String>) {
        match item {
            toml_edit::Item::Table(t) => {
                for (k, v) in t.iter() {
                    walk(v, &join(prefix, k), out);
                }
            }
            toml_edit::Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    for (k, v) in t.iter() {
                        walk(v, &join(prefix, &format!("{i}.{k}")), out);
                    }
                }
            }
            toml_edit::Item::Value(_) => out.push(prefix.to_string()),
            toml_edit::Item::None => {}
        }
    }
    fn join(a: &str, b: &str) -> String {
        if a.is_empty() {
            b.to_string()
        } else {
            format!("{a}.{b}")
        }
    }
    let mut out = Vec::new();
    for (_, text) in shipped() {
        let doc: toml_edit::DocumentMut = text.parse().unwrap();
        walk(doc.as_item(), "", &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// Values a person or a script might write: extreme numbers, unit typos, wrong types.
fn value() -> impl Strategy<Value = String> {
    let numbers = prop_oneof![
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("1e308".to_string()),
        Just("-1e308".to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("-0.0".to_string()),
        Just("18446744073709551615".to_string()),
        Just("9223372036854775807".to_string()),
        Just("4294967296".to_string()),
        Just("1000000000".to_string()),
        Just("5e-324".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|x| format!("{x:?}")),
        (0u32..100_000).prop_map(|n| n.to_string()),
    ];
    let units = prop_oneof![
        Just("B"),
        Just("KiB"),
        Just("MiB"),
        Just("GB"),
        Just("TB"),
        Just("EB"),
        Just("bps"),
        Just("kbps"),
        Just("Gbps"),
        Just("MB/s"),
        Just("us"),
        Just("ms"),
        Just("s"),
        Just("min"),
        Just("h"),
        Just("d"),
        Just("/s"),
        Just("/d"),
        Just("KIB"),
        Just("mbps"),
        Just("Mbsp"),
        Just("sec"),
        Just(" MB"),
        Just(""),
    ];
    let amount = prop_oneof![
        Just("0".to_string()),
        Just("1".to_string()),
        Just("0.1".to_string()),
        Just("1e20".to_string()),
        Just("-5".to_string()),
        Just("1e400".to_string()),
        Just("18446744073709551616".to_string()),
        (0u32..10_000).prop_map(|n| n.to_string()),
    ];
    let quantity = (amount, units).prop_map(|(a, u)| format!("\"{a}{u}\""));
    let others = prop_oneof![
        Just("true".to_string()),
        Just("\"\"".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("[1, \"a\", true]".to_string()),
        Just("{ a = 1 }".to_string()),
        Just("\"forever\"".to_string()),
        Just("\"exp(30min)\"".to_string()),
        Just("\"exp(0s)\"".to_string()),
        Just("\"lognormal(1e308, 1e308)\"".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        "\"[a-z\\-]{0,12}\"".prop_map(|s| s),
    ];
    prop_oneof![3 => numbers, 4 => quantity, 2 => others]
}

/// How a shipped scenario is damaged.
#[derive(Debug, Clone)]
enum Mutation {
    Drop,
    Duplicate,
    Set(String),
    TypoInUnit(u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Drop),
        Just(Mutation::Duplicate),
        value().prop_map(Mutation::Set),
        any::<u8>().prop_map(Mutation::TypoInUnit),
    ]
}

/// Apply `m` to the `which`-th key line of `text` (a line of the form `key = value`).
fn mutate(text: &str, which: usize, m: &Mutation) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let keyed: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let l = lines[i].trim_start();
            !l.starts_with('#') && !l.starts_with('[') && l.contains('=')
        })
        .collect();
    if keyed.is_empty() {
        return text.to_string();
    }
    let i = keyed[which % keyed.len()];
    let line = lines[i];
    let (key, rest) = line.split_once('=').unwrap();
    let replaced = match m {
        Mutation::Drop => String::new(),
        Mutation::Duplicate => format!("{line}\n{line}"),
        Mutation::Set(v) => format!("{key}= {v}"),
        Mutation::TypoInUnit(k) => {
            let value = rest.split('#').next().unwrap_or("").trim();
            let mut chars: Vec<char> = value.chars().collect();
            if chars.len() > 2 {
                let at = 1 + (*k as usize) % (chars.len() - 2);
                match k % 4 {
                    0 => {
                        chars.remove(at);
                    }
                    1 => chars.insert(at, 'x'),
                    2 => chars.swap(at, at - 1),
                    _ => chars[at] = chars[at].to_ascii_uppercase(),
                }
            }
            format!("{key}= {}", chars.into_iter().collect::<String>())
        }
    };
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out[i] = replaced;
    out.join("\n")
}

/// Arbitrary TOML from the language's vocabulary: table headers, keys and values.
fn arbitrary_toml(paths: Vec<String>) -> impl Strategy<Value = String> {
    let line = (
        0..paths.len(),
        value(),
        prop_oneof![4 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
    )
        .prop_map(move |(k, v, kind)| {
            let path = &paths[k];
            let (table, key) = path.rsplit_once('.').unwrap_or(("", path));
            let table: Vec<&str> = table
                .split('.')
                .filter(|s| !s.is_empty() && s.parse::<u32>().is_err())
                .collect();
            match (kind, table.is_empty()) {
                (1, false) => format!("[{}]\n{key} = {v}", table.join(".")),
                (2, false) => format!("[[{}]]\n{key} = {v}", table.join(".")),
                _ => format!("{key} = {v}"),
            }
        });
    proptest::collection::vec(line, 0..24).prop_map(|ls| ls.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn loader_survives_arbitrary_text(text in "\\PC{0,300}") {
        prop_assert_eq!(load_checked(&text, &[]).map(|_| ()), Ok(()));
    }

    #[test]
    fn loader_survives_arbitrary_toml(text in arbitrary_toml(leaf_paths())) {
        prop_assert_eq!(load_checked(&text, &[]).map(|_| ()), Ok(()), "{}", text);
    }

    #[test]
    fn loader_survives_mutated_scenarios(
        file in 0usize..64,
        edits in proptest::collection::vec((any::<usize>(), mutation()), 1..4),
    ) {
        let all = shipped();
        let (name, mut text) = all[file % all.len()].clone();
        for (which, m) in &edits {
            text = mutate(&text, *which, m);
        }
        prop_assert_eq!(load_checked(&text, &[]).map(|_| ()), Ok(()), "{} {:?}", name, edits);
    }

    #[test]
    fn set_survives_arbitrary_assignments(
        sets in proptest::collection::vec((0usize..1000, value(), any::<bool>()), 1..4),
    ) {
        let paths = leaf_paths();
        let base = quickstart();
        let mut overrides = Vec::new();
        let mut typed = Vec::new();
        for (k, v, bare) in sets {
            // `--set` takes the value as typed; quotes are optional for strings.
            let v = if bare { v.trim_matches('"').to_string() } else { v };
            let a = format!("{}={v}", paths[k % paths.len()]);
            if let Ok(o) = Override::parse(&a) {
                overrides.push(o);
            }
            typed.push(a);
        }
        prop_assert_eq!(load_checked(&base, &overrides).map(|_| ()), Ok(()), "{:?}", typed);
    }

    #[test]
    fn set_parser_survives_arbitrary_text(a in "\\PC{0,80}") {
        if let Ok(o) = Override::parse(&a) {
            prop_assert_eq!(load_checked(&quickstart(), &[o]).map(|_| ()), Ok(()));
        }
    }
}

/// The files of one corpus directory, sorted.
fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = root().join("fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

#[test]
fn loader_corpus_replays_cleanly() {
    let files = corpus("loader");
    assert!(files.len() >= 10, "{} files", files.len());
    let mut loaded = 0;
    for (path, bytes) in &files {
        // As `fuzz/fuzz_targets/loader.rs` decodes its input.
        let text = String::from_utf8_lossy(bytes);
        match load_checked(&text, &[]) {
            Ok(ok) => loaded += usize::from(ok),
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    // The shipped scenarios are among the seeds and load.
    assert!(loaded >= 5, "{loaded} of {} loaded", files.len());
}

#[test]
fn set_corpus_replays_cleanly() {
    let files = corpus("set");
    assert!(files.len() >= 10, "{} files", files.len());
    let base = quickstart();
    for (path, bytes) in &files {
        // As `fuzz/fuzz_targets/set.rs` decodes its input.
        let text = String::from_utf8_lossy(bytes);
        let overrides: Vec<Override> = text
            .lines()
            .take(16)
            .filter_map(|l| Override::parse(l).ok())
            .collect();
        if let Err(e) = load_checked(&base, &overrides) {
            panic!("{}: {e}", path.display());
        }
    }
}

#[test]
fn the_allocation_limit_can_fail() {
    // The counting allocator sees a large request (so the limit above is not vacuous).
    LARGEST.with(|l| l.set(0));
    let v: Vec<u8> = Vec::with_capacity(MAX_ALLOC_BYTES + 1);
    assert!(LARGEST.with(|l| l.get()) > MAX_ALLOC_BYTES);
    drop(v);
}
