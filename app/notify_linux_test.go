//go:build linux

package app

import (
	"bufio"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// notifyServer is a fake org.freedesktop.Notifications service: it records Notify calls.
type notifyServer struct {
	mu  sync.Mutex
	got []notifyCall
}

type notifyCall struct {
	app, icon, summary, body string
	timeout                  int32
}

// Notify implements org.freedesktop.Notifications.Notify.
func (s *notifyServer) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, notifyCall{app, icon, summary, body, timeout})
	return uint32(len(s.got)), nil
}

func (s *notifyServer) calls() []notifyCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notifyCall(nil), s.got...)
}

// privateBus starts a session bus of the test's own (dbus-daemon) and points
// DBUS_SESSION_BUS_ADDRESS at it; the bus stops when the test ends.
func privateBus(t *testing.T) string {
	t.Helper()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("no dbus-daemon: the real notification path is not tested here")
	}
	cmd := exec.Command(daemon, "--session", "--nofork", "--print-address=1", "--address=unix:dir="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() { // ends when the daemon's stdout closes (Cleanup kills it)
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			addr <- strings.TrimSpace(sc.Text())
		}
		close(addr)
	}()
	select {
	case a := <-addr:
		if a == "" {
			t.Fatal("dbus-daemon printed no address")
		}
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", a)
		return a
	case <-time.After(10 * time.Second):
		t.Fatal("dbus-daemon did not start")
	}
	return ""
}

// TestNotifyThroughDBus shows notifications through the real D-Bus notifier to a fake
// notification service on a private session bus: the text arrives sanitised (one line,
// markup escaped), and nothing arrives while Settings has notifications off.
func TestNotifyThroughDBus(t *testing.T) {
	addr := privateBus(t)
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	srv := &notifyServer{}
	if err := conn.Export(srv, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own the name: %v (reply %v)", err, reply)
	}

	f := newFixture(t)
	f.app.notifier = newNotifier()
	if err := f.app.Notify("bob joined the party", "bob says <b>hi</b> &\nbye"); err != nil {
		t.Fatal(err)
	}
	got := srv.calls()
	want := notifyCall{app: "Concordia", icon: "concordia", summary: "bob joined the party", body: "bob says &lt;b&gt;hi&lt;/b&gt; &amp; bye", timeout: -1}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("calls = %+v, want %+v", got, want)
	}

	s, err := f.app.GetSettings()
	if err != nil {
		t.Fatal(err)
	}
	s.Notifications = false
	if _, err := f.app.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if err := f.app.Notify("The party ended", "The host ended the party"); err != nil {
		t.Fatal(err)
	}
	if got := srv.calls(); len(got) != 1 {
		t.Fatalf("a notification went out with notifications off: %+v", got)
	}
}
