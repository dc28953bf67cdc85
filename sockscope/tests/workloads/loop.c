/* loop TAG COUNT INTERVAL_US PORT: sends "TAG-<n>" to 127.0.0.1:PORT (nobody listens; UDP
 * sends still succeed) COUNT times, 0 meaning until killed, sleeping INTERVAL_US between. */
#include "common.h"

int main(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	long count = atol(argv[2]);
	long interval = atol(argv[3]);
	struct sockaddr_in to = sin4(atoi(argv[4]));
	guard(count ? 30 : 60);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	for (long i = 0; count == 0 || i < count; i++) {
		char p[64];
		int n = snprintf(p, sizeof p, "%s-%ld", argv[1], i);
		sendto(fd, p, n, 0, (struct sockaddr *)&to, sizeof to);
		if (interval)
			usleep(interval);
	}
	return 0;
}
