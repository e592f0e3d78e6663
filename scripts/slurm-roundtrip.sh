#!/usr/bin/env bash
# Proves that a sweep split over a real Slurm cluster gives the same result as one machine.
#
#   scripts/slurm-roundtrip.sh [SWARMSIM_BINARY]      (default: target/release/swarmsim)
#
# Starts a private single-node Slurm (munge + slurmctld + slurmd, no systemd), submits the
# array script printed by `swarmsim sweep --emit-slurm 4` for the small test sweep, merges
# the shards with `swarmsim merge`, runs the same sweep on this machine, and compares
# runs.csv and points.csv byte for byte. Installs Debian's `slurm-wlm` and `munge` when they
# are missing. Everything lives in one temporary directory (config, state, logs, munge
# socket, results); on exit the daemons it started are stopped by pid and the directory is
# removed. Needs root (or passwordless sudo). The whole run has a time budget
# (SLURM_RT_BUDGET seconds, default 120): every wait is bounded by what is left of it, so a
# broken Slurm fails instead of hanging.
set -euo pipefail

BUDGET=${SLURM_RT_BUDGET:-120}
TASKS=4
START=$EPOCHREALTIME

elapsed() { awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%5.1f", b - a }'; }
step() { printf '[%s s] %s\n' "$(elapsed)" "$*"; }
fail() {
    printf '[%s s] FAILED: %s\n' "$(elapsed)" "$*" >&2
    exit 1
}
# Seconds left of the budget (at least 1, so `timeout` always gets a valid argument).
left() { awk -v a="$START" -v b="$EPOCHREALTIME" -v t="$BUDGET" \
    'BEGIN { l = int(t - (b - a)); print (l < 1 ? 1 : l) }'; }
# Runs "$@" with a timeout of min(CAP, what is left of the budget).
bounded() {
    local cap=$1 l
    shift
    l=$(left)
    ((l < cap)) || l=$cap
    timeout "$l" "$@"
}
# Waits until "$@" succeeds, polling every 0.2 s, for at most CAP seconds of the budget.
wait_for() {
    local what=$1 cap=$2 l end
    shift 2
    l=$(left)
    ((l < cap)) || l=$cap
    end=$((SECONDS + l))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < end)) || return 1
        sleep 0.2
    done
    step "  $what"
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$ROOT/target/release/swarmsim}
[[ -x $BIN ]] || fail "no swarmsim binary at $BIN (build it: cargo build --release -p swarmsim)"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
SWEEP=$ROOT/sim-core/tests/sweeps/tiny.toml

if ((EUID != 0)); then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        step "not root: running again under sudo"
        exec sudo -n SLURM_RT_BUDGET="$BUDGET" "$0" "$BIN"
    fi
    echo "slurm-roundtrip: needs root (it installs packages and starts munge and Slurm" \
        "daemons) and sudo is not available; run it as root." >&2
    exit 2
fi

step "swarmsim: $BIN ($("$BIN" --version))"
step "time budget: ${BUDGET} s"

# --- 1. Packages --------------------------------------------------------------------------
need=()
for c in slurmctld:slurm-wlm slurmd:slurm-wlm sbatch:slurm-wlm munged:munge; do
    command -v "${c%%:*}" >/dev/null || need+=("${c#*:}")
done
if ((${#need[@]})); then
    pkgs=$(printf '%s\n' "${need[@]}" | sort -u | tr '\n' ' ')
    step "installing ${pkgs}(apt-get, no recommends)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-cache show slurm-wlm >/dev/null 2>&1; then
        bounded 60 apt-get update -qq || fail "apt-get update"
    fi
    # shellcheck disable=SC2086
    bounded 90 apt-get install -y -qq --no-install-recommends $pkgs >/dev/null ||
        fail "apt-get install $pkgs"
else
    step "slurm-wlm and munge already installed"
fi
step "slurm $(slurmctld -V | awk '{print $2}'), munge $(munged -V | awk '{print $1}')"
[[ -r /etc/munge/munge.key ]] || fail "no /etc/munge/munge.key (the munge package makes it)"

# --- 2. A private directory and teardown ----------------------------------------------------
TMP=$(mktemp -d /tmp/slurm-roundtrip.XXXXXX)
chmod 0711 "$TMP" # munged runs as the munge user and must reach its socket directory
PIDS=()           # daemons we started, stopped in reverse order
JOB=

teardown() {
    local rc=$? p i
    trap - EXIT INT TERM
    if [[ -n $JOB ]] && [[ $rc -ne 0 ]]; then
        # Cancel the job and give its tasks (slurmstepd) a few seconds to end before
        # slurmd goes.
        timeout 5 scancel "$JOB" 2>/dev/null || true
        for _ in $(seq 25); do
            [[ -z $(timeout 2 squeue -h -j "$JOB" 2>/dev/null) ]] && break
            sleep 0.2
        done
    fi
    if ((rc != 0)); then
        for f in "$TMP"/log/*.log "$TMP"/job/*.out; do
            [[ -s $f ]] || continue
            echo "----- last lines of $f" >&2
            tail -n 15 "$f" >&2
        done
    fi
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        p=${PIDS[i]}
        kill -TERM "$p" 2>/dev/null || continue
        for _ in $(seq 50); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$p" 2>/dev/null || true
    done
    rm -rf "$TMP"
    printf '[%s s] torn down: stopped %d daemons (pids %s), removed %s\n' \
        "$(elapsed)" "${#PIDS[@]}" "${PIDS[*]:-none}" "$TMP"
    if ((rc == 0)); then
        printf '[%s s] PASSED\n' "$(elapsed)"
    fi
    exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$TMP"/{munge,state,spool,log,job,cluster,local}
chown munge:munge "$TMP/munge"
chmod 0755 "$TMP/munge"
step "private directory: $TMP"

# --- 3. munge -------------------------------------------------------------------------------
SOCK=$TMP/munge/munge.socket
step "starting munged (as the munge user, socket $SOCK)"
setsid setpriv --reuid=munge --regid=munge --init-groups \
    munged -F --socket="$SOCK" --pid-file="$TMP/munge/munged.pid" \
    --log-file="$TMP/munge/munged.log" --seed-file="$TMP/munge/munge.seed" \
    </dev/null >"$TMP/log/munged.log" 2>&1 &
PIDS+=($!)
wait_for "munge is up: a credential encodes and decodes" 10 \
    bash -c "munge -S '$SOCK' -n | unmunge -S '$SOCK'" ||
    fail "munged did not answer"

# --- 4. Slurm -------------------------------------------------------------------------------
# Two free TCP ports, so a Slurm already running on this machine is left alone.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
CTLD_PORT=
for p in $(seq 16817 2 16897); do
    if port_free "$p" && port_free $((p + 1)); then
        CTLD_PORT=$p
        break
    fi
done
[[ -n $CTLD_PORT ]] || fail "no two free TCP ports in 16817-16898"
SLURMD_PORT=$((CTLD_PORT + 1))
HOST=$(hostname -s)
NODE=$(slurmd -C | head -n 1)
[[ $NODE == NodeName=* ]] || fail "slurmd -C printed no node line: $NODE"

export SLURM_CONF=$TMP/slurm.conf
cat >"$SLURM_CONF" <<EOF
# A single-node cluster for scripts/slurm-roundtrip.sh: no systemd, cgroups, DNS or accounting.
ClusterName=swarmsim-roundtrip
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/log/slurmctld.log
SlurmdLogFile=$TMP/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
$NODE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=roundtrip Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
step "slurm.conf: $NODE, ports $CTLD_PORT/$SLURMD_PORT"

step "starting slurmctld and slurmd"
setsid slurmctld -D -f "$SLURM_CONF" </dev/null >"$TMP/log/slurmctld.out" 2>&1 &
PIDS+=($!)
setsid slurmd -D -f "$SLURM_CONF" </dev/null >"$TMP/log/slurmd.out" 2>&1 &
PIDS+=($!)
wait_for "slurmctld is up (scontrol ping)" 30 \
    bash -c 'timeout 5 scontrol ping | grep -q UP' || fail "slurmctld did not come up"
wait_for "the node is idle (sinfo)" 30 \
    bash -c '[[ $(timeout 5 sinfo -h -N -o %t) == idle ]]' ||
    fail "the node did not become idle: $(timeout 5 sinfo -N 2>&1 || true)"

# --- 5. The sweep on Slurm ------------------------------------------------------------------
SCRIPT=$TMP/job/sweep.sbatch
step "emitting the array script: swarmsim sweep tiny.toml --emit-slurm $TASKS --out $TMP/cluster"
"$BIN" sweep "$SWEEP" --emit-slurm "$TASKS" --out "$TMP/cluster" >"$SCRIPT"
sed 's/^/    | /' "$SCRIPT"
step "submitting: sbatch --wait (tasks write their output to $TMP/job/)"
submitted=$(cd "$TMP/job" && bounded 60 sbatch --parsable --wait "$SCRIPT") || {
    JOB=${submitted%%;*}
    fail "the array job ${JOB:-?} failed or timed out"
}
JOB=${submitted%%;*}
step "  array job $JOB: all $TASKS tasks succeeded"
for i in $(seq "$TASKS"); do
    [[ -d $TMP/cluster/shard-$i/runs ]] || fail "shard $i wrote nothing"
    step "  shard $i: $(find "$TMP/cluster/shard-$i/runs" -name '*.json' | wc -l) run records"
done
step "merging: swarmsim merge $TMP/cluster/shard-* --out $TMP/cluster"
"$BIN" merge "$TMP"/cluster/shard-* --out "$TMP/cluster" | sed 's/^/    | /'

# --- 6. The same sweep on this machine, and the comparison ----------------------------------
step "the same sweep on this machine: swarmsim sweep tiny.toml --jobs 2 --out $TMP/local"
bounded 60 "$BIN" sweep "$SWEEP" --jobs 2 --out "$TMP/local" | sed 's/^/    | /'
for f in runs.csv points.csv; do
    cmp "$TMP/cluster/$f" "$TMP/local/$f" ||
        fail "$f differs between the Slurm shards and one machine"
    step "  $f identical: $(wc -l <"$TMP/local/$f") lines, sha256 $(sha256sum "$TMP/local/$f" | cut -c1-16)…"
done
