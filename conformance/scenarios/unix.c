/* AF_UNIX: pathname, abstract, unnamed (socketpair, unbound senders),
 * over-long and unterminated sun_path, short address lengths; datagram,
 * stream and seqpacket; SCM_RIGHTS, SCM_CREDENTIALS, SCM_PIDFD, SCM_SECURITY;
 * ENOENT / ECONNREFUSED / EPIPE on unix sockets. */
#include "common.h"
#include <stddef.h>
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif

static char buf[512];

static socklen_t un_path(struct sockaddr_un *u, const char *dir, const char *name)
{
	memset(u, 0, sizeof *u);
	u->sun_family = AF_UNIX;
	snprintf(u->sun_path, sizeof u->sun_path, "%s/%s", dir, name);
	return offsetof(struct sockaddr_un, sun_path) + strlen(u->sun_path) + 1;
}

static socklen_t un_abstract(struct sockaddr_un *u, const char *name)
{
	memset(u, 0, sizeof *u);
	u->sun_family = AF_UNIX;
	memcpy(u->sun_path + 1, name, strlen(name));
	return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

int main(int argc, char **argv)
{
	const char *dir = scenario_init(argc, argv);
	struct sockaddr_un ua, ub, from;
	socklen_t la, lb, alen;

	/* pathname datagram sockets */
	int a = xsocket(AF_UNIX, SOCK_DGRAM, 0), b = xsocket(AF_UNIX, SOCK_DGRAM, 0);
	la = un_path(&ua, dir, "a.sock");
	lb = un_path(&ub, dir, "b.sock");
	xbind(a, &ua, la);
	xbind(b, &ub, lb);
	sendto(a, "path", 4, 0, (struct sockaddr *)&ub, lb);
	alen = sizeof from;
	recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
	/* address length without the terminating NUL, and the full structure */
	sendto(a, "noterm", 6, 0, (struct sockaddr *)&ub, lb - 1);
	alen = sizeof from;
	recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
	sendto(a, "full", 4, 0, (struct sockaddr *)&ub, sizeof ub);
	alen = 10;
	recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
	/* address lengths: family only, too short, too long */
	sendto(a, "fam", 3, 0, (struct sockaddr *)&ub, 2);
	sendto(a, "one", 3, 0, (struct sockaddr *)&ub, 1);
	sendto(a, "long", 4, 0, (struct sockaddr *)&ub, sizeof ub + 1);
	/* nonexistent path: ENOENT; path of a non-socket: ECONNREFUSED */
	struct sockaddr_un nx;
	socklen_t lnx = un_path(&nx, dir, "missing.sock");
	sendto(a, "enoent", 6, 0, (struct sockaddr *)&nx, lnx);
	lnx = un_path(&nx, dir, "plain-file");
	close(open(nx.sun_path, O_CREAT | O_WRONLY, 0600));
	sendto(a, "notsock", 7, 0, (struct sockaddr *)&nx, lnx);
	/* over-long, unterminated sun_path: all 108 bytes used */
	struct sockaddr_un over;
	memset(&over, 0, sizeof over);
	over.sun_family = AF_UNIX;
	memset(over.sun_path, 'L', sizeof over.sun_path);
	sendto(a, "over", 4, 0, (struct sockaddr *)&over, sizeof over);
	/* a path with characters needing escapes */
	struct sockaddr_un esc;
	socklen_t lesc = un_path(&esc, dir, "e\"s\\c\n\t\001\377.sock");
	int e = xsocket(AF_UNIX, SOCK_DGRAM, 0);
	xbind(e, &esc, lesc);
	sendto(a, "escaped", 7, 0, (struct sockaddr *)&esc, lesc);
	alen = sizeof from;
	recvfrom(e, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);

	/* abstract names, one with embedded NULs and escapes */
	int c = xsocket(AF_UNIX, SOCK_DGRAM, 0), d = xsocket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un uc, ud;
	socklen_t lc = un_abstract(&uc, "conf-abstract-c");
	socklen_t ld = un_abstract(&ud, "conf\001abs\ntract-d");
	ud.sun_path[6] = 0; /* an embedded NUL inside the abstract name */
	xbind(c, &uc, lc);
	xbind(d, &ud, ld);
	sendto(c, "abstract", 8, 0, (struct sockaddr *)&ud, ld);
	alen = sizeof from;
	recvfrom(d, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
	sendto(d, "back", 4, 0, (struct sockaddr *)&uc, lc);
	alen = sizeof from;
	recvfrom(c, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
	/* unnamed sender (never bound) to a bound receiver */
	int u = xsocket(AF_UNIX, SOCK_DGRAM, 0);
	sendto(u, "unnamed", 7, 0, (struct sockaddr *)&uc, lc);
	alen = sizeof from;
	recvfrom(c, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);

	/* socketpair datagram: NULL destination, unnamed source */
	int sp[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sp);
	sendto(sp[0], "pair", 4, 0, NULL, 0);
	alen = sizeof from;
	recvfrom(sp[1], buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
	sendto(sp[0], "connected+addr", 14, 0, (struct sockaddr *)&ub, lb);
	alen = sizeof from;
	recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);

	/* seqpacket pair: records, truncation, EOF */
	int sq[2];
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sq);
	sendto(sq[0], "record one", 10, MSG_EOR, NULL, 0);
	recvfrom(sq[1], buf, 6, 0, NULL, NULL);
	struct iovec riov = { .iov_base = buf, .iov_len = sizeof buf };
	struct msghdr rh = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &riov, .msg_iovlen = 1 };
	sendto(sq[0], "record two", 10, 0, NULL, 0);
	riov.iov_len = 3;
	recvmsg(sq[1], &rh, 0);
	riov.iov_len = sizeof buf;
	shutdown(sq[0], SHUT_WR);
	rh.msg_namelen = sizeof from;
	recvmsg(sq[1], &rh, 0);
	/* bound seqpacket listener: recvfrom reports the peer's name */
	int sl = xsocket(AF_UNIX, SOCK_SEQPACKET, 0);
	struct sockaddr_un us;
	socklen_t ls = un_path(&us, dir, "seq.sock");
	xbind(sl, &us, ls);
	listen(sl, 1);
	int sc = xsocket(AF_UNIX, SOCK_SEQPACKET, 0);
	struct sockaddr_un usc;
	socklen_t lsc = un_abstract(&usc, "seq-client");
	xbind(sc, &usc, lsc);
	xconnect(sc, &us, ls);
	int ss = accept(sl, NULL, NULL);
	sendto(sc, "seq", 3, 0, NULL, 0);
	alen = sizeof from;
	recvfrom(ss, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);

	/* stream pair: EPIPE (with MSG_NOSIGNAL, then with SIGPIPE ignored) */
	int st[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, st);
	sendto(st[0], "stream", 6, 0, NULL, 0);
	alen = sizeof from;
	recvfrom(st[1], buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
	close(st[1]);
	sendto(st[0], "epipe", 5, MSG_NOSIGNAL, NULL, 0);
	signal(SIGPIPE, SIG_IGN);
	sendto(st[0], "epipe2", 6, 0, NULL, 0);
	signal(SIGPIPE, SIG_DFL);

	/* ancillary data */
	int one = 1;
	int cp[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, cp);
	setsockopt(cp[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	union {
		char raw[512];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof ctl);
	struct iovec iov = { .iov_base = "anc", .iov_len = 3 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.raw };
	/* SCM_RIGHTS with three descriptors */
	int fds[3] = { 0, 1, 2 };
	struct cmsghdr *cm = (struct cmsghdr *)ctl.raw;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof fds);
	memcpy(CMSG_DATA(cm), fds, sizeof fds);
	mh.msg_controllen = CMSG_SPACE(sizeof fds);
	sendmsg(cp[0], &mh, 0);
	char rctl[512];
	rh.msg_name = NULL;
	rh.msg_namelen = 0;
	rh.msg_control = rctl;
	rh.msg_controllen = sizeof rctl;
	recvmsg(cp[1], &rh, 0);
	/* SCM_RIGHTS with MSG_CMSG_CLOEXEC, and into a too-small control buffer */
	sendmsg(cp[0], &mh, 0);
	rh.msg_controllen = sizeof rctl;
	recvmsg(cp[1], &rh, MSG_CMSG_CLOEXEC);
	sendmsg(cp[0], &mh, 0);
	rh.msg_controllen = CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred));
	recvmsg(cp[1], &rh, 0);
	/* SCM_CREDENTIALS given explicitly (pid 2 of the namespace, uid/gid 0) */
	struct ucred cred = { .pid = getpid(), .uid = 0, .gid = 0 };
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof cred);
	memcpy(CMSG_DATA(cm), &cred, sizeof cred);
	mh.msg_controllen = CMSG_SPACE(sizeof cred);
	sendmsg(cp[0], &mh, 0);
	rh.msg_controllen = sizeof rctl;
	recvmsg(cp[1], &rh, 0);
	/* both SCM_RIGHTS and SCM_CREDENTIALS in one message */
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), fds, sizeof(int));
	struct cmsghdr *cm2 = (struct cmsghdr *)(ctl.raw + CMSG_SPACE(sizeof(int)));
	cm2->cmsg_level = SOL_SOCKET;
	cm2->cmsg_type = SCM_CREDENTIALS;
	cm2->cmsg_len = CMSG_LEN(sizeof cred);
	memcpy(CMSG_DATA(cm2), &cred, sizeof cred);
	mh.msg_controllen = CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof cred);
	sendmsg(cp[0], &mh, 0);
	rh.msg_controllen = sizeof rctl;
	recvmsg(cp[1], &rh, 0);
	/* SCM_PIDFD and SCM_SECURITY where the kernel delivers them */
	setsockopt(cp[1], SOL_SOCKET, SO_PASSPIDFD, &one, sizeof one);
	setsockopt(cp[1], SOL_SOCKET, SO_PASSSEC, &one, sizeof one);
	mh.msg_controllen = 0;
	sendmsg(cp[0], &mh, 0);
	rh.msg_controllen = sizeof rctl;
	recvmsg(cp[1], &rh, 0);
	/* a bad descriptor in SCM_RIGHTS: EBADF */
	fds[0] = 999;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), fds, sizeof(int));
	mh.msg_controllen = CMSG_SPACE(sizeof(int));
	sendmsg(cp[0], &mh, 0);
	/* SCM_RIGHTS over a stream pair, read with recvmmsg */
	int sr[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sr);
	fds[0] = 1;
	memcpy(CMSG_DATA(cm), fds, sizeof(int));
	sendmsg(sr[0], &mh, 0);
	struct mmsghdr rm = { .msg_hdr = rh };
	rm.msg_hdr.msg_controllen = sizeof rctl;
	recvmmsg(sr[1], &rm, 1, 0, NULL);
	return 0;
}
