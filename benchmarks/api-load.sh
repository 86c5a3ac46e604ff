#!/usr/bin/env bash
# The HTTP API under load: GET /api/registries/environments/{id}/resolve?image=... against GET /ping (a trivial endpoint
# of the same app, behind the same cookie sign-in: the ceiling), on Kestrel, over PostgreSQL with the resolution cache,
# with wrk at 1, 16 and 64 connections, each pair side by side in time (ping, then resolve), in rounds (3 by default:
# on a shared machine one pair says little, the median of the rounds' ratios more).
#
#   source /tmp/rs/env.sh && benchmarks/api-load.sh [--duration SECONDS] [--connections "1 16 64"] [--rounds N] [--no-build]
#   benchmarks/api-load.sh --smoke      starts the host and checks its answers (no wrk, no timing)
#
# Needs REGISTRIES_TEST_POSTGRES (a role that may create schemas; the host makes api_load_GUID and drops it), curl,
# python3, and wrk (Debian's package) unless --smoke. Prints a Markdown table: requests/s, latency p50/p90/p99, bytes
# the host allocated per request (all its threads, GC.GetTotalAllocatedBytes), and the ratio of resolve to ping. Fails (exit 1) when an answer is wrong or wrk saw an error or a non-2xx answer.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="$root/benchmarks/Registries.Core.ApiLoad"
duration=10
connections="1 16 64"
rounds=3
smoke=false
build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=true ;;
    --no-build) build=false ;;
    --duration) duration="${2:?--duration needs seconds}"; shift ;;
    --connections) connections="${2:?--connections needs a list}"; shift ;;
    --rounds) rounds="${2:?--rounds needs a count}"; shift ;;
    *) echo "usage: $0 [--smoke] [--no-build] [--duration SECONDS] [--connections \"1 16 64\"] [--rounds N]" >&2; exit 2 ;;
  esac
  shift
done

fail() { echo "api-load: $*" >&2; exit 1; }
[ -n "${REGISTRIES_TEST_POSTGRES:-}" ] || fail "REGISTRIES_TEST_POSTGRES is not set (source the test services' env.sh)"
command -v curl >/dev/null || fail "curl is missing"
command -v python3 >/dev/null || fail "python3 is missing"
$smoke || command -v wrk >/dev/null || fail "wrk is missing (Debian: apt-get install wrk, or bash eng/services.sh install wrk)"

if $build; then
  dotnet build -c Release "$project" -v quiet -nologo >/dev/null || fail "the host did not build (dotnet build -c Release $project)"
fi
dll="$project/bin/Release/net10.0/Registries.Core.ApiLoad.dll"
[ -f "$dll" ] || fail "$dll is missing (build it, or drop --no-build)"

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
API_LOAD_URL="$base" DOTNET_ENVIRONMENT=Production dotnet "$dll" >"$work/host.log" 2>&1 &
host=$!
cleanup() {
  # The host we started, by its id: SIGTERM lets it drop its schema; bounded wait, then SIGKILL.
  if kill -0 "$host" 2>/dev/null; then
    kill -TERM "$host" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$host" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$host" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

environment=""
for _ in $(seq 1 600); do   # at most 120 s (a loaded machine's first start)
  environment=$(sed -n 's/^ready \(.*\)$/\1/p' "$work/host.log")
  [ -n "$environment" ] && break
  kill -0 "$host" 2>/dev/null || fail "the host exited: $(tail -n 5 "$work/host.log" | tr '\n' ' ')"
  sleep 0.2
done
[ -n "$environment" ] || fail "the host was not ready within 120 s: $(tail -n 5 "$work/host.log" | tr '\n' ' ')"

curl -fsS -c "$work/cookies" "$base/login" >/dev/null || fail "GET /login failed"
cookie=$(awk '$6 == "registries-load" { print $6 "=" $7 }' "$work/cookies")
[ -n "$cookie" ] || fail "GET /login set no cookie"
resolve="$base/api/registries/environments/$environment/resolve?image=registry-42.example.com/team/app:1.0"
ping="$base/ping"

# Answers right: the ceiling answers, the resolve answers the entry's user, and neither answers without the cookie.
[ "$(curl -fsS -H "Cookie: $cookie" "$ping")" = "pong" ] || fail "GET /ping did not answer pong"
curl -fsS -H "Cookie: $cookie" "$resolve" > "$work/resolve.json" || fail "GET resolve failed"
python3 - "$work/resolve.json" <<'PY' || fail "GET resolve answered wrong: $(cat "$work/resolve.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["outcome"] == "authenticated", d
assert d["username"] == "user42", d
assert d["image"] == "registry-42.example.com/team/app:1.0", d
assert "password" not in json.dumps(d).lower(), d
PY
[ "$(curl -s -o /dev/null -w '%{http_code}' "$resolve")" = "401" ] || fail "GET resolve without the cookie was not 401"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$ping")" = "401" ] || fail "GET /ping without the cookie was not 401"
if $smoke; then
  echo "api-load smoke: the host answers right (resolve authenticated as user42, ping, 401 without sign-in)"
  exit 0
fi

allocated() { curl -fsS "$base/allocated"; }

run() { # run NAME URL CONNECTIONS ROUND -> one table row
  local name=$1 url=$2 c=$3 round=$4 threads=$(( $3 < 2 ? 1 : 2 )) before after
  before=$(allocated)
  wrk -t"$threads" -c"$c" -d"${duration}s" --latency -H "Cookie: $cookie" "$url" > "$work/wrk.txt" 2>&1 || fail "wrk failed: $(cat "$work/wrk.txt")"
  after=$(allocated)
  python3 - "$work/wrk.txt" "$name" "$c" "$round" "$before" "$after" <<'PY' || fail "wrk saw errors: $(cat "$work/wrk.txt")"
import re, sys
text = open(sys.argv[1]).read()
if re.search(r"Non-2xx or 3xx responses|Socket errors", text):
    sys.exit(1)
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
requests = int(re.search(r"(\d+) requests in", text).group(1))
p = {k: ms(v) for k, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", text, re.M)}
per = (int(sys.argv[6]) - int(sys.argv[5])) / max(requests, 1)
print(f"| {sys.argv[2]} | {sys.argv[3]} | {sys.argv[4]} | {rps:,.0f} | {p['50']:.2f} | {p['90']:.2f} | {p['99']:.2f} | {per:,.0f} |")
PY
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# A warm-up of each endpoint (JIT, the cache's first read, the pool): not reported.
wrk -t1 -c4 -d3s -H "Cookie: $cookie" "$ping" >/dev/null
wrk -t1 -c4 -d3s -H "Cookie: $cookie" "$resolve" >/dev/null
echo "| endpoint | connections | round | requests/s | p50 ms | p90 ms | p99 ms | allocated B/request |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for c in $connections; do
  for round in $(seq 1 "$rounds"); do
    run ping "$ping" "$c" "$round"
    run resolve "$resolve" "$c" "$round"
  done
done | tee "$work/table.md"
# Per connection count: each round's ratio (the two runs next to each other in time), and their median.
python3 - "$work/table.md" <<'PY'
import statistics, sys
rows = [[c.strip() for c in l.split("|")[1:-1]] for l in open(sys.argv[1])]
rps = {(r[0], r[1], r[2]): float(r[3].replace(",", "")) for r in rows}
for c in sorted({k[1] for k in rps}, key=int):
    ratios = [rps[("resolve", c, r)] / rps[("ping", c, r)] for r in sorted({k[2] for k in rps if k[1] == c}, key=int)]
    print(f"resolve/ping at {c} connections: median {statistics.median(ratios):.2f} (rounds: {', '.join(f'{x:.2f}' for x in ratios)})")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
