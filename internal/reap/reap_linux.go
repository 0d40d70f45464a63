package reap

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/concordia-party/concordia/internal/term"
)

// Supported says whether Stop and Find can find anything on this system.
const Supported = true

// Stop ends every process (of this user; others' environments cannot be read) whose
// environment carries id's marker: SIGTERM first, and SIGKILL for those still there after
// grace. It looks again for processes started meanwhile, a few times, and returns those
// it ended. Each process is held by a pidfd (os.FindProcess) from the moment its
// environment is read to its signals, so a pid reused in between is never signalled;
// where the kernel gives no pidfd, the environment is read again just before each signal,
// which leaves a window of microseconds rather than seconds. id "" finds nothing.
func Stop(id string, grace time.Duration) ([]Proc, error) {
	if id == "" {
		return nil, nil
	}
	marker := []byte(Marker(id))
	self := os.Getpid()
	var stopped []Proc
	seen := map[int]bool{}
	for round := 0; round < 4; round++ {
		found, err := find(marker, self)
		if err != nil {
			return stopped, err
		}
		var fresh []held
		for _, h := range found {
			if seen[h.PID] {
				_ = h.p.Release() // survived SIGKILL (stuck in the kernel): not again
				continue
			}
			seen[h.PID] = true
			fresh = append(fresh, h)
		}
		if len(fresh) == 0 {
			break
		}
		for _, h := range fresh {
			h.signal(marker, syscall.SIGTERM)
		}
		deadline := time.Now().Add(grace)
		for _, h := range fresh {
			for alive(h.p) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if alive(h.p) {
				h.signal(marker, syscall.SIGKILL)
				// Gone before Stop returns: SIGKILL takes effect as the process next runs.
				for end := time.Now().Add(time.Second); alive(h.p) && time.Now().Before(end); {
					time.Sleep(5 * time.Millisecond)
				}
			}
			if !alive(h.p) {
				stopped = append(stopped, h.Proc)
			}
			_ = h.p.Release()
		}
	}
	return stopped, nil
}

// Find lists the processes that carry id's marker, without touching them.
func Find(id string) ([]Proc, error) {
	if id == "" {
		return nil, nil
	}
	found, err := find([]byte(Marker(id)), os.Getpid())
	out := make([]Proc, 0, len(found))
	for _, h := range found {
		_ = h.p.Release()
		out = append(out, h.Proc)
	}
	return out, err
}

// held is a matching process and its pidfd.
type held struct {
	Proc
	p *os.Process
}

// signal sends sig to h if it still carries marker (read again: see Stop).
func (h held) signal(marker []byte, sig syscall.Signal) {
	if carries(h.PID, marker) {
		_ = h.p.Signal(sig)
	}
}

// find lists the processes whose environment holds marker, each held by a pidfd.
func find(marker []byte, self int) ([]held, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, err
	}
	var out []held
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid == self || !carries(pid, marker) {
			continue
		}
		p, err := os.FindProcess(pid) // a pidfd on Linux: this very process from now on
		if err != nil {
			continue
		}
		// Read again with the process held: the one read above may have gone, and its
		// pid gone to another, between the two.
		if !carries(pid, marker) {
			_ = p.Release()
			continue
		}
		out = append(out, held{Proc{PID: pid, Command: command(pid)}, p})
	}
	return out, nil
}

// carries reports whether process pid's environment holds marker exactly (a whole
// KEY=VALUE entry). Processes that are gone or not ours are skipped.
func carries(pid int, marker []byte) bool {
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	for _, kv := range bytes.Split(env, []byte{0}) {
		if bytes.Equal(kv, marker) {
			return true
		}
	}
	return false
}

// alive reports whether p still runs (a zombie counts as gone: it does nothing any more,
// and its parent reaps it).
func alive(p *os.Process) bool {
	if err := p.Signal(syscall.Signal(0)); err != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command's closing parenthesis: "pid (comm) S ...".
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
		return false
	}
	return true
}

// command is pid's command line as a short phrase, safe to print: the agent's tools chose
// it, so escape sequences in it (`exec -a $'\e]0;…'`) are taken out.
func command(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || len(b) == 0 {
		return "process " + strconv.Itoa(pid)
	}
	s := strings.TrimSpace(term.Line(strings.ReplaceAll(string(bytes.TrimRight(b, "\x00")), "\x00", " ")))
	if r := []rune(s); len(r) > 60 {
		s = string(r[:59]) + "…"
	}
	return s
}
