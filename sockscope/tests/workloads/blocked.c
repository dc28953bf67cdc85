/* blocked PORT: a second thread blocks in recvfrom on a bound UDP socket at 127.0.0.1:PORT;
 * the main thread exits the process (exit_group) 300 ms later, killing it inside the call.
 * strace prints that call as `recvfrom(3,  <unfinished ...>) = ?`. */
#include "common.h"

static int fd;

static void *reader(void *arg)
{
	(void)arg;
	char b[64];
	struct sockaddr_in s;
	socklen_t l = sizeof s;
	recvfrom(fd, b, sizeof b, 0, (struct sockaddr *)&s, &l);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	guard(30);
	fd = sock_at(AF_INET, SOCK_DGRAM, 3);
	struct sockaddr_in a = sin4(atoi(argv[1]));
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
		die("bind");
	pthread_t t;
	pthread_create(&t, 0, reader, 0);
	usleep(300000);
	exit(0);
}
