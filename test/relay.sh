#!/usr/bin/env bash
# CI check of demo/relay: data through pipes unchanged and counted, the idle
# timeout, regular files, a reader that goes away (EPIPE, no SIGPIPE), the
# descriptor flags left as found, usage errors, a tiny idle timeout, and the
# count of a write to a regular file that fails part way.
#
#   test/relay.sh [BUILD_DIR]     (default: build; .ci/run passes "build")
#
# Builds BUILD_DIR/demo/relay first when it is missing.  Exits non-zero with
# a message on the first failed check.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
relay=$build/demo/relay
[ -x "$relay" ] || make -s BUILD="$build" "$relay"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "relay.sh: FAIL: $*" >&2; exit 1; }
pass() { echo "relay.sh: ok: $*"; }

# 1. 5 MiB of random bytes through pipes on both sides, unchanged and counted.
head -c 5242880 /dev/urandom > "$tmp/in"
cat "$tmp/in" | "$relay" --idle-timeout 5 2> "$tmp/err" | cat > "$tmp/out"
cmp -s "$tmp/in" "$tmp/out" || fail "5 MiB through pipes: output differs"
grep -qx 'relay: 5242880 bytes relayed (end of input)' "$tmp/err" || fail "count: $(cat "$tmp/err")"
pass "5 MiB through pipes, unchanged, 5242880 bytes counted"

# 2. The idle timeout cancels the read: later input is not relayed.
set +o pipefail # the producer dies of SIGPIPE after relay is gone: expected
{ printf 'hello\n'; sleep 2; printf 'late\n'; } | "$relay" --idle-timeout 0.5 2> "$tmp/err" > "$tmp/out"
code=${PIPESTATUS[1]}
set -o pipefail
[ "$code" = 0 ] || fail "idle timeout: exit status $code"
[ "$(cat "$tmp/out")" = hello ] || fail "idle timeout: output '$(cat "$tmp/out")'"
grep -qx 'relay: 6 bytes relayed (idle for 0.5 s)' "$tmp/err" || fail "idle: $(cat "$tmp/err")"
pass "idle timeout after 6 bytes"

# 3. Regular files on both sides (epoll cannot watch them; relay copes).
"$relay" < "$tmp/in" > "$tmp/out" 2> "$tmp/err" || fail "files: exit status $?"
cmp -s "$tmp/in" "$tmp/out" || fail "files: output differs"
pass "regular files"

# 4. A reader that goes away: EPIPE reported, exit 1, no death by SIGPIPE.
set +o pipefail
cat "$tmp/in" | "$relay" 2> "$tmp/err" | head -c 10 > /dev/null
code=${PIPESTATUS[1]}
set -o pipefail
[ "$code" = 1 ] || fail "reader gone: exit status $code (141 would be SIGPIPE)"
grep -q 'relay: stdout: EPIPE' "$tmp/err" || fail "reader gone: $(cat "$tmp/err")"
pass "reader gone: EPIPE, no SIGPIPE"

# 5. stdin shared with this shell: O_NONBLOCK is cleared again on exit.
mkfifo "$tmp/fifo"
exec 3<> "$tmp/fifo" # read-write: never end of file, so the idle timeout ends it
printf 'abc' >&3
"$relay" --idle-timeout 0.3 <&3 > "$tmp/out" 2> "$tmp/err" || fail "shared stdin: exit status $?"
flags=$(awk '/^flags:/ { print $2 }' /proc/$$/fdinfo/3)
exec 3<&-
(( (8#$flags & 8#4000) == 0 )) || fail "O_NONBLOCK left set on the shared descriptor (flags $flags)"
[ "$(cat "$tmp/out")" = abc ] || fail "shared stdin: output '$(cat "$tmp/out")'"
pass "descriptor flags restored"

# 6. Usage errors exit 2.
for bad in "--idle-timeout" "--idle-timeout abc" "--idle-timeout 0" "--bogus"; do
    code=0
    # shellcheck disable=SC2086 # split on purpose
    "$relay" $bad < /dev/null > /dev/null 2>&1 || code=$?
    [ "$code" = 2 ] || fail "'$bad': exit status $code, not 2"
done
pass "usage errors"

# 7. A tiny idle timeout is still a timeout: a decimal > 0 never means "none".
set +o pipefail # the producer dies of SIGPIPE after relay is gone: expected
{ printf 'hello\n'; sleep 1.5; printf 'late\n'; } | "$relay" --idle-timeout 0.0000001 2> "$tmp/err" > "$tmp/out"
code=${PIPESTATUS[1]}
set -o pipefail
[ "$code" = 0 ] || fail "tiny idle timeout: exit status $code"
grep -q '(idle for ' "$tmp/err" || fail "tiny idle timeout taken for no timeout: $(cat "$tmp/err")"
[ "$(cat "$tmp/out")" != "$(printf 'hello\nlate')" ] || fail "tiny idle timeout: the late input was relayed"
pass "tiny idle timeout"

# 8. A write to a regular file that fails part way (the file size limit,
#    SIGXFSZ ignored): the count says what reached stdout, as for a pipe.
rm -f "$tmp/out"
code=0
( trap '' XFSZ; ulimit -f 100; head -c 300000 "$tmp/in" | "$relay" > "$tmp/out" 2> "$tmp/err" ) || code=$?
[ "$code" = 1 ] || fail "file size limit: exit status $code"
size=$(stat -c %s "$tmp/out")
grep -qx "relay: $size bytes relayed (write failed)" "$tmp/err" ||
    fail "file size limit: $size bytes reached stdout, relay says: $(cat "$tmp/err")"
pass "a write that fails part way counts the bytes that went out"
