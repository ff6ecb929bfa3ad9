# Sourced by scripts/backup-drill.sh and the ops tests (Tests/Ops/private-cluster.sh):
# the one way they pick a port for a PostgreSQL cluster of their own.
# shellcheck shell=bash
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
