/* Pid reuse workload (tests/scope.rs): a traced process's pid, given to an unrelated process
 * after the first one exited, must not be traced. UDP to 127.0.0.1:40310, nobody reads.
 *
 *   scope_reuse parent     prints "ready", waits for a byte on stdin; forks B, which execs
 *                          `scope_reuse send R:B`; reaps B; prints "B <pid>"; waits for a
 *                          second byte; sends R:A-end and exits
 *   scope_reuse orphan     prints "ready", waits for a byte on stdin; forks a child that waits
 *                          for a second byte, sends R:orphan and exits; sends R:A and exits
 *   scope_reuse send P     sends P
 *   scope_reuse reuse N P  creates a child with pid N (clone3 set_tid; needs root) that sends
 *                          P; exit 4 when the pid cannot be had (e.g. taken meanwhile)
 * Every mode runs on CPU 0: the kernel side keeps the process filter's last answer per CPU
 * (scope::task_in_scope_cached), so B's send and the reused pid's are made where that answer
 * is kept. */
#include "common.h"
#include <linux/sched.h>
#include <sched.h>
#include <sys/syscall.h>

static void send_one(const char *p)
{
	struct sockaddr_in to = sin4(40310);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (sendto(fd, p, strlen(p), 0, (struct sockaddr *)&to, sizeof to) != (ssize_t)strlen(p))
		die("sendto");
	close(fd);
}

static void wait_byte(void)
{
	char c;
	if (read(0, &c, 1) != 1)
		die("read stdin");
}

int main(int argc, char **argv)
{
	guard(20);
	cpu_set_t cpu0;
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof cpu0, &cpu0) < 0)
		die("sched_setaffinity");
	if (argc == 3 && strcmp(argv[1], "send") == 0) {
		send_one(argv[2]);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "reuse") == 0) {
		pid_t want = atoi(argv[2]);
		struct clone_args ca;
		memset(&ca, 0, sizeof ca);
		ca.exit_signal = SIGCHLD;
		ca.set_tid = (uintptr_t)&want;
		ca.set_tid_size = 1;
		long c = syscall(SYS_clone3, &ca, sizeof ca);
		if (c < 0) {
			fprintf(stderr, "workload: clone3 set_tid=%d: %s\n", want, strerror(errno));
			return 4;
		}
		if (c == 0) {
			if (getpid() != want)
				_exit(5);
			send_one(argv[3]);
			_exit(0);
		}
		int st;
		if (waitpid(c, &st, 0) != c || !WIFEXITED(st))
			return 2;
		return WEXITSTATUS(st);
	}
	if (argc == 2 && strcmp(argv[1], "orphan") == 0) {
		printf("ready\n");
		fflush(stdout);
		wait_byte();
		pid_t c = fork();
		if (c < 0)
			die("fork");
		if (c == 0) {
			wait_byte();
			send_one("R:orphan");
			_exit(0);
		}
		send_one("R:A");
		return 0;
	}
	if (argc != 2 || strcmp(argv[1], "parent") != 0)
		return 2;
	char self[400];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		die("readlink");
	self[n] = 0;
	printf("ready\n");
	fflush(stdout);
	wait_byte();
	pid_t b = fork();
	if (b == 0) {
		execl(self, "scope_reuse", "send", "R:B", (char *)NULL);
		die("exec");
	}
	int st;
	if (waitpid(b, &st, 0) != b || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("child B");
	printf("B %d\n", b);
	fflush(stdout);
	wait_byte();
	send_one("R:A-end");
	return 0;
}
