#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# --web-config: the metrics server with TLS and basic authentication, in the
# exporters' web config format, scraped with curl; its certificate is made
# here with openssl and its password hashed with mkpasswd (bcrypt).
load helpers

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# make_tls: a self-signed certificate for 127.0.0.1 and its key (mode 0600).
make_tls() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		-keyout "$TMP/server.key" -out "$TMP/server.crt" 2>/dev/null
	chmod 0600 "$TMP/server.key"
}

# make_users: user "prom" with a random password ($PASSWORD), bcrypt-hashed.
make_users() {
	PASSWORD=$(head -c 12 /dev/urandom | base64)
	HASH=$(mkpasswd -m bcrypt "$PASSWORD")
	[[ $HASH == '$2b$'* ]]
}

# code URL CURL-ARGS...: the HTTP status curl got (000: no HTTP answer).
code() {
	local url=$1
	shift
	curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$@" "$url" || true
}

# scrape_is_file READER BYTES: an authenticated HTTPS scrape is, byte for
# byte, what --prom-file holds (the same interval's text), and shows the
# FIFO reader with the bytes it read.
scrape_is_file() {
	curl -sf --max-time 5 --cacert "$TMP/server.crt" -u "prom:$PASSWORD" \
		-o "$TMP/scrape" "https://127.0.0.1:$PORT/metrics" || return 1
	cmp -s "$TMP/scrape" "$TMP/ipctrace.prom" || return 1
	grep -qE "^ipctrace_bytes_total\{type=\"fifo\",object=\"$TMP/chan\",dir=\"rx\",pid=\"$1\",comm=\"fifo-reader\"\} $2$" "$TMP/scrape"
}

@test "--web-config: HTTPS and basic auth: 401 without or with a wrong password, 200 with the metrics of --prom-file; plain HTTP gets nothing" {
	make_tls
	make_users
	printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: %s\nbasic_auth_users:\n  prom: %s\n' \
		"$TMP/server.key" "$HASH" >"$TMP/web.yml"
	PORT=$(free_port)
	mkfifo "$TMP/chan"
	start_tracer --json -i 1 -t fifo --listen "127.0.0.1:$PORT" --web-config "$TMP/web.yml" --prom-detail \
		--prom-file "$TMP/ipctrace.prom"
	# A reader that stays (its writer end held open), so that its series does.
	"$DEMO" fifo --role reader --path "$TMP/chan" -s 100 --json >>"$TMP/demo" 3>&- &
	reader=$!
	sleep 600 >"$TMP/chan" 3>&- &
	"$DEMO" fifo --role writer --path "$TMP/chan" -n 30 -s 100 --json >>"$TMP/demo"
	bytes=$(jq -r 'select(.dir == "tx") | .bytes' "$TMP/demo")
	[ "$bytes" -gt 0 ]
	https="https://127.0.0.1:$PORT/metrics"
	# No user, a wrong password, an unknown user: 401, with the challenge.
	[ "$(code "$https" --cacert "$TMP/server.crt")" = 401 ]
	[ "$(code "$https" --cacert "$TMP/server.crt" -u "prom:x$PASSWORD")" = 401 ]
	[ "$(code "$https" --cacert "$TMP/server.crt" -u "other:$PASSWORD")" = 401 ]
	curl -s --max-time 5 --cacert "$TMP/server.crt" -D "$TMP/headers" -o "$TMP/denied" "$https"
	grep -qi '^WWW-Authenticate: Basic realm="ipctrace"' "$TMP/headers"
	if grep -q '^ipctrace_' "$TMP/denied"; then
		echo "metrics sent without a password"
		return 1
	fi
	# The right password: the very text of --prom-file, with the reader's bytes.
	[ "$(code "$https" --cacert "$TMP/server.crt" -u "prom:$PASSWORD")" = 200 ]
	wait_until 20 scrape_is_file "$reader" "$bytes"
	promtool check metrics <"$TMP/scrape"
	# Plain HTTP to the TLS port: no answer, no metrics.
	run curl -s --max-time 5 -o "$TMP/plain" "http://127.0.0.1:$PORT/metrics"
	[ "$status" -ne 0 ]
	if grep -q '^ipctrace_' "$TMP/plain" 2>/dev/null; then
		echo "metrics sent over plain HTTP"
		return 1
	fi
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
}

@test "--web-config on unix:PATH: the users apply there too" {
	make_users
	printf 'basic_auth_users:\n  prom: %s\n' "$HASH" >"$TMP/web.yml"
	start_tracer -i 0.5 --listen "unix:$TMP/metrics.sock" --web-config "$TMP/web.yml"
	sock=(--unix-socket "$TMP/metrics.sock")
	wait_until 10 sh -c "[ \"\$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' --unix-socket '$TMP/metrics.sock' -u 'prom:$PASSWORD' http://localhost/metrics)\" = 200 ]"
	[ "$(code http://localhost/metrics "${sock[@]}")" = 401 ]
	[ "$(code http://localhost/metrics "${sock[@]}" -u "prom:x$PASSWORD")" = 401 ]
	curl -sf --max-time 5 "${sock[@]}" -u "prom:$PASSWORD" -o "$TMP/scrape" http://localhost/metrics
	grep -qx 'ipctrace_up 1' "$TMP/scrape"
	stop_tracer
	[ "$TRACER_STATUS" -eq 0 ]
}

# refused FILE STATUS MESSAGE [LISTEN]: ipctrace --listen LISTEN
# --web-config FILE stops before attaching, with MESSAGE as its one line.
refused() {
	local file=$1 want_status=$2 want=$3 listen=${4:-127.0.0.1:$PORT}
	run --separate-stderr timeout 20 "$IPCTRACE" --listen "$listen" --web-config "$file" -d 1
	echo "$file: status $status: $stderr"
	[ "$status" -eq "$want_status" ] || return 1
	[ "${#stderr_lines[@]}" -eq 1 ] || return 1
	[ "$stderr" = "ipctrace: $want" ] || return 1
}

@test "--web-config: unknown keys, unreadable files, bad hashes, an open key: one line, exit 1, nothing attached" {
	make_tls
	make_users
	PORT=$(free_port)
	tls='tls_server_config:\n  cert_file: server.crt\n  key_file: %s\n'
	printf 'basic_auth_users:\n  prom: %s\nfoo: 1\n' "$HASH" >"$TMP/unknown.yml"
	refused "$TMP/unknown.yml" 1 "--web-config $TMP/unknown.yml: line 3: unknown key 'foo' (expected tls_server_config or basic_auth_users)"
	printf "$tls  client_ca_file: ca.crt\n" server.key >"$TMP/unsupported.yml"
	refused "$TMP/unsupported.yml" 1 "--web-config $TMP/unsupported.yml: line 4: tls_server_config.client_ca_file is not supported by ipctrace (only cert_file and key_file): remove it"
	printf 'basic_auth_users:\n  prom: %s\n' "${HASH:0:30}" >"$TMP/short.yml"
	refused "$TMP/short.yml" 1 "--web-config $TMP/short.yml: line 2: the password of user 'prom' is not a bcrypt hash: make one with htpasswd -nB USER or mkpasswd -m bcrypt"
	printf 'basic_auth_users:\n  prom: %s\n' "$(mkpasswd -m sha512crypt "$PASSWORD")" >"$TMP/sha.yml"
	refused "$TMP/sha.yml" 1 "--web-config $TMP/sha.yml: line 2: the password of user 'prom' is not a bcrypt hash: make one with htpasswd -nB USER or mkpasswd -m bcrypt"
	refused "$TMP/none.yml" 1 "--web-config $TMP/none.yml: cannot read the file: No such file or directory: check the path, and that root may read it"
	printf "$tls" missing.key >"$TMP/missing.yml"
	refused "$TMP/missing.yml" 1 "--web-config $TMP/missing.yml: cannot read key_file $TMP/missing.key: No such file or directory: check the path, and that root may read it"
	cp "$TMP/server.key" "$TMP/open.key"
	chmod 0644 "$TMP/open.key"
	printf "$tls" open.key >"$TMP/open.yml"
	refused "$TMP/open.yml" 1 "--web-config $TMP/open.yml: key_file $TMP/open.key is open to other users (mode 0644): chmod o-rwx it"
	printf 'tls_server_config: [cert_file\n' >"$TMP/syntax.yml"
	refused "$TMP/syntax.yml" 1 "--web-config $TMP/syntax.yml: line 2: did not find expected ',' or ']': not YAML as expected"
	# A key that is not PEM: libmicrohttpd refuses it, still before attaching.
	echo junk >"$TMP/junk.key"
	chmod 0600 "$TMP/junk.key"
	printf "$tls" junk.key >"$TMP/junk.yml"
	refused "$TMP/junk.yml" 1 "cannot serve HTTPS on 127.0.0.1:$PORT: libmicrohttpd refused cert_file $TMP/server.crt or key_file $TMP/junk.key: check that they are a PEM certificate and its private key"
	# TLS on a unix socket, which is root's alone already: refused.
	printf "$tls" server.key >"$TMP/tls.yml"
	refused "$TMP/tls.yml" 1 "--web-config: tls_server_config is for ADDR:PORT listeners; unix:$TMP/m.sock is already root's alone: remove tls_server_config, or listen on a port" "unix:$TMP/m.sock"
	[ ! -e "$TMP/m.sock" ]
	# Without --listen, a bad command line.
	run --separate-stderr "$IPCTRACE" --web-config "$TMP/tls.yml"
	[ "$status" -eq 2 ]
	[ "$stderr" = "ipctrace: --web-config sets up the server of --listen: add --listen ADDR:PORT" ]
}
