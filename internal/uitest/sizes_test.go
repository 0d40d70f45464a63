package uitest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// resize sets the window's size and puts it at the screen's top left corner, so that all of
// it is on the 1280×800 screen (no window manager here: the X server does as asked, down to
// the window's minimum size), and waits until the window has that size.
func (w *window) resize(width, height int) {
	w.t.Helper()
	must(w.t, "xdotool", "windowmove", w.id, "0", "0")
	must(w.t, "xdotool", "windowsize", w.id, strconv.Itoa(width), strconv.Itoa(height))
	want := fmt.Sprintf("%dx%d", width, height)
	geometry := regexp.MustCompile(`Geometry: (\d+x\d+)`)
	deadline := time.Now().Add(screenTimeout)
	for {
		out, _ := run(w.t, "xdotool", "getwindowgeometry", w.id)
		m := geometry.FindStringSubmatch(out)
		if m != nil && m[1] == want {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("the window did not take the size %s: %s", want, strings.TrimSpace(out))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The real window (WebKitGTK) at 640×480, the smallest size the UI is made for (issue
// 10.3): the window can be made that small, and a hosted party shows its conversation and
// prompt box with the side panel folded into a drawer (its End party and invite are not on
// the screen) rather than over the whole window; at 1280×800 the side panel is a column
// beside the conversation again. The browser tests (frontend/e2e/sizes.mjs) measure the
// drawer itself.
func TestWindowAt640x480(t *testing.T) {
	bin, fake := setup(t)
	w := openWindow(t, bin, "640x480", windowSettings(t, "hazel", fake))
	w.resize(640, 480)

	w.waitFor("home", `Create party`)
	w.click("Create party")
	s := w.waitFor("party", `Tell the agent what to do`)
	if rx := regexp.MustCompile(`(?i)End party|Copy invite|Host controls`); rx.MatchString(s.text()) {
		t.Errorf("at 640×480 the side panel is on the screen (it should be a closed drawer); the window shows:\n%s", s.text())
	}
	if !regexp.MustCompile(`(?i)hazel's party`).MatchString(s.text()) {
		t.Errorf("at 640×480 the party header is not readable; the window shows:\n%s", s.text())
	}

	w.resize(1280, 800)
	s = w.waitFor("party-1280x800", `End party`)
	if !regexp.MustCompile(`(?i)Tell the agent what to do`).MatchString(s.text()) {
		t.Errorf("at 1280×800 the prompt box is not beside the side panel; the window shows:\n%s", s.text())
	}
	w.quit()
}
