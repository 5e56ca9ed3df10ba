#!/usr/bin/env bash
# Reference-counting and object-allocation calls per request of lone-node builds: exact
# counts, not samples, so two builds compare without the noise of CPU time.
#
#   scripts/arc-per-request.sh [--requests 20000] [--tests "-t get -c 50|-t set -c 50|-t get -c 1"]
#       [--base-port 26030] [--cluster] BIN...
#
# BIN is a cache-node executable (one or more) with the Swift runtime linked in (release
# builds are). For each, puts uprobes on its swift_retain, swift_release and swift_allocObject
# (`perf probe`, needs root), starts it as a lone node (--threads 1) on base-port (Redis
# protocol on base-port + 1), fills 100,000 keys, then per test runs redis-benchmark (-d 100
# -r 100000 -n --requests) while `perf stat` counts the probes, and prints the calls per
# request. The count includes the node's background work during the run (small: a few
# thousand calls a second). Loopback only; the node it starts is stopped by PID and the
# probes removed on exit. A benchmark, not a test: not run in CI.
#
# --cluster: a 3-node cluster instead of a lone node (scripts/cluster.sh: N=3, W=R=2,
# --threads 1, the cachectl beside BIN; RPC ports base-port…+2, Redis base-port + 10…+12),
# requests through node-1's Redis port; the counts are node-1's, the coordinator's, per
# client request (they vary a little from run to run with how replica requests batch).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

requests=20000; base=26030; cluster=0
tests="-t get -c 50|-t set -c 50|-t get -c 1"
while [ $# -gt 0 ]; do
    case "$1" in
        --requests) requests="$2"; shift 2 ;;
        --tests) tests="$2"; shift 2 ;;
        --base-port) base="$2"; shift 2 ;;
        --cluster) cluster=1; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || die "give at least one cache-node executable"
command -v perf >/dev/null 2>&1 || die "perf is needed (Debian: apt-get install -y linux-perf)"
command -v redis-benchmark >/dev/null 2>&1 || ensure_redis_test_tools
functions=(swift_retain swift_release swift_allocObject)

logs=$(mktemp -d /tmp/ringtail-arc.XXXXXX)
remove_probes() { perf probe -q -d 'probe_arc:*' >/dev/null 2>&1 || true; }
stop_cluster() {
    [ "$cluster" -eq 1 ] && [ -d "$logs/cluster" ] || return 0
    RINGTAIL_CLUSTER_DIR="$logs/cluster" "$RINGTAIL_ROOT/scripts/cluster.sh" down >/dev/null 2>&1 || true
}
trap 'stop_tracked; stop_cluster; remove_probes' EXIT
trap 'exit 143' INT TERM

IFS='|' read -ra test_list <<< "$tests"
printf '%-40s %-18s %10s %10s %12s\n' build test retain release allocObject
for bin in "$@"; do
    [ -x "$bin" ] || die "not an executable: $bin"
    remove_probes
    events=()
    for function in "${functions[@]}"; do
        # By address: the runtime is linked statically and has no debug information to name it by.
        address=$(nm "$bin" | awk -v f="$function" '$3 == f && !found { print $1; found = 1 }')
        [ -n "$address" ] || die "$bin has no $function (is the Swift runtime linked in?)"
        perf probe -q -x "$bin" -a "probe_arc:$function=0x$address" >"$logs/probe.log" 2>&1 \
            || die "perf probe failed (root needed): $(tail -2 "$logs/probe.log")"
        events+=("probe_arc:$function")
    done
    if [ "$cluster" -eq 1 ]; then
        RINGTAIL_BIN_DIR="$(dirname "$bin")" RINGTAIL_CLUSTER_DIR="$logs/cluster" RINGTAIL_BASE_PORT=$base \
            RINGTAIL_REDIS_BASE_PORT=$((base + 10)) "$RINGTAIL_ROOT/scripts/cluster.sh" up --nodes 3 --replicas 3 \
            -- --threads 1 --max-memory 1GiB >"$logs/cluster.log" 2>&1 || die "cluster did not start ($logs/cluster.log)"
        node=$(cat "$logs/cluster/node-1.pid")
    else
        "$bin" --node-id arc --listen "127.0.0.1:$base" --redis-listen "127.0.0.1:$((base + 1))" --replicas 1 \
            --write-quorum 1 --read-quorum 1 --max-memory 1GiB --threads 1 >"$logs/node.log" 2>&1 & tracked_pids+=($!)
        node=$!
        wait_for_port "127.0.0.1:$((base + 1))" 30 || die "$bin did not start (log in $logs/node.log)"
    fi
    redis_port=$((base + 1)); [ "$cluster" -eq 1 ] && redis_port=$((base + 10))
    timeout 120 redis-benchmark -p $redis_port -t set -n 100000 -r 100000 -d 100 -c 50 -P 16 -q >/dev/null
    for test in "${test_list[@]}"; do
        # Counted on the node for as long as the benchmark runs.
        # shellcheck disable=SC2086 # the test is a list of redis-benchmark words
        perf stat -x, -e "$(IFS=,; echo "${events[*]}")" -p "$node" -o "$logs/stat.txt" -- \
            timeout 300 redis-benchmark -p $redis_port -n "$requests" -d 100 -r 100000 -q $test >/dev/null \
            || die "redis-benchmark against $bin failed"
        awk -F, -v n="$requests" -v b="$(basename "$(dirname "$bin")")/$(basename "$bin")" -v t="$test" '
            /probe_arc:/ { split($3, name, ":"); calls[name[2]] = $1 / n }
            END { printf "%-40s %-18s %10.1f %10.1f %12.2f\n", b, t, calls["swift_retain"], calls["swift_release"], calls["swift_allocObject"] }
        ' "$logs/stat.txt"
    done
    if [ "$cluster" -eq 1 ]; then
        stop_cluster
        rm -rf "$logs/cluster"
    else
        kill "$node"; wait "$node" 2>/dev/null || true
        tracked_pids=()
    fi
done
