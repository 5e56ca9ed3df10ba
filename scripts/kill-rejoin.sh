#!/usr/bin/env bash
# Scripted fault scenarios for anti-entropy on a local cluster: load known keys, break a node,
# keep writing, bring it back (empty), wait until anti-entropy reports every partition in sync,
# then verify every key on every replica (read directly, no read repair) and that all replica
# roots are equal. Prints what it did and found; exits non-zero on any mismatch or timeout;
# stops every node it started (by PID, through scripts/cluster.sh) whatever happens.
#
#   scripts/kill-rejoin.sh [--short] [SCENARIO]
#
# Scenarios: kill-restart (default: 3 nodes, SIGKILL node-3, restart it empty),
#            two-kills    (5 nodes, SIGKILL node-2 and later node-4, each restarted empty),
#            add-node     (3 loaded nodes with N=2, a 4th joins and is filled; the partitions the
#                          others lost are dropped from them),
#            leave-rejoin (4 nodes with N=3, node-3 leaves gracefully, writes go on, node-3 comes
#                          back under a new address; filled, and handed-off data dropped),
#            all          (each of the above in turn).
# After a ring change the verification also reads every key from the nodes that do not
# replicate it: any copy left there is a mismatch (data no longer replicated is dropped).
# --short uses fewer keys and partitions (it runs in the test suite); the default is the long
# version for people. Environment: RINGTAIL_BUILD_CONFIG (default release), RINGTAIL_BASE_PORT
# (default 7501), KILL_REJOIN_TIMEOUT (seconds to wait for sync, default 300; 120 with --short),
# KILL_REJOIN_NO_REPAIR=1 (negative control: nodes run with anti-entropy off and the script
# verifies after a short pause instead of waiting for sync; it must then report mismatches).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

short=false
scenario=kill-restart
for arg in "$@"; do
    case "$arg" in
        --short) short=true ;;
        kill-restart|two-kills|add-node|leave-rejoin|all) scenario="$arg" ;;
        *) die "unknown argument '$arg' (see the header of $0)" ;;
    esac
done

if $short; then keys=300; partitions=256; timeout_s="${KILL_REJOIN_TIMEOUT:-120}"
else keys=20000; partitions=4096; timeout_s="${KILL_REJOIN_TIMEOUT:-300}"; fi
export RINGTAIL_BASE_PORT="${RINGTAIL_BASE_PORT:-7501}"
work="$(mktemp -d /tmp/ringtail-kill-rejoin.XXXXXX)"
export RINGTAIL_CLUSTER_DIR="$work/cluster"
expect="$work/expected.tsv"
cluster() { "$RINGTAIL_ROOT/scripts/cluster.sh" "$@"; }
cleanup() { cluster down >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ctl() { "$(cat "$RINGTAIL_CLUSTER_DIR/bin")/cachectl" --host "$(cluster address 1)" "$@"; }
fill() { ctl fill --prefix "$1" --count "$2" --delete-every 7 --expect "$expect" >/dev/null; log "wrote $2 keys $1* (every 7th deleted again)"; }

# Waits until every alive node reports all its partitions in sync.
wait_in_sync() {
    if [ -n "${KILL_REJOIN_NO_REPAIR:-}" ]; then sleep 3; log "anti-entropy is off: not waiting for sync"; return 0; fi
    local started=$SECONDS deadline=$((SECONDS + timeout_s))
    while [ $SECONDS -lt $deadline ]; do
        if ctl repair status --json 2>/dev/null | python3 -c '
import json, sys
nodes = json.load(sys.stdin)["nodes"]
ok = nodes and all(n["inSync"] == n["partitions"] and n["outOfSync"] == 0 and n["ready"] and n["handingOff"] == 0 for n in nodes)
sys.exit(0 if ok else 1)'; then
            log "anti-entropy reports every partition in sync, every node filled, nothing left to hand off after $((SECONDS - started)) s"
            return 0
        fi
        sleep 1
    done
    ctl repair status || true
    die "not in sync within $timeout_s s"
}

# Waits until NODE says every partition it replicates is filled; logs how long that took
# since STARTED_NS (date +%s%N taken just before the node was started).
wait_ready() {
    [ -n "${KILL_REJOIN_NO_REPAIR:-}" ] && return 0
    local name="node-${1#node-}" started_ns="$2" deadline=$((SECONDS + timeout_s))
    while [ $SECONDS -lt $deadline ]; do
        if ctl repair status --json 2>/dev/null | NODE="$name" python3 -c '
import json, os, sys
nodes = [n for n in json.load(sys.stdin)["nodes"] if n["node"] == os.environ["NODE"]]
sys.exit(0 if nodes and nodes[0]["ready"] else 1)'; then
            log "$name is filled (its reads count toward R) $(( ($(date +%s%N) - started_ns) / 1000000 )) ms after it was started"
            return 0
        fi
        sleep 0.2
    done
    die "$name not filled within $timeout_s s"
}

# Verifies every key on every replica and all roots; with "strays", also that nodes which do
# not replicate a key hold no copy of it.
verify() {
    local extra=()
    [ "${1:-}" = strays ] && extra=(--no-strays)
    log "verifying every key on every replica and all partition roots${extra:+, and no copies on non-replicas}"
    ctl verify --expect "$expect" --roots "${extra[@]}" || die "verification failed"
}

# Prints how many partitions and keys each node dropped after handing them off.
report_drops() {
    ctl repair status --json | python3 -c '
import json, sys
for n in json.load(sys.stdin)["nodes"]:
    print("    %s: dropped %d handed-off partitions (%d keys)" % (n["node"], n["partitionsDropped"], n["keysDropped"]))'
}

start() {
    local repair=on replicas="${2:-3}"
    [ -n "${KILL_REJOIN_NO_REPAIR:-}" ] && repair=off
    cluster up --nodes "$1" --replicas "$replicas" -- --partitions "$partitions" --anti-entropy-interval 500ms \
        --tombstone-grace 1h --anti-entropy "$repair" >/dev/null
    log "cluster of $1 nodes up ($partitions partitions, N=$replicas, W=R=$((replicas / 2 + 1)))"
}

run_kill_restart() {
    start 3
    fill a- "$keys"
    cluster kill 3 >/dev/null; log "SIGKILLed node-3"
    fill b- "$keys"
    local t0; t0=$(date +%s%N)
    cluster restart 3 >/dev/null; log "restarted node-3 empty"
    wait_ready 3 "$t0"
    wait_in_sync
    verify
}

run_two_kills() {
    start 5
    fill a- "$keys"
    cluster kill 2 >/dev/null; log "SIGKILLed node-2"
    fill b- "$keys"
    cluster restart 2 >/dev/null; log "restarted node-2 empty"
    wait_in_sync
    cluster kill 4 >/dev/null; log "SIGKILLed node-4"
    fill c- "$keys"
    cluster restart 4 >/dev/null; log "restarted node-4 empty"
    wait_in_sync
    verify
}

run_add_node() {
    start 3 2
    fill a- "$keys"
    local t0; t0=$(date +%s%N)
    cluster add 4 >/dev/null; log "added node-4 to the loaded cluster"
    cluster wait-members 4 60 >/dev/null
    fill b- "$keys"
    wait_ready 4 "$t0"
    wait_in_sync
    verify strays
    report_drops
}

run_leave_rejoin() {
    start 4 3
    fill a- "$keys"
    cluster leave 3 >/dev/null; log "node-3 left gracefully"
    fill b- "$keys"
    wait_in_sync
    local port=$((RINGTAIL_BASE_PORT + 10)) t0
    t0=$(date +%s%N)
    cluster restart 3 --port "$port" >/dev/null; log "node-3 started again, empty, under a new address 127.0.0.1:$port"
    cluster wait-members 4 60 >/dev/null
    fill c- "$keys"
    wait_ready 3 "$t0"
    wait_in_sync
    verify strays
    report_drops
}

run() {
    log "scenario $1"
    rm -f "$expect"
    "run_${1//-/_}"
    cluster down >/dev/null
    log "scenario $1 passed"
}

ensure_system_packages
if [ "$scenario" = all ]; then
    for s in kill-restart two-kills add-node leave-rejoin; do run "$s"; done
else
    run "$scenario"
fi
rm -rf "$work"
