package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/settings"
	"github.com/concordia-party/concordia/internal/version"
)

// ---- bound methods: start-up, settings and the Gemini key -------------------------

// Boot is called once when the window starts: settings, key status, version, a pending
// concordia:// link and the tray status.
func (a *App) Boot() (BootInfo, error) {
	s, err := a.settings.Load()
	if err != nil {
		a.log.Warn("load settings; using defaults", "err", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), bootKeyTimeout)
	defer cancel()
	key := a.keyStatus(ctx)
	a.startTray()
	a.mu.Lock()
	link := a.link
	a.link = ""
	a.booted = true
	a.mu.Unlock()
	home, _ := os.UserHomeDir()
	dismissed, err := a.dismissed.List()
	if err != nil {
		a.log.Warn("read dismissed notes; showing them again", "err", err)
	}
	return BootInfo{Settings: s, Key: key, Version: version.Version, Link: link, Tray: a.tray.Status(), Home: home, Dismissed: dismissed}, nil
}

// DismissNote remembers that a person dismissed the note known by key (its text), so that
// the window keeps it hidden after a restart.
func (a *App) DismissNote(key string) error {
	if err := a.dismissed.Add(key); err != nil {
		return a.fail("remember the dismissed note", err)
	}
	return nil
}

// GetSettings returns the saved settings (defaults for what was never saved).
func (a *App) GetSettings() (settings.Settings, error) {
	s, err := a.settings.Load()
	if err != nil {
		a.log.Warn("load settings; using defaults", "err", err)
	}
	return s, nil
}

// SaveSettings validates and saves the settings; it rejects bad values with a sentence
// naming each problem.
func (a *App) SaveSettings(s settings.Settings) (settings.Settings, error) {
	saved, err := a.settings.Save(s)
	if err != nil {
		return settings.Settings{}, a.fail("save settings", err)
	}
	return saved, nil
}

// SetZoom saves the window's text size, in percent (settings.MinZoom to MaxZoom), and
// returns it; the rest of the settings stay as saved.
func (a *App) SetZoom(percent int) (int, error) {
	saved, err := a.settings.RememberZoom(percent)
	if err != nil {
		return saved.Zoom, a.fail("save text size", err)
	}
	return saved.Zoom, nil
}

// KeyStatus says where the Gemini key comes from.
func (a *App) KeyStatus() (KeyStatus, error) {
	ctx, cancel := context.WithTimeout(context.Background(), keyTimeout)
	defer cancel()
	return a.keyStatus(ctx), nil
}

func (a *App) keyStatus(ctx context.Context) KeyStatus {
	st := a.secrets.Status(ctx)
	ks := KeyStatus{
		Source:           string(st.Source),
		KeyringAvailable: st.KeyringAvailable,
		KeyringError:     st.KeyringError,
		LegacyFile:       st.LegacyFile,
		Unchecked:        st.KeyringUnchecked && st.Source == secrets.SourceKeyring,
	}
	if !st.Refused.IsZero() {
		// Noted on disk by the last check or merge of this key, maybe in another process
		// (a window started after `concordia key check` said nothing of it).
		give := refusedGivePasted
		if st.Source == secrets.SourceEnv {
			give = refusedGiveEnv
		}
		ks.Refused = merge.RefusedWhen(st.Refused, give) + "."
	}
	return ks
}

// How a working key is given, after merge.RefusedWhen, in the window.
const (
	refusedGivePasted = "paste a working key in Settings (Check asks Google again)"
	refusedGiveEnv    = "start Concordia with GEMINI_API_KEY set to a working key"
)

// KeyCheck is what Google said about the Gemini key (CheckKey).
type KeyCheck struct {
	// Result is "accepted", "refused" (the key), "rejected" (the model) or "unavailable"
	// (Google could not be reached or asked to come back later).
	Result string `json:"result"`
	// Text says it for a person.
	Text string `json:"text"`
	// Denied: a "refused" for this use only (merge.ErrKeyDenied: the key's project or
	// restrictions). The key itself need not change, and the window must not say it does.
	Denied bool `json:"denied,omitempty"`
}

// CheckKey asks Google whether the Gemini key works (one request, no tokens used).
// It rejects when there is no key or the keyring cannot be read.
func (a *App) CheckKey() (KeyCheck, error) {
	ctx, cancel := context.WithTimeout(context.Background(), checkKeyTimeout)
	defer cancel()
	src, model, err := a.session.CheckKey(ctx)
	if err != nil && !merge.Answered(err) { // no key, the keyring: nothing was asked
		return KeyCheck{}, a.fail("check key", err)
	}
	return describeKeyCheck(src, model, err), nil
}

// SetKey checks the Gemini key with Google and stores it in the OS keyring. A key Google
// refuses as not valid is not stored: it rejects with a sentence saying so (a window
// tester's "abc" was stored and shown as working). When Google cannot be asked, or refuses
// only this use of the key (its project or restrictions: fixed on Google's side), the key
// is stored and its status says it is unchecked; Note says why, and NoteRefused whether
// Google refused it.
func (a *App) SetKey(key string) (KeyStatus, error) {
	ctx, cancel := context.WithTimeout(context.Background(), setKeyTimeout)
	defer cancel()
	saved, err := a.session.SaveKey(ctx, key)
	if err != nil && saved.Unchecked == nil {
		return KeyStatus{}, a.fail("set key", err)
	}
	if err != nil { // stored; the unchecked note is not
		a.log.Warn("set key", "err", err)
	}
	a.dropLegacyKey()
	st := a.keyStatus(ctx)
	switch {
	case errors.Is(saved.Unchecked, merge.ErrKeyDenied):
		// Stored (the person fixes it on Google's side, not by pasting it again), but
		// Google did answer: refused, said so as a check's refusal would be.
		a.log.Info("Gemini key stored; Google refused this use of it", "err", saved.Unchecked)
		st.Note = "Saved, but Google " + merge.Reason(saved.Unchecked) + ", so prompts are merged locally." + keyWords(saved.Unchecked, givePasted)
		st.NoteRefused = true
	case saved.Unchecked != nil:
		a.log.Info("Gemini key stored unchecked", "err", saved.Unchecked)
		st.Note = "Saved, but not checked: " + uncheckedWhy(saved.Unchecked) + ". It shows as not checked until Check, or a party's merge, finds that it works."
	}
	return st, nil
}

// uncheckedWhy says why Google could not say whether a key works, for SetKey's note.
func uncheckedWhy(err error) string {
	if errors.Is(err, merge.ErrRejected) {
		return "Google " + merge.Reason(err) + " for the merging model; the key itself may be fine"
	}
	return "Google could not be reached (" + merge.Reason(err) + ")"
}

// DeleteKey removes the Gemini key from the OS keyring.
func (a *App) DeleteKey() (KeyStatus, error) {
	ctx, cancel := context.WithTimeout(context.Background(), keyTimeout)
	defer cancel()
	if err := a.secrets.Delete(ctx); err != nil {
		return KeyStatus{}, a.fail("delete key", err)
	}
	a.dropLegacyKey()
	return a.keyStatus(ctx), nil
}

// dropLegacyKey removes an older key left in the legacy .env file (the keyring held
// another, so it was not moved in) once the keyring's key is replaced or deleted: it came
// back into the keyring at the next migration (a tester's). A file it cannot clean stays
// listed in the key's status, which says it holds a key.
func (a *App) dropLegacyKey() {
	if _, _, err := a.secrets.DropLegacy(); err != nil {
		a.log.Warn("remove the legacy key", "err", err)
	}
}

// PickDirectory opens the native folder dialog at start (the home folder when start is
// not a folder); "" when cancelled.
func (a *App) PickDirectory(start string) (string, error) {
	sh := a.currentShell()
	if sh == nil {
		return "", errors.New("The window is not ready yet.")
	}
	if st, err := os.Stat(start); start == "" || err != nil || !st.IsDir() {
		start, _ = os.UserHomeDir()
	}
	dir, err := sh.PickDirectory(filepath.Clean(start), "Choose the folder Claude Code works in")
	if err != nil {
		return "", a.fail("pick directory", err)
	}
	return dir, nil
}
