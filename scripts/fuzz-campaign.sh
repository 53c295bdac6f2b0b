#!/usr/bin/env bash
# A fuzzing campaign: each libFuzzer target runs for FUZZ_SECONDS (default 600) from the corpus
# kept in backend/fuzz/corpus/<target>/, then that corpus is replaced by the minimised merge of
# what it held and what the run found. make test's short runs start from the same corpus.
#
#   scripts/fuzz-campaign.sh                  every target, 600 s each
#   FUZZ_SECONDS=60 scripts/fuzz-campaign.sh fuzz_query fuzz_body
#
# Prints one line per target (runs, coverage, corpus size before and after) and writes the same
# lines to backend/build-fuzz/campaign.txt. Exits non-zero at the first crash, leaving the
# reproducer in backend/build-fuzz/ (run the target on it to see the stack).
set -euo pipefail
cd "$(dirname "$0")/../backend"
seconds="${FUZZ_SECONDS:-600}"
make --no-print-directory fuzz >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in fuzz/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi
summary=build-fuzz/campaign.txt
: >"$summary"
for t in "${targets[@]}"; do
	bin="build-fuzz/$t"
	[ -x "$bin" ] || { echo "$t: no such target" >&2; exit 2; }
	kept="fuzz/corpus/$t"
	work="build-fuzz/campaign-$t"
	mkdir -p "$kept" "$work"
	# make test's short runs leave their finds in build-fuzz/corpus-<target>: read them too.
	extra=()
	[ -d "build-fuzz/corpus-$t" ] && extra=("build-fuzz/corpus-$t")
	before=$(find "$kept" "${extra[@]}" -type f | wc -l)
	log="build-fuzz/campaign-$t.log"
	if ! "$bin" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=build-fuzz/ -print_final_stats=1 "$work" "$kept" "${extra[@]}" >"$log" 2>&1; then
		tail -40 "$log"
		echo "$t: CRASH after $(grep -o 'Done [0-9]* runs' "$log" || echo '?') (reproducer in backend/build-fuzz/)"
		exit 1
	fi
	# Minimise: keep the smallest set of inputs that reaches every feature either corpus reached.
	fresh="build-fuzz/merged-$t"
	rm -rf "$fresh" && mkdir -p "$fresh"
	"$bin" -merge=1 -max_len=8192 "$fresh" "$kept" "$work" "${extra[@]}" >"build-fuzz/merge-$t.log" 2>&1
	rm -rf "$kept" && mv "$fresh" "$kept"
	after=$(find "$kept" -type f | wc -l)
	runs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
	cov=$(grep -ao 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || echo '?')
	line="$t: ${seconds} s, ${runs} runs, ${cov}, no crash; ${before} inputs to start from, ${after} kept"
	echo "$line" | tee -a "$summary"
done
