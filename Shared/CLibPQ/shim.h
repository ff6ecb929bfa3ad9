// libpq (Debian libpq-dev, PostgreSQL 15) as one Swift module, and the one call
// Swift's Glibc module does not expose that the connection threads need.
#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <postgresql/libpq-fe.h>

// Names the calling thread for the OS (`ps -L -o comm`, `top -H`, perf, gdb).
// Linux keeps 15 bytes and a NUL: longer names are cut, never refused.
static inline int clibpq_name_current_thread(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof truncated - 1);
    truncated[sizeof truncated - 1] = '\0';
    return pthread_setname_np(pthread_self(), truncated);
}

// Sleeps until `fd` is readable or `nanoseconds` have passed (ppoll: poll's
// timeout is whole milliseconds, too coarse for a wait of a fraction of a round
// trip). Returns 1 when readable, 0 on timeout, -1 on error or a signal.
static inline int clibpq_wait_readable(int fd, long long nanoseconds) {
    struct pollfd descriptor = { fd, POLLIN, 0 };
    struct timespec timeout = { (time_t)(nanoseconds / 1000000000LL), (long)(nanoseconds % 1000000000LL) };
    int polled = ppoll(&descriptor, 1, &timeout, NULL);
    return polled > 0 ? 1 : polled;
}
#endif
