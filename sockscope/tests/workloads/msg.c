/* Issue 3: recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg with real traffic over loopback
 * IPv4, IPv6 and UNIX sockets; control messages; truncation; failures; libc send()/recv().
 * argv[1]: a work directory. Descriptors are fixed (see comments); ports 40210-40216. */
#include "common.h"
#include <linux/errqueue.h>

#define BADPTR ((void *)0x10)

static char cbuf[512] __attribute__((aligned(8)));
static char rbuf[256], rbuf2[256];
static struct sockaddr_storage from;

/* A msghdr receiving into rbuf (split at split if > 0) with a control buffer of clen. */
static struct msghdr rmsg(struct iovec *iov, int split, size_t clen)
{
	struct msghdr m;
	memset(&m, 0, sizeof m);
	memset(&from, 0, sizeof from);
	memset(cbuf, 0, sizeof cbuf);
	m.msg_name = &from;
	m.msg_namelen = sizeof from;
	if (split > 0) {
		iov[0] = (struct iovec){rbuf, split};
		iov[1] = (struct iovec){rbuf2, 64};
		m.msg_iovlen = 2;
	} else {
		iov[0] = (struct iovec){rbuf, 64};
		m.msg_iovlen = 1;
	}
	m.msg_iov = iov;
	m.msg_control = clen ? cbuf : NULL;
	m.msg_controllen = clen;
	return m;
}

static void setint(int fd, int level, int opt, int v)
{
	if (setsockopt(fd, level, opt, &v, sizeof v) < 0)
		die("setsockopt");
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *dir = argv[1];
	guard(20);
	signal(SIGPIPE, SIG_IGN);
	write_pid(dir, "msg.pid");

	int r4 = sock_at(AF_INET, SOCK_DGRAM, 10); /* 10: UDP receiver 127.0.0.1:40210 */
	bind4(r4, 40210);
	int s4 = sock_at(AF_INET, SOCK_DGRAM, 11); /* 11: UDP sender 127.0.0.1:40211 */
	bind4(s4, 40211);
	int r6 = sock_at(AF_INET6, SOCK_DGRAM, 12); /* 12: UDP receiver [::1]:40212 */
	bind6(r6, 40212);
	int s6 = sock_at(AF_INET6, SOCK_DGRAM, 13); /* 13: UDP sender [::1]:40213 */
	bind6(s6, 40213);
	int up[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, up) < 0)
		die("socketpair");
	fixfd(up[0], 14); /* 14/15: UNIX datagram pair */
	fixfd(up[1], 15);
	tcp_pair(40214, 16, 17); /* 16: TCP client, 17: accepted */
	int e4 = sock_at(AF_INET, SOCK_DGRAM, 18); /* 18: UDP 127.0.0.1:40216, IP_RECVERR */
	bind4(e4, 40216);
	struct sockaddr_un upath, ucli;
	char path[256], cpath[256];
	snprintf(path, sizeof path, "%s/msg-srv.sock", dir);
	snprintf(cpath, sizeof cpath, "%s/msg-cli.sock", dir);
	unlink(path);
	unlink(cpath);
	socklen_t plen = unix_addr(&upath, path, 0);
	socklen_t clen = unix_addr(&ucli, cpath, 0);
	int us = sock_at(AF_UNIX, SOCK_DGRAM, 19); /* 19: UNIX server (path) */
	if (bind(us, (struct sockaddr *)&upath, plen) < 0)
		die("bind");
	int uc = sock_at(AF_UNIX, SOCK_DGRAM, 20); /* 20: UNIX client (path) */
	if (bind(uc, (struct sockaddr *)&ucli, clen) < 0)
		die("bind");
	for (int i = 21; i <= 23; i++) /* 21-23: descriptors to pass */
		fixfd(open("/dev/null", O_RDONLY), i);

	struct sockaddr_in to4 = sin4(40210);
	struct sockaddr_in6 to6 = sin6(40212);
	socklen_t fl;
	struct iovec iov[2];
	struct msghdr m;

	/* --- recvfrom --- */
	sendto(s4, "ping4", 5, 0, (struct sockaddr *)&to4, sizeof to4);
	fl = sizeof from;
	recvfrom(r4, rbuf, 64, 0, (struct sockaddr *)&from, &fl);
	sendto(s6, "ping6", 5, 0, (struct sockaddr *)&to6, sizeof to6);
	fl = sizeof from;
	recvfrom(r6, rbuf, 64, 0, (struct sockaddr *)&from, &fl);
	sendto(uc, "punix", 5, 0, (struct sockaddr *)&upath, plen);
	fl = sizeof from;
	recvfrom(us, rbuf, 64, 0, (struct sockaddr *)&from, &fl);
	sendto(s4, "noaddr", 6, 0, (struct sockaddr *)&to4, sizeof to4);
	recvfrom(r4, rbuf, 64, 0, NULL, NULL);
	sendto(s4, "short-addrlen", 13, 0, (struct sockaddr *)&to4, sizeof to4);
	fl = 8;
	recvfrom(r4, rbuf, 64, 0, (struct sockaddr *)&from, &fl);
	sendto(s4, "0123456789", 10, 0, (struct sockaddr *)&to4, sizeof to4);
	recvfrom(r4, rbuf, 4, MSG_TRUNC, NULL, NULL);
	sendto(s4, "peek", 4, 0, (struct sockaddr *)&to4, sizeof to4);
	recvfrom(r4, rbuf, 64, MSG_PEEK, NULL, NULL);
	recvfrom(r4, rbuf, 64, 0, NULL, NULL);
	fl = sizeof from;
	recvfrom(r4, rbuf, 64, MSG_DONTWAIT, (struct sockaddr *)&from, &fl); /* EAGAIN */
	recvfrom(999, rbuf, 64, 0, NULL, NULL);                             /* EBADF */
	sendto(s4, "x", 1, 0, (struct sockaddr *)&to4, sizeof to4);
	recvfrom(r4, BADPTR, 64, 0, NULL, NULL); /* EFAULT */
	/* libc send()/recv() arrive as sendto/recvfrom. */
	send(16, "via send", 8, 0);
	recv(17, rbuf, 64, 0);

	/* --- sendmsg / recvmsg over IPv4 with IP_PKTINFO, IP_TTL, IP_TOS, SO_TIMESTAMP --- */
	setint(s4, IPPROTO_IP, IP_TOS, 0x10);
	setint(r4, IPPROTO_IP, IP_PKTINFO, 1);
	setint(r4, IPPROTO_IP, IP_RECVTTL, 1);
	setint(r4, IPPROTO_IP, IP_RECVTOS, 1);
	{
		struct iovec siov[2] = {{"ab", 2}, {"cde", 3}};
		struct msghdr sm = {.msg_name = &to4, .msg_namelen = sizeof to4, .msg_iov = siov, .msg_iovlen = 2};
		sendmsg(s4, &sm, 0);
	}
	m = rmsg(iov, 3, 256);
	recvmsg(r4, &m, 0);
	setint(r4, IPPROTO_IP, IP_PKTINFO, 0);
	setint(r4, IPPROTO_IP, IP_RECVTOS, 0);
	{
		/* A sent IP_TTL control message; the receiver sees the TTL. */
		char c[CMSG_SPACE(sizeof(int))] __attribute__((aligned(8)));
		memset(c, 0, sizeof c);
		struct iovec siov = {"ttl9", 4};
		struct msghdr sm = {.msg_name = &to4, .msg_namelen = sizeof to4, .msg_iov = &siov, .msg_iovlen = 1,
				    .msg_control = c, .msg_controllen = sizeof c};
		struct cmsghdr *cm = CMSG_FIRSTHDR(&sm);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_TTL;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		int ttl = 9;
		memcpy(CMSG_DATA(cm), &ttl, sizeof ttl);
		sendmsg(s4, &sm, 0);
	}
	m = rmsg(iov, 0, 256);
	recvmsg(r4, &m, 0);
	setint(r4, IPPROTO_IP, IP_RECVTTL, 0);
	setint(r4, SOL_SOCKET, SO_TIMESTAMP, 1);
	sendto(s4, "ts", 2, 0, (struct sockaddr *)&to4, sizeof to4);
	m = rmsg(iov, 0, 256);
	recvmsg(r4, &m, 0);
	setint(r4, SOL_SOCKET, SO_TIMESTAMP, 0);
	setint(r4, SOL_SOCKET, SO_TIMESTAMPNS, 1);
	sendto(s4, "tsns", 4, 0, (struct sockaddr *)&to4, sizeof to4);
	m = rmsg(iov, 0, 256);
	recvmsg(r4, &m, 0);
	setint(r4, SOL_SOCKET, SO_TIMESTAMPNS, 0);
	/* MSG_TRUNC: a 10-byte datagram into 4 bytes. */
	sendto(s4, "truncated!", 10, 0, (struct sockaddr *)&to4, sizeof to4);
	m = rmsg(iov, 0, 0);
	iov[0].iov_len = 4;
	recvmsg(r4, &m, 0);

	/* --- IPv6 with IPV6_PKTINFO, IPV6_HOPLIMIT, IPV6_TCLASS --- */
	setint(s6, IPPROTO_IPV6, IPV6_TCLASS, 0x20);
	setint(r6, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
	setint(r6, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
	setint(r6, IPPROTO_IPV6, IPV6_RECVTCLASS, 1);
	{
		struct iovec siov = {"six", 3};
		struct msghdr sm = {.msg_name = &to6, .msg_namelen = sizeof to6, .msg_iov = &siov, .msg_iovlen = 1};
		sendmsg(s6, &sm, 0);
	}
	m = rmsg(iov, 0, 256);
	recvmsg(r6, &m, 0);

	/* --- UNIX: SCM_RIGHTS with three descriptors, SCM_CREDENTIALS --- */
	setint(15, SOL_SOCKET, SO_PASSCRED, 1);
	{
		char c[CMSG_SPACE(3 * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))] __attribute__((aligned(8)));
		memset(c, 0, sizeof c);
		struct iovec siov = {"fds", 3};
		struct msghdr sm = {.msg_iov = &siov, .msg_iovlen = 1, .msg_control = c, .msg_controllen = sizeof c};
		struct cmsghdr *cm = CMSG_FIRSTHDR(&sm);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(3 * sizeof(int));
		int fds[3] = {21, 22, 23};
		memcpy(CMSG_DATA(cm), fds, sizeof fds);
		cm = CMSG_NXTHDR(&sm, cm);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_CREDENTIALS;
		cm->cmsg_len = CMSG_LEN(sizeof(struct ucred));
		struct ucred cr = {getpid(), getuid(), getgid()};
		memcpy(CMSG_DATA(cm), &cr, sizeof cr);
		sendmsg(14, &sm, 0);
	}
	m = rmsg(iov, 0, 256);
	m.msg_name = NULL;
	m.msg_namelen = 0;
	recvmsg(15, &m, MSG_CMSG_CLOEXEC);
	for (int fd = 3; fd < 10; fd++)
		close(fd);
	setint(15, SOL_SOCKET, SO_PASSCRED, 0);
	/* MSG_CTRUNC: three descriptors, room for one. */
	{
		char c[CMSG_SPACE(3 * sizeof(int))] __attribute__((aligned(8)));
		memset(c, 0, sizeof c);
		struct iovec siov = {"ctrunc", 6};
		struct msghdr sm = {.msg_iov = &siov, .msg_iovlen = 1, .msg_control = c, .msg_controllen = sizeof c};
		struct cmsghdr *cm = CMSG_FIRSTHDR(&sm);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(3 * sizeof(int));
		int fds[3] = {21, 22, 23};
		memcpy(CMSG_DATA(cm), fds, sizeof fds);
		sendmsg(14, &sm, 0);
	}
	m = rmsg(iov, 0, CMSG_SPACE(sizeof(int)));
	m.msg_name = NULL;
	m.msg_namelen = 0;
	recvmsg(15, &m, 0);
	for (int fd = 3; fd < 10; fd++)
		close(fd);

	/* --- IP_RECVERR: a datagram to a closed port, the ICMP error from the queue --- */
	setint(e4, IPPROTO_IP, IP_RECVERR, 1);
	struct sockaddr_in closed = sin4(40215);
	sendto(e4, "nobody", 6, 0, (struct sockaddr *)&closed, sizeof closed);
	struct pollfd pfd = {e4, POLLERR, 0};
	poll(&pfd, 1, 5000);
	m = rmsg(iov, 0, 256);
	recvmsg(e4, &m, MSG_ERRQUEUE);

	/* --- sendmsg / recvmsg failures --- */
	m = rmsg(iov, 0, 0);
	recvmsg(r4, &m, MSG_DONTWAIT); /* EAGAIN */
	recvmsg(999, &m, 0);           /* EBADF */
	recvmsg(r4, BADPTR, 0);        /* EFAULT */
	sendmsg(s4, BADPTR, 0);        /* EFAULT */
	{
		struct iovec siov = {"ebadf", 5};
		struct msghdr sm = {.msg_name = &to4, .msg_namelen = sizeof to4, .msg_iov = &siov, .msg_iovlen = 1};
		sendmsg(999, &sm, 0); /* EBADF */
	}

	/* --- sendmmsg / recvmmsg --- */
	{
		struct mmsghdr v[4];
		struct iovec siov[3] = {{"m1", 2}, {"m22", 3}, {"m333", 4}};
		memset(v, 0, sizeof v);
		for (int i = 0; i < 3; i++) {
			v[i].msg_hdr.msg_name = &to4;
			v[i].msg_hdr.msg_namelen = sizeof to4;
			v[i].msg_hdr.msg_iov = &siov[i];
			v[i].msg_hdr.msg_iovlen = 1;
		}
		sendmmsg(s4, v, 3, 0);
		static char bufs[4][16];
		static struct sockaddr_in names[4];
		struct iovec riov[4];
		memset(v, 0, sizeof v);
		for (int i = 0; i < 4; i++) {
			riov[i] = (struct iovec){bufs[i], 16};
			v[i].msg_hdr.msg_name = &names[i];
			v[i].msg_hdr.msg_namelen = sizeof names[i];
			v[i].msg_hdr.msg_iov = &riov[i];
			v[i].msg_hdr.msg_iovlen = 1;
		}
		recvmmsg(r4, v, 4, MSG_DONTWAIT, NULL);
		/* Two more, received with MSG_WAITFORONE and a timeout. */
		struct mmsghdr w[2];
		memset(w, 0, sizeof w);
		for (int i = 0; i < 2; i++) {
			w[i].msg_hdr.msg_name = &to4;
			w[i].msg_hdr.msg_namelen = sizeof to4;
			w[i].msg_hdr.msg_iov = &siov[i];
			w[i].msg_hdr.msg_iovlen = 1;
		}
		sendmmsg(s4, w, 2, 0);
		for (int i = 0; i < 4; i++)
			v[i].msg_hdr.msg_namelen = sizeof names[i];
		struct timespec ts = {5, 0};
		recvmmsg(r4, v, 4, MSG_WAITFORONE, &ts);
		recvmmsg(r4, v, 4, MSG_DONTWAIT, NULL); /* EAGAIN */
		recvmmsg(r4, BADPTR, 2, MSG_DONTWAIT, NULL); /* EFAULT */
		sendmmsg(s4, BADPTR, 2, 0);                 /* EFAULT */
		sendmmsg(999, w, 2, 0);                     /* EBADF */
		/* IPv6 and UNIX batches. */
		struct mmsghdr x[2];
		memset(x, 0, sizeof x);
		for (int i = 0; i < 2; i++) {
			x[i].msg_hdr.msg_name = &to6;
			x[i].msg_hdr.msg_namelen = sizeof to6;
			x[i].msg_hdr.msg_iov = &siov[i];
			x[i].msg_hdr.msg_iovlen = 1;
		}
		sendmmsg(s6, x, 2, 0);
		static struct sockaddr_in6 names6[2];
		struct mmsghdr y[2];
		memset(y, 0, sizeof y);
		setint(r6, IPPROTO_IPV6, IPV6_RECVPKTINFO, 0);
		setint(r6, IPPROTO_IPV6, IPV6_RECVTCLASS, 0);
		static char c6[2][64] __attribute__((aligned(8)));
		for (int i = 0; i < 2; i++) {
			riov[i] = (struct iovec){bufs[i], 16};
			y[i].msg_hdr.msg_name = &names6[i];
			y[i].msg_hdr.msg_namelen = sizeof names6[i];
			y[i].msg_hdr.msg_iov = &riov[i];
			y[i].msg_hdr.msg_iovlen = 1;
			y[i].msg_hdr.msg_control = c6[i];
			y[i].msg_hdr.msg_controllen = sizeof c6[i];
		}
		recvmmsg(r6, y, 2, MSG_DONTWAIT, NULL);
		for (int i = 0; i < 2; i++) {
			x[i].msg_hdr.msg_name = NULL;
			x[i].msg_hdr.msg_namelen = 0;
		}
		sendmmsg(14, x, 2, 0);
		memset(y, 0, sizeof y);
		for (int i = 0; i < 2; i++) {
			y[i].msg_hdr.msg_iov = &riov[i];
			y[i].msg_hdr.msg_iovlen = 1;
		}
		recvmmsg(15, y, 2, MSG_DONTWAIT, NULL);
	}
	unlink(path);
	unlink(cpath);
	return 0;
}
