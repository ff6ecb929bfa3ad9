#!/usr/bin/env bash
# Applies the RecordsService migrations to a throwaway PostgreSQL 15 cluster
# and runs smoke.sql (keys, checks, indexes) and the outbox ordering check.
# With SYNTHETIC_PERSONS=N it then loads N synthetic persons with their
# documents and crossings (Shared/SyntheticPopulation) through COPY, proving
# the generator's data passes every key, check and foreign key.
# Usage (as root; creates the system user immigration-pg if missing):
#   Services/RecordsService/Store/SchemaCheck/check.sh
#   SYNTHETIC_PERSONS=200000 Services/RecordsService/Store/SchemaCheck/check.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
migrations="$here/../Migrations"
port=${PGPORT_CHECK:-55499}
dir=$(mktemp -d /tmp/records-schema-check.XXXXXX)
bin=/usr/lib/postgresql/15/bin
id immigration-pg >/dev/null 2>&1 || useradd -r immigration-pg
chown immigration-pg "$dir"
as_pg() { su immigration-pg -s /bin/sh -c "$1"; }
as_pg "$bin/initdb -D $dir/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >$dir/initdb.log"
as_pg "$bin/pg_ctl -D $dir/data -w -o '-p $port -k $dir -c listen_addresses=127.0.0.1' -l $dir/pg.log start >/dev/null"
trap 'as_pg "$bin/pg_ctl -D $dir/data -m immediate stop >/dev/null"; rm -rf "$dir"' EXIT
psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port")
"${psql[@]}" -U postgres -c "CREATE ROLE records_service LOGIN" -c "CREATE DATABASE immigration"
"${psql[@]}" -U postgres -d immigration -c "CREATE SCHEMA records AUTHORIZATION records_service"
# As the migration runner does: every file, in order, in one transaction, as the service's role.
mapfile -t files < <(find "$migrations" -name '[0-9][0-9][0-9][0-9]_*.sql' | LC_ALL=C sort)
args=(); for f in "${files[@]}"; do args+=(-f "$f"); done
"${psql[@]}" -U records_service -d immigration --single-transaction "${args[@]}"
echo "applied: ${files[*]##*/}"
"${psql[@]}" -U records_service -d immigration -f "$here/smoke.sql"
"$here/outbox-order.sh" "${psql[@]}" -U records_service -d immigration
if [ "${SYNTHETIC_PERSONS:-0}" -gt 0 ]; then
  root=$(cd "$here/../../../.." && pwd)
  [ -d /opt/swift/usr/bin ] && export PATH=/opt/swift/usr/bin:$PATH
  swiftc -O -module-name SyntheticCSV "$root"/Shared/SyntheticPopulation/*.swift "$here/synthetic/main.swift" -o "$dir/csv"
  mkdir -p "$dir/out"
  "$dir/csv" "$SYNTHETIC_PERSONS" "$dir/out"
  chmod -R a+rX "$dir"
  "${psql[@]}" -U records_service -d immigration -c "TRUNCATE records.crossings, records.document_numbers,
    records.document_status_changes, records.documents, records.citizen_ids, records.person_revisions, records.exit_bans,
    records.outbox, records.persons, records.checkpoints CASCADE"
  sed "s|@DIR@|$dir/out|g" "$here/load-synthetic.sql" | "${psql[@]}" -U records_service -d immigration -f -
fi
echo "schema check passed"
