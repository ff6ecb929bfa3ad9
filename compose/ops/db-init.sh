#!/usr/bin/env bash
# compose one-shot "db-init" (and the local runner's equivalent): one database, and
# per service one login role and one schema owned by it, with no rights anywhere
# else (DESIGN: each service owns one schema and one role). Idempotent: roles and
# schemas that exist are kept; passwords are (re)set from the secrets volume.
# Tables are not created here: each service applies its own migrations at start.
#
# Environment: PGHOST, PGPORT (5432), PGUSER (postgres), POSTGRES_DB (immigration),
# SECRETS_DIR (/run/immigration/db-secrets: postgres.password, <service>.password),
# SERVICES (records portal agency autogate biometric), DB_INIT_MARKER (a file
# touched on success; the container health check looks for it).
set -euo pipefail
dir=${SECRETS_DIR:-/run/immigration/db-secrets}
db=${POSTGRES_DB:-immigration}
read -r -a services <<<"${SERVICES:-records portal agency autogate biometric}"
export PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres} PGCONNECT_TIMEOUT=5
PGPASSWORD=$(cat "$dir/postgres.password")
export PGPASSWORD

for _ in $(seq 1 60); do
  pg_isready -q -d postgres && break
  sleep 2
done
pg_isready -d postgres

psql() { command psql -X -v ON_ERROR_STOP=1 -q "$@"; }

# The database, closed to PUBLIC: only the roles granted below may connect.
psql -d postgres -v db="$db" <<'SQL'
SELECT format('CREATE DATABASE %I', :'db')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
SQL
psql -d "$db" <<'SQL'
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL

for s in "${services[@]}"; do
  [ -s "$dir/$s.password" ] || { echo "db-init: $dir/$s.password is missing (run the secrets job)" >&2; exit 1; }
  # psql reads the password from its file itself (\set with a backtick command), so
  # it is never on a command line; statement logging is off for this session so it
  # does not reach the server log either.
  # shellcheck disable=SC2016 # the backticks are for psql
  { printf '\\set pw `cat %q`\n' "$dir/$s.password"
    cat <<'SQL'
SET log_statement = 'none';
SET log_min_duration_statement = -1;
SELECT format('CREATE ROLE %I', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  INHERIT CONNECTION LIMIT 200 PASSWORD :'pw';
ALTER ROLE :"role" IN DATABASE :"db" SET search_path = :"role";
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"role";
CREATE SCHEMA IF NOT EXISTS :"role" AUTHORIZATION :"role";
ALTER SCHEMA :"role" OWNER TO :"role";
REVOKE ALL ON SCHEMA :"role" FROM PUBLIC;
SQL
  } | psql -d "$db" -v role="$s" -v db="$db"
  echo "db-init: role and schema $s ready"
done

# Proof, at every run, that no service role can use another's schema.
for s in "${services[@]}"; do
  for o in "${services[@]}"; do
    [ "$s" = "$o" ] && continue
    can=$(psql -d "$db" -At -c "SELECT has_schema_privilege('$s', '$o', 'USAGE') OR has_schema_privilege('$s', '$o', 'CREATE')")
    if [ "$can" != f ]; then echo "db-init: role $s has rights on schema $o" >&2; exit 1; fi
  done
done
touch "${DB_INIT_MARKER:-/tmp/db-init.done}"
echo "db-init: done"
