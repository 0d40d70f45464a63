package app

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Desktop notifications. Wails v2 has no notification API, and WebKitGTK's web
// Notification needs a permission handler Wails does not install, so the window asks Go
// (the Notify binding) and Go shows the notification through the OS: on Linux the
// freedesktop notification service on the session bus (notify_linux.go), elsewhere
// nothing yet. The window decides when (it knows whether it is hidden or unfocused).

// notifier shows one desktop notification. Implementations must not block for long.
type notifier interface {
	Notify(title, body string) error
}

// errNoNotifications means this system has no way to show a notification.
var errNoNotifications = errors.New("desktop notifications are not available")

// Limits of a notification's text: enough for "bob's batch wants to run Bash: touch x".
const (
	maxNotifyTitle = 80
	maxNotifyBody  = 240
)

// notifyText makes peer text fit for a notification: one line, printable, at most max
// runes, and with the three characters notification markup knows escaped (servers may
// render a subset of HTML in the body).
func notifyText(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit-1]) + "…"
	}
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// noNotifier is the notifier where there is none (tests, other systems).
type noNotifier struct{}

func (noNotifier) Notify(string, string) error { return errNoNotifications }

// Notify shows a desktop notification (the window calls it when it is hidden or
// unfocused and something needs a person), unless the person turned them off in Settings
// (then it does nothing). It is best effort: a system without notifications is logged,
// not reported.
func (a *App) Notify(title, body string) error {
	title, body = notifyText(title, maxNotifyTitle), notifyText(body, maxNotifyBody)
	if title == "" {
		return errors.New("A notification needs a title.")
	}
	if s, err := a.settings.Load(); err == nil && !s.Notifications {
		return nil
	}
	if err := a.notifier.Notify(title, body); err != nil {
		a.log.Debug("notify", "err", err)
	}
	return nil
}
