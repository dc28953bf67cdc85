/*
 * fileio: non-socket I/O loops for the data-call cost benchmark (bench/dataio_cost.py).
 *
 *   fileio OP [-n ITERATIONS] [-f FILE]
 *
 *   fileread   read() of 4 KiB from a cached regular file (16 MiB, read once before timing;
 *              lseek() back to 0 at its end, once every 4096 reads)
 *   filewrite  write() of 4 KiB to a regular file (lseek() back to 0 every 4096 writes, so the
 *              file stays at 16 MiB of page cache)
 *   piperead   read() of 4 KiB from a pipe (a write() of 4 KiB refills it before each read;
 *              only the read is timed)
 *   pipewrite  write() of 4 KiB into a pipe (a read() of 4 KiB empties it after each write;
 *              only the write is timed)
 *
 * Each iteration is timed with clock_gettime(CLOCK_MONOTONIC) (vDSO) around the one measured
 * call; 2000 untimed iterations come first. Prints `op= iterations= ns_per_call=`.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 4096
#define FILE_CHUNKS 4096

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: fileio fileread|filewrite|piperead|pipewrite [-n N] [-f FILE]\n");
		return 2;
	}
	const char *op = argv[1];
	long n = 200000;
	const char *path = "/tmp/sockscope-fileio.bin";
	int c;
	optind = 2;
	while ((c = getopt(argc, argv, "n:f:")) != -1) {
		if (c == 'n')
			n = atol(optarg);
		else if (c == 'f')
			path = optarg;
		else
			return 2;
	}
	static char buf[CHUNK];
	memset(buf, 'f', sizeof buf);
	int fd = -1, p[2] = {-1, -1};
	int file = !strncmp(op, "file", 4);
	int rd = !strcmp(op, "fileread") || !strcmp(op, "piperead");
	if (file) {
		fd = open(path, O_RDWR | O_CREAT, 0644);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		for (int i = 0; i < FILE_CHUNKS; i++)
			if (write(fd, buf, CHUNK) != CHUNK) {
				perror("write");
				return 1;
			}
		lseek(fd, 0, SEEK_SET);
		for (int i = 0; i < FILE_CHUNKS; i++)
			if (read(fd, buf, CHUNK) != CHUNK) {
				perror("read");
				return 1;
			}
		lseek(fd, 0, SEEK_SET);
	} else if (pipe(p) < 0) {
		perror("pipe");
		return 1;
	}
	uint64_t total = 0;
	long pos = 0;
	for (long i = -2000; i < n; i++) {
		uint64_t t0 = 0, t1 = 0;
		ssize_t r;
		if (file) {
			if (pos == FILE_CHUNKS) {
				lseek(fd, 0, SEEK_SET);
				pos = 0;
			}
			t0 = now_ns();
			r = rd ? read(fd, buf, CHUNK) : write(fd, buf, CHUNK);
			t1 = now_ns();
			pos++;
		} else if (rd) {
			if (write(p[1], buf, CHUNK) != CHUNK)
				return 1;
			t0 = now_ns();
			r = read(p[0], buf, CHUNK);
			t1 = now_ns();
		} else {
			t0 = now_ns();
			r = write(p[1], buf, CHUNK);
			t1 = now_ns();
			if (read(p[0], buf, CHUNK) != CHUNK)
				return 1;
		}
		if (r != CHUNK) {
			fprintf(stderr, "%s: short or failed call (%zd)\n", op, r);
			return 1;
		}
		if (i >= 0)
			total += t1 - t0;
	}
	printf("op=%s iterations=%ld ns_per_call=%.1f\n", op, n, (double)total / n);
	return 0;
}
