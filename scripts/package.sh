#!/usr/bin/env bash
# Builds the release .deb and .rpm of GHL Desk, installs the .deb into this system with
# dpkg, checks the installed binary, desktop entry and icons, launches the installed app
# under Xvfb to its first window, and removes the package again. Prints the build time
# and the package sizes. Needs root (or sudo) for dpkg; slow (a release build), so it is
# not part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/lib.sh
source scripts/lib.sh

scripts/setup.sh --test
version=$(node -p 'require("./tauri.conf.json").version')
bundle=target/release/bundle

say "building the release .deb and .rpm of GHL Desk $version"
rm -rf "$bundle/deb" "$bundle/rpm"
started=$SECONDS
TAURI_APP_PATH=src-tauri npx tauri build --ci --bundles deb,rpm
built=$((SECONDS - started))
deb=$(ls "$bundle"/deb/*.deb)
rpm=$(ls "$bundle"/rpm/*.rpm)

if dpkg-query -W ghl-desk >/dev/null 2>&1; then
  say "removing an earlier installed ghl-desk"
  as_root dpkg -r ghl-desk >/dev/null
fi
say "installing $deb"
as_root dpkg -i "$deb" >/dev/null || {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -f -y -q >/dev/null
}
trap 'as_root dpkg -r ghl-desk >/dev/null 2>&1 || true' EXIT

say "checking what was installed"
check() { "$@" || die "installed package: check failed: $*"; }
check test "$(dpkg-query -W -f='${Version}' ghl-desk)" = "$version"
check test -x /usr/bin/ghl-desk
check file --brief /usr/bin/ghl-desk | grep -q '^ELF 64-bit'
desktop="/usr/share/applications/GHL Desk.desktop"
check test -f "$desktop"
check grep -qx 'Name=GHL Desk' "$desktop"
check grep -qx 'Exec=ghl-desk' "$desktop"
check grep -qx 'Icon=ghl-desk' "$desktop"
check grep -q '^Categories=.*Office' "$desktop"
for size in 32x32 128x128 256x256@2; do
  check test -s "/usr/share/icons/hicolor/$size/apps/ghl-desk.png"
done
check dpkg-query -W -f='${Depends}' ghl-desk | grep -q 'libwebkit2gtk-4.1-0'
missing=$(ldd /usr/bin/ghl-desk | grep 'not found' || true)
[[ -z "$missing" ]] || die "the installed binary misses libraries: $missing"

say "launching the installed app under Xvfb"
GHL_DESK_BINARY=/usr/bin/ghl-desk \
  xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24 -nolisten tcp" \
  node tests/package/installed.mjs

say "removing the package"
as_root dpkg -r ghl-desk >/dev/null
trap - EXIT
check test ! -e /usr/bin/ghl-desk
check test ! -e "$desktop"

size() { du -k "$1" | cut -f1; }
say "done: release build and bundling ${built}s; $(basename "$deb") $(size "$deb") KB; $(basename "$rpm") $(size "$rpm") KB"
