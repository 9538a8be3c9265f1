#!/usr/bin/env bash
# Runs one libFuzzer target for a fixed number of iterations over a copy of its seed corpus,
# so that the source tree is never written to.
set -euo pipefail
exe=$1 seeds=$2 runs=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
exec_status=0
# A failure must not exit 77, which meson takes for a skip.
"$exe" -runs="$runs" -seed=1 -max_len=4096 -timeout=10 -rss_limit_mb=1024 -error_exitcode=1 \
  -artifact_prefix="$work/" "$work/corpus" "$seeds" || exec_status=$?
if [ $exec_status -ne 0 ]; then
  for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
    [ -e "$f" ] || continue
    echo "failing input $f:"; od -A x -t x1z "$f" | head -40
  done
fi
exit $exec_status
