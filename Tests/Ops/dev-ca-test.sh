#!/usr/bin/env bash
# Tests scripts/dev-ca.sh: chain and SANs of every certificate, key modes, that a
# re-run changes nothing, that --rotate reissues every leaf under the same CA, that
# an expiring or damaged leaf is replaced, and that the gRPC C core accepts the
# certificates for mutual TLS and reports the caller's SPIFFE ID.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
ca_script="$root/scripts/dev-ca.sh"
td=${TRUST_DOMAIN:-immigration.example}
failures=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
check() { # <description> <command...>
  local d=$1; shift
  if "$@" >/dev/null 2>&1; then ok "$d"; else fail "$d"; fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out="$tmp/certs"

services=(records portal agency autogate biometric)
callers=(ops/operator-1 mps-portal/portal-1 mfa-portal/portal-1 mnd-portal/portal-1
  agency/C01-investigation gate/HAN-T2-07 control-unit/HAN-BORDER issuing-authority/A08-HN)

san() { openssl x509 -in "$1" -noout -ext subjectAltName | sed -n '2,$p' | tr -d '\n' | sed 's/^ *//'; }
eku() { openssl x509 -in "$1" -noout -ext extendedKeyUsage | sed -n '2,$p' | tr -d '\n' | sed 's/^ *//'; }
mode() { stat -c %a "$1"; }
fingerprints() { for f in "$out"/*.crt "$out"/*.key; do printf '%s %s\n' "$(basename "$f")" "$(sha256sum <"$f" | cut -c1-64)"; done; }
days_left() { # whole days until notAfter
  local end; end=$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)
  echo $(( ($(date -d "$end" +%s) - $(date +%s)) / 86400 ))
}

echo "# first run creates the CA and every certificate"
"$ca_script" "$out" >"$tmp/run1.log"
check "ca.crt is a CA certificate" bash -c "openssl x509 -in '$out/ca.crt' -noout -ext basicConstraints | grep -q 'CA:TRUE'"
check "ca.crt is valid about 10 years" test "$(days_left "$out/ca.crt")" -ge 3640
check "ca.key is mode 0600" test "$(mode "$out/ca.key")" = 600
check "ca.crt uses ECDSA P-256" bash -c "openssl x509 -in '$out/ca.crt' -noout -text | grep -q 'NIST CURVE: P-256'"

for s in "${services[@]}"; do
  crt="$out/$s.crt"
  check "$s.crt verifies against ca.crt" openssl verify -CAfile "$out/ca.crt" "$crt"
  check "$s.crt has SANs localhost, $s, 127.0.0.1 and its SPIFFE ID" \
    test "$(san "$crt")" = "DNS:localhost, DNS:$s, IP Address:127.0.0.1, URI:spiffe://$td/service/$s"
  check "$s.crt serves and acts as a client" test "$(eku "$crt")" = "TLS Web Server Authentication, TLS Web Client Authentication"
  check "$s.crt is valid one year" test "$(days_left "$crt")" -ge 364 -a "$(days_left "$crt")" -le 366
  check "$s.key is mode 0600" test "$(mode "$out/$s.key")" = 600
done
for c in "${callers[@]}"; do
  name=${c//\//-}; crt="$out/$name.crt"
  check "$name.crt verifies against ca.crt" openssl verify -CAfile "$out/ca.crt" "$crt"
  check "$name.crt has only the SAN URI spiffe://$td/$c" test "$(san "$crt")" = "URI:spiffe://$td/$c"
  check "$name.crt is a client certificate only" test "$(eku "$crt")" = "TLS Web Client Authentication"
  check "$name.key is mode 0600" test "$(mode "$out/$name.key")" = 600
done
check "identities.tsv lists all 13 leaves" test "$(wc -l <"$out/identities.tsv")" -eq 13
check "identities.tsv maps gate-HAN-T2-07 to its SPIFFE ID" \
  grep -qx "gate-HAN-T2-07	caller	spiffe://$td/gate/HAN-T2-07" "$out/identities.tsv"

echo "# a second run keeps everything"
fingerprints >"$tmp/before"
"$ca_script" "$out" >"$tmp/run2.log"
fingerprints >"$tmp/after"
check "re-run leaves every certificate and key byte for byte" cmp "$tmp/before" "$tmp/after"
check "re-run reports nothing issued" bash -c "! grep -q '^issued' '$tmp/run2.log'"

echo "# --rotate reissues every leaf under the same CA"
"$ca_script" --rotate "$out" >"$tmp/run3.log"
fingerprints >"$tmp/rotated"
check "the CA certificate and key are kept" \
  bash -c "grep '^ca\\.' '$tmp/before' | cmp - <(grep '^ca\\.' '$tmp/rotated')"
changed=$(join "$tmp/before" "$tmp/rotated" | awk '$1 !~ /^ca\./ && $2 != $3' | wc -l)
check "every leaf certificate and key changed (26 files)" test "$changed" -eq 26
for s in records gate-HAN-T2-07; do
  check "rotated $s.crt verifies against the same ca.crt" openssl verify -CAfile "$out/ca.crt" "$out/$s.crt"
  check "rotated $s.key matches $s.crt" bash -c \
    "[ \"\$(openssl x509 -in '$out/$s.crt' -noout -pubkey)\" = \"\$(openssl pkey -in '$out/$s.key' -pubout)\" ]"
done

echo "# damaged or expiring leaves are replaced, the rest kept"
fingerprints >"$tmp/before"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/portal.key" 2>/dev/null
rm "$out/agency.crt"
"$ca_script" "$out" >"$tmp/run4.log"
check "a key that does not match its certificate is reissued" grep -q '^issued  portal.crt' "$tmp/run4.log"
check "a missing certificate is reissued" grep -q '^issued  agency.crt' "$tmp/run4.log"
check "exactly those two are reissued" test "$(grep -c '^issued' "$tmp/run4.log")" -eq 2
RENEW_BEFORE_DAYS=400 "$ca_script" "$out" >"$tmp/run5.log"
check "leaves closer to expiry than RENEW_BEFORE_DAYS are reissued" test "$(grep -c '^issued' "$tmp/run5.log")" -eq 13

echo "# keys are never written into a git work tree unless ignored"
git init -q "$tmp/repo"
if "$ca_script" "$tmp/repo/certs" >/dev/null 2>&1; then fail "refuses a folder that git would commit"; else ok "refuses a folder that git would commit"; fi
check "leaves no folder behind after refusing" test ! -e "$tmp/repo/certs"
echo "/certs/" >"$tmp/repo/.gitignore"
check "accepts a git-ignored folder" "$ca_script" "$tmp/repo/certs"

echo "# the gRPC C core accepts them for mutual TLS and exposes the SPIFFE ID"
if ! python3 -c 'import grpc' 2>/dev/null; then
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore grpcio
fi
peer() { python3 "$root/Tests/Ops/spiffe_peer_check.py" "$out" "$@"; }
check "gate client to records (verified as DNS:records): peer is gate/HAN-T2-07" \
  peer records records gate-HAN-T2-07 "spiffe://$td/gate/HAN-T2-07"
check "peer service client portal to records (verified as IP 127.0.0.1): peer is service/portal" \
  peer records 127.0.0.1 portal "spiffe://$td/service/portal"
check "ops client to biometric (verified as localhost): peer is ops/operator-1" \
  peer biometric localhost ops-operator-1 "spiffe://$td/ops/operator-1"
if peer records agency gate-HAN-T2-07 "spiffe://$td/gate/HAN-T2-07" >/dev/null 2>&1; then
  fail "a server certificate is refused for another service's name"
else ok "a server certificate is refused for another service's name"; fi
"$ca_script" "$tmp/other-ca" >/dev/null
if python3 "$root/Tests/Ops/spiffe_peer_check.py" "$out" records records gate-HAN-T2-07 x "$tmp/other-ca/ca.crt" >/dev/null 2>&1; then
  fail "a client that trusts another CA refuses the server"
else ok "a client that trusts another CA refuses the server"; fi
if python3 "$root/Tests/Ops/spiffe_peer_check.py" "$out" records records gate-HAN-T2-07 \
    "spiffe://$td/gate/HAN-T2-07" "$out/ca.crt" "$tmp/other-ca" >/dev/null 2>&1; then
  fail "the server refuses a client certificate from another CA"
else ok "the server refuses a client certificate from another CA"; fi
if python3 "$root/Tests/Ops/spiffe_peer_check.py" "$out" records records gate-HAN-T2-07 \
    "spiffe://$td/gate/HAN-T2-07" "$out/ca.crt" "$out" >/dev/null 2>&1; then
  ok "the same call with a client certificate from this CA succeeds"
else fail "the same call with a client certificate from this CA succeeds"; fi

if [ "$failures" -gt 0 ]; then echo "dev-ca-test: $failures failure(s)"; exit 1; fi
echo "dev-ca-test: all passed"
