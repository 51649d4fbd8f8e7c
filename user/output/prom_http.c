// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <sys/un.h>
#include <glib.h>
#include <microhttpd.h>
#include "common/common.h"
#include "common/sanitize.h"
#include "output/prom_http.h"
#include "output/web_config.h"

/* The exposition format's own content type (text format 0.0.4). */
#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/*
 * A scraper needs one connection at a time. Each connection has
 * DEADLINE_S from accept to its response sent (responses close the
 * connection, so that is one request), then it is closed whatever it is
 * doing: a client that trickles its headers holds a slot that long at most,
 * and SLOTS leave room for a scrape beside a few dozen of them.
 */
#define SLOTS 128
#define DEADLINE_S 5
/* What basic authentication's challenge names. */
#define REALM "ipctrace"
/* HTTPS as exporter-toolkit serves it by default: TLS 1.2 and later. */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
/* How often the server's loop looks for connections past their deadline,
 * and for the stop. */
#define WAKE_MS 100

/* An accepted connection and when it must be done. */
struct conn_clock {
	int fd;
	double deadline;	/* CLOCK_MONOTONIC seconds */
	bool cut;		/* shut down; MHD closes it at its next turn */
};

struct prom_server {
	int listen_fd;
	char text_addr[128];
	char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];	/* "" unless unix:PATH */
	struct web_config *web;	/* --web-config, or NULL; the caller's */
	struct MHD_Daemon *daemon;
	pthread_t thread;	/* runs the daemon's loop; started unprivileged */
	bool serving;
	gint stopping;
	GPtrArray *clocks;	/* struct conn_clock *, touched by the server's thread only */
	GMutex lock;		/* guards snapshot, between the tracer and the server */
	char *snapshot;
	size_t snapshot_len;
};

/*
 * unix:PATH: a socket left by an earlier run is replaced; anything else
 * there is not ipctrace's to remove.
 */
static int unix_path_free(const char *path, const char *text, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "cannot listen on %s: a file that is not a socket is there: "
			 "choose another path", text);
		return -1;
	}
	unlink(path);
	return 0;
}

/* A unix socket is made mode 0600: only root may connect to it. */
static int bind_private(int fd, const struct sockaddr *addr, socklen_t addrlen)
{
	mode_t old = addr->sa_family == AF_UNIX ? umask(0177) : 0;
	int ret = bind(fd, addr, addrlen);

	if (addr->sa_family == AF_UNIX)
		umask(old);
	return ret;
}

static int start_daemon(struct prom_server *s, char *err, size_t errlen);

/* What --web-config asks of this listener that it cannot do: one line. */
static int web_config_refused(const struct sockaddr *addr, const struct web_config *web,
			      const char *text, char *err, size_t errlen)
{
	char shown[160];

	if (!web)
		return 0;
	if (web->cert_pem && addr->sa_family == AF_UNIX) {
		snprintf(err, errlen, "--web-config: tls_server_config is for ADDR:PORT listeners; "
			 "%s is already root's alone: remove tls_server_config, or listen on a port",
			 name_escape_buf(shown, sizeof(shown), text));
		return -1;
	}
	if (web->nusers && MHD_is_feature_supported(MHD_FEATURE_BASIC_AUTH) != MHD_YES) {
		snprintf(err, errlen, "--web-config: this libmicrohttpd was built without basic "
			 "authentication: remove basic_auth_users, or use a libmicrohttpd with it");
		return -1;
	}
	return 0;
}

struct prom_server *prom_server_bind(const struct sockaddr *addr, socklen_t addrlen,
				     const char *text, struct web_config *web,
				     char *err, size_t errlen)
{
	struct prom_server *s;
	int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;
	const char *hint = "check the address";

	if (web_config_refused(addr, web, text, err, errlen)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s: check the address", text,
			 strerror(errno));
		return NULL;
	}
	/* A restart must not wait out the last run's TIME_WAIT connections. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (addr->sa_family == AF_UNIX && unix_path_free(((const struct sockaddr_un *)addr)->sun_path,
							  text, err, errlen)) {
		close(fd);
		return NULL;
	}
	if (bind_private(fd, addr, addrlen) != 0 || listen(fd, SLOTS) != 0) {
		int e = errno;

		if (e == EADDRINUSE)
			hint = "stop what uses it (ss -ltnp) or choose another port with --listen";
		else if (e == EADDRNOTAVAIL)
			hint = "give an address of this host, or a port alone for 127.0.0.1";
		else if (e == EACCES)
			hint = "use a port above 1023, or run ipctrace as root";
		snprintf(err, errlen, "cannot listen on %s: %s: %s", text, strerror(e), hint);
		close(fd);
		return NULL;
	}
	s = g_new0(struct prom_server, 1);
	s->listen_fd = fd;
	if (addr->sa_family == AF_UNIX)
		g_strlcpy(s->unix_path, ((const struct sockaddr_un *)addr)->sun_path,
			  sizeof(s->unix_path));
	g_strlcpy(s->text_addr, text, sizeof(s->text_addr));
	s->web = web;
	g_mutex_init(&s->lock);
	if (start_daemon(s, err, errlen)) {
		prom_server_stop(s);
		return NULL;
	}
	return s;
}

/* One request per connection: its deadline is then the request's. */
static enum MHD_Result send_response(struct MHD_Connection *c, unsigned int status,
				     struct MHD_Response *resp)
{
	enum MHD_Result ret;

	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *type,
			     const char *body, size_t len)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	return send_response(c, status, resp);
}

/* --web-config's basic_auth_users: the request's user and password, if any, are one of them. */
static bool authorized(struct prom_server *s, struct MHD_Connection *c)
{
	char *password = NULL, *user = MHD_basic_auth_get_username_password(c, &password);
	bool ok = user && password && web_config_authorized(s->web, user, password);

	if (password) {
		explicit_bzero(password, strlen(password));
		MHD_free(password);
	}
	MHD_free(user);
	return ok;
}

/* 401, with the challenge (WWW-Authenticate) MHD adds. */
static enum MHD_Result deny(struct MHD_Connection *c)
{
	static const char body[] = "ipctrace: the metrics need a user and password\n";
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_basic_auth_fail_response(c, REALM, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	static const char not_found[] = "ipctrace: the metrics are at /metrics\n";
	static const char not_allowed[] = "ipctrace: /metrics answers GET and HEAD\n";
	static const char not_yet[] = "ipctrace: no interval has ended yet\n";
	struct prom_server *s = cls;
	struct MHD_Response *resp;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (s->web && s->web->nusers && !authorized(s, c))
		return deny(c);
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", not_allowed,
			     sizeof(not_allowed) - 1);
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found, sizeof(not_found) - 1);
	/* Only the copy is made under the lock; sending happens after. */
	g_mutex_lock(&s->lock);
	resp = s->snapshot ? MHD_create_response_from_buffer(s->snapshot_len, s->snapshot,
							     MHD_RESPMEM_MUST_COPY)
			   : NULL;
	g_mutex_unlock(&s->lock);
	if (!resp)
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", not_yet,
			     sizeof(not_yet) - 1);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, PROM_CONTENT_TYPE);
	return send_response(c, MHD_HTTP_OK, resp);
}

/*
 * MHD knows an idle timeout only, which a client sending a byte now and then
 * never meets: the server's own loop closes each connection at its deadline.
 * It shuts the socket down rather than closing it, so that MHD, which owns
 * the descriptor, sees the end at its next turn and closes it. Both run in
 * the server's one thread, so a descriptor is never cut after MHD closed it.
 */
static void track_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			     enum MHD_ConnectionNotificationCode code)
{
	struct prom_server *s = cls;
	const union MHD_ConnectionInfo *fd;
	struct conn_clock *clock = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (clock)
			g_ptr_array_remove_fast(s->clocks, clock);
		*socket_context = NULL;
		return;
	}
	fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!fd)
		return;
	clock = g_new0(struct conn_clock, 1);
	clock->fd = fd->connect_fd;
	clock->deadline = now_s() + DEADLINE_S;
	g_ptr_array_add(s->clocks, clock);
	*socket_context = clock;
}

static void cut_late_connections(struct prom_server *s)
{
	double now = now_s();

	for (guint i = 0; i < s->clocks->len; i++) {
		struct conn_clock *clock = g_ptr_array_index(s->clocks, i);

		if (!clock->cut && now >= clock->deadline) {
			shutdown(clock->fd, SHUT_RDWR);
			clock->cut = true;
		}
	}
}

static void *serve(void *arg)
{
	struct prom_server *s = arg;

	while (!g_atomic_int_get(&s->stopping)) {
		if (MHD_run_wait(s->daemon, WAKE_MS) != MHD_YES)
			g_usleep(WAKE_MS * 1000);
		cut_late_connections(s);
	}
	return NULL;
}

/*
 * The server's thread parses what any local user sends: it holds no
 * capability at all. Capabilities are per thread, and a thread starts with
 * its creator's: the server's thread is made by a thread that has dropped
 * them (capset on itself alone), while the main thread keeps what naming
 * peers in /proc needs.
 */
static void *start_unprivileged(void *arg)
{
	struct prom_server *s = arg;
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capset, &hdr, none) == 0 && pthread_create(&s->thread, NULL, serve, s) == 0) {
		pthread_setname_np(s->thread, "ipctrace-http");
		s->serving = true;
	}
	return NULL;
}

/*
 * The one place that knows TLS: the options that make the daemon speak
 * HTTPS with --web-config's certificate and key (libmicrohttpd links the TLS
 * library; ipctrace itself does not). opt holds 4 items.
 */
static int tls_options(const struct prom_server *s, struct MHD_OptionItem *opt,
		       unsigned int *flags, char *err, size_t errlen)
{
	opt[0] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	if (!s->web || !s->web->cert_pem)
		return 0;
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, errlen, "--web-config: this libmicrohttpd was built without TLS: "
			 "remove tls_server_config, or use a libmicrohttpd with it");
		return -1;
	}
	opt[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, s->web->cert_pem };
	opt[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, s->web->key_pem };
	opt[2] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0, TLS_PRIORITIES };
	opt[3] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	*flags |= MHD_USE_TLS;
	return 0;
}

static void say_not_started(const struct prom_server *s, char *err, size_t errlen)
{
	char cert[192], key[192];

	if (!s->web || !s->web->cert_pem) {
		snprintf(err, errlen, "cannot serve metrics on %s: libmicrohttpd would not start",
			 s->text_addr);
		return;
	}
	snprintf(err, errlen, "cannot serve HTTPS on %s: libmicrohttpd refused cert_file %s or "
		 "key_file %s: check that they are a PEM certificate and its private key",
		 s->text_addr, name_escape_buf(cert, sizeof(cert), s->web->cert_file),
		 name_escape_buf(key, sizeof(key), s->web->key_file));
}

/*
 * The daemon is made here, in the caller's thread, and only runs (accepts,
 * answers) once prom_server_start() starts its thread: with no thread of
 * its own, MHD is driven by MHD_run_wait().
 */
static int start_daemon(struct prom_server *s, char *err, size_t errlen)
{
	struct MHD_OptionItem tls[4];
	unsigned int flags = MHD_USE_AUTO;

	s->clocks = g_ptr_array_new_with_free_func(g_free);
	if (tls_options(s, tls, &flags, err, errlen))
		return -1;
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, answer, s,
				     MHD_OPTION_ARRAY, tls,
				     MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SLOTS,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)DEADLINE_S,
				     MHD_OPTION_NOTIFY_CONNECTION, track_connection, s,
				     MHD_OPTION_END);
	if (!s->daemon) {
		say_not_started(s, err, errlen);
		/* Some of MHD's failures close the socket it was given, others
		 * not: it is left alone rather than maybe closed twice (ipctrace
		 * is about to exit). */
		s->listen_fd = -1;
		return -1;
	}
	return 0;
}

int prom_server_start(struct prom_server *s, char *err, size_t errlen)
{
	sigset_t block, old;
	pthread_t starter;

	/* The server's thread inherits this mask: SIGINT and SIGTERM must reach
	 * the main thread, whose sleep they interrupt. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if (pthread_create(&starter, NULL, start_unprivileged, s) == 0)
		pthread_join(starter, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s->serving) {
		snprintf(err, errlen, "cannot serve metrics on %s: the server's thread would not "
			 "start without privileges", s->text_addr);
		return -1;
	}
	return 0;
}

void prom_server_publish(struct prom_server *s, const char *text, size_t len)
{
	char *copy = g_memdup2(text, len), *old;

	g_mutex_lock(&s->lock);
	old = s->snapshot;
	s->snapshot = copy;
	s->snapshot_len = len;
	g_mutex_unlock(&s->lock);
	g_free(old);
}

void prom_server_stop(struct prom_server *s)
{
	if (!s)
		return;
	if (s->serving) {
		g_atomic_int_set(&s->stopping, 1);
		pthread_join(s->thread, NULL);
	}
	if (s->daemon)
		MHD_stop_daemon(s->daemon);	/* closes the listening socket too */
	else if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->clocks)
		g_ptr_array_free(s->clocks, TRUE);
	if (s->unix_path[0])
		unlink(s->unix_path);
	g_mutex_clear(&s->lock);
	g_free(s->snapshot);
	g_free(s);
}
