#!/bin/sh
# with-keyring.sh CMD [ARG...]
#
# Runs CMD inside a private D-Bus session (dbus-run-session) with a throwaway, unlocked
# gnome-keyring-daemon providing the Secret Service, and CONCORDIA_REAL_KEYRING=1 exported,
# so that the real-keyring tests run instead of skipping:
#
#   scripts/with-keyring.sh go test -race -run Real ./internal/secrets/
#
# The keyring lives in a temporary directory (the daemon's XDG_DATA_HOME and
# XDG_RUNTIME_DIR only) that is removed afterwards: the user's own keyring is never
# touched. CMD starts only once the daemon owns org.freedesktop.secrets on the bus (a call
# before that would make D-Bus activate a second, locked daemon), and the daemon is stopped
# when CMD ends. Exit status: CMD's. Needs dbus-run-session and dbus-send (dbus),
# gnome-keyring-daemon (gnome-keyring); the tests also use secret-tool (libsecret-tools).
# Exported to CMD: CONCORDIA_REAL_KEYRING=1, CONCORDIA_KEYRING_PASSWORD (the throwaway
# keyring's password), and the session bus address.
set -eu

# secrets_pid prints the PID of the process owning org.freedesktop.secrets, or fails.
secrets_pid() {
	dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus / \
		org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null |
		awk '{ print $2 }'
}

# inside_session runs within dbus-run-session: start the keyring, run CMD, stop the keyring.
inside_session() {
	dir=$CONCORDIA_KEYRING_DIR
	unset CONCORDIA_KEYRING_DIR
	mkdir -m 700 "$dir/run"

	# The password only guards the throwaway keyring; --unlock reads it from stdin. The
	# daemon prints shell assignments (none when its control socket is under XDG_RUNTIME_DIR).
	# The password is exported so that a test may lock the keyring and unlock it again.
	CONCORDIA_KEYRING_PASSWORD=concordia-test
	export CONCORDIA_KEYRING_PASSWORD
	daemon_env=$(printf %s "$CONCORDIA_KEYRING_PASSWORD" |
		XDG_DATA_HOME="$dir" XDG_RUNTIME_DIR="$dir/run" gnome-keyring-daemon --unlock --components=secrets)
	eval "$daemon_env"
	if [ -n "${GNOME_KEYRING_CONTROL-}" ]; then
		export GNOME_KEYRING_CONTROL
	fi

	pid=
	tries=0
	while [ -z "$pid" ]; do
		pid=$(secrets_pid || true)
		if [ -z "$pid" ]; then
			tries=$((tries + 1))
			if [ "$tries" -gt 100 ]; then
				echo "$0: gnome-keyring-daemon did not register on the session bus within 10 s" >&2
				exit 1
			fi
			sleep 0.1
		fi
	done
	trap 'kill "$pid" 2>/dev/null || true' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	status=0
	"$@" || status=$?
	exit "$status"
}

if [ "${1-}" = "--inside-session" ]; then
	shift
	inside_session "$@"
fi

if [ "$#" -eq 0 ]; then
	echo "usage: $0 CMD [ARG...]" >&2
	exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$0: $tool not found (apt-get install --no-install-recommends gnome-keyring dbus-x11 libsecret-tools)" >&2
		exit 1
	fi
done

keyring_dir=$(mktemp -d "${TMPDIR:-/tmp}/concordia-keyring.XXXXXX")
trap 'rm -rf "$keyring_dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export CONCORDIA_REAL_KEYRING=1
status=0
CONCORDIA_KEYRING_DIR=$keyring_dir dbus-run-session -- sh "$0" --inside-session "$@" || status=$?
exit "$status"
