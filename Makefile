# The README's commands. Everything runs from a fresh clone: prerequisites are installed,
# servers are built (cached under .local/) and started with PID files.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
STACK := uv run python deploy/local/stack.py

.PHONY: up down clean status rebuild chaos test fuzz test-dashboard test-servers test-servers-down protos authorization-doc contracts lint-protos lint demo bench

up: ## Start Kafka, PostgreSQL, FerretDB and the four services (idempotent); REPLICAS=2: two processes of each service and two insights workers; INSIGHTS_WORKERS=N: N insights workers (default: REPLICAS, else 1)
	@deploy/local/prerequisites.sh
	@$(STACK) up --replicas $(or $(REPLICAS),1) $(if $(INSIGHTS_WORKERS),--insights-workers $(INSIGHTS_WORKERS))

down: ## Stop everything `make up` started
	@$(STACK) down

clean: ## Stop and wipe the local data (Kafka logs, the PostgreSQL cluster FerretDB stores in)
	@$(STACK) clean

status:
	@$(STACK) status

rebuild: ## Drop and rebuild one service's read models from its events while it serves: make rebuild SERVICE=<membership|feed|moderation|insights>
	@$(STACK) rebuild $(SERVICE)

demo: ## Play the school story against the system `make up` started, print what an admin sees
	@COMMUNITY_AUTH_HS256_SECRET=$${COMMUNITY_AUTH_HS256_SECRET:-$$(cat .local/dev/auth-secret)} \
		uv run communityctl demo

bench: ## Benchmarks P0-P6 (P0: database commands per RPC; P6: the dashboard's cost to GetInsights) on the test instance's servers (STACK_INSTANCE=ci: the ci ones); table + bench/results/<date>.json
	@deploy/local/prerequisites.sh
	@uv run python bench/run.py

chaos: ## Faults one at a time under load on two replicas of everything (its own servers, instance chaos; ≤ 10 min): table + .local/chaos/report.json, non-zero exit when a goal is missed
	@deploy/local/prerequisites.sh
	@uv run python -m chaos

test: ## The whole suite on its own servers (never touches `make up` data)
	@deploy/local/prerequisites.sh test
	@deploy/local/run_tests.sh

fuzz: ## Fuzz every RPC at length on its own servers (FUZZ_EXAMPLES per RPC, default 300); numbers in .local/fuzz/fuzz-report.json
	@deploy/local/prerequisites.sh test
	@deploy/local/run_fuzz.sh

test-dashboard: ## The dashboard's longer browser tour (selectors, keyboard, sign-out) on the test servers
	@deploy/local/prerequisites.sh test
	@deploy/local/run_dashboard_tour.sh

test-servers: ## Development: start the test instance's servers and print their env
	@deploy/local/prerequisites.sh
	@$(STACK) infra-up --instance test
	@$(STACK) env --instance test

test-servers-down:
	@$(STACK) down --instance test

protos: ## Regenerate the Python stubs, the event catalogue and its JSON Schemas from protos/
	@scripts/gen_protos.sh
	@uv run python scripts/gen_event_catalogue.py
	@uv run python scripts/gen_authorization.py

authorization-doc: ## Regenerate docs/authorization.md from the authorization matrix (tests/e2e/authorization_matrix.py)
	@uv run python scripts/gen_authorization.py

contracts: ## The contracts for data teams into dist/: Python wheel + sdist, JVM jar + pom
	@deploy/local/prerequisites.sh
	@scripts/build_contracts.sh

lint-protos: ## buf lint, and buf breaking against the main branch
	@tools/buf/buf.sh lint
	@tools/buf/buf.sh breaking

lint:
	@uv run ruff check .
	@make --no-print-directory lint-protos
