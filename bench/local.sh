#!/usr/bin/env bash
# Measures `make local` (cmd/local) as a developer meets it and prints the figures:
#   signed GET of a claim through cmd/local (SigV4 check, proxy event, the claims bootstrap under
#   the Runtime API, dynalite), p50 and p99 over 500 requests
#   start-up to the first answer of a signed GET /whoami, median of 3: with the bootstraps
#   prebuilt, and building them as `make local` does
# No targets: the figures are for comparison between changes. Needs the npm dev dependencies
# (npm ci): cmd/local starts dynalite.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -e node_modules/dynalite/cli.js ]]; then
	echo "dynalite is not installed: run npm ci first" >&2
	exit 1
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -bench 'SignedGetClaim' -benchtime 500x -count 1 -timeout 600s ./cmd/local >"$out"
go test -run '^$' -bench 'Startup' -benchtime 3x -count 1 -timeout 600s ./cmd/local >>"$out"

echo "signed GET of a claim through cmd/local"
awk '/^BenchmarkSignedGetClaim/ { printf "  p50 %8s ms\n  p99 %8s ms\n", $5, $7 }' "$out"
echo "start-up to the first answer (median of 3)"
awk '/^BenchmarkStartup\// { n = $1; sub(/^BenchmarkStartup\//, "", n); sub(/-[0-9]+$/, "", n); printf "  %-9s %8.2f s\n", n, $5 / 1000 }' "$out"
