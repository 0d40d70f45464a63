package secrets

import "testing"

// Hooks for the external tests (package secrets_test), which cannot reach unexported
// names but need them to check the session-bus guard.

// SessionBusCheck exposes sessionBusCheck.
var SessionBusCheck = sessionBusCheck

// BusReason exposes busReason.
var BusReason = busReason

// SetBusCheck replaces the check run before every backend call.
func SetBusCheck(s *Store, check func() error) { s.busCheck = check }

// BusAddressFile exposes busAddressFile.
var BusAddressFile = busAddressFile

// SetRunUserDir makes dir the runtime directories' parent (/run/user) until t ends.
func SetRunUserDir(t *testing.T, dir string) {
	old := runUserDir
	runUserDir = dir
	t.Cleanup(func() { runUserDir = old })
}
