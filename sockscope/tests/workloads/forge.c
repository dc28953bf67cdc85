/* forge PORT: for each name of a fixed list (a forged line, terminal controls, a space, bytes
 * that are not UTF-8), sets it as the thread's name with prctl(PR_SET_NAME) and sends "N-<i>"
 * to 127.0.0.1:PORT. The test knows the list (keep both in step: faults.rs FORGED). */
#include "common.h"
#include <sys/prctl.h>

static const char *names[] = {
	"x\n00:00:00 sshd",
	"\033[31mred\033[0m",
	"a\rb",
	"bel\a bs\b",
	"tab\tdel\177",
	"sp ace",
	"\xff\xfe\x80ok",
	"back\\slash",
};

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	guard(30);
	struct sockaddr_in to = sin4(atoi(argv[1]));
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (prctl(PR_SET_NAME, names[i], 0, 0, 0) != 0)
			die("prctl");
		char p[16];
		int n = snprintf(p, sizeof p, "N-%u", i);
		sendto(fd, p, n, 0, (struct sockaddr *)&to, sizeof to);
	}
	return 0;
}
