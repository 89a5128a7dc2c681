#!/usr/bin/env bash
# `make contracts`: builds the contracts for use outside this repository into dist/ — the
# community-contracts Python sdist and wheel, and the JVM jar with its pom — and installs the
# jar into the local Maven repository, where docs/examples/jvm-consumer finds it. Needs uv,
# Maven and protoc (deploy/local/prerequisites.sh installs them). The artifacts carry the
# version in contracts/pyproject.toml.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' contracts/pyproject.toml)"
mkdir -p dist
rm -f dist/community_contracts-* dist/community-contracts-*

# The sdist first, then the wheel built from it: a wheel that builds proves the sdist complete.
uv build --quiet --package community-contracts --out-dir dist

# Maven's own JVM lives seconds: the JIT's first tier alone halves its CPU time, even for
# compiling the generated sources.
export MAVEN_OPTS="${MAVEN_OPTS:--XX:TieredStopAtLevel=1}"
mvn -q -B -f contracts/java/pom.xml install
cp "contracts/java/target/community-contracts-$version.jar" dist/
cp contracts/java/pom.xml "dist/community-contracts-$version.pom"
ls -1 dist/community_contracts-* dist/community-contracts-*
