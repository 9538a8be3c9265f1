#!/usr/bin/env bash
# Validates a Flatpak manifest offline: flatpak-builder must parse it, and any warning it
# prints (an unknown key, say) counts as a failure.
set -euo pipefail
manifest=$1
out=$(flatpak-builder --show-manifest "$manifest" 2>&1 >/dev/null) || {
  echo "$out"; echo "flatpak-builder could not read $manifest"; exit 1; }
if [ -n "$out" ]; then
  echo "$out"
  echo "flatpak-builder warned about $manifest"
  exit 1
fi
echo "$manifest is valid"
