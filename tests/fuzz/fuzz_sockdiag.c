// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a datagram of sock_diag replies (the input, as received
 * from the kernel, to request 1). Whatever its lengths say, sockdiag_parse
 * reads nothing past it (AddressSanitizer: the input is a buffer of exactly
 * its size), answers 1, 0 or a negative errno, and every socket it hands on
 * is whole: an inet family with its addresses, a unix name within sun_path.
 */
#include <sys/socket.h>
#include "mechanisms/sockdiag.h"
#include "fuzz.h"

static void check_sock(const struct sockdiag_sock *s, void *ctx)
{
	(*(int *)ctx)++;
	if (s->is_unix)
		FUZZ_CHECK(s->unx.name.path_len <= SOCK_PATH_LEN &&
			   (s->unx.name.family == AF_UNIX || !s->unx.name.path_len));
	else
		FUZZ_CHECK(s->net.local.family == AF_INET || s->net.local.family == AF_INET6);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	int socks = 0, r;

	memcpy(buf, data, size);
	r = sockdiag_parse(buf, size, 1, IPC_TCP, check_sock, &socks);
	FUZZ_CHECK(r == 0 || r == 1 || r < 0);
	FUZZ_CHECK((size_t)socks * 16 <= size);
	free(buf);
	return 0;
}
