#!/usr/bin/env bash
# Runs the pinned buf CLI on the protos: `tools/buf/buf.sh lint` or `tools/buf/buf.sh breaking`.
#
# Installs buf from tools/buf/package-lock.json on first use. `breaking` compares the working
# tree's protos with a git ref (BUF_AGAINST_REF, default: the main branch, or origin/main in a
# clone without a local main). It passes, saying why, when that ref has no protos yet (the
# first commit, or a fresh clone whose only history predates them). After buf, `breaking`
# checks that changed protos come with a new minor contracts version (contracts_version.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
buf="$here/node_modules/.bin/buf"

if [[ ! -x "$buf" ]]; then
  npm ci --prefix "$here" --no-audit --no-fund >&2
fi
cd "$root"

case "${1:-}" in
  lint)
    "$buf" lint protos
    echo "buf lint: clean"
    ;;
  breaking)
    ref="${BUF_AGAINST_REF:-}"
    if [[ -z "$ref" ]]; then
      for candidate in main origin/main; do
        if git rev-parse --verify --quiet "$candidate^{commit}" >/dev/null; then
          ref="$candidate"
          break
        fi
      done
    fi
    if [[ -z "$ref" ]]; then
      echo "buf breaking: no main branch to compare with; skipped" >&2
      exit 0
    fi
    if ! git cat-file -e "$ref:protos/buf.yaml" 2>/dev/null; then
      echo "buf breaking: $ref has no protos yet; nothing to break" >&2
      exit 0
    fi
    # A local branch is named with branch=; anything else (origin/main, a tag, a sha) with ref=.
    if git show-ref --verify --quiet "refs/heads/$ref"; then
      against=".git#branch=$ref,subdir=protos"
    else
      against=".git#ref=$(git rev-parse "$ref^{commit}"),subdir=protos"
    fi
    "$buf" breaking protos --against "$against"
    echo "buf breaking: no breaking changes against $ref"
    "$here/contracts_version.sh" "$ref"
    ;;
  *)
    echo "usage: $0 lint|breaking" >&2
    exit 2
    ;;
esac
