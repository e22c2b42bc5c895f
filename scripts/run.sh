#!/usr/bin/env bash
# Sets up everything (scripts/setup.sh), builds GHL Desk with its UI embedded, and
# launches it. Extra arguments are passed to the app.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh
printf '\033[1m==> building the UI\033[0m\n'
npm --workspace ui run build
printf '\033[1m==> building the app\033[0m\n'
cargo build -p ghl-desk --features custom-protocol
printf '\033[1m==> launching GHL Desk\033[0m\n'
exec target/debug/ghl-desk "$@"
