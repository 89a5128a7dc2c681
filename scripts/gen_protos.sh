#!/usr/bin/env bash
# Regenerates every Python stub (*_pb2.py, *_pb2.pyi, *_pb2_grpc.py) from protos/ into
# contracts/src/community/ (or into the directory given as $1), with the grpcio-tools pinned
# in uv.lock. The output is committed; contracts/tests/test_generated_fresh.py fails when it
# is stale. Imports resolve as `community.<service>.v1.<file>_pb2`. Set PYTHON to run protoc
# with a given interpreter instead of the workspace's (`uv run python`).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-$root/contracts/src}" && cd "${1:-$root/contracts/src}" && pwd)"
cd "$root"

# Sorted, so the same protos always produce the same output.
mapfile -t protos < <(cd protos && find community -name '*.proto' | LC_ALL=C sort)

# Start from a clean tree so stubs of deleted protos do not linger.
if [[ -d "$out/community" ]]; then
  find "$out/community" \( -name '*_pb2.py' -o -name '*_pb2.pyi' -o -name '*_pb2_grpc.py' \) -delete
fi

# shellcheck disable=SC2086 # PYTHON may be a command with arguments.
${PYTHON:-uv run --no-sync python} -m grpc_tools.protoc -Iprotos \
  --python_out="$out" --pyi_out="$out" --grpc_python_out="$out" "${protos[@]}"

# Every directory on the way to a stub is a regular package.
printf '"""Generated protobuf and gRPC stubs for the community platform (see protos/)."""\n' \
  > "$out/community/__init__.py"
for proto in "${protos[@]}"; do
  dir="$(dirname "$proto")"
  while [[ "$dir" != "community" ]]; do
    touch "$out/$dir/__init__.py"
    dir="$(dirname "$dir")"
  done
done
