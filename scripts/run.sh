#!/usr/bin/env bash
# Installs what is missing, builds Ringtail, starts a local 3-node cluster (N=3, W=2, R=2)
# on 127.0.0.1 and does real work with it: a write through one node read back from another.
#
#   scripts/run.sh            build (release), start the cluster, run the demo, then keep the
#                             cluster running until Ctrl-C (which stops every node)
#   scripts/run.sh --demo     the same, but stop the cluster after the demo (used by the tests)
#
# Environment: RINGTAIL_BUILD_CONFIG=debug|release (default release), RINGTAIL_BASE_PORT
# (default 7101: node-1 is 127.0.0.1:7101, node-2 :7102, node-3 :7103).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$RINGTAIL_ROOT"

demo_only=false
[ "${1:-}" = "--demo" ] && demo_only=true
export RINGTAIL_BASE_PORT="${RINGTAIL_BASE_PORT:-7101}"
export RINGTAIL_CLUSTER_DIR="${RINGTAIL_CLUSTER_DIR:-$RINGTAIL_ROOT/.ringtail/run}"
cluster() { "$RINGTAIL_ROOT/scripts/cluster.sh" "$@"; }

stop_cluster() { cluster down || true; }
trap stop_cluster EXIT
trap 'exit 130' INT TERM

cluster up --nodes 3 --replicas 3
bin="$(cat "$RINGTAIL_CLUSTER_DIR/bin")"
node1="$(cluster address 1)"; node2="$(cluster address 2)"; node3="$(cluster address 3)"

ctl() { local host="$1"; shift; echo "\$ cachectl --host $host $*" >&2; "$bin/cachectl" --host "$host" "$@"; }
log "demo: write through node-1, read through node-2 and node-3"
ctl "$node1" set greeting "hello from ringtail"
ctl "$node2" get greeting; echo
ctl "$node3" get greeting --json
ctl "$node1" set session:42 "expires soon" --ttl 30s
printf 'binary\x00value' | ctl "$node2" set blob -
ctl "$node3" get blob --json
ctl "$node1" ring --key greeting
ctl "$node2" delete greeting
ctl "$node3" get greeting || echo "(exit $?: not found, as expected)" >&2
ctl "$node1" stats
ctl "$node1" cluster

if $demo_only; then
    log "demo done; stopping the cluster"
    exit 0
fi
log "cluster running: node-1 $node1, node-2 $node2, node-3 $node3. Try: $bin/cachectl --host $node2 get blob"
log "scripts/cluster.sh status | kill 3 | restart 3 ... work on it (RINGTAIL_CLUSTER_DIR=$RINGTAIL_CLUSTER_DIR). Ctrl-C stops every node."
while :; do sleep 3600; done
