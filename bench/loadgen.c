/*
 * loadgen: bounded syscall load for the sockscope overhead benchmark.
 *
 *   loadgen OP [-n CALLS] [-s BYTES] [-t THREADS] [-v VLEN] [-w WARMUP] [-R RATE] [-S] [-r RESULT_FILE]
 *
 * OP is one of:
 *   sendto    sendto() of BYTES to a bound, never-read UDP socket on 127.0.0.1
 *   sendmsg   sendmsg() of one iovec of BYTES to the same kind of socket
 *   sendmmsg  sendmmsg() of VLEN messages of BYTES each per call (default VLEN 8): one name,
 *             the iovecs side by side, the bytes side by side; with -S each message's name,
 *             iovec and bytes in their own 8 KiB blocks
 *   recvfrom  recvfrom(MSG_PEEK|MSG_DONTWAIT) of a datagram of BYTES queued once on the
 *             thread's own socket: every call copies the same datagram out and leaves it
 *             queued, so no peer is needed and only the call itself is measured
 *   write     write() of BYTES on a UDP socket connected to the same kind of sink (the data
 *             calls' path: seen by sockscope through sock:sock_send_length)
 *   writev    writev() of one iovec of BYTES on that connected socket
 *   read      read() of BYTES from a UNIX stream socket whose queue the thread fills itself:
 *             one non-blocking write() of up to 4 MiB feeds tens of thousands of reads; when
 *             a read finds the queue empty (EAGAIN) the thread refills it and reads again. The
 *             refill write and the EAGAIN read are counted in extra= (not in calls=): about 2
 *             extra calls per 65,536 reads of 64 bytes
 *   getppid   getppid() loop (the "bystander": no socket at all)
 *
 * CALLS is the total number of timed calls, split evenly across THREADS. Each thread first
 * makes WARMUP untimed calls (default 1000), then waits at a barrier, then times its loop with
 * clock_gettime(CLOCK_MONOTONIC) (vDSO, not a syscall). Startup costs (exec, tracer attach,
 * socket setup) are therefore outside the measurement.
 *
 * The receiving socket is bound to 127.0.0.1:0 (an ephemeral port) and never read: once its
 * receive buffer is full the kernel drops further datagrams, so every timed sendto runs the
 * same full path (route, skb alloc + copy, loopback xmit, UDP lookup, drop at the socket).
 *
 * -R RATE paces each thread's timed loop at RATE calls/s (sleeping when more than 100 us ahead),
 * for finding the highest rate a tracer sustains without loss; default: full speed.
 *
 * Result: one line of key=value pairs on stdout, or appended to RESULT_FILE when -r is given
 * (tracers such as strace/bpftrace -c share the child's stdout, so the runner uses -r).
 *   op= threads= bytes= vlen= calls= syscalls= elapsed_ns= ns_per_call= calls_per_s= errors=
 *   cpu_ns_per_call=
 * ns_per_call is the mean over threads of (thread loop time / thread calls), i.e. the cost
 * of one call as seen by the caller. syscalls counts every call of OP made (warmup included)
 * so that a tracer's delivered event count can be checked against it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum op { OP_SENDTO, OP_SENDMSG, OP_SENDMMSG, OP_RECVFROM, OP_WRITE, OP_WRITEV, OP_READ, OP_GETPPID };

#define READ_FILL (4 << 20) /* bytes one refill write queues for the read loop */

static enum op g_op;
static long g_calls = 100000;
static int g_bytes = 64;
static int g_threads = 1;
static int g_vlen = 8;
static int g_scatter = 0; /* -S: sendmmsg's messages each in their own 8 KiB blocks */
static long g_warmup = 1000;
static double g_rate; /* calls/s per thread in the timed loop; 0 = full speed */
static const char *g_result;
static struct sockaddr_in g_dst;
static pthread_barrier_t g_start;

struct worker {
    pthread_t th;
    long calls;
    long syscalls;
    long errors;
    long extra; /* calls the loop made besides OP (the read loop's refills) */
    uint64_t t0, t1;
    /* The thread's own CPU time around the loop (CLOCK_THREAD_CPUTIME_ID). */
    uint64_t c0, c1;
    int fd;
    int tx; /* read: the writing end of the thread's socketpair */
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static int udp_socket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        die("socket");
    return fd;
}

/* A bound UDP socket on 127.0.0.1 (ephemeral port); its address goes to *addr. */
static int bound_socket(struct sockaddr_in *addr)
{
    int fd = udp_socket();
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
        die("bind");
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        die("getsockname");
    *addr = a;
    return fd;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    char *buf = calloc(1, (size_t)g_bytes * (size_t)g_vlen + 1);
    if (!buf)
        die("calloc");
    memset(buf, 'x', (size_t)g_bytes * (size_t)g_vlen);

    struct iovec iov = {.iov_base = buf, .iov_len = (size_t)g_bytes};
    struct msghdr mh = {.msg_name = &g_dst, .msg_namelen = sizeof g_dst, .msg_iov = &iov, .msg_iovlen = 1};
    struct mmsghdr *mm = calloc((size_t)g_vlen, sizeof *mm);
    struct iovec *mio = calloc((size_t)g_vlen, sizeof *mio);
    if (!mm || !mio)
        die("calloc");
    for (int i = 0; i < g_vlen; i++) {
        mio[i].iov_base = buf + (size_t)i * (size_t)g_bytes;
        mio[i].iov_len = (size_t)g_bytes;
        mm[i].msg_hdr.msg_name = &g_dst;
        mm[i].msg_hdr.msg_namelen = sizeof g_dst;
        mm[i].msg_hdr.msg_iov = &mio[i];
        mm[i].msg_hdr.msg_iovlen = 1;
        if (g_scatter) {
            /* name, iovec and bytes of each message in their own 8 KiB blocks */
            char *b = calloc(3, 8192);
            if (!b)
                die("calloc");
            memcpy(b, &g_dst, sizeof g_dst);
            memset(b + 16384, 'x', (size_t)g_bytes < 8192 ? (size_t)g_bytes : 8192);
            struct iovec *io = (struct iovec *)(b + 8192);
            io->iov_base = b + 16384;
            io->iov_len = (size_t)g_bytes < 8192 ? (size_t)g_bytes : 8192;
            mm[i].msg_hdr.msg_name = b;
            mm[i].msg_hdr.msg_iov = io;
        }
    }
    struct sockaddr_in src;
    socklen_t srclen;
    long errors = 0;
    long extra = 0;
    char *fill = NULL;
    if (g_op == OP_READ) {
        fill = malloc(READ_FILL);
        if (!fill)
            die("malloc");
        memset(fill, 'y', READ_FILL);
    }

#define ONE_CALL()                                                                              \
    do {                                                                                        \
        long r_;                                                                                \
        switch (g_op) {                                                                         \
        case OP_SENDTO:                                                                         \
            r_ = sendto(w->fd, buf, (size_t)g_bytes, 0, (struct sockaddr *)&g_dst, sizeof g_dst); \
            break;                                                                              \
        case OP_SENDMSG:                                                                        \
            r_ = sendmsg(w->fd, &mh, 0);                                                        \
            break;                                                                              \
        case OP_SENDMMSG:                                                                       \
            r_ = sendmmsg(w->fd, mm, (unsigned)g_vlen, 0);                                      \
            break;                                                                              \
        case OP_RECVFROM:                                                                       \
            srclen = sizeof src;                                                                \
            r_ = recvfrom(w->fd, buf, (size_t)g_bytes, MSG_PEEK | MSG_DONTWAIT,                \
                          (struct sockaddr *)&src, &srclen);                                    \
            break;                                                                              \
        case OP_WRITE:                                                                          \
            r_ = write(w->fd, buf, (size_t)g_bytes);                                            \
            break;                                                                              \
        case OP_WRITEV:                                                                         \
            r_ = writev(w->fd, &iov, 1);                                                        \
            break;                                                                              \
        case OP_READ:                                                                           \
            r_ = read(w->fd, buf, (size_t)g_bytes);                                             \
            if (r_ < 0 && errno == EAGAIN) {                                                    \
                if (write(w->tx, fill, READ_FILL) <= 0)                                         \
                    die("refill");                                                              \
                extra += 2;                                                                     \
                r_ = read(w->fd, buf, (size_t)g_bytes);                                         \
            }                                                                                   \
            break;                                                                              \
        default:                                                                                \
            r_ = syscall(SYS_getppid);                                                          \
            break;                                                                              \
        }                                                                                       \
        if (r_ < 0)                                                                             \
            errors++;                                                                           \
    } while (0)

    for (long i = 0; i < g_warmup; i++)
        ONE_CALL();
    pthread_barrier_wait(&g_start);
    w->c0 = thread_cpu_ns();
    w->t0 = now_ns();
    if (g_rate > 0) {
        /* Paced: call i is due at t0 + i/rate. When more than 100 us ahead, sleep until due
         * (so idle producers leave the CPU to others), else call at once. */
        double period = 1e9 / g_rate;
        for (long i = 0; i < w->calls; i++) {
            uint64_t due = w->t0 + (uint64_t)((double)i * period);
            if (now_ns() + 100000 < due) {
                struct timespec ts = {.tv_sec = (time_t)(due / 1000000000ull),
                                      .tv_nsec = (long)(due % 1000000000ull)};
                clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
            }
            ONE_CALL();
        }
    } else {
        for (long i = 0; i < w->calls; i++)
            ONE_CALL();
    }
    w->t1 = now_ns();
    w->c1 = thread_cpu_ns();
    w->syscalls = g_warmup + w->calls;
    w->errors = errors;
    w->extra = extra;
    free(fill);
    free(buf);
    free(mm);
    free(mio);
    return NULL;
}

static void usage(void)
{
    fprintf(stderr, "usage: loadgen sendto|sendmsg|sendmmsg|recvfrom|write|writev|read|getppid [-n CALLS] [-s BYTES] "
                    "[-t THREADS] [-v VLEN] [-w WARMUP] [-R RATE_PER_THREAD] [-S] [-r RESULT_FILE]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const char *o = argv[1];
    if (!strcmp(o, "sendto"))
        g_op = OP_SENDTO;
    else if (!strcmp(o, "sendmsg"))
        g_op = OP_SENDMSG;
    else if (!strcmp(o, "sendmmsg"))
        g_op = OP_SENDMMSG;
    else if (!strcmp(o, "recvfrom"))
        g_op = OP_RECVFROM;
    else if (!strcmp(o, "write"))
        g_op = OP_WRITE;
    else if (!strcmp(o, "writev"))
        g_op = OP_WRITEV;
    else if (!strcmp(o, "read"))
        g_op = OP_READ;
    else if (!strcmp(o, "getppid"))
        g_op = OP_GETPPID;
    else
        usage();
    int c;
    optind = 2;
    while ((c = getopt(argc, argv, "n:s:t:v:w:r:R:S")) != -1) {
        switch (c) {
        case 'n': g_calls = atol(optarg); break;
        case 's': g_bytes = atoi(optarg); break;
        case 't': g_threads = atoi(optarg); break;
        case 'v': g_vlen = atoi(optarg); break;
        case 'w': g_warmup = atol(optarg); break;
        case 'r': g_result = optarg; break;
        case 'R': g_rate = atof(optarg); break;
        case 'S': g_scatter = 1; break;
        default: usage();
        }
    }
    /* Bounds: every loop stops by itself. */
    if (g_calls < 1 || g_calls > 1000000000L || g_bytes < 1 || g_bytes > 65000 || g_threads < 1 ||
        g_threads > 64 || g_vlen < 1 || g_vlen > 1024 || g_warmup < 0 || g_warmup > 10000000L ||
        g_rate < 0 || (g_rate > 0 && g_rate < 10))
        usage();
    if (g_op != OP_SENDMMSG)
        g_vlen = 1;

    int sink = -1;
    if (g_op == OP_SENDTO || g_op == OP_SENDMSG || g_op == OP_SENDMMSG || g_op == OP_WRITE ||
        g_op == OP_WRITEV)
        sink = bound_socket(&g_dst);

    struct worker *ws = calloc((size_t)g_threads, sizeof *ws);
    if (!ws)
        die("calloc");
    pthread_barrier_init(&g_start, NULL, (unsigned)g_threads + 1);
    for (int i = 0; i < g_threads; i++) {
        struct worker *w = &ws[i];
        w->calls = g_calls / g_threads + (i < g_calls % g_threads ? 1 : 0);
        w->fd = -1;
        w->tx = -1;
        if (g_op == OP_SENDTO || g_op == OP_SENDMSG || g_op == OP_SENDMMSG) {
            w->fd = udp_socket();
        } else if (g_op == OP_WRITE || g_op == OP_WRITEV) {
            w->fd = udp_socket();
            if (connect(w->fd, (struct sockaddr *)&g_dst, sizeof g_dst) < 0)
                die("connect");
        } else if (g_op == OP_READ) {
            /* The reads' queue: a UNIX stream pair, both ends non-blocking, the writer's
             * buffer forced large enough for one READ_FILL write (needs root; else the
             * refill queues what fits). */
            int sv[2];
            if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
                die("socketpair");
            int sz = 2 * READ_FILL;
            if (setsockopt(sv[1], SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz) < 0)
                (void)setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
            fcntl(sv[0], F_SETFL, O_NONBLOCK);
            fcntl(sv[1], F_SETFL, O_NONBLOCK);
            w->fd = sv[0];
            w->tx = sv[1];
        } else if (g_op == OP_RECVFROM) {
            /* The thread's own bound socket, holding one datagram of BYTES (queued with
             * write() on a connected helper socket so no sendto event is produced). */
            struct sockaddr_in a;
            w->fd = bound_socket(&a);
            int tx = udp_socket();
            if (connect(tx, (struct sockaddr *)&a, sizeof a) < 0)
                die("connect");
            char *fill = malloc((size_t)g_bytes);
            if (!fill)
                die("malloc");
            memset(fill, 'y', (size_t)g_bytes);
            if (write(tx, fill, (size_t)g_bytes) != g_bytes)
                die("write");
            free(fill);
            close(tx);
        }
        if (pthread_create(&w->th, NULL, run, w) != 0)
            die("pthread_create");
    }
    pthread_barrier_wait(&g_start);
    uint64_t t0 = now_ns();
    for (int i = 0; i < g_threads; i++)
        pthread_join(ws[i].th, NULL);
    uint64_t t1 = now_ns();

    double ns_sum = 0, cpu_sum = 0;
    long syscalls = 0, errors = 0, extra = 0;
    for (int i = 0; i < g_threads; i++) {
        extra += ws[i].extra;
        ns_sum += (double)(ws[i].t1 - ws[i].t0) / (double)(ws[i].calls ? ws[i].calls : 1);
        cpu_sum += (double)(ws[i].c1 - ws[i].c0) / (double)(ws[i].calls ? ws[i].calls : 1);
        syscalls += ws[i].syscalls;
        errors += ws[i].errors;
    }
    double ns_per_call = ns_sum / g_threads;
    uint64_t elapsed = t1 - t0;
    char line[512];
    snprintf(line, sizeof line,
             "op=%s threads=%d bytes=%d vlen=%d calls=%ld syscalls=%ld elapsed_ns=%llu "
             "ns_per_call=%.1f calls_per_s=%.0f errors=%ld cpu_ns_per_call=%.1f extra=%ld\n",
             o, g_threads, g_bytes, g_vlen, g_calls, syscalls, (unsigned long long)elapsed,
             ns_per_call, elapsed ? (double)g_calls * 1e9 / (double)elapsed : 0.0, errors,
             cpu_sum / g_threads, extra);
    if (g_result) {
        FILE *f = fopen(g_result, "a");
        if (!f)
            die(g_result);
        fputs(line, f);
        fclose(f);
    } else {
        fputs(line, stdout);
    }
    if (sink >= 0)
        close(sink);
    return errors ? 1 : 0;
}
