#!/usr/bin/env bash
# window-join-time.sh — how long the real window takes to join a party with a long history.
#
# Builds the window (production, webkit2_41), the headless CLI and fakeclaude; starts a CLI
# host on loopback; a CLI participant sends TURNS prompts that each stream a reply of
# PIECES deltas of 24 bytes (FAKE_STREAM=PIECES:1:24, one growing paragraph of
# "[piece i/n]…" pieces), so the party's history holds about TURNS × PIECES events; then
# opens the window on a private Xvfb display with the invite as its link, presses Enter in
# the join dialog, screenshots the display every ~0.3 s, and reads the screenshots
# afterwards (tesseract) for the first one that shows the party (its header, "Connected"). Prints
# that time and the CPU time the window's WebKit web process used.
#
#   scripts/window-join-time.sh [TURNS] [PIECES]     # default 1 10000: one 240 KB reply
#   scripts/window-join-time.sh 20 500               # 20 replies of 12 KB
#
# WINDOW_BIN=path measures another build; KEEP=1 keeps the screenshots (the directory is
# printed); TOP=1 (with KEEP=1) also takes shots/top.png, the transcript scrolled to its top. Linux only; needs Xvfb, xdotool, ImageMagick's import and tesseract
# (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
turns=${1:-1}
pieces=${2:-10000}
tmp=$(mktemp -d /tmp/concordia-wjoin.XXXXXX)
name=window-join-time
# shellcheck source=scripts/window-measure.sh
. scripts/window-measure.sh
d=$tmp
mkdir -p "$d/host" "$d/win/.config/concordia" "$d/bob" "$d/shots"
HOME=$d/host DBUS_SESSION_BUS_ADDRESS=disabled: "$tmp/cli" host --listen 127.0.0.1:0 \
	--claude "$tmp/fakeclaude" --data-dir "$d/host/data" --workdir "$d/host" --window 100ms \
	--merge local --name hosty --no-local-repl --permission-mode all >"$d/host.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q '^invite code: ' "$d/host.out" && break; sleep 0.1; done
inv=$(sed -n 's/^invite code: //p' "$d/host.out")
[ -n "$inv" ] || die "the host printed no invite: $(cat "$d/host.out")"
# One prompt at a time: each waits for the turn before it to finish ("claude finished").
mkfifo "$d/bob.in"
HOME=$d/bob DBUS_SESSION_BUS_ADDRESS=disabled: "$tmp/cli" join "$inv" --name bob <"$d/bob.in" >"$d/bob.out" 2>&1 &
pids+=($!)
exec 3>"$d/bob.in"
for k in $(seq "$turns"); do
	printf 'FAKE_STREAM=%s:1:24 turn %s\n' "$pieces" "$k" >&3
	for _ in $(seq 600); do [ "$(grep -c 'claude finished' "$d/bob.out" || true)" -ge "$k" ] && break; sleep 0.1; done
	[ "$(grep -c 'claude finished' "$d/bob.out" || true)" -ge "$k" ] || die "turn $k did not finish within 60 s"
done
events=$(grep -c '"type":"event"' "$d"/host/data/parties/*.jsonl)
echo "history: $events events ($turns turns of $pieces deltas)"
DISPLAY=$display HOME=$d/win XDG_CONFIG_HOME=$d/win/.config XDG_DATA_HOME=$d/win/.local/share \
	XDG_CACHE_HOME=$d/win/.cache GEMINI_API_KEY= DBUS_SESSION_BUS_ADDRESS=disabled: \
	"$win" "$inv" >"$d/window.out" 2>&1 &
window=$!
pids+=($window)
wid=$(DISPLAY=$display timeout 60 xdotool search --sync --onlyvisible --pid "$window" --name '^Concordia$' | head -1) || true
[ -n "$wid" ] || die "the window did not appear within 60 s: $(tail -5 "$d/window.out")"
sleep 3 # the join dialog checks the invite
web=$(pgrep -P "$window" -f WebKitWebProcess | head -1) || true
[ -n "$web" ] || die "no WebKit web process under the window"
cpu0=$(awk '{print $14 + $15}' "/proc/$web/stat")
t0=$(date +%s%N)
DISPLAY=$display xdotool windowfocus --sync "$wid" key Return
for i in $(seq -w 0 119); do
	echo "$i $(( ($(date +%s%N) - t0) / 1000000 ))" >>"$d/shots/times"
	DISPLAY=$display import -window root "$d/shots/s$i.png"
	sleep 0.2
done
cpu1=$(awk '{print $14 + $15}' "/proc/$web/stat")
if [ -n "${TOP:-}" ]; then
	# The transcript scrolled to its top with the mouse wheel: where a cut history says so.
	DISPLAY=$display xdotool mousemove --sync 450 300 click --repeat 8000 --delay 1 4
	sleep 2
	DISPLAY=$display import -window root "$d/shots/top.png"
	echo "the transcript's top: $d/shots/top.png"
fi
while read -r i ms; do
	# The party screen's header says "Connected" (the join dialog says "Connecting to …").
	if convert "$d/shots/s$i.png" -crop 1180x50+50+42 -resize 200% png:- | tesseract - - 2>/dev/null | grep Connected >/dev/null; then
		echo "the party was on screen ${ms} ms after Enter (the screenshot before it: not yet)"
		echo "web process CPU over the 40 s after Enter: $(( (cpu1 - cpu0) * 10 )) ms"
		exit 0
	fi
done <"$d/shots/times"
echo "the party was not on screen within the 40 s after Enter" >&2
exit 1
