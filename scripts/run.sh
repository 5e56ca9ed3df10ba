#!/usr/bin/env bash
# Installs what is missing, builds Ringtail, starts a local node and does real work with it.
#
#   scripts/run.sh            build (release), start a node on 127.0.0.1:7001, run a short
#                             demo with cachectl, then keep the node running until Ctrl-C
#   scripts/run.sh --demo     the same, but stop the node after the demo (used by the tests)
#
# Environment: RINGTAIL_BUILD_CONFIG=debug|release (default release), RINGTAIL_PORT (7001).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$RINGTAIL_ROOT"

demo_only=false
[ "${1:-}" = "--demo" ] && demo_only=true
config="${RINGTAIL_BUILD_CONFIG:-release}"
port="${RINGTAIL_PORT:-7001}"
address="127.0.0.1:$port"

ensure_system_packages
log "building ($config)"
swift build -c "$config" --product cache-node
swift build -c "$config" --product cachectl
bin="$(swift build -c "$config" --show-bin-path)"

state_dir="$RINGTAIL_ROOT/.ringtail/run"
mkdir -p "$state_dir"
log "starting cache-node on $address (log: $state_dir/node.log)"
"$bin/cache-node" --node-id node-1 --listen "$address" --max-memory 256MiB >"$state_dir/node.log" 2>&1 &
node_pid=$!
echo "$node_pid" >"$state_dir/node.pid"
stop_node() {
    if kill -0 "$node_pid" 2>/dev/null; then
        kill -TERM "$node_pid" 2>/dev/null || true
        wait "$node_pid" 2>/dev/null || true
    fi
    rm -f "$state_dir/node.pid"
}
trap stop_node EXIT INT TERM

wait_for_port "$address" 30 || { cat "$state_dir/node.log" >&2; die "node did not start"; }

ctl() { echo "\$ cachectl $*" >&2; "$bin/cachectl" --host "$address" "$@"; }
log "demo"
ctl set greeting "hello from ringtail"
ctl get greeting; echo
ctl set session:42 "expires soon" --ttl 30s
ctl get session:42 --json
printf 'binary\x00value' | ctl set blob -
ctl get blob --json
ctl delete greeting
ctl get greeting || echo "(exit $? : not found, as expected)" >&2
ctl stats

if $demo_only; then
    log "demo done; stopping the node"
    exit 0
fi
log "node running on $address (pid $node_pid). Try: $bin/cachectl --host $address get blob. Ctrl-C stops it."
wait "$node_pid"
