//go:build linux

package app

import (
	"encoding/json"
	"os"
	"strings"

	"github.com/godbus/dbus/v5"
	"github.com/wailsapp/wails/v2/pkg/options"
)

// handOff gives args (a concordia:// link) to the instance of the app already running,
// as Wails' single-instance lock does, and says whether it took them. Wails' own hand-off
// then ends this process with status 1, so that the desktop's xdg-open reported a link it
// had opened as failed (a tester's). The bus name and path are the ones Wails 2 exports
// (internal/frontend/desktop/linux/single_instance.go); if they ever differ, nothing
// answers here and Wails' own hand-off runs as before.
func handOff(uniqueID string, args []string) bool {
	id := "wails_app_" + strings.ReplaceAll(strings.ReplaceAll(uniqueID, "-", "_"), ".", "_")
	name, path := "org."+id+".SingleInstance", dbus.ObjectPath("/org/"+id+"/SingleInstance")
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	var running bool
	if conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&running) != nil || !running {
		return false
	}
	data := options.SecondInstanceData{Args: args}
	data.WorkingDirectory, _ = os.Getwd()
	msg, err := json.Marshal(data)
	if err != nil {
		return false
	}
	return conn.Object(name, path).Call(name+".SendMessage", 0, string(msg)).Store() == nil
}
