/* mmsgloop COUNT PORT: COUNT sendmmsg calls as fast as they go, each of 8 messages of 64 bytes to
 * 127.0.0.1:PORT (nobody listens; UDP sends still succeed). Fixed-size records in a fast
 * burst: the ring's wake-up test (it/capture.rs `burst_wakes_the_consumer`). */
#include "common.h"

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	long count = atol(argv[1]);
	struct sockaddr_in to = sin4(atoi(argv[2]));
	guard(60);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	char buf[8][64];
	struct iovec iov[8];
	struct mmsghdr m[8];
	memset(buf, 'm', sizeof buf);
	memset(m, 0, sizeof m);
	for (int i = 0; i < 8; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = sizeof buf[i];
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
