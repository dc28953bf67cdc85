/* thr2 DIR PORT: the main thread and a second thread send "main-<n>" / "thread-<n>" to
 * 127.0.0.1:PORT every 20 ms until killed; the second thread's tid goes to DIR/tid. */
#include "common.h"

static struct sockaddr_in to;

static void *second(void *arg)
{
	const char *dir = arg;
	char path[256];
	snprintf(path, sizeof path, "%s/tid.tmp", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		die("tid file");
	fprintf(f, "%d\n", (int)gettid());
	fclose(f);
	char done[256];
	snprintf(done, sizeof done, "%s/tid", dir);
	rename(path, done);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	for (long i = 0;; i++) {
		char p[32];
		int n = snprintf(p, sizeof p, "thread-%ld", i);
		sendto(fd, p, n, 0, (struct sockaddr *)&to, sizeof to);
		usleep(20000);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	guard(60);
	to = sin4(atoi(argv[2]));
	pthread_t t;
	pthread_create(&t, 0, second, argv[1]);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	for (long i = 0;; i++) {
		char p[32];
		int n = snprintf(p, sizeof p, "main-%ld", i);
		sendto(fd, p, n, 0, (struct sockaddr *)&to, sizeof to);
		usleep(20000);
	}
}
