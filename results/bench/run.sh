#!/usr/bin/env bash
# Regenerates the speed table of results/bench/README.md: every workload of issue 11 run
# with `swarmsim run FILE --quiet`, its wall time, events/s and peak memory read from the
# run's perf.json (and its event count, peers and makespan from summary.json).
#
#   results/bench/run.sh [PATH/TO/swarmsim]
#
# Without an argument it builds the binary (cargo build --release -p swarmsim). Needs bash,
# python3 (standard library) and, for the sweep rows, GNU time (/usr/bin/time). Environment:
#   REPEATS=3         runs of each workload shorter than a minute; the median wall time is
#                     reported (longer workloads run once: say so when quoting them)
#   RUN_1M=0          1 = also run scenarios/bench/flash-1m.toml (10^6 peers; GBs of memory)
#   MAX_WALL_1M=20min its --max-wall: a run stopped there is reported as partial
#   ONLY=""           a space-separated list of workload ids to run (default: all)
#
# Writes, next to this script:
#   runs.csv   one line per run: workload, repetition, wall_s, cpu_s, events,
#              events_per_s, peak_rss_bytes, peers, makespan_s, stopped, digest
#   table.md   the table (median of the repetitions), with the machine, date and commit
# Wall times depend on the machine and its load (note both); the CPU time (user + system,
# getrusage of the child) depends on the load much less, so the table gives both. Events,
# peers, makespans and digests are deterministic.
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

REPEATS="${REPEATS:-3}" RUN_1M="${RUN_1M:-0}" MAX_WALL_1M="${MAX_WALL_1M:-20min}" \
ONLY="${ONLY:-}" python3 - "$bin" "$root" "$here" <<'PY'
import csv, json, os, platform, resource, shutil, statistics, subprocess, sys, tempfile, time

BIN, ROOT, HERE = sys.argv[1:4]
REPEATS = int(os.environ["REPEATS"])
RUN_1M = os.environ["RUN_1M"] == "1"
MAX_WALL_1M = os.environ["MAX_WALL_1M"]
ONLY = set(os.environ["ONLY"].split())
SC = os.path.join(ROOT, "scenarios")

# (id, label, scenario, extra arguments, target of issue 11)
RUNS = [
    ("simgrid-w", "`bench/simgrid-w.toml` (1,000 peers x 16 pieces)",
     "bench/simgrid-w.toml", [], "<= 0.05 s"),
    ("simgrid-w-2000", "the same, 2,000 peers (`--set arrivals.peers=2000`)",
     "bench/simgrid-w.toml", ["--set", "arrivals.peers=2000"], ">= 1,000x SimGrid (308 s)"),
    ("flash-crowd-10k", "`bench/flash-crowd-10k.toml` (10,000 peers x 100 MB)",
     "bench/flash-crowd-10k.toml", [], "<= 10 s"),
    ("flash-100k", "`bench/flash-100k.toml` (100,000 peers x 100 MB)",
     "bench/flash-100k.toml", [], "<= 60 s, <= 1 GiB"),
    ("flash-1m", "`bench/flash-1m.toml` (1,000,000 peers x 100 MB, 2020s access mix)",
     "bench/flash-1m.toml", ["--max-wall", MAX_WALL_1M], "<= 15 min, <= 8 GiB"),
    ("pieces-1000", "`bench/pieces-1000.toml` (200 peers, 250 MiB in 1,000 pieces)",
     "bench/pieces-1000.toml", [], "-"),
    ("pieces-4000", "`bench/pieces-4000.toml` (4,000 pieces)",
     "bench/pieces-4000.toml", [], "<= 4x the 1,000-piece time"),
    ("pieces-16000", "`bench/pieces-16000.toml` (16,000 pieces)",
     "bench/pieces-16000.toml", [], "<= 16x the 1,000-piece time"),
    ("steady-week", "`bench/steady-week.toml` (Poisson 1/min for 7 days, sessions, churn)",
     "bench/steady-week.toml", [], "<= 5 s"),
]
SWEEP = os.path.join(HERE, "tokyo-100-seeds.toml")


def selected(wid):
    if wid == "flash-1m" and not RUN_1M and "flash-1m" not in ONLY:
        return False
    return not ONLY or wid in ONLY


def one_run(wid, scenario, extra, out):
    cmd = [BIN, "run", os.path.join(SC, scenario), "--quiet", "--out", out] + extra
    if wid == "flash-1m":
        cmd.append("--force")  # the estimate (~7 GB) may exceed MemAvailable on a busy machine
    cpu0 = child_cpu_s()
    p = subprocess.run(cmd, capture_output=True, text=True)
    cpu = child_cpu_s() - cpu0
    if p.returncode not in (0,):
        # A run stopped by --max-wall still writes its files; anything else is an error.
        if not os.path.exists(os.path.join(out, "perf.json")):
            sys.exit(f"{wid}: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    with open(os.path.join(out, "perf.json")) as f:
        perf = json.load(f)
    with open(os.path.join(out, "summary.json")) as f:
        s = json.load(f)
    return {
        "wall_s": perf["wall_time_s"],
        "cpu_s": cpu,
        "events": s["events"],
        "events_per_s": perf["events_per_s"],
        "peak_rss_bytes": perf["peak_rss_bytes"],
        "peers": s["peers"] + s["initial_seeds"],
        "makespan_s": s["makespan_s"],
        "sim_duration_s": s["sim_duration_s"],
        "stopped": s["stopped"],
        "completed": s["completed_downloads"],
        "digest": s["digest"],
    }


def child_cpu_s():
    """User + system CPU seconds of the children waited for so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd):
    """Wall time (s), CPU time (s, all threads) and max RSS (bytes) of a command."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        full = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", t.name] + cmd
        p = subprocess.run(full, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr}")
        wall, user, system, kb = t.read().split()[-4:]
    return float(wall), float(user) + float(system), int(kb) * 1024


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return "?"


# The commit measured, read before this script writes its own files into the tree.
commit = sh(["git", "rev-parse", "--short", "HEAD"]) + (" (with local changes)" if sh(["git", "status", "--porcelain", "--untracked-files=no"]) else "")

rows, csv_rows = [], []
tmp = tempfile.mkdtemp(prefix="swarmsim-bench-")
load_before = os.getloadavg()
started = time.time()
try:
    for wid, label, scenario, extra, target in RUNS:
        if not selected(wid):
            continue
        runs = []
        for rep in range(REPEATS):
            out = os.path.join(tmp, f"{wid}-{rep}")
            r = one_run(wid, scenario, extra, out)
            shutil.rmtree(out, ignore_errors=True)
            runs.append(r)
            csv_rows.append({"workload": wid, "repetition": rep + 1, **r})
            print(f"{wid} #{rep + 1}: {r['wall_s']:.2f} s ({r['cpu_s']:.2f} s CPU), {r['events']} events, "
                  f"{r['peak_rss_bytes'] / 2**20:.0f} MiB, stopped {r['stopped']}", flush=True)
            if r["wall_s"] > 60 or r["stopped"] == "max_wall":
                break  # long runs (and runs cut by --max-wall) once
        wall = statistics.median(r["wall_s"] for r in runs)
        cpu = statistics.median(r["cpu_s"] for r in runs)
        r0 = runs[0]
        rows.append((wid, label, target, len(runs), wall, cpu, r0,
                     max(r["peak_rss_bytes"] for r in runs)))

    sweep_rows = []
    if not ONLY or "tokyo-100-seeds" in ONLY:
        for jobs in (2, 1):
            out = os.path.join(tmp, f"tokyo-{jobs}")
            wall, cpu, rss = timed([BIN, "sweep", SWEEP, "--jobs", str(jobs), "--quiet", "--out", out])
            shutil.rmtree(out, ignore_errors=True)
            sweep_rows.append((jobs, wall, cpu, rss))
            csv_rows.append({"workload": f"tokyo-100-seeds-jobs{jobs}", "repetition": 1,
                             "wall_s": wall, "cpu_s": cpu, "peak_rss_bytes": rss})
            print(f"tokyo-100-seeds --jobs {jobs}: {wall:.2f} s", flush=True)
finally:
    shutil.rmtree(tmp, ignore_errors=True)

fields = ["workload", "repetition", "wall_s", "cpu_s", "events", "events_per_s", "peak_rss_bytes",
          "peers", "makespan_s", "sim_duration_s", "stopped", "completed", "digest"]
with open(os.path.join(HERE, "runs.csv"), "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
    w.writeheader()
    for r in csv_rows:
        w.writerow(r)



cpu = "?"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
load_after = os.getloadavg()

lines = [
    f"Machine: {cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB; {platform.system()} "
    f"{platform.release()}; {sh([BIN, '--version'])}; commit {commit}; "
    f"{time.strftime('%Y-%m-%d', time.gmtime())}. Load average {load_before[0]:.1f} before, "
    f"{load_after[0]:.1f} after ({(time.time() - started) / 60:.0f} min in all).",
    "",
    "| workload | runs | wall time | CPU time | events | events/s (wall) | events/s (CPU) | peak RSS | RSS per peer | target (issue 11) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
]
for wid, label, target, n, wall, cpu, r0, rss in rows:
    stopped = (f" (PARTIAL: stopped by --max-wall at simulated {r0['sim_duration_s']:.0f} s, "
               f"{r0['completed']:,} downloads done)") if r0["stopped"] == "max_wall" else ""
    lines.append(
        f"| {label}{stopped} | {n} | {wall:.2f} s | {cpu:.2f} s | {r0['events']:,} | {r0['events'] / wall:,.0f} | {r0['events'] / cpu:,.0f} | "
        f"{rss / 2**20:,.0f} MiB | {rss / r0['peers'] / 1024:,.1f} KiB | {target} |")
for jobs, wall, cpu, rss in sweep_rows:
    lines.append(
        f"| Tokyo 78 days x 100 seeds (`swarmsim sweep results/bench/tokyo-100-seeds.toml "
        f"--jobs {jobs}`) | 1 | {wall:.2f} s | {cpu:.2f} s | - | - | - | {rss / 2**20:,.0f} MiB | - | "
        f"{'<= 5 s on 2 cores' if jobs == 2 else '2 jobs >= 1.8x faster than 1'} |")
by_id = {row[0]: row for row in rows}
if "pieces-1000" in by_id and "pieces-16000" in by_id:
    ratio = by_id["pieces-16000"][4] / by_id["pieces-1000"][4]
    ratio_cpu = by_id["pieces-16000"][5] / by_id["pieces-1000"][5]
    lines += ["", f"16,000 / 1,000 pieces: {ratio:.1f}x the wall time, {ratio_cpu:.1f}x the CPU "
              f"time (linear would be <= 16x)."]
if len(sweep_rows) == 2:
    lines += [f"Tokyo sweep, 1 job / 2 jobs: {sweep_rows[1][1] / sweep_rows[0][1]:.2f}x."]
text = "\n".join(lines) + "\n"
with open(os.path.join(HERE, "table.md"), "w") as f:
    f.write(text)
print()
print(text, end="")
PY
