package cli

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// joinAtInvite is a host terminal's output that, as the invite line is written, joins the
// party with it before the write returns: a script that joins as soon as it reads the
// invite, at its quickest.
type joinAtInvite struct {
	mu     sync.Mutex
	out    bytes.Buffer
	joined bool
	hello  wire.HelloResult
	err    error
}

var inviteLineRx = regexp.MustCompile(`(?m)^invite code: (concordia://\S+)$`)

func (w *joinAtInvite) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.out.Write(b)
	m := inviteLineRx.FindSubmatch(w.out.Bytes())
	if m == nil || w.joined {
		return len(b), nil
	}
	w.joined = true
	inv, err := invite.Parse(string(m[1]))
	if err != nil {
		w.err = err
		return len(b), nil
	}
	c, err := client.Join(context.Background(), client.Config{Invite: inv, Name: "quick",
		OnHello: func(h wire.HelloResult) { w.hello = h }})
	if err != nil {
		w.err = err
		return len(b), nil
	}
	c.Close()
	return len(b), nil
}

// The host's own terminal is in the party by the time its invite is printed: a joiner
// quick off the mark (a script reading the invite line) came in first, read "1 in the
// party" and "no host is in the party right now" (a CI run's).
func TestHostIsInThePartyWhenItsInviteIsPrinted(t *testing.T) {
	out := &joinAtInvite{}
	cancel, done := runLocalHost(t, out)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		out.mu.Lock()
		joined := out.joined
		out.mu.Unlock()
		if joined {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatal("no invite line printed")
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the host did not end")
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	if out.err != nil {
		t.Fatalf("join with the invite printed: %v", out.err)
	}
	var names []string
	for _, m := range out.hello.State.Participants {
		names = append(names, m.Name+"/"+m.Role)
	}
	if len(names) != 2 || names[0] != "hosty/"+wire.RoleHost {
		t.Fatalf("a joiner at the invite line found %v in the party, want hosty (host) and itself", names)
	}
}

// A host started with --merge local says how it merges once, in its "party created" line:
// a tester's read "[system] merging locally (the merger is set to local)" and then "party
// created; merging locally, …" at every start.
func TestHostSaysItsMergerOnce(t *testing.T) {
	out := &testkit.Buffer{}
	cancel, done := runLocalHost(t, out)
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(out.String(), "party created"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("no party created:\n%s", out.String())
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the host did not end")
	}
	if got := out.String(); strings.Count(got, "merging locally") != 1 || !strings.Contains(got, "[system] party created; merging locally, window") {
		t.Fatalf("the merger is not said once, in the party created line:\n%s", got)
	}
}

// waitForOutput waits until out holds want.
func waitForOutput(t *testing.T, out interface{ String() string }, want string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(out.String(), want); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in:\n%s", want, out.String())
		}
	}
}

// A member in line mode (input not a terminal) stopped by Ctrl-C or SIGTERM (the context
// Main runs in ends) says, as /quit does, that its waiting prompt goes on without it, and
// that it left, with exit 0: a tester's line-mode join printed only "^C", or nothing.
func TestALineModeJoinStoppedSaysItLeft(t *testing.T) {
	hostOut := &testkit.Buffer{}
	hostIn, hostFeed := io.Pipe()
	defer hostFeed.Close()
	hctx, stopHost := context.WithCancel(context.Background())
	hostDone := make(chan int, 1)
	go func() {
		hostDone <- Main(hctx, []string{"host", "--listen", "127.0.0.1:0", "--insecure", "--merge", "local", "--window", "10m",
			"--claude", testkit.FakeClaude(t), "--data-dir", t.TempDir(), "--workdir", t.TempDir(), "--name", "hosty"},
			IO{In: hostIn, Out: hostOut, Err: hostOut, Getenv: func(string) string { return "" }})
	}()
	defer func() { stopHost(); <-hostDone }()
	waitForOutput(t, hostOut, "party created")
	inv := inviteLineRx.FindStringSubmatch(hostOut.String())[1]

	out := &testkit.Buffer{}
	in, feed := io.Pipe()
	defer feed.Close()
	ctx, stop := context.WithCancelCause(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"join", inv, "--name", "lina", "--data-dir", t.TempDir()},
			IO{In: in, Out: out, Err: io.Discard, Getenv: func(string) string { return "" }})
	}()
	waitForOutput(t, out, "joined hosty's party")
	if _, err := io.WriteString(feed, "my waiting prompt\n"); err != nil {
		t.Fatal(err)
	}
	waitForOutput(t, out, "[you] lina: my waiting prompt")
	stop(StopSignal{Signal: syscall.SIGTERM})
	var code int
	select {
	case code = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the join did not end")
	}
	got := out.String()
	want := "[system] your prompt still waits: it goes to the agent after you leave, and you will not see the answer\n" +
		"[system] you left the party; the same command (this invite and name) brings you back as yourself\n"
	if code != ExitOK || !strings.HasSuffix(got, want) {
		t.Fatalf("exit %d, want 0, ending with %q:\n%s", code, want, got)
	}
}

// runLocalHost runs `concordia host` on loopback, merging locally, with the fake claude,
// its terminal's output to out and a stdin that never ends; cancel stops it, and done
// gives its exit status.
func runLocalHost(t *testing.T, out io.Writer) (cancel context.CancelFunc, done <-chan int) {
	t.Helper()
	in, feed := io.Pipe()
	t.Cleanup(func() { feed.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	args := []string{"host", "--listen", "127.0.0.1:0", "--insecure", "--merge", "local",
		"--claude", testkit.FakeClaude(t), "--data-dir", t.TempDir(), "--workdir", t.TempDir(), "--name", "hosty"}
	go func() {
		exit <- Main(ctx, args, IO{In: in, Out: out, Err: io.Discard, Getenv: func(string) string { return "" }})
	}()
	return cancel, exit
}
