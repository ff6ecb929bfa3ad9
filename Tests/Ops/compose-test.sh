#!/usr/bin/env bash
# Tests compose/ without a Docker engine: every compose file validates with
# Debian's docker-compose (1.29), every service has a health check and a restart
# policy, every build names an existing Dockerfile and every Dockerfile COPY an
# existing source, each service's certificates and password file are its own,
# Prometheus scrapes every service's metrics port (promtool), and every shell
# script of scripts/, compose/ and Tests/Ops/ passes `bash -n` and shellcheck.
# Then runs compose's own jobs for real against a throw-away PostgreSQL 15 cluster:
# secrets.sh, db-init.sh (twice) and certs.sh, and checks that a service's role
# can use its own schema and not another's.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
# shellcheck source=Tests/Ops/private-cluster.sh
. "$root/Tests/Ops/private-cluster.sh"
failures=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
check() { # <description> <command...>
  local d=$1; shift
  if "$@" >/dev/null 2>&1; then ok "$d"; else fail "$d"; fi
}

need=()
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ -x "$pg_bin/initdb" ] || need+=(postgresql-15)
if [ "${#need[@]}" -gt 0 ] && [ "$(id -u)" -eq 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

tmp=$(mktemp -d)
chmod 0711 "$tmp"
server_dir=""
cleanup() {
  if [ -n "$server_dir" ]; then
    runuser -u "${DRILL_USER:-immigration-pg}" -- "$pg_bin/pg_ctl" -D "$server_dir" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

compose_files=(compose/docker-compose.yml compose/citus/docker-compose.citus.yml)

echo "# compose files are valid for docker-compose $(docker-compose version --short 2>/dev/null)"
for f in "${compose_files[@]}"; do
  if docker-compose -f "$f" config -q 2>"$tmp/err"; then ok "$f: docker-compose config -q"
  else fail "$f: docker-compose config -q"; sed 's/^/    /' "$tmp/err"; fi
  # With every profile on, too: services that land later must stay valid.
  profiles=$(python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1]))
print(" ".join(sorted({p for s in d["services"].values() for p in s.get("profiles", [])})))' "$f")
  args=()
  for p in $profiles; do args+=(--profile "$p"); done
  check "$f: valid with every profile enabled (${profiles:-none})" docker-compose -f "$f" "${args[@]}" config -q
  example="$(dirname "$f")/.env.example"
  check "$f: valid with $example as .env" docker-compose --env-file "$example" -f "$f" config -q
  # Every variable the compose file reads is documented in the .env.example beside it.
  undocumented=$(grep -ohE '[$][{][A-Z_]+' "$f" | cut -c3- | sort -u |
    while read -r v; do grep -q "^$v=" "$example" || echo "$v"; done)
  if [ -z "$undocumented" ]; then ok "$f: every variable is in $example"
  else fail "$f: variables missing from $example: $(echo "$undocumented" | tr '\n' ' ')"; fi
done

echo "# services: health checks, restart policies, images, identities"
for f in "${compose_files[@]}"; do
  docker-compose -f "$f" config >"$tmp/resolved.yml"
  if python3 - "$f" "$tmp/resolved.yml" >"$tmp/structure" 2>&1 <<'PY'
import os, re, sys, yaml
path, resolved = sys.argv[1], sys.argv[2]
d = yaml.safe_load(open(resolved))
problems = []
uids = {}
for name, svc in d["services"].items():
    hc = svc.get("healthcheck")
    if not hc or hc.get("disable") or not hc.get("test") or hc["test"][0] == "NONE":
        problems.append(f"{name}: no healthcheck")
    if "restart" not in svc:
        problems.append(f"{name}: no restart policy")
    one_shot = svc.get("restart") == "no"
    b = svc.get("build")
    if b:
        df = os.path.join(b["context"], b.get("dockerfile", "Dockerfile"))
        if not os.path.isfile(df):
            problems.append(f"{name}: Dockerfile {df} is missing")
    env = svc.get("environment") or {}
    if "GRPC_LISTEN" in env:  # a gRPC service of the suite
        s = env.get("SERVICE_NAME", name)
        for k, v in (("TLS_CERT", f"/run/immigration/certs/{s}.crt"), ("TLS_KEY", f"/run/immigration/certs/{s}.key"),
                     ("TLS_CA", "/run/immigration/certs/ca.crt"), ("PGPASSFILE", f"/run/immigration/db-secrets/{s}.pgpass"),
                     ("METRICS_LISTEN", "0.0.0.0:9090"), ("GRPC_LISTEN", "0.0.0.0:50051")):
            if env.get(k) != v:
                problems.append(f"{name}: {k} is {env.get(k)!r}, expected {v!r}")
        url = env.get("DATABASE_URL", "")
        if not url.startswith(f"postgresql://{s}@"):
            problems.append(f"{name}: DATABASE_URL does not log in as role {s}")
        if re.search(r"://[^/@]*:[^/@]*@", url):
            problems.append(f"{name}: DATABASE_URL carries a password")
        if "grpc-health" not in " ".join(svc["healthcheck"]["test"]):
            problems.append(f"{name}: health check is not grpc.health.v1")
        user = str(svc.get("user", ""))
        if not user or user.startswith("0"):
            problems.append(f"{name}: runs as root")
        if user in uids.values():
            problems.append(f"{name}: shares uid {user} with another service")
        uids[name] = user
    if not one_shot and svc.get("restart") not in ("always", "unless-stopped", "on-failure"):
        problems.append(f"{name}: long-running service without restart policy")
    for k, v in (svc.get("environment") or {}).items():
        if re.search(r"PASSWORD$", k) and v:
            problems.append(f"{name}: {k} set in plain text")
print("\n".join(problems) if problems else f"{len(d['services'])} services checked")
sys.exit(1 if problems else 0)
PY
  then ok "$f: $(cat "$tmp/structure")"
  else fail "$f: service definitions"; sed 's/^/    /' "$tmp/structure"; fi
done

echo "# Dockerfiles copy only what exists"
for df in compose/Dockerfile.service compose/Dockerfile.ops compose/postgres/Dockerfile; do
  missing=$(awk '/^COPY / && !/--from=/ { for (i = 2; i < NF; i++) print $i }' "$df" | while read -r src; do
    case "$src" in *'['*) continue ;; esac
    [ -e "$src" ] || echo "$src"
  done)
  if [ -z "$missing" ]; then ok "$df: every COPY source exists"; else fail "$df: missing $missing"; fi
done
# shellcheck disable=SC2016 # literal Dockerfile text
check "Dockerfile.service builds the product named by ARG SERVICE" grep -q -- '--product "${SERVICE}"' compose/Dockerfile.service
check "Dockerfile.service runtime carries libgrpc29 libprotobuf-c1 libpq5 libssl3" \
  bash -c 'grep -q "libgrpc29 libprotobuf-c1 libpq5 libssl3" compose/Dockerfile.service'
# shellcheck disable=SC2016 # literal Dockerfile text
check "Dockerfile.service does not run as root" grep -q '^USER \${SERVICE_UID}' compose/Dockerfile.service
check "Protos/grpc/health/v1/health.proto exists for the health probe" test -f Protos/grpc/health/v1/health.proto

echo "# the container health probe (compose/service/grpc-health.sh) with grpcurl over mTLS"
if ! command -v grpcurl >/dev/null 2>&1 || ! python3 -c 'import grpc_health' 2>/dev/null; then
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    -r "$root/Tests/Python/requirements.txt"
fi
"$root/scripts/dev-ca.sh" "$tmp/probe-certs" >/dev/null
mkdir -p "$tmp/protos/grpc/health/v1"
cp Protos/grpc/health/v1/health.proto "$tmp/protos/grpc/health/v1/"
sed "s|/usr/share/immigration/protos|$tmp/protos|" compose/service/grpc-health.sh >"$tmp/grpc-health"
chmod +x "$tmp/grpc-health"
probe() { # <port>: the probe as the records container runs it
  GRPC_LISTEN="0.0.0.0:$1" TLS_CERT="$tmp/probe-certs/records.crt" TLS_KEY="$tmp/probe-certs/records.key" \
    TLS_CA="$tmp/probe-certs/ca.crt" "$tmp/grpc-health"
}
for status in SERVING NOT_SERVING; do
  coproc HEALTH { exec python3 "$root/Tests/Ops/health_server.py" "$tmp/probe-certs" records "$status"; }
  read -r -t 20 hport <&"${HEALTH[0]}" || hport=""
  if [ "$status" = SERVING ]; then
    check "the probe is healthy when the server reports SERVING" probe "$hport"
  else
    if probe "$hport" >/dev/null 2>&1; then fail "the probe is unhealthy when the server reports NOT_SERVING"
    else ok "the probe is unhealthy when the server reports NOT_SERVING"; fi
  fi
  kill "$HEALTH_PID" 2>/dev/null || true
  wait "$HEALTH_PID" 2>/dev/null || true
done
if probe "$hport" >/dev/null 2>&1; then fail "the probe is unhealthy when nothing listens"
else ok "the probe is unhealthy when nothing listens"; fi

echo "# Prometheus scrapes every service"
for s in records portal agency autogate biometric; do
  check "prometheus.yml scrapes $s on port 9090" python3 -c '
import sys, yaml
d = yaml.safe_load(open("compose/prometheus/prometheus.yml"))
job = [j for j in d["scrape_configs"] if j["job_name"] == sys.argv[1]][0]
sd = job["dns_sd_configs"][0]
assert sd["names"] == [sys.argv[1]] and sd["port"] == 9090' "$s"
done
promtool=$(command -v promtool || true)
if [ -z "$promtool" ] && command -v apt-get >/dev/null 2>&1; then
  cache="$root/.ci-work/promtool"
  if [ ! -x "$cache/usr/bin/promtool" ]; then
    mkdir -p "$cache"
    (cd "$tmp" && apt-get download prometheus >/dev/null 2>&1 && dpkg-deb -x prometheus_*.deb "$cache") || true
  fi
  [ -x "$cache/usr/bin/promtool" ] && promtool="$cache/usr/bin/promtool"
fi
if [ -n "$promtool" ]; then
  check "promtool check config compose/prometheus/prometheus.yml" "$promtool" check config compose/prometheus/prometheus.yml
else
  fail "promtool is not available (Debian package prometheus)"
fi

echo "# shell scripts"
mapfile -t scripts < <(find scripts compose Tests/Ops -name '*.sh' -type f | sort)
for s in "${scripts[@]}"; do
  interp=bash
  if head -1 "$s" | grep -q 'bin/sh'; then interp="sh"; fi
  check "$s: $interp -n" "$interp" -n "$s"
  if shellcheck -x "$s" >"$tmp/sc" 2>&1; then ok "$s: shellcheck"; else fail "$s: shellcheck"; sed 's/^/    /' "$tmp/sc"; fi
  # A library other scripts source (first line "# Sourced by") runs under their
  # options and is not run on its own: neither set -euo pipefail nor executable.
  if head -1 "$s" | grep -q '^# Sourced by'; then
    check "$s: sourced, not executable" test ! -x "$s"
    continue
  fi
  if [ "$interp" = bash ]; then
    check "$s: set -euo pipefail" grep -q '^set -euo pipefail' "$s"
  fi
  check "$s: executable" test -x "$s"
done

echo "# compose's jobs run for real against PostgreSQL 15"
user=${DRILL_USER:-immigration-pg}
id "$user" >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$user"
mkdir -p "$tmp/pg" && chown "$user" "$tmp/pg"
server_dir="$tmp/pg/data"
secrets="$tmp/secrets"
SECRETS_DIR="$secrets" "$root/compose/ops/secrets.sh" >/dev/null
check "secrets.sh makes a 32-character superuser password" bash -c "[ \$(wc -c <'$secrets/postgres.password') -eq 32 ]"
check "secrets.sh gives records.pgpass to uid 10001, mode 0600" \
  bash -c "[ \"\$(stat -c '%u %a' '$secrets/records.pgpass')\" = '10001 600' ]"
check "secrets.sh gives biometric.pgpass to uid 10005" bash -c "[ \"\$(stat -c '%u' '$secrets/biometric.pgpass')\" = 10005 ]"
check "secrets.sh keeps role passwords root-only" bash -c "[ \"\$(stat -c '%u %a' '$secrets/records.password')\" = '0 400' ]"
before=$(cat "$secrets"/*.password | sha256sum)
SECRETS_DIR="$secrets" "$root/compose/ops/secrets.sh" >/dev/null
check "secrets.sh keeps existing passwords" test "$(cat "$secrets"/*.password | sha256sum)" = "$before"

install -o "$user" -m 0600 "$secrets/postgres.password" "$tmp/pg/pw"
runuser -u "$user" -- "$pg_bin/initdb" -D "$server_dir" -U postgres --pwfile="$tmp/pg/pw" --auth=scram-sha-256 >/dev/null
start_on_random_port "$user" "$server_dir" "$tmp/pg/log" || { fail "could not start PostgreSQL"; exit 1; }
export PGHOST=127.0.0.1 PGPORT=$port
for run in 1 2; do
  if SECRETS_DIR="$secrets" DB_INIT_MARKER="$tmp/db-init.done" PATH="$pg_bin:$PATH" \
      "$root/compose/ops/db-init.sh" >"$tmp/db-init.log" 2>&1; then
    ok "db-init.sh run $run succeeds"
  else
    fail "db-init.sh run $run succeeds"; sed 's/^/    /' "$tmp/db-init.log"
  fi
done
as_role() { # <role> <sql>: connect as the service role with its own password file
  local f="$tmp/$1.pgpass"
  install -m 0600 "$secrets/$1.pgpass" "$f"
  PGPASSFILE="$f" PGUSER=$1 PGDATABASE=immigration "$pg_bin/psql" -X -At -v ON_ERROR_STOP=1 -c "$2"
}
check "records logs in with its password file and creates a table in its own schema" \
  as_role records "CREATE TABLE person (id int PRIMARY KEY); INSERT INTO person VALUES (1); SELECT count(*) FROM records.person"
check "records' search_path is its own schema" bash -c "[ \"\$(PGPASSFILE='$tmp/records.pgpass' PGUSER=records PGDATABASE=immigration '$pg_bin/psql' -X -At -c 'SHOW search_path')\" = records ]"
if as_role portal "SELECT count(*) FROM records.person" >/dev/null 2>&1; then
  fail "portal cannot read records' schema"
else ok "portal cannot read records' schema"; fi
if as_role portal "CREATE TABLE records.intruder (id int)" >/dev/null 2>&1; then
  fail "portal cannot create in records' schema"
else ok "portal cannot create in records' schema"; fi
if as_role portal "CREATE TABLE public.intruder (id int)" >/dev/null 2>&1; then
  fail "portal cannot create in schema public"
else ok "portal cannot create in schema public"; fi
if PGUSER=records PGDATABASE=postgres PGPASSFILE="$tmp/records.pgpass" "$pg_bin/psql" -X -At -c 'SELECT 1' >/dev/null 2>&1; then
  fail "records cannot connect to another database"
else ok "records cannot connect to another database"; fi
check "db-init touches its marker" test -f "$tmp/db-init.done"

certs="$tmp/certs"
CERTS_DIR="$certs" PATH="$root/scripts:$PATH" "$root/compose/ops/certs.sh" >/dev/null
check "certs.sh gives records.key to uid 10001, mode 0600" bash -c "[ \"\$(stat -c '%u %a' '$certs/records.key')\" = '10001 600' ]"
check "certs.sh gives autogate.key to uid 10004" bash -c "[ \"\$(stat -c '%u' '$certs/autogate.key')\" = 10004 ]"
check "certs.sh keeps the CA key root-only" bash -c "[ \"\$(stat -c '%u %a' '$certs/ca.key')\" = '0 600' ]"

if [ "$failures" -gt 0 ]; then echo "compose-test: $failures failure(s)"; exit 1; fi
echo "compose-test: all passed"
