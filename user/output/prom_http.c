// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
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
#include "output/prom_http.h"
#include "output/gzip.h"

/* The exposition format's own content type (text format 0.0.4). */
#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* A scraper needs one connection; these bound what idle or slow ones hold. */
#define MAX_CONNECTIONS 32
#define CONNECTION_TIMEOUT_S 10

struct prom_server {
	int listen_fd;
	char text_addr[128];
	char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];	/* "" unless unix:PATH */
	struct MHD_Daemon *daemon;
	GMutex lock;		/* guards snapshot, between the tracer and the server */
	char *snapshot;
	size_t snapshot_len;
	char *gzipped;		/* the snapshot gzipped once, for every scraper asking */
	size_t gzipped_len;
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

struct prom_server *prom_server_bind(const struct sockaddr *addr, socklen_t addrlen,
				     const char *text, char *err, size_t errlen)
{
	struct prom_server *s;
	int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;
	const char *hint = "check the address";

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
	if (bind_private(fd, addr, addrlen) != 0 || listen(fd, MAX_CONNECTIONS) != 0) {
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
	g_mutex_init(&s->lock);
	return s;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *type,
			     const char *body, size_t len)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, resp);
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
	enum MHD_Result ret;
	bool gz = gzip_accepted(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							    MHD_HTTP_HEADER_ACCEPT_ENCODING));

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", not_allowed,
			     sizeof(not_allowed) - 1);
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found, sizeof(not_found) - 1);
	/* Only the copy is made under the lock; sending happens after. */
	g_mutex_lock(&s->lock);
	gz = gz && s->gzipped;
	resp = !s->snapshot ? NULL :
	       MHD_create_response_from_buffer(gz ? s->gzipped_len : s->snapshot_len,
					       gz ? s->gzipped : s->snapshot, MHD_RESPMEM_MUST_COPY);
	g_mutex_unlock(&s->lock);
	if (!resp)
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", not_yet,
			     sizeof(not_yet) - 1);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, PROM_CONTENT_TYPE);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (gz)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * The server's thread parses what any local user sends: it holds no
 * capability at all. Capabilities are per thread, and a thread starts with
 * its creator's: the daemon is started from a thread that has dropped them
 * (capset on itself alone), so its own thread is made without them, while
 * the main thread keeps what naming peers in /proc needs.
 */
static void *start_unprivileged(void *arg)
{
	struct prom_server *s = arg;
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capset, &hdr, none) != 0)
		return NULL;
	s->daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, answer, s,
				     MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONNECTION_TIMEOUT_S,
				     MHD_OPTION_END);
	return NULL;
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
	if (!s->daemon) {
		snprintf(err, errlen, "cannot serve metrics on %s: libmicrohttpd would not start",
			 s->text_addr);
		return -1;
	}
	return 0;
}

void prom_server_publish(struct prom_server *s, const char *text, size_t len)
{
	char *copy = g_memdup2(text, len), *old, *old_gz;
	size_t gz_len = 0;
	/* Compressed here, once an interval, not once a scrape. */
	char *gz = gzip_text(text, len, &gz_len);

	g_mutex_lock(&s->lock);
	old = s->snapshot;
	old_gz = s->gzipped;
	s->snapshot = copy;
	s->snapshot_len = len;
	s->gzipped = gz;
	s->gzipped_len = gz_len;
	g_mutex_unlock(&s->lock);
	g_free(old);
	g_free(old_gz);
}

void prom_server_stop(struct prom_server *s)
{
	if (!s)
		return;
	if (s->daemon)
		MHD_stop_daemon(s->daemon);	/* closes the listening socket too */
	else
		close(s->listen_fd);
	if (s->unix_path[0])
		unlink(s->unix_path);
	g_mutex_clear(&s->lock);
	g_free(s->snapshot);
	g_free(s->gzipped);
	g_free(s);
}
