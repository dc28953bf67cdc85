/* The data calls on a UNIX stream pair, next to the same calls on a file and a pipe (which
 * sockscope must never show): write/read, writev/readv, EAGAIN, sendfile with an offset,
 * splice pipe→socket. argv[1]: a work directory for the file. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[256], buf[256];
	snprintf(path, sizeof path, "%s/data.bin", argc > 1 ? argv[1] : "/tmp");
	int sv[2], p[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(p) < 0)
		return 1;
	int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (f < 0)
		return 1;
	write(f, "file-bytes", 10);             /* not shown */
	lseek(f, 0, SEEK_SET);
	read(f, buf, sizeof buf);               /* not shown */
	write(p[1], "pipe-bytes", 10);          /* not shown */
	read(p[0], buf, sizeof buf);            /* not shown */
	write(sv[0], "hello socket", 12);
	read(sv[1], buf, sizeof buf);
	struct iovec w[2] = {{"ab", 2}, {"cdef", 4}};
	writev(sv[0], w, 2);
	char a[3], b[8];
	struct iovec r[2] = {{a, sizeof a}, {b, sizeof b}};
	readv(sv[1], r, 2);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	read(sv[1], buf, sizeof buf);           /* EAGAIN */
	off_t off = 0;
	sendfile(sv[0], f, &off, 10);
	read(sv[1], buf, sizeof buf);
	write(p[1], "spliced", 7);              /* not shown */
	splice(p[0], NULL, sv[0], NULL, 7, SPLICE_F_MORE);
	read(sv[1], buf, sizeof buf);
	return 0;
}
