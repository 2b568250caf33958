#!/usr/bin/env bash
# Build the pinned Pulumi engine from Go modules, once, into a cache keyed by the pins.
#
#   tools/pulumi/build.sh          build (or reuse) and print the folder holding the CLI
#   tools/pulumi/build.sh --dir    print that folder only, building nothing
#
# The folder holds `pulumi`, `pulumi-language-python`, `pulumi-language-python-exec`,
# `pulumi-resource-pulumi-python` and `pulumi-language-yaml`: put it first on PATH. Three Go
# modules pin what is built, each verified against its committed go.sum (no checksum-database
# exception is needed):
#   cli/              github.com/pulumi/pulumi/pkg/v3 (the CLI and engine)
#   language-python/  the Python language host, with the pkg/sdk pair it compiles with
#   language-yaml/    github.com/pulumi/pulumi-yaml (Pulumi YAML programs)
# The Python language host is not published at the CLI's release; its one served commit is
# older, and the pair works (tests/engine/test_real_cli.py proves the combination).
# Cold, on 2 cores: about 7 minutes and 4 GB of Go caches; afterwards a few seconds.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CLI_VERSION=v3.276.0
HOST_SDK_VERSION=v3.192.0
CLI_PKG=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
HOST_PKG=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
YAML_PKG=github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
VERSION_VAR=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version

# The cache is keyed by the pins: the versions and every module's go.mod and go.sum.
key=$( (echo "$CLI_VERSION $HOST_SDK_VERSION"; cat "$HERE"/cli/go.mod "$HERE"/cli/go.sum \
  "$HERE"/language-python/go.mod "$HERE"/language-python/go.sum \
  "$HERE"/language-yaml/go.mod "$HERE"/language-yaml/go.sum) | sha256sum | cut -c1-12)
CACHE=${CAPILLARY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-capillary}
DEST="$CACHE/pulumi-${CLI_VERSION#v}-$key"

if [ "${1:-}" = "--dir" ]; then
  echo "$DEST"
  exit 0
fi
if [ -x "$DEST/pulumi" ]; then
  echo "$DEST"
  exit 0
fi

say() { printf '==> %s\n' "$*" >&2; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 \
  || fail "Go is not installed, so the Pulumi CLI cannot be built here; install Go 1.26 or newer (or the Pulumi CLI $CLI_VERSION) and run again."

mkdir -p "$CACHE"
WORK=$(mktemp -d "$CACHE/.build.XXXXXX")
chmod 0755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
LOG_DIR="$CACHE/logs"
mkdir -p "$LOG_DIR"
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false"

step() {  # step NAME MODULE_DIR -- command...: run it in MODULE_DIR, its log kept on failure
  local name=$1 dir=$2
  shift 3
  local log="$LOG_DIR/$name.log"
  if ! (cd "$dir" && "$@") >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    fail "building the Pulumi CLI failed at step '$name'; the whole log is $log. Nothing was installed."
  fi
}

started=$(date +%s)
say "building the Pulumi CLI ${CLI_VERSION} from Go modules (once; about 7 minutes on 2 cores, 4 GB of Go caches)"
step cli "$HERE/cli" -- go build -trimpath -ldflags "-s -w -X $VERSION_VAR=$CLI_VERSION" \
  -o "$WORK/pulumi" "$CLI_PKG"
say "building the Python language host"
step language-host "$HERE/language-python" -- go build -trimpath \
  -ldflags "-s -w -X $VERSION_VAR=$HOST_SDK_VERSION" -o "$WORK/pulumi-language-python" "$HOST_PKG"
say "building the YAML language host"
step language-yaml "$HERE/language-yaml" -- go build -trimpath -ldflags "-s -w" \
  -o "$WORK/pulumi-language-yaml" "$YAML_PKG"
# Two scripts ship in the sdk module: the host's helper beside it, and the dynamic
# provider's launcher. The module cache drops their modes: copy them, 0755.
step sdk-scripts "$HERE/language-python" -- go mod download github.com/pulumi/pulumi/sdk/v3
sdk=$(cd "$HERE/language-python" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$WORK/"
install -m 0755 "$sdk/python/dist/pulumi-resource-pulumi-python" "$WORK/"

found=$("$WORK/pulumi" version 2>/dev/null | head -n 1 || true)
[ "$found" = "$CLI_VERSION" ] \
  || fail "the Pulumi CLI was built but prints version '${found}', not $CLI_VERSION; nothing was installed."
rm -rf "$DEST"
mv "$WORK" "$DEST"
trap - EXIT
say "Pulumi CLI $CLI_VERSION built in $(($(date +%s) - started)) s: $DEST"
echo "$DEST"
