#!/usr/bin/env bash
# Runs once, when the primary's data directory is first created (official image's
# /docker-entrypoint-initdb.d): the replication role, with its password from the
# secrets volume, and pg_hba lines that let it stream from any host on the
# compose network (scram-sha-256).
set -euo pipefail
pwfile="${SECRETS_DIR:-/run/immigration/db-secrets}/replicator.password"
[ -s "$pwfile" ] || { echo "primary-init: $pwfile is missing" >&2; exit 1; }
# psql reads the password from the file itself: never on a command line.
# shellcheck disable=SC2016 # the backticks are for psql
{ printf '\\set pw `cat %q`\n' "$pwfile"
  cat <<'SQL'
SET log_statement = 'none';
SELECT 'CREATE ROLE replicator' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'replicator') \gexec
ALTER ROLE replicator WITH LOGIN REPLICATION PASSWORD :'pw';
SQL
} | psql -X -v ON_ERROR_STOP=1 -q --username "$POSTGRES_USER" --dbname postgres
cat >>"$PGDATA/pg_hba.conf" <<'HBA'
# streaming replication (compose/postgres/primary-init/10-replication.sh); the
# "postgres" line lets a standby look up its replication slot before cloning.
host replication replicator all scram-sha-256
host postgres    replicator all scram-sha-256
HBA
