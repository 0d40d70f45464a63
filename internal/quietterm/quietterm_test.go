package quietterm

import "testing"

func TestDarkBackground(t *testing.T) {
	for in, want := range map[string]bool{
		"": true, "15;0": true, "0;15": false, "0;7": false, "7;8": true, "12;default;9": false,
		"0;x": true, "garbage": true, "15;4": true,
	} {
		if got := DarkBackground(in); got != want {
			t.Errorf("DarkBackground(%q) = %v, want %v", in, got, want)
		}
	}
}
