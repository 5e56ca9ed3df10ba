#!/usr/bin/env bash
# Ringtail's Redis front door against Redis 7, same machine, same client (redis-benchmark),
# alternating the two servers round by round, medians over the rounds.
#
#   scripts/bench-vs-redis.sh [--rounds 3] [--requests 100000] [--memory-keys 1000000] [--threads 1]
#
# Installs redis-server and redis-tools when missing, builds Ringtail (release), starts
# `redis-server --save '' --appendonly no` on 127.0.0.1:6399 and a single Ringtail node
# (N=1, W=1, R=1) with `--redis-listen 127.0.0.1:6401`, runs SET and GET with 100-byte values
# over 100,000 random keys at -c 50, at -c 50 -P 16 and at -c 1, and prints ops/s, p50, p99,
# server CPU per operation (utime+stime of the server process / operations) and the
# Ringtail/Redis ratios. Then memory: both servers are flushed and loaded with the same
# --memory-keys keys (16-byte names, 100-byte values) through `redis-cli --pipe`, and bytes
# per key are reported from each server's own accounting (INFO used_memory) and from its
# process RSS growth. Ringtail runs with --threads event loops (default 1: Redis serves
# commands from one thread too). Stops both servers by PID whatever happens. Loopback only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$RINGTAIL_ROOT"

rounds=3; requests=100000; memory_keys=1000000; threads=1
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds="$2"; shift 2 ;;
        --requests) requests="$2"; shift 2 ;;
        --memory-keys) memory_keys="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        *) die "unknown option $1" ;;
    esac
done

ensure_system_packages
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-benchmark >/dev/null 2>&1; then
    log "installing redis-server and redis-tools"
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
fi
log "building cache-node (release)"
swift build -c release --product cache-node >&2
bin="$(swift build -c release --show-bin-path)"

work="$(mktemp -d /tmp/ringtail-vs-redis.XXXXXX)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

redis-server --port 6399 --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!); redis_pid=$!
"$bin/cache-node" --node-id bench --listen 127.0.0.1:7399 --redis-listen 127.0.0.1:6401 \
    --replicas 1 --write-quorum 1 --read-quorum 1 --max-memory 2GiB --threads "$threads" >"$work/ringtail.log" 2>&1 &
pids+=($!); ringtail_pid=$!
wait_for_port 127.0.0.1:6399 30 || die "redis-server did not start"
wait_for_port 127.0.0.1:6401 30 || die "cache-node did not start its Redis listener"

ticks="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One measured run: prints "rps p50 p99 cpu_us_per_op" for one test against one server.
run() {
    local port="$1" pid="$2" test="$3"; shift 3
    local before after line
    before="$(cpu_ticks "$pid")"
    line="$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$port" -t "$test" -n "$requests" -d 100 -r 100000 --csv "$@" | tail -1)"
    after="$(cpu_ticks "$pid")"
    python3 - "$line" "$before" "$after" "$ticks" "$requests" <<'PY'
import csv, sys
row = next(csv.reader([sys.argv[1]]))
rps, p50, p99 = float(row[1]), float(row[4]), float(row[6])
cpu_us = (int(sys.argv[3]) - int(sys.argv[2])) / int(sys.argv[4]) * 1e6 / int(sys.argv[5])
print(f"{rps:.0f} {p50:.3f} {p99:.3f} {cpu_us:.2f}")
PY
}

scenarios=("set|-c 50" "get|-c 50" "set|-c 50 -P 16" "get|-c 50 -P 16" "set|-c 1" "get|-c 1")
results="$work/results.txt"
log "Ringtail: --threads $threads"
log "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); $(date -u)"
for round in $(seq 1 "$rounds"); do
    for scenario in "${scenarios[@]}"; do
        test="${scenario%%|*}"; args="${scenario#*|}"
        # Alternate which server goes first, so drift between time windows hits both.
        if [ $((round % 2)) -eq 1 ]; then order="redis ringtail"; else order="ringtail redis"; fi
        for server in $order; do
            if [ "$server" = redis ]; then port=6399; pid=$redis_pid; else port=6401; pid=$ringtail_pid; fi
            # shellcheck disable=SC2086
            echo "$server|$test $args|$(run "$port" "$pid" "$test" $args)" >>"$results"
        done
        log "round $round: $test $args done"
    done
done

[ "$rounds" -gt 0 ] && python3 - "$results" "$rounds" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    server, test, values = line.rstrip("\n").split("|")
    rows.setdefault((test, server), []).append([float(v) for v in values.split()])
def med(test, server, i):
    return statistics.median(v[i] for v in rows[(test, server)])
tests = []
for test, _ in rows:
    if test not in tests: tests.append(test)
print(f"\nmedians over {sys.argv[2]} round(s); ops/s, p50/p99 in ms, server CPU µs per op\n")
print("| test | Redis ops/s | Ringtail ops/s | ratio | Redis p50/p99 | Ringtail p50/p99 | p99 ratio | Redis CPU/op | Ringtail CPU/op | CPU ratio |")
print("|---|---:|---:|---:|---|---|---:|---:|---:|---:|")
for test in tests:
    r = [med(test, "redis", i) for i in range(4)]
    t = [med(test, "ringtail", i) for i in range(4)]
    print(f"| {test} | {r[0]:.0f} | {t[0]:.0f} | {t[0]/r[0]:.2f} | {r[1]:.3f}/{r[2]:.3f} | {t[1]:.3f}/{t[2]:.3f} | {t[2]/r[2]:.2f} | {r[3]:.1f} | {t[3]:.1f} | {t[3]/r[3]:.2f} |")
PY

# Memory per key: the same keys into both, each server's accounting and RSS growth.
rss_bytes() { awk '/VmRSS/ {print $2 * 1024}' "/proc/$1/status"; }
used_memory() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: '$1 == "used_memory" {print $2}'; }
python3 - "$memory_keys" >"$work/load.resp" <<'PY'
import sys
value = b"v" * 100
out = sys.stdout.buffer
for i in range(int(sys.argv[1])):
    key = b"mem:%012d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$100\r\n%s\r\n" % (len(key), key, value))
PY
echo
echo "memory: $memory_keys keys of 16 bytes with 100-byte values"
echo "| server | keys | used_memory B/key | RSS growth B/key |"
echo "|---|---:|---:|---:|"
for server in redis ringtail; do
    if [ "$server" = redis ]; then port=6399; pid=$redis_pid; else port=6401; pid=$ringtail_pid; fi
    # Both hold the benchmark's keys (key:…); the load adds mem:… keys, counted alone.
    keys_before="$(redis-cli -p "$port" dbsize)"; used_before="$(used_memory "$port")"; rss_before="$(rss_bytes "$pid")"
    timeout 300 redis-cli -p "$port" --pipe <"$work/load.resp" >/dev/null
    keys_after="$(redis-cli -p "$port" dbsize)"; used_after="$(used_memory "$port")"; rss_after="$(rss_bytes "$pid")"
    python3 - "$server" "$keys_before" "$keys_after" "$used_before" "$used_after" "$rss_before" "$rss_after" <<'PY'
import sys
server, kb, ka, ub, ua, rb, ra = sys.argv[1], *map(int, sys.argv[2:])
added = ka - kb
print(f"| {server} | {ka} (+{added}) | {(ua - ub) / max(1, added):.0f} | {(ra - rb) / max(1, added):.0f} |")
PY
done
rm -rf "$work"
