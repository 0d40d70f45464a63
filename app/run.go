package app

import (
	"context"
	_ "embed"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/options/mac"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/concordia-party/concordia/internal/settings"
)

// Title is the window's title; end-to-end tests find the window by it.
const Title = "Concordia"

// UniqueID names the single-instance lock: a second launch hands its arguments (a
// concordia:// link) to the running app and exits.
const UniqueID = "io.github.concordia-party.concordia"

//go:embed trayicon.png
var iconPNG []byte

// DisplayError is a window that could not open because GTK could not: DISPLAY names an
// X server that does not answer (a stale one in tmux, a broken ssh -X), or only
// WAYLAND_DISPLAY is set while Wails makes GTK use X11. (With neither set, the program
// says so before it gets here.)
type DisplayError struct {
	// Link: the app was opened with a concordia:// link (which hideLink has taken out of
	// the arguments by then).
	Link bool
}

func (e *DisplayError) Error() string { return "GTK could not open the display" }

// gtkInitFailed is what Wails panics with when gtk_init_check fails (its
// internal/frontend/desktop/linux/frontend.go).
const gtkInitFailed = "failed to init GTK"

// Run opens the window and returns when it is closed. assets holds the built frontend
// (frontend/dist, at its root or under frontend/dist); args may hold a concordia:// link
// the OS opened the app with.
func Run(assets fs.FS, args []string) (err error) {
	defer func() {
		// Wails panics, on this goroutine, when GTK cannot start: a page of goroutines
		// for what is a display that does not answer. Every other panic stays one.
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && e.Error() == gtkInitFailed {
				err = &DisplayError{Link: findLink(args) != ""}
				return
			}
			panic(r)
		}
	}()
	args = hideLink(args) // first: this may start the program again, without the link in its arguments
	if handOff(UniqueID, args) {
		return nil // the running window has the link: this instance's work is done
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	dist, err := distFS(assets)
	if err != nil {
		return err
	}
	settingsPath, err := settings.DefaultPath()
	if err != nil {
		return err
	}
	a := newApp(config{
		settingsPath: settingsPath,
		dataDir:      filepath.Dir(settingsPath),
		tray:         newTray(log, iconPNG),
		notifier:     newNotifier(),
		logger:       log,
	})
	a.link = findLink(args)
	// Wails quits on SIGINT and SIGTERM through the close path; this copy of the signal
	// tells beforeClose that it is a real quit (see App.signals).
	a.signals = make(chan os.Signal, 1)
	signal.Notify(a.signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(a.signals)
	var ws wailsShell

	return wails.Run(&options.App{
		Title:            Title,
		Width:            1180,
		Height:           720, // with a title bar and a desktop's panel, inside a 1280×800 laptop screen
		MinWidth:         640, // the UI works from 640×480 (frontend/README.md, "Window sizes")
		MinHeight:        480,
		BackgroundColour: options.NewRGB(0xf5, 0xf6, 0xfa),
		AssetServer:      &assetserver.Options{Assets: dist},
		// OnStartup only stores the context: a second instance runs it too, just before it
		// hands its link to the first instance and exits.
		OnStartup: func(ctx context.Context) {
			ws.ctx = ctx
			a.attach(&ws)
		},
		OnDomReady: func(ctx context.Context) {
			fitToScreen(ctx)
			a.startTray()
		},
		OnBeforeClose: func(context.Context) bool { return a.beforeClose() },
		OnShutdown:    func(context.Context) { a.shutdown() },
		Bind:          []any{a},
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId:               UniqueID,
			OnSecondInstanceLaunch: func(d options.SecondInstanceData) { a.secondInstance(d.Args) },
		},
		Linux: &linux.Options{
			Icon:             iconPNG,
			ProgramName:      "concordia",
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
		Mac: &mac.Options{
			About: &mac.AboutInfo{Title: Title, Message: "Steer one Claude Code session together.", Icon: iconPNG},
			// macOS delivers concordia:// links as URL events, at start and later alike.
			OnUrlOpen: a.openLink,
		},
	})
}

// fitToScreen makes the window fit the screen it opened on, and places it inside it, when
// the screen is smaller than the default size: on an 800×600 screen the window was placed
// for its default size (at −190,−100), its header and left column off the screen. The sizes
// are the window's content; a window manager adds a title bar, and a desktop a panel or two,
// which Wails cannot tell us: frame leaves room for them (on a 1280×800 laptop an 800-pixel
// window's bottom, the prompt box, was under the screen's edge). The default size fits a
// 1280×800 screen with that room, so the usual start resizes nothing.
func fitToScreen(ctx context.Context) {
	screens, err := runtime.ScreenGetAll(ctx)
	if err != nil || len(screens) == 0 {
		return
	}
	s := screens[0]
	for _, sc := range screens {
		if sc.IsCurrent {
			s = sc
			break
		}
	}
	w, h := runtime.WindowGetSize(ctx)
	x, y := runtime.WindowGetPosition(ctx)
	nw, nh, nx, ny, ok := fitWindow(s.Size.Width, s.Size.Height, w, h, x, y)
	if !ok {
		return
	}
	runtime.WindowSetSize(ctx, nw, nh)
	runtime.WindowSetPosition(ctx, nx, ny)
}

// frame is the room left around the window's content for its title bar and a desktop's
// panels when the window has to shrink to the screen.
const frame = 64

// fitWindow is fitToScreen's arithmetic: the size and place of a w×h window at x,y on a
// sw×sh screen, and false when it fits as it is. It never goes below the window's minimum
// size (640×480).
func fitWindow(sw, sh, w, h, x, y int) (nw, nh, nx, ny int, ok bool) {
	if sw <= 0 || sh <= 0 {
		return 0, 0, 0, 0, false
	}
	// A window that fits, with room for its frame, is left where the system put it (moving
	// a window while its page loads can leave WebKitGTK's view blank under a bare X server).
	if w <= sw && h+frame <= sh && x >= 0 && y >= 0 && x+w <= sw && y+h <= sh {
		return 0, 0, 0, 0, false
	}
	nw, nh = max(min(w, sw), 640), max(min(h, sh-frame), 480)
	return nw, nh, max((sw-nw)/2, 0), max((sh-nh-frame)/2, 0), true
}

// distFS finds the built frontend in assets: its root, or frontend/dist inside it.
func distFS(assets fs.FS) (fs.FS, error) {
	if _, err := fs.Stat(assets, "index.html"); err == nil {
		return assets, nil
	}
	sub, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		return nil, fmt.Errorf("find the built frontend: %w", err)
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil, fmt.Errorf("the frontend is not built (no frontend/dist/index.html; run `cd frontend && npm install && npm run build`): %w", err)
	}
	return sub, nil
}

// wailsShell is the shell on the Wails runtime. ctx is set once, in OnStartup, before
// the App can reach it (attach), and never changes.
type wailsShell struct {
	ctx context.Context
}

func (w *wailsShell) Emit(name string, data any) { runtime.EventsEmit(w.ctx, name, data) }

func (w *wailsShell) ClipboardText() (string, error) { return runtime.ClipboardGetText(w.ctx) }

func (w *wailsShell) SetClipboardText(text string) error {
	return runtime.ClipboardSetText(w.ctx, text)
}

func (w *wailsShell) PickDirectory(start, title string) (string, error) {
	return runtime.OpenDirectoryDialog(w.ctx, runtime.OpenDialogOptions{
		DefaultDirectory: start, Title: title, CanCreateDirectories: true,
	})
}

func (w *wailsShell) PickFile(start, title string) (string, error) {
	return runtime.OpenFileDialog(w.ctx, runtime.OpenDialogOptions{DefaultDirectory: start, Title: title})
}

func (w *wailsShell) SaveFile(dir, name, title string) (string, error) {
	return runtime.SaveFileDialog(w.ctx, runtime.SaveDialogOptions{
		DefaultDirectory: dir, DefaultFilename: name, Title: title, CanCreateDirectories: true,
		Filters: []runtime.FileFilter{{DisplayName: "Markdown (*.md)", Pattern: "*.md"}},
	})
}

func (w *wailsShell) Show() {
	runtime.WindowShow(w.ctx)
	runtime.WindowUnminimise(w.ctx) // also raises it (gtk_window_present on Linux)
}

func (w *wailsShell) Hide() { runtime.WindowHide(w.ctx) }

func (w *wailsShell) Quit() { runtime.Quit(w.ctx) }

func (w *wailsShell) Ask(title, message string) (bool, error) {
	answer, err := runtime.MessageDialog(w.ctx, runtime.MessageDialogOptions{
		Type: runtime.QuestionDialog, Title: title, Message: message,
		Buttons: []string{"Yes", "No"}, DefaultButton: "No", CancelButton: "No",
	})
	if err != nil {
		return false, err
	}
	return answer == "Yes", nil
}
