#!/usr/bin/env bash
# The main job on the embedded default: apply the milestone catalog to the `dev` stack,
# against the local Capillary emulator, with a file backend inside the project.
#   programs/dev.sh up     set everything up, `pulumi up --yes`, summarise (make up)
#   programs/dev.sh down   stop the background emulator (make down)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PORT=${PORT:-8080}
STATE_DIR=${CAPILLARY_EMULATOR_DIR:-$ROOT/.emulator}
export PATH="$ROOT/.venv/bin:$PATH"

say() { printf '==> %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Every CLI call: the dev stack's passphrase is empty, whatever the user's shell holds, so
# the encryption salt written into Pulumi.dev.yaml works for everyone.
pulumi_dev() {
  env -u PULUMI_CONFIG_PASSPHRASE_FILE PULUMI_CONFIG_PASSPHRASE="" pulumi "$@"
}

ensure_pulumi() {
  # On PATH (recent enough) → Pulumi's installer → the pinned Go build → one sentence.
  local dir
  dir=$(bash "$ROOT/tools/pulumi/ensure.sh") || exit 1
  export PATH="$dir:$PATH"
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
  say "starting the Capillary emulator on http://127.0.0.1:$PORT (state in $STATE_DIR)"
  nohup capillary-emulator --port "$PORT" --state "$STATE_DIR/state.json" \
    >"$STATE_DIR/emulator.log" 2>&1 &
  echo $! >"$STATE_DIR/pid"
  for _ in $(seq 50); do
    curl -fs "http://127.0.0.1:$PORT/__emulator__/requests" >/dev/null 2>&1 && return
    emulator_running || break
    sleep 0.2
  done
  fail "the emulator did not start; see $STATE_DIR/emulator.log"
}

up() {
  ensure_pulumi  # before any stack operation
  make -s .venv/.installed
  start_emulator
  export PULUMI_BACKEND_URL="file://$ROOT/.pulumi"  # as `pulumi login file://...`, but
  mkdir -p "$ROOT/.pulumi"                          # leaves your global login untouched
  export PULUMI_SKIP_UPDATE_CHECK=true
  # The program and the dynamic provider run the interpreter that has the package.
  export PULUMI_PYTHON_CMD="$ROOT/.venv/bin/python"
  # The emulator for this run only (the environment, never written into Pulumi.dev.yaml),
  # with its default till (see `capillary-emulator --help`).
  export CAPILLARY_BASE_URL="http://127.0.0.1:$PORT"
  export CAPILLARY_USERNAME=emulator.till CAPILLARY_PASSWORD=emulator-password
  pulumi_dev stack select dev --create --non-interactive >/dev/null
  if pulumi_dev preview --stack dev --non-interactive --expect-no-changes >/dev/null 2>&1; then
    say "nothing to change: the dev stack already matches the milestone catalog"
  else
    pulumi_dev up --yes --stack dev --non-interactive
  fi
  say "milestones in the emulator:"
  capillary-milestones list --base-url "$CAPILLARY_BASE_URL"
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
