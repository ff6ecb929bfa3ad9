#!/usr/bin/env bash
# compose/citus one-shot "citus-init": registers the coordinator and the workers
# (idempotent), then provisions the service roles and schemas through the
# coordinator with db-init.sh (Citus propagates roles and schemas to the workers).
# Distributing tables is the services' migrations' business (docs/scaling.md).
# Environment: PGHOST (coordinator), CITUS_WORKERS ("citus-worker-1 citus-worker-2"),
# POSTGRES_DB, SECRETS_DIR.
set -euo pipefail
dir=${SECRETS_DIR:-/run/immigration/db-secrets}
db=${POSTGRES_DB:-immigration}
coordinator=${PGHOST:?PGHOST must name the coordinator}
read -r -a workers <<<"${CITUS_WORKERS:-citus-worker-1 citus-worker-2}"
export PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres} PGCONNECT_TIMEOUT=5
PGPASSWORD=$(cat "$dir/postgres.password")
export PGPASSWORD

for h in "$coordinator" "${workers[@]}"; do
  for _ in $(seq 1 60); do pg_isready -q -h "$h" -d "$db" && break; sleep 2; done
  pg_isready -h "$h" -d "$db"
done

psql -X -v ON_ERROR_STOP=1 -q -d "$db" -v coordinator="$coordinator" <<'SQL'
SELECT citus_set_coordinator_host(:'coordinator', 5432);
SQL
for w in "${workers[@]}"; do
  psql -X -v ON_ERROR_STOP=1 -q -d "$db" -v w="$w" <<'SQL'
SELECT citus_add_node(:'w', 5432)
 WHERE NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE nodename = :'w' AND nodeport = 5432);
SQL
  echo "citus-init: worker $w registered"
done
psql -X -At -d "$db" -c "SELECT nodename || ':' || nodeport || ' ' || noderole FROM pg_dist_node ORDER BY nodeid"

db-init.sh
