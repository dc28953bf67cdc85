/* Shared set-up for the conformance scenarios (included, never built on its own).
 *
 * Every scenario calls scenario_init(argc, argv) first. It
 *   - moves the process into a fresh network namespace and a fresh pid namespace
 *     (so fixed ports never clash with anything else on the machine, abstract
 *     AF_UNIX names are private, and pids seen in SCM_CREDENTIALS are fixed:
 *     the scenario body runs as pid 2 of its namespace),
 *   - brings lo up and moves the ephemeral port range to 50000-50999 (the
 *     harness normalises ports in that range only; fixed ports are 40100-40199),
 *   - closes every descriptor it inherited above stderr, so that descriptor numbers are
 *     the same on every machine (a CI runner or a shell may leave e.g. fd 10 open, which
 *     shifts every socket the data scenario opens after its tenth descriptor),
 *   - arms an alarm() guard so that nothing hangs,
 *   - returns the work directory given as argv[1] (for AF_UNIX paths).
 * Nothing here makes one of the six traced calls.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PORT(n) (40100 + (n))
#ifndef MSG_CMSG_COMPAT
#define MSG_CMSG_COMPAT 0x80000000
#endif

static void die(const char *what)
{
	fprintf(stderr, "scenario: %s: %s\n", what, strerror(errno));
	_exit(2);
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "scenario: alarm guard fired\n";
	write(2, msg, sizeof msg - 1);
	_exit(124);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		die(path);
	if (write(fd, text, strlen(text)) < 0)
		die(path);
	close(fd);
}

static void lo_up(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		die("SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		die("SIOCSIFFLAGS lo");
	close(fd);
}

static const char *scenario_init(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s WORKDIR\n", argv[0]);
		exit(2);
	}
	if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
		die("close_range");
	/* SCENARIO_NETNS_GIVEN: the harness already made a network namespace and runs the tracer
	 * in it too (strace -yy asks sock_diag in its own namespace). */
	int ns = getenv("SCENARIO_NETNS_GIVEN") ? CLONE_NEWPID : CLONE_NEWNET | CLONE_NEWPID;
	if (unshare(ns) < 0)
		die("unshare");
	pid_t init = fork();
	if (init < 0)
		die("fork");
	if (init > 0) {
		int st;
		if (waitpid(init, &st, 0) < 0)
			die("waitpid");
		exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	/* pid 1 of the new namespace: set up, then run the body as pid 2 (pid 1
	 * would ignore default-action signals such as SIGPIPE). */
	lo_up();
	write_file("/proc/sys/net/ipv4/ip_local_port_range", "50000 50999");
	pid_t body = fork();
	if (body < 0)
		die("fork");
	if (body > 0) {
		int st;
		if (waitpid(body, &st, 0) < 0)
			die("waitpid");
		exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	signal(SIGALRM, on_alarm);
	alarm(20);
	return argv[1];
}

/* Helpers that make no traced call. */
__attribute__((unused)) static int xsocket(int domain, int type, int proto)
{
	int fd = socket(domain, type, proto);
	if (fd < 0)
		die("socket");
	return fd;
}

__attribute__((unused)) static struct sockaddr_in sin4(const char *ip, int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

__attribute__((unused)) static struct sockaddr_in6 sin6(const char *ip, int port)
{
	struct sockaddr_in6 a;
	memset(&a, 0, sizeof a);
	a.sin6_family = AF_INET6;
	a.sin6_port = htons(port);
	inet_pton(AF_INET6, ip, &a.sin6_addr);
	return a;
}

static void xbind(int fd, const void *addr, socklen_t len)
{
	if (bind(fd, (const struct sockaddr *)addr, len) < 0)
		die("bind");
}

__attribute__((unused)) static void xconnect(int fd, const void *addr, socklen_t len)
{
	if (connect(fd, (const struct sockaddr *)addr, len) < 0)
		die("connect");
}

/* A bound UDP socket on 127.0.0.1:port. */
__attribute__((unused)) static int udp4(int port)
{
	int fd = xsocket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = sin4("127.0.0.1", port);
	xbind(fd, &a, sizeof a);
	return fd;
}

__attribute__((unused)) static int udp6(int port)
{
	int fd = xsocket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 a = sin6("::1", port);
	xbind(fd, &a, sizeof a);
	return fd;
}

/* A connected TCP pair on 127.0.0.1 (client bound to a fixed port too). */
__attribute__((unused)) static void tcp_pair(int sport, int cport, int *client, int *server)
{
	int l = xsocket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = sin4("127.0.0.1", sport);
	xbind(l, &a, sizeof a);
	if (listen(l, 4) < 0)
		die("listen");
	int c = xsocket(AF_INET, SOCK_STREAM, 0);
	setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in ca = sin4("127.0.0.1", cport);
	xbind(c, &ca, sizeof ca);
	xconnect(c, &a, sizeof a);
	int s = accept(l, NULL, NULL);
	if (s < 0)
		die("accept");
	close(l);
	*client = c;
	*server = s;
}

/* A pointer to an unmapped page, fixed across runs. */
#define BADPTR ((void *)0xbadc0ded000UL)
