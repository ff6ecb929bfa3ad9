#!/usr/bin/env bash
# compose one-shot "secrets": random database passwords in the db-secrets volume,
# generated once and kept (so nothing secret is committed or typed), plus a libpq
# password file per login owned by the uid that uses it:
#   postgres.password       superuser (read by the postgres containers, uid 999)
#   replicator.password/.pgpass  streaming replication (uid 999)
#   <service>.password/.pgpass   one login role per service (uid 10001..10005)
#   nodes.pgpass            every role above, for servers that connect to each
#                           other as the calling role (Citus coordinator -> workers; uid 999)
# Delete a *.password file and re-run db-init to change that password.
set -euo pipefail
dir=${SECRETS_DIR:-/run/immigration/db-secrets}
db=${POSTGRES_DB:-immigration}
umask 077
mkdir -p "$dir"
chmod 0755 "$dir"

gen() { # <name>: create <name>.password once
  local f="$dir/$1.password"
  if [ ! -s "$f" ]; then
    openssl rand -base64 48 | tr -dc 'A-Za-z0-9' | head -c 32 >"$f.tmp"
    mv "$f.tmp" "$f"
    echo "generated $1.password"
  fi
}
pgpass() { # <role> <database> <uid>: libpq password file for <role>
  local pw; pw=$(cat "$dir/$1.password")
  printf '*:*:%s:%s:%s\n' "$2" "$1" "$pw" >"$dir/$1.pgpass.tmp"
  chown "$3:$3" "$dir/$1.pgpass.tmp"
  chmod 0600 "$dir/$1.pgpass.tmp"
  mv "$dir/$1.pgpass.tmp" "$dir/$1.pgpass"
}

gen postgres
chown 999:999 "$dir/postgres.password"; chmod 0400 "$dir/postgres.password"
# A password file for the superuser, used between Citus nodes (uid 999).
pgpass postgres '*' 999
gen replicator
chown 999:999 "$dir/replicator.password"; chmod 0400 "$dir/replicator.password"
pgpass replicator '*' 999

declare -A uid=([records]=10001 [portal]=10002 [agency]=10003 [autogate]=10004 [biometric]=10005)
for s in records portal agency autogate biometric; do
  gen "$s"
  chmod 0400 "$dir/$s.password"   # root only: db-init reads it
  pgpass "$s" "$db" "${uid[$s]}"
done
{
  for r in postgres replicator records portal agency autogate biometric; do
    printf '*:*:*:%s:%s\n' "$r" "$(cat "$dir/$r.password")"
  done
} >"$dir/nodes.pgpass.tmp"
chown 999:999 "$dir/nodes.pgpass.tmp"
chmod 0600 "$dir/nodes.pgpass.tmp"
mv "$dir/nodes.pgpass.tmp" "$dir/nodes.pgpass"
echo "secrets ready in $dir"
