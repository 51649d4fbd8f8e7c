#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Shared memory and memory maps: who shares an object, with exact attach and
# detach counts, exact synchronisation counts (futex, semop), and activity
# (page faults) non-zero exactly for the processes that touched the memory.
load helpers

@test "shm demo: System V segment, writer, reader, idle attacher; semaphores; removed while attached" {
	start_tracer --json -i 0.3
	"$DEMO" shm -n 40 -s 65536 --json >"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	final >"$TMP/final"
	# The idle attacher is a sharer with no activity; the segment was
	# removed while all three were attached.
	jq -e '[.rows[] | select(.comm == "shm-idle" and .type == "shm")] | length == 1 and .[0].ops == 0 and .[0].attaches == 1 and .[0].removed_by > 0' "$TMP/final" >/dev/null
	jq -e '[.rows[] | select(.type == "shm")] | all(.bytes_method == "page-faults")' "$TMP/final" >/dev/null
	# Each wait names the process that posted last.
	writer=$(jq -r 'select(.role == "writer") | .pid' "$TMP/demo" | head -n 1)
	jq -e --arg w "$writer" '[.rows[] | select(.comm == "shm-reader" and .type == "sem" and .dir == "rx")][0].woken_by | keys == [$w]' "$TMP/final" >/dev/null
}

@test "posix-shm demo: shm_open, POSIX semaphores, exact futex waits and wakes, shm_unlink" {
	start_tracer --json -i 0.3
	"$DEMO" posix-shm -n 30 -s 20000 --json >"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	final >"$TMP/final"
	jq -e '[.rows[] | select(.type == "posix_shm")] | all(.object | startswith("/dev/shm/ipc-demo."))' "$TMP/final" >/dev/null
	# Who woke whom: only ever the other side.
	writer=$(jq -r 'select(.role == "writer") | .pid' "$TMP/demo" | head -n 1)
	reader=$(jq -r 'select(.role == "reader") | .pid' "$TMP/demo" | head -n 1)
	jq -e --arg w "$writer" --argjson r "$reader" '[.rows[] | select(.pid == $r and .dir == "rx" and .type == "posix_shm")][0].woken_by | keys == [$w]' "$TMP/final" >/dev/null
}

@test "mmap demo: a large file shared, a partial munmap, shared anonymous memory across fork" {
	start_tracer --json -i 0.3
	"$DEMO" mmap -s 8388608 --json >"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	final | jq -e '[.rows[] | select(.comm == "mmap-reader" and (.object | endswith("/data")))][0] | .partial_detaches == 1 and .detaches == 1 and .size == 8388608' >/dev/null
}

@test "the shm demos under the raw_tp fallback" {
	IPCTRACE_HIDE=tp_btf start_tracer --json -i 0.3
	"$DEMO" shm -n 10 -s 16384 --json >"$TMP/demo"
	"$DEMO" posix-shm -n 10 -s 8192 --json >>"$TMP/demo"
	"$DEMO" mmap -s 1048576 --json >>"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
}

@test "a kernel without page_fault_user (arm64's): the shm demos' attaches, detaches and waits exact, no activity estimated" {
	# As ipctrace and check.py see it: the kernel reports no page faults.
	export IPCTRACE_HIDE=page_fault_user
	start_tracer --json -i 0.3
	"$DEMO" shm -n 10 -s 16384 --json >"$TMP/demo"
	"$DEMO" posix-shm -n 10 -s 8192 --json >>"$TMP/demo"
	"$DEMO" mmap -s 1048576 --json >>"$TMP/demo"
	stop_tracer
	python3 "$CHECK" "$TMP/demo" "$TMP/out"
	final | jq -e '[.rows[] | select(.bytes_method == "page-faults")] | length > 0 and all(.ops == 0 and .bytes == 0)' >/dev/null
}

@test "python's multiprocessing.shared_memory: both processes share it, the child writes, the parent reads" {
	start_tracer -t posix_shm --json -i 0.3
	python3 "$ROOT/tests/lib/python_shared_memory.py" 65536 >"$TMP/py"
	stop_tracer
	read -r name parent child < <(jq -r '"\(.name) \(.parent) \(.child)"' "$TMP/py")
	final >"$TMP/final"
	run jq -r --arg n "$name" '[.rows[] | select(.object == $n) | "\(.pid) \(.dir) \(.attaches) \(.ops > 0)"] | sort | join(";")' "$TMP/final"
	# The parent created and mapped it (tx, attach) and read it (rx); the
	# child attached by name and wrote it. The reading and writing are seen
	# in page faults, where the kernel reports them.
	if faults_seen; then
		[ "$output" = "$(printf '%s\n' "$parent rx 0 true" "$parent tx 1 false" "$child tx 1 true" | sort | paste -sd';')" ]
		jq -e --arg n "$name" --argjson c "$child" '[.rows[] | select(.object == $n and .dir == "rx")][0] | [.peers[].pid] | index($c) != null' "$TMP/final" >/dev/null
	else
		[ "$output" = "$(printf '%s\n' "$parent tx 1 false" "$child tx 1 false" | sort | paste -sd';')" ]
	fi
	jq -e --arg n "$name" --argjson p "$parent" '[.rows[] | select(.object == $n)] | all(.removed_by == $p)' "$TMP/final" >/dev/null
}

@test "a process with many shared mappings (40 multiprocessing locks): a 1 MiB segment counts as it does with none, nothing lost" {
	start_tracer -t posix_shm --json -i 0.3
	python3 "$ROOT/tests/lib/python_shared_memory.py" 1048576 0 >"$TMP/py0"
	python3 "$ROOT/tests/lib/python_shared_memory.py" 1048576 40 >"$TMP/py40"
	stop_tracer
	final >"$TMP/final"
	run faults_seen
	python3 - "$TMP/final" "$status" "$TMP/py0" "$TMP/py40" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
seen = sys.argv[2] == "0"
pages = 1048576 // 4096
for path in sys.argv[3:]:
    w = json.load(open(path))
    rows = {(r["pid"], r["dir"]): r for r in doc["rows"] if r["object"] == w["name"]}
    # A write fault per page the child first touches: every page, exactly
    # (none where the kernel reports no faults).
    tx = rows[(w["child"], "tx")]
    want = pages if seen else 0
    assert (tx["ops"], tx["bytes"]) == (want, want * 4096), (path, tx["ops"], tx["bytes"])
    # Reads fault around (16 pages a fault, from where the mapping starts in
    # its 64 KiB window): at least one a window, at most one more.
    if seen:
        rx = rows[(w["parent"], "rx")]["ops"]
        assert pages // 16 <= rx <= pages // 16 + 1, (path, rx)
    else:
        assert (w["parent"], "rx") not in rows, (path, rows[(w["parent"], "rx")])
# No mapping went past the tables: none was looked up in the kernel's tree.
lost = doc["lost"]
assert lost.get("mappings", 0) == 0 and lost.get("faults", 0) == 0, lost
PY
}

@test "20 shared mappings, then each unmapped: every attach and detach counted, past the first table's slots too" {
	start_tracer -t mmap --json -i 0.3
	/usr/bin/python3 -c '
import json, mmap, os
maps = [mmap.mmap(-1, mmap.PAGESIZE) for _ in range(20)]
for m in maps:
    m[0] = 1
for m in maps:
    m.close()
print(json.dumps({"pid": os.getpid(), "maps": len(maps)}))' >"$TMP/maps"
	stop_tracer
	final >"$TMP/final"
	run faults_seen
	python3 - "$TMP/final" "$TMP/maps" "$status" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
w = json.load(open(sys.argv[2]))
faults = 1 if sys.argv[3] == "0" else 0
rows = [r for r in doc["rows"] if r["pid"] == w["pid"] and r["type"] == "mmap"]
# One object each: a page written (a fault, where the kernel reports them),
# attached once and detached once.
assert len(rows) == w["maps"], len(rows)
assert all((r["ops"], r.get("attaches"), r.get("detaches")) == (faults, 1, 1) for r in rows), rows
assert doc["lost"].get("mappings", 0) == 0, doc["lost"]
PY
}

@test "shared anonymous memory made before ipctrace started has one name, with -p and without" {
	python3 "$ROOT/tests/lib/shared_anon.py" 16 >"$TMP/anon" 2>"$TMP/anon.err" 3>&- &
	wait_for "$TMP/anon.err" ready
	parent=$!
	start_tracer -t mmap --json -i 0.3
	start_second_tracer -t mmap -p "$parent" -f --json -i 0.3
	sleep 0.5	# an interval: the -p scan has read the parent's mappings
	kill -USR1 "$parent"
	wait_gone "$parent"
	stop_both_tracers
	run faults_seen
	for f in out1 out2; do
		python3 - "$TMP/$f.final" "$TMP/anon" "$status" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
w = json.load(open(sys.argv[2]))
# The child's first touch of each page, on the object by its one name: its
# only use, seen in its page faults (none where the kernel reports none).
tx = [(r["object"], r["ops"]) for r in rows if r["pid"] == w["child"] and r["dir"] == "tx"]
want = [("[shared anonymous]", w["pages"])] if sys.argv[3] == "0" else []
assert tx == want, (sys.argv[1], tx)
PY
	done
}

@test "-p the reader of a segment attached before ipctrace: the writer and the idle attacher are its peers" {
	"$DEMO" shm -n 20 -s 32768 --json --wait >"$TMP/demo" 2>"$TMP/demo.err" 3>&- &
	wait_for "$TMP/demo.err" ready
	read -r parent writer reader idle < <(demo_pids "$TMP/demo.err")
	start_tracer -p "$reader" --json -i 0.3
	"$DEMO" mmap -s 65536 >/dev/null	# unrelated sharing: must not show
	kill -USR1 "$parent"
	wait_gone "$parent"
	stop_tracer
	# They attached, and said so on the set's third semaphore, before
	# ipctrace started: neither is there to see.
	jq -c 'select(.dir and (.object | endswith("sem 2") | not)) | if .events then .events |= del(.attaches) else . end' "$TMP/demo" >"$TMP/expected"
	jq -c 'select(.removed)' "$TMP/demo" >>"$TMP/expected"
	python3 "$CHECK" --only "$TMP/expected" "$TMP/out"
}

# shm_io_rows KIND: the rows on the object tests/lib/shm_io.py KIND used,
# one line each: "pid dir bytes ops measured_bytes attaches estimate peers".
shm_io_rows() {
	local object
	object=$(jq -r .object "$TMP/$1")
	final | jq -r --arg o "$object" '[.rows[] | select(.object == $o) | "\(.pid) \(.dir) \(.bytes) \(.ops) \(.measured_bytes) \(.attaches) \(.bytes_method != null) \([.peers[].pid] | join(","))"] | sort | .[]'
}

# shm_io_expected KIND: the same lines, from what the helper says it did.
shm_io_expected() {
	jq -r '"\(.writer) tx \(.bytes) \(.writes) \(.bytes) ATT false \(.reader)", "\(.reader) rx \(.bytes) \(.reads) \(.bytes) 0 false \(.writer)"' "$TMP/$1" |
		sed "s/ATT/$2/" | sort
}

@test "shared memory through descriptors: pwrite/pread on POSIX shm, writev/pread/sendfile on a memfd, exact and measured" {
	for hide in "" direct; do
		IPCTRACE_HIDE=$hide start_tracer --json -i 0.3
		python3 "$ROOT/tests/lib/shm_io.py" posix 123457 >"$TMP/posix"
		python3 "$ROOT/tests/lib/shm_io.py" memfd 65536 >"$TMP/memfd"
		stop_tracer
		# Every byte on the object's row, by the calls, not estimated (no
		# bytes_method); the other process its peer. The memfd's writer
		# mapped it too: its attach is on the same row.
		run shm_io_rows posix
		[ "$output" = "$(shm_io_expected posix 0)" ]
		run shm_io_rows memfd
		[ "$output" = "$(shm_io_expected memfd 1)" ]
	done
}

@test "populated shared memory: MAP_POPULATE and madvise(MADV_POPULATE_READ/WRITE) count their pages when made" {
	start_tracer -t posix_shm --json -i 0.3
	python3 "$ROOT/tests/lib/populate.py" 300 77 >"$TMP/pop"
	stop_tracer
	# Once the kernel has faulted the pages in, using them takes no fault:
	# each call counts its pages, one operation, an estimate as faults are.
	run jq -r '.object' "$TMP/pop"
	final | jq -r --arg o "$output" '[.rows[] | select(.object == $o) | "\(.pid) \(.dir) \(.bytes) \(.ops) \(.attaches) \(.bytes_method)"] | sort | .[]' >"$TMP/rows"
	page=$(getconf PAGESIZE)
	jq -r --argjson p "$page" '"\(.writer) tx \(.pages * $p) 1 1 page-faults", "\(.reader) rx \(.pages * $p) 1 1 page-faults", "\(.filler) tx \(.part * $p) 1 1 page-faults"' "$TMP/pop" | sort >"$TMP/expected"
	diff "$TMP/expected" "$TMP/rows"
}
