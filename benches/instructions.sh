#!/usr/bin/env bash
# Instructions and allocations per request of the three clients (BENCHMARKS.md section 1):
# callgrind counts a run of 1,000 and a run of 10,000 requests at 256 in flight
# (`osvi-bench --hammer CLIENT N REQUEST`, the loopback server in a child process, not
# counted), and (count at 10,000 - count at 1,000) / 9,000 is the cost of one request, with
# start-up cancelled out. Allocations per request come from the bench's counting allocator
# (the 10,000-request run). Usage: bash benches/instructions.sh [get|post ...] (default both).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
cargo build -q --release -p osvi-bench
requests=("$@")
[ ${#requests[@]} -gt 0 ] || requests=(get post)
out=$(mktemp -d)
count() { # CLIENT N REQUEST -> total instructions
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.$1.$2.$3" \
    target/release/osvi-bench --hammer "$1" "$2" "$3" >"$out/log.$1.$2.$3" 2>&1
  grep -E '^(summary|totals):' "$out/cg.$1.$2.$3" | head -1 | awk '{print $2}'
}
printf '| request | client | instructions per request | ratio to bare | allocations per request |\n'
printf '| --- | --- | --- | --- | --- |\n'
for request in "${requests[@]}"; do
  declare -A per=()
  declare -A allocs=()
  for client in ext raw bare; do
    small=$(count "$client" 1000 "$request")
    large=$(count "$client" 10000 "$request")
    per[$client]=$(( (large - small) / 9000 ))
    allocs[$client]=$(target/release/osvi-bench --hammer "$client" 10000 "$request" |
      sed -n 's/.* \([0-9.]*\) allocations per request/\1/p')
  done
  for client in ext raw bare; do
    ratio=$(python3 -c "print(f'{${per[$client]} / ${per[bare]}:.3f}')")
    printf '| %s | %s | %s | %s | %s |\n' "$request" "$client" "${per[$client]}" "$ratio" "${allocs[$client]}"
  done
  unset per allocs
done
rm -rf "$out"
