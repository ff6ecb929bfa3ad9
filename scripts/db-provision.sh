#!/usr/bin/env bash
# Gives one service its own login role and schema, both named <service-schema>,
# with rights on that schema only. Idempotent: running it again only resets the
# password and the grants. Runs as the superuser named by the PG* variables
# (eval "$(scripts/pg.sh start --test)" sets them).
#
#   scripts/db-provision.sh records "$RECORDS_DB_PASSWORD"
#
# What it does (the same as ServiceDatabaseProvisioner in Shared/Postgres):
#   - nobody but the owner and the superuser may create in or use schema public;
#   - CONNECT and TEMPORARY on the database are taken from PUBLIC; the role gets
#     CONNECT only;
#   - role <name>: LOGIN, password (SCRAM), no superuser, createdb, createrole,
#     replication or RLS bypass; search_path = <name>;
#   - schema <name> owned by the role; PUBLIC gets nothing on it.
# The password travels in an environment variable, not on a command line.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 <service-schema> <role-password>" >&2; exit 2; }
name=$1
if ! [[ "$name" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || [[ "$name" == pg_* ]] || [ "$name" = public ]; then
  echo "db-provision.sh: '$name' is not a valid service schema name (lower case, digits, _; not pg_*, not public)" >&2
  exit 2
fi
[ -n "$2" ] || { echo "db-provision.sh: the password must not be empty" >&2; exit 2; }
psql=${PG_BIN:-/usr/lib/postgresql/15/bin}/psql
[ -x "$psql" ] || psql=psql

PROVISION_NAME=$name PROVISION_PASSWORD=$2 "$psql" -X -q -v ON_ERROR_STOP=1 <<'SQL'
\getenv name PROVISION_NAME
\getenv password PROVISION_PASSWORD
SET client_min_messages = warning;
BEGIN;
SELECT pg_advisory_xact_lock(7248505122061432353) AS locked \gset
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('CREATE ROLE %I', :'name')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT PASSWORD %L',
              :'name', :'password') \gexec
SELECT format('ALTER ROLE %I SET search_path TO %I', :'name', :'name') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'name') \gexec
SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', :'name', :'name') \gexec
SELECT format('ALTER SCHEMA %I OWNER TO %I', :'name', :'name') \gexec
SELECT format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', :'name') \gexec
COMMIT;
SQL
echo "db-provision.sh: role and schema '$name' ready" >&2
