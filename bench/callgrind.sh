#!/bin/sh
# Instructions (callgrind) and system calls (strace) per operation, for
# libactive and each peer: exact figures, stable on a noisy machine.
#
# Each figure is a difference of two runs, (count(2n) - count(n)) / n, so
# set-up and tear-down cancel out and only the steady state is counted.
#
#   sh bench/callgrind.sh build/bench/bench [workload ...]
set -eu

bin=${1:?usage: callgrind.sh path/to/bench [workload ...]}
shift
works=${*:-dispatch loop timer-cancel pipe1}
libs="libactive libev libuv libevent raw"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The base count n for each workload (the second run does 2n).
base() {
    case $1 in
    dispatch) echo 100000 ;;
    loop) echo 20000 ;;
    timer-cancel | timer-fire) echo 20000 ;;
    *) echo 5000 ;;
    esac
}

instructions() { # lib work n
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$bin" -w "$2" -l "$1" -n "$3" >/dev/null 2>&1 || return 1
    sed -n 's/^summary: *\([0-9]*\).*/\1/p; s/^totals: *\([0-9]*\).*/\1/p' "$tmp/cg" | head -1
}

syscalls() { # lib work n
    strace -f -c -U calls,name -o "$tmp/st" "$bin" -w "$2" -l "$1" -n "$3" >/dev/null 2>&1 || return 1
    awk '$2 == "total" { print $1 }' "$tmp/st"
}

per_op() { # counter lib work n
    a=$($1 "$2" "$3" "$4") && b=$($1 "$2" "$3" $(($4 * 2))) || { echo "-"; return; }
    awk -v a="$a" -v b="$b" -v n="$4" 'BEGIN { printf "%.1f", (b - a) / n }'
}

printf '%-13s %-10s %14s %14s\n' workload library "instr/op" "syscalls/op"
for w in $works; do
    n=$(base "$w")
    for l in $libs; do
        if ! "$bin" -w "$w" -l "$l" -n 1 >/dev/null 2>&1; then
            continue # this library has no such workload
        fi
        printf '%-13s %-10s %14s %14s\n' "$w" "$l" "$(per_op instructions "$l" "$w" "$n")" \
            "$(per_op syscalls "$l" "$w" "$n")"
    done
done
