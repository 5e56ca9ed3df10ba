# Shared helpers for Ringtail's scripts. Source it; don't run it.

# The repository root, whatever the caller's working directory.
RINGTAIL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs the Debian packages the build needs when they are missing (libsodium and jemalloc
# through pkg-config). Uses sudo when not root and sudo exists.
ensure_system_packages() {
    local missing=()
    pkg-config --exists libsodium 2>/dev/null || missing+=(libsodium-dev)
    pkg-config --exists jemalloc 2>/dev/null || missing+=(libjemalloc-dev)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install ${missing[*]}"
        sudo="sudo"
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    pkg-config --exists libsodium || die "libsodium still not found through pkg-config"
    pkg-config --exists jemalloc || die "jemalloc still not found through pkg-config"
}

# Installs the tools the Redis front-door tests drive when they are missing: redis-cli and
# redis-benchmark (Debian's redis-tools), redis-server (the `cachectl bench --resp` test runs it
# with a replica, on loopback ports of its own) and the Python redis package. Quiet and idempotent.
ensure_redis_test_tools() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
    if ! command -v redis-cli >/dev/null 2>&1 || ! command -v redis-benchmark >/dev/null 2>&1 \
        || ! command -v redis-server >/dev/null 2>&1; then
        log "installing redis-tools and redis-server"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools redis-server >/dev/null \
            || die "cannot install redis-tools and redis-server (needed by the Redis tests)"
    fi
    command -v python3 >/dev/null 2>&1 || die "python3 is needed by the Redis tests"
    if ! python3 -c "import redis" >/dev/null 2>&1; then
        log "installing the Python redis package"
        python3 -m pip install -q --disable-pip-version-check redis >/dev/null 2>&1 \
            || python3 -m pip install -q --disable-pip-version-check --break-system-packages redis >/dev/null 2>&1 \
            || die "cannot install the Python redis package (needed by the Redis tests)"
    fi
}

# Processes a script started, stopped by PID when it exits: add each one's PID with
# `tracked_pids+=($!)` and call `stop_tracked_on_exit` once.
tracked_pids=()
stop_tracked() {
    local pid
    for pid in "${tracked_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${tracked_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    tracked_pids=()
}
stop_tracked_on_exit() {
    trap stop_tracked EXIT
    trap 'exit 143' INT TERM
}

# Runs redis-benchmark against 127.0.0.1:PORT with REQUESTS requests of 100-byte values over
# 100,000 random keys and the test's words (e.g. "-t get -c 50"); prints "ops/s p50 p99" (ms),
# or "failed failed failed" when it stops early (an error reply; its message is above).
redis_benchmark_run() {
    local port="$1" requests="$2" test="$3" line rps p50 p99
    # shellcheck disable=SC2086 # the test is a list of redis-benchmark words
    line=$(timeout 300 redis-benchmark -p "$port" -n "$requests" -d 100 -r 100000 --csv $test | tail -1) \
        || line="failed,failed,,,failed,,failed"
    IFS=, read -r _ rps _ _ p50 _ p99 _ <<< "${line//\"/}"
    echo "$rps $p50 $p99"
}

# Waits until host:port accepts TCP connections, up to $2 seconds.
wait_for_port() {
    local address="$1" seconds="${2:-30}" host port
    host="${address%:*}"; port="${address##*:}"
    local deadline=$((SECONDS + seconds))
    while [ $SECONDS -lt $deadline ]; do
        (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

# Installs iptables when missing (the partition faults cut traffic with it inside network
# namespaces). Quiet and idempotent.
ensure_iptables() {
    command -v iptables >/dev/null 2>&1 && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
    log "installing iptables"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iptables >/dev/null \
        || die "cannot install iptables (needed for network partitions)"
}

# Succeeds when this machine lets us create network namespaces (tries a probe namespace).
netns_available() {
    command -v ip >/dev/null 2>&1 || return 1
    local probe="rtprobe$$"
    ip netns add "$probe" >/dev/null 2>&1 || return 1
    ip netns del "$probe" >/dev/null 2>&1 || true
    return 0
}

# `swift build` for configuration $1 (debug or release) with the rest of the arguments. Release
# builds link the Swift runtime statically (~0.5 µs less user time per unpipelined request: no
# PLT calls into libswiftCore, no `__tls_get_addr`) and compile every module, SwiftNIO's too,
# without runtime exclusivity checks (NIO's `ByteBuffer` writes checked each one: 7% of a
# replica's CPU; −7 to −10% CPU per request in a cluster), with cross-module optimization (our
# calls into NIO specialized and inlined: −8 to −10% user time per unpipelined request on a
# lone node). Debug builds, and so the tests, keep the checks. See docs/BENCHMARKS.md. Every release build goes through here so the flags never
# differ between two builds of the same directory (which would rebuild everything).
swift_build() {
    local config=$1; shift
    if [ "$config" = release ]; then
        swift build -c release --static-swift-stdlib -Xswiftc -enforce-exclusivity=unchecked \
            -Xswiftc -cross-module-optimization "$@"
    else
        swift build -c "$config" "$@"
    fi
}

# Prints the directory holding release cache-node and cachectl: $RINGTAIL_BIN_DIR when set
# (prebuilt binaries, e.g. an older build for a side-by-side run), else builds them here.
release_bin_dir() {
    if [ -n "${RINGTAIL_BIN_DIR:-}" ]; then
        [ -x "$RINGTAIL_BIN_DIR/cache-node" ] && [ -x "$RINGTAIL_BIN_DIR/cachectl" ] \
            || die "no cache-node and cachectl in RINGTAIL_BIN_DIR=$RINGTAIL_BIN_DIR"
        log "using the binaries in $RINGTAIL_BIN_DIR (RINGTAIL_BIN_DIR), not building"
        echo "$RINGTAIL_BIN_DIR"
        return
    fi
    log "building cache-node and cachectl (release)"
    # One `swift build` with two --product flags builds only the last one: two calls.
    swift_build release --product cache-node >&2
    swift_build release --product cachectl >&2
    swift_build release --show-bin-path
}
