#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs every test suite and prints one summary line last: "N passed, N failed".
#   tests/run-all.sh              lint, unit tests, then integration tests
#   tests/run-all.sh integration  lint, then integration tests only
# Unit tests need nothing special; integration tests need root (BPF).
# Each result is printed as the suite reports it (TAP), not at the end: the
# integration tests take minutes, and a run should say how far it is.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0 failed=0

# count: one TAP result line, echoed and added to the tally. Sets result_seen
# and failure_seen for the suite running now.
count() {
	printf '%s\n' "$1"
	case $1 in
	"not ok"*) failed=$((failed + 1)) failure_seen=1 result_seen=1 ;;
	"ok"*) passed=$((passed + 1)) result_seen=1 ;;
	esac
}

# suite NAME COMMAND...: run COMMAND, count its TAP lines as they come.
suite() {
	local name=$1 line status
	shift
	result_seen=0 failure_seen=0
	# A process substitution rather than a pipe, so that the counting
	# happens in this shell; its status is waited for after.
	while IFS= read -r line; do
		count "$line"
	done < <("$@" 2>&1)
	wait $!
	status=$?
	# A crash before any result, or one after the last, must not pass.
	if [[ $status -ne 0 && $failure_seen -eq 0 ]]; then
		count "not ok - $name exited with status $status"
	elif [[ $result_seen -eq 0 ]]; then
		count "not ok - $name reported no result"
	fi
}

# The lint (tests/lint-bats.py) is one result: ok, or not ok with the
# file:line of each check that cannot fail.
echo "# lint"
if lint=$(python3 tests/lint-bats.py 2>&1); then
	count "ok - lint: no never-failing checks in bats (bare !, unchecked run, ...)"
else
	count "not ok - lint: checks in bats that can never fail (tests/lint-bats.py)"
	printf '%s\n' "$lint" | sed 's/^/#   /'
fi
# And the layers (tests/lint-layers.py): no include runs the wrong way.
if lint=$(python3 tests/lint-layers.py 2>&1); then
	count "ok - lint: every include runs down the layers (docs/design.md)"
else
	count "not ok - lint: includes that run up the layers (tests/lint-layers.py)"
	printf '%s\n' "$lint" | sed 's/^/#   /'
fi
# And the BPF stack: what this machine's kernel accepts, older ones may not.
if lint=$(python3 tests/lint-bpf-stack.py 2>&1); then
	count "ok - lint: every BPF program's deepest calls fit older verifiers' 512 bytes of stack"
else
	count "not ok - lint: BPF call chains over 512 bytes of stack for kernels before 6.13 (tests/lint-bpf-stack.py)"
	printf '%s\n' "$lint" | sed 's/^/#   /'
fi
# And the fuzz targets, which only `make fuzz` builds: they still compile.
if lint=$(make --no-print-directory -s fuzz-syntax 2>&1); then
	count "ok - lint: the fuzz targets compile against today's headers (make fuzz-syntax)"
else
	count "not ok - lint: a fuzz target no longer compiles (make fuzz-syntax)"
	printf '%s\n' "$lint" | sed 's/^/#   /'
fi

if [[ ${1:-all} != integration ]]; then
	echo "# unit tests"
	suite "unit test binary" env CMOCKA_MESSAGE_OUTPUT=TAP build/unit-tests
	# The tests that keep and copy rows, again under valgrind: a freed row
	# read by chance passes a plain run. Their names say "valgrind:". (Not
	# the number formats' millions of cases, which would take minutes.)
	valgrind_unit() {
		suite "unit tests $* under valgrind" bash -c 'set -o pipefail
			CMOCKA_MESSAGE_OUTPUT=TAP valgrind -q --error-exitcode=9 build/unit-tests "$@" 2>&1 |
				sed -E "s/^((not )?ok [0-9]+ - )/\1valgrind: /"' _ "$@"
	}
	valgrind_unit rows
	valgrind_unit tui_view
	valgrind_unit output 'test_[cpt]*'
fi

echo "# integration tests"
if [[ $(id -u) -ne 0 ]]; then
	count "not ok - integration tests need root (BPF): run sudo make test"
else
	suite bats timeout 3000 bats --tap tests/integration
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
