#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds everything (the tests start
# real cache-node processes, so the executables are built too), runs the Swift tests, then
# smoke-tests the README's run command.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$RINGTAIL_ROOT"

ensure_system_packages
ensure_redis_test_tools
log "building (debug, with tests)"
swift build --build-tests
log "checking generated wire code is current"
swift run --skip-build ringtail-protogen Proto/ringtail.proto --output-dir Sources/RingtailWire/Generated --check
log "running tests"
swift test --skip-build
log "smoke-testing scripts/run.sh"
RINGTAIL_BUILD_CONFIG=debug RINGTAIL_BASE_PORT="${RINGTAIL_SMOKE_PORT:-17101}" RINGTAIL_CLUSTER_DIR="$RINGTAIL_ROOT/.ringtail/smoke" scripts/run.sh --demo
log "all tests passed"
