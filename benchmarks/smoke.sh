#!/usr/bin/env bash
# CI smoke run of the benchmarks: builds them in Release and runs every benchmark except the pull once, in
# process, with small stores (1,000 entries instead of 1,000,000). It checks that they run and that their
# claims hold (authenticated resolution, no allocation for an invalid reference, the parser's answers on the seeded
# mixed workload unchanged (its outcome fingerprint), under 1 KiB per stored entry,
# PostgreSQL resolution and adds, file store adds); its timings mean nothing. Needs no Docker Engine, but needs the test
# PostgreSQL (REGISTRIES_TEST_POSTGRES, from eng/services.sh's env.sh): with CI=true a missing one fails the run,
# elsewhere the PostgreSQL part is skipped and says so. Then benchmarks/processes.sh --check: the native credential
# helper and kubelet provider, the .NET tool helper and docker-credential-pass answer right (no timing). Takes about a
# minute once restored.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dotnet run -c Release --project "$root/benchmarks/Registries.Core.Benchmarks" -- smoke

# The whole-process benchmark (benchmarks/processes.sh): each command once, its answer checked, no timing. It needs the
# test PostgreSQL like the part above; the native executables are the ones eng/test.sh published, else built here.
if [ -z "${REGISTRIES_TEST_POSTGRES:-}" ] && [ "${CI:-}" != "true" ]; then
  echo "processes.sh --check skipped: no test PostgreSQL (REGISTRIES_TEST_POSTGRES); with CI=true this fails the run"
  exit 0
fi
if [ -n "${REGISTRIES_TEST_NATIVE_DIR:-}" ]; then
  bash "$root/benchmarks/processes.sh" --check --no-build
else
  bash "$root/benchmarks/processes.sh" --check
fi
