#!/usr/bin/env bash
# Manages a local Ringtail cluster on 127.0.0.1, for people and for tests.
#
#   scripts/cluster.sh up [--nodes 3] [--replicas 3] [-- extra cache-node flags]
#   scripts/cluster.sh down                 stop every node gracefully (SIGTERM, then SIGKILL)
#   scripts/cluster.sh status               process states and the cluster as node-1 sees it
#   scripts/cluster.sh kill NODE            SIGKILL
#   scripts/cluster.sh pause NODE           SIGSTOP
#   scripts/cluster.sh resume NODE          SIGCONT
#   scripts/cluster.sh restart NODE         start a stopped or killed node again (empty, same address)
#   scripts/cluster.sh add [NODE]           start one more node joining the cluster
#   scripts/cluster.sh leave NODE           graceful shutdown: the node announces it leaves
#   scripts/cluster.sh address NODE         print a node's host:port
#   scripts/cluster.sh redis-address NODE   print a node's Redis host:port (needs RINGTAIL_REDIS_BASE_PORT)
#   scripts/cluster.sh wait-members N [SECONDS]   wait until node-1 sees N alive members
#
# NODE is node-3 or 3. PIDs, arguments and logs live in $RINGTAIL_CLUSTER_DIR (default
# .ringtail/cluster). Only processes recorded there, and verified to be that node's
# cache-node, are ever signalled.
# Environment: RINGTAIL_BUILD_CONFIG=debug|release (default release), RINGTAIL_BASE_PORT
# (default 7101: node-i listens on base+i-1), RINGTAIL_REDIS_BASE_PORT (unset: no Redis
# listener; else node-i gets --redis-listen on base+i-1), RINGTAIL_MEMBERSHIP_PROFILE
# (default local).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir="${RINGTAIL_CLUSTER_DIR:-$RINGTAIL_ROOT/.ringtail/cluster}"
config="${RINGTAIL_BUILD_CONFIG:-release}"
base_port="${RINGTAIL_BASE_PORT:-7101}"
profile="${RINGTAIL_MEMBERSHIP_PROFILE:-local}"
redis_base_port="${RINGTAIL_REDIS_BASE_PORT:-}"

node_name() { local n="${1#node-}"; [[ "$n" =~ ^[0-9]+$ ]] || die "bad node name '$1'"; echo "node-$n"; }
node_index() { local name; name="$(node_name "$1")"; echo "${name#node-}"; }
node_address() { echo "127.0.0.1:$((base_port + $(node_index "$1") - 1))"; }
node_redis_address() {
    [ -n "$redis_base_port" ] || die "RINGTAIL_REDIS_BASE_PORT is not set: nodes have no Redis listener"
    echo "127.0.0.1:$((redis_base_port + $(node_index "$1") - 1))"
}
bin_dir() { cat "$dir/bin" 2>/dev/null || die "no cluster in $dir (run: scripts/cluster.sh up)"; }

# The recorded PID of a node if that process is still this node's cache-node; else nothing.
node_pid() {
    local name pid; name="$(node_name "$1")"
    pid="$(cat "$dir/$name.pid" 2>/dev/null)" || return 0
    [ -r "/proc/$pid/cmdline" ] || return 0
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "cache-node .*--node-id $name " && echo "$pid"
    return 0
}

known_nodes() { ls "$dir"/node-*.args 2>/dev/null | sed 's#.*/##; s#\.args$##' | sort -V; }

start_node() {
    local name="$1"; shift
    local address; address="$(node_address "$name")"
    [ -n "$(node_pid "$name")" ] && die "$name is already running"
    local args=(--node-id "$name" --listen "$address" --membership-profile "$profile")
    [ -n "$redis_base_port" ] && args+=(--redis-listen "$(node_redis_address "$name")")
    args+=("$@")
    printf '%s\n' "${args[@]}" >"$dir/$name.args"
    "$(bin_dir)/cache-node" "${args[@]}" >>"$dir/$name.log" 2>&1 &
    echo $! >"$dir/$name.pid"
    wait_for_port "$address" 30 || { tail -20 "$dir/$name.log" >&2; die "$name did not start"; }
    log "$name up at $address (pid $(cat "$dir/$name.pid"))"
}

restart_node() {
    local name; name="$(node_name "$1")"
    [ -f "$dir/$name.args" ] || die "$name was never started here"
    local saved=() args=() i seeds; mapfile -t saved <"$dir/$name.args"
    [ -n "$(node_pid "$name")" ] && die "$name is still running"
    # Rejoin through whoever runs now (node-1's saved arguments have no seeds at all).
    for ((i = 0; i < ${#saved[@]}; i++)); do
        if [ "${saved[$i]}" = "--join" ]; then i=$((i + 1)); else args+=("${saved[$i]}"); fi
    done
    seeds="$(seeds_except "$name")"
    [ -n "$seeds" ] && args+=(--join "$seeds")
    "$(bin_dir)/cache-node" "${args[@]}" >>"$dir/$name.log" 2>&1 &
    echo $! >"$dir/$name.pid"
    wait_for_port "$(node_address "$name")" 30 || { tail -20 "$dir/$name.log" >&2; die "$name did not restart"; }
    log "$name restarted (pid $(cat "$dir/$name.pid"))"
}

signal_node() {
    local signal="$1" name pid; name="$(node_name "$2")"; pid="$(node_pid "$name")"
    [ -n "$pid" ] || die "$name is not running (or not ours)"
    kill "-$signal" "$pid"
    log "sent SIG$signal to $name (pid $pid)"
}

stop_node() {
    local name pid; name="$(node_name "$1")"; pid="$(node_pid "$name")"
    [ -n "$pid" ] || return 0
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; log "$name did not stop in 10 s: killed"; fi
    rm -f "$dir/$name.pid"
}

seeds_except() {
    local skip="$1" seeds=() name
    for name in $(known_nodes); do
        [ "$name" = "$skip" ] && continue
        [ -n "$(node_pid "$name")" ] && seeds+=("$(node_address "$name")")
    done
    (IFS=,; echo "${seeds[*]}")
}

ctl() { "$(bin_dir)/cachectl" "$@"; }

alive_members_seen_by() {
    ctl --host "$(node_address "$1")" --timeout 2s cluster --json 2>/dev/null |
        python3 -c 'import json,sys; print(sum(1 for m in json.load(sys.stdin)["members"] if m["state"]=="alive"))' 2>/dev/null || echo 0
}

wait_members() {
    local want="$1" seconds="${2:-60}" deadline=$((SECONDS + ${2:-60})) name first
    first="$(known_nodes | while read -r n; do [ -n "$(node_pid "$n")" ] && { echo "$n"; break; }; done)"
    [ -n "$first" ] || die "no running node"
    while [ $SECONDS -lt $deadline ]; do
        [ "$(alive_members_seen_by "$first")" -ge "$want" ] && { log "$first sees $want alive members"; return 0; }
        sleep 0.3
    done
    die "$first did not see $want alive members within $seconds s"
}

command="${1:-}"; shift || true
case "$command" in
    up)
        nodes=3; replicas=3; extra=()
        while [ $# -gt 0 ]; do
            case "$1" in
                --nodes) nodes="$2"; shift 2 ;;
                --replicas) replicas="$2"; shift 2 ;;
                --) shift; extra=("$@"); break ;;
                *) die "unknown option $1" ;;
            esac
        done
        mkdir -p "$dir"
        for name in $(known_nodes); do [ -n "$(node_pid "$name")" ] && die "a cluster is already running in $dir (scripts/cluster.sh down)"; done
        rm -f "$dir"/node-*
        ensure_system_packages
        log "building ($config)"
        (cd "$RINGTAIL_ROOT" && swift build -c "$config" --product cache-node >&2 && swift build -c "$config" --product cachectl >&2)
        (cd "$RINGTAIL_ROOT" && swift build -c "$config" --show-bin-path) >"$dir/bin"
        quorum=$(( replicas / 2 + 1 ))
        printf '%s\n' --replicas "$replicas" --write-quorum "$quorum" --read-quorum "$quorum" "${extra[@]}" >"$dir/common.args"
        mapfile -t common <"$dir/common.args"
        start_node node-1 "${common[@]}"
        for i in $(seq 2 "$nodes"); do
            start_node "node-$i" --join "$(node_address node-1)" "${common[@]}"
        done
        wait_members "$nodes" 60
        ;;
    down)
        for name in $(known_nodes); do stop_node "$name"; done
        log "all nodes stopped (logs kept in $dir)"
        ;;
    status)
        for name in $(known_nodes); do
            pid="$(node_pid "$name")"
            if [ -z "$pid" ]; then state="stopped"
            elif [ "$(awk '{print $3}' "/proc/$pid/stat")" = "T" ]; then state="paused (pid $pid)"
            else state="running (pid $pid)"; fi
            printf '%-8s %-16s %s\n' "$name" "$(node_address "$name")" "$state"
        done
        for name in $(known_nodes); do
            if [ -n "$(node_pid "$name")" ] && [ "$(awk '{print $3}' "/proc/$(node_pid "$name")/stat")" != "T" ]; then
                echo; ctl --host "$(node_address "$name")" cluster; break
            fi
        done
        ;;
    kill) signal_node KILL "$1"; rm -f "$dir/$(node_name "$1").pid" ;;
    pause) signal_node STOP "$1" ;;
    resume) signal_node CONT "$1" ;;
    restart) restart_node "$1" ;;
    leave) stop_node "$1"; log "$(node_name "$1") left" ;;
    add)
        if [ $# -gt 0 ]; then name="$(node_name "$1")"
        else last="$(known_nodes | tail -1)"; name="node-$(( ${last#node-} + 1 ))"; fi
        mapfile -t common <"$dir/common.args"
        start_node "$name" --join "$(seeds_except "$name")" "${common[@]}"
        ;;
    address) node_address "$1" ;;
    redis-address) node_redis_address "$1" ;;
    wait-members) wait_members "$@" ;;
    *) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 64 ;;
esac
