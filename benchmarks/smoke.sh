#!/usr/bin/env bash
# CI smoke run of the benchmarks: builds them in Release and runs every benchmark except the pull once, in
# process, with small stores (1,000 entries instead of 1,000,000). It checks that they run and that their
# claims hold (authenticated resolution, no allocation for an invalid reference, the parser's answers on the seeded
# mixed workload unchanged (its outcome fingerprint), under 1 KiB per stored entry,
# PostgreSQL resolution and adds, file store adds); its timings mean nothing. Needs no Docker Engine, but needs the test
# PostgreSQL (REGISTRIES_TEST_POSTGRES, from eng/services.sh's env.sh): with CI=true a missing one fails the run,
# elsewhere the PostgreSQL part is skipped and says so. Then the API load host (benchmarks/api-load.sh --smoke): it
# starts on Kestrel over the test PostgreSQL and must answer its resolve and trivial endpoints right (no wrk, no
# timing), under the same rule for a missing server. Takes about two minutes once restored.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet run -c Release --project "$root/benchmarks/Registries.Core.Benchmarks" -- smoke
if [ -n "${REGISTRIES_TEST_POSTGRES:-}" ]; then
  bash "$root/benchmarks/api-load.sh" --smoke
elif [ "${CI:-}" = "true" ]; then
  echo "SMOKE FAILED: REGISTRIES_TEST_POSTGRES is not set: in CI the API load host must run (eng/services.sh starts the server; source its env.sh)." >&2
  exit 1
else
  echo "SMOKE SKIPPED: the API load host (REGISTRIES_TEST_POSTGRES is not set; source the test services' env.sh)."
fi
