/* Short-lived children on one CPU, one after another, sending one datagram each to
 * 127.0.0.1:argv[1] whose payload is its tag (c0, c1, ...). A child's task_struct is freed
 * after it is reaped (an RCU grace period later: the parent waits 20 ms between children) and
 * a later child usually takes its place: on the machine this was written on, the child after
 * next. So each round is a child that renames itself (prctl PR_SET_NAME "renamed-N") and
 * sends, k = 0..3 children that exit at once, and a child that keeps the name it inherited and
 * sends: a cached identity keyed by the task's address alone would give the last one the
 * renamed child's name. Before each send a line `EXPECT tag tid comm` goes to stdout.
 * argv[2]: the number of rounds of k = 0..3 (default 4, 32 sends). */
#include "common.h"
#include <sched.h>
#include <sys/prctl.h>

static int fd;
static struct sockaddr_in to;

static void child(int i, int rename, int send)
{
	fflush(stdout);
	pid_t c = fork();
	if (c < 0)
		die("fork");
	if (c == 0) {
		char tag[16], comm[32] = "";
		if (!send)
			_exit(0);
		if (rename) {
			snprintf(comm, sizeof comm, "renamed-%d", i);
			prctl(PR_SET_NAME, comm);
		}
		prctl(PR_GET_NAME, comm);
		snprintf(tag, sizeof tag, "c%d", i);
		printf("EXPECT %s %ld %s\n", tag, (long)gettid(), comm);
		fflush(stdout);
		if (sendto(fd, tag, strlen(tag), 0, (struct sockaddr *)&to, sizeof to) < 0)
			die("sendto");
		_exit(0);
	}
	int st;
	if (waitpid(c, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("child");
	usleep(20000);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		die("usage: taskreuse PORT [ROUNDS]");
	guard(60);
	int rounds = argc > 2 ? atoi(argv[2]) : 4;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof set, &set) < 0)
		die("sched_setaffinity");
	to.sin_family = AF_INET;
	to.sin_port = htons(atoi(argv[1]));
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	int i = 0;
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < 4; k++) {
			child(i++, 1, 1);
			for (int s = 0; s < k; s++)
				child(i++, 0, 0);
			child(i++, 0, 1);
		}
	return 0;
}
