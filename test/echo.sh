#!/usr/bin/env bash
# The echo demos over loopback (127.0.0.1 only): the server on a port it picks,
# clients echoing small, large and concurrent input, the idle-timeout close,
# a connect that times out (a stopped server whose backlog is full), a
# refused connect, a clean stop on SIGINT with a connection still open, a
# --timeout too long for the clock, and a server out of memory.
# Usage: bash test/echo.sh <build-dir>   (.ci/run passes "build")
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
server=$build/demo/echo-server
client=$build/demo/echo-client
make -s BUILD="$build" "$server" "$client" >/dev/null

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "echo.sh: FAIL: $*"
  for f in "$tmp"/*.log; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done
  exit 1
}

# wait_for FILE PATTERN: until a line of FILE matches (10 s at most)
wait_for() {
  for _ in $(seq 200); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  fail "no line matching '$2' in $1"
}

# wait_exit PID: its exit status in rc (10 s at most, then it is killed)
wait_exit() {
  for _ in $(seq 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$1" 2>/dev/null; then
    kill -KILL "$1"
    fail "process $1 did not exit"
  fi
  rc=0
  wait "$1" || rc=$?
}

# start_server LOG ARGS...: sets srv and port
start_server() {
  local log=$1
  shift
  "$server" 0 "$@" >"$log" 2>&1 &
  srv=$!
  pids+=("$srv")
  wait_for "$log" '^listening on 127\.0\.0\.1:'
  port=$(sed -n 's/^listening on 127\.0\.0\.1://p' "$log")
}

start_server "$tmp/server.log" --idle-timeout 1
main=$srv
main_port=$port
echo "server on 127.0.0.1:$main_port"

# 1. a few lines through a pipe
printf 'hello\nworld\n' | "$client" "127.0.0.1:$main_port" >"$tmp/small.out" || fail "small echo exited $?"
[ "$(cat "$tmp/small.out")" = "$(printf 'hello\nworld')" ] || fail "small echo differs"
echo "ok: lines echoed"

# 2. 4 MiB of random bytes from a regular file, compared byte for byte
head -c 4194304 /dev/urandom >"$tmp/big.in"
"$client" "127.0.0.1:$main_port" <"$tmp/big.in" >"$tmp/big.out" || fail "large echo exited $?"
cmp -s "$tmp/big.in" "$tmp/big.out" || fail "large echo differs"
echo "ok: 4 MiB echoed byte for byte"

# 3. eight clients at once (each connects at once; its input follows 0.3 s later,
#    within the server's 1 s idle timeout)
cpids=()
for i in 1 2 3 4 5 6 7 8; do
  head -c $((i * 100000)) /dev/urandom >"$tmp/c$i.in"
done
for i in 1 2 3 4 5 6 7 8; do
  { sleep 0.3; cat "$tmp/c$i.in"; } | "$client" "127.0.0.1:$main_port" >"$tmp/c$i.out" &
  cpids+=($!)
  pids+=($!)
done
for i in 1 2 3 4 5 6 7 8; do
  wait_exit "${cpids[$((i - 1))]}"
  [ "$rc" = 0 ] || fail "concurrent client $i exited $rc"
  cmp -s "$tmp/c$i.in" "$tmp/c$i.out" || fail "concurrent client $i got a different echo"
done
echo "ok: 8 concurrent clients (at most $(sed -n 's/.*(\([0-9]*\) open)$/\1/p' "$tmp/server.log" | sort -n | tail -n 1) open at once)"

# 4. a client that stays quiet: the server closes it after 1 s by cancelling its read
mkfifo "$tmp/quiet.fifo"
"$client" "127.0.0.1:$main_port" <"$tmp/quiet.fifo" >/dev/null 2>"$tmp/quiet.log" &
quiet=$!
pids+=("$quiet")
exec 4>"$tmp/quiet.fifo" # stdin stays open and silent
wait_for "$tmp/server.log" 'idle for 1.0 s, read cancelled'
wait_exit "$quiet"
exec 4>&-
[ "$rc" = 0 ] || fail "the quiet client exited $rc"
grep -q 'the server closed the connection' "$tmp/quiet.log" || fail "the quiet client did not see the close"
echo "ok: idle connection closed by the server"

# 5. a connect that cannot finish: a stopped server whose backlog (1: Linux
#    queues two connections) is already full drops our SYN; --timeout cancels
#    the connect.  (timeout 10: a kernel that queued it anyway fails, not hangs)
start_server "$tmp/stopped.log" --backlog 1
stopped=$srv
stopped_port=$port
kill -STOP "$stopped"
if exec 5<>"/dev/tcp/127.0.0.1/$stopped_port" 7<>"/dev/tcp/127.0.0.1/$stopped_port" 2>/dev/null; then
  rc=0
  timeout 10 "$client" "127.0.0.1:$stopped_port" --timeout 1 </dev/null 2>"$tmp/timeout.log" || rc=$?
  [ "$rc" = 1 ] || fail "the timed-out client exited $rc"
  grep -q 'timed out after 1 s' "$tmp/timeout.log" || fail "no timeout message: $(cat "$tmp/timeout.log")"
  exec 5>&- 7>&-
  echo "ok: slow connect cancelled by --timeout"
else
  echo "skip: this bash has no /dev/tcp, so the backlog cannot be filled"
fi
kill -CONT "$stopped"
kill -INT "$stopped"
wait_exit "$stopped"
[ "$rc" = 0 ] || fail "the stopped server exited $rc after SIGINT"

# 6. nothing listens there any more: refused
rc=0
"$client" "127.0.0.1:$stopped_port" </dev/null 2>"$tmp/refused.log" || rc=$?
[ "$rc" = 1 ] || fail "the refused client exited $rc"
grep -q 'ECONNREFUSED' "$tmp/refused.log" || fail "no refusal: $(cat "$tmp/refused.log")"
echo "ok: refused connect reported"

# 7. SIGINT with a connection open: the server closes it and exits 0
mkfifo "$tmp/open.fifo"
n=$(grep -c 'connected from' "$tmp/server.log")
"$client" "127.0.0.1:$main_port" <"$tmp/open.fifo" >/dev/null 2>"$tmp/open.log" &
open=$!
pids+=("$open")
exec 6>"$tmp/open.fifo"
wait_for "$tmp/server.log" "^#$((n + 1)) connected from"
kill -INT "$main"
wait_exit "$main"
[ "$rc" = 0 ] || fail "the server exited $rc after SIGINT"
wait_for "$tmp/server.log" '^stopping: closing 1 connection$'
wait_for "$tmp/server.log" 'closed: server stopping'
[ "$(tail -n 1 "$tmp/server.log")" = stopped ] || fail "the server's last line is not 'stopped'"
wait_exit "$open"
exec 6>&-
[ "$rc" = 0 ] || fail "the client of the stopped server exited $rc"
echo "ok: SIGINT stops the server cleanly with a connection open"

# 8. a --timeout past what the clock can count (1e300 s, inf) is no timeout at
#    all, or a usage error (exit 2): never a connect "timed out" at once
start_server "$tmp/long.log"
long=$srv
for t in 1e300 inf; do
  rc=0
  printf 'hi\n' | "$client" "127.0.0.1:$port" --timeout "$t" >"$tmp/long.out" 2>"$tmp/long.err" || rc=$?
  ! grep -q 'timed out' "$tmp/long.err" || fail "--timeout $t: $(cat "$tmp/long.err")"
  [ "$rc" = 2 ] || { [ "$rc" = 0 ] && [ "$(cat "$tmp/long.out")" = hi ]; } || fail "--timeout $t: exit status $rc"
done
kill -INT "$long"
wait_exit "$long"
echo "ok: a --timeout too long for the clock does not time out at once"

# 9. out of memory (calloc fails for the second connection's struct, through
#    an LD_PRELOAD shim): the server says so, closes the open connection and
#    exits without a libactive panic
cat >"$tmp/failcalloc.c" <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
extern void *__libc_calloc(size_t, size_t);
void *calloc(size_t n, size_t size) /* the second struct conn (16 to 20 KiB) fails */
{
    static int conns;
    if (n == 1 && size > 16384 && size < 20480 && ++conns >= 2) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_calloc(n, size);
}
EOF
if cc -shared -fPIC -o "$tmp/failcalloc.so" "$tmp/failcalloc.c" 2>/dev/null; then
  LD_PRELOAD="$tmp/failcalloc.so" "$server" 0 >"$tmp/oom.log" 2>&1 &
  oom=$!
  pids+=("$oom")
  wait_for "$tmp/oom.log" '^listening on 127\.0\.0\.1:'
  port=$(sed -n 's/^listening on 127\.0\.0\.1://p' "$tmp/oom.log")
  mkfifo "$tmp/oom.fifo"
  "$client" "127.0.0.1:$port" <"$tmp/oom.fifo" >/dev/null 2>&1 &
  oomc=$!
  pids+=("$oomc")
  exec 8>"$tmp/oom.fifo"
  wait_for "$tmp/oom.log" 'out of memory'
  wait_exit "$oom"
  exec 8>&-
  ! grep -q 'libactive panic' "$tmp/oom.log" || fail "out of memory: the server panicked (exit $rc)"
  [ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "out of memory: exit status $rc"
  wait_exit "$oomc"
  echo "ok: out of memory: the open connection closed, no panic"
else
  echo "skip: no cc to build the calloc shim"
fi

echo "--- server log:"
cat "$tmp/server.log"
echo "echo demos: all checks passed"
