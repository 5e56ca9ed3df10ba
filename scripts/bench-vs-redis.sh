#!/usr/bin/env bash
# Ringtail's Redis front door against Redis 7, same machine, same client (redis-benchmark),
# alternating the two servers round by round, medians over the rounds.
#
#   scripts/bench-vs-redis.sh [--rounds 3] [--requests 100000] [--memory-keys 1000000] [--threads 1]
#       [--sections single,cluster,memory] [--cluster-duration 5s] [--value-size 100]
#       [--redis-ports 6390] [--ringtail-ports 7390]
#
# Installs redis-server and redis-tools when missing, builds Ringtail (release), starts
# `redis-server --save '' --appendonly no` on 127.0.0.1:R (R = --redis-ports) and a single
# Ringtail node (N=1, W=1, R=1) with `--redis-listen 127.0.0.1:T+1` (T = --ringtail-ports).
# Section single: redis-benchmark against both, SET and GET with 100-byte values (--value-size)
# over 100,000 random keys at -c 50, at -c 50 -P 16 and at -c 1, and prints ops/s, p50, p99,
# server CPU per operation (utime+stime of the server process / operations) and the
# Ringtail/Redis ratios of the medians, then each round's own ratios (min / median / max, and
# in how many rounds each target held). Section cluster: a 3-node Ringtail cluster (scripts/cluster.sh, N=3,
# W=2, R=2, RPC ports T+10…, Redis ports T+20…) and Redis master R+1 with replicas R+2, R+3;
# `cachectl bench --resp` (redis-benchmark cannot WAIT) drives the single servers, the
# cluster's node-1 and the Redis master in turn, SET (Redis: SET then WAIT 1 1000 on the same
# connection) and GET at -c 50 and -c 50 -P 16 over the same 100,000 prefilled keys, each run
# bounded by --requests or --cluster-duration, and reports ops/s, p50/p99, CPU per operation
# summed over every server process of the setup, cluster/Redis-replicated and cluster/single
# ratios, and each cluster node's own CPU per operation (node-1 coordinates). Section memory: both single servers are loaded with the same
# --memory-keys keys (16-byte names, 100-byte values) through `redis-cli --pipe`, and bytes
# per key are reported from each server's own accounting (INFO used_memory) and from its
# process RSS growth. Ringtail runs with --threads event loops (default 1: Redis serves
# commands from one thread too; so do the cluster's nodes). Stops every server by PID
# (the cluster through scripts/cluster.sh down) whatever happens. Loopback only.
# RINGTAIL_BIN_DIR=DIR uses the cache-node and cachectl in DIR instead of building (an older
# build kept aside, for before/after comparisons).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$RINGTAIL_ROOT"

rounds=3; requests=100000; memory_keys=1000000; threads=1; value_size=100
sections="single,cluster,memory"; cluster_duration="5s"; redis_ports=6390; ringtail_ports=7390
while [ $# -gt 0 ]; do
    case "$1" in
        --sections) sections="$2"; shift 2 ;;
        --cluster-duration) cluster_duration="$2"; shift 2 ;;
        --redis-ports) redis_ports="$2"; shift 2 ;;
        --ringtail-ports) ringtail_ports="$2"; shift 2 ;;
        --rounds) rounds="$2"; shift 2 ;;
        --requests) requests="$2"; shift 2 ;;
        --memory-keys) memory_keys="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --value-size) value_size="$2"; shift 2 ;;
        *) die "unknown option $1" ;;
    esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "--rounds must be at least 1, got '$rounds'"
[[ "$value_size" =~ ^[1-9][0-9]*$ ]] || die "--value-size must be a number of bytes, at least 1, got '$value_size'"

ensure_system_packages
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-benchmark >/dev/null 2>&1; then
    log "installing redis-server and redis-tools"
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
fi
has_section() { [[ ",$sections," == *",$1,"* ]]; }
bin="$(release_bin_dir)"

redis_port=$redis_ports; ringtail_rpc_port=$ringtail_ports; ringtail_port=$((ringtail_ports + 1))
work="$(mktemp -d /tmp/ringtail-vs-redis.XXXXXX)"
export RINGTAIL_CLUSTER_DIR="$work/cluster" RINGTAIL_BASE_PORT=$((ringtail_ports + 10)) RINGTAIL_REDIS_BASE_PORT=$((ringtail_ports + 20))
pids=(); replicated_pids=(); cluster_started=0
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    # The cluster's PID files live in $work: stop it before the directory goes.
    if [ "$cluster_started" -eq 1 ]; then scripts/cluster.sh down >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!); redis_pid=$!
"$bin/cache-node" --node-id bench --listen "127.0.0.1:$ringtail_rpc_port" --redis-listen "127.0.0.1:$ringtail_port" \
    --replicas 1 --write-quorum 1 --read-quorum 1 --max-memory 2GiB --threads "$threads" >"$work/ringtail.log" 2>&1 &
pids+=($!); ringtail_pid=$!
wait_for_port "127.0.0.1:$redis_port" 30 || die "redis-server did not start"
wait_for_port "127.0.0.1:$ringtail_port" 30 || die "cache-node did not start its Redis listener"

ticks="$(getconf CLK_TCK)"
# CPU ticks (user + system) of all the given processes together.
cpu_ticks() { local pid total=0; for pid in "$@"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$total"; }
# utime+stime of each process, comma-separated in the order given.
pid_ticks() { local pid out=(); for pid in "$@"; do out+=("$(awk '{print $14 + $15}' "/proc/$pid/stat")"); done; (IFS=,; echo "${out[*]}"); }
log "Ringtail: --threads $threads; sections: $sections"
log "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); $(date -u); load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Section single: redis-benchmark against both single servers.
if has_section single; then
# One measured run: prints "rps p50 p99 cpu_us_per_op" for one test against one server.
run() {
    local port="$1" pid="$2" test="$3"; shift 3
    local before after line
    before="$(cpu_ticks "$pid")"
    line="$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$port" -t "$test" -n "$requests" -d "$value_size" -r 100000 --csv "$@" | tail -1)"
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
for round in $(seq 1 "$rounds"); do
    for scenario in "${scenarios[@]}"; do
        test="${scenario%%|*}"; args="${scenario#*|}"
        # Alternate which server goes first, so drift between time windows hits both.
        if [ $((round % 2)) -eq 1 ]; then order="redis ringtail"; else order="ringtail redis"; fi
        for server in $order; do
            if [ "$server" = redis ]; then port=$redis_port; pid=$redis_pid; else port=$ringtail_port; pid=$ringtail_pid; fi
            # shellcheck disable=SC2086
            echo "$server|$test $args|$(run "$port" "$pid" "$test" $args)" >>"$results"
        done
        log "round $round: $test $args done"
    done
done

python3 - "$results" "$rounds" <<'PY'
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
# Each round runs both servers back to back, so a round's own ratio compares like with like:
# their spread shows how far one round can be trusted, and how often a target held.
print("\nRingtail/Redis within each round: min / median / max, and rounds meeting the target\n")
print("| test | ops/s ratio | rounds ≥ 1.00 | p99 ratio | rounds ≤ 1.50 | CPU ratio | rounds ≤ 1.00 |")
print("|---|---|---:|---|---:|---|---:|")
def spread(values):
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"
for test in tests:
    pairs = list(zip(rows[(test, "redis")], rows[(test, "ringtail")]))
    ops = [t[0] / r[0] for r, t in pairs]
    p99 = [t[2] / r[2] for r, t in pairs]
    cpu = [t[3] / r[3] for r, t in pairs]
    n = len(pairs)
    print(f"| {test} | {spread(ops)} | {sum(v >= 1 for v in ops)}/{n} | {spread(p99)} | {sum(v <= 1.5 for v in p99)}/{n}"
          f" | {spread(cpu)} | {sum(v <= 1 for v in cpu)}/{n} |")
PY
fi

# Section cluster: 3-node Ringtail (N=3, W=2, R=2) against Redis master + 2 replicas with
# WAIT 1 after each SET, and both single servers as the baseline, all through cachectl bench.
if has_section cluster; then
master_port=$((redis_port + 1))
for port in "$master_port" $((redis_port + 2)) $((redis_port + 3)); do
    mkdir -p "$work/redis-$port"
    replica_of=(); [ "$port" -ne "$master_port" ] && replica_of=(--replicaof 127.0.0.1 "$master_port")
    # --repl-diskless-sync-delay 0: the master's first sync starts at once rather than in 5 s.
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work/redis-$port" \
        --repl-diskless-sync-delay 0 --daemonize no "${replica_of[@]}" >"$work/redis-$port.log" 2>&1 &
    pids+=($!); replicated_pids+=($!)
    wait_for_port "127.0.0.1:$port" 30 || die "redis-server on port $port did not start"
done
deadline=$((SECONDS + 60))
until [ "$(redis-cli -p "$master_port" info replication | grep -c 'state=online')" -eq 2 ] &&
      redis-cli -p $((redis_port + 2)) info replication | grep -q 'master_link_status:up' &&
      redis-cli -p $((redis_port + 3)) info replication | grep -q 'master_link_status:up'; do
    [ $SECONDS -lt $deadline ] || die "Redis replicas did not connect to the master within 60 s"
    sleep 0.2
done
log "Redis master $master_port with 2 replicas online"
cluster_started=1
# --replicas 3 gives W = R = 2 (cluster.sh sets both to a majority of N).
scripts/cluster.sh up --nodes 3 --replicas 3 -- --threads "$threads" --max-memory 2GiB >&2
grep -qx -- 2 <(sed -n '/--write-quorum/{n;p}' "$RINGTAIL_CLUSTER_DIR/common.args") || die "cluster's W is not 2"
grep -qx -- 2 <(sed -n '/--read-quorum/{n;p}' "$RINGTAIL_CLUSTER_DIR/common.args") || die "cluster's R is not 2"
cluster_pids=($(cat "$RINGTAIL_CLUSTER_DIR"/node-*.pid))
cluster_host="$(scripts/cluster.sh redis-address node-1)"

# name|host|pids|WAIT replicas after each SET (0: none)
targets=(
    "redis-single|127.0.0.1:$redis_port|$redis_pid|0"
    "ringtail-single|127.0.0.1:$ringtail_port|$ringtail_pid|0"
    "redis-replicated|127.0.0.1:$master_port|${replicated_pids[*]}|1"
    "ringtail-cluster|$cluster_host|${cluster_pids[*]}|0"
)
for target in "${targets[@]}"; do
    IFS='|' read -r name host _ _ <<<"$target"
    "$bin/cachectl" bench --resp --host "$host" --prefill --tests get --requests 1 --keyspace 100000 \
        --value-size "$value_size" --concurrency 50 >/dev/null 2>"$work/prefill-$name.log" || die "prefill of $name failed: $(tail -3 "$work/prefill-$name.log")"
    log "$name ($host) prefilled with 100000 keys"
done

# Background work of the idle setups (anti-entropy, replication pings) runs during every
# other setup's runs too: show how much it is.
idle_before_cluster="$(cpu_ticks "${cluster_pids[@]}")"; idle_before_redis="$(cpu_ticks "${replicated_pids[@]}")"
sleep 5
idle_cluster="$(( ($(cpu_ticks "${cluster_pids[@]}") - idle_before_cluster) * 100 / ticks / 5 ))"
idle_redis="$(( ($(cpu_ticks "${replicated_pids[@]}") - idle_before_redis) * 100 / ticks / 5 ))"
log "idle CPU over 5 s: Ringtail cluster ${idle_cluster}% of a core, Redis master + replicas ${idle_redis}%"

# One measured run: prints "ops/s p50_ms p99_ms cpu_us_per_op errors".
cluster_run() {
    local host="$1" pids="$2" wait="$3" test="$4" pipeline="$5" before after json extra=()
    [ "$test" = set ] && [ "$wait" -gt 0 ] && extra=(--wait-replicas "$wait" --wait-timeout-ms 1000)
    # shellcheck disable=SC2086
    before="$(cpu_ticks $pids)"; per_before="$(pid_ticks $pids)"
    json="$(timeout 180 "$bin/cachectl" bench --resp --host "$host" --timeout 10s --json --tests "$test" \
        --concurrency 50 --pipeline "$pipeline" --keyspace 100000 --value-size "$value_size" \
        --requests "$requests" --duration "$cluster_duration" "${extra[@]}" 2>>"$work/cluster-bench.log")" \
        || die "cachectl bench against $host failed: $(tail -3 "$work/cluster-bench.log")"
    # shellcheck disable=SC2086
    after="$(cpu_ticks $pids)"; per_after="$(pid_ticks $pids)"
    echo "$json" >>"$work/cluster-runs.jsonl"
    python3 - "$json" "$before" "$after" "$ticks" "$per_before" "$per_after" <<'PY'
import json, sys
test = json.loads(sys.argv[1])["tests"][0]
requests = max(1, test["requests"])
cpu_us = (int(sys.argv[3]) - int(sys.argv[2])) / int(sys.argv[4]) * 1e6 / requests
per = [(int(a) - int(b)) / int(sys.argv[4]) * 1e6 / requests for b, a in zip(sys.argv[5].split(","), sys.argv[6].split(","))]
latency = test["latencyMicros"]
print(f'{test["opsPerSecond"]:.0f} {latency.get("p50", 0) / 1000:.3f} {latency.get("p99", 0) / 1000:.3f} {cpu_us:.2f} {test["errors"]} {",".join(f"{x:.2f}" for x in per)}')
PY
}

cluster_results="$work/cluster-results.txt"
cluster_scenarios=("set|1" "get|1" "set|16" "get|16")
for round in $(seq 1 "$rounds"); do
    for scenario in "${cluster_scenarios[@]}"; do
        test="${scenario%%|*}"; pipeline="${scenario#*|}"
        # Rotate the order of the four setups round by round, so drift hits each.
        for i in 0 1 2 3; do
            IFS='|' read -r name host target_pids wait <<<"${targets[$(((i + round - 1) % 4))]}"
            line="$(cluster_run "$host" "$target_pids" "$wait" "$test" "$pipeline")" || die "the run against $name failed"
            echo "$name|$test -c 50 -P $pipeline|$line" >>"$cluster_results"
        done
        log "cluster round $round: $test -c 50 -P $pipeline done"
    done
done

python3 - "$cluster_results" "$rounds" "$cluster_duration" "$requests" <<'PY'
import statistics, sys
rows, errors, tests = {}, {}, []
for line in open(sys.argv[1]):
    name, test, values = line.rstrip("\n").split("|")
    fields = values.split()
    v = [float(x) for x in fields[:5]] + [[float(x) for x in fields[5].split(",")]]
    rows.setdefault((test, name), []).append(v)
    errors[(test, name)] = errors.get((test, name), 0) + int(v[4])
    if test not in tests: tests.append(test)
def med(test, name):
    return [statistics.median(v[i] for v in rows[(test, name)]) for i in range(4)]
print(f"\ncachectl bench --resp, medians over {sys.argv[2]} round(s) of {sys.argv[4]} requests or {sys.argv[3]} each;"
      " ops/s, p50/p99 in ms, server CPU µs per op summed over the setup's server processes;"
      " SET against Redis replicated is SET + WAIT 1 1000; errors summed over the rounds\n")
print("| test | Redis+2 replicas ops/s | Ringtail 3 nodes ops/s | ratio | Redis p50/p99 | Ringtail p50/p99 | p99 ratio | Redis CPU/op | Ringtail CPU/op | CPU ratio | errors R/T |")
print("|---|---:|---:|---:|---|---|---:|---:|---:|---:|---:|")
for test in tests:
    r, t = med(test, "redis-replicated"), med(test, "ringtail-cluster")
    print(f"| {test} | {r[0]:.0f} | {t[0]:.0f} | {t[0]/r[0]:.2f} | {r[1]:.3f}/{r[2]:.3f} | {t[1]:.3f}/{t[2]:.3f} | {t[2]/r[2]:.2f} | {r[3]:.1f} | {t[3]:.1f} | {t[3]/r[3]:.2f} | {errors[(test, 'redis-replicated')]}/{errors[(test, 'ringtail-cluster')]} |")
print("\nagainst the single servers (same tool, same run)\n")
print("| test | Redis single ops/s | Redis+2 replicas | replicated/single | Ringtail single ops/s | Ringtail 3 nodes | cluster/single | Redis single CPU/op | Ringtail single CPU/op | Ringtail single p50/p99 | errors single R/T |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
for test in tests:
    rs, rr, ts, tc = (med(test, n) for n in ("redis-single", "redis-replicated", "ringtail-single", "ringtail-cluster"))
    print(f"| {test} | {rs[0]:.0f} | {rr[0]:.0f} | {rr[0]/rs[0]:.2f} | {ts[0]:.0f} | {tc[0]:.0f} | {tc[0]/ts[0]:.2f} | {rs[3]:.1f} | {ts[3]:.1f} | {ts[1]:.3f}/{ts[2]:.3f} | {errors[(test, 'redis-single')]}/{errors[(test, 'ringtail-single')]} |")
print("\nRingtail cluster CPU µs per client op by process (medians; node-1 coordinates every request)\n")
print("| test | node-1 | node-2 | node-3 |")
print("|---|---:|---:|---:|")
for test in tests:
    runs = [v[5] for v in rows[(test, "ringtail-cluster")]]
    print("| " + test + " | " + " | ".join(f"{statistics.median(r[i] for r in runs):.1f}" for i in range(len(runs[0]))) + " |")
PY
echo; echo "idle CPU over 5 s before the rounds: Ringtail cluster ${idle_cluster}% of a core, Redis master + replicas ${idle_redis}%"
# Failed operations by kind, and the cluster's membership changes (a loaded node can look
# dead to its peers), so an error count in the tables can be explained.
python3 - "$work/cluster-runs.jsonl" <<'PY'
import collections, json, sys
kinds = collections.Counter()
for line in open(sys.argv[1]):
    run = json.loads(line)
    for test in run["tests"]:
        for kind, count in test["errorKinds"].items():
            kinds[(run["host"], test["name"], kind)] += count
for (host, name, kind), count in sorted(kinds.items()):
    print(f"errors: {host} {name}: {kind} ×{count}")
PY
echo "membership changes logged by the cluster's nodes to suspect or dead during the section: $(cat "$RINGTAIL_CLUSTER_DIR"/node-*.log | grep -c 'member \(suspect\|dead\)' || true)"
grep -h 'member \(suspect\|dead\)' "$RINGTAIL_CLUSTER_DIR"/node-*.log | head -5 || true
scripts/cluster.sh down >&2; cluster_started=0
for pid in "${replicated_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
fi

if has_section memory; then
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
    if [ "$server" = redis ]; then port=$redis_port; pid=$redis_pid; else port=$ringtail_port; pid=$ringtail_pid; fi
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
fi
