#!/usr/bin/env bash
# Checks `make install` end to end in a throwaway HOME: the launcher is valid, the binary,
# launcher and icons land where the desktop looks, concordia:// links go to Concordia, and
# uninstalling removes them again, keeps the settings and WebKit's data and says so with how to
# remove them. Usage: scripts/test-install.sh BINARY
set -euo pipefail
bin=${1:?usage: $0 BINARY}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
cd "$(dirname "$0")/.."

fail() { echo "test-install: $*" >&2; echo "test-install: 0 passed, 1 failed"; exit 1; }

desktop-file-validate build/linux/concordia.desktop || fail "build/linux/concordia.desktop is not valid"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_DATA_HOME=$home/.local/share XDG_CONFIG_HOME=$home/.config XDG_CACHE_HOME=$home/.cache
unset PREFIX
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
out=$(scripts/uninstall-desktop.sh) || fail "uninstall-desktop.sh failed"
for f in .local/bin/concordia .local/share/applications/concordia.desktop; do
	[ ! -e "$home/$f" ] || fail "uninstall left ~/$f"
done
for f in .local/share/concordia/storage .cache/concordia/WebKitCache .config/concordia; do
	[ -e "$home/$f" ] || fail "uninstall removed ~/$f, which it keeps"
done
grep -qF "kept your settings, TLS identity, party journals and transcripts in $home/.config/concordia" <<<"$out" || fail "uninstall did not say it kept the settings: $out"
grep -qF "kept the window's WebKit data, nothing of your parties: '$home/.local/share/concordia' '$home/.cache/concordia'; rm -rf '$home/.local/share/concordia' '$home/.cache/concordia' removes it" <<<"$out" ||
	fail "uninstall did not say it kept WebKit's data, and how to remove it: $out"
echo "test-install: 1 passed, 0 failed"
