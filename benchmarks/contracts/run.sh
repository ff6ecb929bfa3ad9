#!/usr/bin/env bash
# Contracts codec benchmark: encode + decode of immigration.testing.v1.PersonWithDocuments
# (Tests/Protos/immigration/testing/v1/field_kinds.proto, module TestContracts)
# (a Vietnamese citizen, three documents) through (a) the generated Swift API (release
# build of the package here), (b) protobuf-c called directly from C (person_c.c compiled
# against Shared/CContracts), (c) Python protobuf (upb) - same content (checked: same
# bytes), same iteration count, same run, interleaved rounds. Prints a table with
# ratios against protobuf-c. Not run by CI.
# Times are CPU time of the process (steadier than wall time on a shared machine); then
# callgrind counts instructions per encode+decode (independent of load): the difference
# between runs of N and 2N iterations, divided by N (CALLGRIND=0 skips it).
#   benchmarks/contracts/run.sh [ITERATIONS=200000] [ROUNDS=5]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
iterations=${1:-200000}
rounds=${2:-5}
[ -d /opt/swift/usr/bin ] && export PATH=/opt/swift/usr/bin:$PATH
work=$(mktemp -d /tmp/contracts-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== building (C -O2, Swift release, Python classes)" >&2
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I"$root/Shared/CContracts/include" -I"$root/Tests/CTestContracts/include" \
    -o "$work/person_c" "$here/person_c.c" \
    "$root"/Tests/CTestContracts/src/immigration/testing/v1/field_kinds.pb-c.c \
    "$root"/Shared/CContracts/src/immigration/common/v1/common.pb-c.c \
    "$root"/Shared/CContracts/src/google/protobuf/{timestamp,duration,wrappers}.pb-c.c \
    -lprotobuf-c
mkdir -p "$work/python"
python3 -m grpc_tools.protoc -I"$root/Tests/Protos" -I"$root/Protos" --python_out="$work/python" \
    immigration/common/v1/common.proto immigration/testing/v1/field_kinds.proto
# SwiftPM names a path package after its folder: a checkout itself called "contracts"
# would clash with this one. Build a copy named contracts-benchmark that points at the
# checkout by absolute path (kept under .build, so the build stays warm).
package="$root/.build/contracts-benchmark"
mkdir -p "$package"
rm -rf "$package/Sources"; cp -a "$here/Sources" "$package/"
sed "s|path: \"\.\./\.\.\"|path: \"$root\"|" "$here/Package.swift" > "$work/Package.swift"
cmp -s "$work/Package.swift" "$package/Package.swift" || cp "$work/Package.swift" "$package/Package.swift"
swift build -c release --package-path "$package" --product ContractsBenchmark >&2
swift_bin="$(swift build -c release --package-path "$package" --show-bin-path)/ContractsBenchmark"

{
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "swift: $(swift --version 2>&1 | head -1)"
    echo "protobuf-c: $(pkg-config --modversion libprotobuf-c 2>/dev/null || echo '?'), cc: $(cc --version | head -1)"
    echo "python protobuf: $(python3 -c 'import google.protobuf as p; print(p.__version__)')"
} > "$work/notes"
for round in $(seq "$rounds"); do
    echo "== round $round/$rounds ($iterations iterations each)" >&2
    "$work/person_c" "$iterations" | tee -a "$work/results" >&2
    "$swift_bin" "$iterations" | tee -a "$work/results" >&2
    PYTHONPATH="$work/python" python3 "$here/person_python.py" "$iterations" | tee -a "$work/results" >&2
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/notes"

: > "$work/instructions"
if [ "${CALLGRIND:-1}" = 1 ] && command -v valgrind >/dev/null; then
    n=${CALLGRIND_ITERATIONS:-5000}
    instructions() { # N command... -> total instructions (Ir) of the run
        local n=$1; shift
        PYTHONPATH="$work/python" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" "$n" 2>&1 >/dev/null | awk '/Collected :/ {print $NF}'
    }
    for name in c swift python; do
        case $name in
            c) command=("$work/person_c") ;;
            # valgrind cannot read the Swift binary's DWARF: measure a copy without it.
            swift) cp "$swift_bin" "$work/swift-stripped"; strip -g "$work/swift-stripped"
                   command=("$work/swift-stripped") ;;
            # the interpreter itself, not a wrapper script (pyenv shims) that valgrind would measure instead
            python) command=("$(python3 -c 'import sys; print(sys.executable)')"
                             "$here/person_python.py") ;;
        esac
        echo "== callgrind: $name" >&2
        one=$(instructions "$n" "${command[@]}")
        two=$(instructions $((2 * n)) "${command[@]}")
        echo "$name $(( (two - one) / n ))" >> "$work/instructions"
    done
fi
cat "$work/notes"
python3 "$here/table.py" "$work/instructions" < "$work/results"
