/* MSG_* flags: every bit 0..31 alone for each of the six calls, known
 * combinations, unknown bits, MSG_CMSG_COMPAT, and the msg_flags field of
 * msghdr on the send side (printed as given) and the receive side. */
#include "common.h"

static int a, b;
static struct sockaddr_in to;
static char buf[64];

static void drain(void)
{
	while (recvfrom(b, buf, sizeof buf, MSG_DONTWAIT, NULL, NULL) >= 0)
		;
}

int main(int argc, char **argv)
{
	scenario_init(argc, argv);
	a = udp4(PORT(20));
	b = udp4(PORT(21));
	to = sin4("127.0.0.1", PORT(21));
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

	/* sendto: each bit alone, then flush a possible MSG_MORE cork */
	for (int i = 0; i < 32; i++)
		sendto(a, "f", 1, 1u << i, (struct sockaddr *)&to, sizeof to);
	sendto(a, "flush", 5, 0, (struct sockaddr *)&to, sizeof to);
	drain();

	/* recvfrom: each bit alone, with a datagram always queued */
	for (int i = 0; i < 32; i++) {
		sendto(a, "r", 1, 0, (struct sockaddr *)&to, sizeof to);
		recvfrom(b, buf, sizeof buf, 1u << i, NULL, NULL);
	}
	drain();

	/* sendmsg / recvmsg: each bit alone */
	struct iovec iov = { .iov_base = "m", .iov_len = 1 };
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1 };
	for (int i = 0; i < 32; i++)
		sendmsg(a, &mh, 1u << i);
	sendmsg(a, &mh, 0);
	drain();
	struct iovec riov = { .iov_base = buf, .iov_len = sizeof buf };
	struct msghdr rh = { .msg_iov = &riov, .msg_iovlen = 1 };
	for (int i = 0; i < 32; i++) {
		sendmsg(a, &mh, 0);
		rh.msg_flags = 0;
		recvmsg(b, &rh, 1u << i);
	}
	drain();

	/* sendmmsg / recvmmsg: each bit alone */
	struct mmsghdr mm = { .msg_hdr = mh };
	for (int i = 0; i < 32; i++)
		sendmmsg(a, &mm, 1, 1u << i);
	sendmmsg(a, &mm, 1, 0);
	drain();
	struct mmsghdr rm = { .msg_hdr = rh };
	for (int i = 0; i < 32; i++) {
		sendmmsg(a, &mm, 1, 0);
		rm.msg_hdr.msg_flags = 0;
		recvmmsg(b, &rm, 1, 1u << i, NULL);
	}
	drain();

	/* combinations and unknown bits */
	static const unsigned combos[] = {
		MSG_DONTWAIT | MSG_NOSIGNAL,
		MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT,
		MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_WAITALL,
		MSG_CONFIRM | MSG_DONTROUTE | MSG_EOR,
		0x00f00000,
		MSG_DONTWAIT | 0x00400000,
		MSG_DONTWAIT | MSG_CMSG_COMPAT,
		0x7fffffff,
		0xffffffff,
	};
	for (unsigned i = 0; i < sizeof combos / sizeof combos[0]; i++) {
		sendto(a, "c", 1, combos[i], (struct sockaddr *)&to, sizeof to);
		sendto(a, "d", 1, 0, (struct sockaddr *)&to, sizeof to);
		recvfrom(b, buf, sizeof buf, combos[i] | MSG_DONTWAIT, NULL, NULL);
		sendmsg(a, &mh, combos[i]);
		recvmsg(b, &rh, combos[i] | MSG_DONTWAIT);
		sendmmsg(a, &mm, 1, combos[i]);
		recvmmsg(b, &rm, 1, combos[i] | MSG_DONTWAIT, NULL);
	}
	drain();

	/* msg_flags as given on the send side */
	static const unsigned given[] = { MSG_TRUNC | MSG_CTRUNC, MSG_EOR, 0x00f00000, 0xffffffff };
	for (unsigned i = 0; i < sizeof given / sizeof given[0]; i++) {
		mh.msg_flags = given[i];
		sendmsg(a, &mh, 0);
		mm.msg_hdr.msg_flags = given[i];
		sendmmsg(a, &mm, 1, 0);
	}
	/* msg_flags as set by the kernel: MSG_TRUNC on a short buffer */
	riov.iov_len = 0;
	rh.msg_flags = 0x12345;
	recvmsg(b, &rh, MSG_DONTWAIT);
	riov.iov_len = sizeof buf;
	rh.msg_flags = 0xffffffff;
	recvmsg(b, &rh, MSG_DONTWAIT);
	drain();
	return 0;
}
