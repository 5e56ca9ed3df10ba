#!/usr/bin/env bash
# User and kernel CPU per request of a lone node against Redis, builds alternated in one run:
# the finer cut of bench-vs-redis.sh's CPU column, for telling two builds apart.
#
#   scripts/cpu-per-request.sh [--requests 200000] [--rounds 2]
#       [--tests "-t set -c 50|-t get -c 50|-t set -c 1|-t get -c 1"] [--base-port 25000] [--floors] BIN...
#
# BIN is a cache-node executable (one or more). Starts redis-server (no persistence) on
# base-port + 700 and each build as a lone node (--threads 1, 1 GiB) on base-port + 2 i (Redis
# protocol on + 1), then, round after round, runs each test against Redis and every build in
# turn (redis-benchmark -d 100 -r 100000 -n --requests) and prints ops/s, p50/p99 ms and the
# server's user and system CPU µs per request (utime and stime of /proc/PID/stat), then the
# medians. --floors also runs the servers of scripts/floor-servers (built here), which answer
# every request with a fixed 100-byte value and do nothing else: on SwiftNIO, on a hand-written
# epoll loop in Swift, and in plain C over epoll and over io_uring (ports base-port + 710 to
# + 713): what the I/O layer alone costs per request, below everything Ringtail does (only
# GET's reply is right for them). Loopback only; every process it starts is stopped by PID on
# exit. A benchmark, not a test: not run in CI.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

requests=200000; rounds=2; base=25000; floors=0
tests="-t set -c 50|-t get -c 50|-t set -c 1|-t get -c 1"
while [ $# -gt 0 ]; do
    case "$1" in
        --requests) requests="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --tests) tests="$2"; shift 2 ;;
        --base-port) base="$2"; shift 2 ;;
        --floors) floors=1; shift ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || die "give at least one cache-node executable"
for bin in "$@"; do [ -x "$bin" ] || die "not an executable: $bin"; done
command -v redis-server >/dev/null 2>&1 && command -v redis-benchmark >/dev/null 2>&1 || ensure_redis_test_tools

logs=$(mktemp -d /tmp/ringtail-cpu.XXXXXX)
stop_tracked_on_exit
if [ "$floors" = 1 ]; then
    # Built beside the package's own build products, not inside scripts/.
    floor_dir="$(dirname "${BASH_SOURCE[0]}")/floor-servers"
    floor_build="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.build/floor-servers"
    swift_build release --package-path "$floor_dir" --scratch-path "$floor_build" --product floor-server \
        >"$logs/floor-build.log" 2>&1 || die "building $floor_dir failed (log in $logs/floor-build.log)"
    floor_bin="$floor_build/release/floor-server"
fi

names=(redis); ports=($((base + 700))); servers=()
redis-server --port $((base + 700)) --bind 127.0.0.1 --save '' --appendonly no >"$logs/redis.log" 2>&1 & tracked_pids+=($!)
servers+=($!)
index=0
for bin in "$@"; do
    port=$((base + 2 * index))
    "$bin" --node-id "cpu-$index" --listen "127.0.0.1:$port" --redis-listen "127.0.0.1:$((port + 1))" --replicas 1 \
        --write-quorum 1 --read-quorum 1 --max-memory 1GiB --threads 1 >"$logs/node-$index.log" 2>&1 & tracked_pids+=($!)
    servers+=($!); names+=("$index:$(basename "$(dirname "$bin")")/$(basename "$bin")"); ports+=($((port + 1)))
    index=$((index + 1))
done
if [ "$floors" = 1 ]; then
    port=$((base + 710))
    for mode in nio epoll c-epoll c-uring; do
        "$floor_bin" "$port" "$mode" >"$logs/floor-$mode.log" 2>&1 & tracked_pids+=($!)
        servers+=($!); names+=("$mode-floor"); ports+=("$port")
        port=$((port + 1))
    done
fi
for port in "${ports[@]}"; do wait_for_port "127.0.0.1:$port" || die "nothing listens on 127.0.0.1:$port (logs in $logs)"; done

ticks=$(getconf CLK_TCK)
stat_field() { awk -v f="$2" '{ print $f }' "/proc/$1/stat"; }
results="$logs/results"
printf '%-6s %-34s %-18s %10s %8s %8s %8s %8s\n' round server test ops/s p50 p99 "user µs" "sys µs"
IFS='|' read -ra test_list <<< "$tests"
for round in $(seq "$rounds"); do
    for test in "${test_list[@]}"; do
        for i in "${!names[@]}"; do
            pid=${servers[$i]}
            user0=$(stat_field "$pid" 14); sys0=$(stat_field "$pid" 15)
            read -r rps p50 p99 < <(redis_benchmark_run "${ports[$i]}" "$requests" "$test")
            user1=$(stat_field "$pid" 14); sys1=$(stat_field "$pid" 15)
            read -r user sys < <(awk -v u=$((user1 - user0)) -v s=$((sys1 - sys0)) -v t="$ticks" -v n="$requests" \
                'BEGIN { printf "%.2f %.2f\n", u / t * 1e6 / n, s / t * 1e6 / n }')
            printf '%-6s %-34s %-18s %10s %8s %8s %8s %8s\n' "$round" "${names[$i]}" "$test" "$rps" "$p50" "$p99" "$user" "$sys" \
                | tee -a "$results"
        done
    done
done

echo
echo "medians over $rounds rounds: server, test, ops/s, user µs, sys µs, total µs per request"
python3 - "$results" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    parts = line.split()
    # round, server, then the test's words, then ops/s p50 p99 user sys
    server, test, values = parts[1], " ".join(parts[2:-5]), parts[-5:]
    try:
        ops, user, system = float(values[0]), float(values[3]), float(values[4])
    except ValueError:
        continue
    rows[(test, server)].append((ops, user, system))
for (test, server), values in sorted(rows.items()):
    ops, user, system = (statistics.median(v[k] for v in values) for k in range(3))
    print(f"{server:<34} {test:<18} {ops:>10.0f} {user:>7.2f} {system:>7.2f} {user + system:>7.2f}")
PY
