#!/bin/sh
# Cache lines a loop pass touches, per library (doc/performance.md): runs
# bench/lines/lines.c under valgrind's lackey and counts, for each pass (from one
# epoll_wait call to the next), the distinct 64-byte lines of data and of
# code it touched and the instructions it ran; prints the median pass, and
# the time a pass takes natively (2 x 10^6 passes; the best of three runs).
# Then the same lines for the suite's pipe ping-pong (bench -w pipe1): the
# distinct lines a stretch of steady state touches (the middle fifth of a
# 6000-round-trip trace: the same code and data every round trip, both
# sides).  Needs valgrind and the peers' headers (make bench installs them).
#
#   sh bench/lines.sh [build dir, default build]
set -eu

build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s BUILD="$build" "$build/libactive.a"

# A lackey address (hex, no 0x) as a number, for both awk programs below.
hex='function hex(s,   j, v) { v = 0; for (j = 1; j <= length(s); j++) v = v * 16 + index("0123456789abcdef", substr(s, j, 1)) - 1; return v }'

build_lib() { # name, then cc arguments
    name=$1
    shift
    cc -O2 -Iinc bench/lines/lines.c "$@" -o "$tmp/$name"
    cc -O2 -Iinc -DLINES_TIMED bench/lines/lines.c "$@" -o "$tmp/$name.timed"
}
build_lib raw
build_lib libactive -DLINES_ACTIVE "$build/libactive.a"
build_lib libev -DLINES_EV -lev
build_lib libevent -DLINES_EVENT -levent_core

printf '%-10s %10s %10s %13s %8s\n' library "data lines" "code lines" instructions "ns/pass"
for lib in raw libactive libev libevent; do
    best=$(for r in 1 2 3; do "$tmp/$lib.timed" 2000000 2>/dev/null; done | sort -n | head -1)
    valgrind --tool=lackey --trace-mem=yes --log-file="$tmp/trace" "$tmp/$lib" 200 2>"$tmp/mark"
    awk -v lib="$lib" -v best="$best" -v mark="$(awk '/^pass-start/ { print $2 }' "$tmp/mark")" "$hex"'
        function end() {
            if (started) { d[np] = nd; c[np] = nc; i[np] = ni; np++ }
            started = 1; nd = nc = ni = 0; split("", dl); split("", cl)
        }
        function median(x, n,   j, k, t) { # of x[0..n-1], sorted in place
            for (j = 1; j < n; j++) for (k = j; k > 0 && x[k - 1] > x[k]; k--) { t = x[k]; x[k] = x[k - 1]; x[k - 1] = t }
            return x[int(n / 2)]
        }
        $1 ~ /^(I|L|S|M)$/ {
            split($2, f, ","); a = tolower(f[1]); sub(/^0+/, "", a)
            if ($1 == "I" && a == mark) end()
            k = int(hex(a) / 64)
            if ($1 == "I") { ni++; if (!(k in cl)) { cl[k] = 1; nc++ } }
            else if (!(k in dl)) { dl[k] = 1; nd++ }
        }
        END { printf "%-10s %10d %10d %13d %8s\n", lib, median(d, np), median(c, np), median(i, np), best }
    ' "$tmp/trace"
done

# The pipe ping-pong of the suite's own binary: lines touched in steady state.
make -s BUILD="$build" "$build/bench/bench"
printf '\n%-10s %10s %10s   (pipe ping-pong, 1 B: lines a round trip touches, both sides)\n' library "data lines" "code lines"
for lib in raw libactive libev libevent; do
    valgrind --tool=lackey --trace-mem=yes --log-file="$tmp/pipe" "$build/bench/bench" -w pipe1 -l "$lib" -n 6000 >/dev/null 2>&1
    n=$(wc -l <"$tmp/pipe")
    awk -v lib="$lib" -v a=$((n * 55 / 100)) -v b=$((n * 75 / 100)) "$hex"'
        NR >= a && NR <= b && $1 ~ /^(I|L|S|M)$/ {
            split($2, f, ","); k = int(hex(tolower(f[1])) / 64)
            if ($1 == "I") { if (!(k in cl)) { cl[k] = 1; nc++ } }
            else if (!(k in dl)) { dl[k] = 1; nd++ }
        }
        END { printf "%-10s %10d %10d\n", lib, nd, nc }
    ' "$tmp/pipe"
done
