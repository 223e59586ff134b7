#!/usr/bin/env bash
# Every feature of the published library crates alone, and none, through clippy (a check
# build): the combinations the workspace's own unified build never makes.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { printf -- '--- %s\n' "$*"; cargo clippy -q "$@" -- -D warnings; }
for crate in osvi-ext osvi-generated; do
  features=$(cargo metadata --no-deps --format-version 1 | python3 -c "
import json, sys
m = json.load(sys.stdin)
p = next(p for p in m['packages'] if p['name'] == '$crate')
print(' '.join(f for f in p['features'] if f != 'default'))")
  run -p "$crate" --no-default-features
  for feature in $features; do
    run -p "$crate" --no-default-features --features "$feature"
  done
  run -p "$crate" --all-features
done
