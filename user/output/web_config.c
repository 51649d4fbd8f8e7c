// SPDX-License-Identifier: GPL-2.0
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <yaml.h>
#include "common/sanitize.h"
#include "output/web_config.h"

/* The configuration, a certificate or a key: a few KB each; more is no such file. */
#define TEXT_MAX (1 << 20)
/* "$2b$" "10$", 22 characters of salt, then 31 of hash; the first 29 are the setting. */
#define BCRYPT_LEN 60
#define BCRYPT_SETTING_LEN 29
#define BCRYPT_ALPHABET "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* Keys exporter-toolkit knows and ipctrace does not do: said as such, not as unknown. */
static const char *const top_unsupported[] = { "http_server_config", "rate_limit", NULL };
static const char *const tls_unsupported[] = {
	"cert", "key", "client_auth_type", "client_ca_file", "client_ca", "client_allowed_sans",
	"min_version", "max_version", "cipher_suites", "curve_preferences",
	"prefer_server_cipher_suites", NULL,
};

struct loader {
	char *path;		/* the file's name, escaped, for messages */
	char *dir;		/* where relative cert_file and key_file are */
	yaml_document_t doc;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int bad(struct loader *l, const yaml_node_t *at, const char *fmt, ...)
{
	char what[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (at)
		snprintf(l->err, l->errlen, "--web-config %s: line %zu: %s", l->path,
			 at->start_mark.line + 1, what);
	else
		snprintf(l->err, l->errlen, "--web-config %s: %s", l->path, what);
	return -1;
}

/* A name from the file, fit for a message. */
static const char *shown(char *buf, size_t len, const char *name)
{
	return name_escape_buf(buf, len, name);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* "key:" with nothing after it: the section is as good as absent. */
static bool is_null(const yaml_node_t *n)
{
	const char *v = scalar(n);

	return v && (!v[0] || !strcmp(v, "~") || !strcmp(v, "null"));
}

static bool listed(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(name, *list))
			return true;
	return false;
}

static yaml_node_t *node(struct loader *l, int index)
{
	return yaml_document_get_node(&l->doc, index);
}

/*
 * The whole of a small file. A key must not be open to other users: such a
 * key is as good as public, and saying so beats serving it.
 */
static char *read_text(struct loader *l, const char *file, const char *what, bool secret)
{
	char shown_file[256], *label, *buf = NULL;
	struct stat st;
	ssize_t n;
	int fd;

	label = what ? g_strdup_printf("%s %s", what, shown(shown_file, sizeof(shown_file), file))
		     : g_strdup("the file");
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		bad(l, NULL, "cannot read %s: %s: check the path, and that root may read it", label,
		    strerror(errno));
	} else if (!S_ISREG(st.st_mode) || st.st_size > TEXT_MAX) {
		bad(l, NULL, "%s is not a regular file of at most 1 MiB", label);
	} else if (secret && (st.st_mode & (S_IROTH | S_IWOTH))) {
		bad(l, NULL, "%s is open to other users (mode %04o): chmod o-rwx it", label,
		    (unsigned int)(st.st_mode & 07777));
	} else {
		buf = g_malloc((size_t)st.st_size + 1);
		n = read(fd, buf, (size_t)st.st_size + 1);
		if (n != st.st_size || memchr(buf, '\0', (size_t)n)) {
			bad(l, NULL, "cannot read %s: %s", label,
			    n < 0 ? strerror(errno) : "it changed while read, or holds a NUL byte");
			explicit_bzero(buf, (size_t)st.st_size + 1);
			g_free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	if (fd >= 0)
		close(fd);
	g_free(label);
	return buf;
}

static char *resolve(struct loader *l, const char *file)
{
	return g_path_is_absolute(file) ? g_strdup(file) : g_build_filename(l->dir, file, NULL);
}

/* cert_file and key_file, each once, as non-empty strings. */
static int tls_file(struct loader *l, const yaml_node_t *k, const yaml_node_t *v,
		    const char **slot)
{
	if (*slot)
		return bad(l, k, "tls_server_config.%s is given twice", scalar(k));
	if (!scalar(v) || !scalar(v)[0])
		return bad(l, v, "tls_server_config.%s: expected a file name", scalar(k));
	*slot = scalar(v);
	return 0;
}

static int load_tls(struct loader *l, struct web_config *w, const yaml_node_t *n)
{
	const char *cert = NULL, *key = NULL;
	char name[96];

	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return bad(l, n, "tls_server_config: expected cert_file and key_file under it");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		const char *key_name = scalar(k) ? scalar(k) : "";
		int ret;

		if (!strcmp(key_name, "cert_file"))
			ret = tls_file(l, k, v, &cert);
		else if (!strcmp(key_name, "key_file"))
			ret = tls_file(l, k, v, &key);
		else if (listed(key_name, tls_unsupported))
			ret = bad(l, k, "tls_server_config.%s is not supported by ipctrace (only "
				  "cert_file and key_file): remove it", key_name);
		else
			ret = bad(l, k, "unknown key tls_server_config.%s (expected cert_file and "
				  "key_file)", shown(name, sizeof(name), key_name));
		if (ret)
			return ret;
	}
	if (!cert || !key)
		return bad(l, n, "tls_server_config needs both cert_file and key_file");
	w->cert_file = resolve(l, cert);
	w->key_file = resolve(l, key);
	w->cert_pem = read_text(l, w->cert_file, "cert_file", false);
	w->key_pem = w->cert_pem ? read_text(l, w->key_file, "key_file", true) : NULL;
	return w->key_pem ? 0 : -1;
}

/* A bcrypt hash that libcrypt takes: its setting gives the same back. */
static bool bcrypt_hash_ok(const char *hash)
{
	struct crypt_data *data;
	const char *out;
	bool ok;

	if (strlen(hash) != BCRYPT_LEN ||
	    (strncmp(hash, "$2a$", 4) && strncmp(hash, "$2b$", 4) && strncmp(hash, "$2y$", 4)) ||
	    strspn(hash + BCRYPT_SETTING_LEN, BCRYPT_ALPHABET) != BCRYPT_LEN - BCRYPT_SETTING_LEN)
		return false;
	data = g_new0(struct crypt_data, 1);
	out = crypt_rn("", hash, data, sizeof(*data));
	ok = out && strlen(out) == BCRYPT_LEN && !strncmp(out, hash, BCRYPT_SETTING_LEN);
	g_free(data);
	return ok;
}

static int add_user(struct loader *l, struct web_config *w, const yaml_node_t *k,
		    const yaml_node_t *v)
{
	const char *name = scalar(k), *hash = scalar(v);
	char user[96];

	/* Basic authentication splits user from password at the first colon. */
	if (!name || !name[0] || strchr(name, ':'))
		return bad(l, k, "basic_auth_users: a user name is a string without ':'");
	shown(user, sizeof(user), name);
	for (int i = 0; i < w->nusers; i++)
		if (!strcmp(w->users[i].name, name))
			return bad(l, k, "basic_auth_users: user '%s' is given twice", user);
	if (!hash || !bcrypt_hash_ok(hash))
		return bad(l, v, "the password of user '%s' is not a bcrypt hash: make one with "
			   "htpasswd -nB USER or mkpasswd -m bcrypt", user);
	w->users[w->nusers].name = g_strdup(name);
	w->users[w->nusers].hash = g_strdup(hash);
	w->nusers++;
	return 0;
}

static int load_users(struct loader *l, struct web_config *w, const yaml_node_t *n)
{
	const yaml_node_pair_t *p;

	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return bad(l, n, "basic_auth_users: expected a 'user: bcrypt-hash' line for each user "
			   "under it");
	w->users = g_new0(struct web_user, n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
		if (add_user(l, w, node(l, p->key), node(l, p->value)))
			return -1;
	return 0;
}

static int load_root(struct loader *l, struct web_config *w)
{
	const yaml_node_t *root = yaml_document_get_root_node(&l->doc);
	bool tls = false, users = false;
	char name[96];

	if (!root || is_null(root))
		return 0;	/* an empty file: plain HTTP for all, as exporters take it */
	if (root->type != YAML_MAPPING_NODE)
		return bad(l, root, "expected tls_server_config and basic_auth_users at the top");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		const yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		const char *key = scalar(k) ? scalar(k) : "";
		bool *seen = !strcmp(key, "tls_server_config") ? &tls
			     : !strcmp(key, "basic_auth_users") ? &users : NULL;

		if (seen && *seen)
			return bad(l, k, "%s is given twice", key);
		if (seen == &tls && load_tls(l, w, v))
			return -1;
		if (seen == &users && load_users(l, w, v))
			return -1;
		if (seen)
			*seen = true;
		else if (listed(key, top_unsupported))
			return bad(l, k, "%s is not supported by ipctrace (only tls_server_config and "
				   "basic_auth_users): remove it", key);
		else
			return bad(l, k, "unknown key '%s' (expected tls_server_config or "
				   "basic_auth_users)", shown(name, sizeof(name), key));
	}
	return 0;
}

static int parse(struct loader *l, const char *text)
{
	yaml_parser_t parser;
	int ret = 0;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	if (!yaml_parser_load(&parser, &l->doc)) {
		snprintf(l->err, l->errlen, "--web-config %s: line %zu: %s: not YAML as expected",
			 l->path, parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "unreadable");
		ret = -1;
	}
	yaml_parser_delete(&parser);
	return ret;
}

struct web_config *web_config_load(const char *path, char *err, size_t errlen)
{
	struct web_config *w = g_new0(struct web_config, 1);
	struct loader l = { .path = name_escaped(path), .dir = g_path_get_dirname(path),
			    .err = err, .errlen = errlen };
	char *text = read_text(&l, path, NULL, false);
	int ret = -1;

	w->have_digest_key = getrandom(w->digest_key, sizeof(w->digest_key), 0) ==
			     sizeof(w->digest_key);
	if (text && parse(&l, text) == 0) {
		ret = load_root(&l, w);
		yaml_document_delete(&l.doc);
	}
	g_free(text);
	g_free(l.path);
	g_free(l.dir);
	if (ret) {
		web_config_free(w);
		return NULL;
	}
	return w;
}

void web_config_free(struct web_config *w)
{
	if (!w)
		return;
	if (w->key_pem)
		explicit_bzero(w->key_pem, strlen(w->key_pem));
	g_free(w->key_pem);
	g_free(w->cert_pem);
	g_free(w->key_file);
	g_free(w->cert_file);
	for (int i = 0; i < w->nusers; i++) {
		g_free(w->users[i].name);
		g_free(w->users[i].hash);
	}
	g_free(w->users);
	explicit_bzero(w->digest_key, sizeof(w->digest_key));
	g_free(w);
}

/* Every byte looked at, whatever differs first. */
static bool same_bytes(const char *a, const char *b, size_t n)
{
	volatile unsigned char diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* The password's keyed hash, into digest; its length, 0 without a key. */
static size_t password_digest(const struct web_config *w, const char *password,
			      unsigned char digest[WEB_DIGEST_LEN])
{
	gsize len = WEB_DIGEST_LEN;
	GHmac *hmac;

	if (!w->have_digest_key)
		return 0;
	hmac = g_hmac_new(G_CHECKSUM_SHA256, w->digest_key, sizeof(w->digest_key));
	g_hmac_update(hmac, (const guchar *)password, -1);
	g_hmac_get_digest(hmac, digest, &len);
	g_hmac_unref(hmac);
	return len;
}

static bool bcrypt_matches(const char *password, const char *hash)
{
	struct crypt_data *data = g_new0(struct crypt_data, 1);
	const char *out = crypt_rn(password, hash, data, sizeof(*data));
	bool same = out && strlen(out) == BCRYPT_LEN && same_bytes(out, hash, BCRYPT_LEN);

	explicit_bzero(data, sizeof(*data));
	g_free(data);
	return same;
}

bool web_config_authorized(struct web_config *w, const char *user, const char *password)
{
	struct web_user *u = NULL;
	unsigned char digest[WEB_DIGEST_LEN];
	size_t len;
	bool same;

	if (!w->nusers)
		return false;
	for (int i = 0; i < w->nusers; i++)
		if (!strcmp(w->users[i].name, user))
			u = &w->users[i];
	len = password_digest(w, password, digest);
	if (u && len && len == u->accepted_len && same_bytes((const char *)digest,
							      (const char *)u->accepted, len))
		return true;
	same = bcrypt_matches(password, u ? u->hash : w->users[0].hash);
	if (u && same) {
		memcpy(u->accepted, digest, len);
		u->accepted_len = len;
	}
	return u && same;
}
