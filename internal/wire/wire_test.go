package wire

import "testing"

// TestRemovedWith reads whose prompts a removal's notice says go with them.
func TestRemovedWith(t *testing.T) {
	for text, want := range map[string]string{
		"hana removed carol from the party (carol's waiting prompt is withdrawn)":                       "carol",
		"hana removed bob smith from the party: spam (x) (bob smith's 2 waiting prompts are withdrawn)": "bob smith",
		"hana removed carol from the party":                                                             "",
		"alice edited and sent bob's prompt":                                                            "",
		"carol's waiting prompt is withdrawn":                                                           "",
	} {
		if got := RemovedWith(text); got != want {
			t.Errorf("RemovedWith(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestAsText(t *testing.T) {
	for in, want := range map[string]string{"/clear": " /clear", "fix /etc/hosts": "fix /etc/hosts", " /x": " /x", "": ""} {
		if got := AsText(in); got != want {
			t.Errorf("AsText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRemovedBy: who removed a member is the host's name as the refusal gave it, else "a
// host" (each edge that starts a sentence with it gives it its capital).
func TestRemovedBy(t *testing.T) {
	if got := RemovedBy("alice"); got != "alice" {
		t.Errorf("RemovedBy(alice) = %q", got)
	}
	if got := RemovedBy(""); got != "a host" {
		t.Errorf(`RemovedBy("") = %q`, got)
	}
}
