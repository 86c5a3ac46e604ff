#!/usr/bin/env bash
# CI smoke run of the benchmarks: builds them in Release and runs every benchmark except the pull once, in
# process, with small stores (1,000 entries instead of 1,000,000). It checks that they run and that their
# claims hold (authenticated resolution, no allocation for an invalid reference, the parser's answers on the seeded
# mixed workload unchanged (its outcome fingerprint), under 1 KiB per stored entry,
# PostgreSQL resolution and adds, file store adds); its timings mean nothing. Needs no Docker Engine, but needs the test
# PostgreSQL (REGISTRIES_TEST_POSTGRES, from eng/services.sh's env.sh): with CI=true a missing one fails the run,
# elsewhere the PostgreSQL part is skipped and says so. Then the API load host (benchmarks/api-load.sh --smoke): it
# starts on Kestrel over the test PostgreSQL and must answer its resolve and trivial endpoints right (no wrk, no
# timing). Then benchmarks/processes.sh --check: the native credential helper and kubelet provider, the .NET tool helper
# and docker-credential-pass answer right (no timing). Both need the test PostgreSQL under the same rule for a missing
# server. Takes about three minutes once restored.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet run -c Release --project "$root/benchmarks/Registries.Core.Benchmarks" -- smoke
if [ -z "${REGISTRIES_TEST_POSTGRES:-}" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "SMOKE FAILED: REGISTRIES_TEST_POSTGRES is not set: in CI the API load host and the process benchmark must run (eng/services.sh starts the server; source its env.sh)." >&2
    exit 1
  fi
  echo "SMOKE SKIPPED: the API load host and processes.sh --check (REGISTRIES_TEST_POSTGRES is not set; source the test services' env.sh)."
  exit 0
fi
bash "$root/benchmarks/api-load.sh" --smoke
# The whole-process benchmark: each command once, its answer checked; the native executables are the ones eng/test.sh
# published, else built here.
if [ -n "${REGISTRIES_TEST_NATIVE_DIR:-}" ]; then
  bash "$root/benchmarks/processes.sh" --check --no-build
else
  bash "$root/benchmarks/processes.sh" --check
fi
