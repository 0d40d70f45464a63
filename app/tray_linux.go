//go:build linux

package app

import (
	"log/slog"
	"sync"

	"github.com/godbus/dbus/v5"
)

// watcherName is the D-Bus name of the tray host (the StatusNotifierWatcher) that panels
// such as KDE Plasma, xfce4-panel or GNOME's AppIndicator extension provide.
const watcherName = "org.kde.StatusNotifierWatcher"

// probeTray says whether a tray host is on the session bus, whether the icon can run at
// all (a session bus exists), and returns a watch that reports a tray host coming or
// going until its stop function is called.
func probeTray(log *slog.Logger) (TrayStatus, bool, func(func(bool)) func()) {
	// Find the bus the way godbus does, but never autolaunch one: without a session bus
	// godbus would start a private dbus-daemon that outlives us.
	probe, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		log.Info("tray: no session bus", "err", err)
		return noTrayHost, false, nil
	}
	probe.Close()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		log.Info("tray: no session bus", "err", err)
		return noTrayHost, false, nil
	}
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&has); err != nil {
		log.Info("tray: ask for a tray host", "err", err)
	}
	status := noTrayHost
	if !has {
		log.Info("tray: no tray host on the session bus", "name", watcherName)
	}
	if has {
		status = TrayStatus{Available: true}
	}
	watch := func(onChange func(bool)) func() {
		err := conn.AddMatchSignal(
			dbus.WithMatchObjectPath("/org/freedesktop/DBus"),
			dbus.WithMatchInterface("org.freedesktop.DBus"),
			dbus.WithMatchMember("NameOwnerChanged"),
			dbus.WithMatchArg(0, watcherName),
		)
		if err != nil {
			log.Info("tray: watch for a tray host", "err", err)
			conn.Close()
			return func() {}
		}
		signals := make(chan *dbus.Signal, 8)
		conn.Signal(signals)
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case sig, ok := <-signals:
					if !ok {
						return
					}
					if len(sig.Body) == 3 {
						owner, _ := sig.Body[2].(string)
						onChange(owner != "")
					}
				case <-stop:
					return
				}
			}
		}()
		var once sync.Once
		return func() {
			once.Do(func() {
				close(stop)
				conn.Close()
				<-done
			})
		}
	}
	return status, true, watch
}
