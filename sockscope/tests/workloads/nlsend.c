/* sendto on a netlink socket, with and without a destination, and a UDP sendto whose
 * destination claims AF_NETLINK: sockscope's exit-only sendto tells a netlink socket by a
 * successful call's destination family and walks to the socket otherwise (sock.rs
 * capture_sendto). Only the kernel is asked (an RTM_GETLINK dump request in the
 * workload's own network namespace when it can make one); nothing goes on a network. */
#include "common.h"
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>

int main(void)
{
	guard(20);
	/* A network namespace of its own when allowed (root): only its loopback is listed. */
	(void)unshare(CLONE_NEWNET);
	sock_at(AF_NETLINK, SOCK_RAW, 10); /* 10: NETLINK_ROUTE (protocol 0) */
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req;
	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = sizeof req;
	req.h.nlmsg_type = RTM_GETLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 1;
	req.i.ifi_family = AF_UNSPEC;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	struct sockaddr_in not_nl = sin4(40299);

	/* Succeeds with an AF_NETLINK destination: decoded as netlink. */
	sendto(10, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel);
	/* Without a destination. */
	req.h.nlmsg_seq = 2;
	sendto(10, &req, sizeof req, 0, NULL, 0);
	/* Another family to a netlink socket: EINVAL, still a netlink socket. */
	req.h.nlmsg_seq = 3;
	sendto(10, &req, sizeof req, 0, (struct sockaddr *)&not_nl, sizeof kernel);
	/* A UDP socket given an AF_NETLINK destination: refused, not a netlink socket. */
	int u = sock_at(AF_INET, SOCK_DGRAM, 11); /* 11: UDP */
	char udp[] = "udp"; /* on the stack: a page the process has touched */
	sendto(u, udp, 3, 0, (struct sockaddr *)&kernel, sizeof kernel);
	return 0;
}
