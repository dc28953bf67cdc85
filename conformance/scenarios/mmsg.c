/* sendmmsg / recvmmsg: vlen 0, 1, several, more than any capture limit and
 * above UIO_MAXIOV; partial success; failures at the first and a later
 * message; timeouts (NULL, zero, expiring, bad pointer); MSG_WAITFORONE;
 * names and control data per message. */
#include "common.h"
#include <sys/mman.h>

#define N 20

static char bufs[N][64];

int main(int argc, char **argv)
{
	scenario_init(argc, argv);
	int a = udp4(PORT(60)), b = udp4(PORT(61));
	struct sockaddr_in to = sin4("127.0.0.1", PORT(61));
	struct sockaddr_in names[N];
	static struct mmsghdr sm[1100], rm[N];
	struct iovec siov[N], riov[N];
	static const char *words[N] = { "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
					"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
					"seventeen", "eighteen", "nineteen" };
	for (int i = 0; i < N; i++) {
		siov[i].iov_base = (void *)words[i];
		siov[i].iov_len = strlen(words[i]);
		sm[i].msg_hdr.msg_name = &to;
		sm[i].msg_hdr.msg_namelen = sizeof to;
		sm[i].msg_hdr.msg_iov = &siov[i];
		sm[i].msg_hdr.msg_iovlen = 1;
		riov[i].iov_base = bufs[i];
		riov[i].iov_len = sizeof bufs[i];
		rm[i].msg_hdr.msg_name = &names[i];
		rm[i].msg_hdr.msg_namelen = sizeof names[i];
		rm[i].msg_hdr.msg_iov = &riov[i];
		rm[i].msg_hdr.msg_iovlen = 1;
	}
	struct timespec zero = { 0, 0 };
	struct timespec short_ts = { 0, 20000000 };
	struct timespec long_ts = { 5, 0 };

	/* vlen 0 */
	sendmmsg(a, sm, 0, 0);
	recvmmsg(b, rm, 0, MSG_DONTWAIT, NULL);
	/* 1, 3, 9, 20 */
	static const int counts[] = { 1, 3, 9, N };
	for (unsigned i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		sendmmsg(a, sm, counts[i], 0);
		for (int j = 0; j < N; j++)
			rm[j].msg_hdr.msg_namelen = sizeof names[j];
		recvmmsg(b, rm, N, MSG_DONTWAIT, NULL);
	}
	/* receive fewer than queued, then the rest with MSG_WAITFORONE */
	sendmmsg(a, sm, 5, 0);
	recvmmsg(b, rm, 2, 0, NULL);
	recvmmsg(b, rm, N, MSG_WAITFORONE, NULL);
	/* timeouts: zero, long (left {...}), expiring with nothing queued, bad pointer */
	sendmmsg(a, sm, 2, 0);
	recvmmsg(b, rm, 2, 0, &zero);
	sendmmsg(a, sm, 2, 0);
	recvmmsg(b, rm, 2, 0, &long_ts);
	sendmmsg(a, sm, 1, 0);
	recvmmsg(b, rm, 2, MSG_WAITFORONE, &long_ts);
	recvmmsg(b, rm, 1, MSG_DONTWAIT, &short_ts);
	recvmmsg(b, rm, 1, 0, BADPTR);
	struct timespec bad_ts = { 0, 2000000000 };
	recvmmsg(b, rm, 1, 0, &bad_ts);
	/* partial success: the third message has a bad iov */
	struct iovec bad = { BADPTR, 4 };
	sm[2].msg_hdr.msg_iov = &bad;
	sendmmsg(a, sm, 5, 0);
	sm[0].msg_hdr.msg_iov = &bad;
	sendmmsg(a, sm, 5, 0); /* first fails: error */
	sm[0].msg_hdr.msg_iov = &siov[0];
	sm[2].msg_hdr.msg_iov = &siov[2];
	/* a message with a bad destination length in the middle */
	sm[1].msg_hdr.msg_namelen = 3;
	sendmmsg(a, sm, 3, 0);
	sm[1].msg_hdr.msg_namelen = sizeof to;
	recvmmsg(b, rm, N, MSG_DONTWAIT, NULL);
	/* recvmmsg into a bad buffer after a good one */
	sendmmsg(a, sm, 3, 0);
	rm[1].msg_hdr.msg_iov = &bad;
	recvmmsg(b, rm, 3, MSG_DONTWAIT, NULL);
	rm[1].msg_hdr.msg_iov = &riov[1];
	recvmmsg(b, rm, N, MSG_DONTWAIT, NULL);
	/* bad vector pointers, NULL */
	sendmmsg(a, BADPTR, 2, 0);
	sendmmsg(a, NULL, 2, 0);
	recvmmsg(b, BADPTR, 2, MSG_DONTWAIT, NULL);
	recvmmsg(b, NULL, 2, MSG_DONTWAIT, NULL);
	/* vlen above UIO_MAXIOV (clamped by the kernel to 1024) */
	for (int i = N; i < 1100; i++)
		sm[i] = sm[i % N];
	sendmmsg(a, sm, 1100, MSG_DONTWAIT);
	sendmmsg(a, sm, 0xffffffff, MSG_DONTWAIT);
	while (recvmmsg(b, rm, N, MSG_DONTWAIT, NULL) > 0)
		;
	/* per-message names of different families and control data */
	int c = udp6(PORT(62));
	struct sockaddr_in6 to6 = sin6("::ffff:127.0.0.1", PORT(61));
	sm[0].msg_hdr.msg_name = &to6;
	sm[0].msg_hdr.msg_namelen = sizeof to6;
	sm[1].msg_hdr.msg_name = NULL;
	sm[1].msg_hdr.msg_namelen = 0;
	sendmmsg(c, sm, 2, 0);
	int on = 1;
	setsockopt(b, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
	char ctl[2][64];
	rm[0].msg_hdr.msg_control = ctl[0];
	rm[0].msg_hdr.msg_controllen = sizeof ctl[0];
	rm[1].msg_hdr.msg_control = ctl[1];
	rm[1].msg_hdr.msg_controllen = 8;
	sm[0].msg_hdr.msg_name = &to;
	sm[0].msg_hdr.msg_namelen = sizeof to;
	sendmmsg(a, sm, 2, 0);
	recvmmsg(b, rm, 2, MSG_DONTWAIT, NULL);
	/* connected stream: NULL names */
	int cl, sv;
	tcp_pair(PORT(63), PORT(64), &cl, &sv);
	for (int i = 0; i < 4; i++) {
		sm[i].msg_hdr.msg_name = NULL;
		sm[i].msg_hdr.msg_namelen = 0;
		rm[i].msg_hdr.msg_name = NULL;
		rm[i].msg_hdr.msg_namelen = 0;
		rm[i].msg_hdr.msg_control = NULL;
		rm[i].msg_hdr.msg_controllen = 0;
	}
	sendmmsg(cl, sm, 4, 0);
	recvmmsg(sv, rm, 1, 0, NULL);
	/* vectors running into an unmapped page after two entries: sendmmsg sends the two and
	 * stops (strace: the two, then "..." and the address); recvmmsg receives two datagrams into
	 * them (strace: the two received) */
	long pg = sysconf(_SC_PAGESIZE);
	char *two = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(two + pg, pg);
	struct mmsghdr *edge = (struct mmsghdr *)(two + pg - 2 * sizeof(struct mmsghdr));
	for (int i = 0; i < 2; i++) {
		edge[i] = sm[i];
		edge[i].msg_hdr.msg_name = &to;
		edge[i].msg_hdr.msg_namelen = sizeof to;
	}
	sendmmsg(a, edge, 5, 0);
	for (int i = 0; i < 2; i++)
		edge[i] = rm[i];
	recvmmsg(b, edge, 5, MSG_DONTWAIT, NULL);
	return 0;
}
