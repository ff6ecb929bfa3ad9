#!/usr/bin/env bash
# Tests scripts/backup-drill.sh:
#   1. --self-contained: dumps, restores and finds the restore identical (exit 0),
#      and leaves no temporary cluster or folder behind;
#   2. it detects a changed value (same row count), a deleted row, a lost grant and
#      a dropped index in the restore (exit 1, naming what differs);
#   3. against a running cluster given by PG* variables, with writes going on during
#      the drill, it passes: dumps and source checksums come from one snapshot.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
drill="$root/scripts/backup-drill.sh"
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
# shellcheck source=Tests/Ops/private-cluster.sh
. "$root/Tests/Ops/private-cluster.sh"
failures=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
check() { # <description> <command...>
  local d=$1; shift
  if "$@" >/dev/null 2>&1; then ok "$d"; else fail "$d"; fi
}

tmp=$(mktemp -d)
chmod 0711 "$tmp"
server_dir=""
writer_pid=""
cleanup() {
  if [ -n "$writer_pid" ]; then kill "$writer_pid" 2>/dev/null || true; fi
  if [ -n "$server_dir" ]; then
    runuser -u "${DRILL_USER:-immigration-pg}" -- "$pg_bin/pg_ctl" -D "$server_dir" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# expect_failure <description> <grep pattern of the report> <drill args...>
expect_failure() {
  local d=$1 pattern=$2; shift 2
  if "$drill" --self-contained --rows 300 "$@" >"$tmp/out" 2>&1; then
    fail "$d: the drill passed"; sed 's/^/    /' "$tmp/out" | tail -20
  elif grep -q -- "$pattern" "$tmp/out" && grep -q 'FAILED: the restore differs' "$tmp/out"; then
    ok "$d"
  else
    fail "$d: failed without reporting '$pattern'"; sed 's/^/    /' "$tmp/out" | tail -20
  fi
}

# A glob, not find: find fails when another process removes its own entry of /tmp
# while find looks at it (seen with tests running beside this one).
count_drill_folders() { local folders; shopt -s nullglob; folders=(/tmp/backup-drill.*); shopt -u nullglob; echo "${#folders[@]}"; }
drills_before=$(count_drill_folders)

echo "# a faithful restore passes"
if "$drill" --self-contained --rows 1000 --keep "$tmp/kept" >"$tmp/out" 2>&1; then
  ok "self-contained drill passes"
else
  fail "self-contained drill passes"; sed 's/^/    /' "$tmp/out"
fi
check "reports the restore identical" grep -q 'result: restore identical to source' "$tmp/out"
for s in records portal agency autogate biometric; do
  check "keeps a custom-format dump of schema $s" "$pg_bin/pg_restore" --list "$tmp/kept/dumps/$s.dump"
done
check "globals.sql holds the service roles" grep -q 'CREATE ROLE records' "$tmp/kept/dumps/globals.sql"
rows=$(awk -F'\t' '$1 == "records.person" { print $2 }' "$tmp/kept/report/source.tables")
check "counts 1000 rows in records.person (got '$rows')" test "$rows" = 1000
partitions=$(grep -c '^records\.crossing_20' "$tmp/kept/report/source.tables" || true)
check "checks each partition of records.crossing" test "$partitions" = 2
check "restores the per-database role settings" \
  grep -q $'^role-setting\trecords\t\t\tsearch_path=records$' "$tmp/kept/report/restore.catalog"
check "restores an extension that lives in a service schema" \
  grep -q $'^extension\tpg_trgm\t[0-9.]*\trecords' "$tmp/kept/report/restore.catalog"
check "restores an extension outside the service schemas" \
  grep -q $'^extension\tcitext\t[0-9.]*\tpublic' "$tmp/kept/report/restore.catalog"
drills_after=$(count_drill_folders)
check "leaves no temporary folder behind" test "$drills_after" = "$drills_before"
# (no procps on a minimal Debian: read /proc)
if grep -qsl 'backup-drill\.' /proc/[0-9]*/cmdline; then fail "leaves no server running"; else ok "leaves no server running"; fi

echo "# a faulty restore fails"
first_person="(SELECT id FROM records.person ORDER BY id LIMIT 1)"
expect_failure "detects one changed value with the same row count" '^-records.person' \
  --after-restore-sql "UPDATE records.person SET given_name = given_name || '.' WHERE id = $first_person"
expect_failure "detects one deleted row" '^+records.crossing_2026' \
  --after-restore-sql "DELETE FROM records.crossing WHERE ctid = (SELECT ctid FROM records.crossing_2026 LIMIT 1) AND crossed_at >= '2026-01-01'"
expect_failure "detects a lost grant" '^-database' \
  --after-restore-sql "REVOKE CONNECT ON DATABASE immigration FROM portal"
expect_failure "detects a dropped index" '^-index.*person_family_name_trgm' \
  --after-restore-sql "DROP INDEX records.person_family_name_trgm"
expect_failure "detects a moved sequence" '^-records.crossing_id_seq' \
  --after-restore-sql "SELECT setval('records.crossing_id_seq', 1)"

echo "# a running cluster, written to during the drill"
user=${DRILL_USER:-immigration-pg}
id "$user" >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$user"
server_dir="$tmp/live/data"
mkdir -p "$tmp/live" && chown "$user" "$tmp/live"
pw=$(openssl rand -hex 16)
printf '%s\n' "$pw" >"$tmp/live/pw" && chown "$user" "$tmp/live/pw"
runuser -u "$user" -- "$pg_bin/initdb" -D "$server_dir" -U postgres --pwfile="$tmp/live/pw" --auth=scram-sha-256 >/dev/null
start_on_random_port "$user" "$server_dir" "$tmp/live/log" || { fail "could not start PostgreSQL"; cat "$tmp/live/log" >&2; exit 1; }
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGPASSWORD=$pw PGDATABASE=postgres
"$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE DATABASE immigration;
\connect immigration
CREATE ROLE records LOGIN;
CREATE SCHEMA records AUTHORIZATION records;
CREATE TABLE records.crossing (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), note text);
ALTER TABLE records.crossing OWNER TO records;
INSERT INTO records.crossing (note) SELECT 'row ' || i FROM generate_series(1, 5000) i;
SQL
export PGDATABASE=immigration
( while true; do
    "$pg_bin/psql" -X -q -c "INSERT INTO records.crossing (note) SELECT 'live ' || i FROM generate_series(1, 50) i" 2>/dev/null || exit 0
  done ) &
writer_pid=$!
sleep 1
if "$drill" --schemas records --keep "$tmp/live-kept" >"$tmp/out" 2>&1; then
  ok "drill of a live cluster passes while rows are being written"
else
  fail "drill of a live cluster passes while rows are being written"; sed 's/^/    /' "$tmp/out"
fi
kill "$writer_pid" 2>/dev/null || true; wait "$writer_pid" 2>/dev/null || true; writer_pid=""
at_snapshot=$(awk -F'\t' '$1 == "records.crossing" { print $2 }' "$tmp/live-kept/report/source.tables" 2>/dev/null || echo 0)
now=$("$pg_bin/psql" -X -At -c "SELECT count(*) FROM records.crossing")
if [ "${at_snapshot:-0}" -ge 5000 ] && [ "$now" -gt "$at_snapshot" ]; then
  ok "the source kept growing after the snapshot ($at_snapshot rows at the snapshot, $now now)"
else
  fail "the source kept growing after the snapshot ($at_snapshot at the snapshot, $now now)"
fi
unset PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE

if [ "$failures" -gt 0 ]; then echo "backup-drill-test: $failures failure(s)"; exit 1; fi
echo "backup-drill-test: all passed"
