package merge

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// The window knows that Google refused the host's Gemini key by the words the party's error
// event begins with (frontend/src/state/party.ts KEY_REFUSED): changed in Go alone, the
// window would no longer offer to replace the key.
func TestTheWindowKnowsTheKeyWasRefused(t *testing.T) {
	b, err := os.ReadFile("../../frontend/src/state/party.ts")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(noticeKeyRefused, KeyRefusedPrefix) {
		t.Errorf("noticeKeyRefused %q does not begin with KeyRefusedPrefix %q", noticeKeyRefused, KeyRefusedPrefix)
	}
	// In either quotes, as TypeScript takes them.
	single, double := "const KEY_REFUSED = '"+KeyRefusedPrefix+"';", "const KEY_REFUSED = "+strconv.Quote(KeyRefusedPrefix)+";"
	if !strings.Contains(string(b), single) && !strings.Contains(string(b), double) {
		t.Errorf("frontend/src/state/party.ts lacks %s", double)
	}
}
