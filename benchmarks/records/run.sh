#!/usr/bin/env bash
# RecordsService at scale (issue 6, "Benchmark"; docs/benchmarks.md, section
# "RecordsService"). Not part of CI: it takes a release build, minutes of
# loading and gigabytes of disk.
#
#   benchmarks/records/run.sh [PERSONS=1000000] [SECONDS_PER_RUN=15] [ROUNDS=2]
#
# On a private PostgreSQL 15 cluster (scripts/pg.sh --scratch: PG_SCRATCH_PORT),
# with a release-built RecordsService on loopback over mutual TLS (certificates
# made here by scripts/dev-ca.sh; the service logs in as its own role made by
# scripts/db-provision.sh), it measures in one run:
#   1. bulk intake: PERSONS persons with their documents (~1.5 each) and
#      crossings (~5 each) from Shared/SyntheticPopulation through one
#      BulkIntake stream, against a raw binary COPY (psql \copy) of exactly the
#      rows the intake wrote into the same tables of a second schema migrated by
#      the same binary (same indexes, keys and checks);
#   2. RecordCrossing at 64 callers (closed loop) against pgbench -M prepared
#      at 64 clients writing the same rows in one transaction (crossing with its
#      fingerprint and the traveller's nationality, outbox event, NOTIFY),
#      interleaved round by round, fsync and synchronous_commit on;
#   3. GetPerson and CheckCrossingEligibility at 64 callers, closed loop, then
#      the same closed loop driven by grpc-load (grpc-load.c: pre-encoded requests
#      over HTTP/2 and TLS on one thread, a fraction of the Swift client's CPU a
#      call; rows get-person-grpc-load and can-cross-grpc-load), then open loop
#      (the Swift client) at OPEN_RATE calls/s (default 1000).
# For every run: the CPU of the client (or pgbench), the service and PostgreSQL.
# Raw lines go to benchmarks/records/results/<stamp>.txt; beside them the intake
# client's stderr (<stamp>.client.log), the service's log over the
# intake (<stamp>.intake-service.log) and, if the intake stalls, the stacks of
# both processes (<stamp>.stall-<n>.txt).
#
# Environment: PG_SCRATCH_PORT (25434), GRPC_PORT (50461), OPEN_RATE (1000),
# PERSONS_PER_BATCH (1000), CONCURRENCY (64), SEED (20260101), KEEP=1 keeps the
# loaded database and skips loading when it already holds PERSONS persons (the
# raw COPY is then done only if no earlier run of this load did it: marker
# .run/records-bench/copied), RESULTS=<raw file> appends to an earlier run's file.
#
# The RPC parts (2 and 3; docs/benchmarks.md, "RecordsService"): part 3 runs
# the open loop at each rate of OPEN_RATES (default "500 1000 2000 4000", or
# OPEN_RATE alone if set) and records, after each closed-loop run, the
# statements PostgreSQL ran (pg_stat_statements: calls, mean ms). Every
# client's stderr goes to results/<stamp>.client.log, the service's log to
# results/<stamp>.service.log. SERVICE_BIN=<binary> measures that RecordsService
# instead of the fresh build (an earlier commit's, for a before/after in the
# same conditions); ONLY=reads runs only part 3 in the rounds; ONLY=intake
# stops after part 1 (the intake and its COPY baseline) and deletes the
# loaded data (the scratch cluster's schemas), for iterating on the intake.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=service.sh
. "$here/service.sh"
# shellcheck source=grpc-load.sh
. "$here/grpc-load.sh"
persons=${1:-1000000}
seconds=${2:-15}
rounds=${3:-2}
concurrency=${CONCURRENCY:-64}
open_rates=${OPEN_RATES:-${OPEN_RATE:-500 1000 2000 4000}}
per_batch=${PERSONS_PER_BATCH:-1000}
grpc_port=${GRPC_PORT:-50461}
export SEED=${SEED:-20260101}
[ -d /opt/swift/usr/bin ] && export PATH=/opt/swift/usr/bin:$PATH
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
log() { echo "== $(date -u +%H:%M:%S) $*" >&2; }

cd "$root"
work="$root/.run/records-bench"
mkdir -p "$work" "$here/results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
raw=${RESULTS:-$here/results/$stamp.txt}
touch "$raw"
client_log=${raw%.txt}.client.log
record() { echo "$*" | tee -a "$raw"; }

log "release builds"
swift build -c release --product RecordsService >&2
service_bin=${SERVICE_BIN:-$(swift build -c release --show-bin-path)/RecordsService}
(cd "$here" && swift build -c release >&2)
client_bin="$here/.build/release/RecordsBenchmark"
grpc_load_build "$work"

log "PostgreSQL (scripts/pg.sh --scratch)"
pg_exports=$(./scripts/pg.sh start --scratch)
eval "$pg_exports"
data=$(readlink -f "$root/.pgdata/scratch")
# A server sized for a database of a few GB on this machine: shared buffers and
# WAL room for the load, pg_stat_statements for the profile. Same for every
# client of the run; fsync and synchronous_commit stay on (scripts/pg.sh).
"$bin/psql" -Xq -v ON_ERROR_STOP=1 <<'SQL'
ALTER SYSTEM SET shared_buffers = '2GB';
ALTER SYSTEM SET max_wal_size = '8GB';
ALTER SYSTEM SET checkpoint_timeout = '15min';
ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements';
SQL
if [ "$("$bin/psql" -XtAc 'SHOW shared_buffers')" != 2GB ]; then
  pg_exports=$(./scripts/pg.sh restart --scratch)
  eval "$pg_exports"
fi
"$bin/psql" -Xq -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
pg_settings=$("$bin/psql" -XtAc "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings
  WHERE name IN ('shared_buffers', 'max_wal_size', 'fsync', 'synchronous_commit', 'wal_level', 'max_connections')")
record "settings $pg_settings"

log "certificates (scripts/dev-ca.sh) and roles (scripts/db-provision.sh)"
./scripts/dev-ca.sh "$work/certs" >/dev/null 2>&1
password() { [ -f "$work/$1.password" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$work/$1.password"); cat "$work/$1.password"; }
./scripts/db-provision.sh records "$(password records)" 2>/dev/null
./scripts/db-provision.sh records_copy "$(password records_copy)" 2>/dev/null
pgpass="$work/pgpass"
(umask 077; printf '127.0.0.1:%s:%s:records:%s\n127.0.0.1:%s:%s:records_copy:%s\n' \
  "$PGPORT" "$PGDATABASE" "$(password records)" "$PGPORT" "$PGDATABASE" "$(password records_copy)" > "$pgpass")

loaded=0
if [ "$("$bin/psql" -XtAc "SELECT to_regclass('records.persons') IS NOT NULL")" = t ]; then
  loaded=$("$bin/psql" -XtAc "SELECT count(*) FROM records.persons")
fi
fresh=true
if [ "${KEEP:-0}" = 1 ] && [ "$loaded" = "$persons" ]; then fresh=false; fi
if $fresh; then
  log "empty schemas records and records_copy"
  for schema in records records_copy; do
    "$bin/psql" -Xq -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
      -c "DROP SCHEMA IF EXISTS $schema CASCADE" -c "CREATE SCHEMA $schema AUTHORIZATION $schema"
  done
fi
# Migrations are applied on every run (idempotent), so a kept database (KEEP=1) gets
# the migrations newer than it; the service itself starts with MIGRATE_ON_START=0.
for schema in records records_copy; do
  env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE PGPASSFILE="$pgpass" RECORDS_SCHEMA=$schema \
    DATABASE_URL="host=127.0.0.1 port=$PGPORT dbname=$PGDATABASE user=$schema" GRPC_LISTEN=127.0.0.1:0 \
    INSECURE_DEVELOPMENT_PLAINTEXT=1 LOG_LEVEL=warning "$service_bin" migrate >&2
done

log "RecordsService on 127.0.0.1:$grpc_port (mutual TLS)"
service_log=${raw%.txt}.service.log
record "service $service_bin $(sha256sum "$service_bin" | cut -c1-12)"
start_records_service "$service_bin" "$grpc_port" "$service_log" "$pgpass" "$work/certs"

# Callers: the demo operator for intake and reference data, a gate for the rest.
read -r -a ops <<< "$(caller "$grpc_port" "$work/certs" ops-operator-1)"
read -r -a gate <<< "$(caller "$grpc_port" "$work/certs" gate-HAN-T2-07)"

# Runs a command (its output on stdout), then records "cpu LABEL WALL CLIENT SERVICE POSTGRES".
# Returns 1, recording nothing, when the command failed or printed nothing: callers
# capture its output first (`row=$(with_cpu ...) || client_failed LABEL`), so that no
# blank row is recorded and the run does not go on.
with_cpu() {
  local label=$1; shift
  local s0 p0 w0 out status=0
  s0=$(cpu_service); p0=$(cpu_postgres "$data"); w0=$(date +%s.%N)
  out=$(mktemp)
  echo "== $(date -u +%H:%M:%S) $label" >> "$client_log"
  /usr/bin/time -f "%U %S" -o "$out.time" "$@" > "$out" 2>> "$client_log" || status=$?
  if [ "$status" != 0 ] || [ ! -s "$out" ]; then
    echo "== $label: exit status $status, $(wc -c < "$out") bytes of output" >> "$client_log"
    rm -f "$out" "$out.time"
    return 1
  fi
  local w1 s1 p1 c
  w1=$(date +%s.%N); s1=$(cpu_service); p1=$(cpu_postgres "$data")
  c=$(awk '{print $1 + $2}' "$out.time")
  cat "$out"
  echo "cpu $label $(awk -v a="$w0" -v b="$w1" 'BEGIN {printf "%.2f", b - a}') $c \
$(awk -v a="$s0" -v b="$s1" 'BEGIN {printf "%.2f", b - a}') $(awk -v a="$p0" -v b="$p1" 'BEGIN {printf "%.2f", b - a}')" | tee -a "$raw" >&2
  rm -f "$out" "$out.time"
}
# Ends the run after a client (or pgbench) failed or printed nothing (with_cpu).
client_failed() {
  log "$1 failed or printed nothing: its stderr is in $client_log; stopping"
  exit 1
}

record "machine $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
record "run persons=$persons seconds=$seconds rounds=$rounds concurrency=$concurrency open_rates=${open_rates// /,} seed=$SEED"

log "generator alone (no network), $(( persons < 100000 ? persons : 100000 )) persons"
record "$("$client_bin" generate $(( persons < 100000 ? persons : 100000 )) "$per_batch")"

# Intake stalls: when no batch commits for 60 s while the client runs, the
# stacks of every thread of the client and the service (gdb) and what the
# database is doing go to results/<stamp>.stall-<n>.txt, once per stall.
watch_intake() {
  local last=-1 same=0 n=0 now client
  while sleep 10; do
    now=$("$bin/psql" -XtAc "SELECT coalesce(max(last_committed_batch), 0) FROM records.intake_jobs" 2>/dev/null || echo -1)
    if [ "$now" != "$last" ]; then last=$now; same=0; continue; fi
    same=$((same + 10))
    [ "$same" -eq 60 ] || continue
    n=$((n + 1))
    client=$(pgrep -f "$client_bin intake" | head -1 || true)
    {
      echo "== stall at batch $now, $(date -u +%T)"
      "$bin/psql" -Xc "SELECT pid, state, wait_event_type, wait_event, now() - query_start AS running, left(query, 80)
        FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
      for pid in $client $service_pid; do
        echo "== gdb -p $pid ($(tr '\0' ' ' < "/proc/$pid/cmdline" | cut -c1-80))"
        timeout 120 gdb -p "$pid" -batch -ex 'thread apply all bt' 2>&1
      done
    } > "$here/results/$stamp.stall-$n.txt"
    log "intake stalled at batch $now: stacks in results/$stamp.stall-$n.txt"
  done
}

if $fresh; then
  "${ops[@]}" "$client_bin" checkpoints >/dev/null
  log "bulk intake of $persons persons"
  "$bin/psql" -Xqc "SELECT pg_stat_statements_reset()" >/dev/null
  watch_intake & watcher=$!
  # The client's stderr (resumed streams, rejected rows) goes to the run's client log
  # (with_cpu), kept beside the raw lines.
  row=$(with_cpu intake "${ops[@]}" "$client_bin" intake "$persons" "$per_batch") || client_failed intake
  record "$row"
  kill "$watcher" 2>/dev/null || true
  wait "$watcher" 2>/dev/null || true
  cp "$service_log" "$here/results/$stamp.intake-service.log"
  "$bin/psql" -XtA -F' ' -c "SELECT 'statements', calls, round(total_exec_time)::bigint, left(regexp_replace(query, '\s+', ' ', 'g'), 90)
    FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12" | while read -r l; do record "$l"; done
  rm -f "$work/copied"
fi
if [ ! -f "$work/copied" ]; then
  log "raw COPY of the same rows into records_copy"
  tables=(checkpoints persons person_revisions citizen_ids documents document_numbers document_status_changes crossings)
  export_start=$(date +%s.%N)
  for t in "${tables[@]}"; do
    "$bin/psql" -Xq -c "\\copy records.$t TO '$work/$t.copy' WITH (FORMAT binary)"
  done
  record "export $(awk -v a="$export_start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}') $(du -sm "$work"/*.copy | awk '{s += $1} END {print s}')MiB"
  "$bin/psql" -Xq -c "\\copy records_copy.checkpoints FROM '$work/checkpoints.copy' WITH (FORMAT binary)"
  copy_script="$work/copy.sql"
  : > "$copy_script"
  for t in "${tables[@]:1}"; do echo "\\copy records_copy.$t FROM '$work/$t.copy' WITH (FORMAT binary)" >> "$copy_script"; done
  rows=$("$bin/psql" -XtAc "SELECT (SELECT count(*) FROM records.persons) + (SELECT count(*) FROM records.documents) + (SELECT count(*) FROM records.crossings)")
  p0=$(cpu_postgres "$data"); w0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$work/copy.time" "$bin/psql" -Xq -v ON_ERROR_STOP=1 -f "$copy_script"
  w1=$(date +%s.%N); p1=$(cpu_postgres "$data")
  elapsed=$(awk -v a="$w0" -v b="$w1" 'BEGIN {printf "%.2f", b - a}')
  record "copy $persons $rows $elapsed $(awk -v r="$rows" -v e="$elapsed" 'BEGIN {printf "%d", r / e}')"
  record "cpu copy $elapsed $(awk '{print $1 + $2}' "$work/copy.time") 0 $(awk -v a="$p0" -v b="$p1" 'BEGIN {printf "%.2f", b - a}')"
  rm -f "$work"/*.copy
  "$bin/psql" -Xq -c "SET client_min_messages = warning" -c "DROP SCHEMA records_copy CASCADE" -c "CREATE SCHEMA records_copy AUTHORIZATION records_copy"
  "$bin/psql" -XqAt -c "ANALYZE records.persons, records.documents, records.document_numbers, records.crossings" >/dev/null
  touch "$work/copied"
fi
record "sizes $("$bin/psql" -XtAc "SELECT string_agg(relname || '=' || pg_size_pretty(pg_total_relation_size(oid)), ' ' ORDER BY relname)
  FROM pg_class WHERE relnamespace = 'records'::regnamespace AND relkind = 'r' AND pg_total_relation_size(oid) > 10000000")"

if [ "${ONLY:-}" = intake ]; then
  "$bin/psql" -Xq -c "SET client_min_messages = warning" -c "DROP SCHEMA records CASCADE" -c "CREATE SCHEMA records AUTHORIZATION records"
  rm -f "$work/copied"
  record "load-after $(cut -d' ' -f1-3 /proc/loadavg)"
  log "raw figures in $raw"
  exit 0
fi

log "samples for the read and write runs"
"$bin/psql" -XtA -F' ' -c "SELECT kind, number, issuing_state FROM records.document_numbers TABLESAMPLE BERNOULLI (5) REPEATABLE (1)
  WHERE kind IN ('ordinary_passport', 'official_passport', 'diplomatic_passport', 'entry_exit_permit') LIMIT 50000" > "$work/documents.txt"
"$bin/psql" -XtA -c "SELECT person_id FROM records.persons TABLESAMPLE BERNOULLI (5) REPEATABLE (2) LIMIT 50000" > "$work/persons.txt"
"$bin/psql" -Xq -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE TABLE bench.documents (i int PRIMARY KEY, person_id uuid NOT NULL, document_id uuid NOT NULL);
CREATE TEMPORARY TABLE sample (kind text, number text, issuing_state text);
\\copy sample FROM '$work/documents.txt' WITH (DELIMITER ' ')
INSERT INTO bench.documents SELECT row_number() OVER (), n.person_id, n.document_id
  FROM sample s JOIN records.document_numbers n USING (number, issuing_state, kind);
SQL
documents=$("$bin/psql" -XtAc "SELECT count(*) FROM bench.documents")
# What RecordCrossing writes, as pgbench runs it: the crossing (fingerprint, the
# traveller's first nationality), its outbox event of the size the service
# writes, the upsert that makes the traveller's kept GetPerson answer unusable
# (ReadyAnswers.onConflict, spelled again here) and the NOTIFY that wakes the
# feed, in one transaction.
event_bytes=$("$bin/psql" -XtAc "SELECT coalesce(round(avg(octet_length(payload))), 300) FROM records.outbox WHERE change_type = 'crossing_recorded'")
cat > "$work/crossing.sql" <<SQL
\\set i random(1, $documents)
BEGIN;
INSERT INTO records.crossings (person_id, crossing_id, request_id, request_fingerprint, document_id, direction,
    checkpoint_code, crossed_at, lane, gate_id, nationality, recorded_source, recorded_unit_code, recorded_actor_id)
  SELECT d.person_id, gen_random_uuid(), gen_random_uuid(), sha256(convert_to(gen_random_uuid()::text, 'UTF8')),
    d.document_id, 'exit', 'HAN', now(), 'manual', '', p.nationalities[1], 'procedure', 'HAN-BORDER', 'pgbench'
  FROM bench.documents d JOIN records.persons p ON p.person_id = d.person_id WHERE d.i = :i
  ON CONFLICT (person_id, request_id) DO NOTHING;
INSERT INTO records.outbox (person_id, change_type, payload)
  SELECT person_id, 'crossing_recorded', decode(repeat('5a', $event_bytes), 'hex') FROM bench.documents WHERE i = :i;
INSERT INTO records.ready_answers AS r (person_id, generation) SELECT person_id, 1 FROM bench.documents WHERE i = :i
  ON CONFLICT (person_id) DO UPDATE SET generation = r.generation + 1, body = NULL;
SELECT pg_notify('records_outbox', '');
END;
SQL
# The same without the NOTIFY: what the rows alone cost (PostgreSQL serializes
# the commits of transactions that notify, so this one can use group commit).
grep -v pg_notify "$work/crossing.sql" > "$work/crossing-no-notify.sql"

# How late a thread that sleeps 1 ms wakes up on this machine right now (p50,
# p99, p99.9, max over 5 s): the scheduling delay every thread of a call meets
# several times (client, gRPC, the service's tasks and database threads, the
# backend), so a floor under the calls' tails on a shared machine.
sched_probe() {
  python3 - <<'PY'
import time
late, end = [], time.monotonic() + 5
while time.monotonic() < end:
    t = time.monotonic(); time.sleep(0.001); late.append((time.monotonic() - t - 0.001) * 1000)
late.sort(); n = len(late)
print("%.2f %.2f %.2f %.1f" % (late[n // 2], late[int(n * 0.99)], late[int(n * 0.999)], late[-1]))
PY
}

# The statements PostgreSQL ran since the last reset: calls, mean ms, text.
statements() {
  "$bin/psql" -XtA -F' ' -c "SELECT 'statements', '$1', calls, round(mean_exec_time::numeric, 3),
      left(regexp_replace(query, '\s+', ' ', 'g'), 100)
    FROM pg_stat_statements WHERE calls > 50 ORDER BY total_exec_time DESC LIMIT 6" | while read -r l; do record "$l"; done
}

for round in $(seq 1 "$rounds"); do
  if [ "${ONLY:-}" != reads ]; then
    log "round $round: pgbench, $concurrency clients"
    out=$(with_cpu pgbench "$bin/pgbench" -n -M prepared -f "$work/crossing.sql" -c "$concurrency" -j 2 -T "$seconds") ||
      client_failed pgbench
    tps=$(echo "$out" | sed -nE 's/^tps = ([0-9.]+).*/\1/p')
    lat=$(echo "$out" | sed -nE 's/^latency average = ([0-9.]+) ms/\1/p')
    record "pgbench $concurrency ${tps%.*} $lat"
    log "round $round: pgbench without NOTIFY, $concurrency clients"
    out=$(with_cpu pgbench-no-notify "$bin/pgbench" -n -M prepared -f "$work/crossing-no-notify.sql" -c "$concurrency" -j 2 \
      -T "$seconds") || client_failed pgbench-no-notify
    tps=$(echo "$out" | sed -nE 's/^tps = ([0-9.]+).*/\1/p')
    lat=$(echo "$out" | sed -nE 's/^latency average = ([0-9.]+) ms/\1/p')
    record "pgbench-no-notify $concurrency ${tps%.*} $lat"
    log "round $round: RecordCrossing, $concurrency callers"
    "$bin/psql" -Xqc "SELECT pg_stat_statements_reset()" >/dev/null
    row=$(with_cpu crossings "${gate[@]}" "$client_bin" crossings "$concurrency" "$seconds" "$work/documents.txt") ||
      client_failed crossings
    record "$row"
    statements crossings
  fi
  record "sched-probe round=$round p50/p99/p999/max ms $(sched_probe) load $(cut -d' ' -f1-3 /proc/loadavg)"
  for mode in get-person can-cross; do
    sample=$work/documents.txt; [ $mode = get-person ] && sample=$work/persons.txt
    log "round $round: $mode, $concurrency callers, closed loop"
    "$bin/psql" -Xqc "SELECT pg_stat_statements_reset()" >/dev/null
    row=$(with_cpu "$mode" "${gate[@]}" "$client_bin" "$mode" "$concurrency" "$seconds" "$sample") || client_failed "$mode"
    record "$row"
    statements "$mode"
    # The same closed loop from grpc-load. It prints MODE as RecordsBenchmark does; its
    # row is renamed (MODE-grpc-load) so that the table tells the two clients apart.
    grpc_load_requests "$client_bin" "$mode" "$sample" "$work"
    log "round $round: $mode, $concurrency callers, closed loop, grpc-load"
    "$bin/psql" -Xqc "SELECT pg_stat_statements_reset()" >/dev/null
    speed_before=$(cpu_speed || echo n/a)
    row=$(with_cpu "$mode-grpc-load" "${gate[@]}" "$grpc_load" "$mode" "$concurrency" "$seconds" "$requests") ||
      client_failed "$mode-grpc-load"
    record "${row/#"$mode "/"$mode-grpc-load "}"
    record "speed $mode-grpc-load round=$round ms before $speed_before after $(cpu_speed || echo n/a)"
    statements "$mode-grpc-load"
    for rate in $open_rates; do
      log "round $round: $mode, open loop at $rate/s"
      row=$(with_cpu "$mode-open" "${gate[@]}" "$client_bin" "$mode" "$concurrency" "$seconds" "$sample" "$rate") ||
        client_failed "$mode-open"
      record "$row"
    done
  done
done
record "load-after $(cut -d' ' -f1-3 /proc/loadavg)"
log "raw figures in $raw"
