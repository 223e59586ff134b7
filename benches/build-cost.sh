#!/usr/bin/env bash
# Build cost of osvi-ext against the bare stack it builds on (benches/bare-stack: reqwest with
# rustls, json, query, stream, http2; serde; serde_json; tokio; futures; chrono): a clean debug
# build of each in its own fresh target directory, the two builds run one after the other in
# one run (crates already downloaded), ROUNDS times in alternating order. Reports the CPU time
# (user + system) of each build, the median ratio, and the size of each dependency graph.
#
# The builds are made the way a user's build compiles the SDK, and so that the CPU figure is
# steady (BENCHMARKS.md section 5 has runs of both kinds):
# - without incremental compilation (CARGO_INCREMENTAL=0): a user's crate depends on osvi-ext,
#   and cargo never builds a dependency incrementally (our workspace builds its members
#   incrementally, which costs osvi-ext 1.5-2 CPU seconds more);
# - with one job (JOBS=1): with two jobs on the two vCPUs, each slows the other down by an
#   amount that changes from run to run (on one machine, the same code, not incremental:
#   ratios of 1.09-1.29 over five rounds with two jobs, 1.05-1.12 over six with one).
# CARGO_INCREMENTAL=1 JOBS=2 bash benches/build-cost.sh 3 measures as the runs up to 2026-12-07
# did (the workspace's own incremental build, two jobs).
# Usage: bash benches/build-cost.sh [ROUNDS]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
jobs=${JOBS:-1}
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
cargo fetch --quiet
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# CPU seconds (user + system of cargo and everything it ran) of a clean build of crate $1.
build_cpu() {
    local target="$scratch/$1-$2"
    TIMEFORMAT='%U %S %R'
    { time CARGO_TARGET_DIR="$target" cargo build --quiet --offline -j "$jobs" -p "$1" ; } 2> "$scratch/time"
    rm -rf "$target"
    awk '{printf "%.1f %.1f\n", $1 + $2, $3}' "$scratch/time"
}

echo "| round | osvi-ext CPU (wall) | bare stack CPU (wall) | ratio |"
echo "| --- | --- | --- | --- |"
ratios=()
for round in $(seq 1 "$rounds"); do
    if (( round % 2 )); then
        read -r ext_cpu ext_wall < <(build_cpu osvi-ext "$round")
        read -r bare_cpu bare_wall < <(build_cpu bare-stack "$round")
    else
        read -r bare_cpu bare_wall < <(build_cpu bare-stack "$round")
        read -r ext_cpu ext_wall < <(build_cpu osvi-ext "$round")
    fi
    ratio=$(awk -v a="$ext_cpu" -v b="$bare_cpu" 'BEGIN { printf "%.3f", a / b }')
    ratios+=("$ratio")
    echo "| $round | ${ext_cpu} s (${ext_wall} s) | ${bare_cpu} s (${bare_wall} s) | $ratio |"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo
echo "median CPU ratio osvi-ext / bare stack: $median (over $rounds rounds)"
graph() { cargo tree -p "$1" --edges normal --prefix none | sed 's/ (\*)$//' | sort -u | wc -l; }
echo "crates in the normal dependency graph: osvi-ext $(graph osvi-ext), bare stack $(graph bare-stack)"
echo "cores: $(nproc), jobs: $jobs, CARGO_INCREMENTAL=$CARGO_INCREMENTAL"
