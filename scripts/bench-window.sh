#!/usr/bin/env bash
# Measures the release window on a cached location of 100,000 contacts (or the number
# given) under Xvfb: start to first rows, keystroke to updated rows, memory before and
# after scrolling to the end, rows in the DOM. Prints the figures; a screenshot of the
# end of the list goes to target/e2e-screenshots/. The app runs on a D-Bus session bus of
# its own, as on any desktop: without one, GTK spends its start trying to launch one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
contacts=${1:-100000}

scripts/setup.sh --test
printf '\033[1m==> building the UI and the release app\033[0m\n'
npm --workspace ui run build
cargo build --release --locked -p ghl-desk --features custom-protocol

cache="target/bench-window/$contacts"
if [[ ! -f "$cache/accounts.json" ]]; then
  printf '\033[1m==> caching %s contacts\033[0m\n' "$contacts"
  rm -rf "$cache"
  cargo run --release --locked -p desk --example seed_cache -- "$cache" "$contacts"
fi

printf '\033[1m==> measuring the window\033[0m\n'
GHL_DESK_BINARY="$PWD/target/release/ghl-desk" dbus-run-session -- \
  xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24 -nolisten tcp" \
  node tests/perf/window.mjs "$PWD/$cache"
