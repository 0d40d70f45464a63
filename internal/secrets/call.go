package secrets

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
)

// result carries one backend operation's outcome back to the caller.
type result struct {
	value string
	err   error
}

// call runs op against the backend on a goroutine of its own and waits at most s.timeout
// (and never past ctx) for it.
//
// Why a goroutine: go-keyring has no timeout and no cancellation; on a locked keyring it
// waits for an unlock prompt that may never be answered. A call that times out is
// abandoned: its goroutine stays blocked inside go-keyring until the Secret Service
// answers or the process exits. The leak is bounded by s.sem: at most one operation per
// Store is in flight, so while an abandoned call still hangs, later calls wait for the
// semaphore up to their own timeout and then report ErrUnavailable without starting
// another goroutine. The goroutine releases the semaphore when it finally returns.
//
// The operation keeps everything it needs in op's closure and reports only through the
// buffered channel, so an abandoned goroutine touches nothing the caller still uses.
func (s *Store) call(ctx context.Context, op func(Backend) (string, error)) (string, error) {
	if s.busCheck != nil {
		if err := s.busCheck(); err != nil {
			return "", err
		}
	}
	tctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()

	select {
	case s.sem <- struct{}{}:
	case <-tctx.Done():
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("wait for keyring: %w", err)
		}
		return "", &unavailableError{reason: "an earlier keyring call is still waiting for an answer (is the keyring locked?)"}
	}

	done := make(chan result, 1) // buffered: the goroutine never blocks on an abandoned caller
	go func() {
		defer func() { <-s.sem }()
		defer func() {
			// A panic here would take the whole program down from a goroutine the caller
			// cannot guard; report it as an unusable keyring instead. The panic value is not
			// logged: it might include what was being stored.
			if p := recover(); p != nil {
				s.log.Error("keyring backend panicked")
				done <- result{err: &unavailableError{reason: "the keyring backend failed unexpectedly"}}
			}
		}()
		v, err := op(s.backend)
		done <- result{value: v, err: err}
	}()

	select {
	case r := <-done:
		var ue *unavailableError
		if errors.As(r.err, &ue) && ue.detail != "" {
			// The backend's own words, for --verbose: the error says them for a person.
			s.log.Debug("keyring unavailable", "detail", ue.detail)
		}
		return r.value, r.err
	case <-tctx.Done():
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("wait for keyring: %w", err)
		}
		s.log.Warn("keyring call timed out", "timeout", s.timeout)
		return "", &unavailableError{reason: "no answer within " + s.timeout.String() + " (is the keyring locked, waiting for an unlock prompt?)"}
	}
}

// defaultBusCheck returns the check to run before each go-keyring call, or nil where none
// is needed. On Linux and the BSDs go-keyring talks to the Secret Service over the D-Bus
// session bus; with no bus, godbus would run dbus-launch and leave a stray dbus-daemon
// behind, so we report the keyring unavailable without calling it. macOS (Keychain via
// /usr/bin/security) and Windows (Credential Manager) need no bus.
func defaultBusCheck() func() error {
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "android", "js", "wasip1", "plan9":
		return nil
	}
	uid := os.Getuid()
	return func() error {
		// os.Getenv, not Options.Getenv: it is godbus, reading the real environment, that
		// would autolaunch.
		return sessionBusCheck(os.Getenv, os.Stat, runUserDir, uid)
	}
}

// sessionBusCheck reports whether godbus would find a session bus without autolaunching
// one. It mirrors godbus v5's discovery: DBUS_SESSION_BUS_ADDRESS (except "autolaunch:"),
// then <runDir>/<uid>/bus, then <runDir>/<uid>/dbus-session.
func sessionBusCheck(getenv func(string) string, stat func(string) (fs.FileInfo, error), runDir string, uid int) error {
	if addr := getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		return nil
	}
	dir := filepath.Join(runDir, strconv.Itoa(uid))
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := stat(filepath.Join(dir, name)); err == nil {
			return nil
		}
	}
	return &unavailableError{reason: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and " + filepath.Join(dir, "bus") + " does not exist)"}
}
