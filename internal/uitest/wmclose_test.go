package uitest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// closeWindow asks the X window id to close the way a window manager's close button does:
// a WM_DELETE_WINDOW client message (ICCCM), which GTK turns into a delete-event and Wails
// into OnBeforeClose. There is no window manager under Xvfb, xdotool's windowclose destroys
// the window instead, and no tool here sends the message, so this speaks the few X11
// requests it needs itself: connect (with the display's MIT-MAGIC-COOKIE-1), InternAtom
// twice, SendEvent, and GetInputFocus as a round trip that surfaces any error.
func closeWindow(display string, window uint32) error {
	num, err := displayNumber(display)
	if err != nil {
		return err
	}
	conn, err := net.DialTimeout("unix", "/tmp/.X11-unix/X"+num, 5*time.Second)
	if err != nil {
		return fmt.Errorf("connect to X display %s: %w", display, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))

	name, cookie := xauthCookie(num)
	if err := xSetup(conn, name, cookie); err != nil {
		return err
	}
	protocols, err := xInternAtom(conn, "WM_PROTOCOLS")
	if err != nil {
		return err
	}
	deleteWindow, err := xInternAtom(conn, "WM_DELETE_WINDOW")
	if err != nil {
		return err
	}
	// SendEvent (25), no propagation, an empty event mask (the event goes to the window's
	// owner), and a 32-byte ClientMessage (33) of format 32: [atom, CurrentTime, 0, 0, 0].
	req := make([]byte, 44)
	req[0] = 25
	binary.LittleEndian.PutUint16(req[2:], 11)
	binary.LittleEndian.PutUint32(req[4:], window)
	ev := req[12:]
	ev[0], ev[1] = 33, 32
	binary.LittleEndian.PutUint32(ev[4:], window)
	binary.LittleEndian.PutUint32(ev[8:], protocols)
	binary.LittleEndian.PutUint32(ev[12:], deleteWindow)
	if _, err := conn.Write(req); err != nil {
		return fmt.Errorf("send WM_DELETE_WINDOW: %w", err)
	}
	// GetInputFocus (43): its reply comes after any error SendEvent caused.
	if _, err := conn.Write([]byte{43, 0, 1, 0}); err != nil {
		return fmt.Errorf("send GetInputFocus: %w", err)
	}
	if _, err := xReply(conn); err != nil {
		return fmt.Errorf("send WM_DELETE_WINDOW: %w", err)
	}
	return nil
}

// displayNumber is the number of a local display such as ":99" or ":99.0".
func displayNumber(display string) (string, error) {
	rest, ok := strings.CutPrefix(display, ":")
	if !ok {
		return "", fmt.Errorf("display %q is not a local display", display)
	}
	num, _, _ := strings.Cut(rest, ".")
	if _, err := strconv.Atoi(num); err != nil {
		return "", fmt.Errorf("display %q: bad number", display)
	}
	return num, nil
}

// xauthCookie finds display num's MIT-MAGIC-COOKIE-1 in $XAUTHORITY (xvfb-run writes one),
// else ~/.Xauthority; without one it returns nothing and the server may still let us in.
func xauthCookie(num string) (name string, cookie []byte) {
	path := os.Getenv("XAUTHORITY")
	if path == "" {
		home, _ := os.UserHomeDir()
		path = filepath.Join(home, ".Xauthority")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", nil
	}
	return findCookie(b, num)
}

// findCookie reads Xauthority entries (family, then address, display number, auth name and
// data, each a big-endian 16-bit length and bytes) and returns the first cookie for num.
func findCookie(b []byte, num string) (name string, cookie []byte) {
	r := bytes.NewReader(b)
	field := func() ([]byte, bool) {
		var n uint16
		if binary.Read(r, binary.BigEndian, &n) != nil {
			return nil, false
		}
		f := make([]byte, n)
		if _, err := io.ReadFull(r, f); err != nil {
			return nil, false
		}
		return f, true
	}
	for {
		var family uint16
		if binary.Read(r, binary.BigEndian, &family) != nil {
			return "", nil
		}
		var f [4][]byte
		for i := range f {
			var ok bool
			if f[i], ok = field(); !ok {
				return "", nil
			}
		}
		if string(f[1]) == num && string(f[2]) == "MIT-MAGIC-COOKIE-1" {
			return string(f[2]), f[3]
		}
	}
}

func pad4(n int) int { return (4 - n%4) % 4 }

// xSetup opens the connection (little-endian, protocol 11.0) and reads the server's answer.
func xSetup(conn net.Conn, authName string, authData []byte) error {
	req := make([]byte, 12)
	req[0] = 'l'
	binary.LittleEndian.PutUint16(req[2:], 11)
	binary.LittleEndian.PutUint16(req[6:], uint16(len(authName)))
	binary.LittleEndian.PutUint16(req[8:], uint16(len(authData)))
	req = append(req, authName...)
	req = append(req, make([]byte, pad4(len(authName)))...)
	req = append(req, authData...)
	req = append(req, make([]byte, pad4(len(authData)))...)
	if _, err := conn.Write(req); err != nil {
		return fmt.Errorf("X setup: %w", err)
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(conn, head); err != nil {
		return fmt.Errorf("X setup: %w", err)
	}
	rest := make([]byte, 4*int(binary.LittleEndian.Uint16(head[6:])))
	if _, err := io.ReadFull(conn, rest); err != nil {
		return fmt.Errorf("X setup: %w", err)
	}
	if head[0] != 1 {
		reason := rest[:min(int(head[1]), len(rest))]
		return fmt.Errorf("X setup refused: %q", reason)
	}
	return nil
}

// xInternAtom returns the atom named name (InternAtom, 16), creating it if need be.
func xInternAtom(conn net.Conn, name string) (uint32, error) {
	n := len(name)
	req := make([]byte, 8, 8+n+pad4(n))
	req[0] = 16
	binary.LittleEndian.PutUint16(req[2:], uint16(2+(n+pad4(n))/4))
	binary.LittleEndian.PutUint16(req[4:], uint16(n))
	req = append(req, name...)
	req = append(req, make([]byte, pad4(n))...)
	if _, err := conn.Write(req); err != nil {
		return 0, fmt.Errorf("intern %s: %w", name, err)
	}
	rep, err := xReply(conn)
	if err != nil {
		return 0, fmt.Errorf("intern %s: %w", name, err)
	}
	return binary.LittleEndian.Uint32(rep[8:]), nil
}

// xReply reads up to the next reply, failing on an error; events (none are selected) are
// skipped.
func xReply(conn net.Conn) ([]byte, error) {
	for {
		p := make([]byte, 32)
		if _, err := io.ReadFull(conn, p); err != nil {
			return nil, err
		}
		switch p[0] {
		case 0:
			return nil, fmt.Errorf("X error %d (request %d)", p[1], p[10])
		case 1:
			extra := make([]byte, 4*int(binary.LittleEndian.Uint32(p[4:])))
			if _, err := io.ReadFull(conn, extra); err != nil {
				return nil, err
			}
			return append(p, extra...), nil
		}
	}
}

// xauthEntry builds one Xauthority entry.
func xauthEntry(family uint16, fields ...string) []byte {
	b := binary.BigEndian.AppendUint16(nil, family)
	for _, f := range fields {
		b = binary.BigEndian.AppendUint16(b, uint16(len(f)))
		b = append(b, f...)
	}
	return b
}

// The display's cookie is found among other displays' entries and other kinds of auth.
func TestFindCookie(t *testing.T) {
	file := append(append(append(
		xauthEntry(256, "host", "98", "MIT-MAGIC-COOKIE-1", "cookie98"),
		xauthEntry(256, "host", "99", "XDM-AUTHORIZATION-1", "xdm99")...),
		xauthEntry(256, "host", "99", "MIT-MAGIC-COOKIE-1", "cookie99")...),
		0, 1) // a torn entry at the end
	tests := []struct {
		name, num, cookie string
	}{
		{"the display's cookie", "99", "cookie99"},
		{"the first entry", "98", "cookie98"},
		{"no entry for the display", "7", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, cookie := findCookie(file, tt.num)
			if string(cookie) != tt.cookie {
				t.Errorf("findCookie(%q) = %q, want %q", tt.num, cookie, tt.cookie)
			}
		})
	}
}

func TestDisplayNumber(t *testing.T) {
	tests := []struct {
		name, display, num string
		ok                 bool
	}{
		{"plain", ":99", "99", true},
		{"with a screen", ":1.0", "1", true},
		{"remote", "host:0", "", false},
		{"not a number", ":x", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			num, err := displayNumber(tt.display)
			if num != tt.num || (err == nil) != tt.ok {
				t.Errorf("displayNumber(%q) = %q, %v; want %q, ok %v", tt.display, num, err, tt.num, tt.ok)
			}
		})
	}
}
