/* The mmsg calls' windows of user memory (sockscope-ebpf capture.rs `Windows`: one read of a
 * vector's names, iovec arrays or bytes serves the messages after it). Messages whose names,
 * iovecs and bytes lie together at the very end of a page followed by an inaccessible one (a
 * window may not reach past the page of the last byte wanted); the same buffers sent again
 * after they changed (a window never outlives its call); scattered buffers, 8 KiB apart (every
 * read a miss); a recvmmsg into buffers that lie together at the end of a page.
 * argv[1]: a work directory. fd 10: receiver 127.0.0.1:40250; fd 11: sender 127.0.0.1:40251. */
#include "common.h"
#include <sys/mman.h>

/* Two pages, the second inaccessible: the first page's end is the end of readable memory. */
static char *page_before_hole(long pg)
{
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	if (mprotect(p + pg, pg, PROT_NONE) < 0)
		die("mprotect");
	return p;
}

static void fill(char *b, char c, int i)
{
	memset(b, c, 7);
	b[7] = (char)('0' + i);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	guard(20);
	write_pid(argv[1], "mmsgwin.pid");
	int r = sock_at(AF_INET, SOCK_DGRAM, 10);
	bind4(r, 40250);
	int s = sock_at(AF_INET, SOCK_DGRAM, 11);
	bind4(s, 40251);
	long pg = sysconf(_SC_PAGESIZE);

	/* 4 messages: names, then iovecs, then 4 x 8 bytes ending at the page's last byte. */
	char *p = page_before_hole(pg);
	char *data = p + pg - 32;
	struct iovec *iov = (struct iovec *)(data - 4 * sizeof(struct iovec));
	struct sockaddr_in *names = (struct sockaddr_in *)((char *)iov - 4 * sizeof(struct sockaddr_in));
	struct mmsghdr v[4];
	memset(v, 0, sizeof v);
	for (int i = 0; i < 4; i++) {
		names[i] = sin4(40250);
		fill(data + 8 * i, 'a', i);
		iov[i] = (struct iovec){data + 8 * i, 8};
		v[i].msg_hdr.msg_name = &names[i];
		v[i].msg_hdr.msg_namelen = sizeof names[i];
		v[i].msg_hdr.msg_iov = &iov[i];
		v[i].msg_hdr.msg_iovlen = 1;
	}
	if (sendmmsg(s, v, 4, 0) != 4)
		die("sendmmsg 1");
	for (int i = 0; i < 4; i++)
		fill(data + 8 * i, 'b', i);
	if (sendmmsg(s, v, 4, 0) != 4)
		die("sendmmsg 2");

	/* 3 messages, each name, iovec and buffer in its own 8 KiB block. */
	struct mmsghdr w[3];
	memset(w, 0, sizeof w);
	char *blocks = malloc(3 * 3 * 8192);
	if (!blocks)
		die("malloc");
	for (int i = 0; i < 3; i++) {
		struct sockaddr_in *n = (struct sockaddr_in *)(blocks + (3 * i) * 8192);
		struct iovec *io = (struct iovec *)(blocks + (3 * i + 1) * 8192);
		char *b = blocks + (3 * i + 2) * 8192;
		*n = sin4(40250);
		fill(b, 'c', i);
		*io = (struct iovec){b, 8};
		w[i].msg_hdr.msg_name = n;
		w[i].msg_hdr.msg_namelen = sizeof *n;
		w[i].msg_hdr.msg_iov = io;
		w[i].msg_hdr.msg_iovlen = 1;
	}
	if (sendmmsg(s, w, 3, 0) != 3)
		die("sendmmsg 3");

	/* The 11 datagrams received into names, iovecs and buffers at the end of another page. */
	enum { N = 11 };
	char *q = page_before_hole(pg);
	char *rdata = q + pg - 8 * N;
	struct iovec *riov = (struct iovec *)(rdata - N * sizeof(struct iovec));
	struct sockaddr_in *rnames = (struct sockaddr_in *)((char *)riov - N * sizeof(struct sockaddr_in));
	struct mmsghdr rv[N];
	memset(rv, 0, sizeof rv);
	for (int i = 0; i < N; i++) {
		riov[i] = (struct iovec){rdata + 8 * i, 8};
		rv[i].msg_hdr.msg_name = &rnames[i];
		rv[i].msg_hdr.msg_namelen = sizeof rnames[i];
		rv[i].msg_hdr.msg_iov = &riov[i];
		rv[i].msg_hdr.msg_iovlen = 1;
	}
	if (recvmmsg(r, rv, N, MSG_DONTWAIT, NULL) != N)
		die("recvmmsg");
	return 0;
}
