//go:build windows

package app

import "log/slog"

// probeTray: Windows always has a notification area.
func probeTray(*slog.Logger) (TrayStatus, bool, func(func(bool)) func()) {
	return TrayStatus{Available: true}, true, nil
}
