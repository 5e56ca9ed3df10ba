#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing (libsodium-dev, redis-tools, the Python
# redis package), builds everything (the tests start real cache-node processes, so the
# executables are built too), checks the generated wire code is current, runs the Swift tests,
# smoke-tests the README's run command, and runs the short anti-entropy kill/restart scenario
# with its negative control and the short leave/rejoin scenario.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$RINGTAIL_ROOT"

ensure_system_packages
ensure_redis_test_tools
log "ensuring the Python prometheus_client parser (the admin /metrics test uses it)"
python3 -c "import prometheus_client" 2>/dev/null || python3 -m pip install --quiet prometheus_client \
    || die "cannot install prometheus_client; the /metrics test needs it"
log "building (debug, with tests)"
swift build --build-tests
log "checking generated wire code is current"
swift run --skip-build ringtail-protogen Proto/ringtail.proto --output-dir Sources/RingtailWire/Generated --check
log "running tests"
swift test --skip-build
log "smoke-testing scripts/run.sh"
RINGTAIL_BUILD_CONFIG=debug RINGTAIL_BASE_PORT="${RINGTAIL_SMOKE_PORT:-17101}" RINGTAIL_CLUSTER_DIR="$RINGTAIL_ROOT/.ringtail/smoke" scripts/run.sh --demo
log "anti-entropy: short kill/restart scenario (must pass)"
RINGTAIL_BUILD_CONFIG=debug RINGTAIL_BASE_PORT="${RINGTAIL_KILL_REJOIN_PORT:-17501}" scripts/kill-rejoin.sh --short kill-restart
mkdir -p "$RINGTAIL_ROOT/.ringtail"
log "anti-entropy: short leave-and-rejoin-under-a-new-address scenario (filling, handoff, drops; must pass)"
RINGTAIL_BUILD_CONFIG=debug RINGTAIL_BASE_PORT="${RINGTAIL_KILL_REJOIN_PORT:-17501}" scripts/kill-rejoin.sh --short leave-rejoin
log "anti-entropy: kill/restart again with repair off (must be caught by the verification)"
if RINGTAIL_BUILD_CONFIG=debug RINGTAIL_BASE_PORT="${RINGTAIL_KILL_REJOIN_PORT:-17501}" KILL_REJOIN_NO_REPAIR=1 \
    scripts/kill-rejoin.sh --short kill-restart >"$RINGTAIL_ROOT/.ringtail/negative-control.log" 2>&1; then
    cat "$RINGTAIL_ROOT/.ringtail/negative-control.log" >&2
    die "the verification passed with anti-entropy off: it cannot detect lost replicas"
fi
grep -q "MISMATCH" "$RINGTAIL_ROOT/.ringtail/negative-control.log" || { cat "$RINGTAIL_ROOT/.ringtail/negative-control.log" >&2; die "the negative control failed for another reason"; }
log "negative control failed as it must"
log "consistency checker: steady, kill and flush scenarios (must be valid)"
RINGTAIL_BASE_PORT="${RINGTAIL_CHECK_PORT:-18601}" scripts/check.sh steady --short
RINGTAIL_BASE_PORT="${RINGTAIL_CHECK_PORT:-18601}" scripts/check.sh kill --short
RINGTAIL_BASE_PORT="${RINGTAIL_CHECK_PORT:-18601}" scripts/check.sh flush --short
log "consistency checker: broken scenario (anti-entropy off, W=1, a node wiped: must exit 1)"
broken_status=0
RINGTAIL_BASE_PORT="${RINGTAIL_CHECK_PORT:-18601}" scripts/check.sh broken --short >"$RINGTAIL_ROOT/.ringtail/check-broken.log" 2>&1 || broken_status=$?
[ "$broken_status" -eq 1 ] || { cat "$RINGTAIL_ROOT/.ringtail/check-broken.log" >&2; die "the broken scenario exited $broken_status, not 1: the checker cannot see lost writes"; }
log "broken scenario caught as it must"
log "all tests passed"
