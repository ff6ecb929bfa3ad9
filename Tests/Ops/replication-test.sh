#!/usr/bin/env bash
# Tests the streaming-replication and failover pieces of compose/ with real
# PostgreSQL 15 servers and no Docker engine: the primary's init script
# (compose/postgres/primary-init), the node entry point (compose/postgres/
# node-entrypoint.sh: pg_basebackup -R through a slot, the fence that keeps a
# former primary from starting again), a nightly backup taken from the hot standby
# (scripts/backup-drill.sh), and the failover procedure of docs/operations.md:
# promote the standby, libpq's multi-host URLs find the new primary by themselves,
# rebuild the old primary as a standby of the new one.
# The official image's gosu and docker-entrypoint.sh are replaced by small stubs
# that start the server as an unprivileged user on a loopback port.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
user=${DRILL_USER:-immigration-pg}
failures=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
check() { # <description> <command...>
  local d=$1; shift
  if "$@" >/dev/null 2>&1; then ok "$d"; else fail "$d"; fi
}
[ "$(id -u)" -eq 0 ] || { echo "replication-test: run as root (servers run as $user)"; exit 1; }
if [ ! -x "$pg_bin/initdb" ] || ! command -v openssl >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 openssl >/dev/null
fi
id "$user" >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$user"

tmp=$(mktemp -d)
chmod 0711 "$tmp"
nodes=("$tmp/a" "$tmp/b")
cleanup() {
  for d in "${nodes[@]}"; do
    runuser -u "$user" -- "$pg_bin/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1 || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

# shellcheck source=Tests/Ops/private-cluster.sh
. "$root/Tests/Ops/private-cluster.sh"
port_a=$(random_loopback_port); port_b=$(random_loopback_port)
while [ "$port_b" = "$port_a" ]; do port_b=$(random_loopback_port); done
# The settings of x-postgres-command in compose/docker-compose.yml that matter here.
server_opts="-c listen_addresses=127.0.0.1 -c wal_level=replica -c max_wal_senders=10 -c max_replication_slots=10 -c hot_standby=on -c hot_standby_feedback=on -c wal_log_hints=on -c fsync=off"

# Stubs for the official image's tools.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/gosu" <<EOF
#!/bin/sh
shift
exec runuser -u $user -- "\$@"
EOF
cat >"$tmp/bin/docker-entrypoint.sh" <<EOF
#!/bin/sh
# stub: start the server in PGDATA on NODE_PORT and return
exec runuser -u $user -- "$pg_bin/pg_ctl" -D "\$PGDATA" -l "\$PGDATA.log" -w -o "$server_opts -c port=\$NODE_PORT -c unix_socket_directories=$tmp/sock" start
EOF
chmod +x "$tmp/bin/gosu" "$tmp/bin/docker-entrypoint.sh"
mkdir -p "$tmp/sock" && chown "$user" "$tmp/sock" "$tmp"

# Secrets as compose makes them; the servers' files belong to the server's user.
SECRETS_DIR="$tmp/secrets" "$root/compose/ops/secrets.sh" >/dev/null
chown "$user" "$tmp/secrets/postgres.password" "$tmp/secrets/replicator.password" \
  "$tmp/secrets/replicator.pgpass" "$tmp/secrets/postgres.pgpass"
export PGPASSWORD
PGPASSWORD=$(cat "$tmp/secrets/postgres.password")

node() { # <dir> <port> <STANDBY_OF port or empty> : run compose/postgres/node-entrypoint.sh
  local upstream_env=()
  [ -n "$3" ] && upstream_env=(STANDBY_OF=127.0.0.1 STANDBY_OF_PORT="$3")
  env PATH="$tmp/bin:$pg_bin:$PATH" PGDATA="$1" NODE_PORT="$2" SECRETS_DIR="$tmp/secrets" \
    REPLICATION_SLOT="node_$(basename "$1")" NODE_OS_USER="$user" "${upstream_env[@]}" \
    "$root/compose/postgres/node-entrypoint.sh" postgres
}
sql() { # <port> <sql>
  "$pg_bin/psql" -X -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d immigration -c "$2"
}
wait_for() { # <port> <sql> <expected>
  for _ in $(seq 1 50); do
    [ "$(sql "$1" "$2" 2>/dev/null)" = "$3" ] && return 0
    sleep 0.2
  done
  return 1
}

echo "# primary: initdb as the official image does, then primary-init"
runuser -u "$user" -- "$pg_bin/initdb" -D "$tmp/a" -U postgres --pwfile="$tmp/secrets/postgres.password" \
  --auth-local=trust --auth-host=scram-sha-256 --data-checksums >/dev/null
echo "host all all all scram-sha-256" >>"$tmp/a/pg_hba.conf"
runuser -u "$user" -- "$pg_bin/pg_ctl" -D "$tmp/a" -l "$tmp/a.log" -w \
  -o "$server_opts -c port=$port_a -c unix_socket_directories=$tmp/sock" start >/dev/null
runuser -u "$user" -- env PATH="$pg_bin:$PATH" POSTGRES_USER=postgres PGDATA="$tmp/a" PGHOST="$tmp/sock" \
  PGPORT="$port_a" SECRETS_DIR="$tmp/secrets" "$root/compose/postgres/primary-init/10-replication.sh"
runuser -u "$user" -- "$pg_bin/pg_ctl" -D "$tmp/a" reload >/dev/null
"$pg_bin/psql" -X -q -h 127.0.0.1 -p "$port_a" -U postgres -d postgres -c "CREATE DATABASE immigration"
check "primary-init creates a replication role with its generated password" \
  env PGPASSWORD="$(cat "$tmp/secrets/replicator.password")" "$pg_bin/psql" -X -At -h 127.0.0.1 -p "$port_a" \
  -U replicator -d postgres -c "SELECT rolreplication FROM pg_roles WHERE rolname = current_user"
SECRETS_DIR="$tmp/secrets" PGHOST=127.0.0.1 PGPORT=$port_a DB_INIT_MARKER="$tmp/db-init.done" PATH="$pg_bin:$PATH" \
  "$root/compose/ops/db-init.sh" >/dev/null
sql "$port_a" "CREATE TABLE records.crossing (id bigserial PRIMARY KEY, note text NOT NULL); ALTER TABLE records.crossing OWNER TO records; INSERT INTO records.crossing (note) SELECT 'row ' || i FROM generate_series(1, 1000) i" >/dev/null

echo "# standby: first start clones the primary through a slot"
if node "$tmp/b" "$port_b" "$port_a" >"$tmp/b.entry.log" 2>&1; then ok "node entry point clones and starts the standby"
else fail "node entry point clones and starts the standby"; sed 's/^/    /' "$tmp/b.entry.log"; fi
check "the standby is in recovery (hot standby)" wait_for "$port_b" "SELECT pg_is_in_recovery()" t
check "standby.signal written by pg_basebackup -R" test -f "$tmp/b/standby.signal"
check "primary_conninfo names the password file, not the password" \
  bash -c "grep -q 'passfile=' '$tmp/b/postgresql.auto.conf' && ! grep -q 'password=' '$tmp/b/postgresql.auto.conf'"
check "the primary holds an active slot node_b" wait_for "$port_a" "SELECT active FROM pg_replication_slots WHERE slot_name = 'node_b'" t
sql "$port_a" "INSERT INTO records.crossing (note) VALUES ('after clone')" >/dev/null
check "a write on the primary is readable on the standby" \
  wait_for "$port_b" "SELECT count(*) FROM records.crossing WHERE note = 'after clone'" 1
if sql "$port_b" "INSERT INTO records.crossing (note) VALUES ('x')" >"$tmp/ro.log" 2>&1; then
  fail "the standby refuses writes"
elif grep -q 'read-only transaction' "$tmp/ro.log"; then ok "the standby refuses writes"
else fail "the standby refuses writes (as read-only)"; sed 's/^/    /' "$tmp/ro.log"; fi

echo "# nightly backup from the standby"
if PGHOST=127.0.0.1 PGPORT=$port_b PGUSER=postgres PGDATABASE=immigration \
    "$root/scripts/backup-drill.sh" --schemas records >"$tmp/drill.log" 2>&1; then
  ok "backup-drill.sh dumps from the hot standby and the restore matches"
else fail "backup-drill.sh dumps from the hot standby and the restore matches"; sed 's/^/    /' "$tmp/drill.log" | tail -15; fi

echo "# failover"
runuser -u "$user" -- "$pg_bin/pg_ctl" -D "$tmp/a" -m fast -w stop >/dev/null
if node "$tmp/a" "$port_a" "$port_b" >"$tmp/a.fence.log" 2>&1; then
  fail "a former primary told to follow another node refuses to start"
else
  if grep -q 'refusing to start' "$tmp/a.fence.log"; then ok "a former primary told to follow another node refuses to start"
  else fail "a former primary refuses to start with a reason"; sed 's/^/    /' "$tmp/a.fence.log"; fi
fi
check "promote the standby (SELECT pg_promote())" sql "$port_b" "SELECT pg_promote()"
check "the promoted node accepts writes" sql "$port_b" "INSERT INTO records.crossing (note) VALUES ('after failover')"
url_rw="postgresql://postgres@127.0.0.1:$port_a,127.0.0.1:$port_b/immigration?target_session_attrs=read-write&connect_timeout=2"
check "DATABASE_URL (both hosts, read-write) reaches the promoted node unchanged" \
  bash -c "[ \"\$('$pg_bin/psql' -X -At '$url_rw' -c 'SHOW port')\" = '$port_b' ]"

echo "# rebuild the old primary as a standby of the new one"
rm -rf "$tmp/a"
if node "$tmp/a" "$port_a" "$port_b" >"$tmp/a.entry.log" 2>&1; then ok "the old primary's node clones the new primary"
else fail "the old primary's node clones the new primary"; sed 's/^/    /' "$tmp/a.entry.log"; fi
check "the rebuilt node is a hot standby" wait_for "$port_a" "SELECT pg_is_in_recovery()" t
check "it has the rows written after the failover" \
  wait_for "$port_a" "SELECT count(*) FROM records.crossing WHERE note = 'after failover'" 1
url_ro="postgresql://postgres@127.0.0.1:$port_b,127.0.0.1:$port_a/immigration?target_session_attrs=prefer-standby&connect_timeout=2"
check "DATABASE_READ_URL (prefer-standby) reaches the rebuilt standby" \
  bash -c "[ \"\$('$pg_bin/psql' -X -At '$url_ro' -c 'SHOW port')\" = '$port_a' ]"
check "DATABASE_URL still reaches the new primary" \
  bash -c "[ \"\$('$pg_bin/psql' -X -At '$url_rw' -c 'SHOW port')\" = '$port_b' ]"
runuser -u "$user" -- "$pg_bin/pg_ctl" -D "$tmp/a" -m fast -w stop >/dev/null
rm -rf "$tmp/a"
if node "$tmp/a" "$port_a" "$port_b" >"$tmp/a.entry2.log" 2>&1; then ok "a second rebuild reuses the existing slot"
else fail "a second rebuild reuses the existing slot"; sed 's/^/    /' "$tmp/a.entry2.log"; fi
check "after the second rebuild the slot is active again" \
  wait_for "$port_b" "SELECT active FROM pg_replication_slots WHERE slot_name = 'node_a'" t

if [ "$failures" -gt 0 ]; then echo "replication-test: $failures failure(s)"; exit 1; fi
echo "replication-test: all passed"
