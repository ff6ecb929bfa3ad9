#!/usr/bin/env bash
# Same-run CPU per request of several echo server binaries and the C++ callback server:
# the steady measure used while changing the runtime on a shared machine (timings from
# different runs are not comparable there; ratios measured in the same rounds are).
# Each round runs every server once, in the order given (the C++ server first), each
# over the same fixed number of calls after a warm-up; CPU per request is the server's
# utime+stime (/proc/<pid>/stat) over the timed calls divided by the calls.
#   benchmarks/grpc/compare.sh [-n CALLS=80000] [-r ROUNDS=4] [-c CLIENTS=16] [-m STREAMS=10] \
#       NAME=EchoServer-binary ...
# Binaries are release builds of benchmarks/grpc's EchoServer (copy each aside after
# `swift build -c release --package-path benchmarks/grpc`); the C++ server is the one
# run.sh built and cached in benchmarks/grpc/.build/cpp-echo (run run.sh once first).
# Prints one line per server and round, then a table of the rounds: the mean and the
# lowest of each server (other work on the machine only ever adds CPU per request, so on
# a shared machine the lowest of many short rounds is the steadier figure).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
calls=80000 rounds=4 clients=16 streams=10
while getopts "n:r:c:m:" option; do
    case $option in
        n) calls=$OPTARG ;; r) rounds=$OPTARG ;; c) clients=$OPTARG ;; m) streams=$OPTARG ;;
        *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-n CALLS] [-r ROUNDS] [-c CLIENTS] [-m STREAMS] NAME=BINARY ..." >&2; exit 2; }
cpp=$(ls -t "$here"/.build/cpp-echo/echo_server-* 2>/dev/null | head -1)
[ -x "$cpp" ] || { echo "no C++ echo server in $here/.build/cpp-echo: run run.sh once" >&2; exit 1; }
names=(cpp) binaries=("$cpp")
for pair in "$@"; do names+=("${pair%%=*}"); binaries+=("${pair#*=}"); done

# shellcheck source=echo-load.sh
. "$here/echo-load.sh"
echo_frame

ports=() metrics_ports=()
for i in "${!binaries[@]}"; do
    "${binaries[$i]}" 0 > "$work/$i.out" &
    servers+=("$!")
    read -r port metrics_port <<< "$(echo_port "$work/$i.out")"
    [ -n "$port" ] || { echo "${names[$i]} did not start" >&2; exit 1; }
    ports+=("$port") metrics_ports+=("${metrics_port:-}")
done

h2() { echo_h2load "$1" "$clients" "$streams" -n "$2"; }  # port calls
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)

echo "load ${clients}x${streams}, $calls calls per run; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$work/results"
for round in $(seq "$rounds"); do
    for i in "${!binaries[@]}"; do
        h2 "${ports[$i]}" 4000 > /dev/null
        before=$(ticks "${servers[$i]}"); t0=$(date +%s.%N)
        h2 "${ports[$i]}" "$calls" > "$work/h2load.out"
        t1=$(date +%s.%N); after=$(ticks "${servers[$i]}")
        grep -q " $calls succeeded" "$work/h2load.out" || { echo "${names[$i]}: failed calls" >&2; cat "$work/h2load.out" >&2; exit 1; }
        line=$(awk -v n="$calls" -v b="$before" -v a="$after" -v t0="$t0" -v t1="$t1" -v tck="$tck" -v name="${names[$i]}" -v r="$round" \
            'BEGIN {printf "%s %d %.2f %.0f", name, r, (a - b) / tck * 1e6 / n, n / (t1 - t0)}')
        echo "$line" | tee -a "$work/results"
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# h2load counts a call that ended with a gRPC error as a success (the status is in the
# trailers of an HTTP 200). Servers that print a metrics port count their answers by code:
# every call of the comparison (warm-ups included) must be there as OK, and nothing else.
# The others (the C++ server, BareEchoServer) expose no count and are named here.
expected=$((rounds * (4000 + calls)))
for i in "${!binaries[@]}"; do
    if [ -z "${metrics_ports[$i]}" ]; then echo "${names[$i]}: no metrics port, answers' codes not checked"; continue; fi
    counts=$(python3 "$here/grpc_bench.py" metrics "${metrics_ports[$i]}")
    ok=$(awk '/grpc_code="OK"/ {n += $NF} END {print n + 0}' <<< "$counts")
    others=$(grep -v 'grpc_code="OK"' <<< "$counts" || true)
    if [ -n "$others" ] || [ "$ok" -ne "$expected" ]; then
        echo "${names[$i]}: $ok calls answered OK of $expected; other codes:" >&2
        echo "${others:-none}" >&2
        exit 1
    fi
done
echo
echo "| server | CPU µs/request (rounds) | mean | lowest | / C++ (means) | / C++ (lowest) | requests/s (rounds) |"
echo "|---|---|---:|---:|---:|---:|---|"
awk '
    { cpu[$1] = cpu[$1] (cpu[$1] == "" ? "" : ", ") $3; sum[$1] += $3; n[$1]++
      if (!($1 in low) || $3 < low[$1]) low[$1] = $3
      rps[$1] = rps[$1] (rps[$1] == "" ? "" : ", ") $4; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
    END { for (i = 1; i <= k; i++) { s = order[i]
            printf "| %s | %s | %.2f | %.2f | %.3f | %.3f | %s |\n", s, cpu[s], sum[s] / n[s], low[s],
                   (sum[s] / n[s]) / (sum["cpp"] / n["cpp"]), low[s] / low["cpp"], rps[s] } }
' "$work/results"
