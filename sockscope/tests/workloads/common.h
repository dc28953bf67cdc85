/* Shared helpers for the capture/lifecycle workloads (included, never built alone).
 * Workloads print nothing on stdout; failures of set-up calls go to stderr with exit 2.
 * Sockets are moved to fixed descriptor numbers so that the expected lines are exact. */
#define _GNU_SOURCE
#pragma GCC diagnostic ignored "-Wunused-function"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	_exit(2);
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "workload: alarm guard fired\n";
	write(2, msg, sizeof msg - 1);
	_exit(124);
}

static void guard(unsigned secs)
{
	signal(SIGALRM, on_alarm);
	alarm(secs);
}

/* Moves fd to number want (closing the original). */
static int fixfd(int fd, int want)
{
	if (fd < 0)
		die("socket");
	if (fd == want)
		return fd;
	if (dup2(fd, want) < 0)
		die("dup2");
	close(fd);
	return want;
}

static int sock_at(int domain, int type, int want)
{
	return fixfd(socket(domain, type, 0), want);
}

static struct sockaddr_in sin4(int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static struct sockaddr_in6 sin6(int port)
{
	struct sockaddr_in6 a;
	memset(&a, 0, sizeof a);
	a.sin6_family = AF_INET6;
	a.sin6_port = htons(port);
	a.sin6_addr = in6addr_loopback;
	return a;
}

static void reuse(int fd)
{
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
}

static void bind4(int fd, int port)
{
	struct sockaddr_in a = sin4(port);
	reuse(fd);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
		die("bind4");
}

static void bind6(int fd, int port)
{
	struct sockaddr_in6 a = sin6(port);
	int one = 1;
	reuse(fd);
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
		die("bind6");
}

/* A connected TCP pair over 127.0.0.1:port: *cli at fd c, *srv (accepted) at fd s. */
static void tcp_pair(int port, int c, int s)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = sin4(port);
	reuse(l);
	if (bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0)
		die("listen");
	int cf = sock_at(AF_INET, SOCK_STREAM, c);
	if (connect(cf, (struct sockaddr *)&a, sizeof a) < 0)
		die("connect");
	fixfd(accept(l, NULL, NULL), s);
	close(l);
}

static socklen_t unix_addr(struct sockaddr_un *u, const char *path, int abstract)
{
	memset(u, 0, sizeof *u);
	u->sun_family = AF_UNIX;
	if (abstract) {
		memcpy(u->sun_path + 1, path, strlen(path));
		return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path);
	}
	strcpy(u->sun_path, path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

/* Writes our pid to DIR/NAME so the test can substitute it. */
static void write_pid(const char *dir, const char *name)
{
	char path[512], text[32];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(path);
	int n = snprintf(text, sizeof text, "%d\n", getpid());
	if (write(fd, text, n) != n)
		die("write pid");
	close(fd);
}
