package traywin

import "testing"

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
