#!/usr/bin/env bash
# CI smoke run of the benchmarks: builds them in Release and runs every benchmark except the pull once, in
# process, with small stores (1,000 entries instead of 1,000,000). It checks that they run and that their
# claims hold (authenticated resolution, no allocation for an invalid reference, the parser's answers on the seeded
# mixed workload unchanged (its outcome fingerprint), under 1 KiB per stored entry); its timings mean nothing. Needs no Docker Engine. Takes well under a minute once restored.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec dotnet run -c Release --project "$root/benchmarks/Registries.Core.Benchmarks" -- smoke
