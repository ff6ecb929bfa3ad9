#!/usr/bin/env bash
# Entry point of a PostgreSQL node (primary or hot standby), then the official
# image's docker-entrypoint.sh.
#   STANDBY_OF          empty: primary. Otherwise the upstream host to stream from.
#   STANDBY_OF_PORT     the upstream's port (default 5432)
#   REPLICATION_SLOT    physical slot used on the upstream (default: node_<hostname>)
#   SECRETS_DIR         /run/immigration/db-secrets (replicator.pgpass)
#   NODE_OS_USER        the server's system user (default postgres, as in the image)
# A standby's first start clones the upstream: pg_basebackup -R (writes
# primary_conninfo and standby.signal) through a replication slot. A node told to
# be a standby whose data directory holds a primary (a former primary after a
# failover) refuses to start: it must be rebuilt (docs/operations.md, failover),
# so that two primaries never run at once.
set -euo pipefail
: "${PGDATA:=/var/lib/postgresql/data}"
secrets=${SECRETS_DIR:-/run/immigration/db-secrets}
upstream=${STANDBY_OF:-}
upstream_port=${STANDBY_OF_PORT:-5432}
os_user=${NODE_OS_USER:-postgres}

if [ -n "$upstream" ] && [ "$(id -u)" = 0 ]; then
  slot=${REPLICATION_SLOT:-node_$(hostname | tr -c 'a-zA-Z0-9_\n' '_')}
  export PGPASSFILE="$secrets/replicator.pgpass"
  unset PGPASSWORD  # it would win over the password file
  if [ -s "$PGDATA/PG_VERSION" ]; then
    if [ ! -e "$PGDATA/standby.signal" ]; then
      echo "node: STANDBY_OF=$upstream but $PGDATA holds a primary (not a standby); refusing to start." >&2
      echo "node: rebuild it as a standby: see 'Failing over' in docs/operations.md." >&2
      exit 1
    fi
  else
    echo "node: cloning $upstream into $PGDATA (slot $slot)"
    mkdir -p "$PGDATA"
    chown "$os_user:" "$PGDATA"
    chmod 0700 "$PGDATA"
    for _ in $(seq 1 90); do
      gosu "$os_user" pg_isready -q -h "$upstream" -p "$upstream_port" && break
      sleep 2
    done
    conn="host=$upstream port=$upstream_port user=replicator passfile=$PGPASSFILE application_name=$slot"
    has_slot=$(gosu "$os_user" psql -X -At -d "$conn dbname=postgres" \
      -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$slot'")
    create=(--create-slot)
    [ "$has_slot" = 1 ] && create=()
    gosu "$os_user" pg_basebackup -d "$conn" -D "$PGDATA" -R -X stream --checkpoint=fast \
      -S "$slot" "${create[@]}" --no-password
    echo "node: clone done; starting as hot standby of $upstream"
  fi
fi
exec docker-entrypoint.sh "$@"
