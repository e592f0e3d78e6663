#!/usr/bin/env bash
# Regenerates the shipped reports: report.html and a screenshot of its top (report.png) for
# each shipped example run and sweep under results/.
#
#   results/reports.sh [PATH/TO/swarmsim]
#
# Runs: flash-crowd, poisson-steady (scenarios/<name>.toml, seed of the file) and the
# four-title catalog (scenarios/catalog.toml) are run again into results/ (deterministic:
# same binary => same bytes), each with a baseline, the same scenario with no P2P client
# (audience.p2p_share=0), run into a temporary directory and passed as --baseline.
# Sweeps: results/sweeps/{policies,adoption-vs-offload,file-size}/ are run (or resumed) with
# `swarmsim sweep`, then reported.
# Screenshots need Debian's `chromium` (headless); without it they are skipped.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
if [[ $# -ge 1 ]]; then
    bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
    (cd "$root" && cargo build --release -p swarmsim --quiet)
    bin="$root/target/release/swarmsim"
fi
cd "$root"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

screenshot() { # DIR HEIGHT_PX
    if command -v chromium > /dev/null; then
        chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
            --window-size="1000,$2" --screenshot="$1/report.png" \
            "file://$root/$1/report.html" 2> /dev/null
        echo "  $1/report.png"
    else
        echo "  (no chromium: $1/report.png not made)"
    fi
}

run_report() { # SCENARIO OUT_DIR
    echo "run $1 -> $2"
    "$bin" run "$1" --quiet --out "$2"
    rm -f "$2/perf.json"
    "$bin" run "$1" --quiet --set audience.p2p_share=0 --out "$tmp/baseline"
    "$bin" report "$2" --baseline "$tmp/baseline"
    rm -rf "$tmp/baseline"
    screenshot "$2" 2400
}

run_report scenarios/flash-crowd.toml results/flash-crowd
run_report scenarios/poisson-steady.toml results/poisson-steady
run_report scenarios/catalog.toml results/catalog/four-titles

for s in policies adoption-vs-offload file-size; do
    echo "sweep results/sweeps/$s.toml"
    # Afresh: a sweep directory of another version or scenario hash is refused.
    rm -rf "results/sweeps/$s"
    "$bin" sweep "results/sweeps/$s.toml" --quiet
    rm -rf "results/sweeps/$s/runs"      # every run is a row of runs.csv
    "$bin" report "results/sweeps/$s"
    screenshot "results/sweeps/$s" 2400
done
