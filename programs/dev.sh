#!/usr/bin/env bash
# The main job on the embedded default: apply the milestone catalog to the `dev` stack,
# against the local Capillary emulator, with a file backend inside the project.
#   programs/dev.sh up     set everything up, `pulumi up --yes`, summarise (make up)
#   programs/dev.sh down   stop the background emulator (make down)
#   programs/dev.sh env    print the `export` lines that let you run `pulumi` by hand on the
#                          dev stack: eval "$(make -s env)"
#   programs/dev.sh clean-state  remove the dev stack's local state (make clean), refusing
#                          while the backend holds other stacks
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PORT=${PORT:-8080}
STATE_DIR=${CAPILLARY_EMULATOR_DIR:-$ROOT/.emulator}
BACKEND_DIR=$ROOT/.pulumi
PROJECT=capillary-milestones
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

# The emulator `make up` started is trusted only while its own process is alive *and*
# listening on the port recorded with its pid: something else answering there is not ours.
listeners() {  # the pids listening on TCP port $1, where the system can tell
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u
  elif command -v lsof >/dev/null 2>&1; then
    lsof -nP -iTCP:"$1" -sTCP:LISTEN -t 2>/dev/null | sort -u
  fi
}

port_taken() {  # whether anything accepts connections on 127.0.0.1:$1
  "$ROOT/.venv/bin/python" -c 'import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"
}

ours_alive() {
  [ -f "$STATE_DIR/pid" ] && [ -f "$STATE_DIR/port" ] && kill -0 "$(cat "$STATE_DIR/pid")" 2>/dev/null
}

ours_listening() {  # ours is alive and listens on its recorded port
  ours_alive && listeners "$(cat "$STATE_DIR/port")" | grep -qx "$(cat "$STATE_DIR/pid")"
}

describe() {  # "process 123 (python3 ...)" for each pid listening on port $1
  local pid found=""
  for pid in $(listeners "$1"); do
    found="$found process $pid ($(ps -o args= -p "$pid" 2>/dev/null | cut -c1-60))"
  done
  echo "${found:- another process}"
}

start_emulator() {
  mkdir -p "$STATE_DIR"
  if ours_listening; then
    local port
    port=$(cat "$STATE_DIR/port")
    if [ "$port" = "$PORT" ]; then
      say "emulator already running on http://127.0.0.1:$PORT (pid $(cat "$STATE_DIR/pid"))"
      return
    fi
    fail "the emulator make up started runs on port $port, not $PORT; run make down first, or PORT=$port make up."
  fi
  if ours_alive; then  # alive but not serving its port: not to be trusted
    kill "$(cat "$STATE_DIR/pid")" 2>/dev/null || true
  fi
  rm -f "$STATE_DIR/pid" "$STATE_DIR/port"
  if port_taken "$PORT"; then
    fail "port $PORT is already in use by$(describe "$PORT"); stop it, or choose another port: PORT=18080 make up."
  fi
  say "starting the Capillary emulator on http://127.0.0.1:$PORT (state in $STATE_DIR)"
  nohup capillary-emulator --port "$PORT" --state "$STATE_DIR/state.db" \
    >"$STATE_DIR/emulator.log" 2>&1 &
  echo $! >"$STATE_DIR/pid"
  echo "$PORT" >"$STATE_DIR/port"
  for _ in $(seq 100); do
    ours_listening && return
    ours_alive || break
    sleep 0.1
  done
  local why
  why=$(tail -n 1 "$STATE_DIR/emulator.log" 2>/dev/null)
  rm -f "$STATE_DIR/pid" "$STATE_DIR/port"
  fail "the emulator did not start${why:+: $why}; see $STATE_DIR/emulator.log"
}

up() {
  ensure_pulumi  # before any stack operation
  make -s .venv/.installed
  start_emulator
  export PULUMI_BACKEND_URL="file://$BACKEND_DIR"  # as `pulumi login file://...`, but
  mkdir -p "$BACKEND_DIR"                          # leaves your global login untouched
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

down() {  # returns once the process is gone and its port is free
  if ! ours_alive; then
    rm -f "$STATE_DIR/pid" "$STATE_DIR/port"
    say "no emulator running"
    return
  fi
  local pid port
  pid=$(cat "$STATE_DIR/pid") port=$(cat "$STATE_DIR/port")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    if ! kill -0 "$pid" 2>/dev/null && ! listeners "$port" | grep -qx "$pid"; then
      break
    fi
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$STATE_DIR/pid" "$STATE_DIR/port"
  say "emulator stopped (port $port is free)"
}

print_env() {  # export lines for `pulumi` by hand on the dev stack (stdout: those lines only)
  local dir
  dir=$(bash "$ROOT/tools/pulumi/ensure.sh") || exit 1
  cat <<EOF
export PATH="$dir:$ROOT/.venv/bin:\$PATH"
export PULUMI_BACKEND_URL="file://$BACKEND_DIR"
export PULUMI_CONFIG_PASSPHRASE=""
unset PULUMI_CONFIG_PASSPHRASE_FILE
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_PYTHON_CMD="$ROOT/.venv/bin/python"
EOF
  if ours_listening; then
    cat <<EOF
export CAPILLARY_BASE_URL="http://127.0.0.1:$(cat "$STATE_DIR/port")"
export CAPILLARY_USERNAME=emulator.till CAPILLARY_PASSWORD=emulator-password
EOF
  else
    echo "# no emulator of make up runs: make up starts one (then eval these lines again)"
  fi
}

clean_state() {  # the dev stack's state only; never another stack's
  local others="" stack name
  for stack in "$BACKEND_DIR"/.pulumi/stacks/"$PROJECT"/*.json; do
    [ -e "$stack" ] || continue
    name=$(basename "$stack" .json)
    [ "$name" = dev ] || others="$others $name"
  done
  if [ -n "$others" ]; then
    fail "make clean removes the dev stack's state, but $BACKEND_DIR also holds the state of stack(s)${others}; remove those first (pulumi stack rm --preserve-config STACK) or move $BACKEND_DIR away, then run make clean again."
  fi
  rm -rf "$BACKEND_DIR" "$STATE_DIR"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  env) print_env ;;
  clean-state) clean_state ;;
  *) fail "usage: programs/dev.sh up|down|env|clean-state" ;;
esac
