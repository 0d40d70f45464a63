// Package app is the binding layer between the window (frontend/) and Concordia's
// internal packages. It is the only Go code that imports the Wails runtime, and it does
// little: bound methods validate their input, delegate to internal/ (session, settings,
// secrets, invite) and turn errors into one sentence for a person. The window's contract
// is docs/app-api.md.
//
// Everything the App needs from Wails goes through the small shell interface, so that the
// bound methods run in plain `go test` with a fake shell.
//
// Concurrency: Wails runs each bound call on its own goroutine. App.mu guards the shell,
// the pending link and the flags; the session Manager and the stores guard themselves.
package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/session"
	"github.com/concordia-party/concordia/internal/settings"
	"github.com/concordia-party/concordia/internal/transcript"
	"github.com/concordia-party/concordia/internal/version"
	"github.com/concordia-party/concordia/internal/wire"
)

// Window event names the App emits itself (party events come from internal/session).
const (
	EventLink       = "app:link"
	EventTrayStatus = "tray:status"
	// EventTrayEndParty asks the window to open its End party dialog: the tray's End
	// party… shows the window and asks there, as the window's own button does.
	EventTrayEndParty = "tray:end-party"
)

// How long keyring calls may hold up a bound call. The secrets package bounds each call
// too; these keep Boot snappy when a keyring prompt is left unanswered.
const (
	bootKeyTimeout = 3 * time.Second
	keyTimeout     = 8 * time.Second
	// checkKeyTimeout bounds CheckKey: the keyring, then one request to Google.
	checkKeyTimeout = 30 * time.Second
	stopTimeout     = 15 * time.Second
	// callTimeout bounds a host method (a co-host's goes over the network).
	callTimeout = 20 * time.Second
)

// KeyStatus says where the Gemini key comes from; never the key.
type KeyStatus struct {
	Source           string `json:"source"` // "env", "keyring" or "none"
	KeyringAvailable bool   `json:"keyring_available"`
	KeyringError     string `json:"keyring_error"`
	LegacyFile       string `json:"legacy_file"`
}

// TrayStatus says whether the tray icon is shown, and why not.
type TrayStatus struct {
	Available bool   `json:"available"`
	Reason    string `json:"reason"`
}

// BootInfo is what the window needs to start.
type BootInfo struct {
	Settings settings.Settings `json:"settings"`
	Key      KeyStatus         `json:"key"`
	Version  string            `json:"version"`
	Link     string            `json:"link"` // a concordia:// link the app was opened with, or ""
	Tray     TrayStatus        `json:"tray"`
	// Home is the user's home folder ("" when unknown): Create party warns when the agent
	// would work in all of it.
	Home string `json:"home"`
	// Dismissed are the notes a person dismissed (DismissNote), so that they stay hidden
	// after a restart.
	Dismissed []string `json:"dismissed"`
}

// CreateRequest is the Create party form. Zero fields take the saved settings, except
// approve and claude_args, which are used as given (the form starts from the settings).
type CreateRequest struct {
	Name       string `json:"name"`
	Workdir    string `json:"workdir"`
	WindowMS   int64  `json:"window_ms"`
	MinPrompts int    `json:"min_prompts"`
	Merger     string `json:"merger"`
	ClaudePath string `json:"claude_path"`
	// PermissionMode is ask, edits, plan or all.
	PermissionMode string `json:"permission_mode"`
	// ClaudeArgs are extra Claude Code arguments, shell-like words ("--model opus").
	ClaudeArgs string `json:"claude_args"`
	// Approve starts the party in approval mode.
	Approve bool `json:"approve"`
	// ShareWorkspace is what the party sees of the working folder: off, changes or tree
	// ("" = the saved setting).
	ShareWorkspace string `json:"share_workspace"`
}

// PromptAck is a sent prompt's id and the seq of its event.
type PromptAck struct {
	ID  string `json:"id"`
	Seq int64  `json:"seq"`
}

// shell is what the App needs from the window toolkit. wailsShell implements it with the
// Wails runtime; tests use a fake. Its methods may be called from any goroutine.
type shell interface {
	Emit(name string, data any)
	ClipboardText() (string, error)
	SetClipboardText(text string) error
	PickDirectory(start, title string) (string, error)
	// PickFile asks for a file to open (a native dialog); "" when cancelled.
	PickFile(start, title string) (string, error)
	// SaveFile asks where to save a file (a native dialog); "" when cancelled.
	SaveFile(dir, name, title string) (string, error)
	Show()
	Hide()
	Quit()
	// Ask puts a yes/no question; true means yes.
	Ask(title, message string) (bool, error)
}

// tray is the system-tray icon while the app runs.
type tray interface {
	// Start detects whether a tray host exists and shows the icon; idempotent.
	Start(h trayHandlers)
	// Status says whether the icon is shown, and why not.
	Status() TrayStatus
	// Update shows the current party in the menu.
	Update(s session.Snapshot)
	// Stop removes the icon; idempotent.
	Stop()
}

// trayHandlers are the tray menu's actions.
type trayHandlers struct {
	CopyInvite func()
	Show       func()
	End        func()
	Quit       func()
	// StatusChanged is called when a tray host appears or goes away.
	StatusChanged func(TrayStatus)
}

// App is the struct bound to the window. Its exported methods are the window's API;
// everything else is unexported so that Wails does not bind it.
type App struct {
	log      *slog.Logger
	settings *settings.Store
	// dismissed remembers the notes dismissed in the window (the tray note).
	dismissed *settings.Dismissed
	secrets   *secrets.Store
	session   *session.Manager
	tray      tray
	notifier  notifier

	trayOnce sync.Once
	trayMu   sync.Mutex // makes reading the party and showing it in the tray one step
	// signals gets SIGINT and SIGTERM (Run subscribes it). Wails turns them into a close
	// request; beforeClose checks here so that a signal quits instead of hiding or asking.
	signals chan os.Signal

	mu       sync.Mutex // guards the fields below
	shell    shell      // nil until the window starts and after it shuts down
	link     string     // a link that arrived before the window asked for it
	booted   bool       // Boot ran: links go to the window as app:link
	quitting bool       // a quit was confirmed: the close button may close
	asking   bool       // the close question is on screen
}

// config assembles an App; tests fill it with temp dirs and fakes.
type config struct {
	settingsPath string
	dataDir      string
	secrets      *secrets.Store
	tray         tray
	notifier     notifier // nil: none
	logger       *slog.Logger
	// insecure and backoff are for tests (plain ws:// parties, fast reconnects).
	insecure bool
	backoff  []time.Duration
}

func newApp(cfg config) *App {
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.secrets == nil {
		cfg.secrets = secrets.New(secrets.Options{Logger: cfg.logger})
	}
	if cfg.tray == nil {
		cfg.tray = noTray{reason: "The tray icon is not available."}
	}
	if cfg.notifier == nil {
		cfg.notifier = noNotifier{}
	}
	a := &App{
		log:       cfg.logger,
		settings:  settings.NewStore(cfg.settingsPath),
		dismissed: settings.NewDismissed(settings.DismissedPath(cfg.settingsPath)),
		secrets:   cfg.secrets,
		tray:      cfg.tray,
		notifier:  cfg.notifier,
	}
	a.session = session.New(session.Config{
		Emitter:       emitter{a},
		DataDir:       cfg.dataDir,
		Secrets:       cfg.secrets,
		Describe:      describe,
		OnChange:      a.partyChanged,
		Logger:        cfg.logger,
		Insecure:      cfg.insecure,
		ClientBackoff: cfg.backoff,
	})
	return a
}

// emitter forwards session events to the window.
type emitter struct{ a *App }

func (e emitter) Emit(name string, data any) { e.a.emit(name, data) }

// emit sends an event to the window; it is dropped when there is no window.
func (a *App) emit(name string, data any) {
	a.mu.Lock()
	sh := a.shell
	a.mu.Unlock()
	if sh != nil {
		sh.Emit(name, data)
	}
}

func (a *App) currentShell() shell {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.shell
}

// fail logs the technical cause of a failed call and returns the sentence for the window.
func (a *App) fail(op string, err error) error {
	a.log.Warn(op, "err", err)
	return errors.New(sentence(err))
}

// ---- window lifecycle (unexported: not bound) --------------------------------

// attach gives the App its window. It has no other effect: a second instance runs it too
// before it hands its link to the first one and exits.
func (a *App) attach(sh shell) {
	a.mu.Lock()
	a.shell = sh
	a.mu.Unlock()
}

// startTray shows the tray icon once the window is up (Boot or DOM ready, whichever
// comes first).
func (a *App) startTray() {
	a.trayOnce.Do(func() {
		a.tray.Start(trayHandlers{
			CopyInvite: func() {
				if err := a.CopyInvite(); err != nil {
					a.log.Warn("tray: copy invite", "err", err)
				}
			},
			Show:          a.showWindow,
			End:           a.askEndParty,
			Quit:          a.quit,
			StatusChanged: func(s TrayStatus) { a.emit(EventTrayStatus, s) },
		})
		a.partyChanged()
	})
}

// signalGrace is how long the close path waits for our copy of a signal before hiding
// the window or asking (see beforeClose).
const signalGrace = 200 * time.Millisecond

// beforeClose decides what the window's close button does. Hosting with a tray: the
// window hides and the party goes on. Hosting without a tray: ask before ending the
// party; "no" keeps the window. Otherwise (after a confirmed quit, the tray's Quit, or
// SIGINT/SIGTERM): close, and shutdown ends the party.
func (a *App) beforeClose() (prevent bool) {
	select {
	case <-a.signals: // nil when not subscribed: never ready
		a.mu.Lock()
		a.quitting = true
		a.mu.Unlock()
	default:
	}
	a.mu.Lock()
	quitting, sh := a.quitting, a.shell
	a.mu.Unlock()
	if quitting || sh == nil || a.session.Snapshot().Role != wire.RoleHost {
		return false
	}
	if a.signals != nil {
		// Wails has its own copy of SIGINT/SIGTERM and may call here before ours is
		// delivered: without this wait a signal now and then asked "End the party?" of
		// nobody (a CI run's window did not quit within 20 s of SIGTERM). Before hiding
		// or asking, give the signal a moment to show up.
		select {
		case <-a.signals:
			a.mu.Lock()
			a.quitting = true
			a.mu.Unlock()
			return false
		case <-time.After(signalGrace):
		}
	}
	if a.tray.Status().Available {
		sh.Hide()
		return true
	}
	a.mu.Lock()
	if a.asking { // one question at a time: the close button was pressed again
		a.mu.Unlock()
		return true
	}
	a.asking = true
	a.mu.Unlock()
	yes, err := sh.Ask("End the party?", "You are hosting a party. Closing Concordia ends it for everyone.\n\nQuit and end the party?")
	a.mu.Lock()
	a.asking = false
	a.mu.Unlock()
	if err != nil {
		a.log.Warn("ask before closing", "err", err)
		return true
	}
	if !yes {
		return true
	}
	a.mu.Lock()
	a.quitting = true
	a.mu.Unlock()
	return false
}

// quit quits for good (the tray's Quit): a hosted party ends on the way out.
func (a *App) quit() {
	a.mu.Lock()
	a.quitting = true
	sh := a.shell
	a.mu.Unlock()
	if sh != nil {
		sh.Quit()
	}
}

// shutdown ends the party (participants are told) and removes the tray icon. The
// window is already gone: the shell is dropped first so that nothing is sent to it.
func (a *App) shutdown() {
	a.mu.Lock()
	a.shell = nil
	a.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := a.session.Close(ctx); err != nil {
		a.log.Warn("end party at shutdown", "err", err)
	}
	a.tray.Stop()
}

// askEndParty is the tray's End party…: the window comes forward and opens its End party
// dialog, so that one stray click in a menu never ends a party for everyone. Only a host
// is asked (the item is disabled otherwise); the dialog's button calls EndParty.
func (a *App) askEndParty() {
	if a.session.Snapshot().Role != wire.RoleHost {
		return
	}
	a.showWindow()
	a.emit(EventTrayEndParty, nil)
}

func (a *App) showWindow() {
	if sh := a.currentShell(); sh != nil {
		sh.Show()
	}
}

// openLink takes a concordia:// link from the OS (second instance, macOS URL event).
// Before the window has booted it is kept for Boot; after, it goes out as app:link.
func (a *App) openLink(link string) {
	a.mu.Lock()
	if !a.booted {
		a.link = link
		a.mu.Unlock()
		return
	}
	sh := a.shell
	a.mu.Unlock()
	if sh != nil {
		sh.Show()
		sh.Emit(EventLink, link)
	}
}

// secondInstance handles a second launch: bring the window forward, pass its link on.
func (a *App) secondInstance(args []string) {
	a.showWindow()
	if link := findLink(args); link != "" {
		a.openLink(link)
	}
}

// partyChanged keeps the tray in step with the party. It runs on whichever goroutine saw
// the change; trayMu makes each read-and-show one step, so the newest state is shown last.
func (a *App) partyChanged() {
	a.trayMu.Lock()
	defer a.trayMu.Unlock()
	a.tray.Update(a.session.Snapshot())
}

// findLink returns the first argument that is a concordia:// link, trimmed; "" if none.
func findLink(args []string) string {
	for _, s := range args {
		s = strings.TrimSpace(s)
		if isLink(s) {
			return s
		}
	}
	return ""
}

// isLink reports whether s looks like one concordia:// link (it may still be invalid).
func isLink(s string) bool {
	const prefix = invite.Scheme + "://"
	return len(s) > len(prefix) && len(s) <= 4096 && strings.EqualFold(s[:len(prefix)], prefix) &&
		!strings.ContainsFunc(s, unicode.IsSpace)
}

// ---- bound methods -------------------------------------------------------------

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

// KeyStatus says where the Gemini key comes from.
func (a *App) KeyStatus() (KeyStatus, error) {
	ctx, cancel := context.WithTimeout(context.Background(), keyTimeout)
	defer cancel()
	return a.keyStatus(ctx), nil
}

func (a *App) keyStatus(ctx context.Context) KeyStatus {
	st := a.secrets.Status(ctx)
	return KeyStatus{
		Source:           string(st.Source),
		KeyringAvailable: st.KeyringAvailable,
		KeyringError:     st.KeyringError,
		LegacyFile:       st.LegacyFile,
	}
}

// KeyCheck is what Google said about the Gemini key (CheckKey).
type KeyCheck struct {
	// Result is "accepted", "refused" (the key), "rejected" (the model) or "unavailable"
	// (Google could not be reached or asked to come back later).
	Result string `json:"result"`
	// Text says it for a person.
	Text string `json:"text"`
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

// SetKey stores the Gemini key in the OS keyring.
func (a *App) SetKey(key string) (KeyStatus, error) {
	ctx, cancel := context.WithTimeout(context.Background(), keyTimeout)
	defer cancel()
	if err := a.secrets.Set(ctx, key); err != nil {
		return KeyStatus{}, a.fail("set key", err)
	}
	return a.keyStatus(ctx), nil
}

// DeleteKey removes the Gemini key from the OS keyring.
func (a *App) DeleteKey() (KeyStatus, error) {
	ctx, cancel := context.WithTimeout(context.Background(), keyTimeout)
	defer cancel()
	if err := a.secrets.Delete(ctx); err != nil {
		return KeyStatus{}, a.fail("delete key", err)
	}
	return a.keyStatus(ctx), nil
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

// ClipboardInvite returns the clipboard's text when it is a concordia:// link (valid or
// not: the join dialog says what is wrong), the link alone when a text around it (a chat
// message) holds a valid one, the whole text when it holds a broken one (the dialog cuts
// the link out and says what is wrong with it), else "".
func (a *App) ClipboardInvite() (string, error) {
	sh := a.currentShell()
	if sh == nil {
		return "", nil
	}
	text, err := sh.ClipboardText()
	if err != nil {
		a.log.Debug("read clipboard", "err", err)
		return "", nil
	}
	if text = strings.TrimSpace(text); isLink(text) {
		return text, nil
	}
	// A chat message with the link in it, or a link a terminal wrapped: the link alone.
	if len(text) <= 16<<10 {
		if link, _, err := invite.Find(text); err == nil {
			return link, nil
		}
		// A broken one in a message was dropped without a word, though the same link alone
		// was explained.
		if strings.Contains(strings.ToLower(text), invite.Scheme+"://") {
			return text, nil
		}
	}
	return "", nil
}

// CheckInvite returns "" for a valid invite, else exactly what is wrong with it.
func (a *App) CheckInvite(text string) (string, error) {
	// A token of another length than ours is still a valid invite (PROTOCOL.md §2: any
	// token of at least 128 bits): whether it was cut short is said if the host refuses it.
	if _, err := invite.Parse(text); err != nil {
		return sentence(err), nil
	}
	return "", nil
}

// CreateParty starts hosting a party with the window's person taking part. Fields left
// zero take the saved settings; the listen address and public host always do.
func (a *App) CreateParty(req CreateRequest) (session.Info, error) {
	r, err := a.hostRequest(req)
	if err != nil {
		return session.Info{}, a.fail("create party", err)
	}
	info, err := a.session.Host(context.Background(), r)
	if err != nil {
		return session.Info{}, a.fail("create party", hostError{err: err, listen: r.Listen, claude: r.ClaudePath})
	}
	// What was typed is offered again next time (best effort: the party runs anyway).
	if _, err := a.settings.Remember(settings.Chosen{
		Name: r.Name, Workdir: r.Workdir, ClaudePath: r.ClaudePath, PermissionMode: r.PermissionMode,
		ShareWorkspace: r.ShareWorkspace, Approve: r.Approve, WindowMS: r.Window.Milliseconds(),
		MinPrompts: r.MinPrompts, Merger: r.Merger, ClaudeArgs: strings.TrimSpace(req.ClaudeArgs),
	}); err != nil {
		a.log.Warn("remember the Create party values", "err", err)
	}
	return info, nil
}

// CheckCreate says what is wrong with the Create party form, as CreateParty would,
// without starting anything: "" when the name, folder, Claude Code path (found on disk
// or on PATH) and options are fine. The form re-checks with it as a field is edited.
func (a *App) CheckCreate(req CreateRequest) (string, error) {
	r, err := a.hostRequest(req)
	if err != nil {
		return sentence(err), nil
	}
	if err := session.CheckHost(r); err != nil {
		return sentence(hostError{err: err, listen: r.Listen, claude: r.ClaudePath}), nil
	}
	return "", nil
}

// PickClaude opens the native file dialog to choose the Claude Code program, in the
// folder of current when it names one (else the home folder); "" when cancelled.
func (a *App) PickClaude(current string) (string, error) {
	sh := a.currentShell()
	if sh == nil {
		return "", errors.New("The window is not ready yet.")
	}
	start := filepath.Dir(strings.TrimSpace(current))
	if st, err := os.Stat(start); !filepath.IsAbs(start) || err != nil || !st.IsDir() {
		start, _ = os.UserHomeDir()
	}
	path, err := sh.PickFile(filepath.Clean(start), "Choose the Claude Code program")
	if err != nil {
		return "", a.fail("pick the Claude Code program", err)
	}
	return path, nil
}

// hostRequest is the party CreateParty starts for req: fields left zero take the saved
// settings; the listen address and public host always do.
func (a *App) hostRequest(req CreateRequest) (session.HostRequest, error) {
	s, err := a.settings.Load()
	if err != nil {
		a.log.Warn("load settings; using defaults", "err", err)
	}
	if err := settings.CheckClaudeArgs(strings.TrimSpace(req.ClaudeArgs)); err != nil {
		return session.HostRequest{Listen: s.Listen, ClaudePath: req.ClaudePath}, err
	}
	args, _ := settings.SplitArgs(strings.TrimSpace(req.ClaudeArgs)) // checked just above
	r := session.HostRequest{
		Name: req.Name, Workdir: req.Workdir, Window: time.Duration(req.WindowMS) * time.Millisecond,
		MinPrompts: req.MinPrompts, Merger: req.Merger, ClaudePath: req.ClaudePath, ClaudeArgs: args,
		Listen: s.Listen, PublicHost: s.PublicHost, PermissionMode: req.PermissionMode, Approve: req.Approve,
	}
	if strings.TrimSpace(r.PermissionMode) == "" {
		r.PermissionMode = s.PermissionMode
	}
	if r.ShareWorkspace = req.ShareWorkspace; strings.TrimSpace(r.ShareWorkspace) == "" {
		r.ShareWorkspace = s.ShareWorkspace
	}
	if strings.TrimSpace(r.Name) == "" {
		r.Name = s.Name
	}
	if strings.TrimSpace(r.Workdir) == "" {
		r.Workdir = s.Workdir
	}
	if req.WindowMS == 0 {
		r.Window = time.Duration(s.WindowMS) * time.Millisecond
	}
	if r.MinPrompts == 0 {
		r.MinPrompts = s.MinPrompts
	}
	if strings.TrimSpace(r.Merger) == "" {
		r.Merger = s.Merger
	}
	if strings.TrimSpace(r.ClaudePath) == "" {
		r.ClaudePath = s.ClaudePath
	}
	return r, nil
}

// RecentParties lists the last parties kept in the data directory (the most recently
// active first, ten at most), for Resume on the home screen.
func (a *App) RecentParties() ([]session.RecentParty, error) {
	list, err := a.session.RecentParties()
	if err != nil {
		return nil, a.fail("recent parties", err)
	}
	return list, nil
}

// ResumeParty brings back a party from its journal with its id, invites, port, history and
// settings; the window's person is its host again. shareAtMost caps what it shares of its
// folder: the level the window showed, or the answer to its question when that was the
// whole folder ("" = the level the party had; see session.ResumeOptions).
func (a *App) ResumeParty(id, shareAtMost string) (session.Info, error) {
	opt := session.ResumeOptions{ShareAtMost: shareAtMost}
	info, err := a.session.Resume(context.Background(), strings.TrimSpace(id), opt)
	if err != nil {
		var se *session.StartError
		if errors.As(err, &se) {
			err = hostError{err: se.Err, listen: se.Listen, claude: se.ClaudePath}
		}
		return session.Info{}, a.fail("resume party", err)
	}
	return info, nil
}

// JoinParty joins the party of an invite (TLS pinned to its fingerprint).
func (a *App) JoinParty(link, name string) (session.Info, error) {
	info, err := a.session.Join(context.Background(), link, name)
	if err != nil {
		if inv, perr := invite.Parse(link); perr == nil && errors.Is(err, client.ErrRefused) {
			if cerr := invite.CheckComplete(inv); cerr != nil {
				err = fmt.Errorf("%w: %w", err, cerr) // refused, and its token is not like ours
			}
		}
		return session.Info{}, a.fail("join party", err)
	}
	return info, nil
}

// SendPrompt sends a prompt as the window's person.
func (a *App) SendPrompt(text string) (PromptAck, error) {
	res, err := a.session.Prompt(context.Background(), text)
	if err != nil {
		return PromptAck{}, a.fail("send prompt", err)
	}
	return PromptAck{ID: res.ID, Seq: res.Seq}, nil
}

// WithdrawPrompt takes back a prompt that no batch has taken yet (the person's own, or
// anyone's for a host).
func (a *App) WithdrawPrompt(id string) error {
	return a.control("withdraw prompt", func(ctx context.Context) error { return a.session.Withdraw(ctx, id) })
}

// Leave leaves the party; for the host it ends the party.
func (a *App) Leave() error {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := a.session.Leave(ctx); err != nil && !errors.Is(err, session.ErrNoParty) {
		return a.fail("leave party", err)
	}
	return nil
}

// RetryNow tries to reach the host at once while the window is reconnecting.
func (a *App) RetryNow() error {
	if err := a.session.RetryNow(); err != nil {
		return a.fail("retry now", err)
	}
	return nil
}

// EndParty ends the hosted party for everyone.
func (a *App) EndParty() error {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := a.session.End(ctx); err != nil {
		return a.fail("end party", err)
	}
	return nil
}

// CopyInvite puts the party's invite on the clipboard.
func (a *App) CopyInvite() error {
	return a.copyInvite("copy invite", func(inv wire.Invites) string { return inv.Invite },
		"This window does not know the party's invite yet. Try again in a moment.")
}

// CopyViewerInvite puts the party's viewer invite on the clipboard.
func (a *App) CopyViewerInvite() error {
	return a.copyInvite("copy viewer invite", func(inv wire.Invites) string { return inv.ViewerInvite },
		"This window does not know the viewer invite. Make new invites to get one.")
}

// CopyHostInvite puts the party's host invite on the clipboard (a party hosted with no
// terminal of its own has one; its hosts see it).
func (a *App) CopyHostInvite() error {
	return a.copyInvite("copy host invite", func(inv wire.Invites) string { return inv.HostInvite },
		"This party has no host invite.")
}

// copyInvite puts the invite pick chooses on the clipboard; missing is said when there is
// none.
func (a *App) copyInvite(what string, pick func(wire.Invites) string, missing string) error {
	inv, err := a.session.Invites()
	if err != nil {
		return a.fail(what, err)
	}
	link := pick(inv)
	if link == "" {
		return errors.New(missing)
	}
	sh := a.currentShell()
	if sh == nil {
		return errors.New("The window is not ready yet.")
	}
	if err := sh.SetClipboardText(link); err != nil {
		return a.fail(what, err)
	}
	return nil
}

// ---- host methods (PROTOCOL.md §7): a host of the party only --------------------

// control runs a host method with a time limit and turns its error into a sentence.
func (a *App) control(op string, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if err := f(ctx); err != nil {
		return a.fail(op, err)
	}
	return nil
}

// SetApproval turns approval mode on (each merged prompt waits for a host) or off.
func (a *App) SetApproval(on bool) error {
	return a.control("set approval", func(ctx context.Context) error { return a.session.SetApproval(ctx, on) })
}

// SetPermissionMode sets what the agent may do without asking a host, from now on: "ask",
// "edits", "plan" or "all".
func (a *App) SetPermissionMode(mode string) error {
	return a.control("set tool permissions", func(ctx context.Context) error { return a.session.SetPermissionMode(ctx, mode) })
}

// ApproveBatch sends the batch waiting for approval as it was merged.
func (a *App) ApproveBatch(batch string) error {
	return a.control("approve batch", func(ctx context.Context) error { return a.session.Approve(ctx, batch, nil) })
}

// ApproveEditedBatch sends the batch waiting for approval with text instead of the merged text.
func (a *App) ApproveEditedBatch(batch, text string) error {
	return a.control("approve edited batch", func(ctx context.Context) error { return a.session.Approve(ctx, batch, &text) })
}

// RejectBatch drops the batch waiting for approval; its authors see who and why.
func (a *App) RejectBatch(batch, reason string) error {
	return a.control("reject batch", func(ctx context.Context) error { return a.session.Reject(ctx, batch, reason) })
}

// StopTurn interrupts the running turn.
func (a *App) StopTurn() error {
	return a.control("stop turn", func(ctx context.Context) error { return a.session.Interrupt(ctx) })
}

// DecidePermission answers a pending tool request: "allow", "deny" (reason goes to the
// agent) or "always" (allow this tool from now on).
func (a *App) DecidePermission(id, decision, reason string) error {
	return a.control("decide tool request", func(ctx context.Context) error {
		return a.session.Decide(ctx, id, decision, strings.TrimSpace(reason))
	})
}

// RevokeAlways makes a tool that a host allowed "always" ask again.
func (a *App) RevokeAlways(tool string) error {
	return a.control("revoke always allow", func(ctx context.Context) error { return a.session.RevokeAlways(ctx, tool) })
}

// SetRole makes a member a host (co-host), participant or viewer.
func (a *App) SetRole(member, role string) error {
	return a.control("set role", func(ctx context.Context) error { return a.session.SetRole(ctx, member, role) })
}

// Kick removes a member from the party.
func (a *App) Kick(member, reason string) error {
	return a.control("kick", func(ctx context.Context) error { return a.session.Kick(ctx, member, strings.TrimSpace(reason)) })
}

// NewInvites replaces both invites; the old links stop working. The window also gets
// them as party:invites.
func (a *App) NewInvites() (wire.Invites, error) {
	var inv wire.Invites
	err := a.control("new invites", func(ctx context.Context) error {
		var err error
		inv, err = a.session.RotateInvite(ctx)
		return err
	})
	if err != nil {
		return wire.Invites{}, err
	}
	a.partyChanged()
	return inv, nil
}

// AgentCommand queues an agent slash command such as /compact; it runs when the agent is
// next free.
func (a *App) AgentCommand(command string) error {
	return a.control("agent command", func(ctx context.Context) error { return a.session.AgentCommand(ctx, command) })
}

// ---- the workspace (PROTOCOL.md §9): every member, at the level the host shares ----

// Changes lists the files the agent changed since the party began.
func (a *App) Changes() (wire.ChangesResult, error) {
	var res wire.ChangesResult
	err := a.control("list changes", func(ctx context.Context) (err error) {
		res, err = a.session.Changes(ctx)
		return err
	})
	return res, err
}

// Diff is one changed file's unified diff (truncated past 256 KiB; binary files named).
func (a *App) Diff(path string) (wire.FileDiff, error) {
	var res wire.FileDiff
	err := a.control("show diff", func(ctx context.Context) (err error) {
		res, err = a.session.Diff(ctx, path)
		return err
	})
	return res, err
}

// Tree lists a folder of the working directory ("" is its top) when the host shares it.
func (a *App) Tree(path string) (wire.TreeResult, error) {
	var res wire.TreeResult
	err := a.control("list folder", func(ctx context.Context) (err error) {
		res, err = a.session.Tree(ctx, path)
		return err
	})
	return res, err
}

// SetWorkspace changes what the party sees of the working folder (a host): off, changes
// or tree.
func (a *App) SetWorkspace(level string) error {
	return a.control("set workspace sharing", func(ctx context.Context) error { return a.session.SetWorkspace(ctx, level) })
}

// ---- the transcript -------------------------------------------------------------

// SaveTranscript asks where to save the party's transcript (the current party, or the one
// that just ended) and writes it there as Markdown. It returns the path, or "" when the
// person cancelled.
func (a *App) SaveTranscript() (string, error) {
	tr, err := a.session.Transcript()
	if err != nil {
		return "", a.fail("save transcript", err)
	}
	sh := a.currentShell()
	if sh == nil {
		return "", errors.New("The window is not ready yet.")
	}
	home, _ := os.UserHomeDir()
	path, err := sh.SaveFile(transcriptDir(home), transcriptName(tr, time.Now()), "Save the transcript as Markdown")
	if err != nil {
		return "", a.fail("save transcript", err)
	}
	if path == "" {
		return "", nil
	}
	var b bytes.Buffer
	meta := transcript.Meta{Host: tr.Party.Host, Party: tr.Party.ID, Agent: tr.Party.Agent, Saved: time.Now(), Ended: endedFor(tr.Ended, tr.You.Name), Viewer: tr.You.Name}
	if err := transcript.Markdown(&b, meta, tr.Events); err != nil {
		return "", a.fail("save transcript", err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		return "", a.fail("save transcript", fmt.Errorf("write %s: %w", path, err))
	}
	return path, nil
}

// endedFor says the window's end reason ("you ended the party") with the person's name, for
// a file others read: "you" there is whoever opens it (a tester's).
func endedFor(reason, name string) string {
	if name == "" {
		return reason
	}
	if rest, ok := strings.CutPrefix(reason, "you "); ok {
		return name + " " + rest
	}
	return strings.Replace(reason, " removed you ", " removed "+name+" ", 1)
}

// transcriptDir is the folder the save dialog opens in: the Documents folder in home when
// there is one, else home; not the party's working folder (unless it is one of those): a
// transcript saved there is in the agent's folder, and after a resume it showed in Changes
// as if the agent had made it.
func transcriptDir(home string) string {
	if home == "" {
		return ""
	}
	docs := filepath.Join(home, "Documents")
	if st, err := os.Stat(docs); err == nil && st.IsDir() {
		return docs
	}
	return home
}

// transcriptName is the file name the save dialog proposes: "concordia-hazel-2025-03-01.md".
func transcriptName(tr session.Transcript, now time.Time) string {
	host := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' {
			return unicode.ToLower(r)
		}
		return '-'
	}, tr.Party.Host)
	if host = strings.Trim(host, "-"); host == "" {
		host = "party"
	}
	return fmt.Sprintf("concordia-%s-%s.md", host, now.Format("2006-01-02-1504"))
}

// DismissParty forgets the transcript of a party that ended (the person went home).
func (a *App) DismissParty() {
	a.session.Forget()
}

// Notify shows a desktop notification (the window calls it when it is hidden or
// unfocused and something needs a person), unless the person turned them off in Settings
// (then it does nothing). It is best effort: a system without notifications is logged,
// not reported.
func (a *App) Notify(title, body string) error {
	title, body = notifyText(title, maxNotifyTitle), notifyText(body, maxNotifyBody)
	if title == "" {
		return errors.New("A notification needs a title.")
	}
	if s, err := a.settings.Load(); err == nil && !s.Notifications {
		return nil
	}
	if err := a.notifier.Notify(title, body); err != nil {
		a.log.Debug("notify", "err", err)
	}
	return nil
}

// noTray is the tray where there is none (macOS, tests).
type noTray struct{ reason string }

func (noTray) Start(trayHandlers)        {}
func (t noTray) Status() TrayStatus      { return TrayStatus{Available: false, Reason: t.reason} }
func (noTray) Update(s session.Snapshot) {}
func (noTray) Stop()                     {}
