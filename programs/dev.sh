#!/usr/bin/env bash
# The main job on the embedded default: apply the milestone catalog to the `dev` stack,
# against the local Capillary emulator, with a file backend inside the project.
#   programs/dev.sh up     set everything up, `pulumi up --yes`, summarise (make up)
#   programs/dev.sh down   stop the background emulator (make down)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PORT=${PORT:-8080}
STATE_DIR="$ROOT/.emulator"
PULUMI_INSTALL_URL=${PULUMI_INSTALL_URL:-https://get.pulumi.com}
export PATH="$ROOT/.venv/bin:$HOME/.pulumi/bin:$PATH"

say() { printf '==> %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

ensure_pulumi() {
  command -v pulumi >/dev/null 2>&1 && return
  say "installing the Pulumi CLI with Pulumi's official installer"
  if ! curl -fsSL --connect-timeout 10 --max-time 120 "$PULUMI_INSTALL_URL" 2>/dev/null \
       | sh >/dev/null 2>&1 \
     || ! command -v pulumi >/dev/null 2>&1; then
    fail "the Pulumi CLI is not installed and could not be downloaded here; install it (https://www.pulumi.com/docs/iac/download-install/) and run make up again."
  fi
}

emulator_running() {
  [ -f "$STATE_DIR/pid" ] && kill -0 "$(cat "$STATE_DIR/pid")" 2>/dev/null
}

start_emulator() {
  mkdir -p "$STATE_DIR"
  if emulator_running; then
    say "emulator already running on http://127.0.0.1:$PORT"
    return
  fi
  say "starting the Capillary emulator on http://127.0.0.1:$PORT (state in .emulator/)"
  nohup capillary-emulator --port "$PORT" --state "$STATE_DIR/state.json" \
    >"$STATE_DIR/emulator.log" 2>&1 &
  echo $! >"$STATE_DIR/pid"
  for _ in $(seq 50); do
    curl -fs "http://127.0.0.1:$PORT/__emulator__/requests" >/dev/null 2>&1 && return
    emulator_running || break
    sleep 0.2
  done
  fail "the emulator did not start; see .emulator/emulator.log"
}

up() {
  ensure_pulumi
  make -s .venv/.installed
  start_emulator
  # The dev stack holds no secret: an empty passphrase is enough for its file backend.
  export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
  export PULUMI_BACKEND_URL="file://$ROOT/.pulumi"
  export PULUMI_SKIP_UPDATE_CHECK=true
  # The emulator's default till (see `capillary-emulator --help`).
  export CAPILLARY_USERNAME=emulator.till CAPILLARY_PASSWORD=emulator-password
  mkdir -p "$ROOT/.pulumi"  # PULUMI_BACKEND_URL: as `pulumi login file://...`, but leaves
                            # your global login untouched
  pulumi stack select dev --create --non-interactive >/dev/null
  if [ "$PORT" != 8080 ]; then
    pulumi config set capillary:baseUrl "http://127.0.0.1:$PORT" --stack dev
  fi
  pulumi up --yes --stack dev --non-interactive
  say "milestones in the emulator:"
  capillary-milestones list --base-url "http://127.0.0.1:$PORT"
}

down() {
  if emulator_running; then
    kill "$(cat "$STATE_DIR/pid")"
    say "emulator stopped"
  else
    say "no emulator running"
  fi
  rm -f "$STATE_DIR/pid"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  *) fail "usage: programs/dev.sh up|down" ;;
esac
