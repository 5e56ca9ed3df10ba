#!/usr/bin/env bash
# Release-build micro-benchmark of RingtailStorage: memory per key and single-threaded
# GET/SET throughput. Compiles RingtailModel, RingtailStorage and the benchmark straight
# with swiftc (-O, whole module) so it needs no package product and skips swift-nio.
#
#   scripts/bench-storage.sh [keys] [value-bytes]     (defaults: 1000000 100)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$repo/.build-bench"
mkdir -p "$out"
flags=(-O -wmo -parse-as-library -swift-version 6)

swiftc "${flags[@]}" -module-name RingtailModel -emit-module -emit-module-path "$out/RingtailModel.swiftmodule" \
    -emit-library -static -o "$out/libRingtailModel.a" "$repo"/Sources/RingtailModel/*.swift
swiftc "${flags[@]}" -module-name RingtailStorage -I "$out" -emit-module -emit-module-path "$out/RingtailStorage.swiftmodule" \
    -emit-library -static -o "$out/libRingtailStorage.a" "$repo"/Sources/RingtailStorage/*.swift
swiftc "${flags[@]}" -module-name BenchStorage -I "$out" -L "$out" -lRingtailStorage -lRingtailModel \
    -o "$out/bench-storage" "$repo/scripts/bench-storage/main.swift"

"$out/bench-storage" "$@"
