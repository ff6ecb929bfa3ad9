# Sourced by the ops tests that run a PostgreSQL cluster of their own.
# shellcheck shell=bash disable=SC2154,SC2034  # pg_bin comes from the sourcing test; port is the result
#
# random_loopback_port: from scripts/loopback-port.sh (below Linux's ephemeral range).
# shellcheck source=scripts/loopback-port.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/loopback-port.sh"

# start_on_random_port USER DATA_DIR LOG
#   Starts the initialised cluster in DATA_DIR as USER on a random loopback port
#   (TCP only, no Unix socket) with $pg_bin's pg_ctl and sets `port`. A random
#   port may still be taken (another cluster starting at the same moment), so up to
#   20 are tried; returns 1 if none would do.
start_on_random_port() {
  local user=$1 data=$2 log=$3 candidate
  port=""
  for _ in $(seq 1 20); do
    candidate=$(random_loopback_port)
    if runuser -u "$user" -- "$pg_bin/pg_ctl" -D "$data" -l "$log" -w \
        -o "-c listen_addresses=127.0.0.1 -c port=$candidate -c unix_socket_directories=''" start >/dev/null 2>&1; then
      port=$candidate
      return 0
    fi
  done
  return 1
}
