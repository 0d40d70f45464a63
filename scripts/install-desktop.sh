#!/bin/sh
# Installs the Concordia desktop app for the current user (Linux): the binary into
# ~/.local/bin, the launcher into ~/.local/share/applications, the icons into
# ~/.local/share/icons/hicolor, and makes Concordia the handler of concordia:// links.
#
#   scripts/install-desktop.sh [BINARY]     (default: build/bin/concordia)
#
# PREFIX (default ~/.local) and XDG_DATA_HOME (default ~/.local/share) move the targets.
# Undo with scripts/uninstall-desktop.sh.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/bin/concordia}
prefix=${PREFIX:-$HOME/.local}
data=${XDG_DATA_HOME:-$HOME/.local/share}
bindir=$prefix/bin
appdir=$data/applications
icondir=$data/icons/hicolor

if [ ! -x "$bin" ]; then
	echo "install-desktop: $bin is missing; build it first (make build)" >&2
	exit 1
fi

install -d "$bindir" "$appdir"
install -m 0755 "$bin" "$bindir/concordia"

for dir in "$root"/build/linux/icons/hicolor/*/apps; do
	size=$(basename "$(dirname "$dir")")
	install -D -m 0644 "$dir/concordia.png" "$icondir/$size/apps/concordia.png"
done

# The launcher names the installed binary by its full path: ~/.local/bin is not on every
# desktop session's PATH. A path the desktop-entry quoting rules would need escapes for
# falls back to a plain "concordia" looked up on PATH.
target=$bindir/concordia
case $target in
*[[:space:]\"\`\$\\]*)
	echo "install-desktop: $target has characters a launcher cannot name; the launcher runs \"concordia\" from PATH" >&2
	cp "$root/build/linux/concordia.desktop" "$appdir/concordia.desktop.tmp"
	;;
*)
	sed -e "s|^Exec=concordia |Exec=$target |" -e "s|^TryExec=concordia\$|TryExec=$target|" \
		"$root/build/linux/concordia.desktop" >"$appdir/concordia.desktop.tmp"
	;;
esac
chmod 0644 "$appdir/concordia.desktop.tmp"
mv "$appdir/concordia.desktop.tmp" "$appdir/concordia.desktop"

if command -v update-desktop-database >/dev/null 2>&1; then
	update-desktop-database "$appdir" || true
fi
if command -v xdg-mime >/dev/null 2>&1; then
	xdg-mime default concordia.desktop x-scheme-handler/concordia
else
	echo "install-desktop: xdg-mime not found; concordia:// links may not open Concordia (install xdg-utils)" >&2
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$icondir/index.theme" ]; then
	gtk-update-icon-cache -q -t "$icondir" || true
fi

echo "installed: $target"
echo "launcher:  $appdir/concordia.desktop (handles concordia:// links)"
case ":$PATH:" in
*":$bindir:"*) ;;
*) echo "note: $bindir is not on your PATH; add it to run \`concordia\` from a terminal" ;;
esac
