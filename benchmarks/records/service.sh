# Sourced by run.sh, reads-cpu.sh and grpc-load-selftest.sh: the one way the records
# benchmarks start the service, read the CPU it and PostgreSQL used, and read the
# machine's speed (cpu_speed).
# shellcheck shell=bash
#
# start_records_service BINARY PORT LOG PGPASSFILE CERTS
# Starts BINARY (a release RecordsService) on 127.0.0.1:PORT with mutual TLS (the
# records certificate of CERTS, made by scripts/dev-ca.sh), logged in as the role
# `records` to the scratch cluster ($PGPORT, $PGDATABASE) through PGPASSFILE, without
# migrating; its output is appended to LOG. Sets service_pid, stops the service on
# exit, and returns once it accepts connections (exits 1 with its log if it dies first).
start_records_service() {
  local bin=$1 port=$2 log=$3 pgpass=$4 certs=$5
  env -u PGHOST -u PGPORT -u PGUSER -u PGPASSWORD -u PGDATABASE PGPASSFILE="$pgpass" \
    SERVICE_NAME=records GRPC_LISTEN="127.0.0.1:$port" \
    TLS_CERT="$certs/records.crt" TLS_KEY="$certs/records.key" TLS_CA="$certs/ca.crt" \
    DATABASE_URL="host=127.0.0.1 port=$PGPORT dbname=$PGDATABASE user=records" MIGRATE_ON_START=0 LOG_LEVEL=warning \
    "$bin" serve >> "$log" 2>&1 &
  service_pid=$!
  trap 'kill $service_pid 2>/dev/null || true; wait $service_pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
    kill -0 "$service_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
}

# caller PORT CERTS NAME: the environment (as `env NAME=VALUE ...` words) in which a
# client (RecordsBenchmark or grpc-load) calls the service on 127.0.0.1:PORT as NAME,
# with NAME's certificate from CERTS; read it into an array: read -r -a gate <<< "$(caller ...)".
caller() {
  echo env RECORDS_TARGET="127.0.0.1:$1" TLS_CERT="$2/$3.crt" TLS_KEY="$2/$3.key" TLS_CA="$2/ca.crt"
}

# cpu_service: CPU seconds so far of the service started by start_records_service.
cpu_service() { awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) / t}' "/proc/$service_pid/stat"; }

# cpu_postgres DATA: CPU seconds so far of the PostgreSQL cluster in the data folder DATA:
# the postmaster with its reaped children, plus every live backend.
cpu_postgres() {
  local master stats; master=$(head -1 "$1/postmaster.pid")
  mapfile -t stats < <(pgrep -P "$master" | sed 's|.*|/proc/&/stat|')
  # cat, not awk, opens the files: a backend may exit between listing and
  # reading, and then cat fails, which must not stop the script (pipefail).
  { cat "/proc/$master/stat" "${stats[@]}" 2>/dev/null || true; } | awk -v t="$(getconf CLK_TCK)" -v m="$master" '
    { split($0, f, ") "); split(f[2], s, " ");
      if ($1 == m) total += s[12] + s[13] + s[14] + s[15]; else total += s[12] + s[13] }
    END { print total / t }'
}

# cpu_speed: the CPU milliseconds a fixed single-thread loop takes now, the
# machine's speed at this moment. The same binaries on this shared VM cost up to
# twice the CPU a call from one quarter of an hour to the next, with nothing else
# running and no steal time counted (docs/benchmarks.md, "Session 9"): a round's
# latencies are read beside the speed measured before and after it. About 0.17 s
# of one core at the faster speed.
cpu_speed() {
  python3 -c '
import time
t = time.process_time(); s = 0
for i in range(1500000): s += i * i
print("%.0f" % ((time.process_time() - t) * 1000))'
}
