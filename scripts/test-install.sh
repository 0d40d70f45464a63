#!/usr/bin/env bash
# Checks `make install` end to end in a throwaway HOME: the launcher is valid, the binary,
# launcher and icons land where the desktop looks, concordia:// links go to Concordia, and
# uninstalling removes them again, keeps the settings and WebKit's data and says so with how to
# remove them, and names a Gemini key in the OS keyring only as one there is (or may be), with
# a way to remove it that outlives the binary: against a throwaway Secret Service
# (scripts/with-keyring.sh), with a key stored and without. Usage: scripts/test-install.sh BINARY
set -euo pipefail
inner=false # the keyring's part, below: the outer run says the tally
[ "${1-}" != --keyring ] || inner=true
fail() {
	echo "test-install: $*" >&2
	$inner || echo "test-install: 0 passed, 1 failed"
	exit 1
}

clear_key="secret-tool clear service concordia username gemini-api-key"

# --keyring BINARY: run inside scripts/with-keyring.sh, in the throwaway HOME: the key in
# the keyring, said after uninstalling with the command that removes it, which does.
if $inner; then
	bin=$2
	scripts/install-desktop.sh "$bin" >/dev/null || fail "install-desktop.sh failed (keyring)"
	out=$(scripts/uninstall-desktop.sh) || fail "uninstall-desktop.sh failed (keyring, no key)"
	! grep -q "Gemini key" <<<"$out" || fail "uninstall spoke of a Gemini key with none stored: $out"
	scripts/install-desktop.sh "$bin" >/dev/null || fail "install-desktop.sh failed (keyring, again)"
	# key set asks the Gemini API about the key: here loopback port 0, which nothing can
	# listen on (a connect is refused), so it is stored unchecked and goes nowhere.
	out=$(printf 'AIzaTestInstallNotAKey0123456789abcdefgh\n' | CONCORDIA_GEMINI_BASE_URL=http://127.0.0.1:0/ "$HOME/.local/bin/concordia" key set 2>&1) ||
		fail "concordia key set failed: $out"
	out=$(scripts/uninstall-desktop.sh) || fail "uninstall-desktop.sh failed (keyring, a key)"
	grep -qF "kept your Gemini key in the OS keyring (service concordia, account gemini-api-key); $clear_key removes it" <<<"$out" ||
		fail "uninstall did not say the key it kept, and how to remove it: $out"
	! grep -q "concordia key delete\|if one was set" <<<"$out" || fail "uninstall named a command it removed, or doubted the key: $out"
	secret-tool lookup service concordia username gemini-api-key >/dev/null || fail "the key is not where secret-tool looks"
	$clear_key || fail "$clear_key failed"
	! secret-tool lookup service concordia username gemini-api-key >/dev/null || fail "$clear_key left the key"
	exit 0
fi

bin=${1:?usage: $0 BINARY}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/.."

desktop-file-validate build/linux/concordia.desktop || fail "build/linux/concordia.desktop is not valid"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_DATA_HOME=$home/.local/share XDG_CONFIG_HOME=$home/.config XDG_CACHE_HOME=$home/.cache
unset PREFIX
# With no display (over ssh, on a server) the window is not tried: one sentence and exit 1,
# where GTK's failure was a Go panic and a page of goroutines (a tester's); an invite is
# pointed to `concordia join`. A display that is set but does not answer is said as well.
nodisplay() { # EXPECTED-START ENV... -- ARGS...: the binary's one line and exit 1
	local want=$1 envs=() out code
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	out=$(env -u DISPLAY -u WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS=disabled: "${envs[@]}" \
		timeout 30 "$bin" "$@" 2>&1) && code=0 || code=$?
	[ "$code" = 1 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -qF "concordia: $want" <<<"$out" ||
		fail "${envs[*]} concordia $*: exit $code, not 1 with one line starting \"concordia: $want\": $out"
}
nodisplay "no display to open the window on" --
nodisplay "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set); to join with that invite in this terminal, run \`concordia join\`" -- 'concordia://127.0.0.1:9/p?t=x'
nodisplay "the window could not open on DISPLAY=:none" DISPLAY=:none --
nodisplay "the window could not open on DISPLAY=:none (is its X server running, and may this user use it?); to join with that invite" DISPLAY=:none -- 'concordia://127.0.0.1:9/p?t=x'
scripts/install-desktop.sh "$bin" >/dev/null || fail "install-desktop.sh failed"
for f in .local/bin/concordia .local/share/applications/concordia.desktop \
	.local/share/icons/hicolor/256x256/apps/concordia.png; do
	[ -e "$home/$f" ] || fail "install did not create ~/$f"
done
desktop-file-validate "$home/.local/share/applications/concordia.desktop" || fail "the installed launcher is not valid"
grep -q '^MimeType=.*x-scheme-handler/concordia;' "$home/.local/share/applications/concordia.desktop" || fail "the launcher does not claim concordia:// links"
handler=$(xdg-mime query default x-scheme-handler/concordia 2>/dev/null || true)
[ "$handler" = concordia.desktop ] || fail "concordia:// links go to '$handler', not concordia.desktop"
out=$("$home/.local/bin/concordia" version) && grep -q '^concordia ' <<<"$out" || fail "the installed binary does not run"
# What the window's WebKit writes as it runs (named after the program, concordia), and the
# settings: kept, as user data is, and said with how to remove it.
mkdir -p "$home/.local/share/concordia/storage" "$home/.cache/concordia/WebKitCache" "$home/.config/concordia"
# No keyring to ask (this session's, the user's own, is not asked): a key is said to be kept
# only "if one was set".
out=$(DBUS_SESSION_BUS_ADDRESS=disabled: scripts/uninstall-desktop.sh) || fail "uninstall-desktop.sh failed"
for f in .local/bin/concordia .local/share/applications/concordia.desktop; do
	[ ! -e "$home/$f" ] || fail "uninstall left ~/$f"
done
for f in .local/share/concordia/storage .cache/concordia/WebKitCache .config/concordia; do
	[ -e "$home/$f" ] || fail "uninstall removed ~/$f, which it keeps"
done
grep -qF "kept your settings, TLS identity, party journals and transcripts in $home/.config/concordia" <<<"$out" || fail "uninstall did not say it kept the settings: $out"
grep -qF "kept the window's WebKit data, nothing of your parties: '$home/.local/share/concordia' '$home/.cache/concordia'; rm -rf '$home/.local/share/concordia' '$home/.cache/concordia' removes it" <<<"$out" ||
	fail "uninstall did not say it kept WebKit's data, and how to remove it: $out"
grep -qF "kept a Gemini key in the OS keyring, if one was set (service concordia, account gemini-api-key); $clear_key removes it" <<<"$out" ||
	fail "uninstall did not say how to remove a key it could not ask about: $out"
! grep -q "concordia key delete" <<<"$out" || fail "uninstall named concordia key delete, which it removed: $out"
rm -rf "$home/.config/concordia" "$home/.local/share/concordia" "$home/.cache/concordia"
scripts/with-keyring.sh "$self" --keyring "$bin" || fail "the keyring's part failed"
echo "test-install: 1 passed, 0 failed"
