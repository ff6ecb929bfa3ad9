#!/usr/bin/env bash
# Stress loop for a hang seen once (session 2) in PoolPipeliningTests'
# testOneFailingStatementAmongManyConcurrentOnesFailsOnlyItsCaller: its workload (400
# concurrent pool.query inserts, one in ten failing a CHECK, pool of 4 connections and
# its pipelined sessions), repeated by OutageStress against the --scratch cluster while
# a background loop stops and starts that server at random moments (up 0.3-2 s, down
# up to 0.5 s; pg_ctl -m fast: backends end with 57P01, new connections are refused).
# OutageStress exits 1 on a round that outlives its time limit (a hang), on an error
# that is neither the statement's own nor `unavailable`, or on a row stored twice.
#
#   benchmarks/postgres/stress-outage.sh [rounds, default 300] [seconds per round, default 30]
# Release build of the benchmark package; not part of CI. Leaves the scratch server stopped.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rounds=${1:-300}
limit=${2:-30}
[ -d /opt/swift/usr/bin ] && export PATH=/opt/swift/usr/bin:$PATH
cd "$root"
mkdir -p "$here/.package-root"
ln -sfn ../../.. "$here/.package-root/immigration"
(cd "$here" && swift build -c release --product OutageStress >&2) || exit 1
pg_exports=$(./scripts/pg.sh start --scratch)
eval "$pg_exports"

( while true; do
    sleep "$((RANDOM % 2)).$((RANDOM % 7 + 3))"
    ./scripts/pg.sh stop --scratch >/dev/null 2>&1
    sleep "0.$((RANDOM % 5))"
    ./scripts/pg.sh start --scratch >/dev/null 2>&1
  done ) &
outages=$!
trap 'kill $outages 2>/dev/null; wait $outages 2>/dev/null; ./scripts/pg.sh stop --scratch >/dev/null 2>&1' EXIT

"$here/.build/release/OutageStress" "$rounds" "$limit"
