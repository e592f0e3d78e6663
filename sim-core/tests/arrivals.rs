//! Arrival processes: flash crowd, Poisson, decaying, diurnal and trace.
//!
//! Statistical checks average over many seeds and state their tolerance from the Poisson
//! standard deviation: the number of arrivals N of a (non-homogeneous) Poisson process is
//! Poisson(μ) with μ = ∫λ, so the mean of S independent seeds has standard deviation
//! √(μ/S); a tolerance of 4σ fails by chance with probability about 6·10⁻⁵ (and the seeds
//! are fixed, so a pass is reproducible). The loader tests check that every bad input is
//! reported with the file, the line and the key path.

mod common;

use std::path::PathBuf;

use sim_core::scenario::{
    describe, expected_count, load_file, load_str, Arrivals, Override, Scenario,
};
use sim_core::time::SimTime;
use sim_core::workload::generate;

/// Everything but `[arrivals]`: two classes, one seed.
const HEAD: &str = r#"[content]
size = "2MB"
piece_size = "256KiB"

[[seeds]]
upload = "20Mbps"

[[classes]]
name = "fast"
share = 0.25
upload = "10Mbps"
download = "20Mbps"

[[classes]]
name = "slow"
share = 0.75
upload = "2Mbps"
download = "8Mbps"

"#;

/// Line of `[arrivals]` in `HEAD + arrivals`.
const ARRIVALS_LINE: usize = 20;

fn text(arrivals: &str) -> String {
    format!("{HEAD}[arrivals]\n{arrivals}\n")
}

fn scenario(arrivals: &str) -> Scenario {
    common::scenario(&text(arrivals))
}

fn err(arrivals: &str) -> String {
    load_str(&text(arrivals), "test.toml", "test", &[])
        .map(|s| panic!("expected an error, got {:?}", s.contents[0].arrivals))
        .unwrap_err()
        .to_string()
}

fn set_err(arrivals: &str, sets: &[&str]) -> String {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    load_str(&text(arrivals), "test.toml", "test", &overrides)
        .map(|s| panic!("expected an error, got {:?}", s.contents[0].arrivals))
        .unwrap_err()
        .to_string()
}

const SEEDS: u64 = 200;

/// Mean arrival count over `SEEDS` seeds; also checks that each run is sorted, inside the
/// window, and reproducible.
fn mean_count(s: &Scenario, window: (SimTime, SimTime)) -> f64 {
    let mut total = 0usize;
    for seed in 1..=SEEDS {
        let mut sc = s.clone();
        sc.seed = seed;
        let arrivals = generate(&sc);
        assert!(arrivals.windows(2).all(|w| w[0].at <= w[1].at), "unsorted");
        assert!(arrivals.iter().all(|a| window.0 <= a.at && a.at < window.1));
        total += arrivals.len();
    }
    total as f64 / SEEDS as f64
}

fn hours(h: u64) -> SimTime {
    SimTime(h * 3_600_000_000)
}

fn assert_mean_matches(label: &str, s: &Scenario, window: (SimTime, SimTime)) {
    let mu = expected_count(&s.contents[0].arrivals);
    let mean = mean_count(s, window);
    let sigma = (mu / SEEDS as f64).sqrt();
    println!(
        "{label}: expected {mu:.2}, mean of {SEEDS} seeds {mean:.2}, 4σ = {:.2}",
        4.0 * sigma
    );
    assert!(
        (mean - mu).abs() <= 4.0 * sigma,
        "{label}: mean {mean} vs expected {mu} (4σ = {})",
        4.0 * sigma
    );
}

#[test]
fn mean_counts_match_the_expected_count() {
    let poisson =
        scenario("process = \"poisson\"\nrate = \"100/h\"\nstart = \"1h\"\nuntil = \"4h\"");
    assert!((expected_count(&poisson.contents[0].arrivals) - 300.0).abs() < 1e-9);
    assert_mean_matches("poisson", &poisson, (hours(1), hours(4)));

    // λ0 = 20/h, τ = 1 d over 3 d: 20·24·(1 − e^−3) = 456.1.
    let decaying =
        scenario("process = \"decaying\"\nrate = \"20/h\"\ntau = \"1d\"\nuntil = \"3d\"");
    let mu = 20.0 * 24.0 * (1.0 - (-3.0f64).exp());
    assert!((expected_count(&decaying.contents[0].arrivals) - mu).abs() < 1e-9);
    assert_mean_matches("decaying (rate)", &decaying, (SimTime::ZERO, hours(72)));

    // count = 400 over [6 h, 54 h) with τ = 12 h: λ0 = 400 / (τ·(1 − e^−4)).
    let by_count = scenario(
        "process = \"decaying\"\ncount = 400\ntau = \"12h\"\nstart = \"6h\"\nuntil = \"54h\"",
    );
    let Arrivals::Decaying {
        initial_rate_per_s, ..
    } = by_count.contents[0].arrivals
    else {
        panic!("{:?}", by_count.contents[0].arrivals)
    };
    let lambda0 = 400.0 / (12.0 * 3_600.0 * (1.0 - (-4.0f64).exp()));
    assert!((initial_rate_per_s / lambda0 - 1.0).abs() < 1e-12);
    assert!((expected_count(&by_count.contents[0].arrivals) - 400.0).abs() < 1e-9);
    assert_mean_matches("decaying (count)", &by_count, (hours(6), hours(54)));

    // A window that starts and ends inside hours, with a fractional offset.
    let weights = "[0, 0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 6, 6, 5, 3, 1]";
    let diurnal = scenario(&format!(
        "process = \"diurnal\"\nweights = {weights}\nutc_offset_hours = -3.5\n\
         rate = \"10/h\"\nstart = \"20min\"\nuntil = \"2d 7h 10min\""
    ));
    assert_mean_matches(
        "diurnal (rate)",
        &diurnal,
        (SimTime(1_200_000_000), SimTime((55 * 60 + 10) * 60_000_000)),
    );
    let by_count = scenario(&format!(
        "process = \"diurnal\"\nweights = {weights}\nutc_offset_hours = 9\n\
         count = 321\nuntil = \"30h\""
    ));
    assert!((expected_count(&by_count.contents[0].arrivals) - 321.0).abs() < 1e-9);
    assert_mean_matches("diurnal (count)", &by_count, (SimTime::ZERO, hours(30)));

    let flash = scenario("process = \"flash-crowd\"\npeers = 37\nat = \"1h\"");
    assert_eq!(expected_count(&flash.contents[0].arrivals), 37.0);
    assert_eq!(generate(&flash).len(), 37);
}

#[test]
fn decaying_arrivals_front_load_as_the_exponential_says() {
    // τ = 2 d, window W = 5 d: the share of arrivals in [0, τ) is
    // (1 − e^−1)/(1 − e^−W/τ) = 0.6887, in [τ, 2τ) (e^−1 − e^−2)/(1 − e^−W/τ) = 0.2533.
    let s = scenario("process = \"decaying\"\nrate = \"30/h\"\ntau = \"2d\"\nuntil = \"5d\"");
    let tau = hours(48).as_us();
    let norm = 1.0 - (-2.5f64).exp();
    let p_first = (1.0 - (-1.0f64).exp()) / norm;
    let p_second = ((-1.0f64).exp() - (-2.0f64).exp()) / norm;
    let (mut n, mut first, mut second) = (0usize, 0usize, 0usize);
    for seed in 1..=SEEDS {
        let mut sc = s.clone();
        sc.seed = seed;
        for a in generate(&sc) {
            n += 1;
            match a.at.as_us() / tau {
                0 => first += 1,
                1 => second += 1,
                _ => {}
            }
        }
    }
    // Given n, the count in a bin is binomial(n, p): σ of the share = √(p(1 − p)/n).
    for (label, count, p) in [("[0, τ)", first, p_first), ("[τ, 2τ)", second, p_second)] {
        let share = count as f64 / n as f64;
        let sigma = (p * (1.0 - p) / n as f64).sqrt();
        println!(
            "decaying: share in {label} {share:.4}, expected {p:.4}, 4σ = {:.4} (n = {n})",
            4.0 * sigma
        );
        assert!((share - p).abs() <= 4.0 * sigma, "{label}: {share} vs {p}");
    }
}

const DAY_US: u64 = 86_400_000_000;
const HOUR_US: u64 = 3_600_000_000;

#[test]
fn diurnal_arrivals_follow_the_hourly_weights() {
    // 30 days × 10 seeds, a mean of 40/h: about 288,000 arrivals. Local time is UTC + 9.
    let weights: [f64; 24] = [
        1.0, 0.5, 0.3, 0.2, 0.0, 0.3, 0.6, 1.0, 1.4, 1.5, 1.6, 1.7, 2.0, 1.8, 1.6, 1.5, 1.6, 1.8,
        2.2, 2.8, 3.2, 3.0, 2.2, 1.5,
    ];
    let listed: Vec<String> = weights.iter().map(|w| w.to_string()).collect();
    let s = scenario(&format!(
        "process = \"diurnal\"\nweights = [{}]\nutc_offset_hours = 9\nrate = \"40/h\"\n\
         until = \"30d\"",
        listed.join(", ")
    ));
    let seeds = 10;
    let mut by_local_hour = [0u64; 24];
    for seed in 1..=seeds {
        let mut sc = s.clone();
        sc.seed = seed;
        for a in generate(&sc) {
            let local = (a.at.as_us() + 9 * HOUR_US) % DAY_US;
            by_local_hour[(local / HOUR_US) as usize] += 1;
        }
    }
    let mean_w = weights.iter().sum::<f64>() / 24.0;
    // Each hour's count is Poisson with mean 40 · w/mean(w) · 30 days · seeds.
    let mut chi2 = 0.0;
    let mut worst: f64 = 0.0;
    for h in 0..24 {
        let expected = 40.0 * weights[h] / mean_w * 30.0 * seeds as f64;
        let got = by_local_hour[h] as f64;
        if weights[h] == 0.0 {
            assert_eq!(by_local_hour[h], 0, "hour {h} has weight 0");
            continue;
        }
        chi2 += (got - expected).powi(2) / expected;
        let z = (got - expected) / expected.sqrt();
        worst = worst.max(z.abs());
        assert!(
            z.abs() <= 4.0,
            "hour {h}: {got} arrivals, expected {expected:.0} (z = {z:.2})"
        );
    }
    // 23 independent Poisson bins: χ² has mean 23 and sd √46 = 6.8; P(χ²₂₃ > 55) ≈ 2·10⁻⁴.
    println!("diurnal: chi-square {chi2:.1} over 23 hours (bound 55), worst |z| {worst:.2}");
    assert!(chi2 < 55.0, "chi-square {chi2}");
}

#[test]
fn utc_offsets_shift_the_local_hours() {
    // All the weight on local 00:00–01:00: the arrivals fall in one UTC hour a day.
    let one_hot = |offset: &str| {
        let mut w = vec!["0"; 24];
        w[0] = "1";
        scenario(&format!(
            "process = \"diurnal\"\nweights = [{}]\nutc_offset_hours = {offset}\n\
             rate = \"100/h\"\nuntil = \"10d\"",
            w.join(", ")
        ))
    };
    for (offset, utc_from) in [
        ("0", 0),
        ("9", 15 * HOUR_US),
        ("-5", 5 * HOUR_US),
        ("5.5", 18 * HOUR_US + HOUR_US / 2),
        ("-3.5", 3 * HOUR_US + HOUR_US / 2),
    ] {
        let s = one_hot(offset);
        // 24 × mean rate in the single hour: 2,400 per day.
        assert!((expected_count(&s.contents[0].arrivals) - 24_000.0).abs() < 1e-6);
        let arrivals = generate(&s);
        assert!(arrivals.len() > 23_000, "{offset}: {}", arrivals.len());
        for a in &arrivals {
            let since = (a.at.as_us() % DAY_US + DAY_US - utc_from) % DAY_US;
            assert!(since < HOUR_US, "offset {offset}: arrival at {:?}", a.at);
        }
    }
}

#[test]
fn generation_is_deterministic_and_classes_keep_their_shares() {
    let weights = ["1"; 24].join(", ");
    for arrivals in [
        "process = \"decaying\"\nrate = \"60/h\"\ntau = \"6h\"\nuntil = \"1d\"".to_string(),
        format!("process = \"diurnal\"\nweights = [{weights}]\nrate = \"30/h\"\nuntil = \"1d\""),
    ] {
        let s = scenario(&arrivals);
        let a = generate(&s);
        assert_eq!(a, generate(&s));
        let mut other = s.clone();
        other.seed += 1;
        assert_ne!(a, generate(&other));
        let fast = a.iter().filter(|x| x.class == 0).count();
        assert_eq!(fast, (a.len() as f64 * 0.25).round() as usize, "{arrivals}");
    }
    // Uniform weights are a Poisson process of the same mean rate.
    let s = scenario(&format!(
        "process = \"diurnal\"\nweights = [{}]\nrate = \"30/h\"\nuntil = \"1d\"",
        ["2.5"; 24].join(", ")
    ));
    assert!((expected_count(&s.contents[0].arrivals) - 720.0).abs() < 1e-9);
}

/// A fresh temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("swarmsim-arrivals-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn trace_scenario(dir: &TempDir, file: &str) -> PathBuf {
    dir.write(
        "scenario.toml",
        &text(&format!("process = \"trace\"\nfile = {file:?}")),
    )
}

#[test]
fn traces_replay_exact_times_relative_to_the_scenario_file() {
    let dir = TempDir::new("replay");
    dir.write(
        "trace.csv",
        "time_s\r\n0\r\n0.5\n\n1.25\n1.25\n  3600.000001  \n7200\n\n",
    );
    let path = trace_scenario(&dir, "trace.csv");
    let s = load_file(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    let expected: Vec<SimTime> = [
        0,
        500_000,
        1_250_000,
        1_250_000,
        3_600_000_001,
        7_200_000_000,
    ]
    .into_iter()
    .map(SimTime)
    .collect();
    assert_eq!(
        s.contents[0].arrivals,
        Arrivals::Trace {
            times: expected.clone()
        }
    );
    assert_eq!(expected_count(&s.contents[0].arrivals), 6.0);
    let arrivals = generate(&s);
    let times: Vec<SimTime> = arrivals.iter().map(|a| a.at).collect();
    assert_eq!(times, expected);
    // Shares 0.25 / 0.75 of 6 peers: 2 fast (largest remainder), 4 slow.
    assert_eq!(arrivals.iter().filter(|a| a.class == 0).count(), 2);

    // An override names another trace, still relative to the scenario file.
    dir.write("other.csv", "10\n20\n");
    let s = load_file(
        &path,
        &[Override::parse("arrivals.file=other.csv").unwrap()],
    )
    .unwrap();
    assert_eq!(
        s.contents[0].arrivals,
        Arrivals::Trace {
            times: vec![SimTime(10_000_000), SimTime(20_000_000)]
        }
    );

    // load_str has no directory: an absolute path works, a relative one is taken from the
    // current directory.
    let absolute = dir.0.join("other.csv");
    let s = load_str(
        &text(&format!(
            "process = \"trace\"\nfile = {:?}",
            absolute.display().to_string()
        )),
        "t.toml",
        "t",
        &[],
    )
    .unwrap();
    assert_eq!(expected_count(&s.contents[0].arrivals), 2.0);
    let e = err("process = \"trace\"\nfile = \"no-such-trace.csv\"");
    assert!(
        e.starts_with(&format!(
            "test.toml:{}: arrivals.file: cannot read the trace no-such-trace.csv: ",
            ARRIVALS_LINE + 2
        )),
        "{e}"
    );
    // The times are part of the scenario, so the hash covers them.
    let a = sim_core::report::scenario_hash(
        &load_file(
            &path,
            &[Override::parse("arrivals.file=trace.csv").unwrap()],
        )
        .unwrap(),
    );
    let b = sim_core::report::scenario_hash(&load_file(&path, &[]).unwrap());
    let c = sim_core::report::scenario_hash(
        &load_file(
            &path,
            &[Override::parse("arrivals.file=other.csv").unwrap()],
        )
        .unwrap(),
    );
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn bad_traces_name_the_key_the_file_and_the_line() {
    let dir = TempDir::new("bad");
    let path = trace_scenario(&dir, "trace.csv");
    let at = format!("{}:{}: arrivals.file: ", path.display(), ARRIVALS_LINE + 2);
    let trace = dir.0.join("trace.csv");
    let cases = [
        (
            "time_s\n1\n2\n1\n",
            format!(
                "{}:4: timestamps must be sorted ascending: 1 comes after 2 (line 3)",
                trace.display()
            ),
        ),
        (
            "0\n\n5\n4.999\n",
            format!(
                "{}:4: timestamps must be sorted ascending: 4.999 comes after 5 (line 3)",
                trace.display()
            ),
        ),
        (
            "1\n2\nabc\n",
            format!(
                "{}:3: expected a time in seconds since the start (a number ≥ 0, e.g. 12.5), \
                 got \"abc\"",
                trace.display()
            ),
        ),
        (
            "-1\n",
            format!("{}:1: expected a time in seconds", trace.display()),
        ),
        // A second column names the content; this scenario has none called "2".
        (
            "1,2\n",
            format!(
                "{}:1: no content named \"2\" shares [arrivals]",
                trace.display()
            ),
        ),
        (
            "1,a,b\n",
            format!("{}:1: expected `time` or `time,content`", trace.display()),
        ),
        (
            "inf\n",
            format!("{}:1: expected a time in seconds", trace.display()),
        ),
        // The header is only allowed first.
        (
            "1\ntime_s\n",
            format!("{}:2: expected a time in seconds", trace.display()),
        ),
        (
            "time_s\n\n",
            format!(
                "{}: no timestamps; expected one arrival time in seconds per line",
                trace.display()
            ),
        ),
    ];
    for (contents, expected) in cases {
        dir.write("trace.csv", contents);
        let e = load_file(&path, &[]).unwrap_err().to_string();
        assert!(e.starts_with(&at), "{contents:?}: {e}");
        assert!(
            e.contains(&expected),
            "{contents:?}: {e}\nexpected {expected}"
        );
    }
    std::fs::remove_file(&trace).unwrap();
    let e = load_file(&path, &[]).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{at}cannot read the trace {}: ", trace.display())),
        "{e}"
    );
}

#[test]
fn bad_arrival_keys_name_the_line_and_the_key_path() {
    let w24 = ["1"; 24].join(", ");
    let l = ARRIVALS_LINE;
    let cases: Vec<(String, usize, &str)> = vec![
        (
            "process = \"burst\"".into(),
            l + 1,
            "arrivals.process: expected \"flash-crowd\", \"poisson\", \"decaying\", \"diurnal\" \
             or \"trace\", got \"burst\"",
        ),
        // decaying
        (
            "process = \"decaying\"\nrate = \"1/h\"\nuntil = \"1d\"".into(),
            l,
            "arrivals.tau: missing; expected the decay time constant (the rate falls by e \
             every tau), a duration with a unit",
        ),
        (
            "process = \"decaying\"\nrate = \"1/h\"\ntau = \"0s\"\nuntil = \"1d\"".into(),
            l + 3,
            "arrivals.tau: expected a duration above zero",
        ),
        (
            "process = \"decaying\"\nrate = \"1/h\"\ntau = \"2\"\nuntil = \"1d\"".into(),
            l + 3,
            "arrivals.tau: expected a duration with a unit",
        ),
        (
            "process = \"decaying\"\nrate = \"1/h\"\ncount = 4\ntau = \"1d\"\nuntil = \"1d\"".into(),
            l + 3,
            "arrivals.count: give either rate or count, not both",
        ),
        (
            "process = \"decaying\"\ntau = \"1d\"\nuntil = \"1d\"".into(),
            l,
            "arrivals.rate: missing; expected the arrival rate at start",
        ),
        (
            "process = \"decaying\"\nrate = \"1/h\"\ntau = \"1d\"".into(),
            l,
            "arrivals.until: missing; expected the end of the arrival window",
        ),
        (
            "process = \"decaying\"\ncount = -3\ntau = \"1d\"\nuntil = \"1d\"".into(),
            l + 2,
            "arrivals.count: expected a count above zero, got -3",
        ),
        (
            format!("process = \"decaying\"\nrate = \"1/h\"\ntau = \"1d\"\nuntil = \"1d\"\nweights = [{w24}]"),
            l + 5,
            "arrivals.weights: not a key of process \"decaying\"; its keys are process, tau, \
             rate or count, start, until",
        ),
        // diurnal
        (
            format!(
                "process = \"diurnal\"\nrate = \"1/h\"\nuntil = \"1d\"\nweights = [{}]",
                ["1"; 23].join(", ")
            ),
            l + 4,
            "arrivals.weights: expected 24 hourly weights (local hours 00:00 to 23:00), \
             got 23 entries",
        ),
        (
            format!(
                "process = \"diurnal\"\nrate = \"1/h\"\nuntil = \"1d\"\nweights = [{}]",
                ["1"; 25].join(", ")
            ),
            l + 4,
            "arrivals.weights: expected 24 hourly weights (local hours 00:00 to 23:00), \
             got 25 entries",
        ),
        (
            "process = \"diurnal\"\nrate = \"1/h\"\nuntil = \"1d\"\nweights = []".into(),
            l + 4,
            "got 0 entries",
        ),
        (
            format!(
                "process = \"diurnal\"\nrate = \"1/h\"\nuntil = \"1d\"\nweights = [\n{}]",
                (0..24)
                    .map(|h| if h == 3 { "-1,\n" } else { "1,\n" })
                    .collect::<String>()
            ),
            l + 4 + 4,
            "arrivals.weights[3]: expected a weight ≥ 0, got -1",
        ),
        (
            format!(
                "process = \"diurnal\"\nrate = \"1/h\"\nuntil = \"1d\"\nweights = [{}]",
                ["0"; 24].join(", ")
            ),
            l + 4,
            "arrivals.weights: expected at least one weight above zero, got 24 zeros",
        ),
        (
            "process = \"diurnal\"\nrate = \"1/h\"\nuntil = \"1d\"\nweights = [1, 1, \"a\"]".into(),
            l + 4,
            "arrivals.weights[2]: expected a number, e.g. 0.37, got \"a\"",
        ),
        (
            "process = \"diurnal\"\nrate = \"1/h\"\nuntil = \"1d\"\nweights = 5".into(),
            l + 4,
            "arrivals.weights: expected an array of 24 numbers",
        ),
        (
            "process = \"diurnal\"\nrate = \"1/h\"\nuntil = \"1d\"".into(),
            l,
            "arrivals.weights: missing; expected 24 relative weights of the local hours",
        ),
        (
            format!(
                "process = \"diurnal\"\nrate = \"1/h\"\nuntil = \"1d\"\nweights = [{w24}]\n\
                 utc_offset_hours = 25"
            ),
            l + 5,
            "arrivals.utc_offset_hours: expected an offset from UTC in hours, from -24 to 24, \
             e.g. 9 or -5.5, got 25",
        ),
        (
            format!(
                "process = \"diurnal\"\nrate = \"1/h\"\nuntil = \"1d\"\nweights = [{w24}]\n\
                 utc_offset_hours = \"9h\""
            ),
            l + 5,
            "arrivals.utc_offset_hours: expected a number",
        ),
        (
            format!(
                "process = \"diurnal\"\nrate = \"1/h\"\ncount = 3\nuntil = \"1d\"\nweights = [{w24}]"
            ),
            l + 3,
            "arrivals.count: give either rate or count, not both",
        ),
        (
            // Only hour 0 has weight, and the window is 01:00–02:00 UTC.
            format!(
                "process = \"diurnal\"\ncount = 3\nstart = \"1h\"\nuntil = \"2h\"\nweights = [1, {}]",
                ["0"; 23].join(", ")
            ),
            l + 2,
            "arrivals.count: no arrival can happen in the window: every hour of it has weight 0",
        ),
        (
            format!("process = \"diurnal\"\nrate = \"1/h\"\nuntil = \"1d\"\nweights = [{w24}]\ntau = \"1h\""),
            l + 5,
            "arrivals.tau: not a key of process \"diurnal\"; its keys are process, weights, \
             utc_offset_hours, rate or count, start, until",
        ),
        // trace
        (
            "process = \"trace\"".into(),
            l,
            "arrivals.file: missing; expected the trace to replay, e.g. file = \"trace.csv\"",
        ),
        (
            "process = \"trace\"\nfile = 5".into(),
            l + 2,
            "arrivals.file: expected a file path in quotes, e.g. \"trace.csv\", got 5",
        ),
        (
            "process = \"trace\"\nfile = \"t.csv\"\nrate = \"1/s\"".into(),
            l + 3,
            "arrivals.rate: not a key of process \"trace\"; its keys are process, file",
        ),
        (
            "process = \"poisson\"\nrate = \"1/s\"\nuntil = \"1h\"\nfile = \"t.csv\"".into(),
            l + 4,
            "arrivals.file: not a key of process \"poisson\"; its keys are process, rate or \
             count, start, until",
        ),
        (
            "process = \"flash-crowd\"\npeers = 3\nutc_offset_hours = 1".into(),
            l + 3,
            "arrivals.utc_offset_hours: not a key of process \"flash-crowd\"; its keys are \
             process, peers, at",
        ),
    ];
    for (arrivals, line, expected) in &cases {
        let e = err(arrivals);
        assert!(
            e.starts_with(&format!("test.toml:{line}: ")),
            "{arrivals}\n=> {e}\nexpected line {line}"
        );
        assert!(
            e.contains(expected),
            "{arrivals}\n=> {e}\nexpected {expected}"
        );
    }
    // Overrides are checked the same way and blamed by name.
    let diurnal =
        format!("process = \"diurnal\"\nrate = \"1/h\"\nuntil = \"1d\"\nweights = [{w24}]");
    assert_eq!(
        set_err(&diurnal, &["arrivals.weights.3=-2"]),
        "--set arrivals.weights.3=-2: expected a weight ≥ 0, got -2"
    );
    assert_eq!(
        set_err(&diurnal, &["arrivals.weights=[1, 2]"]),
        "--set arrivals.weights=[1, 2]: expected 24 hourly weights (local hours 00:00 to 23:00), \
         got 2 entries"
    );
    let e = set_err(&diurnal, &["arrivals.process=decaying"]);
    assert!(
        e.starts_with("--set arrivals.process=decaying: arrivals.weights: not a key"),
        "{e}"
    );
    assert_eq!(
        set_err(
            "process = \"decaying\"\nrate = \"1/h\"\ntau = \"1d\"\nuntil = \"1d\"",
            &["arrivals.tau=0s"]
        ),
        "--set arrivals.tau=0s: expected a duration above zero, e.g. \"10s\", got 0s"
    );
    // A bad value in an override never panics.
    for set in [
        "arrivals.weights=[]",
        "arrivals.weights.30=1",
        "arrivals.weights=nan",
        "arrivals.weights.0=inf",
        "arrivals.utc_offset_hours=nan",
        "arrivals.file=\"\"",
        "arrivals.process=trace",
    ] {
        let _ = load_str(
            &text(&diurnal),
            "test.toml",
            "test",
            &[Override::parse(set).unwrap()],
        );
    }
}

#[test]
fn describe_shows_each_process_and_its_expected_count() {
    let d = describe(&scenario(
        "process = \"decaying\"\nrate = \"120/h\"\ntau = \"2d\"\nuntil = \"30d\"",
    ));
    for expected in [
        "  process              decaying (rate × e^(−(t − start)/tau))\n",
        "  tau                  2d (the rate falls by e every tau; half-life 1d 9h 16min 16s)\n",
        "  rate                 2/min (0.033333/s) at start, about 5760 arrivals expected\n",
        "  until                30d\n",
    ] {
        assert!(d.contains(expected), "missing {expected:?} in\n{d}");
    }
    let mut w = ["1"; 24];
    w[20] = "4";
    let d = describe(&scenario(&format!(
        "process = \"diurnal\"\nweights = [{}]\nutc_offset_hours = -5.5\ncount = 1000\nuntil = \"2d\"",
        w.join(", ")
    )));
    for expected in [
        "  process              diurnal\n",
        "(local hours 00 to 23; peak 20:00 at 3.56× the mean rate)\n",
        "  utc_offset_hours     -5.5 (t = 0 is 00:00 UTC, 18:30 local time)\n",
        "averaged over a day, about 1000 arrivals expected\n",
    ] {
        assert!(d.contains(expected), "missing {expected:?} in\n{d}");
    }
    let dir = TempDir::new("describe");
    dir.write("trace.csv", "5\n65.5\n3600\n");
    let d = describe(&load_file(&trace_scenario(&dir, "trace.csv"), &[]).unwrap());
    assert!(
        d.contains("  process              trace\n  file                 3 arrivals from 5s to 1h (read at load time)\n"),
        "{d}"
    );
}

#[test]
fn decaying_diurnal_and_trace_workloads_run() {
    let dir = TempDir::new("run");
    dir.write("trace.csv", "0\n1\n1\n30\n31.5\n");
    let weights = ["1"; 24].join(", ");
    let scenarios = [
        scenario("process = \"decaying\"\ncount = 12\ntau = \"30s\"\nuntil = \"2min\""),
        scenario(&format!(
            "process = \"diurnal\"\nweights = [{weights}]\ncount = 12\nuntil = \"2min\""
        )),
        load_file(&trace_scenario(&dir, "trace.csv"), &[]).unwrap(),
    ];
    for s in &scenarios {
        let mut s = s.clone();
        s.check_invariants = true;
        let out = sim_core::run(&s);
        common::assert_conservation(&s, &out);
        assert_eq!(out.summary.downloads.peers as usize, generate(&s).len());
        assert_eq!(
            out.summary.downloads.completed_downloads,
            out.summary.downloads.peers
        );
    }
}
