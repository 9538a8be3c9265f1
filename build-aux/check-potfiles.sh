#!/usr/bin/env bash
# Fails when a file with translatable strings is missing from po/POTFILES.in, or when
# POTFILES.in names a file that does not exist or is not sorted.
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

status=0
listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d')

if [ "$listed" != "$(printf '%s\n' "$listed" | LC_ALL=C sort)" ]; then
  echo "po/POTFILES.in is not sorted"
  status=1
fi
while read -r f; do
  [ -e "$f" ] || { echo "po/POTFILES.in names $f, which does not exist"; status=1; }
done <<< "$listed"

candidates=$( { grep -rlE '\b(N_|_|C_|NC_|g_dngettext)\s*\(' src --include='*.c' || true;
               grep -rl 'translatable="yes"' resources data --include='*.ui' || true; } | sort -u)
for f in $candidates; do
  if ! grep -qxF "$f" <<< "$listed"; then
    echo "$f has translatable strings but is not in po/POTFILES.in"
    status=1
  fi
done
[ $status -eq 0 ] && echo "po/POTFILES.in is complete"
exit $status
