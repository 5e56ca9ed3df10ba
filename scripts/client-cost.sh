#!/usr/bin/env bash
# The client's side of a benchmark: redis-benchmark's own CPU and its epoll_wait calls against
# Redis and a lone Ringtail node, alternated round by round, then the medians. Unpipelined
# throughput on a 2-core machine is decided by the saturated client as much as by the server
# (docs/BENCHMARKS.md, "Against Redis, 2026-11-24 ninth session"): this shows it.
#
#   scripts/client-cost.sh [--requests 300000] [--rounds 3] [--test "-t set -c 50"] [--base-port 26000] BIN
#
# BIN is a cache-node executable, started with its defaults as a lone node (N=1) on base-port,
# Redis protocol on base-port + 1; redis-server (no persistence) on base-port + 700. Client CPU
# is bash's `time` of the redis-benchmark run; epoll_wait calls come from
# `perf stat -e syscalls:sys_enter_epoll_wait` when perf can count them ("-" otherwise).
# Loopback only; every process it starts is stopped by PID on exit. A benchmark, not a test.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

requests=300000; rounds=3; base=26000; test="-t set -c 50"
while [ $# -gt 0 ]; do
    case "$1" in
        --requests) requests="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --test) test="$2"; shift 2 ;;
        --base-port) base="$2"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || die "give one cache-node executable"
bin="$1"
[ -x "$bin" ] || die "not an executable: $bin"
command -v redis-server >/dev/null 2>&1 && command -v redis-benchmark >/dev/null 2>&1 || ensure_redis_test_tools

logs=$(mktemp -d /tmp/ringtail-client-cost.XXXXXX)
stop_tracked_on_exit
redis-server --port $((base + 700)) --bind 127.0.0.1 --save '' --appendonly no >"$logs/redis.log" 2>&1 & tracked_pids+=($!)
"$bin" --node-id client-cost --listen "127.0.0.1:$base" --redis-listen "127.0.0.1:$((base + 1))" --replicas 1 \
    --write-quorum 1 --read-quorum 1 --max-memory 1GiB >"$logs/node.log" 2>&1 & tracked_pids+=($!)
for port in $((base + 700)) $((base + 1)); do
    wait_for_port "127.0.0.1:$port" || die "nothing listens on 127.0.0.1:$port (logs in $logs)"
done

counting=0
if command -v perf >/dev/null 2>&1 && perf stat -x, -e syscalls:sys_enter_epoll_wait true >/dev/null 2>&1; then counting=1; fi

results="$logs/results"
printf '%-6s %-9s %10s %10s %10s %12s\n' round server ops/s "client user s" "client sys s" "epoll_waits"
read -ra test_words <<< "$test"
for round in $(seq "$rounds"); do
    for server in redis ringtail; do
        port=$((base + 700)); [ "$server" = ringtail ] && port=$((base + 1))
        command=(timeout 120 redis-benchmark -p "$port" "${test_words[@]}" -n "$requests" -d 100 -r 100000 -q)
        [ "$counting" = 1 ] && command=(perf stat -x, -o "$logs/perf" -e syscalls:sys_enter_epoll_wait "${command[@]}")
        TIMEFORMAT='%U %S'
        { time "${command[@]}" >"$logs/bench" 2>&1; } 2>"$logs/time"
        ops=$(tr '\r' '\n' <"$logs/bench" | grep -oE '[0-9.]+ requests per second' | tail -1 | cut -d' ' -f1)
        read -r user system <"$logs/time"
        waits=-; [ "$counting" = 1 ] && waits=$(grep epoll_wait "$logs/perf" | cut -d, -f1)
        [ -n "$ops" ] || die "redis-benchmark gave no result against $server (output in $logs/bench)"
        printf '%-6s %-9s %10s %10s %10s %12s\n' "$round" "$server" "$ops" "$user" "$system" "$waits"
        echo "$server $ops $user $system $waits" >>"$results"
    done
done
echo
echo "medians over $rounds rounds ($test, $requests requests): server, ops/s, client user s, client sys s, epoll_waits"
python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    server, *values = line.split()
    rows.setdefault(server, []).append(values)
for server, values in rows.items():
    medians = [statistics.median(float(v[k]) for v in values) for k in range(3)]
    waits = [v[3] for v in values if v[3] != "-"]
    wait = f"{statistics.median(float(w) for w in waits):.0f}" if waits else "-"
    print(f"{server:9} {medians[0]:10.0f} {medians[1]:10.2f} {medians[2]:10.2f} {wait:>12}")
PY
