#!/usr/bin/env bash
# Benchmark (not a test) of anti-entropy on real node processes on 127.0.0.1, release build:
#
#  a. Repair cost: a 2-node cluster with N=2 holds KEYS keys of 100 bytes; for each k in
#     DIFFS, repair is paused on both nodes, k existing keys are rewritten on node-1 only
#     (`cachectl fill --replica-only`: node-2 never sees them, no hints), repair resumes, and
#     the script times until every partition root is equal on both replicas and reads the
#     wire bytes the exchanges moved (frames written and read by both nodes' repair
#     connections, from `cachectl repair status`).
#  b. Rejoin: node-2 is killed with SIGKILL and restarted empty; the time until both nodes
#     report every partition in sync and all roots are equal, and the bytes that took.
#  c. Client throughput: the same `cachectl bench` (1:1 SET:GET on node-1) once while repair
#     is idle, then started right after the restart of (b), while node-2 is being filled.
#
#   scripts/bench-repair.sh [--keys 1000000] [--diffs 10,1000,100000] [--partitions 4096]
#                           [--bench-seconds 20] [--rate 500] [--interval 1s] [--quick]
#
# --quick: 20,000 keys, diffs 10,1000, 256 partitions, 5 s benches (a smoke run of the script).
# Environment: RINGTAIL_BASE_PORT (default 7701), BENCH_REPAIR_TIMEOUT (seconds per wait,
# default 900). Bounded in time by those waits; stops every node it started, by PID (through
# scripts/cluster.sh), whatever happens. Figures go to stdout; progress to stderr.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

keys=1000000; diffs="10,1000,100000"; partitions=4096; bench_seconds=20; rate=500; interval=1s
while [ $# -gt 0 ]; do
    case "$1" in
        --keys) keys="$2"; shift 2 ;;
        --diffs) diffs="$2"; shift 2 ;;
        --partitions) partitions="$2"; shift 2 ;;
        --bench-seconds) bench_seconds="$2"; shift 2 ;;
        --rate) rate="$2"; shift 2 ;;
        --interval) interval="$2"; shift 2 ;;
        --quick) keys=20000; diffs="10,1000"; partitions=256; bench_seconds=5; shift ;;
        *) die "unknown argument '$1' (see the header of $0)" ;;
    esac
done
timeout_s="${BENCH_REPAIR_TIMEOUT:-900}"
export RINGTAIL_BASE_PORT="${RINGTAIL_BASE_PORT:-7701}"
export RINGTAIL_BUILD_CONFIG=release
work="$(mktemp -d /tmp/ringtail-bench-repair.XXXXXX)"
export RINGTAIL_CLUSTER_DIR="$work/cluster"
cluster() { "$RINGTAIL_ROOT/scripts/cluster.sh" "$@"; }
cleanup() { cluster down >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ctl() { "$(cat "$RINGTAIL_CLUSTER_DIR/bin")/cachectl" --host "$(cluster address 1)" "$@"; }
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }

# Sum over nodes (or only node $1) of the repair wire bytes (sent + received), keys repaired
# and exchanges.
repair_totals() {
    ctl repair status --json | python3 -c '
import json, sys
nodes = [n for n in json.load(sys.stdin)["nodes"] if len(sys.argv) < 2 or n["node"] == sys.argv[1]]
print(sum(n["wireBytesSent"] + n["wireBytesReceived"] for n in nodes), sum(n["keysRepaired"] for n in nodes), sum(n["sessions"] for n in nodes))' "$@"
}

all_in_sync() {
    ctl repair status --json 2>/dev/null | python3 -c '
import json, sys
nodes = json.load(sys.stdin)["nodes"]
sys.exit(0 if len(nodes) == 2 and all(n["inSync"] == n["partitions"] and n["outOfSync"] == 0 for n in nodes) else 1)'
}

roots_equal() { ctl verify --roots >/dev/null 2>&1; }

# Waits until every root is equal (and, with "status", repair reports every partition in sync).
wait_converged() {
    local deadline=$((SECONDS + timeout_s))
    while [ $SECONDS -lt $deadline ]; do
        if { [ "${1:-}" != status ] || all_in_sync; } && roots_equal; then return 0; fi
        sleep 0.5
    done
    ctl repair status || true
    die "not converged within $timeout_s s"
}

bench() {
    ctl bench --duration "${bench_seconds}s" --keyspace 100000 --ratio 1:1 --concurrency 32 --connections 4 --pipeline 1 2>/dev/null \
        | grep -A1 -E "ops/s" | tr -s ' \n' ' '
}

log "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, kernel $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
cluster up --nodes 2 --replicas 2 -- --partitions "$partitions" --anti-entropy-interval "$interval" \
    --anti-entropy-rate "$rate" --max-memory 2GiB --tombstone-grace 1h --replica-timeout 5s --log-level info >/dev/null
log "2 nodes up: N=2, W=2, $partitions partitions, anti-entropy every $interval at most $rate exchanges/s"

started=$(now)
ctl fill --prefix k- --key-digits 14 --count "$keys" --value-size 100 --concurrency 256 >/dev/null
load_s=$(elapsed "$started" "$(now)")
log "loaded $keys keys (16-byte keys, 100-byte values) through node-1 in $load_s s"
wait_converged status
log "both replicas in sync"
echo "load: $keys keys of 16+100 bytes in $load_s s ($(python3 -c "print(round($keys / $load_s))") keys/s, W=2)"

# Idle cost: what a repair pass costs when nothing differs.
read -r idle_bytes0 _ idle_sessions0 <<<"$(repair_totals)"; idle_t0=$(now); sleep 10
read -r idle_bytes1 _ idle_sessions1 <<<"$(repair_totals)"; idle_t1=$(now)
idle_rate=$(python3 -c "print(round(($idle_bytes1 - $idle_bytes0) / ($idle_t1 - $idle_t0)))")
per_exchange=$(python3 -c "print(($idle_bytes1 - $idle_bytes0) / max(1, $idle_sessions1 - $idle_sessions0))")
echo "idle: $idle_rate wire bytes/s, $(python3 -c "print(round(($idle_sessions1 - $idle_sessions0) / ($idle_t1 - $idle_t0)))") exchanges/s, both nodes together, nothing to repair: $(python3 -c "print(round($per_exchange))") bytes per exchange (a root compared)"

echo "repair cost (k keys rewritten on node-1 only):"
echo "(net: wire bytes minus the exchanges of the same interval times the idle bytes per exchange, i.e. without the roots of equal partitions)"
printf '%8s %10s %10s %14s %14s %14s %10s\n' k seconds exchanges "wire bytes" "net" "keys repaired" "net/key"
start=0
for k in ${diffs//,/ }; do
    ctl repair pause --all >/dev/null
    sleep 2 # exchanges under way finish
    ctl fill --replica-only --prefix k- --key-digits 14 --start "$start" --count "$k" --value-size 100 --concurrency 256 >/dev/null
    start=$((start + k))
    roots_equal && die "replicas still equal after $k replica-only writes"
    read -r bytes0 keys0 sessions0 <<<"$(repair_totals)"
    t0=$(now)
    ctl repair resume --all >/dev/null
    wait_converged
    t1=$(now)
    read -r bytes1 keys1 sessions1 <<<"$(repair_totals)"
    seconds=$(elapsed "$t0" "$t1")
    python3 -c "
b = $bytes1 - $bytes0; n = $sessions1 - $sessions0; net = max(0, b - n * $per_exchange); k = $k
print(f'{k:8d} {$seconds:10.1f} {n:10d} {b:14,d} {round(net):14,d} {$keys1 - $keys0:14d} {net / k:10.0f}')"
done

log "client bench with repair idle (${bench_seconds} s)"
idle_bench=$(bench)
echo "bench, repair idle:       $idle_bench"

# node-2's counters restart from zero with it: take node-1's alone before.
read -r bytes0 keys0 _ <<<"$(repair_totals node-1)"
cluster kill 2 >/dev/null
sleep 1
cluster restart 2 >/dev/null
t0=$(now)
log "node-2 SIGKILLed and restarted empty; bench during its repair (${bench_seconds} s)"
repair_bench=$(bench)
echo "bench, during rejoin:     $repair_bench"
wait_converged status
t1=$(now)
read -r bytes1 keys1 _ <<<"$(repair_totals)"
echo "rejoin: empty node-2 in sync with $keys keys after $(elapsed "$t0" "$t1") s (from restart to every partition in sync and all roots equal, bench included); wire bytes $(python3 -c "print(f'{$bytes1 - $bytes0:,d}')"), keys repaired $((keys1 - keys0))"
log "done; node logs in $RINGTAIL_CLUSTER_DIR"
