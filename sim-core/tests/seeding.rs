//! Seed-state choking (`protocol.seed_choking`) and BEP 16 super-seeding.

mod common;

use sim_core::run;

/// One 8 Mbps seed and 50 leechers that upload nothing (so every byte a leecher gets comes
/// from the seed), a 64 MiB file in 64 KiB pieces (a served peer completes pieces every
/// 0.3 s, and nobody completes the file within the runs below), stopped at `max_time`.
fn seed_only(max_time_s: u32, extra: &str) -> String {
    format!(
        r#"
[simulation]
max_time = "{max_time_s}s"
[content]
size = "64MiB"
piece_size = "64KiB"
[network]
latency = "5ms"
[[seeds]]
upload = "8Mbps"
[[classes]]
name = "mute"
share = 1
upload = "0"
download = "100Mbps"
[arrivals]
process = "flash-crowd"
peers = 50
{extra}
"#
    )
}

/// Leechers that received bytes (all from the seed) by the end of the run.
fn served(text: &str) -> usize {
    let s = common::scenario(text);
    let out = run(&s);
    common::assert_conservation(&s, &out);
    out.peers.iter().filter(|p| p.down_peer_bytes > 0).count()
}

/// Mainline 4.x's seed state (`Choker._rechoke_seed`): 5 slots (4 + 1); at its k-th
/// rechoke (k = 1, 2, …) the seed keeps the most recently unchoked peers and makes room for
/// (2 + k mod 3) / 3 new ones — 1, 1, 0 — after filling every slot at the first. So after
/// k rechokes exactly S(k) = 5 + Σ_{c=2..k} (2 + c mod 3)/3 peers have been unchoked: the
/// seed keeps its set across rechokes and rotates two peers per 30 s. Rechokes fall every
/// 10 s from a random phase in [0, 10 s), so by T = 10·K + 5 s the seed has made K or K + 1
/// of them; a peer unchoked at the last one may not have a byte yet (−1).
#[test]
fn a_mainline_seed_keeps_its_unchoked_peers_and_rotates_two_every_three_rechokes() {
    // Mainline's count for 5 slots: i = (5 + 2) / 3 = 2 new unchokes per three rechokes.
    let per_three = 2;
    let s_of = |k: u32| 5 + (2..=k).map(|c| (per_three + c % 3) / 3).sum::<u32>() as usize;
    for seed in 1..=3 {
        for k in [3u32, 6, 12] {
            let t = 10 * k + 5;
            let text = seed_only(t, "")
                .replace("[simulation]\n", &format!("[simulation]\nseed = {seed}\n"));
            let got = served(&text);
            println!(
                "seed {seed}: {got} peers served by {t} s (S({k}) = {}, S({}) = {})",
                s_of(k),
                k + 1,
                s_of(k + 1)
            );
            assert!(
                got + 1 >= s_of(k) && got <= s_of(k + 1),
                "seed {seed}: {got} peers served by {t} s; mainline allows {}..={}",
                s_of(k) - 1,
                s_of(k + 1)
            );
        }
    }
}

/// libtorrent's `round_robin` (its default seed choker): an unchoked peer keeps its slot
/// until it has received `seeding_piece_quota` (20) pieces and been unchoked a minute, then
/// the peers that waited longest take the slots. Within the first minute only the 4 regular
/// peers and the optimistic unchokes (one per 30 s) are served; after it the 4 regular
/// slots move on (20 pieces of 64 KiB take 7 s at 1.6 Mbps).
#[test]
fn a_round_robin_seed_keeps_a_peer_for_its_quota_then_rotates() {
    let extra = "[protocol]\nseed_choking = \"round-robin\"\n";
    for seed in 1..=3 {
        let with_seed = |t: u32| {
            seed_only(t, extra).replace("[simulation]\n", &format!("[simulation]\nseed = {seed}\n"))
        };
        let early = served(&with_seed(55));
        let later = served(&with_seed(125));
        println!("seed {seed}: {early} peers served by 55 s, {later} by 125 s");
        // 4 regular + optimistic unchokes at the rechokes of rounds 0 and 3 (≤ 2).
        assert!(
            (4..=6).contains(&early),
            "seed {seed}: {early} served by 55 s"
        );
        // One or two rotations of the 4 regular slots after a minute, plus optimistic ones.
        assert!(later >= early + 4, "seed {seed}: {later} served by 125 s");
    }
}

/// 30 leechers (4 Mbps up) and one 2 Mbps seed — the seed is the bottleneck, the case
/// BEP 16 is for — and a 16 MiB file in 64 pieces.
fn slow_seed(seed: u64, seed_extra: &str, max_time: &str) -> String {
    format!(
        r#"
[simulation]
seed = {seed}
max_time = "{max_time}"
[content]
size = "16MiB"
piece_size = "256KiB"
[network]
latency = "5ms"
[client]
seed_time = "forever"
[[seeds]]
upload = "2Mbps"
{seed_extra}
[[classes]]
name = "peer"
share = 1
upload = "4Mbps"
download = "32Mbps"
[arrivals]
process = "flash-crowd"
peers = 30
"#
    )
}

/// Bytes the initial seed uploaded up to the first completion, as a multiple of the file,
/// and that completion's time: the run is replayed (same seed, so the same trajectory) up
/// to the first completion. Bytes are counted when a piece flow ends, so the seed's flows
/// still under way at that instant (at most its 5 unchoked peers, one piece each) are not
/// in the figure.
fn seed_upload_to_first_completion(seed: u64, seed_extra: &str) -> (f64, f64) {
    let out = run(&common::scenario(&slow_seed(seed, seed_extra, "1d")));
    let first_us = out.peers.iter().map(|p| p.completion.0).min().unwrap();
    let s = common::scenario(&slow_seed(seed, seed_extra, &format!("{first_us}us")));
    let cut = run(&s);
    common::assert_conservation(&s, &cut);
    assert!(cut.summary.downloads.completed_downloads >= 1);
    let leechers_up: u64 = cut.peers.iter().map(|p| p.up_bytes).sum();
    let seed_up = cut.summary.conservation.peers_up_bytes - leechers_up;
    (seed_up as f64 / (16.0 * 1048576.0), first_us as f64 / 1e6)
}

/// BEP 16: "a large torrent seeded with a single client running in super-seed mode was able
/// to [spawn new seeds] after only uploading 105% of the data", against 150–200% for a
/// normal seed. The super-seed shows each peer one piece at a time, so it sends distinct
/// pieces to peers that pass them on. The model follows libtorrent's default
/// (non-strict: the next piece is shown once the peer has its offered one, whether or not
/// it was passed on yet), which spends a little more than BEP 16's strict rule: measured
/// 1.06–1.08 copies on seeds 1–4 against 1.28–1.34 for a normal seed. Tolerance: the
/// super-seed's upload to the first completion, plus the 5 pieces (7.8% of the file) that
/// may be in flight, is at most 1.2 copies (BEP 16's 105%, the in-flight allowance and the
/// non-strict margin), and below what a normal (mainline) seed sends in the same swarm.
#[test]
fn a_super_seed_uploads_about_one_copy_before_the_first_completion() {
    let in_flight = 5.0 / 64.0;
    for seed in 1..=4 {
        let (normal, t_normal) = seed_upload_to_first_completion(seed, "");
        let (sup, t_sup) = seed_upload_to_first_completion(seed, "super_seeding = true");
        println!(
            "seed {seed}: first completion after the seed sent {normal:.3} F at {t_normal:.1} s \
             (normal), {sup:.3} F at {t_sup:.1} s (super-seeding)"
        );
        assert!(
            sup >= 1.0 - in_flight,
            "seed {seed}: {sup} copies: a piece came from nowhere"
        );
        assert!(
            sup + in_flight <= 1.2,
            "seed {seed}: super-seed sent {sup} copies"
        );
        assert!(sup < normal, "seed {seed}: super {sup} vs normal {normal}");
    }
}
