#!/usr/bin/env bash
# `make fuzz`: every RPC of every service fuzzed at length (FUZZ_EXAMPLES requests per RPC,
# default 300, plus as many raw bodies) against the four real services on the fuzz instance's
# own servers and data (never the `make up` or `make test` ones); stops what it started.
# The numbers (requests, RPCs, status codes) go to .local/fuzz/fuzz-report.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
stack() { uv run python deploy/local/stack.py "$@" --instance fuzz; }

stack clean
trap 'stack down' EXIT
stack infra-up
eval "$(stack env)"
# Each call has its own 30 s deadline; a long budget outlasts the suite-wide 300 s per test.
FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-300}" uv run pytest tests/fuzz --timeout 3600 "$@"
