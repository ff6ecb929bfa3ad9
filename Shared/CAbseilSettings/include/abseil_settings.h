// Process-wide settings of abseil, the C++ library under the gRPC core.
#ifndef CABSEIL_SETTINGS_H
#define CABSEIL_SETTINGS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Turns off absl::Mutex's deadlock detector. Debian builds abseil without
/// NDEBUG, which leaves the detector on: every lock of every absl::Mutex in
/// the gRPC core then records its lock-order edges in a global graph under a
/// global lock (GraphCycles::InsertEdge). A release build of abseil has it off.
void cabseil_ignore_deadlock_cycles(void);

#ifdef __cplusplus
}
#endif

#endif
