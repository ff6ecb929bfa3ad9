#!/usr/bin/env bash
# Fails when the committed generated code differs from what scripts/generate.sh writes.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/generate.sh
if ! git diff --quiet --exit-code -- Shared/CContracts Shared/Tools/CDescriptor Shared/Contracts/Generated \
   || [ -n "$(git status --porcelain --untracked-files=all -- Shared/CContracts Shared/Tools/CDescriptor Shared/Contracts/Generated)" ]; then
  echo "generated code is stale: run scripts/generate.sh and commit the result" >&2
  git status --short -- Shared/CContracts Shared/Tools/CDescriptor Shared/Contracts/Generated >&2
  exit 1
fi
echo "generated code is fresh"
