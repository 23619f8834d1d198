#!/usr/bin/env bash
# Starts the app. With no config yet it runs the built-in demo (embedded simulator).
set -euo pipefail
bin=${1:-build/app/signaldeck}
shift || true
config=${XDG_CONFIG_HOME:-$HOME/.config}/SignalDeck/config.json
if [ -f "$config" ]; then
  exec "$bin" --config "$config" "$@"
fi
echo "No config at $config yet: running the built-in demo."
exec "$bin" --demo "$@"
