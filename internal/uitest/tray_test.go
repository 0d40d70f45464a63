package uitest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// xfconfdPaths are where Debian and others install xfconfd, the settings daemon the panel
// reads its layout from.
var xfconfdPaths = []string{
	"/usr/lib/x86_64-linux-gnu/xfce4/xfconf/xfconfd",
	"/usr/lib/aarch64-linux-gnu/xfce4/xfconf/xfconfd",
	"/usr/lib/xfce4/xfconf/xfconfd",
	"/usr/libexec/xfce4/xfconf/xfconfd",
}

// panelConfig is the panel's layout: one panel along the top of the screen holding only
// the notification area (systray, which is also the StatusNotifier host), so that nothing
// but the tray icon ever changes in it.
const panelConfig = `<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="icon-size" type="uint" value="24"/>
      <property name="size" type="uint" value="32"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray"/>
  </property>
</channel>
`

// panelStrip is the part of the screen the panel (32 px along the top) is in.
const panelStrip = "1280x40+0+0"

// desktop is the X screen as a whole: the tray panel and its menus, read from screenshots
// of the root window.
type desktop struct {
	t     *testing.T
	tmp   string
	name  string // short name of the test, in artifact names
	shots int
	empty string // the panel strip before the app started
}

// startTrayHost starts xfce4-panel as the session's tray host (StatusNotifierWatcher) with
// a throwaway HOME and its own xfconfd (a D-Bus-activated one would read the real
// ~/.config), waits until the watcher is on the bus and the panel is drawn, and keeps a
// picture of the empty panel to find the icon by. Both are stopped when the test ends.
func startTrayHost(t *testing.T, name string) *desktop {
	t.Helper()
	for _, tool := range []string{"xfce4-panel", "dbus-send"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (install it with scripts/setup.sh): %v", tool, err)
		}
	}
	xfconfd := ""
	for _, p := range xfconfdPaths {
		if _, err := os.Stat(p); err == nil {
			xfconfd = p
			break
		}
	}
	if xfconfd == "" {
		t.Fatalf("xfconfd is missing (it comes with xfce4-panel; looked in %s)", strings.Join(xfconfdPaths, ", "))
	}
	if nameOwner(t, "org.xfce.Xfconf") != "" || nameOwner(t, watcherName) != "" {
		t.Fatal("an xfconfd or a tray host is already on the session bus: the test needs its own session bus")
	}

	home := t.TempDir()
	cfg := filepath.Join(home, ".config")
	channel := filepath.Join(cfg, "xfce4", "xfconf", "xfce-perchannel-xml", "xfce4-panel.xml")
	if err := os.MkdirAll(filepath.Dir(channel), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(channel, []byte(panelConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + cfg,
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
	}
	conf := startFixture(t, "xfconfd", env, xfconfd)
	waitBus(t, "org.xfce.Xfconf", func(owner string) bool { return owner == strconv.Itoa(conf.cmd.Process.Pid) }, conf)
	// No window manager here: don't wait for one.
	panel := startFixture(t, "xfce4-panel", env, "xfce4-panel", "--disable-wm-check")
	waitBus(t, watcherName, func(owner string) bool { return owner != "" }, panel)

	d := &desktop{t: t, tmp: t.TempDir(), name: name}
	// The panel is drawn once its strip is no longer the bare black root window.
	deadline := time.Now().Add(screenTimeout)
	for {
		strip := d.crop(d.shot(), panelStrip, "empty.ppm")
		if mean := must(t, "convert", strip, "-format", "%[fx:mean]", "info:"); mean != "0" {
			d.empty = strip
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("xfce4-panel did not draw itself within %v", screenTimeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return d
}

// watcherName is the tray host's D-Bus name.
const watcherName = "org.kde.StatusNotifierWatcher"

// nameOwner returns the PID of the process owning a name on the session bus, or "".
func nameOwner(t *testing.T, name string) string {
	t.Helper()
	out, err := run(t, "dbus-send", "--session", "--print-reply=literal", "--dest=org.freedesktop.DBus",
		"/", "org.freedesktop.DBus.GetConnectionUnixProcessID", "string:"+name)
	if err != nil {
		return ""
	}
	f := strings.Fields(out)
	if len(f) != 2 {
		return ""
	}
	return f[1]
}

// waitBus waits until ok accepts the PID owning name on the session bus.
func waitBus(t *testing.T, name string, ok func(owner string) bool, p *proc) {
	t.Helper()
	deadline := time.Now().Add(lineTimeout)
	for !ok(nameOwner(t, name)) {
		if p.exited() {
			t.Fatalf("%s exited (%v) before %s was on the session bus", p.name, p.cmd.ProcessState, name)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not on the session bus within %v", name, lineTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// shot takes a screenshot of the whole screen.
func (d *desktop) shot() string {
	d.t.Helper()
	path := filepath.Join(d.tmp, "root.ppm")
	must(d.t, "import", "-window", "root", "-depth", "8", path)
	return path
}

// crop cuts geometry (WxH+X+Y) out of a screenshot into a file in the scratch directory.
func (d *desktop) crop(shot, geometry, name string) string {
	d.t.Helper()
	path := filepath.Join(d.tmp, name)
	must(d.t, "convert", shot, "-crop", geometry, "+repage", "-depth", "8", path)
	return path
}

// box is a rectangle on the screen.
type box struct{ x, y, w, h int }

func (b box) geometry() string { return fmt.Sprintf("%dx%d+%d+%d", b.w, b.h, b.x, b.y) }

var trimBox = regexp.MustCompile(`^(\d+)x(\d+)\+(\d+)\+(\d+)$`)

// changed returns the box around every pixel that differs between two pictures of the same
// size (at offset x, y on the screen), if any does.
func (d *desktop) changed(a, b string, x, y int) (box, bool) {
	d.t.Helper()
	diff := filepath.Join(d.tmp, "diff.pgm")
	must(d.t, "convert", a, b, "-compose", "difference", "-composite", "-colorspace", "Gray",
		"-threshold", "4%", "-depth", "8", diff)
	if must(d.t, "convert", diff, "-format", "%[fx:maxima]", "info:") == "0" {
		return box{}, false
	}
	m := trimBox.FindStringSubmatch(strings.TrimSpace(must(d.t, "convert", diff, "-format", "%@", "info:")))
	if m == nil {
		d.t.Fatalf("could not read the changed area of %s", diff)
	}
	n := make([]int, 4)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	return box{x: x + n[2], y: y + n[3], w: n[0], h: n[1]}, true
}

// trayIcon waits for the app's icon to show up in the panel and returns where it is.
func (d *desktop) trayIcon() box {
	d.t.Helper()
	deadline := time.Now().Add(screenTimeout)
	for {
		strip := d.crop(d.shot(), panelStrip, "strip.ppm")
		if b, ok := d.changed(d.empty, strip, 0, 0); ok && b.w >= 8 && b.h >= 8 {
			d.save(strip, "tray-icon")
			return b
		}
		if time.Now().After(deadline) {
			d.save(strip, "no-tray-icon")
			d.t.Fatalf("no tray icon showed up in the panel within %v", screenTimeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// menuArea is where the tray's menu opens: below the icon, at the top of the screen. The
// window's own buttons (its End party among them) and its blinking caret lie below it.
func menuArea(icon box) box {
	x := max(0, icon.x+icon.w/2-250)
	return box{x: x, y: 0, w: min(500, 1280-x), h: 450}
}

// openMenu clicks the tray icon and waits for its menu (told from the window by its "Show
// window" item) to show text matching re; it returns what the menu says, in screen pixels.
func (d *desktop) openMenu(icon box, label, re string) screen {
	d.t.Helper()
	rx := regexp.MustCompile("(?i)" + re)
	area := menuArea(icon)
	before := d.crop(d.shot(), area.geometry(), "before.ppm")
	must(d.t, "xdotool", "mousemove", strconv.Itoa(icon.x+icon.w/2), strconv.Itoa(icon.y+icon.h/2), "click", "1")
	start := time.Now()
	deadline := start.Add(screenTimeout)
	var s screen
	for {
		full := d.shot()
		now := d.crop(full, area.geometry(), "now.ppm")
		if b, ok := d.changed(before, now, area.x, area.y); ok && b.w >= 40 && b.h >= 40 {
			menu := d.crop(full, b.geometry(), "menu.ppm")
			for _, scale := range ocrScales {
				s = d.read(menu, scale, b)
				if _, _, ok := s.find("Show window"); ok && rx.MatchString(s.text()) {
					path := d.save(menu, label)
					d.t.Logf("the tray menu shows %q after %.1fs: %s", re, time.Since(start).Seconds(), filepath.Base(path))
					return s
				}
			}
		}
		if time.Now().After(deadline) {
			path := d.save(now, label+"-timeout")
			d.t.Fatalf("the tray menu did not show %q within %v; it showed (%s):\n%s", re, screenTimeout, path, s.text())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// read reads a picture of the screen area at enlarged scale times; the words' boxes are in
// screen pixels.
func (d *desktop) read(pic string, scale int, at box) screen {
	d.t.Helper()
	big := filepath.Join(d.tmp, "big.pgm")
	must(d.t, "convert", pic, "-colorspace", "Gray", "-resize", strconv.Itoa(scale*100)+"%", "-depth", "8", big)
	s := screen{path: pic, lines: parseTSV(must(d.t, "tesseract", big, "stdout", "tsv"), scale)}
	for _, l := range s.lines {
		for i := range l {
			l[i].x += at.x
			l[i].y += at.y
		}
	}
	return s
}

// clickMenu clicks an item of an open menu by its label: of the places that say it, the
// one nearest the menu's "Show window" (openMenu made sure there is one).
func (d *desktop) clickMenu(s screen, item string) {
	d.t.Helper()
	sx, sy, _ := s.find("Show window")
	want := strings.Fields(normWord(item))
	best, bx, by := -1, 0, 0
	for _, l := range s.lines {
		for i := 0; i+len(want) <= len(l); i++ {
			one := screen{lines: [][]ocrWord{l[i : i+len(want)]}}
			x, y, ok := one.find(item)
			if !ok {
				continue
			}
			if dist := (x-sx)*(x-sx) + (y-sy)*(y-sy); best < 0 || dist < best {
				best, bx, by = dist, x, y
			}
		}
	}
	if best < 0 {
		d.t.Fatalf("the tray menu has no %q; it says:\n%s", item, s.text())
	}
	must(d.t, "xdotool", "mousemove", strconv.Itoa(bx), strconv.Itoa(by), "click", "1")
}

// save keeps a picture as an artifact: test-artifacts/window-NAME-tray-NN-LABEL.png.
func (d *desktop) save(pic, label string) string {
	d.t.Helper()
	d.shots++
	dst := filepath.Join(artifactsDir(d.t), fmt.Sprintf("window-%s-tray-%02d-%s.png", d.name, d.shots, label))
	must(d.t, "convert", pic, dst)
	return dst
}

// visibleWindow returns the app's visible window titled Concordia, or "".
func visibleWindow(t *testing.T, app *proc) string {
	t.Helper()
	// xdotool search fails when it finds nothing: that is an answer here.
	out, _ := run(t, "xdotool", "search", "--onlyvisible", "--pid", strconv.Itoa(app.cmd.Process.Pid), "--name", "^Concordia$")
	if f := strings.Fields(out); len(f) > 0 {
		return f[0]
	}
	return ""
}

// waitVisible waits until the app's window is visible (want) or gone from the screen.
func waitVisible(t *testing.T, app *proc, want bool) string {
	t.Helper()
	deadline := time.Now().Add(screenTimeout)
	for {
		id := visibleWindow(t, app)
		if (id != "") == want {
			return id
		}
		if app.exited() {
			t.Fatalf("the app exited (%v)", app.cmd.ProcessState)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the window's visibility did not become %v within %v", want, screenTimeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitDialog waits for a visible window of app's whose title matches re (a native dialog)
// and returns its id.
func waitDialog(t *testing.T, app *proc, re string) string {
	t.Helper()
	deadline := time.Now().Add(screenTimeout)
	for {
		out, _ := run(t, "xdotool", "search", "--onlyvisible", "--pid", strconv.Itoa(app.cmd.Process.Pid), "--name", re)
		if ids := strings.Fields(out); len(ids) > 0 {
			return ids[0]
		}
		if app.exited() {
			t.Fatalf("the app exited (%v) before its dialog %q showed", app.cmd.ProcessState, re)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no dialog %q within %v", re, screenTimeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// With a real tray (xfce4-panel) on the session bus, closing the window while hosting hides
// it and the party goes on: a CLI participant still gets replies. The tray menu counts
// everyone in the party ("2 in the party", as the terminal says), brings the window back,
// and ends the party for everyone once the window's dialog is confirmed.
func TestTrayKeepsThePartyRunning(t *testing.T) {
	bin, fake := setup(t)
	d := startTrayHost(t, "tray")
	w := openWindow(t, bin, "tray", windowSettings(t, "hazel", fake))
	w.waitFor("home", `Create party`)
	w.click("Create party")
	w.waitFor("party", `Copy invite link`)
	w.click("Copy invite link")
	inv := strings.TrimSpace(waitClipboard(t, pinnedInvite))

	bob := startProc(t, "concordia join", cliEnv(t), bin, "join", inv, "--name", "bob")
	bob.expect(`^\[party\] joined hazel's party as bob \(2 in the party`)
	w.waitFor("bob-joined", `\bbob joined\b`)

	// The close button, as a window manager sends it: the window hides, the app runs on.
	id, err := strconv.ParseUint(w.id, 10, 32)
	if err != nil {
		t.Fatalf("window id %q: %v", w.id, err)
	}
	if err := closeWindow(os.Getenv("DISPLAY"), uint32(id)); err != nil {
		t.Fatal(err)
	}
	waitVisible(t, w.app, false)

	// The party runs on while the window is hidden.
	bob.send("say marmalade")
	bob.expect(`echo: say marmalade`)

	icon := d.trayIcon()
	menu := d.openMenu(icon, "menu", `\b2 in the party\b`)
	d.clickMenu(menu, "Show window")
	w.id = waitVisible(t, w.app, true)
	if _, err := run(t, "xdotool", "windowfocus", "--sync", w.id); err != nil {
		t.Fatalf("focus the window: %v", err)
	}
	// Back as it was, with what happened while it was hidden.
	w.waitFor("shown", `echo\W+say marmalade`)

	// The tray's Quit asks too while hosting, in the window's own dialog (one click in a
	// window tester's tray ended the party for everyone); No, its cancel, keeps the party.
	menu = d.openMenu(icon, "menu-quit", `\bQuit\b`)
	d.clickMenu(menu, "Quit")
	ask := waitDialog(t, w.app, "^End the party")
	must(t, "xdotool", "windowfocus", "--sync", ask)
	must(t, "xdotool", "key", "Escape")
	bob.send("say still hosting")
	bob.expect(`echo: say still hosting`)
	if w.app.exited() {
		t.Fatal("the app quit though its question was answered No")
	}

	// The tray's End party… asks in the window first, and the party goes on until the
	// host confirms there (one stray click in a menu used to end it for everyone).
	menu = d.openMenu(icon, "menu-end", `\bEnd party\b`)
	d.clickMenu(menu, "End party")
	w.waitFor("end-asked", `End the party\?`)
	bob.send("say still here")
	bob.expect(`echo: say still here`)
	// The dialog opens on Keep going; its End party button is next.
	if _, err := run(t, "xdotool", "windowfocus", "--sync", w.id); err != nil {
		t.Fatalf("focus the window: %v", err)
	}
	w.key("Tab", "Return")
	bob.expect(`^\[system\] the host ended the party`)
	if code := bob.wait(); code != 0 {
		t.Errorf("concordia join exited with %d when the party ended", code)
	}
	if w.app.exited() {
		t.Fatal("the app quit on End party; only the party should have ended")
	}
	w.quit()
}
