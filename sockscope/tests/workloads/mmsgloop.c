/* mmsgloop COUNT: COUNT sendmmsg calls as fast as they go, each of 8 messages of 64 bytes to a
 * UDP socket of its own bound on 127.0.0.1 (a sink that is never read: without a listener
 * every datagram costs an ICMP error, and the loop runs at half the speed). Fixed-size records
 * in a fast burst: the ring's wake-up test (it/capture.rs `burst_wakes_the_consumer`). */
#include "common.h"

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	long count = atol(argv[1]);
	/* Name, message vector, iovecs and bytes apart from each other (global, heap), as the
	 * bench's loadgen has them: the record then has the layout (and size) with which the
	 * old wake-up test missed its threshold at every run. */
	static struct sockaddr_in to;
	to = sin4(0);
	guard(60);
	int sink = socket(AF_INET, SOCK_DGRAM, 0);
	socklen_t tolen = sizeof to;
	if (sink < 0 || bind(sink, (struct sockaddr *)&to, sizeof to) < 0 ||
	    getsockname(sink, (struct sockaddr *)&to, &tolen) < 0)
		die("sink");
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	char *buf = malloc(8 * 64);
	struct iovec *iov = calloc(8, sizeof *iov);
	struct mmsghdr *m = calloc(8, sizeof *m);
	if (!buf || !iov || !m)
		die("malloc");
	memset(buf, 'm', 8 * 64);
	for (int i = 0; i < 8; i++) {
		iov[i].iov_base = buf + i * 64;
		iov[i].iov_len = 64;
		m[i].msg_hdr.msg_name = &to;
		m[i].msg_hdr.msg_namelen = sizeof to;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	for (long i = 0; i < count; i++)
		if (sendmmsg(fd, m, 8, 0) != 8)
			die("sendmmsg");
	return 0;
}
