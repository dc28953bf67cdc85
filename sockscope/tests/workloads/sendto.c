/* Issue 2: known sendto calls, successful and failing. argv[1]: a work directory.
 * Descriptors are fixed (see the comments); ports 40201-40203 on 127.0.0.1 / ::1. */
#include "common.h"

#define BADPTR ((void *)0x8)

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *dir = argv[1];
	guard(20);
	signal(SIGPIPE, SIG_IGN);

	int s4 = sock_at(AF_INET, SOCK_DGRAM, 10); /* 10: UDP server 127.0.0.1:40201 */
	bind4(s4, 40201);
	int c4 = sock_at(AF_INET, SOCK_DGRAM, 11); /* 11: UDP client */
	int s6 = sock_at(AF_INET6, SOCK_DGRAM, 12); /* 12: UDP server [::1]:40202 */
	bind6(s6, 40202);
	int c6 = sock_at(AF_INET6, SOCK_DGRAM, 13); /* 13: UDP client */
	struct sockaddr_un upath, uabs;
	char path[256];
	snprintf(path, sizeof path, "%s/sendto.sock", dir);
	unlink(path);
	socklen_t plen = unix_addr(&upath, path, 0);
	socklen_t alen = unix_addr(&uabs, "sockscope-capture-sendto", 1);
	int us = sock_at(AF_UNIX, SOCK_DGRAM, 14); /* 14: UNIX server (path) */
	if (bind(us, (struct sockaddr *)&upath, plen) < 0)
		die("bind path");
	int uc = sock_at(AF_UNIX, SOCK_DGRAM, 15); /* 15: UNIX client */
	int ua = sock_at(AF_UNIX, SOCK_DGRAM, 16); /* 16: UNIX server (abstract) */
	if (bind(ua, (struct sockaddr *)&uabs, alen) < 0)
		die("bind abstract");
	tcp_pair(40203, 17, 18); /* 17: TCP client, 18: accepted */
	fixfd(open("/dev/null", O_RDWR), 19); /* 19: not a socket */
	int pr[2], pp[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, pr) < 0)
		die("socketpair");
	fixfd(pr[0], 20); /* 20/21: UNIX datagram pair, filled until EAGAIN */
	fixfd(pr[1], 21);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pp) < 0)
		die("socketpair");
	fixfd(pp[0], 22); /* 22/23: UNIX stream pair, 23 closed: EPIPE */
	fixfd(pp[1], 23);

	struct sockaddr_in a4 = sin4(40201);
	struct sockaddr_in6 a6 = sin6(40202);
	struct sockaddr *A4 = (struct sockaddr *)&a4;

	/* Families. */
	sendto(c4, "hello", 5, 0, A4, sizeof a4);
	sendto(c6, "hello6", 6, 0, (struct sockaddr *)&a6, sizeof a6);
	sendto(uc, "unix path", 9, 0, (struct sockaddr *)&upath, plen);
	sendto(uc, "abstract", 8, 0, (struct sockaddr *)&uabs, alen);
	sendto(17, "tcp", 3, 0, NULL, 0);
	/* Flags. */
	sendto(c4, "flags1", 6, MSG_DONTWAIT | MSG_NOSIGNAL, A4, sizeof a4);
	sendto(c4, "flags2", 6, MSG_DONTROUTE | MSG_CONFIRM, A4, sizeof a4);
	sendto(17, "oob", 3, MSG_OOB, NULL, 0);
	sendto(c4, "more", 4, MSG_MORE, A4, sizeof a4);
	sendto(c4, "end", 3, 0, A4, sizeof a4);
	sendto(c4, "unk", 3, MSG_DONTWAIT | 0x1000000, A4, sizeof a4);
	/* Every byte value, 32 at a time (the default -s shows them all). */
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = i;
	for (int i = 0; i < 256; i += 32)
		sendto(c4, all + i, 32, 0, A4, sizeof a4);
	/* Longer than -s 32. */
	sendto(c4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd", 40, 0, A4, sizeof a4);

	/* Failures. */
	sendto(999, "x", 1, 0, NULL, 0);                 /* EBADF */
	sendto(19, "x", 1, 0, NULL, 0);                  /* ENOTSOCK */
	sendto(c4, BADPTR, 5, 0, A4, sizeof a4);         /* EFAULT: buffer */
	sendto(c4, "x", 1, 0, (struct sockaddr *)0x10, 16); /* EFAULT: address */
	struct sockaddr_storage big;
	memset(&big, 0, sizeof big);
	memcpy(&big, &a4, sizeof a4);
	sendto(c4, "x", 1, 0, (struct sockaddr *)&big, 200); /* EINVAL: addrlen > storage */
	sendto(c4, "x", 1, 0, A4, 15);                   /* EINVAL: addrlen too short */
	sendto(c4, "x", 1, 0, NULL, 0);                  /* EDESTADDRREQ */
	static char huge[70000];
	sendto(c4, huge, sizeof huge, 0, A4, sizeof a4); /* EMSGSIZE */
	for (int i = 0; i < 100000; i++)                 /* fills, then EAGAIN */
		if (sendto(20, "fill", 4, MSG_DONTWAIT, NULL, 0) < 0)
			break;
	close(23);
	sendto(22, "pipe", 4, MSG_NOSIGNAL, NULL, 0);    /* EPIPE */
	sendto(22, "pipe2", 5, 0, NULL, 0);              /* EPIPE, SIGPIPE ignored */
	unlink(path);
	return 0;
}
