#!/usr/bin/env bash
# Copies the UI tests' screenshots that the metainfo shows into data/screenshots/, under the
# names the metainfo gives them. Run the ui suite first (it writes _build/tests/ui/screenshots):
#   build-aux/update-screenshots.sh [BUILD_DIR]
set -euo pipefail
command -v convert > /dev/null || { echo "convert (ImageMagick) is not installed" >&2; exit 1; }
cd "$(dirname "$0")/.."
shots="${1:-_build}/tests/ui/screenshots"

# metainfo name   the test's screenshot
pairs=(
  "add-device     add-device-manual"
  "scanner        scanner-camera"
  "nearby         nearby-network"
  "device         nearby-network-device"
  "progress       commission-progress"
  "attestation    commission-attestation-failure"
  "my-devices     commission-my-devices"
  "sharing        devices-shared"
  "preferences    preferences-development-trust"
)

mkdir -p data/screenshots
status=0
for pair in "${pairs[@]}"; do
  read -r name shot <<< "$pair"
  if [ -f "$shots/$shot.png" ]; then
    # the tests shoot the whole screen: the black around the windows is cut off
    convert "$shots/$shot.png" -trim +repage "data/screenshots/$name.png"
    echo "data/screenshots/$name.png <- $shots/$shot.png"
  else
    echo "missing: $shots/$shot.png (run the ui suite)" >&2
    status=1
  fi
done
exit $status
