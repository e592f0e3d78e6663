//! Online/offline sessions (issue 3): downloads pause and resume with bytes kept, machines
//! come back in the hours the diurnal profile allows, and completed clients serve from their
//! cache while online.

mod common;

use sim_core::run;

/// One HTTP-only client, 10 MB (80 Mbit) at 8 Mbps = 10 s of transfer, machine on for 4 s
/// and off for 100 s: it finishes after 4 + 100 + 4 + 100 + 2 = 210 s, not a byte lost
/// (partial pieces are resumed). Latency 0 and a 1 µs grid make this exact to a few µs.
#[test]
fn downloads_pause_offline_and_resume_with_bytes_kept() {
    let s = common::scenario(
        r#"
[simulation]
check_invariants = true
[content]
size = "10MB"
piece_size = "3MB"
[network]
latency = "0s"
time_quantum = "1us"
[origin]
capacity = "8Mbps"
[client]
policy = "http-only"
[sessions]
online = "4s"
offline = "100s"
[[classes]]
name = "c"
share = 1
upload = "0"
download = "100Mbps"
[arrivals]
process = "flash-crowd"
peers = 1
"#,
    );
    let out = run(&s);
    common::assert_conservation(&s, &out);
    let t = out.peers[0].download_time_s().unwrap();
    assert!((t - 210.0).abs() < 1e-4, "download took {t} s");
    assert_eq!(out.summary.bytes_wasted, 0);
    // At t = 60 s the machine is off (4 s to 104 s): the paused download is not active.
    assert_eq!(out.timeseries[0].active_leechers, 0);
    assert_eq!(out.summary.downloads.peers, 1);
}

/// Machines come back only in the hours the profile allows: with weight only on 12:00–13:00
/// local (UTC+9 here), 10-minute sessions, hour-long absences and 800 s downloads, every
/// download that needed more than one session completes between 12:00 and 13:10 local time.
#[test]
fn machines_return_in_the_hours_of_the_diurnal_profile() {
    let mut weights = vec!["0"; 24];
    weights[12] = "1";
    let text = format!(
        r#"
[content]
size = "100MB"
[origin]
capacity = "1Gbps"
per_connection = "1Mbps"
[client]
policy = "http-only"
[sessions]
online = "10min"
offline = "exp(1h)"
diurnal = [{}]
utc_offset_hours = 9
[[classes]]
name = "c"
share = 1
upload = "0"
download = "100Mbps"
[arrivals]
process = "poisson"
count = 40
until = "2d"
"#,
        weights.join(", ")
    );
    let s = common::scenario(&text);
    let out = run(&s);
    common::assert_conservation(&s, &out);
    let mut resumed = 0;
    for p in &out.peers {
        let t = p.download_time_s().unwrap();
        if t > 600.0 {
            resumed += 1;
            let local_h = (p.completion.as_secs_f64() / 3600.0 + 9.0).rem_euclid(24.0);
            assert!(
                (12.0..13.0 + 10.0 / 60.0).contains(&local_h),
                "completed at {local_h} h"
            );
        }
    }
    assert!(resumed > 10, "only {resumed} downloads spanned sessions");
}

fn tokyo_like(seed_time: &str) -> String {
    format!(
        r#"
[simulation]
check_invariants = true
[content]
size = "100MB"
piece_size = "1MiB"
[origin]
capacity = "100Mbps"
per_connection = "4Mbps"
[client]
policy = "web-seed"
seed_time = "{seed_time}"
seed_upload = "2Mbps"
[sessions]
online = "exp(6h)"
offline = "exp(12h)"
[[classes]]
name = "c"
share = 1
upload = "4Mbps"
download = "20Mbps"
[arrivals]
process = "poisson"
count = 60
until = "10d"
"#
    )
}

/// Low concurrency (6 downloads a day, each a few minutes): clients that leave on
/// completion give almost no offload; clients that keep serving from their cache while
/// their machine is on give a large one, and never above their background cap.
#[test]
fn background_seeding_is_what_makes_offload_at_low_concurrency() {
    let s = common::scenario(&tokyo_like("0s"));
    let leave = run(&s);
    common::assert_conservation(&s, &leave);
    let s = common::scenario(&tokyo_like("7d"));
    let stay = run(&s);
    common::assert_conservation(&s, &stay);
    println!(
        "offload: leave on completion {:.3}, serve from cache 7 d {:.3}",
        leave.summary.downloads.offload_ratio, stay.summary.downloads.offload_ratio
    );
    assert!(leave.summary.downloads.offload_ratio < 0.05);
    assert!(stay.summary.downloads.offload_ratio > 0.2);
}

/// An empirical seeding time draws uniformly among its values: with `empirical(0s, 1d)`
/// about half the completed clients are still seeding when the last download ends
/// (binomial, 400 clients: standard deviation 10; tolerance 4σ).
#[test]
fn empirical_seeding_times_are_drawn_uniformly() {
    let s = common::scenario(
        r#"
[content]
size = "1MB"
[origin]
capacity = "10Gbps"
[client]
policy = "http-only"
seed_time = "empirical(0s, 1d)"
[[classes]]
name = "c"
share = 1
upload = "1Mbps"
download = "100Mbps"
[arrivals]
process = "flash-crowd"
peers = 400
"#,
    );
    let out = run(&s);
    common::assert_conservation(&s, &out);
    let seeding = out.timeseries.last().unwrap().active_seeds as f64;
    assert!((seeding - 200.0).abs() < 40.0, "{seeding} still seeding");
    let err = sim_core::scenario::load_str(
        "[content]\nsize = \"1MB\"\n[origin]\ncapacity = \"1Gbps\"\n[client]\nseed_time = \"empirical(1h, soon)\"\n[[classes]]\nname = \"c\"\nshare = 1\nupload = \"1Mbps\"\ndownload = \"1Mbps\"\n[arrivals]\nprocess = \"flash-crowd\"\npeers = 1\n",
        "e.toml",
        "e",
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("e.toml:6: client.seed_time"), "{err}");
}

/// A class with `always_on = true` ignores `[sessions]`: the same download as above on an
/// always-on machine takes its 10 s of transfer, while the other class's is paused.
#[test]
fn always_on_classes_never_switch_off() {
    let s = common::scenario(
        r#"
[simulation]
check_invariants = true
[content]
size = "10MB"
piece_size = "3MB"
[network]
latency = "0s"
time_quantum = "1us"
[origin]
capacity = "16Mbps"
per_connection = "8Mbps"
[client]
policy = "http-only"
[sessions]
online = "4s"
offline = "100s"
[[classes]]
name = "pc"
share = 0.5
upload = "0"
download = "100Mbps"
[[classes]]
name = "box"
share = 0.5
upload = "0"
download = "100Mbps"
always_on = true
[arrivals]
process = "flash-crowd"
peers = 2
"#,
    );
    let out = run(&s);
    common::assert_conservation(&s, &out);
    for p in &out.peers {
        let t = p.download_time_s().unwrap();
        let want = if s.classes[p.class as usize].always_on {
            10.0
        } else {
            210.0
        };
        assert!((t - want).abs() < 1e-4, "class {}: {t} s", p.class);
    }
}
