//go:build !linux

package app

func newNotifier() notifier { return noNotifier{} }
