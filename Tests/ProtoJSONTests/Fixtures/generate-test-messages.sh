#!/usr/bin/env bash
# Regenerates the protobuf-c output of protojson_test.proto, the test-only
# messages of ProtoJSONTests (target ProtoJSONTestMessages). The well-known
# types it imports come from CContracts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../TestMessages"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
protoc-c -I"$here" -I/usr/include --c_out="$tmp" protojson_test.proto
rm -rf "$out/include" "$out/src"
mkdir -p "$out/include" "$out/src"
cp "$tmp/protojson_test.pb-c.h" "$out/include/"
cp "$tmp/protojson_test.pb-c.c" "$out/src/"
printf 'module ProtoJSONTestMessages {\n    header "protojson_test.pb-c.h"\n    export *\n}\n' > "$out/include/module.modulemap"
