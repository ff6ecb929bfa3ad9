#!/usr/bin/env bash
# Runs every operations test (compose/, the development CA, the backup drill,
# replication and failover). Needs root (temporary PostgreSQL servers run as an
# unprivileged system user). Exits non-zero if any test fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
status=0
for t in compose-test.sh dev-ca-test.sh replication-test.sh backup-drill-test.sh; do
  printf '\n== Tests/Ops/%s ==\n' "$t"
  "$here/$t" || status=1
done
exit "$status"
