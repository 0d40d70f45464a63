// Package app is the binding layer between the window (frontend/) and Concordia's
// internal packages. It is the only Go code that imports the Wails runtime, and it does
// little: bound methods validate their input, delegate to internal/ (session, settings,
// secrets, invite) and turn errors into one sentence for a person. The window's contract
// is docs/app-api.md. This file holds the App and the window's lifecycle; the bound
// methods are in bind_*.go, a file for each part of that contract (settings and the key,
// the party, host control, the workspace, the transcript).
//
// Everything the App needs from Wails goes through the small shell interface, so that the
// bound methods run in plain `go test` with a fake shell.
//
// Concurrency: Wails runs each bound call on its own goroutine. App.mu guards the shell,
// the pending link and the flags; the session Manager and the stores guard themselves.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/secrets"
	"github.com/concordia-party/concordia/internal/session"
	"github.com/concordia-party/concordia/internal/settings"
	"github.com/concordia-party/concordia/internal/traywin"
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
	// setKeyTimeout bounds SetKey: the keyring, one request to Google
	// (keysave.Timeout), and the keyring again.
	setKeyTimeout = 30 * time.Second
	stopTimeout   = 15 * time.Second
	// callTimeout bounds a host method (a co-host's goes over the network).
	callTimeout = 20 * time.Second
)

// KeyStatus says where the Gemini key comes from; never the key.
type KeyStatus struct {
	Source           string `json:"source"` // "env", "keyring" or "none"
	KeyringAvailable bool   `json:"keyring_available"`
	KeyringError     string `json:"keyring_error"`
	LegacyFile       string `json:"legacy_file"`
	// Unchecked: the keyring's key was saved while Google could not be asked whether it
	// works, and nothing has said so since (a Check, or a party's merge with Gemini).
	Unchecked bool `json:"unchecked"`
	// Note is what saving the key has to say (SetKey only): why it is unchecked. "" else.
	Note string `json:"note,omitempty"`
	// NoteRefused: the note says that Google refused this use of the key (its project or
	// restrictions; the key is stored all the same), rather than that it could not be asked.
	NoteRefused bool `json:"note_refused,omitempty"`
	// Refused says, when Google refused the key in use now as a key the last time it was
	// checked (by Settings' Check, "concordia key check" or a party's merge, in this process
	// or another: secrets.Status.Refused), when that was and what to do, in the words
	// "concordia key status" uses (merge.RefusedWhen). "" when no refusal of it is noted: none
	// was, or Google has accepted it since.
	Refused string `json:"refused,omitempty"`
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
	// PermissionTimeoutMS denies a tool request no host decided after this many
	// milliseconds, 15 s to 24 h (0 = the saved setting).
	PermissionTimeoutMS int64 `json:"permission_timeout_ms"`
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
	// win knows whether the window is hidden in the tray (it guards itself).
	win traywin.Window
	// notices are the notifications in flight that the App sent itself (each ends within
	// the notifier's time limit); shutdown waits for them.
	notices sync.WaitGroup

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
	// stopSignal is the signal that closed the window (nil: a person did): the party's
	// members are told of it (host.EndText), not "the host ended the party".
	stopSignal os.Signal
	asking     bool // the close question is on screen
	// joinCancel ends the join in flight (CancelJoin); nil when none is.
	joinCancel context.CancelFunc
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
			StatusChanged: a.trayChanged,
		})
		a.partyChanged()
	})
}

// signalGrace is how long the close path waits for our copy of a signal before hiding
// the window or asking (see beforeClose).
const signalGrace = 200 * time.Millisecond

// beforeClose decides what the window's close button does. Hosting with a tray: the
// window hides and the party goes on (the first time in a run, a notification says so).
// Hosting without a tray: ask before ending the
// party; "no" keeps the window. Otherwise (after a confirmed quit, the tray's Quit, or
// SIGINT/SIGTERM): close, and shutdown ends the party.
func (a *App) beforeClose() (prevent bool) {
	select {
	case s := <-a.signals: // nil when not subscribed: never ready
		a.mu.Lock()
		a.quitting, a.stopSignal = true, s
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
		case s := <-a.signals:
			a.mu.Lock()
			a.quitting, a.stopSignal = true, s
			a.mu.Unlock()
			return false
		case <-time.After(signalGrace):
		}
	}
	if a.tray.Status().Available {
		first := a.win.Hide()
		sh.Hide()
		if first {
			a.noticeHidden()
		}
		// The tray may have gone between the check and the hide, its news already
		// handled (trayChanged): then nothing could bring the window back.
		if !a.tray.Status().Available && a.win.TrayGone() {
			sh.Show()
		}
		return true
	}
	return !a.askToEnd(sh, "Closing the window")
}

// noticeHidden tells the person, with a desktop notification, that the party goes on in
// the tray and how to bring the window back or end it: the first hide of a run used to be
// silent, and a new user could think the party had ended. It does not wait for the
// notification (beforeClose runs on the window's thread); shutdown waits for it.
func (a *App) noticeHidden() {
	a.mu.Lock()
	if a.shell == nil {
		a.mu.Unlock()
		return // shutting down: its Wait may have begun, and an Add now would race it (a reviewer's)
	}
	a.notices.Add(1) // under mu: shutdown drops the shell under mu before it waits
	a.mu.Unlock()
	go func() {
		defer a.notices.Done()
		if err := a.Notify(traywin.HiddenTitle, traywin.HiddenBody); err != nil {
			a.log.Warn("notify: the window is hidden in the tray", "err", err)
		}
	}()
}

// askToEnd asks the host whether to quit and end the party (endQuestion; doing is
// "Closing the window" or "Quitting"), one question at a time; yes marks the App quitting.
func (a *App) askToEnd(sh shell, doing string) bool {
	a.mu.Lock()
	if a.asking { // one question at a time: the close button was pressed again
		a.mu.Unlock()
		return false
	}
	a.asking = true
	a.mu.Unlock()
	title, message := endQuestion(doing, a.session.Snapshot())
	yes, err := sh.Ask(title, message)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asking = false
	if err != nil {
		a.log.Warn("ask before quitting", "err", err)
		return false
	}
	if yes {
		a.quitting = true
	}
	return yes
}

// endQuestion is the question askToEnd asks (doing: "Closing the window", "Quitting"): what
// the window's End party dialog says, for whom the party ends and the draft in the prompt
// box that is not sent. A window tester's said neither, and had no title: GTK shows the
// title only in a window manager's title bar, so the question also opens the message. The
// message must hold no "%": Wails passes it to GTK as a printf format.
func endQuestion(doing string, s session.Snapshot) (title, message string) {
	var b strings.Builder
	b.WriteString("Quit Concordia and end the party?\n\n")
	switch others := s.Participants - 1; {
	case others <= 0:
		b.WriteString("You are hosting a party, with nobody else in it now. " + doing + " ends it, and the agent stops.")
	case others == 1:
		b.WriteString("You are hosting a party with 1 other person in it. " + doing + " ends it for both of you: the agent stops and they are disconnected.")
	default:
		fmt.Fprintf(&b, "You are hosting a party with %d other people in it. %s ends it for all of you: the agent stops and they are disconnected.", others, doing)
	}
	if s.Draft {
		b.WriteString("\n\nWhat you typed in the prompt box has not been sent, and will not be.")
	}
	return "End the party?", b.String()
}

// quit is the tray's Quit. While hosting it asks first, in the window, as closing it
// without a tray does (a window tester's one click in the tray ended the party for
// everyone; End party… already asked); yes quits, and the party ends on the way out.
func (a *App) quit() {
	sh := a.currentShell()
	if sh == nil {
		return
	}
	if a.session.Snapshot().Role == wire.RoleHost {
		a.show(sh)
		if !a.askToEnd(sh, "Quitting") {
			return
		}
	}
	a.mu.Lock()
	a.quitting = true
	a.mu.Unlock()
	sh.Quit()
}

// shutdown ends the party (participants are told) and removes the tray icon. The
// window is already gone: the shell is dropped first so that nothing is sent to it.
func (a *App) shutdown() {
	a.mu.Lock()
	a.shell = nil
	sig := a.stopSignal
	a.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	endText := host.EndedByHost
	if sig != nil {
		endText = host.EndText(sig)
	}
	if err := a.session.CloseBecause(ctx, endText); err != nil {
		a.log.Warn("end party at shutdown", "err", err)
	}
	a.notices.Wait()
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
		a.show(sh)
	}
}

// show brings the window on screen; it is no longer hidden in the tray.
func (a *App) show(sh shell) {
	a.win.Shown()
	sh.Show()
}

// trayChanged tells the window that a tray host came or went (its banner). When the tray
// goes while the window is hidden in it, the window comes back: nothing else could show
// it, and the party would run on with no way to see or end it (a user tester killed the
// panel and the window stayed hidden until they launched Concordia again).
func (a *App) trayChanged(s TrayStatus) {
	a.emit(EventTrayStatus, s)
	if !s.Available && a.win.TrayGone() {
		a.log.Info("tray: the tray went away while the window was hidden in it: showing the window")
		a.showWindow()
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
		a.show(sh)
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

// findLink returns the first argument that is a concordia:// link, trimmed; else the
// first that is a broken one (the scheme alone, spaces in it), for the join dialog to say
// what is wrong with it: a window tester's `concordia 'concordia://'` raised the window and
// said nothing. One too long to be an invite is passed on cut to just past that length,
// which the dialog says is too long (a user tester's was dropped without a word). "" if
// none.
func findLink(args []string) string {
	broken := ""
	for _, s := range args {
		s = strings.TrimSpace(s)
		if isLink(s) {
			return s
		}
		if broken == "" && strings.HasPrefix(strings.ToLower(s), invite.Scheme+":") {
			broken = s[:min(len(s), maxLinkLen+1)]
		}
	}
	return broken
}

// maxLinkLen is the longest text taken for a link: a whole invite is far shorter.
const maxLinkLen = 4096

// isLink reports whether s looks like one concordia:// link (it may still be invalid).
func isLink(s string) bool {
	const prefix = invite.Scheme + "://"
	return len(s) > len(prefix) && len(s) <= maxLinkLen && strings.EqualFold(s[:len(prefix)], prefix) &&
		!strings.ContainsFunc(s, unicode.IsSpace)
}

// noTray is the tray where there is none (macOS, tests).
type noTray struct{ reason string }

func (noTray) Start(trayHandlers)        {}
func (t noTray) Status() TrayStatus      { return TrayStatus{Available: false, Reason: t.reason} }
func (noTray) Update(s session.Snapshot) {}
func (noTray) Stop()                     {}
