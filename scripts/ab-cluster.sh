#!/usr/bin/env bash
# A/B of builds on a 3-node cluster through the Redis front door.
#
#   scripts/ab-cluster.sh [--rounds 2] [--requests 100000] [--base-port 25200]
#       [--tests "-t set -c 50 -P 16|-t get -c 50 -P 16|-t get -c 50|-t set -c 50"] BIN_DIR...
#
# Starts one cluster per BIN_DIR, all at once (build i at base port B = --base-port + 100 i):
# node-1 on 127.0.0.1:B (Redis B+1), node-2 on B+10 (B+11) and node-3 on B+20 (B+21) joining
# node-1 (admin ports B+2, B+12, B+22), N=3, W=2, R=2, --threads 1, 256 partitions, the local
# membership profile, and waits until every node's /health says ready. Then, round after
# round, runs each test against every build in turn (redis-benchmark -d 100 -r 100000 -n
# --requests through node-1's Redis port) and prints ops/s, p50/p99 ms and the CPU µs per
# request summed over that build's three nodes (utime+stime / requests), then the medians.
# Every node is stopped by PID on exit, whatever happens. Loopback only. Benchmarks, not
# tests: not run in CI.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rounds=2; requests=100000; base=25200
tests="-t set -c 50 -P 16|-t get -c 50 -P 16|-t get -c 50|-t set -c 50"
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --requests) requests="$2"; shift 2 ;;
        --base-port) base="$2"; shift 2 ;;
        --tests) tests="$2"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || die "give at least one directory holding a cache-node build"
for dir in "$@"; do [ -x "$dir/cache-node" ] || die "no executable $dir/cache-node"; done
command -v redis-benchmark >/dev/null 2>&1 || ensure_redis_test_tools

logs=$(mktemp -d /tmp/ringtail-ab-cluster.XXXXXX)
stop_tracked_on_exit

wait_for_port() {
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
    die "nothing listens on 127.0.0.1:$1 (logs in $logs)"
}

start_cluster() {
    local bin="$1/cache-node" base="$2"
    local common=(--replicas 3 --write-quorum 2 --read-quorum 2 --membership-profile local
        --threads 1 --max-memory 512MiB --partitions 256)
    local name; name=$(basename "$1")
    "$bin" --node-id n1 --listen "127.0.0.1:$base" --redis-listen "127.0.0.1:$((base + 1))" \
        --admin-listen "127.0.0.1:$((base + 2))" "${common[@]}" >"$logs/$3-$name-n1.log" 2>&1 & tracked_pids+=($!)
    build_pids[$3]="$!"
    wait_for_port "$base"
    for n in 2 3; do
        local port=$((base + 10 * (n - 1)))
        "$bin" --node-id "n$n" --listen "127.0.0.1:$port" --redis-listen "127.0.0.1:$((port + 1))" \
            --admin-listen "127.0.0.1:$((port + 2))" --join "127.0.0.1:$base" "${common[@]}" \
            >"$logs/$3-$name-n$n.log" 2>&1 & tracked_pids+=($!)
        build_pids[$3]+=" $!"
    done
}

# Ready means joined and every partition filled and in sync (/health): before that, reads
# of partitions still being filled on two of the three replicas fail with NOQUORUM.
wait_ready() {
    local base="$1"
    for n in 1 2 3; do
        local admin=$((base + 10 * (n - 1) + 2)) ready=""
        for _ in $(seq 300); do
            if curl -sf "http://127.0.0.1:$admin/health" >/dev/null 2>&1; then ready=1; break; fi
            sleep 0.1
        done
        [ -n "$ready" ] || die "node-$n of the cluster on $base did not become ready (logs in $logs)"
    done
}

cpu_ticks() {
    local sum=0 pid
    for pid in $1; do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
    echo "$sum"
}

# Every build's cluster runs for the whole comparison (build i on base + 100 i), and each
# test runs on one build after the other: the machine's load drifts over minutes, so
# alternating test by test keeps the builds' figures comparable.
build_pids=()
index=0
for dir in "$@"; do start_cluster "$dir" $((base + 100 * index)) "$index"; index=$((index + 1)); done
index=0
for dir in "$@"; do wait_ready $((base + 100 * index)); index=$((index + 1)); done

ticks=$(getconf CLK_TCK)
IFS='|' read -ra test_list <<< "$tests"
results="$logs/results"
printf '%-6s %-24s %-22s %10s %8s %8s %12s\n' round build test ops/s p50 p99 "cpu µs/op"
for round in $(seq "$rounds"); do
    for test in "${test_list[@]}"; do
        index=0
        for dir in "$@"; do
            port=$((base + 100 * index + 1))
            before=$(cpu_ticks "${build_pids[$index]}")
            read -r rps p50 p99 < <(redis_benchmark_run "$port" "$requests" "$test")
            after=$(cpu_ticks "${build_pids[$index]}")
            cpu=$(awk -v d=$((after - before)) -v t="$ticks" -v n="$requests" 'BEGIN { printf "%.1f", d / t * 1e6 / n }')
            printf '%-6s %-24s %-22s %10s %8s %8s %12s\n' "$round" "$index:$(basename "$dir")" "$test" "$rps" "$p50" "$p99" "$cpu" | tee -a "$results"
            index=$((index + 1))
        done
    done
done

echo
echo "medians over $rounds rounds: build, test, ops/s, p50 ms, p99 ms, cpu µs/op"
python3 - "$results" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    words = line.split()
    try:
        rows[(" ".join(words[2:-4]), words[1])].append([float(w) for w in words[-4:]])
    except ValueError:
        continue  # a failed run
for (test, build), runs in rows.items():
    ops, p50, p99, cpu = (statistics.median(run[i] for run in runs) for i in range(4))
    print(f"{build:24s} {test:22s} {ops:10.0f} {p50:8.3f} {p99:8.3f} {cpu:12.1f}")
PY
