// The gRPC C core for the bare echo server (benchmarks/grpc/Sources/BareEchoServer):
// only what it calls, and the one macro Swift cannot import.
#ifndef CGRPC_BARE_SHIM_H
#define CGRPC_BARE_SHIM_H
#include <stdint.h>
#include <pthread.h>
#include <signal.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/slice.h>
#include <grpc/support/time.h>

// GRPC_SLICE_START_PTR: a slice's bytes are inline or refcounted (a union).
static inline const uint8_t *cgrpc_bare_slice_start(const grpc_slice *slice) {
  return GRPC_SLICE_START_PTR(*slice);
}
static inline size_t cgrpc_bare_slice_length(const grpc_slice *slice) {
  return GRPC_SLICE_LENGTH(*slice);
}
#endif
