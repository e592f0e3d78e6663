#!/usr/bin/env bash
# Regenerates every figure of results/tokyo-2007/README.md (the 2007 Tokyo trial of
# BitTorrent DNA) with `swarmsim sweep`: three sweep files, no other tool.
#
#   results/tokyo-2007/run.sh [PATH/TO/swarmsim]      # JOBS=2 by default
#
# Without an argument it builds the binary (cargo build --release -p swarmsim). Writes,
# next to this script:
#   trial/        the calibrated scenario and its negative control, seeds 1-100 each
#                 (sweeps/trial.toml): the main table
#   sensitivity/  each knob and assumption moved alone, seeds 1-40 (sweeps/sensitivity.toml)
#   prediction/   film size x demand, seeds 1-20 (sweeps/prediction.toml)
#   each with runs.csv (one row per run, with its seed and digest), points.csv (mean, sd,
#   95% CI of the mean, and the 2.5th-97.5th percentile range of single runs), manifest.json,
#   sweep.toml and report.html;
#   daichi-414mb/, leave-on-completion/   summary.json and timeseries.csv of seed 1 of each.
# Every output is deterministic (same binary => same bytes). 1,680 runs.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [[ $# -ge 1 ]]; then
    bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
else
    (cd "$root" && cargo build --release -p swarmsim --quiet)
    bin="$root/target/release/swarmsim"
fi
[[ -x "$bin" ]] || { echo "Error: $bin is not an executable swarmsim binary" >&2; exit 1; }
jobs="${JOBS:-2}"
start=$(date +%s)

for sweep in trial sensitivity prediction; do
    out="$here/$sweep"
    # A sweep directory resumes; start afresh so a changed binary cannot mix versions.
    rm -rf "$out"
    "$bin" sweep "$here/sweeps/$sweep.toml" --jobs "$jobs" --out "$out" --quiet
    rm -rf "$out/runs"          # every run is a row of runs.csv
    "$bin" report "$out" >/dev/null
    echo "$sweep: $(($(wc -l < "$out/runs.csv") - 1)) runs -> $out/points.csv"
done

# Seed 1 of the scenario and of its control, for their time series.
for scenario in daichi-414mb leave-on-completion; do
    tmp="$(mktemp -d)"
    # From the repository root, so summary.json's command names the file relatively.
    (cd "$root" && "$bin" run "scenarios/tokyo-2007/$scenario.toml" --quiet --out "$tmp/r")
    mkdir -p "$here/$scenario"
    cp "$tmp/r/summary.json" "$tmp/r/timeseries.csv" "$here/$scenario/"
    rm -rf "$tmp"
done
echo "wall time: $(( $(date +%s) - start )) s (JOBS=$jobs)"
