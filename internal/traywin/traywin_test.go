package traywin

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTrayGone(t *testing.T) {
	tests := []struct {
		name     string
		steps    func(w *Window)
		wantShow bool
	}{
		{"never hidden", func(*Window) {}, false},
		{"hidden in the tray", func(w *Window) { w.Hide() }, true},
		{"hidden, then shown from the tray", func(w *Window) { w.Hide(); w.Shown() }, false},
		{"hidden again after being shown", func(w *Window) { w.Hide(); w.Shown(); w.Hide() }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w Window
			tt.steps(&w)
			if got := w.TrayGone(); got != tt.wantShow {
				t.Fatalf("TrayGone = %v, want %v", got, tt.wantShow)
			}
			if w.Hidden() {
				t.Fatal("the window still counts as hidden after the tray went away")
			}
			if w.TrayGone() {
				t.Fatal("a second report of the tray going away showed the window again")
			}
		})
	}
}

// The first hide of a run tells the person the party goes on; later ones do not repeat it.
func TestHideTellsOnce(t *testing.T) {
	var w Window
	if !w.Hide() {
		t.Fatal("the first hide in a run was not to be told")
	}
	w.Shown()
	if w.Hide() {
		t.Fatal("the second hide was to be told again")
	}
	w.TrayGone()
	if w.Hide() {
		t.Fatal("a hide after the tray came back was to be told again")
	}
}

// The notice says the party goes on, how to bring the window back and how to end it, in
// the tray menu's own words, short enough for a notification (app.maxNotifyBody is 240).
func TestHiddenNotice(t *testing.T) {
	for _, want := range []string{"still running", "Show window", "End party…", "tray"} {
		if !strings.Contains(HiddenTitle+" "+HiddenBody, want) {
			t.Errorf("the notice does not say %q: %s / %s", want, HiddenTitle, HiddenBody)
		}
	}
	if n := utf8.RuneCountInString(HiddenBody); n > 240 {
		t.Errorf("the notice's body is %d characters long", n)
	}
	if n := utf8.RuneCountInString(HiddenTitle); n > 80 {
		t.Errorf("the notice's title is %d characters long", n)
	}
}
