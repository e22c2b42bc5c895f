#!/usr/bin/env bash
# Installs everything GHL Desk needs to build and run on Debian/Ubuntu, idempotently:
# system packages (apt), npm packages (npm ci) and, with --test, the test tools.
# Each step checks what is already there first, so a second run takes a few seconds.
#
#   scripts/setup.sh          what building and running the app needs
#   scripts/setup.sh --test   also what the test suite needs (Xvfb, WebKitWebDriver,
#                             tauri-driver, cargo-deny)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

with_tests=false
[[ "${1:-}" == "--test" ]] && with_tests=true

TAURI_DRIVER_VERSION=2.1.0
CARGO_DENY_VERSION=0.20.2
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19

# Tauri 2 on Linux: WebKitGTK 4.1, GTK 3, tray support and the usual build tools.
apt_build=(
  build-essential pkg-config file curl libssl-dev
  libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libsoup-3.0-dev
  libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev
  libdbus-1-dev
)
# The end-to-end tests drive the real window under a virtual X server; the keychain test
# talks to a real Secret Service (gnome-keyring) on a private D-Bus session; the window
# benchmark types with real X key events (xdotool).
apt_test=(xvfb xauth webkit2gtk-driver dbus-daemon gnome-keyring xdotool)

# shellcheck source=scripts/lib.sh
source scripts/lib.sh

install_apt_packages() {
  local wanted=("${apt_build[@]}")
  $with_tests && wanted+=("${apt_test[@]}")
  local missing=()
  for pkg in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    say "system packages: all ${#wanted[@]} present"
    return
  fi
  command -v apt-get >/dev/null || die "no apt-get: install these packages yourself: ${missing[*]}"
  say "system packages: installing ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

check_toolchains() {
  command -v cargo >/dev/null ||
    die "Rust is not installed: install it from https://rustup.rs (stable), then run this again"
  command -v node >/dev/null && command -v npm >/dev/null ||
    die "Node.js is not installed: install Node.js ${NODE_MIN_MAJOR}.${NODE_MIN_MINOR} or newer (https://nodejs.org), then run this again"
  local version major minor
  version=$(node --version)
  IFS=. read -r major minor _ <<<"${version#v}"
  if ((major < NODE_MIN_MAJOR || (major == NODE_MIN_MAJOR && minor < NODE_MIN_MINOR))); then
    die "Node.js $version is too old: install ${NODE_MIN_MAJOR}.${NODE_MIN_MINOR} or newer"
  fi
  say "toolchains: $(cargo --version | cut -d' ' -f1-2), node $version"
}

install_npm_packages() {
  local stamp=node_modules/.ghl-desk-lock.sha256
  local want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    say "npm packages: up to date"
    return
  fi
  say "npm packages: npm ci"
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
}

# A cargo tool at an exact version, installed from crates.io unless already there.
install_cargo_tool() {
  local name=$1 version=$2
  if command -v "$name" >/dev/null && cargo install --list | grep -qx "$name v$version:"; then
    say "$name: $version present"
    return
  fi
  say "$name: cargo install $name@$version"
  cargo install "$name" --locked --version "$version"
}

install_apt_packages
check_toolchains
install_npm_packages
if $with_tests; then
  install_cargo_tool tauri-driver "$TAURI_DRIVER_VERSION"
  install_cargo_tool cargo-deny "$CARGO_DENY_VERSION"
  # cargo deny reads the whole dependency graph offline, including the Windows and
  # macOS crates a Linux build never downloads; fetch them all (quick once cached).
  say "crates for every platform: cargo fetch"
  cargo fetch --locked
fi
