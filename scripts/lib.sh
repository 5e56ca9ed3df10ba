# Shared helpers for Ringtail's scripts. Source it; don't run it.

# The repository root, whatever the caller's working directory.
RINGTAIL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs the Debian packages the build needs when they are missing (libsodium through
# pkg-config). Uses sudo when not root and sudo exists.
ensure_system_packages() {
    local missing=()
    pkg-config --exists libsodium 2>/dev/null || missing+=(libsodium-dev)
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
