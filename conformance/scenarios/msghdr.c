/* msghdr shapes for sendmsg/recvmsg: 0 iovecs, many iovecs (more than any
 * capture limit, more than IOV_MAX), zero-length iovecs, NULL iov with a
 * count, msg_name NULL with a namelen, bad pointers inside the msghdr,
 * msg_iovlen huge, msg_namelen odd values. */
#include "common.h"
#include <sys/mman.h>

static char buf[512];

int main(int argc, char **argv)
{
	scenario_init(argc, argv);
	int a = udp4(PORT(50)), b = udp4(PORT(51));
	struct sockaddr_in to = sin4("127.0.0.1", PORT(51)), from;
	struct msghdr mh, rh;
	struct iovec riov = { .iov_base = buf, .iov_len = sizeof buf };

	/* 0 iovecs: an empty datagram */
	memset(&mh, 0, sizeof mh);
	mh.msg_name = &to;
	mh.msg_namelen = sizeof to;
	sendmsg(a, &mh, 0);
	memset(&rh, 0, sizeof rh);
	rh.msg_name = &from;
	rh.msg_namelen = sizeof from;
	recvmsg(b, &rh, 0); /* 0 iovecs: MSG_TRUNC */
	/* 0 iovecs with a non-NULL iov pointer */
	mh.msg_iov = &riov;
	mh.msg_iovlen = 0;
	sendmsg(a, &mh, 0);
	rh.msg_iov = &riov;
	rh.msg_iovlen = 1;
	recvmsg(b, &rh, 0);

	/* many iovecs: 3, 8, 16, 17, 40, 1024 (IOV_MAX), 1025 */
	static struct iovec many[1100];
	static char letters[1100];
	for (int i = 0; i < 1100; i++) {
		letters[i] = 'a' + i % 26;
		many[i].iov_base = &letters[i];
		many[i].iov_len = 1;
	}
	static const int counts[] = { 3, 8, 16, 17, 40, 1024, 1025 };
	mh.msg_iov = many;
	rh.msg_iov = many + 50; /* receive into single-byte iovecs as well */
	for (unsigned i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		mh.msg_iovlen = counts[i];
		sendmsg(a, &mh, 0);
		rh.msg_iovlen = counts[i] < 40 ? counts[i] : 40;
		rh.msg_namelen = sizeof from;
		recvmsg(b, &rh, MSG_DONTWAIT);
	}
	for (int i = 0; i < 1100; i++)
		letters[i] = 'a' + i % 26;

	/* zero-length iovecs mixed in, and all zero-length */
	struct iovec z[5] = { { "abc", 3 }, { "ZZZ", 0 }, { NULL, 0 }, { "def", 3 }, { BADPTR, 0 } };
	mh.msg_iov = z;
	mh.msg_iovlen = 5;
	sendmsg(a, &mh, 0);
	struct iovec rz[4] = { { buf, 0 }, { buf, 2 }, { NULL, 0 }, { buf + 2, 100 } };
	rh.msg_iov = rz;
	rh.msg_iovlen = 4;
	rh.msg_namelen = sizeof from;
	recvmsg(b, &rh, 0);
	struct iovec zz[2] = { { "x", 0 }, { "y", 0 } };
	mh.msg_iov = zz;
	mh.msg_iovlen = 2;
	sendmsg(a, &mh, 0);
	rh.msg_iov = &riov;
	rh.msg_iovlen = 1;
	recvmsg(b, &rh, 0);

	/* msg_name NULL with a namelen; namelen 0 with a name */
	struct iovec one = { "one", 3 };
	int cl, sv;
	tcp_pair(PORT(52), PORT(53), &cl, &sv);
	memset(&mh, 0, sizeof mh);
	mh.msg_iov = &one;
	mh.msg_iovlen = 1;
	mh.msg_namelen = 16;
	sendmsg(cl, &mh, 0);
	rh.msg_name = NULL;
	rh.msg_namelen = 16;
	recvmsg(sv, &rh, 0);
	mh.msg_name = &to;
	mh.msg_namelen = 0;
	sendmsg(a, &mh, 0); /* unconnected: EDESTADDRREQ */
	/* namelen too short, odd, too long, negative */
	static const int lens[] = { 1, 2, 15, 17, 128, 129, -1 };
	for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		mh.msg_namelen = lens[i];
		sendmsg(a, &mh, 0);
	}
	/* recvmsg namelen too short / zero / negative */
	rh.msg_name = &from;
	static const int rlens[] = { 3, 0, -1 };
	for (unsigned i = 0; i < sizeof rlens / sizeof rlens[0]; i++) {
		mh.msg_namelen = sizeof to;
		sendmsg(a, &mh, 0);
		rh.msg_namelen = rlens[i];
		recvmsg(b, &rh, MSG_DONTWAIT);
	}
	recvmsg(b, &rh, MSG_DONTWAIT);

	/* bad pointers inside the msghdr */
	mh.msg_namelen = sizeof to;
	mh.msg_name = BADPTR;
	sendmsg(a, &mh, 0);
	mh.msg_name = &to;
	mh.msg_iov = BADPTR;
	sendmsg(a, &mh, 0);
	struct iovec badbase = { BADPTR, 5 };
	mh.msg_iov = &badbase;
	sendmsg(a, &mh, 0);
	struct iovec partbad[2] = { { "good", 4 }, { BADPTR, 5 } };
	mh.msg_iov = partbad;
	mh.msg_iovlen = 2;
	sendmsg(a, &mh, 0);
	mh.msg_iov = &one;
	mh.msg_iovlen = 1;
	mh.msg_control = BADPTR;
	mh.msg_controllen = 32;
	sendmsg(a, &mh, 0);
	mh.msg_control = NULL;
	mh.msg_controllen = 32;
	sendmsg(a, &mh, 0);
	mh.msg_controllen = 0;
	mh.msg_iov = NULL;
	mh.msg_iovlen = 3;
	sendmsg(a, &mh, 0);
	/* a huge count over an array that ends at an unmapped page */
	long pg = sysconf(_SC_PAGESIZE);
	char *two = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(two + pg, pg);
	struct iovec *tail = (struct iovec *)(two + pg - 4 * sizeof(struct iovec));
	for (int i = 0; i < 4; i++) {
		tail[i].iov_base = "tail";
		tail[i].iov_len = i;
	}
	mh.msg_iov = tail;
	mh.msg_iovlen = 100000;
	sendmsg(a, &mh, 0);
	mh.msg_iovlen = 5;
	sendmsg(a, &mh, 0);
	mh.msg_iov = &one;
	mh.msg_iovlen = 1;
	sendmsg(a, BADPTR, 0);
	sendmsg(a, NULL, 0);
	/* msghdr spanning into an unmapped page: the last field unreadable */
	struct msghdr *edge = (struct msghdr *)(two + pg - 16);
	memset(edge, 0, 16);
	sendmsg(a, edge, 0);

	/* a huge msg_controllen over a 2 KiB control buffer that ends at an unmapped page:
	 * strace reads min(msg_controllen, optmem_max) bytes, fails, prints the pointer */
	struct cmsghdr *ctl = (struct cmsghdr *)(two + pg - 2048);
	memset(ctl, 0, 2048);
	ctl->cmsg_len = CMSG_LEN(sizeof(int));
	ctl->cmsg_level = SOL_SOCKET;
	ctl->cmsg_type = SCM_RIGHTS;
	struct msghdr hc;
	memset(&hc, 0, sizeof hc);
	hc.msg_name = &to;
	hc.msg_namelen = sizeof to;
	hc.msg_iov = &one;
	hc.msg_iovlen = 1;
	hc.msg_control = ctl;
	hc.msg_controllen = 1 << 20;
	sendmsg(a, &hc, 0);
	/* a huge iov_len before ordinary iovecs: a send has no byte budget */
	static char big[8192];
	memset(big, 'x', sizeof big);
	struct iovec huge[3] = { { big, (size_t)-1 }, { "abc", 3 }, { "def", 3 } };
	hc.msg_control = NULL;
	hc.msg_controllen = 0;
	hc.msg_iov = huge;
	hc.msg_iovlen = 3;
	sendmsg(a, &hc, 0);

	/* recvmsg bad pointers */
	sendmsg(a, &mh, 0);
	memset(&rh, 0, sizeof rh);
	rh.msg_iov = &riov;
	rh.msg_iovlen = 1;
	rh.msg_name = BADPTR;
	rh.msg_namelen = 16;
	recvmsg(b, &rh, 0);
	sendmsg(a, &mh, 0);
	rh.msg_name = NULL;
	struct iovec rbad = { BADPTR, 16 };
	rh.msg_iov = &rbad;
	recvmsg(b, &rh, 0);
	sendmsg(a, &mh, 0);
	rh.msg_iov = &riov;
	rh.msg_control = BADPTR;
	rh.msg_controllen = 64;
	int on = 1;
	setsockopt(b, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
	recvmsg(b, &rh, 0);
	recvmsg(b, BADPTR, MSG_DONTWAIT);
	recvmsg(b, NULL, MSG_DONTWAIT);
	recvmsg(b, (struct msghdr *)(two + pg - 16), MSG_DONTWAIT);
	while (recvmsg(b, &rh, MSG_DONTWAIT) >= 0)
		;
	return 0;
}
