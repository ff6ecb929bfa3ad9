// The gRPC C core (Debian libgrpc-dev, core 29 = gRPC 1.51) as one Swift module.
// Linked by name (grpc, gpr): pkg-config's abseil flags overflow the linker's
// argument list. Shims are `static inline`, prefixed `cgrpc_`, and exist only
// where Swift cannot reach the core directly (macros, unions).
#ifndef CGRPC_SHIM_H
#define CGRPC_SHIM_H
// The C library first, before grpc/support/port_platform.h defines
// _GNU_SOURCE: parsed with the same feature macros as Swift's Glibc module,
// its types (fd_set...) stay identical in both modules, which clang requires
// when a Swift file sees both.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/slice.h>
#include <grpc/status.h>
#include <grpc/support/alloc.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>
#include <grpc/support/string_util.h>

// GRPC_PROPAGATE_DEFAULTS is a cast expression Swift cannot import.
static inline uint32_t cgrpc_propagate_defaults(void) { return GRPC_PROPAGATE_DEFAULTS; }

// errno is a macro (a thread-local lvalue).
static inline int cgrpc_errno(void) { return errno; }

// SIG_IGN and SIG_DFL are macros Swift cannot import.
static inline void cgrpc_ignore_signal(int number) { signal(number, SIG_IGN); }
static inline void cgrpc_default_signal(int number) { signal(number, SIG_DFL); }

// Names the calling thread (Linux keeps the first 15 bytes).
static inline void cgrpc_set_current_thread_name(const char *name) {
#ifdef __linux__
  prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
#else
  (void)name;
#endif
}

// GRPC_SLICE_START_PTR: a slice's bytes are inline or refcounted (a union).
static inline const uint8_t *cgrpc_slice_start(const grpc_slice *slice) {
  return GRPC_SLICE_START_PTR(*slice);
}

// GRPC_SLICE_LENGTH, for the same reason.
static inline size_t cgrpc_slice_length(const grpc_slice *slice) {
  return GRPC_SLICE_LENGTH(*slice);
}

// The bytes of a received buffer when they lie in one uncompressed slice
// (the usual case for small messages), so they can be decoded in place:
// returns 1 and sets start and length, or 0 when the buffer must be read
// through a grpc_byte_buffer_reader (several slices, or compressed).
static inline int cgrpc_byte_buffer_single_slice(grpc_byte_buffer *buffer, const uint8_t **start,
                                                 size_t *length) {
  if (buffer->type != GRPC_BB_RAW || buffer->data.raw.compression != GRPC_COMPRESS_NONE) return 0;
  grpc_slice_buffer *slices = &buffer->data.raw.slice_buffer;
  if (slices->count == 0) {
    *start = NULL;
    *length = 0;
    return 1;
  }
  if (slices->count != 1) return 0;
  *start = GRPC_SLICE_START_PTR(slices->slices[0]);
  *length = GRPC_SLICE_LENGTH(slices->slices[0]);
  return 1;
}

// grpc_arg's value is a union; one setter per kind keeps Swift out of it.
static inline void cgrpc_arg_set_integer(grpc_arg *arg, char *key, int value) {
  arg->type = GRPC_ARG_INTEGER;
  arg->key = key;
  arg->value.integer = value;
}

static inline void cgrpc_arg_set_string(grpc_arg *arg, char *key, char *value) {
  arg->type = GRPC_ARG_STRING;
  arg->key = key;
  arg->value.string = value;
}

// Everything one batch may receive, in one allocation that lives until the
// batch's tag completes (the core writes into it until then).
typedef struct {
  grpc_op ops[6];
  grpc_metadata_array initial_metadata;
  grpc_metadata_array trailing_metadata;
  grpc_byte_buffer *message;
  grpc_status_code status;
  grpc_slice status_details;
  const char *error_string;
  int cancelled;
} cgrpc_batch_slots;

// What grpc_server_request_registered_call / grpc_server_request_call fill in.
typedef struct {
  grpc_call *call;
  gpr_timespec deadline;
  grpc_metadata_array request_metadata;
  grpc_byte_buffer *payload;
  grpc_call_details details;
} cgrpc_requested_call_slots;
#endif
