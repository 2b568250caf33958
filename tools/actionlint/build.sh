#!/usr/bin/env bash
# Build actionlint (the GitHub workflow linter) from its pinned Go module, once, and print
# the binary's path. Without Go it prints nothing: tests/test_workflows.py then skips, or
# fails under CI=true. (actionlint's PyPI wrapper downloads a binary at install time, which
# our machines cannot do.)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
key=$(cat "$HERE/go.mod" "$HERE/go.sum" | sha256sum | cut -c1-12)
CACHE=${CAPILLARY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-capillary}
BINARY="$CACHE/actionlint-$key/actionlint"
if [ ! -x "$BINARY" ]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "==> Go is not installed: actionlint cannot be built, the workflow lint is skipped" >&2
    exit 0
  fi
  echo "==> building actionlint from Go modules (once)" >&2
  mkdir -p "$CACHE/actionlint-$key"
  (cd "$HERE" && CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" \
    go build -trimpath -ldflags "-s -w" -o "$BINARY.tmp" github.com/rhysd/actionlint/cmd/actionlint) >&2
  mv "$BINARY.tmp" "$BINARY"
fi
echo "$BINARY"
