/* Crash-loop benchmark child: prints its start and exit times (CLOCK_REALTIME, ns) and exits 1. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void) {
    char buf[64];
    int n = snprintf(buf, sizeof buf, "start %lld\n", now_ns());
    write(1, buf, n);
    n = snprintf(buf, sizeof buf, "exit %lld\n", now_ns());
    write(1, buf, n);
    _exit(1);
}
