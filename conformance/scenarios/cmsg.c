/* Control messages the kernel delivers on loopback: IP_PKTINFO, IP_TTL,
 * IP_TOS, IP_RECVOPTS/IP_RETOPTS, IP_ORIGDSTADDR, IP_RECVERR (error queue),
 * IP_RECVFRAGSIZE, IPV6_PKTINFO, IPV6_HOPLIMIT, IPV6_TCLASS, IPV6_RECVERR,
 * IPV6_ORIGDSTADDR, SO_TIMESTAMP{,NS,ING}{_OLD,_NEW}, SO_RXQ_OVFL, SO_MARK,
 * SO_PRIORITY, UDP_GRO; control messages given on send; truncated control
 * (MSG_CTRUNC), bogus cmsg_len, control shorter than a cmsghdr. */
#include "common.h"
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/udp.h>

#ifndef SO_TIMESTAMP_NEW
#define SO_TIMESTAMP_NEW 63
#define SO_TIMESTAMPNS_NEW 64
#define SO_TIMESTAMPING_NEW 65
#endif
#ifndef SO_RCVMARK
#define SO_RCVMARK 75
#endif
#ifndef SO_RCVPRIORITY
#define SO_RCVPRIORITY 82
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif
#ifndef IP_RECVFRAGSIZE
#define IP_RECVFRAGSIZE 25
#endif

static char buf[256];
static char rctl[1024];

static void recv_ctl(int fd, void *name, socklen_t namelen, size_t ctllen, int flags)
{
	struct iovec riov = { .iov_base = buf, .iov_len = sizeof buf };
	struct msghdr rh = { .msg_name = name, .msg_namelen = namelen, .msg_iov = &riov, .msg_iovlen = 1,
			     .msg_control = rctl, .msg_controllen = ctllen };
	memset(rctl, 0, sizeof rctl);
	recvmsg(fd, &rh, flags);
}

static void opt(int fd, int level, int name, int val)
{
	setsockopt(fd, level, name, &val, sizeof val);
}

int main(int argc, char **argv)
{
	scenario_init(argc, argv);
	/* Receive timestamps are switched on machine-wide by a deferred static key: keep
	 * one socket asking for them all along, and give the key time to flip, so that
	 * every timestamping option below gets its control message. */
	int warm = xsocket(AF_INET, SOCK_DGRAM, 0);
	opt(warm, SOL_SOCKET, SO_TIMESTAMP, 1);
	usleep(50000);
	struct sockaddr_in from;
	struct sockaddr_in6 from6;
	int a = udp4(PORT(40)), b = udp4(PORT(41));
	struct sockaddr_in to = sin4("127.0.0.1", PORT(41));

	/* IPv4 receive-side options, one at a time, then all at once */
	static const int v4opts[] = { IP_PKTINFO, IP_RECVTTL, IP_RECVTOS, IP_RECVOPTS, IP_RETOPTS,
				      IP_RECVORIGDSTADDR, IP_RECVFRAGSIZE };
	for (unsigned i = 0; i < sizeof v4opts / sizeof v4opts[0]; i++) {
		opt(b, IPPROTO_IP, v4opts[i], 1);
		sendto(a, "opt", 3, 0, (struct sockaddr *)&to, sizeof to);
		recv_ctl(b, &from, sizeof from, sizeof rctl, 0);
		opt(b, IPPROTO_IP, v4opts[i], 0);
	}
	for (unsigned i = 0; i < sizeof v4opts / sizeof v4opts[0]; i++)
		opt(b, IPPROTO_IP, v4opts[i], 1);
	opt(a, IPPROTO_IP, IP_TOS, 0x28);
	opt(a, IPPROTO_IP, IP_TTL, 17);
	sendto(a, "all", 3, 0, (struct sockaddr *)&to, sizeof to);
	recv_ctl(b, &from, sizeof from, sizeof rctl, 0);
	/* truncated control: room for the first message only, then for a header only */
	sendto(a, "ctrunc", 6, 0, (struct sockaddr *)&to, sizeof to);
	recv_ctl(b, &from, sizeof from, CMSG_SPACE(sizeof(struct in_pktinfo)) + 4, 0);
	sendto(a, "ctrunc2", 7, 0, (struct sockaddr *)&to, sizeof to);
	recv_ctl(b, &from, sizeof from, sizeof(struct cmsghdr) + 2, 0);
	sendto(a, "ctrunc3", 7, 0, (struct sockaddr *)&to, sizeof to);
	recv_ctl(b, &from, sizeof from, 4, 0);
	for (unsigned i = 0; i < sizeof v4opts / sizeof v4opts[0]; i++)
		opt(b, IPPROTO_IP, v4opts[i], 0);

	/* socket-level options */
	opt(a, SOL_SOCKET, SO_MARK, 42);
	opt(a, SOL_SOCKET, SO_PRIORITY, 3);
	static const int solopts[] = { SO_RXQ_OVFL, SO_RCVMARK, SO_RCVPRIORITY };
	for (unsigned i = 0; i < sizeof solopts / sizeof solopts[0]; i++) {
		opt(b, SOL_SOCKET, solopts[i], 1);
		sendto(a, "sol", 3, 0, (struct sockaddr *)&to, sizeof to);
		recv_ctl(b, NULL, 0, sizeof rctl, 0);
		opt(b, SOL_SOCKET, solopts[i], 0);
	}
	/* timestamps (values normalised by the harness) */
	static const int tsopts[] = { SO_TIMESTAMP, SO_TIMESTAMPNS, SO_TIMESTAMP_NEW, SO_TIMESTAMPNS_NEW };
	for (unsigned i = 0; i < sizeof tsopts / sizeof tsopts[0]; i++) {
		opt(b, SOL_SOCKET, tsopts[i], 1);
		sendto(a, "ts", 2, 0, (struct sockaddr *)&to, sizeof to);
		recv_ctl(b, NULL, 0, sizeof rctl, 0);
		opt(b, SOL_SOCKET, tsopts[i], 0);
	}
	int tsflags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
	static const int tsing[] = { SO_TIMESTAMPING, SO_TIMESTAMPING_NEW };
	for (unsigned i = 0; i < 2; i++) {
		opt(b, SOL_SOCKET, tsing[i], tsflags);
		sendto(a, "tsing", 5, 0, (struct sockaddr *)&to, sizeof to);
		recv_ctl(b, NULL, 0, sizeof rctl, 0);
		opt(b, SOL_SOCKET, tsing[i], 0);
	}
	/* UDP GRO (a single segment gives a UDP_GRO cmsg only when coalesced: still compared) */
	opt(b, IPPROTO_UDP, UDP_GRO, 1);
	sendto(a, "gro", 3, 0, (struct sockaddr *)&to, sizeof to);
	recv_ctl(b, NULL, 0, sizeof rctl, 0);
	opt(b, IPPROTO_UDP, UDP_GRO, 0);

	/* error queue: ICMP port unreachable for a closed port */
	int e = udp4(PORT(42));
	opt(e, IPPROTO_IP, IP_RECVERR, 1);
	struct sockaddr_in closed = sin4("127.0.0.1", PORT(99));
	sendto(e, "refused", 7, 0, (struct sockaddr *)&closed, sizeof closed);
	recv_ctl(e, &from, sizeof from, sizeof rctl, MSG_ERRQUEUE);
	recv_ctl(e, &from, sizeof from, sizeof rctl, MSG_ERRQUEUE | MSG_DONTWAIT);

	/* IPv6 */
	int c = udp6(PORT(43)), d = udp6(PORT(44));
	struct sockaddr_in6 to6 = sin6("::1", PORT(44));
	static const int v6opts[] = { IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS, IPV6_RECVORIGDSTADDR,
				      IPV6_RECVPATHMTU, IPV6_RECVFRAGSIZE };
	opt(c, IPPROTO_IPV6, IPV6_TCLASS, 0x28);
	opt(c, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 9);
	for (unsigned i = 0; i < sizeof v6opts / sizeof v6opts[0]; i++) {
		opt(d, IPPROTO_IPV6, v6opts[i], 1);
		sendto(c, "opt6", 4, 0, (struct sockaddr *)&to6, sizeof to6);
		recv_ctl(d, &from6, sizeof from6, sizeof rctl, 0);
		opt(d, IPPROTO_IPV6, v6opts[i], 0);
	}
	int e6 = udp6(PORT(45));
	opt(e6, IPPROTO_IPV6, IPV6_RECVERR, 1);
	struct sockaddr_in6 closed6 = sin6("::1", PORT(99));
	sendto(e6, "refused6", 8, 0, (struct sockaddr *)&closed6, sizeof closed6);
	recv_ctl(e6, &from6, sizeof from6, sizeof rctl, MSG_ERRQUEUE);

	/* control messages given on send */
	union {
		char raw[256];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = "ctl", .iov_len = 3 };
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.raw };
	memset(&ctl, 0, sizeof ctl);
	struct cmsghdr *cm = (struct cmsghdr *)ctl.raw;
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
	struct in_pktinfo pi = { .ipi_ifindex = 1 };
	inet_pton(AF_INET, "127.0.0.1", &pi.ipi_spec_dst);
	memcpy(CMSG_DATA(cm), &pi, sizeof pi);
	struct cmsghdr *cm2 = (struct cmsghdr *)(ctl.raw + CMSG_SPACE(sizeof pi));
	cm2->cmsg_level = IPPROTO_IP;
	cm2->cmsg_type = IP_TTL;
	cm2->cmsg_len = CMSG_LEN(sizeof(int));
	*(int *)CMSG_DATA(cm2) = 5;
	struct cmsghdr *cm3 = (struct cmsghdr *)((char *)cm2 + CMSG_SPACE(sizeof(int)));
	cm3->cmsg_level = IPPROTO_IP;
	cm3->cmsg_type = IP_TOS;
	cm3->cmsg_len = CMSG_LEN(1);
	*(unsigned char *)CMSG_DATA(cm3) = 0x10;
	mh.msg_controllen = CMSG_SPACE(sizeof pi) + CMSG_SPACE(sizeof(int)) + CMSG_SPACE(1);
	sendmsg(a, &mh, 0);
	recv_ctl(b, NULL, 0, sizeof rctl, 0);
	/* cmsg_len larger than the control buffer: EINVAL */
	cm->cmsg_len = 200;
	mh.msg_controllen = CMSG_SPACE(sizeof pi);
	sendmsg(a, &mh, 0);
	/* cmsg_len smaller than a header */
	cm->cmsg_len = 4;
	sendmsg(a, &mh, 0);
	/* control shorter than a cmsghdr (ignored by the kernel) */
	cm->cmsg_len = CMSG_LEN(sizeof pi);
	mh.msg_controllen = 7;
	sendmsg(a, &mh, 0);
	recv_ctl(b, NULL, 0, sizeof rctl, 0);
	/* unknown level / type */
	cm->cmsg_level = 0x1234;
	cm->cmsg_type = 0x55;
	cm->cmsg_len = CMSG_LEN(6);
	memcpy(CMSG_DATA(cm), "\1\2\3abc", 6);
	mh.msg_controllen = CMSG_SPACE(6);
	sendmsg(a, &mh, 0);
	recv_ctl(b, NULL, 0, sizeof rctl, 0);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = 0x55;
	sendmsg(a, &mh, 0);
	/* IPv6 hop limit / tclass / pktinfo on send */
	struct msghdr mh6 = { .msg_name = &to6, .msg_namelen = sizeof to6, .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.raw };
	memset(&ctl, 0, sizeof ctl);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_HOPLIMIT;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	*(int *)CMSG_DATA(cm) = 3;
	cm2 = (struct cmsghdr *)(ctl.raw + CMSG_SPACE(sizeof(int)));
	cm2->cmsg_level = IPPROTO_IPV6;
	cm2->cmsg_type = IPV6_TCLASS;
	cm2->cmsg_len = CMSG_LEN(sizeof(int));
	*(int *)CMSG_DATA(cm2) = 0x20;
	cm3 = (struct cmsghdr *)((char *)cm2 + CMSG_SPACE(sizeof(int)));
	cm3->cmsg_level = IPPROTO_IPV6;
	cm3->cmsg_type = IPV6_PKTINFO;
	cm3->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
	struct in6_pktinfo pi6 = { .ipi6_ifindex = 1 };
	inet_pton(AF_INET6, "::1", &pi6.ipi6_addr);
	memcpy(CMSG_DATA(cm3), &pi6, sizeof pi6);
	mh6.msg_controllen = 2 * CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof pi6);
	opt(d, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
	sendmsg(c, &mh6, 0);
	recv_ctl(d, &from6, sizeof from6, sizeof rctl, 0);
	return 0;
}
