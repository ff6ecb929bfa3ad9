#!/usr/bin/env bash
# Where each server's writes come from: runs the Swift echo server and the C++ callback
# echo server (the binaries `run.sh` built: .build/release/EchoServer and the newest
# .build/cpp-echo/echo_server-*) under `strace -f -k -e trace=sendmsg`, drives CALLS
# unary calls at 16 x 10 with h2load, and counts the server's sendmsg per call by the
# frame that led to it: inside grpc_call_start_batch (the write flushed by the batch's
# own ExecCtx), on a core executor thread, or on a thread polling in
# grpc_completion_queue_next. strace -k slows both servers alike; compare the two rows.
#   benchmarks/grpc/write_paths.sh [CALLS=2000]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
calls=${1:-2000}
swift_bin="$here/.build/release/EchoServer"
cpp_bin=$(find "$here/.build/cpp-echo" -name 'echo_server-*' -type f -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -1 | cut -d' ' -f2- || true)
if [ ! -x "$swift_bin" ] || [ -z "$cpp_bin" ]; then echo "build the servers first: benchmarks/grpc/run.sh 1 1" >&2; exit 1; fi
command -v strace >/dev/null || { echo "missing strace" >&2; exit 1; }
# shellcheck source=echo-load.sh
. "$here/echo-load.sh"
echo_frame

trace() { # name binary
    local name=$1 binary=$2 out="$work/$1"
    strace -f -k -qq -e trace=sendmsg -o "$out.strace" "$binary" 0 > "$out.out" 2>&1 &
    local tracer=$!
    local port
    read -r port _ <<< "$(echo_port "$out.out")"
    [ -n "$port" ] || { echo "$name server did not start" >&2; exit 1; }
    echo_h2load "$port" 16 10 -n "$calls" > "$out.h2load"
    grep -q " $calls succeeded" "$out.h2load" || { echo "$name: failed calls" >&2; cat "$out.h2load" >&2; exit 1; }
    kill "$(pgrep -P "$tracer")"
    wait "$tracer" 2>/dev/null || true
    # One record per sendmsg: its line (or its "resumed" line) and the "> frame" lines after it.
    awk -v name="$name" -v calls="$calls" '
        function emit() {
            if (!open) return
            kind = "other"
            if (stack ~ /grpc_call_start_batch/) kind = "start_batch"
            else if (stack ~ /Executor::RunClosures/) kind = "executor"
            else if (stack ~ /pollset_work|grpc_completion_queue_next/) kind = "poller"
            count[kind]++; total++; open = 0
        }
        /^[0-9]+ +sendmsg\(.*\) += -?[0-9]+$|^[0-9]+ +<\.\.\. sendmsg resumed>/ { emit(); open = 1; stack = ""; next }
        /^ > / { if (open) stack = stack "|" $0; next }
        { emit() }
        END {
            emit()
            printf "%-6s sendmsg/call %.3f: inside grpc_call_start_batch %.3f, core executor %.3f, poller %.3f, other %.3f\n",
                name, total / calls, count["start_batch"] / calls, count["executor"] / calls,
                count["poller"] / calls, count["other"] / calls
        }' "$out.strace"
}
trace swift "$swift_bin"
trace cpp "$cpp_bin"
echo "threads of the C++ callback server: $("$cpp_bin" 0 > "$work/threads.out" 2>&1 & pid=$!; sleep 1
    for task in "/proc/$pid"/task/*; do cat "$task/comm"; done | sort | uniq -c | tr -s ' ' | paste -sd,; kill $pid)"
