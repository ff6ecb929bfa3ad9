#!/usr/bin/env bash
# Runs every test of the suite: the README's test command and what CI calls.
# Installs what it needs (Debian and pip packages), starts its own PostgreSQL
# as an unprivileged user on a loopback port, builds with warnings as errors,
# runs all Swift tests, the Python interoperability tests, checks that generated
# code is fresh and that compose/ is valid. Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -d /opt/swift/usr/bin ] && export PATH=/opt/swift/usr/bin:$PATH

step() { printf '\n== %s ==\n' "$*"; }

step "dependencies"
./scripts/install-deps.sh --with-python

step "generated code is fresh"
./scripts/check-generated.sh

step "C contracts compile with a plain C compiler at -Wall -Werror"
./Tests/C/run.sh

step "build (warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors

if [ -x scripts/pg.sh ]; then
  step "PostgreSQL for the tests"
  # Through a variable: `eval "$(…)"` would go on with no database when the start
  # fails (a port taken by another cluster), and every database test would fail later.
  exports=$(./scripts/pg.sh start --test)
  eval "$exports"
  trap './scripts/pg.sh stop --test >/dev/null 2>&1 || true; ./scripts/pg.sh stop --scratch >/dev/null 2>&1 || true' EXIT
fi

step "Swift tests"
swift test --skip-build --parallel --num-workers 2

step "AddressSanitizer: malformed payloads and 100,000 mutated payloads to a running server"
# The codec and runtime tests again, built with ASan and LeakSanitizer in their own
# scratch folder; suppressions cover only what XCTest and Foundation keep for the
# life of the process.
LSAN_OPTIONS="suppressions=$root/Tests/Sanitizers/lsan.supp" GRPC_RUNTIME_MUTATIONS=100000 \
  swift test --sanitize=address --scratch-path .build/asan \
  --filter 'ContractsTests|ProtoJSONTests|GRPCRuntimeTests'

if [ -f Tests/Python/run.sh ]; then
  step "Python interoperability tests"
  ./Tests/Python/run.sh
fi

step "operations: compose, development CA, replication and failover, backup-and-restore drill"
# The drills start their own clusters: the test cluster's PG* variables must not reach them.
env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE ./Tests/Ops/run.sh

step "all tests passed"
