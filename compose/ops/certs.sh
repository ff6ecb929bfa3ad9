#!/usr/bin/env bash
# compose one-shot "certs": the development CA and certificates in the certs volume
# (scripts/dev-ca.sh; kept across runs, reissued with CERTS_ROTATE=1). Each service's
# key is then owned by that service's uid, so a service reads only its own key.
# Production mounts certificates from the authority's PKI instead (docs/operations.md).
set -euo pipefail
dir=${CERTS_DIR:-/run/immigration/certs}
args=()
if [ "${CERTS_ROTATE:-0}" = 1 ]; then args+=(--rotate); fi
dev-ca.sh "${args[@]}" "$dir"
# uid of each service (compose/docker-compose.yml, user:)
declare -A uid=([records]=10001 [portal]=10002 [agency]=10003 [autogate]=10004 [biometric]=10005)
for s in "${!uid[@]}"; do
  chown "${uid[$s]}:${uid[$s]}" "$dir/$s.key"
  chmod 0600 "$dir/$s.key"
done
# The CA key and the demo callers' keys stay root-only: no container needs them.
chmod 0644 "$dir"/*.crt
echo "certs ready in $dir"
