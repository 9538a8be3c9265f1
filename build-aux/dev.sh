#!/usr/bin/env bash
# Sets up a Debian 12 machine for Threshold, builds it, and runs it or its tests.
#
#   build-aux/dev.sh run    install what is needed, build, and start the app
#   build-aux/dev.sh test   install what is needed, build, and run every test
#
# Both are idempotent. They need root, or sudo, to install packages.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

build_dir="$top/_build"
fuzz_dir="$top/_build-fuzz"

build_packages=(
  meson ninja-build pkg-config gcc gettext itstool desktop-file-utils appstream
  libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev libadwaita-1-dev libssl-dev libsoup-3.0-dev
  libjson-glib-dev libavahi-client-dev libavahi-glib-dev libzbar-dev libqrencode-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad libportal-dev libportal-gtk4-dev
)
test_packages=(
  clang libclang-rt-14-dev xvfb xauth dbus dbus-x11 at-spi2-core python3 python3-gi
  python3-pyatspi python3-dbusmock gstreamer1.0-tools avahi-daemon avahi-utils yelp-tools
  qrencode imagemagick iproute2 flatpak-builder xdotool time openssl weston
)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "installing packages needs root: run this as root or install sudo"
  fi
}

install_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  # Node.js and npm for the matter.js peer: keep an installed Node (NodeSource's bundles
  # npm, and Debian's npm package conflicts with it); otherwise take Debian's.
  if ! command -v node >/dev/null 2>&1; then
    missing+=(nodejs)
  fi
  if ! command -v npm >/dev/null 2>&1; then
    missing+=(npm)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${#missing[@]} packages: ${missing[*]}"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script sets up Debian 12"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q \
    || die "apt-get update failed: check the network and the Debian mirror in /etc/apt/sources.list"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      "${missing[@]}" \
    || die "could not install: ${missing[*]} (see the apt-get output above)"
}

# matter.js 0.17.9, the interoperability peer, needs Node.js 20.19+ (below 22) or 22.13+;
# Debian 12 ships 18. When the Node on PATH is older, the official build is taken from the
# npm registry (package node-linux-<arch>) into the user's cache and handed to the tests
# through TH_NODE.
node_is_recent() {
  "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number);
           process.exit((a === 20 && b >= 19) || (a === 22 && b >= 13) || a > 22 ? 0 : 1)' \
    2>/dev/null
}

ensure_recent_node() {
  if command -v node >/dev/null 2>&1 && node_is_recent node; then
    return 0
  fi
  local arch dir bin
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) die "no Node.js build for $(uname -m) in the npm registry; install Node.js 20.19 or newer" ;;
  esac
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/threshold/node-20"
  bin="$dir/node_modules/node-linux-$arch/bin/node"
  if ! { [ -x "$bin" ] && node_is_recent "$bin"; }; then
    say "installing Node.js 20 from the npm registry into $dir (Debian's is too old for matter.js)"
    npm install --prefix "$dir" --no-audit --no-fund --no-save "node-linux-$arch@20.19.5" \
      || die "could not install Node.js 20 from the npm registry"
  fi
  export TH_NODE="$bin"
}

configure() {
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null || meson setup --wipe "$dir" "$@"
  else
    meson setup "$dir" "$@"
  fi
}

cmd_run() {
  install_packages "${build_packages[@]}"
  say "building in $build_dir"
  configure "$build_dir" -Dprofile=default
  ninja -C "$build_dir"
  say "starting Threshold"
  GSETTINGS_SCHEMA_DIR="$build_dir/data" exec "$build_dir/src/ui/threshold" "$@"
}

summarize() {
  python3 - "$@" <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        if not line.strip():
            continue
        result = json.loads(line).get("result", "")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
PY
}

cmd_test() {
  install_packages "${build_packages[@]}" "${test_packages[@]}"
  ensure_recent_node
  local status=0

  say "building in $build_dir"
  configure "$build_dir" -Dprofile=default
  ninja -C "$build_dir"
  say "running the tests"
  xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp' \
    dbus-run-session -- meson test -C "$build_dir" --print-errorlogs --no-rebuild \
    || status=1

  say "building the fuzz targets and sanitized engine tests with clang in $fuzz_dir"
  CC=clang configure "$fuzz_dir" -Dprofile=development -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dinterop=disabled -Dui_tests=disabled
  ninja -C "$fuzz_dir"
  say "running the fuzz targets and the engine tests under ASan and UBSan"
  meson test -C "$fuzz_dir" --print-errorlogs --no-rebuild --suite fuzz --suite engine \
    || status=1

  local summary
  summary=$(summarize "$build_dir/meson-logs/testlog.json" "$fuzz_dir/meson-logs/testlog.json")
  echo "$summary"
  case "$summary" in
    *skipped*)
      if [ "${CI:-}" = true ]; then
        echo "CI=true: a skipped test is a failure" >&2
        status=1
      fi
      ;;
  esac
  return $status
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  test) shift; cmd_test "$@" ;;
  deps) install_packages "${build_packages[@]}" "${test_packages[@]}" ;;
  *) echo "usage: $0 run|test|deps" >&2; exit 2 ;;
esac
