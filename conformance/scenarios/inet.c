/* AF_INET / AF_INET6 addresses through sendto/recvfrom, sendmsg/recvmsg:
 * plain v4 and v6, flowinfo, scope id, v4-mapped, bad address lengths,
 * recvfrom address buffers too short / too long / NULL with a length,
 * stream sockets (connected, NULL address), raw sockets. */
#include "common.h"
#include <netinet/ip.h>

int main(int argc, char **argv)
{
	scenario_init(argc, argv);
	char buf[256];
	socklen_t alen;

	/* --- AF_INET datagram --- */
	int a = udp4(PORT(0)), b = udp4(PORT(1));
	struct sockaddr_in to = sin4("127.0.0.1", PORT(1));
	sendto(a, "v4 hello", 8, 0, (struct sockaddr *)&to, sizeof to);
	struct sockaddr_in from;
	alen = sizeof from;
	recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);

	/* recvfrom with a too-short address buffer: truncated address */
	sendto(a, "short", 5, 0, (struct sockaddr *)&to, sizeof to);
	alen = 4;
	recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
	/* zero-length address buffer */
	sendto(a, "zero", 4, 0, (struct sockaddr *)&to, sizeof to);
	alen = 0;
	recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
	/* too-long address buffer */
	struct sockaddr_storage big;
	sendto(a, "long", 4, 0, (struct sockaddr *)&to, sizeof to);
	alen = sizeof big;
	recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&big, &alen);
	/* NULL address with an addrlen pointer, address with NULL addrlen */
	sendto(a, "nulladdr", 8, 0, (struct sockaddr *)&to, sizeof to);
	alen = 16;
	recvfrom(b, buf, sizeof buf, 0, NULL, &alen);
	sendto(a, "nulllen", 7, 0, (struct sockaddr *)&to, sizeof to);
	recvfrom(b, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, NULL);
	/* receive buffer shorter than the datagram */
	sendto(a, "truncated datagram", 18, 0, (struct sockaddr *)&to, sizeof to);
	alen = sizeof from;
	recvfrom(b, buf, 4, 0, (struct sockaddr *)&from, &alen);
	sendto(a, "trunc flag", 10, 0, (struct sockaddr *)&to, sizeof to);
	alen = sizeof from;
	recvfrom(b, buf, 3, MSG_TRUNC, (struct sockaddr *)&from, &alen);

	/* bad destination lengths: too short, odd, negative, too long */
	sendto(a, "x", 1, 0, (struct sockaddr *)&to, 3);
	sendto(a, "x", 1, 0, (struct sockaddr *)&to, 15);
	sendto(a, "x", 1, 0, (struct sockaddr *)&to, (socklen_t)-1);
	sendto(a, "x", 1, 0, (struct sockaddr *)&big, 129);
	memset(&big, 0, sizeof big);
	memcpy(&big, &to, sizeof to);
	sendto(a, "x", 1, 0, (struct sockaddr *)&big, sizeof big);
	alen = sizeof from;
	recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
	sendto(a, "x", 1, 0, (struct sockaddr *)&to, 0);
	sendto(a, "x", 1, 0, (struct sockaddr *)&to, 1);
	sendto(a, "x", 1, 0, (struct sockaddr *)&to, 2);
	/* non-zero sin_zero */
	struct sockaddr_in junk = to;
	memcpy(junk.sin_zero, "ZEROJUNK", 8);
	sendto(a, "z", 1, 0, (struct sockaddr *)&junk, sizeof junk);
	alen = sizeof from;
	recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
	/* AF_UNSPEC destination on a v4 datagram socket */
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	sendto(a, "u", 1, 0, &unspec, sizeof unspec);
	/* other v4 addresses */
	struct sockaddr_in any = sin4("0.0.0.0", PORT(1));
	sendto(a, "any", 3, 0, (struct sockaddr *)&any, sizeof any);
	alen = sizeof from;
	recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
	struct sockaddr_in other = sin4("127.1.2.3", PORT(1));
	sendto(a, "127.1.2.3", 9, 0, (struct sockaddr *)&other, sizeof other);
	struct sockaddr_in bcast = sin4("127.255.255.255", PORT(1));
	sendto(a, "bcast", 5, 0, (struct sockaddr *)&bcast, sizeof bcast);
	struct sockaddr_in unreach = sin4("192.0.2.1", PORT(1));
	sendto(a, "unreach", 7, 0, (struct sockaddr *)&unreach, sizeof unreach);

	/* --- AF_INET6 datagram --- */
	int c = udp6(PORT(2)), d = udp6(PORT(3));
	struct sockaddr_in6 to6 = sin6("::1", PORT(3));
	sendto(c, "v6 hello", 8, 0, (struct sockaddr *)&to6, sizeof to6);
	struct sockaddr_in6 from6;
	alen = sizeof from6;
	recvfrom(d, buf, sizeof buf, 0, (struct sockaddr *)&from6, &alen);
	/* flowinfo (not enforced without a flow label manager: still sent) */
	struct sockaddr_in6 fl = to6;
	fl.sin6_flowinfo = htonl(0x12345);
	sendto(c, "flow", 4, 0, (struct sockaddr *)&fl, sizeof fl);
	alen = sizeof from6;
	recvfrom(d, buf, sizeof buf, 0, (struct sockaddr *)&from6, &alen);
	/* scope id on ::1 and on a link-local address */
	struct sockaddr_in6 sc = to6;
	sc.sin6_scope_id = 1;
	sendto(c, "scope", 5, 0, (struct sockaddr *)&sc, sizeof sc);
	alen = sizeof from6;
	recvfrom(d, buf, sizeof buf, 0, (struct sockaddr *)&from6, &alen);
	struct sockaddr_in6 ll = sin6("fe80::1", PORT(3));
	ll.sin6_scope_id = 1;
	sendto(c, "ll", 2, 0, (struct sockaddr *)&ll, sizeof ll);
	ll.sin6_scope_id = 77;
	sendto(c, "ll77", 4, 0, (struct sockaddr *)&ll, sizeof ll);
	/* old (RFC 2133) 24-byte sockaddr_in6 without scope id, and too short */
	sendto(c, "rfc2133", 7, 0, (struct sockaddr *)&to6, 24);
	alen = sizeof from6;
	recvfrom(d, buf, sizeof buf, 0, (struct sockaddr *)&from6, &alen);
	sendto(c, "x", 1, 0, (struct sockaddr *)&to6, 20);
	/* address buffer too short for a v6 source */
	sendto(c, "short6", 6, 0, (struct sockaddr *)&to6, sizeof to6);
	alen = 8;
	recvfrom(d, buf, sizeof buf, 0, (struct sockaddr *)&from6, &alen);

	/* v4-mapped: a dual-stack socket talking to 127.0.0.1 */
	int e = xsocket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 any6 = sin6("::", PORT(4));
	xbind(e, &any6, sizeof any6);
	struct sockaddr_in6 mapped = sin6("::ffff:127.0.0.1", PORT(1));
	sendto(e, "mapped", 6, 0, (struct sockaddr *)&mapped, sizeof mapped);
	alen = sizeof from;
	recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
	sendto(a, "to mapped", 9, 0, (struct sockaddr *)&(struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(PORT(4)), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, sizeof(struct sockaddr_in));
	alen = sizeof from6;
	recvfrom(e, buf, sizeof buf, 0, (struct sockaddr *)&from6, &alen);
	/* a v4 address given to a v6 socket, and a v6 address to a v4 socket */
	sendto(e, "v4 on v6", 8, 0, (struct sockaddr *)&to, sizeof to);
	sendto(a, "v6 on v4", 8, 0, (struct sockaddr *)&to6, sizeof to6);
	/* v4-compat and other notable v6 addresses */
	struct sockaddr_in6 odd = sin6("::", PORT(3));
	sendto(c, "any6", 4, 0, (struct sockaddr *)&odd, sizeof odd);
	alen = sizeof from6;
	recvfrom(d, buf, sizeof buf, 0, (struct sockaddr *)&from6, &alen);
	odd = sin6("2001:db8::1:0:0:1", PORT(3));
	sendto(c, "doc", 3, 0, (struct sockaddr *)&odd, sizeof odd);

	/* sendmsg / recvmsg with v6 names */
	struct iovec iov = { .iov_base = "msg6", .iov_len = 4 };
	struct msghdr mh = { .msg_name = &fl, .msg_namelen = sizeof fl, .msg_iov = &iov, .msg_iovlen = 1 };
	sendmsg(c, &mh, 0);
	struct iovec riov = { .iov_base = buf, .iov_len = sizeof buf };
	struct msghdr rh = { .msg_name = &from6, .msg_namelen = sizeof from6, .msg_iov = &riov, .msg_iovlen = 1 };
	recvmsg(d, &rh, 0);
	mh.msg_name = &to;
	mh.msg_namelen = sizeof to;
	sendmsg(a, &mh, 0);
	rh.msg_name = &from;
	rh.msg_namelen = 5;
	recvmsg(b, &rh, 0);

	/* --- stream: connected, NULL address, address given anyway --- */
	int cl, sv;
	tcp_pair(PORT(10), PORT(11), &cl, &sv);
	sendto(cl, "tcp data", 8, 0, NULL, 0);
	recvfrom(sv, buf, sizeof buf, 0, NULL, NULL);
	struct sockaddr_in peer = sin4("127.0.0.1", PORT(10));
	sendto(cl, "tcp+addr", 8, 0, (struct sockaddr *)&peer, sizeof peer);
	alen = sizeof from;
	recvfrom(sv, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
	struct iovec tiov[2] = { { "str", 3 }, { "eam", 3 } };
	struct msghdr tm = { .msg_iov = tiov, .msg_iovlen = 2 };
	sendmsg(sv, &tm, 0);
	struct msghdr trm = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &riov, .msg_iovlen = 1 };
	recvmsg(cl, &trm, 0);
	sendto(cl, "", 0, 0, NULL, 0);
	recvfrom(sv, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL);
	shutdown(cl, SHUT_WR);
	recvfrom(sv, buf, sizeof buf, 0, NULL, NULL);
	close(cl);
	close(sv);

	/* v6 stream */
	int l6 = xsocket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 la6 = sin6("::1", PORT(12));
	xbind(l6, &la6, sizeof la6);
	listen(l6, 1);
	int c6 = xsocket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 ca6 = sin6("::1", PORT(13));
	xbind(c6, &ca6, sizeof ca6);
	xconnect(c6, &la6, sizeof la6);
	int s6 = accept(l6, NULL, NULL);
	sendto(c6, "v6 stream", 9, 0, NULL, 0);
	alen = sizeof from6;
	recvfrom(s6, buf, sizeof buf, 0, (struct sockaddr *)&from6, &alen);

	/* --- raw IPv4 with a header we build (fixed id, checksum by the kernel) --- */
	int r = socket(AF_INET, SOCK_RAW, 253);
	if (r >= 0) {
		int one = 1;
		setsockopt(r, IPPROTO_IP, IP_HDRINCL, &one, sizeof one);
		unsigned char pkt[24] = { 0 };
		struct iphdr *ip = (struct iphdr *)pkt;
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons(sizeof pkt);
		ip->id = htons(0x1234);
		ip->ttl = 64;
		ip->protocol = 253;
		ip->saddr = htonl(INADDR_LOOPBACK);
		ip->daddr = htonl(INADDR_LOOPBACK);
		memcpy(pkt + 20, "RAW!", 4);
		struct sockaddr_in rto = sin4("127.0.0.1", 0);
		sendto(r, pkt, sizeof pkt, 0, (struct sockaddr *)&rto, sizeof rto);
		alen = sizeof from;
		recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
		/* raw without IP_HDRINCL (send only), v6 raw */
		int r2 = socket(AF_INET, SOCK_RAW, 254);
		sendto(r2, "payload", 7, 0, (struct sockaddr *)&rto, sizeof rto);
		/* (not received back: the kernel picks a random IP id for it) */
		int r6 = socket(AF_INET6, SOCK_RAW, 253);
		struct sockaddr_in6 rto6 = sin6("::1", 0);
		sendto(r6, "raw6", 4, 0, (struct sockaddr *)&rto6, sizeof rto6);
		alen = sizeof from6;
		recvfrom(r6, buf, sizeof buf, 0, (struct sockaddr *)&from6, &alen);
	}
	return 0;
}
