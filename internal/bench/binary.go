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

	"github.com/concordia-party/concordia/internal/stamp"
)

// runBinaryChild is the child's main for SystemBinary: instead of serving a party itself it
// runs the real `concordia host` program (spec.Binary) with fakeclaude (spec.FakeAgent) as
// its agent, and answers the parent's commands about that process. The stream is a prompt
// typed into the host's own terminal, FAKE_STAMPS, so the deltas go the whole way a real
// agent's do: fakeclaude's stdout, the stream-json reader, the party, the connections.
func runBinaryChild(spec childSpec, stdin io.Reader, stdout io.Writer) error {
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
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}()

	// The host's terminal: its first line of interest is the invite; after that, the end
	// of each turn. Everything else (the agent's reply as the host's own member sees it)
	// is read and dropped.
	invite := make(chan string, 1)
	finished := make(chan struct{}, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			line := sc.Text()
			if s, ok := strings.CutPrefix(line, "invite code: "); ok {
				invite <- s
			}
			if strings.Contains(line, "[system] claude finished") || strings.Contains(line, "[error]") {
				select {
				case finished <- struct{}{}:
				default:
				}
			}
		}
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
	fmt.Fprintf(stdout, "ready %s %s\n", addr, token)

	pid := cmd.Process.Pid
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		switch c := strings.TrimSpace(sc.Text()); c {
		case "stats", "gc-stats":
			b, _ := json.Marshal(procStats(pid))
			fmt.Fprintf(stdout, "stats %s\n", b)
		case "go":
			first := stamp.Monotonic()
			if _, err := fmt.Fprintf(in, "FAKE_STAMPS=%d:%d:%d\n", spec.Deltas, spec.Rate, spec.DeltaBytes); err != nil {
				return fmt.Errorf("type the prompt: %w", err)
			}
			go func() {
				select {
				case <-finished:
				case <-exited:
				}
				b, _ := json.Marshal(sentReport{Deltas: spec.Deltas, FirstNS: first, LastNS: stamp.Monotonic()})
				fmt.Fprintf(stdout, "sent %s\n", b)
			}()
		case "quit":
			return nil
		default:
			fmt.Fprintf(stdout, "error unknown command %q\n", c)
		}
	}
	return sc.Err()
}

// procStats reads another process's CPU time and memory from /proc. CPU is the sum of its
// threads' time on a CPU (schedstat, in ns; threads that ended are not counted, and Go's
// rarely end); the kernel's share comes from /proc/PID/stat, in clock ticks.
func procStats(pid int) hostStats {
	var st hostStats
	var total int64
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			ns, _ := strconv.ParseInt(f[0], 10, 64)
			total += ns
		}
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// Fields after the command name (which may hold spaces) end with ')'.
		if i := strings.LastIndexByte(string(b), ')'); i >= 0 {
			f := strings.Fields(string(b)[i+1:])
			if len(f) > 12 {
				stime, _ := strconv.ParseInt(f[12], 10, 64) // field 15: stime
				st.SysUS = stime * 1e6 / 100                // USER_HZ is 100 on Linux
			}
		}
	}
	st.SysUS = min(st.SysUS, total/1e3)
	st.UserUS = total/1e3 - st.SysUS
	st.RSSKiB = procStatus(strconv.Itoa(pid), "VmRSS:")
	st.HWMKiB = procStatus(strconv.Itoa(pid), "VmHWM:")
	return st
}
