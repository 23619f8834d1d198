#!/usr/bin/env bash
# Starts the dashboard. With no config yet it opens the built-in demo (embedded simulator).
# On a machine without a display (a server, a container) the window cannot open: the same engine runs
# headless on the terminal instead, for a minute, so `make run` still shows something useful.
set -euo pipefail
bin=${1:-build/app/signaldeck}
shift || true
config=${XDG_CONFIG_HOME:-$HOME/.config}/SignalDeck/config.json
args=()
if [ -f "$config" ]; then
  args=(--config "$config")
else
  echo "No config at $config yet: opening the built-in demo."
  args=(--demo)
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "No display (DISPLAY and WAYLAND_DISPLAY are unset): running headless for 60 s instead of the window."
  echo "On a desktop, 'make run' opens the dashboard; here, try: xvfb-run $bin ${args[*]} --quit-after 20 --screenshot dashboard.png"
  exec "$bin" "${args[@]}" --headless --duration 60 "$@"
fi
exec "$bin" "${args[@]}" "$@"
