//go:build linux

package app

import (
	"context"
	"fmt"
	"time"

	"github.com/godbus/dbus/v5"
)

// dbusNotifier shows notifications through org.freedesktop.Notifications. Each one opens
// its own short connection (notifications are rare), never autolaunching a bus, with a
// time limit on the call.
type dbusNotifier struct{}

func newNotifier() notifier { return dbusNotifier{} }

// Notify implements notifier.
func (dbusNotifier) Notify(title, body string) error {
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return fmt.Errorf("%w: no session bus: %w", errNoNotifications, err)
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return fmt.Errorf("session bus auth: %w", err)
	}
	if err := conn.Hello(); err != nil {
		return fmt.Errorf("session bus hello: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	obj := conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
	call := obj.CallWithContext(ctx, "org.freedesktop.Notifications.Notify", 0,
		"Concordia", uint32(0), "concordia", title, body, []string{}, map[string]dbus.Variant{}, int32(-1))
	if call.Err != nil {
		return fmt.Errorf("notify: %w", call.Err)
	}
	return nil
}
