#!/usr/bin/env bash
# make fuzz: run each libFuzzer target for SECONDS, from its seeds and what
# earlier runs found (build/fuzz/corpus, kept between runs), and print one
# line per target. A crash, a sanitizer report or a failed check leaves the
# input in build/fuzz/findings/ and fails the run.
#   tests/fuzz/run.sh SECONDS TARGET...
set -uo pipefail
seconds=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
out=$(dirname "$1")
mkdir -p "$out/findings"
failed=0
printf '%-14s %10s %8s %8s %6s  %s\n' target runs execs/s cov corpus result
for bin in "$@"; do
	name=$(basename "$bin")
	short=${name#fuzz_}
	corpus=$out/corpus/$short
	log=$out/$name.log
	mkdir -p "$corpus"
	dict=()
	[[ -f $here/$short.dict ]] && dict=(-dict="$here/$short.dict")
	# -close_fd_mask=1: --help and the like print to stdout; keep the log to
	# libFuzzer's own lines. -timeout: an input that runs for 10 s is a hang.
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=1 \
		-print_final_stats=1 -artifact_prefix="$out/findings/$short-" "${dict[@]}" \
		"$corpus" "$here/seeds/$short" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
	files=$(find "$corpus" -type f | wc -l)
	if [[ $rc -eq 0 ]]; then
		result=ok
	else
		result="FAILED (exit $rc): $(grep -m1 -E 'ERROR|check failed|runtime error' "$log"); see $log"
		failed=$((failed + 1))
	fi
	printf '%-14s %10s %8s %8s %6s  %s\n' "$short" "${runs:-?}" "${rate:-?}" "${cov:-?}" "$files" "$result"
done
exit $((failed > 0))
