#!/usr/bin/env bash
# `make test-dashboard`: the dashboard's longer browser tour (tests/e2e/test_dashboard_tour.py,
# skipped by `make test`) on the test instance's servers (STACK_INSTANCE=ci: the ci ones),
# started here and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
stack() { uv run python deploy/local/stack.py "$@" --instance "${STACK_INSTANCE:-test}"; }

trap 'stack down' EXIT
stack infra-up
eval "$(stack env)"
DASHBOARD_TOUR=1 uv run pytest tests/e2e/test_dashboard_tour.py "$@"
