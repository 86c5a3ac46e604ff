#!/usr/bin/env bash
# Whole-process benchmark of the credential answers a client waits for at every pull: Docker's credential helper `get`
# and the kubelet provider's one request, side by side in one run with `docker-credential-pass get` (Debian's
# golang-docker-credential-helpers, which runs gpg to decrypt), the peer a user would pick instead.
#
#   benchmarks/processes.sh [--check] [--no-build] [--runs N]
#
# Measured, each over the same store content (one environment, one registry, a canary password):
#   - docker-credential-pass get (a throwaway GNUPGHOME and PASSWORD_STORE_DIR, a key without passphrase);
#   - the native docker-credential-registries, file store: as `credential-helper install --native` installs it (the sh
#     script that execs the binary, what docker runs) and the binary alone;
#   - the same on PostgreSQL (a fresh database on the test server), beside `psql -c 'SELECT 1'`: one connection, SCRAM
#     authentication and one query by libpq, the connection's own cost;
#   - the .NET tool helper as installed without --native (`dotnet registries.dll credential-helper serve`);
#   - the native registries-kubelet-credential-provider, one request, file store and PostgreSQL.
# Time: hyperfine (warm-up 3, --runs N, 30 by default; its median). Peak memory: /usr/bin/time -v's "Maximum resident
# set size" over 10 runs (their median). The table goes to stdout.
#
# --check (the smoke run of eng/test.sh): runs each command once and checks its answer (the username and the canary
# password, exactly), with no timing and no hyperfine. --no-build: use the CLI already built in Release and the native
# executables in $REGISTRIES_NATIVE_DIR (else $REGISTRIES_TEST_NATIVE_DIR, which eng/test.sh sets after publishing them
# once, else artifacts/native); otherwise both are built here (published into that folder).
# Needs: the test PostgreSQL (REGISTRIES_TEST_POSTGRES and REGISTRIES_TEST_PG_BIN, from eng/services.sh's env.sh),
# pass, gpg, docker-credential-pass, /usr/bin/time, and hyperfine unless --check.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
check=0 build=1 runs=30
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --no-build) build=0 ;;
    --runs) runs="${2:?--runs needs a number}"; shift ;;
    *) echo "usage: benchmarks/processes.sh [--check] [--no-build] [--runs N]" >&2; exit 2 ;;
  esac
  shift
done

need() { command -v "$1" >/dev/null || { echo "processes.sh: $1 is missing: $2" >&2; exit 1; }; }
need pass "bash eng/services.sh install (Debian's pass)"
need gpg "bash eng/services.sh install (Debian's gpg)"
need docker-credential-pass "bash eng/services.sh install (Debian's golang-docker-credential-helpers)"
[ -x /usr/bin/time ] || { echo "processes.sh: /usr/bin/time is missing (Debian's time)" >&2; exit 1; }
[ "$check" = 1 ] || need hyperfine "bash eng/services.sh install hyperfine"
: "${REGISTRIES_TEST_POSTGRES:?the test PostgreSQL is not running: source the env.sh of eng/services.sh start}"
: "${REGISTRIES_TEST_PG_BIN:?the test PostgreSQL is not running: source the env.sh of eng/services.sh start}"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
native="${REGISTRIES_NATIVE_DIR:-${REGISTRIES_TEST_NATIVE_DIR:-$root/artifacts/native}}"
cli_dll="$root/samples/Registries.Cli/bin/Release/net10.0/registries.dll"
if [ "$build" = 1 ]; then
  dotnet build "$root/samples/Registries.Cli" -c Release -nologo -v:q >&2
  for project in Registries.CredentialHelper Registries.KubeletCredentialProvider; do
    dotnet publish "$root/samples/$project" -c Release -nologo -v:q -o "$native" >&2
  done
fi
helper="$native/docker-credential-registries"
provider="$native/registries-kubelet-credential-provider"
for file in "$helper" "$provider" "$cli_dll"; do
  [ -e "$file" ] || { echo "processes.sh: $file is missing: run without --no-build, or eng/test.sh publishes it" >&2; exit 1; }
done

work="$(mktemp -d /tmp/registries-processes.XXXXXX)"
database="bench_$(basename "$work" | tr -cd 'a-zA-Z0-9' | tr 'A-Z' 'a-z')"
# The test server's connection, from its key=value string.
pg() { python3 -c 'import sys; d=dict(p.split("=",1) for p in sys.argv[1].split(";") if p); print(d[sys.argv[2]])' "$REGISTRIES_TEST_POSTGRES" "$1"; }
pg_host=$(pg Host) pg_port=$(pg Port) pg_user=$(pg Username) pg_database=$(pg Database)
export PGPASSWORD
PGPASSWORD=$(pg Password)
psql() { "$REGISTRIES_TEST_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$pg_host" -p "$pg_port" -U "$pg_user" "$@"; }
cleanup() {
  GNUPGHOME="$work/gnupg" gpgconf --kill gpg-agent 2>/dev/null || true
  psql -d "$pg_database" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

server="registry.example.com:5000"
username="bench-user"
canary="Bench-Canary-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$server" > "$work/server.txt"
printf '{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"%s/team/app:1.0"}' "$server" > "$work/request.json"

# The same content in both stores, written by the registries CLI as its users do.
registries() { dotnet "$cli_dll" --as bench "$@"; }
file_store="$work/store.json"
pg_store="postgresql://$pg_user@$pg_host:$pg_port/$database"
psql -d "$pg_database" -c "CREATE DATABASE $database" >/dev/null
for store in "$file_store" "$pg_store"; do
  key="$work/$( [ "$store" = "$file_store" ] && echo file || echo pg ).key"
  registries --store "$store" --key-file "$key" env create bench >/dev/null
  printf '%s' "$canary" | registries --store "$store" --key-file "$key" registry add 1a1 --address "$server" \
    --email bench@example.invalid --username "$username" --password-stdin >/dev/null
done
mkdir -p "$work/bin-native" "$work/bin-dotnet" "$work/bin-pg"
registries --store "$file_store" --key-file "$work/file.key" credential-helper install 1a1 --dir "$work/bin-native" --native "$helper" >/dev/null
registries --store "$file_store" --key-file "$work/file.key" credential-helper install 1a1 --dir "$work/bin-dotnet" >/dev/null
registries --store "$pg_store" --key-file "$work/pg.key" credential-helper install 1a1 --dir "$work/bin-pg" --native "$helper" >/dev/null

# docker-credential-pass over a throwaway gpg home and password store, with the same credential.
export GNUPGHOME="$work/gnupg" PASSWORD_STORE_DIR="$work/pass"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key 'registries benchmark <bench@example.invalid>' default default never 2>/dev/null
pass init "$(gpg --list-keys --with-colons | awk -F: '/^fpr/ { print $10; exit }')" >/dev/null 2>&1
printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$server" "$username" "$canary" | docker-credential-pass store 2>/dev/null

names=(
  "docker-credential-pass get"
  "native helper get, file store (installed script)"
  "native helper get, file store (binary alone)"
  "native helper get, PostgreSQL (installed script)"
  "connection alone: psql -c 'SELECT 1'"
  ".NET tool helper get, file store (installed script)"
  "native kubelet provider, file store"
  "native kubelet provider, PostgreSQL"
)
commands=(
  "docker-credential-pass get < $work/server.txt"
  "$work/bin-native/docker-credential-registries get < $work/server.txt"
  "$helper --store $file_store --key-file $work/file.key --as bench --environment 1a1 get < $work/server.txt"
  "$work/bin-pg/docker-credential-registries get < $work/server.txt"
  "$REGISTRIES_TEST_PG_BIN/psql -X -q -t -h $pg_host -p $pg_port -U $pg_user -d $database -c 'SELECT 1'"
  "$work/bin-dotnet/docker-credential-registries get < $work/server.txt"
  "$provider 1a1 --store $file_store --key-file $work/file.key --as bench < $work/request.json"
  "$provider 1a1 --store $pg_store --key-file $work/pg.key --as bench < $work/request.json"
)

# Each answer, checked: the helper's JSON document or the kubelet's response, with the username and the password.
answer_ok() { # INDEX OUTPUT
  case "$1" in
    4) [ "$(echo "$2" | tr -d ' \n')" = "1" ] ;;
    6|7) python3 -c 'import json,sys; a=json.loads(sys.argv[1])["auth"][sys.argv[2]]; sys.exit(0 if (a["username"],a["password"])==(sys.argv[3],sys.argv[4]) else 1)' "$2" "$server" "$username" "$canary" ;;
    *) python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if (d["ServerURL"],d["Username"],d["Secret"])==tuple(sys.argv[2:]) else 1)' "$2" "$server" "$username" "$canary" ;;
  esac
}
for i in "${!commands[@]}"; do
  out=$(sh -c "${commands[$i]}" 2>"$work/stderr") || { echo "processes.sh: '${names[$i]}' failed: $(head -c 500 "$work/stderr")" >&2; exit 1; }
  answer_ok "$i" "$out" || { echo "processes.sh: '${names[$i]}' answered wrong (the expected username and password were not in its answer)" >&2; exit 1; }
  if grep -q "$canary" "$work/stderr"; then echo "processes.sh: '${names[$i]}' wrote the password on stderr" >&2; exit 1; fi
  [ "$check" = 1 ] && echo "ok: ${names[$i]}"
done
if [ "$check" = 1 ]; then
  echo "processes.sh --check: every command answered right (${#commands[@]} commands; no timing)"
  exit 0
fi

median_rss_mib() { # COMMAND: the median of 10 runs' peak RSS, in MiB
  for _ in $(seq 1 10); do
    /usr/bin/time -v sh -c "exec $1 > /dev/null" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ { print $2 }'
  done | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", (v[5] + v[6]) / 2 / 1024 }'
}

hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$work/times.json" "${commands[@]}" >&2
echo
echo "| what | median time | mean ± σ | min | peak RSS (median of 10) | time vs docker-credential-pass |"
echo "|---|---|---|---|---|---|"
for i in "${!commands[@]}"; do
  rss=$(median_rss_mib "${commands[$i]}")
  python3 - "$work/times.json" "$i" "${names[$i]}" "$rss" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
r, base = results[int(sys.argv[2])], results[0]
ms = lambda s: f"{s * 1000:.1f} ms"
print(f"| {sys.argv[3]} | {ms(r['median'])} | {ms(r['mean'])} ± {ms(r['stddev'])} | {ms(r['min'])} | {sys.argv[4]} MiB | {r['median'] / base['median']:.2f}x |")
PY
done
echo
echo "hyperfine $(hyperfine --version | awk '{ print $2 }'), $runs runs after 3 warm-ups each, one run; $(nproc) cores; $(uname -r); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
