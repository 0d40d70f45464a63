#!/usr/bin/env bash
# window-stream-cpu.sh — how much CPU the real window spends showing a streamed reply.
#
# Builds the window (production, webkit2_41), the headless CLI and fakeclaude; starts a CLI
# host on loopback, opens the window on a private Xvfb display with the invite as its link
# (the join dialog opens on it; Enter joins), has a CLI participant send a prompt that
# streams a reply (default FAKE_STREAM=300:100: 300 pieces of 64 bytes, 10 a second, one
# growing paragraph), and reads the CPU time of the window's WebKit web process and of its
# Go process over two 5-second spans of the stream (5–10 s and 15–20 s after the prompt).
# Linux only (/proc); needs Xvfb and xdotool (scripts/setup.sh installs them).
#
#   scripts/window-stream-cpu.sh [RUNS] [PROMPT]
#
# Prints one line per span: "web process N% of a CPU, Go M%". The machine's other load
# moves the figures by tens of percent: compare builds in alternation (WINDOW_BIN=... to
# measure a window built elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
prompt=${2:-FAKE_STREAM=300:100 x}
tmp=$(mktemp -d /tmp/concordia-wcpu.XXXXXX)
name=window-stream-cpu
# shellcheck source=scripts/window-measure.sh
. scripts/window-measure.sh
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for run in $(seq "$runs"); do
	d=$tmp/run$run
	mkdir -p "$d/host" "$d/win/.config/concordia" "$d/bob"
	HOME=$d/host DBUS_SESSION_BUS_ADDRESS=disabled: "$tmp/cli" host --listen 127.0.0.1:0 \
		--claude "$tmp/fakeclaude" --data-dir "$d/host/data" --workdir "$d/host" --window 100ms \
		--merge local --name hosty --no-local-repl --permission-mode all >"$d/host.out" 2>&1 &
	host=$!
	pids+=($host)
	for _ in $(seq 50); do grep -q '^invite code: ' "$d/host.out" && break; sleep 0.1; done
	inv=$(sed -n 's/^invite code: //p' "$d/host.out")
	DISPLAY=$display HOME=$d/win XDG_CONFIG_HOME=$d/win/.config XDG_DATA_HOME=$d/win/.local/share \
		XDG_CACHE_HOME=$d/win/.cache GEMINI_API_KEY= DBUS_SESSION_BUS_ADDRESS=disabled: \
		"$win" "$inv" >"$d/window.out" 2>&1 &
	window=$!
	pids+=($window)
	wid=$(DISPLAY=$display xdotool search --sync --onlyvisible --pid "$window" --name '^Concordia$' | head -1)
	sleep 3 # the join dialog checks the invite
	DISPLAY=$display xdotool windowfocus --sync "$wid" key Return
	for _ in $(seq 100); do grep -q 'joined' "$d/host.out" && break; sleep 0.1; done
	web=$(pgrep -P "$window" -f WebKitWebProcess | head -1) # this window's, no other
	(printf '%s\n' "$prompt"; sleep 40) | HOME=$d/bob DBUS_SESSION_BUS_ADDRESS=disabled: "$tmp/cli" join "$inv" --name bob >"$d/bob.out" 2>&1 &
	pids+=($!)
	for span in "5 10" "15 20"; do
		set -- $span
		sleep $(($1 - ${last:-0}))
		w1=$(ticks "$web") g1=$(ticks "$window")
		sleep $(($2 - $1))
		w2=$(ticks "$web") g2=$(ticks "$window")
		last=$2
		# Clock ticks are 1/100 s: over 5 s, ticks/5 is the percentage of one CPU.
		echo "run $run, $1-$2 s: web process $(((w2 - w1) / 5))% of a CPU, Go $(((g2 - g1) / 5))%"
	done
	last=0
	for p in "${pids[@]:1}"; do kill "$p" 2>/dev/null || true; done # all but Xvfb
	sleep 1
	pids=("${pids[0]}") # only what still runs is killed at the end (a number may be reused)
done
