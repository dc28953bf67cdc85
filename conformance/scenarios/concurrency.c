/* Several threads and processes sending and receiving at once. Each thread
 * owns its sockets and payloads, so its own sequence of calls is fixed even
 * though the threads interleave. */
#include "common.h"
#include <pthread.h>

#define THREADS 4
#define PROCS 2
#define ROUNDS 25

static pthread_barrier_t start;

/* Sockets are made before any thread or process starts, so descriptor numbers are fixed. */
static int sfd[THREADS + PROCS], rfd[THREADS + PROCS];

static void worker(int id)
{
	int s = sfd[id], r = rfd[id];
	struct sockaddr_in to = sin4("127.0.0.1", PORT(101 + 2 * id)), from;
	char msg[64], buf[64];
	socklen_t alen;
	for (int i = 0; i < ROUNDS; i++) {
		int n = snprintf(msg, sizeof msg, "worker %d message %d", id, i);
		switch (i % 3) {
		case 0:
			sendto(s, msg, n, 0, (struct sockaddr *)&to, sizeof to);
			alen = sizeof from;
			recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &alen);
			break;
		case 1: {
			struct iovec iov = { msg, n };
			struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1 };
			sendmsg(s, &mh, 0);
			struct iovec riov = { buf, sizeof buf };
			struct msghdr rh = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &riov, .msg_iovlen = 1 };
			recvmsg(r, &rh, 0);
			break;
		}
		default: {
			struct iovec iov[2] = { { msg, n }, { msg, 6 } };
			struct mmsghdr mm[2] = { { .msg_hdr = { .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov[0], .msg_iovlen = 1 } },
						 { .msg_hdr = { .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov[1], .msg_iovlen = 1 } } };
			sendmmsg(s, mm, 2, 0);
			char b2[2][64];
			struct iovec riov[2] = { { b2[0], 64 }, { b2[1], 64 } };
			struct mmsghdr rm[2] = { { .msg_hdr = { .msg_iov = &riov[0], .msg_iovlen = 1 } },
						 { .msg_hdr = { .msg_iov = &riov[1], .msg_iovlen = 1 } } };
			recvmmsg(r, rm, 2, MSG_WAITFORONE, NULL);
			if (rm[1].msg_len == 0 && rm[0].msg_len != 0)
				recvfrom(r, buf, sizeof buf, 0, NULL, NULL); /* not reached on loopback */
			break;
		}
		}
	}
}

static void *thread_main(void *arg)
{
	pthread_barrier_wait(&start);
	worker((int)(long)arg);
	return NULL;
}

int main(int argc, char **argv)
{
	scenario_init(argc, argv);
	for (int i = 0; i < THREADS + PROCS; i++) {
		sfd[i] = udp4(PORT(100 + 2 * i));
		rfd[i] = udp4(PORT(101 + 2 * i));
	}
	pid_t kids[PROCS];
	for (int p = 0; p < PROCS; p++) {
		kids[p] = fork();
		if (kids[p] == 0) {
			worker(THREADS + p);
			_exit(0);
		}
	}
	pthread_barrier_init(&start, NULL, THREADS);
	pthread_t t[THREADS];
	for (int i = 1; i < THREADS; i++)
		pthread_create(&t[i], NULL, thread_main, (void *)(long)i);
	thread_main((void *)0L);
	for (int i = 1; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (int p = 0; p < PROCS; p++)
		waitpid(kids[p], NULL, 0);
	return 0;
}
