#!/usr/bin/env bash
# The backup-and-restore drill (D77 Art 5.4: backup, standby and recovery;
# docs/operations.md). Proves that the backups of every service schema restore into
# an empty cluster with exactly the same content.
#
#   scripts/backup-drill.sh [options]                  # source: the cluster named by PG* variables
#   scripts/backup-drill.sh --self-contained [options] # source: a throw-away cluster with sample data
#
# Steps:
#   1. Source: PGHOST/PGPORT/PGUSER/PGDATABASE/PGPASSWORD (or PGPASSFILE) of a running
#      cluster, as a superuser (pg_dumpall reads pg_authid), or with --self-contained a
#      new cluster (initdb, unprivileged user, free loopback port) provisioned with
#      compose/ops/db-init.sh and loaded with sample data for each service schema.
#   2. Backup, all from one exported snapshot, so the schemas are mutually consistent:
#      globals.sql    pg_dumpall --globals-only (roles, role settings)
#      database.dump  pg_dump -Fc --create --schema-only -n public (the database, its
#                     grants and per-role settings, extensions outside service schemas)
#      <schema>.dump  pg_dump -Fc -n <schema> (with the extensions that live in it)
#   3. Restore into a fresh cluster (initdb in a temporary folder, another port).
#   4. Compare source (at the snapshot) and restore: per table the row count and a
#      content checksum (order-independent sum of md5 of every row's text), owners
#      and grants; every index, constraint, function, view, extension and role
#      setting; sequence values. Any difference: exit 1.
#   5. Stop the temporary clusters and delete them (dumps kept only with --keep).
#
# Options:
#   --self-contained       create the source cluster and its sample data
#   --schemas "a b c"      schemas to back up (default: records portal agency autogate biometric)
#   --rows N               sample size per main table in --self-contained mode (default 2000)
#   --keep DIR             copy the dumps and the comparison report to DIR
#   --after-restore-sql S  run SQL S on the restored database before comparing (drill of
#                          the drill: proves that a difference is detected)
#   --no-role-passwords    dump roles without passwords (a source user that is not a superuser)
#   --jobs N               parallel pg_restore jobs per schema (default 2)
# Environment: PG_BIN (/usr/lib/postgresql/15/bin), DRILL_USER (the unprivileged
# user that runs the temporary servers when run as root; default immigration-pg).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
schemas_arg="records portal agency autogate biometric"
self_contained=false
rows=2000
keep=""
after_restore_sql=""
role_passwords=true
jobs=2

usage() { sed -n '2,/^set -euo/p' "$0" | sed 's/^# \{0,1\}//; /^set -euo/d' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --self-contained) self_contained=true ;;
    --schemas) schemas_arg=${2:?}; shift ;;
    --rows) rows=${2:?}; shift ;;
    --keep) keep=${2:?}; shift ;;
    --after-restore-sql) after_restore_sql=${2:?}; shift ;;
    --no-role-passwords) role_passwords=false ;;
    --jobs) jobs=${2:?}; shift ;;
    -h|--help) usage ;;
    *) echo "backup-drill: unknown argument $1" >&2; usage ;;
  esac
  shift
done
read -r -a schemas <<<"$schemas_arg"
[ "${#schemas[@]}" -gt 0 ] || { echo "backup-drill: no schema to back up" >&2; exit 2; }
for s in "${schemas[@]}"; do
  [[ "$s" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "backup-drill: bad schema name: $s" >&2; exit 2; }
done
[[ "$rows" =~ ^[0-9]+$ ]] || { echo "backup-drill: --rows must be a number" >&2; exit 2; }

log() { printf '%s backup-drill: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# --- prerequisites -----------------------------------------------------------------
if [ ! -x "$pg_bin/initdb" ] || ! command -v openssl >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing postgresql-15 and openssl"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      postgresql-15 postgresql-contrib openssl >/dev/null
  fi
  [ -x "$pg_bin/initdb" ] || { echo "backup-drill: no PostgreSQL binaries in $pg_bin (set PG_BIN)" >&2; exit 1; }
fi
# The server refuses to run as root: temporary clusters run as an unprivileged user.
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  drill_user=${DRILL_USER:-immigration-pg}
  if ! id "$drill_user" >/dev/null 2>&1; then
    useradd --system --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$drill_user"
  fi
  run_as=(runuser -u "$drill_user" --)
fi

psql_() { "$pg_bin/psql" -X -v ON_ERROR_STOP=1 -q "$@"; }

# --- temporary clusters --------------------------------------------------------------
work=$(mktemp -d /tmp/backup-drill.XXXXXX)
chmod 0711 "$work"
mkdir -m 0700 "$work/dumps" "$work/report"
clusters=()
holder_pid=""
cleanup() {
  local rc=$?
  if [ -n "$holder_pid" ]; then kill "$holder_pid" 2>/dev/null || true; fi
  for d in "${clusters[@]}"; do
    "${run_as[@]}" "$pg_bin/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1 || true
  done
  if [ -n "${DRILL_DEBUG_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=scripts/loopback-port.sh
. "$root/scripts/loopback-port.sh"

# start_cluster <name> <superuser>: initdb + start on a free loopback port; sets
# cluster_port and cluster_password. Only TCP on 127.0.0.1, scram-sha-256.
start_cluster() {
  local name=$1 superuser=$2 dir="$work/$1" port
  mkdir -m 0700 "$dir"
  cluster_password=$(openssl rand -hex 24)
  printf '%s\n' "$cluster_password" >"$dir.pw"
  if [ "${#run_as[@]}" -gt 0 ]; then chown -R "$drill_user" "$dir" "$dir.pw"; fi
  "${run_as[@]}" "$pg_bin/initdb" -D "$dir/data" -U "$superuser" --pwfile="$dir.pw" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --data-checksums >"$dir.initdb.log" 2>&1 ||
    { cat "$dir.initdb.log" >&2; return 1; }
  rm -f "$dir.pw"
  for _ in $(seq 1 50); do
    port=$(random_loopback_port)
    if "${run_as[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' -c fsync=off -c full_page_writes=off -c max_connections=50" \
        start >/dev/null; then
      clusters+=("$dir/data")
      cluster_port=$port
      return 0
    fi
  done
  echo "backup-drill: could not start the $name cluster" >&2
  cat "$dir/server.log" >&2 || true
  return 1
}

# --- sample data of --self-contained mode --------------------------------------------
# Shapes like the services' own (partial dates, enums, jsonb, bytea, arrays, ranges,
# floats, Vietnamese text, NULLs, identity columns, sequences, a partitioned table,
# foreign keys, checks, views, functions, triggers, extensions inside and outside a
# service schema), owned by the service role. psql variable :rows sets the size.
sample_sql() { # <schema>
  case "$1" in
    records) cat <<'SQL'
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA records;
SET ROLE records;
CREATE TYPE records.sex AS ENUM ('F', 'M', 'X');
CREATE TABLE records.person (
  id uuid PRIMARY KEY,
  citizen_id text UNIQUE CHECK (citizen_id ~ '^[0-9]{12}$'),
  family_name text NOT NULL, given_name text NOT NULL,
  birth_year int NOT NULL, birth_month int CHECK (birth_month BETWEEN 1 AND 12), birth_day int,
  sex records.sex NOT NULL, nationality char(3) NOT NULL,
  attributes jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL, source text NOT NULL);
INSERT INTO records.person
SELECT md5('person' || i)::uuid, CASE WHEN i % 3 = 0 THEN lpad(i::text, 12, '0') END,
       (ARRAY['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Smith'])[1 + i % 5], 'Văn ' || i,
       1950 + i % 60, CASE WHEN i % 7 <> 0 THEN 1 + i % 12 END, CASE WHEN i % 11 <> 0 THEN 1 + i % 28 END,
       (ARRAY['F', 'M', 'X'])[1 + i % 3]::records.sex, CASE WHEN i % 3 = 0 THEN 'VNM' ELSE 'USA' END,
       jsonb_build_object('height', 150 + i % 40, 'tags', jsonb_build_array('a', i), 'note', NULL),
       timestamptz '2020-01-01 00:00+07' + i * interval '37 minutes 13.25 seconds',
       (ARRAY['declaration', 'legacy-database', 'population-database'])[1 + i % 3]
  FROM generate_series(1, :rows) i;
CREATE INDEX person_family_name_trgm ON records.person USING gin (family_name records.gin_trgm_ops);
CREATE TABLE records.travel_document (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id uuid NOT NULL REFERENCES records.person, number text NOT NULL UNIQUE,
  kind text NOT NULL, chip boolean NOT NULL, issued_on date NOT NULL, expires_on date NOT NULL,
  mrz bytea, CHECK (expires_on > issued_on));
INSERT INTO records.travel_document (person_id, number, kind, chip, issued_on, expires_on, mrz)
SELECT md5('person' || i)::uuid, 'C' || lpad(i::text, 7, '0'),
       (ARRAY['ordinary', 'official', 'diplomatic', 'laissez-passer'])[1 + i % 4], i % 2 = 0,
       date '2015-01-01' + i % 3000, date '2025-01-01' + i % 3000, decode(md5(i::text), 'hex')
  FROM generate_series(1, :rows) i;
CREATE SEQUENCE records.crossing_id_seq;
CREATE TABLE records.crossing (
  id bigint NOT NULL DEFAULT nextval('records.crossing_id_seq'), person_id uuid NOT NULL,
  direction text NOT NULL CHECK (direction IN ('entry', 'exit')), checkpoint text NOT NULL,
  crossed_at timestamptz NOT NULL, gate_id text, face_score double precision,
  PRIMARY KEY (id, crossed_at)) PARTITION BY RANGE (crossed_at);
CREATE TABLE records.crossing_2025 PARTITION OF records.crossing FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE records.crossing_2026 PARTITION OF records.crossing FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO records.crossing (person_id, direction, checkpoint, crossed_at, gate_id, face_score)
SELECT md5('person' || (1 + i % :rows))::uuid, CASE WHEN i % 2 = 0 THEN 'exit' ELSE 'entry' END,
       (ARRAY['HAN', 'SGN', 'DAD', 'MOC-BAI'])[1 + i % 4],
       timestamptz '2025-01-01 00:00Z' + (i % 700) * interval '1 day' + (i % 86400) * interval '1 second',
       CASE WHEN i % 3 = 0 THEN 'HAN-T2-07' END, CASE WHEN i % 3 = 0 THEN 0.1 + i / 7.0 END
  FROM generate_series(1, :rows * 3) i;
CREATE TABLE records.exit_ban (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, person_id uuid NOT NULL REFERENCES records.person,
  legal_basis text NOT NULL, period tstzrange NOT NULL, lifted boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT '2025-01-01');
CREATE FUNCTION records.exit_ban_touch() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER exit_ban_touch BEFORE UPDATE ON records.exit_ban FOR EACH ROW EXECUTE FUNCTION records.exit_ban_touch();
INSERT INTO records.exit_ban (person_id, legal_basis, period, lifted)
SELECT md5('person' || i)::uuid, 'Decision ' || i || '/QĐ-CAT',
       tstzrange(timestamptz '2025-03-01Z' + i * interval '1 hour', timestamptz '2026-03-01Z' + i * interval '1 hour'), i % 5 = 0
  FROM generate_series(1, :rows, 17) i;
CREATE VIEW records.active_exit_ban AS SELECT id, person_id, period FROM records.exit_ban WHERE NOT lifted;
RESET ROLE;
SQL
    ;;
    portal) cat <<'SQL'
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
GRANT USAGE ON SCHEMA public TO portal;
SET ROLE portal;
CREATE TABLE portal.application (
  id uuid PRIMARY KEY, issuing_authority text NOT NULL, procedure text NOT NULL,
  contact_email public.citext, required_papers text[] NOT NULL, fee numeric(12, 2) NOT NULL,
  status text NOT NULL, received_on date NOT NULL, due_on date, declaration jsonb NOT NULL);
INSERT INTO portal.application
SELECT md5('application' || i)::uuid, (ARRAY['A08-HN', 'A08-HCM', 'MFA-PARIS'])[1 + i % 3],
       (ARRAY['passport', 'permit-q679'])[1 + i % 2],
       CASE WHEN i % 4 <> 0 THEN 'Applicant' || i || '@Example.VN' END,
       ARRAY['declaration', 'photo 4x6', CASE WHEN i % 2 = 0 THEN 'residence card copy' ELSE 'old passport' END],
       200000 + (i % 3) * 0.5, (ARRAY['received', 'under-review', 'approved', 'refused'])[1 + i % 4],
       date '2025-01-02' + i % 365, CASE WHEN i % 4 <> 3 THEN date '2025-01-08' + i % 365 END,
       jsonb_build_object('place_of_birth', 'Hà Nội', 'n', i)
  FROM generate_series(1, :rows) i;
CREATE TABLE portal.appointment_slot (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, office text NOT NULL, starts_at timestamptz NOT NULL,
  capacity int NOT NULL CHECK (capacity > 0), booked int NOT NULL CHECK (booked BETWEEN 0 AND capacity),
  UNIQUE (office, starts_at));
INSERT INTO portal.appointment_slot (office, starts_at, capacity, booked)
SELECT 'A08-HN', timestamptz '2025-06-02 08:00+07' + i * interval '30 minutes', 4, i % 5
  FROM generate_series(1, greatest(:rows / 4, 1)) i;
CREATE TABLE portal.working_day_exception (day date PRIMARY KEY, working boolean NOT NULL, reason text NOT NULL);
INSERT INTO portal.working_day_exception VALUES
  ('2026-02-16', false, 'Tết Nguyên Đán'), ('2026-04-26', false, 'Giỗ Tổ Hùng Vương'), ('2026-01-10', true, 'bù');
RESET ROLE;
SQL
    ;;
    agency) cat <<'SQL'
SET ROLE agency;
CREATE TABLE agency.agency (
  id text PRIMARY KEY, kind text NOT NULL, connected boolean NOT NULL, name text NOT NULL);
INSERT INTO agency.agency
SELECT 'C' || lpad(i::text, 2, '0'), (ARRAY['procedure-conducting', 'judgment-enforcement', 'visa-authority'])[1 + i % 3],
       i % 2 = 0, 'Cơ quan ' || i
  FROM generate_series(1, 40) i;
CREATE TABLE agency.disclosure_audit (
  seq bigserial PRIMARY KEY, agency_id text NOT NULL REFERENCES agency.agency, purpose text NOT NULL,
  legal_basis text NOT NULL, record_ids uuid[] NOT NULL, at timestamptz NOT NULL,
  prev_hash bytea, hash bytea NOT NULL);
INSERT INTO agency.disclosure_audit (agency_id, purpose, legal_basis, record_ids, at, prev_hash, hash)
SELECT 'C' || lpad((1 + i % 40)::text, 2, '0'), 'investigation', 'Case ' || i || '/2025',
       ARRAY[md5('person' || i)::uuid, md5('person' || (i + 1))::uuid],
       timestamptz '2025-01-01Z' + i * interval '1 minute',
       CASE WHEN i > 1 THEN sha256(convert_to((i - 1)::text, 'UTF8')) END, sha256(convert_to(i::text, 'UTF8'))
  FROM generate_series(1, :rows) i;
CREATE FUNCTION agency.audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'disclosure_audit is append-only'; END $$;
CREATE TRIGGER disclosure_audit_append_only BEFORE UPDATE OR DELETE ON agency.disclosure_audit
  FOR EACH ROW EXECUTE FUNCTION agency.audit_is_append_only();
RESET ROLE;
SQL
    ;;
    autogate) cat <<'SQL'
SET ROLE autogate;
CREATE TABLE autogate.registration (
  id uuid PRIMARY KEY, person_id uuid NOT NULL, clause text NOT NULL CHECK (clause IN ('10.1a', '10.1b', '10.1c', '10.1d')),
  destinations char(3)[] NOT NULL DEFAULT '{}', complete boolean NOT NULL, registered_at timestamptz NOT NULL,
  history jsonb NOT NULL DEFAULT '[]');
INSERT INTO autogate.registration
SELECT md5('registration' || i)::uuid, md5('person' || i)::uuid, (ARRAY['10.1a', '10.1b', '10.1c', '10.1d'])[1 + i % 4],
       CASE WHEN i % 4 = 0 THEN ARRAY['USA', 'JPN']::char(3)[] ELSE '{}' END, i % 6 <> 0,
       timestamptz '2025-02-01Z' + i * interval '90 seconds',
       jsonb_build_array(jsonb_build_object('kind', 'supplementary', 'n', i % 3))
  FROM generate_series(1, :rows) i;
CREATE TABLE autogate.visa_exempt_destination (country char(3) PRIMARY KEY, days int NOT NULL);
INSERT INTO autogate.visa_exempt_destination VALUES ('THA', 30), ('SGP', 30), ('JPN', 15), ('KOR', 15);
RESET ROLE;
SQL
    ;;
    biometric) cat <<'SQL'
SET ROLE biometric;
CREATE TABLE biometric.face_template (
  subject_id uuid NOT NULL, model text NOT NULL, vector real[] NOT NULL, quality double precision NOT NULL,
  encrypted bytea NOT NULL, enrolled_at timestamptz NOT NULL, PRIMARY KEY (subject_id, model));
INSERT INTO biometric.face_template
SELECT md5('person' || i)::uuid, 'arcface-r100',
       ARRAY(SELECT sin(i * 31 + k)::real FROM generate_series(1, 32) k),
       (i % 100) / 99.0, decode(repeat(md5('tmpl' || i), 4), 'hex'), timestamptz '2025-01-01Z' + i * interval '1 second'
  FROM generate_series(1, :rows) i;
CREATE TABLE biometric.fingerprint (
  subject_id uuid NOT NULL, finger smallint NOT NULL CHECK (finger BETWEEN 1 AND 10),
  minutiae bytea NOT NULL, quality smallint NOT NULL, PRIMARY KEY (subject_id, finger));
INSERT INTO biometric.fingerprint
SELECT md5('person' || i)::uuid, f, decode(md5(i || '-' || f), 'hex'), (i * f) % 100
  FROM generate_series(1, :rows / 2) i, generate_series(1, 2) f;
RESET ROLE;
SQL
    ;;
    *) cat <<SQL
SET ROLE $1;
CREATE TABLE $1.sample (id bigserial PRIMARY KEY, label text NOT NULL, at timestamptz NOT NULL);
INSERT INTO $1.sample (label, at) SELECT 'row ' || i, timestamptz '2025-01-01Z' + i * interval '1 minute'
  FROM generate_series(1, :rows) i;
RESET ROLE;
SQL
    ;;
  esac
}

# --- source --------------------------------------------------------------------------
if $self_contained; then
  log "creating the source cluster"
  start_cluster source postgres
  export PGHOST=127.0.0.1 PGPORT=$cluster_port PGUSER=postgres PGDATABASE=immigration
  export PGPASSWORD=$cluster_password
  unset PGPASSFILE PGSERVICE || true
  log "source on 127.0.0.1:$PGPORT; provisioning roles and schemas (compose/ops/db-init.sh)"
  mkdir -m 0700 "$work/secrets"
  printf '%s' "$cluster_password" >"$work/secrets/postgres.password"
  for s in "${schemas[@]}"; do openssl rand -hex 16 >"$work/secrets/$s.password"; done
  SECRETS_DIR="$work/secrets" POSTGRES_DB=immigration SERVICES="${schemas[*]}" \
    DB_INIT_MARKER="$work/db-init.done" PATH="$pg_bin:$PATH" \
    "$root/compose/ops/db-init.sh" >"$work/db-init.log" 2>&1 ||
    { cat "$work/db-init.log" >&2; exit 1; }
  log "loading sample data ($rows rows per main table)"
  for s in "${schemas[@]}"; do
    sample_sql "$s" | psql_ -d immigration -v rows="$rows"
  done
fi
: "${PGDATABASE:=${PGUSER:-postgres}}"
export PGDATABASE
db=$PGDATABASE

server_num=$(psql_ -At -c "SHOW server_version_num")
client_num=$("$pg_bin/pg_dump" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)?.*/\1/')
if [ $(( server_num / 10000 )) -gt "$client_num" ]; then
  echo "backup-drill: pg_dump $client_num cannot dump a PostgreSQL $(( server_num / 10000 )) server (set PG_BIN)" >&2
  exit 1
fi
for s in "${schemas[@]}"; do  # names checked against ^[a-z_][a-z0-9_]*$ above
  n=$(psql_ -At -c "SELECT count(*) FROM pg_namespace WHERE nspname = '$s'")
  [ "$n" = 1 ] || { echo "backup-drill: schema $s does not exist in $db" >&2; exit 1; }
done
log "source: database $db on ${PGHOST:-local socket}:${PGPORT:-5432}, schemas: ${schemas[*]}"

# --- one snapshot for every dump and for the source fingerprint ------------------------
mkfifo "$work/holder.in" "$work/holder.out"
"$pg_bin/psql" -X -At -q -v ON_ERROR_STOP=1 <"$work/holder.in" >"$work/holder.out" 2>&1 &
holder_pid=$!
exec 7>"$work/holder.in" 8<"$work/holder.out"
printf '%s\n' "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;" "SELECT pg_export_snapshot();" >&7
IFS= read -r -t 60 snapshot <&8 || { echo "backup-drill: could not export a snapshot" >&2; exit 1; }
[[ "$snapshot" =~ ^[0-9A-F-]+$ ]] || { echo "backup-drill: could not export a snapshot: $snapshot" >&2; exit 1; }
log "snapshot $snapshot"

sql_list() { local IFS=,; local q=(); for s in "$@"; do q+=("'$s'"); done; echo "${q[*]}"; }
schema_list=$(sql_list "${schemas[@]}")

# --- backup --------------------------------------------------------------------------
t0=$(date +%s)
globals_opts=(--globals-only)
$role_passwords || globals_opts+=(--no-role-passwords)
"$pg_bin/pg_dumpall" "${globals_opts[@]}" -f "$work/dumps/globals.sql"
outside_ext=()
while IFS= read -r e; do [ -n "$e" ] && outside_ext+=(-e "$e"); done < <(psql_ -At -c \
  "SELECT e.extname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname <> 'plpgsql' AND n.nspname NOT IN ($schema_list) ORDER BY 1")
"$pg_bin/pg_dump" -Fc --create --schema-only -n public "${outside_ext[@]}" \
  --snapshot="$snapshot" -f "$work/dumps/database.dump"
for s in "${schemas[@]}"; do
  inside_ext=()
  while IFS= read -r e; do [ -n "$e" ] && inside_ext+=(-e "$e"); done < <(psql_ -At -c \
    "SELECT e.extname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
      WHERE n.nspname = '$s' ORDER BY 1")
  "$pg_bin/pg_dump" -Fc -n "$s" "${inside_ext[@]}" --snapshot="$snapshot" -f "$work/dumps/$s.dump"
  "$pg_bin/pg_restore" --list "$work/dumps/$s.dump" >/dev/null
done
t1=$(date +%s)
log "backup done in $(( t1 - t0 ))s: $(du -sh "$work/dumps" | cut -f1) in $(find "$work/dumps" -type f | wc -l) files"

# --- fingerprint ---------------------------------------------------------------------
# Session settings that fix the text form of every value, so that both sides print
# a row the same way.
settings="SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres';
SET extra_float_digits = 3; SET bytea_output = 'hex'; SET lc_monetary = 'C';"

# Grants are compared as effective privileges (a NULL ACL is the owner's default).
# Objects that belong to an extension are the extension's (compared by name and
# version), not the dump's: they are left out of the object lists.
not_ext_member() { # <catalog> <oid expression>
  echo "NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = '$1'::regclass AND dep.objid = $2 AND dep.deptype = 'e')"
}
catalog_sql="
SELECT 'relation', n.nspname || '.' || c.relname, c.relkind::text, pg_get_userbyid(c.relowner),
       coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(coalesce(c.relacl, CASE WHEN c.relkind = 'S' THEN acldefault('s', c.relowner) ELSE acldefault('r', c.relowner) END)) a), '')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ($schema_list) AND c.relkind IN ('r','p','v','m','S','f','c')
   AND $(not_ext_member pg_class c.oid)
UNION ALL
SELECT 'column', n.nspname || '.' || c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod),
       a.attnotnull::text || '/' || a.attnum, coalesce(pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname IN ($schema_list) AND c.relkind IN ('r','p','v','m','f') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'index', n.nspname || '.' || c.relname, '', '', pg_get_indexdef(c.oid)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ($schema_list) AND c.relkind IN ('i','I')
UNION ALL
SELECT 'constraint', n.nspname || '.' || cl.relname || '.' || co.conname, co.contype::text, '',
       pg_get_constraintdef(co.oid)
  FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
 WHERE n.nspname IN ($schema_list)
UNION ALL
SELECT 'function', n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       p.prokind::text, pg_get_userbyid(p.proowner), md5(coalesce(p.prosrc, ''))
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname IN ($schema_list) AND $(not_ext_member pg_proc p.oid)
UNION ALL
SELECT 'view', n.nspname || '.' || c.relname, '', '', md5(pg_get_viewdef(c.oid))
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ($schema_list) AND c.relkind IN ('v','m')
UNION ALL
SELECT 'type', n.nspname || '.' || t.typname, t.typtype::text, pg_get_userbyid(t.typowner),
       coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '')
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname IN ($schema_list) AND t.typtype IN ('e','d','r') AND $(not_ext_member pg_type t.oid)
UNION ALL
SELECT 'trigger', n.nspname || '.' || c.relname || '.' || tg.tgname, '', '', pg_get_triggerdef(tg.oid)
  FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ($schema_list) AND NOT tg.tgisinternal
UNION ALL
SELECT 'schema', n.nspname, '', pg_get_userbyid(n.nspowner),
       coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(coalesce(n.nspacl, acldefault('n', n.nspowner))) a), '')
  FROM pg_namespace n WHERE n.nspname IN ($schema_list)
UNION ALL
SELECT 'extension', e.extname, e.extversion, n.nspname, ''
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
UNION ALL
SELECT 'database', d.datname, pg_encoding_to_char(d.encoding), pg_get_userbyid(d.datdba),
       coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(coalesce(d.datacl, acldefault('d', d.datdba))) a), '')
  FROM pg_database d WHERE d.datname = current_database()
UNION ALL
SELECT 'role-setting', coalesce(r.rolname, '*'), '', '', array_to_string(s.setconfig, ';')
  FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole
 WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
UNION ALL
SELECT 'role', r.rolname,
       concat_ws(',', CASE WHEN r.rolsuper THEN 'superuser' END, CASE WHEN r.rolcanlogin THEN 'login' END,
                 CASE WHEN r.rolreplication THEN 'replication' END, CASE WHEN r.rolcreaterole THEN 'createrole' END,
                 CASE WHEN r.rolcreatedb THEN 'createdb' END, CASE WHEN r.rolbypassrls THEN 'bypassrls' END),
       '', coalesce(array_to_string(r.rolconfig, ';'), '')
  FROM pg_roles r
 WHERE r.rolname IN ($schema_list)
ORDER BY 1, 2, 3;"

# fingerprint <out-prefix> [snapshot]: catalog, per-table data, sequences.
fingerprint() {
  local out=$1 snap=${2:-} begin="BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;"
  [ -n "$snap" ] && begin="$begin SET TRANSACTION SNAPSHOT '$snap';"
  psql_ -At -F $'\t' -c "$settings" -c "$begin" -c "$catalog_sql" -c "COMMIT" >"$out.catalog"
  # One query per leaf table (partitions included, partitioned parents not: their
  # rows are their partitions'), built from the catalog of this side.
  psql_ -At -F $'\t' -c "$begin" -c "
    SELECT format('SELECT %L, count(*), coalesce(sum((''x'' || substr(h, 1, 16))::bit(64)::bigint::numeric), 0)'
               || ' || ''/'' || coalesce(sum((''x'' || substr(h, 17, 16))::bit(64)::bigint::numeric), 0)'
               || ' FROM (SELECT md5(_drill_row_::text) AS h FROM %I.%I AS _drill_row_) AS hashed;',
                  n.nspname || '.' || c.relname, n.nspname, c.relname)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ($schema_list) AND c.relkind = 'r'
     ORDER BY n.nspname, c.relname;
    SELECT format('SELECT %L, last_value, is_called FROM %I.%I;', n.nspname || '.' || c.relname, n.nspname, c.relname)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ($schema_list) AND c.relkind = 'S'
     ORDER BY n.nspname, c.relname;" -c "COMMIT" >"$out.queries"
  grep -v 'last_value, is_called' "$out.queries" >"$out.table-queries" || true
  grep 'last_value, is_called' "$out.queries" >"$out.sequence-queries" || true
  { echo "$settings"; echo "$begin"; cat "$out.table-queries"; echo "COMMIT;"; } |
    psql_ -At -F $'\t' >"$out.tables"
  { echo "$begin"; cat "$out.sequence-queries"; echo "COMMIT;"; } |
    psql_ -At -F $'\t' >"$out.sequences"
}

log "fingerprinting the source at the snapshot"
fingerprint "$work/report/source" "$snapshot"
printf '%s\n' "COMMIT;" >&7
exec 7>&- 8<&-
wait "$holder_pid" 2>/dev/null || true
holder_pid=""

# --- restore -------------------------------------------------------------------------
log "creating the restore cluster"
start_cluster restore backup_drill
export PGHOST=127.0.0.1 PGPORT=$cluster_port PGUSER=backup_drill PGPASSWORD=$cluster_password
unset PGPASSFILE PGSERVICE PGSSLMODE PGSSLCERT PGSSLKEY PGSSLROOTCERT || true
t2=$(date +%s)
psql_ -d postgres -f "$work/dumps/globals.sql" >"$work/report/globals-restore.log" 2>&1 ||
  { cat "$work/report/globals-restore.log" >&2; echo "backup-drill: restoring globals failed" >&2; exit 1; }
# Every new database has a schema public already: restore its grants, not its creation.
"$pg_bin/pg_restore" --create --list "$work/dumps/database.dump" |
  grep -v ' SCHEMA - public ' >"$work/report/database.list"
"$pg_bin/pg_restore" --exit-on-error --create -L "$work/report/database.list" -d postgres "$work/dumps/database.dump"
export PGDATABASE=$db
for s in "${schemas[@]}"; do
  "$pg_bin/pg_restore" --exit-on-error -j "$jobs" -d "$db" "$work/dumps/$s.dump"
done
t3=$(date +%s)
log "restore done in $(( t3 - t2 ))s on 127.0.0.1:$PGPORT"

if [ -n "$after_restore_sql" ]; then
  log "running the --after-restore-sql hook on the restored database"
  psql_ -d "$db" -c "$after_restore_sql"
fi

log "fingerprinting the restore"
fingerprint "$work/report/restore"

# --- compare -------------------------------------------------------------------------
differences=0
compare() { # <kind> <file suffix>
  if ! diff -u "$work/report/source.$2" "$work/report/restore.$2" >"$work/report/$2.diff"; then
    echo "DIFFERENCE in $1 (- source at the snapshot, + restore):"
    sed -n '3,$p' "$work/report/$2.diff" | grep '^[-+]' | head -40
    differences=$((differences + 1))
  fi
}
compare "catalog (objects, owners, grants, definitions)" catalog
compare "table contents (rows, checksum)" tables
if $self_contained; then
  compare "sequence values" sequences
else
  # A live source's sequences move on after the snapshot (they are not transactional):
  # the restored value must not be ahead of the source's.
  while IFS=$'\t' read -r name value _; do
    src=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$work/report/source.sequences")
    if [ -z "$src" ] || [ "$value" -gt "$src" ]; then
      echo "DIFFERENCE in sequence $name: restored $value, source ${src:-missing}"
      differences=$((differences + 1))
    fi
  done <"$work/report/restore.sequences"
fi

tables=$(wc -l <"$work/report/source.tables")
total_rows=$(awk -F'\t' '{ s += $2 } END { print s + 0 }' "$work/report/source.tables")
{
  echo "backup drill $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "source: $db, schemas ${schemas[*]}; snapshot $snapshot"
  echo "backup: $(( t1 - t0 ))s; restore: $(( t3 - t2 ))s; tables: $tables; rows: $total_rows"
  for s in "${schemas[@]}"; do
    awk -F'\t' -v s="$s" 'index($1, s ".") == 1 { t++; r += $2 } END { printf "  %-10s %4d tables %10d rows\n", s, t, r }' \
      "$work/report/source.tables"
  done
  if [ "$differences" -eq 0 ]; then echo "result: restore identical to source"; else echo "result: $differences difference(s)"; fi
} | tee "$work/report/summary.txt"

if [ -n "$keep" ]; then
  mkdir -p "$keep"
  cp -R "$work/dumps" "$work/report" "$keep/"
  log "dumps and report kept in $keep"
fi
if [ "$differences" -gt 0 ]; then
  log "FAILED: the restore differs from the source"
  exit 1
fi
log "passed"
