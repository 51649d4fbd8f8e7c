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
# An application's ratio is its throughput kept (traced / untraced): worse
# when lower, by more than the application margin; a peer's is not flagged.
app_base = {"apps": {"redis_unix": {"ipctrace": {"ratio": 0.97}, "strace": {"ratio": 0.10}}}}
now = copy.deepcopy(app_base)
now["apps"]["redis_unix"]["ipctrace"]["ratio"] -= 0.06
now["apps"]["redis_unix"]["strace"]["ratio"] -= 0.08
got = bench.compare_baseline(now, app_base, margin, 0.05)
assert got == ["redis_unix/ipctrace"], got
now["apps"]["redis_unix"]["ipctrace"]["ratio"] = 0.99
assert bench.compare_baseline(now, app_base, margin, 0.05) == [], "a better throughput flagged"
print("checked")
PY
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"pipe1      ipctrace"*"WORSE"* ]]
	[[ $output == *"mq         strace"*"moved (a peer"* ]]
	[[ $output == *"redis_unix ipctrace    0.97x ->   0.91x  WORSE"* ]]
	[[ $output == *"redis_unix strace      0.10x ->   0.02x  moved (a peer"* ]]
	[[ ${lines[-1]} == checked ]]
}

@test "bench: each of the benchmark's scripts starts, its modules found, and answers --help" {
	for script in bench.py scale.py hookcost/run.py; do
		run /usr/bin/python3 "$ROOT/tools/bench/$script" --help
		echo "$script: $output"
		[ "$status" -eq 0 ]
		[[ ${lines[0]} == usage:* ]]
	done
}
