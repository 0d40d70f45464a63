#!/bin/sh
# Removes what scripts/install-desktop.sh installed for the current user: the binary,
# the launcher, the icons and the concordia:// link handler. What the program wrote
# itself is kept, as a reinstall would find it, and named at the end with how to remove
# it: settings, the TLS identity, party journals and transcripts (in the OS config
# directory), the Gemini key (in the OS keyring: `concordia key delete` removes it, run
# before uninstalling; after, secret-tool does, as said), and the window's WebKit data
# ($XDG_DATA_HOME/concordia: its storage, HSTS list and salts) and cache
# ($XDG_CACHE_HOME/concordia), which hold nothing of the parties'.
set -eu

prefix=${PREFIX:-$HOME/.local}
data=${XDG_DATA_HOME:-$HOME/.local/share}
config=${XDG_CONFIG_HOME:-$HOME/.config}
cache=${XDG_CACHE_HOME:-$HOME/.cache}
appdir=$data/applications
icondir=$data/icons/hicolor

# Whether the OS keyring holds a Gemini key, asked of the installed binary before it goes
# (`concordia key status`: it reads no input and bounds each keyring call; it moves a key
# left in the prototype's plain-text file into the keyring, as any run would): after, the
# way to remove the key is a tool that is still there, and it is said only of a key there
# is (a reviewer's read "concordia key delete removes it" of a command just removed, and of
# a key never set). key: one is stored; none: none is; unknown: it could not be asked.
keyring=unknown
if [ -x "$prefix/bin/concordia" ]; then
	bound=""
	command -v timeout >/dev/null 2>&1 && bound="timeout 30"
	status=$($bound "$prefix/bin/concordia" key status </dev/null 2>/dev/null || true)
	case $(printf '%s\n' "$status" | sed -n 's/^OS keyring: *//p') in
	"reachable, holds a key"*) keyring=key ;; # "… not yet checked with Google" too
	"reachable, no key stored") keyring=none ;;
	esac
elif [ ! -d "$config/concordia" ]; then
	keyring=none # neither installed nor ever run: nothing to say of a key
fi

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
# What is kept, where it is (a tester found WebKit's folder left behind, unsaid).
if [ -d "$config/concordia" ]; then
	echo "kept your settings, TLS identity, party journals and transcripts in $config/concordia"
fi
# go-keyring's Secret Service attributes: service "concordia", username "gemini-api-key"
# (internal/secrets: Service, Account).
clear="secret-tool clear service concordia username gemini-api-key"
case $keyring in
key) echo "kept your Gemini key in the OS keyring (service concordia, account gemini-api-key); $clear removes it" ;;
unknown) echo "kept a Gemini key in the OS keyring, if one was set (service concordia, account gemini-api-key); $clear removes it" ;;
esac
webkit=""
for dir in "$data/concordia" "$cache/concordia"; do
	[ -d "$dir" ] && webkit="$webkit '$dir'"
done
if [ -n "$webkit" ]; then
	echo "kept the window's WebKit data, nothing of your parties:$webkit; rm -rf$webkit removes it"
fi
