#!/usr/bin/env bash
# The contracts' version follows the protos: `tools/buf/contracts_version.sh <ref>` fails when
# this work changed protos/ (edited, added or deleted files, committed or not, since it left
# <ref>) and the version in contracts/pyproject.toml is not a newer minor than there. buf
# breaking admits only backward-compatible changes, so the major version never moves and a
# version never goes back. The Python wheel, the JVM jar and their users read compatibility
# from this number. Run by `tools/buf/buf.sh breaking`, which picks the ref.
set -euo pipefail
file=contracts/pyproject.toml
name="${1:?usage: $0 <git ref>}"
# Where this work left <ref>: protos that <ref> changed since are not this work's to version.
base="$(git merge-base "$name" HEAD)"

version_in() { sed -n 's/^version = "\([0-9]*\.[0-9]*\.[0-9]*\)"$/\1/p'; }
was="$(git show "$base:$file" | version_in)"
now="$(version_in < "$file")"
if [[ -z "$was" || -z "$now" ]]; then
  echo "contracts version: no MAJOR.MINOR.PATCH version in $file (here: '$now', $name: '$was')" >&2
  exit 1
fi
IFS=. read -r was_major was_minor was_patch <<< "$was"
IFS=. read -r now_major now_minor now_patch <<< "$now"
next_minor="$was_major.$((was_minor + 1)).0"

if ((now_major != was_major)); then
  echo "contracts version: $now changes the major version of $name's $was; contracts only change" \
       "in backward-compatible ways (buf breaking), so set $next_minor in $file" >&2
  exit 1
fi
if ((now_minor < was_minor || (now_minor == was_minor && now_patch < was_patch))); then
  echo "contracts version: $now is older than $name's $was ($file)" >&2
  exit 1
fi
if git diff --quiet "$base" -- protos && [[ -z "$(git ls-files --others --exclude-standard -- protos)" ]]; then
  echo "contracts version: $now, protos unchanged since $name"
  exit 0
fi
if ((now_minor == was_minor)); then
  echo "contracts version: protos/ changed since $name, so the contracts need a new minor version:" \
       "set $next_minor (or later) in $file, contracts/java/pom.xml and" \
       "docs/examples/jvm-consumer/pom.xml (it is $now)" >&2
  exit 1
fi
echo "contracts version: $now for protos changed since $name's $was"
