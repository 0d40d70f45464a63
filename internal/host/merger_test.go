package host

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/keysave"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/secrets/secretstest"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// batch is two prompts for a merger to merge.
var batch = []wire.Prompt{{ID: "p1", User: "ann", Text: "add tabs"}, {ID: "p2", User: "ben", Text: "add dark mode"}}

// keyring is a store over a fake keyring that holds "good-key", and that fake.
func keyring(t *testing.T, timeout time.Duration) (*secrets.Store, *secretstest.Backend) {
	t.Helper()
	backend := &secretstest.Backend{}
	store := secrets.New(secrets.Options{Backend: backend, Getenv: func(string) string { return "" }, ConfigDir: t.TempDir(), Timeout: timeout})
	if err := store.Set(context.Background(), "good-key"); err != nil {
		t.Fatal(err)
	}
	return store, backend
}

// geminiByKey is a fake Gemini API that refuses the key "refused-key" and merges for any
// other.
func geminiByKey(t *testing.T) *httptest.Server {
	srv, _ := geminiRecording(t)
	return srv
}

// geminiRecording is geminiByKey, and the keys it was asked with since the last call of
// keysUsed, in order.
func geminiRecording(t *testing.T) (srv *httptest.Server, keysUsed func() []string) {
	var mu sync.Mutex
	var used []string
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("x-goog-api-key")
		mu.Lock()
		used = append(used, key)
		mu.Unlock()
		if key == "refused-key" {
			testkit.WriteGeminiKeyRefused(w)
			return
		}
		body, _ := io.ReadAll(r.Body)
		testkit.WriteGeminiMerge(w, body, "GEMINI: all of it")
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		k := used
		used = nil
		return k
	}
}

// A key replaced while the party runs (window Settings or `concordia key set`, both write
// the keyring) is used from the next batch: a refused key no longer turns Gemini off for
// the rest of the party, and neither does starting without a key.
func TestReplacedGeminiKeyIsUsed(t *testing.T) {
	srv := geminiByKey(t)
	for _, start := range []string{"refused-key", ""} {
		t.Run("start with "+map[string]string{"": "no key", "refused-key": "a refused key"}[start], func(t *testing.T) {
			backend := &secretstest.Backend{}
			store := secrets.New(secrets.Options{Backend: backend, Getenv: func(string) string { return "" }, ConfigDir: t.TempDir()})
			ctx := context.Background()
			if start != "" {
				if err := store.Set(ctx, start); err != nil {
					t.Fatal(err)
				}
			}
			m, _, err := SelectMerger(ctx, MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: -1,
				Getenv: geminiAt(srv.URL)})
			if err != nil {
				t.Fatal(err)
			}
			fb, ok := m.(*merge.Fallback)
			if !ok {
				t.Fatalf("merger %T, want a Fallback that can take a new key", m)
			}
			res, err := fb.Merge(ctx, batch)
			if err != nil || res.Merger != wire.MergerLocal {
				t.Fatalf("first batch: %q %v, want local", res.Merger, err)
			}
			if err := store.Set(ctx, "good-key"); err != nil {
				t.Fatal(err)
			}
			res, err = fb.Merge(ctx, batch)
			if err != nil || res.Merger != wire.MergerGemini || !strings.HasPrefix(res.Text, "GEMINI: all of it") {
				t.Fatalf("after the new key: %q %q %v, want Gemini", res.Merger, res.Text, err)
			}
			// A party that never had a key does not merge with Gemini "again".
			want := map[string]string{"": "merging with Gemini from now on: a Gemini API key was set",
				"refused-key": "merging with Gemini again: a new API key was set"}[start]
			if len(res.Notices) != 1 || res.Notices[0].Text != want {
				t.Fatalf("after the new key, notices %+v, want %q", res.Notices, want)
			}
		})
	}
}

// The notices tell the host how to set a key their way: the window's host in Settings, the
// terminal's with `concordia key set` (issue 10: the window told desktop users to run it).
func TestKeyNoticesSpeakToTheirHost(t *testing.T) {
	srv := geminiByKey(t)
	for _, window := range []bool{false, true} {
		for _, start := range []string{"", "refused-key"} {
			ctx := context.Background()
			store := secrets.New(secrets.Options{Backend: &secretstest.Backend{}, Getenv: func(string) string { return "" }, ConfigDir: t.TempDir()})
			if start != "" {
				if err := store.Set(ctx, start); err != nil {
					t.Fatal(err)
				}
			}
			m, notes, err := SelectMerger(ctx, MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: time.Hour, Window: window,
				Getenv: geminiAt(srv.URL)})
			if err != nil {
				t.Fatal(err)
			}
			said := strings.Join(notes, "\n")
			if start != "" {
				res, err := m.Merge(ctx, batch)
				if err != nil {
					t.Fatal(err)
				}
				for _, n := range res.Notices {
					// As the host's own view reads them: the event says the way to nobody.
					said += "\n" + merge.WithKeyHint(n.Text, m.(*merge.Fallback).KeyHint())
				}
			}
			if !strings.Contains(said, "key") {
				t.Fatalf("window %v, key %q: no notice about the key: %q", window, start, said)
			}
			if cli := strings.Contains(said, "concordia key set"); cli == window {
				t.Errorf("window %v, key %q: the notices say %q", window, start, said)
			}
			if window && !strings.Contains(said, "Settings") {
				t.Errorf("window, key %q: the notices do not point to Settings: %q", start, said)
			}
		}
	}
}

// A refused key that came from GEMINI_API_KEY is replaced there, not in the keyring: a
// running party does not read the keyring while the variable is set, and a tester's
// `concordia key set`, as the notice said, changed nothing. The window's host too.
func TestRefusedEnvironmentKeySaysWhereItIs(t *testing.T) {
	srv := geminiByKey(t)
	for _, window := range []bool{false, true} {
		ctx := context.Background()
		env := func(k string) string {
			if k == secrets.EnvKey {
				return "refused-key"
			}
			return geminiAt(srv.URL)(k)
		}
		store := secrets.New(secrets.Options{Backend: &secretstest.Backend{}, Getenv: env, ConfigDir: t.TempDir()})
		m, _, err := SelectMerger(ctx, MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: time.Hour, Window: window, Getenv: env})
		if err != nil {
			t.Fatal(err)
		}
		res, err := m.Merge(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		// Every member reads the event; the host's own view adds the way (merge.WithKeyHint).
		want := "Gemini refused the host's API key; merging locally until the host replaces it"
		if len(res.Notices) != 1 || res.Notices[0].Text != want {
			t.Errorf("window %v: notices %+v, want %q", window, res.Notices, want)
		}
		const hint = "it comes from GEMINI_API_KEY: set it to a working key, then resume the party"
		if got := m.(*merge.Fallback).KeyHint(); got != hint {
			t.Errorf("window %v: KeyHint %q, want %q", window, got, hint)
		}
	}
}

// A party whose key Google refused before it started (a check in Settings, or an earlier
// party of the same process) merges locally from its first batch and says why: a window
// tester's Home said "merging locally", and the party announced Gemini and sent its first
// batch of the members' prompts there. A key refused during a party is remembered, and one
// a check accepts again is tried again.
func TestAKeyKnownRefusedIsNotSentTheMembersPrompts(t *testing.T) {
	srv, keysUsed := geminiRecording(t)
	ctx := context.Background()
	store := secrets.New(secrets.Options{Backend: &secretstest.Backend{}, Getenv: func(string) string { return "" }, ConfigDir: t.TempDir()})
	if err := store.Set(ctx, "refused-key"); err != nil {
		t.Fatal(err)
	}
	var refused RefusedKeys
	start := func() (merge.Merger, string) {
		t.Helper()
		m, notes, err := SelectMerger(ctx, MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: time.Hour, Window: true,
			Getenv: geminiAt(srv.URL), Refused: &refused})
		if err != nil {
			t.Fatal(err)
		}
		return m, strings.Join(notes, "\n")
	}

	// Not known: the first party asks Gemini, is refused, and remembers it.
	m, _ := start()
	if res, err := m.Merge(ctx, batch); err != nil || res.Merger != wire.MergerLocal {
		t.Fatalf("first party: %q %v, want local after the refusal", res.Merger, err)
	}
	if got := keysUsed(); !slices.Equal(got, []string{"refused-key"}) {
		t.Fatalf("first party asked Gemini with %q, want the key once", got)
	}

	// The next party starts local, says so, and asks Gemini nothing.
	m, notes := start()
	if m.Name() != wire.MergerLocal {
		t.Errorf("next party's merger %q, want local from the start", m.Name())
	}
	// Every member reads it: how the host replaces the key is its owner's window's to add
	// (a party notice said "Check in Settings" to the guests).
	if want := "Google refused this Gemini key when it was last asked; merging locally until the host replaces it"; !strings.Contains(notes, want) {
		t.Errorf("notes %q, want %q", notes, want)
	}
	if strings.Contains(notes, "Settings") {
		t.Errorf("notes %q speak of the host's Settings to every member", notes)
	}
	if res, err := m.Merge(ctx, batch); err != nil || res.Merger != wire.MergerLocal {
		t.Fatalf("next party: %q %v, want local", res.Merger, err)
	}
	if got := keysUsed(); len(got) != 0 {
		t.Errorf("the next party sent its batch to the refused key (%q)", got)
	}

	// A check that Google accepts it again lets the party after try it: as a check does
	// (session.CheckKey), in this process and on disk.
	refused.Accepted("refused-key")
	if err := store.MarkChecked(secrets.KeyID("refused-key")); err != nil {
		t.Fatal(err)
	}
	if m, _ := start(); m.Name() != wire.MergerGemini {
		t.Errorf("after an accepted check, merger %q, want gemini", m.Name())
	}
	// A new key is not the refused one.
	refused.Set("refused-key", true)
	if err := store.Set(ctx, "good-key"); err != nil {
		t.Fatal(err)
	}
	if m, _ := start(); m.Name() != wire.MergerGemini {
		t.Errorf("a new key: merger %q, want gemini", m.Name())
	}
}

// A key Google refused is known to another process's party too, by the store's note: a
// terminal tester's `concordia key check` said Google refused it, and a `concordia host`
// started after would have announced Gemini and sent it the members' prompts. A party that
// finds its key refused notes it as a check does; an accepted check drops the note.
func TestAKeyRefusedInAnotherProcessIsNotSentTheMembersPrompts(t *testing.T) {
	srv, keysUsed := geminiRecording(t)
	ctx := context.Background()
	dir := t.TempDir()
	backend := &secretstest.Backend{}
	// Each process has a store of its own over the same keyring and config directory, and
	// the terminal's host no RefusedKeys.
	process := func() MergerOptions {
		store := secrets.New(secrets.Options{Backend: backend, Getenv: func(string) string { return "" }, ConfigDir: dir})
		return MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: time.Hour, Getenv: geminiAt(srv.URL)}
	}
	first := process()
	if err := first.Store.Set(ctx, "refused-key"); err != nil {
		t.Fatal(err)
	}
	// `concordia key check`'s note.
	if err := first.Store.MarkRefused(secrets.KeyID("refused-key"), time.Now()); err != nil {
		t.Fatal(err)
	}
	m, notes, err := SelectMerger(ctx, process())
	if err != nil {
		t.Fatal(err)
	}
	if m.Name() != wire.MergerLocal {
		t.Errorf("a party after another process's refused check: merger %q, want local from the start", m.Name())
	}
	if want := "Google refused this Gemini key when it was last asked; merging locally until the host replaces it (concordia key set)"; !slices.Contains(notes, want) {
		t.Errorf("notes %q, want %q", notes, want)
	}
	if res, err := m.Merge(ctx, batch); err != nil || res.Merger != wire.MergerLocal {
		t.Fatalf("its batch: %q %v, want local", res.Merger, err)
	}
	if got := keysUsed(); len(got) != 0 {
		t.Errorf("the party sent its batch to the refused key (%q)", got)
	}

	// Accepted by a check: the next party tries it, is refused, and notes it for the next.
	if err := first.Store.MarkChecked(secrets.KeyID("refused-key")); err != nil {
		t.Fatal(err)
	}
	m, _, err = SelectMerger(ctx, process())
	if err != nil {
		t.Fatal(err)
	}
	if m.Name() != wire.MergerGemini {
		t.Fatalf("after an accepted check: merger %q, want gemini", m.Name())
	}
	if res, err := m.Merge(ctx, batch); err != nil || res.Merger != wire.MergerLocal {
		t.Fatalf("refused in the party: %q %v, want local", res.Merger, err)
	}
	if _, ok := first.Store.RefusedAt(secrets.KeyID("refused-key")); !ok {
		t.Fatal("a party's refused key is not noted for other processes")
	}
	if m, _, err := SelectMerger(ctx, process()); err != nil || m.Name() != wire.MergerLocal {
		t.Fatalf("the party after: merger %v %v, want local", m, err)
	}
}

// A key set during a party that began with none, and refused there, is remembered too (a
// reviewer's: that party's merger was made before it could say so, and the next party
// announced Gemini with the key).
func TestAKeyRefusedInAPartyThatBeganWithoutOneIsRemembered(t *testing.T) {
	srv, keysUsed := geminiRecording(t)
	ctx := context.Background()
	store := secrets.New(secrets.Options{Backend: &secretstest.Backend{}, Getenv: func(string) string { return "" }, ConfigDir: t.TempDir()})
	var refused RefusedKeys
	opts := MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: -1, Window: true, Getenv: geminiAt(srv.URL), Refused: &refused}
	m, _, err := SelectMerger(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Set(ctx, "refused-key"); err != nil {
		t.Fatal(err)
	}
	if res, err := m.Merge(ctx, batch); err != nil || res.Merger != wire.MergerLocal {
		t.Fatalf("with the key set meanwhile: %q %v, want local after its refusal", res.Merger, err)
	}
	if got := keysUsed(); !slices.Equal(got, []string{"refused-key"}) {
		t.Fatalf("asked with %q, want the new key once", got)
	}
	next, _, err := SelectMerger(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if next.Name() != wire.MergerLocal {
		t.Errorf("the next party's merger %q, want local: the key was refused", next.Name())
	}
}

// geminiAt is an environment with only the Gemini base URL set, to url.
func geminiAt(url string) func(string) string {
	return func(k string) string {
		if k == merge.BaseURLEnv {
			return url
		}
		return ""
	}
}

// A key removed or replaced while Gemini merges is followed from the next batch (a
// tester removed the key in Settings, which then said "No key: prompts are merged
// locally", and the next batch still went to Gemini with it; a replaced key went unused).
func TestRemovedOrReplacedGeminiKeyIsFollowed(t *testing.T) {
	srv, keysUsed := geminiRecording(t)
	ctx := context.Background()
	store := secrets.New(secrets.Options{Backend: &secretstest.Backend{}, Getenv: func(string) string { return "" }, ConfigDir: t.TempDir()})
	if err := store.Set(ctx, "first-key"); err != nil {
		t.Fatal(err)
	}
	// A check when Gemini is off at most every hour: what follows is the check before a
	// batch Gemini would merge, which is not throttled.
	m, _, err := SelectMerger(ctx, MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: time.Hour, Getenv: geminiAt(srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	step := func(what, wantMerger string, wantKeys []string, wantNotice string) {
		t.Helper()
		res, err := m.Merge(ctx, batch)
		if err != nil || res.Merger != wantMerger {
			t.Fatalf("%s: merged by %q (%v), want %q", what, res.Merger, err, wantMerger)
		}
		if got := keysUsed(); !slices.Equal(got, wantKeys) {
			t.Fatalf("%s: Gemini was sent the keys %q, want %q", what, got, wantKeys)
		}
		var notices []string
		for _, n := range res.Notices {
			notices = append(notices, n.Text)
		}
		if (wantNotice == "") != (len(notices) == 0) || wantNotice != "" && !slices.Contains(notices, wantNotice) {
			t.Fatalf("%s: notices %q, want %q", what, notices, wantNotice)
		}
		if m.Name() != wantMerger {
			t.Fatalf("%s: the merger's name is %q, want %q (the party's settings follow it)", what, m.Name(), wantMerger)
		}
	}
	step("the first key", wire.MergerGemini, []string{"first-key"}, "")
	if err := store.Set(ctx, "second-key"); err != nil {
		t.Fatal(err)
	}
	step("replaced", wire.MergerGemini, []string{"second-key"}, "a new Gemini API key was set: merging with it from now on")
	if err := store.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	step("removed", wire.MergerLocal, nil, "the Gemini API key was removed: merging locally from now on")
	step("still none", wire.MergerLocal, nil, "")
}

// A keyring that cannot be read is not read again before every batch (one waiting on an
// unlock prompt takes the store's whole time limit, each time: a reviewer's): Gemini goes
// on with the key it has, and the keyring is tried again after RekeyEvery.
func TestUnreadableKeyringIsNotReadBeforeEveryBatch(t *testing.T) {
	srv := geminiByKey(t)
	ctx := context.Background()
	store, backend := keyring(t, 0)
	m, _, err := SelectMerger(ctx, MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: time.Hour, Getenv: geminiAt(srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	backend.Fail(errors.New("the keyring is locked"))
	before := backend.Calls()
	for i := range 3 {
		res, err := m.Merge(ctx, batch)
		if err != nil || res.Merger != wire.MergerGemini {
			t.Fatalf("batch %d: %q %v, want Gemini with the key it has", i, res.Merger, err)
		}
	}
	if n := backend.Calls() - before; n != 1 {
		t.Fatalf("the keyring was called %d times for 3 batches, want once: read again after it failed", n)
	}
}

// The notice of the endpoint names its scheme and host only: the window sends it to every
// member, and a proxy's address may carry a password or a token (a reviewer's).
func TestGeminiNoticeShowsNoCredentialOfTheEndpoint(t *testing.T) {
	env := func(k string) string {
		switch k {
		case secrets.EnvKey:
			return "AIzaSy-any-key-0123456789abcdefghijklmno"
		case merge.BaseURLEnv:
			return "https://proxyuser:s3cr3tpassw0rd@llm-gw.corp.internal:8443/v1?token=abcdef123456"
		}
		return ""
	}
	store := secrets.New(secrets.Options{Backend: &secretstest.Backend{}, Getenv: env, ConfigDir: t.TempDir()})
	_, notes, err := SelectMerger(context.Background(), MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: time.Hour, Getenv: env})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(notes, "\n")
	if !strings.Contains(all, "merging with Gemini at https://llm-gw.corp.internal:8443 (CONCORDIA_GEMINI_BASE_URL)") {
		t.Errorf("notes %q: want the endpoint's scheme and host", notes)
	}
	for _, secret := range []string{"s3cr3tpassw0rd", "proxyuser", "abcdef123456"} {
		if strings.Contains(all, secret) {
			t.Errorf("notes %q show %q", notes, secret)
		}
	}
}

// A window's party sends its merger notices to every member: they read that it merges with
// Gemini and with which model, not the host's endpoint, an environment variable's name or
// where its key is kept (a window tester's participants read all three after a resume);
// the host's log keeps the detail.
func TestWindowGeminiNoticeKeepsTheHostsDetailInTheLog(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		inStore bool
		logged  string
	}{
		{"keyring key, own endpoint", map[string]string{merge.BaseURLEnv: "http://127.0.0.1:40501"}, true,
			"merging with Gemini at http://127.0.0.1:40501 (CONCORDIA_GEMINI_BASE_URL) (gemini-test; key from the OS keyring)"},
		{"key from the environment", map[string]string{secrets.EnvKey: "AIzaSy-any-key-0123456789abcdefghijklmno"}, false,
			"merging with Gemini (gemini-test; key from GEMINI_API_KEY)"},
	} {
		env := func(k string) string { return tc.env[k] }
		store := secrets.New(secrets.Options{Backend: &secretstest.Backend{}, Getenv: env, ConfigDir: t.TempDir()})
		if tc.inStore {
			if err := store.Set(context.Background(), "good-key"); err != nil {
				t.Fatal(err)
			}
		}
		var log bytes.Buffer
		_, notes, err := SelectMerger(context.Background(), MergerOptions{Mode: MergeAuto, Model: "gemini-test", Store: store,
			RekeyEvery: time.Hour, Getenv: env, Window: true, Logger: slog.New(slog.NewTextHandler(&log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"merging with Gemini (gemini-test)"}; !slices.Equal(notes, want) {
			t.Errorf("%s: notes %q, want %q", tc.name, notes, want)
		}
		if !strings.Contains(log.String(), strconv.Quote(tc.logged)) {
			t.Errorf("%s: the log does not say %q:\n%s", tc.name, tc.logged, log.String())
		}
	}
}

// A keyring that cannot be read when the party starts (locked at login) is read again, and
// its key used once it can be: the party merged locally to its end.
func TestKeyringUnavailableAtTheStartIsReadAgain(t *testing.T) {
	srv := geminiByKey(t)
	ctx := context.Background()
	store, backend := keyring(t, 0)
	backend.Fail(errors.New("the keyring is locked"))
	m, notes, err := SelectMerger(ctx, MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: time.Millisecond, Getenv: geminiAt(srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(notes, func(n string) bool { return strings.HasSuffix(n, "; merging locally until the keyring can be read") }) {
		t.Fatalf("notes %q", notes)
	}
	if res, err := m.Merge(ctx, batch); err != nil || res.Merger != wire.MergerLocal {
		t.Fatalf("while locked: %q %v, want local", res.Merger, err)
	}
	backend.Fail(nil) // unlocked
	time.Sleep(5 * time.Millisecond)
	if res, err := m.Merge(ctx, batch); err != nil || res.Merger != wire.MergerGemini {
		t.Fatalf("once unlocked: %q %v, want Gemini", res.Merger, err)
	}
}

// A keyring that hangs (an unlock prompt nobody answers) holds a batch for the store's
// time limit when read: after such a read it is left alone for longer, so that the party's
// batches do not wait for it each RekeyEvery.
func TestAHangingKeyringHoldsFewBatches(t *testing.T) {
	old := slowKeyring
	slowKeyring = 100 * time.Millisecond
	t.Cleanup(func() { slowKeyring = old })
	ctx := context.Background()
	store, backend := keyring(t, 200*time.Millisecond)
	release := backend.Hang()
	t.Cleanup(release)
	m, _, err := SelectMerger(ctx, MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	if _, err := m.Merge(ctx, batch); err != nil { // reads the keyring: waits its 200 ms
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond) // past RekeyEvery
	began := time.Now()
	if _, err := m.Merge(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took >= 150*time.Millisecond {
		t.Fatalf("a batch right after a slow read of the keyring waited %v for it again", took)
	}
}

// Every member reads the merger's notices: one about the host's missing key speaks of the
// host's key and machine, and says what the host can do, not "here" (a window tester's
// participant read "the OS keyring is unavailable here (set GEMINI_API_KEY…)" as its own).
func TestNoKeyNoticesSpeakOfTheHost(t *testing.T) {
	ctx := context.Background()
	none := func(string) string { return "" }
	locked, backend := keyring(t, 0)
	backend.Fail(secrets.ErrUnavailable)
	empty := secrets.New(secrets.Options{Backend: &secretstest.Backend{}, Getenv: none, ConfigDir: t.TempDir()})
	for _, tc := range []struct {
		name   string
		store  *secrets.Store
		window bool
		want   string
		own    string // as the host itself reads it (OwnKeyNotice)
	}{
		{"keyring unavailable", locked, false, "the host has no Gemini key: the OS keyring on the host's machine is unavailable (the host can set GEMINI_API_KEY to use Gemini); merging locally until the keyring can be read",
			"you have no Gemini key: the OS keyring on this machine is unavailable (set GEMINI_API_KEY to use Gemini); merging locally until the keyring can be read"},
		{"no key, terminal", empty, false, "the host has no Gemini key (the host can run `concordia key set`, or set GEMINI_API_KEY); merging locally until the host sets one",
			"you have no Gemini key (run `concordia key set`, or set GEMINI_API_KEY); merging locally until you set one"},
		{"no key, window", empty, true, "the host has no Gemini key (the host can add one in Settings); merging locally until the host sets one",
			"you have no Gemini key (add one in Settings); merging locally until you set one"},
	} {
		_, notes, err := SelectMerger(ctx, MergerOptions{Mode: MergeAuto, Store: tc.store, Window: tc.window, RekeyEvery: time.Hour, Getenv: none})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(notes, tc.want) {
			t.Errorf("%s: notes %q,\nwant %q", tc.name, notes, tc.want)
		}
		if got := OwnKeyNotice(tc.want); got != tc.own {
			t.Errorf("%s: OwnKeyNotice = %q,\nwant %q", tc.name, got, tc.own)
		}
	}
	if got := OwnKeyNotice("claude started"); got != "claude started" {
		t.Errorf("OwnKeyNotice of another notice = %q", got)
	}
}

// A key stored while Google could not be asked (SaveKey) is noted unchecked, and shown so;
// a party's first merge with Gemini shows that it works: the note goes. A merge with
// another key (GEMINI_API_KEY) says nothing of the keyring's.
func TestAMergeWithGeminiChecksAnUncheckedKey(t *testing.T) {
	srv := geminiByKey(t)
	ctx := context.Background()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	store := secrets.New(secrets.Options{Backend: &secretstest.Backend{}, Getenv: getenv, ConfigDir: t.TempDir()})
	env[merge.BaseURLEnv] = gone.URL
	saved, err := keysave.Save(ctx, store, "good-key-0123456789-abcdef", func(k string) merge.GeminiConfig {
		return merge.EnvConfig(k, "", getenv)
	})
	if err != nil || saved.Unchecked == nil {
		t.Fatalf("SaveKey with Google unreachable = %+v, %v", saved, err)
	}
	if !store.Status(ctx).KeyringUnchecked {
		t.Fatal("a key stored unchecked is not noted so")
	}
	env[merge.BaseURLEnv] = srv.URL

	// Another key merges: the keyring's stays unchecked.
	env[secrets.EnvKey] = "other-key-0123456789-abcdef"
	m, _, err := SelectMerger(ctx, MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: time.Hour, Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := m.Merge(ctx, batch); err != nil || res.Merger != wire.MergerGemini {
		t.Fatalf("merge: %q %v", res.Merger, err)
	}
	if !store.Status(ctx).KeyringUnchecked {
		t.Error("a merge with GEMINI_API_KEY's key marked the keyring's key checked")
	}

	delete(env, secrets.EnvKey)
	m, _, err = SelectMerger(ctx, MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: time.Hour, Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := m.Merge(ctx, batch); err != nil || res.Merger != wire.MergerGemini {
		t.Fatalf("merge: %q %v", res.Merger, err)
	}
	if store.Status(ctx).KeyringUnchecked {
		t.Error("after a merge with Gemini the key is still noted unchecked")
	}
}

// A party that stopped using its key (Google refused it, or refused this use of it) takes it
// up again from the next batch once a check Google accepts says it works (a window tester's
// Check said "Prompts are merged with Gemini" while the party went on merging locally until
// the key was replaced). A check before the party began is not news to it; one that found the
// key in use working changes nothing.
func TestAKeyCheckedWorkingIsTakenUpAgain(t *testing.T) {
	for _, refusal := range []string{"refused", "denied for this use", "known refused at the start"} {
		t.Run(refusal, func(t *testing.T) {
			var mu sync.Mutex
			answer := "" // "" merges; else how Google refuses
			if refusal == "known refused at the start" {
				answer = "refused"
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				a := answer
				mu.Unlock()
				switch a {
				case "refused", "known refused at the start":
					testkit.WriteGeminiKeyRefused(w)
				case "denied for this use":
					testkit.WriteGeminiServiceDisabled(w)
				default:
					body, _ := io.ReadAll(r.Body)
					testkit.WriteGeminiMerge(w, body, "GEMINI: all of it")
				}
			}))
			t.Cleanup(srv.Close)
			set := func(a string) { mu.Lock(); answer = a; mu.Unlock() }
			ctx := context.Background()
			store, _ := keyring(t, 0)
			var refused RefusedKeys
			refused.Accepted("good-key") // before the party: not news to it
			if refusal == "known refused at the start" {
				refused.Set("good-key", true)
			}
			m, _, err := SelectMerger(ctx, MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: time.Hour, Window: true,
				Getenv: geminiAt(srv.URL), Refused: &refused})
			if err != nil {
				t.Fatal(err)
			}
			merged := func(what string) merge.Result {
				t.Helper()
				res, err := m.Merge(ctx, batch)
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				return res
			}
			if refusal != "known refused at the start" {
				if res := merged("while it works"); res.Merger != wire.MergerGemini {
					t.Fatalf("while the key works: %q, want gemini", res.Merger)
				}
				refused.Accepted("good-key") // a check of the key in use: nothing to say
				if res := merged("after a check of the key in use"); res.Merger != wire.MergerGemini || len(res.Notices) != 0 {
					t.Fatalf("after a check of the key in use: %q %+v, want gemini and no notice", res.Merger, res.Notices)
				}
				set(refusal)
				if res := merged("refused"); res.Merger != wire.MergerLocal {
					t.Fatalf("refused: %q, want local", res.Merger)
				}
			}
			set("")
			if res := merged("works again, not checked"); res.Merger != wire.MergerLocal {
				t.Fatalf("Google takes the key again, unchecked: %q, want local until a check says so", res.Merger)
			}
			refused.Accepted("good-key")
			res := merged("checked")
			if res.Merger != wire.MergerGemini || !strings.HasPrefix(res.Text, "GEMINI: all of it") {
				t.Fatalf("after an accepted check: %q %q, want gemini", res.Merger, res.Text)
			}
			if want := "merging with Gemini again: Google accepted the host's API key when the host checked it"; len(res.Notices) != 1 || res.Notices[0].Text != want {
				t.Fatalf("after an accepted check, notices %+v, want %q", res.Notices, want)
			}
			if res := merged("the batch after"); res.Merger != wire.MergerGemini || len(res.Notices) != 0 {
				t.Fatalf("the batch after: %q %+v, want gemini, said once", res.Merger, res.Notices)
			}
		})
	}
}

// A key set while the party runs, which Google then refuses for this use, is taken up again
// too once a check finds it works (a reviewer's: only the key the party began with was
// followed, and one set in Settings mid-party stayed unused after its check).
func TestAKeySetMidPartyAndCheckedWorkingIsTakenUpAgain(t *testing.T) {
	var denying atomic.Bool
	denying.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if denying.Load() {
			testkit.WriteGeminiServiceDisabled(w)
			return
		}
		body, _ := io.ReadAll(r.Body)
		testkit.WriteGeminiMerge(w, body, "GEMINI: all of it")
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	store := secrets.New(secrets.Options{Backend: &secretstest.Backend{}, Getenv: func(string) string { return "" }, ConfigDir: t.TempDir()})
	var refused RefusedKeys
	m, _, err := SelectMerger(ctx, MergerOptions{Mode: MergeAuto, Store: store, RekeyEvery: time.Hour, Window: true,
		Getenv: geminiAt(srv.URL), Refused: &refused})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Set(ctx, "set-mid-party"); err != nil {
		t.Fatal(err)
	}
	refused.Accepted("another key") // checks of other keys are not this one's
	// The party began without a key, so it looks only every RekeyEvery: a check of the new
	// key is what makes it look now.
	refused.Accepted("set-mid-party")
	if res, err := m.Merge(ctx, batch); err != nil || res.Merger != wire.MergerLocal {
		t.Fatalf("the new key, denied for this use: %q %v, want local", res.Merger, err)
	}
	denying.Store(false)
	refused.Accepted("set-mid-party")
	res, err := m.Merge(ctx, batch)
	if err != nil || res.Merger != wire.MergerGemini {
		t.Fatalf("after a check Google accepted of the key set mid-party: %q %v, want gemini", res.Merger, err)
	}
}
