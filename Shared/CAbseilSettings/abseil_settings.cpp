#include "abseil_settings.h"

#include <absl/synchronization/mutex.h>

void cabseil_ignore_deadlock_cycles(void) {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}
