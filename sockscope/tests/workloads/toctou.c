/* TOCTOU workload (tests/toctou.rs): a send whose destination buffer another thread rewrites
 * while the kernel holds the call.
 *
 *   toctou DIR race    receiver DIR/a.sock (fd 3, never read by the sender) and sender (fd 4),
 *                      both UNIX datagram. Three rounds, each: fill the receiver's queue with
 *                      sendto(4, "fill", 4, MSG_DONTWAIT, a.sock) until EAGAIN; then a blocking
 *                      call while a second thread waits until the caller sleeps inside it
 *                      (/proc/self/task/TID/stat state S and .../syscall = that call), rewrites
 *                      the destination, and drains fd 3 so that the call completes:
 *                        1. sendto(4, "race", ...): the sockaddr_un's path -> DIR/b.sock
 *                        2. sendmsg(4, "race-msg"): the msg_name buffer's path -> DIR/b.sock
 *                        3. sendmsg(4, "race-ptr"): msg_name pointed at another sockaddr
 *                           (path DIR/c.sock)
 *                      The kernel copied the address before sleeping: all go to a.sock.
 *   toctou DIR calm    the same calls and many more with no one touching them: 200 sendto
 *                      and 200 sendmsg to UDP 127.0.0.1:40320 (fd 5 -> fd 6), and UNIX
 *                      sendto/sendmsg to a.sock (drained as it goes).
 * b.sock and c.sock exist (bound, fds 7 and 8) but receive nothing. */
#include "common.h"
#include <sys/syscall.h>

static struct sockaddr_un addr, other;
static socklen_t alen;
static struct msghdr msg;
static pid_t caller;
static long want_nr;
static int mode; /* 1 sendto buffer, 2 sendmsg buffer, 3 sendmsg pointer */
static char pathb[200], pathc[200];

/* True when thread `tid` is asleep (state S) inside syscall `nr`. */
static int asleep_in(pid_t tid, long nr)
{
	char p[64], buf[512];
	snprintf(p, sizeof p, "/proc/self/task/%d/stat", tid);
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		die(p);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *e = strrchr(buf, ')');
	if (!e || e[1] != ' ' || e[2] != 'S')
		return 0;
	snprintf(p, sizeof p, "/proc/self/task/%d/syscall", tid);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		die(p);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strtol(buf, NULL, 10) == nr && buf[0] != 'r';
}

static void drain(int fd)
{
	char b[64];
	for (int i = 0; i < 100000; i++)
		if (recv(fd, b, sizeof b, MSG_DONTWAIT) < 0) {
			if (errno != EAGAIN)
				die("drain");
			return;
		}
	die("drain: no end");
}

static void *flipper(void *arg)
{
	int rcv = (int)(intptr_t)arg;
	int i;
	for (i = 0; i < 20000 && !asleep_in(caller, want_nr); i++)
		usleep(1000);
	if (i == 20000) {
		fprintf(stderr, "workload: the caller never slept in syscall %ld\n", want_nr);
		_exit(2);
	}
	if (mode == 3)
		msg.msg_name = &other;
	else
		memcpy(addr.sun_path, pathb, strlen(pathb) + 1);
	drain(rcv);
	return NULL;
}

static void fill(int snd)
{
	for (int i = 0; i < 100000; i++)
		if (sendto(snd, "fill", 4, MSG_DONTWAIT, (struct sockaddr *)&addr, alen) < 0) {
			if (errno != EAGAIN)
				die("fill");
			return;
		}
	die("fill: never EAGAIN");
}

static void set_msg(struct iovec *iov, const char *p)
{
	iov->iov_base = (void *)p;
	iov->iov_len = strlen(p);
	memset(&msg, 0, sizeof msg);
	msg.msg_name = &addr;
	msg.msg_namelen = alen;
	msg.msg_iov = iov;
	msg.msg_iovlen = 1;
}

int main(int argc, char **argv)
{
	guard(25);
	if (argc != 3)
		return 2;
	const char *dir = argv[1];
	int race = strcmp(argv[2], "race") == 0;
	char patha[200];
	snprintf(patha, sizeof patha, "%s/a.sock", dir);
	snprintf(pathb, sizeof pathb, "%s/b.sock", dir);
	snprintf(pathc, sizeof pathc, "%s/c.sock", dir);
	unlink(patha);
	unlink(pathb);
	unlink(pathc);
	int rcv = sock_at(AF_UNIX, SOCK_DGRAM, 3);
	int snd = sock_at(AF_UNIX, SOCK_DGRAM, 4);
	int rb = sock_at(AF_UNIX, SOCK_DGRAM, 7), rc = sock_at(AF_UNIX, SOCK_DGRAM, 8);
	alen = unix_addr(&addr, patha, 0);
	if (bind(rcv, (struct sockaddr *)&addr, alen) < 0)
		die("bind a");
	struct sockaddr_un t;
	socklen_t tl = unix_addr(&t, pathb, 0);
	if (bind(rb, (struct sockaddr *)&t, tl) < 0)
		die("bind b");
	unix_addr(&other, pathc, 0);
	if (bind(rc, (struct sockaddr *)&other, tl) < 0)
		die("bind c");
	caller = (pid_t)syscall(SYS_gettid);

	static const char *pay[] = {"race", "race-msg", "race-ptr"};
	for (mode = 1; mode <= 3; mode++) {
		struct iovec iov;
		alen = unix_addr(&addr, patha, 0);
		fill(snd);
		pthread_t th;
		want_nr = mode == 1 ? SYS_sendto : SYS_sendmsg;
		if (race && pthread_create(&th, NULL, flipper, (void *)(intptr_t)rcv) != 0)
			die("pthread_create");
		if (!race)
			drain(rcv);
		ssize_t n;
		if (mode == 1) {
			n = sendto(snd, pay[0], 4, 0, (struct sockaddr *)&addr, alen);
		} else {
			set_msg(&iov, pay[mode - 1]);
			n = sendmsg(snd, &msg, 0);
		}
		if (n != (ssize_t)strlen(pay[mode - 1]))
			die("race call");
		if (race)
			pthread_join(th, NULL);
		drain(rcv);
		drain(rb);
		drain(rc);
		char b[16];
		if (recv(rb, b, sizeof b, MSG_DONTWAIT) >= 0 || recv(rc, b, sizeof b, MSG_DONTWAIT) >= 0)
			die("something went to b.sock or c.sock");
	}
	if (!race) {
		int u = sock_at(AF_INET, SOCK_DGRAM, 6);
		int s = sock_at(AF_INET, SOCK_DGRAM, 5);
		bind4(u, 40320);
		struct sockaddr_in to = sin4(40320);
		for (int i = 0; i < 200; i++) {
			char p[32];
			int n = snprintf(p, sizeof p, "calm-%03d", i);
			if (sendto(s, p, n, 0, (struct sockaddr *)&to, sizeof to) != n)
				die("calm sendto");
			struct iovec iov = {p, n};
			struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1};
			if (sendmsg(s, &m, 0) != n)
				die("calm sendmsg");
			if (i % 20 == 0)
				drain(u);
		}
	}
	return 0;
}
