// The gRPC C core (Debian libgrpc-dev, core 29 = gRPC 1.51) as one Swift module.
// Linked by name (grpc, gpr): pkg-config's abseil flags overflow the linker's
// argument list. Shims are `static inline`, prefixed `cgrpc_`, and exist only
// where Swift cannot reach the core directly (macros, unions).
#ifndef CGRPC_SHIM_H
#define CGRPC_SHIM_H
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
#endif
