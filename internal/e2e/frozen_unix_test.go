//go:build unix

package e2e

import (
	"syscall"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/client"
)

// TestAFrozenHostIsNoticed: a host that stops answering without closing its connections
// (stopped here; a hung machine, a network that drops everything) is noticed by a joined
// terminal within client.HostSilence, and the terminal is back in the party once the host
// runs again. A tester's terminal took 45 to 75 s to notice, each end waiting 60 s.
func TestAFrozenHostIsNoticed(t *testing.T) {
	h, inv := host(t, nil, "--insecure")
	j := start(t, nil, "join", "--name", "pat", inv)
	j.expect(`joined hosty's party as pat`)
	pid := h.cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
	stopped := time.Now()
	j.expectWithin(client.HostSilence+15*time.Second, `lost the connection to the host`)
	// The host was last heard at most a ping before it stopped.
	if took, most := time.Since(stopped), client.HostSilence+5*time.Second; took > most {
		t.Errorf("the frozen host was noticed after %s, want at most %s", took.Round(time.Second), most)
	}
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	j.expectWithin(45*time.Second, `reconnected; catching up on what you missed`)
	j.send("back again")
	h.expect(`^\[party\] pat: back again$`)
}
