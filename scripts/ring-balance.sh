#!/usr/bin/env bash
# Longer balance survey for RingtailRing: how often the fullest node of an arbitrarily named
# cluster holds more than 10% above the mean, at P=1024 and P=4096 (512 vnodes, N=3).
#
#   scripts/ring-balance.sh [clusters-per-size]     (default 1000; the test suite uses 50)
#
# Debug build, like the rest of the suite; 1000 clusters take a few minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
RINGTAIL_RING_SURVEY_CLUSTERS="${1:-1000}" \
    swift test --filter 'RingtailRingTests.BalanceTests/surveyOfRandomlyNamedClusters' 2>&1 \
    | grep -v '^◇'
