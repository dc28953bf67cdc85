/* Failures for each call: EBADF, ENOTSOCK, EFAULT (each pointer argument),
 * EINVAL, EDESTADDRREQ, EISCONN, ENOTCONN, EPIPE, EMSGSIZE, EAGAIN,
 * ECONNREFUSED, EOPNOTSUPP, EACCES, EINTR / ERESTARTSYS. */
#include "common.h"
#include <sys/time.h>

static char buf[256];

/* Delivers SIGUSR1 every `ms` milliseconds until disarm() (a POSIX timer, so
 * the alarm() guard stays armed). Repeating, so that a signal that happens to
 * arrive before the blocking call starts is followed by one that interrupts it. */
static timer_t tid;
static void arm(int ms)
{
	static int made;
	if (!made) {
		struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
		if (timer_create(CLOCK_MONOTONIC, &sev, &tid) < 0)
			die("timer_create");
		made = 1;
	}
	struct itimerspec it = { .it_value = { 0, ms * 1000000L }, .it_interval = { 0, ms * 1000000L } };
	timer_settime(tid, 0, &it, NULL);
}

static void disarm(void)
{
	struct itimerspec it = { 0 };
	timer_settime(tid, 0, &it, NULL);
}

/* SA_RESTART case: the handler itself queues the datagram the restarted call receives. */
static int wake_fd = -1;
static void on_restart(int sig)
{
	(void)sig;
	static int sent;
	if (!sent) {
		struct sockaddr_in dto = sin4("127.0.0.1", PORT(75));
		sendto(wake_fd, "wake", 4, 0, (struct sockaddr *)&dto, sizeof dto);
		sent = 1;
	}
}

static void on_interrupt(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	scenario_init(argc, argv);
	int a = udp4(PORT(70)), b = udp4(PORT(71));
	struct sockaddr_in to = sin4("127.0.0.1", PORT(71)), from;
	socklen_t alen = sizeof from;
	struct iovec iov = { .iov_base = "e", .iov_len = 1 };
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1 };
	struct mmsghdr mm = { .msg_hdr = mh };
	struct iovec riov = { .iov_base = buf, .iov_len = sizeof buf };
	struct msghdr rh = { .msg_iov = &riov, .msg_iovlen = 1 };
	struct mmsghdr rm = { .msg_hdr = rh };

	/* EBADF: -1 and an unused descriptor; ENOTSOCK: a regular file */
	int file = open("/dev/null", O_RDONLY);
	int fds[] = { -1, 999, file };
	for (unsigned i = 0; i < 3; i++) {
		sendto(fds[i], "bad", 3, 0, (struct sockaddr *)&to, sizeof to);
		recvfrom(fds[i], buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
		sendmsg(fds[i], &mh, 0);
		recvmsg(fds[i], &rh, 0);
		sendmmsg(fds[i], &mm, 1, 0);
		recvmmsg(fds[i], &rm, 1, 0, NULL);
	}

	/* EFAULT for each pointer argument */
	sendto(a, BADPTR, 3, 0, (struct sockaddr *)&to, sizeof to);
	sendto(a, "x", 1, 0, BADPTR, sizeof to);
	sendto(a, NULL, 3, 0, (struct sockaddr *)&to, sizeof to);
	sendto(b, "q", 1, 0, (struct sockaddr *)&(struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(PORT(70)), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, sizeof to);
	recvfrom(a, BADPTR, 3, 0, (struct sockaddr *)&from, &alen);
	sendto(b, "q", 1, 0, (struct sockaddr *)&(struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(PORT(70)), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, sizeof to);
	alen = sizeof from;
	recvfrom(a, buf, sizeof buf, 0, BADPTR, &alen);
	sendto(b, "q", 1, 0, (struct sockaddr *)&(struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(PORT(70)), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, sizeof to);
	recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&from, BADPTR);
	recvfrom(a, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &alen);
	sendmsg(a, BADPTR, 0);
	recvmsg(a, BADPTR, 0);
	sendmmsg(a, BADPTR, 1, 0);
	recvmmsg(a, BADPTR, 1, 0, NULL);
	recvmmsg(a, &rm, 1, 0, BADPTR);

	/* EINVAL: bad address lengths, negative length */
	sendto(a, "x", 1, 0, (struct sockaddr *)&to, 5);
	alen = (socklen_t)-1;
	recvfrom(a, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &alen);
	sendmsg(a, &mh, MSG_CMSG_COMPAT);
	/* EMSGSIZE: a datagram over 65507 bytes */
	static char big[70000];
	sendto(a, big, sizeof big, 0, (struct sockaddr *)&to, sizeof to);
	/* EDESTADDRREQ: unconnected datagram socket without address */
	sendto(a, "nodest", 6, 0, NULL, 0);
	mh.msg_name = NULL;
	mh.msg_namelen = 0;
	sendmsg(a, &mh, 0);
	mm.msg_hdr = mh;
	sendmmsg(a, &mm, 1, 0);
	/* EAGAIN */
	recvfrom(b, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL);
	recvmsg(b, &rh, MSG_DONTWAIT);
	recvmmsg(b, &rm, 1, MSG_DONTWAIT, NULL);
	struct timeval tv = { 0, 30000 };
	setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	recvfrom(b, buf, sizeof buf, 0, NULL, NULL);

	/* ECONNREFUSED: connected UDP to a closed port, the error reported on the next call */
	int c = udp4(PORT(72));
	struct sockaddr_in closed = sin4("127.0.0.1", PORT(98));
	xconnect(c, &closed, sizeof closed);
	sendto(c, "first", 5, 0, NULL, 0);
	sendto(c, "second", 6, 0, NULL, 0);
	sendto(c, "third", 5, 0, NULL, 0);
	recvfrom(c, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL);
	sendto(c, "fourth", 6, 0, NULL, 0);
	recvmsg(c, &rh, MSG_DONTWAIT);

	/* stream sockets: ENOTCONN, EPIPE, EISCONN, EOPNOTSUPP */
	int t = xsocket(AF_INET, SOCK_STREAM, 0);
	sendto(t, "notconn", 7, MSG_NOSIGNAL, NULL, 0);
	recvfrom(t, buf, sizeof buf, 0, NULL, NULL);
	recvmsg(t, &rh, 0);
	sendto(t, "tcp+addr", 8, MSG_NOSIGNAL, (struct sockaddr *)&closed, sizeof closed);
	int cl, sv;
	tcp_pair(PORT(73), PORT(74), &cl, &sv);
	sendto(cl, "isconn", 6, 0, (struct sockaddr *)&to, sizeof to);
	sendto(cl, "oob", 3, MSG_OOB, NULL, 0);
	recvfrom(sv, buf, 3, 0, NULL, NULL);
	recvfrom(sv, buf, sizeof buf, MSG_OOB, NULL, NULL);
	recvfrom(sv, buf, sizeof buf, MSG_OOB, NULL, NULL);
	sendto(a, "oob", 3, MSG_OOB, (struct sockaddr *)&to, sizeof to);
	shutdown(cl, SHUT_WR);
	sendto(cl, "epipe", 5, MSG_NOSIGNAL, NULL, 0);
	mh.msg_flags = 0;
	sendmsg(cl, &mh, MSG_NOSIGNAL);
	close(sv);
	usleep(10000);
	sendto(cl, "after close", 11, MSG_NOSIGNAL, NULL, 0);
	/* EPIPE with SIGPIPE delivered (handler installed) */
	signal(SIGPIPE, on_interrupt);
	sendto(cl, "sigpipe", 7, 0, NULL, 0);
	/* recv on a half-closed connection: 0 (EOF) */
	recvfrom(cl, buf, sizeof buf, 0, NULL, NULL);

	/* EACCES: broadcast without SO_BROADCAST; allowed with it */
	struct sockaddr_in bc = sin4("127.255.255.255", PORT(71));
	sendto(a, "bcast", 5, 0, (struct sockaddr *)&bc, sizeof bc);
	int on = 1;
	setsockopt(a, SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
	sendto(a, "bcast", 5, 0, (struct sockaddr *)&bc, sizeof bc);

	/* EINTR: a blocking receive interrupted by a handled signal.
	 * Without SA_RESTART and no timeout: ERESTARTSYS seen at exit, EINTR in user space. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigaction(SIGUSR1, &sa, NULL);
	int d = udp4(PORT(75));
	arm(20);
	recvfrom(d, buf, sizeof buf, 0, NULL, NULL);
	disarm();
	arm(20);
	recvmsg(d, &rh, 0);
	disarm();
	arm(20);
	recvmmsg(d, &rm, 1, 0, NULL);
	disarm();
	/* recvmmsg with a timeout */
	struct timespec ts = { 5, 0 };
	arm(20);
	recvmmsg(d, &rm, 1, 0, &ts);
	disarm();
	/* With SO_RCVTIMEO set: EINTR directly */
	struct timeval rcvto = { 5, 0 };
	setsockopt(d, SOL_SOCKET, SO_RCVTIMEO, &rcvto, sizeof rcvto);
	arm(20);
	recvfrom(d, buf, sizeof buf, 0, NULL, NULL);
	disarm();
	/* With SA_RESTART: the call is restarted and receives what the handler sent */
	struct timeval none = { 0, 0 };
	setsockopt(d, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
	wake_fd = udp4(PORT(76));
	sa.sa_handler = on_restart;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	struct itimerspec once = { .it_value = { 0, 40000000L } };
	timer_settime(tid, 0, &once, NULL);
	recvfrom(d, buf, sizeof buf, 0, NULL, NULL);
	sa.sa_handler = on_interrupt;
	sa.sa_flags = 0;
	sigaction(SIGUSR1, &sa, NULL);
	/* a blocking send interrupted: fill a stream socket first */
	int p[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, p);
	int small = 4096;
	setsockopt(p[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	static char fill[200000];
	sendto(p[0], fill, sizeof fill, MSG_DONTWAIT, NULL, 0);
	sendto(p[0], fill, sizeof fill, MSG_DONTWAIT, NULL, 0);
	arm(20);
	sendto(p[0], "blocked", 7, 0, NULL, 0);
	disarm();
	arm(20);
	sendmsg(p[0], &mh, 0);
	disarm();
	return 0;
}
