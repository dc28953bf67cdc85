/* Address families: AF_NETLINK (real route socket, messages to and from the
 * kernel), AF_PACKET on lo (datagram and raw packet sockets, PACKET_AUXDATA),
 * AF_VSOCK (whatever the kernel allows), and a patterned address of every
 * family number 0..50 plus unknown ones, given to sendto/sendmsg. */
#include "common.h"
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/vm_sockets.h>
#include <net/ethernet.h>

static char buf[8192];

int main(int argc, char **argv)
{
	scenario_init(argc, argv);

	/* --- AF_NETLINK (fixed port id so replies are deterministic) --- */
	int nl = xsocket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct sockaddr_nl me = { .nl_family = AF_NETLINK, .nl_pid = 4242 };
	xbind(nl, &me, sizeof me);
	struct sockaddr_nl kern = { .nl_family = AF_NETLINK };
	/* a dump of the namespace's fib rules: fixed content, several messages, NLMSG_DONE
	 * (link and address dumps carry random or time-based attributes, so not those) */
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req;
	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = sizeof req;
	req.h.nlmsg_type = RTM_GETRULE;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 1;
	req.h.nlmsg_pid = 4242;
	req.i.ifi_family = AF_INET;
	sendto(nl, &req, sizeof req, 0, (struct sockaddr *)&kern, sizeof kern);
	struct sockaddr_nl from_nl;
	socklen_t alen = sizeof from_nl;
	recvfrom(nl, buf, sizeof buf, 0, (struct sockaddr *)&from_nl, &alen);
	alen = sizeof from_nl;
	recvfrom(nl, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from_nl, &alen);
	/* a link that does not exist: NLMSG_ERROR */
	req.h.nlmsg_type = RTM_GETLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.i.ifi_family = AF_UNSPEC;
	req.i.ifi_index = 999;
	sendto(nl, &req, sizeof req, 0, (struct sockaddr *)&kern, sizeof kern);
	recvfrom(nl, buf, sizeof buf, 0, NULL, NULL);
	/* an unknown message type: NLMSG_ERROR reply */
	req.h.nlmsg_type = 0x7ff0;
	req.h.nlmsg_seq = 2;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof req };
	struct msghdr mh = { .msg_name = &kern, .msg_namelen = sizeof kern, .msg_iov = &iov, .msg_iovlen = 1 };
	sendmsg(nl, &mh, 0);
	struct iovec riov = { .iov_base = buf, .iov_len = sizeof buf };
	struct msghdr rh = { .msg_name = &from_nl, .msg_namelen = sizeof from_nl, .msg_iov = &riov, .msg_iovlen = 1 };
	recvmsg(nl, &rh, 0);
	/* a message to a multicast group / another port id (EPERM / ECONNREFUSED) */
	struct sockaddr_nl grp = { .nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = RTMGRP_LINK };
	sendto(nl, &req, sizeof req, 0, (struct sockaddr *)&grp, sizeof grp);
	struct sockaddr_nl peer = { .nl_family = AF_NETLINK, .nl_pid = 777 };
	sendto(nl, &req, sizeof req, 0, (struct sockaddr *)&peer, sizeof peer);
	/* a truncated netlink message and a non-netlink payload */
	sendto(nl, &req, 10, 0, (struct sockaddr *)&kern, sizeof kern);
	sendto(nl, "not a netlink message", 21, 0, (struct sockaddr *)&kern, sizeof kern);
	recvfrom(nl, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL);
	/* netlink address length too short */
	sendto(nl, &req, sizeof req, 0, (struct sockaddr *)&kern, 6);

	/* --- AF_PACKET on lo --- */
	const unsigned short proto = 0x88b5; /* IEEE local experimental */
	int ps = socket(AF_PACKET, SOCK_DGRAM, htons(proto));
	int pr = socket(AF_PACKET, SOCK_DGRAM, htons(proto));
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(proto), .sll_ifindex = 1 };
	bind(pr, (struct sockaddr *)&ll, sizeof ll);
	int on = 1;
	setsockopt(pr, SOL_PACKET, PACKET_AUXDATA, &on, sizeof on);
	struct sockaddr_ll dst = ll;
	dst.sll_halen = 6;
	sendto(ps, "packet dgram", 12, 0, (struct sockaddr *)&dst, sizeof dst);
	struct sockaddr_ll from_ll;
	alen = sizeof from_ll;
	recvfrom(pr, buf, sizeof buf, 0, (struct sockaddr *)&from_ll, &alen);
	char ctl[256];
	rh.msg_name = &from_ll;
	rh.msg_namelen = sizeof from_ll;
	rh.msg_control = ctl;
	rh.msg_controllen = sizeof ctl;
	sendto(ps, "again", 5, 0, (struct sockaddr *)&dst, sizeof dst);
	recvmsg(pr, &rh, 0);
	/* raw packet socket: a full Ethernet frame */
	int praw = socket(AF_PACKET, SOCK_RAW, htons(proto));
	unsigned char frame[ETH_HLEN + 8];
	memset(frame, 0, ETH_HLEN);
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x01", 6);
	frame[12] = proto >> 8;
	frame[13] = proto & 0xff;
	memcpy(frame + ETH_HLEN, "rawframe", 8);
	sendto(praw, frame, sizeof frame, 0, (struct sockaddr *)&dst, sizeof dst);
	alen = sizeof from_ll;
	recvfrom(pr, buf, sizeof buf, 0, (struct sockaddr *)&from_ll, &alen);
	alen = sizeof from_ll;
	recvfrom(pr, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from_ll, &alen);
	/* sockaddr_ll variants: bad ifindex, other hatype/pkttype, short length */
	struct sockaddr_ll odd = dst;
	odd.sll_ifindex = 99;
	sendto(ps, "x", 1, 0, (struct sockaddr *)&odd, sizeof odd);
	odd = dst;
	odd.sll_hatype = 772;
	odd.sll_pkttype = PACKET_OTHERHOST;
	memcpy(odd.sll_addr, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	odd.sll_halen = 8;
	sendto(ps, "y", 1, 0, (struct sockaddr *)&odd, sizeof odd);
	sendto(ps, "z", 1, 0, (struct sockaddr *)&dst, 12);
	while (recvfrom(pr, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL) >= 0)
		;

	/* --- AF_VSOCK: the call is made whatever the kernel supports --- */
	int vs = socket(AF_VSOCK, SOCK_DGRAM, 0);
	if (vs < 0)
		vs = socket(AF_VSOCK, SOCK_STREAM, 0);
	int udp = udp4(PORT(80));
	struct sockaddr_vm vm = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_LOCAL, .svm_port = 1234 };
	sendto(vs >= 0 ? vs : udp, "vsock", 5, 0, (struct sockaddr *)&vm, sizeof vm);
	vm.svm_cid = VMADDR_CID_ANY;
	vm.svm_port = VMADDR_PORT_ANY;
	sendto(udp, "vsock", 5, 0, (struct sockaddr *)&vm, sizeof vm);
	vm.svm_cid = 3;
	vm.svm_port = 0x10000;
	sendto(udp, "vsock", 5, 0, (struct sockaddr *)&vm, sizeof vm);

	/* --- every family number, patterned address bytes, two lengths --- */
	union {
		struct sockaddr_storage ss;
		unsigned char raw[128];
	} any;
	static const int extra[] = { 200, 255, 256, 0x4242, 0xffff };
	for (int f = 0; f < 51 + 5; f++) {
		int fam = f < 51 ? f : extra[f - 51];
		for (int i = 0; i < 128; i++)
			any.raw[i] = (unsigned char)(i * 7 + fam);
		any.ss.ss_family = fam;
		sendto(udp, "fam", 3, 0, (struct sockaddr *)&any, 16);
		sendto(udp, "fam", 3, 0, (struct sockaddr *)&any, 110);
		/* and a NUL-filled one of a typical length */
		memset(any.raw + 2, 0, 126);
		mh.msg_name = &any;
		mh.msg_namelen = 28;
		iov.iov_base = "fam";
		iov.iov_len = 3;
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
		sendmsg(udp, &mh, MSG_DONTWAIT);
	}
	return 0;
}
