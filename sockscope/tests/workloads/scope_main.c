/* Scope workload (tests/scope.rs): several processes and threads, each sending datagrams whose
 * payload names the sender ("P:<role>"), so the test can tell exactly which calls a filter
 * let through. Every process sets its own name (prctl PR_SET_NAME) unless noted.
 *
 *   scope_main DIR CGPROCS      the main process ("scope-main")
 *   scope_main DIR - other      an unrelated process ("other-proc"): sends P:other
 *   scope_main exec             the exec'd role (keeps the name exec gives it: "scope_main")
 *
 * Main: binds UDP 127.0.0.1:40300 and :40301, a UNIX datagram socket DIR/u.sock, and a UDP
 * socket on :40302; starts two threads ("scope-thr1", "scope-thr2"); writes DIR/main.pid and
 * DIR/tids ("TID1 TID2"); prints "ready" on stdout and waits for one byte on stdin. Then:
 *   scope-main   sendto P:main (40300), sendto P:main-unix (DIR/u.sock),
 *                sendto(999, P:main-fail) = EBADF (to 40300), sendto P:main-r (40302 -> 40301)
 *                and recvfrom of it on 40301
 *   scope-thr1   sendto P:thr1 (40300)
 *   scope-thr2   sendmsg P:thr2 (40300), MSG_DONTWAIT
 *   (no name)    a short-lived child: sendto P:short at once after fork, _exit
 *   scope-child  sendto P:child, sendto on a pipe P:child-fail = ENOTSOCK; its child
 *   scope-gchild sendto P:gchild
 *   scope-nobody creates its socket, setresuid(65534), sendto P:nobody
 *   scope-cg     writes its pid into CGPROCS (unless "-"), sendto P:cg
 *   scope_main   fork + exec of this program: sendto P:exec
 * Every destination is 127.0.0.1:40300 unless noted; nothing is read but P:main-r. */
#include "common.h"
#include <sys/prctl.h>
#include <sys/syscall.h>

static struct sockaddr_in to;
static pthread_barrier_t go;
static int tids[2];

static void name(const char *n)
{
	if (prctl(PR_SET_NAME, n, 0, 0, 0) < 0)
		die("prctl");
}

static void send_to(int fd, const char *p)
{
	if (sendto(fd, p, strlen(p), 0, (struct sockaddr *)&to, sizeof to) != (ssize_t)strlen(p))
		die(p);
}

static void send_new(const char *p)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	send_to(fd, p);
	close(fd);
}

static void wait_go(void)
{
	char c;
	printf("ready\n");
	fflush(stdout);
	if (read(0, &c, 1) != 1)
		die("read go");
}

static void *thr(void *arg)
{
	int t = (int)(intptr_t)arg;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	name(t == 0 ? "scope-thr1" : "scope-thr2");
	tids[t] = (int)syscall(SYS_gettid);
	pthread_barrier_wait(&go); /* tids written */
	pthread_barrier_wait(&go); /* go */
	if (t == 0) {
		send_to(fd, "P:thr1");
	} else {
		struct iovec iov = {"P:thr2", 6};
		struct msghdr m = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1};
		if (sendmsg(fd, &m, MSG_DONTWAIT) != 6)
			die("sendmsg");
	}
	close(fd);
	return NULL;
}

static void write_file(const char *dir, const char *file, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		die(path);
}

int main(int argc, char **argv)
{
	guard(240); /* a hang guard: the test waits up to 150 s for its tracers to attach on a busy machine */
	to = sin4(40300);
	if (argc == 2 && strcmp(argv[1], "exec") == 0) {
		send_new("P:exec");
		return 0;
	}
	if (argc < 3)
		return 2;
	const char *dir = argv[1], *cgprocs = argv[2];
	if (argc > 3 && strcmp(argv[3], "other") == 0) {
		name("other-proc");
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		write_pid(dir, "other.pid");
		wait_go();
		send_to(fd, "P:other");
		return 0;
	}
	name("scope-main");
	int r0 = socket(AF_INET, SOCK_DGRAM, 0), r1 = socket(AF_INET, SOCK_DGRAM, 0);
	int src = socket(AF_INET, SOCK_DGRAM, 0), u = socket(AF_UNIX, SOCK_DGRAM, 0);
	int us = socket(AF_UNIX, SOCK_DGRAM, 0), m = socket(AF_INET, SOCK_DGRAM, 0);
	if (r0 < 0 || r1 < 0 || src < 0 || u < 0 || us < 0 || m < 0)
		die("socket");
	bind4(r0, 40300);
	bind4(r1, 40301);
	bind4(src, 40302);
	char upath[256];
	snprintf(upath, sizeof upath, "%s/u.sock", dir);
	unlink(upath);
	struct sockaddr_un ua;
	socklen_t ulen = unix_addr(&ua, upath, 0);
	if (bind(u, (struct sockaddr *)&ua, ulen) < 0)
		die("bind unix");

	pthread_barrier_init(&go, NULL, 3);
	pthread_t th[2];
	for (int t = 0; t < 2; t++)
		if (pthread_create(&th[t], NULL, thr, (void *)(intptr_t)t) != 0)
			die("pthread_create");
	pthread_barrier_wait(&go);
	char text[64];
	snprintf(text, sizeof text, "%d %d\n", tids[0], tids[1]);
	write_file(dir, "tids", text);
	write_pid(dir, "main.pid");
	wait_go();
	pthread_barrier_wait(&go);

	send_to(m, "P:main");
	if (sendto(us, "P:main-unix", 11, 0, (struct sockaddr *)&ua, ulen) != 11)
		die("sendto unix");
	if (sendto(999, "P:main-fail", 11, 0, (struct sockaddr *)&to, sizeof to) != -1 || errno != EBADF)
		die("sendto 999 did not fail with EBADF");
	struct sockaddr_in r1a = sin4(40301);
	if (sendto(src, "P:main-r", 8, 0, (struct sockaddr *)&r1a, sizeof r1a) != 8)
		die("sendto main-r");
	char buf[64];
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	if (recvfrom(r1, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl) != 8)
		die("recvfrom");

	pid_t kids[5];
	int nk = 0;
	/* Short-lived: sends at once, no name of its own. */
	if ((kids[nk++] = fork()) == 0) {
		send_to(m, "P:short");
		_exit(0);
	}
	if ((kids[nk++] = fork()) == 0) {
		name("scope-child");
		send_new("P:child");
		int p[2];
		if (pipe(p) < 0)
			die("pipe");
		if (sendto(p[1], "P:child-fail", 12, 0, (struct sockaddr *)&to, sizeof to) != -1 || errno != ENOTSOCK)
			die("sendto on a pipe did not fail with ENOTSOCK");
		pid_t g = fork();
		if (g == 0) {
			name("scope-gchild");
			send_new("P:gchild");
			_exit(0);
		}
		int st;
		if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			_exit(2);
		_exit(0);
	}
	if ((kids[nk++] = fork()) == 0) {
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0)
			die("socket");
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			die("setresuid");
		name("scope-nobody");
		send_to(fd, "P:nobody");
		_exit(0);
	}
	if ((kids[nk++] = fork()) == 0) {
		if (strcmp(cgprocs, "-") != 0) {
			int fd = open(cgprocs, O_WRONLY);
			char t[32];
			int n = snprintf(t, sizeof t, "%d\n", getpid());
			if (fd < 0 || write(fd, t, n) != n)
				die(cgprocs);
			close(fd);
		}
		name("scope-cg");
		send_new("P:cg");
		_exit(0);
	}
	if ((kids[nk++] = fork()) == 0) {
		/* By its real path: the new name is the file's ("scope_main", not "exe"). */
		char self[400];
		ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
		if (n <= 0)
			die("readlink");
		self[n] = 0;
		execl(self, "scope_main", "exec", (char *)NULL);
		die("exec");
	}
	int bad = 0;
	for (int i = 0; i < nk; i++) {
		int st;
		if (waitpid(kids[i], &st, 0) != kids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad = 1;
	}
	for (int t = 0; t < 2; t++)
		pthread_join(th[t], NULL);
	return bad ? 3 : 0;
}
