/* The datagrams workload in C: sendmmsg/recvmmsg in batches of 32, the limit.
 * usage: datagrams send PORT COUNT SIZE CREDIT | datagrams receive FD COUNT SIZE CREDIT
 * CREDIT is one end of the socket pair of the flow control (see WINDOW in
 * benchmarks/workers.py).  Prints one JSON line as benchmarks/workers.py does. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 32
#define WINDOW 1024
#define CREDIT_EVERY 256

static double now(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* Block while `sent` is a window ahead of the receiver's last report. */
static void pace(int credit, long sent, long *acked) {
    while (sent - *acked >= WINDOW) {
        struct pollfd p = {.fd = credit, .events = POLLIN};
        if (poll(&p, 1, 500) == 0) { /* no report: those datagrams were lost */
            *acked = sent;
            return;
        }
        long long report;
        while (recv(credit, &report, sizeof report, MSG_DONTWAIT) == sizeof report)
            if (report > *acked) *acked = report;
    }
}

static int sender(int port, long count, int size, int credit) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof to) < 0) return 1;
    static char data[65536];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = data;
        iov[i].iov_len = size;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    double cpu = now(CLOCK_PROCESS_CPUTIME_ID);
    long sent = 0, acked = 0;
    while (sent < count) {
        pace(credit, sent, &acked);
        int n = count - sent < BATCH ? (int)(count - sent) : BATCH;
        int done = sendmmsg(fd, msgs, n, 0);
        if (done < 0 && errno != EINTR && errno != ENOBUFS) return 1;
        if (done > 0) sent += done;
    }
    printf("{\"cpu\": %f, \"sent\": %ld}\n", now(CLOCK_PROCESS_CPUTIME_ID) - cpu, sent);
    return 0;
}

static int receiver(int fd, long count, int size, int credit) {
    static char data[BATCH][2048];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = data[i];
        iov[i].iov_len = sizeof data[i];
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    struct pollfd p = {.fd = fd, .events = POLLIN};
    long got = 0, report = CREDIT_EVERY;
    double first = 0, last = 0, cpu = now(CLOCK_PROCESS_CPUTIME_ID);
    if (poll(&p, 1, 60000) == 0) {
        fprintf(stderr, "no datagram within 60 s: the sender did not start\n");
        return 1;
    }
    while (got < count) {
        if (poll(&p, 1, 500) == 0) break; /* idle: the rest were lost */
        int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) continue;
        for (int i = 0; i < n; i++)
            if ((int)msgs[i].msg_len != size) return 1;
        if (!got) first = now(CLOCK_MONOTONIC);
        got += n;
        last = now(CLOCK_MONOTONIC);
        if (got >= report) {
            long long value = got;
            report = got + CREDIT_EVERY;
            send(credit, &value, sizeof value, MSG_DONTWAIT);
        }
    }
    printf("{\"seconds\": %f, \"cpu\": %f, \"ops\": %ld}\n", last - first,
           now(CLOCK_PROCESS_CPUTIME_ID) - cpu, got);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 6) return 2;
    long count = atol(argv[3]);
    int size = atoi(argv[4]);
    int credit = atoi(argv[5]);
    if (!strcmp(argv[1], "send")) return sender(atoi(argv[2]), count, size, credit);
    return receiver(atoi(argv[2]), count, size, credit);
}
