#!/usr/bin/env bash
# Starts the app. With no config yet it opens on the built-in demo (embedded simulator).
set -euo pipefail
bin=${1:-build/app/signaldeck}
shift || true
config_dir=${XDG_CONFIG_HOME:-$HOME/.config}/SignalDeck
if [ -f "$config_dir/config.json" ]; then
  exec "$bin" "$@"
fi
echo "No config at $config_dir/config.json yet: running the built-in demo."
exec "$bin" --demo "$@"
