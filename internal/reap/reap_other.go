//go:build !linux

package reap

import "time"

// Supported says whether Stop and Find can find anything on this system.
const Supported = false

// Stop finds nothing here: only Linux lets a process read another's environment simply.
func Stop(id string, grace time.Duration) ([]Proc, error) { return nil, nil }

// Find finds nothing here (see Stop).
func Find(id string) ([]Proc, error) { return nil, nil }
