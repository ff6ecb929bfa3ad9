#!/usr/bin/env bash
# gRPC runtime benchmark: unary echo of a 64-byte payload (grpc.testing.TestService/
# UnaryCall) driven by h2load with a pre-encoded gRPC frame, against
#   (a) swift: this runtime's echo server (benchmarks/grpc, release), generated types,
#       metrics + authorisation interceptors on (plaintext dev mode, x-dev-caller header);
#   (b) cpp:   a C++ callback-API echo server on the same core (Debian libgrpc++-dev),
#       built here in a temporary folder;
#   (c) bare:  the floor, the same echo written directly on the C core in Swift
#       (Sources/BareEchoServer: raw bytes, no runtime), to show what the runtime adds;
# in the same run, at 1x1, 16x10 and 64x100 (connections x streams), ROUNDS times,
# servers alternating. Reports requests/s, p50/p99 latency (h2load --log-file), server
# CPU (/proc/<pid>/stat) and memory (VmRSS after each load, VmHWM at the end). Then the
# Swift client against the Swift server at concurrency 1 and 64 (calls/s; then the
# client's CPU, context switches and allocations per call over CLIENT_CALLS calls,
# default 20000), and allocations per unary call of each server (LD_PRELOAD counter).
# Not run by CI.
# Memory over SOAK_CALLS (default 1,000,000) calls at 16x10 on fresh servers, VmRSS every tenth.
#   benchmarks/grpc/run.sh [SECONDS_PER_LOAD=10] [ROUNDS=2]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-10}
rounds=${2:-2}
soak_calls=${SOAK_CALLS:-1000000}
[ -d /opt/swift/usr/bin ] && export PATH=/opt/swift/usr/bin:$PATH
# shellcheck source=echo-load.sh
. "$here/echo-load.sh"
say() { echo "== $*" >&2; }

for tool in h2load grpc_cpp_plugin protoc; do
    if ! command -v "$tool" >/dev/null; then
        [ "$(id -u)" = 0 ] || { echo "missing $tool: apt-get install nghttp2-client protobuf-compiler-grpc protobuf-compiler" >&2; exit 1; }
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q nghttp2-client protobuf-compiler-grpc protobuf-compiler >&2
    fi
done

say "building the C++ echo server, the allocation counter, the Swift package (release)"
mkdir -p "$work/gen" "$work/python"
# The C++ server is compiled in the temporary folder, then kept in .build/cpp-echo (ignored
# by git) under the hash of its inputs, because it takes minutes on a loaded 2-core machine.
key=$(cat "$here/echo_server.cc" "$root"/Protos/grpc/testing/{empty,messages,test}.proto \
      <(pkg-config --modversion grpc++ protobuf) | sha256sum | cut -c1-16)
cached="$here/.build/cpp-echo/echo_server-$key"
if [ ! -x "$cached" ]; then
    protoc -I"$root/Protos" --cpp_out="$work/gen" --grpc_out="$work/gen" --plugin=protoc-gen-grpc="$(command -v grpc_cpp_plugin)" \
        grpc/testing/empty.proto grpc/testing/messages.proto grpc/testing/test.proto
    # shellcheck disable=SC2046
    g++ -O2 -std=c++17 -I"$work/gen" -o "$work/echo_server" "$here/echo_server.cc" "$work"/gen/grpc/testing/*.cc \
        $(pkg-config --cflags --libs grpc++ protobuf) -lpthread
    mkdir -p "$(dirname "$cached")"
    cp "$work/echo_server" "$cached"
fi
cp "$cached" "$work/echo_server"
cc -O2 -shared -fPIC -o "$work/alloc_count.so" "$here/alloc_count.c"
# SwiftPM once reused a cached build description after files were added to the suite
# (a path dependency): "cannot find type" in a release build. It is rebuilt cheaply.
rm -f "$here/.build/release/description.json"
swift build -c release --package-path "$here" >&2
bin=$(swift build -c release --package-path "$here" --show-bin-path)
echo_frame

# start NAME -> sets started_pid and started_port (prefix PRELOAD=path to count allocations)
start() {
    local name=$1 out="$work/$1.out"
    : > "$out"
    case $name in
        swift) command=("$bin/EchoServer" 0) ;;
        bare) command=("$bin/BareEchoServer" 0) ;;
        *) command=("$work/echo_server" 0) ;;
    esac
    env ${PRELOAD:+LD_PRELOAD=$PRELOAD ALLOC_COUNT_FILE=$work/$name.allocs} "${command[@]}" > "$out" &
    started_pid=$!
    servers+=("$started_pid")
    read -r started_port started_metrics <<< "$(echo_port "$out")"
    [ -n "$started_port" ] || { echo "$name server did not start" >&2; exit 1; }
}
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

{
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {print int($2/1024)" MiB"}' /proc/meminfo)"
    echo "swift: $(swift --version 2>&1 | head -1); grpc++ $(pkg-config --modversion grpc++); $(h2load --version | head -1)"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$work/notes"

say "checking both servers answer the echo (and the Swift one refuses a call without x-dev-caller: UNAUTHENTICATED)"
start swift; swift_pid=$started_pid; swift_port=$started_port; swift_metrics=$started_metrics
start cpp; cpp_pid=$started_pid; cpp_port=$started_port
start bare; bare_pid=$started_pid; bare_port=$started_port
python3 "$here/grpc_bench.py" check "$swift_port" --authorised
python3 "$here/grpc_bench.py" check "$cpp_port"
python3 "$here/grpc_bench.py" check "$bare_port"

: > "$work/results"
for round in $(seq "$rounds"); do
    for load in "1 1" "16 10" "64 100"; do
        read -r clients streams <<< "$load"
        for name in cpp bare swift; do
            case $name in
                swift) pid=$swift_pid; port=$swift_port ;;
                bare) pid=$bare_pid; port=$bare_port ;;
                *) pid=$cpp_pid; port=$cpp_port ;;
            esac
            say "round $round: $name at ${clients}x${streams} for ${seconds}s"
            echo_h2load "$port" "$clients" "$streams" -n 2000 > /dev/null  # warm-up
            rm -f "$work/latency"  # h2load appends to its log file
            before=$(cpu_ticks "$pid"); t0=$(date +%s.%N)
            echo_h2load "$port" "$clients" "$streams" -D "$seconds" --log-file="$work/latency" > "$work/h2load.out"
            t1=$(date +%s.%N); after=$(cpu_ticks "$pid")
            rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
            python3 "$here/grpc_bench.py" record "$work/h2load.out" "$work/latency" \
                "$name" "${clients}x${streams}" "$round" "$before" "$after" "$t0" "$t1" "$(getconf CLK_TCK)" "$rss" \
                >> "$work/results"
            tail -1 "$work/results" >&2
        done
    done
done
swift_hwm=$(awk '/VmHWM/ {print $2}' "/proc/$swift_pid/status")
cpp_hwm=$(awk '/VmHWM/ {print $2}' "/proc/$cpp_pid/status")
python3 "$here/grpc_bench.py" metrics "$swift_metrics" > "$work/swift-metrics"
bare_hwm=$(awk '/VmHWM/ {print $2}' "/proc/$bare_pid/status")
stop "$cpp_pid"; stop "$bare_pid"

say "Swift client -> Swift server"
: > "$work/client"
for round in $(seq "$rounds"); do
    for concurrency in 1 64; do
        "$bin/EchoClient" "$swift_port" "$concurrency" "$seconds" | tee -a "$work/client" >&2
    done
done
# The client's own cost over a fixed number of calls: CPU (utime+stime) and context
# switches per call, allocations per call (alloc_count.so); by default and with the
# calling tasks on the client's completion-queue thread (Channel.completionExecutor).
say "Swift client cost per call (CLIENT_CALLS=${CLIENT_CALLS:=20000} calls after a warm-up)"
: > "$work/client-cost"
for round in $(seq "$rounds"); do
    for concurrency in 1 64; do
        for mode in pool queue; do
            rm -f "$work/client.allocs"
            line=$(env $([ "$mode" = queue ] && echo ECHO_CLIENT_ON_QUEUE=1) \
                   LD_PRELOAD="$work/alloc_count.so" ALLOC_COUNT_FILE="$work/client.allocs" \
                   "$bin/EchoClient" "$swift_port" "$concurrency" --calls "$CLIENT_CALLS")
            allocations=$(head -2 "$work/client.allocs" | tr '\n' ' ' | awk -v n="$CLIENT_CALLS" '{printf "%.1f", ($3 - $1) / n}')
            echo "$mode $line $allocations" | tee -a "$work/client-cost" >&2
        done
    done
done
stop "$swift_pid"

say "memory over $soak_calls calls at 16x10 (VmRSS every $((soak_calls / 10)) calls), fresh servers"
: > "$work/soak"
for name in cpp swift; do
    start "$name"
    line="$name $(awk '/VmRSS/ {print $2}' "/proc/$started_pid/status")"
    for _ in $(seq 10); do
        echo_h2load "$started_port" 16 10 -n $((soak_calls / 10)) > "$work/h2load.out"
        grep -q " $((soak_calls / 10)) succeeded" "$work/h2load.out" || { echo "soak: failed calls" >&2; cat "$work/h2load.out" >&2; exit 1; }
        line="$line $(awk '/VmRSS/ {print $2}' "/proc/$started_pid/status")"
    done
    echo "$line" | tee -a "$work/soak" >&2
    stop "$started_pid"
done

say "allocations per unary call (LD_PRELOAD counter, 1x1, 20000 calls after 5000 warm-up)"
: > "$work/allocs"
for name in cpp bare swift; do
    PRELOAD="$work/alloc_count.so" start "$name"
    echo_h2load "$started_port" 1 1 -n 5000 > /dev/null
    kill -USR1 "$started_pid"; sleep 0.3
    echo_h2load "$started_port" 1 1 -n 20000 > /dev/null
    kill -USR1 "$started_pid"; sleep 0.3
    echo "$name $(tail -2 "$work/$name.allocs" | tr '\n' ' ')" >> "$work/allocs"
    stop "$started_pid"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/notes"

cat "$work/notes"
echo
echo "### Swift client cost per call (EchoClient --calls $CLIENT_CALLS; pool: tasks on Swift's pool, queue: on Channel.completionExecutor)"
echo
echo "| tasks on | concurrency | calls/s | client CPU µs per call | voluntary switches per call | allocations per call |"
echo "| --- | --- | --- | --- | --- | --- |"
awk '{printf "| %s | %s | %d | %.1f | %.2f | %s |\n", $1, $3, $6, $7, $8, $10}' "$work/client-cost"
python3 "$here/grpc_bench.py" report "$work/results" "$work/client" "$work/allocs" 20000 \
    "$swift_hwm" "$cpp_hwm" "$work/swift-metrics" "$work/soak" "$bare_hwm"
