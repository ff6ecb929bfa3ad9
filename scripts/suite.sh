#!/usr/bin/env bash
# Starts (up) or stops (down) the local suite. Grows as the services land.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
[ -d /opt/swift/usr/bin ] && export PATH=/opt/swift/usr/bin:$PATH
case "${1:-up}" in
  up)
    ./scripts/install-deps.sh
    swift build -c release
    echo "built; no service has landed yet, so none is started"
    ;;
  down) echo "nothing running" ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
