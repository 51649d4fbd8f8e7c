#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# make dist's static executables (make test-dist runs this, after make dist,
# with the integration tests that need no server pointed at them): that
# they are what the README promises, one file that needs nothing of the
# machine but its kernel, and that such a file alone traces exactly.
load ../integration/helpers

VERSION=$(cat "$ROOT/VERSION")
DIST_ARCH=$(uname -m)
IPCTRACE=$ROOT/dist/ipctrace-$VERSION-$DIST_ARCH
DEMO=$ROOT/dist/ipc-demo-$VERSION-$DIST_ARCH
# The issue's bound: small enough to copy to a box by hand.
MAX_BYTES=$((8 * 1024 * 1024))

@test "dist: ipctrace and ipc-demo are static executables of at most 8 MB" {
	for bin in "$IPCTRACE" "$DEMO"; do
		run -0 file -b "$bin"
		echo "$bin: $output"
		[[ $output == *"statically linked"* ]]
		run ldd "$bin"
		echo "ldd: $output"
		[ "$status" -ne 0 ]
		[[ $output == *"not a dynamic executable"* ]]
		size=$(stat -c %s "$bin")
		echo "size $size, at most $MAX_BYTES"
		[ "$size" -le "$MAX_BYTES" ]
	done
}

@test "dist: the static ipctrace has no TLS stack and says so in --features" {
	run -0 timeout 20 "$IPCTRACE" --features
	grep -qF 'TLS for --listen       no   libmicrohttpd without HTTPS' <<<"$output"
	run -0 --separate-stderr strings "$IPCTRACE"
	if grep -qi 'gnutls' <<<"$output"; then
		echo "GnuTLS is linked in"
		return 1
	fi
}

@test "dist: asked for TLS (--web-config's tls_server_config), the static ipctrace says it has none, in one line" {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
		-days 1 -subj /CN=localhost 2>/dev/null
	printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n' "$TMP/cert.pem" "$TMP/key.pem" \
		>"$TMP/web.yml"
	run --separate-stderr timeout 20 "$IPCTRACE" --listen 127.0.0.1:9553 --web-config "$TMP/web.yml" -d 1 --json
	echo "status $status stderr [$stderr]"
	[ "$status" -eq 1 ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[[ $stderr == *"built without TLS: remove tls_server_config"* ]]
}

@test "dist: alone in an empty root, the static pair traces the pipe demo exactly, users named by its /etc/passwd" {
	local root=$TMP/root
	mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/etc"
	# A name for root that no NSS module of the host would give, and an NSS
	# order naming only a module the root lacks: the static build reads
	# /etc/passwd itself and never loads a libnss_*.so of the target's.
	echo 'distroot:x:0:0:root:/:/nonexistent' >"$root/etc/passwd"
	echo 'passwd: sss' >"$root/etc/nsswitch.conf"
	cp "$IPCTRACE" "$root/ipctrace"
	cp "$DEMO" "$root/ipc-demo"
	# A mount namespace of its own: its mounts go when its last process does,
	# whatever becomes of the test. Inside: no libraries, no shell, no /etc.
	run unshare -m bash -c '
		root=$1
		mount -t proc proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mount --rbind /dev "$root/dev"
		chroot "$root" /ipctrace --json -i 0.5 >"$root/out" 2>"$root/err" &
		tracer=$!
		deadline=$((SECONDS + 60))
		until grep -q "^ipctrace: attached" "$root/err"; do
			((SECONDS < deadline)) || { echo "not attached"; cat "$root/err"; exit 1; }
			sleep 0.1
		done
		chroot "$root" /ipc-demo pipe -n 200 -s 1000 --json >"$root/demo" || exit 1
		kill -INT "$tracer"
		wait "$tracer"
	' bare "$root"
	echo "status $status: $output"
	cat "$root/err"
	[ "$status" -eq 0 ]
	python3 "$CHECK" "$root/demo" "$root/out"
	grep -a '"final":true' "$root/out" | tail -n 1 | jq -e '[.rows[] | select(.comm == "pipe-parent")]
		| length > 0 and all(.user == "distroot")'
}

@test "dist: ipctrace-V-ARCH --demo runs the ipc-demo-V-ARCH beside it" {
	mkdir "$TMP/copy"
	cp "$IPCTRACE" "$DEMO" "$TMP/copy/"
	# Nothing on PATH has ipc-demo: only the file beside it can be found.
	run --separate-stderr env PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		timeout 60 "$TMP/copy/${IPCTRACE##*/}" --demo -d 2 --json -t pipe
	echo "status $status stderr [$stderr]"
	[ "$status" -eq 0 ]
	final=$(grep '"final":true' <<<"$output" | tail -n 1)
	jq -e '[.rows[] | select(.comm == "pipe-parent" and .type == "pipe" and .bytes > 0)]
		| length > 0' <<<"$final"
	jq -e '[.rows[] | select(.comm == "pipe-child")] | length > 0' <<<"$final"
}
