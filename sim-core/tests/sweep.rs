//! Parameter sweeps: identical results whatever the job count, the order runs finish in,
//! a kill and resume, or a split into shards merged back; and clear errors, with nothing
//! written, for sweeps that cannot run.

use std::path::{Path, PathBuf};

use sim_core::sweep::{self, ExecOptions, Shard, Sweep};

fn tiny() -> Sweep {
    Sweep::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/sweeps/tiny.toml"
    )))
    .expect("tiny sweep loads")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("swarmsim-sweep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn run(s: &Sweep, dir: &Path, jobs: usize, shard: Option<Shard>) -> sweep::ExecReport {
    sweep::execute(s, dir, ExecOptions { jobs, shard }, &|_| {}, &|| false).expect("sweep runs")
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file))
        .unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
}

#[test]
fn points_are_the_product_of_variants_and_parameters() {
    let s = tiny();
    assert_eq!(s.columns, ["variant", "origin.capacity"]);
    let labels: Vec<String> = s.points.iter().map(|p| p.labels.join("|")).collect();
    assert_eq!(
        labels,
        [
            "web-seed|20Mbps",
            "web-seed|80Mbps",
            "http-only|20Mbps",
            "http-only|80Mbps"
        ]
    );
    assert_eq!(s.runs(), 12);
    assert_eq!(s.points[3].scenario.origin.capacity_bps, 80_000_000);
    // Every point's seeds are distinct (no two runs of the sweep share a seed).
    let mut seeds: Vec<u64> = (0..4)
        .flat_map(|p| (0..3).map(move |r| (p, r)))
        .map(|(p, r)| s.seed(p, r))
        .collect();
    seeds.sort();
    seeds.dedup();
    assert_eq!(seeds.len(), 12);
}

#[test]
fn one_job_and_two_jobs_write_identical_files() {
    let s = tiny();
    let (a, b) = (scratch("j1"), scratch("j2"));
    run(&s, &a, 1, None);
    run(&s, &b, 2, None);
    for f in ["runs.csv", "points.csv", "manifest.json", "sweep.toml"] {
        assert_eq!(
            read(&a, f),
            read(&b, f),
            "{f} differs between --jobs 1 and --jobs 2"
        );
    }
    let runs = read(&a, "runs.csv");
    assert_eq!(runs.lines().count(), 13, "header + 12 runs");
    // http-only points have no peer bytes at all.
    let header: Vec<&str> = runs.lines().next().unwrap().split(',').collect();
    let offload = header.iter().position(|h| *h == "offload_ratio").unwrap();
    for line in runs.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells[2] == "http-only" {
            assert_eq!(cells[offload], "0", "{line}");
        } else {
            assert!(cells[offload].parse::<f64>().unwrap() > 0.0, "{line}");
        }
    }
    let _ = (std::fs::remove_dir_all(&a), std::fs::remove_dir_all(&b));
}

#[test]
fn a_killed_sweep_resumes_where_it_stopped() {
    let s = tiny();
    let (whole, resumed) = (scratch("whole"), scratch("resumed"));
    run(&s, &whole, 2, None);
    // Stop after a few runs (as a signal would), then run again.
    let finished = std::sync::atomic::AtomicUsize::new(0);
    let first = sweep::execute(
        &s,
        &resumed,
        ExecOptions {
            jobs: 1,
            shard: None,
        },
        &|p| finished.store(p.done, std::sync::atomic::Ordering::Relaxed),
        &|| finished.load(std::sync::atomic::Ordering::Relaxed) >= 5,
    )
    .unwrap();
    assert!(
        first.interrupted && first.ran == 5 && first.missing == 7,
        "{first:?}"
    );
    assert!(
        !resumed.join("runs.csv").exists(),
        "no tables before every run is recorded"
    );
    // A kill -9 mid-write leaves at most a temporary file, never a partial record.
    std::fs::write(
        resumed.join("runs").join(".p000003-r0002.json.tmp-1-x"),
        "{\"poi",
    )
    .unwrap();
    let second = run(&s, &resumed, 2, None);
    assert_eq!((second.skipped, second.ran, second.missing), (5, 7, 0));
    for f in ["runs.csv", "points.csv"] {
        assert_eq!(
            read(&whole, f),
            read(&resumed, f),
            "{f}: resumed sweep differs"
        );
    }
    let _ = (
        std::fs::remove_dir_all(&whole),
        std::fs::remove_dir_all(&resumed),
    );
}

#[test]
fn shards_merge_into_the_single_machine_result() {
    let s = tiny();
    let whole = scratch("single");
    run(&s, &whole, 1, None);
    let shards: Vec<PathBuf> = (1..=3).map(|i| scratch(&format!("shard{i}"))).collect();
    for (i, dir) in shards.iter().enumerate() {
        let r = run(
            &s,
            dir,
            1,
            Some(Shard {
                index: i as u32 + 1,
                count: 3,
            }),
        );
        assert_eq!(r.ran, 4, "12 runs in 3 slices");
        assert!(
            !dir.join("runs.csv").exists(),
            "a shard alone writes no tables"
        );
    }
    // Merging an incomplete set says what is missing and writes nothing.
    let merged = scratch("merged");
    let err = sweep::merge(&shards[..2], &merged).unwrap_err().to_string();
    assert!(err.contains("4 of 12 runs are missing"), "{err}");
    assert!(!merged.exists(), "nothing written by a refused merge");
    assert_eq!(sweep::merge(&shards, &merged).unwrap(), 12);
    for f in ["runs.csv", "points.csv", "manifest.json"] {
        assert_eq!(
            read(&whole, f),
            read(&merged, f),
            "{f}: merged shards differ from one machine"
        );
    }
    for d in shards.iter().chain([&whole, &merged]) {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn shards_inside_the_merged_directory_and_shards_sharing_one_directory() {
    let s = tiny();
    let whole = scratch("layout-single");
    run(&s, &whole, 2, None);
    let shard = |i| Some(Shard { index: i, count: 4 });
    // The `--emit-slurm` layout: task I writes DIR/shard-I, then DIR/shard-* merge into DIR.
    let dir = scratch("layout");
    let shards: Vec<PathBuf> = (1..=4).map(|i| dir.join(format!("shard-{i}"))).collect();
    for (i, d) in (1..=4).zip(&shards) {
        run(&s, d, 1, shard(i));
    }
    assert_eq!(sweep::merge(&shards, &dir).unwrap(), 12);
    // Shards started at once into one directory (records are written atomically), then
    // tabled in place.
    let shared = scratch("shared");
    std::thread::scope(|t| {
        for i in 1..=4 {
            let (s, shared) = (&s, &shared);
            t.spawn(move || run(s, shared, 1, shard(i)));
        }
    });
    assert_eq!(
        sweep::merge(std::slice::from_ref(&shared), &shared).unwrap(),
        12
    );
    for f in ["runs.csv", "points.csv", "manifest.json"] {
        assert_eq!(read(&whole, f), read(&dir, f), "{f}: DIR/shard-* into DIR");
        assert_eq!(read(&whole, f), read(&shared, f), "{f}: one shared DIR");
    }
    // Anything else in a directory without a manifest still refuses it, untouched.
    let foreign = scratch("foreign");
    std::fs::create_dir_all(foreign.join("notes")).unwrap();
    std::fs::write(foreign.join("notes").join("a.txt"), "mine").unwrap();
    let err = sweep::merge(&shards, &foreign).unwrap_err().to_string();
    assert!(err.contains("is not empty and holds no sweep"), "{err}");
    assert!(!foreign.join("manifest.json").exists());
    for d in [&whole, &dir, &shared, &foreign] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_different_sweep_in_the_same_directory_is_refused() {
    let s = tiny();
    let dir = scratch("other");
    run(&s, &dir, 2, None);
    let before = read(&dir, "runs.csv");
    let text = std::fs::read_to_string(&s.file)
        .unwrap()
        .replace("seed = 7", "seed = 8");
    let other_file = dir
        .parent()
        .unwrap()
        .join(format!("swarmsim-other-{}.toml", std::process::id()));
    std::fs::write(
        &other_file,
        text.replace(
            "../../../scenarios",
            &format!("{}/../scenarios", env!("CARGO_MANIFEST_DIR")),
        ),
    )
    .unwrap();
    let other = Sweep::load(&other_file).unwrap();
    let err = sweep::execute(
        &other,
        &dir,
        ExecOptions {
            jobs: 1,
            shard: None,
        },
        &|_| {},
        &|| false,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("holds results of a different sweep"), "{err}");
    assert_eq!(
        read(&dir, "runs.csv"),
        before,
        "the other sweep's results are untouched"
    );
    // Merging shards of two different sweeps is refused the same way.
    let dir2 = scratch("other2");
    sweep::execute(
        &other,
        &dir2,
        ExecOptions {
            jobs: 1,
            shard: Some(Shard { index: 1, count: 4 }),
        },
        &|_| {},
        &|| false,
    )
    .unwrap();
    let merged = scratch("other-merged");
    let err = sweep::merge(&[dir.clone(), dir2.clone()], &merged)
        .unwrap_err()
        .to_string();
    assert!(err.contains("different sweep"), "{err}");
    assert!(!merged.exists());
    for d in [&dir, &dir2] {
        let _ = std::fs::remove_dir_all(d);
    }
    let _ = std::fs::remove_file(other_file);
}

/// Loads `body` as a sweep file (the base scenario is the quickstart) and returns the
/// error text.
fn load_error(body: &str) -> String {
    let dir = std::env::temp_dir().join(format!("swarmsim-sweep-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join(format!(
        "bad-{:x}.toml",
        sim_core::sweep::mix64(body.len() as u64 ^ body.bytes().map(u64::from).sum::<u64>())
    ));
    let text = format!(
        "scenario = \"{}/../scenarios/quickstart.toml\"\n{body}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::write(&f, text).unwrap();
    let e = Sweep::load(&f).expect_err("must be refused").to_string();
    let _ = std::fs::remove_file(&f);
    e
}

#[test]
fn sweeps_that_cannot_run_are_refused_with_the_reason() {
    let cases: &[(&str, &str)] = &[
        ("[[parameter]]\nkey = \"protocol.upload_slot\"\nvalues = [1, 2]\n", "protocol.upload_slot"),
        ("[[parameter]]\nkey = \"protocol.upload_slots\"\nvalues = []\n", "values = []; expected at least one value"),
        ("[[parameter]]\nkey = \"origin.capacity\"\nrange = { from = 1, to = 2, steps = 0 }\n", "steps = 0"),
        ("[[parameter]]\nkey = \"origin.capacity\"\nrange = { from = 0, to = 2, steps = 3, scale = \"log\" }\n", "log scale needs from and to above 0"),
        ("[[parameter]]\nkey = \"origin.capacity\"\nrange = { from = 1, to = 2, steps = 3, scale = \"exp\" }\n", "expected \"linear\" or \"log\""),
        ("max_runs = 10\n[[parameter]]\nkey = \"protocol.upload_slots\"\nvalues = [1, 2, 3, 4]\n", "4 points (4) × 10 replications = 40 runs, above max_runs = 10"),
        ("replications = 0\n", "replications: 0; expected at least 1"),
        ("[[parameter]]\nkeys = [\"content.size\", \"content.piece_size\"]\nvalues = [[\"1MB\"]]\n", "1 values for 2 keys"),
        ("[[parameter]]\nkey = \"a\"\nkeys = [\"b\"]\nvalues = [1]\n", "both key and keys"),
        ("[[parameter]]\nkey = \"protocol.upload_slots\"\nvalues = [1]\n[[parameter]]\nkey = \"protocol.upload_slots\"\nvalues = [2]\n", "varied twice"),
        ("[[parameter]]\nkey = \"protocol.upload_slots\"\nvalues = [-1]\n", "point 0 (protocol.upload_slots=-1)"),
        ("[[variant]]\nname = \"a\"\n[[variant]]\nname = \"a\"\n", "\"a\" twice"),
        ("replicas = 3\n", "unknown field `replicas`"),
        ("set = [\"no-equals-sign\"]\n", "expected KEY=VALUE"),
    ];
    for (body, expected) in cases {
        let e = load_error(body);
        assert!(
            e.contains(expected),
            "sweep file:\n{body}\nerror: {e}\nexpected to contain: {expected}"
        );
        assert!(e.contains(".toml"), "the error names the file: {e}");
    }
    for bad in ["0/3", "4/3", "1/0", "3", "a/b", "-1/2"] {
        let e = bad.parse::<Shard>().unwrap_err();
        assert!(e.contains("expected I/N with 1 ≤ I ≤ N"), "{bad}: {e}");
    }
}
