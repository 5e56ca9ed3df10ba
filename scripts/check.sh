#!/usr/bin/env bash
# Runs cache-checker against a fresh local cluster (3 nodes, N=3) in a scenario, then stops
# every node it started (by PID, through scripts/cluster.sh) whatever happens.
#
#   scripts/check.sh SCENARIO [--short]
#
# Scenarios:
#   steady   no faults, W=2 R=2: stale reads are errors too
#   kill     SIGKILL a random node and restart it empty, repeatedly
#   pause    SIGSTOP a random node and SIGCONT it, repeatedly
#   partition real network partitions, in turn: one node cut off from the other two
#            (minority | majority), and two nodes cut off from each other with the third as
#            the bridge. Nodes run in network namespaces (needs root); where namespaces
#            cannot be created the scenario says so and runs with those faults skipped
#   rejoin-empty  a random node leaves gracefully while writes go on, then rejoins empty
#   flush    FLUSHALL through a random node every 2 s while a random node is paused (SIGSTOP) and
#            resumed in turn: each flush is judged as a delete of every key, so a value from
#            before it that survives or comes back (a paused member catching up by gossip)
#            is a lost write
#   skew     node-3's clock runs CHECK_SKEW_MS ms ahead (default 5000; negative: behind);
#            stale reads and lost updates that LWW's order explains are figures, not errors;
#            lost writes, phantoms and divergence still fail
#   broken   the negative control: anti-entropy off, W=1 R=1, writes only, one node killed and
#            restarted empty; the checker must find lost writes and exit 1
# The exit status is cache-checker's: 0 valid, 1 an invariant broken, 2 the run failed.
# --short runs for a few seconds (steady, kill, flush and broken run in the test suite). Outputs
# (report.json, latency.svg, history.jsonl, node logs) are kept in $CHECK_OUT (default
# .ringtail/check/SCENARIO).
# Environment: RINGTAIL_BUILD_CONFIG (default debug), RINGTAIL_BASE_PORT (default 18601),
# RINGTAIL_NETNS_PREFIX (prefix of the namespaces, veths and bridge; default rt).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario=""; short=false
for arg in "$@"; do
    case "$arg" in
        --short) short=true ;;
        steady|kill|pause|partition|rejoin-empty|flush|skew|broken) scenario="$arg" ;;
        *) die "unknown argument '$arg' (see the header of $0)" ;;
    esac
done
[ -n "$scenario" ] || { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 64; }

export RINGTAIL_BUILD_CONFIG="${RINGTAIL_BUILD_CONFIG:-debug}"
export RINGTAIL_BASE_PORT="${RINGTAIL_BASE_PORT:-18601}"
work="$(mktemp -d /tmp/ringtail-check.XXXXXX)"
export RINGTAIL_CLUSTER_DIR="$work/cluster"
out="${CHECK_OUT:-$RINGTAIL_ROOT/.ringtail/check/$scenario}"
cluster() { "$RINGTAIL_ROOT/scripts/cluster.sh" "$@"; }
cleanup() {
    cluster down >/dev/null 2>&1 || true
    mkdir -p "$out/logs" && cp "$RINGTAIL_CLUSTER_DIR"/node-*.log "$out/logs/" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Scenario settings: duration, fault interval, flags for the nodes and for the checker.
node_flags=(--partitions 256 --anti-entropy-interval 500ms --tombstone-grace 1h)
checker_flags=(--concurrency 8 --keys 100 --mix 45:45:10 --w 2 --r 2 --value-size 32 --op-timeout 1s)
case "$scenario" in
    steady) if $short; then duration=8s; else duration=30s; fi
            checker_flags+=(--stale-reads-are-errors) ;;
    kill)   if $short; then duration=16s; interval=6s; else duration=60s; interval=10s; fi
            checker_flags+=(--faults kill --fault-interval "$interval") ;;
    pause)  if $short; then duration=16s; interval=6s; else duration=60s; interval=10s; fi
            checker_flags+=(--faults pause --fault-interval "$interval") ;;
    partition)
            # Partitions last half an interval: long enough for SWIM to declare the other side
            # dead (about 5 s with the local profile), so healing exercises reconnection too.
            if $short; then duration=28s; interval=12s; else duration=90s; interval=14s; fi
            checker_flags+=(--faults partition,bridge --fault-interval "$interval") ;;
    rejoin-empty)
            if $short; then duration=16s; interval=6s; else duration=60s; interval=10s; fi
            checker_flags+=(--faults leave --fault-interval "$interval") ;;
    flush)  if $short; then duration=16s; interval=6s; else duration=60s; interval=10s; fi
            checker_flags+=(--faults pause --fault-interval "$interval" --flush-every 2s) ;;
    skew)   if $short; then duration=10s; else duration=30s; fi
            skew_ms="${CHECK_SKEW_MS:-5000}"
            [[ "$skew_ms" =~ ^-?[0-9]+$ ]] || die "CHECK_SKEW_MS must be a number of milliseconds"
            # A small key space makes writes to one key from different coordinators frequent.
            checker_flags=(--concurrency 8 --keys 20 --mix 45:45:10 --w 2 --r 2 --value-size 32 --op-timeout 1s
                           --lost-updates-are-figures) ;;
    broken) duration=10s
            node_flags+=(--anti-entropy off)
            # No reads: read repair would quietly fix what the control must expose.
            checker_flags=(--concurrency 8 --keys 2000 --mix 0:90:10 --w 1 --r 1 --value-size 32 --op-timeout 1s
                           --faults kill --fault-interval 9s --settle-timeout 3s) ;;
esac

ensure_system_packages
if [ "$scenario" = partition ]; then
    if netns_available; then
        ensure_iptables
        export RINGTAIL_NETNS=1
    else
        log "network namespaces are not available here (ip netns add failed; root needed): the partition faults will be skipped"
        export RINGTAIL_NETNS=0
    fi
fi
log "building cache-checker ($RINGTAIL_BUILD_CONFIG)"
(cd "$RINGTAIL_ROOT" && swift_build "$RINGTAIL_BUILD_CONFIG" --product cache-checker >&2)
bin="$(cd "$RINGTAIL_ROOT" && swift_build "$RINGTAIL_BUILD_CONFIG" --show-bin-path)"
if [ "$scenario" = skew ]; then
    cluster up --nodes 2 --replicas 3 -- "${node_flags[@]}" >/dev/null
    cluster add 3 -- "--clock-offset-ms=$skew_ms" >/dev/null
    cluster wait-members 3 60
    log "node-3's clock runs $skew_ms ms off"
else
    cluster up --nodes 3 --replicas 3 -- "${node_flags[@]}" >/dev/null
fi
hosts="$(cluster address 1),$(cluster address 2),$(cluster address 3)"
rm -rf "$out"; mkdir -p "$out"
log "scenario $scenario: cache-checker for $duration against $hosts (outputs in $out)"
status=0
# --foreground keeps cache-checker in our process group, so Ctrl-C reaches it too.
timeout --foreground 600 "$bin/cache-checker" --hosts "$hosts" --duration "$duration" --out "$out" \
    --cluster-dir "$RINGTAIL_CLUSTER_DIR" --cluster-script "$RINGTAIL_ROOT/scripts/cluster.sh" "${checker_flags[@]}" || status=$?
log "scenario $scenario: cache-checker exited $status"
exit "$status"
