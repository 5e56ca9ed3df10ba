#!/usr/bin/env bash
# Regenerates Sources/RingtailWire/Generated from Proto/ringtail.proto. Commit the result.
# Pass --check to only verify that the committed files are current (exit 1 if not).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

# The schema path is given relative to the root on purpose: it is written into every file's header.
swift run --quiet ringtail-protogen Proto/ringtail.proto --output-dir Sources/RingtailWire/Generated "$@"
