#!/usr/bin/env bash
# Proves that grpc-load (grpc-load.c) judges answers: with the benchmark's requests no
# call fails; with requests whose expected bytes are wrong for some entries (another
# person's id; bytes that are in the answer, but not at its person id: a document's
# id), or that name persons or documents the database does not hold, those calls are
# counted as errors and the first is described. Last, that a run whose service stops
# ends at once with a message and a non-zero status. Not part of CI: it uses what one
# `KEEP=1 benchmarks/records/run.sh` left in .run/records-bench (certificates, the
# service's password, the samples, the scratch cluster: PG_SCRATCH_PORT) and the
# release-built Swift client (benchmarks/records: its `requests` mode).
#
#   benchmarks/records/grpc-load-selftest.sh SERVICE_BINARY
#
# Starts the binary on GRPC_PORT (50461) over mutual TLS; each case runs 2 s at 8
# callers without warm-up. Prints one line per case and exits 1 if any case fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=service.sh
. "$here/service.sh"
# shellcheck source=grpc-load.sh
. "$here/grpc-load.sh"
work=$root/.run/records-bench
port=${GRPC_PORT:-50461}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
client="$here/.build/release/RecordsBenchmark"
pg_exports=$(cd "$root" && ./scripts/pg.sh start --scratch)
eval "$pg_exports"
start_records_service "$1" "$port" "$work/selftest.service.log" "$work/pgpass" "$work/certs"
read -r -a gate <<< "$(caller "$port" "$work/certs" gate-HAN-T2-07)"
cases=$(mktemp -d)
trap 'kill $service_pid 2>/dev/null || true; wait $service_pid 2>/dev/null || true; rm -rf "$cases"' EXIT
grpc_load_build "$work"
grpc_load_requests "$client" get-person "$work/persons.txt" "$work"
persons=$requests
grpc_load_requests "$client" can-cross "$work/documents.txt" "$work"
documents=$requests

# Copies a requests file, replacing the expected bytes of every fourth entry
# (python3: the file is binary): with the next entry's (`next`: another person's
# id), with bytes no answer holds (`absent`), or with line i of FILE (`lines:FILE`).
wrong_expected() {
  python3 - "$1" "$2" "$3" <<'PY'
import struct, sys
source, target, how = sys.argv[1:]
lines = open(how[6:]).read().split() if how.startswith("lines:") else None
data, entries, at = open(source, "rb").read(), [], 0
while at < len(data):
    parts = []
    for _ in range(2):
        (n,) = struct.unpack_from("<I", data, at)
        parts.append(data[at + 4:at + 4 + n])
        at += 4 + n
    entries.append(parts)
with open(target, "wb") as out:
    for i, (message, expected) in enumerate(entries):
        if i % 4 == 0:
            expected = (entries[(i + 1) % len(entries)][1] if how == "next" else
                        lines[i].encode() if lines else b"bytes no answer holds")
        for part in (message, expected):
            out.write(struct.pack("<I", len(part)) + part)
PY
}
wrong_expected "$persons" "$cases/persons-wrong.requests" next
wrong_expected "$documents" "$cases/documents-wrong.requests" absent
# Persons with a document each, expecting (every 4th entry) the document's id: the
# answer holds those bytes, in the document, but not as the person's id.
"$bin/psql" -XtA -F' ' -c "SELECT person_id, document_id FROM records.documents LIMIT 200" > "$cases/held.txt"
cut -d' ' -f1 "$cases/held.txt" > "$cases/held-persons.txt"
cut -d' ' -f2 "$cases/held.txt" > "$cases/held-documents.txt"
"$client" requests get-person "$cases/held-persons.txt" "$cases/held-persons.requests"
wrong_expected "$cases/held-persons.requests" "$cases/document-id-expected.requests" "lines:$cases/held-documents.txt"
# Persons and documents the database does not hold, built by the Swift client as usual.
python3 -c 'import uuid; [print(uuid.uuid4()) for _ in range(100)]' > "$cases/unknown-persons.txt"
for i in $(seq 1000 1099); do echo "ordinary_passport Q999$i VNM"; done > "$cases/unknown-documents.txt"
"$client" requests get-person "$cases/unknown-persons.txt" "$cases/unknown-persons.requests"
"$client" requests can-cross "$cases/unknown-documents.txt" "$cases/unknown-documents.requests"

failed=0
# check NAME MODE REQUESTS CALLS ERRORS [FIRST_ERROR]: CALLS and ERRORS are "0" or "some".
check() {
  local name=$1 mode=$2 file=$3 want_calls=$4 want_errors=$5 want_first=${6:-} line calls errors verdict=ok
  line=$(WARMUP_SECONDS=0 "${gate[@]}" "$grpc_load" "$mode" 8 2 "$file" 2> "$cases/stderr") || verdict="exit status $?"
  read -r _ _ calls _ _ _ _ _ errors <<< "$line"
  # The first condition that fails gives the verdict.
  if [ "$verdict" != ok ]; then :
  elif [ "$want_calls" = 0 ] && [ "${calls:-x}" != 0 ]; then verdict="calls $calls, want 0"
  elif [ "$want_calls" = some ] && [ "${calls:-0}" -le 0 ]; then verdict="no call succeeded"
  elif [ "$want_errors" = 0 ] && [ "${errors:-x}" != 0 ]; then verdict="errors $errors, want 0"
  elif [ "$want_errors" = some ] && [ "${errors:-0}" -le 0 ]; then verdict="no error counted"
  elif [ -n "$want_first" ] && ! grep -q "first: .*$want_first" "$cases/stderr"; then verdict="first error not \"$want_first\""
  fi
  [ "$verdict" = ok ] || failed=1
  echo "$verdict: $name: $line; $(head -c 200 "$cases/stderr")"
}
check "GetPerson, the benchmark's requests" get-person "$persons" some 0
check "check, the benchmark's requests" can-cross "$documents" some 0
check "GetPerson, another person's id expected for every 4th entry" get-person "$cases/persons-wrong.requests" some some \
  "another value than the expected one at the identifying field, person.person_id"
check "GetPerson, a document's id (in the answer, not as the person's id) expected for every 4th entry" get-person \
  "$cases/document-id-expected.requests" some some "another value than the expected one at the identifying field, person.person_id"
check "check, bytes no answer holds expected for every 4th entry" can-cross "$cases/documents-wrong.requests" some some \
  "another value than the expected one at the identifying field, person_id"
check "GetPerson, unknown persons" get-person "$cases/unknown-persons.requests" 0 some "grpc-status 5"
check "check, unknown documents" can-cross "$cases/unknown-documents.requests" 0 some "has no value at the identifying field, person_id"

# The service stops (SIGTERM) 2 s into a 30 s run: grpc-load must end within 10 s of it,
# with a non-zero status and a message saying why (GOAWAY, or the connection closed).
verdict=ok
WARMUP_SECONDS=0 "${gate[@]}" "$grpc_load" can-cross 8 30 "$documents" > "$cases/stdout" 2> "$cases/stderr" &
load_pid=$!
sleep 2
kill "$service_pid"
for _ in $(seq 1 100); do kill -0 "$load_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$load_pid" 2>/dev/null; then
  verdict="still running 10 s after the service stopped"
  kill "$load_pid"
fi
status=0
wait "$load_pid" || status=$?
if [ "$verdict" != ok ]; then :
elif [ "$status" = 0 ]; then verdict="exit status 0"
elif [ "$status" -gt 128 ]; then verdict="killed by signal $((status - 128))"
elif [ -s "$cases/stdout" ]; then verdict="printed a result line"
elif ! grep -Eq "GOAWAY|closed the connection" "$cases/stderr"; then verdict="no reason given"
fi
[ "$verdict" = ok ] || failed=1
echo "$verdict: the service stops during a run: exit status $status; $(head -c 300 "$cases/stderr")"
exit $failed
