#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line: "N passed, N failed, N skipped".
# This is the README's test command and what .ci/run calls.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

echo "== build"
if ! dotnet build Registries.Core.sln -c Release -nologo -v:q; then
  echo "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

echo "== native executables"
# The native credential helper and kubelet provider (NativeAOT), published once: their integration tests and the
# benchmark smoke run use these files (REGISTRIES_TEST_NATIVE_DIR). A failed publish fails those tests, saying so.
native="$root/artifacts/native"
export REGISTRIES_TEST_NATIVE_DIR="$native"
for project in Registries.CredentialHelper Registries.KubeletCredentialProvider; do
  if ! dotnet publish "samples/$project" -c Release -nologo -v:q -o "$native"; then
    echo "publish of samples/$project failed: its tests will say the executable is missing"
  fi
done

echo "== services"
# The integration tests talk to a real dockerd and real registries; start them (installing what is missing)
# and stop them on every exit, also when tests fail. A short path: dockerd's unix socket path is limited.
state="$(mktemp -d /tmp/registries-test.XXXXXX)"
trap 'bash "$root/eng/services.sh" stop "$state"' EXIT
filter=()
unstarted=""
if bash "$root/eng/services.sh" start "$state"; then
  # shellcheck disable=SC1091
  source "$state/env.sh"
else
  # Every test marked [Trait("Category", "Integration")] needs these services: rather than let each of them fail with
  # the same missing variables, run the others and count one failure per test project that has integration tests.
  unstarted=$(tail -n 1 "$state/failure" 2>/dev/null)
  unstarted=${unstarted:-eng/services.sh start failed (see its output above)}
  echo "services did not start: $unstarted"
  filter=(--filter "Category!=Integration")
fi

echo "== test"
log="$results/dotnet-test.log"
dotnet test Registries.Core.sln -c Release --no-build -nologo -v:q "${filter[@]}" \
  --blame-hang-timeout 10m --logger "console;verbosity=normal" --logger trx --results-directory "$results" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the counters of every test project's TRX file.
read -r passed failed skipped projects < <(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
p = f = s = n = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    if c is None:
        continue
    n += 1
    p += int(c.get("passed", 0))
    f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    s += int(c.get("notExecuted", 0))
print(p, f, s, n)
PY
)
if [ -n "$unstarted" ]; then
  for project in $(grep -rlE 'Trait\("Category", "Integration"\)' tests --include='*.cs' | cut -d/ -f2 | sort -u); do
    echo "failed: $project: its integration tests did not run: $unstarted"
    failed=$((failed + 1))
  done
  status=1
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # dotnet test failed without a failing test (a crashed test host, a project that did not run): count it.
  failed=1
fi
echo "== benchmark smoke run (no timing: checks the benchmarks run and their claims hold)"
if bash "$root/benchmarks/smoke.sh" > "$results/benchmark-smoke.log" 2>&1; then
  tail -n 5 "$results/benchmark-smoke.log"
else
  tail -n 30 "$results/benchmark-smoke.log"
  echo "benchmark smoke run failed"
  failed=$((failed + 1))
fi

echo "test projects reported: $projects"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
