#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The benchmark's regression check (tools/bench/bench.py): a later change
# that costs more must show up against tools/bench/baseline.json, and only
# ipctrace's own ratios may raise it; a peer's (bpftrace, strace) that moved
# says the machine changed. Timings themselves are the benchmark's, not a test's.
load helpers

@test "bench: against the baseline, ipctrace's worse ratio is flagged, a peer's is not" {
	run python3 - "$ROOT/tools/bench" "$ROOT/tools/bench/baseline.json" <<'PY'
import copy, json, sys
sys.path.insert(0, sys.argv[1])
import bench

baseline = json.load(open(sys.argv[2]))
margin = 0.3
# The baseline's own run moved: pipe1 under ipctrace by more than the margin,
# mq under strace by far more, everything else untouched.
now = copy.deepcopy(baseline)
now["overhead"]["pipe1"]["ipctrace"]["ratio"] += margin + 0.05
now["overhead"]["mq"]["strace"]["ratio"] += 10 * margin
assert bench.compare_baseline(baseline, baseline, margin) == [], "a run flagged against itself"
got = bench.compare_baseline(now, baseline, margin)
assert got == ["pipe1/ipctrace"], got
# Within the margin is the same run's noise.
now = copy.deepcopy(baseline)
now["overhead"]["msg"]["nowait"]["ratio"] += margin - 0.05
assert bench.compare_baseline(now, baseline, margin) == [], "flagged within the margin"
print("checked")
PY
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"pipe1  ipctrace"*"WORSE"* ]]
	[[ $output == *"mq     strace"*"moved (a peer"* ]]
	[[ ${lines[-1]} == checked ]]
}
