//! Files of many pieces go through the availability index (`pick::Rarity`): every piece
//! selection (random first, rarest first, endgame, the origin's rarest-first) runs with the
//! index checked against the piece sets after every event (invariants on), and the runs
//! complete with every byte accounted for.

mod common;

use sim_core::pick::INDEXED_FROM_PIECES;
use sim_core::run;

fn swarm(pieces: u32, policy: &str, extra: &str) -> sim_core::scenario::Scenario {
    common::scenario(&format!(
        r#"
[simulation]
max_time = "1d"
[content]
size = "{}KiB"
piece_size = "16KiB"
[origin]
capacity = "40Mbps"
per_connection = "8Mbps"
[client]
policy = "{policy}"
seed_time = "exp(30s)"
[[seeds]]
upload = "20Mbps"
[[classes]]
name = "fast"
share = 0.4
upload = "10Mbps"
download = "40Mbps"
[[classes]]
name = "slow"
share = 0.6
upload = "2Mbps"
download = "16Mbps"
[arrivals]
process = "poisson"
rate = "1/s"
until = "20s"
{extra}
"#,
        pieces * 16
    ))
}

#[test]
fn indexed_piece_selection_keeps_every_invariant() {
    let pieces = INDEXED_FROM_PIECES + 300;
    for (policy, extra) in [
        ("web-seed", ""),
        (
            "peers-first",
            "[protocol]\nendgame = true\nrandom_first_pieces = 8",
        ),
    ] {
        let s = swarm(pieces, policy, extra);
        assert_eq!(s.contents[0].piece_count(), pieces);
        let out = run(&s);
        common::assert_conservation(&s, &out);
        let d = &out.summary.downloads;
        assert!(out.summary.stopped.is_none(), "{policy}");
        assert!(d.peers > 5, "{policy}: {d:?}");
        assert_eq!(d.completed_downloads, d.peers, "{policy}");
        assert!(d.bytes_from_peers > 0, "{policy}: {d:?}");
        // Same scenario, same run.
        assert_eq!(run(&s).summary.digest, out.summary.digest, "{policy}");
    }
}
