#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# A fleet on one machine: three network namespaces are three hosts on one
# link (a bridge of this test's own, with addresses of a benchmarking range
# that exist only on it), a TCP server on one, a client on each other, one
# ipctrace per host restricted to it (--netns), and a real Prometheus,
# started here with its own configuration and storage, scraping all three
# and evaluating docs/prometheus's recording rules. Checked over its HTTP
# API (tests/lib/check_fleet.py).
load helpers

PEER="$ROOT/tests/lib/fleet_peer.py"
CHECK_FLEET="$ROOT/tests/lib/check_fleet.py"
SERVICE_PORT=7432
EXPORTER_PORT=9432

# Names of this run's own: namespaces, links, a /24 of 198.18.0.0/15.
FLEET_ID=$(($$ % 200 + 20))
NS_PREFIX="ipctrace-fleet.$$"
BRIDGE="iptfb$$"
SUBNET="198.18.$FLEET_ID"
HOSTS=(srv c1 c2)
PROM_PID=

# host_ip N: the address of HOSTS[N] (the bridge, Prometheus's side, is .254).
host_ip() {
	echo "$SUBNET.$(($1 + 1))"
}

# make_fleet: the bridge in this namespace, and each host's namespace joined
# to it by a veth pair.
make_fleet() {
	ip link add "$BRIDGE" type bridge
	ip addr add "$SUBNET.254/24" dev "$BRIDGE"
	ip link set "$BRIDGE" up
	local i
	for i in "${!HOSTS[@]}"; do
		ip netns add "$NS_PREFIX.${HOSTS[i]}"
		ip link add "iptf$$h$i" type veth peer name eth0 netns "$NS_PREFIX.${HOSTS[i]}"
		ip link set "iptf$$h$i" master "$BRIDGE" up
		ip -n "$NS_PREFIX.${HOSTS[i]}" addr add "$(host_ip "$i")/24" dev eth0
		ip -n "$NS_PREFIX.${HOSTS[i]}" link set eth0 up
		ip -n "$NS_PREFIX.${HOSTS[i]}" link set lo up
	done
}

# stop_servers (teardown, whatever happened): Prometheus, every process in
# the namespaces (the ipctraces, the server and clients), the namespaces
# (their veth ends go with them) and the bridge.
stop_servers() {
	local i
	if [[ -n $PROM_PID ]]; then
		kill -9 "$PROM_PID" 2>/dev/null || true
	fi
	for i in "${!HOSTS[@]}"; do
		ip netns pids "$NS_PREFIX.${HOSTS[i]}" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns delete "$NS_PREFIX.${HOSTS[i]}" 2>/dev/null || true
	done
	ip link delete "$BRIDGE" 2>/dev/null || true
}

# in_host N CMD... &: CMD in HOSTS[N]'s network namespace, and only that
# (nsenter, unlike ip netns exec, leaves /sys and its cgroup mount alone).
# In the background only: it execs, so that $! is CMD's PID.
in_host() {
	local i=$1
	shift
	exec nsenter --net="/run/netns/$NS_PREFIX.${HOSTS[i]}" "$@"
}

start_prometheus() {
	local port targets="" i
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	for i in "${!HOSTS[@]}"; do
		targets+="'$(host_ip "$i"):$EXPORTER_PORT', "
	done
	cat >"$TMP/prometheus.yml" <<-EOF
		global:
		  scrape_interval: 1s
		  evaluation_interval: 1s
		scrape_configs:
		  - job_name: ipctrace
		    static_configs:
		      - targets: [${targets%, }]
		rule_files:
		  - $ROOT/docs/prometheus/ipctrace-rules.yml
	EOF
	prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
		--web.listen-address="127.0.0.1:$port" >"$TMP/prometheus.log" 2>&1 3>&- &
	PROM_PID=$!
	PROM="http://127.0.0.1:$port"
	wait_until 30 curl -sf -o /dev/null "$PROM/-/ready"
}

# targets_up: Prometheus scrapes every ipctrace.
targets_up() {
	local up
	up=$(curl -sf "$PROM/api/v1/query?query=sum(up%7Bjob%3D%22ipctrace%22%7D)") &&
		[ "$(jq -r '.data.result[0].value[1]' <<<"$up")" = "${#HOSTS[@]}" ]
}

@test "fleet: Prometheus's recording rules name each client and its server across namespaces, with their byte rates; every dashboard panel has data" {
	make_fleet
	local i server tracers=()
	server="$(host_ip 0)"
	for i in "${!HOSTS[@]}"; do
		in_host "$i" "$IPCTRACE" --netns "/run/netns/$NS_PREFIX.${HOSTS[i]}" --no-tui -i 1 \
			--listen "$(host_ip "$i"):$EXPORTER_PORT" >"$TMP/out.$i" 2>"$TMP/err.$i" 3>&- &
		tracers[i]=$!
	done
	for i in "${!HOSTS[@]}"; do
		wait_for "$TMP/err.$i" '^ipctrace: attached' 60
	done
	start_prometheus
	wait_until 30 targets_up
	in_host 0 python3 "$PEER" server fleet-server "$server" "$SERVICE_PORT" >"$TMP/server" 3>&- &
	wait_for "$TMP/server" '^listening$'
	# Each client its own sizes, so that each edge's rate is its own.
	in_host 1 python3 "$PEER" client fleet-client1 "$server" "$SERVICE_PORT" "$TMP/go" \
		1000 3000 2000000 500000 >"$TMP/client.1" 3>&- &
	in_host 2 python3 "$PEER" client fleet-client2 "$server" "$SERVICE_PORT" "$TMP/go" \
		5000 7000 700000 1300000 >"$TMP/client.2" 3>&- &
	# The second requests only once Prometheus has the first: the rate's
	# window then starts at a sample before them.
	wait_until 40 python3 "$CHECK_FLEET" edges "$PROM" fleet-client1 fleet-client2
	touch "$TMP/go"
	for i in 1 2; do
		wait_for "$TMP/client.$i" '^\{' 20
		jq -c --arg host "$(host_ip "$i")" '. + {host: $host}' "$TMP/client.$i" >"$TMP/record.$i"
	done
	# Until the final counts are scraped and the rules evaluated past them.
	wait_until 20 python3 "$CHECK_FLEET" check "$PROM" "$ROOT/docs/prometheus/ipctrace-dashboard.json" \
		"$server:$SERVICE_PORT" "$server" fleet-server "$TMP/record.1" "$TMP/record.2"
	run python3 "$CHECK_FLEET" check "$PROM" "$ROOT/docs/prometheus/ipctrace-dashboard.json" \
		"$server:$SERVICE_PORT" "$server" fleet-server "$TMP/record.1" "$TMP/record.2"
	echo "$output"
	[ "$status" -eq 0 ]
	# Each ipctrace counted its own host alone: of the three processes, only
	# the one there.
	local names=(fleet-server fleet-client1 fleet-client2)
	for i in "${!HOSTS[@]}"; do
		run curl -sf "http://$(host_ip "$i"):$EXPORTER_PORT/metrics"
		[ "$status" -eq 0 ]
		[ "$(grep '^ipctrace_bytes_total{' <<<"$output" | grep -o '[{,]comm="fleet-[a-z0-9]*"' |
			cut -c2- | sort -u)" = "comm=\"${names[i]}\"" ]
	done
	# Each stops cleanly.
	for i in "${!HOSTS[@]}"; do
		kill -INT "${tracers[i]}"
		wait_gone "${tracers[i]}" 30
		wait "${tracers[i]}"
	done
}
