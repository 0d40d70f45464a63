package secrets

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/zalando/go-keyring"
)

// Sentinel errors. None of them, and no error this package returns, ever carries the key.
var (
	// ErrUnavailable means the OS keyring could not be used: no session bus, no Secret
	// Service, no answer in time, a locked keyring nobody unlocked, an unsupported platform.
	// Errors that match it with errors.Is say why, and point to GEMINI_API_KEY.
	ErrUnavailable = errors.New("OS keyring unavailable (set GEMINI_API_KEY to use a key without the keyring)")

	// ErrEmptyKey means Set was given nothing but white space.
	ErrEmptyKey = errors.New("the key is empty")

	// ErrInvalidKey means the key is not one line of printable text of a sane length.
	ErrInvalidKey = errors.New("the key must be one line of printable characters, at most 4096 bytes")
	// ErrKeySpaces: a key has no spaces; one with them was cut or joined with something else.
	ErrKeySpaces = errors.New("the key has spaces in it; a Gemini key has none (copy it again, whole and alone)")
	// ErrKeyAssignment: the key given is a line that sets another variable (NAME=value).
	ErrKeyAssignment = errors.New(`that is a line that sets a variable (NAME=value); give the Gemini key alone`)

	// ErrVerify means the keyring did not give back what was just written to it.
	ErrVerify = errors.New("the OS keyring did not return the key that was written to it")

	// ErrLegacyConflict means the legacy .env file holds a key that differs from the one
	// already in the keyring; neither was changed.
	ErrLegacyConflict = errors.New("the OS keyring already holds a different Gemini key")

	// ErrNotFound is what a Backend's Get and Delete return when there is no entry. It is
	// go-keyring's own sentinel, so go-keyring's functions fit Backend as they are.
	ErrNotFound = keyring.ErrNotFound
)

// unavailableError is an ErrUnavailable with the reason attached. The reason is already
// redacted: it never holds the key.
type unavailableError struct {
	reason string
	// detail is the backend's own words when reason says them otherwise (plainReason),
	// redacted too: for the --verbose log (Store.call), never for a person.
	detail string
}

func (e *unavailableError) Error() string {
	return "OS keyring unavailable: " + e.reason + " (set GEMINI_API_KEY to use a key without the keyring)"
}

// Is makes errors.Is(err, ErrUnavailable) hold.
func (e *unavailableError) Is(target error) bool { return target == ErrUnavailable }

// unavailable builds an ErrUnavailable from a backend error, with every occurrence of
// secret cut out of its text. The cause itself is deliberately not wrapped: its text is
// all we keep, so that nothing down the chain can print the key.
func unavailable(cause error, secret string) error {
	msg := cause.Error()
	if secret != "" {
		msg = strings.ReplaceAll(msg, secret, "[redacted]")
	}
	e := &unavailableError{reason: plainReason(msg)}
	if e.reason != msg {
		e.detail = msg
	}
	return e
}

// plainReason says a Secret Service failure that people meet in words they know; other
// reasons stay as the backend gave them. (D-Bus's own words, e.g. "The name
// org.freedesktop.secrets was not provided by any .service files", reached the window.)
func plainReason(msg string) string {
	switch {
	case strings.Contains(msg, "org.freedesktop.secrets was not provided by any .service files"),
		strings.Contains(msg, "org.freedesktop.DBus.Error.ServiceUnknown"):
		return "no keyring service (such as GNOME Keyring or KWallet) is running in this session"
	case strings.Contains(msg, "Cannot create an item in a locked collection"),
		strings.Contains(msg, "org.freedesktop.Secret.Error.IsLocked"):
		return "the keyring is locked (unlock it, e.g. by logging in again, then try again)"
	case strings.Contains(msg, "failed to unlock correct collection"):
		// go-keyring's words for a locked collection, and for a bus whose keyring
		// service does not answer (a tester's read the D-Bus path of the collection).
		return "the keyring could not be unlocked (it may be locked: unlock it, e.g. by logging in again; or no keyring service such as GNOME Keyring answers)"
	}
	// godbus reads the real environment, so the address it could not use is os's.
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if r, ok := busReason(msg, addr, busAddressFile(addr, runUserDir, os.Getuid(), os.Stat, os.ReadFile), loginBuses()); ok {
		return r
	}
	return msg
}

// runUserDir holds each user's runtime directory (<runUserDir>/<uid>), where a login puts
// its session bus, as godbus v5 looks for it. A variable for the tests only.
var runUserDir = "/run/user"

// busDial is godbus's failure to connect to the session bus: net's "dial unix PATH:
// connect: no such file or directory" (an address left from a session that ended, after
// ssh or su) or "dial tcp HOST:PORT: connect: connection refused".
var busDial = regexp.MustCompile(`^dial (?:unix|tcp|tcp4|tcp6) (\S+): (?:connect: )?(.+)$`)

// loginBuses are where this user's login puts its session bus, which godbus v5 finds by
// itself (and then puts into DBUS_SESSION_BUS_ADDRESS) when the variable is not set: as
// sessionBusCheck, /run/user/<uid>/bus.
func loginBuses() []string {
	return []string{filepath.Join(runUserDir, strconv.Itoa(os.Getuid()), "bus")}
}

// busAddressFile is the file the session bus address addr was read from, when godbus
// read it from one: with DBUS_SESSION_BUS_ADDRESS not set and no <runDir>/<uid>/bus,
// godbus v5 takes the address in <runDir>/<uid>/dbus-session (a line
// "DBUS_SESSION_BUS_ADDRESS=…", left by some logins) and then sets the variable to it, so
// that afterwards the variable looks set by the user. "" when addr is not that file's.
func busAddressFile(addr, runDir string, uid int, stat func(string) (fs.FileInfo, error), readFile func(string) ([]byte, error)) string {
	if addr == "" {
		return ""
	}
	dir := filepath.Join(runDir, strconv.Itoa(uid))
	if _, err := stat(filepath.Join(dir, "bus")); err == nil {
		return "" // godbus would have taken the socket, not the file
	}
	file := filepath.Join(dir, "dbus-session")
	b, err := readFile(file)
	if err != nil {
		return ""
	}
	// As godbus reads it: the prefix, then the rest with trailing line ends cut.
	if a, ok := strings.CutPrefix(string(b), "DBUS_SESSION_BUS_ADDRESS="); ok && strings.TrimRight(a, "\r\n") == addr {
		return file
	}
	return ""
}

// busReason says in words a person knows that the D-Bus session bus at addr cannot be
// used, when msg is godbus's error for that; ok is false for other messages. addr is the
// value of DBUS_SESSION_BUS_ADDRESS, which godbus took from file when file is not ""
// (busAddressFile): the sentence then names the file, not the variable, which this user
// never set (a reviewer's). (godbus's own words, "dial unix /tmp/…: connect: no such
// file or directory" and "dbus: invalid bus address (invalid or unsupported transport)",
// reached a tester's terminal after su.) A bus at one of login's (loginBuses) is not
// blamed on the variable: godbus may have found it there by itself (a reviewer's).
func busReason(msg, addr, file string, login []string) (reason string, ok bool) {
	switch m := busDial.FindStringSubmatch(msg); {
	case m != nil:
		why := m[2]
		switch why {
		case "no such file or directory":
			why = "it does not exist"
		case "connection refused":
			why = "nothing answers there"
		}
		switch {
		case slices.Contains(login, m[1]):
			return "the D-Bus session bus at " + m[1] + " cannot be reached (" + why + "): this user's login session may have ended, or its bus stopped", true
		case file != "":
			return "the D-Bus session bus at " + m[1] + " cannot be reached (" + why + "): its address is the one in " + file + ", which may be left from a login session that ended", true
		}
		return "the D-Bus session bus at " + m[1] + " cannot be reached (" + why + "): DBUS_SESSION_BUS_ADDRESS may be left from another session, e.g. after ssh or su", true
	case strings.HasPrefix(msg, "dbus: invalid bus address"),
		strings.HasPrefix(msg, "dbus: invalid address"),
		strings.HasPrefix(msg, "dbus: unsupported address"),
		strings.HasPrefix(msg, "dbus: invalid tcp family"):
		switch {
		case file != "":
			return "the D-Bus session bus address in " + file + " (" + quoteAddr(addr) + ") is not one Concordia can use", true
		case addr == "":
			return "the D-Bus session bus address this user's login left is not one Concordia can use", true
		}
		return "DBUS_SESSION_BUS_ADDRESS (" + quoteAddr(addr) + ") is not a D-Bus address Concordia can use", true
	case msg == "dbus: authentication failed":
		if file != "" {
			return "the D-Bus session bus at " + quoteAddr(addr) + " refused this user: its address is the one in " + file + ", which may be left from another login session", true
		}
		return "the D-Bus session bus at " + quoteAddr(addr) + " refused this user: DBUS_SESSION_BUS_ADDRESS may be another user's, e.g. after su", true
	}
	return "", false
}

// quoteAddr is addr for a sentence: quoted, or "empty".
func quoteAddr(addr string) string {
	if addr == "" {
		return "empty"
	}
	return `"` + addr + `"`
}

// Cause is the keyring's own error inside err when err is one that the keyring is
// unavailable (ErrUnavailable), without the steps that led to it ("check keyring: …"),
// for a sentence for a person; else err.
func Cause(err error) error {
	var ue *unavailableError
	if errors.As(err, &ue) {
		return ue
	}
	return err
}

// unavailableReason is the reason part of an ErrUnavailable, or the error's text.
func unavailableReason(err error) string {
	var ue *unavailableError
	if errors.As(err, &ue) {
		return ue.reason
	}
	return err.Error()
}
