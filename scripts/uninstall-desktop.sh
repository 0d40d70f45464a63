#!/bin/sh
# Removes what scripts/install-desktop.sh installed for the current user: the binary,
# the launcher, the icons and the concordia:// link handler. Settings, the TLS identity
# and transcripts (in the OS config directory) and the Gemini key (in the OS keyring)
# are kept; `concordia key delete` removes the key.
set -eu

prefix=${PREFIX:-$HOME/.local}
data=${XDG_DATA_HOME:-$HOME/.local/share}
config=${XDG_CONFIG_HOME:-$HOME/.config}
appdir=$data/applications
icondir=$data/icons/hicolor

rm -f "$prefix/bin/concordia" "$appdir/concordia.desktop"
for f in "$icondir"/*/apps/concordia.png; do
	[ -e "$f" ] && rm -f "$f"
done

# Forget the link handler (xdg-mime has no "unset"): drop our line from mimeapps.list.
for list in "$config/mimeapps.list" "$appdir/mimeapps.list"; do
	if [ -f "$list" ]; then
		sed -i '/^x-scheme-handler\/concordia=concordia\.desktop;\{0,1\}$/d' "$list"
	fi
done

if command -v update-desktop-database >/dev/null 2>&1; then
	update-desktop-database "$appdir" 2>/dev/null || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$icondir/index.theme" ]; then
	gtk-update-icon-cache -q -t "$icondir" || true
fi
echo "uninstalled Concordia from $prefix/bin and $appdir"
