/* Payload rendering: empty, every byte value, lengths around each -s limit
 * (31/32/33, 63/64/65, 4095/4096/4097) and beyond, strings needing every
 * escape, data split over iovecs, received data shorter than the buffer. */
#include "common.h"

static int a, b;
static struct sockaddr_in to;
static unsigned char rbuf[70000];

/* send the payload with all four send calls, receive each with a different call */
static void roundtrip(const void *p, size_t n)
{
	struct sockaddr_in from;
	socklen_t alen;

	sendto(a, p, n, 0, (struct sockaddr *)&to, sizeof to);
	alen = sizeof from;
	recvfrom(b, rbuf, sizeof rbuf, 0, (struct sockaddr *)&from, &alen);

	struct iovec iov = { .iov_base = (void *)p, .iov_len = n };
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1 };
	sendmsg(a, &mh, 0);
	struct iovec riov = { .iov_base = rbuf, .iov_len = sizeof rbuf };
	struct msghdr rh = { .msg_iov = &riov, .msg_iovlen = 1 };
	recvmsg(b, &rh, 0);

	struct mmsghdr mm = { .msg_hdr = mh };
	sendmmsg(a, &mm, 1, 0);
	struct mmsghdr rm = { .msg_hdr = rh };
	recvmmsg(b, &rm, 1, 0, NULL);
}

int main(int argc, char **argv)
{
	scenario_init(argc, argv);
	a = udp4(PORT(30));
	b = udp4(PORT(31));
	to = sin4("127.0.0.1", PORT(31));

	/* empty */
	roundtrip("", 0);

	/* every byte value, in one datagram and one byte at a time */
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	roundtrip(all, sizeof all);
	for (int i = 0; i < 256; i++)
		sendto(a, &all[i], 1, 0, (struct sockaddr *)&to, sizeof to);
	for (int i = 0; i < 256; i++)
		recvfrom(b, rbuf, 4, 0, NULL, NULL);
	/* each byte value followed by a digit (octal escapes must not swallow it) */
	for (int i = 0; i < 256; i += 5) {
		unsigned char two[3] = { (unsigned char)i, '7', (unsigned char)i };
		sendto(a, two, 3, 0, (struct sockaddr *)&to, sizeof to);
	}
	for (int i = 0; i < 256; i += 5)
		recvfrom(b, rbuf, sizeof rbuf, 0, NULL, NULL);

	/* strings needing each escape */
	static const char *const strs[] = {
		"tab\there", "nl\nthere", "vt\vthere", "ff\fthere", "cr\rthere",
		"quote\"there", "backslash\\there", "bell\a", "bs\b", "esc\033[0m",
		"del\177", "nul\0", "nul\0001", "\0\0\0", "high\200\377", "utf8 \xc3\xa9\xe2\x82\xac",
		"question?\?/", "percent %s %d", "single'quote", "    spaces  ",
		"hello world\n", "123", "\x7f\x80\x9f\xa0",
	};
	for (unsigned i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		size_t n = strlen(strs[i]);
		if (strs[i][0] == 0)
			n = 3;
		else if (!strcmp(strs[i], "nul") || strncmp(strs[i], "nul", 3) == 0)
			n = strlen(strs[i]) + 2;
		roundtrip(strs[i], n);
	}

	/* lengths around the -s limits */
	static unsigned char big[70000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i % 36];
	big[40] = '\n';
	big[100] = 0;
	static const size_t lens[] = { 1, 31, 32, 33, 63, 64, 65, 4095, 4096, 4097, 5000, 65507 };
	for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++)
		roundtrip(big, lens[i]);

	/* data split over iovecs: the -s limit applies across them */
	struct iovec iov[6] = {
		{ big, 10 }, { big + 10, 30 }, { big + 40, 0 }, { big + 40, 50 }, { big + 90, 4000 }, { big + 4090, 200 },
	};
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = iov, .msg_iovlen = 6 };
	sendmsg(a, &mh, 0);
	struct iovec riov[4] = { { rbuf, 20 }, { rbuf + 20, 0 }, { rbuf + 20, 60 }, { rbuf + 80, 8000 } };
	struct msghdr rh = { .msg_iov = riov, .msg_iovlen = 4 };
	recvmsg(b, &rh, 0);
	sendmsg(a, &mh, 0);
	struct mmsghdr rm = { .msg_hdr = rh };
	recvmmsg(b, &rm, 1, 0, NULL);

	/* received data shorter than each iovec / the buffer; partial fill */
	sendto(a, "tiny", 4, 0, (struct sockaddr *)&to, sizeof to);
	recvmsg(b, &rh, 0);
	sendto(a, "0123456789abcdefghijklmnopqrstuvwxyz", 36, 0, (struct sockaddr *)&to, sizeof to);
	recvmsg(b, &rh, 0);

	/* stream: a short read of a longer message, then the rest */
	int cl, sv;
	tcp_pair(PORT(32), PORT(33), &cl, &sv);
	sendto(cl, big, 100, 0, NULL, 0);
	recvfrom(sv, rbuf, 7, 0, NULL, NULL);
	recvfrom(sv, rbuf, 93, MSG_WAITALL, NULL, NULL);
	return 0;
}
