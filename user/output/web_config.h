/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --web-config FILE: TLS and basic authentication for --listen, in the web
 * configuration format of Prometheus exporters (exporter-toolkit's, as
 * node_exporter's --web.config.file reads), the parts ipctrace does:
 *
 *   tls_server_config:
 *     cert_file: server.crt      # PEM; relative to FILE's directory
 *     key_file: server.key       # PEM; not open to other users
 *   basic_auth_users:
 *     prometheus: $2y$10$...     # bcrypt (htpasswd -nB, mkpasswd -m bcrypt)
 *
 * Read whole at start, while ipctrace is still privileged (keys are usually
 * root's alone) and before anything is attached; any other key is an error.
 */
#ifndef IPCTRACE_WEB_CONFIG_H
#define IPCTRACE_WEB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define WEB_DIGEST_LEN 32	/* SHA-256 */

struct web_user {
	char *name;
	char *hash;		/* bcrypt, checked at load */
	/* The password last let in, as a keyed hash: the next request with it
	 * costs no bcrypt. Zero length: none yet. */
	unsigned char accepted[WEB_DIGEST_LEN];
	size_t accepted_len;
};

struct web_config {
	char *cert_file, *key_file;	/* as resolved, for messages; NULL: no TLS */
	char *cert_pem, *key_pem;	/* their text; the key is wiped when freed */
	struct web_user *users;
	int nusers;		/* 0: no authentication */
	unsigned char digest_key[WEB_DIGEST_LEN];	/* random, this run's */
	bool have_digest_key;
};

/* NULL with one line in err saying what is wrong and where. */
struct web_config *web_config_load(const char *path, char *err, size_t errlen);

void web_config_free(struct web_config *w);

/*
 * Whether user and password are one of basic_auth_users. The bcrypt hash is
 * computed even for an unknown user, and compared in constant time, so the
 * answer's time tells nothing of which users exist. A user's password once
 * let in is remembered (keyed SHA-256, not the password), as exporters do:
 * a scraper pays for bcrypt once a run, not every scrape. Not thread-safe:
 * the server's one thread calls it.
 */
bool web_config_authorized(struct web_config *w, const char *user, const char *password);

#endif
