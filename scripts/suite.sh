#!/usr/bin/env bash
# The local suite runner: the README's first command.
#
#   ./scripts/suite.sh up            install what is missing, build the release binaries,
#                                    start a private PostgreSQL, give each service its own
#                                    schema and role, issue development certificates, start
#                                    every service with mutual TLS, load demo data, wait
#                                    until every health check reports SERVING, and print
#                                    where each service listens and how to call it. Stays in
#                                    the foreground; Ctrl-C stops everything.
#   ./scripts/suite.sh up --detach   the same, but returns once everything serves.
#   ./scripts/suite.sh down          stops the services and the database.
#   ./scripts/suite.sh status        health of every service.
#
# Everything lives in the git-ignored folders .run/ (certificates, secrets, logs,
# pids, endpoints.tsv) and .pgdata/suite (the cluster, port 25433, loopback only,
# run as the unprivileged user immigration-pg). No system service is touched.
# Running `up` twice stops what runs and starts again; certificates, passwords and
# data are kept.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
[ -d /opt/swift/usr/bin ] && export PATH=/opt/swift/usr/bin:$PATH
run="$root/.run"

# name  executable  gRPC port  metrics port  (a service is started once its executable exists)
services=(
  "records RecordsService 50051 9091"
  "portal PassportPortalService 50052 9092"
  "agency AgencyAccessService 50053 9093"
  "autogate AutogateEnrollmentService 50054 9094"
  "biometric BiometricMatchService 50055 9095"
)

log() { printf 'suite: %s\n' "$*" >&2; }

bin_path() { swift build -c release --show-bin-path; }

present_services() {
  local line name exe
  for line in "${services[@]}"; do
    read -r name exe _ _ <<<"$line"
    grep -q "name: \"$exe\"" Package.swift && echo "$line"
  done
}

stop_services() {
  local pidfile pid
  [ -d "$run/pids" ] || return 0
  for pidfile in "$run"/pids/*.pid; do
    [ -e "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping $(basename "$pidfile" .pid) (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    rm -f "$pidfile"
  done
}

down() {
  stop_services
  ./scripts/pg.sh stop --suite >/dev/null 2>&1 || true
  log "stopped"
}

secret() {  # a random password kept in .run/secrets/<name>.password (0600)
  local file="$run/secrets/$1.password"
  if [ ! -s "$file" ]; then
    (umask 077; openssl rand -hex 24 > "$file")
  fi
  cat "$file"
}

up() {
  local detach=false
  [ "${1:-}" = "--detach" ] && detach=true
  ./scripts/install-deps.sh
  mkdir -p "$run"/{logs,pids,secrets}
  chmod 700 "$run" "$run/secrets"
  stop_services

  log "building release binaries"
  swift build -c release --product immigctl >&2
  local line name exe port mport
  while read -r name exe port mport; do
    swift build -c release --product "$exe" >&2
  done < <(present_services)
  local bin; bin=$(bin_path)

  log "starting PostgreSQL (.pgdata/suite, 127.0.0.1:25433)"
  pg_exports=$(./scripts/pg.sh start --suite)
  eval "$pg_exports"
  local pgpass="$run/secrets/pgpass"
  (umask 077; : > "$pgpass")

  log "issuing development certificates (.run/certs)"
  ./scripts/dev-ca.sh "$run/certs" >&2

  : > "$run/endpoints.tsv"
  while read -r name exe port mport; do
    local password; password=$(secret "$name")
    ./scripts/db-provision.sh "$name" "$password" >&2
    printf '127.0.0.1:%s:%s:%s:%s\n' "$PGPORT" "$PGDATABASE" "$name" "$password" >> "$pgpass"
    log "starting $exe on 127.0.0.1:$port (metrics :$mport)"
    # The superuser's PG* variables stay out: each service logs in as its own role.
    env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE \
    SERVICE_NAME="$name" GRPC_LISTEN="127.0.0.1:$port" METRICS_LISTEN="127.0.0.1:$mport" \
    TLS_CERT="$run/certs/$name.crt" TLS_KEY="$run/certs/$name.key" TLS_CA="$run/certs/ca.crt" \
    DATABASE_URL="host=127.0.0.1 port=$PGPORT dbname=$PGDATABASE user=$name" PGPASSFILE="$pgpass" \
    MIGRATE_ON_START=1 LOG_LEVEL=info LOG_FORMAT=json \
    RECORDS_ADDRESS=127.0.0.1:50051 BIOMETRIC_ADDRESS=127.0.0.1:50055 \
      setsid "$bin/$exe" serve >>"$run/logs/$name.log" 2>&1 < /dev/null &
    echo $! > "$run/pids/$name.pid"
    printf '%s\t127.0.0.1:%s\n' "$name" "$port" >> "$run/endpoints.tsv"
  done < <(present_services)

  log "waiting for every service to report SERVING"
  local ok=false
  for _ in $(seq 1 120); do
    if "$bin/immigctl" health >/dev/null 2>&1; then ok=true; break; fi
    sleep 0.5
  done
  if ! $ok; then
    "$bin/immigctl" health || true
    log "a service did not become healthy; see .run/logs/"
    exit 1
  fi

  if [ ! -f "$run/demo-data.loaded" ] && [ -s "$run/endpoints.tsv" ]; then
    log "loading demo data"
    "$bin/immigctl" demo-data --seed 2020 --persons 200 >&2
    touch "$run/demo-data.loaded"
  fi

  "$bin/immigctl" health
  cat <<MSG

The suite is running (logs in .run/logs, certificates in .run/certs).
  $(cut -f1,2 "$run/endpoints.tsv" | tr '\t' ' ' | paste -sd, - | sed 's/,/, /g')
Call it with immigctl (mutual TLS as the demo operator; --as <role>-<id> for another caller):
  $bin/immigctl list
  $bin/immigctl health
  $bin/immigctl call records immigration.records.v1.RecordsService/ListCheckpoints --data '{}'
  $bin/immigctl call records immigration.records.v1.RecordsService/SearchPersons --data '{"name":{"namePrefix":"NGUYEN VAN"},"pageSize":3}'
Stop with Ctrl-C or ./scripts/suite.sh down.
MSG
  if ! $detach; then
    trap 'echo; down; exit 0' INT TERM
    while true; do sleep 1; done
  fi
}

case "${1:-up}" in
  up) shift || true; up "$@" ;;
  down) down ;;
  status) "$(bin_path)/immigctl" health ;;
  *) echo "usage: $0 up [--detach] | down | status" >&2; exit 2 ;;
esac
