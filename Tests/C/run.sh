#!/usr/bin/env bash
# Compiles the protobuf-c contracts as gate firmware would: a plain C compiler,
# -Wall -Werror, nothing from Swift; then links a small program that encodes a
# common message and checks that protobuf-c decodes it back.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
mapfile -t sources < <(find "$root/Shared/CContracts/src" -name '*.c' | LC_ALL=C sort)
for s in "${sources[@]}"; do
  cc -std=c11 -Wall -Wextra -Werror -pedantic -I"$root/Shared/CContracts/include" -c "$s" -o "$out/$(basename "$s" .c).o"
done
cc -std=c11 -Wall -Wextra -Werror -I"$root/Shared/CContracts/include" "$root/Tests/C/encode_person_name.c" "$out"/*.o -lprotobuf-c -o "$out/encode_person_name"
"$out/encode_person_name" "$out/person_name.bin"
echo "C contracts: ${#sources[@]} files compiled at -Wall -Wextra -Werror -pedantic; round trip passed"
