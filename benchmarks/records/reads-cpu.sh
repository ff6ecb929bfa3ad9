#!/usr/bin/env bash
# CPU per call of GetPerson or CheckCrossingEligibility (client, service and
# PostgreSQL), for comparing two RecordsService binaries on a shared machine
# where the calls per second are too noisy (docs/records.md, "Reads in
# batches"). Uses what one `KEEP=1 benchmarks/records/run.sh` left in
# .run/records-bench (certificates, the service's password, the samples) and
# its scratch cluster (PG_SCRATCH_PORT, started if stopped).
#
#   benchmarks/records/reads-cpu.sh SERVICE_BINARY get-person|can-cross SECONDS [perf]
#
# Starts the binary on GRPC_PORT (50461) over mutual TLS, warms it up for 3 s,
# resets pg_stat_statements, runs the closed loop (64 callers, CONCURRENCY; RATE
# for an open loop) and prints the client's line, the statements PostgreSQL
# ran, CPU µs per measured call and the service's context switches per call.
# With `perf`, records 5 s of the service, of the backends and of the client
# with call graphs (.run/records-bench/reads-cpu.{service,pg,client}.perf; the
# service log beside them).
#
# CLIENT=c drives the closed loop with grpc-load (grpc-load.c: pre-encoded requests
# over HTTP/2 and TLS on one thread, a fraction of the CPU a call of the generated
# Swift client, the default; figures in docs/benchmarks.md, "RecordsService",
# "Session 7"); it is built into .run/records-bench if missing or older than its
# source, and its requests file made from the sample by the Swift client's
# `requests` mode. No RATE with it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=service.sh
. "$here/service.sh"
# shellcheck source=grpc-load.sh
. "$here/grpc-load.sh"
work=$root/.run/records-bench
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
service=$1 mode=$2 seconds=$3
port=${GRPC_PORT:-50461}
concurrency=${CONCURRENCY:-64}
pg_exports=$(cd "$root" && ./scripts/pg.sh start --scratch)
eval "$pg_exports"
start_records_service "$service" "$port" "$work/reads-cpu.service.log" "$work/pgpass" "$work/certs"
sample=$work/documents.txt; [ "$mode" = get-person ] && sample=$work/persons.txt
client="$here/.build/release/RecordsBenchmark"
input=$sample   # the client's last argument: the sample, or grpc-load's requests made from it
case ${CLIENT:-swift} in
  swift) ;;
  c) [ -z "${RATE:-}" ] || { echo "reads-cpu: grpc-load has a closed loop only (no RATE)" >&2; exit 1; }
     grpc_load_build "$work"
     grpc_load_requests "$client" "$mode" "$sample" "$work"
     client=$grpc_load input=$requests ;;
  *) echo "reads-cpu: CLIENT must be swift or c" >&2; exit 1 ;;
esac
read -r -a gate <<< "$(caller "$port" "$work/certs" gate-HAN-T2-07)"
data=$(readlink -f "$root/.pgdata/scratch")
switches_service() {   # context switches of every thread of the service, voluntary + involuntary
  # (a thread that ends during the run takes its switches with it: slightly low)
  { cat /proc/$service_pid/task/*/status 2>/dev/null || true; } | awk '/ctxt_switches/ {n += $2} END {print n + 0}'
}
"${gate[@]}" "$client" "$mode" "$concurrency" 1 "$input" > /dev/null   # warm-up: connections, caches
speed_before=$(cpu_speed || echo n/a)
"$bin/psql" -Xqc "SELECT pg_stat_statements_reset()" > /dev/null
s0=$(cpu_service); p0=$(cpu_postgres "$data"); w0=$(switches_service)
perfs=()
if [ "${4:-}" = perf ]; then
  backends=$(pgrep -P "$(head -1 "$data/postmaster.pid")" -d,)
  (sleep 4; perf record -F 2000 -g -o "$work/reads-cpu.service.perf" -p $service_pid -- sleep 5 > /dev/null 2>&1) &
  perfs+=($!)
  (sleep 4; perf record -F 2000 -g -o "$work/reads-cpu.pg.perf" -p "$backends" -- sleep 5 > /dev/null 2>&1) &
  perfs+=($!)
  (sleep 4; perf record -F 2000 -g -o "$work/reads-cpu.client.perf" -p "$(pgrep -n -f "$client $mode")" -- sleep 5 > /dev/null 2>&1) &
  perfs+=($!)
fi
line=$(WARMUP_SECONDS=0 "${gate[@]}" "$client" "$mode" "$concurrency" "$seconds" "$input" ${RATE:+"$RATE"})
echo "$line"
[ ${#perfs[@]} -eq 0 ] || wait "${perfs[@]}" || echo "reads-cpu: a perf recording failed" >&2
s1=$(cpu_service); p1=$(cpu_postgres "$data"); w1=$(switches_service)
"$bin/psql" -XtA -F' ' -c "SELECT 'statements', calls, round(mean_exec_time::numeric, 3),
    left(regexp_replace(query, '\s+', ' ', 'g'), 80)
  FROM pg_stat_statements WHERE calls > 50 ORDER BY total_exec_time DESC LIMIT 4"
read -r _ _ calls _ _ _ _ client_cpu _ <<< "$line"
awk -v c="$client_cpu" -v s="$(awk -v a="$s0" -v b="$s1" 'BEGIN {print b - a}')" \
  -v p="$(awk -v a="$p0" -v b="$p1" 'BEGIN {print b - a}')" -v n="$calls" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
  -v w="$((w1 - w0))" \
  'BEGIN {printf "cpu s client %.2f service %.2f postgres %.2f; us per call: client %.0f service %.0f postgres %.0f total %.0f; service switches per call %.2f (load %s)\n",
          c, s, p, c / n * 1e6, s / n * 1e6, p / n * 1e6, (c + s + p) / n * 1e6, w / n, l}'
echo "speed ms (cpu_speed, less is faster) before $speed_before after $(cpu_speed || echo n/a)"
