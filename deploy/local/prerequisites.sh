#!/usr/bin/env bash
# Installs what `make up` / `make test` / `make contracts` need and is missing, then the pinned
# Python environment (the dashboard's npm packages are installed by stack.py build). Java 17+
# (a JDK), Maven, Go 1.22+ and Node.js 20+ are expected on the machine (see README); protoc and
# PostgreSQL 15 come from Debian's packages and uv from PyPI when absent. Safe to run again: it
# only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
for tool in java javac mvn go node npm python3 protoc; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    # protoc compiles the protos to Java for the contracts jar (`make contracts`, make test).
    declare -A pkg=([java]=openjdk-17-jre-headless [javac]=openjdk-17-jdk-headless [mvn]=maven
                    [go]=golang [node]=nodejs [npm]=npm [python3]=python3 [protoc]=protobuf-compiler)
    apt-get update -qq && apt-get install -y -qq $(for t in "${missing[@]}"; do echo "${pkg[$t]}"; done)
  else
    echo "missing prerequisites: ${missing[*]} (install Java 17 (JDK), Maven, Go >= 1.22, Node.js 20, Python 3.11, protoc)" >&2
    exit 1
  fi
fi

# PostgreSQL 15 from Debian's packages, FerretDB's storage; stack.py runs one cluster per
# instance under .local/<instance>/pgdata. Debian's package would also create and start a
# `main` cluster on 5432: it is told not to, and one made by an earlier install is dropped once.
if [ ! -x /usr/lib/postgresql/15/bin/postgres ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    mkdir -p /etc/postgresql-common
    grep -qs '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf ||
      echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold postgresql-15
  else
    echo "missing prerequisite: PostgreSQL 15 (Debian: apt-get install postgresql-15, as root)" >&2
    exit 1
  fi
fi
if [ "$(id -u)" = 0 ] && command -v pg_lsclusters >/dev/null 2>&1; then
  for version in $(pg_lsclusters --no-header | awk '$2 == "main" {print $1}'); do
    pg_dropcluster --stop "$version" main
  done
fi

# `prerequisites.sh test`: also what the tests need beyond `make up`, Debian's Chromium for
# the dashboard's browser tests (Playwright drives it; it downloads no browser of its own).
if [ "${1:-}" = test ] && [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium
  else
    echo "missing prerequisite: Chromium (Debian: apt-get install chromium, as root)" >&2
    exit 1
  fi
fi

if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet --user "uv==0.13.8" 2>/dev/null || python3 -m pip install --quiet "uv==0.13.8"
  export PATH="$HOME/.local/bin:$PATH"
fi
uv sync --frozen --quiet
