#!/usr/bin/env bash
# A rolling upgrade on a 3-node cluster (N=3, W=2, R=2) mixing this checkout's build with another.
#
#   scripts/mixed-versions.sh --other DIR [workload|upgrade] [--duration 15s] [--settle 20s]
#                             [--keys 3000] [--base-port 26000]
#
# workload (default): node-2 runs the other build, node-1 and node-3 this one, under the
#   consistency checker's workload (clients spread over all three nodes, so each build
#   coordinates requests the other serves). Prints the checker's verdict, and its exit status is
#   the script's: builds whose Merkle entry digests differ never share a root, so such a pair
#   ends INVALID on "partitions with differing roots" even when no operation failed and no key
#   diverged (docs/ANTI-ENTROPY.md).
# upgrade: all three nodes start on the other build and get --keys keys; node-1 is then stopped
#   and restarted empty on this build. Passes when it becomes ready (/health) within --settle
#   and `cachectl verify` finds every key on every replica.
#
# DIR holds the other build's cache-node (e.g. a worktree of an earlier commit built with
# `swift build -c release --product cache-node`); this checkout's release build is used
# ($RINGTAIL_BIN_DIR when set). Each node's count of rejected frames is printed. Loopback only;
# every node is stopped by PID on exit. Not part of the test suite: it needs a second build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

other=""; scenario=workload; duration=15s; settle=20s; keys=3000; base=26000
while [ $# -gt 0 ]; do
    case "$1" in
        --other) other="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --settle) settle="$2"; shift 2 ;;
        --keys) keys="$2"; shift 2 ;;
        --base-port) base="$2"; shift 2 ;;
        workload|upgrade) scenario="$1"; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) die "unknown argument '$1' (see the header of $0)" ;;
    esac
done
[ -n "$other" ] && [ -x "$other/cache-node" ] || die "give --other DIR holding another build's cache-node"
bin_dir=$(release_bin_dir)
this="$bin_dir/cache-node"
cachectl="$bin_dir/cachectl"

logs=$(mktemp -d /tmp/ringtail-mixed.XXXXXX)
stop_tracked_on_exit

common=(--replicas 3 --write-quorum 2 --read-quorum 2 --membership-profile local --partitions 256
    --anti-entropy-interval 500ms --tombstone-grace 1h)
node_pid=()

# start N BINARY LOG: node-N on base+N (admin base+200+N), joining node-1 or, for node-1, the others.
start_node() {
    local n="$1" binary="$2" join=()
    if [ "$n" = 1 ]; then
        [ "${#node_pid[@]}" -gt 0 ] && join=(--join "127.0.0.1:$((base + 2)),127.0.0.1:$((base + 3))")
    else
        join=(--join "127.0.0.1:$((base + 1))")
    fi
    "$binary" --node-id "node-$n" --listen "127.0.0.1:$((base + n))" --admin-listen "127.0.0.1:$((base + 200 + n))" \
        "${join[@]}" "${common[@]}" >>"$logs/node-$n.log" 2>&1 & tracked_pids+=($!)
    node_pid[$n]=$!
    wait_for_port "127.0.0.1:$((base + n))" || die "node-$n does not listen (logs in $logs)"
}

# Whether node N says ready within SECONDS.
ready_within() {
    local n="$1" tenths=$(($2 * 10))
    for _ in $(seq "$tenths"); do
        curl -sf "http://127.0.0.1:$((base + 200 + n))/health" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

seconds() { local s="${1%s}"; [[ "$s" =~ ^[0-9]+$ ]] || die "give durations in whole seconds (15s)"; echo "$s"; }

status=0
case "$scenario" in
    workload)
        swift_build release --product cache-checker >&2
        start_node 1 "$this"; start_node 2 "$other/cache-node"; start_node 3 "$this"
        for n in 1 2 3; do ready_within "$n" 30 || die "node-$n did not become ready (logs in $logs)"; done
        log "node-1 and node-3: $bin_dir; node-2: $other"
        "$RINGTAIL_ROOT/.build/release/cache-checker" \
            --hosts "127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2)),127.0.0.1:$((base + 3))" \
            --duration "$duration" --settle-timeout "$settle" --out "$logs/check" --concurrency 8 --keys 100 \
            --mix 45:45:10 --w 2 --r 2 --value-size 32 --op-timeout 1s >"$logs/checker.out" 2>&1 || status=$?
        grep -v '^cache-checker: \[' "$logs/checker.out" || true
        ;;
    upgrade)
        for n in 1 2 3; do start_node "$n" "$other/cache-node"; done
        for n in 1 2 3; do ready_within "$n" 30 || die "node-$n did not become ready (logs in $logs)"; done
        log "all nodes on $other; writing $keys keys"
        "$cachectl" --host "127.0.0.1:$((base + 2))" fill --prefix upgrade- --count "$keys" --expect "$logs/expected.tsv"
        kill "${node_pid[1]}"; wait "${node_pid[1]}" 2>/dev/null || true
        log "node-1 restarted empty on $bin_dir"
        started=$(date +%s%N)
        start_node 1 "$this"
        if ready_within 1 "$(seconds "$settle")"; then
            echo "node-1 ready after $(( ($(date +%s%N) - started) / 1000000 )) ms"
        else
            echo "node-1 NOT ready within $settle: $(curl -s "http://127.0.0.1:$((base + 201))/health")"
            status=1
        fi
        "$cachectl" --host "127.0.0.1:$((base + 1))" verify --expect "$logs/expected.tsv" || status=$?
        ;;
esac
for n in 1 2 3; do echo "node-$n rejected frames: $(grep -c "rejected frame" "$logs/node-$n.log" || true)"; done
log "logs in $logs"
exit "$status"
