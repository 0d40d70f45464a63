package uitest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/settings"
)

// window is the app's window, driven through X: xdotool clicks and types, import takes
// screenshots, tesseract reads them. One test goroutine uses a window.
type window struct {
	t     *testing.T
	app   *proc
	id    string // the X window id
	name  string // short name of the test, in artifact names
	tmp   string // scratch screenshots
	shots int    // artifacts saved so far
	env   []string
}

// openWindow starts the production binary (with args, e.g. a concordia:// link) with a fresh
// HOME and config directory holding st as its settings file, and waits for its window.
func openWindow(t *testing.T, bin, name string, st settings.Settings, args ...string) *window {
	t.Helper()
	home := t.TempDir()
	env := []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"GEMINI_API_KEY=",
	}
	path := filepath.Join(home, ".config", "concordia", settings.FileName)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := settings.NewStore(path).Save(st); err != nil {
		t.Fatalf("write settings: %v", err)
	}
	app := startProc(t, "concordia (window)", env, bin, args...)
	w := &window{t: t, app: app, name: name, tmp: t.TempDir(), env: env}
	pid := strconv.Itoa(app.cmd.Process.Pid)
	retried := false
	deadline := time.Now().Add(screenTimeout)
	for {
		// --pid: only our process's window, never a leftover one.
		out, _ := run(t, "xdotool", "search", "--onlyvisible", "--pid", pid, "--name", "^Concordia$")
		if f := strings.Fields(out); len(f) > 0 {
			w.id = f[0]
			break
		}
		if app.exited() {
			if !retried && strings.Contains(app.stderr(), "failed to init GTK") {
				// The X server refused a connection for a moment (a CI run's first window,
				// under load): once more, after it answers again.
				retried = true
				if err := waitForDisplay(); err != nil {
					t.Fatal(err)
				}
				first, _, _ := strings.Cut(strings.TrimSpace(app.stderr()), "\n")
				t.Logf("the app could not open the display (%s); starting it again", first)
				app = startProc(t, "concordia (window)", env, bin, args...)
				w.app = app
				pid = strconv.Itoa(app.cmd.Process.Pid)
				continue
			}
			t.Fatalf("the app exited before showing its window (%v)", app.cmd.ProcessState)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no visible window titled Concordia within %v", screenTimeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Without a window manager nobody gives the window the keyboard: take it.
	if _, err := run(t, "xdotool", "windowfocus", "--sync", w.id); err != nil {
		t.Fatalf("focus the window: %v", err)
	}
	return w
}

// quit ends the app as the OS does at log-out (SIGTERM) and checks that it quit cleanly.
func (w *window) quit() {
	w.t.Helper()
	w.app.stop()
	if st := w.app.cmd.ProcessState; !st.Success() {
		w.t.Errorf("the app did not quit cleanly on SIGTERM: %v", st)
	}
}

// run runs a command with a timeout and returns its stdout.
func run(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	// One thread each for tesseract and ImageMagick: faster than fighting over two busy cores.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1", "MAGICK_THREAD_LIMIT=1")
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// must runs a command and fails the test if it fails.
func must(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := run(t, name, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ocrWord is one word read off a screenshot, with its box in window pixels.
type ocrWord struct {
	text       string
	x, y, w, h int
}

// screen is what one screenshot says, line by line.
type screen struct {
	path  string // the screenshot
	lines [][]ocrWord
}

// text is the screen's words, a line of text per line read.
func (s screen) text() string {
	var b strings.Builder
	for _, l := range s.lines {
		for i, w := range l {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w.text)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// find returns the centre of the first run of words spelling phrase (case and surrounding
// punctuation ignored), in window pixels.
func (s screen) find(phrase string) (x, y int, ok bool) {
	want := strings.Fields(normWord(phrase))
	for _, l := range s.lines {
	start:
		for i := 0; i+len(want) <= len(l); i++ {
			for j, w := range want {
				if normWord(l[i+j].text) != w {
					continue start
				}
			}
			first, last := l[i], l[i+len(want)-1]
			top, bottom := first.y, first.y+first.h
			for _, w := range l[i : i+len(want)] {
				top, bottom = min(top, w.y), max(bottom, w.y+w.h)
			}
			return (first.x + last.x + last.w) / 2, (top + bottom) / 2, true
		}
	}
	return 0, 0, false
}

var punct = regexp.MustCompile(`^[^\pL\pN]+|[^\pL\pN]+$`)

func normWord(s string) string {
	f := strings.Fields(strings.ToLower(s))
	for i := range f {
		f[i] = punct.ReplaceAllString(f[i], "")
	}
	return strings.Join(f, " ")
}

// ocrScales are the enlargements tesseract reads a screenshot at, in turn, until one reads
// what is looked for: the window's 13–14 px text reads far better enlarged, and small grey
// text on a dimmed backdrop sometimes needs the larger one.
var ocrScales = []int{2, 3}

// snap takes a screenshot of the window and returns its path.
func (w *window) snap() string {
	w.t.Helper()
	// Uncompressed formats all the way: PNG's compression cost a second per read here.
	shot := filepath.Join(w.tmp, "shot.ppm")
	if _, err := run(w.t, "import", "-window", w.id, "-depth", "8", shot); err != nil {
		if w.app.exited() {
			w.t.Fatalf("the app exited (%v)", w.app.cmd.ProcessState)
		}
		w.t.Fatalf("screenshot: %v", err)
	}
	return shot
}

// read reads a screenshot enlarged scale times.
func (w *window) read(shot string, scale int) screen {
	w.t.Helper()
	big := filepath.Join(w.tmp, "big.pgm")
	must(w.t, "convert", shot, "-colorspace", "Gray", "-resize", strconv.Itoa(scale*100)+"%", "-depth", "8", big)
	tsv := must(w.t, "tesseract", big, "stdout", "tsv")
	return screen{path: shot, lines: parseTSV(tsv, scale)}
}

// parseTSV reads tesseract's TSV output (level page block par line word left top width
// height conf text) into lines of words, scaled back to window pixels.
func parseTSV(tsv string, scale int) [][]ocrWord {
	type key struct{ block, par, line string }
	var order []key
	lines := map[key][]ocrWord{}
	for _, row := range strings.Split(tsv, "\n") {
		f := strings.Split(row, "\t")
		if len(f) < 12 || f[0] != "5" || strings.TrimSpace(f[11]) == "" {
			continue
		}
		var n [4]int
		for i := range n {
			n[i], _ = strconv.Atoi(f[6+i])
		}
		k := key{f[2], f[3], f[4]}
		if _, seen := lines[k]; !seen {
			order = append(order, k)
		}
		lines[k] = append(lines[k], ocrWord{
			text: f[11],
			x:    n[0] / scale, y: n[1] / scale, w: n[2] / scale, h: n[3] / scale,
		})
	}
	out := make([][]ocrWord, 0, len(order))
	for _, k := range order {
		out = append(out, lines[k])
	}
	return out
}

// look takes screenshots until ok accepts what a reading of one says, and returns that
// reading, how long it took and how many readings were made. A new picture is read at the
// fastest scale first; the same picture again is read at the next scale, and once read at
// every scale it is not read again (only a change can make it pass). what names the wait
// in a failure.
func (w *window) look(what string, ok func(screen) bool) (screen, time.Duration, int) {
	w.t.Helper()
	start := time.Now()
	deadline := start.Add(screenTimeout)
	var (
		s     screen
		last  []byte // the previous screenshot
		next  int    // the index in ocrScales to read an unchanged picture at
		reads int
	)
	for {
		shot := w.snap()
		pix, err := os.ReadFile(shot)
		if err != nil {
			w.t.Fatal(err)
		}
		if !bytes.Equal(pix, last) {
			next = 0
		}
		last = pix
		if next < len(ocrScales) {
			s = w.read(shot, ocrScales[next])
			next++
			reads++
			if ok(s) {
				return s, time.Since(start), reads
			}
		}
		if w.app.exited() {
			w.t.Fatalf("the app exited (%v) while waiting for %s", w.app.cmd.ProcessState, what)
		}
		if time.Now().After(deadline) {
			path := w.save(s, "timeout")
			w.t.Fatalf("the window did not show %s within %v; it showed (%s):\n%s", what, screenTimeout, path, s.text())
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// save keeps the last screenshot as an artifact: test-artifacts/window-NAME-NN-LABEL.png.
func (w *window) save(s screen, label string) string {
	w.t.Helper()
	w.shots++
	dst := filepath.Join(artifactsDir(w.t), fmt.Sprintf("window-%s-%02d-%s.png", w.name, w.shots, label))
	must(w.t, "convert", s.path, dst)
	return dst
}

// waitFor reads the window until its text matches re (case ignored: OCR gets it wrong at
// times), keeps that screenshot as an artifact named label, and returns it.
func (w *window) waitFor(label, re string) screen {
	w.t.Helper()
	rx := regexp.MustCompile("(?i)" + re)
	s, took, reads := w.look(fmt.Sprintf("%q", re), func(s screen) bool { return rx.MatchString(s.text()) })
	path := w.save(s, label)
	w.t.Logf("the window shows %q after %.1fs (%d readings): %s", re, took.Seconds(), reads, filepath.Base(path))
	return s
}

// click clicks the centre of phrase where the window shows it, waiting until it does.
func (w *window) click(phrase string) {
	w.t.Helper()
	var x, y int
	_, _, _ = w.look(fmt.Sprintf("%q to click", phrase), func(s screen) bool {
		var ok bool
		x, y, ok = s.find(phrase)
		return ok
	})
	must(w.t, "xdotool", "mousemove", "--window", w.id, strconv.Itoa(x), strconv.Itoa(y), "click", "1")
}

// key presses keys (xdotool names: Return, ctrl+v) in the focused window.
func (w *window) key(keys ...string) {
	w.t.Helper()
	must(w.t, "xdotool", append([]string{"key", "--clearmodifiers", "--delay", "60"}, keys...)...)
}

// typeText types text into the focused field.
func (w *window) typeText(text string) {
	w.t.Helper()
	must(w.t, "xdotool", "type", "--clearmodifiers", "--delay", "40", "--", text)
}

// seedClipboard makes text the X clipboard's content, as copying it elsewhere would. xclip
// serves it until someone else owns the clipboard or the test ends.
//
// An xclip that exits at once is started again (up to three times): once in a CI run it
// could not open the display ("Can't open display: :99") while the X server was busy, and
// the test then waited a minute for a clipboard nobody served.
func seedClipboard(t *testing.T, text string) {
	t.Helper()
	for try := 1; ; try++ {
		p := startProc(t, "xclip", nil, "xclip", "-quiet", "-selection", "clipboard", "-i")
		if _, err := p.in.Write([]byte(text)); err != nil && try == 3 {
			t.Fatalf("write to xclip: %v", err)
		}
		_ = p.in.Close()
		select {
		case <-p.done:
			if try < 3 {
				t.Logf("xclip exited at once (%v); starting it again", p.cmd.ProcessState)
				time.Sleep(500 * time.Millisecond)
				continue
			}
		case <-time.After(time.Second): // still serving the clipboard
		}
		break
	}
	waitClipboard(t, "^"+regexp.QuoteMeta(text)+"$")
}

// waitClipboard waits until the X clipboard holds text matching re and returns it.
func waitClipboard(t *testing.T, re string) string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(lineTimeout)
	for {
		out, err := run(t, "xclip", "-o", "-selection", "clipboard")
		if err == nil && rx.MatchString(out) {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("the clipboard did not come to match %q within %v; it holds %q (%v)", re, lineTimeout, out, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
