/* inprogress PORT: blocks in recvfrom on a UDP socket bound to 127.0.0.1:PORT (the call is in
 * progress when the tracer attaches), then echoes the datagram back with sendto and exits. */
#include "common.h"

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	guard(30);
	int fd = sock_at(AF_INET, SOCK_DGRAM, 3);
	struct sockaddr_in a = sin4(atoi(argv[1]));
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
		die("bind");
	char b[64];
	struct sockaddr_in s;
	socklen_t l = sizeof s;
	ssize_t n = recvfrom(fd, b, sizeof b, 0, (struct sockaddr *)&s, &l);
	if (n < 0)
		die("recvfrom");
	if (sendto(fd, b, n, 0, (struct sockaddr *)&s, l) != n)
		die("sendto");
	return 0;
}
