#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for tests and the local suite, in a git-ignored
# folder of the repository (.pgdata/<mode>). The server runs as the unprivileged
# system user immigration-pg, listens on 127.0.0.1 only (one fixed port per mode),
# keeps its unix socket in the data folder, and asks for a password (SCRAM) from
# everyone. No system service or system cluster is touched.
#
#   eval "$(scripts/pg.sh start --test)"    create if missing, start, print PG* exports
#   (in scripts under `set -e`, through a variable: `pg_exports=$(scripts/pg.sh start
#   --test); eval "$pg_exports"` stops when the start fails, where `eval "$(…)"` goes on)
#   scripts/pg.sh stop    [--test|--suite|--scratch]
#   scripts/pg.sh restart [--test|--suite|--scratch]   (prints the exports too)
#   scripts/pg.sh status  [--test|--suite|--scratch]
#   scripts/pg.sh env     [--test|--suite|--scratch]   exports only (cluster must exist)
#   scripts/pg.sh destroy [--test|--suite|--scratch]   stop and delete the folder
#
# Modes: test (port 25432, the default), suite (25433, the local suite runner),
# scratch (25434, a throwaway cluster for tests that disrupt the server, such as
# the restart test, so that tests running in parallel on --test are not hit).
# The ports are below Linux's ephemeral range (32768-60999): a port in it may be
# taken, at the moment a cluster starts, by the local end of some connection (a
# test's own connection to the test cluster once took the scratch cluster's port).
# Environment: PG_TEST_PORT, PG_SUITE_PORT, PG_SCRATCH_PORT override the ports;
# PG_BIN (default /usr/lib/postgresql/15/bin), PG_OS_USER (default
# immigration-pg). Everything but the export lines goes to stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
os_user=${PG_OS_USER:-immigration-pg}
superuser=immigration
database=immigration

usage() { echo "usage: $0 start|stop|restart|status|env|destroy [--test|--suite|--scratch]" >&2; exit 2; }
log() { echo "pg.sh: $*" >&2; }

command=${1:-}; [ -n "$command" ] || usage
mode="test"
case "${2:-}" in
  ""|--test) mode="test" ;;
  --suite) mode=suite ;;
  --scratch) mode=scratch ;;
  *) usage ;;
esac
case "$mode" in
  test) port=${PG_TEST_PORT:-25432} ;;
  suite) port=${PG_SUITE_PORT:-25433} ;;
  scratch) port=${PG_SCRATCH_PORT:-25434} ;;
esac

base="$root/.pgdata"
data="$base/$mode"
password_file="$base/$mode.password"
# When the repository sits where the server's user cannot go (under /root, say),
# the data folder lives in /var/tmp and .pgdata/<mode> is a link to it.
if [ -L "$data" ]; then data=$(readlink -f "$data"); fi
log_file="$data/server.log"

# Runs a command as the cluster's OS user (directly when we already are that user
# or are not root, so a developer account can run its own cluster).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$os_user" -- "$@"
  else
    "$@"
  fi
}

ensure_os_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  if ! id "$os_user" >/dev/null 2>&1; then
    log "creating system user $os_user"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$os_user"
  fi
}

is_running() { [ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

print_exports() {
  [ -f "$password_file" ] || { log "no cluster in $data (run start first)"; exit 1; }
  local password
  password=$(cat "$password_file")
  echo "export PGHOST=127.0.0.1 PGPORT=$port PGUSER=$superuser PGPASSWORD=$password PGDATABASE=$database"
}

# Settings rewritten at every start, so that moving the repository keeps working.
write_settings() {
  as_owner tee "$data/immigration.conf" >/dev/null <<EOF
# Written by scripts/pg.sh at every start; edits are lost.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
unix_socket_permissions = 0700
password_encryption = 'scram-sha-256'
max_connections = 300
fsync = on
synchronous_commit = on
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

create_cluster() {
  ensure_os_user
  mkdir -p "$base"
  chmod 0755 "$base"
  if [ ! -f "$password_file" ]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$password_file")
  fi
  # The OS user must be able to reach the folder: every parent needs o+x.
  local dir="$base" reachable=yes
  while [ "$dir" != "/" ]; do
    if ! as_owner test -x "$dir"; then reachable=no; break; fi
    dir=$(dirname "$dir")
  done
  rm -rf "$data"
  if [ "$reachable" = no ]; then
    local outside
    outside="/var/tmp/immigration-pgdata-$(printf '%s' "$root" | sha256sum | cut -c1-12)/$mode"
    log "$os_user cannot enter $dir: the data folder goes to $outside (linked from .pgdata/$mode)"
    rm -rf "${outside:?}" "${base:?}/${mode:?}"
    mkdir -p "$outside"
    chmod 0755 "$(dirname "$outside")"
    ln -sfn "$outside" "$base/$mode"
    data=$outside
    log_file="$data/server.log"
  fi
  log "creating cluster in $data (port $port)"
  mkdir -p "$data"
  if [ "$(id -u)" -eq 0 ]; then chown "$os_user": "$data"; fi
  chmod 0700 "$data"
  local pwfile
  pwfile=$(mktemp)
  cat "$password_file" > "$pwfile"
  if [ "$(id -u)" -eq 0 ]; then chown "$os_user": "$pwfile"; fi
  as_owner "$bin/initdb" -D "$data" -U "$superuser" --pwfile="$pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 --data-checksums >&2
  rm -f "$pwfile"
  # TCP on loopback only, password (SCRAM) for everyone, replication included.
  as_owner tee "$data/pg_hba.conf" >/dev/null <<EOF
# Written by scripts/pg.sh.
local   all          all                  scram-sha-256
host    all          all   127.0.0.1/32   scram-sha-256
host    replication  all   127.0.0.1/32   scram-sha-256
EOF
  echo "include_if_exists = 'immigration.conf'" | as_owner tee -a "$data/postgresql.conf" >/dev/null
}

start() {
  ensure_os_user
  if [ ! -f "$data/PG_VERSION" ] || [ ! -f "$password_file" ]; then
    create_cluster
  fi
  # A cluster already running on another port (an older default, another PG_*_PORT)
  # is restarted on this one: the exports below name $port.
  if is_running && [ "$(sed -n 4p "$data/postmaster.pid" 2>/dev/null)" != "$port" ]; then
    log "the $mode cluster runs on another port; restarting it on $port"
    stop
  fi
  if ! is_running; then
    write_settings
    log "starting the $mode cluster on 127.0.0.1:$port"
    # 9>&-: the server must not inherit the lock, or the next pg.sh would wait forever.
    # In a subshell, close every descriptor inherited from the caller (a test
    # process's client sockets, the lock on 9): the server would otherwise keep
    # them open for its whole life, and the next pg.sh would wait on the lock.
    (
      for fd in "/proc/$BASHPID/fd/"*; do
        fd=${fd##*/}
        if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
      done
      as_owner "$bin/pg_ctl" -D "$data" -l "$log_file" -w -t 60 start >&2
    )
  fi
  local password
  password=$(cat "$password_file")
  if ! PGPASSWORD=$password "$bin/psql" -h 127.0.0.1 -p "$port" -U "$superuser" -d postgres -XtAq \
      -c "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
    PGPASSWORD=$password "$bin/psql" -h 127.0.0.1 -p "$port" -U "$superuser" -d postgres -Xq \
      -c "CREATE DATABASE $database" >&2
  fi
  print_exports
}

stop() {
  if is_running; then
    log "stopping the $mode cluster"
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >&2 9>&-
  fi
}

# One lock per mode: two concurrent starts (parallel test runners) do not race.
mkdir -p "$base"
exec 9>"$base/$mode.lock"
flock 9

case "$command" in
  start) start ;;
  stop) stop ;;
  restart)
    stop
    start ;;
  status)
    if is_running; then echo "running on 127.0.0.1:$port ($data)"; else echo "stopped ($data)"; exit 3; fi ;;
  env) print_exports ;;
  destroy)
    stop
    rm -rf "${data:?}" "${base:?}/${mode:?}" "$password_file" ;;
  *) usage ;;
esac
