/* The uid and gid a record carries are the thread's at the call: as root the workload sends
 * a datagram with sendto, with sendmsg and with write on a connected socket (three capture
 * paths: exit-only, exit-only through a msghdr, the socket tracepoint of the data calls),
 * then drops to uid argv[2] / gid argv[3] with setresgid + setresuid and sends the three
 * again. Each datagram goes to 127.0.0.1:argv[1] and its payload is its tag; before each, a
 * line `EXPECT tag uid gid` (getuid, getgid) goes to stdout. */
#include "common.h"
#include <grp.h>

static int fd;
static struct sockaddr_in to;

static void expect(const char *tag)
{
	printf("EXPECT %s %u %u\n", tag, (unsigned)getuid(), (unsigned)getgid());
	fflush(stdout);
}

static void send3(const char *a, const char *b, const char *c)
{
	expect(a);
	if (sendto(fd, a, strlen(a), 0, (struct sockaddr *)&to, sizeof to) < 0)
		die("sendto");
	expect(b);
	struct iovec iov = {.iov_base = (void *)b, .iov_len = strlen(b)};
	struct msghdr mh = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1};
	if (sendmsg(fd, &mh, 0) < 0)
		die("sendmsg");
	expect(c);
	int cfd = socket(AF_INET, SOCK_DGRAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&to, sizeof to) < 0)
		die("connect");
	if (write(cfd, c, strlen(c)) < 0)
		die("write");
	close(cfd);
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	guard(20);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	to.sin_family = AF_INET;
	to.sin_port = htons((unsigned short)atoi(argv[1]));
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	send3("r1", "r2", "r3");
	gid_t g = (gid_t)atoi(argv[3]);
	uid_t u = (uid_t)atoi(argv[2]);
	if (setgroups(0, NULL) < 0 || setresgid(g, g, g) < 0 || setresuid(u, u, u) < 0)
		die("setresuid");
	send3("u1", "u2", "u3");
	return 0;
}
