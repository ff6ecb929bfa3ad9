#!/usr/bin/env bash
# Fails when the committed generated code differs from what scripts/generate.sh writes.
set -euo pipefail
cd "$(dirname "$0")/.."
generated=(Shared/CContracts Shared/Tools/CDescriptor Shared/Contracts/Generated Tests/CTestContracts Tests/TestContracts/Generated)
./scripts/generate.sh
if ! git diff --quiet --exit-code -- "${generated[@]}" \
   || [ -n "$(git status --porcelain --untracked-files=all -- "${generated[@]}")" ]; then
  echo "generated code is stale: run scripts/generate.sh and commit the result" >&2
  git status --short -- "${generated[@]}" >&2
  exit 1
fi
echo "generated code is fresh"
