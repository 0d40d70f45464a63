package merge

import (
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The window knows that Google refused the host's Gemini key by the words the party's error
// event begins with (frontend/src/state/shown-words.ts KEY_REFUSED, which party.ts uses):
// changed in Go alone, the window would no longer offer to replace the key. Its owner's
// view adds where it replaces the key after the event's end (KEY_HINT_ENDS, as
// WithKeyHint does): changed in Go alone, the owner would no longer be told.
func TestTheWindowKnowsTheKeyWasRefused(t *testing.T) {
	b, err := os.ReadFile("../../frontend/src/state/shown-words.ts")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(noticeKeyRefused, KeyRefusedPrefix) {
		t.Errorf("noticeKeyRefused %q does not begin with KeyRefusedPrefix %q", noticeKeyRefused, KeyRefusedPrefix)
	}
	// And that Google refused only this use of it: the window must not ask to replace it.
	if !strings.HasPrefix(noticeKeyDenied, KeyDeniedPrefix) || strings.HasPrefix(noticeKeyRefused, KeyDeniedPrefix) {
		t.Errorf("noticeKeyDenied %q does not begin with KeyDeniedPrefix %q, or noticeKeyRefused %q does", noticeKeyDenied, KeyDeniedPrefix, noticeKeyRefused)
	}
	for name, prefix := range map[string]string{"KEY_REFUSED": KeyRefusedPrefix, "KEY_DENIED": KeyDeniedPrefix} {
		// In either quotes, as TypeScript takes them.
		single, double := "const "+name+" = '"+prefix+"';", "const "+name+" = "+strconv.Quote(prefix)+";"
		if !strings.Contains(string(b), single) && !strings.Contains(string(b), double) {
			t.Errorf("frontend/src/state/shown-words.ts lacks %s", double)
		}
	}
	if !strings.HasSuffix(noticeKeyRefused, keyRefusedEnd) || !strings.HasSuffix(noticeKeyDenied, keyDeniedEnd) {
		t.Errorf("the notices %q and %q do not end as WithKeyHint expects", noticeKeyRefused, noticeKeyDenied)
	}
	ends := "const KEY_HINT_ENDS = ['" + keyRefusedEnd + "', '" + keyDeniedEndBefore + "'];"
	if !strings.Contains(string(b), ends) {
		t.Errorf("frontend/src/state/shown-words.ts lacks %s", ends)
	}
	if end := "const KEY_DENIED_END = '" + keyDeniedEnd + "';"; !strings.Contains(string(b), end) {
		t.Errorf("frontend/src/state/shown-words.ts lacks %s", end)
	}
	// The owner's window adds Google's advice for the reason a refusal for this use names,
	// as WithKeyHint does for the host's terminal: changed in Go alone, the owner would
	// read other advice than the terminal, or none. Every reason Go knows (denials), and no
	// other.
	for _, reason := range slices.Sorted(maps.Keys(denials)) {
		if !knownDenial(reason) || denialAdvice(reason) == "" {
			t.Errorf("%s: not a denial with advice here", reason)
			continue
		}
		if line := "  " + reason + ": " + strconv.Quote(denialAdvice(reason)) + ",\n"; !strings.Contains(string(b), line) {
			t.Errorf("frontend/src/state/shown-words.ts's DENIAL_ADVICE lacks %s", line)
		}
	}
	_, table, _ := strings.Cut(string(b), "const DENIAL_ADVICE: Record<string, string> = {\n")
	table, _, _ = strings.Cut(table, "\n};")
	if n := len(strings.Split(table, "\n")); table == "" || n != len(denials) {
		t.Errorf("frontend/src/state/shown-words.ts's DENIAL_ADVICE has %d lines, want one for each of the %d reasons here", n, len(denials))
	}
}
