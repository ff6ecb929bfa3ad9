#!/usr/bin/env bash
# Creates the development certificate authority of the suite and, signed by it,
# a certificate for every service and for the demo callers, with the caller
# identity carried as a SPIFFE URI SAN (docs/security.md, docs/operations.md).
#
#   scripts/dev-ca.sh [--rotate] <out-dir>
#
# Development only: production uses the authority's PKI. The out-dir must not be
# committed; inside a git work tree it must be git-ignored (for example .run/certs).
#
# Files in <out-dir>:
#   ca.crt, ca.key            ECDSA P-256 CA, 10 years (ca.key never leaves this folder)
#   <service>.crt/.key        records, portal, agency, autogate, biometric: server and
#                             client certificate; SAN DNS:localhost, DNS:<service>,
#                             IP:127.0.0.1, URI:spiffe://<trust domain>/service/<service>
#   <role>-<id>.crt/.key      demo callers (client only), SAN URI:spiffe://<trust domain>/<role>/<id>
#   identities.tsv            file name, kind and SPIFFE ID of every leaf
# Leaves are valid 1 year. Keys are mode 0600.
#
# Idempotent: a run keeps the CA and every leaf that is still valid (matching key,
# verifies against the CA, expected SANs, more than 30 days left) and issues only
# what is missing or no longer valid. --rotate reissues every leaf with a new key
# (the CA is kept); see "Rotating certificates" in docs/operations.md.
#
# Environment: TRUST_DOMAIN (default immigration.example), LEAF_DAYS (365),
# CA_DAYS (3650), RENEW_BEFORE_DAYS (30).
set -euo pipefail

usage() { echo "usage: $0 [--rotate] <out-dir>" >&2; exit 2; }

rotate=false
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rotate) rotate=true ;;
    -h|--help) usage ;;
    -*) echo "unknown option: $1" >&2; usage ;;
    *) [ -z "$out" ] || usage; out=$1 ;;
  esac
  shift
done
[ -n "$out" ] || usage

trust_domain=${TRUST_DOMAIN:-immigration.example}
leaf_days=${LEAF_DAYS:-365}
ca_days=${CA_DAYS:-3650}
renew_before=$(( ${RENEW_BEFORE_DAYS:-30} * 86400 ))

services=(records portal agency autogate biometric)
# role/id of the demo callers (brief: CallerRole in docs/security.md).
callers=(
  ops/operator-1
  mps-portal/portal-1
  mfa-portal/portal-1
  mnd-portal/portal-1
  agency/C01-investigation
  gate/HAN-T2-07
  control-unit/HAN-BORDER
  issuing-authority/A08-HN
)

if ! command -v openssl >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl >/dev/null
  else
    echo "dev-ca: the openssl command is missing (apt-get install openssl)" >&2; exit 1
  fi
fi

umask 077
created=false
[ -d "$out" ] || { mkdir -p "$out"; created=true; }
out=$(cd "$out" && pwd)

# Never let keys land in a commit: inside a git work tree the folder must be ignored.
if command -v git >/dev/null 2>&1 && git -C "$out" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  if ! git -C "$out" check-ignore -q "$out/ca.key"; then
    echo "dev-ca: $out is inside a git work tree and not git-ignored; refusing to write keys there" >&2
    if $created; then rmdir "$out"; fi
    exit 1
  fi
fi

chmod 0755 "$out"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

new_key() { # <path>
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
  chmod 0600 "$1"
}

serial() { # a random positive 128-bit serial number (RFC 5280 4.1.2.2)
  printf '0x%x%s' $(( RANDOM % 8 )) "$(openssl rand -hex 15)"
}

# The public key of a certificate and of a private key must be the same.
key_matches() { # <crt> <key>
  [ "$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null)" = "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ]
}

# subjectAltName of a certificate as one line, "DNS:a, IP Address:b, URI:c".
san_of() { # <crt>
  openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null | sed -n '2,$p' | tr -d '\n' | sed 's/^ *//'
}

ca_is_valid() {
  [ -s "$out/ca.crt" ] && [ -s "$out/ca.key" ] &&
    key_matches "$out/ca.crt" "$out/ca.key" &&
    openssl x509 -in "$out/ca.crt" -noout -checkend "$renew_before" >/dev/null 2>&1
}

leaf_is_valid() { # <name> <expected san line>
  local crt="$out/$1.crt" key="$out/$1.key"
  [ -s "$crt" ] && [ -s "$key" ] &&
    key_matches "$crt" "$key" &&
    openssl verify -CAfile "$out/ca.crt" "$crt" >/dev/null 2>&1 &&
    openssl x509 -in "$crt" -noout -checkend "$renew_before" >/dev/null 2>&1 &&
    [ "$(san_of "$crt")" = "$2" ]
}

issue_ca() {
  cat >"$work/ca.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
O = Immigration suite (development only)
CN = Immigration development CA
[v3_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
  new_key "$work/ca.key"
  openssl req -new -x509 -config "$work/ca.cnf" -extensions v3_ca -key "$work/ca.key" \
    -days "$ca_days" -sha256 -set_serial "$(serial)" -out "$work/ca.crt"
  mv "$work/ca.key" "$out/ca.key"
  chmod 0644 "$work/ca.crt"
  mv "$work/ca.crt" "$out/ca.crt"
}

issue_leaf() { # <name> <common name> <eku> <san config value>
  local name=$1 cn=$2 eku=$3 san=$4
  cat >"$work/$name.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
O = Immigration suite (development only)
CN = $cn
[v3_leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = $eku
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $san
EOF
  new_key "$work/$name.key"
  openssl req -new -config "$work/$name.cnf" -key "$work/$name.key" -out "$work/$name.csr"
  openssl x509 -req -in "$work/$name.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
    -set_serial "$(serial)" -days "$leaf_days" -sha256 \
    -extfile "$work/$name.cnf" -extensions v3_leaf -out "$work/$name.crt" 2>/dev/null
  chmod 0644 "$work/$name.crt"
  # Key first, then certificate: a reader never sees a new certificate with an old key
  # for longer than this gap, and a re-run repairs any half-written pair.
  mv "$work/$name.key" "$out/$name.key"
  mv "$work/$name.crt" "$out/$name.crt"
}

ca_reissued=false
if ca_is_valid; then
  echo "kept    ca.crt"
else
  issue_ca
  ca_reissued=true
  echo "issued  ca.crt"
fi

: >"$work/identities.tsv"
ensure_leaf() { # <name> <kind> <spiffe id> <cn> <eku> <san config> <expected san line>
  local name=$1 kind=$2 id=$3
  printf '%s\t%s\t%s\n' "$name" "$kind" "$id" >>"$work/identities.tsv"
  if ! $rotate && ! $ca_reissued && leaf_is_valid "$name" "$7"; then
    echo "kept    $name.crt  $id"
  else
    issue_leaf "$name" "$4" "$5" "$6"
    echo "issued  $name.crt  $id"
  fi
}

for s in "${services[@]}"; do
  id="spiffe://$trust_domain/service/$s"
  ensure_leaf "$s" service "$id" "$s" "serverAuth, clientAuth" \
    "DNS:localhost, DNS:$s, IP:127.0.0.1, URI:$id" \
    "DNS:localhost, DNS:$s, IP Address:127.0.0.1, URI:$id"
done
for c in "${callers[@]}"; do
  id="spiffe://$trust_domain/$c"
  ensure_leaf "${c//\//-}" caller "$id" "$c" "clientAuth" "URI:$id" "URI:$id"
done

chmod 0644 "$work/identities.tsv"
mv "$work/identities.tsv" "$out/identities.tsv"
echo "certificates in $out (CA: $out/ca.crt)"
