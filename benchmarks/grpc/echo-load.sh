# shellcheck shell=bash
# shellcheck disable=SC2154  # here, root: set by the sourcing script
# What the echo benchmarks share (sourced by run.sh, compare.sh and write_paths.sh):
# their temporary folder and its cleanup, the pre-encoded request, how h2load sends
# it, and how a started server names its port. The sourcing script sets `here` (this
# folder) and `root` (the repository) first.

work=$(mktemp -d "/tmp/grpc-${0##*/}.XXXXXX")
# Servers started by the script (pids): stopped on exit, with the folder removed.
servers=()
echo_cleanup() {
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap echo_cleanup EXIT

# echo_frame: the Python classes of grpc.testing in $work/python (GRPC_TESTING_PATH
# exported) and the gRPC frame of the benchmark's SimpleRequest in $work/frame.bin.
echo_frame() {
    mkdir -p "$work/python"
    (cd "$root/Protos" && python3 -m grpc_tools.protoc -I. --python_out="$work/python" --grpc_python_out="$work/python" \
        grpc/testing/empty.proto grpc/testing/messages.proto grpc/testing/test.proto)
    export GRPC_TESTING_PATH="$work/python/grpc"
    python3 "$here/grpc_bench.py" frame "$work/frame.bin"
}

# echo_h2load PORT CLIENTS STREAMS [h2load options...]: unary echo calls as an ops caller.
echo_h2load() {
    local port=$1 clients=$2 streams=$3; shift 3
    h2load -c "$clients" -m "$streams" -d "$work/frame.bin" \
        --header 'content-type: application/grpc' --header 'te: trailers' \
        --header 'x-dev-caller: spiffe://immigration.example/ops/bench' \
        "$@" "http://127.0.0.1:$port/grpc.testing.TestService/UnaryCall"
}

# echo_port OUT: waits (10 s at most) for the `PORT <grpc> [<metrics>]` line a server
# prints to OUT and prints the fields after PORT (nothing when none came).
echo_port() {
    for _ in $(seq 100); do grep -q '^PORT' "$1" && break; sleep 0.1; done
    awk '/^PORT/ {$1 = ""; print substr($0, 2); exit}' "$1"
}
