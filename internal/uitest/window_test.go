package uitest

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/settings"
)

// windowSettings are the settings file of a window under test: the fake Claude Code, the
// local merger (no key, no network), a short batching window, loopback only.
func windowSettings(t *testing.T, name, fakeClaude string) settings.Settings {
	return settings.Settings{
		Name:       name,
		Workdir:    t.TempDir(),
		WindowMS:   500,
		MinPrompts: 1,
		Merger:     settings.MergerLocal,
		ClaudePath: fakeClaude,
		Listen:     "127.0.0.1:0",
		PublicHost: "127.0.0.1",
	}
}

// cliEnv is the environment of a `concordia host` or `concordia join` beside the window:
// its own HOME, no session bus (no keyring) and no Gemini key.
func cliEnv(t *testing.T) []string {
	home := t.TempDir()
	return []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"DBUS_SESSION_BUS_ADDRESS=disabled:",
		"GEMINI_API_KEY=",
	}
}

// pinnedInvite matches an invite to a loopback party with the certificate pinned.
const pinnedInvite = `^concordia://127\.0\.0\.1:\d+/[A-Za-z0-9_-]{22,}\?fp=[0-9a-f]{64}$`

// The window creates a party from its home screen, its invite (copied with the button)
// lets a CLI participant in, and the agent's reply to that participant's prompt shows up
// in the window.
func TestWindowHostsACLIParticipant(t *testing.T) {
	bin, fake := setup(t)
	w := openWindow(t, bin, "host", windowSettings(t, "hazel", fake))

	w.waitFor("home", `Create party`)
	w.click("Create party")
	w.waitFor("party", `Copy invite link`)
	w.click("Copy invite link")
	inv := strings.TrimSpace(waitClipboard(t, pinnedInvite))

	bob := startProc(t, "concordia join", cliEnv(t), bin, "join", inv, "--name", "bob")
	bob.expect(`^\[party\] joined hazel's party as bob \(2 in the party`)
	w.waitFor("bob-joined", `\bbob joined\b`)

	// A plain, long word that OCR reads reliably; "echo:" marks the agent's reply (the
	// fake Claude answers "echo: <prompt>"), as opposed to bob's prompt itself.
	bob.send("say marmalade")
	bob.expect(`echo: say marmalade`)
	w.waitFor("reply", `echo\W+say marmalade`)

	// Quitting the window ends its party for everyone (docs/desktop.md).
	w.quit()
	bob.expect(`^\[system\] the host.s Concordia was stopped from outside \(a logout, a shutdown or a service manager\); the host can resume the party`) // SIGTERM, as at a logout: not the host's own end
	if code := bob.wait(); code != 0 {
		t.Errorf("concordia join exited with %d when the party ended", code)
	}
}

// The window joins a party hosted by the CLI through the paste dialog, prefilled from the
// clipboard; a prompt typed in the window's prompt box reaches the host, and the agent's
// reply shows up in the window.
func TestWindowJoinsACLIHost(t *testing.T) {
	bin, fake := setup(t)
	data := t.TempDir()
	host := startProc(t, "concordia host", cliEnv(t), bin, "host",
		"--listen", "127.0.0.1:0", "--claude", fake, "--data-dir", data, "--workdir", t.TempDir(),
		"--window", "300ms", "--merge", "local", "--name", "hosty", "--no-local-repl")
	m := host.expect(`^invite code: (concordia://127\.0\.0\.1:(\d+)/\S+)$`)
	inv, port := m[1], m[2]
	seedClipboard(t, inv)

	w := openWindow(t, bin, "join", windowSettings(t, "wendy", fake))
	w.waitFor("home", `Join with an invite`)
	w.click("Join with an invite")
	// Prefilled from the clipboard and checked: the dialog says it leads to our host.
	w.waitFor("dialog", `Valid invite to 127\.0\.0\.1:`+port+`\b`)
	w.key("Return") // Enter in the invite field joins
	host.expect(`^\[party\] wendy joined`)
	w.waitFor("party", `the agent what to do`) // its "T" is under the blinking caret

	// No click: the prompt box has the keyboard once the party opens (a tester's first
	// prompt typed after joining went nowhere until a click).
	w.typeText("say butterscotch")
	w.key("Return")
	host.expect(`^\[party\] wendy: say butterscotch$`)
	host.expect(`echo: say butterscotch`)
	w.waitFor("reply", `echo\W+say butterscotch`)

	// Ctrl+F finds in the conversation: WebKitGTK has no find bar of its own, and the
	// transcript renders only what is on screen. Two items hold the word: the prompt, and
	// the turn that answered it; the newest is shown first.
	w.key("ctrl+f")
	w.typeText("butterscotch")
	w.waitFor("find", `\b2\s*[o0][f7]\s*2\b`) // "2 of 2": OCR reads its small "of" as "07" at times
	w.key("Escape")

	// Quitting the window leaves the party; the party goes on.
	w.quit()
	host.expect(`^\[party\] wendy left`)
}

// A broken link pasted into the join dialog is explained there, and pasting a good one
// over it turns the explanation into a confirmation.
func TestWindowExplainsABrokenLink(t *testing.T) {
	bin, fake := setup(t)
	seedClipboard(t, "nothing to see here") // not a link: the dialog opens empty
	w := openWindow(t, bin, "badlink", windowSettings(t, "hazel", fake))
	w.waitFor("home", `Join with an invite`)
	w.click("Join with an invite")
	w.waitFor("dialog-empty", `Paste the link your host sent you`)

	const token = "TgNMDR0Upfx0aYHEJt19UvIP1j7zqKBoZP_HVxfZ7ms"
	const fp = "af99cb260357225b6f00505f52cce53fa8e52a044fd0d1f1b68bb968c40a7cb7"
	// Cut short in the middle of the fingerprint, as a link pasted from a chat often is.
	seedClipboard(t, "concordia://127.0.0.1:8765/"+token+"?fp="+fp[:20])
	w.key("ctrl+v") // the invite field has the focus when the dialog opens
	w.waitFor("broken", `(?s)fp must be 64 hex characters.*got 20`)

	seedClipboard(t, "concordia://127.0.0.1:8765/"+token+"?fp="+fp)
	w.key("ctrl+a", "ctrl+v")
	w.waitFor("fixed", `Valid invite to 127\.0\.0\.1:8765`)
	w.quit()
}

// linkToOpen is a well-formed invite (to no party: the dialog only checks it), pinned as a
// real one is (a link without ?fp= shows a warning instead: not encrypted, or cut off).
const linkToOpen = "concordia://127.0.0.1:8765/TgNMDR0Upfx0aYHEJt19UvIP1j7zqKBoZP_HVxfZ7ms?fp=af99cb260357225b6f00505f52cce53fa8e52a044fd0d1f1b68bb968c40a7cb7"

// A concordia:// link opened while the app runs (the OS starts a second instance with the
// link as its argument) reaches the running window: its join dialog opens, prefilled with
// the link and checked. The second instance hands the link over and exits with status 0.
func TestWindowOpensALinkWhileRunning(t *testing.T) {
	bin, fake := setup(t)
	seedClipboard(t, "nothing to see here") // the prefill must come from the link
	w := openWindow(t, bin, "link-running", windowSettings(t, "hazel", fake))
	w.waitFor("home", `Create party`)
	second := startProc(t, "concordia (second instance)", w.env, bin, linkToOpen)
	if code := second.wait(); code != 0 {
		// xdg-open reports a link whose program exits non-zero as not opened (a tester's
		// exited 1: Wails' own hand-off's status).
		t.Errorf("the second instance exited with status %d after handing the link over", code)
	}
	w.waitFor("dialog", `Valid invite to 127\.0\.0\.1:8765\b`)
	if w.app.exited() {
		t.Fatal("the first instance exited when the link was opened")
	}
	w.quit()
}

// An unknown flag gets a sentence on stderr and exit 2 from the desktop build, with no
// window: not opened, nor the running one raised (a user tester's "concordia -v" and
// "concordia --bogus" did that with exit 0). A link still reaches the running window.
func TestWindowRefusesAnUnknownFlag(t *testing.T) {
	bin, fake := setup(t)
	for _, arg := range []string{"-v", "--bogus"} {
		p := startProc(t, "concordia "+arg, cliEnv(t), bin, arg)
		if code := p.wait(); code != 2 || !strings.Contains(p.stderr(), "concordia: unknown flag "+arg) || !strings.Contains(p.stderr(), `Run "concordia --help"`) {
			t.Errorf("concordia %s: exit %d, stderr %q; want 2 and unknown flag", arg, code, p.stderr())
		}
	}
	seedClipboard(t, "nothing to see here")
	w := openWindow(t, bin, "bogus-flag", windowSettings(t, "hazel", fake))
	w.waitFor("home", `Create party`)
	second := startProc(t, "concordia --bogus (second instance)", w.env, bin, "--bogus")
	if code := second.wait(); code != 2 {
		t.Errorf("a second instance with --bogus exited with %d, want 2", code)
	}
	second = startProc(t, "concordia (second instance)", w.env, bin, linkToOpen)
	if code := second.wait(); code != 0 {
		t.Errorf("the second instance exited with status %d after handing the link over", code)
	}
	w.waitFor("dialog", `Valid invite to 127\.0\.0\.1:8765\b`)
	w.quit()
}

// Started by a link (the app was not running), the window opens with the join dialog
// prefilled with it.
func TestWindowStartsWithALink(t *testing.T) {
	bin, fake := setup(t)
	seedClipboard(t, "nothing to see here")
	w := openWindow(t, bin, "link-start", windowSettings(t, "hazel", fake), linkToOpen)
	w.waitFor("dialog", `Valid invite to 127\.0\.0\.1:8765\b`)
	w.quit()
}
