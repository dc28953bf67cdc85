/* The calls that move socket data without a message header: read, write, readv, writev,
 * sendfile, splice — on TCP and UDP over v4 and v6, UNIX stream/dgram/seqpacket; short reads
 * and writes, EAGAIN, EFAULT, EPIPE and ECONNRESET after the peer closed, iovec arrays longer
 * than the capture bounds, sendfile with and without an offset, splice socket→pipe and
 * pipe→socket; and reads/writes on a file and a pipe, which sockscope must not show.
 *
 * Harness contract (tests/conformance.rs, scenario "data"): every descriptor that is not a
 * socket is moved to 100 and above, so that strace's lines on them can be told apart and
 * dropped (sockscope must drop them in the kernel); data calls before the marker
 * sendto(-1, "sockscope-data-begin", ...) (the dynamic loader, the namespace set-up) are
 * dropped from strace's output too.
 */
#include "common.h"

#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/uio.h>

static int high(int fd, int want)
{
	if (fd < 0)
		die("open");
	if (dup2(fd, want) < 0)
		die("dup2");
	close(fd);
	return want;
}

static void settle(void)
{
	struct timespec ts = {0, 20 * 1000 * 1000};
	nanosleep(&ts, NULL);
}

/* A TCP pair over v4 or v6, the client bound to port + 1. */
static void stream_pair(int v6, int port, int *cli, int *srv)
{
	int one = 1;
	int l = xsocket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a4 = sin4("127.0.0.1", port);
	struct sockaddr_in6 a6 = sin6("::1", port);
	if (v6)
		xbind(l, &a6, sizeof a6);
	else
		xbind(l, &a4, sizeof a4);
	if (listen(l, 4) < 0)
		die("listen");
	int c = xsocket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in c4 = sin4("127.0.0.1", port + 1);
	struct sockaddr_in6 c6 = sin6("::1", port + 1);
	if (v6)
		xbind(c, &c6, sizeof c6);
	else
		xbind(c, &c4, sizeof c4);
	if (v6)
		xconnect(c, &a6, sizeof a6);
	else
		xconnect(c, &a4, sizeof a4);
	int s = accept(l, NULL, NULL);
	if (s < 0)
		die("accept");
	close(l);
	*cli = c;
	*srv = s;
}

static void udp_pair(int v6, int port, int *a, int *b)
{
	int x = xsocket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	int y = xsocket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	if (v6) {
		struct sockaddr_in6 ax = sin6("::1", port), ay = sin6("::1", port + 1);
		xbind(x, &ax, sizeof ax);
		xbind(y, &ay, sizeof ay);
		xconnect(x, &ay, sizeof ay);
		xconnect(y, &ax, sizeof ax);
	} else {
		struct sockaddr_in ax = sin4("127.0.0.1", port), ay = sin4("127.0.0.1", port + 1);
		xbind(x, &ax, sizeof ax);
		xbind(y, &ay, sizeof ay);
		xconnect(x, &ay, sizeof ay);
		xconnect(y, &ax, sizeof ax);
	}
	*a = x;
	*b = y;
}

static char buf[70000];
static char big[70000];

/* The exchanges every stream or datagram pair goes through. */
static void exchange(int c, int s, int stream)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: scenario\r\n\r\n";
	write(c, req, sizeof req - 1);
	read(s, buf, 4096);
	write(s, "HTTP/1.1 200 OK\r\n\r\nhello", 24);
	read(c, buf, 4096);
	/* short read: 4 of 10 bytes (a datagram's rest is discarded) */
	write(c, "0123456789", 10);
	read(s, buf, 4);
	if (stream)
		read(s, buf, 100);
	/* writev / readv, the data shared out over the iovecs */
	char b1[3], b2[16], b3[8];
	struct iovec out[3] = {{"abc", 3}, {"", 0}, {"defghij", 7}};
	struct iovec in[3] = {{b1, sizeof b1}, {b2, sizeof b2}, {b3, sizeof b3}};
	writev(c, out, 3);
	readv(s, in, 3);
	/* every byte value, and a payload past every -s */
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	write(c, all, sizeof all);
	read(s, buf, sizeof buf);
	write(c, big, 5000);
	settle();
	read(s, buf, sizeof buf);
	/* pwritev2 / preadv2 at the current position (-1), with flags */
	struct iovec o2[2] = {{"v2-", 3}, {"data", 4}};
	struct iovec i2[2] = {{b1, sizeof b1}, {b2, sizeof b2}};
	pwritev2(c, o2, 2, -1, 0);
	preadv2(s, i2, 2, -1, RWF_NOWAIT);
	preadv2(s, i2, 2, -1, RWF_NOWAIT | 0x100);
	/* empty write */
	if (stream)
		write(c, "", 0);
}

int main(int argc, char **argv)
{
	const char *dir = scenario_init(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = "payload-"[i % 8];

	char path[300];
	snprintf(path, sizeof path, "%s/data-file.bin", dir);
	int file = high(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), 100);
	int pp[2];
	if (pipe(pp) < 0)
		die("pipe");
	int pr = high(pp[0], 101), pw = high(pp[1], 102);
	char *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (bad == MAP_FAILED)
		die("mmap");

	sendto(-1, "sockscope-data-begin", 20, 0, NULL, 0);

	/* Files and pipes: never shown by sockscope. */
	write(file, big, 40000);
	lseek(file, 0, SEEK_SET);
	read(file, buf, 4096);
	struct iovec fv[2] = {{buf, 10}, {buf + 10, 10}};
	readv(file, fv, 2);
	writev(pw, fv, 2);
	read(pr, buf, 64);
	write(pw, "pipe data", 9);
	read(pr, buf, 64);
	/* sendfile and splice between a file and a file or pipe: not shown either */
	snprintf(path, sizeof path, "%s/data-copy.bin", dir);
	int copy = high(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), 103);
	off_t coff = 0;
	sendfile(copy, file, &coff, 4096);
	write(pw, "to a file", 9);
	splice(pr, NULL, copy, NULL, 9, 0);

	/* TCP over v4 and v6 */
	int c, s;
	stream_pair(0, PORT(0), &c, &s);
	exchange(c, s, 1);
	/* sendfile with an offset, without, with nothing to send */
	off_t off = 0;
	sendfile(c, file, &off, 20000);
	settle();
	read(s, buf, sizeof buf);
	lseek(file, 100, SEEK_SET);
	sendfile(c, file, NULL, 4096);
	settle();
	read(s, buf, sizeof buf);
	off = 40000;
	sendfile(c, file, &off, 100);
	sendfile(s, file, NULL, 0);
	/* splice pipe→socket and socket→pipe */
	write(pw, "spliced out", 11);
	splice(pr, NULL, c, NULL, 11, SPLICE_F_MOVE | SPLICE_F_MORE);
	read(s, buf, 64);
	write(c, "spliced in", 10);
	settle();
	splice(s, NULL, pw, NULL, 64, SPLICE_F_NONBLOCK);
	read(pr, buf, 64);
	loff_t loff = 5;
	splice(s, &loff, pw, NULL, 10, 0x10);
	/* EAGAIN on a non-blocking socket: read, readv (bases as pointers) */
	fcntl(s, F_SETFL, O_NONBLOCK);
	read(s, buf, 64);
	readv(s, fv, 2);
	/* EFAULT: unmapped buffers */
	write(c, "x", 1);
	settle();
	read(s, bad, 1);
	read(s, buf, 1);
	write(c, bad, 10);
	int c6, s6;
	stream_pair(1, PORT(2), &c6, &s6);
	exchange(c6, s6, 1);
	/* ECONNRESET: the peer closed with unread data */
	int c2, s2;
	stream_pair(0, PORT(4), &c2, &s2);
	write(c2, "unread", 6);
	settle();
	close(s2);
	settle();
	read(c2, buf, 64);
	write(c2, "gone", 4);

	/* UDP over v4 and v6 (connected) */
	int u1, u2;
	udp_pair(0, PORT(10), &u1, &u2);
	exchange(u1, u2, 0);
	int u3, u4;
	udp_pair(1, PORT(12), &u3, &u4);
	exchange(u3, u4, 0);

	/* UNIX stream, datagram, seqpacket */
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		die("socketpair");
	exchange(sv[0], sv[1], 1);
	int dg[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, dg) < 0)
		die("socketpair");
	exchange(dg[0], dg[1], 0);
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) < 0)
		die("socketpair");
	exchange(sp[0], sp[1], 0);
	/* iovec arrays longer than the capture bound (32) */
	struct iovec many[40], rmany[40];
	char rb[40];
	for (int i = 0; i < 40; i++) {
		many[i].iov_base = "a";
		many[i].iov_len = 1;
		rmany[i].iov_base = rb + i;
		rmany[i].iov_len = 1;
	}
	writev(sv[0], many, 40);
	readv(sv[1], rmany, 40);
	/* short write: a non-blocking stream whose peer does not read */
	int sw[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sw) < 0)
		die("socketpair");
	int small = 4096;
	setsockopt(sw[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	fcntl(sw[0], F_SETFL, O_NONBLOCK);
	write(sw[0], big, sizeof big);
	write(sw[0], big, sizeof big);
	/* EPIPE: the peer closed */
	close(sv[1]);
	write(sv[0], "after close", 11);
	writev(sv[0], fv, 2);
	return 0;
}
