/* Multi-threaded senders: NTHREADS threads, started together, each making ITER rounds of
 * sendto, sendmsg and sendmmsg (2 datagrams) to a bound UDP socket on 127.0.0.1:40220 that
 * nobody reads (drops are fine: the sends succeed). Every payload is unique:
 * T<thread>-<round>-{to,msg,mm0,mm1}. argv[1]: a work directory (the tids go to DIR/tids). */
#include "common.h"

#define NTHREADS 4
#define ITER 150

static pthread_barrier_t start;
static struct sockaddr_in to;
static int tids[NTHREADS];

static void *sender(void *arg)
{
	int t = (int)(intptr_t)arg;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	tids[t] = gettid();
	pthread_barrier_wait(&start);
	for (int i = 0; i < ITER; i++) {
		char a[32], b[32], c[32], d[32];
		int na = snprintf(a, sizeof a, "T%d-%03d-to", t, i);
		int nb = snprintf(b, sizeof b, "T%d-%03d-msg", t, i);
		int nc = snprintf(c, sizeof c, "T%d-%03d-mm0", t, i);
		int nd = snprintf(d, sizeof d, "T%d-%03d-mm1", t, i);
		sendto(fd, a, na, 0, (struct sockaddr *)&to, sizeof to);
		struct iovec iov = {b, nb};
		struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1};
		sendmsg(fd, &m, 0);
		struct iovec iv[2] = {{c, nc}, {d, nd}};
		struct mmsghdr mm[2];
		memset(mm, 0, sizeof mm);
		for (int k = 0; k < 2; k++) {
			mm[k].msg_hdr.msg_name = &to;
			mm[k].msg_hdr.msg_namelen = sizeof to;
			mm[k].msg_hdr.msg_iov = &iv[k];
			mm[k].msg_hdr.msg_iovlen = 1;
		}
		sendmmsg(fd, mm, 2, 0);
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	guard(30);
	int r = socket(AF_INET, SOCK_DGRAM, 0);
	bind4(r, 40220);
	to = sin4(40220);
	pthread_barrier_init(&start, NULL, NTHREADS);
	pthread_t th[NTHREADS];
	for (int t = 0; t < NTHREADS; t++)
		if (pthread_create(&th[t], NULL, sender, (void *)(intptr_t)t) != 0)
			die("pthread_create");
	for (int t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	char path[512];
	snprintf(path, sizeof path, "%s/tids", argv[1]);
	FILE *f = fopen(path, "w");
	if (!f)
		die(path);
	for (int t = 0; t < NTHREADS; t++)
		fprintf(f, "%d\n", tids[t]);
	fclose(f);
	write_pid(argv[1], "threads.pid");
	return 0;
}
