#!/usr/bin/env bash
# test-ui.sh [--screenshots]
#
# The window's end-to-end tests (`make test-ui`):
#   1. internal/uitest: the production binary's real window under Xvfb, driven with xdotool
#      and read with tesseract (create a party, a CLI participant's reply shows; join a CLI
#      host through the paste dialog; a broken link is explained).
#   2. frontend/e2e: the UI in headless Chromium (playwright-core) against the dev build's
#      real bindings (dialogs, settings and keyring, transcript, Markdown, End party).
#
# Each suite runs in its own session bus with a throwaway unlocked keyring
# (scripts/with-keyring.sh) and its own X server (xvfb-run), so nothing touches the user's
# desktop, keyring or settings. Needs what scripts/setup.sh installs and a built frontend
# (cd frontend && npm run build). Works as root, without a display or stdin.
#
# Screenshots and logs go to test-artifacts/ or $CONCORDIA_UI_ARTIFACTS (look at them).
# --screenshots also copies the window's best ones to docs/screenshots/window-*.png.
#
# Prints each test's result and ends with "test-ui: N passed, N failed"; exits non-zero on
# any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

update_docs=0
for arg in "$@"; do
	case $arg in
	--screenshots) update_docs=1 ;;
	*)
		echo "usage: $0 [--screenshots]" >&2
		exit 2
		;;
	esac
done

# Each suite gets at most this long: a guard against a hang, not a speed test. On this
# 2-core machine the window suite takes about 2 minutes and the browser suite 4 to 6, more
# when other work shares the cores (a loaded run of the browser suite passed 480 s).
suite_timeout=${CONCORDIA_UI_TIMEOUT:-900}

missing=()
for tool in go node xfce4-panel xvfb-run xauth dbus-run-session dbus-send gnome-keyring-daemon secret-tool \
	xdotool import convert tesseract xclip timeout; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
	echo "test-ui: missing ${missing[*]}: run scripts/setup.sh" >&2
	echo "test-ui: 0 passed, 1 failed"
	exit 1
fi
if [ ! -f frontend/dist/index.html ]; then
	echo "test-ui: the frontend is not built: run (cd frontend && npm run build)" >&2
	echo "test-ui: 0 passed, 1 failed"
	exit 1
fi
if [ ! -d frontend/node_modules/playwright-core ]; then
	echo "test-ui: playwright-core is not installed: run scripts/setup.sh (or cd frontend && npm install)" >&2
	echo "test-ui: 0 passed, 1 failed"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/concordia-test-ui.XXXXXX")
suite_pid=

# group_alive PGID: whether a process group still has a live (not zombie) member. Exited
# children of exited parents can stay zombies for a while here before init reaps them.
group_alive() {
	ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# group_gone PGID SECONDS: waits up to SECONDS for the group to have no live member.
group_gone() {
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		group_alive "$1" || return 0
		sleep 0.2
	done
	! group_alive "$1"
}

# end_group PGID: ends every process left in a suite's process group (timeout makes one, and
# everything a suite starts stays in it): SIGTERM, then SIGKILL after 10 s.
end_group() {
	group_alive "$1" || return 0
	kill -TERM -- "-$1" 2>/dev/null || return 0
	group_gone "$1" 10 && return 0
	kill -KILL -- "-$1" 2>/dev/null || true
}

cleanup() {
	if [ -n "$suite_pid" ]; then
		end_group "$suite_pid"
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

artifacts=${CONCORDIA_UI_ARTIFACTS:-$root/test-artifacts}
mkdir -p "$artifacts"
rm -f "$artifacts"/window-*.png "$artifacts"/browser-*.png "$artifacts"/browser-app.log

started=$(date +%s)
echo "test-ui: building the production binary, the dev build, the fake Claude Code and the window tests"
go build -tags desktop,production,webkit2_41 -o "$tmp/concordia" .
go build -tags dev,webkit2_41 -o "$tmp/concordia-dev" .
go build -o "$tmp/fakeclaude" ./internal/fakeclaude
go test -c -o "$tmp/uitest.test" ./internal/uitest
echo "test-ui: built in $(($(date +%s) - started))s"

# run_suite NAME LOG CMD...: runs CMD in a fresh session bus, keyring and X server, as its
# own process group, with a time limit; prints its output and leaves its exit status in
# suite_status.
run_suite() {
	local name=$1 log=$2
	shift 2
	echo
	echo "test-ui: $name"
	suite_status=0
	timeout -k 15 "$suite_timeout" scripts/with-keyring.sh \
		xvfb-run -a -s "-screen 0 1280x800x24" "$@" </dev/null >"$log" 2>&1 &
	suite_pid=$!
	wait "$suite_pid" || suite_status=$?
	# timeout exits once its child has; anything that outlived the suite goes now (the keyring
	# daemon is told to stop as the suite ends: give it a moment).
	if ! group_gone "$suite_pid" 5; then
		echo "test-ui: $name left processes behind; ending them"
		end_group "$suite_pid"
		[ "$suite_status" -ne 0 ] || suite_status=1
	fi
	suite_pid=
	# D-Bus and the keyring daemon chatter on stderr; the tests' own lines are kept.
	grep -v -e '^dbus-daemon\[' -e 'SpiRegistry daemon is running' -e '^GNOME_KEYRING_CONTROL=' "$log" || true
	if [ "$suite_status" -eq 124 ]; then
		echo "test-ui: $name did not finish within ${suite_timeout}s"
	fi
}

passed=0
failed=0

# 1. The real window.
window_log=$artifacts/window-tests.log
run_suite "the real window (internal/uitest)" "$window_log" \
	env -C internal/uitest CONCORDIA_UI_TESTS=1 CONCORDIA_UI_BIN="$tmp/concordia" \
	CONCORDIA_UI_FAKECLAUDE="$tmp/fakeclaude" CONCORDIA_UI_ARTIFACTS="$artifacts" \
	"$tmp/uitest.test" -test.v -test.count=1
p=$(grep -c '^--- PASS' "$window_log" || true)
f=$(grep -c '^--- FAIL' "$window_log" || true)
if [ "$suite_status" -ne 0 ] && [ "$f" -eq 0 ]; then
	f=1 # it crashed or timed out outside any one test
fi
if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
	f=1 # ran no test: that is a failure here
fi
echo "window: $p passed, $f failed"
passed=$((passed + p))
failed=$((failed + f))

# 2. The UI in a browser, with real bindings.
browser_log=$artifacts/browser-tests.log
run_suite "the UI in headless Chromium (frontend/e2e)" "$browser_log" \
	env CONCORDIA_E2E_DEV_BIN="$tmp/concordia-dev" CONCORDIA_E2E_CLI_BIN="$tmp/concordia" \
	CONCORDIA_E2E_FAKECLAUDE="$tmp/fakeclaude" CONCORDIA_E2E_ARTIFACTS="$artifacts" \
	node frontend/e2e/run.mjs
summary=$(grep -E '^browser: [0-9]+ passed, [0-9]+ failed$' "$browser_log" | tail -1 || true)
if [ -n "$summary" ]; then
	p=$(echo "$summary" | sed -E 's/^browser: ([0-9]+) passed.*/\1/')
	f=$(echo "$summary" | sed -E 's/.* ([0-9]+) failed$/\1/')
else
	p=0
	f=0
fi
if [ "$suite_status" -ne 0 ] && [ "$f" -eq 0 ]; then
	f=1
fi
if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
	f=1
fi
passed=$((passed + p))
failed=$((failed + f))

if [ "$update_docs" -eq 1 ] && [ "$failed" -eq 0 ]; then
	# The window's screens worth showing, under stable names. A shot is found by its name
	# whatever its number (numbers follow the story's order, and a shot added before one
	# moved it: the tray's menu-end went from 03 to 04 and --screenshots stopped on it).
	while read -r from to; do
		src=$(ls "$artifacts"/$from 2>/dev/null | tail -1)
		if [ -z "$src" ]; then
			echo "test-ui: no $from among the screenshots: docs/screenshots/$to not updated" >&2
			failed=$((failed + 1))
			continue
		fi
		cp "$src" "docs/screenshots/$to"
		echo "test-ui: docs/screenshots/$to"
	done <<-EOF
		window-host-[0-9]*-reply.png window-hosting-cli-participant.png
		window-join-[0-9]*-dialog.png window-join-dialog.png
		window-join-[0-9]*-reply.png window-joined-cli-host.png
		window-badlink-[0-9]*-broken.png window-broken-link.png
		window-tray-tray-[0-9]*-menu-end.png window-tray-menu.png
		window-tray-[0-9]*-end-asked.png window-tray-end-asked.png
	EOF
	# The host-control cards against a real host (browser shots are numbered in story order).
	for name in approval-card permission-card changes-panel diff-view tree-mode changes-drawer-narrow party-ended roles join-token-cut-short always-allowed reconnecting-retry-now share-tree-confirm; do
		from=$(ls "$artifacts"/browser-*-"$name".png 2>/dev/null | tail -1)
		[ -n "$from" ] && cp "$from" "docs/screenshots/$name.png" && echo "test-ui: docs/screenshots/$name.png"
	done
	from=$(ls "$artifacts"/browser-*-stopped.png 2>/dev/null | tail -1)
	[ -n "$from" ] && cp "$from" docs/screenshots/stop.png && echo "test-ui: docs/screenshots/stop.png"
fi

echo
echo "test-ui: screenshots and logs in $artifacts ($(($(date +%s) - started))s in all)"
echo "test-ui: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
