#!/usr/bin/env bash
# Manages a local Ringtail cluster on 127.0.0.1, for people and for tests.
#
#   scripts/cluster.sh up [--nodes 3] [--replicas 3] [-- extra cache-node flags]
#   scripts/cluster.sh down                 stop every node gracefully (SIGTERM, then SIGKILL)
#   scripts/cluster.sh status               process states and the cluster as node-1 sees it
#   scripts/cluster.sh kill NODE            SIGKILL
#   scripts/cluster.sh pause NODE           SIGSTOP
#   scripts/cluster.sh resume NODE          SIGCONT
#   scripts/cluster.sh restart NODE [--port P]   start a stopped or killed node again (empty;
#                                           same address, or port P from now on)
#   scripts/cluster.sh add [NODE] [-- extra cache-node flags]   start one more node joining the cluster
#   scripts/cluster.sh leave NODE           graceful shutdown: the node announces it leaves
#   scripts/cluster.sh address NODE         print a node's host:port
#   scripts/cluster.sh redis-address NODE   print a node's Redis host:port (needs RINGTAIL_REDIS_BASE_PORT)
#   scripts/cluster.sh wait-members N [SECONDS]   wait until every running node sees N alive members
#   scripts/cluster.sh partition 1,2/3      cut node-to-node traffic between groups (namespace mode)
#   scripts/cluster.sh heal                 remove every partition rule
#
# NODE is node-3 or 3. PIDs, arguments and logs live in $RINGTAIL_CLUSTER_DIR (default
# .ringtail/cluster). Only processes recorded there, and verified to be that node's
# cache-node, are ever signalled.
# Environment: RINGTAIL_BUILD_CONFIG=debug|release (default release), RINGTAIL_BASE_PORT
# (default 7101: node-i listens on base+i-1), RINGTAIL_REDIS_BASE_PORT (unset: no Redis
# listener; else node-i gets --redis-listen on base+i-1), RINGTAIL_MEMBERSHIP_PROFILE
# (default local), RINGTAIL_BIN_DIR (at `up`: run the cache-node in that directory, no build).
#
# Namespace mode (RINGTAIL_NETNS=1 at `up`, needs root): every node runs in a network namespace
# of its own (PREFIX+BASE_PORT-node-i), joined by a veth pair to a bridge in this namespace
# (10.77.X.0/24, X = BASE_PORT/100 mod 256; node-i is 10.77.X.(10+i)). Clients here still reach
# every node; `partition` cuts node-to-node traffic between groups with iptables DROP rules
# inside the namespaces (groups separated by '/', nodes in no group keep talking to everyone:
# `partition 1/2` makes node-3 a bridge). `down` deletes every namespace, veth and bridge it
# created. `partition` exits 3 when the cluster is not in namespace mode. RINGTAIL_NETNS_PREFIX
# (default rt) prefixes the names.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir="${RINGTAIL_CLUSTER_DIR:-$RINGTAIL_ROOT/.ringtail/cluster}"
config="${RINGTAIL_BUILD_CONFIG:-release}"
base_port="${RINGTAIL_BASE_PORT:-7101}"
profile="${RINGTAIL_MEMBERSHIP_PROFILE:-local}"
redis_base_port="${RINGTAIL_REDIS_BASE_PORT:-}"

node_name() { local n="${1#node-}"; [[ "$n" =~ ^[0-9]+$ ]] || die "bad node name '$1'"; echo "node-$n"; }
node_index() { local name; name="$(node_name "$1")"; echo "${name#node-}"; }
# A node restarted with --port keeps its new address in $dir/NODE.address.
node_host() { if netns_mode; then node_ip "$1"; else echo 127.0.0.1; fi; }
node_address() {
    local name; name="$(node_name "$1")"
    if [ -f "$dir/$name.address" ]; then cat "$dir/$name.address"
    else echo "$(node_host "$name"):$((base_port + $(node_index "$name") - 1))"; fi
}
node_redis_address() {
    [ -n "$redis_base_port" ] || die "RINGTAIL_REDIS_BASE_PORT is not set: nodes have no Redis listener"
    echo "$(node_host "$1"):$((redis_base_port + $(node_index "$1") - 1))"
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

# Namespace mode: the names and subnet are fixed at `up` and recorded in $dir/netns; every
# namespace and link created is listed in $dir/netns.created, for `down` to delete.
netns_mode() { [ -f "$dir/netns" ]; }
netns_tag="${RINGTAIL_NETNS_PREFIX:-rt}$base_port"
netns_subnet="10.77.$(( base_port / 100 % 256 ))"
if [ -f "$dir/netns" ]; then read -r netns_tag netns_subnet <"$dir/netns"; fi
node_namespace() { echo "$netns_tag-$(node_name "$1")"; }
node_ip() { echo "$netns_subnet.$((10 + $(node_index "$1")))"; }

netns_create_bridge() {
    local bridge="${netns_tag}br"
    ip link add "$bridge" type bridge || die "cannot create bridge $bridge"
    echo "link $bridge" >>"$dir/netns.created"
    ip addr add "$netns_subnet.1/24" dev "$bridge"
    ip link set "$bridge" up
}

# The node's namespace, its veth pair to the bridge and its address; kept across restarts.
netns_create_node() {
    local name="$1" ns veth
    ns="$(node_namespace "$name")"; veth="${netns_tag}v$(node_index "$name")"
    [ -e "/run/netns/$ns" ] && return 0
    ip netns add "$ns" || die "cannot create network namespace $ns"
    echo "netns $ns" >>"$dir/netns.created"
    ip link add "$veth" type veth peer name eth0 netns "$ns" || die "cannot create veth $veth"
    echo "link $veth" >>"$dir/netns.created"
    ip link set "$veth" master "${netns_tag}br" up
    ip -n "$ns" addr add "$(node_ip "$name")/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
}

# Deletes what netns_create_* made, newest first; idempotent.
netns_teardown() {
    [ -f "$dir/netns.created" ] || { rm -f "$dir/netns"; return 0; }
    local kind name
    tac "$dir/netns.created" | while read -r kind name; do
        case "$kind" in
            netns) ip netns del "$name" 2>/dev/null || true ;;
            link) ip link del "$name" 2>/dev/null || true ;;
        esac
    done
    rm -f "$dir/netns.created" "$dir/netns"
    log "network namespaces, veths and bridge deleted"
}

# The command that runs cache-node for a node: inside its namespace in namespace mode.
node_launcher() {
    if netns_mode; then echo "ip netns exec $(node_namespace "$1") $(bin_dir)/cache-node"
    else echo "$(bin_dir)/cache-node"; fi
}

in_namespace() { local ns; ns="$(node_namespace "$1")"; shift; ip netns exec "$ns" "$@"; }

# DROP both ways between every node of one group and every node of another.
partition_groups() {
    netns_mode || { echo "error: this cluster does not run in network namespaces (start it with RINGTAIL_NETNS=1): cannot partition" >&2; exit 3; }
    ensure_iptables
    local groups=() a b i j
    IFS=/ read -r -a groups <<<"$1"
    [ ${#groups[@]} -ge 2 ] || die "partition needs two groups or more, e.g. 1,2/3"
    for ((a = 0; a < ${#groups[@]}; a++)); do
        [ -n "${groups[$a]}" ] || die "empty group in '$1'"
        for i in ${groups[$a]//,/ }; do
            [ -f "$dir/$(node_name "$i").args" ] || die "$(node_name "$i") is not a node of this cluster"
        done
    done
    for ((a = 0; a < ${#groups[@]}; a++)); do
        for ((b = a + 1; b < ${#groups[@]}; b++)); do
            for i in ${groups[$a]//,/ }; do
                for j in ${groups[$b]//,/ }; do
                    cut_between "$i" "$j"; cut_between "$j" "$i"
                done
            done
        done
    done
    log "partitioned: ${1//\// | }"
}

cut_between() {
    local peer; peer="$(node_ip "$2")"
    in_namespace "$1" iptables -A INPUT -s "$peer" -j DROP || die "cannot add a DROP rule in $(node_namespace "$1")"
    in_namespace "$1" iptables -A OUTPUT -d "$peer" -j DROP || die "cannot add a DROP rule in $(node_namespace "$1")"
}

# Flushes the filter table in every node's namespace and checks that no rule is left.
heal_partitions() {
    netns_mode || { echo "error: this cluster does not run in network namespaces: nothing to heal" >&2; exit 3; }
    local name left
    for name in $(known_nodes); do
        [ -e "/run/netns/$(node_namespace "$name")" ] || continue
        in_namespace "$name" iptables -F
        left="$(in_namespace "$name" iptables -S | grep -c -- '^-A' || true)"
        [ "$left" = 0 ] || die "$left rules left in $(node_namespace "$name") after flushing"
    done
    log "healed: no partition rule left"
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
    if netns_mode; then netns_create_node "$name"; fi
    local launcher; launcher="$(node_launcher "$name")"
    $launcher "${args[@]}" >>"$dir/$name.log" 2>&1 &
    echo $! >"$dir/$name.pid"
    wait_for_port "$address" 30 || { tail -20 "$dir/$name.log" >&2; die "$name did not start"; }
    log "$name up at $address (pid $(cat "$dir/$name.pid"))"
}

restart_node() {
    local name; name="$(node_name "$1")"
    [ -f "$dir/$name.args" ] || die "$name was never started here"
    local saved=() args=() i seeds port=""; mapfile -t saved <"$dir/$name.args"
    [ -n "$(node_pid "$name")" ] && die "$name is still running"
    if [ "${2:-}" = "--port" ]; then
        port="${3:-}"; [[ "$port" =~ ^[0-9]+$ ]] || die "--port needs a number"
    fi
    # Rejoin through whoever runs now (node-1's saved arguments have no seeds at all).
    for ((i = 0; i < ${#saved[@]}; i++)); do
        if [ "${saved[$i]}" = "--join" ]; then i=$((i + 1))
        elif [ -n "$port" ] && [ "${saved[$i]}" = "--listen" ]; then i=$((i + 1)); args+=(--listen "$(node_host "$name"):$port")
        else args+=("${saved[$i]}"); fi
    done
    if [ -n "$port" ]; then
        echo "$(node_host "$name"):$port" >"$dir/$name.address"
        printf '%s\n' "${args[@]}" >"$dir/$name.args"
    fi
    seeds="$(seeds_except "$name")"
    [ -n "$seeds" ] && args+=(--join "$seeds")
    if netns_mode; then netns_create_node "$name"; fi
    local launcher; launcher="$(node_launcher "$name")"
    $launcher "${args[@]}" >>"$dir/$name.log" 2>&1 &
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

# Every running node must see N alive members: after a partition heals, each side has to
# take the other back, not only node-1.
wait_members() {
    local want="$1" seconds="${2:-60}" deadline=$((SECONDS + ${2:-60})) name running=() behind
    for name in $(known_nodes); do [ -n "$(node_pid "$name")" ] && running+=("$name"); done
    [ ${#running[@]} -gt 0 ] || die "no running node"
    while [ $SECONDS -lt $deadline ]; do
        behind=""
        for name in "${running[@]}"; do
            [ "$(alive_members_seen_by "$name")" -ge "$want" ] || { behind="$name"; break; }
        done
        [ -z "$behind" ] && { log "${running[*]} see $want alive members"; return 0; }
        sleep 0.3
    done
    die "$behind did not see $want alive members within $seconds s"
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
        netns_teardown
        if [ "${RINGTAIL_NETNS:-0}" = 1 ]; then
            netns_available || die "network namespaces are not available here (ip netns add failed; root needed)"
            echo "$netns_tag $netns_subnet" >"$dir/netns"
            netns_create_bridge
        fi
        ensure_system_packages
        if [ -n "${RINGTAIL_BIN_DIR:-}" ]; then
            # Prebuilt binaries (an older build kept for a before/after benchmark).
            [ -x "$RINGTAIL_BIN_DIR/cache-node" ] || die "no cache-node in RINGTAIL_BIN_DIR=$RINGTAIL_BIN_DIR"
            echo "$RINGTAIL_BIN_DIR" >"$dir/bin"
        else
            log "building ($config)"
            (cd "$RINGTAIL_ROOT" && swift_build "$config" --product cache-node >&2 && swift_build "$config" --product cachectl >&2)
            (cd "$RINGTAIL_ROOT" && swift_build "$config" --show-bin-path) >"$dir/bin"
        fi
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
        netns_teardown
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
    restart) restart_node "$@" ;;
    leave) stop_node "$1"; log "$(node_name "$1") left" ;;
    add)
        if [ $# -gt 0 ] && [ "$1" != "--" ]; then name="$(node_name "$1")"; shift
        else last="$(known_nodes | tail -1)"; name="node-$(( ${last#node-} + 1 ))"; fi
        [ $# -gt 0 ] && { [ "$1" = "--" ] || die "usage: add [NODE] [-- extra cache-node flags]"; shift; }
        mapfile -t common <"$dir/common.args"
        start_node "$name" --join "$(seeds_except "$name")" "${common[@]}" "$@"
        ;;
    address) node_address "$1" ;;
    redis-address) node_redis_address "$1" ;;
    wait-members) wait_members "$@" ;;
    partition) [ $# -eq 1 ] || die "usage: partition GROUP/GROUP[/...], e.g. 1,2/3"; partition_groups "$1" ;;
    heal) heal_partitions ;;
    *) sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//'; exit 64 ;;
esac
