#!/usr/bin/env bash
# Measures the Lambda functions against their targets and prints the figures:
#   warm handler time and allocations per request, store excluded (create, get, patch)
#                                           target < 20 µs and < 60 allocs
#   cold start of the real bootstrap under the Runtime API harness, process start to first
#   answer, median of 20                    target < 15 ms
#   size of each linux/arm64 bootstrap      target < 10 MB
# Exits 1 when a figure misses its target. Needs the npm dev dependencies (npm ci): the
# benchmarks' packages start dynalite.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -e node_modules/dynalite/cli.js ]]; then
	echo "dynalite is not installed: run npm ci first" >&2
	exit 1
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

go test -run '^$' -bench . -benchmem -count 1 ./functions/internal/claimsapi >"$out/warm.txt"
go test -run '^$' -bench ColdStart -benchtime 20x -count 1 ./functions/bootstrap >"$out/cold.txt"
go run ./cmd/buildfunctions -out "$out/build" >/dev/null

failed=0
verdict=ok
judge() { # judge <1 when the target is met>: sets $verdict, remembers a miss
	if [[ $1 == 1 ]]; then verdict=ok; else verdict=MISSED; failed=1; fi
}

echo "warm request (store excluded)       time        allocs"
while read -r name _ ns _ _ _ allocs _; do
	name=${name#Benchmark}
	name=${name%-*}
	us=$(awk -v ns="$ns" 'BEGIN { printf "%.1f", ns / 1000 }')
	judge "$(awk -v ns="$ns" -v a="$allocs" 'BEGIN { print (ns < 20000 && a < 60) ? 1 : 0 }')"
	printf '  %-32s %7s µs  %6s     %s\n' "$name" "$us" "$allocs" "$verdict"
done < <(grep '^Benchmark' "$out/warm.txt")

echo "cold start (median of 20)"
while read -r name _ _ _ ms _; do
	name=${name#BenchmarkColdStart/}
	name=${name%-*}
	judge "$(awk -v ms="$ms" 'BEGIN { print (ms < 15) ? 1 : 0 }')"
	printf '  %-32s %7s ms               %s\n' "$name" "$ms" "$verdict"
done < <(grep '^BenchmarkColdStart/' "$out/cold.txt")

echo "linux/arm64 bootstrap size"
for f in "$out"/build/*/bootstrap; do
	name=$(basename "$(dirname "$f")")
	bytes=$(stat -c %s "$f")
	zip=$(stat -c %s "$out/build/$name.zip")
	judge $(( bytes < 10000000 ? 1 : 0 ))
	printf '  %-32s %7.2f MB  (zip %.2f MB)  %s\n' "$name" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" \
		"$(awk -v b="$zip" 'BEGIN { print b / 1e6 }')" "$verdict"
done

exit "$failed"
