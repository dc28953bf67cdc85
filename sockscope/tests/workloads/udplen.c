/* recvfrom's returned *addrlen, where the kernel side takes it from the socket instead of
 * reading it back (UDP and UDP-Lite with an address buffer: 16 or 28, whatever the caller
 * passed) and where it must read it (MSG_ERRQUEUE: a zerocopy notification has no address, 0;
 * TCP: 0). argv[1]: a work directory. Ports 40330-40335 on 127.0.0.1 / ::ffff:127.0.0.1.
 * Descriptors: 10 UDP-Lite receiver :40330, 11 UDP-Lite sender :40331, 12 AF_INET6 UDP
 * receiver on ::ffff:127.0.0.1:40332 (v4-mapped), 13 UDP sender :40333 with SO_ZEROCOPY,
 * 14/15 TCP pair on :40334, 16 UDP receiver :40335. */
#include "common.h"
#include <poll.h>

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif

static char rbuf[64];
static struct sockaddr_storage from;

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	guard(20);
	write_pid(argv[1], "udplen.pid");

	int lr = fixfd(socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE), 10);
	bind4(lr, 40330);
	int ls = fixfd(socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE), 11);
	bind4(ls, 40331);
	int m6 = sock_at(AF_INET6, SOCK_DGRAM, 12);
	int zero = 0, one = 1;
	setsockopt(m6, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
	reuse(m6);
	struct sockaddr_in6 mapped;
	memset(&mapped, 0, sizeof mapped);
	mapped.sin6_family = AF_INET6;
	mapped.sin6_port = htons(40332);
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.sin6_addr);
	if (bind(m6, (struct sockaddr *)&mapped, sizeof mapped) < 0)
		die("bind mapped");
	int zs = sock_at(AF_INET, SOCK_DGRAM, 13);
	bind4(zs, 40333);
	if (setsockopt(zs, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof one) < 0)
		die("SO_ZEROCOPY");
	tcp_pair(40334, 14, 15);
	int ur = sock_at(AF_INET, SOCK_DGRAM, 16);
	bind4(ur, 40335);

	struct sockaddr_in to_lite = sin4(40330), to_mapped = sin4(40332), to_ur = sin4(40335);
	socklen_t fl;

	/* UDP-Lite: 16 from the socket. */
	sendto(ls, "lite", 4, 0, (struct sockaddr *)&to_lite, sizeof to_lite);
	fl = sizeof from;
	recvfrom(lr, rbuf, sizeof rbuf, 0, (struct sockaddr *)&from, &fl);
	/* A v4 datagram on an AF_INET6 socket: 28, the whole and a short buffer. */
	sendto(zs, "mapped", 6, 0, (struct sockaddr *)&to_mapped, sizeof to_mapped);
	fl = sizeof from;
	recvfrom(m6, rbuf, sizeof rbuf, 0, (struct sockaddr *)&from, &fl);
	sendto(zs, "mapped-short", 12, 0, (struct sockaddr *)&to_mapped, sizeof to_mapped);
	fl = 16;
	recvfrom(m6, rbuf, sizeof rbuf, 0, (struct sockaddr *)&from, &fl);
	/* A zerocopy send's notification on the error queue: no address, length 0. */
	sendto(zs, "zc", 2, MSG_ZEROCOPY, (struct sockaddr *)&to_ur, sizeof to_ur);
	struct pollfd p = {zs, 0, 0};
	if (poll(&p, 1, 5000) != 1 || !(p.revents & POLLERR))
		die("no zerocopy notification");
	fl = sizeof from;
	recvfrom(zs, rbuf, sizeof rbuf, MSG_ERRQUEUE, (struct sockaddr *)&from, &fl);
	fl = sizeof from;
	recvfrom(ur, rbuf, sizeof rbuf, 0, (struct sockaddr *)&from, &fl);
	/* TCP: the protocol gives no address, length 0. */
	send(14, "tcp", 3, 0);
	fl = sizeof from;
	recvfrom(15, rbuf, sizeof rbuf, 0, (struct sockaddr *)&from, &fl);
	return 0;
}
