// SPDX-License-Identifier: GPL-2.0
/* --web-config: what loads, what each mistake says, who is let in. */
#include <crypt.h>
#include <string.h>
#include <sys/stat.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "unit.h"
#include "output/web_config.h"

struct dir {
	char *path;
	char hash[CRYPT_OUTPUT_SIZE];	/* bcrypt of "secret", cost 4 */
};

static void put(const struct dir *d, const char *name, const char *text, int mode)
{
	char *path = g_build_filename(d->path, name, NULL);

	assert_true(g_file_set_contents(path, text, -1, NULL));
	assert_int_equal(g_chmod(path, mode), 0);
	g_free(path);
}

static int setup(void **state)
{
	struct dir *d = g_new0(struct dir, 1);
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data data = {};

	d->path = g_dir_make_tmp("ipctrace-webconfig-XXXXXX", NULL);
	assert_non_null(crypt_gensalt_rn("$2b$", 4, NULL, 0, setting, sizeof(setting)));
	assert_non_null(crypt_rn("secret", setting, &data, sizeof(data)));
	g_strlcpy(d->hash, data.output, sizeof(d->hash));
	put(d, "server.crt", "-----BEGIN CERTIFICATE-----\n", 0644);
	put(d, "server.key", "-----BEGIN PRIVATE KEY-----\n", 0640);
	put(d, "open.key", "-----BEGIN PRIVATE KEY-----\n", 0644);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dir *d = *state;
	char *cmd = g_strdup_printf("rm -rf '%s'", d->path);

	assert_int_equal(system(cmd), 0);
	g_free(cmd);
	g_free(d->path);
	g_free(d);
	return 0;
}

/* Load text as a config file of d's; NULL with err on failure. */
static struct web_config *load(const struct dir *d, const char *text, char *err, size_t len)
{
	char *path = g_build_filename(d->path, "web.yml", NULL);
	struct web_config *w;

	put(d, "web.yml", text, 0600);
	err[0] = '\0';
	w = web_config_load(path, err, len);
	g_free(path);
	return w;
}

static void test_tls_and_users(void **state)
{
	struct dir *d = *state;
	char *text = g_strdup_printf("tls_server_config:\n  cert_file: server.crt\n"
				     "  key_file: %s/server.key\nbasic_auth_users:\n"
				     "  prom: %s\n  'other user': '%s'\n", d->path, d->hash, d->hash);
	char err[512], *cert = g_build_filename(d->path, "server.crt", NULL);
	struct web_config *w = load(d, text, err, sizeof(err));

	assert_non_null(w);
	/* A relative path is the config file's folder's. */
	assert_string_equal(w->cert_file, cert);
	assert_string_equal(w->cert_pem, "-----BEGIN CERTIFICATE-----\n");
	assert_string_equal(w->key_pem, "-----BEGIN PRIVATE KEY-----\n");
	assert_int_equal(w->nusers, 2);
	assert_true(web_config_authorized(w, "prom", "secret"));
	assert_true(web_config_authorized(w, "other user", "secret"));
	assert_false(web_config_authorized(w, "prom", "Secret"));
	assert_false(web_config_authorized(w, "prom", ""));
	assert_false(web_config_authorized(w, "nobody", "secret"));
	assert_false(web_config_authorized(w, "", "secret"));
	/* Once let in, remembered: still only with the same password and user. */
	assert_true(web_config_authorized(w, "prom", "secret"));
	assert_false(web_config_authorized(w, "prom", "secret "));
	assert_false(web_config_authorized(w, "nobody", "secret"));
	web_config_free(w);
	g_free(cert);
	g_free(text);
}

static void test_empty(void **state)
{
	static const char *const texts[] = { "", "# nothing\n", "basic_auth_users:\n",
					     "tls_server_config: ~\n" };
	char err[512];

	for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
		struct web_config *w = load(*state, texts[i], err, sizeof(err));

		assert_non_null(w);
		assert_null(w->cert_pem);
		assert_int_equal(w->nusers, 0);
		/* Nobody is a user of a config without users. */
		assert_false(web_config_authorized(w, "prom", "secret"));
		web_config_free(w);
	}
}

static void test_errors(void **state)
{
	struct dir *d = *state;
	const struct {
		const char *text;	/* %s: a good hash */
		const char *error;	/* what follows "--web-config PATH: " */
	} cases[] = {
		{ "foo: 1\n", "line 1: unknown key 'foo' (expected tls_server_config or "
			      "basic_auth_users)" },
		{ "http_server_config:\n  http2: false\n", "line 1: http_server_config is not "
			"supported by ipctrace (only tls_server_config and basic_auth_users): remove it" },
		{ "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  "
		  "min_version: TLS13\n", "line 4: tls_server_config.min_version is not supported "
		  "by ipctrace (only cert_file and key_file): remove it" },
		{ "tls_server_config:\n  cert_file: server.crt\n  kee_file: x\n",
		  "line 3: unknown key tls_server_config.kee_file (expected cert_file and key_file)" },
		{ "tls_server_config:\n  cert_file: server.crt\n",
		  "line 2: tls_server_config needs both cert_file and key_file" },
		{ "tls_server_config:\n  cert_file: server.crt\n  key_file: open.key\n",
		  "key_file %s/open.key is open to other users (mode 0644): chmod o-rwx it" },
		{ "tls_server_config:\n  cert_file: server.crt\n  cert_file: server.crt\n",
		  "line 3: tls_server_config.cert_file is given twice" },
		{ "tls_server_config:\n  cert_file: [a]\n  key_file: server.key\n",
		  "line 2: tls_server_config.cert_file: expected a file name" },
		{ "tls_server_config: server.crt\n", "line 1: tls_server_config: expected cert_file "
		  "and key_file under it" },
		{ "basic_auth_users:\n  a: %s\nbasic_auth_users:\n  b: %s\n",
		  "line 3: basic_auth_users is given twice" },
		{ "basic_auth_users:\n  a: %s\n  a: %s\n",
		  "line 3: basic_auth_users: user 'a' is given twice" },
		{ "basic_auth_users:\n  'a:b': %s\n",
		  "line 2: basic_auth_users: a user name is a string without ':'" },
		{ "basic_auth_users:\n  a: $1$abc$defghijklmnopqrstuvwxy\n",
		  "line 2: the password of user 'a' is not a bcrypt hash: make one with htpasswd "
		  "-nB USER or mkpasswd -m bcrypt" },
		{ "basic_auth_users:\n  \"a\\e[2J\": secret\n",
		  "line 2: the password of user 'a\\x1b[2J' is not a bcrypt hash: make one with "
		  "htpasswd -nB USER or mkpasswd -m bcrypt" },
		{ "basic_auth_users:\n  - a\n", "line 2: basic_auth_users: expected a 'user: "
		  "bcrypt-hash' line for each user under it" },
		{ "[1, 2]\n", "line 1: expected tls_server_config and basic_auth_users at the top" },
		{ "basic_auth_users: {a\n", "line 2: did not find expected ',' or '}': not YAML as "
		  "expected" },
	};
	char err[512];

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *text = g_strdup_printf(cases[i].text, d->hash, d->hash);
		char *error = g_strdup_printf(cases[i].error, d->path);
		char *want = g_strdup_printf("--web-config %s/web.yml: %s", d->path, error);

		assert_null(load(d, text, err, sizeof(err)));
		assert_string_equal(err, want);
		g_free(want);
		g_free(error);
		g_free(text);
	}
}

int run_web_config_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_and_users),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests_name("web_config", tests, setup, teardown);
}
