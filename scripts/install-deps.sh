#!/usr/bin/env bash
# Installs what building, running and testing the suite needs on Debian 12, as
# root: the C libraries, protoc and protoc-c, PostgreSQL 15, test tools, and the
# Python packages of the interoperability tests. Safe to run again.
set -euo pipefail
apt_packages=(
  libgrpc-dev libgrpc++-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libprotobuf-dev
  libpq-dev libssl-dev postgresql postgresql-contrib openssl
  nghttp2-client docker-compose libclang-rt-14-dev python3-pip curl
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "${1:-}" = "--with-python" ]; then
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    -r "$(dirname "$0")/../Tests/Python/requirements.txt"
fi
