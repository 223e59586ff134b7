#!/usr/bin/env bash
# What a new user's first hour costs (BENCHMARKS.md section 5): on a fresh clone of REV with
# an empty target directory, the README's two commands and the CLI install, one after the
# other as a new user runs them, each timed (wall, user + system CPU) with the target
# directory's size after it. Crates already downloaded (~/.cargo/registry) are reused.
#
#   bash benches/fresh-clone.sh [REV=HEAD]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rev=$(git -C "$root" rev-parse "${1:-HEAD}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q --no-local "$root" "$work/main"
git -C "$work/main" checkout -q "$rev"
ln -s "$root/../shared" "$work/shared"
cd "$work/main"
unset CARGO_TARGET_DIR OSVI_API_TOKEN

step() { # NAME COMMAND...
  local name=$1; shift
  /usr/bin/time -o "$work/time" -f '%e %U %S' "$@" >"$work/$name.log" 2>&1 ||
    { echo "$name failed:" >&2; tail -20 "$work/$name.log" >&2; exit 1; }
  read -r wall user sys <"$work/time"
  size=$(du -sm target | cut -f1)
  printf '%s\t%s\t%.0f s\t%.0f s\t%s MiB\n' "${rev:0:7}" "$name" "$wall" \
    "$(awk "BEGIN {print $user + $sys}")" "$size"
}
printf 'rev\tcommand\twall\tCPU\ttarget dir after\n'
step quickstart cargo run -p osvi-ext --features axum --example quickstart
step tests cargo test --workspace
step install cargo install --path osvi-cli --root "$work/install"
