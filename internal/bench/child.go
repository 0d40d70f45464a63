package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/stamp"
	"github.com/concordia-party/concordia/internal/wire"
)

// ChildEnv names the environment variable that turns this program into the host side of
// one run: its value is the run's childSpec as JSON. The parent re-executes itself with it
// so that the host's CPU time and memory are the child's alone.
const ChildEnv = "CONCORDIA_BENCH_CHILD"

// The systems a run can measure.
const (
	SystemConcordia = "concordia"       // party.New + party.NewServer, as `concordia host` runs them
	SystemRelay     = "relay"           // the minimal relay baseline (relay.go)
	SystemBinary    = "concordia-bin"   // the real `concordia host` program and fakeclaude (binary.go)
	SystemRelayBin  = "relay-bin"       // the minimal relay with fakeclaude as its agent (relaybin.go)
	SystemBinaryB   = "concordia-bin-b" // a second concordia program, as concordia-bin (A/B of two builds)
)

// speaksProtocol says whether a system's participants say hello (Concordia's protocol) or
// just read (the relay).
func speaksProtocol(system string) bool { return system != SystemRelay && system != SystemRelayBin }

// agentProcess says whether a system's deltas come from fakeclaude, another process (the
// participants then read the stream's first and last times in the stamps).
func agentProcess(system string) bool {
	return system == SystemBinary || system == SystemBinaryB || system == SystemRelayBin
}

// realProgram says whether a system's host is the concordia program (its sockets are
// another process's: bytes written are not counted).
func realProgram(system string) bool { return system == SystemBinary || system == SystemBinaryB }

// benchToken is the participant invite token of the benchmark party.
const benchToken = "benchbenchbenchbenchbenchbenchbenchbench123"

// childSpec is what the parent tells the child.
type childSpec struct {
	System          string `json:"system"`
	Rate            int    `json:"rate"`   // deltas per second
	Deltas          int    `json:"deltas"` // deltas in the stream
	DeltaBytes      int    `json:"delta_bytes"`
	MaxParticipants int    `json:"max_participants"`
	Binary          string `json:"binary,omitempty"`     // SystemBinary(B): the concordia program
	FakeAgent       string `json:"fake_agent,omitempty"` // SystemBinary(B), SystemRelayBin: fakeclaude
}

// hostStats is the child's answer to "stats": cumulative CPU, memory and socket counters.
type hostStats struct {
	UserUS     int64  `json:"user_us"`
	SysUS      int64  `json:"sys_us"`
	VolCS      int64  `json:"vol_cs"`   // voluntary context switches: a thread slept (futex, epoll) and was woken
	InvolCS    int64  `json:"invol_cs"` // involuntary ones: a thread was preempted
	RSSKiB     int64  `json:"rss_kib"`
	HWMKiB     int64  `json:"hwm_kib"`
	HeapInuse  uint64 `json:"heap_inuse"`
	StackInuse uint64 `json:"stack_inuse"`
	Goroutines int    `json:"goroutines"`
	Writes     int64  `json:"writes"`      // write calls on accepted connections
	WriteBytes int64  `json:"write_bytes"` // bytes written to them (WebSocket framing included)
	Members    int    `json:"members"`     // participants connected (the host's own member not counted)
}

// sentReport is printed when the fake agent has written its last delta.
type sentReport struct {
	Deltas  int   `json:"deltas"`
	FirstNS int64 `json:"first_ns"`
	LastNS  int64 `json:"last_ns"`
}

// hostSide is what the child serves: Concordia or the relay.
type hostSide interface {
	http.Handler
	start(stream func(write func([]byte)) sentReport) // begin the agent's stream
	members() int
	close()
}

// RunChild is the child's main: it serves one system on loopback and answers the parent's
// commands, one per line on stdin ("stats", "gc-stats", "go", "quit"), with one line each
// on stdout, after "ready ADDR TOKEN". The stream's end is reported as "sent {json}" when
// it happens.
func RunChild(specJSON string, stdin io.Reader, stdout io.Writer) error {
	var spec childSpec
	if err := json.Unmarshal([]byte(specJSON), &spec); err != nil {
		return fmt.Errorf("read child spec: %w", err)
	}
	var outMu sync.Mutex // stdout has two writers: the command loop and the stream's end
	say := func(format string, args ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(stdout, format+"\n", args...)
	}

	// Ctrl-C reaches the whole process group: the parent stops us (it closes our stdin),
	// so that what we started is cleaned up.
	signal.Ignore(os.Interrupt)
	if realProgram(spec.System) {
		return runBinaryChild(spec, stdin, say)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if spec.System == SystemConcordia {
		ln = rpc.DirectListener(ln) // as concordia host without TLS
	}
	counted := &countingListener{Listener: ln}
	var side hostSide
	switch spec.System {
	case SystemConcordia:
		side, err = newConcordiaSide(spec)
	case SystemRelay, SystemRelayBin:
		side = newRelay()
	default:
		err = fmt.Errorf("unknown system %q", spec.System)
	}
	if err != nil {
		ln.Close()
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(wire.RPCPath, side)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(counted)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		side.close()
	}()
	say("ready %s %s", ln.Addr(), benchToken)

	stream := func(write func([]byte)) sentReport { return streamDeltas(spec, write) }
	if spec.System == SystemRelayBin {
		agent, err := startAgentSource(spec)
		if err != nil {
			return err
		}
		defer agent.close()
		stream = agent.stream
	}
	var stopProfile func()
	defer func() {
		if stopProfile != nil {
			stopProfile()
		}
	}()
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		switch cmd := strings.TrimSpace(sc.Text()); cmd {
		case "stats", "gc-stats":
			if cmd == "gc-stats" {
				runtime.GC()
				debug.FreeOSMemory()
			}
			st := readStats()
			st.Writes, st.WriteBytes = counted.writes.Load(), counted.bytes.Load()
			st.Members = side.members()
			b, _ := json.Marshal(st)
			say("stats %s", b)
		case "go":
			if stopProfile == nil {
				stopProfile = startProfile(spec) // the stream and what follows, not the joins
			}
			go func() {
				rep := make(chan sentReport, 1)
				side.start(func(write func([]byte)) sentReport {
					r := stream(write)
					rep <- r
					return r
				})
				b, _ := json.Marshal(<-rep)
				say("sent %s", b)
			}()
		case "quit":
			return nil
		default:
			say("error unknown command %q", cmd)
		}
	}
	return sc.Err()
}

// streamDeltas is the fake agent: spec.Deltas stamped deltas at spec.Rate per second
// (stamp.Stream).
func streamDeltas(spec childSpec, write func([]byte)) sentReport {
	rep := sentReport{Deltas: spec.Deltas}
	rep.FirstNS, rep.LastNS = stamp.Stream(spec.Deltas, spec.Rate, spec.DeltaBytes, write)
	return rep
}

// ProfileEnv names the environment variable that makes each child write a CPU profile of
// the stream (from "go" to the end of the run) to $CONCORDIA_BENCH_CPUPROFILE-<system>-<participants>-<rate>.pprof
// (for looking at where the host's time goes: go tool pprof -top FILE). Not for
// concordia-bin, whose host is another program (perf record -p PID profiles it).
const ProfileEnv = "CONCORDIA_BENCH_CPUPROFILE"

func startProfile(spec childSpec) (stop func()) {
	prefix := os.Getenv(ProfileEnv)
	if prefix == "" {
		return nil
	}
	f, err := os.Create(fmt.Sprintf("%s-%s-%d-%d.pprof", prefix, spec.System, spec.MaxParticipants, spec.Rate))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench child: cpu profile:", err)
		return nil
	}
	runtime.SetCPUProfileRate(1000) // a run is short: 1 ms samples, not 10
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "bench child: cpu profile:", err)
		f.Close()
		return nil
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

func readStats() hostStats {
	var st hostStats
	readRusage(&st)
	st.RSSKiB, st.HWMKiB = procStatus("self", "VmRSS:"), procStatus("self", "VmHWM:")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st.HeapInuse, st.StackInuse = ms.HeapInuse, ms.StackInuse
	st.Goroutines = runtime.NumGoroutine()
	return st
}

// procStatus reads one "Key: N kB" line of /proc/PROC/status (PROC: "self" or a pid; 0
// when missing).
func procStatus(proc, key string) int64 {
	b, err := os.ReadFile("/proc/" + proc + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// countingListener counts what the host writes to its accepted connections.
type countingListener struct {
	net.Listener
	writes, bytes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, l: l}, nil
}

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c *countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.l.writes.Add(1)
	c.l.bytes.Add(int64(n))
	return n, err
}

// TryWrite, Flush and WholeFrames pass a DirectListener's connection on (and count what
// is written through it).

func (c *countingConn) TryWrite(frame []byte) (int, bool) {
	d, ok := c.Conn.(rpc.DirectWriter)
	if !ok {
		return 0, false
	}
	n, ok := d.TryWrite(frame)
	if ok {
		c.l.writes.Add(1)
		c.l.bytes.Add(int64(n))
	}
	return n, ok
}

func (c *countingConn) Flush(deadline time.Time) (int, error) {
	d, ok := c.Conn.(rpc.DirectWriter)
	if !ok {
		return 0, nil
	}
	n, err := d.Flush(deadline)
	c.l.bytes.Add(int64(n))
	return n, err
}

func (c *countingConn) WholeFrames(write func() error) error {
	if d, ok := c.Conn.(rpc.DirectWriter); ok {
		return d.WholeFrames(write)
	}
	return write()
}

// concordiaSide is the real party: party.New behind party.NewServer, with a fake agent
// whose turn is the stamped stream. The host takes part as a local member (as in
// `concordia host` without --no-local-repl) and its prompt starts the turn.
type concordiaSide struct {
	*party.Server
	p       *party.Party
	journal *journal.Writer
	dataDir string
	local   *party.Local
	cancel  context.CancelFunc
	turns   chan func(write func([]byte)) sentReport
}

func newConcordiaSide(spec childSpec) (*concordiaSide, error) {
	s := &concordiaSide{turns: make(chan func(write func([]byte)) sentReport, 1)}
	// The party keeps a journal, as `concordia host` does: every event is written to it
	// before it is sent.
	dir, err := os.MkdirTemp("", "concordia-bench-")
	if err != nil {
		return nil, fmt.Errorf("journal directory: %w", err)
	}
	s.dataDir = dir
	id := party.NewID()
	s.journal, err = journal.Create(dir, journal.Header{Party: id, Host: "bench", Created: time.Now().UTC(), Token: benchToken})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.p = party.New(party.Config{
		ID:              id,
		Token:           benchToken,
		HostName:        "bench",
		Window:          time.Millisecond,
		Runner:          &streamRunner{turns: s.turns},
		MaxParticipants: spec.MaxParticipants,
		Journal:         s.journal,
	})
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go s.p.Run(ctx)
	s.Server = party.NewServer(s.p, party.ServerOptions{})
	l, _, err := s.p.JoinLocal("host", wire.RoleHost)
	if err != nil {
		cancel()
		<-s.p.Done()
		s.journal.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("join the host: %w", err)
	}
	s.local = l
	// The host's own view, read as concordia host's terminal reads it.
	go party.ReadFramed(l.Events(), party.ViewFrame, func(wire.Event) {})
	return s, nil
}

func (s *concordiaSide) start(stream func(write func([]byte)) sentReport) {
	s.turns <- stream
	if _, err := s.local.Prompt("stream"); err != nil {
		fmt.Fprintln(os.Stderr, "bench child: prompt:", err)
	}
}

func (s *concordiaSide) members() int {
	st, err := s.p.State(1 << 62)
	if err != nil {
		return 0
	}
	return len(st.Participants) - 1 // the host's own member
}

func (s *concordiaSide) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Server.Close(ctx)
	s.local.Leave()
	s.cancel()
	<-s.p.Done()
	s.journal.Close()
	os.RemoveAll(s.dataDir)
}

// streamRunner is the fake agent behind the party: each turn runs the stream it is given.
type streamRunner struct {
	turns chan func(write func([]byte)) sentReport
}

var _ party.Runner = (*streamRunner)(nil)

func (r *streamRunner) RunTurn(ctx context.Context, _ string, io party.TurnIO) (party.TurnResult, error) {
	select {
	case stream := <-r.turns:
		stream(func(b []byte) { io.Out(wire.StreamAssistant, string(b)) })
		return party.TurnResult{}, nil
	case <-ctx.Done():
		return party.TurnResult{Interrupted: true}, nil
	}
}

func (r *streamRunner) Restart(context.Context) error {
	return errors.New("the bench agent does not restart")
}
