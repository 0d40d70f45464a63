# window-measure.sh — what the scripts that measure the real window share; sourced by
# window-stream-cpu.sh and window-join-time.sh, not run.
#
# Needs: tmp (a fresh directory) and name (for messages). Gives: die; pids, every process
# of which is killed when the script exits ($tmp is removed then, unless KEEP=1); win, the
# window (production, webkit2_41; WINDOW_BIN=path for another build), $tmp/cli, the headless
# CLI, and $tmp/fakeclaude, built from this checkout; display, a private Xvfb display.
pids=()
die() {
	echo "$name: $*" >&2
	exit 1
}
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	sleep 0.5
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	if [ -n "${KEEP:-}" ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
win=${WINDOW_BIN:-}
if [ -z "$win" ]; then
	(cd frontend && npm run build >/dev/null)
	go build -tags desktop,production,webkit2_41 -o "$tmp/window" .
	win=$tmp/window
fi
CGO_ENABLED=0 go build -tags headless -o "$tmp/cli" .
go build -o "$tmp/fakeclaude" ./internal/fakeclaude
# Xvfb picks a free display and says which (no clash with another test's).
Xvfb -displayfd 4 -screen 0 1280x800x24 >/dev/null 2>&1 4>"$tmp/display" &
pids+=($!)
for _ in $(seq 50); do [ -s "$tmp/display" ] && break; sleep 0.1; done
[ -s "$tmp/display" ] || die "Xvfb did not start"
display=:$(head -1 "$tmp/display")
