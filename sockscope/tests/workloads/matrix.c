/* A known traffic matrix for the flow tests (tests/flows.rs): NCLIENT client processes,
 * each talking to a TCP, a UDP and a UNIX stream server (one process each) over loopback,
 * with distinct byte counts each way: up(c, p) bytes from client c to server p, down(c, p)
 * bytes back. Even clients use send/recv, odd ones write/read; the TCP server recv/send, the
 * UNIX server read/write, the UDP server recvfrom/sendto.
 *
 * Client 0 also peeks (recv MSG_PEEK, 1 byte) at its TCP reply before reading it, and sends
 * 77 bytes on a UDP socket connected to a closed port, whose recv then fails (ECONNREFUSED).
 *
 * Every socket that carried data prints one line when it is done:
 *   flow PID PROTO BYTES_SENT BYTES_RECEIVED SEND_CALL RECV_CALL ERRORS PEEKS
 * into DIR/flows.txt (the UDP server's one socket: its totals). Usage: matrix DIR [TCPPORT]
 * (DIR holds the UNIX socket; TCPPORT 0 or absent: any free port). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define NCLIENT 3
enum { TCP, UDP, UNX, NPROTO };
static const char *pname[NPROTO] = {"tcp", "udp", "unix"};

static size_t up(int c, int p) { return 1000 + 300 * c + 37 * p + 1; }
static size_t down(int c, int p) { return 2000 + 500 * c + 53 * p + 7; }

static char buf[65536];
static int outfd = 1;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void put(int fd, size_t n, int rw)
{
	size_t off = 0;
	while (off < n) {
		ssize_t r = rw ? write(fd, buf + off, n - off) : send(fd, buf + off, n - off, 0);
		if (r <= 0)
			die("send/write");
		off += r;
	}
}

/* Reads exactly n bytes (stream) or one datagram (n == 0: whatever the first read gives). */
static size_t get(int fd, size_t n, int rw)
{
	size_t off = 0;
	do {
		size_t want = n ? n - off : sizeof(buf);
		ssize_t r = rw ? read(fd, buf + off, want) : recv(fd, buf + off, want, 0);
		if (r <= 0)
			die("recv/read");
		off += r;
	} while (n && off < n);
	return off;
}

static void line_ex(int p, size_t sent, size_t got, const char *s, const char *r, int errs, int peeks)
{
	/* One short O_APPEND write per line: lines of several processes never mix. */
	dprintf(outfd, "flow %d %s %zu %zu %s %s %d %d\n", getpid(), pname[p], sent, got, s, r, errs,
		peeks);
}

static void line(int p, size_t sent, size_t got, const char *s, const char *r)
{
	line_ex(p, sent, got, s, r, 0, 0);
}

/* A stream server: NCLIENT connections; the first byte names the client. */
static void stream_server(int lfd, int p, int rw)
{
	for (int i = 0; i < NCLIENT; i++) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			die("accept");
		size_t got = get(fd, 1, rw);
		int c = buf[0];
		if (c < 0 || c >= NCLIENT)
			die("client id");
		got += get(fd, up(c, p) - 1, rw);
		memset(buf, 'd', down(c, p));
		put(fd, down(c, p), rw);
		line(p, down(c, p), got, rw ? "write" : "send", rw ? "read" : "recv");
		close(fd);
	}
	exit(0);
}

static void udp_server(int fd)
{
	size_t sent = 0, got = 0;
	for (int i = 0; i < NCLIENT; i++) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
		if (n <= 0)
			die("recvfrom");
		int c = buf[0];
		if (c < 0 || c >= NCLIENT || (size_t)n != up(c, UDP))
			die("udp datagram");
		got += n;
		memset(buf, 'u', down(c, UDP));
		if (sendto(fd, buf, down(c, UDP), 0, (struct sockaddr *)&from, len) != (ssize_t)down(c, UDP))
			die("sendto");
		sent += down(c, UDP);
	}
	line(UDP, sent, got, "sendto", "recvfrom");
	exit(0);
}

static void client(int c, struct sockaddr_in *tcp, struct sockaddr_in *udp, struct sockaddr_un *un)
{
	int rw = c % 2;
	for (int p = 0; p < NPROTO; p++) {
		int fd = socket(p == UNX ? AF_UNIX : AF_INET, p == UDP ? SOCK_DGRAM : SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		struct sockaddr *a = p == TCP ? (struct sockaddr *)tcp
				   : p == UDP ? (struct sockaddr *)udp : (struct sockaddr *)un;
		socklen_t al = p == UNX ? sizeof(*un) : sizeof(*tcp);
		if (connect(fd, a, al))
			die("connect");
		memset(buf, 'a' + p, up(c, p));
		buf[0] = c;
		put(fd, up(c, p), rw);
		int peeks = 0;
		if (c == 0 && p == TCP) {
			char one;
			if (recv(fd, &one, 1, MSG_PEEK) != 1)
				die("peek");
			peeks = 1;
		}
		size_t got = get(fd, p == UDP ? 0 : down(c, p), rw);
		if (got != down(c, p))
			die("reply size");
		line_ex(p, up(c, p), got, rw ? "write" : "send", rw ? "read" : "recv", 0, peeks);
		close(fd);
	}
	if (c == 0) {
		/* A refused datagram: the send succeeds, the next receive reports ECONNREFUSED. */
		struct sockaddr_in gone = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t gl = sizeof(gone);
		int g = socket(AF_INET, SOCK_DGRAM, 0), fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (g < 0 || fd < 0 || bind(g, (void *)&gone, gl) || getsockname(g, (void *)&gone, &gl))
			die("closed port");
		close(g);
		if (connect(fd, (void *)&gone, gl))
			die("connect closed port");
		memset(buf, 'x', 77);
		if (send(fd, buf, 77, 0) != 77)
			die("send to closed port");
		if (recv(fd, buf, sizeof(buf), 0) != -1 || errno != ECONNREFUSED)
			die("expected ECONNREFUSED");
		line_ex(UDP, 77, 0, "send", "recv", 1, 0);
		close(fd);
	}
	exit(0);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct sockaddr_in tcp = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in udp = tcp;
	if (argc > 2)
		tcp.sin_port = htons(atoi(argv[2]));
	char out[256];
	snprintf(out, sizeof(out), "%s/flows.txt", argv[1]);
	outfd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (outfd < 0)
		die(out);
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	snprintf(un.sun_path, sizeof(un.sun_path), "%s/matrix.sock", argv[1]);
	unlink(un.sun_path);
	socklen_t l = sizeof(tcp);
	int tl = socket(AF_INET, SOCK_STREAM, 0), us = socket(AF_INET, SOCK_DGRAM, 0);
	int ul = socket(AF_UNIX, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(tl, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (tl < 0 || us < 0 || ul < 0 || bind(tl, (void *)&tcp, l) || listen(tl, 16) ||
	    getsockname(tl, (void *)&tcp, &l) || bind(us, (void *)&udp, l) ||
	    getsockname(us, (void *)&udp, &l) || bind(ul, (void *)&un, sizeof(un)) || listen(ul, 16))
		die("servers");
	pid_t srv[3];
	if (!(srv[0] = fork()))
		stream_server(tl, TCP, 0);
	if (!(srv[1] = fork()))
		udp_server(us);
	if (!(srv[2] = fork()))
		stream_server(ul, UNX, 1);
	close(tl);
	close(us);
	close(ul);
	for (int c = 0; c < NCLIENT; c++)
		if (!fork())
			client(c, &tcp, &udp, &un);
	int st, bad = 0;
	while (wait(&st) > 0)
		bad |= !WIFEXITED(st) || WEXITSTATUS(st);
	unlink(un.sun_path);
	return bad;
}
