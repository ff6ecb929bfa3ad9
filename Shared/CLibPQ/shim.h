// libpq (Debian libpq-dev, PostgreSQL 15) as one Swift module, and the one call
// Swift's Glibc module does not expose that the connection threads need.
#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
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
#endif
