//! Determinism: same scenario + seed ⇒ the same digest and byte-identical output files,
//! whatever the thread count; another seed ⇒ another digest.

mod common;

use sim_core::{run, run_seeds};

const SMALL: &str = r#"
[simulation]
sample_interval = "5s"
[content]
size = "8MB"
piece_size = "256KiB"
[origin]
capacity = "40Mbps"
per_connection = "8Mbps"
[[seeds]]
upload = "20Mbps"
[[classes]]
name = "fast"
share = 0.4
upload = "10Mbps"
download = "20Mbps"
[[classes]]
name = "slow"
share = 0.6
upload = "1Mbps"
download = "8Mbps"
[client]
seed_time = "exp(20s)"
[arrivals]
process = "poisson"
rate = "2/s"
until = "30s"
"#;

#[test]
fn same_seed_same_bytes_other_seed_other_digest() {
    let s = common::scenario(SMALL);
    let a = run(&s);
    let b = run(&s);
    common::assert_conservation(&s, &a);
    assert_eq!(a.summary.digest, b.summary.digest);
    assert_eq!(a.summary_json(), b.summary_json());
    assert_eq!(a.timeseries_csv(), b.timeseries_csv());
    assert_eq!(a.peers_csv(), b.peers_csv());
    let mut other = s.clone();
    other.seed += 1;
    let c = run(&other);
    common::assert_conservation(&other, &c);
    assert_ne!(a.summary.digest, c.summary.digest);
}

#[test]
fn thread_count_does_not_change_results() {
    let s = common::scenario(SMALL);
    let seeds = [1, 2, 3, 4];
    let sequential: Vec<String> = seeds
        .iter()
        .map(|&seed| {
            let mut sc = s.clone();
            sc.seed = seed;
            run(&sc).summary_json()
        })
        .collect();
    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let parallel: Vec<String> = pool.install(|| {
            run_seeds(&s, &seeds)
                .iter()
                .map(|o| o.summary_json())
                .collect()
        });
        assert_eq!(
            parallel, sequential,
            "{threads} threads changed the results"
        );
    }
}
