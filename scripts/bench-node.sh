#!/usr/bin/env bash
# Binary RPC throughput and latency: one node (N=1) against a 3-node cluster (N=3, W=2,
# R=2), both measured with `cachectl bench` on 127.0.0.1.
#
#   scripts/bench-node.sh [--rounds R] [--duration 10s]
#
# Builds release, starts one cache-node on $RINGTAIL_BENCH_PORT (7201) and a cluster with
# scripts/cluster.sh on $RINGTAIL_BENCH_CLUSTER_PORT.. (7211..7213), prefills both
# keyspaces, then runs each scenario (SET and GET at concurrency 50, at concurrency 50 with
# pipeline 16, and at concurrency 1) against the single node and against node-1, switching
# which goes first every round. Prints medians over the rounds: ops/s, p50, p99, the
# cluster/single ratio, and server CPU per operation (utime+stime from /proc/PID/stat; for
# the cluster, all three nodes). Each cachectl run is cut off at 30 s; everything this
# script started is stopped on exit. Results and logs stay in the printed temp directory.
# RINGTAIL_BIN_DIR=DIR runs the cache-node and cachectl in DIR instead of building.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$RINGTAIL_ROOT"

rounds=1
duration=10s
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
[[ "$rounds" =~ ^[1-9]$ ]] || die "--rounds must be 1..9"
[[ "$duration" =~ ^([1-9]|1[0-9]|2[0-5])s$ ]] || die "--duration must be 1s..25s (a run is cut off at 30 s)"

single_port="${RINGTAIL_BENCH_PORT:-7201}"
cluster_port="${RINGTAIL_BENCH_CLUSTER_PORT:-7211}"
for port in "$single_port" "$cluster_port" $((cluster_port + 1)) $((cluster_port + 2)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && die "127.0.0.1:$port is in use; set RINGTAIL_BENCH_PORT / RINGTAIL_BENCH_CLUSTER_PORT"
done

started_at="$(date -u)"
ensure_system_packages
bin="$(release_bin_dir)"

work="$(mktemp -d /tmp/ringtail-bench.XXXXXX)"
mkdir -p "$work/results"
export RINGTAIL_CLUSTER_DIR="$work/cluster" RINGTAIL_BASE_PORT="$cluster_port" RINGTAIL_BUILD_CONFIG=release
single_pid=""
child_pid=""
exec 8>&1 9>&2  # the script's own stdout and stderr, for cleanup
cleanup() {
    local status=$?
    # A signal can land inside a redirected run; report where the script's output goes.
    exec 1>&8 2>&9
    if [ -n "$child_pid" ] && kill -0 "$child_pid" 2>/dev/null; then
        kill -TERM "$child_pid" 2>/dev/null || true  # timeout(1) passes it on to cachectl
        wait "$child_pid" 2>/dev/null || true
    fi
    if [ -n "$single_pid" ] && kill -0 "$single_pid" 2>/dev/null; then
        kill -TERM "$single_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$single_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$single_pid" 2>/dev/null || true
        wait "$single_pid" 2>/dev/null || true
    fi
    [ -d "$RINGTAIL_CLUSTER_DIR" ] && scripts/cluster.sh down >/dev/null 2>&1 || true
    log "results and logs: $work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting the single node on 127.0.0.1:$single_port (N=1, W=1, R=1)"
"$bin/cache-node" --node-id single --listen "127.0.0.1:$single_port" \
    --replicas 1 --write-quorum 1 --read-quorum 1 >"$work/single.log" 2>&1 &
single_pid=$!
wait_for_port "127.0.0.1:$single_port" 30 || { tail -20 "$work/single.log" >&2; die "the single node did not start"; }

log "starting the 3-node cluster on 127.0.0.1:$cluster_port.. (N=3, W=2, R=2)"
scripts/cluster.sh up --nodes 3 >&2
cluster_pids() { cat "$RINGTAIL_CLUSTER_DIR"/node-*.pid; }

# utime+stime in clock ticks, summed over PIDs. Fields counted after "(comm)", which may hold spaces.
cpu_ticks() {
    local pid total=0
    for pid in "$@"; do
        total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
    done
    echo "$total"
}
hz="$(getconf CLK_TCK)"

# Every cachectl run is cut off at 30 s. It runs in the background with `wait`, so a
# signal reaches the traps at once instead of after the run.
bench=(timeout 30 "$bin/cachectl" --timeout 5s bench --value-size 100 --keyspace 100000)
run_child() {
    local status=0
    "$@" &
    child_pid=$!
    wait "$child_pid" || status=$?
    child_pid=""
    return "$status"
}

# Bounded like every run; a prefill cut short shows up as GET misses in the table's notes.
prefill() { # name port
    local answered=0
    run_child "${bench[@]}" --host "127.0.0.1:$2" --tests set --key-pattern sequential --requests 100000 --duration 25s --pipeline 16 --json \
        >"$work/prefill-$1.json" 2>"$work/prefill-$1.log" || true
    answered="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["tests"][0]["succeeded"])' "$work/prefill-$1.json" 2>/dev/null)" || true
    [ "${answered:-0}" -ge 100000 ] || log "warning: the $1 prefill stored ${answered:-0} of 100000 keys in 25 s"
}
log "prefilling both keyspaces (100000 keys), so every GET hits"
prefill single "$single_port"
prefill cluster "$cluster_port"

# What the idle other side costs while one side is measured (gossip, sweeps).
idle_before_single="$(cpu_ticks "$single_pid")"; idle_before_cluster="$(cpu_ticks $(cluster_pids))"
run_child sleep 5
echo "{\"single\": $(( $(cpu_ticks "$single_pid") - idle_before_single )), \"cluster\": $(( $(cpu_ticks $(cluster_pids)) - idle_before_cluster )), \"seconds\": 5, \"hz\": $hz}" >"$work/idle.json"

scenarios=(
    "SET c50|--tests set --concurrency 50"
    "GET c50|--tests get --concurrency 50"
    "SET c50 P16|--tests set --concurrency 50 --pipeline 16"
    "GET c50 P16|--tests get --concurrency 50 --pipeline 16"
    "SET c1|--tests set --concurrency 1"
    "GET c1|--tests get --concurrency 1"
)

measure() { # target round index name args
    local target="$1" round="$2" index="$3" name="$4" args="$5" host pids before after out
    if [ "$target" = single ]; then host="127.0.0.1:$single_port"; pids="$single_pid"
    else host="127.0.0.1:$cluster_port"; pids="$(cluster_pids | tr '\n' ' ')"; fi
    out="$work/results/$target-$index-r$round"
    log "round $round: $name on $target"
    before="$(cpu_ticks $pids)"
    # shellcheck disable=SC2086
    run_child "${bench[@]}" --host "$host" --duration "$duration" --json $args >"$out.json" 2>"$out.log" || echo "cachectl exit $?" >>"$out.log"
    after="$(cpu_ticks $pids)"
    echo "{\"target\": \"$target\", \"round\": $round, \"index\": $index, \"name\": \"$name\", \"cpuTicks\": $((after - before)), \"hz\": $hz}" >"$out.meta"
}

for round in $(seq 1 "$rounds"); do
    for index in "${!scenarios[@]}"; do
        name="${scenarios[$index]%%|*}"; args="${scenarios[$index]#*|}"
        if [ $((round % 2)) -eq 1 ]; then order=(single cluster); else order=(cluster single); fi
        for target in "${order[@]}"; do measure "$target" "$round" "$index" "$name" "$args"; done
    done
done

"$bin/cachectl" --host "127.0.0.1:$cluster_port" cluster --json >"$work/cluster-status.json" 2>/dev/null || true
{
    echo "date: $started_at; rounds $rounds, --duration $duration"
    echo "machine: nproc $(nproc), memory $(free -g | awk '/^Mem:/ { print $2 }') GiB, kernel $(uname -r), $(swift --version 2>&1 | head -1)"
    echo
    python3 "$RINGTAIL_ROOT/scripts/bench-node-table.py" "$work"
} | tee "$work/table.md"
