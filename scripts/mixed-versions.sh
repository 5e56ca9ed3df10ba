#!/usr/bin/env bash
# A rolling upgrade caught in the middle: a 3-node cluster (N=3, W=2, R=2) where node-2 runs
# another build than node-1 and node-3, under the consistency checker's workload (clients spread
# over all three nodes, so each build coordinates requests the other serves).
#
#   scripts/mixed-versions.sh --other DIR [--duration 15s] [--settle 20s] [--base-port 26000]
#
# DIR holds the other build's cache-node (e.g. a worktree of an earlier commit built with
# `swift build -c release --product cache-node`); node-1 and node-3 run this checkout's release
# build ($RINGTAIL_BIN_DIR when set). Prints the checker's verdict and each node's count of
# rejected frames. The checker's exit status is the script's: builds whose Merkle entry digests
# differ never agree on a root, so such a pair ends INVALID on "partitions with differing roots"
# even when no operation failed and no key diverged (see docs/ANTI-ENTROPY.md). Loopback only;
# every node is stopped by PID on exit. Not part of the test suite: it needs a second build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

other=""; duration=15s; settle=20s; base=26000
while [ $# -gt 0 ]; do
    case "$1" in
        --other) other="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --settle) settle="$2"; shift 2 ;;
        --base-port) base="$2"; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) die "unknown argument '$1' (see the header of $0)" ;;
    esac
done
[ -n "$other" ] && [ -x "$other/cache-node" ] || die "give --other DIR holding another build's cache-node"
bin_dir=$(release_bin_dir)
swift_build release --product cache-checker >&2
checker="$RINGTAIL_ROOT/.build/release/cache-checker"

logs=$(mktemp -d /tmp/ringtail-mixed.XXXXXX)
pids=()
stop_nodes() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_nodes EXIT
trap 'exit 143' INT TERM

common=(--replicas 3 --write-quorum 2 --read-quorum 2 --membership-profile local --partitions 256
    --anti-entropy-interval 500ms --tombstone-grace 1h)
hosts=()
for n in 1 2 3; do
    port=$((base + n)); admin=$((base + 200 + n))
    binary="$bin_dir/cache-node"; [ "$n" = 2 ] && binary="$other/cache-node"
    join=(); [ "$n" = 1 ] || join=(--join "127.0.0.1:$((base + 1))")
    "$binary" --node-id "node-$n" --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" \
        "${join[@]}" "${common[@]}" >"$logs/node-$n.log" 2>&1 & pids+=($!)
    wait_for_port "$port"
    hosts+=("127.0.0.1:$port")
done
for n in 1 2 3; do
    ready=""
    for _ in $(seq 300); do
        if curl -sf "http://127.0.0.1:$((base + 200 + n))/health" >/dev/null 2>&1; then ready=1; break; fi
        sleep 0.1
    done
    [ -n "$ready" ] || die "node-$n did not become ready (logs in $logs)"
done
log "node-1 and node-3: $bin_dir; node-2: $other"

status=0
"$checker" --hosts "$(IFS=,; echo "${hosts[*]}")" --duration "$duration" --settle-timeout "$settle" \
    --out "$logs/check" --concurrency 8 --keys 100 --mix 45:45:10 --w 2 --r 2 --value-size 32 \
    --op-timeout 1s >"$logs/checker.out" 2>&1 || status=$?
grep -v '^cache-checker: \[' "$logs/checker.out" || true
for n in 1 2 3; do
    rejected=$(grep -c "rejected frame" "$logs/node-$n.log" || true)
    echo "node-$n rejected frames: $rejected"
done
log "logs and the checker's history in $logs"
exit "$status"
