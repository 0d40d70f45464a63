#!/usr/bin/env bash
# The headless build (make cli): a static binary that links neither GTK nor WebKit, whose
# subcommands work and which says how to get the window when run without arguments.
set -euo pipefail
bin=${1:?usage: test-cli.sh BINARY}
fail() { echo "test-cli: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
passed=0
if ldd "$bin" >/dev/null 2>&1; then fail "$bin is dynamically linked: $(ldd "$bin" | head -3 | tr '\n' ' ')"; fi
# Outputs are captured before grep -q reads them: with pipefail, grep -q quitting at the first
# match kills the writer with SIGPIPE and the pipeline fails (or, negated, passes) by chance.
strs=$(strings "$bin")
if grep -q -e 'libgtk-3' -e 'libwebkit2gtk' <<<"$strs"; then fail "$bin mentions GTK/WebKit libraries"; fi
passed=$((passed + 1))
out=$("$bin" version) && grep -q '^concordia .*(party protocol v1.1)$' <<<"$out" || fail "version"
out=$("$bin" host --help 2>&1) && grep -q -- '--permission-mode' <<<"$out" || fail "host --help"
out=$("$bin" help) && grep -q 'concordia host' <<<"$out" || fail "help"
if grep -q 'open the desktop window' <<<"$out"; then fail "the headless build's help offers the window"; fi
passed=$((passed + 1))
set +e
"$bin" >/dev/null 2>/tmp/test-cli-noargs.$$; code=$?
set -e
[ "$code" = 2 ] && grep -q 'headless build' /tmp/test-cli-noargs.$$ || fail "no arguments: exit $code"
# An invite link, as the desktop build takes one: pointed at concordia join.
set +e
"$bin" 'concordia://127.0.0.1:1/?t=x' >/dev/null 2>/tmp/test-cli-noargs.$$; code=$?
set -e
[ "$code" = 2 ] && grep -q 'run `concordia join` with it' /tmp/test-cli-noargs.$$ || fail "an invite link: exit $code"
# A flag it does not know is said to be one (a tester's --bogus read only "headless build").
set +e
"$bin" --bogus >/dev/null 2>/tmp/test-cli-noargs.$$; code=$?
set -e
[ "$code" = 2 ] && grep -q '^concordia: unknown flag --bogus;' /tmp/test-cli-noargs.$$ || fail "an unknown flag: exit $code"
rm -f /tmp/test-cli-noargs.$$
passed=$((passed + 1))
# A party on loopback with the fake agent: the invite line comes, the host stops on SIGINT.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/fakeclaude" ./internal/fakeclaude
"$bin" host --listen 127.0.0.1:0 --insecure --no-local-repl --claude "$tmp/fakeclaude" --data-dir "$tmp/data" --workdir "$tmp" >"$tmp/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '^invite code: ' "$tmp/out" && break; sleep 0.1; done
grep -q '^invite code: concordia://127.0.0.1:' "$tmp/out" || { kill $pid; cat "$tmp/out"; fail "no invite line"; }
grep -q '^viewer invite: concordia://127.0.0.1:' "$tmp/out" || { kill $pid; fail "no viewer invite line"; }
kill -INT $pid; wait $pid || fail "host exit status $? after SIGINT"
passed=$((passed + 1))
echo "test-cli: $(du -h "$bin" | cut -f1) static binary"
echo "$passed passed, 0 failed"
