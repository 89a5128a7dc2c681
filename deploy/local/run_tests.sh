#!/usr/bin/env bash
# `make test`: starts a fresh Kafka + PostgreSQL + FerretDB on the test ports (never the `make up` ones;
# STACK_INSTANCE=ci picks a second set, for a run beside busy `test` servers),
# runs the static checks and the whole pytest suite against them, and stops what it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
stack() { uv run python deploy/local/stack.py "$@" --instance "${STACK_INSTANCE:-test}"; }

stack clean                       # a fresh run: leftover test servers stopped, data wiped
trap 'stack down' EXIT
stack infra-up
eval "$(stack env)"

echo "== ruff";  uv run ruff check .
# Every package: the contracts' hand-written code (protoc's output is not ours to type),
# the common kernel, each service's whole source and the cli.
echo "== mypy";  uv run mypy contracts/src/community_contracts services/*/src cli/src
echo "== buf";   make --no-print-directory lint-protos
echo "== pytest"
# No reruns: a test that fails once is a failure to find, not a flake to retry.
uv run pytest "$@"
