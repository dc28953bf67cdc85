/* client: the README's `./client`: one UDP exchange with itself over 127.0.0.1 (sendto, then
 * recvfrom), nothing on stdout, exit 0. */
#include "common.h"

int main(void)
{
	guard(20);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	struct sockaddr_in a = sin4(0);
	socklen_t l = sizeof a;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) != 0)
		die("bind");
	static const char msg[] = "hello over udp\n";
	if (sendto(fd, msg, sizeof msg - 1, 0, (struct sockaddr *)&a, sizeof a) < 0)
		die("sendto");
	char buf[64];
	struct sockaddr_in from;
	l = sizeof from;
	if (recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &l) < 0)
		die("recvfrom");
	return 0;
}
