#!/usr/bin/env bash
# Runs every test suite and prints one summary line last: "N passed, N failed".
#   tests/run-all.sh              unit tests, then integration tests
#   tests/run-all.sh integration  integration tests only
# Unit tests need nothing special; integration tests need root (BPF).
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# tally: read TAP, echo it, count its results.
tally() {
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		"not ok"*) failed=$((failed + 1)) ;;
		"ok"*) passed=$((passed + 1)) ;;
		esac
	done
}

if [[ ${1:-all} != integration ]]; then
	echo "# unit tests"
	CMOCKA_MESSAGE_OUTPUT=TAP build/unit-tests >"$log" 2>&1
	status=$?
	tally <"$log"
	# A crash before any result must not pass silently.
	if [[ $status -ne 0 ]] && ! grep -q '^not ok' "$log"; then
		echo "not ok - unit test binary exited with status $status"
		failed=$((failed + 1))
	fi
fi

echo "# integration tests"
if [[ $(id -u) -ne 0 ]]; then
	echo "not ok - integration tests need root (BPF): run sudo make test"
	failed=$((failed + 1))
else
	timeout 3000 bats --tap tests/integration >"$log" 2>&1
	status=$?
	tally <"$log"
	if [[ $status -ne 0 ]] && ! grep -q '^not ok' "$log"; then
		echo "not ok - bats exited with status $status"
		failed=$((failed + 1))
	fi
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
