# Sourced by the ops tests that run a PostgreSQL cluster of their own.
# shellcheck shell=bash disable=SC2154,SC2034  # pg_bin comes from the sourcing test; port is the result
#
# random_loopback_port: a loopback port that nothing listens on, below Linux's
#   ephemeral range (its low end from /proc; 32768 by default). A port in that range
#   may be an outgoing connection's local port at any moment: the probe then finds no
#   listener and the server still cannot bind it (a standby of replication-test.sh
#   failed to start so in CI). scripts/pg.sh keeps its fixed ports below it too.
random_loopback_port() {
  local low p
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 21000 ] 2>/dev/null || low=32768
  while :; do
    p=$(( 20000 + RANDOM % (low - 20000) ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

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
