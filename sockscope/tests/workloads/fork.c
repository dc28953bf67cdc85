/* Forks: a short-lived child that sends and exits at once, a child whose own child (a
 * grandchild) sends and exits, then the parent sends. Each process sends one datagram with
 * a unique payload to 127.0.0.1:40240 (bound by the parent, never read). Also checks that
 * no eBPF or perf descriptor was inherited from the tracer (exit 3 if one was). */
#include "common.h"
#include <dirent.h>

static struct sockaddr_in to;

static void send_one(const char *payload)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (sendto(fd, payload, strlen(payload), 0, (struct sockaddr *)&to, sizeof to) < 0)
		die("sendto");
	close(fd);
}

static void check_inherited(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	if (!d)
		die("opendir");
	while ((e = readdir(d))) {
		char path[300], target[256];
		snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		if (strstr(target, "bpf") || strstr(target, "perf_event")) {
			fprintf(stderr, "workload: inherited descriptor %s -> %s\n", e->d_name, target);
			_exit(3);
		}
	}
	closedir(d);
}

int main(void)
{
	guard(20);
	check_inherited();
	int r = socket(AF_INET, SOCK_DGRAM, 0);
	bind4(r, 40240);
	to = sin4(40240);

	pid_t a = fork();
	if (a == 0) {
		send_one("child-A");
		_exit(0);
	}
	pid_t b = fork();
	if (b == 0) {
		pid_t c = fork();
		if (c == 0) {
			send_one("grandchild-C");
			_exit(0);
		}
		waitpid(c, NULL, 0);
		send_one("child-B");
		_exit(0);
	}
	int st;
	waitpid(a, &st, 0);
	waitpid(b, &st, 0);
	send_one("parent");
	return 0;
}
