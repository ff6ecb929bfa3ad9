# Sourced by run.sh, reads-cpu.sh and grpc-load-selftest.sh: the one way the records
# benchmarks build grpc-load (grpc-load.c: the lean closed-loop client) and its requests.
# shellcheck shell=bash
#
# grpc_load_build WORK
#   Sets grpc_load to WORK/grpc-load, compiled with cc -O2 when missing or older than
#   grpc-load.c or this file (its flags). Installs libnghttp2-dev and libssl-dev first
#   when their headers are missing (as root; otherwise says what to install and exits 1).
# grpc_load_requests CLIENT MODE SAMPLE WORK
#   Sets requests to WORK/MODE.requests: every entry of SAMPLE (persons.txt or
#   documents.txt) as the Swift client CLIENT (RecordsBenchmark) builds its request for
#   MODE (get-person or can-cross), written by its `requests` mode when missing or older
#   than SAMPLE or CLIENT.
grpc_load_build() {
  local program here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  program="$here/grpc-load.c"
  grpc_load="$1/grpc-load"
  if [ ! -f /usr/include/nghttp2/nghttp2.h ] || [ ! -f /usr/include/openssl/ssl.h ]; then
    [ "$(id -u)" = 0 ] || { echo "missing headers for grpc-load: apt-get install libnghttp2-dev libssl-dev" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q libnghttp2-dev libssl-dev >&2
  fi
  if [ ! -x "$grpc_load" ] || [ "$program" -nt "$grpc_load" ] || [ "${BASH_SOURCE[0]}" -nt "$grpc_load" ]; then
    cc -O2 -std=c11 -Wall -Wextra -o "$grpc_load.new" "$program" -lnghttp2 -lssl -lcrypto
    mv "$grpc_load.new" "$grpc_load"
  fi
}

grpc_load_requests() {
  local client=$1 mode=$2 sample=$3
  requests="$4/$mode.requests"
  if [ ! -f "$requests" ] || [ "$sample" -nt "$requests" ] || [ "$client" -nt "$requests" ]; then
    "$client" requests "$mode" "$sample" "$requests.new"
    mv "$requests.new" "$requests"
  fi
}
