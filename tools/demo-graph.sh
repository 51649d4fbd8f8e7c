#!/usr/bin/env bash
# Draws the README's picture, docs/demo-graph.svg, from a real run: the
# demos of pipes, FIFOs, both kinds of message queue and unix, TCP and UDP
# sockets, traced by ipctrace --graph and rendered by Graphviz.
#
#   sudo make demo-graph                  (builds first)
#   sudo tools/demo-graph.sh [OUT.svg]    (the default is docs/demo-graph.svg;
#                                         OUT.png for a PNG: dot -T by suffix)
#
# Each demo sets up and waits (ipc-demo --wait), so that ipctrace can be
# started on exactly their processes (-p): nothing else on the machine gets
# into the picture. Needs root, as ipctrace does, and dot (graphviz).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs/demo-graph.svg}
ipctrace=$root/build/ipctrace
demo=$root/build/ipc-demo
demos=(pipe fifo mq msg unix tcp udp)

for tool in "$ipctrace" "$demo"; do
	[[ -x $tool ]] || { echo "demo-graph: $tool is missing: run make first" >&2; exit 1; }
done
command -v dot >/dev/null || { echo "demo-graph: dot is missing: apt-get install graphviz" >&2; exit 1; }

tmp=$(mktemp -d)
tracer=
starters=()
cleanup() {
	for pid in "${starters[@]}" $tracer; do
		kill "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# wait_line FILE PATTERN: until a line of FILE matches (30 s at most).
wait_line() {
	for _ in $(seq 300); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "demo-graph: timed out waiting for /$2/ in $1:" >&2
	cat "$1" >&2
	exit 1
}

targets=()
for d in "${demos[@]}"; do
	# Paced, so that the picture's numbers are round and the run a few seconds.
	"$demo" "$d" -n 50 -s 1000 -r 25 --wait >/dev/null 2>"$tmp/$d.err" &
	starters+=($!)
	wait_line "$tmp/$d.err" 'ready pid'
	read -ra pids < <(sed -nE 's/.*ready pid ([0-9 ]+);.*/\1/p' "$tmp/$d.err")
	for pid in "${pids[@]}"; do
		targets+=(-p "$pid")
	done
done

"$ipctrace" "${targets[@]}" -i 1 --graph "$tmp/demo.dot" >/dev/null 2>"$tmp/ipctrace.err" &
tracer=$!
wait_line "$tmp/ipctrace.err" '^ipctrace: attached'
kill -USR1 "${starters[@]}"
for pid in "${starters[@]}"; do
	wait "$pid" || { echo "demo-graph: a demo failed:" >&2; cat "$tmp"/*.err >&2; exit 1; }
done
starters=()
kill -INT "$tracer"
wait "$tracer" || { cat "$tmp/ipctrace.err" >&2; exit 1; }
tracer=
mkdir -p "$(dirname "$out")"
dot -T"${out##*.}" "$tmp/demo.dot" -o "$out"
echo "demo-graph: wrote $out"
