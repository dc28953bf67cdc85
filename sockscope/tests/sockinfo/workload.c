/* sockinfo workload: one or two traced calls on a socket of every family and type that
 * sockscope -yy names (and on a few non-sockets), run once under strace -yy and once under
 * sockscope -yy by sockscope/tests/sockinfo.rs, which compares the descriptor decorations.
 *
 * Runs in the caller's network namespace (strace resolves sockets with sock_diag in its own
 * namespace) on fixed loopback ports BASE..BASE+9, BASE given as argv[2]; argv[1] is a work
 * directory for AF_UNIX paths. Single-threaded and deterministic apart from inode numbers
 * and ephemeral ports. Exits non-zero if any set-up step fails.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int base;

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(2);
}

static struct sockaddr_in in4(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static struct sockaddr_in6 in6(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	a.sin6_addr = in6addr_loopback;
	return a;
}

static int sock(int family, int type, int proto)
{
	int fd = socket(family, type, proto);
	if (fd < 0)
		die("socket");
	return fd;
}

static void xbind(int fd, const void *a, socklen_t len)
{
	if (bind(fd, a, len) < 0)
		die("bind");
}

static void xconnect(int fd, const void *a, socklen_t len)
{
	if (connect(fd, a, len) < 0)
		die("connect");
}

static void recv_one(int fd)
{
	char buf[64];
	if (recvfrom(fd, buf, sizeof buf, 0, NULL, NULL) < 0)
		die("recvfrom");
}

static void inet_udp(void)
{
	/* Unbound: the first sendto binds it (an ephemeral port). */
	int a = sock(AF_INET, SOCK_DGRAM, 0), b = sock(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ab = in4(base + 1), bb = in4(base + 2);
	xbind(b, &bb, sizeof bb);
	sendto(a, "u1", 2, 0, (void *)&bb, sizeof bb);
	recv_one(b);
	sendto(a, "u2", 2, 0, (void *)&bb, sizeof bb);
	recv_one(b);
	close(a);
	/* Bound, unconnected, then connected (a new socket: strace caches by inode). */
	a = sock(AF_INET, SOCK_DGRAM, 0);
	xbind(a, &ab, sizeof ab);
	sendto(a, "u3", 2, 0, (void *)&bb, sizeof bb);
	recv_one(b);
	close(a);
	a = sock(AF_INET, SOCK_DGRAM, 0);
	xconnect(a, &bb, sizeof bb);
	send(a, "u4", 2, 0);
	recv_one(b);
	close(a);
	close(b);
}

static void inet6_udp(void)
{
	int a = sock(AF_INET6, SOCK_DGRAM, 0), b = sock(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 ab = in6(base + 3), bb = in6(base + 4);
	xbind(a, &ab, sizeof ab);
	xbind(b, &bb, sizeof bb);
	sendto(a, "v1", 2, 0, (void *)&bb, sizeof bb);
	recv_one(b);
	close(a);
	a = sock(AF_INET6, SOCK_DGRAM, 0);
	xconnect(a, &bb, sizeof bb);
	send(a, "v2", 2, 0);
	recv_one(b);
	close(a);
	close(b);
}

static void tcp(int family)
{
	int l = sock(family, SOCK_STREAM, 0), c = sock(family, SOCK_STREAM, 0), s;
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (family == AF_INET) {
		struct sockaddr_in a = in4(base + 5);
		xbind(l, &a, sizeof a);
		if (listen(l, 1) < 0)
			die("listen");
		xconnect(c, &a, sizeof a);
	} else {
		struct sockaddr_in6 a = in6(base + 6);
		xbind(l, &a, sizeof a);
		if (listen(l, 1) < 0)
			die("listen");
		xconnect(c, &a, sizeof a);
	}
	s = accept(l, NULL, NULL);
	if (s < 0)
		die("accept");
	sendto(c, "t1", 2, 0, NULL, 0);
	recv_one(s);
	sendto(s, "t2", 2, 0, NULL, 0);
	recv_one(c);
	/* Unconnected: fails with EPIPE / ENOTCONN, the socket is still named. */
	int u = sock(family, SOCK_STREAM, 0);
	sendto(u, "t3", 2, MSG_NOSIGNAL, NULL, 0);
	close(u);
	close(s);
	close(c);
	close(l);
}

static socklen_t sun_at(struct sockaddr_un *a, const char *dir, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof a->sun_path, "%s/%s", dir, name);
	return offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1;
}

static socklen_t sun_abstract(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, name, strlen(name));
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

static void unix_stream(const char *dir)
{
	struct sockaddr_un a;
	socklen_t len = sun_at(&a, dir, "x.sock");
	unlink(a.sun_path);
	int l = sock(AF_UNIX, SOCK_STREAM, 0), c = sock(AF_UNIX, SOCK_STREAM, 0), s;
	xbind(l, &a, len);
	if (listen(l, 1) < 0)
		die("listen");
	xconnect(c, &a, len);
	s = accept(l, NULL, NULL);
	if (s < 0)
		die("accept");
	sendto(c, "s1", 2, 0, NULL, 0);
	recv_one(s);
	sendto(s, "s2", 2, 0, NULL, 0);
	recv_one(c);
	close(s);
	close(c);
	close(l);
	unlink(a.sun_path);

	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		die("socketpair");
	sendto(sv[0], "p1", 2, 0, NULL, 0);
	recv_one(sv[1]);
	close(sv[0]);
	close(sv[1]);
	/* Unconnected, unbound. */
	c = sock(AF_UNIX, SOCK_STREAM, 0);
	sendto(c, "p2", 2, MSG_NOSIGNAL, NULL, 0);
	close(c);
}

static void unix_dgram(const char *dir)
{
	struct sockaddr_un a, b;
	socklen_t alen = sun_at(&a, dir, "a.sock"), blen = sun_at(&b, dir, "b.sock");
	unlink(a.sun_path);
	unlink(b.sun_path);
	int x = sock(AF_UNIX, SOCK_DGRAM, 0), y = sock(AF_UNIX, SOCK_DGRAM, 0);
	xbind(x, &a, alen);
	xbind(y, &b, blen);
	sendto(x, "d1", 2, 0, (void *)&b, blen);
	recv_one(y);
	xconnect(x, &b, blen);
	close(x);
	/* Unbound sender, then connected. */
	x = sock(AF_UNIX, SOCK_DGRAM, 0);
	sendto(x, "d2", 2, 0, (void *)&b, blen);
	recv_one(y);
	close(x);
	x = sock(AF_UNIX, SOCK_DGRAM, 0);
	xconnect(x, &b, blen);
	send(x, "d3", 2, 0);
	recv_one(y);
	close(x);
	close(y);
	unlink(a.sun_path);
	unlink(b.sun_path);

	/* Abstract names. */
	char an[64], bn[64];
	snprintf(an, sizeof an, "sockscope-abs-a-%d", base);
	snprintf(bn, sizeof bn, "sockscope-abs-b-%d", base);
	alen = sun_abstract(&a, an);
	blen = sun_abstract(&b, bn);
	x = sock(AF_UNIX, SOCK_DGRAM, 0);
	y = sock(AF_UNIX, SOCK_DGRAM, 0);
	xbind(x, &a, alen);
	xbind(y, &b, blen);
	sendto(x, "d4", 2, 0, (void *)&b, blen);
	recv_one(y);
	close(x);
	close(y);

	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		die("socketpair");
	sendto(sv[0], "d5", 2, 0, NULL, 0);
	recv_one(sv[1]);
	close(sv[0]);
	close(sv[1]);
}

static void unix_seqpacket(const char *dir)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		die("socketpair");
	sendto(sv[0], "q1", 2, 0, NULL, 0);
	recv_one(sv[1]);
	close(sv[0]);
	close(sv[1]);

	struct sockaddr_un a;
	socklen_t len = sun_at(&a, dir, "q.sock");
	unlink(a.sun_path);
	int l = sock(AF_UNIX, SOCK_SEQPACKET, 0), c = sock(AF_UNIX, SOCK_SEQPACKET, 0), s;
	xbind(l, &a, len);
	if (listen(l, 1) < 0)
		die("listen");
	xconnect(c, &a, len);
	s = accept(l, NULL, NULL);
	if (s < 0)
		die("accept");
	sendto(c, "q2", 2, 0, NULL, 0);
	recv_one(s);
	close(s);
	close(c);
	close(l);
	unlink(a.sun_path);
}

static void netlink_route(void)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req = {
		.h = { .nlmsg_len = sizeof req, .nlmsg_type = RTM_GETLINK,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.g = { .rtgen_family = AF_UNSPEC },
	};
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	int fd = sock(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	/* Unbound: the first send binds it. */
	sendto(fd, &req, sizeof req, 0, (void *)&k, sizeof k);
	char buf[32768];
	recvfrom(fd, buf, sizeof buf, MSG_TRUNC, NULL, NULL);
	close(fd);
	fd = sock(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct sockaddr_nl me = { .nl_family = AF_NETLINK, .nl_pid = 0 };
	xbind(fd, &me, sizeof me);
	sendto(fd, &req, sizeof req, 0, (void *)&k, sizeof k);
	recvfrom(fd, buf, sizeof buf, MSG_TRUNC, NULL, NULL);
	close(fd);
}

static void raw(void)
{
	/* An ICMP echo request to 127.0.0.1 on a raw socket. */
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0)
		return;
	unsigned char echo[8] = { 8, 0, 0xf7, 0xfe, 0, 1, 0, 0 };
	struct sockaddr_in a = in4(0);
	sendto(fd, echo, sizeof echo, 0, (void *)&a, sizeof a);
	close(fd);
}

static void not_sockets(const char *dir)
{
	/* sockscope reads non-socket paths from /proc when it renders the line (see
	 * decode/sockinfo.rs): the descriptors stay open a moment so that the path is still there. */
	int null = open("/dev/null", O_RDWR);
	if (null < 0)
		die("/dev/null");
	int p[2];
	if (pipe(p) < 0)
		die("pipe");
	char path[512];
	snprintf(path, sizeof path, "%s/plain file", dir);
	int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (f < 0)
		die("plain file");
	sendto(null, "n1", 2, 0, NULL, 0);
	sendto(p[1], "n2", 2, 0, NULL, 0);
	sendto(f, "n3", 2, 0, NULL, 0);
	sendto(987, "n4", 2, 0, NULL, 0);
	sendto(-1, "n5", 2, 0, NULL, 0);
	usleep(400000);
	close(null);
	close(p[0]);
	close(p[1]);
	close(f);
	unlink(path);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s WORKDIR BASEPORT\n", argv[0]);
		return 2;
	}
	const char *dir = argv[1];
	base = atoi(argv[2]);
	alarm(20);
	inet_udp();
	inet6_udp();
	tcp(AF_INET);
	tcp(AF_INET6);
	unix_stream(dir);
	unix_dgram(dir);
	unix_seqpacket(dir);
	netlink_route();
	raw();
	not_sockets(dir);
	return 0;
}
