#!/usr/bin/env bash
# The CLI's heap while it streams a CSV upload (BENCHMARKS.md section 3): `osvi campaigns
# add-contacts` sends 10,000 and 1,000,000 rows to `osvi sim` (another process) under
# valgrind's DHAT, which counts every allocation of the CLI process; "At t-gmax" is the
# largest amount of heap the process ever held at once (its growth from an empty heap).
# Usage: bash benches/cli-upload.sh [ROWS ...] (default 10000 1000000). Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
cargo build -q --release -p osvi-cli
rows=("$@")
[ ${#rows[@]} -gt 0 ] || rows=(10000 1000000)
out=$(mktemp -d)
eval "$(target/release/osvi sim --port 0 --background)"
trap 'kill "$OSVI_SIM_PID" 2>/dev/null; rm -rf "$out"' EXIT
printf '| rows | CSV size | wall time under DHAT | peak heap (t-gmax) | allocations |\n| --- | --- | --- | --- | --- |\n'
for n in "${rows[@]}"; do
  python3 -c "
import sys
with open('$out/contacts.csv', 'w') as f:
    f.write('phone,person_name,plan\n')
    for i in range($n):
        f.write(f'98{i:08d},Person {i},Pro\n')
"
  size=$(du -h "$out/contacts.csv" | cut -f1)
  started=$(date +%s.%N)
  valgrind --tool=dhat --dhat-out-file="$out/dhat.json" target/release/osvi campaigns add-contacts 7 \
    --agent agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og "$out/contacts.csv" >"$out/stdout" 2>"$out/stderr"
  took=$(python3 -c "import time; print(f'{time.time() - $started:.0f} s')")
  peak=$(sed -n 's/.*At t-gmax: *\([0-9,]*\) bytes.*/\1/p' "$out/stderr" | tr -d ,)
  blocks=$(sed -n 's/.*Total: *[0-9,]* bytes in \([0-9,]*\) blocks.*/\1/p' "$out/stderr")
  printf '| %s | %s | %s | %s MiB | %s |\n' "$n" "$size" "$took" \
    "$(python3 -c "print(f'{$peak / 1048576:.1f}')")" "$blocks"
done
