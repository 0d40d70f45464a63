//go:build linux

package app

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/concordia-party/concordia/internal/session"
	"github.com/concordia-party/concordia/internal/wire"
)

func TestProbeTrayWithoutBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	st, canRun, watch := probeTray(slog.New(slog.DiscardHandler))
	if st.Available || canRun || watch != nil || st.Reason != noTrayHost.Reason {
		t.Fatalf("probeTray without a bus = %+v, %v, watch %v", st, canRun, watch != nil)
	}
}

// The reason is shown in the window's first-run banner: it speaks to a person, not of D-Bus.
func TestNoTrayReasonIsForPeople(t *testing.T) {
	for _, jargon := range []string{"D-Bus", "dbus", "org.kde", "StatusNotifier", "session bus", "Watcher"} {
		if strings.Contains(noTrayHost.Reason, jargon) {
			t.Errorf("the no-tray reason says %q: %s", jargon, noTrayHost.Reason)
		}
	}
	if !strings.Contains(noTrayHost.Reason, "closing the window asks") {
		t.Errorf("the no-tray reason does not say what it means for closing the window: %s", noTrayHost.Reason)
	}
}

// sessionBus starts a private session bus for the test and points the process at it.
func sessionBus(t *testing.T) {
	t.Helper()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon is not installed")
	}
	cmd := exec.Command(daemon, "--session", "--nofork", "--nopidfile", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("read the bus address: %v", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", strings.TrimSpace(addr))
}

func TestProbeTrayFollowsTheTrayHost(t *testing.T) {
	sessionBus(t)
	log := slog.New(slog.DiscardHandler)
	st, canRun, watch := probeTray(log)
	if st.Available || !canRun || watch == nil || st.Reason != noTrayHost.Reason {
		t.Fatalf("probeTray with no tray host = %+v, %v", st, canRun)
	}
	changes := make(chan bool, 4)
	stop := watch(func(available bool) { changes <- available })
	defer stop()

	// A panel appears: it owns the watcher name.
	panel, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer panel.Close()
	if reply, err := panel.RequestName(watcherName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("take %s: %v %v", watcherName, reply, err)
	}
	expect := func(want bool) {
		t.Helper()
		select {
		case got := <-changes:
			if got != want {
				t.Fatalf("tray host change = %v, want %v", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no tray host change to %v reported", want)
		}
	}
	expect(true)
	if st, _, w := probeTray(log); !st.Available {
		t.Fatalf("probeTray with a tray host = %+v", st)
	} else {
		w(func(bool) {})() // start and stop a watch: it must not hang
	}
	// The panel goes away.
	if _, err := panel.ReleaseName(watcherName); err != nil {
		t.Fatal(err)
	}
	expect(false)
	stop()
	stop() // idempotent
}

// menuEntry is one item of the tray menu as a tray host reads it over D-Bus.
type menuEntry struct {
	id      int32
	label   string
	enabled bool
}

// trayMenuIDs reads the ids of the tray menu's items the way a panel does
// (com.canonical.dbusmenu.GetLayout). Call it once: fyne.io/systray v1.12.2 bumps its menu
// version without a lock 150 ms after the first GetLayout, a data race with every later
// GetLayout (a library bug; the race detector would flag the test, not our code).
func trayMenuIDs(t *testing.T, conn *dbus.Conn, dest string) []int32 {
	t.Helper()
	var rev uint32
	var root struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	err := conn.Object(dest, "/StatusNotifierItem/menu").
		Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root)
	if err != nil {
		t.Fatalf("GetLayout: %v", err)
	}
	var ids []int32
	for _, c := range root.Children {
		fields, ok := c.Value().([]any)
		if !ok || len(fields) != 3 {
			t.Fatalf("menu child %v", c)
		}
		ids = append(ids, fields[0].(int32))
	}
	return ids
}

// trayMenu reads the items' labels and states (GetGroupProperties), separators left out.
func trayMenu(t *testing.T, conn *dbus.Conn, dest string, ids []int32) []menuEntry {
	t.Helper()
	var props []struct {
		ID    int32
		Props map[string]dbus.Variant
	}
	err := conn.Object(dest, "/StatusNotifierItem/menu").
		Call("com.canonical.dbusmenu.GetGroupProperties", 0, ids, []string{}).Store(&props)
	if err != nil {
		t.Fatalf("GetGroupProperties: %v", err)
	}
	var out []menuEntry
	for _, p := range props {
		label, _ := p.Props["label"].Value().(string)
		if label == "" {
			continue // a separator
		}
		enabled := true
		if v, ok := p.Props["enabled"]; ok {
			enabled, _ = v.Value().(bool)
		}
		out = append(out, menuEntry{id: p.ID, label: label, enabled: enabled})
	}
	return out
}

// sysTrayTested is set once TestSysTrayMenu has started the process-wide systray.
var sysTrayTested bool

// TestSysTrayMenu runs the real tray on a private session bus and uses its menu as a
// panel would. fyne.io/systray is a process-wide singleton: this is the only test that
// starts it.
func TestSysTrayMenu(t *testing.T) {
	if sysTrayTested {
		t.Skip("fyne.io/systray runs once per process (go test -count > 1)")
	}
	sysTrayTested = true
	sessionBus(t)
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Be the panel: own the watcher name, so that the tray counts as available.
	if _, err := conn.RequestName(watcherName, dbus.NameFlagDoNotQueue); err != nil {
		t.Fatal(err)
	}

	clicked := make(chan string, 4)
	tr := newTray(slog.New(slog.DiscardHandler), iconPNG)
	tr.Start(trayHandlers{
		CopyInvite: func() { clicked <- "copy" },
		Show:       func() { clicked <- "show" },
		End:        func() { clicked <- "end" },
		Quit:       func() { clicked <- "quit" },
	})
	defer tr.Stop()
	if st := tr.Status(); !st.Available {
		t.Fatalf("tray status %+v with a tray host", st)
	}
	dest := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", os.Getpid())
	waitFor(t, "the tray on the bus", func() bool {
		var has bool
		_ = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, dest).Store(&has)
		return has
	})

	labels := func(m []menuEntry) string {
		var b strings.Builder
		for _, e := range m {
			fmt.Fprintf(&b, "%s(%v) ", e.label, e.enabled)
		}
		return b.String()
	}
	var ids []int32
	waitFor(t, "the menu", func() bool {
		ids = trayMenuIDs(t, conn, dest)
		return len(ids) == 7 // five items, two separators
	})
	waitFor(t, "the idle menu", func() bool {
		return labels(trayMenu(t, conn, dest, ids)) == "Not in a party(false) Copy invite(false) Show window(true) End party…(false) Quit(true) "
	})
	tr.Update(session.Snapshot{Role: wire.RoleHost, Participants: 3, Invite: "concordia://x", Status: session.StatusConnected})
	var menu []menuEntry
	waitFor(t, "the hosting menu", func() bool {
		menu = trayMenu(t, conn, dest, ids)
		return labels(menu) == "3 in the party(false) Copy invite(true) Show window(true) End party…(true) Quit(true) "
	})
	for i, want := range []string{"copy", "show", "end", "quit"} {
		id := menu[i+1].id
		if err := conn.Object(dest, "/StatusNotifierItem/menu").
			Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(0)).Err; err != nil {
			t.Fatalf("click %q: %v", menu[i+1].label, err)
		}
		select {
		case got := <-clicked:
			if got != want {
				t.Fatalf("clicking %q ran %q", menu[i+1].label, got)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("clicking %q did nothing", menu[i+1].label)
		}
	}
	tr.Stop()
	tr.Stop() // idempotent
}
