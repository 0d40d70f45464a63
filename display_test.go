package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/cli"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// TestDisplayMissing: on Linux with neither DISPLAY nor WAYLAND_DISPLAY (ssh, a server) the
// window is not tried (GTK panicked with a page of goroutines); either one is a display.
// Windows and macOS have no such variables and always have a screen.
func TestDisplayMissing(t *testing.T) {
	for _, c := range []struct {
		goos string
		vars map[string]string
		want bool
	}{
		{"linux", nil, true},
		{"linux", map[string]string{"DISPLAY": ":0"}, false},
		{"linux", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, false},
		{"freebsd", nil, true},
		{"windows", nil, false},
		{"darwin", nil, false},
	} {
		if got := displayMissing(c.goos, env(c.vars)); got != c.want {
			t.Errorf("displayMissing(%s, %v) = %v, want %v", c.goos, c.vars, got, c.want)
		}
	}
}

// TestNoDisplaySays: one line, exit 1, naming what the terminal offers instead — with an
// invite (a link opened over ssh), how to join with it there.
func TestNoDisplaySays(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "run `concordia host`, `concordia join INVITE` or `concordia help` to use Concordia in this terminal."},
		{[]string{"concordia://h:1/p?t=SECRETTOKEN"}, "run `concordia join` with it (concordia join 'concordia://…')."},
	} {
		var out bytes.Buffer
		if code := noDisplay(c.args, &out); code != cli.ExitError {
			t.Errorf("noDisplay(%q) = %d, want %d", c.args, code, cli.ExitError)
		}
		s := out.String()
		if strings.Count(s, "\n") != 1 || !strings.HasPrefix(s, "concordia: no display to open the window on") || !strings.HasSuffix(s, c.want+"\n") {
			t.Errorf("noDisplay(%q) said %q, want one line ending %q", c.args, s, c.want)
		}
		if strings.Contains(s, "SECRETTOKEN") {
			t.Errorf("noDisplay(%q) repeated the invite: %q", c.args, s)
		}
	}
}

// TestDisplayFailedSays: a display that is set but does not answer (app.ErrNoDisplay) is
// named, in one line.
func TestDisplayFailedSays(t *testing.T) {
	for _, c := range []struct {
		vars map[string]string
		link bool
		want string
	}{
		{map[string]string{"DISPLAY": ":77"}, false, "concordia: the window could not open on DISPLAY=:77 (is its X server running"},
		{map[string]string{"WAYLAND_DISPLAY": "wayland-9"}, true, "concordia: the window could not open on WAYLAND_DISPLAY=wayland-9 (is its compositor running?"},
	} {
		var out bytes.Buffer
		if code := displayFailed(c.link, env(c.vars), &out); code != cli.ExitError {
			t.Errorf("displayFailed(%v) = %d, want %d", c.vars, code, cli.ExitError)
		}
		s := out.String()
		if !strings.HasPrefix(s, c.want) || strings.Count(s, "\n") != 1 {
			t.Errorf("displayFailed(%v) said %q, want one line starting %q", c.vars, s, c.want)
		}
		if joins := strings.Contains(s, "run `concordia join` with it"); joins != c.link {
			t.Errorf("displayFailed(%v, link %v) said %q: how to join with the invite said %v", c.vars, c.link, s, joins)
		}
	}
}
