package bench

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// runBinaryChild is the child's main for SystemBinary: instead of serving a party itself it
// runs the real `concordia host` program (spec.Binary) with fakeclaude (spec.FakeAgent) as
// its agent, and answers the parent's commands about that process. The stream is a prompt
// typed into the host's own terminal, FAKE_STAMPS, so the deltas go the whole way a real
// agent's do: fakeclaude's stdout, the stream-json reader, the party, the connections.
func runBinaryChild(spec childSpec, stdin io.Reader, say func(format string, args ...any)) error {
	if spec.Binary == "" || spec.FakeAgent == "" {
		return errors.New("the concordia-bin system needs -binary and -fake-agent")
	}
	dir, err := os.MkdirTemp("", "concordia-bench-bin-")
	if err != nil {
		return fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command(spec.Binary, "host", "--listen", "127.0.0.1:0", "--insecure",
		"--claude", spec.FakeAgent, "--window", "1ms", "--merge", "local",
		"--permission-mode", "all", "--share-workspace", "off", "--turn-timeout", "0",
		"--max-participants", strconv.Itoa(spec.MaxParticipants),
		"--data-dir", filepath.Join(dir, "data"), "--workdir", dir)
	// A home of its own: no settings, keyring or key of the person running the bench.
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "GEMINI_API_KEY=")
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = hostProcAttr() // the host ends with this child, even when it is killed
	in, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("host stdin: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("host stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", spec.Binary, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer func() {
		in.Close()
		cmd.Process.Signal(os.Interrupt) // ends the party cleanly
		select {
		case <-exited:
		case <-time.After(5 * time.Second): // well within the parent's wait for this child
			cmd.Process.Kill()
			<-exited
		}
	}()

	// The host's terminal: its first line of interest is the invite; after that, the end
	// of each turn. Everything else (the agent's reply as the host's own member sees it)
	// is read and dropped, to the end: the host must never block on its stdout.
	invite := make(chan string, 1)
	finished := make(chan struct{}, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			line := sc.Text()
			if s, ok := strings.CutPrefix(line, "invite code: "); ok {
				select {
				case invite <- s:
				default:
				}
			}
			if strings.HasPrefix(line, "[system] claude finished") {
				select {
				case finished <- struct{}{}:
				default:
				}
			}
		}
		io.Copy(io.Discard, out) // a line too long for the scanner: keep draining
	}()
	var addr, token string
	select {
	case s := <-invite:
		rest, ok := strings.CutPrefix(s, "concordia://")
		addr, token, _ = strings.Cut(rest, "/")
		if !ok || addr == "" || token == "" {
			return fmt.Errorf("unexpected invite %q", s)
		}
	case <-exited:
		return errors.New("concordia host exited before printing its invite")
	case <-time.After(30 * time.Second):
		return errors.New("concordia host printed no invite within 30s")
	}
	say("ready %s %s", addr, token)

	// The parent's commands. The reader ends with stdin (the parent closes it to stop us,
	// and the process ends right after this function).
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	pid := cmd.Process.Pid
	streaming := false
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				return nil
			}
			switch c := strings.TrimSpace(line); c {
			case "stats", "gc-stats":
				st, err := procStats(pid)
				if err != nil {
					return err
				}
				b, _ := json.Marshal(st)
				say("stats %s", b)
			case "go":
				select {
				case <-finished: // an earlier turn's end is not this one's
				default:
				}
				if _, err := fmt.Fprintf(in, "FAKE_STAMPS=%d:%d:%d\n", spec.Deltas, spec.Rate, spec.DeltaBytes); err != nil {
					return fmt.Errorf("type the prompt: %w", err)
				}
				streaming = true
			case "quit":
				return nil
			default:
				say("error unknown command %q", c)
			}
		case <-finished:
			if streaming {
				// The deltas' first and last times are the participants' to read in
				// the stamps (the agent is another process): none are sent here.
				streaming = false
				b, _ := json.Marshal(sentReport{Deltas: spec.Deltas})
				say("sent %s", b)
			}
		case <-exited:
			return errors.New("concordia host exited during the run")
		}
	}
}

// procStats reads another process's CPU time, context switches and memory from /proc. CPU
// is the sum of its threads' time on a CPU (schedstat, in ns; threads that ended are not
// counted, and Go's rarely end); the kernel's share comes from /proc/PID/stat in clock
// ticks of 10 ms, so sys_ms is approximate.
func procStats(pid int) (hostStats, error) {
	var st hostStats
	proc := strconv.Itoa(pid)
	b, err := os.ReadFile("/proc/" + proc + "/stat")
	if err != nil {
		return st, fmt.Errorf("the host process: %w", err)
	}
	// The fields after the command name (which may hold spaces) follow its ')'.
	if i := strings.LastIndexByte(string(b), ')'); i >= 0 {
		if f := strings.Fields(string(b)[i+1:]); len(f) > 12 {
			stime, _ := strconv.ParseInt(f[12], 10, 64) // field 15: stime
			st.SysUS = stime * 1e6 / 100                // USER_HZ is 100 on Linux
		}
	}
	var total int64
	tasks, _ := os.ReadDir("/proc/" + proc + "/task")
	for _, t := range tasks {
		task := proc + "/task/" + t.Name()
		if b, err := os.ReadFile("/proc/" + task + "/schedstat"); err == nil {
			if f := strings.Fields(string(b)); len(f) > 0 {
				ns, _ := strconv.ParseInt(f[0], 10, 64)
				total += ns
			}
		}
		st.VolCS += procStatus(task, "voluntary_ctxt_switches:")
		st.InvolCS += procStatus(task, "nonvoluntary_ctxt_switches:")
	}
	st.SysUS = min(st.SysUS, total/1e3)
	st.UserUS = total/1e3 - st.SysUS
	st.RSSKiB = procStatus(proc, "VmRSS:")
	st.HWMKiB = procStatus(proc, "VmHWM:")
	return st, nil
}
