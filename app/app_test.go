package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/membership"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/secrets/secretstest"
	"github.com/concordia-party/concordia/internal/session"
	"github.com/concordia-party/concordia/internal/settings"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/traywin"
	"github.com/concordia-party/concordia/internal/wire"
)

// fakeShell stands in for the Wails runtime.
type fakeShell struct {
	mu         sync.Mutex
	emits      []emitted
	clipboard  string
	clipErr    error
	picked     string
	pickedFile string
	pickStart  string
	savePath   string // what the save dialog answers ("" = cancelled)
	saveDir    string
	saveName   string
	answer     bool
	asked      int
	question   [2]string // the last Ask's title and message
	shown      int
	hidden     int
	quits      int
}

type emitted struct {
	name string
	data any
}

func (f *fakeShell) Emit(name string, data any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.emits = append(f.emits, emitted{name, data})
}

func (f *fakeShell) events(name string) []any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []any
	for _, e := range f.emits {
		if e.name == name {
			out = append(out, e.data)
		}
	}
	return out
}

func (f *fakeShell) ClipboardText() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clipboard, f.clipErr
}

func (f *fakeShell) SetClipboardText(text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clipboard = text
	return nil
}

func (f *fakeShell) PickDirectory(start, _ string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pickStart = start
	return f.picked, nil
}

func (f *fakeShell) PickFile(start, _ string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pickStart = start
	return f.pickedFile, nil
}

func (f *fakeShell) SaveFile(dir, name, _ string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.saveDir, f.saveName = dir, name
	return f.savePath, nil
}

func (f *fakeShell) Show() { f.mu.Lock(); f.shown++; f.mu.Unlock() }
func (f *fakeShell) Hide() { f.mu.Lock(); f.hidden++; f.mu.Unlock() }
func (f *fakeShell) Quit() { f.mu.Lock(); f.quits++; f.mu.Unlock() }

func (f *fakeShell) Ask(title, message string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked++
	f.question = [2]string{title, message}
	return f.answer, nil
}

// fakeTray records what the App shows in the tray.
type fakeTray struct {
	mu      sync.Mutex
	status  TrayStatus
	starts  int
	updates []session.Snapshot
	h       trayHandlers
}

func (t *fakeTray) Start(h trayHandlers) { t.mu.Lock(); t.starts++; t.h = h; t.mu.Unlock() }
func (t *fakeTray) Status() TrayStatus   { t.mu.Lock(); defer t.mu.Unlock(); return t.status }
func (t *fakeTray) Update(s session.Snapshot) {
	t.mu.Lock()
	t.updates = append(t.updates, s)
	t.mu.Unlock()
}
func (t *fakeTray) Stop() {}

func (t *fakeTray) last() session.Snapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.updates) == 0 {
		return session.Snapshot{}
	}
	return t.updates[len(t.updates)-1]
}

type fixture struct {
	app   *App
	shell *fakeShell
	tray  *fakeTray
	keys  *secretstest.Backend
	// dataDir is the app's data folder.
	dataDir string
	// configDir is the config directory of the app's key store.
	configDir string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	keys := &secretstest.Backend{}
	tr := &fakeTray{status: TrayStatus{Available: true}}
	a := newApp(config{
		settingsPath: filepath.Join(dir, "concordia", settings.FileName),
		dataDir:      filepath.Join(dir, "concordia"),
		secrets: secrets.New(secrets.Options{
			Backend: keys, Getenv: func(string) string { return "" }, ConfigDir: filepath.Join(dir, "config"),
		}),
		tray:     tr,
		insecure: true,
	})
	sh := &fakeShell{}
	a.attach(sh)
	t.Cleanup(a.shutdown)
	// Parties in tests listen on loopback only and run the fake Claude Code.
	s := settings.Defaults()
	s.Workdir, s.Listen, s.PublicHost, s.ClaudePath, s.Merger, s.WindowMS = dir, "127.0.0.1:0", "127.0.0.1", testkit.FakeClaude(t), "local", 100
	if _, err := a.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	return &fixture{app: a, shell: sh, tray: tr, keys: keys, dataDir: filepath.Join(dir, "concordia"), configDir: filepath.Join(dir, "config")}
}

func TestFindLink(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"none", nil, ""},
		{"a link", []string{"concordia://h:1/tok"}, "concordia://h:1/tok"},
		{"upper-case scheme, padded", []string{" CONCORDIA://h:1/tok\n"}, "CONCORDIA://h:1/tok"},
		{"after other args", []string{"--flag", "concordia://h:1/tok"}, "concordia://h:1/tok"},
		{"not a link", []string{"https://example.org"}, ""},
		// A broken one is passed on, for the join dialog to say what is wrong with it (a
		// window tester's opened the window and said nothing).
		{"bare scheme", []string{"concordia://"}, "concordia://"},
		{"two lines", []string{"concordia://h:1/tok\nrm -rf"}, "concordia://h:1/tok\nrm -rf"},
		{"a whole one first", []string{"concordia:// x", "concordia://h:1/tok"}, "concordia://h:1/tok"},
		// Too long: passed on cut, for the dialog to say so (a user tester's was dropped unsaid).
		{"too long", []string{"concordia://" + strings.Repeat("a", 8000)}, "concordia://" + strings.Repeat("a", 4085)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := findLink(tt.args); got != tt.want {
				t.Fatalf("findLink(%q) = %q, want %q", tt.args, got, tt.want)
			}
		})
	}
}

func TestCheckInvite(t *testing.T) {
	good := invite.Invite{Host: "10.0.0.2", Port: 8765, Token: strings.Repeat("A", 43)}.String()
	tests := []struct {
		name string
		text string
		want string // "" = valid; else part of the sentence
	}{
		{"valid", good, ""},
		{"valid with spaces", "  " + good + "\n", ""},
		{"empty", "", "Invalid invite: empty"},
		{"web address", "https://example.org/x", "looks like a web address"},
		{"missing token", "concordia://10.0.0.2:8765/", "missing token"},
		{"bad port", "concordia://10.0.0.2:99999/" + strings.Repeat("A", 22), "port"},
		// Any token of 128 bits or more is valid (PROTOCOL.md §2); whether it was cut short is
		// said only if the host refuses it (TestJoinPartyErrors).
		{"token of another length", good[:len(good)-10], ""},
		{"fp cut short", good + "?fp=" + strings.Repeat("ab", 10), "fp must be 64 hex characters (SHA-256), got 20 (was the link cut off?)"},
		// A "/" after the link is read past, and a percent-encoded query read as the query
		// (a user tester's chat app wrote %3Ffp%3D); more after the fingerprint is named.
		{"a slash after fp", good + "?fp=" + strings.Repeat("ab", 32) + "/", ""},
		{"percent-encoded query", good + "%3Ffp%3D" + strings.Repeat("ab", 32), ""},
		{"junk after fp", good + "?fp=" + strings.Repeat("ab", 32) + "/x", `fp has "/x" after its 64 hex characters; remove it`},
	}
	f := newFixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.app.CheckInvite(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Fatalf("CheckInvite = %q, want %q", got, tt.want)
			}
		})
	}
	// What a valid link may still have wrong is said before connecting (a window tester's
	// cut link was shown "Valid").
	for text, want := range map[string]string{
		good:                   "",
		good[:len(good)-18]:    "The link looks cut short: its token has 25 characters, but a Concordia invite's has 43; copy the whole link again.",
		good + "AAAA":          "The link looks longer than an invite: its token has 47 characters",
		"not a link":           "",
		good + "?fp=" + "abcd": "", // invalid: CheckInvite says it
	} {
		if got := f.app.InviteWarning(text); (want == "") != (got == "") || !strings.HasPrefix(got, want) {
			t.Errorf("InviteWarning(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestClipboardInvite(t *testing.T) {
	tests := []struct {
		name, clip string
		err        error
		want       string
	}{
		{"a valid link", "concordia://h:1/" + strings.Repeat("a", 22), nil, "concordia://h:1/" + strings.Repeat("a", 22)},
		{"a broken link is offered too", " concordia://nonsense ", nil, "concordia://nonsense"},
		{"other text", "hello", nil, ""},
		{"a chat message with a link", "Join my party: concordia://h:1/" + strings.Repeat("a", 22) + " thanks!", nil, "concordia://h:1/" + strings.Repeat("a", 22)},
		{"a link a terminal wrapped", "concordia://h:1/" + strings.Repeat("a", 12) + "\n" + strings.Repeat("a", 10), nil, "concordia://h:1/" + strings.Repeat("a", 22)},
		{"a message with a broken link", " join concordia://nonsense ", nil, "join concordia://nonsense"},
		{"a message with a fingerprint cut short", "Join us! concordia://192.0.2.2:8891/" + strings.Repeat("a", 43) + "?fp=" + strings.Repeat("0", 44), nil,
			"Join us! concordia://192.0.2.2:8891/" + strings.Repeat("a", 43) + "?fp=" + strings.Repeat("0", 44)},
		{"a message too long to be read", strings.Repeat("x", 16<<10) + " concordia://nonsense", nil, ""},
		{"empty", "", nil, ""},
		{"unreadable clipboard", "", errors.New("no clipboard"), ""},
	}
	f := newFixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.shell.mu.Lock()
			f.shell.clipboard, f.shell.clipErr = tt.clip, tt.err
			f.shell.mu.Unlock()
			got, err := f.app.ClipboardInvite()
			if err != nil || got != tt.want {
				t.Fatalf("ClipboardInvite = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestBootAndLinks(t *testing.T) {
	f := newFixture(t)
	// A link the app was started with, and one from a second instance before Boot: the
	// latest wins, and Boot hands it over once.
	f.app.link = findLink([]string{"concordia://first:1/" + strings.Repeat("a", 22)})
	f.app.secondInstance([]string{"concordia://second:1/" + strings.Repeat("a", 22)})
	info, err := f.app.Boot()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(info.Link, "concordia://second:1/") {
		t.Fatalf("Boot link = %q", info.Link)
	}
	if info.Version == "" || info.Settings.Listen != "127.0.0.1:0" || !info.Tray.Available || info.Key.Source != "none" || !info.Key.KeyringAvailable {
		t.Fatalf("BootInfo = %+v", info)
	}
	if f.tray.starts != 1 {
		t.Fatalf("tray started %d times", f.tray.starts)
	}
	if again, _ := f.app.Boot(); again.Link != "" {
		t.Fatalf("second Boot link = %q, want it handed over once", again.Link)
	}
	// After Boot, links go to the window as app:link, and the window comes forward.
	shownBefore := f.shell.shown
	f.app.secondInstance([]string{"concordia://third:1/" + strings.Repeat("a", 22)})
	if got := f.shell.events(EventLink); len(got) != 1 || !strings.HasPrefix(got[0].(string), "concordia://third:1/") {
		t.Fatalf("app:link events = %v", got)
	}
	if f.shell.shown <= shownBefore {
		t.Fatal("a second launch did not bring the window forward")
	}
	// A second launch without a link only shows the window.
	f.app.secondInstance(nil)
	if got := f.shell.events(EventLink); len(got) != 1 {
		t.Fatalf("app:link without a link: %v", got)
	}
}

func TestSettingsBindings(t *testing.T) {
	f := newFixture(t)
	s, err := f.app.GetSettings()
	if err != nil {
		t.Fatal(err)
	}
	s.Name = " quinn "
	saved, err := f.app.SaveSettings(s)
	if err != nil || saved.Name != "quinn" {
		t.Fatalf("SaveSettings = %+v, %v", saved, err)
	}
	if got, _ := f.app.GetSettings(); got != saved {
		t.Fatalf("GetSettings = %+v, want %+v", got, saved)
	}
	bad := saved
	bad.WindowMS, bad.Merger = 0, "x"
	_, err = f.app.SaveSettings(bad)
	if err == nil || !strings.Contains(err.Error(), "batching window") || !strings.Contains(err.Error(), "merger") {
		t.Fatalf("SaveSettings(bad) = %v, want both problems", err)
	}
}

func TestKeyBindings(t *testing.T) {
	// Google is a stand-in that accepts any key: SetKey asks it first.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"name":"models/gemini-flash-latest"}`)
	}))
	defer srv.Close()
	t.Setenv(merge.BaseURLEnv, srv.URL)
	f := newFixture(t)
	st, err := f.app.SetKey("  AIza-test-key-0123456789  ")
	if err != nil || st.Source != "keyring" || st.Unchecked || st.Note != "" {
		t.Fatalf("SetKey = %+v, %v", st, err)
	}
	if v, _ := f.keys.Lookup(secrets.Service, secrets.Account); v != "AIza-test-key-0123456789" {
		t.Fatalf("keyring holds %q", v)
	}
	if _, err := f.app.SetKey(" "); err == nil || err.Error() != "The key is empty." {
		t.Fatalf("SetKey(blank) = %v", err)
	}
	st, err = f.app.DeleteKey()
	if err != nil || st.Source != "none" {
		t.Fatalf("DeleteKey = %+v, %v", st, err)
	}
	f.keys.Fail(errors.New("the Secret Service is locked"))
	st, _ = f.app.KeyStatus()
	if st.KeyringAvailable || !strings.Contains(st.KeyringError, "locked") {
		t.Fatalf("KeyStatus with a failing keyring = %+v", st)
	}
	_, err = f.app.SetKey("AIza-x-0123456789-abcdef")
	if err == nil || !strings.HasPrefix(err.Error(), "The OS keyring cannot be used: ") || strings.Contains(err.Error(), "AIza-x") {
		t.Fatalf("SetKey with a failing keyring = %v", err)
	}
}

// TestSetKeyAsksGoogle: SetKey checks the key with Google (an httptest stand-in) before
// storing it. A refused key is not stored and the person is told so (a window tester's
// "abc" was stored, and Settings and Home showed it green); when Google cannot be asked
// the key is stored, but its status says it is unchecked, until a check finds it works.
func TestSetKeyAsksGoogle(t *testing.T) {
	const good = "AIza-good-key-0123456789"
	mode, asked, url := fakeGoogle(t, good)
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()

	cases := []struct {
		name, key, mode, base string
		wantErr               string // "" = stored
		wantStored            string
		wantUnchecked         bool
		wantNote              string
		wantNoteRefused       bool
		wantAsked             int32
	}{
		{name: "refused", key: "AIza-typo-0123456789-abc", mode: "ok", wantAsked: 1,
			wantErr: "Google refused the API key (400 INVALID_ARGUMENT), so it was not saved. Google said: “API key not valid. Please pass a valid API key.” Copy the key again, whole, from Google AI Studio's API keys page (https://aistudio.google.com/apikey), or make a new one there, then paste it here."},
		// A 403 without a reason known to be Google's side: a key to replace, not stored,
		// in Google's words (a reviewer's: it was stored, "the key itself need not change"),
		// and a new one asked for: it was told to paste it again, which cannot help.
		{name: "reported as leaked", key: good, mode: "leaked", wantAsked: 1,
			wantErr: "Google refused the API key (403 PERMISSION_DENIED), so it was not saved. Google said: “" + testkit.GeminiKeyLeaked + "” A key reported as leaked is never taken again, so pasting it again cannot help: make a new one on Google AI Studio's API keys page (https://aistudio.google.com/apikey), then paste it here."},
		{name: "not a key", key: "abc", mode: "ok",
			wantErr: "That is too short to be a Gemini API key (they are about 40 characters); copy it again, whole."},
		{name: "Google down", key: good, mode: "down", wantStored: good, wantUnchecked: true, wantAsked: 1,
			wantNote: "Saved, but not checked: Google could not be reached (unavailable (503)). It shows as not checked until Check, or a party's merge, finds that it works."},
		{name: "Google unreachable", key: good, mode: "ok", base: goneURL, wantStored: good, wantUnchecked: true,
			wantNote: "Saved, but not checked: Google could not be reached (unreachable (connection refused))."},
		{name: "accepted", key: good, mode: "ok", wantStored: good, wantAsked: 1},
		// A whole, valid key whose project has not enabled the API: stored (the fix is on
		// Google's side), refused in Google's words, and not "paste it again".
		{name: "API not enabled in the key's project", key: good, mode: "disabled", wantStored: good, wantUnchecked: true, wantAsked: 1, wantNoteRefused: true,
			wantNote: "Saved, but Google refused this use of the API key (403 PERMISSION_DENIED, SERVICE_DISABLED), so prompts are merged locally. Google said: “" + testkit.GeminiServiceDisabled + "” The key itself need not change: enable the Generative Language API in the key's Google Cloud project (Google Cloud Console, APIs & Services), wait a few minutes, then check again."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.base != "" {
				t.Setenv(merge.BaseURLEnv, c.base)
			}
			f := newFixture(t)
			mode.Store(c.mode)
			asked.Store(0)
			st, err := f.app.SetKey(c.key)
			switch {
			case c.wantErr != "" && (err == nil || err.Error() != c.wantErr):
				t.Fatalf("SetKey = %+v, %v; want %q", st, err, c.wantErr)
			case c.wantErr == "" && err != nil:
				t.Fatalf("SetKey: %v", err)
			}
			if v, _ := f.keys.Lookup(secrets.Service, secrets.Account); v != c.wantStored {
				t.Errorf("keyring holds %q, want %q", v, c.wantStored)
			}
			if st.Unchecked != c.wantUnchecked || !strings.HasPrefix(st.Note, c.wantNote) || (c.wantNote == "" && st.Note != "") || st.NoteRefused != c.wantNoteRefused {
				t.Errorf("status %+v, want unchecked %v, note %q (refused %v)", st, c.wantUnchecked, c.wantNote, c.wantNoteRefused)
			}
			if c.base == "" && asked.Load() != c.wantAsked {
				t.Errorf("Google asked %d times, want %d", asked.Load(), c.wantAsked)
			}
			// What Home shows at the next start says the same.
			boot, _ := f.app.Boot()
			if boot.Key.Unchecked != c.wantUnchecked {
				t.Errorf("Boot's key status %+v, want unchecked %v", boot.Key, c.wantUnchecked)
			}
			if !c.wantUnchecked {
				return
			}
			// Google is back and accepts it: a check says so, and the status stops saying unchecked.
			t.Setenv(merge.BaseURLEnv, url)
			mode.Store("ok")
			if got, err := f.app.CheckKey(); err != nil || got.Result != "accepted" {
				t.Fatalf("CheckKey = %+v, %v", got, err)
			}
			if st, _ := f.app.KeyStatus(); st.Unchecked {
				t.Errorf("after an accepting check the status is %+v", st)
			}
		})
	}
}

// TestCheckKeyBinding: CheckKey asks Google (an httptest stand-in) about the stored key and
// says what it answered in a sentence with the way on; with no key it rejects.
func TestCheckKeyBinding(t *testing.T) {
	const good = "AIza-good-key-0123456789"
	mode, _, _ := fakeGoogle(t, good)
	f := newFixture(t)
	if _, err := f.app.CheckKey(); err == nil || err.Error() != "There is no Gemini key to check: paste one first." {
		t.Fatalf("CheckKey without a key = %v", err)
	}
	cases := []struct{ key, mode, result, text string }{
		{good, "ok", "accepted", "Google accepted this key."},
		{"AIza-typo-0123456789-abc", "ok", "refused", "Google refused the API key (400 INVALID_ARGUMENT), so prompts are merged locally. Google said: “API key not valid. Please pass a valid API key.” Copy the key again, whole, from Google AI Studio's API keys page (https://aistudio.google.com/apikey), or make a new one there, then paste it here."},
		{good, "leaked", "refused", "Google refused the API key (403 PERMISSION_DENIED), so prompts are merged locally. Google said: “" + testkit.GeminiKeyLeaked + "” A key reported as leaked is never taken again, so pasting it again cannot help: make a new one on Google AI Studio's API keys page (https://aistudio.google.com/apikey), then paste it here."},
		{good, "down", "unavailable", "Could not check the key with Google: unavailable (503). The key is kept; check again later."},
		{good, "disabled", "refused", "Google refused this use of the API key (403 PERMISSION_DENIED, SERVICE_DISABLED), so prompts are merged locally. Google said: “" + testkit.GeminiServiceDisabled + "” The key itself need not change: enable the Generative Language API in the key's Google Cloud project (Google Cloud Console, APIs & Services), wait a few minutes, then check again."},
	}
	for _, c := range cases {
		// Stored as it is (SetKey would not store a refused key): this is about CheckKey.
		if err := f.keys.Set(secrets.Service, secrets.Account, c.key); err != nil {
			t.Fatal(err)
		}
		mode.Store(c.mode)
		got, err := f.app.CheckKey()
		if err != nil || got.Result != c.result || got.Text != c.text {
			t.Errorf("key %q, Google %s: %+v, %v\nwant %s: %s", c.key, c.mode, got, err, c.result, c.text)
		}
		// Only a refusal of this use is marked so: the window then says the key may stay.
		if got.Denied != (c.mode == "disabled") {
			t.Errorf("key %q, Google %s: denied %v", c.key, c.mode, got.Denied)
		}
	}
}

func TestPickDirectory(t *testing.T) {
	f := newFixture(t)
	f.shell.picked = "/chosen"
	dir := t.TempDir()
	if got, err := f.app.PickDirectory(dir); err != nil || got != "/chosen" || f.shell.pickStart != dir {
		t.Fatalf("PickDirectory = %q, %v (start %q)", got, err, f.shell.pickStart)
	}
	home, _ := os.UserHomeDir()
	if _, err := f.app.PickDirectory(filepath.Join(dir, "gone")); err != nil || f.shell.pickStart != home {
		t.Fatalf("a missing start folder opened at %q, want home %q", f.shell.pickStart, home)
	}
}

// TestForgetPartyBinding: Forget on a recent party deletes its journal (a window tester's
// list filled with identical ended cards, and none could go); a running party is refused
// with a sentence, and kept.
func TestForgetPartyBinding(t *testing.T) {
	f := newFixture(t)
	info, err := f.app.CreateParty(CreateRequest{Name: "hana", WindowMS: 100, MinPrompts: 1, Merger: "local"})
	if err != nil {
		t.Fatalf("CreateParty: %v", err)
	}
	id := info.Party.ID
	if err := f.app.ForgetParty(id); err == nil || err.Error() != "This party is running, in this window or another Concordia: end it first, then forget it." {
		t.Fatalf("ForgetParty of the running party = %v", err)
	}
	if err := f.app.EndParty(); err != nil {
		t.Fatalf("EndParty: %v", err)
	}
	if list, _ := f.app.RecentParties(); len(list) != 1 || list[0].ID != id {
		t.Fatalf("recent parties before Forget = %+v", list)
	}
	if err := f.app.ForgetParty(" " + id + " "); err != nil {
		t.Fatalf("ForgetParty: %v", err)
	}
	if list, _ := f.app.RecentParties(); len(list) != 0 {
		t.Fatalf("recent parties after Forget = %+v", list)
	}
	if err := f.app.ForgetParty(id); err == nil || err.Error() != "This party is no longer in the data directory." {
		t.Fatalf("ForgetParty again = %v", err)
	}
}

func TestHostingThroughTheBindings(t *testing.T) {
	f := newFixture(t)
	if err := f.app.CopyInvite(); err == nil || err.Error() != "You are not in a party." {
		t.Fatalf("CopyInvite without a party = %v", err)
	}
	info, err := f.app.CreateParty(CreateRequest{Name: "hana", WindowMS: 100, MinPrompts: 1, Merger: "local"})
	if err != nil {
		t.Fatalf("CreateParty: %v", err)
	}
	if info.Role != wire.RoleHost || info.You.Name != "hana" {
		t.Fatalf("session = %+v", info)
	}
	if snap := f.tray.last(); snap.Role != wire.RoleHost || snap.Participants != 1 {
		t.Fatalf("tray shows %+v", snap)
	}
	if _, err := f.app.CreateParty(CreateRequest{Name: "again"}); err == nil || err.Error() != "You are already in a party. Leave it first." {
		t.Fatalf("second CreateParty = %v", err)
	}
	if err := f.app.CopyInvite(); err != nil || f.shell.clipboard != info.Invite {
		t.Fatalf("CopyInvite = %v; clipboard %q, want %q", err, f.shell.clipboard, info.Invite)
	}
	if _, err := f.app.SendPrompt("  "); err == nil || err.Error() != "The prompt is empty." {
		t.Fatalf("SendPrompt(blank) = %v", err)
	}
	ack, err := f.app.SendPrompt("hello")
	if err != nil || ack.ID == "" {
		t.Fatalf("SendPrompt = %+v, %v", ack, err)
	}
	waitFor(t, "the reply in the window", func() bool {
		var reply strings.Builder // output streams as pieces: the reply is their concatenation
		for _, d := range f.shell.events(session.EventPartyEvent) {
			if ev := d.(wire.Event); ev.Kind == wire.KindOutput {
				reply.WriteString(ev.Text)
			}
		}
		return strings.Contains(reply.String(), "echo: hello")
	})

	// Closing the window while hosting with a tray hides it; the party goes on.
	if !f.app.beforeClose() || f.shell.hidden != 1 {
		t.Fatalf("close while hosting did not hide the window (hidden %d)", f.shell.hidden)
	}
	if _, err := f.app.SendPrompt("still here"); err != nil {
		t.Fatalf("the party stopped when the window closed: %v", err)
	}
	// The tray's End party… does not end it: the window comes forward and asks.
	f.app.startTray()
	shown := f.shell.shown
	f.tray.h.End()
	if got := f.shell.events(EventTrayEndParty); len(got) != 1 || f.shell.shown != shown+1 {
		t.Fatalf("tray End party…: %d %s events, window shown %d times, want 1 and 1", len(got), EventTrayEndParty, f.shell.shown-shown)
	}
	if got := f.shell.events(session.EventPartyEnded); len(got) != 0 {
		t.Fatalf("the tray's End party… ended the party without asking: %v", got)
	}
	if _, err := f.app.SendPrompt("asked, not ended"); err != nil {
		t.Fatalf("the party stopped on the tray's End party…: %v", err)
	}
	// The window's dialog then ends it; the window and the tray are told.
	if err := f.app.EndParty(); err != nil {
		t.Fatalf("EndParty: %v", err)
	}
	if got := f.shell.events(session.EventPartyEnded); len(got) != 1 {
		t.Fatalf("party:ended = %v", got)
	}
	if snap := f.tray.last(); snap.Role != "" {
		t.Fatalf("tray after the end shows %+v", snap)
	}
	if f.app.beforeClose() {
		t.Fatal("closing without a party was prevented")
	}
	if err := f.app.Leave(); err != nil {
		t.Fatalf("Leave without a party = %v, want nil", err)
	}
}

// A window hidden in the tray comes back when the tray goes away: nothing else could show
// it (a user tester killed the panel while hosting and the window stayed hidden). The
// window is still told that the tray is gone, for its banner.
func TestTrayGoneShowsTheHiddenWindow(t *testing.T) {
	f := newFixture(t)
	if _, err := f.app.CreateParty(CreateRequest{Name: "hana"}); err != nil {
		t.Fatal(err)
	}
	f.app.startTray()
	// The tray goes and comes back while the window is on screen: nothing to show.
	f.tray.h.StatusChanged(noTrayHost)
	f.tray.h.StatusChanged(TrayStatus{Available: true})
	if f.shell.shown != 0 {
		t.Fatalf("the tray's coming and going showed a window that was not hidden (%d)", f.shell.shown)
	}
	if !f.app.beforeClose() || f.shell.hidden != 1 {
		t.Fatalf("close while hosting did not hide the window (hidden %d)", f.shell.hidden)
	}
	f.tray.mu.Lock()
	f.tray.status = noTrayHost
	f.tray.mu.Unlock()
	f.tray.h.StatusChanged(noTrayHost)
	if f.shell.shown != 1 {
		t.Fatalf("the tray went away while the window was hidden in it: shown %d times, want 1", f.shell.shown)
	}
	if got := f.shell.events(EventTrayStatus); len(got) != 3 || got[2].(TrayStatus) != noTrayHost {
		t.Fatalf("tray:status events = %v, want the tray gone last", got)
	}
	f.tray.h.StatusChanged(noTrayHost) // told twice: shown once
	if f.shell.shown != 1 {
		t.Fatalf("shown %d times, want 1", f.shell.shown)
	}
	if _, err := f.app.SendPrompt("still here"); err != nil {
		t.Fatalf("the party stopped when the tray went away: %v", err)
	}
	// Without a tray, closing asks again instead of hiding.
	f.shell.answer = false
	if !f.app.beforeClose() || f.shell.asked != 1 || f.shell.hidden != 1 {
		t.Fatalf("close without a tray: asked %d, hidden %d", f.shell.asked, f.shell.hidden)
	}
}

// The first time the window hides in the tray in a run, a notification says the party
// goes on and how to bring the window back or end it (it used to hide silently, and a new
// user could think the party had ended); later hides are silent.
func TestFirstHideTellsThePartyGoesOn(t *testing.T) {
	f := newFixture(t)
	n := &fakeNotifier{}
	f.app.notifier = n
	if _, err := f.app.CreateParty(CreateRequest{Name: "hana"}); err != nil {
		t.Fatal(err)
	}
	notices := func() [][2]string {
		n.mu.Lock()
		defer n.mu.Unlock()
		return append([][2]string(nil), n.got...)
	}
	if !f.app.beforeClose() || f.shell.hidden != 1 {
		t.Fatalf("close while hosting did not hide the window (hidden %d)", f.shell.hidden)
	}
	waitFor(t, "the notice", func() bool { return len(notices()) == 1 })
	if got := notices()[0]; got != [2]string{traywin.HiddenTitle, traywin.HiddenBody} {
		t.Fatalf("notice = %q", got)
	}
	f.app.showWindow()
	if !f.app.beforeClose() || f.shell.hidden != 2 {
		t.Fatalf("the second close did not hide the window (hidden %d)", f.shell.hidden)
	}
	f.app.notices.Wait()
	if got := notices(); len(got) != 1 {
		t.Fatalf("the second hide notified again: %q", got)
	}
}

// The close question says for how many people the party ends, as End party does.
func TestEndQuestion(t *testing.T) {
	tests := []struct {
		name  string
		snap  session.Snapshot
		doing string
		want  string
		draft bool
	}{
		{"alone", session.Snapshot{Participants: 1}, "Closing the window", "with nobody else in it now. Closing the window ends it, and the agent stops.", false},
		{"one other", session.Snapshot{Participants: 2}, "Quitting", "with 1 other person in it. Quitting ends it for both of you: the agent stops and they are disconnected.", false},
		{"five others and a draft", session.Snapshot{Participants: 6, Draft: true}, "Closing the window", "with 5 other people in it. Closing the window ends it for all of you", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			title, message := endQuestion(tt.doing, tt.snap)
			if title == "" || !strings.HasPrefix(message, "Quit Concordia and end the party?\n\n") {
				t.Errorf("title %q, message %q: the question is not its title and first line", title, message)
			}
			if !strings.Contains(message, tt.want) {
				t.Errorf("message %q, want %q in it", message, tt.want)
			}
			if got := strings.Contains(message, "has not been sent"); got != tt.draft {
				t.Errorf("message %q: says the draft %v, want %v", message, got, tt.draft)
			}
			if strings.Contains(message, "%") {
				t.Errorf("message %q has a %%: GTK reads it as a format", message)
			}
		})
	}
}

func TestCloseWhileHosting(t *testing.T) {
	tests := []struct {
		name        string
		tray        bool
		answer      bool
		wantPrevent bool
		wantAsked   int
		wantHidden  int
	}{
		{"tray: hide", true, false, true, 0, 1},
		{"no tray, keep the party", false, false, true, 1, 0},
		{"no tray, quit", false, true, false, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.tray.status = TrayStatus{Available: tt.tray}
			f.shell.answer = tt.answer
			if _, err := f.app.CreateParty(CreateRequest{Name: "hana"}); err != nil {
				t.Fatal(err)
			}
			if got := f.app.beforeClose(); got != tt.wantPrevent {
				t.Fatalf("beforeClose = %v, want %v", got, tt.wantPrevent)
			}
			if f.shell.asked != tt.wantAsked || f.shell.hidden != tt.wantHidden {
				t.Fatalf("asked %d, hidden %d", f.shell.asked, f.shell.hidden)
			}
		})
	}
	// A window tester's question had no title, said nothing of the draft in the prompt
	// box, and not for how many people the party ended (the End party dialog says so).
	t.Run("no tray: the question says it ends the party, and the draft that is not sent", func(t *testing.T) {
		f := newFixture(t)
		f.tray.status = TrayStatus{Available: false}
		if _, err := f.app.CreateParty(CreateRequest{Name: "hana"}); err != nil {
			t.Fatal(err)
		}
		f.app.KeepDraft("half a prompt")
		f.app.beforeClose()
		title, message := f.shell.question[0], f.shell.question[1]
		if title != "End the party?" || !strings.HasPrefix(message, "Quit Concordia and end the party?\n\n") {
			t.Errorf("question %q, %q: no title, or it does not open the message", title, message)
		}
		for _, want := range []string{"nobody else in it now. Closing the window ends it", "What you typed in the prompt box has not been sent"} {
			if !strings.Contains(message, want) {
				t.Errorf("message %q: no %q", message, want)
			}
		}
		f.app.KeepDraft("  ")
		f.app.beforeClose()
		if strings.Contains(f.shell.question[1], "prompt box") {
			t.Errorf("message %q: a draft of spaces is said unsent", f.shell.question[1])
		}
	})
	t.Run("a signal closes without hiding or asking", func(t *testing.T) {
		f := newFixture(t)
		f.app.signals = make(chan os.Signal, 1)
		if _, err := f.app.CreateParty(CreateRequest{Name: "hana"}); err != nil {
			t.Fatal(err)
		}
		f.app.signals <- syscall.SIGTERM
		if f.app.beforeClose() || f.shell.hidden != 0 || f.shell.asked != 0 {
			t.Fatalf("SIGTERM was not a quit: hidden %d, asked %d", f.shell.hidden, f.shell.asked)
		}
	})
	// Wails gets its own copy of the signal and may call beforeClose before ours arrives
	// (a CI run's window then asked "End the party?" of nobody and was killed).
	t.Run("a signal delivered just after the close request still quits", func(t *testing.T) {
		f := newFixture(t)
		f.app.signals = make(chan os.Signal, 1)
		if _, err := f.app.CreateParty(CreateRequest{Name: "hana"}); err != nil {
			t.Fatal(err)
		}
		time.AfterFunc(20*time.Millisecond, func() { f.app.signals <- syscall.SIGTERM })
		if f.app.beforeClose() || f.shell.hidden != 0 || f.shell.asked != 0 {
			t.Fatalf("a late SIGTERM was not a quit: hidden %d, asked %d", f.shell.hidden, f.shell.asked)
		}
	})
	// Closed by a signal (a logout), the party's members are told so, not "the host ended
	// the party" (a window tester's), and that it can be resumed.
	t.Run("a signal's end is told to the members", func(t *testing.T) {
		f := newFixture(t)
		f.app.signals = make(chan os.Signal, 1)
		info, err := f.app.CreateParty(CreateRequest{Name: "hana"})
		if err != nil {
			t.Fatal(err)
		}
		m := newFixture(t)
		if _, err := m.app.JoinParty(info.Invite, "pat"); err != nil {
			t.Fatal(err)
		}
		f.app.signals <- syscall.SIGTERM
		if f.app.beforeClose() {
			t.Fatal("SIGTERM did not close")
		}
		f.app.shutdown()
		want := host.EndText(syscall.SIGTERM)
		deadline := time.Now().Add(10 * time.Second)
		for !slices.ContainsFunc(m.shell.events(session.EventPartyEvent), func(e any) bool {
			ev, ok := e.(wire.Event)
			return ok && ev.Kind == wire.KindSystem && ev.Text == want
		}) {
			if time.Now().After(deadline) {
				t.Fatalf("pat was not told %q: %v", want, m.shell.events(session.EventPartyEvent))
			}
			time.Sleep(20 * time.Millisecond)
		}
		// And the window's "The party has ended: …" says it in the host's words.
		for !slices.ContainsFunc(m.shell.events(session.EventPartyEnded), func(e any) bool {
			ended, ok := e.(session.Ended)
			return ok && ended.Reason == want
		}) {
			if time.Now().After(deadline) {
				t.Fatalf("pat's window ended with %v, want %q", m.shell.events(session.EventPartyEnded), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	// The tray's Quit asks first while hosting, as closing without a tray does: one click
	// in a window tester's tray ended the party for everyone.
	t.Run("tray quit while hosting asks: no keeps the party", func(t *testing.T) {
		f := newFixture(t)
		f.tray.status = TrayStatus{Available: true}
		if _, err := f.app.CreateParty(CreateRequest{Name: "hana"}); err != nil {
			t.Fatal(err)
		}
		f.app.quit()
		if f.shell.asked != 1 || f.shell.shown != 1 || f.shell.quits != 0 {
			t.Fatalf("asked %d, shown %d, quits %d: want the window shown, asked, and no quit", f.shell.asked, f.shell.shown, f.shell.quits)
		}
		if s := f.app.session.Snapshot(); s.Role != wire.RoleHost {
			t.Fatalf("the party went: %+v", s)
		}
	})
	t.Run("tray quit while hosting asks: yes quits", func(t *testing.T) {
		f := newFixture(t)
		f.tray.status = TrayStatus{Available: true}
		f.shell.answer = true
		if _, err := f.app.CreateParty(CreateRequest{Name: "hana"}); err != nil {
			t.Fatal(err)
		}
		f.app.quit()
		if f.shell.asked != 1 || f.shell.quits != 1 || f.app.beforeClose() {
			t.Fatalf("asked %d, quits %d", f.shell.asked, f.shell.quits)
		}
	})
	t.Run("tray quit with no party quits without asking", func(t *testing.T) {
		f := newFixture(t)
		f.app.quit()
		if f.shell.quits != 1 || f.shell.asked != 0 || f.app.beforeClose() {
			t.Fatalf("quits %d, asked %d", f.shell.quits, f.shell.asked)
		}
	})
}

func TestCreatePartyErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tests := []struct {
		name   string
		change func(*settings.Settings)
		req    CreateRequest
		want   []string
	}{
		{"claude missing", func(s *settings.Settings) { s.ClaudePath = "/nowhere/claude" }, CreateRequest{Name: "h"},
			[]string{`Claude Code was not found (looked for "/nowhere/claude")`, "npm install -g @anthropic-ai/claude-code", "Settings"}},
		{"port taken", func(s *settings.Settings) { s.Listen = busy.Addr().String() }, CreateRequest{Name: "h"},
			[]string{"The listen address " + busy.Addr().String() + " is already in use", "Settings"}},
		{"gemini without a key", func(s *settings.Settings) { s.Merger = "gemini" }, CreateRequest{Name: "h"},
			[]string{"no Gemini key is set"}},
		{"bad folder", nil, CreateRequest{Name: "h", Workdir: "/no/such/folder"},
			[]string{`The working folder "/no/such/folder" does not exist.`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.change != nil {
				s, _ := f.app.GetSettings()
				tt.change(&s)
				if _, err := f.app.SaveSettings(s); err != nil {
					t.Fatal(err)
				}
			}
			_, err := f.app.CreateParty(tt.req)
			if err == nil {
				t.Fatal("CreateParty succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("CreateParty error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestJoinPartyErrors(t *testing.T) {
	hostApp := newFixture(t)
	info, err := hostApp.app.CreateParty(CreateRequest{Name: "hana"})
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := invite.Parse(info.Invite)
	wrong := inv
	wrong.Token = strings.Repeat("z", 43)
	gone := inv
	gone.Port = 1 // nothing listens on port 1 here

	f := newFixture(t)
	tests := []struct {
		name, link, user, want string
	}{
		{"wrong token", wrong.String(), "pat", "The host refused this invite: the host has made new invites since (old links stop working), the party it was for has ended"},
		{"unreachable", gone.String(), "pat", "Cannot reach the host (connection refused)"},
		{"broken link", "concordia://x", "pat", "Invalid invite: "},
		{"token cut short", info.Invite[:len(info.Invite)-5], "pat", "The host refused this invite; the link looks cut short: its token has 38 characters, but a Concordia invite's has 43; copy the whole link again."},
		{"no name", info.Invite, " ", "The display name is empty."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.app.JoinParty(tt.link, tt.user)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("JoinParty = %v, want it to start with %q", err, tt.want)
			}
		})
	}
	s, err := f.app.JoinParty(info.Invite, "pat")
	if err != nil || s.Role != wire.RoleParticipant {
		t.Fatalf("JoinParty = %+v, %v", s, err)
	}
	if err := f.app.EndParty(); err == nil || err.Error() != "Only the host can end the party." {
		t.Fatalf("EndParty as participant = %v", err)
	}
	if err := f.app.Leave(); err != nil {
		t.Fatal(err)
	}
}

// TestJoinPartySaysWhenItCannotKeepItsMembership: a window whose data folder could not
// keep its membership (a full disk) became someone new at every join after it, each
// leaving an away member behind, and said nothing (the terminal says so).
func TestJoinPartySaysWhenItCannotKeepItsMembership(t *testing.T) {
	hostApp := newFixture(t)
	info, err := hostApp.app.CreateParty(CreateRequest{Name: "hana"})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := invite.Parse(info.Invite)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	joined := filepath.Join(f.dataDir, "joined")
	// A folder where pat's record goes: it cannot be written, as on a full disk, while
	// everything else of the data folder works.
	if err := os.MkdirAll(filepath.Join(joined, membership.Key(inv, "pat")+".json", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := f.app.JoinParty(info.Invite, "pat")
	if err != nil {
		t.Fatal(err)
	}
	want := "This window could not keep its membership of the party in " + joined + " ("
	if !strings.HasPrefix(s.NotKeptText, want) || !strings.HasSuffix(s.NotKeptText, "), so if you join again later you will be someone new in it.") {
		t.Fatalf("not kept: %q, want it to start with %q", s.NotKeptText, want)
	}
	if err := f.app.Leave(); err != nil {
		t.Fatal(err)
	}
	kept := newFixture(t)
	if s, err := kept.app.JoinParty(info.Invite, "sam"); err != nil || s.NotKeptText != "" {
		t.Fatalf("a folder that keeps it: %q, %v", s.NotKeptText, err)
	}
}

// A name typed to join is offered next time, by Create party and the next join, as one
// typed in Create party is (a window tester who joined as Bob was offered the OS user's
// name to host under); the name a party already knew this window by is not: joining again
// under it is no choice of a name.
func TestJoinRemembersTheNameChosen(t *testing.T) {
	hostApp := newFixture(t)
	info, err := hostApp.app.CreateParty(CreateRequest{Name: "hana"})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	before, err := f.app.GetSettings()
	if err != nil {
		t.Fatal(err)
	}
	before.Approve, before.ClaudeArgs = true, "--model opus"
	if _, err := f.app.SaveSettings(before); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.JoinParty(info.Invite, "pat"); err != nil {
		t.Fatal(err)
	}
	// The name only: a join has no form of the rest (a reviewer's join cleared the
	// approval default and the extra arguments).
	want := before
	want.Name = "pat"
	if s, err := f.app.GetSettings(); err != nil || s != want {
		t.Fatalf("after joining as pat the settings are\n%+v (%v)\nwant\n%+v", s, err, want)
	}
	if err := f.app.Leave(); err != nil {
		t.Fatal(err)
	}
	s, err := f.app.GetSettings()
	if err != nil {
		t.Fatal(err)
	}
	s.Name = "zed"
	if _, err := f.app.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.JoinParty(info.Invite, "pat"); err != nil {
		t.Fatal(err)
	}
	if s, err := f.app.GetSettings(); err != nil || s.Name != "zed" {
		t.Fatalf("back in the party as pat, the name it knew: the settings' name is %q (%v), want zed", s.Name, err)
	}
}

func TestSentence(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"not installed", fmt.Errorf("start party: %w", agent.ErrNotInstalled), "Claude Code was not found. " + installHint},
		{"fingerprint", fmt.Errorf("join: %w", client.ErrFingerprint), "does not match the fingerprint"},
		{"full", client.ErrFull, "The party is full: it has as many members as its host allows. Ask a host to make room, then try again."},
		{"full, the place lost while away", fmt.Errorf("%w: party full: your place went to someone else while you were away", client.ErrPlaceLost), "The party is full: your place went to someone else while you were away"},
		// A tester's viewer, turned away while places were kept for participants, was
		// told only that the party was full.
		{"full for viewers", fmt.Errorf("join: %w", client.ErrFullForViewers), "The party has no room for more viewers: its last places are kept for participants."},
		{"not connected", client.ErrNotConnected, "reconnecting"},
		{"dns", fmt.Errorf("%w: %w", client.ErrUnreachable, &net.DNSError{Name: "nohost.invalid", Err: "no such host"}), `Cannot reach the host (the name "nohost.invalid" is not known)`},
		// A deadline that ran out reads one way, the socket's or the context's.
		{"dial timed out", fmt.Errorf("%w: %w", client.ErrUnreachable, &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}), "Cannot reach the host (no answer in time)."},
		{"handshake timed out", fmt.Errorf("%w: %w", client.ErrUnreachable, context.DeadlineExceeded), "Cannot reach the host (no answer in time)."},
		{"address in use", hostError{err: &host.ListenError{Addr: ":8765", Err: syscall.EADDRINUSE}, listen: ":8765"}, "The listen address :8765 is already in use"},
		// The window read the resolver's or the kernel's words (a terminal tester's, whose
		// terminal was mended first).
		{"address not this computer's", hostError{err: &host.ListenError{Addr: "192.0.2.1:8765", Err: &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EADDRNOTAVAIL)}}, listen: "192.0.2.1:8765"}, "The listen address 192.0.2.1:8765 is not one of this computer's. In Settings, give one of its own addresses, or only a port"},
		{"listen name unknown", hostError{err: &host.ListenError{Addr: "myhostname:8765", Err: &net.OpError{Op: "listen", Net: "tcp", Err: &net.DNSError{Name: "myhostname", Err: "no such host", IsNotFound: true}}}, listen: "myhostname:8765"}, "The listen address myhostname:8765 names a host this computer cannot look up."},
		// A tester's data directory the user could not write was taken for a port.
		{"data directory not writable", hostError{err: &host.DataDirError{Dir: "/d", Err: fmt.Errorf("open the party's journal: %w", &fs.PathError{Op: "open", Path: "/d/p1.jsonl", Err: syscall.EACCES})}, listen: ":8765"}, "Concordia may not write its data folder /d, where a party keeps its history. Give this user write access to it, then try again."},
		{"other host failure", hostError{err: errors.New("load TLS identity: disk full")}, "The party could not start: load TLS identity: disk full."},
		{"party running", fmt.Errorf("%w: p1", session.ErrRunning), "This party is running already"},
		{"no such party", fmt.Errorf("%w: p1", host.ErrNoParty), "no longer in the data directory"},
		{"a journal cut short", fmt.Errorf("resume: /d/p1.jsonl: %w", journal.ErrIncomplete), "This party cannot be resumed: its journal could not be written to its end"},
		{"a journal cut short of a change of rules", fmt.Errorf("resume: /d/p1.jsonl: %w", journal.ErrLostControl), "and what it lost includes a host's change that made the party's rules stricter (who may join, or what the agent may do)"},
		{"a read-only journal", fmt.Errorf("resume: /d/p1.jsonl: %w", journal.ErrReadOnly), "its journal is read-only, which is how a party marks a journal it could not write to its end. If it was made read-only by hand, make it writable again"},
		{"timeout", context.DeadlineExceeded, "This took too long"},
		{"a prompt with no answer", fmt.Errorf("send prompt: %w: %w", errPromptUnanswered, rpc.ErrTimeout), "No answer came for this prompt, so it may have reached the host. If it does not show up in the party, send it again."},
		{"unknown", errors.New("something odd"), "Something odd."},
		// A removed member's window read only of an invite refused (a terminal tester's).
		{"removed, the invite refused", fmt.Errorf("join party: %w", &session.RemovedError{By: "alice", Err: fmt.Errorf("%w: unauthorized", client.ErrRefused)}), "alice removed you from this party, and this invite no longer lets you in: ask a host for a new one."},
		{"removed, back as someone new", &session.RemovedError{}, "A host removed you from this party. You joined again as someone new: this invite still lets people in."},
		{"removed, the host then unreachable", &session.RemovedError{By: "alice", Err: client.ErrFull}, "alice removed you from this party. The party is full"},
		// A host that took the connection and did not answer (stopped, hung) is no
		// firewall's doing (a reviewer's: the window gave the firewall advice).
		{"taken, no answer", fmt.Errorf("join party: %w at 1.2.3.4:5: %w: %w", client.ErrUnreachable, client.ErrNoAnswer, context.DeadlineExceeded), "The host took the connection but did not answer: is the party's program stopped or hung?"},
		// A -32003 says which limit it met (wire.RateLimitedData): "wait a moment" was said
		// of a full queue too, which no wait empties (a reviewer's).
		{"too fast, own host", fmt.Errorf("send prompt: %w", &party.RateLimitError{Limit: wire.LimitBurst, RetryAfter: 2500 * time.Millisecond, Why: "at most 5 prompts at once, then one per 2s"}), "You are sending prompts too fast: try again in 3 s."},
		{"too many requests", &rpc.Error{Code: wire.CodeRateLimited, Message: "rate limited: too many requests, slow down", Data: json.RawMessage(`{"limit":"requests","retry_after_ms":40}`)}, "You are sending prompts too fast: try again in 1 s."},
		{"queue full", &rpc.Error{Code: wire.CodeRateLimited, Message: "rate limited: 200 prompts are already waiting", Data: json.RawMessage(`{"limit":"queue"}`)}, "200 prompts are already waiting: it can be sent once a batch goes."},
		{"queue full from an address", &rpc.Error{Code: wire.CodeRateLimited, Message: "rate limited: 12 prompts from your address are already waiting, at most 100 of the party's 200 places; the next batch makes room", Data: json.RawMessage(`{"limit":"queue"}`)}, "12 prompts from your address are already waiting: it can be sent once a batch goes."},
		{"a minute's bytes", &rpc.Error{Code: wire.CodeRateLimited, Message: "rate limited: you sent more than 64 KiB of prompts in the last minute", Data: json.RawMessage(`{"limit":"bytes","retry_after_ms":19200}`)}, "You sent more than 64 KiB of prompts in the last minute: try again in 20 s."},
		{"the party's bytes, own host", &party.RateLimitError{Limit: wire.LimitBytes, RetryAfter: 90 * time.Second, Why: "the party took more than 1 MiB of prompts in the last minute"}, "The party took more than 1 MiB of prompts in the last minute: try again in 90 s."},
		{"too fast, a host from before", &rpc.Error{Code: wire.CodeRateLimited, Message: "rate limited: at most 5 prompts at once, then one per 2s"}, "You are sending prompts too fast; wait a moment."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sentence(tt.err); !strings.Contains(got, tt.want) {
				t.Fatalf("sentence = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTrayIconIs8Bit guards the embedded tray icon: the Linux tray library reads only
// the low byte of each 16-bit channel, so a 16-bit PNG shows up as noise.
func TestTrayIconIs8Bit(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(iconPNG))
	if err != nil {
		t.Fatal(err)
	}
	switch img.(type) {
	case *image.NRGBA, *image.RGBA:
	default:
		t.Fatalf("tray icon decodes as %T; write it as 8-bit RGBA (scripts/make-icons.sh)", img)
	}
	if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 64 {
		t.Fatalf("tray icon is %v, want 64×64", b)
	}
}

// TestJoinTLSHostWithoutFingerprint: a link that lost its ?fp= part, to a host that uses
// TLS, is explained after connecting — not as "cannot reach the host … firewall".
func TestJoinTLSHostWithoutFingerprint(t *testing.T) {
	dir := t.TempDir()
	hostApp := newApp(config{
		settingsPath: filepath.Join(dir, "concordia", settings.FileName),
		dataDir:      filepath.Join(dir, "concordia"),
		secrets:      secrets.New(secrets.Options{Backend: &secretstest.Backend{}, Getenv: func(string) string { return "" }, ConfigDir: filepath.Join(dir, "config")}),
		tray:         &fakeTray{},
	})
	hostApp.attach(&fakeShell{})
	t.Cleanup(hostApp.shutdown)
	s := settings.Defaults()
	s.Workdir, s.Listen, s.PublicHost, s.ClaudePath, s.Merger = dir, "127.0.0.1:0", "127.0.0.1", testkit.FakeClaude(t), "local"
	if _, err := hostApp.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	info, err := hostApp.CreateParty(CreateRequest{Name: "hana"})
	if err != nil {
		t.Fatal(err)
	}
	cut, _, ok := strings.Cut(info.Invite, "?fp=")
	if !ok {
		t.Fatalf("the TLS host's invite has no fp: %s", info.Invite)
	}
	f := newFixture(t)
	if got, _ := f.app.CheckInvite(cut); got != "" {
		t.Fatalf("CheckInvite(link without fp) = %q; without fp a link may be an --insecure host's", got)
	}
	_, err = f.app.JoinParty(cut, "pat")
	want := "This host uses encryption; the link is missing its ?fp= part — was it cut off?"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("JoinParty(link without fp) = %v, want %q", err, want)
	}
}

// TestCheckCreateClearsOnceFixed: the form's check says what CreateParty would, and says
// nothing once the field is fixed.
func TestCheckCreateClearsOnceFixed(t *testing.T) {
	f := newFixture(t)
	got, err := f.app.CheckCreate(CreateRequest{Name: "h", ClaudePath: "/nowhere/claude"})
	if err != nil || !strings.HasPrefix(got, `Claude Code was not found (looked for "/nowhere/claude")`) {
		t.Fatalf("CheckCreate(missing claude) = %q, %v", got, err)
	}
	if got, _ := f.app.CheckCreate(CreateRequest{Name: "h", Workdir: "/no/such/folder"}); !strings.Contains(got, `"/no/such/folder" does not exist`) {
		t.Fatalf("CheckCreate(missing folder) = %q", got)
	}
	if got, _ := f.app.CheckCreate(CreateRequest{Name: "h", ClaudeArgs: `--model "opus`}); got == "" {
		t.Fatal("CheckCreate(unclosed quote) found nothing")
	}
	if got, _ := f.app.CheckCreate(CreateRequest{Name: "h", ClaudePath: testkit.FakeClaude(t)}); got != "" {
		t.Fatalf("CheckCreate(fixed) = %q, want nothing", got)
	}
}

// TestCreatePartyRemembersTheForm: what was typed on Create party is saved to the settings
// file and comes back in Boot, in this app and in a restarted one.
func TestCreatePartyRemembersTheForm(t *testing.T) {
	f := newFixture(t)
	work := t.TempDir()
	claude := testkit.FakeClaude(t)
	if _, err := f.app.CreateParty(CreateRequest{Name: "grace", Workdir: work, ClaudePath: claude, PermissionMode: "edits", Approve: true, ShareWorkspace: "off"}); err != nil {
		t.Fatal(err)
	}
	check := func(who string, s settings.Settings) {
		t.Helper()
		if s.Name != "grace" || s.Workdir != work || s.ClaudePath != claude || s.PermissionMode != "edits" || !s.Approve || s.ShareWorkspace != "off" {
			t.Fatalf("%s: settings %+v do not hold the Create party values", who, s)
		}
		if s.Listen != "127.0.0.1:0" || s.Merger != "local" {
			t.Fatalf("%s: other settings changed: %+v", who, s)
		}
	}
	s, _ := f.app.GetSettings()
	check("this app", s)
	b := f.restartedBoot(t)
	check("a restarted app", b.Settings)

	// A party that does not start remembers nothing.
	if err := f.app.EndParty(); err != nil {
		t.Fatal(err)
	}
	f.app.DismissParty()
	if _, err := f.app.CreateParty(CreateRequest{Name: "oops", ClaudePath: "/nowhere/claude"}); err == nil {
		t.Fatal("CreateParty with a missing Claude Code succeeded")
	}
	s, _ = f.app.GetSettings()
	check("after a failed start", s)
}

// Extra arguments Claude Code refused (agent.ErrArgsRefused) are not the next Create
// party's default (a reviewer's were): they are remembered once Claude Code started with
// them, and arguments cleared on the form then too.
func TestCreatePartyRemembersOnlyExtraArgumentsClaudeTook(t *testing.T) {
	f := newFixture(t)
	s, _ := f.app.GetSettings()
	s.ClaudeArgs = "--model opus"
	if _, err := f.app.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	// The party's notices so far: those in CreateParty's state (a notice from before the
	// window's member joined, as the refusal of a start at launch may be), then those
	// emitted after it.
	var first wire.State
	notice := func(kind, text string) bool {
		is := func(ev wire.Event) bool { return ev.Kind == kind && strings.Contains(ev.Text, text) }
		if slices.ContainsFunc(first.Events, is) || slices.ContainsFunc(first.RawEvents, func(raw json.RawMessage) bool {
			var ev wire.Event
			return json.Unmarshal(raw, &ev) == nil && is(ev)
		}) {
			return true
		}
		return slices.ContainsFunc(f.shell.events(session.EventPartyEvent), func(e any) bool {
			ev, ok := e.(wire.Event)
			return ok && is(ev)
		})
	}
	host := func(args string) {
		t.Helper()
		f.shell.mu.Lock()
		f.shell.emits = nil // the last party's notices
		f.shell.mu.Unlock()
		info, err := f.app.CreateParty(CreateRequest{Name: "hana", ClaudeArgs: args})
		if err != nil {
			t.Fatalf("CreateParty(%q): %v", args, err)
		}
		first = info.State
	}
	end := func() {
		t.Helper()
		if err := f.app.EndParty(); err != nil {
			t.Fatal(err)
		}
		f.app.DismissParty()
	}
	args := func() string {
		s, err := f.app.GetSettings()
		if err != nil {
			t.Fatal(err)
		}
		return s.ClaudeArgs
	}

	host(" --bogus-flag ")
	waitFor(t, "the refusal", func() bool { return notice(wire.KindError, "Claude Code refused the extra arguments (--bogus-flag)") })
	if got := args(); got != "--model opus" {
		t.Fatalf("after a refusal the saved extra arguments are %q, want the earlier %q", got, "--model opus")
	}
	end()
	if got := args(); got != "--model opus" {
		t.Fatalf("after the refused party ended: %q, want %q", got, "--model opus")
	}

	host(" --verbose ")
	waitFor(t, "claude started", func() bool { return notice(wire.KindSystem, "claude started") })
	if got := args(); got != "--verbose" {
		t.Fatalf("once claude started the saved extra arguments are %q, want %q", got, "--verbose")
	}
	end()

	host("")
	waitFor(t, "claude started", func() bool { return notice(wire.KindSystem, "claude started") })
	if got := args(); got != "" {
		t.Fatalf("arguments cleared on the form stay %q", got)
	}
	end()
}

func TestPickClaude(t *testing.T) {
	f := newFixture(t)
	f.shell.pickedFile = "/opt/claude"
	dir := t.TempDir()
	if got, err := f.app.PickClaude(filepath.Join(dir, "claude")); err != nil || got != "/opt/claude" || f.shell.pickStart != dir {
		t.Fatalf("PickClaude = %q, %v (start %q)", got, err, f.shell.pickStart)
	}
	home, _ := os.UserHomeDir()
	for _, cur := range []string{"claude", "", filepath.Join(dir, "gone", "claude")} {
		if _, err := f.app.PickClaude(cur); err != nil || f.shell.pickStart != home {
			t.Fatalf("PickClaude(%q) started in %q, want the home folder", cur, f.shell.pickStart)
		}
	}
}

// A dismissed note (the window's "No system tray" banner) stays dismissed after a restart,
// and saving settings does not bring it back.
func TestDismissedNoteOutlivesARestart(t *testing.T) {
	f := newFixture(t)
	if b, _ := f.app.Boot(); len(b.Dismissed) != 0 {
		t.Fatalf("a new app has dismissed %q", b.Dismissed)
	}
	note := "No system tray was found on this desktop."
	if err := f.app.DismissNote(note); err != nil {
		t.Fatal(err)
	}
	s, _ := f.app.GetSettings()
	if _, err := f.app.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	b := f.restartedBoot(t)
	if len(b.Dismissed) != 1 || b.Dismissed[0] != note {
		t.Fatalf("after a restart Boot says dismissed %q", b.Dismissed)
	}
	if err := f.app.DismissNote(""); err == nil {
		t.Fatal("an empty note was taken")
	}
}

// The window's text size (SetZoom) is there after a restart, and saving the settings form
// keeps it; a size out of range is refused with a sentence, and the saved one stays.
func TestZoomOutlivesARestart(t *testing.T) {
	f := newFixture(t)
	if b, _ := f.app.Boot(); b.Settings.Zoom != settings.DefaultZoom {
		t.Fatalf("a new app's text size is %d", b.Settings.Zoom)
	}
	if got, err := f.app.SetZoom(125); err != nil || got != 125 {
		t.Fatalf("SetZoom(125) = %d, %v", got, err)
	}
	s, _ := f.app.GetSettings()
	if _, err := f.app.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if b := f.restartedBoot(t); b.Settings.Zoom != 125 {
		t.Fatalf("after a restart the text size is %d, want 125", b.Settings.Zoom)
	}
	got, err := f.app.SetZoom(settings.MaxZoom + 50)
	if err == nil || got != 125 || !strings.Contains(err.Error(), "text size") {
		t.Fatalf("SetZoom(%d) = %d, %v; want the saved 125 and a sentence", settings.MaxZoom+50, got, err)
	}
}

// A saved transcript names the person where the window's end reason says "you": the file is
// read by others.
func TestEndedForNamesThePerson(t *testing.T) {
	for _, c := range []struct{ reason, want string }{
		{"you ended the party", "hana ended the party"},
		{"you left the party", "hana left the party"},
		{"a host removed you from the party", "a host removed hana from the party"},
		{"the host ended the party", "the host ended the party"},
	} {
		if got := endedFor(c.reason, "hana"); got != c.want {
			t.Errorf("endedFor(%q) = %q, want %q", c.reason, got, c.want)
		}
	}
}

// restartedBoot is what the window of a new App on the same settings (an app restarted)
// gets from Boot.
func (f *fixture) restartedBoot(t *testing.T) BootInfo {
	t.Helper()
	restarted := newApp(config{settingsPath: f.app.settings.Path(), dataDir: t.TempDir(), secrets: f.app.secrets, tray: &fakeTray{}, insecure: true})
	restarted.attach(&fakeShell{})
	t.Cleanup(restarted.shutdown)
	b, err := restarted.Boot()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCancelJoin: a join to a host that takes the connection and never answers ends as
// soon as CancelJoin is called (the dialog's Cancel was dead for the dial's 10 s: a
// tester's), says so in words, and leaves the window free to join again.
func TestCancelJoin(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	f := newFixture(t)
	link := fmt.Sprintf("concordia://%s/%s", ln.Addr(), strings.Repeat("a", 43))
	done := make(chan error, 1)
	go func() {
		_, err := f.app.JoinParty(link, "pat")
		done <- err
	}()
	time.Sleep(200 * time.Millisecond) // connecting
	start := time.Now()
	f.app.CancelJoin()
	select {
	case err := <-done:
		if err == nil || err.Error() != "You cancelled the join." {
			t.Fatalf("JoinParty after CancelJoin = %v", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("the join ended %v after CancelJoin", d)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("JoinParty did not end after CancelJoin")
	}
	f.app.CancelJoin() // none in flight: nothing happens
	hostApp := newFixture(t)
	info, err := hostApp.app.CreateParty(CreateRequest{Name: "hana"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.JoinParty(info.Invite, "pat"); err != nil {
		t.Fatalf("a join after the cancelled one: %v", err)
	}
	_ = f.app.Leave()
}

// TestCreatePartyPermissionTimeout: the tool request timeout chosen on Create party (or
// saved in Settings, when the form leaves it 0) is the party's: a tool request expires that
// long after it was asked, not after the host's 2 minutes a window party always had (a
// user tester's). An out-of-range one is refused with the settings' sentence, and a chosen
// one is remembered.
func TestCreatePartyPermissionTimeout(t *testing.T) {
	f := newFixture(t)
	if got, _ := f.app.CheckCreate(CreateRequest{Name: "hana", PermissionTimeoutMS: 5000}); !strings.Contains(got, "The tool request timeout must be between 0.25 and 1440 minutes") {
		t.Fatalf("CheckCreate(5 s) = %q", got)
	}
	if _, err := f.app.CreateParty(CreateRequest{Name: "hana", PermissionTimeoutMS: 25 * 60 * 60 * 1000}); err == nil || !strings.Contains(err.Error(), "The tool request timeout must be between") {
		t.Fatalf("CreateParty(25 h) = %v", err)
	}
	// expires is when the request was asked (its event's time) plus the party's timeout.
	asked := func(want time.Duration) {
		t.Helper()
		before := len(f.shell.events(session.EventPartyEvent)) // a party before's (ids start again)
		since := func(pred func(wire.Event) bool) (ev wire.Event, ok bool) {
			for _, d := range f.shell.events(session.EventPartyEvent)[before:] {
				if e := d.(wire.Event); pred(e) {
					ev, ok = e, true
				}
			}
			return ev, ok
		}
		if _, err := f.app.SendPrompt("touch a file FAKE_ASK"); err != nil {
			t.Fatal(err)
		}
		var ev wire.Event
		waitFor(t, "a tool request", func() (ok bool) {
			ev, ok = since(func(e wire.Event) bool {
				return e.Kind == wire.KindPermission && e.Permission.Status == wire.PermissionPending
			})
			return ok
		})
		if ev.Permission.Expires == nil {
			t.Fatalf("a pending request without expires: %+v", ev.Permission)
		}
		if got := ev.Permission.Expires.Sub(ev.TS); got < want-5*time.Second || got > want+time.Second {
			t.Fatalf("the request expires %s after it was asked, want %s", got, want)
		}
		if err := f.app.DecidePermission(ev.Permission.ID, wire.DecisionDeny, ""); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the denial", func() bool {
			_, ok := since(func(e wire.Event) bool {
				return e.Kind == wire.KindPermission && e.Permission.Status == wire.PermissionDenied
			})
			return ok
		})
		if err := f.app.EndParty(); err != nil {
			t.Fatal(err)
		}
		f.app.DismissParty()
	}
	first, err := f.app.CreateParty(CreateRequest{Name: "hana", PermissionTimeoutMS: 45 * 60 * 1000})
	if err != nil {
		t.Fatal(err)
	}
	asked(45 * time.Minute)
	if s, _ := f.app.GetSettings(); s.PermissionTimeoutMS != 45*60*1000 {
		t.Fatalf("the chosen timeout was not remembered: settings say %d ms", s.PermissionTimeoutMS)
	}

	// 0 takes the saved setting.
	s, _ := f.app.GetSettings()
	s.PermissionTimeoutMS = 20_000
	if _, err := f.app.SaveSettings(s); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.CreateParty(CreateRequest{Name: "hana"}); err != nil {
		t.Fatal(err)
	}
	asked(20 * time.Second)

	// A resumed party keeps its own timeout (its journal's), not the one saved since.
	if _, err := f.app.ResumeParty(first.Party.ID, "", false, 0); err != nil {
		t.Fatal(err)
	}
	asked(45 * time.Minute)
}

// fakeGoogle stands in for the Gemini API on loopback (merge.BaseURLEnv) for a key check:
// it accepts good, refuses any other key, and answers 503 while mode holds "down", 403
// SERVICE_DISABLED while it holds "disabled" ("ok" at first); asked counts its requests;
// url is where it listens.
func fakeGoogle(t *testing.T, good string) (mode *atomic.Value, asked *atomic.Int32, url string) {
	t.Helper()
	mode, asked = new(atomic.Value), new(atomic.Int32)
	mode.Store("ok")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case mode.Load() == "down":
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":{"code":503,"status":"UNAVAILABLE","message":"later"}}`)
		case mode.Load() == "disabled": // the key's project has not enabled the API
			testkit.WriteGeminiServiceDisabled(w)
		case mode.Load() == "leaked": // the key was reported as leaked
			testkit.WriteGeminiKeyLeaked(w)
		case r.Header.Get("x-goog-api-key") != good:
			testkit.WriteGeminiKeyRefused(w)
		default:
			io.WriteString(w, `{"name":"models/gemini-flash-latest"}`)
		}
	}))
	t.Cleanup(srv.Close)
	t.Setenv(merge.BaseURLEnv, srv.URL)
	return mode, asked, srv.URL
}
