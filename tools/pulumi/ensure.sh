#!/usr/bin/env bash
# Find or obtain a Pulumi CLI that runs this project, and print the folder that holds it
# (put it first on PATH). In this order:
#   1. `pulumi` on PATH, at or above the minimum;
#   2. Pulumi's official installer (into ~/.pulumi/bin; your shell files are left alone),
#      unless the pinned build below is already on this machine;
#   3. the pinned build from Go modules (tools/pulumi/build.sh), where `go` exists;
#   4. otherwise one sentence saying what to install, and exit 1.
# CAPILLARY_PULUMI_BUILD=1 goes straight to step 3 (CI does: a pinned, offline engine).
# Progress goes to stderr; stdout is the folder only. `make pulumi` runs step 3 alone.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# Stack config reaches dynamic providers from 3.139; a provider's warnings show from 3.146.
MINIMUM=3.146.0
INSTALL_VERSION=${PULUMI_VERSION:-3.276.0}
INSTALL_URL=${PULUMI_INSTALL_URL:-https://get.pulumi.com}

TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT

say() { printf '==> %s\n' "$*" >&2; }

recent_enough() {  # recent_enough PULUMI_BINARY
  local found
  found=$("$1" version 2>/dev/null | head -n 1 | tr -d 'v[:space:]') || return 1
  [ -n "$found" ] && [ "$(printf '%s\n%s\n' "$MINIMUM" "$found" | sort -V | head -n 1)" = "$MINIMUM" ]
}

if [ -z "${CAPILLARY_PULUMI_BUILD:-}" ]; then
  if found=$(command -v pulumi 2>/dev/null) && recent_enough "$found"; then
    dirname "$found"
    exit 0
  elif [ -n "${found:-}" ]; then
    say "the Pulumi CLI on PATH ($found) is older than $MINIMUM; looking for another"
  fi
  if [ -x "$HOME/.pulumi/bin/pulumi" ] && recent_enough "$HOME/.pulumi/bin/pulumi"; then
    echo "$HOME/.pulumi/bin"
    exit 0
  fi
  built=$(bash "$HERE/build.sh" --dir)
  if [ ! -x "$built/pulumi" ] && command -v curl >/dev/null 2>&1 \
     && curl -fsSL --connect-timeout 10 --max-time 120 "$INSTALL_URL" -o "$TMP" 2>/dev/null; then
    say "installing the Pulumi CLI $INSTALL_VERSION with Pulumi's official installer"
    if sh "$TMP" --version "$INSTALL_VERSION" --no-edit-path >&2 \
       && recent_enough "$HOME/.pulumi/bin/pulumi"; then
      echo "$HOME/.pulumi/bin"
      exit 0
    fi
    say "Pulumi's installer did not install a usable CLI"
  fi
fi
if command -v go >/dev/null 2>&1; then
  bash "$HERE/build.sh"
  exit 0
fi
printf 'error: %s\n' "no Pulumi CLI $MINIMUM or newer was found, Pulumi's installer could not be reached and Go is not installed; install the Pulumi CLI (https://www.pulumi.com/docs/iac/download-install/) or Go 1.26, and run again." >&2
exit 1
