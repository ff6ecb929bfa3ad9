#!/usr/bin/env bash
# Durable single-row inserts: the Postgres library against pgbench, on the same
# server, in the same run, interleaved round by round so that both see the same
# machine load. Not part of CI (it takes minutes and a release build).
#
#   benchmarks/postgres/run.sh [seconds per run, default 10] [rounds, default 3]
#   RENDER_ONLY=benchmarks/postgres/results/<stamp>.txt benchmarks/postgres/run.sh 10 3
#
# For each round and each concurrency (1, 16, 64): pgbench -M prepared with
# custom.sql at that many clients (-j up to 2), then the library through
# PostgresPool.query with default options (the path a service handler uses: a lone
# statement borrows a connection, concurrent ones are pipelined over the pool's 4
# pipelined sessions and share commits), through pooled connections each held by
# one task for the whole run (like pgbench's clients), and through a standalone
# PostgresPipeline (4 connections). Every insert is
# committed with synchronous_commit on before it is counted. The median round
# (by inserts/s) of each is written to docs/benchmarks.md, section
# "PostgreSQL layer" (a hand-written paragraph starting "**Reading" before the end
# marker is kept); raw lines go to benchmarks/postgres/results/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-10}
rounds=${2:-3}
concurrencies=(1 16 64)
pipeline_connections=${PIPELINE_CONNECTIONS:-4}
[ -d /opt/swift/usr/bin ] && export PATH=/opt/swift/usr/bin:$PATH
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}

cd "$root"
if [ -n "${RENDER_ONLY:-}" ]; then
  # Re-render docs/benchmarks.md from an earlier raw file (no measuring).
  raw=$RENDER_ONLY
  stamp=$(basename "$raw" .txt)
  load_before=${LOAD_BEFORE:-unknown} load_after=${LOAD_AFTER:-unknown}
else
  pg_exports=$(./scripts/pg.sh start --test)
  eval "$pg_exports"

  echo "== release build of the benchmark" >&2
  mkdir -p "$here/.package-root"
  ln -sfn ../../.. "$here/.package-root/immigration"
  (cd "$here" && swift build -c release >&2)
  benchmark="$here/.build/release/PostgresBenchmark"

  "$bin/psql" -Xq -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE TABLE bench.inserts (
    id bigserial PRIMARY KEY,
    gate text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    payload bigint NOT NULL);
SQL

  results="$here/results"
  mkdir -p "$results"
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  raw="$results/$stamp.txt"
  logs=$(mktemp -d)
  trap 'rm -rf "$logs"' EXIT
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)

  # One library run; a run that fails (it should not) is made again once, so that an
  # unattended run still has one line per round and mode.
  library() {
    local line
    line=$("$benchmark" "$@") || { echo "== benchmark failed (exit $?), once more" >&2; line=$("$benchmark" "$@"); }
    echo "$line" | tee -a "$raw"
  }

  for round in $(seq 1 "$rounds"); do
    for c in "${concurrencies[@]}"; do
      j=$(( c < 2 ? c : 2 ))
      "$bin/psql" -Xqc "TRUNCATE bench.inserts"
      echo "== round $round, $c: pgbench" >&2
      # GNU time: pgbench's CPU time (user, system) and context switches (voluntary, not).
      (cd "$logs" && /usr/bin/time -f '%U %S %w %c' -o "pgb_${round}_${c}.usage" \
          "$bin/pgbench" -n -M prepared -f "$here/custom.sql" -c "$c" -j "$j" -T "$seconds" \
          -l --log-prefix="pgb_${round}_${c}" > "pgb_${round}_${c}.out" 2>&1)
      count=$(cat "$logs"/pgb_"${round}"_"${c}".[0-9]* | wc -l)
      read -r cpu_per switches_per < <(awk -v n="$count" '{if (n < 1) n = 1; printf "%.1f %.2f\n", ($1 + $2) * 1e6 / n, ($3 + $4) / n}' \
          "$logs/pgb_${round}_${c}.usage")
      tps=$(grep -E '^tps' "$logs/pgb_${round}_${c}.out" | sed -E 's/tps = ([0-9.]+).*/\1/')
      read -r p50 p99 < <(cat "$logs"/pgb_"${round}"_"${c}".[0-9]* | awk '{print $3}' | sort -n |
        awk '{a[NR]=$1} END {i50=int(NR*0.5); i99=int(NR*0.99); if (i50<1) i50=1; if (i99<1) i99=1; print a[i50], a[i99]}')
      echo "pgbench $c $c $count $seconds ${tps%.*} $p50 $p99 $cpu_per $switches_per" | tee -a "$raw"
      rm -f "$logs"/pgb_"${round}"_"${c}".[0-9]*
      "$bin/psql" -Xqc "TRUNCATE bench.inserts"
      echo "== round $round, $c: library, pool" >&2
      library "$seconds" pool same "$c"
      "$bin/psql" -Xqc "TRUNCATE bench.inserts"
      echo "== round $round, $c: library, session" >&2
      library "$seconds" session same "$c"
      "$bin/psql" -Xqc "TRUNCATE bench.inserts"
      echo "== round $round, $c: library, pipeline" >&2
      library "$seconds" pipeline "$pipeline_connections" "$c"
    done
  done
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)

fi

python3 - "$raw" "$root/docs/benchmarks.md" "$seconds" "$rounds" "$load_before" "$load_after" "$stamp" \
    "$pipeline_connections" <<'PY'
import re, statistics, sys
raw, doc, seconds, rounds, load_before, load_after, stamp, pipeline_connections = sys.argv[1:]
runs = {}
for line in open(raw):
    fields = line.split()
    mode, conc, conns, count, secs, rate, p50, p99 = fields[:8]
    # CPU µs and context switches per insert (absent from runs recorded before they were measured).
    cpu, switches = (float(fields[8]), float(fields[9])) if len(fields) >= 10 else (None, None)
    runs.setdefault((mode, int(conc)), []).append((int(rate), int(p50), int(p99), int(conns), cpu, switches))
def median_run(key):
    values = sorted(runs.get(key, []))
    return values[len(values) // 2] if values else None
def median(values):
    values = sorted(values)
    return values[len(values) // 2]
rows = []
for c in (1, 16, 64):
    pg = median_run(("pgbench", c))
    line = [f"| {c} | {pg[0]:,} | {pg[1]} / {pg[2]} |"]
    for mode in ("pool", "session", "pipeline"):
        lib = median_run((mode, c))
        if lib is None:
            line.append(" — | — | — |")
            continue
        # Ratio within each round (runs minutes apart see different machine load), then the median.
        ratios = [mine[0] / theirs[0] for mine, theirs in zip(runs[(mode, c)], runs[("pgbench", c)])]
        line.append(f" {lib[0]:,} | {lib[1]} / {lib[2]} | {median(ratios):.2f}x ({', '.join(f'{r:.2f}' for r in ratios)}) |")
    rows.append("".join(line))
cost_rows = []
for c in (1, 16, 64):
    cells = []
    for mode in ("pgbench", "pool", "session", "pipeline"):
        run = median_run((mode, c))
        cells.append("—" if run is None or run[4] is None else f"{run[4]:.1f} / {run[5]:.2f}")
    cost_rows.append(f"| {c} | " + " | ".join(cells) + " |")
costs = ""
if any(run[4] is not None for values in runs.values() for run in values):
    costs = """
Client cost per insert (same median rounds): CPU µs (user + system, all threads) / context
switches (voluntary + involuntary) of the client process, over the timed part (the library,
getrusage) or the whole run (pgbench, GNU time). Steadier than the rates on a shared machine.

| concurrency | pgbench | pool | session | pipeline |
| --- | --- | --- | --- | --- |
""" + "\n".join(cost_rows) + "\n"
all_rates = {k: [r[0] for r in v] for k, v in runs.items()}
spread = "; ".join(f"{m} {c}: {', '.join(f'{x:,}' for x in all_rates[(m, c)])}"
                   for c in (1, 16, 64) for m in ("pgbench", "pool", "session", "pipeline") if (m, c) in all_rates)
section = f"""## PostgreSQL layer

Durable single-row inserts (`INSERT INTO bench.inserts (gate, payload) VALUES ('G1', $1)`,
each committed with `synchronous_commit = on` before it counts), measured by
`benchmarks/postgres/run.sh {seconds} {rounds}` on {stamp}: {rounds} rounds of {seconds} s per
run, pgbench and the library interleaved on the same server (scripts/pg.sh `--test`
cluster, PostgreSQL 15, fsync on), median round shown. pgbench: `-M prepared -f custom.sql`
with N clients (`-j` up to 2). **Pool: `PostgresPool.query` with default options, the
ordinary path of a service handler** (a statement alone in flight borrows a connection and
is sent by the calling task; statements arriving while others are in flight go to the
pool's 4 pipelined sessions and share commits). Every task of the library runs as a gRPC
handler of the suite does (`Task(executorPreference: HandOffExecutor.shared)`: a task resumed
by a connection's thread carries on there; docs/postgres.md, Threading model).
Session: each task holds one pooled connection for the whole run, as
a pgbench client does (`withConnection {{ loop }}`: the loop runs on the connection's thread).
Pipeline: `PostgresPipeline` with {pipeline_connections} connections (libpq pipeline mode; statements
arriving together share one commit). Latencies are per insert, in microseconds.
Machine: {__import__('os').cpu_count()} cores shared with other work; load average
{load_before} before, {load_after} after. Figures on a shared machine move a lot from
run to run: the "vs pgbench" columns divide each round's figure by pgbench's figure of
the same round (seconds apart) and show the median, then every round's ratio.
pgbench's own figure at 1 client tells how busy the disk was: on an idle machine of this
kind it is about 4,000/s (fsync about 0.1 ms); far below that, commits waited on a disk
shared with other work and the ratios mostly measure that noise.

| concurrency | pgbench inserts/s | pgbench p50 / p99 µs | pool inserts/s | pool p50 / p99 µs | pool vs pgbench (rounds) | session inserts/s | session p50 / p99 µs | session vs pgbench (rounds) | pipeline inserts/s | pipeline p50 / p99 µs | pipeline vs pgbench (rounds) |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
""" + "\n".join(rows) + f"""
{costs}
Every round (inserts/s): {spread}.
"""
begin, end = "<!-- postgres-benchmark:begin -->", "<!-- postgres-benchmark:end -->"
try:
    text = open(doc).read()
except FileNotFoundError:
    text = "# Benchmarks\n"
# A hand-written reading (from a line starting with "**Reading" to the end marker) is kept.
kept = ""
found = re.search(re.escape(begin) + "(.*?)" + re.escape(end), text, flags=re.S)
if found and "**Reading" in found.group(1):
    kept = found.group(1)[found.group(1).index("**Reading"):].rstrip("\n") + "\n"
block = f"{begin}\n{section}{kept}{end}"
if begin in text and end in text:
    text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + block + "\n"
open(doc, "w").write(text)
print(section)
PY
