package app

import "testing"

func TestFitWindow(t *testing.T) {
	tests := []struct {
		name               string
		sw, sh, w, h, x, y int
		nw, nh, nx, ny     int
		ok                 bool
	}{
		{name: "room to spare", sw: 1920, sh: 1080, w: 1180, h: 800, x: 370, y: 140},
		{name: "the default size on a laptop", sw: 1280, sh: 800, w: 1180, h: 720, x: 50, y: 40},
		// A 1280×800 laptop: 800 pixels of content and a title bar do not fit.
		{name: "laptop", sw: 1280, sh: 800, w: 1180, h: 800, x: 50, y: 0, nw: 1180, nh: 736, nx: 50, ny: 0, ok: true},
		{name: "small screen", sw: 800, sh: 600, w: 1180, h: 800, x: -190, y: -100, nw: 800, nh: 536, nx: 0, ny: 0, ok: true},
		{name: "never under the minimum", sw: 600, sh: 400, w: 1180, h: 800, nw: 640, nh: 480, ok: true},
		{name: "fits but placed off the screen", sw: 1920, sh: 1080, w: 1180, h: 800, x: 1000, y: 0, nw: 1180, nh: 800, nx: 370, ny: 108, ok: true},
		{name: "no screen size", sw: 0, sh: 0, w: 1180, h: 800},
	}
	for _, tc := range tests {
		nw, nh, nx, ny, ok := fitWindow(tc.sw, tc.sh, tc.w, tc.h, tc.x, tc.y)
		if ok != tc.ok || (ok && (nw != tc.nw || nh != tc.nh || nx != tc.nx || ny != tc.ny)) {
			t.Errorf("%s: fitWindow = %d×%d at %d,%d (%v), want %d×%d at %d,%d (%v)", tc.name, nw, nh, nx, ny, ok, tc.nw, tc.nh, tc.nx, tc.ny, tc.ok)
		}
	}
}
