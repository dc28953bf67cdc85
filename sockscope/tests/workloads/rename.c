/* The identity a record carries changes under the thread: the sender (a grandchild of the
 * traced process) sends, renames itself (prctl PR_SET_NAME), sends, moves itself to another
 * cgroup v2 group (argv[1], made by the test), sends, has its parent exit so that it is
 * re-parented to the traced process (a child subreaper), sends; then a second thread of it
 * sends, is renamed by the main thread (pthread_setname_np on another thread writes
 * /proc/self/task/TID/comm) and sends again. Each send is a datagram to 127.0.0.1:argv[2]
 * whose payload is its tag; before each, a line `EXPECT tag tid comm ppid cgroup-id` goes to
 * stdout (the cgroup id is the inode of the cgroup's directory under the v2 mount, argv[3]). */
#include "common.h"
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/stat.h>

static int fd;
static struct sockaddr_in to;
static const char *v2root;

static unsigned long long cgroup_id(void)
{
	char line[4096], path[8192];
	FILE *f = fopen("/proc/self/cgroup", "r");
	if (!f)
		die("/proc/self/cgroup");
	path[0] = 0;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = 0;
			snprintf(path, sizeof path, "%s%s", v2root, line + 3);
		}
	}
	fclose(f);
	struct stat st;
	if (!path[0] || stat(path, &st) < 0)
		die("stat cgroup");
	return (unsigned long long)st.st_ino;
}

static void send_tag(const char *tag)
{
	char comm[32] = "";
	prctl(PR_GET_NAME, comm);
	printf("EXPECT %s %ld %s %d %llu\n", tag, (long)gettid(), comm, getppid(), cgroup_id());
	fflush(stdout);
	if (sendto(fd, tag, strlen(tag), 0, (struct sockaddr *)&to, sizeof to) < 0)
		die("sendto");
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stage;

static void wait_stage(int s)
{
	pthread_mutex_lock(&mu);
	while (stage < s)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

static void set_stage(int s)
{
	pthread_mutex_lock(&mu);
	stage = s;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void *thread_main(void *arg)
{
	(void)arg;
	send_tag("t1");
	set_stage(1);
	wait_stage(2);
	send_tag("t2");
	return NULL;
}

static void sender(const char *cgdir, pid_t parent)
{
	send_tag("s1");
	if (prctl(PR_SET_NAME, "renamed") < 0)
		die("prctl");
	send_tag("s2");
	char procs[4096];
	snprintf(procs, sizeof procs, "%s/cgroup.procs", cgdir);
	FILE *f = fopen(procs, "w");
	if (!f || fprintf(f, "0\n") < 0 || fclose(f) != 0)
		die("cgroup.procs");
	send_tag("s3");
	kill(parent, SIGKILL);
	while (getppid() == parent)
		usleep(1000);
	send_tag("s4");
	pthread_t th;
	if (pthread_create(&th, NULL, thread_main, NULL) != 0)
		die("pthread_create");
	wait_stage(1);
	if (pthread_setname_np(th, "thr-renamed") != 0)
		die("pthread_setname_np");
	set_stage(2);
	pthread_join(th, NULL);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: rename CGDIR PORT V2ROOT\n");
		return 2;
	}
	guard(20);
	v2root = argv[3];
	to = sin4(atoi(argv[2]));
	int r = socket(AF_INET, SOCK_DGRAM, 0);
	bind4(r, atoi(argv[2]));
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("subreaper");
	pid_t mid = fork();
	if (mid < 0)
		die("fork");
	if (mid == 0) {
		pid_t me = getpid();
		pid_t s = fork();
		if (s < 0)
			die("fork");
		if (s == 0) {
			fd = socket(AF_INET, SOCK_DGRAM, 0);
			if (fd < 0)
				die("socket");
			sender(argv[1], me);
			_exit(0);
		}
		for (;;)
			pause(); /* killed by the sender */
	}
	/* Reap the middle process, then the re-parented sender. */
	int st, bad = 0;
	pid_t w;
	while ((w = wait(&st)) > 0)
		if (w != mid && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
			bad = 1;
	return bad;
}
