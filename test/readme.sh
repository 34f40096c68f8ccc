#!/usr/bin/env bash
# The README's first program is demo/timers.c, and it prints what the README says.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
diff <(sed -n '/^```c$/,/^```$/p' README.md | sed '1d;$d') <(sed '1d' demo/timers.c)
out=$("$build/demo/timers")
expected=$(sed -n '/^\$ make demo$/,/^```$/p' README.md | sed '1d;$d')
[ "$out" = "$expected" ] || { printf 'demo printed:\n%s\nREADME says:\n%s\n' "$out" "$expected"; exit 1; }
echo "README program matches demo/timers.c and its output"
