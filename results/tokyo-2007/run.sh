#!/usr/bin/env bash
# Regenerates every figure of results/tokyo-2007/README.md (the 2007 Tokyo trial of
# BitTorrent DNA) and prints its tables.
#
#   results/tokyo-2007/run.sh [PATH/TO/swarmsim]
#
# Without an argument it builds the binary (cargo build --release -p swarmsim). Needs bash
# and python3 (3.11+, standard library only). Environment:
#   SEEDS=100       seeds 1..SEEDS for the main table and the negative control
#   SENS_SEEDS=40   seeds 1..SENS_SEEDS for each row of the sensitivity table
#   GRID_SEEDS=20   seeds 1..GRID_SEEDS for each cell of the size x demand prediction grid
#   JOBS=2          simulations run at once
#
# Writes, next to this script:
#   table.csv        reported vs simulated (mean, 2.5th and 97.5th percentiles over seeds)
#   sensitivity.csv  mean offload etc. of each variant
#   prediction.csv   mean offload, bytes ratio etc. of each (film size, page visits) cell
#   runs.csv         one line per simulation (variant, seed, every figure used, digest);
#                    variant v00.. is the id of a sensitivity.csv row
#   tables.md        the README's tables, as printed
#   daichi-414mb/, leave-on-completion/   summary.json and timeseries.csv of seed 1
# Every output is deterministic (same binary => same bytes); only the wall time printed at
# the end varies.
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

start=$(date +%s)
SEEDS="${SEEDS:-100}" SENS_SEEDS="${SENS_SEEDS:-40}" GRID_SEEDS="${GRID_SEEDS:-20}" JOBS="${JOBS:-2}" \
python3 - "$bin" "$root" "$here" <<'PY'
import csv, json, os, shutil, statistics, subprocess, sys, tempfile, tomllib
def nan_if_none(x):
    return float("nan") if x is None else x
from concurrent.futures import ThreadPoolExecutor

BIN, ROOT, HERE = sys.argv[1:4]
SEEDS = int(os.environ["SEEDS"])
SENS_SEEDS = int(os.environ["SENS_SEEDS"])
GRID_SEEDS = int(os.environ["GRID_SEEDS"])
JOBS = int(os.environ["JOBS"])
SCN = os.path.join(ROOT, "scenarios", "tokyo-2007")
MAIN = os.path.join(SCN, "daichi-414mb.toml")
CONTROL = os.path.join(SCN, "leave-on-completion.toml")

# The control must be the main scenario with only its name and seeding time changed.
with open(MAIN, "rb") as f:
    main_doc = tomllib.load(f)
with open(CONTROL, "rb") as f:
    control_doc = tomllib.load(f)
for doc in (main_doc, control_doc):
    doc.pop("name")
    doc["client"].pop("seed_time")
if main_doc != control_doc:
    sys.exit("Error: leave-on-completion.toml differs from daichi-414mb.toml in more than "
             "name and client.seed_time")
assert tomllib.load(open(CONTROL, "rb"))["client"]["seed_time"] == "0s"

tmp = tempfile.mkdtemp(prefix="tokyo-2007-")

# A variant the command line cannot express: arrivals whose rate decays after the release
# (Guo et al., IMC 2005) with tau = 26 days, a third of the window; same expected count.
with open(MAIN) as f:
    text = f.read()
count = tomllib.loads(text)["arrivals"]["count"]
decaying = os.path.join(tmp, "decaying.toml")
with open(decaying, "w") as f:
    f.write(text[: text.index("[arrivals]")]
            + f'[arrivals]\nprocess = "decaying"\ntau = "26d"\ncount = {count}\nuntil = "78d"\n')

FLAT = "[" + ",".join(["1"] * 24) + "]"

# (group, label, scenario file, --set overrides)
VARIANTS = [
    ("calibrated knob", "client.seed_time mean x 0.5: exp(21d)", MAIN, ["client.seed_time=exp(21d)"]),
    ("calibrated knob", "client.seed_time mean x 2: exp(84d)", MAIN, ["client.seed_time=exp(84d)"]),
    ("calibrated knob", "client.seed_time fixed 42d (not exponential)", MAIN, ["client.seed_time=42d"]),
    ("calibrated knob", "client.abort_rate (θ) x 0.5: 1.25/h", MAIN, ["client.abort_rate=1.25/h"]),
    ("calibrated knob", "client.abort_rate (θ) x 2: 5/h", MAIN, ["client.abort_rate=5/h"]),
    ("assumption", "client.restart_share: 0.5", MAIN, ["client.restart_share=0.5"]),
    ("assumption", "client.restart_share: 0 (abandon for good)", MAIN, ["client.restart_share=0"]),
    ("assumption", "client.restart_resumes: true (keeps the pieces)", MAIN, ["client.restart_resumes=true"]),
    ("assumption", "client.restart_after: exp(2h)", MAIN, ["client.restart_after=exp(2h)"]),
    ("assumption", "client.seed_upload x 0.5: 0.5Mbps", MAIN, ["client.seed_upload=0.5Mbps"]),
    ("assumption", "client.seed_upload x 2: 2Mbps", MAIN, ["client.seed_upload=2Mbps"]),
    ("assumption", "client.seed_upload: none (access uplink)", MAIN, ["client.seed_upload=1Gbps"]),
    ("assumption", "audience.upload_off_share x 0.5: 0.05", MAIN, ["audience.upload_off_share=0.05"]),
    ("assumption", "audience.upload_off_share x 2: 0.2", MAIN, ["audience.upload_off_share=0.2"]),
    ("assumption", "audience.nat_share x 0.5: 0.15", MAIN, ["audience.nat_share=0.15"]),
    ("assumption", "audience.nat_share x 2: 0.6", MAIN, ["audience.nat_share=0.6"]),
    ("assumption", "sessions.online x 0.5: exp(1.5h)", MAIN, ["sessions.online=exp(1.5h)"]),
    ("assumption", "sessions.online x 2: exp(6h)", MAIN, ["sessions.online=exp(6h)"]),
    ("assumption", "sessions.offline x 0.5: exp(6h)", MAIN, ["sessions.offline=exp(6h)"]),
    ("assumption", "sessions.offline x 2: exp(24h)", MAIN, ["sessions.offline=exp(24h)"]),
    ("assumption", "arrivals: flat over the day", MAIN, [f"arrivals.weights={FLAT}"]),
    ("assumption", "arrivals: decaying, tau = 26d", decaying, []),
    ("assumption", "origin.per_connection: 5Mbps", MAIN, ["origin.per_connection=5Mbps"]),
    ("assumption", "client.policy: peers-first (strict: no piece an unchoking peer holds)", MAIN, ["client.policy=peers-first"]),
    ("assumption", "client.policy: rate-target 2Mbps (DNA per-object QoS)", MAIN, ["client.policy=rate-target", "client.rate_target=2Mbps"]),
    ("assumption", "client.policy: rate-target 8Mbps (DNA per-object QoS)", MAIN, ["client.policy=rate-target", "client.rate_target=8Mbps"]),
]

# Prediction grid: the film's size and its demand, the knobs held fixed. Demand is given
# as visits of the content page; users = visits x the funnel conversion measured on this
# film (169 users for 300 visits, see the scenario header).
CONVERSION = count / 300
SIZES_MB = [200, 414, 800, 1400, 2000]
VISITS = [50, 100, 200, 300]
GRID = [(size, visits) for size in SIZES_MB for visits in VISITS]

def run(job):
    variant, scn, sets, seed, keep = job
    out = os.path.join(tmp, f"{variant}-{seed}")
    cmd = [BIN, "run", scn, "--seed", str(seed), "--quiet", "--out", out]
    for s in sets:
        cmd += ["--set", s]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"Error: {' '.join(cmd)} failed:\n{r.stderr}")
    with open(os.path.join(out, "summary.json")) as f:
        j = json.load(f)
    with open(os.path.join(out, "timeseries.csv")) as f:
        rows = list(csv.DictReader(f))
    held = statistics.fmean(float(x["active_seeds"]) for x in rows)
    if keep:
        dst = os.path.join(HERE, keep)
        os.makedirs(dst, exist_ok=True)
        for name in ("summary.json", "timeseries.csv"):
            shutil.copyfile(os.path.join(out, name), os.path.join(dst, name))
    shutil.rmtree(out)
    c = j["completed_downloads"]
    size = j["contents"][0]["size_bytes"]
    return {
        "variant": variant, "seed": seed,
        "offload": j["offload_ratio"],
        "peer_gb": j["bytes_from_peers"] / 1e9,
        "web_gb": j["bytes_from_origin"] / 1e9,
        "completed": c,
        "abandoned": j["abandoned_downloads"],
        "bytes_ratio": j["bytes_delivered"] / (c * size) if c else float("nan"),
        "restarts": j["restarts"],
        "mean_dl_min": nan_if_none(j["download_time_s"]["mean"]) / 60,
        "p50_dl_min": nan_if_none(j["download_time_s"]["p50"]) / 60,
        "copies_held": held,
        "stopped_at_max_time": j["stopped_at_max_time"],
        "digest": j["digest"],
    }

jobs = [("main", MAIN, [], s, "daichi-414mb" if s == 1 else None) for s in range(1, SEEDS + 1)]
jobs += [("control", CONTROL, [], s, "leave-on-completion" if s == 1 else None)
         for s in range(1, SEEDS + 1)]
for k, (_, _, scn, sets) in enumerate(VARIANTS):
    jobs += [(f"v{k:02d}", scn, sets, s, None) for s in range(1, SENS_SEEDS + 1)]
for size, visits in GRID:
    sets = [f"content.size={size}MB", f"arrivals.count={visits * CONVERSION:.3f}"]
    jobs += [(f"g{size}-{visits}", MAIN, sets, s, None) for s in range(1, GRID_SEEDS + 1)]
with ThreadPoolExecutor(JOBS) as ex:
    runs = list(ex.map(run, jobs))
shutil.rmtree(tmp)

fields = list(runs[0].keys())
with open(os.path.join(HERE, "runs.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for r in runs:
        w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})

def of(variant, key, seeds=None):
    return [r[key] for r in runs if r["variant"] == variant and (seeds is None or r["seed"] <= seeds)]

def interval(v):
    # Empirical 2.5th and 97.5th percentiles of single runs (linear interpolation between
    # order statistics, as numpy's default): the range one 78-day trial could show.
    q = statistics.quantiles(v, n=40, method="inclusive")
    return q[0], q[-1]

lines = []
def out(s=""):
    print(s)
    lines.append(s)

MAIN_ROWS = [
    # (label, key, reported, format)
    ("offload (peer bytes / all bytes)", "offload", "0.41 (32/78)", "{:.3f}"),
    ("peer bytes, GB", "peer_gb", "32", "{:.1f}"),
    ("web server bytes, GB", "web_gb", "46", "{:.1f}"),
    ("completed downloads", "completed", "168", "{:.1f}"),
    ("bytes served / (completed x 414 MB)", "bytes_ratio", "1.12", "{:.3f}"),
    ("mean download time, min", "mean_dl_min", "minutes (no figure)", "{:.1f}"),
    ("median download time, min", "p50_dl_min", "minutes (no figure)", "{:.1f}"),
    ("abandoned downloads (for good)", "abandoned", "(not reported)", "{:.1f}"),
    ("restarts of abandoned downloads", "restarts", "(\"aborted and restarted\", no figure)", "{:.1f}"),
    ("completed clients online with the film (time average)", "copies_held", "(not reported)", "{:.2f}"),
]
table = []
out(f"## Reported vs simulated: daichi-414mb.toml, seeds 1-{SEEDS}")
out("")
out("| figure | trial (BitTorrent Inc. report, Feb 2008) | simulated mean | 95% interval of one run |")
out("| --- | --- | --- | --- |")
for label, key, reported, fmt in MAIN_ROWS:
    v = of("main", key)
    m = statistics.fmean(v)
    lo, hi = interval(v)
    out(f"| {label} | {reported} | {fmt.format(m)} | {fmt.format(lo)} - {fmt.format(hi)} |")
    table.append({"scenario": "daichi-414mb", "figure": key, "reported": reported,
                  "mean": f"{m:.6g}", "sd": f"{statistics.stdev(v):.6g}",
                  "p2_5": f"{lo:.6g}", "p97_5": f"{hi:.6g}", "seeds": len(v)})
out("")
out(f"## Negative control: leave-on-completion.toml, seeds 1-{SEEDS}")
out("")
out("| figure | simulated mean | 95% interval of one run |")
out("| --- | --- | --- |")
for label, key, _, fmt in MAIN_ROWS[:6]:
    v = of("control", key)
    m = statistics.fmean(v)
    lo, hi = interval(v)
    f4 = "{:.4f}" if key == "offload" else fmt
    out(f"| {label} | {f4.format(m)} | {f4.format(lo)} - {f4.format(hi)} |")
    table.append({"scenario": "leave-on-completion", "figure": key, "reported": "",
                  "mean": f"{m:.6g}", "sd": f"{statistics.stdev(v):.6g}",
                  "p2_5": f"{lo:.6g}", "p97_5": f"{hi:.6g}", "seeds": len(v)})
with open(os.path.join(HERE, "table.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(table[0].keys()), lineterminator="\n")
    w.writeheader()
    w.writerows(table)

base = {k: statistics.fmean(of("main", k, SENS_SEEDS))
        for k in ("offload", "completed", "bytes_ratio", "mean_dl_min")}
base_sd = statistics.stdev(of("main", "offload", SENS_SEEDS))
sens = []
out("")
out(f"## Sensitivity: means over seeds 1-{SENS_SEEDS} (same seeds for every row)")
out("")
out("| moved | setting | offload | change | completed | bytes / copies | mean download, min |")
out("| --- | --- | --- | --- | --- | --- | --- |")
out(f"| (none) | daichi-414mb.toml as shipped | {base['offload']:.3f} | | "
    f"{base['completed']:.1f} | {base['bytes_ratio']:.3f} | {base['mean_dl_min']:.1f} |")
for k, (group, label, _, sets) in enumerate(VARIANTS):
    name = f"v{k:02d}"
    m = {key: statistics.fmean(of(name, key)) for key in base}
    d = m["offload"] - base["offload"]
    out(f"| {group} | {label} | {m['offload']:.3f} | {d:+.3f} | {m['completed']:.1f} | "
        f"{m['bytes_ratio']:.3f} | {m['mean_dl_min']:.1f} |")
    sens.append({"id": name, "group": group, "variant": label, "set": " ".join(sets) or "decaying.toml",
                 "offload": f"{m['offload']:.4f}", "offload_change": f"{d:+.4f}",
                 "offload_sd": f"{statistics.stdev(of(name, 'offload')):.4f}",
                 "completed": f"{m['completed']:.1f}", "bytes_ratio": f"{m['bytes_ratio']:.4f}",
                 "mean_dl_min": f"{m['mean_dl_min']:.1f}", "seeds": SENS_SEEDS})
out("")
out(f"Standard deviation of one run's offload: {base_sd:.3f}, so a row's mean carries about "
    f"±{base_sd / SENS_SEEDS ** 0.5:.3f} of noise; with the same seeds in every row, differences "
    f"between rows are more precise than that.")
with open(os.path.join(HERE, "sensitivity.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(sens[0].keys()), lineterminator="\n")
    w.writeheader()
    w.writerows(sens)

pred = []
out("")
out(f"## Prediction: film size x demand, knobs fixed (means over seeds 1-{GRID_SEEDS})")
out("")
out(f"Users = page visits x {CONVERSION:.3f} (the funnel of daichi-414mb: {count} users for 300 visits).")
for key, label, fmt in [("offload", "offload", "{:.3f}"), ("bytes_ratio", "bytes served / completed copies", "{:.3f}"),
                        ("completed", "completed downloads", "{:.1f}"), ("p50_dl_min", "median download time, min", "{:.1f}")]:
    out("")
    out(f"{label}:")
    out("")
    out("| film size | " + " | ".join(f"{v} visits" for v in VISITS) + " |")
    out("| --- |" + " --- |" * len(VISITS))
    for size in SIZES_MB:
        cells = [fmt.format(statistics.fmean(of(f"g{size}-{v}", key))) for v in VISITS]
        out(f"| {size} MB | " + " | ".join(cells) + " |")
for size, visits in GRID:
    name = f"g{size}-{visits}"
    pred.append({"size_mb": size, "visits": visits, "users": f"{visits * CONVERSION:.3f}",
                 **{k: f"{statistics.fmean(of(name, k)):.4f}" for k in
                    ("offload", "bytes_ratio", "completed", "restarts", "peer_gb", "web_gb", "p50_dl_min", "copies_held")},
                 "offload_sd": f"{statistics.stdev(of(name, 'offload')):.4f}", "seeds": GRID_SEEDS})
with open(os.path.join(HERE, "prediction.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(pred[0].keys()), lineterminator="\n")
    w.writeheader()
    w.writerows(pred)
with open(os.path.join(HERE, "tables.md"), "w") as f:
    f.write("\n".join(lines) + "\n")
stopped = sum(r["stopped_at_max_time"] for r in runs if r["variant"] == "main")
print(f"\n{len(runs)} simulations; {stopped} of {SEEDS} main runs ended at max_time with a "
      f"download still paused or running (it counts as neither completed nor abandoned).")
PY
echo "wall time: $(( $(date +%s) - start )) s (JOBS=${JOBS:-2})"
