#!/bin/sh
# Container health check: grpc.health.v1.Health/Check over mTLS with the service's
# own certificate (its SPIFFE ID is service/<name>); healthy only on SERVING.
# Reads GRPC_LISTEN, TLS_CERT, TLS_KEY, TLS_CA; HEALTH_SERVICE names the service to
# check (empty: the server as a whole); HEALTH_SERVER_NAME the name to verify.
set -eu
port=${GRPC_LISTEN##*:}
out=$(grpcurl -max-time 4 \
  -cacert "$TLS_CA" -cert "$TLS_CERT" -key "$TLS_KEY" \
  -servername "${HEALTH_SERVER_NAME:-localhost}" \
  -import-path /usr/share/immigration/protos -proto grpc/health/v1/health.proto \
  -d "{\"service\":\"${HEALTH_SERVICE:-}\"}" \
  "127.0.0.1:${port}" grpc.health.v1.Health/Check) || exit 1
case "$out" in
  *'"SERVING"'*) exit 0 ;;
  *) echo "$out"; exit 1 ;;
esac
