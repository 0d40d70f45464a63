//go:build linux || windows

package app

import (
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"fyne.io/systray"

	"github.com/concordia-party/concordia/internal/session"
	"github.com/concordia-party/concordia/internal/traywin"
	"github.com/concordia-party/concordia/internal/wire"
)

// sysTray is the tray icon through fyne.io/systray, which runs beside Wails: on Linux it
// speaks StatusNotifierItem over D-Bus (no GTK), on Windows it runs its own message loop
// on a locked thread. The systray library is a process-wide singleton, so there is at
// most one sysTray per process.
//
// Concurrency: mu guards the fields below it; applyMu serialises menu refreshes. The
// systray goroutine (run) and the click loop are owned by Start and ended by Stop.
type sysTray struct {
	log  *slog.Logger
	icon []byte

	applyMu   sync.Mutex // one menu refresh at a time, always from the newest snapshot
	mu        sync.Mutex
	status    TrayStatus
	items     *trayItems // nil until the menu is built
	snap      session.Snapshot
	started   bool // the systray goroutine runs
	stopped   bool
	stopProbe func()
	stop      chan struct{} // closed by Stop: ends the click loop
	done      chan struct{} // closed when the systray goroutine has returned
}

type trayItems struct {
	count, copyInvite, show, end, quit *systray.MenuItem
}

func newTray(log *slog.Logger, icon []byte) tray {
	return &sysTray{log: log, icon: icon, stop: make(chan struct{}), done: make(chan struct{}),
		status: TrayStatus{Reason: "The tray icon has not started yet."}}
}

// Start probes for a tray host and starts the icon. Without a session bus at all the
// icon is not started (the library would start a private bus, and can panic when it
// stops); without a tray host it is started anyway, so that it shows up as soon as a
// panel appears.
func (t *sysTray) Start(h trayHandlers) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.started || t.stopped {
		return
	}
	status, canRun, watch := probeTray(t.log)
	t.status = status
	if !canRun {
		return
	}
	t.started = true
	go t.run(h)
	if watch != nil {
		t.stopProbe = watch(func(available bool) {
			t.mu.Lock()
			if available {
				t.status = TrayStatus{Available: true}
			} else {
				t.status = noTrayHost
			}
			st := t.status
			t.mu.Unlock()
			if h.StatusChanged != nil {
				h.StatusChanged(st)
			}
		})
	}
}

// run owns the systray event loop until Stop.
func (t *sysTray) run(h trayHandlers) {
	defer close(t.done)
	defer func() {
		// With no usable session bus the library panics while stopping; the tray is
		// gone either way, and the app must not go down with it.
		if r := recover(); r != nil {
			t.log.Info("tray stopped with a panic", "panic", fmt.Sprint(r))
		}
	}()
	// Windows: the tray's hidden window and its message loop must share one thread.
	runtime.LockOSThread()
	systray.Run(func() { t.ready(h) }, nil)
}

// ready builds the menu; systray calls it on its own goroutine.
func (t *sysTray) ready(h trayHandlers) {
	systray.SetIcon(t.icon)
	systray.SetTitle(Title)
	systray.SetTooltip(Title)
	it := &trayItems{}
	it.count = systray.AddMenuItem("Not in a party", "")
	it.count.Disable()
	systray.AddSeparator()
	it.copyInvite = systray.AddMenuItem("Copy invite", "Copy the party's invite link")
	it.show = systray.AddMenuItem("Show window", "")
	it.end = systray.AddMenuItem("End party…", "Ask, in the window, before ending the party for everyone")
	systray.AddSeparator()
	it.quit = systray.AddMenuItem("Quit", "Quit Concordia (while you host, it asks first: the party ends)")
	t.mu.Lock()
	t.items = it
	t.mu.Unlock()
	t.refresh()
	go t.clicks(it, h)
}

// clicks runs the menu's actions until Stop. Each action runs on its own goroutine so
// that the loop is always ready for the next click (systray drops clicks nobody takes).
func (t *sysTray) clicks(it *trayItems, h trayHandlers) {
	for {
		var f func()
		select {
		case <-it.copyInvite.ClickedCh:
			f = h.CopyInvite
		case <-it.show.ClickedCh:
			f = h.Show
		case <-it.end.ClickedCh:
			f = h.End
		case <-it.quit.ClickedCh:
			f = h.Quit
		case <-t.stop:
			return
		}
		if f != nil {
			go f()
		}
	}
}

// Status says whether the icon is shown.
func (t *sysTray) Status() TrayStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.status
}

// Update shows the party in the menu.
func (t *sysTray) Update(s session.Snapshot) {
	t.mu.Lock()
	t.snap = s
	t.mu.Unlock()
	t.refresh()
}

// refresh shows the newest snapshot once the menu exists.
func (t *sysTray) refresh() {
	t.applyMu.Lock()
	defer t.applyMu.Unlock()
	t.mu.Lock()
	it, s := t.items, t.snap
	t.mu.Unlock()
	if it == nil {
		return
	}
	label, tip := traywin.Label(Title, s)
	it.count.SetTitle(label)
	systray.SetTooltip(tip)
	setEnabled(it.copyInvite, s.Invite != "")
	setEnabled(it.end, s.Role == wire.RoleHost)
}

func setEnabled(item *systray.MenuItem, on bool) {
	if on {
		item.Enable()
	} else {
		item.Disable()
	}
}

// Stop removes the icon and waits briefly for the tray's goroutine; idempotent.
func (t *sysTray) Stop() {
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return
	}
	t.stopped = true
	started, stopProbe := t.started, t.stopProbe
	close(t.stop)
	t.mu.Unlock()
	if stopProbe != nil {
		stopProbe()
	}
	if !started {
		return
	}
	systray.Quit()
	select {
	case <-t.done:
	case <-time.After(2 * time.Second):
		t.log.Info("tray did not stop in time")
	}
}

var _ tray = (*sysTray)(nil)
