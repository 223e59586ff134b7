#!/usr/bin/env bash
# The simulator as a load target (BENCHMARKS.md section 7): throughput of
# `GET /v1/call/{id}` at 64 connections with wrk, against
#   1. `osvi sim` (release build, default runtime: one worker per core), one call placed first;
#   2. the limit of the stack: axum returning the same route's fixed bytes
#      (`osvi-bench --serve 0 --threads 2`, the simulator's worker count on this machine);
#   3. Stoplight Prism serving the spec (`prism mock`, static examples), installed into
#      target/prism by npm like the Prism oracle test does.
# Rounds are interleaved (sim, axum, prism, sim, axum, prism, ...) so drift hits all three.
#
#   bash benches/sim-load.sh [ROUNDS=3] [SECONDS=10]
#
# Needs wrk (Debian: apt-get install wrk), curl, python3, node with npm.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-10}
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 2; }

cargo build --release -q -p osvi-bench -p osvi-cli
target=${CARGO_TARGET_DIR:-target}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "nothing listens on port $1" >&2; exit 1
}

# 1. the simulator, with one outbound call placed.
sim_port=$(free_port)
"$target/release/osvi" --jsonl sim --port "$sim_port" >"$work/sim.out" 2>"$work/sim.err" &
pids+=($!)
wait_port "$sim_port"
sleep 0.5
token=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["token"])' "$work/sim.out")
agent=$(python3 -c 'import json,sys; print(next(a["agent_id"] for a in json.loads(open(sys.argv[1]).readline())["agents"] if a["active"]))' "$work/sim.out")
call_id=$(curl -sf -X POST "http://127.0.0.1:$sim_port/v1/call" -H "API-Token: $token" \
  -H 'Content-Type: application/json' \
  -d "{\"agent_uuid\":\"$agent\",\"phone_number\":\"9876543210\",\"country_code\":\"IN\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["call_id"])')

# 2. the fixed-bytes axum server.
"$target/release/osvi-bench" --serve 0 --threads 2 >"$work/axum.out" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/axum.out" ] && break; sleep 0.1; done
axum_port=$(head -1 "$work/axum.out")

# 3. Prism.
prism=target/prism/node_modules/.bin/prism
[ -x "$prism" ] || npm install --silent --no-audit --no-fund --prefix target/prism @stoplight/prism-cli@5
prism_port=$(free_port)
"$prism" mock -h 127.0.0.1 -p "$prism_port" openapi/osvi.yaml >/dev/null 2>&1 &
pids+=($!)
wait_port "$prism_port"

url_sim="http://127.0.0.1:$sim_port/v1/call/$call_id"
url_axum="http://127.0.0.1:$axum_port/v1/call/$call_id"
url_prism="http://127.0.0.1:$prism_port/v1/call/$call_id"
for url in "$url_sim" "$url_axum" "$url_prism"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "API-Token: $token" "$url")
  [ "$code" = 200 ] || { echo "$url answered $code, not 200" >&2; exit 1; }
done

rate() { # URL -> requests per second (wrk, 1 thread, 64 connections)
  wrk -t1 -c64 -d"${seconds}s" -H "API-Token: $token" "$1" |
    awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "non-2xx answers: " $0 > "/dev/stderr"; exit 1}'
}
rate "$url_sim" >/dev/null; rate "$url_axum" >/dev/null; rate "$url_prism" >/dev/null # warm-up
printf 'round\tsim\taxum\tprism\n'
for r in $(seq "$rounds"); do
  s=$(rate "$url_sim"); a=$(rate "$url_axum"); p=$(rate "$url_prism")
  printf '%s\t%s\t%s\t%s\n' "$r" "$s" "$a" "$p" | tee -a "$work/rounds"
done
python3 - "$work/rounds" <<'EOF'
import statistics, sys
rows = [list(map(float, l.split()[1:])) for l in open(sys.argv[1])]
sim, axum, prism = (statistics.median(c) for c in zip(*rows))
print(f"median req/s: sim {sim:.0f}, axum fixed bytes {axum:.0f}, prism {prism:.0f}")
print(f"sim / axum limit = {sim / axum:.3f}; sim / prism = {sim / prism:.2f}")
EOF
