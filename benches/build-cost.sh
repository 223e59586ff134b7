#!/usr/bin/env bash
# Build cost of osvi-ext: a clean debug build in a fresh target directory (all dependencies
# compiled from scratch; crates already downloaded) and the size of its dependency graph.
# Usage: bash benches/build-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
target=$(mktemp -d)
trap 'rm -rf "$target"' EXIT
start=$(date +%s%N)
CARGO_TARGET_DIR="$target" cargo build --quiet -p osvi-ext
end=$(date +%s%N)
deps=$(cargo tree -p osvi-ext --edges normal --prefix none | sed 's/ (\*)$//' | sort -u | wc -l)
awk -v ns=$((end - start)) 'BEGIN { printf "clean debug build of osvi-ext: %.1f s\n", ns / 1e9 }'
echo "crates in its normal dependency graph (itself included): $deps"
echo "cores: $(nproc)"
