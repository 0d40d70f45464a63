package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/session"
	"github.com/concordia-party/concordia/internal/settings"
	"github.com/concordia-party/concordia/internal/wire"
)

// ---- bound methods: invites, creating, joining and resuming a party, and the party ----

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

// JoinName is the name this computer last joined the party of a valid invite under, with
// the role it last had there (session.Manager.JoinName); an empty name when none is known
// or the invite is not valid.
func (a *App) JoinName(text string) session.JoinedAs {
	inv, err := invite.Parse(text)
	if err != nil {
		return session.JoinedAs{}
	}
	return a.session.JoinName(inv)
}

// InviteWarning says, of a valid invite, what may still be wrong with it before connecting:
// a token unlike the ones Concordia makes, as a link cut short has ("" when none). The
// dialog showed such a link "Valid", and said it looked cut short only once the host
// refused it (a window tester's); it still lets the person try it (another host's tokens
// may be longer or shorter).
func (a *App) InviteWarning(text string) string {
	inv, err := invite.Parse(text)
	if err != nil {
		return ""
	}
	hint := invite.CutShortHint(inv)
	if hint == "" {
		return ""
	}
	return strings.ToUpper(hint[:1]) + hint[1:] + "."
}

// CreateParty starts hosting a party with the window's person taking part. Fields left
// zero take the saved settings; the listen address and public host always do.
func (a *App) CreateParty(req CreateRequest) (session.Info, error) {
	r, err := a.hostRequest(req)
	if err != nil {
		return session.Info{}, a.fail("create party", err)
	}
	// The extra arguments are offered again only once Claude Code started with them:
	// refused ones (agent.ErrArgsRefused, said in the party) were the next Create party's
	// default (a reviewer's). The page takes the settings again when it goes back home.
	args := strings.TrimSpace(req.ClaudeArgs)
	r.OnAgentStarted = func() {
		if _, err := a.settings.RememberClaudeArgs(args); err != nil {
			a.log.Warn("remember the extra Claude Code arguments", "err", err)
		}
	}
	info, err := a.session.Host(context.Background(), r)
	if err != nil {
		return session.Info{}, a.fail("create party", hostError{err: err, listen: r.Listen, claude: r.ClaudePath})
	}
	// What was typed is offered again next time (best effort: the party runs anyway).
	if _, err := a.settings.Remember(settings.Chosen{
		Name: r.Name, Workdir: r.Workdir, ClaudePath: r.ClaudePath, PermissionMode: r.PermissionMode,
		ShareWorkspace: r.ShareWorkspace, Approve: r.Approve, WindowMS: r.Window.Milliseconds(),
		MinPrompts: r.MinPrompts, Merger: r.Merger, PermissionTimeoutMS: r.PermissionTimeout.Milliseconds(),
	}); err != nil {
		a.log.Warn("remember the Create party values", "err", err)
	}
	return info, nil
}

// CurrentParty is the party the window is in, for a page loaded again while it runs (the
// web view reloaded: its web process crashed): its info and state now; nil when the window
// is in none. Without it the page came back to Home, the party running with no way back
// into it (a window tester's).
func (a *App) CurrentParty() (*session.Info, error) {
	info, ok, err := a.session.Current(context.Background())
	if err != nil {
		return nil, a.fail("show the party again", err)
	}
	if !ok {
		return nil, nil
	}
	return &info, nil
}

// KeepDraft keeps what the prompt box holds unsent (the page sends it at most every 300 ms
// while it changes), for a page loaded again while the
// window is in the party (CurrentParty gives it back): a crashed web process took a
// half-written prompt with it. In memory only; the next party starts with none.
func (a *App) KeepDraft(text string) {
	a.session.KeepDraft(text)
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
	timeout := req.PermissionTimeoutMS
	if timeout == 0 {
		timeout = s.PermissionTimeoutMS
	}
	// Checked here, not in session.HostRequest.check: a resumed party keeps the timeout its
	// journal holds, and one hosted with `concordia host --permission-timeout 5s` is still
	// resumed with it.
	if err := settings.CheckPermissionTimeout(timeout); err != nil {
		return session.HostRequest{Listen: s.Listen, ClaudePath: req.ClaudePath}, err
	}
	r := session.HostRequest{
		Name: req.Name, Workdir: req.Workdir, Window: time.Duration(req.WindowMS) * time.Millisecond,
		MinPrompts: req.MinPrompts, Merger: req.Merger, ClaudePath: req.ClaudePath, ClaudeArgs: args,
		Listen: s.Listen, PublicHost: s.PublicHost, PermissionMode: req.PermissionMode, Approve: req.Approve,
		PermissionTimeout: time.Duration(timeout) * time.Millisecond,
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

// ForgetParty deletes an ended party from the data directory, as `concordia parties
// --delete` does: its journal (transcript, invites, members' sessions) and its workspace
// record; it can no longer be resumed or exported. The window asks first (a window
// tester's list filled with identical "Hana's party · ended" cards, and none could go). A
// running party is refused.
func (a *App) ForgetParty(id string) error {
	if err := a.session.ForgetParty(strings.TrimSpace(id)); err != nil {
		return a.fail("forget party", err)
	}
	return nil
}

// ResumeParty brings back a party from its journal with its id, invites, port, history and
// settings; the window's person is its host again. shareAtMost caps what it shares of its
// folder: the level the window showed, or the answer to its question when that was the
// whole folder ("" = the level the party had; see session.ResumeOptions). without: the
// answer "Resume without them" to the question about what it left unanswered (its waiting
// prompts withdrawn, a turn cut short not run again), asked when the journal's last event
// was askedAt (ResumeUnanswered's last_seq; 0: not asked).
func (a *App) ResumeParty(id, shareAtMost string, without bool, askedAt int64) (session.Info, error) {
	opt := session.ResumeOptions{ShareAtMost: shareAtMost, WithoutUnanswered: without, AskedAt: askedAt}
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

// ResumeUnanswered says what resuming party id would take up at once: prompts that never
// reached the agent and a turn cut short (session.Unanswered; Text "" = nothing). The
// window asks it when Resume is clicked, and asks the person before resuming when there is
// something: a tester's Resume sent a prompt hours old to the agent unreviewed. It reads
// the party's journal, so the list's periodic reading does not call it.
func (a *App) ResumeUnanswered(id string) (session.Unanswered, error) {
	u, err := a.session.Unanswered(strings.TrimSpace(id))
	if err != nil {
		return session.Unanswered{}, a.fail("resume party", err)
	}
	return u, nil
}

// JoinParty joins the party of an invite (TLS pinned to its fingerprint).
func (a *App) JoinParty(link, name string) (session.Info, error) {
	ctx, cancel := context.WithCancel(context.Background())
	a.mu.Lock()
	a.joinCancel = cancel
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.joinCancel = nil
		a.mu.Unlock()
		cancel()
	}()
	known := a.JoinName(link).Name // the name this computer last joined the link's party under
	info, err := a.session.Join(ctx, link, name)
	if err == nil && ctx.Err() != nil {
		// Cancelled as the hello came back: the person closed the dialog, so they are not
		// put in the party (a reviewer's late Cancel landed them in it all the same).
		_ = a.session.Leave(context.Background())
		err = ctx.Err()
	}
	if err != nil && ctx.Err() != nil {
		return session.Info{}, a.fail("join party", errJoinCancelled)
	}
	if err != nil {
		if inv, perr := invite.Parse(link); perr == nil && errors.Is(err, client.ErrRefused) {
			if cerr := invite.CheckComplete(inv); cerr != nil {
				err = fmt.Errorf("%w: %w", err, cerr) // refused, and its token is not like ours
			}
		}
		return session.Info{}, a.fail("join party", err)
	}
	if strings.TrimSpace(name) != known {
		// A name the person chose, not the one this party knew them by: Create party and
		// the next join offer it, as they offer one typed in Create party (a window
		// tester who joined as Bob was offered the OS user's name to host under).
		if _, err := a.settings.RememberName(name); err != nil {
			a.log.Warn("remember the name joined under", "err", err)
		}
	}
	if info.NotKept != nil {
		a.log.Info("join party: membership not kept", "err", info.NotKept)
		info.NotKeptText = sentence(info.NotKept)
	}
	if info.Removed != nil {
		info.RemovedText = sentence(info.Removed)
	}
	return info, nil
}

// errJoinCancelled: the person cancelled the join while it connected (CancelJoin).
var errJoinCancelled = errors.New("the join was cancelled")

// errPromptUnanswered: a prompt went to the host and no answer came back (a time-out, or
// the connection dropped): the host may have it.
var errPromptUnanswered = errors.New("no answer to the prompt")

// CancelJoin ends a JoinParty in flight (a host that does not answer held the dialog on
// "Connecting…" for the dial's 10 s, its Cancel dead: a tester's); it then fails with
// "You cancelled the join." Without one, it does nothing.
func (a *App) CancelJoin() {
	a.mu.Lock()
	cancel := a.joinCancel
	a.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// SendPrompt sends a prompt as the window's person.
func (a *App) SendPrompt(text string) (PromptAck, error) {
	res, err := a.session.Prompt(context.Background(), text)
	if err != nil {
		if client.Unanswered(err) {
			err = fmt.Errorf("%w: %w", errPromptUnanswered, err) // sent; no answer came back
		}
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
