#!/bin/sh
# Measures sbimport against the performance targets of PRODUCT.md (issue 6)
# and prints each figure beside its target with PASS or FAIL.
#
#   scripts/bench.sh                     # every scenario, full size (about 10 minutes)
#   scripts/bench.sh -scenario rate      # one scenario (rate, limit, p503,
#                                        #   p503-half, auto, overhead,
#                                        #   memory-csv, memory-xlsx, validate)
#   scripts/bench.sh -quick              # small sizes, to try the harness
#
# It builds ./cmd/sbimport, generates its inputs in a temporary folder
# (10-column CSVs of Swedish customers; a 200,000-row XLSX with shared
# strings, as Excel writes them) and runs the binary as a child process:
#   rate      sandbox with 1 s latency, --rate 50, 2,000 rows: rate at the server
#   limit     sandbox limited to 20/s, --rate 50, 2,000 rows: rate and 429 share
#   p503      sandbox limited to 10/s, 50 ms, 5% answered 503 (Retry-After: 1),
#             --rate 50, 300 rows: created/s (p503-half: 50% answered 503)
#   auto      sandbox limited to 20/s (not published), 50 ms, --rate auto,
#             600 rows: created/s, 429 share and the rate found
#   overhead  zero-latency sandbox, --rate 0, 100,000-row CSV, journal on: rows/s
#   memory-*  peak RSS of `sbimport run` (sandbox in another process), --rate 0:
#             1,000,000-row CSV and 200,000-row XLSX
#   validate  wall time of `sbimport validate` of 100,000 rows
# The machine (CPU model, cores, memory) is printed first; the exit status
# is 1 when a scenario fails. Run it on a quiet machine: the figures are
# wall-clock ones. Micro-benchmarks of the hot paths:
#   go test ./importer -run '^$' -bench . -benchtime 3x
set -eu
cd "$(dirname "$0")/.."
echo "nproc: $(nproc)"
free -h | sed -n 1,2p
exec go run ./bench "$@"
